/* A small multi-op int8 or float graph shaped like the project's models
 * (conv, depthwise, pre-activation BatchNorm as per-channel MUL+ADD with RELU,
 * dense concat, average pool, 1x1 conv, nearest upsample, transpose conv, pad,
 * mean, FC, softmax + logistic heads), built with lfrt_writer into tu_w.
 * Shared by test_interp.c and test_planner.c. */
#ifndef LF_TEST_INTERP_GRAPH_H
#define LF_TEST_INTERP_GRAPH_H
#include "test_interp_util.h"

static int g_fp32;
static int g_act(const char *name, int ndim, const int32_t *shape, float scale, int zp) {
  return g_fp32 ? tu_f32(name, ndim, shape) : tu_q8(name, ndim, shape, scale, zp);
}
/* Constant weights [n] int8 per-channel (axis) or float. */
static int g_weights(const char *name, int ndim, const int32_t *shape, int channels, int axis) {
  int n = 1;
  for (int d = 0; d < ndim; d++) n *= shape[d];
  if (g_fp32) {
    float *f = malloc((size_t)n * 4);
    for (int i = 0; i < n; i++) f[i] = tu_randf(-0.3f, 0.3f);
    int t = tu_const(name, LFRT_FLOAT32, ndim, shape, f, (size_t)n * 4, NULL);
    free(f);
    return t;
  }
  int8_t *q = malloc((size_t)n);
  float sc[512];
  int32_t zp[512] = {0};
  for (int i = 0; i < n; i++) q[i] = (int8_t)tu_randint(-127, 127);
  for (int c = 0; c < channels; c++) sc[c] = tu_randf(0.002f, 0.01f);
  lfrt_quant qq = {channels, sc, zp, axis};
  int t = tu_const(name, LFRT_INT8, ndim, shape, q, (size_t)n, &qq);
  free(q);
  return t;
}
static int g_bias(const char *name, int n, float in_scale) {
  int32_t shape[1] = {n};
  if (g_fp32) {
    float f[512];
    for (int i = 0; i < n; i++) f[i] = tu_randf(-0.2f, 0.2f);
    return tu_const(name, LFRT_FLOAT32, 1, shape, f, (size_t)n * 4, NULL);
  }
  int32_t b[512];
  float sc[512];
  int32_t zp[512] = {0};
  for (int i = 0; i < n; i++) { b[i] = tu_randint(-2000, 2000); sc[i] = in_scale * 0.005f; }
  lfrt_quant q = {n, sc, zp, 0};
  return tu_const(name, LFRT_INT32, 1, shape, b, (size_t)n * 4, &q);
}
static void g_op(lfrt_op op, const int32_t *ins, int nin, int out, const lfrt_options *o) {
  int32_t outs[1] = {out};
  lfrt_writer_add_operator(tu_w, op, ins, nin, outs, 1, o);
}

/* Builds the graph into a new tu_w. Input [1,H,W,3], H and W even. */
static void build_graph(int fp32, int H, int W) {
  g_fp32 = fp32;
  tu_w = lfrt_writer_new();
  lfrt_options o;
  int32_t s_in[4] = {1, H, W, 3}, s8[4] = {1, H, W, 8}, s16[4] = {1, H, W, 16};
  int32_t s_half8[4] = {1, H / 2, W / 2, 8}, s_half16[4] = {1, H / 2, W / 2, 16};
  int x = g_act("image", 4, s_in, 0.02f, -10);
  /* conv 3x3 SAME relu6 */
  int32_t w1s[4] = {8, 3, 3, 3};
  int w1 = g_weights("conv1.w", 4, w1s, 8, 0), b1 = g_bias("conv1.b", 8, 0.02f);
  int c1 = g_act("conv1", 4, s8, 0.03f, -128);
  memset(&o, 0, sizeof o);
  o.conv.padding = LFRT_PADDING_SAME; o.conv.stride_h = o.conv.stride_w = 1;
  o.conv.dilation_h = o.conv.dilation_w = 1; o.conv.activation = LFRT_ACT_RELU6;
  g_op(LFRT_OP_CONV_2D, (int32_t[]){x, w1, b1}, 3, c1, &o);
  /* depthwise 3x3 */
  int32_t dws[4] = {1, 3, 3, 8};
  int dw = g_weights("dw.w", 4, dws, 8, 3), dwb = g_bias("dw.b", 8, 0.03f);
  int d1 = g_act("dw", 4, s8, 0.04f, 3);
  memset(&o, 0, sizeof o);
  o.depthwise.padding = LFRT_PADDING_SAME; o.depthwise.stride_h = o.depthwise.stride_w = 1;
  o.depthwise.dilation_h = o.depthwise.dilation_w = 1; o.depthwise.depth_multiplier = 1;
  g_op(LFRT_OP_DEPTHWISE_CONV_2D, (int32_t[]){c1, dw, dwb}, 3, d1, &o);
  /* BatchNorm as per-channel MUL + ADD with RELU */
  int32_t cs[1] = {8};
  int gam, bet;
  if (fp32) {
    float g[8], b[8];
    for (int i = 0; i < 8; i++) { g[i] = tu_randf(0.5f, 1.5f); b[i] = tu_randf(-0.5f, 0.5f); }
    gam = tu_const("bn.scale", LFRT_FLOAT32, 1, cs, g, 32, NULL);
    bet = tu_const("bn.shift", LFRT_FLOAT32, 1, cs, b, 32, NULL);
  } else {
    int8_t g[8], b[8];
    for (int i = 0; i < 8; i++) { g[i] = (int8_t)tu_randint(40, 127); b[i] = (int8_t)tu_randint(-100, 100); }
    float gs = 0.012f, bs = 0.01f;
    int32_t gz = 0, bz = 0;
    lfrt_quant gq = {1, &gs, &gz, 0}, bq = {1, &bs, &bz, 0};
    gam = tu_const("bn.scale", LFRT_INT8, 1, cs, g, 8, &gq);
    bet = tu_const("bn.shift", LFRT_INT8, 1, cs, b, 8, &bq);
  }
  int m1 = g_act("bn.mul", 4, s8, 0.05f, 0);
  memset(&o, 0, sizeof o);
  g_op(LFRT_OP_MUL, (int32_t[]){d1, gam}, 2, m1, &o);
  int a1 = g_act("bn.add", 4, s8, 0.03f, -128);
  o.add.activation = LFRT_ACT_RELU;
  g_op(LFRT_OP_ADD, (int32_t[]){m1, bet}, 2, a1, &o);
  /* dense concat with conv1 (same quantization required: requantize conv1 via QUANTIZE) */
  int c1q = c1;
  if (!fp32) {
    c1q = g_act("conv1.rq", 4, s8, 0.03f, -128);
    g_op(LFRT_OP_QUANTIZE, (int32_t[]){c1}, 1, c1q, NULL);
  }
  int cat = g_act("concat", 4, s16, 0.03f, -128);
  memset(&o, 0, sizeof o);
  o.concat.axis = 3;
  g_op(LFRT_OP_CONCATENATION, (int32_t[]){a1, c1q}, 2, cat, &o);
  /* transition: 1x1 conv + 2x2 average pool */
  int32_t w2s[4] = {8, 1, 1, 16};
  int w2 = g_weights("trans.w", 4, w2s, 8, 0), b2 = g_bias("trans.b", 8, 0.03f);
  int t1 = g_act("trans", 4, s8, 0.05f, -5);
  memset(&o, 0, sizeof o);
  o.conv.padding = LFRT_PADDING_VALID; o.conv.stride_h = o.conv.stride_w = 1;
  o.conv.dilation_h = o.conv.dilation_w = 1;
  g_op(LFRT_OP_CONV_2D, (int32_t[]){cat, w2, b2}, 3, t1, &o);
  int p1 = g_act("pool", 4, s_half8, 0.05f, -5);
  memset(&o, 0, sizeof o);
  o.pool.padding = LFRT_PADDING_VALID; o.pool.stride_h = o.pool.stride_w = 2; o.pool.filter_h = o.pool.filter_w = 2;
  g_op(LFRT_OP_AVERAGE_POOL_2D, (int32_t[]){t1}, 1, p1, &o);
  /* decoder-ish: nearest x2 and a transpose conv back to full size, max pool */
  int u1 = g_act("up", 4, s8, 0.05f, -5);
  int32_t szs[1] = {2}, szd[2] = {H, W};
  int sz = tu_const("up.size", LFRT_INT32, 1, szs, szd, 8, NULL);
  memset(&o, 0, sizeof o);
  g_op(LFRT_OP_RESIZE_NEAREST_NEIGHBOR, (int32_t[]){p1, sz}, 2, u1, &o);
  int32_t tws[4] = {16, 3, 3, 8}, oss[1] = {4}, osd[4] = {1, H, W, 16};
  int tw = g_weights("tconv.w", 4, tws, 16, 0);
  int osh = tu_const("tconv.shape", LFRT_INT32, 1, oss, osd, 16, NULL);
  int tc = g_act("tconv", 4, s16, 0.1f, 0);
  memset(&o, 0, sizeof o);
  o.transpose_conv.padding = LFRT_PADDING_SAME; o.transpose_conv.stride_h = o.transpose_conv.stride_w = 2;
  g_op(LFRT_OP_TRANSPOSE_CONV, (int32_t[]){osh, tw, p1}, 3, tc, &o);
  int mp = g_act("maxpool", 4, s_half16, 0.1f, 0);
  memset(&o, 0, sizeof o);
  o.pool.padding = LFRT_PADDING_SAME; o.pool.stride_h = o.pool.stride_w = 2; o.pool.filter_h = o.pool.filter_w = 3;
  g_op(LFRT_OP_MAX_POOL_2D, (int32_t[]){tc}, 1, mp, &o);
  /* head: pad, mean over H,W, FC, softmax and logistic outputs */
  int32_t pds[2] = {4, 2}, pdd[8] = {0, 0, 1, 1, 2, 0, 0, 0};
  int pd = tu_const("pad.amounts", LFRT_INT32, 2, pds, pdd, 32, NULL);
  int32_t padded_s[4] = {1, H / 2 + 2, W / 2 + 2, 16};
  int padded = g_act("padded", 4, padded_s, 0.1f, 0);
  g_op(LFRT_OP_PAD, (int32_t[]){mp, pd}, 2, padded, NULL);
  int32_t axs[1] = {2}, axd[2] = {1, 2}, gs[2] = {1, 16};
  int ax = tu_const("mean.axes", LFRT_INT32, 1, axs, axd, 8, NULL);
  int gap = g_act("gap", 2, gs, 0.02f, -20);
  memset(&o, 0, sizeof o);
  g_op(LFRT_OP_MEAN, (int32_t[]){padded, ax}, 2, gap, &o);
  int32_t fws[2] = {5, 16}, ls[2] = {1, 5};
  int fw = g_weights("fc.w", 2, fws, 1, 0), fb = g_bias("fc.b", 5, 0.02f);
  int logits = g_act("logits", 2, ls, 0.05f, 10);
  memset(&o, 0, sizeof o);
  g_op(LFRT_OP_FULLY_CONNECTED, (int32_t[]){gap, fw, fb}, 3, logits, &o);
  int prob = g_act("probs", 2, ls, 1.0f / 256, -128);
  memset(&o, 0, sizeof o);
  o.softmax.beta = 1.0f;
  g_op(LFRT_OP_SOFTMAX, (int32_t[]){logits}, 1, prob, &o);
  int sig = g_act("sigmoid", 2, ls, 1.0f / 256, -128);
  g_op(LFRT_OP_LOGISTIC, (int32_t[]){logits}, 1, sig, NULL);
  int32_t outs[3] = {prob, sig, u1};
  lfrt_writer_set_io(tu_w, &x, 1, outs, 3);
}
#endif
