/* `leapfrog predict`: preprocess like training, run the int8/fp32 model in
 * libleapfrog-rt, save predictions JSON (chest) or a submission CSV (nerve). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/predict_internal.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_loader.h"
#include "leapfrog/lf_metrics.h"
#include "leapfrog/lf_predictions.h"
#include "leapfrog/lf_rle.h"
#include "lfrt_interp.h"

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

/* Is tensor t produced by LOGISTIC (through DEQUANTIZE / QUANTIZE / RESHAPE)? */
static int from_logistic(const lfrt_model *m, int t) {
  for (int hops = 0; hops < 8; hops++) {
    const lfrt_operator *p = NULL;
    for (int i = 0; i < m->nops && !p; i++)
      for (int k = 0; k < m->ops[i].noutputs; k++)
        if (m->ops[i].outputs[k] == t) p = &m->ops[i];
    if (!p) return 0;
    if (p->op == LFRT_OP_LOGISTIC) return 1;
    if ((p->op != LFRT_OP_DEQUANTIZE && p->op != LFRT_OP_QUANTIZE && p->op != LFRT_OP_RESHAPE) || p->ninputs < 1)
      return 0;
    t = p->inputs[0];
  }
  return 0;
}

lf_status lf_predict_quantize_input(const lfrt_tensor *t, const float *x, void *dst) {
  size_t n = (size_t)t->count;
  if (t->type == LFRT_FLOAT32) {
    memcpy(dst, x, n * sizeof(float));
    return LF_OK;
  }
  if (t->type != LFRT_INT8 && t->type != LFRT_UINT8)
    return lf_error(LF_EUNSUPPORTED, "model input \"%s\" is %s (want int8, uint8 or float32)", t->name,
                    lfrt_type_name(t->type));
  if (t->quant.count != 1) return lf_error(LF_EUNSUPPORTED, "model input \"%s\" is not quantized per tensor", t->name);
  float scale = t->quant.scale[0];
  int32_t zp = t->quant.zero_point ? t->quant.zero_point[0] : 0;
  int lo = t->type == LFRT_INT8 ? -128 : 0, hi = t->type == LFRT_INT8 ? 127 : 255;
  for (size_t i = 0; i < n; i++) {
    /* TFLite's QUANTIZE: round half away from zero of x / scale, then + zp */
    float r = roundf(x[i] / scale);
    long q = (r > 1e6f ? 1000000L : r < -1e6f ? -1000000L : (long)r) + zp;
    q = q < lo ? lo : q > hi ? hi : q;
    if (t->type == LFRT_INT8) ((int8_t *)dst)[i] = (int8_t)q;
    else ((uint8_t *)dst)[i] = (uint8_t)q;
  }
  return LF_OK;
}

lf_status lf_predict_dequantize_output(const lfrt_tensor *t, const void *src, float *y) {
  size_t n = (size_t)t->count;
  if (t->type == LFRT_FLOAT32) {
    memcpy(y, src, n * sizeof(float));
    return LF_OK;
  }
  if ((t->type != LFRT_INT8 && t->type != LFRT_UINT8) || t->quant.count != 1)
    return lf_error(LF_EUNSUPPORTED, "model output \"%s\": %s%s (want per-tensor int8/uint8 or float32)", t->name,
                    lfrt_type_name(t->type), t->quant.count != 1 ? " not quantized per tensor" : "");
  float scale = t->quant.scale[0];
  int32_t zp = t->quant.zero_point ? t->quant.zero_point[0] : 0;
  for (size_t i = 0; i < n; i++) {
    int32_t q = t->type == LFRT_INT8 ? ((const int8_t *)src)[i] : ((const uint8_t *)src)[i];
    y[i] = scale * (float)(q - zp);
  }
  return LF_OK;
}

void lf_predict_resize_bilinear(const float *src, int sw, int sh, float *dst, int dw, int dh) {
  float sx = (float)sw / (float)dw, sy = (float)sh / (float)dh;
  for (int oy = 0; oy < dh; oy++) {
    float fy = ((float)oy + 0.5f) * sy - 0.5f;
    if (fy < 0) fy = 0;
    int y0 = (int)fy, y1 = y0 + 1 < sh ? y0 + 1 : sh - 1;
    float wy = fy - (float)y0;
    for (int ox = 0; ox < dw; ox++) {
      float fx = ((float)ox + 0.5f) * sx - 0.5f;
      if (fx < 0) fx = 0;
      int x0 = (int)fx, x1 = x0 + 1 < sw ? x0 + 1 : sw - 1;
      float wx = fx - (float)x0;
      float a = src[y0 * sw + x0] * (1 - wx) + src[y0 * sw + x1] * wx;
      float b = src[y1 * sw + x0] * (1 - wx) + src[y1 * sw + x1] * wx;
      dst[oy * dw + ox] = a * (1 - wy) + b * wy;
    }
  }
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Key of a chest image in the predictions: its path relative to the data folder. */
static const char *rel_path(const char *root, const char *path) {
  size_t l = strlen(root);
  while (l > 1 && root[l - 1] == '/') l--;
  if (!strncmp(path, root, l) && path[l] == '/') return path + l + 1;
  return path;
}

lf_status lf_predict_run(const lf_predict_opts *o, lf_predict_stats *stats) {
  lf_predict_stats zero = {0};
  if (stats) *stats = zero;
  if (!o || !o->model_path || !o->data_dir || !o->out_path)
    return lf_error(LF_EINVAL, "predict: model, data folder and output needed");
  double t_start = now_s();
  lfrt_error rerr = {{0}};
  lfrt_model *model = NULL;
  lfrt_interp *it = NULL;
  lf_dataset *ds = NULL;
  size_t *idx = NULL;
  float *x = NULL, *y = NULL, *up = NULL;
  const lf_sample **bs = NULL;
  uint8_t *mask = NULL;
  double *ms = NULL;
  lf_predictions preds = {0};
  lf_submission sub = {0};
  lf_loader *loader = NULL;
  lf_status st = LF_OK;
  if (lfrt_model_load_file(o->model_path, &model, &rerr)) return lf_error(LF_EBADFILE, "%s", rerr.msg);
  lfrt_interp_options iopt = {.threads = o->threads > 1 ? o->threads : 1};
  if (lfrt_interp_create(model, &iopt, &it, &rerr)) {
    st = lf_error(LF_EUNSUPPORTED, "%s", rerr.msg);
    goto done;
  }
  if (lfrt_interp_input_count(it) != 1 || lfrt_interp_output_count(it) < 1) {
    st = lf_error(LF_EUNSUPPORTED, "%s: want one input and an output, the model has %d and %d", o->model_path,
                  lfrt_interp_input_count(it), lfrt_interp_output_count(it));
    goto done;
  }
  const lfrt_tensor *tin = lfrt_interp_input(it, 0), *tout = lfrt_interp_output(it, 0);
  if (tin->ndim != 4 || tin->shape[0] < 1 || (tin->shape[3] != 1 && tin->shape[3] != 3)) {
    st = lf_error(LF_EUNSUPPORTED, "%s: input \"%s\" must be [N, H, W, 1 or 3] (NHWC)", o->model_path, tin->name);
    goto done;
  }
  /* images per invoke: the model's batch (the runtime does not resize inputs) */
  const int nbatch = tin->shape[0];
  if (o->batch > 0 && o->batch != nbatch) {
    st = lf_error(LF_EINVAL, "%s: the model's batch is %d, not %d (`leapfrog convert --batch %d` makes one)",
                  o->model_path, nbatch, o->batch, o->batch);
    goto done;
  }
  const size_t per_in = (size_t)tin->count / (size_t)nbatch, per_out = (size_t)tout->count / (size_t)nbatch;
  if ((size_t)tout->count != per_out * (size_t)nbatch || tout->ndim < 1 ||
      (nbatch > 1 && tout->shape[0] != nbatch)) {
    st = lf_error(LF_EUNSUPPORTED, "%s: output \"%s\" must have the input's batch %d as dim 0", o->model_path,
                  tout->name, nbatch);
    goto done;
  }
  lf_model_meta meta;
  if ((st = lf_model_meta_read(model, o->model_path, &meta))) goto done;
  int is_prob = from_logistic(model, model->outputs[0]);
  if ((st = lf_dataset_open(o->task, o->data_dir, 0, &ds))) goto done;
  const char *warning = NULL;
  if ((st = lf_dataset_split(ds, &o->split_opts, &warning))) goto done;
  if (warning && o->log) fprintf(o->log, "warning: %s\n", warning);
  if ((st = lf_dataset_check_missing(ds, o->split, o->split_opts.strict, stderr))) goto done;
  size_t n = lf_dataset_select(ds, o->split, NULL);
  if (!(idx = malloc((n ? n : 1) * sizeof *idx))) goto oom;
  lf_dataset_select(ds, o->split, idx);
  if (o->limit && o->limit < n) n = o->limit;
  if (n == 0) {
    st = lf_error(LF_ENOTFOUND, "%s: split %s has no images", o->data_dir, lf_split_name(o->split));
    goto done;
  }
  /* output shape */
  int k = 0, oh = 0, ow = 0;
  if (o->task == LF_TASK_CHESTXRAY14) {
    k = (int)per_out;
    if ((int64_t)per_out != tout->shape[tout->ndim - 1] || k < 1) {
      st = lf_error(LF_EUNSUPPORTED, "%s: output \"%s\" must be [N, classes]", o->model_path, tout->name);
      goto done;
    }
    if (meta.n_labels && meta.n_labels != k) {
      st = lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\" names %d labels for %d outputs", o->model_path,
                    meta.n_labels, k);
      goto done;
    }
    if (!(meta.n_labels == k) && k != LF_NIH_NUM_LABELS) {
      st = lf_error(LF_EUNSUPPORTED, "%s: %d outputs and no label names in the model (14 NIH findings expected)",
                    o->model_path, k);
      goto done;
    }
    if ((st = lf_predictions_alloc(&preds, n, k))) goto done;
    for (int j = 0; j < k; j++)
      if (!(preds.labels[j] = strdup(meta.n_labels == k ? meta.labels[j] : lf_nih_labels[j]))) goto oom;
  } else {
    int nd = tout->ndim;
    if (nd == 4 && tout->shape[3] == 1) nd = 3;
    if (nd != 3 || tout->shape[0] != nbatch) {
      st = lf_error(LF_EUNSUPPORTED, "%s: output \"%s\" must be a mask [N, H, W(, 1)]", o->model_path, tout->name);
      goto done;
    }
    oh = tout->shape[1], ow = tout->shape[2];
    if ((st = lf_submission_alloc(&sub, n))) goto done;
  }
  lf_loader_opts lo;
  lf_loader_opts_default(&lo, o->task);
  lo.height = tin->shape[1], lo.width = tin->shape[2], lo.channels = tin->shape[3];
  lo.augment = 0;
  if (meta.has_norm && !o->norm_given) {
    lo.norm = LF_NORM_ZSCORE;
    memcpy(lo.mean, meta.mean, sizeof lo.mean);
    memcpy(lo.std, meta.std, sizeof lo.std);
  } else {
    lo.norm = o->norm;
  }
  if (o->log) {
    fprintf(o->log, "%s: input %s [%d,%d,%d,%d] %s, output %s %s%s; %zu images of split %s\n", o->model_path,
            tin->name, nbatch, lo.height, lo.width, lo.channels, lfrt_type_name(tin->type), tout->name,
            lfrt_type_name(tout->type), is_prob ? " (LOGISTIC)" : " (not LOGISTIC: applying a sigmoid)", n,
            lf_split_name(o->split));
    fprintf(o->log, "normalisation: %s\n", lo.norm == LF_NORM_ZSCORE && meta.has_norm && !o->norm_given
                                             ? "(pixel/255 - mean) / std from the model's metadata"
                                         : lo.norm == LF_NORM_UNIT     ? "pixel/255"
                                         : lo.norm == LF_NORM_IMAGENET ? "ImageNet mean/std"
                                                                       : "as given");
  }
  /* one timing per invoke (ms per image: the invoke over the batch) */
  const size_t n_inv = (n + (size_t)nbatch - 1) / (size_t)nbatch;
  y = malloc((size_t)tout->count * sizeof *y);
  x = malloc((size_t)tin->count * sizeof *x);
  bs = malloc((size_t)nbatch * sizeof *bs);
  ms = malloc(n_inv * sizeof *ms);
  if (!y || !x || !bs || !ms) goto oom;
  /* Decoding runs ahead on a loader thread (prefetch) while the model runs here;
   * nerve --split all mixes in unlabelled images, which the loader would try to
   * pair with masks, so that case decodes inline. */
  int inline_decode = o->task == LF_TASK_NERVE && o->split == LF_SPLIT_ALL;
  lo.batch_size = 4, lo.shuffle = 0, lo.threads = 1, lo.prefetch = 2;
  if (!inline_decode) {
    if ((st = lf_loader_create(ds, o->split, &lo, &loader))) goto done;
    if ((st = lf_loader_start_epoch(loader, 0))) goto done;
  }
  lf_batch *batch = NULL;
  int in_batch = 0;
  for (size_t i0 = 0, inv = 0; i0 < n; i0 += (size_t)nbatch, inv++) {
    /* nb images of the split, then the last one repeated to fill the model's batch */
    int nb = n - i0 < (size_t)nbatch ? (int)(n - i0) : nbatch;
    for (int b = 0; b < nb; b++) {
      size_t i = i0 + (size_t)b;
      float *xb = x + (size_t)b * per_in;
      if (inline_decode) {
        bs[b] = &ds->samples[idx[i]];
        if ((st = lf_loader_sample(ds, bs[b], &lo, xb, NULL))) goto done;
      } else {
        if (!batch || in_batch == batch->n) {
          if ((st = lf_loader_next(loader, &batch))) goto done;
          if (!batch) {
            st = lf_error(LF_EINVAL, "predict: the loader ended after %zu of %zu images", i, n);
            goto done;
          }
          in_batch = 0;
        }
        bs[b] = batch->samples[in_batch];
        memcpy(xb, batch->x + (size_t)in_batch * per_in, per_in * sizeof *xb);
        in_batch++;
      }
    }
    for (int b = nb; b < nbatch; b++) memcpy(x + (size_t)b * per_in, x + (size_t)(nb - 1) * per_in, per_in * sizeof *x);
    double t0 = now_s();
    if ((st = lf_predict_quantize_input(tin, x, lfrt_interp_input_data(it, 0)))) goto done;
    if (lfrt_interp_invoke(it, &rerr)) {
      st = lf_error(LF_EUNSUPPORTED, "%s: %s", bs[0]->name, rerr.msg);
      goto done;
    }
    if ((st = lf_predict_dequantize_output(tout, lfrt_interp_output_data(it, 0), y))) goto done;
    ms[inv] = 1e3 * (now_s() - t0) / (double)nbatch;
    for (int b = 0; b < nb; b++) {
      size_t i = i0 + (size_t)b;
      const lf_sample *s = bs[b];
      float *yb = y + (size_t)b * per_out;
      for (size_t j = 0; j < per_out; j++) {
        float v = is_prob ? yb[j] : 1.0f / (1.0f + expf(-yb[j]));
        yb[j] = v < 0 ? 0 : v > 1 ? 1 : v; /* fp32 rounding may step outside [0, 1] */
      }
      if (o->task == LF_TASK_CHESTXRAY14) {
        if (!(preds.keys[i] = strdup(rel_path(o->data_dir, s->path)))) goto oom;
        for (int j = 0; j < k; j++) preds.scores[i * (size_t)k + (size_t)j] = yb[j];
      } else {
        lf_image_info info;
        if ((st = lf_image_probe(s->path, &info))) goto done;
        size_t np = (size_t)info.width * (size_t)info.height;
        float *up2 = realloc(up, np * sizeof *up);
        uint8_t *mask2 = realloc(mask, np);
        if (up2) up = up2;
        if (mask2) mask = mask2;
        if (!up2 || !mask2) goto oom;
        lf_predict_resize_bilinear(yb, ow, oh, up, info.width, info.height);
        for (size_t p = 0; p < np; p++) mask[p] = up[p] >= (float)o->threshold;
        if (!(sub.img[i] = strdup(s->stem))) goto oom;
        if ((st = lf_rle_encode(mask, info.width, info.height, &sub.pixels[i]))) goto done;
      }
      if (o->log && (i + 1) % 100 == 0) fprintf(o->log, "  %zu/%zu images\n", i + 1, n);
    }
  }
  st = o->task == LF_TASK_CHESTXRAY14 ? lf_predictions_write_json(o->out_path, &preds)
                                      : lf_submission_write_csv(o->out_path, &sub);
  if (st) goto done;
  qsort(ms, n_inv, sizeof *ms, cmp_double);
  const double med = n_inv % 2 ? ms[n_inv / 2] : 0.5 * (ms[n_inv / 2 - 1] + ms[n_inv / 2]);
  if (stats) {
    stats->n = n;
    stats->batch = nbatch;
    stats->ms_min = ms[0], stats->ms_max = ms[n_inv - 1];
    stats->ms_median = med;
    stats->seconds_total = now_s() - t_start;
    stats->model_bytes = model->file_bytes;
    stats->arena_bytes = lfrt_interp_arena_bytes(it);
  }
  if (o->stats_path) {
    cJSON *j = cJSON_CreateObject();
    if (!j) goto oom;
    cJSON_AddStringToObject(j, "model", o->model_path);
    cJSON_AddNumberToObject(j, "model_bytes", (double)model->file_bytes);
    cJSON_AddNumberToObject(j, "arena_bytes", (double)lfrt_interp_arena_bytes(it));
    cJSON_AddStringToObject(j, "input_type", lfrt_type_name(tin->type));
    cJSON_AddNumberToObject(j, "threads", iopt.threads);
    cJSON_AddNumberToObject(j, "images", (double)n);
    cJSON_AddNumberToObject(j, "batch", nbatch);
    cJSON *m = cJSON_AddObjectToObject(j, "ms_per_image");
    cJSON_AddNumberToObject(m, "median", med);
    cJSON_AddNumberToObject(m, "min", ms[0]);
    cJSON_AddNumberToObject(m, "max", ms[n_inv - 1]);
    cJSON_AddNumberToObject(j, "seconds_total", now_s() - t_start);
    char *txt = cJSON_Print(j);
    cJSON_Delete(j);
    if (!txt) goto oom;
    st = lf_write_file_atomic(o->stats_path, txt, strlen(txt));
    free(txt);
  }
  goto done;
oom:
  st = lf_error(LF_ENOMEM, "predict: out of memory");
done:
  lf_loader_free(loader);
  lf_predictions_free(&preds);
  lf_submission_free(&sub);
  free(idx), free(x), free(y), free(up), free(mask), free(ms), free(bs);
  lf_dataset_free(ds);
  lfrt_interp_free(it);
  lfrt_model_free(model);
  return st;
}
