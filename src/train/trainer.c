/* The training loop (lf_trainer.h). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leapfrog/lf_dist.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_loader.h"
#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_metrics.h"
#include "train/train_internal.h"

void lf_train_opts_default(lf_train_opts *o, lf_task task) {
  memset(o, 0, sizeof *o);
  o->task = task;
  o->epochs = 10;
  o->batch = 16;
  o->lr = 1e-3f;
  o->optim = LF_OPT_ADAM;
  o->momentum = 0.9f;
  o->schedule = LF_SCHED_PLATEAU;
  o->plateau_factor = 0.1f;
  o->plateau_patience = 1;
  o->loss = task == LF_TASK_NERVE ? LF_LOSS_DICE : LF_LOSS_BCE;
  o->threads = 2;
  o->seed = 1;
  o->val_every = 1;
  o->progress = 1;
}

lf_status lf_schedule_parse(const char *s, lf_schedule *out) {
  if (!strcmp(s, "none")) *out = LF_SCHED_NONE;
  else if (!strcmp(s, "plateau")) *out = LF_SCHED_PLATEAU;
  else if (!strcmp(s, "cosine")) *out = LF_SCHED_COSINE;
  else return lf_error(LF_EINVAL, "unknown schedule '%s' (none, plateau, cosine)", s);
  return LF_OK;
}

lf_status lf_loss_parse(const char *s, lf_loss_kind *out) {
  if (!strcmp(s, "bce")) *out = LF_LOSS_BCE;
  else if (!strcmp(s, "dice")) *out = LF_LOSS_DICE;
  else if (!strcmp(s, "bce+dice") || !strcmp(s, "bce_dice")) *out = LF_LOSS_BCE_DICE;
  else return lf_error(LF_EINVAL, "unknown loss '%s' (bce, dice, bce+dice)", s);
  return LF_OK;
}

lf_status lf_optim_parse(const char *s, lf_optim_kind *out) {
  if (!strcmp(s, "sgd")) *out = LF_OPT_SGD;
  else if (!strcmp(s, "adam")) *out = LF_OPT_ADAM;
  else if (!strcmp(s, "adamw")) *out = LF_OPT_ADAMW;
  else return lf_error(LF_EINVAL, "unknown optimiser '%s' (sgd, adam, adamw)", s);
  return LF_OK;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Everything one run holds. */
typedef struct {
  const lf_train_opts *o;
  lf_model *m;
  lf_dataset *ds;
  lf_loader *train, *val;
  lf_optim *opt;
  lf_train_state s;
  lf_train_log log;
  char *last_path, *best_path, *log_path;
  lf_tensor grad;
  lf_grad_sync *gsync; /* several processes: the gradient all-reduce */
  size_t n_bad_told; /* unreadable training images already named in a warning */
  int val_bad_told;  /* unreadable validation images counted (after the first validation) */
  int val_shared;    /* several processes: c->val is this rank's share of the split (val_none: an empty one) */
  int val_none;
} run_ctx;

static char *path_in(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s", dir, name);
  return p;
}

static lf_status dist_sum(void *ctx, double *v, size_t n) {
  (void)ctx;
  return lf_dist_allreduce(v, n, LF_DIST_F64, LF_DIST_SUM);
}

/* Loss of the current forward and its gradient seed; *seed_node gets the node
 * the gradient belongs to. target: same numel as the model output. share:
 * this process's images / the global batch's (training on several
 * processes, lf_dist.h; 0 = this batch alone, as validation): the gradient
 * is the global batch's mean loss's w.r.t. this slice, and a Dice over the
 * batch takes its sums over every process (lf_loss.h). */
static lf_status compute_loss(run_ctx *c, const lf_tensor *target, double share, float *loss, lf_tensor *grad,
                              int *seed_node) {
  lf_model *m = c->m;
  const lf_tensor *logits = lf_graph_output(m->g, m->logits);
  lf_loss_sum_fn sum = share > 0 && lf_dist_size() > 1 ? dist_sum : NULL;
  if (!(share > 0)) share = 1;
  switch (c->o->loss) {
    case LF_LOSS_DICE:
      *seed_node = m->probs;
      return lf_dice_loss_dist(lf_graph_output(m->g, m->probs), target, 1.0f, 0, share, sum, NULL, loss, grad);
    case LF_LOSS_BCE_DICE:
      *seed_node = m->logits;
      return lf_bce_dice_with_logits_dist(logits, target, 1.0f, 1.0f, 1.0f, 0, share, sum, NULL, loss, grad);
    default: {
      *seed_node = m->logits;
      lf_status st = lf_bce_with_logits(logits, target, NULL, loss, grad);
      if (!st && share != 1.0)
        for (size_t i = 0; i < grad->numel; i++) grad->data[i] *= (float)share;
      return st;
    }
  }
}

/* Views the batch as model input and target tensors. */
static lf_status batch_views(run_ctx *c, const lf_batch *b, lf_tensor *x, lf_tensor *y) {
  const lf_model_config *mc = &c->m->cfg;
  int xs[4] = {b->n, mc->in_h, mc->in_w, mc->in_c};
  lf_tensor_view(x, b->x, 4, xs);
  const lf_node *out = lf_graph_node(c->m->g, c->m->logits);
  int ys[4] = {b->n, out->h, out->w, out->c};
  size_t want = (size_t)out->h * out->w * out->c;
  size_t have = c->ds->task == LF_TASK_NERVE ? (size_t)mc->in_h * mc->in_w : (size_t)c->ds->num_labels;
  if (want != have)
    return lf_error(LF_EINVAL, "train: model output %dx%dx%d does not match the %s targets (%zu values per image)",
                    out->h, out->w, out->c, lf_task_name(c->ds->task), have);
  lf_tensor_view(y, b->y, 4, ys);
  return lf_graph_set_input(c->m->g, c->m->input, x);
}

/* Validation over c->val: mean AUC (chest) or mean Dice at 0.5 (nerve). */
static lf_status validate(run_ctx *c, double *metric, double *vloss, double *aucs) {
  lf_model *m = c->m;
  int k = c->ds->num_labels;
  size_t cap = lf_loader_num_samples(c->val), n = 0;
  double *scores = NULL, dice_sum = 0, loss_sum = 0;
  uint8_t *labels = NULL;
  int nb = 0;
  lf_status st = LF_OK;
  if (c->ds->task == LF_TASK_CHESTXRAY14) {
    scores = malloc((cap ? cap : 1) * k * sizeof *scores);
    labels = malloc((cap ? cap : 1) * k);
    if (!scores || !labels) st = lf_error(LF_ENOMEM, "validation: out of memory");
  }
  if (!st && !c->val_none) st = lf_loader_start_epoch(c->val, 0);
  while (!st && !c->val_none) {
    lf_batch *b;
    if ((st = lf_loader_next(c->val, &b)) || !b) break;
    if (c->o->max_val_batches && nb >= c->o->max_val_batches) break;
    lf_tensor x, y;
    if ((st = batch_views(c, b, &x, &y)) || (st = lf_graph_forward(m->g, 0))) break;
    float l = 0;
    int seed;
    if ((st = compute_loss(c, &y, 0, &l, NULL, &seed))) break;
    loss_sum += l * b->n;
    const lf_tensor *p = lf_graph_output(m->g, m->probs);
    if (c->ds->task == LF_TASK_CHESTXRAY14) {
      for (int i = 0; i < b->n && n < cap; i++, n++)
        for (int j = 0; j < k; j++) {
          scores[j * cap + n] = p->data[(size_t)i * k + j];
          labels[j * cap + n] = b->y[(size_t)i * k + j] >= 0.5f;
        }
    } else {
      size_t hw = (size_t)m->cfg.in_h * m->cfg.in_w;
      uint8_t *t = malloc(hw), *q = malloc(hw);
      if (!t || !q) st = lf_error(LF_ENOMEM, "validation: out of memory");
      for (int i = 0; !st && i < b->n; i++, n++) {
        for (size_t j = 0; j < hw; j++) {
          t[j] = b->y[i * hw + j] >= 0.5f;
          q[j] = p->data[i * hw + j] >= 0.5f;
        }
        dice_sum += lf_dice(t, q, hw);
      }
      free(t);
      free(q);
    }
    nb++;
  }
  if (!st && !c->val_bad_told) { /* the first pass finds them all; later ones only repeat the list */
    const lf_sample **bad;
    size_t nbad = lf_loader_unreadable(c->val, &bad);
    c->val_bad_told = 1;
    if (nbad > (size_t)c->o->max_bad)
      st = lf_error(LF_EBADFILE, "validation: %zu image%s unreadable, more than --max-bad %d allows (first: %s)", nbad,
                    nbad == 1 ? " is" : "s are", c->o->max_bad, bad[0]->path ? bad[0]->path : bad[0]->name);
    for (size_t i = 0; !st && i < nbad; i++)
      fprintf(stderr, "warning: unreadable validation image skipped (%zu of at most --max-bad %d): %s\n", i + 1,
              c->o->max_bad, bad[i]->path ? bad[i]->path : bad[i]->name);
  }
  /* several processes: every rank's share onto every rank, so all take the same decisions */
  if (!st && c->val_shared) st = lf_train_dist_val_gather(&n, &loss_sum, &dice_sum, scores ? k : 0, &scores, &labels, &cap);
  if (!st) {
    *vloss = n ? loss_sum / (double)n : NAN;
    if (c->ds->task == LF_TASK_CHESTXRAY14) {
      for (int j = 0; j < k && !st; j++) {
        /* compact column j (scores were laid out with stride cap) */
        st = lf_auc(scores + (size_t)j * cap, labels + (size_t)j * cap, n, &aucs[j]);
      }
      size_t used;
      *metric = st ? NAN : lf_auc_macro_mean(aucs, (size_t)k, &used);
    } else {
      *metric = n ? dice_sum / (double)n : NAN;
    }
  }
  free(scores);
  free(labels);
  return st;
}

static void progress(run_ctx *c, int epoch, int b, int nb, double loss, double ips, double eta, int final) {
  if (!c->o->progress || lf_dist_rank()) return; /* several processes: rank 0 speaks */
  int tty = isatty(2);
  if (!tty && !final) return;
  char bar[21];
  int fill = nb ? (int)(20.0 * b / nb) : 20;
  for (int i = 0; i < 20; i++) bar[i] = i < fill ? '#' : '.';
  bar[20] = 0;
  fprintf(stderr, "%sepoch %d/%d [%s] %d/%d loss %.4f %.1f img/s ETA %dm%02ds%s", tty ? "\r" : "", epoch + 1,
          c->o->epochs, bar, b, nb, loss, ips, (int)eta / 60, (int)eta % 60, final ? "\n" : "");
  fflush(stderr);
}

/* Several processes hold the same state: rank 0 alone writes it. */
static lf_status save_ckpt(run_ctx *c, const char *path) {
  if (lf_dist_rank()) return LF_OK;
  c->s.rng = *lf_graph_rng(c->m->g);
  c->s.lr = lf_optim_lr(c->opt);
  c->s.step = lf_optim_steps(c->opt);
  char *js = lf_train_state_to_json(&c->s);
  if (!js) return lf_error(LF_ENOMEM, "train: out of memory");
  lf_status st = lf_ckpt_save(path, c->m, c->opt, js, c->o->save_hook, c->o->hook_ctx);
  free(js);
  return st;
}

/* Unreadable training images (found in the first epoch run): more than o->max_bad
 * fails, naming them; up to it, each is named once in a warning and skipped. */
static lf_status check_unreadable(run_ctx *c) {
  const lf_sample **bad;
  size_t n = lf_loader_unreadable(c->train, &bad);
  if (n > (size_t)c->o->max_bad) {
    char list[700] = "";
    for (size_t k = 0; k < n && k < 5; k++) {
      size_t l = strlen(list);
      snprintf(list + l, sizeof list - l, "%s%s", k ? ", " : "", bad[k]->path ? bad[k]->path : bad[k]->name);
    }
    return lf_error(LF_EBADFILE,
                    "train: %zu training image%s unreadable, more than --max-bad %d allows: %s%s (list them: "
                    "leapfrog dataset --task %s --data %s --decode)",
                    n, n == 1 ? " is" : "s are", c->o->max_bad, list, n > 5 ? ", ..." : "", lf_task_name(c->o->task),
                    c->o->data_dir);
  }
  for (; c->n_bad_told < n; c->n_bad_told++)
    fprintf(stderr, "warning: unreadable training image skipped (%zu of at most --max-bad %d): %s\n",
            c->n_bad_told + 1, c->o->max_bad,
            bad[c->n_bad_told]->path ? bad[c->n_bad_told]->path : bad[c->n_bad_told]->name);
  return LF_OK;
}

/* A batch that unreadable images left with fewer than 2 images cannot go
 * through batch norm in training: say that images are unreadable (how many,
 * the first one) rather than what batch norm then complains about. */
static lf_status unreadable_batch(run_ctx *c, const lf_batch *bt) {
  const lf_sample **bad;
  size_t nbad = lf_loader_unreadable(c->train, &bad);
  if (!nbad) return LF_OK;
  return lf_error(LF_EBADFILE,
                  "train: %zu training image%s read so far %s unreadable (first: %s); a batch has %d readable "
                  "image%s left, and training needs at least 2 (list them: leapfrog dataset --task %s --data %s "
                  "--decode)",
                  nbad, nbad == 1 ? "" : "s", nbad == 1 ? "is" : "are", bad[0]->path ? bad[0]->path : bad[0]->name, bt->n,
                  bt->n == 1 ? "" : "s", lf_task_name(c->ds->task), c->o->data_dir);
}

lf_status lf_train_check_out(const lf_train_opts *o) {
  if (!o->out_dir || o->resume || o->overwrite) return LF_OK;
  static const char *const run_files[] = {"last.safetensors", "best.safetensors", "train_log.jsonl"};
  for (size_t i = 0; i < sizeof run_files / sizeof *run_files; i++) {
    char *p = path_in(o->out_dir, run_files[i]);
    if (!p) return lf_error(LF_ENOMEM, "train: out of memory");
    struct stat st;
    lf_status s = lstat(p, &st) == 0 ? lf_error(LF_EINVAL,
                                                 "--out %s already holds a run (%s): give --resume to continue it "
                                                 "or --overwrite to replace it",
                                                 o->out_dir, p)
                                      : LF_OK;
    free(p);
    if (s) return s;
  }
  return LF_OK;
}

static lf_status resume(run_ctx *c) {
  lf_st_file f;
  lf_status st = lf_st_open(&f, c->last_path);
  if (st) return lf_error_prefix(st, "--resume: ");
  if ((st = lf_ckpt_check_meta(&f))) {
    lf_st_close(&f);
    return st;
  }
  lf_model_config mc;
  if (!lf_ckpt_read_config(&f, &mc) && memcmp(&mc, &c->m->cfg, sizeof mc)) {
    char *a = lf_model_config_to_json(&mc);
    st = lf_error(LF_EINVAL, "--resume: %s was trained with config %s; give the same model options", c->last_path,
                  a ? a : "?");
    free(a);
  }
  const char *js = lf_st_meta(&f, "leapfrog.train");
  if (!st && !js) st = lf_error(LF_EBADFILE, "--resume: %s has no trainer state", c->last_path);
  if (!st) st = lf_ckpt_load_model(&f, c->m);
  if (!st) st = lf_ckpt_load_optim(&f, c->opt);
  if (!st) st = lf_train_state_from_json(js, &c->s);
  if (!st) { /* a mid-epoch position past this epoch's end would spin through the loader and train nothing */
    size_t nb = lf_loader_num_batches(c->train);
    if (c->o->max_train_batches && nb > (size_t)c->o->max_train_batches) nb = (size_t)c->o->max_train_batches;
    if ((size_t)c->s.batch > nb)
      st = lf_error(LF_EBADFILE, "--resume: %s: leapfrog.train is at batch %d of an epoch of %zu batches (corrupt "
                    "state, or the data or --batch changed)", c->last_path, c->s.batch, nb);
  }
  if (!st && c->s.seed != c->o->seed)
    st = lf_error(LF_EINVAL, "--resume: the run used --seed %llu, not %llu", (unsigned long long)c->s.seed,
                  (unsigned long long)c->o->seed);
  if (!st) {
    *lf_graph_rng(c->m->g) = c->s.rng;
    lf_optim_set_lr(c->opt, c->s.lr);
  }
  lf_st_close(&f);
  return st;
}

static lf_status open_data(run_ctx *c) {
  const lf_train_opts *o = c->o;
  lf_status st = lf_dataset_open(o->task, o->data_dir, 0, &c->ds);
  if (st) return st;
  lf_split_opts so;
  lf_split_opts_default(&so);
  if (o->split && (st = lf_split_opts_parse(o->split, &so))) return st;
  const char *warn = NULL;
  if ((st = lf_dataset_split(c->ds, &so, &warn))) return st;
  if (warn && o->progress) fprintf(stderr, "warning: %s\n", warn);
  lf_loader_opts lo;
  lf_loader_opts_default(&lo, o->task);
  lo.height = c->m->cfg.in_h;
  lo.width = c->m->cfg.in_w;
  lo.channels = c->m->cfg.in_c;
  lo.batch_size = o->batch;
  lo.seed = o->seed;
  lo.threads = o->threads > 0 ? o->threads : 2;
  lo.shuffle = 1;
  lo.augment = o->augment;
  lo.skip_unreadable = 1;
  char *cache = NULL;
  if (o->cache_dir) {
    lf_mkdirs(o->cache_dir);
    cache = path_in(o->cache_dir, "train.cache");
    lo.cache_path = cache;
  }
  size_t ntrain = lf_dataset_select(c->ds, LF_SPLIT_TRAIN, NULL);
  lo.drop_last = ntrain >= (size_t)2 * o->batch; /* no batch of 1 through batch norm */
  if (o->bn_shards > 1) { /* ghost batch norm: every batch cut as N processes' loaders cut it */
    if (lf_dist_size() > 1 || o->sync_bn)
      return lf_error(LF_EINVAL, "train: --bn-shards is one process's stand-in for several; not with mpirun or --sync-bn");
    if (o->batch % o->bn_shards)
      return lf_error(LF_EINVAL, "train: --batch %d is not a multiple of --bn-shards %d", o->batch, o->bn_shards);
    lo.drop_last = 1;
  }
  if (lf_dist_size() > 1) { /* data parallel: this process's slice of every global batch */
    lo.shards = lf_dist_size();
    lo.shard = lf_dist_rank();
    if (o->batch % lo.shards)
      return lf_error(LF_EINVAL, "train: --batch %d (the global batch) is not a multiple of the %d processes", o->batch,
                      lo.shards);
    if (ntrain < (size_t)o->batch)
      return lf_error(LF_EINVAL, "train: %zu training images are fewer than one global batch of %d", ntrain, o->batch);
  }
  st = lf_loader_create(c->ds, LF_SPLIT_TRAIN, &lo, &c->train);
  free(cache);
  if (st) return st;
  if (!lf_loader_num_batches(c->train))
    return lf_error(LF_EINVAL, "train: %s has no training images", o->data_dir);
  lo.shuffle = 0;
  lo.augment = 0;
  lo.drop_last = 0;
  lo.shards = lo.shard = 0; /* validation is not cut per global batch (a rank validated 1/N of it) */
  cache = NULL;
  if (o->cache_dir) {
    cache = path_in(o->cache_dir, "val.cache");
    lo.cache_path = cache;
  }
  if (o->val_every > 0 && lf_dist_size() > 1) { /* each rank validates a contiguous share */
    size_t nval = lf_dataset_select(c->ds, LF_SPLIT_VAL, NULL), a, b;
    if (o->max_val_batches && nval > (size_t)o->max_val_batches * (size_t)o->batch)
      nval = (size_t)o->max_val_batches * (size_t)o->batch;
    lf_train_dist_share(nval, &a, &b);
    c->val_shared = 1;
    c->val_none = a == b; /* fewer images than ranks: this one has none (the loader is never started) */
    if (!c->val_none) lo.first = a, lo.count = b - a;
  }
  if (o->val_every > 0) st = lf_loader_create(c->ds, LF_SPLIT_VAL, &lo, &c->val);
  free(cache);
  return st;
}

static void run_free(run_ctx *c) {
  lf_loader_free(c->train);
  lf_loader_free(c->val);
  lf_dataset_free(c->ds);
  lf_optim_free(c->opt);
  lf_train_log_free(&c->log);
  lf_tensor_free(&c->grad);
  lf_grad_sync_free(c->gsync);
  free(c->last_path);
  free(c->best_path);
  free(c->log_path);
}

static lf_status epoch_log(run_ctx *c, int epoch, double tloss, double vloss, double metric, const double *aucs,
                           double ips, double secs) {
  if (lf_dist_rank()) return LF_OK; /* rank 0 writes the log */
  cJSON *j = cJSON_CreateObject();
  if (!j) return lf_error(LF_ENOMEM, "train: out of memory");
  cJSON_AddNumberToObject(j, "epoch", epoch);
  cJSON_AddNumberToObject(j, "step", (double)lf_optim_steps(c->opt));
  cJSON_AddNumberToObject(j, "lr", lf_optim_lr(c->opt));
  cJSON_AddNumberToObject(j, "train_loss", tloss);
  if (isfinite(vloss)) cJSON_AddNumberToObject(j, "val_loss", vloss);
  const char *mname = c->o->task == LF_TASK_NERVE ? "val_dice" : "val_mean_auc";
  if (isfinite(metric)) cJSON_AddNumberToObject(j, mname, metric);
  if (aucs && isfinite(metric)) {
    cJSON *a = cJSON_AddObjectToObject(j, "val_auc");
    for (int k = 0; a && k < c->ds->num_labels; k++)
      if (isfinite(aucs[k])) cJSON_AddNumberToObject(a, c->ds->label_names[k], aucs[k]);
  }
  cJSON_AddNumberToObject(j, "images_per_s", ips);
  cJSON_AddNumberToObject(j, "seconds", secs);
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  if (!s) return lf_error(LF_ENOMEM, "train: out of memory");
  lf_status st = lf_train_log_add(&c->log, s);
  free(s);
  return st;
}

lf_status lf_train_run(lf_model *m, const lf_train_opts *o, lf_train_result *r) {
  run_ctx c;
  memset(&c, 0, sizeof c);
  memset(r, 0, sizeof *r);
  r->last_metric = r->best_metric = NAN;
  c.o = o;
  c.m = m;
  if (!o->out_dir || !o->data_dir) return lf_error(LF_EINVAL, "train: data and output folders are required");
  if (o->epochs < 1 || o->batch < 1 || !(o->lr > 0)) return lf_error(LF_EINVAL, "train: epochs, batch and lr must be > 0");
  lf_status st = lf_train_check_out(o);
  if (!st) st = lf_mkdirs(o->out_dir);
  if (st) return st;
  c.last_path = path_in(o->out_dir, "last.safetensors");
  c.best_path = path_in(o->out_dir, "best.safetensors");
  c.log_path = path_in(o->out_dir, "train_log.jsonl");
  if (!c.last_path || !c.best_path || !c.log_path) {
    run_free(&c);
    return lf_error(LF_ENOMEM, "train: out of memory");
  }
  lf_set_threads(o->threads);
  lf_optim_config oc = lf_optim_defaults(o->optim, o->lr);
  if (o->optim == LF_OPT_SGD) oc.momentum = o->momentum;
  if (o->weight_decay > 0 || o->optim != LF_OPT_ADAMW) oc.weight_decay = o->weight_decay;
  if ((st = lf_optim_create(&c.opt, &oc, m->g)) || (st = open_data(&c))) {
    run_free(&c);
    return st;
  }
  lf_train_dist_attach(m->g, o->sync_bn);
  if ((st = lf_grad_sync_create(m->g, &c.gsync))) {
    run_free(&c);
    return st;
  }
  lf_graph_set_bn_shards(m->g, o->bn_shards);
  /* dropout masks by global image index: every rank draws its part of one process's masks */
  lf_graph_set_batch_offset(m->g, (size_t)lf_dist_rank() * (size_t)(o->batch / lf_dist_size()));
  double comm0 = lf_dist_comm_seconds(), steps_s = 0;
  /* fresh state */
  c.s.seed = o->seed;
  c.s.best = NAN;
  c.s.best_epoch = -1;
  c.s.base_lr = c.s.lr = o->lr;
  lf_plateau_init(&c.s.plateau, 1);
  c.s.plateau.factor = o->plateau_factor;
  c.s.plateau.patience = o->plateau_patience;
  c.s.plateau.min_lr = o->min_lr;
  lf_early_stop_init(&c.s.early, 1, o->early_stop, 0);
  /* the graph RNG drives dropout; seed it from the run seed so it is the run's */
  lf_rng_seed(lf_graph_rng(m->g), o->seed ^ 0x6c6561706672ull);
  lf_train_log_init(&c.log, c.log_path);
  if (o->resume && (st = resume(&c))) {
    run_free(&c);
    return st;
  }
  if ((st = lf_train_log_load(&c.log, o->resume ? c.s.epoch : -1))) {
    run_free(&c);
    return st;
  }
  /* keep the scheduler's settings from the options even on resume */
  c.s.plateau.factor = o->plateau_factor;
  c.s.plateau.patience = o->plateau_patience;
  c.s.plateau.min_lr = o->min_lr;
  c.s.early.patience = o->early_stop;

  int nb = (int)lf_loader_num_batches(c.train);
  if (o->max_train_batches && nb > o->max_train_batches) nb = o->max_train_batches;
  int total_steps = nb * o->epochs;
  double *aucs = calloc(LF_NIH_NUM_LABELS, sizeof *aucs);
  if (!aucs) st = lf_error(LF_ENOMEM, "train: out of memory");
  int stop = 0;
  for (int epoch = c.s.epoch; !st && !stop && epoch < o->epochs; epoch++) {
    double t0 = now_s(), tcomp = 0;
    int images = 0;
    if ((st = lf_loader_start_epoch(c.train, epoch))) break;
    /* a mid-epoch checkpoint: skip the batches already trained on */
    for (int b = 0; b < c.s.batch && !st; b++) {
      lf_batch *bt;
      st = lf_loader_next(c.train, &bt);
    }
    for (int b = c.s.batch; !st && b < nb; b++) {
      if (o->max_steps && lf_optim_steps(c.opt) >= o->max_steps) {
        st = save_ckpt(&c, c.last_path);
        r->stopped_max_steps = 1;
        stop = 2;
        break;
      }
      lf_batch *bt;
      if ((st = lf_loader_next(c.train, &bt))) break;
      if (!bt) break;
      if ((st = check_unreadable(&c))) break;
      if (bt->n < 2 && (st = unreadable_batch(&c, bt))) break;
      double t1 = now_s();
      lf_tensor x, y;
      if ((st = batch_views(&c, bt, &x, &y))) break;
      if (o->before_step && (st = o->before_step(o->hook_ctx, m, lf_optim_steps(c.opt)))) break;
      if (o->schedule == LF_SCHED_COSINE)
        lf_optim_set_lr(c.opt, lf_cosine_lr(c.s.base_lr, o->min_lr, o->warmup_steps, (int)lf_optim_steps(c.opt),
                                            total_steps));
      if ((st = lf_graph_forward(m->g, 1))) break;
      float loss = 0;
      int seed_node, global_n = bt->n;
      double share = 1;
      if (lf_dist_size() > 1) { /* the global batch's size; this slice's share of the gradient */
        double tn = bt->n;
        if ((st = lf_dist_allreduce(&tn, 1, LF_DIST_F64, LF_DIST_SUM))) break;
        share = bt->n / tn;
        global_n = (int)tn;
      }
      if ((st = compute_loss(&c, &y, share, &loss, &c.grad, &seed_node))) break;
      if (lf_dist_size() > 1) { /* the global batch's mean loss (a batch Dice is already the global one) */
        double tl = (double)loss * bt->n;
        if ((st = lf_dist_allreduce(&tl, 1, LF_DIST_F64, LF_DIST_SUM))) break;
        loss = (float)(tl / global_n);
      }
      if (!isfinite(loss)) {
        st = lf_error(LF_EINVAL, "train: loss is %g at step %lld (lower --lr?)", loss,
                      (long long)lf_optim_steps(c.opt));
        break;
      }
      lf_graph_zero_grad(m->g);
      if ((st = lf_grad_sync_backward(c.gsync, m->g, seed_node, &c.grad))) break;
      if ((st = lf_train_dist_sync(m->g, o->sync_bn))) break;
      if (o->clip_norm > 0) {
        float norm;
        if ((st = lf_clip_grad_norm(m->g, o->clip_norm, &norm))) break;
      }
      if ((st = lf_optim_step(c.opt))) break;
      tcomp += now_s() - t1;
      steps_s += now_s() - t1;
      images += global_n; /* images/s of the whole job */
      c.s.loss_sum += loss;
      c.s.loss_n++;
      c.s.batch = b + 1;
      double ips = tcomp > 0 ? images / tcomp : 0;
      double per_batch = (now_s() - t0) / (b + 1 - 0.0);
      progress(&c, epoch, b + 1, nb, c.s.loss_sum / c.s.loss_n, ips, per_batch * (nb - b - 1), 0);
      if (o->save_every_steps && lf_optim_steps(c.opt) % o->save_every_steps == 0 && b + 1 < nb &&
          (st = save_ckpt(&c, c.last_path)))
        break;
    }
    if (st || stop) break;
    double tloss = c.s.loss_n ? c.s.loss_sum / c.s.loss_n : NAN;
    double ips = tcomp > 0 ? images / tcomp : 0;
    progress(&c, epoch, nb, nb, tloss, ips, 0, 1);
    double metric = NAN, vloss = NAN;
    int validated = o->val_every > 0 && c.val && ((epoch + 1) % o->val_every == 0 || epoch + 1 == o->epochs);
    if (validated) {
      if ((st = validate(&c, &metric, &vloss, aucs))) break;
      if (o->progress && !lf_dist_rank())
        fprintf(stderr, "epoch %d: val %s %.4f, val loss %.4f\n", epoch + 1,
                o->task == LF_TASK_NERVE ? "dice" : "mean AUC", metric, vloss);
    }
    c.s.epoch = epoch + 1;
    c.s.batch = 0;
    c.s.loss_sum = 0;
    c.s.loss_n = 0;
    int is_best = 0;
    if (validated && isfinite(metric)) {
      if (o->schedule == LF_SCHED_PLATEAU) lf_optim_set_lr(c.opt, lf_plateau_step(&c.s.plateau, metric, lf_optim_lr(c.opt)));
      is_best = lf_early_stop_update(&c.s.early, metric, epoch + 1);
      if (is_best) {
        c.s.best = metric;
        c.s.best_epoch = epoch + 1;
      }
      if (o->early_stop > 0 && lf_early_stop_should_stop(&c.s.early)) stop = 1;
    }
    if ((st = epoch_log(&c, epoch + 1, tloss, vloss, metric, o->task == LF_TASK_CHESTXRAY14 ? aucs : NULL, ips,
                        now_s() - t0)))
      break;
    if ((st = save_ckpt(&c, c.last_path))) break;
    if (is_best && (st = save_ckpt(&c, c.best_path))) break;
    r->last_train_loss = tloss;
    r->last_metric = metric;
    r->images_per_s = ips;
    if (stop == 1) {
      r->stopped_early = 1;
      if (o->progress) fprintf(stderr, "early stopping: no improvement for %d validations\n", o->early_stop);
    }
  }
  free(aucs);
  r->step_seconds = steps_s;
  r->comm_seconds = lf_dist_comm_seconds() - comm0;
  lf_grad_sync_stats gs = lf_grad_sync_get_stats(c.gsync);
  r->grad_bytes = gs.bytes;
  r->grad_overlapped_bytes = gs.overlapped_bytes;
  r->grad_buckets = gs.buckets;
  r->grad_exposed_seconds = gs.exposed_s;
  for (int i = 0; i < LF_TRAIN_BUCKETS_REPORTED; i++) r->grad_start_frac[i] = gs.steps ? gs.start_frac[i] / gs.steps : 0;
  r->epochs_done = c.s.epoch;
  r->steps = lf_optim_steps(c.opt);
  r->best_metric = c.s.best;
  r->best_epoch = c.s.best_epoch;
  run_free(&c);
  return st;
}

lf_status lf_train_evaluate(lf_model *m, const lf_train_opts *o, lf_split split, double *metric, double *loss) {
  run_ctx c;
  memset(&c, 0, sizeof c);
  c.o = o;
  c.m = m;
  lf_status st = lf_dataset_open(o->task, o->data_dir, 0, &c.ds);
  lf_split_opts so;
  lf_split_opts_default(&so);
  if (!st && o->split) st = lf_split_opts_parse(o->split, &so);
  if (!st) st = lf_dataset_split(c.ds, &so, NULL);
  lf_loader_opts lo;
  lf_loader_opts_default(&lo, o->task);
  lo.height = m->cfg.in_h;
  lo.width = m->cfg.in_w;
  lo.channels = m->cfg.in_c;
  lo.batch_size = o->batch;
  lo.threads = o->threads > 0 ? o->threads : 2;
  if (!st) st = lf_loader_create(c.ds, split, &lo, &c.val);
  double aucs[LF_NIH_NUM_LABELS];
  if (!st) st = validate(&c, metric, loss, aucs);
  run_free(&c);
  return st;
}
