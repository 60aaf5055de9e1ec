/* CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED through the
 * interpreter, int8 and float, against a direct float re-computation written
 * here (transpose conv as a scatter, unlike the kernel's gather): int8 results
 * must be within one quantization step of round(real/scale)+zp, float within
 * 1e-4 relative. Odd and prime shapes, SAME/VALID, strides, dilations, every
 * fused activation, per-channel and per-tensor weights. */
#include "test_interp_util.h"

enum { CONV, DW, TCONV, FC };

static const int acts[4] = {LFRT_ACT_NONE, LFRT_ACT_RELU, LFRT_ACT_RELU6, LFRT_ACT_RELU_N1_TO_1};

static double act_apply(int act, double v) {
  if (act == LFRT_ACT_RELU && v < 0) v = 0;
  if (act == LFRT_ACT_RELU6) v = v < 0 ? 0 : v > 6 ? 6 : v;
  if (act == LFRT_ACT_RELU_N1_TO_1) v = v < -1 ? -1 : v > 1 ? 1 : v;
  return v;
}

static int conv_out(int pad_same, int in, int k, int s, int d, int *pad) {
  int eff = (k - 1) * d + 1;
  int out = pad_same ? (in + s - 1) / s : (in + s - eff) / s;
  int total = (out - 1) * s + eff - in;
  *pad = total > 0 ? total / 2 : 0;
  return out;
}

static int ncases, maxdiff_seen;

/* One random case of `kind`; fp32 selects float tensors. */
static void one_case(int kind, int fp32, int idx) {
  static const int dims[] = {1, 2, 3, 5, 7, 11, 13};
  int B = kind == FC ? tu_randint(1, 3) : 1 + (idx % 2);
  int H = dims[tu_randint(0, 6)], W = dims[tu_randint(0, 6)];
  int C = dims[tu_randint(0, 5)], M = tu_randint(1, 3);
  int OC = kind == DW ? C * M : dims[tu_randint(0, 5)];
  int k = kind == FC ? 1 : (int[]){1, 2, 3, 5}[tu_randint(0, 3)];
  int kh = k, kw = kind == FC ? 1 : (int[]){1, 2, 3, 5}[tu_randint(0, 3)];
  int s = tu_randint(1, 3), d = kind == TCONV || kind == FC ? 1 : tu_randint(1, 2);
  int same = tu_randint(0, 1), act = acts[tu_randint(0, 3)], perch = tu_randint(0, 1);
  if (kind == TCONV) s = tu_randint(1, 2);
  int pt = 0, pl = 0, OH, OW;
  if (kind == TCONV) {
    OH = same ? H * s : (H - 1) * s + kh;
    OW = same ? W * s : (W - 1) * s + kw;
    conv_out(same, OH, kh, s, 1, &pt);
    conv_out(same, OW, kw, s, 1, &pl);
  } else if (kind == FC) {
    OH = OW = 1;
  } else {
    OH = conv_out(same, H, kh, s, d, &pt);
    OW = conv_out(same, W, kw, s, d, &pl);
    if (OH < 1 || OW < 1) return;
  }
  int IC = kind == FC ? H * C : C; /* FC: input [B, H*C] */
  /* weights */
  int32_t wshape[4];
  int wn;
  if (kind == DW) { wshape[0] = 1; wshape[1] = kh; wshape[2] = kw; wshape[3] = OC; }
  else { wshape[0] = OC; wshape[1] = kh; wshape[2] = kw; wshape[3] = C; }
  wn = kind == FC ? OC * IC : wshape[0] * wshape[1] * wshape[2] * wshape[3];
  float xs = tu_randf(0.01f, 0.1f), ys = tu_randf(0.02f, 0.3f);
  int xz = tu_randint(-20, 20), yz = tu_randint(-20, 20);
  float ws[64];
  int32_t wz[64] = {0};
  for (int c = 0; c < OC; c++) ws[c] = tu_randf(0.002f, 0.02f);
  int8_t *wq = malloc((size_t)wn);
  float *wf = malloc((size_t)wn * sizeof(float));
  int32_t bq[64];
  float bf[64];
  for (int i = 0; i < wn; i++) {
    wq[i] = (int8_t)tu_randint(-127, 127);
    wf[i] = tu_randf(-1.0f, 1.0f);
  }
  for (int c = 0; c < OC; c++) {
    bq[c] = tu_randint(-3000, 3000);
    bf[c] = tu_randf(-1.0f, 1.0f);
  }
  int has_bias = kind == TCONV ? tu_randint(0, 1) : 1;
  tu_w = lfrt_writer_new();
  int32_t xshape[4] = {B, H, W, C}, xshape2[2] = {B, IC};
  int32_t yshape[4] = {B, OH, OW, OC}, yshape2[2] = {B, OC};
  int x = fp32 ? tu_f32("x", kind == FC ? 2 : 4, kind == FC ? xshape2 : xshape)
               : tu_q8("x", kind == FC ? 2 : 4, kind == FC ? xshape2 : xshape, xs, xz);
  int y = fp32 ? tu_f32("y", kind == FC ? 2 : 4, kind == FC ? yshape2 : yshape)
               : tu_q8("y", kind == FC ? 2 : 4, kind == FC ? yshape2 : yshape, ys, yz);
  lfrt_quant wqq = {perch ? OC : 1, ws, wz, kind == DW ? 3 : 0};
  int32_t fcw[2] = {OC, IC}, bshape[1] = {OC};
  int w = fp32 ? tu_const("w", LFRT_FLOAT32, kind == FC ? 2 : 4, kind == FC ? fcw : wshape, wf, (size_t)wn * 4, NULL)
               : tu_const("w", LFRT_INT8, kind == FC ? 2 : 4, kind == FC ? fcw : wshape, wq, (size_t)wn, &wqq);
  float bscale[64];
  for (int c = 0; c < OC; c++) bscale[c] = xs * ws[perch ? c : 0];
  lfrt_quant bqq = {perch ? OC : 1, bscale, wz, 0};
  int b = -1;
  if (has_bias)
    b = fp32 ? tu_const("b", LFRT_FLOAT32, 1, bshape, bf, (size_t)OC * 4, NULL)
             : tu_const("b", LFRT_INT32, 1, bshape, bq, (size_t)OC * 4, &bqq);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  lfrt_padding pad = same ? LFRT_PADDING_SAME : LFRT_PADDING_VALID;
  if (kind == CONV) {
    o.conv.padding = pad; o.conv.stride_h = o.conv.stride_w = s; o.conv.dilation_h = o.conv.dilation_w = d;
    o.conv.activation = act;
    int32_t ins[3] = {x, w, b}, outs[1] = {y};
    lfrt_writer_add_operator(tu_w, LFRT_OP_CONV_2D, ins, 3, outs, 1, &o);
  } else if (kind == DW) {
    o.depthwise.padding = pad; o.depthwise.stride_h = o.depthwise.stride_w = s;
    o.depthwise.dilation_h = o.depthwise.dilation_w = d; o.depthwise.depth_multiplier = M;
    o.depthwise.activation = act;
    int32_t ins[3] = {x, w, b}, outs[1] = {y};
    lfrt_writer_add_operator(tu_w, LFRT_OP_DEPTHWISE_CONV_2D, ins, 3, outs, 1, &o);
  } else if (kind == TCONV) {
    int32_t os_shape[1] = {4};
    int os = tu_const("output_shape", LFRT_INT32, 1, os_shape, yshape, 16, NULL);
    o.transpose_conv.padding = pad; o.transpose_conv.stride_h = o.transpose_conv.stride_w = s;
    o.transpose_conv.activation = act;
    int32_t ins[4] = {os, w, x, b}, outs[1] = {y};
    lfrt_writer_add_operator(tu_w, LFRT_OP_TRANSPOSE_CONV, ins, has_bias ? 4 : 3, outs, 1, &o);
  } else {
    o.fc.activation = act;
    int32_t ins[3] = {x, w, b}, outs[1] = {y};
    lfrt_writer_add_operator(tu_w, LFRT_OP_FULLY_CONNECTED, ins, 3, outs, 1, &o);
  }
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  tu_run r;
  if (tu_prepare(&r, 1 + idx % 3)) {
    fprintf(stderr, "case kind %d fp32 %d: H%d W%d C%d OC%d k%dx%d s%d d%d same%d\n", kind, fp32, H, W, C, OC, kh, kw, s, d, same);
    tu_free(&r);
    free(wq); free(wf);
    return;
  }
  tu_fill_inputs(&r);
  tu_invoke(&r);
  const void *xin = lfrt_interp_input_data(r.it, 0);
  const void *yout = lfrt_interp_output_data(r.it, 0);
  int nout = B * OH * OW * OC;
  double *real = calloc((size_t)nout, sizeof(double));
  /* re-computation */
#define XV(bb, yy, xx, cc) (fp32 ? (double)((const float *)xin)[(((size_t)(bb) * H + (yy)) * W + (xx)) * C + (cc)] \
                                 : xs * ((double)((const int8_t *)xin)[(((size_t)(bb) * H + (yy)) * W + (xx)) * C + (cc)] - xz))
#define WV(i, c) (fp32 ? (double)wf[i] : ws[perch ? (c) : 0] * (double)wq[i])
  if (kind == FC) {
    const float *xf = xin;
    const int8_t *xq = xin;
    for (int bb = 0; bb < B; bb++)
      for (int oc = 0; oc < OC; oc++) {
        double acc = 0;
        for (int i = 0; i < IC; i++) {
          double xv = fp32 ? xf[bb * IC + i] : xs * ((double)xq[bb * IC + i] - xz);
          acc += xv * WV(oc * IC + i, oc);
        }
        real[bb * OC + oc] = acc;
      }
  } else if (kind == TCONV) {
    for (int bb = 0; bb < B; bb++)
      for (int iy = 0; iy < H; iy++)
        for (int ix = 0; ix < W; ix++)
          for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++) {
              int oy = iy * s + ky - pt, ox = ix * s + kx - pl;
              if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
              for (int oc = 0; oc < OC; oc++)
                for (int ic = 0; ic < C; ic++)
                  real[(((size_t)bb * OH + oy) * OW + ox) * OC + oc] +=
                      XV(bb, iy, ix, ic) * WV(((oc * kh + ky) * kw + kx) * C + ic, oc);
            }
  } else {
    for (int bb = 0; bb < B; bb++)
      for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++)
          for (int oc = 0; oc < OC; oc++) {
            double acc = 0;
            for (int ky = 0; ky < kh; ky++)
              for (int kx = 0; kx < kw; kx++) {
                int iy = oy * s - pt + ky * d, ix = ox * s - pl + kx * d;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                if (kind == DW) {
                  acc += XV(bb, iy, ix, oc / M) * WV((ky * kw + kx) * OC + oc, oc);
                } else {
                  for (int ic = 0; ic < C; ic++) acc += XV(bb, iy, ix, ic) * WV(((oc * kh + ky) * kw + kx) * C + ic, oc);
                }
              }
            real[(((size_t)bb * OH + oy) * OW + ox) * OC + oc] = acc;
          }
  }
  int bad = 0;
  for (int i = 0; i < nout; i++) {
    int oc = i % OC;
    double v = real[i];
    if (has_bias) v += fp32 ? bf[oc] : (double)bq[oc] * xs * ws[perch ? oc : 0];
    v = act_apply(act, v);
    if (fp32) {
      double got = ((const float *)yout)[i];
      if (fabs(got - v) > 1e-4 * (1 + fabs(v)) && bad++ < 3)
        LF_CHECK_MSG(0, "kind %d f32 out %d: got %g want %g", kind, i, got, v);
    } else {
      int want = tu_quant(v, ys, yz, -128, 127), got = ((const int8_t *)yout)[i];
      int diff = abs(got - want);
      if (diff > maxdiff_seen) maxdiff_seen = diff;
      if (diff > 1 && bad++ < 3)
        LF_CHECK_MSG(0, "kind %d i8 out %d: got %d want %d (H%d W%d C%d OC%d k%dx%d s%d d%d same%d act%d)", kind, i, got,
                     want, H, W, C, OC, kh, kw, s, d, same, act);
    }
  }
  LF_CHECK(bad == 0);
  ncases++;
  free(real);
  tu_free(&r);
  free(wq);
  free(wf);
}

LF_TEST(conv2d) { for (int i = 0; i < 60; i++) one_case(CONV, i % 4 == 3, i); }
LF_TEST(depthwise) { for (int i = 0; i < 60; i++) one_case(DW, i % 4 == 3, i); }
LF_TEST(transpose_conv) { for (int i = 0; i < 50; i++) one_case(TCONV, i % 4 == 3, i); }
LF_TEST(fully_connected) { for (int i = 0; i < 40; i++) one_case(FC, i % 4 == 3, i); }

int main(void) {
  LF_RUN(conv2d);
  LF_RUN(depthwise);
  LF_RUN(transpose_conv);
  LF_RUN(fully_connected);
  printf("%d cases, int8 max |diff| vs float formula: %d step(s)\n", ncases, maxdiff_seen);
  LF_CHECK(ncases > 150);
  tu_digest_write("test_kernels_conv");
  return lf_test_summary();
}
