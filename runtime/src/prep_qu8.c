/* Prepare and dispatch of uint8 nodes (legacy TOCO / Edge TPU quantization):
 * see interp_qu8.h. The arithmetic is LiteRT's for uint8, checked op by op
 * against LiteRT (tests/test_oracle_ops.sh, the *_u8_* cases). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "interp_qu8.h"

#define T(i) (&it->m->tensors[(i)])

static lfrt_status u8_error(lfrt_interp *it, int idx, lfrt_error *err, lfrt_status st, const char *fmt, ...) {
  char buf[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  const char *name = lfrt_op_name((int)it->m->ops[idx].op);
  return lfrt_set_error(err, st, "%s: node %d (%s): %s", it->m->source_name, idx, name ? name : "?", buf);
}
#define FAIL(st, ...) return u8_error(it, idx, err, st, __VA_ARGS__)

/* per-tensor uint8 quantization */
static int qu8(const lfrt_tensor *t, float *scale, int32_t *zp) {
  if (t->type != LFRT_UINT8 || t->quant.count != 1) return -1;
  *scale = t->quant.scale[0];
  *zp = t->quant.zero_point[0];
  return 0;
}

/* uint8 range of a fused activation: the int8 range of the same real values, + 128 */
static int act_range_u8(int act, float scale, int32_t zp, int32_t *lo, int32_t *hi) {
  if (lfrt_act_range_q8(act, scale, zp - 128, lo, hi)) return -1;
  *lo += 128;
  *hi += 128;
  return 0;
}

lfrt_status lfrt_qu8_prep_conv(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x,
                               const lfrt_tensor *w, const lfrt_tensor *b, const lfrt_tensor *y,
                               int act, lfrt_error *err) {
  float xs, ws, ys;
  int32_t xz, wz, yz;
  int op = n->kind == K_CONV_Q ? U8_CONV : n->kind == K_DW_Q ? U8_DW : n->kind == K_FC_Q ? U8_FC
         : n->kind == K_TCONV_Q ? U8_TCONV /* pose / uint8 */ : -1;
  if (op < 0) FAIL(LFRT_EUNSUPPORTED, "uint8 input '%s': only CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED take uint8 weights", x->name);
  if (qu8(x, &xs, &xz)) FAIL(LFRT_EUNSUPPORTED, "input '%s' must be uint8 with per-tensor quantization", x->name);
  if (qu8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "output '%s' must be uint8 (as the input) with per-tensor quantization", y->name);
  if (qu8(w, &ws, &wz)) FAIL(LFRT_EUNSUPPORTED, "weights '%s' must be uint8 with per-tensor quantization (uint8 models have no per-channel weights)", w->name);
  int out_c = op == U8_FC ? (int)w->shape[0] : n->p.conv.out_c;
  if (b && (b->type != LFRT_INT32 || b->count != out_c || !b->data))
    FAIL(LFRT_EUNSUPPORTED, "bias '%s' must be a constant int32 with %d elements", b->name, out_c);
  if (!(xs > 0) || !(ws > 0) || !(ys > 0)) FAIL(LFRT_EUNSUPPORTED, "scales must be positive");
  n->mult = calloc(1, sizeof(int32_t));
  n->shift = calloc(1, sizeof(int32_t));
  if (!n->mult || !n->shift) FAIL(LFRT_ENOMEM, "out of memory");
  it->state_bytes += 2 * sizeof(int32_t);
  /* XNNPACK's float scale fl(fl(in_s * w_s) / out_s), rounded once */
  volatile float t = xs * ws;
  volatile float s = t / ys;
  n->u8_mode = LFRT_QU8_FP32;
  if (!(s < 256.0f)) FAIL(LFRT_EUNSUPPORTED, "requantization scale %g out of range (>= 256)", (double)s);
  lfrt_fp32_scale_split(s, &n->mult[0], &n->shift[0]);
  int32_t lo, hi;
  if (act_range_u8(act, ys, yz, &lo, &hi)) FAIL(LFRT_EUNSUPPORTED, "fused activation %d", act);
  lfrt_conv_set_quant(&n->p.conv, xz, yz, lo, hi, n->mult, n->shift);
  n->u8_wzp = wz;
  n->u8op = op;
  n->kind = K_U8;
  return LFRT_OK;
}

lfrt_status lfrt_qu8_same_q(lfrt_interp *it, int idx, const lfrt_tensor *x, const lfrt_tensor *y, lfrt_error *err) {
  float xs, ys;
  int32_t xz, yz;
  if (qu8(x, &xs, &xz) || qu8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "'%s' and '%s' must be uint8 per-tensor", x->name, y->name);
  if (xs != ys || xz != yz)
    FAIL(LFRT_EUNSUPPORTED, "input '%s' (scale %g, zp %d) and output '%s' (scale %g, zp %d) must share quantization",
         x->name, xs, (int)xz, y->name, ys, (int)yz);
  return LFRT_OK;
}

/* pose / uint8: TFLite's ConcatenationWithScaling, as a table per input:
 * out = clamp(round(v * s + (-zp_in * s)) + zp_out), s = in_s * (1 / out_s) in
 * float, round half away from zero; an input quantized like the output is copied. */
lfrt_status lfrt_qu8_prep_concat_input(lfrt_interp *it, int idx, lfrt_node *n, int i, const lfrt_tensor *x,
                                       const lfrt_tensor *y, lfrt_error *err) {
  float xs, ys;
  int32_t xz, yz;
  if (qu8(x, &xs, &xz) || qu8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "'%s' and '%s' must be uint8 per-tensor", x->name, y->name);
  if (xs == ys && xz == yz) return LFRT_OK;
  if (!(xs > 0) || !(ys > 0) || !isfinite(xs / ys)) FAIL(LFRT_EUNSUPPORTED, "input '%s' scale %g, output scale %g", x->name, xs, ys);
  if (!n->u8_lut) {
    n->u8_lut = calloc((size_t)n->nin, 256);
    n->u8_rows = calloc((size_t)n->nin, sizeof *n->u8_rows);
    if (!n->u8_lut || !n->u8_rows) FAIL(LFRT_ENOMEM, "out of memory");
    it->state_bytes += (size_t)n->nin * (256 + sizeof *n->u8_rows);
  }
  uint8_t *t = n->u8_lut + (size_t)i * 256;
  volatile float inv = 1.0f / ys;
  volatile float s = xs * inv;
  volatile float bias = (float)-xz * s;
  /* finite scales can still give an infinite ratio (a subnormal output scale) */
  if (!isfinite(s) || !isfinite(bias))
    FAIL(LFRT_EUNSUPPORTED, "input '%s' scale %g over output scale %g is out of range", x->name, xs, ys);
  for (int v = 0; v < 256; v++) {
    volatile float prod = (float)v * s; /* two roundings, as TFLite (no fused multiply-add) */
    volatile float sum = prod + bias;
    float r = roundf(sum);
    int32_t q = r > 1e6f ? 1000000 : r < -1e6f ? -1000000 : (int32_t)r;
    t[v] = (uint8_t)lfrt_clamp_i32(q + yz, 0, 255);
  }
  n->u8_rows[i] = t;
  return LFRT_OK;
}

lfrt_status lfrt_qu8_prep_pool(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                               int is_max, int act, lfrt_error *err) {
  lfrt_status st = lfrt_qu8_same_q(it, idx, x, y, err);
  if (st) return st;
  if (act_range_u8(act, y->quant.scale[0], y->quant.zero_point[0], &n->p.pool.act_min, &n->p.pool.act_max))
    FAIL(LFRT_EUNSUPPORTED, "fused activation %d", act);
  n->u8op = is_max ? U8_MAX : U8_AVG;
  n->kind = K_U8;
  return LFRT_OK;
}

lfrt_status lfrt_qu8_prep_mean(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                               lfrt_error *err) {
  float xs, ys;
  int32_t xz, yz;
  if (qu8(x, &xs, &xz) || qu8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "input and output must be uint8 per-tensor");
  lfrt_mean_q8_scale(xs, xz, ys, yz, n->p.mean.n, &n->p.mean.scale, &n->p.mean.zp);
  n->u8op = U8_MEAN;
  n->kind = K_U8;
  return LFRT_OK;
}

lfrt_status lfrt_qu8_prep_binary(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *a, const lfrt_tensor *b,
                                 const lfrt_tensor *y, int mul, int act, lfrt_error *err) {
  lfrt_binary_params *p = &n->p.bin;
  float as, bs, ys;
  if (it->m->ops[idx].op != LFRT_OP_ADD && !mul) FAIL(LFRT_EUNSUPPORTED, "UINT8 inputs: only ADD and MUL take uint8 here");
  if (qu8(a, &as, &p->a_zp) || qu8(b, &bs, &p->b_zp) || qu8(y, &ys, &p->out_zp))
    FAIL(LFRT_EUNSUPPORTED, "inputs and output must be uint8 per-tensor");
  if (act_range_u8(act, ys, p->out_zp, &p->act_min, &p->act_max)) FAIL(LFRT_EUNSUPPORTED, "fused activation %d", act);
  int form = lfrt_binary_q8_params(mul, as, bs, ys, p);
  if (form < 0 && mul) { /* coral: a multiplier beyond 2^31 (output scale ~1e-35), as LiteRT's builtin MUL */
    int e;
    if (lfrt_quantize_multiplier_wide((double)as * (double)bs / (double)ys, &p->out_mult, &e) == 0) {
      p->out_shift = e;
      form = LFRT_QU8_TFL;
    }
  }
  if (form < 0)
    FAIL(LFRT_EUNSUPPORTED, "scale ratios out of range (inputs %g, %g, output %g)", (double)as, (double)bs, (double)ys);
  n->u8_mode = form;
  n->u8op = mul ? U8_MUL : U8_ADD;
  n->kind = K_U8;
  return LFRT_OK;
}

lfrt_status lfrt_qu8_prep_softmax(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                                  lfrt_error *err) {
  float xs, ys;
  int32_t xz, yz;
  lfrt_softmax_params *p = &n->p.softmax;
  if (qu8(x, &xs, &xz) || qu8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "input and output must be uint8 per-tensor");
  if (ys != 1.0f / 256 || yz != 0) FAIL(LFRT_EUNSUPPORTED, "uint8 output must have scale 1/256 and zero point 0");
  n->exp_lut = calloc(256, sizeof(float));
  if (!n->exp_lut) FAIL(LFRT_ENOMEM, "out of memory");
  it->state_bytes += 256 * sizeof(float);
  float sc = -xs * p->beta;
  for (int v = 0; v <= 255; v++) n->exp_lut[255 - v] = expf(sc * (float)v);
  p->exp_lut = n->exp_lut;
  p->out_scale = ys;
  p->out_zp = yz;
  n->u8op = U8_SOFTMAX;
  n->kind = K_U8;
  return LFRT_OK;
}

/* XNNPACK's convert takes in/out scale ratios in [2^-8, 2^7] */
static int convert_ok(float xs, float ys) {
  volatile float r = xs / ys;
  return r >= 0x1.0p-8f && r <= 0x1.0p+7f;
}

lfrt_status lfrt_qu8_prep_lut(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                              lfrt_error *err) {
  float xs, ys;
  int32_t xz, yz;
  int op = it->m->ops[idx].op;
  if (qu8(x, &xs, &xz) || qu8(y, &ys, &yz)) FAIL(LFRT_EUNSUPPORTED, "input and output must be uint8 per-tensor");
  if (op == LFRT_OP_LOGISTIC) {
    /* XNNPACK's table, as int8 (lfrt_logistic_lut_q8), over uint8 inputs and outputs */
    volatile float inv = 1.0f / ys;
    for (int v = 0; v < 256; v++) {
      volatile float d = (float)(v - xz) * xs;
      volatile float sg;
      if (signbit(d)) {
        volatile float e = expf(-d);
        sg = 1.0f / (1.0f + e);
      } else {
        volatile float e = expf(d);
        sg = 1.0f - 1.0f / (1.0f + e);
      }
      volatile float r = sg * inv;
      if (!(r < 1e6f)) r = 1e6f;
      n->lut[v] = (int8_t)(uint8_t)lfrt_clamp_i32((int32_t)lrintf(r) + yz, 0, 255);
    }
  } else if (op == LFRT_OP_QUANTIZE && convert_ok(xs, ys)) {
    /* XNNPACK's qu8 convert: an 8-bit multiplier round(256 * in_s / out_s), >> 8 */
    volatile float r = xs / ys;
    int32_t mult = (int32_t)lrintf(256.0f * r), bias = yz * 256 - mult * xz + 0x80;
    for (int v = 0; v < 256; v++) n->lut[v] = (int8_t)(uint8_t)lfrt_clamp_i32((bias + v * mult) >> 8, 0, 255);
  } else { /* RELU, RELU6 (and QUANTIZE beyond XNNPACK's ratios): TFLite's builtin requantize, clamped */
    int32_t mult, lo, hi;
    int sh;
    if (lfrt_quantize_multiplier((double)xs / (double)ys, &mult, &sh)) FAIL(LFRT_EUNSUPPORTED, "scale ratio out of range");
    lo = 0;
    hi = 255;
    if (op != LFRT_OP_QUANTIZE) act_range_u8(op == LFRT_OP_RELU ? LFRT_ACT_RELU : LFRT_ACT_RELU6, ys, yz, &lo, &hi);
    for (int v = 0; v < 256; v++)
      n->lut[v] = (int8_t)(uint8_t)lfrt_clamp_i32(yz + lfrt_mul_q31_tfl(v - xz, mult, sh), lo, hi);
  }
  n->kind = K_LUT_Q;
  return LFRT_OK;
}

void lfrt_qu8_run_node(const lfrt_node *n, const void *x, const void *w, const void *b, void *y,
                       int begin, int end) {
  switch ((lfrt_qu8_op)n->u8op) {
  case U8_CONV: lfrt_qu8_conv2d__ref(&n->p.conv, n->u8_wzp, n->u8_mode, x, w, b, y, begin, end); break;
  case U8_DW: lfrt_qu8_dwconv2d__ref(&n->p.conv, n->u8_wzp, n->u8_mode, x, w, b, y, begin, end); break;
  case U8_FC: lfrt_qu8_fc__ref(&n->p.fc, n->u8_wzp, n->u8_mode, x, w, b, y, begin, end); break;
  case U8_ADD: lfrt_qu8_add__ref(&n->p.bin, n->u8_mode, x, w, y, begin, end); break;
  case U8_MUL: lfrt_qu8_mul__ref(&n->p.bin, n->u8_mode, x, w, y, begin, end); break;
  case U8_AVG: lfrt_qu8_pool__ref(&n->p.pool, 0, x, y, begin, end); break;
  case U8_MAX: lfrt_qu8_pool__ref(&n->p.pool, 1, x, y, begin, end); break;
  case U8_MEAN: lfrt_qu8_mean__ref(&n->p.mean, x, y, begin, end); break;
  case U8_SOFTMAX: lfrt_qu8_softmax__ref(&n->p.softmax, x, y, begin, end); break;
  case U8_RBL: lfrt_qu8_resize_bilinear__ref(&n->p.resize, x, y, begin, end); break;
  case U8_TCONV: lfrt_qu8_tconv2d__ref(&n->p.conv, n->u8_wzp, n->u8_mode, x, w, b, y, begin, end); break; /* pose / uint8 */
  }
}
