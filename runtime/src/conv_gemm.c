/* int8 CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED as GEMM: per chunk of MR
 * output pixels, gather each pixel's input window into a scratch row (uint8 =
 * int8 ^ 0x80, taps outside the input = the zero point), then run the
 * dispatched microkernel over every NR-column block of the packed weights
 * (lfrt_gemm.h). Bias, per-channel requantization, zero point and the fused
 * activation happen inside the microkernel; the result equals the reference
 * kernels bit for bit. */
#include <string.h>

#include "lfrt_conv_gemm.h"

/* dst = src ^ 0x80 (int8 -> uint8 + 128), 16 bytes at a time where the
 * compiler has vectors (SSE2 / NEON baseline), then bytewise. */
#if defined(__GNUC__)
typedef uint8_t lfrt_v16u8 __attribute__((vector_size(16), aligned(1)));
#endif
static void copy_xor(uint8_t *dst, const int8_t *src, int n) {
  int i = 0;
#if defined(__GNUC__)
  for (; i + 16 <= n; i += 16) {
    lfrt_v16u8 v;
    memcpy(&v, src + i, 16);
    v ^= (uint8_t)0x80;
    memcpy(dst + i, &v, 16);
  }
#endif
  for (; i < n; i++) dst[i] = (uint8_t)src[i] ^ 0x80u;
}

static void fill(uint8_t *dst, uint8_t v, int n) {
  for (int i = 0; i < n; i++) dst[i] = v;
}

/* Input pixel (iy, ix) of window tap (ky, kx) for output (oy, ox); 0 if outside. */
static int tap(const lfrt_conv_params *p, int tconv, int oy, int ox, int ky, int kx, int *iy, int *ix) {
  if (!tconv) {
    *iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
    *ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
    return *iy >= 0 && *iy < p->in_h && *ix >= 0 && *ix < p->in_w;
  }
  int ty = oy + p->pad_top - ky * p->dil_h, tx = ox + p->pad_left - kx * p->dil_w;
  if (ty < 0 || tx < 0 || ty % p->stride_h || tx % p->stride_w) return 0;
  *iy = ty / p->stride_h;
  *ix = tx / p->stride_w;
  return *iy < p->in_h && *ix < p->in_w;
}

static void gather(const lfrt_conv_params *p, int tconv, const int8_t *in, int m, uint8_t *row, size_t kc) {
  int ox = m % p->out_w, r = m / p->out_w, oy = r % p->out_h, b = r / p->out_h;
  const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->in_c;
  uint8_t zp = (uint8_t)(p->in_zp + 128);
  uint8_t *dst = row;
  int ix0 = ox * p->stride_w - p->pad_left;
  if (!tconv && p->dil_w == 1 && ix0 >= 0 && ix0 + p->k_w <= p->in_w) {
    /* the window's row is inside the input: one copy of k_w * in_c bytes per ky
     * (what makes the 3-channel stem conv cheap) */
    size_t span = (size_t)p->k_w * p->in_c;
    for (int ky = 0; ky < p->k_h; ky++, dst += span) {
      int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
      if (iy >= 0 && iy < p->in_h) copy_xor(dst, inb + ((size_t)iy * p->in_w + ix0) * p->in_c, (int)span);
      else fill(dst, zp, (int)span);
    }
    fill(dst, 0, (int)(kc - (size_t)(dst - row)));
    return;
  }
  for (int ky = 0; ky < p->k_h; ky++)
    for (int kx = 0; kx < p->k_w; kx++) {
      int iy, ix;
      if (tap(p, tconv, oy, ox, ky, kx, &iy, &ix)) copy_xor(dst, inb + ((size_t)iy * p->in_w + ix) * p->in_c, p->in_c);
      else fill(dst, zp, p->in_c);
      dst += p->in_c;
    }
  fill(dst, 0, (int)(kc - (size_t)(dst - row)));
}

size_t lfrt_qs8_conv_gemm_scratch(const lfrt_conv_params *p, const lfrt_qs8_gemm_config *g) {
  return (size_t)g->mr * lfrt_qs8_conv_gemm_row_stride(p);
}

void lfrt_qs8_conv_gemm_run(const lfrt_conv_params *p, int tconv, const lfrt_qs8_gemm_config *g, const void *packed,
                            const int8_t *in, int8_t *out, int begin, int end, void *scratch) {
  size_t K = (size_t)p->k_h * p->k_w * p->in_c, kc = (K + 3) & ~(size_t)3;
  size_t a_stride = lfrt_qs8_conv_gemm_row_stride(p);
  size_t blk = lfrt_qs8_gemm_block_bytes(g->nr, kc);
  lfrt_qs8_requant rq = {(float)(p->act_min - p->out_zp), (float)(p->act_max - p->out_zp), p->out_zp};
  uint8_t *a = scratch;
  int m_end = end * p->out_w;
  for (int m0 = begin * p->out_w; m0 < m_end; m0 += g->mr) {
    int mr = m_end - m0 < g->mr ? m_end - m0 : g->mr;
    for (int i = 0; i < mr; i++) gather(p, tconv, in, m0 + i, a + (size_t)i * a_stride, kc);
    const unsigned char *w = packed;
    for (int n0 = 0; n0 < p->out_c; n0 += g->nr) {
      int nc = p->out_c - n0 < g->nr ? p->out_c - n0 : g->nr;
      g->fn(mr, nc, kc, a, a_stride, w, out + (size_t)m0 * p->out_c + n0, (size_t)p->out_c, &rq);
      w += blk;
    }
  }
}
