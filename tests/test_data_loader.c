/* Loader: same bits for 1, 2 and 3 threads (shuffle + augmentation), equals the
 * single-sample path, labels/masks, cache reuse and rebuild when a source changes,
 * unreadable images skipped or fatal, z-score statistics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/loader_internal.h"
#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_loader.h"
#include "leapfrog/lf_synth.h"
#include "lf_test.h"

static char dir[512];

static char *P(const char *a, const char *b) {
  static char buf[8][1024];
  static int k;
  k = (k + 1) & 7;
  snprintf(buf[k], sizeof buf[k], "%s/%s", a, b);
  return buf[k];
}

typedef struct {
  float *x, *y;
  const lf_sample **s;
  size_t n;
} dump;

/* all batches of `epochs` epochs concatenated */
static dump run(const lf_dataset *ds, lf_split sp, const lf_loader_opts *o, int epochs) {
  dump d = {0};
  lf_loader *l;
  lf_status st = lf_loader_create(ds, sp, o, &l);
  LF_CHECK_MSG(st == LF_OK, "%s", lf_last_error());
  if (st) return d;
  size_t xs = (size_t)o->height * o->width * o->channels;
  size_t ys = ds->task == LF_TASK_NERVE ? (size_t)o->height * o->width : (size_t)ds->num_labels;
  size_t cap = lf_loader_num_samples(l) * (size_t)epochs + 1;
  d.x = malloc(cap * xs * sizeof(float));
  d.y = malloc(cap * ys * sizeof(float));
  d.s = malloc(cap * sizeof *d.s);
  for (int e = 0; e < epochs; e++) {
    LF_CHECK(lf_loader_start_epoch(l, e) == LF_OK);
    lf_batch *b;
    size_t nb = 0;
    while ((st = lf_loader_next(l, &b)) == LF_OK && b) {
      memcpy(d.x + d.n * xs, b->x, (size_t)b->n * xs * sizeof(float));
      memcpy(d.y + d.n * ys, b->y, (size_t)b->n * ys * sizeof(float));
      memcpy(d.s + d.n, b->samples, (size_t)b->n * sizeof *d.s);
      d.n += (size_t)b->n;
      nb++;
    }
    LF_CHECK_MSG(st == LF_OK, "%s", lf_last_error());
    LF_CHECK(nb == lf_loader_num_batches(l));
  }
  lf_loader_free(l);
  return d;
}

static void dump_free(dump *d) { free(d->x), free(d->y), free(d->s); }

static int same(const dump *a, const dump *b, size_t xs, size_t ys) {
  return a->n == b->n && !memcmp(a->x, b->x, a->n * xs * 4) && !memcmp(a->y, b->y, a->n * ys * 4) &&
         !memcmp(a->s, b->s, a->n * sizeof *a->s);
}

static lf_dataset *chest, *nerve;

LF_TEST(deterministic_across_threads) {
  for (int t = 0; t < 2; t++) {
    lf_dataset *ds = t ? nerve : chest;
    lf_loader_opts o;
    lf_loader_opts_default(&o, ds->task);
    if (t) o.height = 20, o.width = 28;
    else o.height = 32, o.width = 32;
    o.batch_size = 5, o.shuffle = 1, o.augment = 1, o.seed = 77, o.prefetch = 3;
    size_t xs = (size_t)o.height * o.width * o.channels, ys = t ? (size_t)o.height * o.width : 14;
    o.threads = 1;
    dump a = run(ds, LF_SPLIT_TRAIN, &o, 2);
    o.threads = 2;
    dump b = run(ds, LF_SPLIT_TRAIN, &o, 2);
    o.threads = 3, o.prefetch = 1;
    dump c = run(ds, LF_SPLIT_TRAIN, &o, 2);
    LF_CHECK(a.n == 2 * lf_dataset_select(ds, LF_SPLIT_TRAIN, NULL) && a.n > 10);
    LF_CHECK_MSG(same(&a, &b, xs, ys) && same(&a, &c, xs, ys), "task %d: thread count changed the output", t);
    /* epochs differ in order */
    size_t half = a.n / 2;
    LF_CHECK(memcmp(a.s, a.s + half, half * sizeof *a.s) != 0);
    /* a different seed changes the augmentation */
    o.seed = 78;
    dump e = run(ds, LF_SPLIT_TRAIN, &o, 1);
    LF_CHECK(e.n == half && memcmp(e.x, a.x, half * xs * 4) != 0);
    /* without augmentation, each item equals the single-sample path; labels/masks right */
    o.augment = 0, o.shuffle = 0, o.norm = LF_NORM_IMAGENET;
    dump f = run(ds, LF_SPLIT_TRAIN, &o, 1);
    float *x = malloc(xs * 4), *y = malloc(ys * 4);
    for (size_t i = 0; i < f.n; i++) {
      LF_CHECK(lf_loader_sample(ds, f.s[i], &o, x, y) == LF_OK);
      LF_CHECK(!memcmp(x, f.x + i * xs, xs * 4) && !memcmp(y, f.y + i * ys, ys * 4));
      if (!t)
        for (int k = 0; k < 14; k++) LF_CHECK(f.y[i * ys + k] == (float)(f.s[i]->labels >> k & 1));
      else {
        double sum = 0;
        for (size_t k = 0; k < ys; k++) {
          sum += y[k];
          LF_CHECK(y[k] == 0 || y[k] == 1);
        }
        LF_CHECK_MSG((sum > 0) == (f.s[i]->labels != 0) || f.s[i]->labels, "%s: mask lost", f.s[i]->name);
      }
      if (t == 0 && i == 0) /* grey replicated into 3 channels */
        LF_CHECK(fabsf((x[0] * 0.229f + 0.485f) - (x[1] * 0.224f + 0.456f)) < 1e-5f);
    }
    free(x), free(y);
    dump_free(&a), dump_free(&b), dump_free(&c), dump_free(&e), dump_free(&f);
  }
}

LF_TEST(cache_reuse_and_rebuild) {
  lf_loader_opts o;
  lf_loader_opts_default(&o, LF_TASK_NERVE);
  o.height = 20, o.width = 28, o.batch_size = 4;
  char *cp = P(dir, "nerve.cache");
  size_t n = lf_dataset_select(nerve, LF_SPLIT_ALL, NULL);
  size_t *idx = malloc(n * sizeof *idx);
  lf_dataset_select(nerve, LF_SPLIT_ALL, idx);
  /* cache covers labelled frames of the val split only via the loader; here all train frames */
  dump plain = run(nerve, LF_SPLIT_TRAIN, &o, 1);
  o.cache_path = cp;
  dump cached = run(nerve, LF_SPLIT_TRAIN, &o, 1); /* builds */
  dump again = run(nerve, LF_SPLIT_TRAIN, &o, 1);  /* reuses */
  size_t xs = (size_t)20 * 28, ys = xs;
  LF_CHECK_MSG(same(&plain, &cached, xs, ys) && same(&plain, &again, xs, ys), "cache changes the output");
  size_t ntr = lf_dataset_select(nerve, LF_SPLIT_TRAIN, NULL);
  size_t *tr = malloc(ntr * sizeof *tr);
  lf_dataset_select(nerve, LF_SPLIT_TRAIN, tr);
  lf_cache c;
  int rebuilt = -1;
  LF_CHECK(lf_cache_open(&c, cp, nerve, tr, ntr, &o, 1, &rebuilt) == LF_OK && rebuilt == 0);
  lf_cache_close(&c);
  /* change one source image: the cache must be rebuilt and show the new pixels */
  const lf_sample *s = &nerve->samples[tr[0]];
  lf_image im;
  LF_CHECK(lf_image_read(s->path, &im, NULL) == LF_OK);
  for (size_t i = 0; i < (size_t)im.width * im.height; i++) im.data[i] = (uint8_t)(255 - im.data[i]);
  usleep(20000);
  LF_CHECK(lf_image_write_tiff(s->path, &im) == LF_OK);
  lf_image_free(&im);
  LF_CHECK(lf_cache_open(&c, cp, nerve, tr, ntr, &o, 1, &rebuilt) == LF_OK && rebuilt == 1);
  lf_cache_close(&c);
  dump after = run(nerve, LF_SPLIT_TRAIN, &o, 1);
  float *x = malloc(xs * 4);
  LF_CHECK(lf_loader_sample(nerve, s, &o, x, NULL) == LF_OK);
  LF_CHECK(after.n == plain.n && after.s[0] == s && !memcmp(after.x, x, xs * 4) && memcmp(after.x, plain.x, xs * 4));
  /* a different model size is a different cache */
  o.height = 10;
  LF_CHECK(lf_cache_open(&c, cp, nerve, tr, ntr, &o, 1, &rebuilt) == LF_OK && rebuilt == 1);
  lf_cache_close(&c);
  /* a garbage cache file is rebuilt, not trusted */
  LF_CHECK(lf_write_file_atomic(cp, "LFCACHE1 junk", 13) == LF_OK);
  o.height = 20;
  LF_CHECK(lf_cache_open(&c, cp, nerve, tr, ntr, &o, 1, &rebuilt) == LF_OK && rebuilt == 1);
  lf_cache_close(&c);
  free(x), free(tr), free(idx);
  dump_free(&plain), dump_free(&cached), dump_free(&again), dump_free(&after);
}

LF_TEST(unreadable_images) {
  const lf_sample *victim = NULL;
  for (size_t i = 0; i < chest->n; i++)
    if (chest->samples[i].split == LF_SPLIT_VAL) { victim = &chest->samples[i]; break; }
  LF_CHECK(victim != NULL);
  if (!victim) return;
  LF_CHECK(lf_write_file_atomic(victim->path, "\x89PNG\r\n\x1a\n broken", 15) == LF_OK);
  lf_loader_opts o;
  lf_loader_opts_default(&o, LF_TASK_CHESTXRAY14);
  o.height = o.width = 16, o.batch_size = 3, o.skip_unreadable = 1;
  size_t nval = lf_dataset_select(chest, LF_SPLIT_VAL, NULL);
  dump d = run(chest, LF_SPLIT_VAL, &o, 1);
  LF_CHECK(d.n == nval - 1);
  lf_loader *l;
  LF_CHECK(lf_loader_create(chest, LF_SPLIT_VAL, &o, &l) == LF_OK);
  lf_loader_start_epoch(l, 0);
  lf_batch *b;
  while (lf_loader_next(l, &b) == LF_OK && b) {
  }
  const lf_sample **list;
  LF_CHECK(lf_loader_unreadable(l, &list) == 1 && list[0] == victim);
  lf_loader_free(l);
  o.skip_unreadable = 0;
  LF_CHECK(lf_loader_create(chest, LF_SPLIT_VAL, &o, &l) == LF_OK);
  lf_loader_start_epoch(l, 0);
  lf_status st;
  while ((st = lf_loader_next(l, &b)) == LF_OK && b) {
  }
  LF_CHECK(st == LF_EBADFILE && strstr(lf_last_error(), victim->name));
  lf_loader_free(l);
  dump_free(&d);
}

LF_TEST(zscore) {
  lf_loader_opts o;
  lf_loader_opts_default(&o, LF_TASK_CHESTXRAY14);
  o.height = o.width = 16, o.norm = LF_NORM_NONE;
  float mean[3], sd[3];
  LF_CHECK(lf_loader_zscore(chest, LF_SPLIT_TRAIN, &o, mean, sd) == LF_OK);
  double s = 0, q = 0, n = 0;
  size_t k = lf_dataset_select(chest, LF_SPLIT_TRAIN, NULL);
  size_t *idx = malloc(k * sizeof *idx);
  lf_dataset_select(chest, LF_SPLIT_TRAIN, idx);
  float *x = malloc(16 * 16 * 3 * 4);
  for (size_t i = 0; i < k; i++) {
    lf_loader_sample(chest, &chest->samples[idx[i]], &o, x, NULL);
    for (int p = 0; p < 256; p++) s += x[p * 3] / 255.0, q += (x[p * 3] / 255.0) * (x[p * 3] / 255.0), n++;
  }
  double m = s / n, v = sqrt(q / n - m * m);
  LF_CHECK_MSG(fabs(mean[0] - m) < 1e-5 && fabs(sd[0] - v) < 1e-4 && mean[1] == mean[0], "%g %g vs %g %g", mean[0], sd[0], m, v);
  free(idx), free(x);
}

LF_TEST(unlabelled_frames) {
  lf_loader_opts o;
  lf_loader_opts_default(&o, LF_TASK_NERVE);
  o.height = 20, o.width = 28, o.batch_size = 7;
  dump d = run(nerve, LF_SPLIT_ALL, &o, 1);
  LF_CHECK(d.n == lf_dataset_select(nerve, LF_SPLIT_ALL, NULL) && d.n > 30);
  size_t unl = 0;
  for (size_t i = 0; i < d.n; i++)
    if (d.s[i]->split == LF_SPLIT_UNLABELLED) {
      unl++;
      for (size_t k = 0; k < 20 * 28; k++) LF_CHECK(d.y[i * 20 * 28 + k] == 0);
    }
  LF_CHECK(unl == 5);
  dump_free(&d);
}

int main(void) {
  const char *tmp = getenv("LF_TMP");
  if (!tmp) tmp = "/tmp";
  snprintf(dir, sizeof dir, "%s/data_loader.%d", tmp, (int)getpid());
  lf_mkdirs(dir);
  lf_synth_opts so;
  lf_synth_opts_default(&so);
  so.n = 40, so.size = 96, so.seed = 3;
  if (lf_synth_chestxray14(P(dir, "chest"), &so)) return fprintf(stderr, "%s\n", lf_last_error()), 1;
  so.n = 30, so.size = 116, so.n_test = 5;
  if (lf_synth_nerve(P(dir, "nerve"), &so)) return fprintf(stderr, "%s\n", lf_last_error()), 1;
  lf_split_opts sp;
  lf_split_opts_default(&sp);
  if (lf_dataset_open(LF_TASK_CHESTXRAY14, P(dir, "chest"), 0, &chest) || lf_dataset_split(chest, &sp, NULL) ||
      lf_dataset_open(LF_TASK_NERVE, P(dir, "nerve"), 0, &nerve) || lf_dataset_split(nerve, &sp, NULL))
    return fprintf(stderr, "%s\n", lf_last_error()), 1;
  LF_RUN(deterministic_across_threads);
  LF_RUN(cache_reuse_and_rebuild);
  LF_RUN(zscore);
  LF_RUN(unlabelled_frames);
  LF_RUN(unreadable_images);
  lf_dataset_free(chest);
  lf_dataset_free(nerve);
  return lf_test_summary();
}
