/* uint8 op zoo cases: see op_zoo_u8.h. */
#include "op_zoo_u8.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RI(z, lo, hi) lf_zoo_randint(&(z)->rng, (lo), (hi))
#define PICK(z, arr) ((arr)[RI(z, 0, (int)(sizeof(arr) / sizeof((arr)[0])) - 1)])

static const char *actname(int a) { return a == 0 ? "NONE" : a == 1 ? "RELU" : a == 3 ? "RELU6" : "N1TO1"; }

/* a uint8 activation with an asymmetric zero point */
static int act_u8(lf_zoo *z, int ndim, const int32_t *shape, float scale, int32_t zp) {
  lf_zoo_q q = {scale, zp};
  return lf_zoo_tensor_raw(z, "act", LFRT_UINT8, ndim, shape, NULL, 0, &q, 1.0f);
}

/* random uint8 weights (count values, zp wz); channel `zero_ch` (if >= 0, of
 * `chans` channels along the innermost (inner=1) or outermost axis) all wz */
static int weights_u8(lf_zoo *z, int ndim, const int32_t *shape, float ws, int32_t wz, int chans,
                      int inner, int zero_ch) {
  size_t n = 1;
  for (int d = 0; d < ndim; d++) n *= (size_t)shape[d];
  uint8_t *v = malloc(n);
  if (!v) return -1;
  for (size_t i = 0; i < n; i++) {
    int ch = inner ? (int)(i % (size_t)chans) : (int)(i / (n / (size_t)chans));
    v[i] = ch == zero_ch ? (uint8_t)wz : (uint8_t)RI(z, 0, 255);
  }
  lf_zoo_q q = {ws, wz};
  int t = lf_zoo_tensor_raw(z, "w", LFRT_UINT8, ndim, shape, v, n, &q, 1.0f);
  free(v);
  return t;
}

static int bias_i32(lf_zoo *z, int n, float scale) {
  int32_t *v = malloc((size_t)n * 4), shp[1] = {n};
  if (!v) return -1;
  for (int i = 0; i < n; i++) v[i] = RI(z, -3000, 3000);
  lf_zoo_q q = {scale, 0};
  int t = lf_zoo_tensor_raw(z, "b", LFRT_INT32, 1, shp, v, (size_t)n * 4, &q, 1.0f);
  free(v);
  return t;
}

static int out_dim(int in, int k, int s, int d, int pad) {
  int ek = (k - 1) * d + 1;
  return pad == LFRT_PADDING_SAME ? (in + s - 1) / s : (in - ek + s) / s;
}

/* output scale for an accumulator of fan terms of uniform uint8 (std ~74 steps) */
static float acc_out_scale(lf_zoo *z, float xs, float ws, int fan) {
  float sd = 74.0f * 74.0f * xs * ws * sqrtf((float)fan);
  return sd * lf_zoo_uniform(&z->rng, 2.0f, 6.0f) / 255.0f;
}

enum { N_CONV = 9, N_DW = 7, N_FC = 5, N_DEGEN = 4 };

static void conv_case(lf_zoo *z, int i, int dw, lf_u8case *k) {
  static const int hw[] = {1, 3, 5, 7, 11, 13};
  static const int ks[] = {1, 2, 3, 5};
  static const int ss[] = {1, 1, 2, 3};
  static const int ics[] = {1, 2, 3, 5, 8, 17};
  static const int ocs[] = {1, 3, 7, 16, 33};
  static const int mults[] = {1, 1, 2, 3};
  int big = i == (dw ? N_DW : N_CONV) - 1, zero = i == (dw ? N_DW : N_CONV) - 2;
  int act = i % 3 == 2 ? LFRT_ACT_RELU6 : i % 3, pad = (i / 3) % 2;
  int h, w, kh, kw, sh, sw, dh = i % 5 == 4 ? 2 : 1, dwl = i % 4 == 3 ? 2 : 1;
  do {
    h = PICK(z, hw), w = PICK(z, hw), kh = PICK(z, ks), kw = PICK(z, ks), sh = PICK(z, ss), sw = PICK(z, ss);
  } while (out_dim(h, kh, sh, dh, pad) < 1 || out_dim(w, kw, sw, dwl, pad) < 1);
  int ic = PICK(z, ics), oc = PICK(z, ocs), m = PICK(z, mults), b = i % 7 == 6 ? 2 : 1;
  if (big) { h = w = 24; ic = 16; oc = 24; kh = kw = 3; sh = sw = dh = dwl = 1; m = 1; pad = LFRT_PADDING_SAME; }
  if (zero && oc < 3) oc = 7;
  if (zero && ic < 3) ic = 5;
  int outc = dw ? ic * m : oc;
  float xs = lf_zoo_uniform(&z->rng, 0.005f, 0.05f), ws = lf_zoo_uniform(&z->rng, 0.001f, 0.02f);
  int32_t xz = RI(z, 0, 255), wz = RI(z, 0, 255);
  int32_t xshape[4] = {b, h, w, ic};
  int x = act_u8(z, 4, xshape, xs, xz);
  int32_t wshape[4] = {dw ? 1 : outc, kh, kw, dw ? outc : ic};
  int wt = weights_u8(z, 4, wshape, ws, wz, outc, dw, zero ? outc / 2 : -1);
  int bt = bias_i32(z, outc, xs * ws);
  float ys = acc_out_scale(z, xs, ws, dw ? kh * kw : kh * kw * ic);
  int32_t oshape[4] = {b, out_dim(h, kh, sh, dh, pad), out_dim(w, kw, sw, dwl, pad), outc};
  int y = act_u8(z, 4, oshape, ys, RI(z, 40, 215));
  lfrt_options o;
  memset(&o, 0, sizeof o);
  if (dw) {
    o.depthwise.padding = (lfrt_padding)pad;
    o.depthwise.stride_h = sh; o.depthwise.stride_w = sw;
    o.depthwise.dilation_h = dh; o.depthwise.dilation_w = dwl;
    o.depthwise.depth_multiplier = m;
    o.depthwise.activation = (lfrt_activation)act;
  } else {
    o.conv.padding = (lfrt_padding)pad;
    o.conv.stride_h = sh; o.conv.stride_w = sw;
    o.conv.dilation_h = dh; o.conv.dilation_w = dwl;
    o.conv.activation = (lfrt_activation)act;
  }
  int32_t ins[3] = {x, wt, bt};
  k->op = dw ? LFRT_OP_DEPTHWISE_CONV_2D : LFRT_OP_CONV_2D;
  k->out = lf_zoo_op(z, k->op, ins, 3, y, &o);
  k->ins[0] = x;
  k->nin = 1;
  snprintf(k->desc, sizeof k->desc, "uint8 in %dx%dx%dx%d zp %d %s %d k%dx%d s%dx%d d%dx%d %s %s w_zp %d%s%s", b, h, w,
           ic, (int)xz, dw ? "mult" : "out_c", dw ? m : oc, kh, kw, sh, sw, dh, dwl,
           pad == LFRT_PADDING_SAME ? "SAME" : "VALID", actname(act), (int)wz, zero ? " zero-channel" : "",
           big ? " BIG" : "");
}

static void fc_case(lf_zoo *z, int i, lf_u8case *k) {
  static const int ins_[] = {1, 7, 64, 300};
  static const int outs_[] = {1, 5, 14, 33};
  int in = PICK(z, ins_), oc = PICK(z, outs_), act = i % 3 == 2 ? LFRT_ACT_RELU6 : i % 3;
  int batch = i % 2 ? 3 : 1, zero = i == N_FC - 1;
  if (i == N_FC - 2) { batch = 64; in = 256; oc = 96; } /* large: probes rounding ties */
  if (zero && oc < 3) oc = 14;
  float xs = lf_zoo_uniform(&z->rng, 0.005f, 0.05f), ws = lf_zoo_uniform(&z->rng, 0.001f, 0.02f);
  int32_t xz = RI(z, 0, 255), wz = RI(z, 0, 255);
  int32_t xshape[2] = {batch, in}, wshape[2] = {oc, in}, oshape[2] = {batch, oc};
  int x = act_u8(z, 2, xshape, xs, xz);
  int wt = weights_u8(z, 2, wshape, ws, wz, oc, 0, zero ? oc / 2 : -1);
  int bt = bias_i32(z, oc, xs * ws);
  int y = act_u8(z, 2, oshape, acc_out_scale(z, xs, ws, in), RI(z, 40, 215));
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.fc.activation = (lfrt_activation)act;
  int32_t ins[3] = {x, wt, bt};
  k->op = LFRT_OP_FULLY_CONNECTED;
  k->out = lf_zoo_op(z, k->op, ins, 3, y, &o);
  k->ins[0] = x;
  k->nin = 1;
  snprintf(k->desc, sizeof k->desc, "uint8 in %dx%d zp %d out %d w_zp %d %s%s", batch, in, (int)xz, oc, (int)wz,
           actname(act), zero ? " zero-channel" : "");
}

/* Degenerate scales: a weight scale so small that the requantization scale is
 * ~1e-20 (uint8 per-tensor, and an int8 per-channel conv whose all-zero channel
 * has such a scale, as converters write for them). */
static void degen_case(lf_zoo *z, int i, lf_u8case *k) {
  int h = RI(z, 3, 7), w = RI(z, 3, 7), ic = RI(z, 2, 6), oc = 5, fc = i % 2;
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t xshape[4] = {1, h, w, ic};
  if (i < 2) { /* uint8 per-tensor, tiny weight scale */
    float xs = 0.02f, ws = 3e-19f;
    int x = act_u8(z, fc ? 2 : 4, fc ? (int32_t[]){h, ic} : xshape, xs, 100);
    int32_t wshape[4] = {oc, fc ? ic : 3, 3, ic};
    int wt = weights_u8(z, fc ? 2 : 4, wshape, ws, 77, oc, 0, -1);
    int bt = bias_i32(z, oc, xs * ws);
    int32_t oshape[4] = {1, h, w, oc};
    int y = act_u8(z, fc ? 2 : 4, fc ? (int32_t[]){h, oc} : oshape, 0.05f, 130);
    o.conv.padding = LFRT_PADDING_SAME;
    o.conv.stride_h = o.conv.stride_w = o.conv.dilation_h = o.conv.dilation_w = 1;
    if (fc) memset(&o, 0, sizeof o);
    int32_t ins[3] = {x, wt, bt};
    k->op = fc ? LFRT_OP_FULLY_CONNECTED : LFRT_OP_CONV_2D;
    k->out = lf_zoo_op(z, k->op, ins, 3, y, &o);
    k->ins[0] = x;
    snprintf(k->desc, sizeof k->desc, "uint8 DEGENERATE w scale %g (requant scale ~%g)", (double)ws,
             (double)(xs * ws / 0.05f));
  } else { /* int8 per-channel, channel 3 all zero with a tiny scale */
    lf_zoo_q xq = {0.03f, -7}, yq = {0.04f, 5};
    int x = lf_zoo_tensor_raw(z, "x", LFRT_INT8, fc ? 2 : 4, fc ? (int32_t[]){h, ic} : xshape, NULL, 0, &xq, 1.0f);
    int32_t wshape[4] = {oc, fc ? ic : 3, 3, ic};
    size_t per = fc ? (size_t)ic : (size_t)9 * ic;
    int8_t *wv = malloc((size_t)oc * per);
    float sc[5];
    int32_t zps[5] = {0}, bv[5];
    if (!wv) return;
    for (int c = 0; c < oc; c++) {
      sc[c] = c == 3 ? 1.3e-20f : lf_zoo_uniform(&z->rng, 0.002f, 0.01f);
      bv[c] = RI(z, -2000, 2000);
      for (size_t j = 0; j < per; j++) wv[c * per + j] = c == 3 ? 0 : (int8_t)RI(z, -127, 127);
    }
    lfrt_quant wq = {oc, sc, zps, 0};
    int wt = lfrt_writer_add_tensor(z->w, "w_pc", LFRT_INT8, fc ? 2 : 4, wshape, wv, (size_t)oc * per, &wq);
    free(wv);
    float bs[5];
    for (int c = 0; c < oc; c++) bs[c] = xq.scale * sc[c];
    lfrt_quant bq = {oc, bs, zps, 0};
    int32_t bshape[1] = {oc};
    int bt = lfrt_writer_add_tensor(z->w, "b_pc", LFRT_INT32, 1, bshape, bv, sizeof bv, &bq);
    int32_t oshape[4] = {1, h, w, oc};
    int y = lf_zoo_tensor_raw(z, "y", LFRT_INT8, fc ? 2 : 4, fc ? (int32_t[]){h, oc} : oshape, NULL, 0, &yq, 1.0f);
    if (!fc) {
      o.conv.padding = LFRT_PADDING_SAME;
      o.conv.stride_h = o.conv.stride_w = o.conv.dilation_h = o.conv.dilation_w = 1;
    }
    int32_t ins[3] = {x, wt, bt};
    k->op = fc ? LFRT_OP_FULLY_CONNECTED : LFRT_OP_CONV_2D;
    k->out = wt < 0 || bt < 0 ? -1 : lf_zoo_op(z, k->op, ins, 3, y, &o);
    k->ins[0] = x;
    k->in_type[0] = LFRT_INT8;
    k->out_type = LFRT_INT8;
    snprintf(k->desc, sizeof k->desc, "int8 per-channel DEGENERATE: channel 3 all zero, scale 1.3e-20 (requant ~%g)",
             (double)(xq.scale * 1.3e-20f / yq.scale));
  }
  k->nin = 1;
}

/* The other ops of classic uint8 MobileNets: elementwise, pools, reductions,
 * data movement, and the conversions at the model's edges. */
enum { N_OTHER = 30 };
static void other_case(lf_zoo *z, int i, lf_u8case *k) {
  int h = RI(z, 1, 9), w = RI(z, 1, 9), ch = RI(z, 1, 13);
  if (i == 7) h = w = 7;
  int32_t s[4] = {1, h, w, ch};
  float xs = lf_zoo_uniform(&z->rng, 0.01f, 0.1f);
  int32_t xz = RI(z, 0, 255);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int x = act_u8(z, 4, s, xs, xz), y = -1;
  k->ins[0] = x;
  k->nin = 1;
  const char *what = "";
  if (i < 7) { /* ADD x4, MUL x3: same shape, [C] constant, [1,1,1,C] input; one extreme ratio */
    int mul = i >= 4, form = i % 4, act = i % 3 == 2 ? LFRT_ACT_RELU6 : i % 3;
    int32_t sb[4] = {1, h, w, ch}, nb = 4;
    if (form == 1) { nb = 1; sb[0] = ch; }
    if (form == 2) sb[1] = sb[2] = 1;
    float bsc = lf_zoo_uniform(&z->rng, 0.01f, 0.1f);
    int bt;
    if (form == 1) {
      uint8_t cv[16];
      for (int c = 0; c < ch; c++) cv[c] = (uint8_t)RI(z, 0, 255);
      lf_zoo_q bq = {bsc, RI(z, 0, 255)};
      bt = lf_zoo_tensor_raw(z, "c", LFRT_UINT8, 1, sb, cv, (size_t)ch, &bq, 1.0f);
    } else {
      bt = act_u8(z, nb, sb, bsc, RI(z, 0, 255));
      k->ins[k->nin++] = bt;
    }
    float ys = mul ? xs * bsc * 128.0f * lf_zoo_uniform(&z->rng, 0.1f, 0.3f) : (xs + bsc) * lf_zoo_uniform(&z->rng, 0.5f, 1.0f);
    if (form == 3) ys = mul ? xs * bsc / 400.0f : xs / 700.0f; /* XNNPACK declines: TFLite's builtin */
    y = act_u8(z, 4, s, ys, RI(z, 0, 255));
    o.add.activation = o.mul.activation = (lfrt_activation)act;
    if (!mul) o.add.pot_scale_int16 = 1;
    int32_t oi[2] = {x, bt};
    k->op = mul ? LFRT_OP_MUL : LFRT_OP_ADD;
    y = lf_zoo_op(z, k->op, oi, 2, y, &o);
    what = form == 0 ? "same shape" : form == 1 ? "x [C] const" : form == 2 ? "x [1,1,1,C]" : "extreme scale ratio";
    snprintf(k->desc, sizeof k->desc, "uint8 %s %dx%dx%d zp %d %s %s", mul ? "MUL" : "ADD", h, w, ch, (int)xz, what, actname(act));
  } else if (i < 14) { /* AVERAGE_POOL_2D x4, MAX_POOL_2D x3 */
    int is_max = i >= 11, kk = RI(z, 1, 4), st = RI(z, 1, 3), pad = i % 2, act = i % 3 == 2 ? LFRT_ACT_RELU6 : i % 3;
    if (kk > h && pad == LFRT_PADDING_VALID) pad = LFRT_PADDING_SAME;
    if (kk > w && pad == LFRT_PADDING_VALID) pad = LFRT_PADDING_SAME;
    if (i == 7) { kk = 7; st = 1; pad = LFRT_PADDING_VALID; } /* MobileNet's global 7x7 average */
    int32_t so[4] = {1, out_dim(s[1], kk, st, 1, pad), out_dim(s[2], kk, st, 1, pad), ch};
    lf_zoo_q q = {xs, xz};
    y = lf_zoo_tensor_raw(z, "act", LFRT_UINT8, 4, so, NULL, 0, &q, 1.0f);
    o.pool.padding = (lfrt_padding)pad;
    o.pool.filter_h = o.pool.filter_w = kk;
    o.pool.stride_h = o.pool.stride_w = st;
    o.pool.activation = (lfrt_activation)act;
    k->op = is_max ? LFRT_OP_MAX_POOL_2D : LFRT_OP_AVERAGE_POOL_2D;
    int32_t oi[1] = {x};
    y = lf_zoo_op(z, k->op, oi, 1, y, &o);
    snprintf(k->desc, sizeof k->desc, "uint8 in 1x%dx%dx%d zp %d k%d s%d %s %s", s[1], s[2], ch, (int)xz, kk, st,
             pad == LFRT_PADDING_SAME ? "SAME" : "VALID", actname(act));
  } else if (i < 16) { /* MEAN over H,W */
    int32_t axes[2] = {1, 2}, ashape[1] = {2};
    int at = lf_zoo_tensor_raw(z, "axes", LFRT_INT32, 1, ashape, axes, sizeof axes, NULL, 0);
    int keep = i == 14;
    int32_t so[4] = {1, 1, 1, ch}, so2[2] = {1, ch};
    y = act_u8(z, keep ? 4 : 2, keep ? so : so2, xs * lf_zoo_uniform(&z->rng, 0.3f, 1.0f), RI(z, 0, 255));
    o.reducer.keep_dims = keep;
    int32_t oi[2] = {x, at};
    k->op = LFRT_OP_MEAN;
    y = lf_zoo_op(z, k->op, oi, 2, y, &o);
    snprintf(k->desc, sizeof k->desc, "uint8 in 1x%dx%dx%d zp %d axes 1,2 keep_dims %d", h, w, ch, (int)xz, keep);
  } else if (i < 18) { /* CONCATENATION (shared quantization), RESHAPE */
    lf_zoo_q q = {xs, xz};
    if (i == 16) {
      int32_t s2[4] = {1, h, w, RI(z, 1, 7)}, so[4] = {1, h, w, ch + s2[3]};
      int x2 = act_u8(z, 4, s2, xs, xz);
      k->ins[k->nin++] = x2;
      y = lf_zoo_tensor_raw(z, "act", LFRT_UINT8, 4, so, NULL, 0, &q, 1.0f);
      o.concat.axis = 3;
      int32_t oi[2] = {x, x2};
      k->op = LFRT_OP_CONCATENATION;
      y = lf_zoo_op(z, k->op, oi, 2, y, &o);
    } else {
      int32_t so[2] = {1, h * w * ch}, ns[1] = {2}, nv[2] = {1, h * w * ch};
      int nt = lf_zoo_tensor_raw(z, "shape", LFRT_INT32, 1, ns, nv, sizeof nv, NULL, 0);
      y = lf_zoo_tensor_raw(z, "act", LFRT_UINT8, 2, so, NULL, 0, &q, 1.0f);
      o.reshape.num_dims = 2;
      o.reshape.new_shape[0] = 1;
      o.reshape.new_shape[1] = h * w * ch;
      int32_t oi[2] = {x, nt};
      k->op = LFRT_OP_RESHAPE;
      y = lf_zoo_op(z, k->op, oi, 2, y, &o);
    }
    snprintf(k->desc, sizeof k->desc, "uint8 in 1x%dx%dx%d zp %d", h, w, ch, (int)xz);
  } else if (i < 24) { /* SOFTMAX x2, LOGISTIC x2, RELU, RELU6 */
    lfrt_op ops[6] = {LFRT_OP_SOFTMAX, LFRT_OP_SOFTMAX, LFRT_OP_LOGISTIC, LFRT_OP_LOGISTIC, LFRT_OP_RELU, LFRT_OP_RELU6};
    k->op = ops[i - 18];
    lf_zoo_q q = {1.0f / 256, 0};
    if (k->op == LFRT_OP_RELU || k->op == LFRT_OP_RELU6) { q.scale = xs * lf_zoo_uniform(&z->rng, 0.5f, 1.5f); q.zp = RI(z, 0, 200); }
    if (i == 19) { int32_t s2[2] = {3, 1001}; x = act_u8(z, 2, s2, 0.08f, xz); k->ins[0] = x; } /* classifier head */
    y = lf_zoo_tensor_raw(z, "act", LFRT_UINT8, i == 19 ? 2 : 4, i == 19 ? (int32_t[]){3, 1001} : s, NULL, 0, &q, 1.0f);
    o.softmax.beta = 1.0f;
    int32_t oi[1] = {x};
    y = lf_zoo_op(z, k->op, oi, 1, y, k->op == LFRT_OP_SOFTMAX ? &o : NULL);
    snprintf(k->desc, sizeof k->desc, "uint8 in %s zp %d scale %g -> %g/%d", i == 19 ? "3x1001" : "4-D", (int)xz, (double)xs,
             (double)q.scale, (int)q.zp);
  } else if (i < 28) { /* PAD, RESIZE_BILINEAR (align, half-pixel), RESIZE_NEAREST_NEIGHBOR */
    lf_zoo_q q = {xs, xz};
    if (i == 24) {
      int32_t pads[8] = {0, 0, 1, 2, 0, 1, 0, 0}, ps[2] = {4, 2}, so[4] = {1, h + 3, w + 1, ch};
      int pt = lf_zoo_tensor_raw(z, "paddings", LFRT_INT32, 2, ps, pads, sizeof pads, NULL, 0);
      y = lf_zoo_tensor_raw(z, "act", LFRT_UINT8, 4, so, NULL, 0, &q, 1.0f);
      int32_t oi[2] = {x, pt};
      k->op = LFRT_OP_PAD;
      y = lf_zoo_op(z, k->op, oi, 2, y, NULL);
    } else {
      int oh = RI(z, 1, 17), ow = RI(z, 1, 17), nn = i == 27;
      int32_t sz[2] = {oh, ow}, ss[1] = {2}, so[4] = {1, oh, ow, ch};
      int st = lf_zoo_tensor_raw(z, "size", LFRT_INT32, 1, ss, sz, sizeof sz, NULL, 0);
      y = lf_zoo_tensor_raw(z, "act", LFRT_UINT8, 4, so, NULL, 0, &q, 1.0f);
      o.resize.align_corners = i == 25;
      o.resize.half_pixel_centers = i == 26;
      int32_t oi[2] = {x, st};
      k->op = nn ? LFRT_OP_RESIZE_NEAREST_NEIGHBOR : LFRT_OP_RESIZE_BILINEAR;
      y = lf_zoo_op(z, k->op, oi, 2, y, &o);
    }
    snprintf(k->desc, sizeof k->desc, "uint8 in 1x%dx%dx%d zp %d align %d half %d", h, w, ch, (int)xz, i == 25, i == 26);
  } else { /* QUANTIZE uint8 -> uint8 (requantize), DEQUANTIZE uint8 -> float */
    if (i == 28) {
      lf_zoo_q q = {xs * lf_zoo_uniform(&z->rng, 0.3f, 3.0f), RI(z, 0, 255)};
      y = lf_zoo_tensor_raw(z, "act", LFRT_UINT8, 4, s, NULL, 0, &q, 1.0f);
      k->op = LFRT_OP_QUANTIZE;
    } else {
      y = lf_zoo_tensor_raw(z, "act", LFRT_FLOAT32, 4, s, NULL, 0, NULL, 1.0f);
      k->op = LFRT_OP_DEQUANTIZE;
      k->out_type = LFRT_FLOAT32;
    }
    int32_t oi[1] = {x};
    y = lf_zoo_op(z, k->op, oi, 1, y, NULL);
    snprintf(k->desc, sizeof k->desc, "uint8 in 1x%dx%dx%d zp %d -> %s", h, w, ch, (int)xz, i == 28 ? "uint8" : "float32");
  }
  k->out = y;
}

/* pose / uint8: TRANSPOSE_CONV with uint8 weights (zero point) and uint8
 * activations, odd shapes, strides 1-3, SAME/VALID, with and without bias and
 * fused activation; CONCATENATION whose inputs each have their own scale and
 * zero point (LiteRT requantizes them; an input quantized like the output is
 * copied), every axis, 2-4 inputs, one with a ratio that saturates. */
enum { N_TCONV = 7, N_CAT = 6 };
static void tconv_case(lf_zoo *z, int i, lf_u8case *k) {
  static const int hw[] = {1, 2, 3, 5, 7};
  static const int ks[] = {1, 2, 3, 4, 5};
  static const int ss[] = {1, 2, 3};
  static const int ics[] = {1, 3, 5, 8, 17};
  static const int ocs[] = {1, 2, 5, 16};
  int pad = i % 2, bias = i % 3 != 1, act = i == 4 ? LFRT_ACT_RELU6 : i == 5 ? LFRT_ACT_RELU : LFRT_ACT_NONE;
  int h = PICK(z, hw), w = PICK(z, hw), kh = PICK(z, ks), kw = PICK(z, ks);
  int sh = PICK(z, ss), sw = PICK(z, ss), ic = PICK(z, ics), oc = PICK(z, ocs), b = i == 3 ? 2 : 1;
  if (i == N_TCONV - 1) { h = w = 12; ic = 16; oc = 24; kh = kw = 2; sh = sw = 2; pad = LFRT_PADDING_SAME; bias = 1; }
  if (pad == LFRT_PADDING_SAME) { /* keep the SAME padding non-negative */
    if (kh < sh) kh = sh;
    if (kw < sw) kw = sw;
  }
  int oh = pad == LFRT_PADDING_SAME ? h * sh : (h - 1) * sh + kh;
  int ow = pad == LFRT_PADDING_SAME ? w * sw : (w - 1) * sw + kw;
  float xs = lf_zoo_uniform(&z->rng, 0.005f, 0.05f), ws = lf_zoo_uniform(&z->rng, 0.001f, 0.02f);
  int32_t xz = RI(z, 0, 255), wz = RI(z, 0, 255);
  int32_t xshape[4] = {b, h, w, ic};
  int x = act_u8(z, 4, xshape, xs, xz);
  int32_t wshape[4] = {oc, kh, kw, ic};
  int wt = weights_u8(z, 4, wshape, ws, wz, oc, 0, -1);
  int bt = bias ? bias_i32(z, oc, xs * ws) : -1;
  int fan = kh * kw * ic / (sh * sw);
  float ys = acc_out_scale(z, xs, ws, fan < 1 ? 1 : fan);
  int32_t oshape[4] = {b, oh, ow, oc}, ns[1] = {4};
  int st = lf_zoo_tensor_raw(z, "oshape", LFRT_INT32, 1, ns, oshape, sizeof oshape, NULL, 0);
  int y = act_u8(z, 4, oshape, ys, RI(z, 40, 215));
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.transpose_conv.padding = (lfrt_padding)pad;
  o.transpose_conv.stride_h = sh;
  o.transpose_conv.stride_w = sw;
  o.transpose_conv.activation = (lfrt_activation)act;
  int32_t ins[4] = {st, wt, x, bt};
  k->op = LFRT_OP_TRANSPOSE_CONV;
  k->out = lf_zoo_op(z, k->op, ins, bias ? 4 : 3, y, &o);
  k->ins[0] = x;
  k->nin = 1;
  snprintf(k->desc, sizeof k->desc, "uint8 in %dx%dx%dx%d zp %d out %dx%dx%d k%dx%d s%dx%d %s %s %s w_zp %d%s", b, h, w, ic,
           (int)xz, oh, ow, oc, kh, kw, sh, sw, pad == LFRT_PADDING_SAME ? "SAME" : "VALID", bias ? "bias" : "no-bias",
           actname(act), (int)wz, i == N_TCONV - 1 ? " BIG" : "");
}

static void concat_case(lf_zoo *z, int i, lf_u8case *k) {
  static const int axes[] = {3, 1, 2, 0, -1, 3};
  int nin = 2 + i % 3, axis = axes[i], ax = axis < 0 ? axis + 4 : axis;
  int32_t s[4] = {1 + (i == 3), RI(z, 1, 7), RI(z, 1, 7), RI(z, 1, 13)}, so[4];
  memcpy(so, s, sizeof so);
  so[ax] = 0;
  float ys = i == 1 ? 0.0625f : lf_zoo_uniform(&z->rng, 0.01f, 0.1f);
  int32_t yz = RI(z, 0, 255);
  char qs[64] = "";
  int ins[4];
  for (int j = 0; j < nin; j++) {
    int32_t sj[4];
    memcpy(sj, s, sizeof sj);
    sj[ax] = RI(z, 1, 5);
    so[ax] += sj[ax];
    float xs = ys * lf_zoo_uniform(&z->rng, 0.4f, 2.5f);
    int32_t xz = RI(z, 0, 255);
    if (j == 1 && i % 2 == 0) { xs = ys; xz = yz; }       /* quantized like the output: a copy */
    if (j == 0 && i == 5) xs = ys * 9.0f;                 /* saturates */
    if (j == 0 && i == 1) xs = ys * 0.5f;                 /* exact halves: ties round away from 0 */
    ins[j] = act_u8(z, 4, sj, xs, xz);
    k->ins[j] = ins[j];
    size_t l = strlen(qs);
    snprintf(qs + l, sizeof qs - l, " %.3g/%d", (double)(xs / ys), (int)xz);
  }
  int y = act_u8(z, 4, so, ys, yz);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.concat.axis = axis;
  k->op = LFRT_OP_CONCATENATION;
  k->out = lf_zoo_op(z, k->op, ins, nin, y, &o);
  k->nin = nin;
  snprintf(k->desc, sizeof k->desc, "uint8 %d inputs %dx%dx%dx%d axis %d out zp %d in scale/out, zp:%s", nin, so[0], so[1],
           so[2], so[3], axis, (int)yz, qs);
}
/* end pose / uint8 */

/* One conv/depthwise layer of a chain: weights, bias, output; returns the output. */
static int chain_conv(lf_zoo *z, int x, int dw, int oc, int k, int st, int32_t *hw, float *xs) {
  int ic = z->t[x].shape[3], outc = dw ? ic : oc, pad = LFRT_PADDING_SAME;
  float ws = lf_zoo_uniform(&z->rng, 0.002f, 0.01f);
  int32_t wshape[4] = {dw ? 1 : outc, k, k, dw ? outc : ic};
  int wt = weights_u8(z, 4, wshape, ws, RI(z, 90, 160), outc, dw, -1);
  int bt = bias_i32(z, outc, *xs * ws);
  float ys = acc_out_scale(z, *xs, ws, dw ? k * k : k * k * ic) * 0.5f;
  hw[0] = out_dim(hw[0], k, st, 1, pad);
  hw[1] = out_dim(hw[1], k, st, 1, pad);
  int32_t oshape[4] = {1, hw[0], hw[1], outc};
  int y = act_u8(z, 4, oshape, ys, 0); /* RELU6 outputs: zero point 0, as TOCO writes them */
  lfrt_options o;
  memset(&o, 0, sizeof o);
  if (dw) {
    o.depthwise.padding = (lfrt_padding)pad;
    o.depthwise.stride_h = o.depthwise.stride_w = st;
    o.depthwise.dilation_h = o.depthwise.dilation_w = o.depthwise.depth_multiplier = 1;
    o.depthwise.activation = LFRT_ACT_RELU6;
  } else {
    o.conv.padding = (lfrt_padding)pad;
    o.conv.stride_h = o.conv.stride_w = st;
    o.conv.dilation_h = o.conv.dilation_w = 1;
    o.conv.activation = LFRT_ACT_RELU6;
  }
  int32_t ins[3] = {x, wt, bt};
  *xs = ys;
  return lf_zoo_op(z, dw ? LFRT_OP_DEPTHWISE_CONV_2D : LFRT_OP_CONV_2D, ins, 3, y, &o);
}

/* A small MobileNet-v1-shaped uint8 classifier as TOCO wrote them: 3x3/2 conv,
 * depthwise-separable blocks (RELU6, zero point 0), global average pool,
 * 1x1 conv as classifier, RESHAPE, SOFTMAX (1/256, 0). */
enum { N_MODEL = 1 };
static void model_case(lf_zoo *z, lf_u8case *k) {
  int32_t hw[2] = {33, 29}, shp[4] = {1, 33, 29, 3};
  float xs = 1.0f / 128;
  int x = act_u8(z, 4, shp, xs, 128), t = x;
  t = chain_conv(z, t, 0, 8, 3, 2, hw, &xs);
  t = chain_conv(z, t, 1, 0, 3, 1, hw, &xs);
  t = chain_conv(z, t, 0, 16, 1, 1, hw, &xs);
  t = chain_conv(z, t, 1, 0, 3, 2, hw, &xs);
  t = chain_conv(z, t, 0, 24, 1, 1, hw, &xs);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.pool.filter_h = hw[0];
  o.pool.filter_w = hw[1];
  o.pool.stride_h = o.pool.stride_w = 1;
  o.pool.padding = LFRT_PADDING_VALID;
  int32_t ps[4] = {1, 1, 1, 24};
  int p = act_u8(z, 4, ps, xs, 0);
  int32_t pi[1] = {t};
  p = lf_zoo_op(z, LFRT_OP_AVERAGE_POOL_2D, pi, 1, p, &o);
  int32_t h2[2] = {1, 1};
  int c = chain_conv(z, p, 0, 11, 1, 1, h2, &xs);
  int32_t rs[2] = {1, 11}, ns[1] = {2}, nv[2] = {1, 11};
  int nt = lf_zoo_tensor_raw(z, "shape", LFRT_INT32, 1, ns, nv, sizeof nv, NULL, 0);
  lf_zoo_q q = {xs, 0};
  int r = lf_zoo_tensor_raw(z, "act", LFRT_UINT8, 2, rs, NULL, 0, &q, 1.0f);
  memset(&o, 0, sizeof o);
  o.reshape.num_dims = 2;
  o.reshape.new_shape[0] = 1;
  o.reshape.new_shape[1] = 11;
  int32_t ri[2] = {c, nt};
  r = lf_zoo_op(z, LFRT_OP_RESHAPE, ri, 2, r, &o);
  lf_zoo_q sq = {1.0f / 256, 0};
  int y = lf_zoo_tensor_raw(z, "prob", LFRT_UINT8, 2, rs, NULL, 0, &sq, 1.0f);
  memset(&o, 0, sizeof o);
  o.softmax.beta = 1.0f;
  int32_t si[1] = {r};
  k->op = LFRT_OP_SOFTMAX;
  k->out = lf_zoo_op(z, LFRT_OP_SOFTMAX, si, 1, y, &o);
  k->ins[0] = x;
  k->nin = 1;
  snprintf(k->desc, sizeof k->desc, "uint8 MODEL MobileNet-v1-shaped 33x29x3 -> 11 (conv s2, 2 dw-separable blocks, avg pool, 1x1 conv, softmax)");
}

/* coral */
/* uint8 MUL whose output scale is absurdly small (~1e-35): the real multiplier
 * in_a * in_b / out is ~1e30, beyond XNNPACK's range and beyond the shift of
 * TFLite's Q31 multiplier. Scales as in Coral's automl_video_ondevice_traffic_model
 * (conv-LSTM gates: split (0.0235, zp 0) x sigmoid (1/256), out 2.97e-35, node 75;
 * sigmoid x relu6 (5.04e-6, zp 124), out 1.21e-35, node 78), plus a multiplier of
 * ~2^40 between the two ranges. */
enum { N_CORAL = 3 };
static void coral_mul_case(lf_zoo *z, int i, lf_u8case *k) {
  static const struct { float as, bs, ys; int32_t az, bz; } sc[N_CORAL] = {
      {0.0235294122f, 1.0f / 256, 2.972124e-35f, 0, 0},
      {1.0f / 256, 5.038283e-06f, 1.2141535e-35f, 0, 124},
      {0.03f, 0.02f, 0.0006f / 1.1e12f, 17, 200}};
  int h = RI(z, 1, 9), w = RI(z, 1, 9), ch = RI(z, 1, 13);
  int32_t s[4] = {1, h, w, ch};
  int a = act_u8(z, 4, s, sc[i].as, sc[i].az), b = act_u8(z, 4, s, sc[i].bs, sc[i].bz);
  int y = act_u8(z, 4, s, sc[i].ys, 0);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t oi[2] = {a, b};
  k->op = LFRT_OP_MUL;
  k->out = lf_zoo_op(z, LFRT_OP_MUL, oi, 2, y, &o);
  k->ins[0] = a;
  k->ins[1] = b;
  k->nin = 2;
  snprintf(k->desc, sizeof k->desc, "uint8 MUL %dx%dx%d out scale %g (multiplier %.3g: TFLite's shift > 30)", h, w, ch,
           (double)sc[i].ys, (double)sc[i].as * sc[i].bs / sc[i].ys);
}

int lf_opzoo_u8_count(void) {
  return N_CONV + N_DW + N_FC + N_DEGEN + N_OTHER + N_MODEL + N_CORAL + N_TCONV + N_CAT /* pose / uint8 */;
}

int lf_opzoo_u8_case(lf_zoo *z, int i, lf_u8case *k) {
  memset(k, 0, sizeof *k);
  k->out = -1;
  for (int j = 0; j < LF_OPZOO_MAX_IN; j++) k->in_type[j] = LFRT_UINT8;
  k->out_type = LFRT_UINT8;
  if (i < N_CONV) conv_case(z, i, 0, k);
  else if ((i -= N_CONV) < N_DW) conv_case(z, i, 1, k);
  else if ((i -= N_DW) < N_FC) fc_case(z, i, k);
  else if ((i -= N_FC) < N_DEGEN) degen_case(z, i, k);
  else if ((i -= N_DEGEN) < N_OTHER) other_case(z, i, k);
  else if ((i -= N_OTHER) < N_MODEL) model_case(z, k);
  else if ((i -= N_MODEL) < N_CORAL) coral_mul_case(z, i, k); /* coral */
  else if ((i -= N_CORAL) < N_TCONV) tconv_case(z, i, k); /* pose / uint8 */
  else if ((i -= N_TCONV) < N_CAT) concat_case(z, i, k);
  return z->failed || k->out < 0 ? -1 : 0;
}
