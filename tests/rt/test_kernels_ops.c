/* Pools, MEAN, ADD/MUL (broadcasting), CONCATENATION, PAD, RESHAPE, RESIZE_*,
 * LOGISTIC, SOFTMAX, RELU, RELU6, QUANTIZE, DEQUANTIZE through the interpreter,
 * int8 and float, against float formulas written here (int8: within one
 * quantization step of the spec's round(real/scale)+zp; data-movement ops and
 * MAX_POOL: exact). Odd and prime shapes. */
#include "test_interp_util.h"

static int maxdiff_seen, ncases;
static const int primes[] = {1, 2, 3, 5, 7, 11, 13};

/* Compares n int8 outputs with real-valued expectations. */
static void check_q8(const char *what, const int8_t *got, const double *real, int n, float ys, int yz, int lo, int hi) {
  int bad = 0;
  for (int i = 0; i < n; i++) {
    int want = tu_quant(real[i], ys, yz, lo, hi), d = abs(got[i] - want);
    if (d > maxdiff_seen) maxdiff_seen = d;
    if (d > 1 && bad++ < 3) LF_CHECK_MSG(0, "%s: out %d got %d want %d (real %g)", what, i, got[i], want, real[i]);
  }
  LF_CHECK_MSG(bad == 0, "%s: %d outputs off by more than one step", what, bad);
  ncases++;
}
static void check_f32(const char *what, const float *got, const double *real, int n, double tol) {
  int bad = 0;
  for (int i = 0; i < n; i++)
    if (fabs(got[i] - real[i]) > tol * (1 + fabs(real[i])) && bad++ < 3)
      LF_CHECK_MSG(0, "%s: out %d got %g want %g", what, i, got[i], real[i]);
  LF_CHECK(bad == 0);
  ncases++;
}

static double deq(const tu_run *r, int input, int64_t i) {
  const lfrt_tensor *t = lfrt_interp_input(r->it, input);
  const void *d = lfrt_interp_input_data(r->it, input);
  if (t->type == LFRT_FLOAT32) return ((const float *)d)[i];
  return t->quant.scale[0] * ((double)((const int8_t *)d)[i] - t->quant.zero_point[0]);
}

/* ---- pools ---- */
static void pool_case(int avg, int fp32, int threads) {
  int H = primes[tu_randint(1, 6)], W = primes[tu_randint(1, 6)], C = primes[tu_randint(0, 5)];
  int kh = tu_randint(1, 4), kw = tu_randint(1, 4), s = tu_randint(1, 3), same = tu_randint(0, 1);
  int act = (int[]){LFRT_ACT_NONE, LFRT_ACT_RELU, LFRT_ACT_RELU6}[tu_randint(0, 2)];
  if (!same && (kh > H || kw > W)) same = 1;
  int OH = same ? (H + s - 1) / s : (H - kh + s) / s, OW = same ? (W + s - 1) / s : (W - kw + s) / s;
  int pt = ((OH - 1) * s + kh - H) > 0 ? ((OH - 1) * s + kh - H) / 2 : 0;
  int pl = ((OW - 1) * s + kw - W) > 0 ? ((OW - 1) * s + kw - W) / 2 : 0;
  float sc = tu_randf(0.01f, 0.1f);
  int zp = tu_randint(-30, 30);
  tu_w = lfrt_writer_new();
  int32_t xs[4] = {1, H, W, C}, ys[4] = {1, OH, OW, C};
  int x = fp32 ? tu_f32("x", 4, xs) : tu_q8("x", 4, xs, sc, zp);
  int y = fp32 ? tu_f32("y", 4, ys) : tu_q8("y", 4, ys, sc, zp);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.pool.padding = same ? LFRT_PADDING_SAME : LFRT_PADDING_VALID;
  o.pool.stride_h = o.pool.stride_w = s;
  o.pool.filter_h = kh;
  o.pool.filter_w = kw;
  o.pool.activation = act;
  int32_t ins[1] = {x}, outs[1] = {y};
  lfrt_writer_add_operator(tu_w, avg ? LFRT_OP_AVERAGE_POOL_2D : LFRT_OP_MAX_POOL_2D, ins, 1, outs, 1, &o);
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  tu_run r;
  if (tu_prepare(&r, threads)) { tu_free(&r); return; }
  tu_fill_inputs(&r);
  tu_invoke(&r);
  int n = OH * OW * C;
  double *real = calloc((size_t)n, sizeof(double));
  for (int oy = 0; oy < OH; oy++)
    for (int ox = 0; ox < OW; ox++)
      for (int c = 0; c < C; c++) {
        double acc = 0, mx = -1e30;
        int cnt = 0;
        for (int ky = 0; ky < kh; ky++)
          for (int kx = 0; kx < kw; kx++) {
            int iy = oy * s - pt + ky, ix = ox * s - pl + kx;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            double v = deq(&r, 0, ((int64_t)iy * W + ix) * C + c);
            acc += v;
            if (v > mx) mx = v;
            cnt++;
          }
        double v = avg ? acc / cnt : mx;
        if (act == LFRT_ACT_RELU && v < 0) v = 0;
        if (act == LFRT_ACT_RELU6) v = v < 0 ? 0 : v > 6 ? 6 : v;
        real[(oy * OW + ox) * C + c] = v;
      }
  const void *out = lfrt_interp_output_data(r.it, 0);
  if (fp32) {
    check_f32(avg ? "avgpool f32" : "maxpool f32", out, real, n, avg ? 1e-5 : 0);
  } else if (avg) {
    check_q8("avgpool i8", out, real, n, sc, zp, -128, 127);
  } else { /* max of int8 values is exact */
    int bad = 0;
    for (int i = 0; i < n; i++)
      if (((const int8_t *)out)[i] != tu_quant(real[i], sc, zp, -128, 127)) bad++;
    LF_CHECK_MSG(bad == 0, "maxpool i8: %d outputs differ", bad);
  }
  free(real);
  tu_free(&r);
}
LF_TEST(pools) {
  for (int i = 0; i < 40; i++) pool_case(i % 2, i % 4 >= 2, 1 + i % 3);
}

/* ---- MEAN ---- */
LF_TEST(mean) {
  static const int axes_sets[][3] = {{2, 1, 2}, {1, 3, 0}, {1, 1, 0}, {2, 2, 1}, {2, 2, 3}};
  for (int i = 0; i < 30; i++) {
    int fp32 = i % 5 == 4, keep = tu_randint(0, 1);
    const int *as = axes_sets[i % 5];
    int na = as[0];
    int32_t axd[3];
    for (int k = 0; k < na; k++) axd[k] = as[1 + k] - (i % 3 == 0 ? 4 : 0); /* negative axes too */
    if (i % 5 == 4) { na = 3; axd[0] = 1; axd[1] = 2; axd[2] = 3; }
    int32_t xs[4] = {tu_randint(1, 2), primes[tu_randint(0, 6)], primes[tu_randint(0, 6)], primes[tu_randint(0, 6)]};
    int red[4] = {0, 0, 0, 0};
    for (int k = 0; k < na; k++) red[(axd[k] + 4) % 4] = 1;
    int32_t ys[4];
    int nd = 0, n = 1, nout = 1;
    for (int d = 0; d < 4; d++) {
      if (red[d]) { n *= xs[d]; if (keep) ys[nd++] = 1; }
      else { ys[nd++] = xs[d]; nout *= xs[d]; }
    }
    float sx = tu_randf(0.01f, 0.1f), sy = tu_randf(0.005f, 0.1f);
    int zx = tu_randint(-50, 50), zy = tu_randint(-50, 50);
    tu_w = lfrt_writer_new();
    int x = fp32 ? tu_f32("x", 4, xs) : tu_q8("x", 4, xs, sx, zx);
    int32_t ash[1] = {na};
    int ax = tu_const("axis", LFRT_INT32, 1, ash, axd, (size_t)na * 4, NULL);
    int y = fp32 ? tu_f32("y", nd, ys) : tu_q8("y", nd, ys, sy, zy);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    o.reducer.keep_dims = keep;
    int32_t ins[2] = {x, ax}, outs[1] = {y};
    lfrt_writer_add_operator(tu_w, LFRT_OP_MEAN, ins, 2, outs, 1, &o);
    lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
    tu_run r;
    if (tu_prepare(&r, 1 + i % 3)) { tu_free(&r); continue; }
    tu_fill_inputs(&r);
    tu_invoke(&r);
    double *real = calloc((size_t)nout, sizeof(double));
    /* accumulate each input element into its output slot */
    for (int64_t e = 0; e < (int64_t)xs[0] * xs[1] * xs[2] * xs[3]; e++) {
      int64_t rest = e;
      int c[4];
      for (int d = 3; d >= 0; d--) { c[d] = (int)(rest % xs[d]); rest /= xs[d]; }
      int64_t o_i = 0;
      for (int d = 0; d < 4; d++) if (!red[d]) o_i = o_i * xs[d] + c[d];
      real[o_i] += deq(&r, 0, e) / n;
    }
    const void *out = lfrt_interp_output_data(r.it, 0);
    if (fp32) check_f32("mean f32", out, real, nout, 1e-5);
    else check_q8("mean i8", out, real, nout, sy, zy, -128, 127);
    free(real);
    tu_free(&r);
  }
}

/* ---- ADD / MUL ---- */
LF_TEST(add_mul) {
  for (int i = 0; i < 48; i++) {
    int mul = i % 2, fp32 = i % 8 >= 6, act = (int[]){LFRT_ACT_NONE, LFRT_ACT_RELU, LFRT_ACT_RELU6}[i % 3];
    int H = primes[tu_randint(0, 6)], W = primes[tu_randint(0, 6)], C = primes[tu_randint(0, 6)];
    int32_t as[4] = {1, H, W, C}, bs[4];
    int bnd, bconst = tu_randint(0, 1), bkind = tu_randint(0, 3);
    switch (bkind) {
    case 0: bnd = 1; bs[0] = C; break;                                   /* per channel [C] */
    case 1: bnd = 4; bs[0] = 1; bs[1] = 1; bs[2] = 1; bs[3] = C; break; /* [1,1,1,C] */
    case 2: bnd = 4; bs[0] = 1; bs[1] = H; bs[2] = W; bs[3] = C; break; /* same shape */
    default: bnd = 3; bs[0] = H; bs[1] = 1; bs[2] = C; break;           /* [H,1,C] */
    }
    int bn = 1;
    for (int d = 0; d < bnd; d++) bn *= bs[d];
    float sa = tu_randf(0.01f, 0.1f), sb = tu_randf(0.01f, 0.1f), so = mul ? tu_randf(0.001f, 0.05f) : tu_randf(0.02f, 0.2f);
    int za = tu_randint(-40, 40), zb = tu_randint(-40, 40), zo = tu_randint(-40, 40);
    if (i % 12 >= 10) sb = so * (mul ? 1e-5f : 4e-4f); /* outside XNNPACK's ratio range: TFLite builtin path */
    int8_t bq[4096];
    float bf[4096];
    for (int k = 0; k < bn; k++) { bq[k] = (int8_t)tu_rand(); bf[k] = tu_randf(-2, 2); }
    tu_w = lfrt_writer_new();
    int a = fp32 ? tu_f32("a", 4, as) : tu_q8("a", 4, as, sa, za);
    lfrt_quant qb = {1, &sb, &zb, 0};
    int b = bconst ? (fp32 ? tu_const("b", LFRT_FLOAT32, bnd, bs, bf, (size_t)bn * 4, NULL)
                           : tu_const("b", LFRT_INT8, bnd, bs, bq, (size_t)bn, &qb))
                   : (fp32 ? tu_f32("b", bnd, bs) : tu_q8("b", bnd, bs, sb, zb));
    int y = fp32 ? tu_f32("y", 4, as) : tu_q8("y", 4, as, so, zo);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    if (mul) o.mul.activation = act; else o.add.activation = act;
    int32_t ins[2] = {a, b}, outs[1] = {y}, io[2] = {a, b};
    lfrt_writer_add_operator(tu_w, mul ? LFRT_OP_MUL : LFRT_OP_ADD, ins, 2, outs, 1, &o);
    lfrt_writer_set_io(tu_w, io, bconst ? 1 : 2, &y, 1);
    tu_run r;
    if (tu_prepare(&r, 1 + i % 3)) { tu_free(&r); continue; }
    tu_fill_inputs(&r);
    tu_invoke(&r);
    int n = H * W * C;
    double *real = calloc((size_t)n, sizeof(double));
    for (int e = 0; e < n; e++) {
      int c = e % C, xw = (e / C) % W, hy = e / (C * W);
      int bi = bkind <= 1 ? c : bkind == 2 ? e : (hy * C + c);
      double va = deq(&r, 0, e);
      double vb = bconst ? (fp32 ? bf[bi] : sb * ((double)bq[bi] - zb)) : deq(&r, 1, bi);
      (void)xw;
      double v = mul ? va * vb : va + vb;
      if (act == LFRT_ACT_RELU && v < 0) v = 0;
      if (act == LFRT_ACT_RELU6) v = v < 0 ? 0 : v > 6 ? 6 : v;
      real[e] = v;
    }
    const void *out = lfrt_interp_output_data(r.it, 0);
    if (fp32) check_f32(mul ? "mul f32" : "add f32", out, real, n, 1e-6);
    else check_q8(mul ? "mul i8" : "add i8", out, real, n, so, zo, -128, 127);
    free(real);
    tu_free(&r);
  }
}

/* ---- CONCATENATION, PAD, RESHAPE: exact data movement ---- */
LF_TEST(concat_pad_reshape) {
  for (int i = 0; i < 24; i++) {
    int fp32 = i % 4 == 3, es = fp32 ? 4 : 1;
    int32_t s0[4] = {tu_randint(1, 2), primes[tu_randint(0, 5)], primes[tu_randint(0, 5)], primes[tu_randint(0, 5)]};
    int axis = tu_randint(0, 3), nin = tu_randint(1, 4);
    float sc = 0.05f;
    int zp = -3;
    tu_w = lfrt_writer_new();
    int32_t ins[4], shapes[4][4], ys[4];
    memcpy(ys, s0, sizeof ys);
    ys[axis] = 0;
    char nm[16];
    for (int k = 0; k < nin; k++) {
      memcpy(shapes[k], s0, sizeof s0);
      shapes[k][axis] = primes[tu_randint(0, 4)];
      ys[axis] += shapes[k][axis];
      snprintf(nm, sizeof nm, "in%d", k);
      ins[k] = fp32 ? tu_f32(nm, 4, shapes[k]) : tu_q8(nm, 4, shapes[k], sc, zp);
    }
    int cat = fp32 ? tu_f32("cat", 4, ys) : tu_q8("cat", 4, ys, sc, zp);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    o.concat.axis = axis - (i % 2 ? 4 : 0);
    int32_t outs[1] = {cat};
    lfrt_writer_add_operator(tu_w, LFRT_OP_CONCATENATION, ins, nin, outs, 1, &o);
    /* then PAD (constant: zero point), then RESHAPE to 2-D */
    int32_t pads[8], ps[4], pshape[2] = {4, 2};
    int64_t pcount = 1;
    for (int d = 0; d < 4; d++) {
      pads[2 * d] = tu_randint(0, 2);
      pads[2 * d + 1] = tu_randint(0, 2);
      ps[d] = ys[d] + pads[2 * d] + pads[2 * d + 1];
      pcount *= ps[d];
    }
    int pd = tu_const("paddings", LFRT_INT32, 2, pshape, pads, sizeof pads, NULL);
    int padded = fp32 ? tu_f32("padded", 4, ps) : tu_q8("padded", 4, ps, sc, zp);
    int32_t pin[2] = {cat, pd}, pout[1] = {padded};
    lfrt_writer_add_operator(tu_w, LFRT_OP_PAD, pin, 2, pout, 1, NULL);
    int32_t rs[2] = {ps[0] * ps[1], ps[2] * ps[3]}, rsh[1] = {2};
    int shp = tu_const("shape", LFRT_INT32, 1, rsh, rs, 8, NULL);
    int y = fp32 ? tu_f32("y", 2, rs) : tu_q8("y", 2, rs, sc, zp);
    memset(&o, 0, sizeof o);
    o.reshape.num_dims = 2;
    o.reshape.new_shape[0] = rs[0];
    o.reshape.new_shape[1] = rs[1];
    int32_t rin[2] = {padded, shp}, rout[1] = {y};
    lfrt_writer_add_operator(tu_w, LFRT_OP_RESHAPE, rin, 2, rout, 1, &o);
    lfrt_writer_set_io(tu_w, ins, nin, &y, 1);
    tu_run r;
    if (tu_prepare(&r, 1 + i % 3)) { tu_free(&r); continue; }
    tu_fill_inputs(&r);
    tu_invoke(&r);
    const unsigned char *out = lfrt_interp_output_data(r.it, 0);
    int bad = 0;
    for (int64_t e = 0; e < pcount; e++) {
      int c[4];
      int64_t rest = e;
      for (int d = 3; d >= 0; d--) { c[d] = (int)(rest % ps[d]); rest /= ps[d]; }
      int inside = 1;
      for (int d = 0; d < 4; d++) { c[d] -= pads[2 * d]; if (c[d] < 0 || c[d] >= ys[d]) inside = 0; }
      unsigned char want[4] = {0, 0, 0, 0};
      if (!inside) {
        if (!fp32) want[0] = (unsigned char)(int8_t)zp;
      } else { /* which input holds coordinate c along the axis */
        int k = 0, off = c[axis];
        while (off >= shapes[k][axis]) off -= shapes[k++][axis];
        int cc[4];
        memcpy(cc, c, sizeof cc);
        cc[axis] = off;
        int64_t idx = (((int64_t)cc[0] * shapes[k][1] + cc[1]) * shapes[k][2] + cc[2]) * shapes[k][3] + cc[3];
        memcpy(want, (const unsigned char *)lfrt_interp_input_data(r.it, k) + idx * es, (size_t)es);
      }
      if (memcmp(out + e * es, want, (size_t)es)) bad++;
    }
    LF_CHECK_MSG(bad == 0, "concat(axis %d, %d inputs)+pad+reshape: %d elements differ", axis, nin, bad);
    ncases++;
    tu_free(&r);
  }
}

/* ---- RESIZE ---- */
LF_TEST(resize) {
  for (int i = 0; i < 36; i++) {
    int nn = i % 2, fp32 = i % 6 >= 4, mode = (i / 2) % 3; /* 0 legacy, 1 align, 2 half */
    int H = primes[tu_randint(1, 5)], W = primes[tu_randint(1, 5)], C = primes[tu_randint(0, 4)];
    int OH = tu_randint(1, 3 * H), OW = tu_randint(1, 3 * W);
    if (nn && i % 4 == 1) { OH = 2 * H; OW = 2 * W; mode = 0; }
    float sc = 0.04f;
    int zp = 5;
    tu_w = lfrt_writer_new();
    int32_t xs[4] = {1, H, W, C}, ys[4] = {1, OH, OW, C}, szs[1] = {2}, szd[2] = {OH, OW};
    int x = fp32 ? tu_f32("x", 4, xs) : tu_q8("x", 4, xs, sc, zp);
    int sz = tu_const("size", LFRT_INT32, 1, szs, szd, 8, NULL);
    int y = fp32 ? tu_f32("y", 4, ys) : tu_q8("y", 4, ys, sc, zp);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    o.resize.align_corners = mode == 1;
    o.resize.half_pixel_centers = mode == 2;
    int32_t ins[2] = {x, sz}, outs[1] = {y};
    lfrt_writer_add_operator(tu_w, nn ? LFRT_OP_RESIZE_NEAREST_NEIGHBOR : LFRT_OP_RESIZE_BILINEAR, ins, 2, outs, 1, &o);
    lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
    tu_run r;
    if (tu_prepare(&r, 1 + i % 3)) { tu_free(&r); continue; }
    tu_fill_inputs(&r);
    tu_invoke(&r);
    int n = OH * OW * C;
    double *real = calloc((size_t)n, sizeof(double));
    double syy = (mode == 1 && OH > 1) ? (double)(H - 1) / (OH - 1) : (double)H / OH;
    double sxx = (mode == 1 && OW > 1) ? (double)(W - 1) / (OW - 1) : (double)W / OW;
    int nn_exact = 1;
    for (int oy = 0; oy < OH; oy++)
      for (int ox = 0; ox < OW; ox++) {
        double py = mode == 2 ? (oy + 0.5) * syy - 0.5 : oy * syy, px = mode == 2 ? (ox + 0.5) * sxx - 0.5 : ox * sxx;
        for (int c = 0; c < C; c++) {
          double v;
          if (nn) {
            double fy = mode == 2 ? (oy + 0.5) * syy : oy * syy, fx = mode == 2 ? (ox + 0.5) * sxx : ox * sxx;
            int iy = mode == 1 ? (int)floor(fy + 0.5) : (int)floor(fy), ix = mode == 1 ? (int)floor(fx + 0.5) : (int)floor(fx);
            if (iy > H - 1) iy = H - 1;
            if (ix > W - 1) ix = W - 1;
            v = deq(&r, 0, ((int64_t)iy * W + ix) * C + c);
          } else {
            if (py < 0) py = 0;
            if (px < 0) px = 0;
            int y0 = (int)floor(py), x0 = (int)floor(px);
            if (y0 > H - 1) y0 = H - 1;
            if (x0 > W - 1) x0 = W - 1;
            int y1 = y0 + 1 < H ? y0 + 1 : H - 1, x1 = x0 + 1 < W ? x0 + 1 : W - 1;
            double ay = py - y0, ax = px - x0;
            if (ay > 1) ay = 1;
            if (ax > 1) ax = 1;
            double tl = deq(&r, 0, ((int64_t)y0 * W + x0) * C + c), tr = deq(&r, 0, ((int64_t)y0 * W + x1) * C + c);
            double bl = deq(&r, 0, ((int64_t)y1 * W + x0) * C + c), br = deq(&r, 0, ((int64_t)y1 * W + x1) * C + c);
            v = (tl * (1 - ax) + tr * ax) * (1 - ay) + (bl * (1 - ax) + br * ax) * ay;
          }
          real[(oy * OW + ox) * C + c] = v;
        }
      }
    const void *out = lfrt_interp_output_data(r.it, 0);
    if (nn && !fp32 && nn_exact) {
      int bad = 0;
      for (int e = 0; e < n; e++)
        if (((const int8_t *)out)[e] != tu_quant(real[e], sc, zp, -128, 127)) bad++;
      LF_CHECK_MSG(bad == 0, "resize nearest i8 mode %d %dx%d->%dx%d: %d differ", mode, H, W, OH, OW, bad);
      ncases++;
    } else if (fp32) {
      check_f32(nn ? "resize nearest f32" : "resize bilinear f32", out, real, n, nn ? 0 : 1e-5);
    } else {
      check_q8("resize bilinear i8", out, real, n, sc, zp, -128, 127);
    }
    free(real);
    tu_free(&r);
  }
}

/* ---- unary ---- */
static void unary_case(lfrt_op op, int xf32, int yf32, float sx, int zx, float sy, int zy, int n, float beta) {
  tu_w = lfrt_writer_new();
  int32_t sh[2] = {n / (op == LFRT_OP_SOFTMAX ? 10 : 1) > 0 ? (op == LFRT_OP_SOFTMAX ? 10 : 1) : 1, 0};
  sh[1] = n / sh[0];
  n = sh[0] * sh[1];
  if (n < 1 || n > 100000) return;
  int x = xf32 ? tu_f32("x", 2, sh) : tu_q8("x", 2, sh, sx, zx);
  int y = yf32 ? tu_f32("y", 2, sh) : tu_q8("y", 2, sh, sy, zy);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.softmax.beta = beta;
  int32_t ins[1] = {x}, outs[1] = {y};
  lfrt_writer_add_operator(tu_w, op, ins, 1, outs, 1, op == LFRT_OP_SOFTMAX ? &o : NULL);
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  tu_run r;
  if (tu_prepare(&r, 2)) { tu_free(&r); return; }
  tu_fill_inputs(&r);
  if (!xf32) { /* every int8 value at least once */
    int8_t *d = lfrt_interp_input_data(r.it, 0);
    for (int k = 0; k < n && k < 256; k++) d[k] = (int8_t)(k - 128);
  }
  tu_invoke(&r);
  double *real = calloc((size_t)n, sizeof(double));
  for (int e = 0; e < n; e++) {
    double v = deq(&r, 0, e);
    switch (op) {
    case LFRT_OP_LOGISTIC: v = 1 / (1 + exp(-v)); break;
    case LFRT_OP_RELU: v = v < 0 ? 0 : v; break;
    case LFRT_OP_RELU6: v = v < 0 ? 0 : v > 6 ? 6 : v; break;
    case LFRT_OP_SOFTMAX: {
      int row = e / sh[1];
      double mx = -1e30, sum = 0;
      for (int j = 0; j < sh[1]; j++) { double u = deq(&r, 0, row * sh[1] + j); if (u > mx) mx = u; }
      for (int j = 0; j < sh[1]; j++) sum += exp(beta * (deq(&r, 0, row * sh[1] + j) - mx));
      v = exp(beta * (v - mx)) / sum;
      break;
    }
    default: break; /* QUANTIZE / DEQUANTIZE: identity on real values */
    }
    real[e] = v;
  }
  const void *out = lfrt_interp_output_data(r.it, 0);
  char what[64];
  snprintf(what, sizeof what, "%s %s->%s", lfrt_op_name(op), xf32 ? "f32" : "i8", yf32 ? "f32" : "i8");
  if (yf32) {
    check_f32(what, out, real, n, op == LFRT_OP_DEQUANTIZE ? 1e-7 : 1e-5);
  } else {
    int lo = -128, hi = 127;
    if (op == LFRT_OP_RELU || op == LFRT_OP_RELU6) lo = zy > -128 ? zy : -128;
    check_q8(what, out, real, n, sy, zy, lo, hi);
  }
  free(real);
  tu_free(&r);
}

LF_TEST(unary) {
  for (int i = 0; i < 6; i++) {
    float sx = tu_randf(0.01f, 0.2f), sy = tu_randf(0.01f, 0.2f);
    int zx = tu_randint(-60, 60), zy = tu_randint(-60, 60);
    unary_case(LFRT_OP_LOGISTIC, 0, 0, sx, zx, 1.0f / 256, -128, 300, 0);
    unary_case(LFRT_OP_LOGISTIC, 1, 1, 0, 0, 0, 0, 301, 0);
    unary_case(LFRT_OP_SOFTMAX, 0, 0, sx, zx, 1.0f / 256, -128, 370, i % 2 ? 1.0f : 0.7f);
    unary_case(LFRT_OP_SOFTMAX, 1, 1, 0, 0, 0, 0, 130, 1.0f);
    unary_case(LFRT_OP_RELU, 0, 0, sx, zx, sy, zy, 256, 0);
    unary_case(LFRT_OP_RELU6, 0, 0, sx, zx, sy * 0.3f, -128, 256, 0);
    unary_case(LFRT_OP_RELU, 1, 1, 0, 0, 0, 0, 77, 0);
    unary_case(LFRT_OP_RELU6, 1, 1, 0, 0, 0, 0, 77, 0);
    unary_case(LFRT_OP_QUANTIZE, 0, 0, sx, zx, sy, zy, 256, 0);
    unary_case(LFRT_OP_QUANTIZE, 1, 0, 0, 0, sy * 0.3f, zy, 999, 0);
    unary_case(LFRT_OP_DEQUANTIZE, 0, 1, sx, zx, 0, 0, 256, 0);
  }
}

/* uint8 model interfaces (edgetpu-style): QUANTIZE u8 <-> i8, f32 -> u8, DEQUANTIZE u8 */
static void u8_case(lfrt_op op, lfrt_type xt, lfrt_type yt, float xs, int xz, float ys, int yz) {
  tu_w = lfrt_writer_new();
  int32_t sh[2] = {2, 256};
  lfrt_quant qx = {1, &xs, &xz, 0}, qy = {1, &ys, &yz, 0};
  int x = tu_const("x", xt, 2, sh, NULL, 0, xt == LFRT_FLOAT32 ? NULL : &qx);
  int y = tu_const("y", yt, 2, sh, NULL, 0, yt == LFRT_FLOAT32 ? NULL : &qy);
  int32_t ins[1] = {x}, outs[1] = {y};
  lfrt_writer_add_operator(tu_w, op, ins, 1, outs, 1, NULL);
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  tu_run r;
  if (tu_prepare(&r, 1)) { tu_free(&r); return; }
  tu_fill_inputs(&r);
  unsigned char *in = lfrt_interp_input_data(r.it, 0);
  if (xt != LFRT_FLOAT32)
    for (int k = 0; k < 256; k++) in[k] = (unsigned char)k;
  tu_invoke(&r);
  const unsigned char *out = lfrt_interp_output_data(r.it, 0);
  int bad = 0;
  for (int k = 0; k < 512; k++) {
    double real = xt == LFRT_FLOAT32 ? ((const float *)in)[k]
                  : xs * ((xt == LFRT_UINT8 ? (double)in[k] : (double)(int8_t)in[k]) - xz);
    if (yt == LFRT_FLOAT32) {
      bad += fabs(((const float *)out)[k] - real) > 1e-6 * (1 + fabs(real));
    } else {
      int lo = yt == LFRT_UINT8 ? 0 : -128, hi = yt == LFRT_UINT8 ? 255 : 127;
      int got = yt == LFRT_UINT8 ? out[k] : (int8_t)out[k];
      bad += abs(got - tu_quant(real, ys, yz, lo, hi)) > 1;
    }
  }
  LF_CHECK_MSG(bad == 0, "%s %s -> %s: %d wrong", lfrt_op_name(op), lfrt_type_name(xt), lfrt_type_name(yt), bad);
  ncases++;
  tu_free(&r);
}

LF_TEST(uint8_interface) {
  u8_case(LFRT_OP_QUANTIZE, LFRT_UINT8, LFRT_INT8, 0.02f, 128, 0.02f, 0);
  u8_case(LFRT_OP_QUANTIZE, LFRT_UINT8, LFRT_INT8, 0.02f, 100, 0.03f, -5);
  u8_case(LFRT_OP_QUANTIZE, LFRT_INT8, LFRT_UINT8, 0.02f, 0, 0.02f, 128);
  u8_case(LFRT_OP_QUANTIZE, LFRT_FLOAT32, LFRT_UINT8, 0, 0, 0.03f, 128);
  u8_case(LFRT_OP_DEQUANTIZE, LFRT_UINT8, LFRT_FLOAT32, 0.03f, 120, 0, 0);
}

int main(void) {
  LF_RUN(pools);
  LF_RUN(mean);
  LF_RUN(add_mul);
  LF_RUN(concat_pad_reshape);
  LF_RUN(resize);
  LF_RUN(unary);
  LF_RUN(uint8_interface);
  printf("%d cases checked, int8 max |diff| vs float formula: %d step(s)\n", ncases, maxdiff_seen);
  LF_CHECK(ncases > 150);
  tu_digest_write("test_kernels_ops");
  return lf_test_summary();
}
