/* `leapfrog predict` on a dataset split: the split's images, preprocessed
 * by training's loader, through the predictor; predictions JSON (chest, keyed
 * by the path relative to the data folder) or submission CSV (nerve, keyed by
 * the Kaggle id). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/predict_images_internal.h"
#include "leapfrog/lf_dist.h"
#include "leapfrog/lf_loader.h"

void lf_predict_opts_default(lf_predict_opts *o) {
  memset(o, 0, sizeof *o);
  o->split = LF_SPLIT_TEST;
  lf_split_opts_default(&o->split_opts);
  o->norm = LF_NORM_UNIT;
  o->threads = 1;
  o->threshold = 0.5;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Key of a chest image in the predictions: its path relative to the data folder. */
static const char *rel_path(const char *root, const char *path) {
  size_t l = strlen(root);
  while (l > 1 && root[l - 1] == '/') l--;
  if (!strncmp(path, root, l) && path[l] == '/') return path + l + 1;
  return path;
}

/* The split's images: ds opened and split, idx[0..*n) its samples (at most limit). */
static lf_status select_split(const lf_predict_opts *o, lf_dataset **ds, size_t **idx, size_t *n) {
  lf_status st;
  if ((st = lf_dataset_open(o->task, o->data_dir, 0, ds))) return st;
  const char *warning = NULL;
  if ((st = lf_dataset_split(*ds, &o->split_opts, &warning))) return st;
  if (warning && o->log) fprintf(o->log, "warning: %s\n", warning);
  if ((st = lf_dataset_check_missing(*ds, o->split, o->split_opts.strict, lf_dist_rank() ? NULL : stderr))) return st;
  *n = lf_dataset_select(*ds, o->split, NULL);
  if (!(*idx = malloc((*n ? *n : 1) * sizeof **idx))) return lf_error(LF_ENOMEM, "predict: out of memory");
  lf_dataset_select(*ds, o->split, *idx);
  if (o->limit && o->limit < *n) *n = o->limit;
  if (*n == 0) return lf_error(LF_ENOTFOUND, "%s: split %s has no images", o->data_dir, lf_split_name(o->split));
  return LF_OK;
}

/* The predictor as the dataset form always used it: the task given, 14
 * outputs without names are the NIH findings, no metadata means /255. */
static lf_status open_predictor(const lf_predict_opts *o, lf_predictor **pr) {
  lf_predictor_opts po;
  lf_predictor_opts_default(&po);
  po.threads = o->threads;
  po.task = o->task == LF_TASK_NERVE ? LF_PREDICT_SEGMENT : LF_PREDICT_CLASSIFY;
  po.norm = o->norm, po.norm_given = o->norm_given;
  po.nih_labels = 1;
  po.threshold = o->threshold;
  po.batch = o->batch;
  return lf_predictor_open(o->model_path, &po, pr);
}

/* Feeds the split's images in order: on a loader thread (decoding runs ahead
 * while the model runs), or inline for nerve --split all, whose unlabelled
 * images the loader would try to pair with masks. */
typedef struct {
  const lf_dataset *ds;
  const size_t *idx;
  lf_loader_opts lo;
  lf_loader *loader;
  lf_batch *batch;
  int in_batch;
  float *x;
} split_feed;

static lf_status feed_open(split_feed *f, const lf_predict_opts *o, const lf_dataset *ds, const size_t *idx,
                           size_t lo, size_t hi, const lf_predictor_info *in) {
  memset(f, 0, sizeof *f);
  f->ds = ds, f->idx = idx;
  lf_loader_opts_default(&f->lo, o->task);
  f->lo.height = in->height, f->lo.width = in->width, f->lo.channels = in->channels;
  f->lo.augment = 0;
  f->lo.norm = in->norm;
  memcpy(f->lo.mean, in->mean, sizeof f->lo.mean);
  memcpy(f->lo.std, in->std, sizeof f->lo.std);
  f->lo.batch_size = 4, f->lo.shuffle = 0, f->lo.threads = 1, f->lo.prefetch = 2;
  f->lo.first = lo, f->lo.count = hi - lo; /* this process's share of the split */
  if (!(f->x = malloc((size_t)in->height * in->width * in->channels * sizeof *f->x)))
    return lf_error(LF_ENOMEM, "predict: out of memory");
  if ((o->task == LF_TASK_NERVE && o->split == LF_SPLIT_ALL) || hi == lo) return LF_OK;
  lf_status st = lf_loader_create(ds, o->split, &f->lo, &f->loader);
  return st ? st : lf_loader_start_epoch(f->loader, 0);
}

/* Image i (the i-th of the split) into the predictor's slot; *s its sample. */
static lf_status feed_next(split_feed *f, size_t i, size_t n, lf_predictor *pr, int slot, const lf_sample **s) {
  lf_status st;
  if (!f->loader) {
    *s = &f->ds->samples[f->idx[i]];
    if ((st = lf_loader_sample(f->ds, *s, &f->lo, f->x, NULL))) return st;
    return lf_predictor_set_input(pr, slot, f->x);
  }
  if (!f->batch || f->in_batch == f->batch->n) {
    if ((st = lf_loader_next(f->loader, &f->batch))) return st;
    if (!f->batch) return lf_error(LF_EINVAL, "predict: the loader ended after %zu of %zu images", i, n);
    f->in_batch = 0;
  }
  *s = f->batch->samples[f->in_batch];
  const size_t per_in = (size_t)f->lo.height * f->lo.width * f->lo.channels;
  return lf_predictor_set_input(pr, slot, f->batch->x + (size_t)f->in_batch++ * per_in);
}

static void feed_close(split_feed *f) {
  lf_loader_free(f->loader);
  free(f->x);
}

/* Row i of the results: chest by relative path, nerve by Kaggle id with the
 * mask at the image's own size (read from its header). */
static lf_status store_result(const lf_predict_opts *o, lf_predictor *pr, int slot, const lf_sample *s, size_t i,
                              lf_predict_results *res) {
  lf_prediction r;
  lf_image_info info = {0};
  lf_status st = LF_OK;
  if (o->task == LF_TASK_NERVE && (st = lf_image_probe(s->path, &info))) return st;
  if ((st = lf_predictor_result(pr, slot, info.width, info.height, &r))) return st;
  st = lf_predict_results_set(res, i, o->task == LF_TASK_NERVE ? s->stem : rel_path(o->data_dir, s->path), &r);
  lf_prediction_free(&r);
  return st;
}

/* Images lo..hi-1 of the split (all n of them for one process) through the
 * model, batch by batch. */
static lf_status run_split(const lf_predict_opts *o, lf_predictor *pr, split_feed *f, size_t lo, size_t hi, size_t n,
                           lf_predict_results *res, lf_predict_timing *tm) {
  const int nbatch = lf_predictor_get_info(pr)->batch;
  const lf_sample **bs = malloc((size_t)nbatch * sizeof *bs);
  lf_status st = bs ? LF_OK : lf_error(LF_ENOMEM, "predict: out of memory");
  for (size_t i0 = lo; !st && i0 < hi; i0 += (size_t)nbatch) {
    int nb = hi - i0 < (size_t)nbatch ? (int)(hi - i0) : nbatch;
    for (int b = 0; !st && b < nb; b++) st = feed_next(f, i0 + (size_t)b, n, pr, b, &bs[b]);
    double ms = 0;
    if (!st && (st = lf_predictor_invoke(pr, nb, &ms))) st = lf_error_prefix(st, "%s: ", bs[0]->name);
    if (!st) st = lf_predict_timing_add(tm, ms);
    for (int b = 0; !st && b < nb; b++) {
      st = store_result(o, pr, b, bs[b], i0 + (size_t)b, res);
      size_t i = i0 + (size_t)b;
      if (o->log && (i + 1 - lo) % 100 == 0) {
        if (lf_dist_size() > 1) fprintf(o->log, "  rank %d of %d:", lf_dist_rank(), lf_dist_size());
        fprintf(o->log, "  %zu/%zu images\n", i + 1 - lo, hi - lo);
      }
    }
  }
  free(bs);
  return st;
}

/* mpirun -np N: rows lo..hi-1 of every rank into rank 0's res (all n rows), and the times. */
static lf_status gather_rows(lf_predict_results *res, const lf_predictor_info *in, size_t lo, size_t hi, size_t n,
                             lf_predict_timing *tm) {
  const int seg = res->task == LF_PREDICT_SEGMENT, k = seg ? 0 : in->n_labels;
  lf_predict_row *mine = calloc(hi - lo + 1, sizeof *mine), *all = NULL;
  /* the scores as the predictor gave them (floats; the results hold them as doubles, exactly) */
  float *sc = malloc(((hi - lo) * (size_t)k + 1) * sizeof *sc);
  if (!mine || !sc) {
    free(mine), free(sc);
    return lf_error(LF_ENOMEM, "predict: out of memory");
  }
  for (size_t i = lo; i < hi; i++) { /* borrowed pointers: the gather only reads them */
    lf_predict_row *r = &mine[i - lo];
    r->file = i;
    r->key = seg ? res->sub.img[i] : res->preds.keys[i];
    if (seg) r->rle = res->sub.pixels[i];
    else r->scores = sc + (i - lo) * (size_t)k;
    for (int j = 0; j < k; j++) r->scores[j] = (float)res->preds.scores[i * (size_t)k + (size_t)j];
  }
  size_t nall = 0;
  lf_status st = lf_predict_rows_gather(mine, hi - lo, k, &all, &nall);
  free(mine), free(sc);
  if (!st) st = lf_predict_timing_gather(tm);
  if (!st && all && nall != n) st = lf_error(LF_EIO, "predict: gathered %zu results for %zu images", nall, n);
  for (size_t i = 0; !st && i < nall; i++) st = lf_predict_results_set_raw(res, i, all[i].key, all[i].scores, all[i].rle);
  for (size_t i = 0; i < nall; i++) lf_predict_row_free(&all[i]);
  free(all);
  return st;
}

lf_status lf_predict_run(const lf_predict_opts *o, lf_predict_stats *stats) {
  lf_predict_stats s = {0};
  if (stats) *stats = s;
  if (!o || !o->model_path || !o->data_dir || !o->out_path)
    return lf_error(LF_EINVAL, "predict: model, data folder and output needed");
  const double t_start = now_s();
  lf_predictor *pr = NULL;
  lf_dataset *ds = NULL;
  size_t *idx = NULL, n = 0;
  lf_predict_results res = {0};
  lf_predict_timing tm = {0};
  split_feed feed = {0};
  lf_status st;
  if ((st = open_predictor(o, &pr)) || (st = select_split(o, &ds, &idx, &n))) goto done;
  const lf_predictor_info *in = lf_predictor_get_info(pr);
  if ((st = lf_predict_results_alloc(&res, in, n))) goto done;
  char what[96];
  snprintf(what, sizeof what, "%zu images of split %s", n, lf_split_name(o->split));
  lf_predict_log_setup(o->log, o->model_path, in, what);
  size_t lo, hi;
  lf_predict_shard(n, &lo, &hi);
  if ((st = feed_open(&feed, o, ds, idx, lo, hi, in)) || (st = run_split(o, pr, &feed, lo, hi, n, &res, &tm)) ||
      (lf_dist_size() > 1 && (st = gather_rows(&res, in, lo, hi, n, &tm))))
    goto done;
  if (lf_dist_rank()) goto done; /* rank 0 writes */
  if ((st = lf_predict_results_write(&res, n, o->out_path))) goto done;
  lf_predict_timing_stats(&tm, in, n, now_s() - t_start, &s);
  if (o->stats_path && (st = lf_predict_write_stats(o->stats_path, o->model_path, in, o->threads, &s))) goto done;
  if (stats) *stats = s;
done:
  feed_close(&feed);
  lf_predict_timing_free(&tm);
  lf_predict_results_free(&res);
  free(idx);
  lf_dataset_free(ds);
  lf_predictor_free(pr);
  return st;
}
