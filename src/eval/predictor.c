/* The predictor: one loaded .tflite model, what its input wants (size,
 * normalisation) and what its output means (task, labels), resolved once from
 * the model's metadata and the caller's options; then images in, probabilities
 * and masks out. Both `predict` drivers and the server run models through it. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/predict_internal.h"
#include "leapfrog/lf_dataset.h"
#include "lfrt_interp.h"

struct lf_predictor {
  lfrt_model *model;
  lfrt_interp *it;
  const lfrt_tensor *tin, *tout;
  lf_predictor_info info;
  const char *labels[LF_PREDICT_MAX_LABELS];
  lf_model_meta meta;
  size_t per_in, per_out; /* floats per image in the input / output */
  float *x, *y;           /* batch input (normalised) and output (probabilities) */
  uint8_t *xu8;           /* one image at the input size */
  char *name;
};

void lf_predictor_opts_default(lf_predictor_opts *o) {
  memset(o, 0, sizeof *o);
  o->threads = 1;
  o->norm = LF_NORM_UNIT;
  o->threshold = 0.5;
}

void lf_prediction_free(lf_prediction *r) {
  if (!r) return;
  free(r->scores);
  free(r->mask);
  memset(r, 0, sizeof *r);
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

/* Loads the model and checks its input and output tensors. */
static lf_status open_model(lf_predictor *p, const char *path, const lf_predictor_opts *o) {
  lfrt_error rerr = {{0}};
  if (lfrt_model_load_file(path, &p->model, &rerr)) return lf_error(LF_EBADFILE, "%s", rerr.msg);
  lfrt_interp_options iopt = {.threads = o->threads > 1 ? o->threads : 1};
  if (lfrt_interp_create(p->model, &iopt, &p->it, &rerr)) return lf_error(LF_EUNSUPPORTED, "%s", rerr.msg);
  if (lfrt_interp_input_count(p->it) != 1 || lfrt_interp_output_count(p->it) < 1)
    return lf_error(LF_EUNSUPPORTED, "%s: want one input and an output, the model has %d and %d", path,
                    lfrt_interp_input_count(p->it), lfrt_interp_output_count(p->it));
  const lfrt_tensor *tin = p->tin = lfrt_interp_input(p->it, 0), *tout = p->tout = lfrt_interp_output(p->it, 0);
  if (tin->ndim != 4 || tin->shape[0] < 1 || tin->shape[1] < 1 || tin->shape[2] < 1 ||
      (tin->shape[3] != 1 && tin->shape[3] != 3))
    return lf_error(LF_EUNSUPPORTED, "%s: input \"%s\" must be [N, H, W, 1 or 3] (NHWC)", path, tin->name);
  /* images per invoke: the model's batch (the runtime does not resize inputs) */
  const int nbatch = (int)tin->shape[0];
  if (o->batch > 0 && o->batch != nbatch)
    return lf_error(LF_EINVAL, "%s: the model's batch is %d, not %d (`leapfrog convert --batch %d` makes one)", path,
                    nbatch, o->batch, o->batch);
  p->per_in = (size_t)tin->count / (size_t)nbatch, p->per_out = (size_t)tout->count / (size_t)nbatch;
  if ((size_t)tout->count != p->per_out * (size_t)nbatch || tout->ndim < 1 || (nbatch > 1 && tout->shape[0] != nbatch))
    return lf_error(LF_EUNSUPPORTED, "%s: output \"%s\" must have the input's batch %d as dim 0", path, tout->name,
                    nbatch);
  lf_predictor_info *in = &p->info;
  in->batch = nbatch, in->height = (int)tin->shape[1], in->width = (int)tin->shape[2], in->channels = (int)tin->shape[3];
  in->input_name = tin->name, in->input_type = lfrt_type_name(tin->type);
  in->output_name = tout->name, in->output_type = lfrt_type_name(tout->type);
  in->output_is_prob = from_logistic(p->model, p->model->outputs[0]);
  in->model_bytes = p->model->file_bytes;
  in->arena_bytes = lfrt_interp_arena_bytes(p->it);
  return LF_OK;
}

/* A model without leapfrog's metadata: every option it then needs, named in one message. */
static lf_status check_options_without_meta(const lf_predictor *p, const char *path, const lf_predictor_opts *o) {
  if (p->meta.present || !o->require_meta) return LF_OK;
  char need[256] = "";
  size_t l = 0;
  if (o->task == LF_PREDICT_AUTO)
    l += (size_t)snprintf(need + l, sizeof need - l, "--task classify|segment (or chestxray14|nerve)");
  if (o->task != LF_PREDICT_SEGMENT && !o->labels && !o->nih_labels)
    l += (size_t)snprintf(need + l, sizeof need - l, "%s--labels a,b,... (classification; --task chestxray14 names the 14 NIH findings)",
                          l ? ", " : "");
  if (!o->norm_given) l += (size_t)snprintf(need + l, sizeof need - l, "%s--norm unit|imagenet|none", l ? ", " : "");
  if (!l) return LF_OK;
  return lf_error(LF_EINVAL, "%s has no leapfrog metadata (task, labels, normalisation; `leapfrog convert` writes it): give %s",
                  path, need);
}

static lf_status need_options(const char *path, const char *what, const char *opts) {
  return lf_error(LF_EINVAL, "%s: its leapfrog metadata has no %s: give %s", path, what, opts);
}

/* Task from the option or the output shape; labels / mask size for it. */
static lf_status resolve_task(lf_predictor *p, const char *path, const lf_predictor_opts *o) {
  lf_predictor_info *in = &p->info;
  const lfrt_tensor *tout = p->tout;
  int nd = tout->ndim;
  if (nd == 4 && tout->shape[3] == 1) nd = 3;
  int looks_mask = nd == 3 && tout->shape[0] == in->batch;
  in->task = o->task != LF_PREDICT_AUTO ? o->task : looks_mask ? LF_PREDICT_SEGMENT : LF_PREDICT_CLASSIFY;
  if (in->task == LF_PREDICT_SEGMENT) {
    if (!looks_mask)
      return lf_error(LF_EUNSUPPORTED, "%s: output \"%s\" must be a mask [N, H, W(, 1)]", path, tout->name);
    in->mask_height = (int)tout->shape[1], in->mask_width = (int)tout->shape[2];
    return LF_OK;
  }
  int k = (int)p->per_out;
  if ((int64_t)p->per_out != tout->shape[tout->ndim - 1] || k < 1)
    return lf_error(LF_EUNSUPPORTED, "%s: output \"%s\" must be [N, classes]", path, tout->name);
  if (k > LF_PREDICT_MAX_LABELS)
    return lf_error(LF_EUNSUPPORTED, "%s: %d classes (at most %d)", path, k, LF_PREDICT_MAX_LABELS);
  in->n_labels = k;
  in->labels = p->labels;
  if (o->labels) {
    if (o->n_labels != k)
      return lf_error(LF_EINVAL, "%s: %d label names given for %d outputs", path, o->n_labels, k);
    for (int j = 0; j < k; j++) p->labels[j] = o->labels[j];
    return LF_OK;
  }
  if (p->meta.n_labels && p->meta.n_labels != k)
    return lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\" names %d labels for %d outputs", path, p->meta.n_labels, k);
  if (p->meta.n_labels == k) {
    for (int j = 0; j < k; j++) p->labels[j] = p->meta.labels[j];
    return LF_OK;
  }
  if (o->nih_labels && k == LF_NIH_NUM_LABELS) {
    for (int j = 0; j < k; j++) p->labels[j] = lf_nih_labels[j];
    return LF_OK;
  }
  if (o->require_meta) return need_options(path, "label names", "--labels a,b,... (or --task chestxray14 for the 14 NIH findings)");
  return lf_error(LF_EUNSUPPORTED, "%s: %d outputs and no label names in the model (14 NIH findings expected)", path, k);
}

static lf_status resolve_norm(lf_predictor *p, const char *path, const lf_predictor_opts *o) {
  lf_predictor_info *in = &p->info;
  for (int c = 0; c < 3; c++) in->mean[c] = 0, in->std[c] = 1;
  if (o->norm_given) {
    in->norm = o->norm, in->norm_source = "option";
  } else if (p->meta.has_norm) {
    in->norm = LF_NORM_ZSCORE, in->norm_source = "metadata";
    memcpy(in->mean, p->meta.mean, sizeof in->mean);
    memcpy(in->std, p->meta.std, sizeof in->std);
  } else if (o->require_meta) {
    return need_options(path, "input normalisation", "--norm unit|imagenet|none");
  } else {
    in->norm = o->norm, in->norm_source = "default";
  }
  return LF_OK;
}

lf_status lf_predictor_open(const char *model_path, const lf_predictor_opts *o, lf_predictor **out) {
  *out = NULL;
  lf_predictor_opts def;
  if (!o) lf_predictor_opts_default(&def), o = &def;
  if (!model_path) return lf_error(LF_EINVAL, "predictor: no model");
  lf_predictor *p = calloc(1, sizeof *p);
  if (!p || !(p->name = strdup(model_path))) {
    free(p);
    return lf_error(LF_ENOMEM, "predictor: out of memory");
  }
  lf_status st;
  if ((st = open_model(p, model_path, o)) || (st = lf_model_meta_read(p->model, model_path, &p->meta)) ||
      (st = check_options_without_meta(p, model_path, o)) ||
      (st = resolve_task(p, model_path, o)) || (st = resolve_norm(p, model_path, o)))
    goto fail;
  p->info.has_meta = p->meta.present;
  p->info.threshold = o->threshold;
  p->x = malloc((size_t)p->tin->count * sizeof *p->x);
  p->y = malloc((size_t)p->tout->count * sizeof *p->y);
  p->xu8 = malloc(p->per_in);
  if (!p->x || !p->y || !p->xu8) {
    st = lf_error(LF_ENOMEM, "predictor: out of memory");
    goto fail;
  }
  *out = p;
  return LF_OK;
fail:
  lf_predictor_free(p);
  return st;
}

void lf_predictor_free(lf_predictor *p) {
  if (!p) return;
  lfrt_interp_free(p->it);
  lfrt_model_free(p->model);
  free(p->x), free(p->y), free(p->xu8), free(p->name);
  free(p);
}

const lf_predictor_info *lf_predictor_get_info(const lf_predictor *p) { return &p->info; }

static lf_status check_slot(const lf_predictor *p, int slot) {
  if (slot < 0 || slot >= p->info.batch)
    return lf_error(LF_EINVAL, "predictor: slot %d outside the model's batch %d", slot, p->info.batch);
  return LF_OK;
}

lf_status lf_predictor_set_input(lf_predictor *p, int slot, const float *x) {
  lf_status st = check_slot(p, slot);
  if (!st) memcpy(p->x + (size_t)slot * p->per_in, x, p->per_in * sizeof *x);
  return st;
}

lf_status lf_predictor_set_image(lf_predictor *p, int slot, const lf_image *img) {
  const lf_predictor_info *in = &p->info;
  lf_status st = check_slot(p, slot);
  if (st || (st = lf_image_to_input_u8(img, in->width, in->height, in->channels, LF_RESIZE_AREA, p->xu8))) return st;
  float *x = p->x + (size_t)slot * p->per_in;
  for (size_t i = 0; i < p->per_in; i++) x[i] = p->xu8[i];
  lf_normalize(x, (size_t)in->width * in->height, in->channels, in->norm, in->mean, in->std);
  return LF_OK;
}

lf_status lf_predictor_invoke(lf_predictor *p, int n, double *ms_per_image) {
  const int nb = p->info.batch;
  if (n < 1 || n > nb) return lf_error(LF_EINVAL, "predictor: %d images for a batch of %d", n, nb);
  /* the last image repeated to fill the model's batch (its outputs are ignored) */
  for (int b = n; b < nb; b++) memcpy(p->x + (size_t)b * p->per_in, p->x + (size_t)(n - 1) * p->per_in, p->per_in * sizeof *p->x);
  lfrt_error rerr = {{0}};
  double t0 = now_s();
  lf_status st = lf_predict_quantize_input(p->tin, p->x, lfrt_interp_input_data(p->it, 0));
  if (st) return st;
  if (lfrt_interp_invoke(p->it, &rerr)) return lf_error(LF_EUNSUPPORTED, "%s: %s", p->name, rerr.msg);
  if ((st = lf_predict_dequantize_output(p->tout, lfrt_interp_output_data(p->it, 0), p->y))) return st;
  if (ms_per_image) *ms_per_image = 1e3 * (now_s() - t0) / (double)nb;
  for (size_t j = 0; j < (size_t)n * p->per_out; j++) {
    float v = p->info.output_is_prob ? p->y[j] : 1.0f / (1.0f + expf(-p->y[j]));
    p->y[j] = v < 0 ? 0 : v > 1 ? 1 : v; /* fp32 rounding may step outside [0, 1] */
  }
  return LF_OK;
}

const float *lf_predictor_probs(const lf_predictor *p, int slot) {
  return slot < 0 || slot >= p->info.batch ? NULL : p->y + (size_t)slot * p->per_out;
}

lf_status lf_predictor_result(const lf_predictor *p, int slot, int image_w, int image_h, lf_prediction *out) {
  memset(out, 0, sizeof *out);
  lf_status st = check_slot(p, slot);
  if (st) return st;
  const float *y = lf_predictor_probs(p, slot);
  const lf_predictor_info *in = &p->info;
  if (in->task == LF_PREDICT_CLASSIFY) {
    if (!(out->scores = malloc((size_t)in->n_labels * sizeof *out->scores)))
      return lf_error(LF_ENOMEM, "predictor: out of memory");
    memcpy(out->scores, y, (size_t)in->n_labels * sizeof *out->scores);
    out->n_scores = in->n_labels;
    return LF_OK;
  }
  if (image_w < 1 || image_h < 1 || (size_t)image_w * (size_t)image_h > ((size_t)1 << 28))
    return lf_error(LF_EINVAL, "predictor: mask size %dx%d", image_w, image_h);
  size_t np = (size_t)image_w * (size_t)image_h;
  float *up = malloc(np * sizeof *up);
  if (!up || !(out->mask = malloc(np))) {
    free(up);
    return lf_error(LF_ENOMEM, "predictor: out of memory");
  }
  lf_predict_resize_bilinear(y, in->mask_width, in->mask_height, up, image_w, image_h);
  for (size_t i = 0; i < np; i++) out->mask[i] = up[i] >= (float)in->threshold;
  free(up);
  out->width = image_w, out->height = image_h;
  return LF_OK;
}

lf_status lf_predictor_run_image(lf_predictor *p, const lf_image *img, lf_prediction *out) {
  memset(out, 0, sizeof *out);
  lf_status st;
  if ((st = lf_predictor_set_image(p, 0, img)) || (st = lf_predictor_invoke(p, 1, NULL))) return st;
  return lf_predictor_result(p, 0, img->width, img->height, out);
}
