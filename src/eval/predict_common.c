/* What both predict drivers share: the result rows (predictions JSON or
 * submission CSV), the per-invoke timing, the setup note and --stats JSON. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "eval/predict_internal.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_rle.h"

lf_status lf_predict_timing_add(lf_predict_timing *t, double ms) {
  if (t->n == t->cap) {
    size_t nc = t->cap ? 2 * t->cap : 64;
    double *m = realloc(t->ms, nc * sizeof *m);
    if (!m) return lf_error(LF_ENOMEM, "predict: out of memory");
    t->ms = m, t->cap = nc;
  }
  t->ms[t->n++] = ms;
  return LF_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

void lf_predict_timing_stats(lf_predict_timing *t, const lf_predictor_info *in, size_t n, double seconds,
                             lf_predict_stats *s) {
  s->n = n;
  s->batch = in->batch;
  s->model_bytes = in->model_bytes, s->arena_bytes = in->arena_bytes;
  s->seconds_total = seconds;
  s->ms_min = s->ms_max = s->ms_median = 0;
  if (!t->n) return;
  qsort(t->ms, t->n, sizeof *t->ms, cmp_double);
  s->ms_min = t->ms[0], s->ms_max = t->ms[t->n - 1];
  s->ms_median = t->n % 2 ? t->ms[t->n / 2] : 0.5 * (t->ms[t->n / 2 - 1] + t->ms[t->n / 2]);
}

void lf_predict_timing_free(lf_predict_timing *t) {
  free(t->ms);
  memset(t, 0, sizeof *t);
}

lf_status lf_predict_results_alloc(lf_predict_results *r, const lf_predictor_info *in, size_t n) {
  memset(r, 0, sizeof *r);
  r->task = in->task;
  if (in->task == LF_PREDICT_SEGMENT) return lf_submission_alloc(&r->sub, n);
  lf_status st = lf_predictions_alloc(&r->preds, n, in->n_labels);
  for (int j = 0; !st && j < in->n_labels; j++)
    if (!(r->preds.labels[j] = strdup(in->labels[j]))) st = lf_error(LF_ENOMEM, "predict: out of memory");
  return st;
}

lf_status lf_predict_results_set_raw(lf_predict_results *r, size_t i, const char *key, const float *scores,
                                     const char *rle) {
  char **slot = r->task == LF_PREDICT_SEGMENT ? &r->sub.img[i] : &r->preds.keys[i];
  free(*slot);
  if (!(*slot = strdup(key))) return lf_error(LF_ENOMEM, "predict: out of memory");
  if (r->task == LF_PREDICT_SEGMENT) {
    free(r->sub.pixels[i]);
    if (!(r->sub.pixels[i] = strdup(rle ? rle : ""))) return lf_error(LF_ENOMEM, "predict: out of memory");
    return LF_OK;
  }
  const int k = r->preds.k;
  for (int j = 0; j < k; j++) r->preds.scores[i * (size_t)k + (size_t)j] = scores[j];
  return LF_OK;
}

lf_status lf_predict_results_set(lf_predict_results *r, size_t i, const char *key, const lf_prediction *pr) {
  if (r->task != LF_PREDICT_SEGMENT) return lf_predict_results_set_raw(r, i, key, pr->scores, NULL);
  char *rle = NULL;
  lf_status st = lf_rle_encode(pr->mask, pr->width, pr->height, &rle);
  if (!st) st = lf_predict_results_set_raw(r, i, key, NULL, rle);
  free(rle);
  return st;
}

lf_status lf_predict_results_write(lf_predict_results *r, size_t n, const char *path) {
  if (r->task == LF_PREDICT_SEGMENT) {
    lf_submission s = r->sub;
    s.n = n;
    return lf_submission_write_csv(path, &s);
  }
  lf_predictions p = r->preds;
  p.n = n;
  return lf_predictions_write_json(path, &p);
}

void lf_predict_results_free(lf_predict_results *r) {
  lf_predictions_free(&r->preds);
  lf_submission_free(&r->sub);
}

void lf_predict_log_setup(FILE *log, const char *model_path, const lf_predictor_info *in, const char *what) {
  if (!log) return;
  fprintf(log, "%s: input %s [%d,%d,%d,%d] %s, output %s %s%s; %s\n", model_path, in->input_name, in->batch,
          in->height, in->width, in->channels, in->input_type, in->output_name, in->output_type,
          in->output_is_prob ? " (LOGISTIC)" : " (not LOGISTIC: applying a sigmoid)", what);
  fprintf(log, "normalisation: %s\n", in->norm == LF_NORM_ZSCORE && !strcmp(in->norm_source, "metadata")
                                        ? "(pixel/255 - mean) / std from the model's metadata"
                                    : in->norm == LF_NORM_UNIT     ? "pixel/255"
                                    : in->norm == LF_NORM_IMAGENET ? "ImageNet mean/std"
                                                                   : "as given");
}

lf_status lf_predict_write_stats(const char *path, const char *model_path, const lf_predictor_info *in, int threads,
                                 const lf_predict_stats *s) {
  cJSON *j = cJSON_CreateObject();
  if (!j) return lf_error(LF_ENOMEM, "predict: out of memory");
  cJSON_AddStringToObject(j, "model", model_path);
  cJSON_AddNumberToObject(j, "model_bytes", (double)in->model_bytes);
  cJSON_AddNumberToObject(j, "arena_bytes", (double)in->arena_bytes);
  cJSON_AddStringToObject(j, "input_type", in->input_type);
  cJSON_AddNumberToObject(j, "threads", threads > 1 ? threads : 1);
  cJSON_AddNumberToObject(j, "images", (double)s->n);
  cJSON_AddNumberToObject(j, "batch", in->batch);
  cJSON *m = cJSON_AddObjectToObject(j, "ms_per_image");
  cJSON_AddNumberToObject(m, "median", s->ms_median);
  cJSON_AddNumberToObject(m, "min", s->ms_min);
  cJSON_AddNumberToObject(m, "max", s->ms_max);
  cJSON_AddNumberToObject(j, "seconds_total", s->seconds_total);
  char *txt = cJSON_Print(j);
  cJSON_Delete(j);
  if (!txt) return lf_error(LF_ENOMEM, "predict: out of memory");
  lf_status st = lf_write_file_atomic(path, txt, strlen(txt));
  free(txt);
  return st;
}
