/* Op drivers of the f32 conv microkernels (lfrt_f32_conv.h): CONV_2D,
 * TRANSPOSE_CONV and FULLY_CONNECTED with the reference kernels' signatures
 * and work units. Each output row is cut into tiles of up to MR pixels whose
 * valid taps are the same (interior pixels: all of them; border pixels get
 * their own, shorter tap ranges, as the reference skips what falls outside
 * the input), and each tile runs over every NR-channel block. */
#include "lfrt_f32_conv.h"

/* CONV_2D: the valid kx of output column ox are contiguous: [*k0, *k0 + return). */
static int conv_taps(int o, int s, int pad, int d, int k, int in, int *k0) {
  int n = 0;
  *k0 = 0;
  for (int kk = 0; kk < k; kk++) {
    int i = o * s - pad + kk * d;
    if (i < 0 || i >= in) continue;
    if (!n) *k0 = kk;
    n++;
  }
  return n;
}

void lfrt_f32_conv2d_packed(const lfrt_conv_params *p, const float *in, const float *w, const float *bias,
                            float *out, int begin, int end) {
  (void)w;
  const lfrt_f32_conv_config *cfg = p->f32_cfg;
  const int MR = cfg->mr, NR = cfg->nr, C = p->in_c, OC = p->out_c;
  const size_t bf = lfrt_f32_conv_block_floats(NR, (size_t)p->k_h * p->k_w * C);
  lfrt_f32_conv_tile t;
  t.kc = (size_t)C;
  t.x_pix = (ptrdiff_t)p->stride_w * C;
  t.x_ky = (ptrdiff_t)p->dil_h * p->in_w * C;
  t.x_kx = (ptrdiff_t)p->dil_w * C;
  t.w_ky = (ptrdiff_t)p->k_w * C * NR;
  t.w_kx = (ptrdiff_t)C * NR;
  t.y_pix = OC;
  t.min = p->act_min_f;
  t.max = p->act_max_f;
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const float *inb = in + (size_t)b * p->in_h * p->in_w * C;
    float *o = out + (size_t)r * p->out_w * OC;
    int ky0, nky = conv_taps(oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, p->in_h, &ky0);
    int iy0 = oy * p->stride_h - p->pad_top + ky0 * p->dil_h;
    for (int ox = 0; ox < p->out_w;) {
      int kx0, nkx = conv_taps(ox, p->stride_w, p->pad_left, p->dil_w, p->k_w, p->in_w, &kx0), g = 1;
      while (g < MR && ox + g < p->out_w) {
        int k1, n1 = conv_taps(ox + g, p->stride_w, p->pad_left, p->dil_w, p->k_w, p->in_w, &k1);
        if (n1 != nkx || k1 != kx0) break;
        g++;
      }
      t.mr = g;
      t.nky = nky;
      t.nkx = nkx;
      t.x = nky && nkx ? inb + ((size_t)iy0 * p->in_w + (ox * p->stride_w - p->pad_left + kx0 * p->dil_w)) * C : inb;
      size_t woff = (size_t)NR + ((size_t)ky0 * p->k_w + kx0) * C * NR;
      for (int n0 = 0; n0 < OC; n0 += NR) {
        const float *blk = p->packed_f32 + (size_t)(n0 / NR) * bf;
        t.w = blk + woff;
        t.bias = bias ? blk : NULL;
        t.y = o + (size_t)ox * OC + n0;
        t.c0 = 0;
        t.c1 = OC - n0 < NR ? OC - n0 : NR;
        cfg->fn(&t);
      }
      ox += g;
    }
  }
}

/* TRANSPOSE_CONV (gather form): the valid k of output index o are an
 * arithmetic progression k0, k0 + *kstep, ... with inputs i0, i0 + *istep, ... */
static int tconv_taps(int o, int s, int pad, int d, int k, int in, int *k0, int *i0, int *kstep, int *istep) {
  int n = 0;
  *k0 = *i0 = *kstep = *istep = 0;
  for (int kk = 0; kk < k; kk++) {
    int t = o + pad - kk * d;
    if (t < 0 || t % s) continue;
    int i = t / s;
    if (i >= in) continue;
    if (!n) *k0 = kk, *i0 = i;
    else if (n == 1) *kstep = kk - *k0, *istep = i - *i0;
    n++;
  }
  return n;
}

void lfrt_f32_tconv2d_packed(const lfrt_conv_params *p, const float *in, const float *w, const float *bias,
                             float *out, int begin, int end) {
  (void)w;
  const lfrt_f32_conv_config *cfg = p->f32_cfg;
  const int MR = cfg->mr, NR = cfg->nr, C = p->in_c, OC = p->out_c, sw = p->stride_w;
  const size_t bf = lfrt_f32_conv_block_floats(NR, (size_t)p->k_h * p->k_w * C);
  lfrt_f32_conv_tile t;
  t.kc = (size_t)C;
  t.x_pix = C; /* ox + sw reads the next input column */
  t.y_pix = (ptrdiff_t)sw * OC;
  t.min = p->act_min_f;
  t.max = p->act_max_f;
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const float *inb = in + (size_t)b * p->in_h * p->in_w * C;
    float *o = out + (size_t)r * p->out_w * OC;
    int ky0, iy0, kys, iys;
    int nky = tconv_taps(oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, p->in_h, &ky0, &iy0, &kys, &iys);
    t.x_ky = (ptrdiff_t)iys * p->in_w * C;
    t.w_ky = (ptrdiff_t)kys * p->k_w * C * NR;
    for (int rx = 0; rx < sw && rx < p->out_w; rx++)
      for (int ox = rx; ox < p->out_w;) {
        int kx0, ix0, kxs, ixs, kx1, ix1, kxs1, ixs1;
        int nkx = tconv_taps(ox, sw, p->pad_left, p->dil_w, p->k_w, p->in_w, &kx0, &ix0, &kxs, &ixs), g = 1;
        while (g < MR && ox + g * sw < p->out_w) {
          int n1 = tconv_taps(ox + g * sw, sw, p->pad_left, p->dil_w, p->k_w, p->in_w, &kx1, &ix1, &kxs1, &ixs1);
          if (n1 != nkx || kx1 != kx0 || kxs1 != kxs) break;
          g++;
        }
        t.mr = g;
        t.nky = nky;
        t.nkx = nkx;
        t.x_kx = (ptrdiff_t)ixs * C;
        t.w_kx = (ptrdiff_t)kxs * C * NR;
        t.x = nky && nkx ? inb + ((size_t)iy0 * p->in_w + ix0) * C : inb;
        size_t woff = (size_t)NR + ((size_t)ky0 * p->k_w + kx0) * C * NR;
        for (int n0 = 0; n0 < OC; n0 += NR) {
          const float *blk = p->packed_f32 + (size_t)(n0 / NR) * bf;
          t.w = blk + woff;
          t.bias = bias ? blk : NULL;
          t.y = o + (size_t)ox * OC + n0;
          t.c0 = 0;
          t.c1 = OC - n0 < NR ? OC - n0 : NR;
          cfg->fn(&t);
        }
        ox += g * sw;
      }
  }
}

/* FULLY_CONNECTED: work unit one output element; whole rows inside the range
 * go MR at a time, a partial first/last row writes only its lanes. */
void lfrt_f32_fc_packed(const lfrt_fc_params *p, const float *in, const float *w, const float *bias, float *out,
                        int begin, int end) {
  (void)w;
  if (begin >= end) return;
  const lfrt_f32_conv_config *cfg = p->f32_cfg;
  const int MR = cfg->mr, NR = cfg->nr, OC = p->out_c;
  const size_t bf = lfrt_f32_conv_block_floats(NR, (size_t)p->in_c);
  lfrt_f32_conv_tile t;
  t.kc = (size_t)p->in_c;
  t.x_pix = p->in_c;
  t.x_ky = t.x_kx = t.w_ky = t.w_kx = 0;
  t.nky = t.nkx = 1;
  t.y_pix = OC;
  t.min = p->act_min_f;
  t.max = p->act_max_f;
  int b = begin / OC, last = (end - 1) / OC;
  while (b <= last) {
    long rb = (long)b * OC;
    int lo = begin > rb ? (int)(begin - rb) : 0, hi = end - rb < OC ? (int)(end - rb) : OC, g = 1;
    if (lo == 0 && hi == OC)
      while (g < MR && b + g <= last && (long)(b + g + 1) * OC <= end) g++;
    t.mr = g;
    t.x = in + (size_t)b * p->in_c;
    for (int n0 = lo / NR * NR; n0 < hi; n0 += NR) {
      const float *blk = p->packed_f32 + (size_t)(n0 / NR) * bf;
      t.w = blk + NR;
      t.bias = bias ? blk : NULL;
      t.y = out + (size_t)rb + n0;
      t.c0 = lo > n0 ? lo - n0 : 0;
      t.c1 = hi - n0 < NR ? hi - n0 : NR;
      cfg->fn(&t);
    }
    b += g;
  }
}

/* DEPTHWISE_CONV_2D, depth multiplier 1: one microkernel call per output
 * pixel over all channels, on the unpacked [k_h][k_w][C] weights. */
void lfrt_f32_dwconv2d_packed(const lfrt_conv_params *p, const float *in, const float *w, const float *bias,
                              float *out, int begin, int end) {
  if (p->depth_multiplier != 1) {
    lfrt_f32_dwconv2d__ref(p, in, w, bias, out, begin, end);
    return;
  }
  const int C = p->in_c;
  lfrt_f32_conv_tile t;
  t.mr = 1;
  t.kc = (size_t)C;
  t.x_pix = t.y_pix = 0;
  t.x_ky = (ptrdiff_t)p->dil_h * p->in_w * C;
  t.x_kx = (ptrdiff_t)p->dil_w * C;
  t.w_ky = (ptrdiff_t)p->k_w * C;
  t.w_kx = C;
  t.bias = bias;
  t.c0 = 0;
  t.c1 = C;
  t.min = p->act_min_f;
  t.max = p->act_max_f;
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const float *inb = in + (size_t)b * p->in_h * p->in_w * C;
    float *o = out + (size_t)r * p->out_w * C;
    int ky0, nky = conv_taps(oy, p->stride_h, p->pad_top, p->dil_h, p->k_h, p->in_h, &ky0);
    int iy0 = oy * p->stride_h - p->pad_top + ky0 * p->dil_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      int kx0, nkx = conv_taps(ox, p->stride_w, p->pad_left, p->dil_w, p->k_w, p->in_w, &kx0);
      t.nky = nky;
      t.nkx = nkx;
      t.x = nky && nkx ? inb + ((size_t)iy0 * p->in_w + (ox * p->stride_w - p->pad_left + kx0 * p->dil_w)) * C : inb;
      t.w = w + ((size_t)ky0 * p->k_w + kx0) * C;
      t.y = o + (size_t)ox * C;
      p->f32_cfg->dw(&t);
    }
  }
}
