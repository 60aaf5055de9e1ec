/* Prepare: checks one node against its op's constraints and derives the
 * kernel parameters (shapes, paddings, fixed-point multipliers, tables). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "custom_ops.h"
#include "interp_internal.h"
#include "interp_qu8.h"
#include "lfrt_quant.h"

#define T(i) (&it->m->tensors[(i)])
#define FAIL(st, ...) return lfrt_node_error(it, idx, err, st, __VA_ARGS__)

/* "MODEL: node IDX (OP): message" into err; returns st (interp_internal.h). */
lfrt_status lfrt_node_error(const lfrt_interp *it, int idx, lfrt_error *err, lfrt_status st, const char *fmt, ...) {
  char buf[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  const char *name = lfrt_op_name((int)it->m->ops[idx].op);
  return lfrt_set_error(err, st, "%s: node %d (%s): %s", it->m->source_name, idx,
                        name ? name : "?", buf);
}

/* Per-tensor int8 quantization (scale, zp) or an error message. */
static int q8(const lfrt_tensor *t, float *scale, int32_t *zp) {
  if (t->type != LFRT_INT8 || t->quant.count != 1) return -1;
  *scale = t->quant.scale[0];
  *zp = t->quant.zero_point[0];
  return 0;
}

static int same_shape(const lfrt_tensor *a, const int32_t *shape, int ndim) {
  if (a->ndim != ndim) return 0;
  for (int d = 0; d < ndim; d++)
    if (a->shape[d] != shape[d]) return 0;
  return 1;
}

/* "[d0,d1,...]" of t's shape into buf (interp_internal.h). */
const char *lfrt_shape_str(const lfrt_tensor *t, char *buf, size_t n) {
  size_t k = (size_t)snprintf(buf, n, "[");
  for (int d = 0; d < t->ndim && k < n; d++)
    k += (size_t)snprintf(buf + k, n - k, d ? ",%d" : "%d", (int)t->shape[d]);
  if (k < n) snprintf(buf + k, n - k, "]");
  return buf;
}

/* TFLite's output size and leading padding of one spatial dim; -1 when there is
 * no output or the window span exceeds 2^30 (keeps every kernel index in int). */
static int conv_out(lfrt_padding pad, int in, int k, int stride, int dil, int *pad_before) {
  int64_t eff = (int64_t)(k - 1) * dil + 1;
  int64_t out = pad == LFRT_PADDING_SAME ? ((int64_t)in + stride - 1) / stride : ((int64_t)in + stride - eff) / stride;
  *pad_before = 0;
  if (out < 1 || eff > (INT64_C(1) << 30)) return -1;
  int64_t span = (out - 1) * stride + eff;
  if (span > (INT64_C(1) << 30)) return -1;
  int64_t total = span - in;
  *pad_before = total > 0 ? (int)(total / 2) : 0;
  return (int)out;
}

static int alloc_mult(lfrt_interp *it, lfrt_node *n, int count) {
  n->mult = calloc((size_t)count, sizeof(int32_t));
  n->shift = calloc((size_t)count, sizeof(int32_t));
  it->state_bytes += 2 * (size_t)count * sizeof(int32_t);
  return n->mult && n->shift ? 0 : -1;
}

/* Per-output-channel multipliers in_scale * w_scale[c] / out_scale. */
static lfrt_status conv_quant(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x,
                              const lfrt_tensor *w, const lfrt_tensor *b, const lfrt_tensor *y,
                              int out_c, int w_axis, int act, lfrt_error *err) {
  float xs, ys;
  int32_t xz, yz;
  /* uint8 */
  if (x->type == LFRT_UINT8) return lfrt_qu8_prep_conv(it, idx, n, x, w, b, y, act, err);
  if (q8(x, &xs, &xz)) FAIL(LFRT_EUNSUPPORTED, "input '%s' must be int8 with per-tensor quantization", x->name);
  if (q8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "output '%s' must be int8 with per-tensor quantization", y->name);
  if (w->type != LFRT_INT8) FAIL(LFRT_EUNSUPPORTED, "weights '%s' must be int8 (hybrid models are not supported)", w->name);
  if (w->quant.count != 1 && !(w->quant.count == out_c && w->quant.axis == w_axis))
    FAIL(LFRT_EUNSUPPORTED, "weights '%s' need per-tensor or per-channel (axis %d) quantization", w->name, w_axis);
  for (int c = 0; c < w->quant.count; c++)
    if (w->quant.zero_point[c] != 0) FAIL(LFRT_EUNSUPPORTED, "weights '%s' have zero point %d (must be 0)", w->name, (int)w->quant.zero_point[c]);
  if (b && (b->type != LFRT_INT32 || b->count != out_c))
    FAIL(LFRT_EUNSUPPORTED, "bias '%s' must be int32 with %d elements", b->name, out_c);
  if (b && !b->data) FAIL(LFRT_EUNSUPPORTED, "bias '%s' must be constant", b->name);
  if (alloc_mult(it, n, out_c)) FAIL(LFRT_ENOMEM, "out of memory");
  for (int c = 0; c < out_c; c++) {
    float ws = w->quant.scale[w->quant.count == 1 ? 0 : c];
    if (lfrt_conv_scale_q8(xs, ws, ys, &n->mult[c], &n->shift[c]))
      FAIL(LFRT_EUNSUPPORTED, "requantization scale %g of channel %d out of range [0, 256)", (double)(xs * ws / ys), c);
  }
  int32_t lo, hi;
  if (lfrt_act_range_q8(act, ys, yz, &lo, &hi)) FAIL(LFRT_EUNSUPPORTED, "fused activation %d", act);
  lfrt_conv_set_quant(&n->p.conv, xz, yz, lo, hi, n->mult, n->shift);
  return LFRT_OK;
}

static lfrt_status f32_act(lfrt_interp *it, int idx, int act, float *lo, float *hi, lfrt_error *err) {
  if (lfrt_act_range_f32(act, lo, hi)) FAIL(LFRT_EUNSUPPORTED, "fused activation %d", act);
  return LFRT_OK;
}

static int is_f32(const lfrt_tensor *t) { return t->type == LFRT_FLOAT32; }

/* ---- CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV ------------------------------- */
static lfrt_status prep_conv(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  int dw = op->op == LFRT_OP_DEPTHWISE_CONV_2D, tc = op->op == LFRT_OP_TRANSPOSE_CONV;
  int xi = tc ? op->inputs[2] : op->inputs[0], wi = op->inputs[1];
  int bi = op->ninputs > (tc ? 3 : 2) ? op->inputs[tc ? 3 : 2] : -1;
  const lfrt_tensor *x = T(xi), *w = T(wi), *b = bi >= 0 ? T(bi) : NULL, *y = T(op->outputs[0]);
  char s1[64], s2[64];
  if (x->ndim != 4 || w->ndim != 4 || y->ndim != 4)
    FAIL(LFRT_EUNSUPPORTED, "input %s, weights %s and output %s must be 4-D", lfrt_shape_str(x, s1, 64), lfrt_shape_str(w, s2, 64), y->name);
  if (!w->data) FAIL(LFRT_EUNSUPPORTED, "weights '%s' must be constant", w->name);
  lfrt_conv_params *p = &n->p.conv;
  memset(p, 0, sizeof *p);
  p->batch = x->shape[0];
  p->in_h = x->shape[1];
  p->in_w = x->shape[2];
  p->in_c = x->shape[3];
  p->k_h = w->shape[1];
  p->k_w = w->shape[2];
  p->depth_multiplier = 1;
  lfrt_padding pad;
  int act;
  if (dw) {
    const lfrt_depthwise_options *o = &op->opt.depthwise;
    pad = o->padding; act = o->activation;
    p->stride_h = o->stride_h; p->stride_w = o->stride_w;
    p->dil_h = o->dilation_h; p->dil_w = o->dilation_w;
    p->out_c = w->shape[3];
    if (w->shape[0] != 1 || p->out_c % p->in_c)
      FAIL(LFRT_EUNSUPPORTED, "depthwise weights %s do not fit input channels %d", lfrt_shape_str(w, s1, 64), p->in_c);
    p->depth_multiplier = p->out_c / p->in_c;
  } else if (tc) {
    const lfrt_transpose_conv_options *o = &op->opt.transpose_conv;
    pad = o->padding; act = o->activation;
    p->stride_h = o->stride_h; p->stride_w = o->stride_w;
    p->dil_h = p->dil_w = 1;
    p->out_c = w->shape[0];
    if (w->shape[3] != p->in_c) FAIL(LFRT_EUNSUPPORTED, "weights %s do not match input channels %d", lfrt_shape_str(w, s1, 64), p->in_c);
    const lfrt_tensor *os = T(op->inputs[0]);
    if (os->type != LFRT_INT32 || os->count != 4 || !os->data)
      FAIL(LFRT_EUNSUPPORTED, "output_shape '%s' must be a constant int32[4]", os->name);
    const int32_t *shp = os->data;
    if (!same_shape(y, shp, 4) || shp[0] != p->batch || shp[3] != p->out_c)
      FAIL(LFRT_EBADFILE, "output_shape [%d,%d,%d,%d] disagrees with output %s or the weights",
           (int)shp[0], (int)shp[1], (int)shp[2], (int)shp[3], lfrt_shape_str(y, s1, 64));
  } else {
    const lfrt_conv_options *o = &op->opt.conv;
    pad = o->padding; act = o->activation;
    p->stride_h = o->stride_h; p->stride_w = o->stride_w;
    p->dil_h = o->dilation_h; p->dil_w = o->dilation_w;
    p->out_c = w->shape[0];
    if (w->shape[3] != p->in_c)
      FAIL(LFRT_EUNSUPPORTED, "weights %s do not match input channels %d (grouped conv is not supported)", lfrt_shape_str(w, s1, 64), p->in_c);
  }
  if (tc) {
    /* paddings of the forward conv that maps the output size back to the input */
    p->out_h = y->shape[1];
    p->out_w = y->shape[2];
    int ch = conv_out(pad, p->out_h, p->k_h, p->stride_h, 1, &p->pad_top);
    int cw = conv_out(pad, p->out_w, p->k_w, p->stride_w, 1, &p->pad_left);
    if (ch < 1 || cw < 1) FAIL(LFRT_EUNSUPPORTED, "output %s too small for the filter", lfrt_shape_str(y, s1, 64));
  } else {
    p->out_h = conv_out(pad, p->in_h, p->k_h, p->stride_h, p->dil_h, &p->pad_top);
    p->out_w = conv_out(pad, p->in_w, p->k_w, p->stride_w, p->dil_w, &p->pad_left);
    int32_t want[4] = {p->batch, p->out_h, p->out_w, p->out_c};
    if (p->out_h < 1 || p->out_w < 1 || !same_shape(y, want, 4))
      FAIL(LFRT_EBADFILE, "output '%s' is %s, the op gives [%d,%d,%d,%d]", y->name, lfrt_shape_str(y, s1, 64),
           (int)want[0], (int)want[1], (int)want[2], (int)want[3]);
  }
  if (b && b->count != p->out_c) FAIL(LFRT_EBADFILE, "bias '%s' has %lld elements, want %d", b->name, (long long)b->count, p->out_c);
  n->x = xi; n->w = wi; n->b = bi; n->out = op->outputs[0];
  n->work = p->batch * p->out_h;
  if (is_f32(x)) {
    if (!is_f32(w) || !is_f32(y) || (b && !is_f32(b))) FAIL(LFRT_EUNSUPPORTED, "mixed float/int tensors");
    n->kind = dw ? K_DW_F : tc ? K_TCONV_F : K_CONV_F;
    return f32_act(it, idx, act, &p->act_min_f, &p->act_max_f, err);
  }
  n->kind = dw ? K_DW_Q : tc ? K_TCONV_Q : K_CONV_Q;
  return conv_quant(it, idx, n, x, w, b, y, p->out_c, dw ? 3 : 0, act, err);
}

/* ---- FULLY_CONNECTED ------------------------------------------------------------- */
static lfrt_status prep_fc(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  int bi = op->ninputs > 2 ? op->inputs[2] : -1;
  const lfrt_tensor *x = T(op->inputs[0]), *w = T(op->inputs[1]), *b = bi >= 0 ? T(bi) : NULL, *y = T(op->outputs[0]);
  char s1[64];
  if (w->ndim != 2 || !w->data) FAIL(LFRT_EUNSUPPORTED, "weights '%s' must be a constant 2-D tensor", w->name);
  if (op->opt.fc.weights_format != 0) FAIL(LFRT_EUNSUPPORTED, "shuffled weights format");
  lfrt_fc_params *p = &n->p.fc;
  memset(p, 0, sizeof *p);
  p->out_c = w->shape[0];
  p->in_c = w->shape[1];
  if (x->count % p->in_c) FAIL(LFRT_EBADFILE, "input %s is not a multiple of %d features", lfrt_shape_str(x, s1, 64), p->in_c);
  p->batch = (int)(x->count / p->in_c);
  if (y->ndim < 1 || y->count != (int64_t)p->batch * p->out_c || y->shape[y->ndim - 1] != p->out_c)
    FAIL(LFRT_EBADFILE, "output '%s' is %s, want %d x %d elements", y->name, lfrt_shape_str(y, s1, 64), p->batch, p->out_c);
  if (b && b->count != p->out_c) FAIL(LFRT_EBADFILE, "bias '%s' has %lld elements, want %d", b->name, (long long)b->count, p->out_c);
  n->x = op->inputs[0]; n->w = op->inputs[1]; n->b = bi; n->out = op->outputs[0];
  n->work = p->batch * p->out_c;
  int act = op->opt.fc.activation;
  if (is_f32(x)) {
    if (!is_f32(w) || !is_f32(y) || (b && !is_f32(b))) FAIL(LFRT_EUNSUPPORTED, "mixed float/int tensors");
    n->kind = K_FC_F;
    return f32_act(it, idx, act, &p->act_min_f, &p->act_max_f, err);
  }
  n->kind = K_FC_Q;
  /* conv_quant fills the conv view of the params union: keep the FC fields aside */
  lfrt_fc_params fc = *p;
  lfrt_status st = conv_quant(it, idx, n, x, w, b, y, fc.out_c, 0, act, err);
  if (st) return st;
  fc.in_zp = n->p.conv.in_zp;
  fc.out_zp = n->p.conv.out_zp;
  fc.act_min = n->p.conv.act_min;
  fc.act_max = n->p.conv.act_max;
  fc.mult = n->mult;
  fc.shift = n->shift;
  n->p.fc = fc;
  return LFRT_OK;
}

/* ---- pools ------------------------------------------------------------------------ */
static lfrt_status same_q(lfrt_interp *it, int idx, const lfrt_tensor *x, const lfrt_tensor *y, lfrt_error *err) {
  float xs, ys;
  int32_t xz, yz;
  if (q8(x, &xs, &xz) || q8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "'%s' and '%s' must be int8 per-tensor", x->name, y->name);
  if (xs != ys || xz != yz)
    FAIL(LFRT_EUNSUPPORTED, "input '%s' (scale %g, zp %d) and output '%s' (scale %g, zp %d) must share quantization",
         x->name, xs, (int)xz, y->name, ys, (int)yz);
  return LFRT_OK;
}

static lfrt_status prep_pool(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *y = T(op->outputs[0]);
  const lfrt_pool_options *o = &op->opt.pool;
  char s1[64];
  if (x->ndim != 4 || x->type != y->type) FAIL(LFRT_EUNSUPPORTED, "input %s must be 4-D of the output's type", lfrt_shape_str(x, s1, 64));
  lfrt_pool_params *p = &n->p.pool;
  memset(p, 0, sizeof *p);
  p->batch = x->shape[0]; p->in_h = x->shape[1]; p->in_w = x->shape[2]; p->c = x->shape[3];
  p->k_h = o->filter_h; p->k_w = o->filter_w; p->stride_h = o->stride_h; p->stride_w = o->stride_w;
  p->out_h = conv_out(o->padding, p->in_h, p->k_h, p->stride_h, 1, &p->pad_top);
  p->out_w = conv_out(o->padding, p->in_w, p->k_w, p->stride_w, 1, &p->pad_left);
  int32_t want[4] = {p->batch, p->out_h, p->out_w, p->c};
  if (p->out_h < 1 || p->out_w < 1 || !same_shape(y, want, 4))
    FAIL(LFRT_EBADFILE, "output '%s' is %s, the op gives [%d,%d,%d,%d]", y->name, lfrt_shape_str(y, s1, 64),
         (int)want[0], (int)want[1], (int)want[2], (int)want[3]);
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->work = p->batch * p->out_h;
  int avg = op->op == LFRT_OP_AVERAGE_POOL_2D;
  if (is_f32(x)) {
    n->kind = avg ? K_AVG_F : K_MAX_F;
    return f32_act(it, idx, o->activation, &p->act_min_f, &p->act_max_f, err);
  }
  /* uint8 */
  if (x->type == LFRT_UINT8) return lfrt_qu8_prep_pool(it, idx, n, x, y, !avg, o->activation, err);
  lfrt_status st = same_q(it, idx, x, y, err);
  if (st) return st;
  n->kind = avg ? K_AVG_Q : K_MAX_Q;
  if (lfrt_act_range_q8(o->activation, y->quant.scale[0], y->quant.zero_point[0], &p->act_min, &p->act_max))
    FAIL(LFRT_EUNSUPPORTED, "fused activation %d", (int)o->activation);
  return LFRT_OK;
}

/* ---- MEAN --------------------------------------------------------------------------- */
static lfrt_status prep_mean(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *ax = T(op->inputs[1]), *y = T(op->outputs[0]);
  char s1[64];
  if (ax->type != LFRT_INT32 || !ax->data) FAIL(LFRT_EUNSUPPORTED, "axis '%s' must be a constant int32 tensor", ax->name);
  if (x->type != y->type) FAIL(LFRT_EUNSUPPORTED, "input and output types differ");
  lfrt_mean_params *p = &n->p.mean;
  memset(p, 0, sizeof *p);
  p->ndim = x->ndim;
  for (int d = 0; d < x->ndim; d++) p->shape[d] = x->shape[d];
  const int32_t *a = ax->data;
  for (int64_t k = 0; k < ax->count; k++) {
    int v = a[k] < 0 ? a[k] + x->ndim : a[k];
    if (v < 0 || v >= x->ndim) FAIL(LFRT_EBADFILE, "axis %d out of range for input %s", (int)a[k], lfrt_shape_str(x, s1, 64));
    p->reduce[v] = 1;
  }
  int32_t want[LFRT_MAX_DIMS];
  int nd = 0;
  p->n = 1;
  p->out_count = 1;
  for (int d = 0; d < x->ndim; d++) {
    if (p->reduce[d]) {
      p->n *= x->shape[d];
      if (op->opt.reducer.keep_dims) want[nd++] = 1;
    } else {
      want[nd++] = x->shape[d];
      p->out_count *= x->shape[d];
    }
  }
  if (!same_shape(y, want, nd)) FAIL(LFRT_EBADFILE, "output '%s' is %s, not the reduced shape", y->name, lfrt_shape_str(y, s1, 64));
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->work = p->out_count;
  if (is_f32(x)) {
    n->kind = K_MEAN_F;
    return LFRT_OK;
  }
  if (x->type == LFRT_UINT8) return lfrt_qu8_prep_mean(it, idx, n, x, y, err); /* uint8 */
  float xs, ys;
  int32_t xz, yz;
  if (q8(x, &xs, &xz) || q8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "input and output must be int8 per-tensor");
  n->kind = K_MEAN_Q;
  lfrt_mean_q8_scale(xs, xz, ys, yz, p->n, &p->scale, &p->zp);
  return LFRT_OK;
}

/* ---- ADD, MUL ------------------------------------------------------------------------- */
static void shape6(const lfrt_tensor *t, int s[6]) {
  for (int d = 0; d < 6; d++) s[d] = 1;
  for (int d = 0; d < t->ndim; d++) s[6 - t->ndim + d] = t->shape[d];
}

static lfrt_status prep_binary(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *a = T(op->inputs[0]), *b = T(op->inputs[1]), *y = T(op->outputs[0]);
  char s1[64], s2[64];
  lfrt_binary_params *p = &n->p.bin;
  memset(p, 0, sizeof *p);
  if (a->type != b->type || a->type != y->type) FAIL(LFRT_EUNSUPPORTED, "input and output types differ");
  shape6(a, p->shape_a);
  shape6(b, p->shape_b);
  int ys6[6];
  shape6(y, ys6);
  for (int d = 0; d < 6; d++) {
    int sa = p->shape_a[d], sb = p->shape_b[d];
    if (sa != sb && sa != 1 && sb != 1)
      FAIL(LFRT_EBADFILE, "shapes %s and %s do not broadcast", lfrt_shape_str(a, s1, 64), lfrt_shape_str(b, s2, 64));
    p->shape_out[d] = sa > sb ? sa : sb;
    if (p->shape_out[d] != ys6[d])
      FAIL(LFRT_EBADFILE, "output '%s' is %s, not the broadcast of %s and %s", y->name, lfrt_shape_str(y, s1, 64), lfrt_shape_str(a, s2, 64), b->name);
  }
  int mul = op->op == LFRT_OP_MUL;
  int act = mul || op->op == LFRT_OP_DIV ? op->opt.mul.activation
          : op->op == LFRT_OP_ADD || op->op == LFRT_OP_SUB ? op->opt.add.activation : LFRT_ACT_NONE;
  n->x = op->inputs[0]; n->w = op->inputs[1]; n->b = -1; n->out = op->outputs[0];
  n->work = (int)y->count;
  if (is_f32(a)) {
    switch (op->op) {
    case LFRT_OP_ADD: n->kind = K_ADD_F; break;
    case LFRT_OP_MUL: n->kind = K_MUL_F; break;
    case LFRT_OP_SUB: n->kind = K_SUB_F; break;
    case LFRT_OP_DIV: n->kind = K_DIV_F; break;
    case LFRT_OP_MAXIMUM: n->kind = K_MAXIMUM_F; break;
    case LFRT_OP_MINIMUM: n->kind = K_MINIMUM_F; break;
    case LFRT_OP_SQUARED_DIFFERENCE: n->kind = K_SQDIFF_F; break;
    default: n->kind = K_PRELU_F; break;
    }
    return f32_act(it, idx, act, &p->act_min_f, &p->act_max_f, err);
  }
  if (a->type == LFRT_INT32 && (op->op == LFRT_OP_ADD || op->op == LFRT_OP_SUB || mul)) /* movenet */
    return lfrt_prep_binary_s32(it, idx, act, err);
  if (a->type == LFRT_UINT8) return lfrt_qu8_prep_binary(it, idx, n, a, b, y, mul, act, err); /* uint8 */
  if (op->op == LFRT_OP_SQUARED_DIFFERENCE || op->op == LFRT_OP_PRELU) /* batch matmul etc. */
    return lfrt_prep_binary_q8_bmm(it, idx, err);
  if (op->op != LFRT_OP_ADD && !mul) return lfrt_prep_binary_q8_math(it, idx, err); /* math ops (issue 11) */
  float as, bs, ys;
  if (q8(a, &as, &p->a_zp) || q8(b, &bs, &p->b_zp) || q8(y, &ys, &p->out_zp))
    FAIL(LFRT_EUNSUPPORTED, "inputs and output must be int8 per-tensor");
  if (lfrt_act_range_q8(act, ys, p->out_zp, &p->act_min, &p->act_max)) FAIL(LFRT_EUNSUPPORTED, "fused activation %d", act);
  int form = lfrt_binary_q8_params(mul, as, bs, ys, p);
  if (form < 0)
    FAIL(LFRT_EUNSUPPORTED, mul ? "product scale ratio %g out of range" : "input/output scale ratios %g, %g out of range",
         (double)(mul ? as * bs / ys : as / ys), (double)(bs / ys));
  n->kind = mul ? (form ? K_MUL_TFL_Q : K_MUL_Q) : (form ? K_ADD_TFL_Q : K_ADD_Q);
  return LFRT_OK;
}

/* ---- CONCATENATION ----------------------------------------------------------------- */
static lfrt_status prep_concat(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *y = T(op->outputs[0]);
  char s1[64], s2[64];
  int axis = op->opt.concat.axis;
  if (axis < 0) axis += y->ndim;
  if (axis < 0 || axis >= y->ndim) FAIL(LFRT_EBADFILE, "axis %d out of range for output %s", op->opt.concat.axis, lfrt_shape_str(y, s1, 64));
  if (op->opt.concat.activation != LFRT_ACT_NONE) FAIL(LFRT_EUNSUPPORTED, "fused activation on CONCATENATION");
  size_t es = lfrt_type_size(y->type);
  if (!es) FAIL(LFRT_EUNSUPPORTED, "type %s", lfrt_type_name(y->type));
  n->nin = op->ninputs;
  n->in_tensors = calloc((size_t)n->nin, sizeof(int));
  n->inner_bytes = calloc((size_t)n->nin, sizeof(size_t));
  n->in_ptrs = calloc((size_t)n->nin, sizeof(void *));
  if (!n->in_tensors || !n->inner_bytes || !n->in_ptrs) FAIL(LFRT_ENOMEM, "out of memory");
  it->state_bytes += (size_t)n->nin * (sizeof(int) + sizeof(size_t) + sizeof(void *));
  int outer = 1;
  size_t inner = es;
  for (int d = 0; d < axis; d++) outer *= y->shape[d];
  for (int d = axis + 1; d < y->ndim; d++) inner *= (size_t)y->shape[d];
  int64_t sum = 0;
  for (int i = 0; i < n->nin; i++) {
    const lfrt_tensor *x = T(op->inputs[i]);
    if (x->type != y->type || x->ndim != y->ndim) FAIL(LFRT_EBADFILE, "input %d '%s' %s does not match output %s", i, x->name, lfrt_shape_str(x, s1, 64), lfrt_shape_str(y, s2, 64));
    for (int d = 0; d < y->ndim; d++)
      if (d != axis && x->shape[d] != y->shape[d]) FAIL(LFRT_EBADFILE, "input %d '%s' %s does not match output %s", i, x->name, lfrt_shape_str(x, s1, 64), lfrt_shape_str(y, s2, 64));
    if (y->type == LFRT_INT8 || y->type == LFRT_UINT8) { /* uint8 too */
      lfrt_status st = y->type == LFRT_UINT8 ? lfrt_qu8_prep_concat_input(it, idx, n, i, x, y, err) /* pose / uint8 */
                                             : same_q(it, idx, x, y, err);
      if (st) return st;
    }
    sum += x->shape[axis];
    n->in_tensors[i] = op->inputs[i];
    n->inner_bytes[i] = inner * (size_t)x->shape[axis];
  }
  if (sum != y->shape[axis]) FAIL(LFRT_EBADFILE, "inputs give %lld along axis %d, output has %d", (long long)sum, axis, (int)y->shape[axis]);
  lfrt_concat_params *p = &n->p.concat;
  p->n_in = n->nin;
  p->outer = outer;
  p->inner_bytes = n->inner_bytes;
  p->out_inner_bytes = inner * (size_t)y->shape[axis];
  p->lut = n->u8_rows; /* pose / uint8: NULL unless an input requantizes */
  n->kind = K_CONCAT;
  n->x = n->w = n->b = -1;
  n->out = op->outputs[0];
  n->work = outer;
  return LFRT_OK;
}

/* ---- PAD ---------------------------------------------------------------------------- */
static lfrt_status prep_pad(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *pd = T(op->inputs[1]), *y = T(op->outputs[0]);
  char s1[64];
  if (!pd->data || (pd->type != LFRT_INT32 && pd->type != LFRT_INT64) || pd->count != 2 * x->ndim)
    FAIL(LFRT_EUNSUPPORTED, "paddings '%s' must be a constant int32/int64 [%d,2]", pd->name, x->ndim);
  if (x->type != y->type || x->ndim != y->ndim) FAIL(LFRT_EBADFILE, "input and output types/ranks differ");
  lfrt_pad_params *p = &n->p.pad;
  memset(p, 0, sizeof *p);
  p->ndim = x->ndim;
  p->elem_size = (int)lfrt_type_size(x->type);
  if (p->elem_size != 1 && p->elem_size != 4) FAIL(LFRT_EUNSUPPORTED, "type %s", lfrt_type_name(x->type));
  for (int d = 0; d < x->ndim; d++) {
    int64_t lo, hi;
    if (pd->type == LFRT_INT32) {
      lo = ((const int32_t *)pd->data)[2 * d];
      hi = ((const int32_t *)pd->data)[2 * d + 1];
    } else {
      lo = ((const int64_t *)pd->data)[2 * d];
      hi = ((const int64_t *)pd->data)[2 * d + 1];
    }
    if (lo < 0 || hi < 0 || x->shape[d] + lo + hi != y->shape[d])
      FAIL(LFRT_EBADFILE, "padding (%lld,%lld) of dim %d does not give output %s", (long long)lo, (long long)hi, d, lfrt_shape_str(y, s1, 64));
    p->in_shape[d] = x->shape[d];
    p->out_shape[d] = y->shape[d];
    p->before[d] = (int)lo;
  }
  if (x->type == LFRT_INT8) {
    lfrt_status st = same_q(it, idx, x, y, err);
    if (st) return st;
    p->value = (uint32_t)(uint8_t)(int8_t)y->quant.zero_point[0];
  } else if (x->type == LFRT_UINT8 && y->quant.count) {
    p->value = (uint32_t)(uint8_t)y->quant.zero_point[0];
  }
  if (op->op == LFRT_OP_PADV2 && op->ninputs > 2 && op->inputs[2] >= 0) { /* shape ops: PADV2's fill value */
    const lfrt_tensor *cv = T(op->inputs[2]);
    if (!cv->data || cv->type != x->type || cv->count != 1)
      FAIL(LFRT_EUNSUPPORTED, "constant_values '%s' must be a constant %s with one element", cv->name, lfrt_type_name(x->type));
    if ((x->type == LFRT_INT8 || x->type == LFRT_UINT8) && cv->quant.count &&
        (!y->quant.count || cv->quant.scale[0] != y->quant.scale[0] || cv->quant.zero_point[0] != y->quant.zero_point[0]))
      FAIL(LFRT_EUNSUPPORTED, "constant_values '%s' must have the output's quantization", cv->name);
    p->value = 0;
    memcpy(&p->value, cv->data, (size_t)p->elem_size); /* low bytes, as the kernel reads them (little-endian) */
  }
  n->kind = K_PAD;
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->work = (int)y->count;
  return LFRT_OK;
}

/* ---- RESIZE_* ------------------------------------------------------------------------- */
static lfrt_status prep_resize(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *sz = T(op->inputs[1]), *y = T(op->outputs[0]);
  char s1[64];
  if (!sz->data || sz->type != LFRT_INT32 || sz->count != 2) FAIL(LFRT_EUNSUPPORTED, "size '%s' must be a constant int32[2]", sz->name);
  if (x->ndim != 4 || x->type != y->type) FAIL(LFRT_EUNSUPPORTED, "input %s must be 4-D of the output's type", lfrt_shape_str(x, s1, 64));
  const int32_t *s = sz->data;
  int32_t want[4] = {x->shape[0], s[0], s[1], x->shape[3]};
  if (!same_shape(y, want, 4)) FAIL(LFRT_EBADFILE, "output '%s' is %s, size gives %dx%d", y->name, lfrt_shape_str(y, s1, 64), (int)s[0], (int)s[1]);
  lfrt_resize_params *p = &n->p.resize;
  p->batch = x->shape[0]; p->in_h = x->shape[1]; p->in_w = x->shape[2]; p->c = x->shape[3];
  p->out_h = s[0]; p->out_w = s[1];
  p->align_corners = op->opt.resize.align_corners;
  p->half_pixel_centers = op->opt.resize.half_pixel_centers;
  if (p->align_corners && p->half_pixel_centers) FAIL(LFRT_EUNSUPPORTED, "align_corners and half_pixel_centers together");
  int nn = op->op == LFRT_OP_RESIZE_NEAREST_NEIGHBOR;
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->work = p->batch * p->out_h;
  if (is_f32(x)) {
    n->kind = nn ? K_RNN_F : K_RBL_F;
    return LFRT_OK;
  }
  lfrt_status st = x->type == LFRT_UINT8 ? lfrt_qu8_same_q(it, idx, x, y, err) : same_q(it, idx, x, y, err); /* uint8 */
  if (st) return st;
  n->kind = nn ? K_RNN_Q : K_RBL11_Q;
  if (!nn) {
    /* LiteRT runs int8 bilinear through XNNPACK: 11-bit weights, coordinates in float */
    n->tab = calloc((size_t)3 * (p->out_h + p->out_w), sizeof(int32_t));
    if (!n->tab) FAIL(LFRT_ENOMEM, "out of memory");
    it->state_bytes += (size_t)3 * (p->out_h + p->out_w) * sizeof(int32_t);
    lfrt_resize_q11_table(p->in_h, p->out_h, p->align_corners, p->half_pixel_centers, n->tab);
    lfrt_resize_q11_table(p->in_w, p->out_w, p->align_corners, p->half_pixel_centers, n->tab + 3 * p->out_h);
    p->tab_y = n->tab;
    p->tab_x = n->tab + 3 * p->out_h;
    if (x->type == LFRT_UINT8) { /* uint8: the same tables, unsigned values */
      n->kind = K_U8;
      n->u8op = U8_RBL;
    }
  }
  return LFRT_OK;
}

/* ---- unary ops ----------------------------------------------------------------------------- */
/* lut[q] = clamp(out_zp + requant(q - in_zp), lo, hi), multiplier in/out scale,
 * TFLite's builtin arithmetic (RELU, RELU6). */
static lfrt_status requant_lut(lfrt_interp *it, int idx, lfrt_node *n, float xs, int32_t xz, float ys, int32_t yz,
                               int32_t lo, int32_t hi, lfrt_error *err) {
  if (lfrt_requant_lut_q8(xs, xz, ys, yz, lo, hi, n->lut)) FAIL(LFRT_EUNSUPPORTED, "scale ratio out of range");
  return LFRT_OK;
}

/* Any mix of int8/uint8 in and out (raw-byte table), TFLite's builtin requantize. */
static lfrt_status requant_lut_x8(lfrt_interp *it, int idx, lfrt_node *n, int xu, float xs, int32_t xz, int yu, float ys,
                                  int32_t yz, lfrt_error *err) {
  int32_t mult;
  int sh;
  if (lfrt_quantize_multiplier((double)xs / (double)ys, &mult, &sh)) FAIL(LFRT_EUNSUPPORTED, "scale ratio out of range");
  int32_t lo = yu ? 0 : -128, hi = yu ? 255 : 127;
  for (int b = 0; b < 256; b++) {
    int32_t v = xu ? b : (int32_t)(int8_t)(uint8_t)b;
    int32_t q = lfrt_clamp_i32(yz + lfrt_mul_q31_tfl(v - xz, mult, sh), lo, hi);
    n->lut[b] = (int8_t)(uint8_t)(q & 0xff);
  }
  return LFRT_OK;
}

/* int8 -> int8 QUANTIZE as XNNPACK's qs8 convert: an 8-bit fixed-point
 * multiplier round(256 * in_scale / out_scale) and an arithmetic shift by 8. */
static lfrt_status convert_lut(lfrt_interp *it, int idx, lfrt_node *n, float xs, int32_t xz, float ys, int32_t yz,
                               lfrt_error *err) {
  volatile float r = xs / ys;
  if (!(r >= 0x1.0p-8f && r <= 0x1.0p+7f)) /* XNNPACK declines: TFLite's builtin requantize */
    return requant_lut(it, idx, n, xs, xz, ys, yz, -128, 127, err);
  int32_t mult = (int32_t)lrintf(256.0f * r);
  int32_t bias = yz * 256 - mult * xz + 0x80;
  for (int v = -128; v < 128; v++) {
    int32_t q = (bias + v * mult) >> 8;
    n->lut[(uint8_t)(int8_t)v] = (int8_t)lfrt_clamp_i32(q, -128, 127);
  }
  return LFRT_OK;
}

static lfrt_status prep_unary(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *y = T(op->outputs[0]);
  char s1[64], s2[64];
  if (x->count != y->count) FAIL(LFRT_EBADFILE, "input %s and output %s sizes differ", lfrt_shape_str(x, s1, 64), lfrt_shape_str(y, s2, 64));
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->work = (int)y->count;
  lfrt_unary_params *p = &n->p.un;
  memset(p, 0, sizeof *p);
  float xs = 0, ys = 0;
  int32_t xz = 0, yz = 0;
  int xq = x->type == LFRT_INT8 && !q8(x, &xs, &xz), yq = y->type == LFRT_INT8 && !q8(y, &ys, &yz);
  if ((x->type == LFRT_INT8 && !xq) || (y->type == LFRT_INT8 && !yq))
    FAIL(LFRT_EUNSUPPORTED, "int8 tensors need per-tensor quantization");
  /* uint8 tensors (e.g. an edgetpu-style uint8 model interface) for QUANTIZE/DEQUANTIZE */
  int xu = x->type == LFRT_UINT8 && x->quant.count == 1, yu = y->type == LFRT_UINT8 && y->quant.count == 1;
  if (xu) { xs = x->quant.scale[0]; xz = x->quant.zero_point[0]; }
  if (yu) { ys = y->quant.scale[0]; yz = y->quant.zero_point[0]; }
  /* uint8 */
  if (xu && yu && (op->op == LFRT_OP_LOGISTIC || op->op == LFRT_OP_RELU || op->op == LFRT_OP_RELU6 || op->op == LFRT_OP_QUANTIZE))
    return lfrt_qu8_prep_lut(it, idx, n, x, y, err);
  switch (op->op) {
  case LFRT_OP_QUANTIZE:
    if (is_f32(x) && (yq || yu)) {
      n->kind = K_QUANTIZE_F;
      volatile float inv = 1.0f / ys;
      p->scale = inv;
      p->zp = yz;
      p->lo = yu ? 0.0f : -128.0f;
      p->hi = yu ? 255.0f : 127.0f;
      return LFRT_OK;
    }
    if (xq && yq) {
      n->kind = K_LUT_Q;
      return convert_lut(it, idx, n, xs, xz, ys, yz, err);
    }
    if ((xq || xu) && (yq || yu)) { /* uint8 <-> int8: TFLite's builtin requantize */
      n->kind = K_LUT_Q;
      return requant_lut_x8(it, idx, n, xu, xs, xz, yu, ys, yz, err);
    }
    break;
  case LFRT_OP_DEQUANTIZE:
    if (y->folded) { /* FLOAT16 constant -> FLOAT32, computed at load (tflite_fold.c) */
      n->kind = K_FOLDED;
      n->x = n->out = -1;
      n->work = 0;
      return LFRT_OK;
    }
    if (x->type == LFRT_FLOAT16)
      FAIL(LFRT_EUNSUPPORTED, "FLOAT16 input '%s' is not a constant (fp16 weights are folded at load; fp16 activations are not supported)", x->name);
    if ((xq || xu) && is_f32(y)) {
      n->kind = K_DEQUANTIZE;
      p->scale = xs;
      p->zp = xz;
      p->u8 = xu;
      return LFRT_OK;
    }
    break;
  case LFRT_OP_RELU:
  case LFRT_OP_RELU6:
  case LFRT_OP_RELU_N1_TO_1: {
    int act = op->op == LFRT_OP_RELU ? LFRT_ACT_RELU : op->op == LFRT_OP_RELU6 ? LFRT_ACT_RELU6 : LFRT_ACT_RELU_N1_TO_1;
    if (is_f32(x) && is_f32(y)) {
      n->kind = K_CLAMP_F;
      lfrt_act_range_f32(act, &p->lo, &p->hi);
      return LFRT_OK;
    }
    if (xq && yq) {
      int32_t lo, hi;
      lfrt_act_range_q8(act, ys, yz, &lo, &hi);
      n->kind = K_LUT_Q;
      return requant_lut(it, idx, n, xs, xz, ys, yz, lo, hi, err);
    }
    break;
  }
  case LFRT_OP_TANH: case LFRT_OP_EXP: case LFRT_OP_RSQRT: case LFRT_OP_LEAKY_RELU: case LFRT_OP_HARD_SWISH:
    if (xq && yq) { /* math ops (issue 11): int8 as a table in LiteRT's arithmetic */
      n->kind = K_LUT_Q;
      if (lfrt_prep_math_lut_q8(op->op, xs, xz, ys, yz, op->opt.leaky_relu.alpha, n->lut))
        FAIL(LFRT_EUNSUPPORTED, "int8 scales (in %g, out %g%s) outside what LiteRT computes for this op", (double)xs, (double)ys,
             op->op == LFRT_OP_HARD_SWISH ? ": out/in scale must be >= 1/128" : op->op == LFRT_OP_LEAKY_RELU ? ", or alpha < 0" : "");
      return LFRT_OK;
    }
    if (!is_f32(x) || !is_f32(y)) FAIL(LFRT_EUNSUPPORTED, "%s -> %s: only FLOAT32 and int8 (per-tensor) are supported for this op", lfrt_type_name(x->type), lfrt_type_name(y->type));
    n->kind = op->op == LFRT_OP_TANH ? K_TANH_F : op->op == LFRT_OP_EXP ? K_EXP_F : op->op == LFRT_OP_RSQRT ? K_RSQRT_F
            : op->op == LFRT_OP_LEAKY_RELU ? K_LRELU_F : K_HSWISH_F;
    p->scale = op->opt.leaky_relu.alpha;
    return LFRT_OK;
  case LFRT_OP_LOGISTIC:
    if (is_f32(x) && is_f32(y)) {
      n->kind = K_LOGISTIC_F;
      return LFRT_OK;
    }
    if (xq && yq) {
      n->kind = K_LUT_Q;
      lfrt_logistic_lut_q8(xs, xz, ys, yz, n->lut);
      return LFRT_OK;
    }
    break;
  default:
    break;
  }
  FAIL(LFRT_EUNSUPPORTED, "%s -> %s is not supported", lfrt_type_name(x->type), lfrt_type_name(y->type));
}

static lfrt_status prep_softmax(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *y = T(op->outputs[0]);
  char s1[64];
  if (x->ndim < 1 || !same_shape(y, x->shape, x->ndim)) FAIL(LFRT_EBADFILE, "output '%s' %s must have the input's shape", y->name, lfrt_shape_str(y, s1, 64));
  lfrt_softmax_params *p = &n->p.softmax;
  memset(p, 0, sizeof *p);
  p->depth = x->shape[x->ndim - 1];
  p->rows = (int)(x->count / p->depth);
  p->beta = op->opt.softmax.beta;
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->work = p->rows;
  if (is_f32(x) && is_f32(y)) {
    n->kind = K_SOFTMAX_F;
    return LFRT_OK;
  }
  if (x->type == LFRT_UINT8) return lfrt_qu8_prep_softmax(it, idx, n, x, y, err); /* uint8 */
  float xs, ys;
  int32_t xz, yz;
  if (q8(x, &xs, &xz) || q8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "input and output must be int8 per-tensor or float32");
  if (ys != 1.0f / 256 || yz != -128) FAIL(LFRT_EUNSUPPORTED, "int8 output must have scale 1/256 and zero point -128");
  n->exp_lut = calloc(256, sizeof(float));
  if (!n->exp_lut) FAIL(LFRT_ENOMEM, "out of memory");
  it->state_bytes += 256 * sizeof(float);
  float sc = -xs * p->beta;
  for (int v = 0; v <= 255; v++) n->exp_lut[255 - v] = expf(sc * (float)v);
  p->exp_lut = n->exp_lut;
  p->out_scale = ys;
  p->out_zp = yz;
  n->kind = K_SOFTMAX_Q;
  return LFRT_OK;
}

static lfrt_status prep_reshape(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *y = T(op->outputs[0]);
  if (x->type != y->type || x->bytes != y->bytes) FAIL(LFRT_EBADFILE, "input '%s' and output '%s' differ in type or size", x->name, y->name);
  if (x->type == LFRT_INT8) {
    lfrt_status st = same_q(it, idx, x, y, err);
    if (st) return st;
  }
  n->kind = K_COPY;
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->copy_bytes = x->bytes;
  n->work = 1;
  return LFRT_OK;
}

lfrt_status lfrt_interp_prepare_node(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  for (int k = 0; k < op->ninputs; k++)
    if (op->inputs[k] < -1 || op->inputs[k] >= it->m->ntensors) FAIL(LFRT_EBADFILE, "input %d out of range", k);
  if (op->noutputs < 1) FAIL(LFRT_EBADFILE, "no output");
  n->x = n->w = n->b = n->out = -1;
  switch (op->op) {
  case LFRT_OP_CONV_2D:
  case LFRT_OP_DEPTHWISE_CONV_2D:
  case LFRT_OP_TRANSPOSE_CONV: return prep_conv(it, idx, n, err);
  case LFRT_OP_FULLY_CONNECTED: return prep_fc(it, idx, n, err);
  case LFRT_OP_AVERAGE_POOL_2D:
  case LFRT_OP_MAX_POOL_2D: return prep_pool(it, idx, n, err);
  case LFRT_OP_MEAN: return prep_mean(it, idx, n, err);
  case LFRT_OP_ADD:
  case LFRT_OP_MUL:
  case LFRT_OP_SUB:
  case LFRT_OP_DIV:
  case LFRT_OP_MAXIMUM:
  case LFRT_OP_MINIMUM:
  case LFRT_OP_SQUARED_DIFFERENCE:
  case LFRT_OP_PRELU: return prep_binary(it, idx, n, err);
  case LFRT_OP_CONCATENATION: return prep_concat(it, idx, n, err);
  case LFRT_OP_PAD: return prep_pad(it, idx, n, err);
  case LFRT_OP_RESHAPE: return prep_reshape(it, idx, n, err);
  case LFRT_OP_RESIZE_BILINEAR:
  case LFRT_OP_RESIZE_NEAREST_NEIGHBOR: return prep_resize(it, idx, n, err);
  case LFRT_OP_SOFTMAX: return prep_softmax(it, idx, n, err);
  case LFRT_OP_LOGISTIC:
  case LFRT_OP_RELU:
  case LFRT_OP_RELU6:
  case LFRT_OP_QUANTIZE:
  case LFRT_OP_DEQUANTIZE:
  case LFRT_OP_TANH:
  case LFRT_OP_EXP:
  case LFRT_OP_RSQRT:
  case LFRT_OP_LEAKY_RELU:
  case LFRT_OP_HARD_SWISH: return prep_unary(it, idx, n, err);
  /* shape ops */
  case LFRT_OP_TRANSPOSE:
  case LFRT_OP_SLICE:
  case LFRT_OP_STRIDED_SLICE:
  case LFRT_OP_SPLIT:
  case LFRT_OP_SPLIT_V:
  case LFRT_OP_PACK:
  case LFRT_OP_UNPACK:
  case LFRT_OP_GATHER:
  case LFRT_OP_DEPTH_TO_SPACE:
  case LFRT_OP_SPACE_TO_DEPTH:
  case LFRT_OP_TILE: /* coral */ return lfrt_prep_shape_op(it, idx, n, err);
  case LFRT_OP_PADV2: return prep_pad(it, idx, n, err);
  case LFRT_OP_RELU_N1_TO_1: return prep_unary(it, idx, n, err);
  /* custom ops and DENSIFY (mediapipe) */
  case LFRT_OP_CUSTOM: return lfrt_prepare_custom(it, idx, err);
  case LFRT_OP_DENSIFY:
    if (!T(op->outputs[0])->folded) FAIL(LFRT_EUNSUPPORTED, "the input must be a sparse constant (densified at load)");
    n->kind = K_FOLDED;
    n->work = 0;
    return LFRT_OK;
  /* math ops (issue 11) */
  case LFRT_OP_ARG_MAX:
  case LFRT_OP_ARG_MIN: return lfrt_prep_arg_minmax(it, idx, err);
  case LFRT_OP_L2_NORMALIZATION: return lfrt_prep_l2norm(it, idx, err);
  /* batch matmul etc. */
  case LFRT_OP_BATCH_MATMUL: return lfrt_prep_batch_matmul(it, idx, err);
  /* movenet */
  case LFRT_OP_CAST: return lfrt_prep_cast(it, idx, err);
  case LFRT_OP_FLOOR_DIV: return lfrt_prep_floor_div(it, idx, err);
  case LFRT_OP_GATHER_ND: return lfrt_prep_gather_nd(it, idx, err);
  case LFRT_OP_SQRT: return lfrt_prep_sqrt(it, idx, err);
  }
  FAIL(LFRT_EUNSUPPORTED, "op %d is not supported", (int)op->op);
}

void lfrt_interp_free_node(lfrt_node *n) {
  free(n->mult);
  free(n->shift);
  free(n->exp_lut);
  free(n->tab);
  free(n->in_tensors);
  free(n->inner_bytes);
  free((void *)n->in_ptrs);
  free(n->packed);
  free(n->scale_f);
  free(n->w_copy);
  free(n->b_copy);
  free(n->moves); /* shape ops */
  free(n->move_io);
  free(n->u8_lut); /* pose / uint8 */
  free((void *)n->u8_rows);
}
