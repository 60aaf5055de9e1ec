/* Prepare of movenet's CAST, FLOOR_DIV and GATHER_ND (semantics of TFLite's
 * builtin kernels, which LiteRT runs for them), and the checks LiteRT makes at
 * invoke: FLOOR_DIV by zero and a GATHER_ND position outside params fail the
 * invoke (constant operands: prepare). Static shapes only (the loader refuses
 * dynamic ones). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "interp_internal.h"

#define T(i) (&it->m->tensors[(i)])
#define FAIL(st, ...) return lfrt_node_error(it, idx, err, st, __VA_ARGS__)

static int same_dims(const lfrt_tensor *a, const lfrt_tensor *b) {
  if (a->ndim != b->ndim) return 0;
  for (int d = 0; d < a->ndim; d++)
    if (a->shape[d] != b->shape[d]) return 0;
  return 1;
}

/* ---- CAST --------------------------------------------------------------------------- */
static int cast_type(lfrt_type t) {
  return t == LFRT_FLOAT32 || t == LFRT_INT32 || t == LFRT_INT64 || t == LFRT_UINT8 || t == LFRT_INT8 ||
         t == LFRT_INT16 || t == LFRT_BOOL;
}

lfrt_status lfrt_prep_cast(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *y = T(op->outputs[0]);
  char s1[80], s2[80];
  for (int k = 0; k < 2; k++) {
    const lfrt_tensor *t = k ? y : x;
    if (!cast_type(t->type))
      FAIL(LFRT_EUNSUPPORTED, "%s '%s' is %s (FLOAT32, INT32, INT64, UINT8, INT8, INT16 and BOOL are supported)",
           k ? "output" : "input", t->name, lfrt_type_name(t->type));
  }
  if (!same_dims(x, y))
    FAIL(LFRT_EBADFILE, "output '%s' is %s, input '%s' %s (CAST keeps the shape)", y->name, lfrt_shape_str(y, s1, sizeof s1),
         x->name, lfrt_shape_str(x, s2, sizeof s2));
  n->kind = K_CAST;
  n->p.cast.from = x->type;
  n->p.cast.to = y->type;
  n->x = op->inputs[0];
  n->out = op->outputs[0];
  n->work = (int)x->count;
  if (x->data) return lfrt_cast_check(it, idx, x->data, err); /* a constant input: checked now */
  return LFRT_OK;
}

/* A float whose truncation the integer type cannot hold (or NaN): static_cast is
 * undefined there and LiteRT's builds disagree (its wasm build saturates, NaN to
 * INT32_MAX for int32 but 0 for the others, and wraps int8; x86 gives INT_MIN),
 * so the invoke fails rather than guess. */
lfrt_status lfrt_cast_check(const lfrt_interp *it, int idx, const void *in, lfrt_error *err) {
  const lfrt_cast_params *p = &it->nodes[idx].p.cast;
  if (p->from != LFRT_FLOAT32 || p->to == LFRT_FLOAT32 || p->to == LFRT_BOOL) return LFRT_OK;
  double lo = -2147483649.0, hi = 2147483648.0; /* exclusive bounds of the truncated value */
  switch (p->to) {
  case LFRT_INT64: lo = -9223372036854777856.0; hi = 9223372036854775808.0; break;
  case LFRT_INT16: lo = -32769.0; hi = 32768.0; break;
  case LFRT_INT8: lo = -129.0; hi = 128.0; break;
  case LFRT_UINT8: lo = -1.0; hi = 256.0; break;
  default: break;
  }
  const lfrt_tensor *x = T(it->m->ops[idx].inputs[0]);
  for (int64_t k = 0; k < x->count; k++) {
    double v = ((const float *)in)[k];
    if (v > lo && v < hi) continue;
    FAIL(LFRT_EINVAL, "element %lld of '%s' is %g, outside %s (a float to integer cast out of range is undefined in TFLite "
         "and LiteRT's builds give different values)", (long long)k, x->name, v, lfrt_type_name(p->to));
  }
  return LFRT_OK;
}

/* ---- FLOOR_DIV ------------------------------------------------------------------------ */
static void shape6(const lfrt_tensor *t, int s[6]) {
  for (int d = 0; d < 6; d++) s[d] = 1;
  for (int d = 0; d < t->ndim; d++) s[6 - t->ndim + d] = t->shape[d];
}

lfrt_status lfrt_prep_floor_div(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *a = T(op->inputs[0]), *b = T(op->inputs[1]), *y = T(op->outputs[0]);
  char s1[80], s2[80], s3[80];
  if (a->type != b->type || a->type != y->type)
    FAIL(LFRT_EBADFILE, "inputs '%s' (%s), '%s' (%s) and output '%s' (%s) must have one type", a->name,
         lfrt_type_name(a->type), b->name, lfrt_type_name(b->type), y->name, lfrt_type_name(y->type));
  if (a->type != LFRT_FLOAT32 && a->type != LFRT_INT32)
    FAIL(LFRT_EUNSUPPORTED, "type %s of '%s' (FLOAT32 and INT32 are supported)", lfrt_type_name(a->type), a->name);
  lfrt_binary_params *p = &n->p.bin;
  memset(p, 0, sizeof *p);
  shape6(a, p->shape_a);
  shape6(b, p->shape_b);
  int ys[6];
  shape6(y, ys);
  for (int d = 0; d < 6; d++) {
    int sa = p->shape_a[d], sb = p->shape_b[d];
    p->shape_out[d] = sa > sb ? sa : sb;
    if ((sa != sb && sa != 1 && sb != 1) || p->shape_out[d] != ys[d] || y->ndim < (a->ndim > b->ndim ? a->ndim : b->ndim))
      FAIL(LFRT_EBADFILE, "output '%s' %s is not the broadcast of %s and %s", y->name, lfrt_shape_str(y, s1, sizeof s1),
           lfrt_shape_str(a, s2, sizeof s2), lfrt_shape_str(b, s3, sizeof s3));
  }
  p->act_min_f = -3.4e38f;
  p->act_max_f = 3.4e38f;
  n->kind = a->type == LFRT_FLOAT32 ? K_FLOORDIV_F : K_FLOORDIV_S32;
  n->x = op->inputs[0];
  n->w = op->inputs[1];
  n->out = op->outputs[0];
  n->work = (int)y->count;
  if (b->data) return lfrt_floor_div_check(it, idx, b->data, err); /* a constant zero divisor: refused now */
  return LFRT_OK;
}

lfrt_status lfrt_floor_div_check(const lfrt_interp *it, int idx, const void *divisor, lfrt_error *err) {
  const lfrt_tensor *b = T(it->m->ops[idx].inputs[1]);
  for (int64_t k = 0; k < b->count; k++) {
    int zero = b->type == LFRT_FLOAT32 ? ((const float *)divisor)[k] == 0.0f : ((const int32_t *)divisor)[k] == 0;
    if (zero) FAIL(LFRT_EINVAL, "division by zero: element %lld of divisor '%s' is 0 (LiteRT fails the invoke too)",
                   (long long)k, b->name);
  }
  return LFRT_OK;
}

/* ---- GATHER_ND ------------------------------------------------------------------------ */
lfrt_status lfrt_prep_gather_nd(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *ix = T(op->inputs[1]), *y = T(op->outputs[0]);
  char s1[80], s2[80], s3[80], s4[80];
  switch (x->type) {
  case LFRT_FLOAT32: case LFRT_INT8: case LFRT_UINT8: case LFRT_INT32: case LFRT_INT64: case LFRT_INT16: break;
  default:
    FAIL(LFRT_EUNSUPPORTED, "params '%s' are %s (FLOAT32, INT8, UINT8, INT16, INT32 and INT64 are supported)", x->name,
         lfrt_type_name(x->type));
  }
  if (ix->type != LFRT_INT32 && ix->type != LFRT_INT64)
    FAIL(LFRT_EUNSUPPORTED, "indices '%s' are %s (int32 or int64 are supported)", ix->name, lfrt_type_name(ix->type));
  if (y->type != x->type)
    FAIL(LFRT_EBADFILE, "output '%s' is %s, params '%s' %s", y->name, lfrt_type_name(y->type), x->name, lfrt_type_name(x->type));
  if ((x->type == LFRT_INT8 || x->type == LFRT_UINT8) &&
      (x->quant.count > 1 || y->quant.count > 1 || x->quant.count != y->quant.count ||
       (x->quant.count && (x->quant.scale[0] != y->quant.scale[0] || x->quant.zero_point[0] != y->quant.zero_point[0]))))
    FAIL(LFRT_EUNSUPPORTED, "params '%s' and output '%s' must share one per-tensor quantization (the op copies raw values)",
         x->name, y->name);
  if (x->ndim < 1) FAIL(LFRT_EBADFILE, "params '%s' must be at least a vector", x->name);
  if (ix->ndim < 1) FAIL(LFRT_EBADFILE, "indices '%s' must be at least a vector", ix->name);
  int nd = ix->shape[ix->ndim - 1];
  if (nd > x->ndim)
    FAIL(LFRT_EBADFILE, "indices %s index %d dims of %d-D params %s", lfrt_shape_str(ix, s1, sizeof s1), nd, x->ndim,
         lfrt_shape_str(x, s2, sizeof s2));
  /* output: indices.shape[:-1] + params.shape[nd:] */
  int32_t want[2 * LFRT_MAX_DIMS];
  int no = 0, ok;
  lfrt_gather_nd_params *p = &n->p.gnd;
  memset(p, 0, sizeof *p);
  p->nslices = 1;
  p->slice = 1;
  for (int d = 0; d < ix->ndim - 1; d++) {
    want[no++] = ix->shape[d];
    p->nslices *= ix->shape[d];
  }
  for (int d = nd; d < x->ndim; d++) {
    want[no++] = x->shape[d];
    p->slice *= x->shape[d];
  }
  ok = y->ndim == no;
  for (int d = 0; ok && d < no; d++) ok = y->shape[d] == want[d];
  if (!ok) {
    lfrt_tensor w;
    memset(&w, 0, sizeof w);
    w.ndim = no > LFRT_MAX_DIMS ? LFRT_MAX_DIMS : no;
    memcpy(w.shape, want, (size_t)w.ndim * sizeof *want);
    FAIL(LFRT_EBADFILE, "output '%s' is %s; params %s gathered by indices %s give %s%s", y->name, lfrt_shape_str(y, s1, sizeof s1),
         lfrt_shape_str(x, s2, sizeof s2), lfrt_shape_str(ix, s3, sizeof s3), lfrt_shape_str(&w, s4, sizeof s4), no > LFRT_MAX_DIMS ? "..." : "");
  }
  int64_t stride = x->count;
  for (int j = 0; j < nd; j++) {
    stride /= x->shape[j];
    p->stride[j] = stride;
    p->dim[j] = x->shape[j];
  }
  p->index_nd = nd;
  p->idx64 = ix->type == LFRT_INT64;
  p->params_count = x->count;
  p->elem = lfrt_type_size(x->type);
  n->kind = K_GATHER_ND;
  n->x = op->inputs[0];
  n->w = op->inputs[1];
  n->out = op->outputs[0];
  n->work = p->nslices;
  if (ix->data) return lfrt_gather_nd_check(it, idx, ix->data, err); /* constant indices: refused now */
  return LFRT_OK;
}

lfrt_status lfrt_gather_nd_check(const lfrt_interp *it, int idx, const void *indices, lfrt_error *err) {
  const lfrt_gather_nd_params *p = &it->nodes[idx].p.gnd;
  for (int k = 0; k < p->nslices; k++) {
    if (lfrt_gather_nd_pos(p, indices, k) >= 0) continue;
    char buf[160];
    size_t m = (size_t)snprintf(buf, sizeof buf, "[");
    for (int j = 0; j < p->index_nd && m < sizeof buf; j++) {
      size_t at = (size_t)k * (size_t)p->index_nd + (size_t)j;
      long long v = p->idx64 ? (long long)((const int64_t *)indices)[at] : (long long)((const int32_t *)indices)[at];
      m += (size_t)snprintf(buf + m, sizeof buf - m, j ? ",%lld" : "%lld", v);
    }
    if (m < sizeof buf) snprintf(buf + m, sizeof buf - m, "]");
    char s1[80];
    FAIL(LFRT_EINVAL, "index %s (slice %d of '%s') is outside params %s (LiteRT fails the invoke too)", buf, k, T(it->m->ops[idx].inputs[1])->name,
         lfrt_shape_str(T(it->m->ops[idx].inputs[0]), s1, sizeof s1));
  }
  return LFRT_OK;
}

/* ---- SQRT (FLOAT32), int32 ADD / SUB / MUL ---------------------------------------------- */
lfrt_status lfrt_prep_sqrt(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *y = T(op->outputs[0]);
  char s1[80], s2[80];
  if (x->type != LFRT_FLOAT32 || y->type != LFRT_FLOAT32)
    FAIL(LFRT_EUNSUPPORTED, "%s -> %s (FLOAT32 is supported)", lfrt_type_name(x->type), lfrt_type_name(y->type));
  if (!same_dims(x, y))
    FAIL(LFRT_EBADFILE, "output '%s' is %s, input %s", y->name, lfrt_shape_str(y, s1, sizeof s1), lfrt_shape_str(x, s2, sizeof s2));
  memset(&n->p.un, 0, sizeof n->p.un);
  n->kind = K_SQRT_F;
  n->x = op->inputs[0];
  n->out = op->outputs[0];
  n->work = (int)x->count;
  return LFRT_OK;
}

lfrt_status lfrt_prep_binary_s32(lfrt_interp *it, int idx, int act, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  lfrt_binary_params *p = &n->p.bin;
  switch (act) { /* TFLite's CalculateActivationRange for int32 */
  case LFRT_ACT_NONE: p->act_min = INT32_MIN; p->act_max = INT32_MAX; break;
  case LFRT_ACT_RELU: p->act_min = 0; p->act_max = INT32_MAX; break;
  case LFRT_ACT_RELU6: p->act_min = 0; p->act_max = 6; break;
  case LFRT_ACT_RELU_N1_TO_1: p->act_min = -1; p->act_max = 1; break;
  default: FAIL(LFRT_EUNSUPPORTED, "fused activation %d", act);
  }
  n->kind = op->op == LFRT_OP_ADD ? K_ADD_S32 : op->op == LFRT_OP_SUB ? K_SUB_S32 : K_MUL_S32;
  return LFRT_OK;
}
