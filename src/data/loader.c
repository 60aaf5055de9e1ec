/* Batch loader: worker threads fill a ring of `prefetch` batch slots in order; each
 * sample's result depends only on (seed, epoch, sample), so any thread count gives
 * the same bits. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/loader_internal.h"
#include "data/synth_util.h"

typedef struct {
  lf_batch b;
  size_t batch_no;
  int n, done;        /* items in this batch, items finished */
  uint8_t *bad;       /* per item: unreadable */
  lf_status err;
  char msg[512];
} slot_t;

struct lf_loader {
  const lf_dataset *ds;
  lf_loader_opts o;
  size_t *idx, n;     /* selected samples */
  size_t *order;      /* this epoch's order (positions into idx) */
  size_t nb, n_used;  /* batches and samples per epoch (this shard's) */
  size_t bs;          /* samples per batch (this shard's slice of the global batch) */
  int epoch, with_mask, ylen;
  size_t xs;
  lf_cache cache;
  int use_cache;
  slot_t *slots;
  int P;
  pthread_t *tid;
  int nthreads;
  pthread_mutex_t mu;
  pthread_cond_t work, done;
  size_t next_job, released, consumed; /* consumed: batches handed out this epoch */
  int active, stop, inflight;
  const lf_sample **unread;
  size_t n_unread, cap_unread;
};

static void process(lf_loader *l, size_t j, slot_t *sl, int i) {
  size_t pos = l->order[j];
  const lf_sample *s = &l->ds->samples[l->idx[pos]];
  float *x = sl->b.x + (size_t)i * l->xs, *y = sl->b.y + (size_t)i * l->ylen;
  uint64_t aug_seed = lf_sm64_mix(lf_sm64_mix(l->o.seed, (uint64_t)l->epoch), (uint64_t)l->idx[pos]);
  lf_status st;
  int corrupt = 0;
  sl->b.samples[i] = s;
  if (l->use_cache) {
    if (l->cache.flags[pos]) st = lf_error(LF_EBADFILE, "%s: unreadable (see cache build)", s->name);
    else if ((st = lf_cache_verify(&l->cache, pos, s, l->xs, (size_t)l->o.width * l->o.height))) {
      corrupt = 1; /* an error even with skip_unreadable: the image is fine, the cache is not */
    } else
      st = lf_loader_finish(l->ds, s, &l->o, l->cache.x + pos * l->xs,
                            l->cache.m ? l->cache.m + pos * (size_t)(l->o.width * l->o.height) : NULL,
                            l->o.augment, aug_seed, x, y);
  } else {
    size_t np = (size_t)l->o.width * l->o.height;
    uint8_t *xu8 = malloc(l->xs), *mu8 = l->with_mask ? malloc(np) : NULL;
    if (!xu8 || (l->with_mask && !mu8)) st = lf_error(LF_ENOMEM, "loader: out of memory");
    else if (!(st = lf_loader_prep_u8(l->ds, s, &l->o, xu8, mu8)))
      st = lf_loader_finish(l->ds, s, &l->o, xu8, mu8, l->o.augment, aug_seed, x, y);
    free(xu8), free(mu8);
  }
  sl->bad[i] = st != LF_OK;
  if (st && (!l->o.skip_unreadable || corrupt)) {
    pthread_mutex_lock(&l->mu);
    if (!sl->err) sl->err = st, snprintf(sl->msg, sizeof sl->msg, "%s", lf_last_error());
    pthread_mutex_unlock(&l->mu);
  }
}

static void *worker(void *arg) {
  lf_loader *l = arg;
  pthread_mutex_lock(&l->mu);
  while (!l->stop) {
    size_t bs = l->bs;
    if (l->active && l->next_job < l->n_used && l->next_job / bs < l->released + (size_t)l->P) {
      size_t j = l->next_job++, b = j / bs;
      int i = (int)(j % bs);
      slot_t *sl = &l->slots[b % (size_t)l->P];
      if (i == 0) {
        sl->batch_no = b;
        sl->n = (int)((b + 1) * bs <= l->n_used ? bs : l->n_used - b * bs);
        sl->done = 0;
        sl->err = LF_OK;
      }
      l->inflight++;
      pthread_mutex_unlock(&l->mu);
      process(l, j, sl, i);
      pthread_mutex_lock(&l->mu);
      l->inflight--;
      ++sl->done;
      pthread_cond_broadcast(&l->done);
    } else {
      pthread_cond_wait(&l->work, &l->mu);
    }
  }
  pthread_mutex_unlock(&l->mu);
  return NULL;
}

static void stop_epoch(lf_loader *l) { /* no new jobs; wait for those in flight */
  pthread_mutex_lock(&l->mu);
  l->active = 0;
  while (l->inflight) pthread_cond_wait(&l->done, &l->mu);
  pthread_mutex_unlock(&l->mu);
}

void lf_loader_free(lf_loader *l) {
  if (!l) return;
  if (l->tid) {
    pthread_mutex_lock(&l->mu);
    l->stop = 1;
    pthread_cond_broadcast(&l->work);
    pthread_mutex_unlock(&l->mu);
    for (int t = 0; t < l->nthreads; t++) pthread_join(l->tid[t], NULL);
    free(l->tid);
  }
  pthread_mutex_destroy(&l->mu);
  pthread_cond_destroy(&l->work);
  pthread_cond_destroy(&l->done);
  if (l->slots)
    for (int k = 0; k < l->P; k++) {
      free(l->slots[k].b.x), free(l->slots[k].b.y), free(l->slots[k].b.samples), free(l->slots[k].bad);
    }
  free(l->slots);
  lf_cache_close(&l->cache);
  free(l->idx), free(l->order), free(l->unread);
  free(l);
}

lf_status lf_loader_create(const lf_dataset *ds, lf_split split, const lf_loader_opts *o,
                           lf_loader **out) {
  *out = NULL;
  if (!ds || !o || o->height <= 0 || o->width <= 0 || o->height > 8192 || o->width > 8192 ||
      (o->channels != 1 && o->channels != 3) || o->batch_size <= 0 || o->batch_size > 65536)
    return lf_error(LF_EINVAL, "loader: bad options (size %dx%dx%d, batch %d)", o ? o->height : 0,
                    o ? o->width : 0, o ? o->channels : 0, o ? o->batch_size : 0);
  lf_loader *l = calloc(1, sizeof *l);
  if (!l) return lf_error(LF_ENOMEM, "loader: out of memory");
  pthread_mutex_init(&l->mu, NULL);
  pthread_cond_init(&l->work, NULL);
  pthread_cond_init(&l->done, NULL);
  l->ds = ds;
  l->o = *o;
  if (l->o.threads < 1) l->o.threads = 1;
  if (l->o.threads > 64) l->o.threads = 64;
  l->P = l->o.prefetch < 1 ? 1 : l->o.prefetch > 64 ? 64 : l->o.prefetch;
  l->with_mask = ds->task == LF_TASK_NERVE && split != LF_SPLIT_UNLABELLED;
  l->ylen = ds->task == LF_TASK_NERVE ? o->height * o->width : ds->num_labels;
  l->xs = (size_t)o->height * o->width * o->channels;
  lf_status st = LF_OK;
  l->n = lf_dataset_select(ds, split, NULL);
  l->idx = malloc((l->n + 1) * sizeof(size_t));
  l->order = malloc((l->n + 1) * sizeof(size_t));
  l->slots = calloc((size_t)l->P, sizeof(slot_t));
  if (!l->idx || !l->order || !l->slots) { st = lf_error(LF_ENOMEM, "loader: out of memory"); goto fail; }
  lf_dataset_select(ds, split, l->idx);
  if (o->count) { /* a contiguous share of the split */
    if (o->first > l->n || o->count > l->n - o->first) {
      st = lf_error(LF_EINVAL, "loader: samples %zu..%zu of a split of %zu", o->first, o->first + o->count, l->n);
      goto fail;
    }
    memmove(l->idx, l->idx + o->first, o->count * sizeof *l->idx);
    l->n = o->count;
  }
  size_t bs = (size_t)o->batch_size;
  int shards = o->shards > 1 ? o->shards : 1;
  if (shards > 1 && (o->batch_size % shards || o->shard < 0 || o->shard >= shards)) {
    st = lf_error(LF_EINVAL, "loader: a batch of %d cannot be cut into %d equal shards (shard %d)", o->batch_size,
                  shards, o->shard);
    goto fail;
  }
  l->nb = o->drop_last || shards > 1 ? l->n / bs : (l->n + bs - 1) / bs;
  l->bs = bs / (size_t)shards;
  l->n_used = o->drop_last || shards > 1 ? l->nb * l->bs : l->n;
  for (int k = 0; k < l->P; k++) {
    slot_t *sl = &l->slots[k];
    sl->b.x = malloc(bs * l->xs * sizeof(float));
    sl->b.y = malloc(bs * (size_t)l->ylen * sizeof(float));
    sl->b.samples = malloc(bs * sizeof(lf_sample *));
    sl->bad = malloc(bs);
    sl->batch_no = (size_t)-1;
    if (!sl->b.x || !sl->b.y || !sl->b.samples || !sl->bad) { st = lf_error(LF_ENOMEM, "loader: out of memory for batches"); goto fail; }
  }
  if (o->cache_path) {
    if ((st = lf_cache_open(&l->cache, o->cache_path, ds, l->idx, l->n, &l->o, l->with_mask, NULL))) goto fail;
    l->use_cache = 1;
  }
  l->tid = calloc((size_t)l->o.threads, sizeof(pthread_t));
  if (!l->tid) { st = lf_error(LF_ENOMEM, "loader: out of memory"); goto fail; }
  for (int t = 0; t < l->o.threads; t++) {
    if (pthread_create(&l->tid[t], NULL, worker, l)) {
      st = lf_error(LF_EIO, "loader: cannot start thread %d", t);
      goto fail;
    }
    l->nthreads++;
  }
  l->epoch = -1;
  *out = l;
  return LF_OK;
fail:
  lf_loader_free(l);
  return st;
}

size_t lf_loader_num_samples(const lf_loader *l) { return l ? l->n : 0; }
size_t lf_loader_num_batches(const lf_loader *l) { return l ? l->nb : 0; }

lf_status lf_loader_start_epoch(lf_loader *l, int epoch) {
  if (!l) return lf_error(LF_EINVAL, "loader: NULL");
  stop_epoch(l);
  pthread_mutex_lock(&l->mu);
  l->epoch = epoch;
  for (size_t i = 0; i < l->n; i++) l->order[i] = i;
  if (l->o.shuffle) {
    uint64_t st = lf_sm64_mix(l->o.seed ^ 0x5A17F1E, (uint64_t)epoch);
    for (size_t i = l->n; i > 1; i--) {
      size_t j = (size_t)(lf_sm64_next(&st) % i), t = l->order[i - 1];
      l->order[i - 1] = l->order[j];
      l->order[j] = t;
    }
  }
  if (l->o.shards > 1) { /* keep this shard's slice of every global batch, in place (reads stay ahead of writes) */
    size_t B = (size_t)l->o.batch_size, off = (size_t)l->o.shard * l->bs;
    for (size_t b = 0; b < l->nb; b++)
      for (size_t i = 0; i < l->bs; i++) l->order[b * l->bs + i] = l->order[b * B + off + i];
  }
  l->next_job = 0;
  l->released = 0;
  l->consumed = 0;
  for (int k = 0; k < l->P; k++) l->slots[k].batch_no = (size_t)-1, l->slots[k].n = 0, l->slots[k].done = 0;
  l->active = 1;
  pthread_cond_broadcast(&l->work);
  pthread_mutex_unlock(&l->mu);
  return LF_OK;
}

lf_status lf_loader_next(lf_loader *l, lf_batch **out) {
  *out = NULL;
  if (!l || l->epoch < 0) return lf_error(LF_EINVAL, "loader: call lf_loader_start_epoch first");
  pthread_mutex_lock(&l->mu);
  if (l->consumed > 0) { /* the previous batch's slot may be refilled now */
    l->released = l->consumed;
    pthread_cond_broadcast(&l->work);
  }
  if (l->consumed >= l->nb) {
    pthread_mutex_unlock(&l->mu);
    return LF_OK;
  }
  size_t b = l->consumed;
  slot_t *sl = &l->slots[b % (size_t)l->P];
  while (!(sl->batch_no == b && sl->done == sl->n && sl->n > 0)) pthread_cond_wait(&l->done, &l->mu);
  l->consumed++;
  lf_status err = sl->err;
  char msg[512];
  snprintf(msg, sizeof msg, "%s", sl->msg);
  /* drop unreadable items (skip_unreadable), keeping the order */
  int k = 0;
  for (int i = 0; i < sl->n; i++) {
    if (sl->bad[i]) {
      if (l->n_unread == l->cap_unread) {
        size_t cap = l->cap_unread ? l->cap_unread * 2 : 16;
        const lf_sample **nu = realloc(l->unread, cap * sizeof *nu);
        if (nu) l->unread = nu, l->cap_unread = cap;
      }
      if (l->n_unread < l->cap_unread && l->epoch == 0) l->unread[l->n_unread++] = sl->b.samples[i];
      continue;
    }
    if (k != i) {
      memmove(sl->b.x + (size_t)k * l->xs, sl->b.x + (size_t)i * l->xs, l->xs * sizeof(float));
      memmove(sl->b.y + (size_t)k * l->ylen, sl->b.y + (size_t)i * l->ylen, (size_t)l->ylen * sizeof(float));
      sl->b.samples[k] = sl->b.samples[i];
    }
    k++;
  }
  sl->b.n = k;
  pthread_mutex_unlock(&l->mu);
  if (err) return lf_error(err, "%s", msg);
  *out = &sl->b;
  return LF_OK;
}

size_t lf_loader_unreadable(const lf_loader *l, const lf_sample ***list) {
  if (list) *list = l ? l->unread : NULL;
  return l ? l->n_unread : 0;
}

typedef struct {
  const lf_dataset *ds;
  const size_t *idx;
  const lf_loader_opts *o;
  double *sums; /* per sample: C sums, C sums of squares */
} zjob;

static lf_status z_one(int i, void *arg) {
  zjob *J = arg;
  const lf_loader_opts *o = J->o;
  size_t np = (size_t)o->width * o->height;
  int C = o->channels;
  uint8_t *x = malloc(np * C);
  if (!x) return lf_error(LF_ENOMEM, "zscore: out of memory");
  lf_status st = lf_loader_prep_u8(J->ds, &J->ds->samples[J->idx[i]], o, x, NULL);
  double *s = J->sums + (size_t)i * 2 * C;
  for (int c = 0; c < 2 * C; c++) s[c] = 0;
  if (!st)
    for (size_t p = 0; p < np; p++)
      for (int c = 0; c < C; c++) {
        double v = x[p * C + c] / 255.0;
        s[c] += v, s[C + c] += v * v;
      }
  free(x);
  return st && o->skip_unreadable ? LF_OK : st;
}

lf_status lf_loader_zscore(const lf_dataset *ds, lf_split split, const lf_loader_opts *o,
                           float mean[3], float std[3]) {
  size_t n = lf_dataset_select(ds, split, NULL);
  if (!n) return lf_error(LF_EINVAL, "zscore: split '%s' has no images", lf_split_name(split));
  int C = o->channels;
  size_t *idx = malloc(n * sizeof *idx);
  double *sums = calloc(n * 2 * (size_t)C, sizeof(double));
  if (!idx || !sums) { free(idx), free(sums); return lf_error(LF_ENOMEM, "zscore: out of memory"); }
  lf_dataset_select(ds, split, idx);
  zjob J = {ds, idx, o, sums};
  lf_status st = lf_synth_parallel((int)n, o->threads, z_one, &J);
  if (!st) {
    double np = (double)n * o->width * o->height;
    for (int c = 0; c < 3; c++) {
      int cc = c < C ? c : C - 1;
      double s = 0, q = 0;
      for (size_t i = 0; i < n; i++) s += sums[i * 2 * C + cc], q += sums[i * 2 * C + C + cc]; /* fixed order */
      double m = s / np, var = q / np - m * m;
      mean[c] = (float)m;
      std[c] = (float)(var > 1e-12 ? sqrt(var) : 1.0);
    }
  }
  free(idx), free(sums);
  return st;
}
