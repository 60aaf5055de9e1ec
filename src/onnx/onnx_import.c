/* ONNX import driver: values by name, constants decoded from TensorProtos,
 * layout helpers (NCHW <-> NHWC), graph inputs/outputs and the metadata. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_onnx.h"
#include "onnx/onnx_lower.h"

/* ---- errors ------------------------------------------------------------------------------ */
const Onnx__NodeProto *ox_cur(ox_ctx *c) {
  return c->node >= 0 && (size_t)c->node < c->g->n_node ? c->g->node[c->node] : NULL;
}

lf_status ox_err(ox_ctx *c, lf_status s, const char *fmt, ...) {
  char msg[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const Onnx__NodeProto *n = ox_cur(c);
  if (n)
    return lf_error(s, "%s: node %d '%.100s' (%.40s): %s", c->file, c->node, n->name ? n->name : "",
                    n->op_type ? n->op_type : "?", msg);
  return lf_error(s, "%s: %s", c->file, msg);
}

/* ---- values by name ---------------------------------------------------------------------- */
static size_t hash_name(const char *s) {
  size_t h = 1469598103934665603u;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h;
}

int ox_find(ox_ctx *c, const char *name) {
  if (!name || !c->hcap) return -1;
  for (size_t h = hash_name(name) & (c->hcap - 1);; h = (h + 1) & (c->hcap - 1)) {
    int k = c->hash[h];
    if (k < 0) return -1;
    if (!strcmp(c->v[k].name, name)) return k;
  }
}

ox_val *ox_new(ox_ctx *c, const char *name) {
  if (!name) name = "";
  if (c->nv == c->cv) return NULL; /* capacity is sized from the graph up front */
  int k = ox_find(c, name);
  if (k < 0) {
    k = c->nv++;
    size_t h = hash_name(name) & (c->hcap - 1);
    while (c->hash[h] >= 0) h = (h + 1) & (c->hcap - 1);
    c->hash[h] = k;
  } else {
    free(c->v[k].f);
    free(c->v[k].i);
  }
  ox_val *v = &c->v[k];
  memset(v, 0, sizeof *v);
  v->name = name;
  v->tid = v->plain_tid = -1;
  return v;
}

int ox_has_in(const Onnx__NodeProto *n, int k) {
  return (size_t)k < n->n_input && n->input[k] && n->input[k][0];
}

lf_status ox_in(ox_ctx *c, const Onnx__NodeProto *n, int k, ox_val **out) {
  if (!ox_has_in(n, k)) return ox_err(c, LF_EBADFILE, "input %d is missing", k);
  int i = ox_find(c, n->input[k]);
  if (i < 0)
    return ox_err(c, LF_EBADFILE, "input '%.100s' is not produced by an earlier node, an initializer or a graph input",
                  n->input[k]);
  *out = &c->v[i];
  return LF_OK;
}

/* ---- attributes -------------------------------------------------------------------------- */
const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name) {
  for (size_t i = 0; i < n->n_attribute; i++)
    if (n->attribute[i]->name && !strcmp(n->attribute[i]->name, name)) return n->attribute[i];
  return NULL;
}
int64_t ox_attr_i(const Onnx__NodeProto *n, const char *name, int64_t def) {
  const Onnx__AttributeProto *a = ox_attr(n, name);
  return a && a->has_i ? a->i : def;
}
float ox_attr_f(const Onnx__NodeProto *n, const char *name, float def) {
  const Onnx__AttributeProto *a = ox_attr(n, name);
  return a && a->has_f ? a->f : def;
}
const char *ox_attr_s(const Onnx__NodeProto *n, const char *name, const char *def, char *buf, size_t cap) {
  const Onnx__AttributeProto *a = ox_attr(n, name);
  if (!a || !a->has_s) return def;
  size_t l = a->s.len < cap - 1 ? a->s.len : cap - 1;
  if (l) memcpy(buf, a->s.data, l);
  buf[l] = 0;
  return buf;
}
lf_status ox_attr_ints(ox_ctx *c, const Onnx__NodeProto *n, const char *name, int64_t *out, int cap, int *cnt) {
  const Onnx__AttributeProto *a = ox_attr(n, name);
  *cnt = 0;
  if (!a) return LF_OK;
  if (a->n_ints > (size_t)cap) return ox_err(c, LF_EUNSUPPORTED, "attribute %s has %zu values (at most %d)", name, a->n_ints, cap);
  for (size_t i = 0; i < a->n_ints; i++) out[i] = a->ints[i];
  *cnt = (int)a->n_ints;
  return LF_OK;
}

/* ---- constants --------------------------------------------------------------------------- */
int64_t ox_numel(int ndim, const int64_t *dims) {
  int64_t n = 1;
  for (int d = 0; d < ndim; d++) {
    if (dims[d] < 0 || (dims[d] && n > ((int64_t)1 << 31) / dims[d])) return -1;
    n *= dims[d];
  }
  return n > ((int64_t)1 << 31) ? -1 : n;
}

lf_status ox_set_const(ox_ctx *c, ox_val *v, int ndim, const int64_t *dims, int is_int) {
  if (ndim < 0 || ndim > OX_MAX_RANK) return ox_err(c, LF_EUNSUPPORTED, "rank %d above %d", ndim, OX_MAX_RANK);
  int64_t n = ox_numel(ndim, dims);
  if (n < 0) return ox_err(c, LF_EBADFILE, "'%.100s': negative or too large shape", v->name);
  /* folding (ConstantOfShape, broadcasts, gathers) could make a small file
   * expand without limit: all constants together stay within a budget */
  if (n > c->const_budget) return ox_err(c, LF_EUNSUPPORTED, "'%.100s': constants larger than the import budget", v->name);
  c->const_budget -= n;
  free(v->f);
  free(v->i);
  v->f = NULL;
  v->i = NULL;
  v->is_const = 1;
  v->is_int = is_int;
  v->ndim = ndim;
  memcpy(v->dims, dims, sizeof(int64_t) * (size_t)ndim);
  v->count = n;
  if (is_int) v->i = calloc((size_t)(n ? n : 1), sizeof(int64_t));
  else v->f = calloc((size_t)(n ? n : 1), sizeof(float));
  if (!v->i && !v->f) return ox_err(c, LF_ENOMEM, "out of memory for '%.100s'", v->name);
  return LF_OK;
}

static uint64_t le_bytes(const uint8_t *p, int n) {
  uint64_t r = 0;
  for (int k = n - 1; k >= 0; k--) r = (r << 8) | p[k];
  return r;
}

lf_status ox_tensor_to_val(ox_ctx *c, const Onnx__TensorProto *t, const char *what, ox_val *v) {
  if (t->n_dims > OX_MAX_RANK)
    return ox_err(c, LF_EUNSUPPORTED, "%s '%.100s' has rank %zu (at most %d)", what, v->name, t->n_dims, OX_MAX_RANK);
  if (t->n_external_data || (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL))
    return ox_err(c, LF_EUNSUPPORTED, "%s '%.100s' keeps its data in an external file (save the model with the data inside)",
                  what, v->name);
  int dt = t->has_data_type ? t->data_type : 0;
  int is_int;
  int esize; /* bytes per element in raw_data */
  switch (dt) {
    case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: is_int = 0; esize = 4; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: is_int = 0; esize = 8; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: is_int = 1; esize = 8; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: is_int = 1; esize = 4; break;
    case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: case ONNX__TENSOR_PROTO__DATA_TYPE__UINT8:
    case ONNX__TENSOR_PROTO__DATA_TYPE__BOOL: is_int = 1; esize = 1; break;
    default:
      return ox_err(c, LF_EUNSUPPORTED, "%s '%.100s' has ONNX data type %d (float, double, int64, int32, int8, uint8 and bool are read)",
                    what, v->name, dt);
  }
  int64_t dims[OX_MAX_RANK];
  for (size_t d = 0; d < t->n_dims; d++) dims[d] = t->dims[d];
  lf_status st = ox_set_const(c, v, (int)t->n_dims, dims, is_int);
  if (st) return st;
  int64_t n = v->count;
  if (t->has_raw_data && t->raw_data.len) {
    if (t->raw_data.len != (size_t)n * (size_t)esize)
      return ox_err(c, LF_EBADFILE, "%s '%.100s': raw_data holds %zu bytes, its shape needs %lld", what, v->name,
                    t->raw_data.len, (long long)n * esize);
    const uint8_t *p = t->raw_data.data;
    for (int64_t k = 0; k < n; k++, p += esize) {
      uint64_t u = le_bytes(p, esize);
      switch (dt) {
        case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: { uint32_t w = (uint32_t)u; memcpy(&v->f[k], &w, 4); break; }
        case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: { double d; memcpy(&d, &u, 8); v->f[k] = (float)d; break; }
        case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: v->i[k] = (int64_t)u; break;
        case ONNX__TENSOR_PROTO__DATA_TYPE__INT32: v->i[k] = (int32_t)(uint32_t)u; break;
        case ONNX__TENSOR_PROTO__DATA_TYPE__INT8: v->i[k] = (int8_t)(uint8_t)u; break;
        default: v->i[k] = (int64_t)u; break;
      }
    }
    return LF_OK;
  }
  size_t have = dt == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT ? t->n_float_data
                : dt == ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE ? t->n_double_data
                : dt == ONNX__TENSOR_PROTO__DATA_TYPE__INT64 ? t->n_int64_data : t->n_int32_data;
  if (have != (size_t)n)
    return ox_err(c, LF_EBADFILE, "%s '%.100s' holds %zu values, its shape needs %lld", what, v->name, have, (long long)n);
  for (int64_t k = 0; k < n; k++) switch (dt) {
      case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: v->f[k] = t->float_data[k]; break;
      case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: v->f[k] = (float)t->double_data[k]; break;
      case ONNX__TENSOR_PROTO__DATA_TYPE__INT64: v->i[k] = t->int64_data[k]; break;
      default: v->i[k] = t->int32_data[k]; break;
    }
  return LF_OK;
}

/* ---- TFLite tensors and layout ----------------------------------------------------------- */
int ox_phys_shape(const ox_val *v, int32_t *shape) {
  for (int d = 0; d < v->ndim; d++) shape[d] = (int32_t)v->dims[d];
  if (v->ndim == 4) {
    shape[1] = (int32_t)v->dims[2];
    shape[2] = (int32_t)v->dims[3];
    shape[3] = (int32_t)v->dims[1];
  }
  return v->ndim;
}

int ox_op(ox_ctx *c, int op, const int32_t *ins, int nin, int out, const lfrt_options *o) {
  if (out < 0) return -1;
  return lfrt_writer_add_operator(c->w, (lfrt_op)op, ins, nin, &out, 1, o);
}

static lf_status wcheck(ox_ctx *c, int r) {
  if (r >= 0) return LF_OK;
  return ox_err(c, LF_EINVAL, "tflite writer: %s", lfrt_writer_error(c->w));
}

lf_status ox_new_act(ox_ctx *c, ox_val *v, int ndim, const int64_t *dims) {
  if (ndim < 1 || ndim > OX_MAX_RANK) return ox_err(c, LF_EUNSUPPORTED, "'%.100s' has rank %d", v->name, ndim);
  for (int d = 0; d < ndim; d++)
    if (dims[d] < 1 || dims[d] > (1 << 24))
      return ox_err(c, LF_EUNSUPPORTED, "'%.100s' has dimension %d = %lld (static sizes >= 1 only)", v->name, d,
                    (long long)dims[d]);
  int64_t n = ox_numel(ndim, dims);
  if (n < 0 || n > ((int64_t)1 << 26)) return ox_err(c, LF_EUNSUPPORTED, "'%.100s' is too large (%lld elements, at most 2^26)", v->name, (long long)n);
  v->is_const = 0;
  v->ndim = ndim;
  memcpy(v->dims, dims, sizeof(int64_t) * (size_t)ndim);
  int32_t s[OX_MAX_RANK];
  ox_phys_shape(v, s);
  v->tid = lfrt_writer_add_tensor(c->w, v->name, LFRT_FLOAT32, ndim, s, NULL, 0, NULL);
  v->plain_tid = ndim == 4 ? -1 : v->tid;
  return wcheck(c, v->tid);
}

int ox_tmp_act(ox_ctx *c, const char *base, int ndim, const int32_t *shape) {
  char nm[256];
  snprintf(nm, sizeof nm, "%.200s/t%d", base, c->tmp++);
  return lfrt_writer_add_tensor(c->w, nm, LFRT_FLOAT32, ndim, shape, NULL, 0, NULL);
}

int ox_const_f32(ox_ctx *c, const char *name, int ndim, const int32_t *shape, const float *data) {
  char nm[256];
  snprintf(nm, sizeof nm, "%.200s/c%d", name, c->tmp++);
  size_t n = 1;
  for (int d = 0; d < ndim; d++) n *= (size_t)shape[d];
  return lfrt_writer_add_tensor(c->w, nm, LFRT_FLOAT32, ndim, shape, data, n * sizeof(float), NULL);
}

int ox_const_i32(ox_ctx *c, const char *name, int n, const int32_t *data) {
  char nm[256];
  snprintf(nm, sizeof nm, "%.200s/c%d", name, c->tmp++);
  int32_t s[1] = {n};
  return lfrt_writer_add_tensor(c->w, nm, LFRT_INT32, 1, s, data, (size_t)n * sizeof(int32_t), NULL);
}

int ox_bcast_const(ox_ctx *c, const ox_val *k, int ndim) {
  if (k->ndim > ndim || ndim > OX_MAX_RANK) return -1;
  int64_t d[OX_MAX_RANK];
  int lead = ndim - k->ndim;
  for (int i = 0; i < ndim; i++) d[i] = i < lead ? 1 : k->dims[i - lead];
  ox_val tmp = *k;
  tmp.ndim = ndim;
  memcpy(tmp.dims, d, sizeof d);
  int32_t s[OX_MAX_RANK];
  ox_phys_shape(&tmp, s);
  float *buf = malloc(sizeof(float) * (size_t)(k->count ? k->count : 1));
  if (!buf) return -1;
  for (int64_t e = 0; e < k->count; e++) {
    float x = k->is_int ? (float)k->i[e] : k->f[e];
    if (ndim == 4) { /* logical (n,c,h,w) -> physical (n,h,w,c) */
      int64_t w = e % d[3], h = (e / d[3]) % d[2], ch = (e / (d[3] * d[2])) % d[1], nn = e / (d[3] * d[2] * d[1]);
      buf[((nn * d[2] + h) * d[3] + w) * d[1] + ch] = x;
    } else {
      buf[e] = x;
    }
  }
  int t = ox_const_f32(c, k->name, ndim, s, buf);
  free(buf);
  return t;
}

/* Rank-4 NHWC tensors whose channel count or spatial size is 1 have the same
 * memory order as NCHW: a RESHAPE relabels them, no TRANSPOSE needed. */
static int same_order(const ox_val *v) { return v->ndim != 4 || v->dims[1] == 1 || v->dims[2] * v->dims[3] == 1; }

int ox_plain(ox_ctx *c, ox_val *v) {
  if (v->plain_tid >= 0) return v->plain_tid;
  int32_t s[OX_MAX_RANK];
  for (int d = 0; d < v->ndim; d++) s[d] = (int32_t)v->dims[d];
  int t = ox_tmp_act(c, v->name, v->ndim, s);
  if (same_order(v)) {
    int sh = ox_const_i32(c, v->name, v->ndim, s);
    int32_t ins[2] = {v->tid, sh};
    if (ox_op(c, LFRT_OP_RESHAPE, ins, 2, t, NULL) < 0) return -1;
  } else {
    int32_t perm[4] = {0, 3, 1, 2};
    int p = ox_const_i32(c, v->name, 4, perm);
    int32_t ins[2] = {v->tid, p};
    if (ox_op(c, OX_TFL_TRANSPOSE, ins, 2, t, NULL) < 0) return -1;
  }
  v->plain_tid = t;
  return t;
}

lf_status ox_store_plain(ox_ctx *c, ox_val *out, int plain_tid) {
  if (plain_tid < 0) return wcheck(c, -1);
  if (out->ndim != 4) {
    out->tid = out->plain_tid = plain_tid;
    return LF_OK;
  }
  int64_t dims[4];
  memcpy(dims, out->dims, sizeof dims);
  lf_status st = ox_new_act(c, out, 4, dims);
  if (st) return st;
  int32_t s[4];
  ox_phys_shape(out, s);
  if (same_order(out)) {
    int sh = ox_const_i32(c, out->name, 4, s);
    int32_t ins[2] = {plain_tid, sh};
    st = wcheck(c, ox_op(c, LFRT_OP_RESHAPE, ins, 2, out->tid, NULL));
  } else {
    int32_t perm[4] = {0, 2, 3, 1};
    int p = ox_const_i32(c, out->name, 4, perm);
    int32_t ins[2] = {plain_tid, p};
    st = wcheck(c, ox_op(c, OX_TFL_TRANSPOSE, ins, 2, out->tid, NULL));
  }
  out->plain_tid = plain_tid;
  return st;
}

/* ---- the graph --------------------------------------------------------------------------- */
static lf_status graph_input(ox_ctx *c, const Onnx__ValueInfoProto *vi, cJSON *meta_in, int32_t *tid) {
  const char *nm = vi->name ? vi->name : "";
  const Onnx__TypeProto *tp = vi->type;
  if (!tp || tp->value_case != ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE || !tp->tensor_type || !tp->tensor_type->shape)
    return ox_err(c, LF_EUNSUPPORTED, "graph input '%.100s' is not a tensor with a shape", nm);
  const Onnx__TypeProto__Tensor *tt = tp->tensor_type;
  if (!tt->has_elem_type || tt->elem_type != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT)
    return ox_err(c, LF_EUNSUPPORTED, "graph input '%.100s' is not float32 (an FP32 model is imported)", nm);
  size_t nd = tt->shape->n_dim;
  if (nd < 1 || nd > OX_MAX_RANK) return ox_err(c, LF_EUNSUPPORTED, "graph input '%.100s' has rank %zu", nm, nd);
  int64_t dims[OX_MAX_RANK];
  for (size_t d = 0; d < nd; d++) {
    const Onnx__TensorShapeProto__Dimension *dm = tt->shape->dim[d];
    if (dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE && dm->dim_value >= 1) dims[d] = dm->dim_value;
    else if (d == 0) dims[d] = 1; /* a dynamic batch is imported as batch 1 */
    else
      return ox_err(c, LF_EUNSUPPORTED, "graph input '%.100s' dimension %zu is dynamic (export with a fixed input size)", nm, d);
  }
  ox_val *v = ox_new(c, nm);
  if (!v) return ox_err(c, LF_ENOMEM, "too many values");
  if (v->tid >= 0) return ox_err(c, LF_EBADFILE, "graph input '%.100s' is declared twice", nm);
  lf_status st = ox_new_act(c, v, (int)nd, dims);
  if (st) return st;
  *tid = v->tid;
  cJSON *o = cJSON_CreateObject(), *sh = cJSON_CreateArray();
  cJSON_AddStringToObject(o, "name", nm);
  for (size_t d = 0; d < nd; d++) cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)dims[d]));
  cJSON_AddItemToObject(o, "onnx_shape", sh);
  cJSON_AddStringToObject(o, "tflite_layout", nd == 4 ? "NHWC (from NCHW)" : "as in ONNX");
  cJSON_AddItemToArray(meta_in, o);
  return LF_OK;
}

static lf_status count_uses(ox_ctx *c) {
  const Onnx__GraphProto *g = c->g;
  for (size_t i = 0; i < g->n_node; i++) {
    const Onnx__NodeProto *n = g->node[i];
    for (size_t k = 0; k < n->n_input; k++) {
      int v = ox_find(c, n->input[k]);
      if (v >= 0) {
        c->uses[v]++;
        c->consumer[v] = (int)i;
      }
    }
    for (size_t k = 0; k < n->n_output; k++) {
      if (!n->output[k] || !n->output[k][0]) continue;
      /* outputs are registered now so later readers find them; lowering redefines them */
      if (ox_find(c, n->output[k]) < 0 && !ox_new(c, n->output[k])) return ox_err(c, LF_ENOMEM, "too many values");
    }
  }
  for (size_t i = 0; i < g->n_output; i++) {
    int v = ox_find(c, g->output[i]->name);
    if (v >= 0) c->uses[v] += 2; /* never fused away */
  }
  return LF_OK;
}

/* The "leapfrog" metadata with the normalisation given at import (none: nothing). */
static lf_status norm_metadata(ox_ctx *c, int32_t in_tid) {
  const lf_onnx_import_opts *o = c->opts;
  if (!o || !o->norm_channels) return LF_OK;
  int ch = 0; /* dims are ONNX's [N,C,H,W] (the .tflite tensor is NHWC) */
  for (int i = 0; i < c->nv && !ch; i++)
    if (c->v[i].tid == in_tid) ch = c->v[i].ndim == 4 ? (int)c->v[i].dims[1] : -1;
  if (o->norm_channels != 1 && o->norm_channels != 3)
    return ox_err(c, LF_EINVAL, "normalisation needs 1 or 3 mean/std values, not %d", o->norm_channels);
  if (o->norm_channels == 3 && ch != 3)
    return ox_err(c, LF_EINVAL, "3 mean/std values for an input with %d channels (want a [N,3,H,W] image input)", ch);
  cJSON *j = cJSON_CreateObject(), *nz = j ? cJSON_AddObjectToObject(j, "normalization") : NULL;
  cJSON *mean = nz ? cJSON_AddArrayToObject(nz, "mean") : NULL, *std = nz ? cJSON_AddArrayToObject(nz, "std") : NULL;
  lf_status st = LF_OK;
  for (int k = 0; k < o->norm_channels && mean && std; k++) {
    if (!isfinite(o->mean[k]) || !(o->std[k] > 0) || !isfinite(o->std[k])) {
      st = ox_err(c, LF_EINVAL, "normalisation channel %d: mean %g, std %g (std must be > 0)", k, (double)o->mean[k],
                  (double)o->std[k]);
      break;
    }
    cJSON_AddItemToArray(mean, cJSON_CreateNumber(o->mean[k]));
    cJSON_AddItemToArray(std, cJSON_CreateNumber(o->std[k]));
  }
  char *js = !st && mean && std ? cJSON_PrintUnformatted(j) : NULL;
  if (!st && !js) st = ox_err(c, LF_ENOMEM, "out of memory");
  if (!st && lfrt_writer_add_metadata(c->w, "leapfrog", js, strlen(js)) != LFRT_OK)
    st = ox_err(c, LF_EINVAL, "tflite writer: %s", lfrt_writer_error(c->w));
  free(js);
  cJSON_Delete(j);
  return st;
}

static lf_status import_graph(ox_ctx *c, const Onnx__ModelProto *m, void **out, size_t *out_len) {
  const Onnx__GraphProto *g = m->graph;
  if (!g) return ox_err(c, LF_EBADFILE, "no graph");
  c->g = g;
  if (g->n_node > LF_ONNX_MAX_NODES) return ox_err(c, LF_EUNSUPPORTED, "%zu nodes (at most %d)", g->n_node, LF_ONNX_MAX_NODES);
  if (!g->n_input || !g->n_output) return ox_err(c, LF_EBADFILE, "the graph has no inputs or no outputs");
  if (g->n_sparse_initializer) return ox_err(c, LF_EUNSUPPORTED, "sparse initializers are not read");
  c->opset = 1;
  for (size_t i = 0; i < m->n_opset_import; i++)
    if (!m->opset_import[i]->domain || !m->opset_import[i]->domain[0] || !strcmp(m->opset_import[i]->domain, "ai.onnx"))
      c->opset = m->opset_import[i]->has_version ? m->opset_import[i]->version : 1;
  size_t nouts = 0;
  for (size_t i = 0; i < g->n_node; i++) nouts += g->node[i]->n_output;
  size_t cap = g->n_initializer + g->n_input + nouts + 16;
  c->cv = (int)cap;
  c->hcap = 64;
  while (c->hcap < 2 * cap) c->hcap *= 2;
  c->v = calloc(cap, sizeof *c->v);
  c->hash = malloc(c->hcap * sizeof(int));
  c->uses = calloc(cap, sizeof(int));
  c->consumer = calloc(cap, sizeof(int));
  c->skip = calloc(g->n_node + 1, 1);
  c->w = lfrt_writer_new();
  if (!c->v || !c->hash || !c->uses || !c->consumer || !c->skip || !c->w) return ox_err(c, LF_ENOMEM, "out of memory");
  memset(c->hash, 0xff, c->hcap * sizeof(int));

  for (size_t i = 0; i < g->n_initializer; i++) {
    const Onnx__TensorProto *t = g->initializer[i];
    ox_val *v = ox_new(c, t->name ? t->name : "");
    if (!v) return ox_err(c, LF_ENOMEM, "too many values");
    lf_status st = ox_tensor_to_val(c, t, "initializer", v);
    if (st) return st;
  }
  cJSON *meta = cJSON_CreateObject(), *min = cJSON_CreateArray(), *mout = cJSON_CreateArray();
  lf_status st = LF_OK;
  int32_t ins[64], outs[64];
  int nin = 0, nout = 0;
  for (size_t i = 0; i < g->n_input && !st; i++) {
    int k = ox_find(c, g->input[i]->name);
    if (k >= 0 && c->v[k].is_const) continue; /* an initializer */
    if (nin == 64) st = ox_err(c, LF_EUNSUPPORTED, "more than 64 graph inputs");
    else if (!(st = graph_input(c, g->input[i], min, &ins[nin]))) nin++;
  }
  if (!st && !nin) st = ox_err(c, LF_EUNSUPPORTED, "the graph has no non-constant input");
  if (!st) st = count_uses(c);
  /* Constant nodes first (they read nothing): torch.onnx.export writes Clip's
   * min/max Constants after the Conv, whose lowering looks ahead at the Clip to
   * fuse RELU6 and needs the bounds then (issue 11) */
  for (size_t i = 0; i < g->n_node && !st; i++) {
    const char *op = g->node[i]->op_type;
    if (!op || strcmp(op, "Constant")) continue;
    c->node = (int)i;
    st = ox_lower_node(c, g->node[i]);
    c->skip[i] = 1;
  }
  for (size_t i = 0; i < g->n_node && !st; i++) {
    c->node = (int)i;
    if (c->skip[i]) continue;
    st = ox_lower_node(c, g->node[i]);
  }
  c->node = -1;
  for (size_t i = 0; i < g->n_output && !st; i++) {
    const char *nm = g->output[i]->name ? g->output[i]->name : "";
    int k = ox_find(c, nm);
    if (k < 0 || c->v[k].is_const || c->v[k].tid < 0)
      st = ox_err(c, LF_EUNSUPPORTED, "graph output '%.100s' is not computed from the input", nm);
    else if (nout == 64) st = ox_err(c, LF_EUNSUPPORTED, "more than 64 graph outputs");
    else {
      outs[nout++] = c->v[k].tid;
      cJSON *o = cJSON_CreateObject(), *sh = cJSON_CreateArray();
      cJSON_AddStringToObject(o, "name", nm);
      for (int d = 0; d < c->v[k].ndim; d++) cJSON_AddItemToArray(sh, cJSON_CreateNumber((double)c->v[k].dims[d]));
      cJSON_AddItemToObject(o, "onnx_shape", sh);
      cJSON_AddStringToObject(o, "tflite_layout", c->v[k].ndim == 4 ? "NHWC (from NCHW)" : "as in ONNX");
      cJSON_AddItemToArray(mout, o);
    }
  }
  if (!st) {
    const char *base = strrchr(c->file, '/');
    cJSON_AddStringToObject(meta, "source", base ? base + 1 : c->file);
    cJSON_AddStringToObject(meta, "producer", m->producer_name ? m->producer_name : "");
    cJSON_AddNumberToObject(meta, "opset", (double)c->opset);
    cJSON_AddItemToObject(meta, "inputs", min);
    cJSON_AddItemToObject(meta, "outputs", mout);
    min = mout = NULL;
    char *js = cJSON_PrintUnformatted(meta);
    lfrt_error e;
    if (!js) st = ox_err(c, LF_ENOMEM, "out of memory");
    else st = norm_metadata(c, ins[0]);
    if (!st && (lfrt_writer_add_metadata(c->w, "onnx_import", js, strlen(js)) != LFRT_OK ||
                lfrt_writer_set_description(c->w, "leapfrog import (ONNX)") != LFRT_OK ||
                lfrt_writer_set_io(c->w, ins, nin, outs, nout) != LFRT_OK))
      st = ox_err(c, LF_EINVAL, "tflite writer: %s", lfrt_writer_error(c->w));
    else if (!st && lfrt_writer_finish(c->w, out, out_len, &e) != LFRT_OK)
      st = ox_err(c, LF_EINVAL, "tflite writer: %s", e.msg);
    free(js);
  }
  cJSON_Delete(min);
  cJSON_Delete(mout);
  cJSON_Delete(meta);
  return st;
}

lf_status lf_onnx_import_bytes(const void *data, size_t len, const char *name, void **tflite, size_t *tflite_len) {
  return lf_onnx_import_bytes_opts(data, len, name, NULL, tflite, tflite_len);
}

lf_status lf_onnx_import_bytes_opts(const void *data, size_t len, const char *name, const lf_onnx_import_opts *o,
                                    void **tflite, size_t *tflite_len) {
  *tflite = NULL;
  *tflite_len = 0;
  if (!name) name = "model.onnx";
  if (len > LF_ONNX_MAX_FILE_BYTES) return lf_error(LF_EUNSUPPORTED, "%s: %zu bytes (at most %zu)", name, len, LF_ONNX_MAX_FILE_BYTES);
  lf_onnx_proto p;
  /* decoding memory: the raw bytes again plus a generous allowance for structs */
  lf_status st = lf_onnx_proto_parse(data, len, name, 4 * len + ((size_t)64 << 20), &p);
  if (st) return st;
  ox_ctx c;
  memset(&c, 0, sizeof c);
  c.file = name;
  c.node = -1;
  c.const_budget = (int64_t)len + ((int64_t)1 << 24);
  c.opts = o;
  st = import_graph(&c, p.model, tflite, tflite_len);
  for (int i = 0; i < c.nv; i++) {
    free(c.v[i].f);
    free(c.v[i].i);
  }
  free(c.v);
  free(c.hash);
  free(c.uses);
  free(c.consumer);
  free(c.skip);
  lfrt_writer_free(c.w);
  lf_onnx_proto_free(&p);
  return st;
}

lf_status lf_onnx_import_file(const char *onnx_path, const char *tflite_path) {
  return lf_onnx_import_file_opts(onnx_path, tflite_path, NULL);
}

lf_status lf_onnx_import_file_opts(const char *onnx_path, const char *tflite_path, const lf_onnx_import_opts *o) {
  unsigned char *data = NULL;
  size_t len = 0;
  lf_status st = lf_read_file(onnx_path, LF_ONNX_MAX_FILE_BYTES, &data, &len);
  if (st) return st;
  void *out = NULL;
  size_t olen = 0;
  st = lf_onnx_import_bytes_opts(data, len, onnx_path, o, &out, &olen);
  free(data);
  if (!st) st = lf_write_file_atomic(tflite_path, out, olen);
  free(out);
  return st;
}
