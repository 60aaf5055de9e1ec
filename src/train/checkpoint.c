/* Checkpoints in safetensors with torch names and layouts (lf_checkpoint.h). */
#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_checkpoint.h"

static const char *optim_kind_name(lf_optim_kind k) {
  return k == LF_OPT_SGD ? "sgd" : k == LF_OPT_ADAM ? "adam" : "adamw";
}

/* Torch shape of an engine tensor: 4-D [a][kh][kw][b] -> [a][b][kh][kw]
 * (conv OHWI -> OIHW, transposed conv IHWO -> [in][out][kh][kw]). */
static int torch_shape(const lf_tensor *t, int64_t *s) {
  for (int i = 0; i < t->ndim; i++) s[i] = t->shape[i];
  if (t->ndim == 4) {
    s[1] = t->shape[3];
    s[2] = t->shape[1];
    s[3] = t->shape[2];
  }
  return t->ndim;
}

/* Engine -> torch layout into dst (numel floats). */
static void to_torch(const lf_tensor *t, float *dst) {
  if (t->ndim != 4) {
    memcpy(dst, t->data, t->numel * sizeof(float));
    return;
  }
  size_t A = (size_t)t->shape[0], H = (size_t)t->shape[1], W = (size_t)t->shape[2], B = (size_t)t->shape[3];
  for (size_t a = 0; a < A; a++)
    for (size_t h = 0; h < H; h++)
      for (size_t w = 0; w < W; w++)
        for (size_t b = 0; b < B; b++) dst[((a * B + b) * H + h) * W + w] = t->data[((a * H + h) * W + w) * B + b];
}

static void from_torch(lf_tensor *t, const float *src) {
  if (t->ndim != 4) {
    memcpy(t->data, src, t->numel * sizeof(float));
    return;
  }
  size_t A = (size_t)t->shape[0], H = (size_t)t->shape[1], W = (size_t)t->shape[2], B = (size_t)t->shape[3];
  for (size_t a = 0; a < A; a++)
    for (size_t h = 0; h < H; h++)
      for (size_t w = 0; w < W; w++)
        for (size_t b = 0; b < B; b++) t->data[((a * H + h) * W + w) * B + b] = src[((a * B + b) * H + h) * W + w];
}

static lf_status add_tensor(lf_st_writer *w, const char *name, const lf_tensor *t, int is_int) {
  int64_t s[LF_TENSOR_MAX_DIMS];
  int nd = torch_shape(t, s);
  if (is_int) {
    /* num_batches_tracked: int64 (scalar in torch) */
    int64_t *v = malloc((t->numel ? t->numel : 1) * sizeof *v);
    if (!v) return lf_error(LF_ENOMEM, "checkpoint: out of memory");
    for (size_t i = 0; i < t->numel; i++) v[i] = (int64_t)t->data[i];
    lf_status st = lf_st_writer_add(w, name, LF_ST_I64, t->numel == 1 ? 0 : nd, s, v);
    free(v);
    return st;
  }
  float *buf = malloc((t->numel ? t->numel : 1) * sizeof *buf);
  if (!buf) return lf_error(LF_ENOMEM, "checkpoint: out of memory for '%s'", name);
  to_torch(t, buf);
  lf_status st = lf_st_writer_add(w, name, LF_ST_F32, nd, s, buf);
  free(buf);
  return st;
}

lf_status lf_ckpt_add_model(lf_st_writer *w, lf_model *m) {
  int n = lf_graph_param_count(m->g);
  for (int i = 0; i < n; i++) {
    lf_param *p = lf_graph_param(m->g, i);
    lf_status st = add_tensor(w, p->name, &p->value, p->is_int);
    if (st) return st;
  }
  return LF_OK;
}

lf_status lf_ckpt_add_optim(lf_st_writer *w, lf_optim *o) {
  int n = lf_optim_state_count(o);
  char name[200];
  for (int i = 0; i < n; i++) {
    const char *sn = NULL;
    lf_tensor *t = lf_optim_state(o, i, &sn);
    if (!t || !sn) continue;
    snprintf(name, sizeof name, "optim.%s", sn);
    lf_status st = add_tensor(w, name, t, 0);
    if (st) return st;
  }
  const lf_optim_config *c = lf_optim_config_of(o);
  cJSON *j = cJSON_CreateObject();
  if (!j) return lf_error(LF_ENOMEM, "checkpoint: out of memory");
  cJSON_AddStringToObject(j, "kind", optim_kind_name(c->kind));
  cJSON_AddNumberToObject(j, "lr", lf_optim_lr(o));
  cJSON_AddNumberToObject(j, "weight_decay", c->weight_decay);
  cJSON_AddNumberToObject(j, "momentum", c->momentum);
  cJSON_AddNumberToObject(j, "dampening", c->dampening);
  cJSON_AddBoolToObject(j, "nesterov", c->nesterov);
  cJSON_AddNumberToObject(j, "beta1", c->beta1);
  cJSON_AddNumberToObject(j, "beta2", c->beta2);
  cJSON_AddNumberToObject(j, "eps", c->eps);
  cJSON_AddNumberToObject(j, "steps", (double)lf_optim_steps(o));
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  if (!s) return lf_error(LF_ENOMEM, "checkpoint: out of memory");
  lf_status st = lf_st_writer_meta(w, "leapfrog.optim", s);
  free(s);
  return st;
}

lf_status lf_ckpt_add_config(lf_st_writer *w, const lf_model_config *c) {
  char *s = lf_model_config_to_json(c);
  if (!s) return lf_error(LF_ENOMEM, "checkpoint: out of memory");
  lf_status st = lf_st_writer_meta(w, "format", "pt");
  if (!st) st = lf_st_writer_meta(w, "leapfrog.arch", lf_arch_name(c->arch));
  if (!st) st = lf_st_writer_meta(w, "leapfrog.config", s);
  free(s);
  return st;
}

lf_status lf_ckpt_save(const char *path, lf_model *m, lf_optim *o, const char *train_json,
                       lf_ckpt_hook hook, void *hook_ctx) {
  lf_st_writer *w;
  lf_status st = lf_st_writer_new(&w);
  if (st) return st;
  st = lf_ckpt_add_config(w, &m->cfg);
  if (!st) st = lf_ckpt_add_model(w, m);
  if (!st && o) st = lf_ckpt_add_optim(w, o);
  if (!st && train_json) st = lf_st_writer_meta(w, "leapfrog.train", train_json);
  if (!st && hook) st = hook(hook_ctx, w);
  if (!st) st = lf_st_writer_save(w, path);
  lf_st_writer_free(w);
  return st;
}

lf_status lf_ckpt_read_config(const lf_st_file *f, lf_model_config *c) {
  const char *s = lf_st_meta(f, "leapfrog.config");
  if (!s) return lf_error(LF_ENOTFOUND, "%s: no leapfrog.config metadata (a bare state_dict: give --arch)", f->path);
  lf_status st = lf_model_config_from_json(s, c);
  if (st) return lf_error_prefix(st, "%s: leapfrog.config: ", f->path);
  return LF_OK;
}

/* Loads one engine tensor from the file tensor of the same torch shape. */
static lf_status load_tensor(const lf_st_file *f, const lf_st_tensor *t, lf_tensor *dst, int is_int, const char *what) {
  int64_t s[LF_TENSOR_MAX_DIMS];
  int nd = torch_shape(dst, s);
  int ok = (size_t)t->numel == dst->numel;
  /* a scalar may be stored as 0-d or [1] */
  if (ok && !(dst->numel == 1 && t->ndim <= 1)) {
    ok = t->ndim == nd;
    for (int i = 0; ok && i < nd; i++) ok = t->shape[i] == s[i];
  }
  if (!ok) {
    char want[96] = "", got[96] = "";
    for (int i = 0; i < nd; i++) snprintf(want + strlen(want), sizeof want - strlen(want), "%s%lld", i ? "," : "", (long long)s[i]);
    for (int i = 0; i < t->ndim && i < 6; i++)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%lld", i ? "," : "", (long long)t->shape[i]);
    return lf_error(LF_EBADFILE, "%s: %s '%s' has shape [%s], the model needs [%s] (torch layout)", f->path, what,
                    t->name, got, want);
  }
  /* dtype: weights and statistics are floating point; counters (is_int) integral */
  int is_float = t->dtype == LF_ST_F32 || t->dtype == LF_ST_F16 || t->dtype == LF_ST_BF16 || t->dtype == LF_ST_F64;
  if (is_int != !is_float)
    return lf_error(LF_EBADFILE, "%s: %s '%s' is %s, want %s", f->path, what, t->name, lf_st_dtype_name(t->dtype),
                    is_int ? "an integer dtype (I64)" : "a floating dtype (F32, F16, BF16 or F64)");
  float *buf = malloc((dst->numel ? dst->numel : 1) * sizeof *buf);
  if (!buf) return lf_error(LF_ENOMEM, "%s: out of memory for '%s'", f->path, t->name);
  lf_status st = lf_st_to_f32(f, t, buf, t->numel);
  for (size_t i = 0; !st && i < t->numel; i++)
    if (!isfinite(buf[i]))
      st = lf_error(LF_EBADFILE, "%s: %s '%s' holds %s at element %zu (of %zu)", f->path, what, t->name,
                    isnan(buf[i]) ? "NaN" : "an infinity", i, t->numel);
  if (!st) from_torch(dst, buf);
  free(buf);
  return st;
}

static int is_ext_name(const char *n) {
  return !strncmp(n, "optim.", 6) || !strncmp(n, "qat.", 4) || !strncmp(n, "ext.", 4);
}

lf_status lf_ckpt_load_model(const lf_st_file *f, lf_model *m) {
  int n = lf_graph_param_count(m->g);
  for (int i = 0; i < n; i++) {
    lf_param *p = lf_graph_param(m->g, i);
    const lf_st_tensor *t = lf_st_find(f, p->name);
    if (!t)
      return lf_error(LF_ENOTFOUND, "%s: tensor '%s' missing (is the file a %s with this config?)", f->path, p->name,
                      lf_arch_name(m->cfg.arch));
    lf_status st = load_tensor(f, t, &p->value, p->is_int, "tensor");
    if (st) return st;
  }
  for (size_t i = 0; i < f->n_tensors; i++) {
    const char *tn = f->tensors[i].name;
    if (!is_ext_name(tn) && !lf_graph_find_param(m->g, tn))
      return lf_error(LF_EBADFILE, "%s: tensor '%s' is not a parameter of this %s (wrong --arch or knobs?)", f->path,
                      tn, lf_arch_name(m->cfg.arch));
  }
  return LF_OK;
}

lf_status lf_ckpt_load_optim(const lf_st_file *f, lf_optim *o) {
  const char *js = lf_st_meta(f, "leapfrog.optim");
  if (!js) return lf_error(LF_ENOTFOUND, "%s: no optimiser state", f->path);
  cJSON *j = cJSON_Parse(js);
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "kind");
  const cJSON *lr = cJSON_GetObjectItemCaseSensitive(j, "lr");
  const cJSON *steps = cJSON_GetObjectItemCaseSensitive(j, "steps");
  if (!cJSON_IsString(k) || !cJSON_IsNumber(lr) || !cJSON_IsNumber(steps) || !(steps->valuedouble >= 0) ||
      steps->valuedouble > 9.0e18 || !(fabs(lr->valuedouble) <= FLT_MAX)) { /* the casts below must be defined */
    cJSON_Delete(j);
    return lf_error(LF_EBADFILE, "%s: leapfrog.optim metadata is malformed", f->path);
  }
  if (strcmp(k->valuestring, optim_kind_name(lf_optim_config_of(o)->kind))) {
    lf_status st = lf_error(LF_EINVAL, "%s: saved optimiser is %s, resuming with %s", f->path, k->valuestring,
                            optim_kind_name(lf_optim_config_of(o)->kind));
    cJSON_Delete(j);
    return st;
  }
  lf_optim_set_lr(o, (float)lr->valuedouble);
  lf_optim_set_steps(o, (int64_t)steps->valuedouble);
  cJSON_Delete(j);
  int n = lf_optim_state_count(o);
  char name[200];
  for (int i = 0; i < n; i++) {
    const char *sn = NULL;
    lf_tensor *t = lf_optim_state(o, i, &sn);
    if (!t || !sn) continue;
    snprintf(name, sizeof name, "optim.%s", sn);
    const lf_st_tensor *ft = lf_st_find(f, name);
    if (!ft) return lf_error(LF_ENOTFOUND, "%s: optimiser tensor '%s' missing", f->path, name);
    lf_status st = load_tensor(f, ft, t, 0, "optimiser tensor");
    if (st) return st;
  }
  return LF_OK;
}

lf_status lf_ckpt_load(const char *path, const lf_model_config *fallback, lf_model *m, lf_st_file *out) {
  lf_st_file f;
  memset(m, 0, sizeof *m);
  lf_status st = lf_st_open(&f, path);
  if (st) return st;
  if ((st = lf_ckpt_check_meta(&f))) {
    lf_st_close(&f);
    return st;
  }
  lf_model_config c;
  st = lf_ckpt_read_config(&f, &c);
  if (st == LF_ENOTFOUND && fallback) {
    c = *fallback;
    st = LF_OK;
  }
  if (!st) st = lf_model_build(m, &c, 0);
  if (!st) {
    st = lf_ckpt_load_model(&f, m);
    if (st) lf_model_free(m);
  }
  if (st || !out) lf_st_close(&f);
  else *out = f;
  return st;
}
