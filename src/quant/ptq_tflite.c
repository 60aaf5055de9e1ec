/* PTQ of an FP32 .tflite, the calibration: images prepared as predict
 * prepares them, run through the float model in leapfrog's runtime with a
 * hook after every node that adds each FLOAT32 activation to its histogram;
 * then the ranges, the "leapfrog" metadata and the int8 rewrite
 * (ptq_tflite_write.c), checked by preparing it before it is written. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval/predict_images_internal.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"
#include "lfrt.h"
#include "quant/ptq_tflite_internal.h"

void lf_ptq_tflite_opts_default(lf_ptq_tflite_opts *o) {
  memset(o, 0, sizeof *o);
  o->method = LF_CALIB_MSE;
  o->percentile = 99.99;
  o->io = LF_PTQ_IO_INT8;
  o->threads = 1;
}

static const char *const io_names[] = {"int8", "uint8", "float"};
const char *lf_ptq_io_name(lf_ptq_io io) { return (unsigned)io < 3 ? io_names[io] : "?"; }
lf_status lf_ptq_io_parse(const char *s, lf_ptq_io *io) {
  for (int i = 0; i < 3; i++)
    if (s && !strcmp(s, io_names[i])) {
      *io = (lf_ptq_io)i;
      return LF_OK;
    }
  return lf_error(LF_EINVAL, "--io must be int8, uint8 or float, not '%s'", s ? s : "");
}

/* An FP32 model: no quantized tensor, no INT8/UINT8/INT16 tensor. */
static lf_status check_float(const lfrt_model *m, const char *path) {
  for (int t = 0; t < m->ntensors; t++) {
    const lfrt_tensor *x = &m->tensors[t];
    if (x->quant.count || x->type == LFRT_INT8 || x->type == LFRT_UINT8 || x->type == LFRT_INT16)
      return lf_error(LF_EINVAL, "%s: not an FP32 model: tensor '%s' is %s%s; ptq takes a float .tflite", path, x->name,
                      lfrt_type_name(x->type), x->quant.count ? " (quantized)" : "");
  }
  return LF_OK;
}

typedef struct {
  const lfrt_model *m;
  lf_histogram *h;
  int *hidx; /* per tensor: its histogram, or -1 */
} calib;

static void observe_tensor(calib *c, const lfrt_interp *it, int t) {
  if (t < 0 || c->hidx[t] < 0) return;
  const float *d = lfrt_interp_tensor_data(it, t);
  if (d) lf_histogram_update(&c->h[c->hidx[t]], d, (size_t)c->m->tensors[t].count);
}

static void observe(void *ctx, const lfrt_interp *it, int node) {
  calib *c = ctx;
  const lfrt_operator *op = &c->m->ops[node];
  for (int k = 0; k < op->noutputs; k++) observe_tensor(c, it, op->outputs[k]);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The "leapfrog" metadata: the float model's (labels kept) with precision,
 * io, normalisation and the calibration. */
static char *meta_json(const lfrt_model *m, const lf_ptq_tflite_opts *o, const lf_ptq_tflite_stats *s,
                       const char *src) {
  cJSON *j = NULL;
  for (int k = 0; k < m->nmetadata && !j; k++)
    if (!strcmp(m->metadata[k].name, "leapfrog") && m->metadata[k].data)
      j = cJSON_ParseWithLength(m->metadata[k].data, m->metadata[k].bytes);
  if (j && !cJSON_IsObject(j)) cJSON_Delete(j), j = NULL;
  if (!j && !(j = cJSON_CreateObject())) return NULL;
  const char *drop[] = {"format", "precision", "io", "input", "batch", "normalization", "ptq", "bn_lowering",
                        "operating_points", o->n_labels ? "labels" : "-"};
  for (size_t k = 0; k < sizeof drop / sizeof *drop; k++) cJSON_DeleteItemFromObjectCaseSensitive(j, drop[k]);
  const lfrt_tensor *in = &m->tensors[m->inputs[0]];
  cJSON_AddStringToObject(j, "format", "leapfrog-tflite-1");
  cJSON_AddStringToObject(j, "precision", "int8");
  cJSON_AddStringToObject(j, "io", o->io == LF_PTQ_IO_FLOAT ? "float32" : lf_ptq_io_name(o->io));
  cJSON_AddStringToObject(j, "input", in->name);
  cJSON_AddNumberToObject(j, "batch", in->shape[0]);
  if (o->n_labels) cJSON_AddItemToObject(j, "labels", cJSON_CreateStringArray(o->labels, o->n_labels));
  cJSON *nz = cJSON_AddObjectToObject(j, "normalization");
  cJSON *mean = nz ? cJSON_AddArrayToObject(nz, "mean") : NULL, *std = nz ? cJSON_AddArrayToObject(nz, "std") : NULL;
  for (int k = 0; mean && std && k < s->channels; k++) {
    cJSON_AddItemToArray(mean, cJSON_CreateNumber(s->mean[k]));
    cJSON_AddItemToArray(std, cJSON_CreateNumber(s->std[k]));
  }
  cJSON *op = o->oppoints && o->oppoints->n ? cJSON_AddObjectToObject(j, "operating_points") : NULL;
  for (int k = 0; op && k < o->oppoints->n; k++)
    cJSON_AddNumberToObject(op, o->oppoints->label[k], o->oppoints->threshold[k]);
  cJSON *p = cJSON_AddObjectToObject(j, "ptq");
  if (p) {
    const char *base = strrchr(src, '/');
    cJSON_AddStringToObject(p, "source", base ? base + 1 : src);
    cJSON_AddStringToObject(p, "calibration", lf_calib_method_name(o->method));
    if (o->method == LF_CALIB_PERCENTILE) cJSON_AddNumberToObject(p, "percentile", o->percentile);
    cJSON_AddNumberToObject(p, "images", (double)s->images);
    cJSON_AddNumberToObject(p, "float_ops", s->ops_float);
  }
  char *out = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return out;
}

/* o->oppoints name the labels given, else the float model's. */
static lf_status check_oppoints(const lf_ptq_tflite_opts *o, const lf_model_meta *meta) {
  if (!o->oppoints || !o->oppoints->n) return LF_OK;
  const char *labels[LF_PREDICT_MAX_LABELS];
  int n = o->n_labels ? o->n_labels : meta->n_labels;
  if (n > LF_PREDICT_MAX_LABELS) n = LF_PREDICT_MAX_LABELS;
  for (int k = 0; k < n; k++) labels[k] = o->n_labels ? o->labels[k] : meta->labels[k];
  if (!n) return lf_error(LF_EINVAL, "ptq: operating points need labels: the model's metadata has none, give --labels");
  return lf_oppoints_check_labels(o->oppoints, labels, n, o->oppoints_from ? o->oppoints_from : "operating points");
}

/* The input [N,H,W,C] and the normalisation. */
static lf_status resolve_input(const lfrt_model *m, const char *path, const lf_ptq_tflite_opts *o,
                               lf_ptq_tflite_stats *s) {
  if (m->ninputs != 1)
    return lf_error(LF_EUNSUPPORTED, "%s: the model has %d inputs; ptq calibrates models with one image input", path,
                    m->ninputs);
  const lfrt_tensor *x = &m->tensors[m->inputs[0]];
  if (x->type != LFRT_FLOAT32 || x->ndim != 4 || (x->shape[3] != 1 && x->shape[3] != 3))
    return lf_error(LF_EUNSUPPORTED,
                    "%s: input '%s' is %s with %d dims; ptq calibrates on images: FLOAT32 [N,H,W,C], C 1 or 3", path,
                    x->name, lfrt_type_name(x->type), x->ndim);
  if ((o->width && o->width != x->shape[2]) || (o->height && o->height != x->shape[1]))
    return lf_error(LF_EINVAL, "%s: --size %dx%d does not match the model's input %dx%d (W x H of [%d,%d,%d,%d])", path,
                    o->width, o->height, (int)x->shape[2], (int)x->shape[1], (int)x->shape[0], (int)x->shape[1],
                    (int)x->shape[2], (int)x->shape[3]);
  s->channels = x->shape[3];
  if (o->n_labels) {
    const lfrt_tensor *y = &m->tensors[m->outputs[0]];
    if (y->ndim < 1 || y->shape[y->ndim - 1] != o->n_labels)
      return lf_error(LF_EINVAL, "%s: %d labels given for output '%s' with %d scores", path, o->n_labels, y->name,
                      y->ndim ? (int)y->shape[y->ndim - 1] : 1);
    for (int k = 0; k < o->n_labels; k++)
      if (!o->labels[k] || !o->labels[k][0] || strlen(o->labels[k]) > 63)
        return lf_error(LF_EINVAL, "%s: label %d must be 1 to 63 characters", path, k + 1);
  }
  lf_model_meta meta;
  lf_status st = lf_model_meta_read(m, path, &meta);
  if (st) return st;
  if ((st = check_oppoints(o, &meta))) return st;
  if (meta.n_oppoints && !o->oppoints && o->progress)
    fprintf(o->progress, "ptq: %s: its %d operating points are not carried over (chosen on the float model's "
            "outputs): choose the int8 model's on validation predictions (`leapfrog score "
            "--choose-operating-points`) and pass --operating-points\n", path, meta.n_oppoints);
  if (o->norm_given) {
    memcpy(s->mean, o->mean, sizeof s->mean);
    memcpy(s->std, o->std, sizeof s->std);
    s->norm_source = "option";
  } else if (meta.has_norm) {
    memcpy(s->mean, meta.mean, sizeof s->mean);
    memcpy(s->std, meta.std, sizeof s->std);
    s->norm_source = "metadata";
  } else {
    lf_norm_values(LF_NORM_UNIT, 3, s->mean, s->std);
    s->norm_source = "default";
  }
  for (int k = 0; k < 3; k++)
    if (!(s->std[k] > 0)) return lf_error(LF_EINVAL, "%s: normalisation std[%d] = %g must be > 0", path, k, (double)s->std[k]);
  return LF_OK;
}

/* Runs every image of `in` through it, filling the histograms. */
static lf_status calibrate(lfrt_interp *it, calib *c, const lf_predict_inputs *in, const lf_ptq_tflite_opts *o,
                           lf_ptq_tflite_stats *s) {
  const lfrt_tensor *x = lfrt_interp_input(it, 0);
  const int N = x->shape[0], H = x->shape[1], W = x->shape[2], C = x->shape[3];
  const size_t per = (size_t)H * W * C;
  float *xin = lfrt_interp_input_data(it, 0);
  uint8_t *u8 = malloc(per);
  if (!u8) return lf_error(LF_ENOMEM, "ptq: out of memory");
  lf_status st = LF_OK;
  int slot = 0;
  double t0 = now_s();
  size_t step = in->n / 10 ? in->n / 10 : 1, f = 0, shown = 0;
  lfrt_error e = {{0}};
  for (; !st && f < in->n && (!o->limit || s->images < o->limit); f++) {
    if (o->progress && f > shown && f % step == 0)
      fprintf(o->progress, "ptq: calibrated on %zu/%zu files, %zu images (%.1f images/s)\n", shown = f, in->n,
              s->images, (double)s->images / (now_s() - t0 + 1e-9));
    lf_predict_frames fr;
    if (lf_predict_frames_read(in->paths[f], &fr)) {
      s->skipped++;
      if (o->progress) fprintf(o->progress, "ptq: skipped %s\n", lf_last_error());
      continue;
    }
    for (int k = 0; !st && k < fr.n && (!o->limit || s->images < o->limit); k++) {
      if ((st = lf_image_to_input_u8(&fr.f[k].img, W, H, C, LF_RESIZE_AREA, u8))) break;
      float *d = xin + (size_t)slot * per;
      for (size_t i = 0; i < per; i++) d[i] = u8[i];
      lf_normalize(d, (size_t)W * H, C, LF_NORM_ZSCORE, s->mean, s->std);
      s->images++;
      if (++slot < N) continue;
      observe_tensor(c, it, c->m->inputs[0]);
      if (lfrt_interp_invoke_hook(it, observe, c, &e)) st = lf_error(LF_EUNSUPPORTED, "%s", e.msg);
      slot = 0;
    }
    lf_predict_frames_free(&fr);
  }
  if (!st && slot > 0) { /* a partial last batch: the rest of the slots repeat its last image */
    for (int b = slot; b < N; b++) memcpy(xin + (size_t)b * per, xin + (size_t)(slot - 1) * per, per * sizeof(float));
    observe_tensor(c, it, c->m->inputs[0]);
    if (lfrt_interp_invoke_hook(it, observe, c, &e)) st = lf_error(LF_EUNSUPPORTED, "%s", e.msg);
  }
  if (!st && o->progress)
    fprintf(o->progress, "ptq: calibrated on %zu/%zu files, %zu images (%.1f images/s)%s\n", f, in->n, s->images,
            (double)s->images / (now_s() - t0 + 1e-9), f < in->n ? ": --limit reached" : "");
  free(u8);
  return st;
}

lf_status lf_ptq_tflite_file(const char *model_path, const char *const *calib_args, size_t n_calib, const char *out_path,
                             const lf_ptq_tflite_opts *o, lf_ptq_tflite_stats *stats) {
  lf_ptq_tflite_stats s;
  memset(&s, 0, sizeof s);
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  lfrt_error e = {{0}};
  lf_predict_inputs in;
  memset(&in, 0, sizeof in);
  calib c;
  memset(&c, 0, sizeof c);
  signed char *mode = NULL;
  float *tmin = NULL, *tmax = NULL;
  char *meta = NULL;
  void *bytes = NULL;
  size_t len = 0;
  lf_status st = LF_OK;
  if (lfrt_model_load_file(model_path, &m, &e))
    return lf_error(LF_EBADFILE, "%s", e.msg);
  c.m = m;
  size_t nt = (size_t)(m->ntensors > 0 ? m->ntensors : 1);
  if (!(mode = malloc((size_t)(m->nops > 0 ? m->nops : 1))) || !(c.hidx = malloc(sizeof(int) * nt)) ||
      !(tmin = malloc(sizeof(float) * nt)) || !(tmax = malloc(sizeof(float) * nt)))
    st = lf_error(LF_ENOMEM, "ptq: out of memory");
  if (!st) st = check_float(m, model_path);
  if (!st) st = resolve_input(m, model_path, o, &s);
  if (!st) st = lq_tfl_plan(m, o->allow_float, model_path, mode);
  if (!st) st = lf_predict_inputs_collect(&in, calib_args, n_calib);
  if (!st && in.n == 0)
    st = lf_error(LF_ENOTFOUND, "no calibration image (PNG, JPEG, TIFF, DICOM) in %s%s", n_calib ? calib_args[0] : "(nothing)",
                  n_calib > 1 ? " and the others given" : "");
  lfrt_interp_options io = {.threads = o->threads > 1 ? o->threads : 1};
  if (!st && lfrt_interp_create(m, &io, &it, &e)) st = lf_error(LF_EUNSUPPORTED, "%s", e.msg);
  int nh = 0;
  for (size_t t = 0; !st && t < nt; t++) {
    const lfrt_tensor *x = &m->tensors[t];
    c.hidx[t] = !x->data && x->type == LFRT_FLOAT32 ? nh++ : -1;
  }
  if (!st && !(c.h = malloc(sizeof(lf_histogram) * (size_t)(nh ? nh : 1)))) st = lf_error(LF_ENOMEM, "ptq: out of memory for %d histograms", nh);
  for (int k = 0; !st && k < nh; k++) lf_histogram_init(&c.h[k]);
  s.activations = nh;
  if (!st && o->progress)
    fprintf(o->progress, "ptq: %s: %d ops, %d float activations; calibrating on %zu file%s (normalisation from %s: mean %g,%g,%g std %g,%g,%g)\n",
            model_path, m->nops, nh, in.n, in.n == 1 ? "" : "s", s.norm_source, (double)s.mean[0], (double)s.mean[1],
            (double)s.mean[2], (double)s.std[0], (double)s.std[1], (double)s.std[2]);
  if (!st) st = calibrate(it, &c, &in, o, &s);
  if (!st && s.images == 0) st = lf_error(LF_ENOTFOUND, "no readable calibration image among the %zu files found", in.n);
  for (size_t t = 0; !st && t < nt; t++) {
    tmin[t] = tmax[t] = 0.0f;
    if (c.hidx[t] >= 0) st = lf_histogram_range(&c.h[c.hidx[t]], o->method, o->percentile, &tmin[t], &tmax[t]);
  }
  if (!st) {
    for (int i = 0; i < m->nops; i++) s.ops_float += mode[i] == LQ_TFL_FLOAT; /* the metadata records it */
    if (!(meta = meta_json(m, o, &s, model_path))) st = lf_error(LF_ENOMEM, "ptq: out of memory");
    if (!st) st = lq_tfl_write(m, mode, tmin, tmax, o->io, meta, &bytes, &len, &s.ops_int8, &s.ops_float);
  }
  if (!st) { /* what was written must prepare, else it is leapfrog's bug: say so before writing */
    lfrt_model *q = NULL;
    lfrt_interp *qi = NULL;
    if (lfrt_model_load(bytes, len, out_path, &q, &e) || lfrt_interp_create(q, NULL, &qi, &e))
      st = lf_error(LF_EUNSUPPORTED, "ptq: the int8 model does not prepare (not written): %s", e.msg);
    lfrt_interp_free(qi);
    lfrt_model_free(q);
  }
  if (!st) st = lf_write_file_atomic(out_path, bytes, len);
  if (stats) *stats = s;
  free(bytes);
  free(meta);
  free(tmin);
  free(tmax);
  free(mode);
  free(c.hidx);
  free(c.h);
  lf_predict_inputs_free(&in);
  lfrt_interp_free(it);
  lfrt_model_free(m);
  return st;
}
