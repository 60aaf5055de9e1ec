/* f32 conv microkernel, 8 pixels x 32 channels (contract in lfrt_f32_conv.h).
 * AVX-512F code, dispatched at the avx512vnni level (the ISA enum's AVX-512
 * level). Each lane is one output channel and does the reference's sequence:
 * a separate multiply then add per (tap, ic) -- _mm512_mul_ps, _mm512_add_ps,
 * never FMA (built with -std=c99: no contraction) -- then bias, then the
 * clamp as compares + blends (`<=` min, `>` max: NaN passes, -0.0 <= 0 becomes
 * +0.0 as in the reference). */
#include <immintrin.h>
#include <stdint.h>

#include "lfrt_f32_conv.h"

#define NR 32

static inline __attribute__((always_inline)) void tile(const lfrt_f32_conv_tile *t, const int MR) {
  __m512 acc[8][2];
  const float *px[8];
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm512_setzero_ps();
  const float *xa = t->x, *wa = t->w;
  for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky) {
    const float *xb = xa, *wb = wa;
    for (int b = 0; b < t->nkx; b++, xb += t->x_kx, wb += t->w_kx) {
#pragma GCC unroll 8
      for (int i = 0; i < MR; i++) px[i] = xb + i * t->x_pix;
      const float *wk = wb;
      for (size_t k = 0; k < t->kc; k++, wk += NR) {
        const __m512 w0 = _mm512_loadu_ps(wk), w1 = _mm512_loadu_ps(wk + 16);
#pragma GCC unroll 8
        for (int i = 0; i < MR; i++) {
          const __m512 xv = _mm512_set1_ps(px[i][k]);
          acc[i][0] = _mm512_add_ps(acc[i][0], _mm512_mul_ps(xv, w0));
          acc[i][1] = _mm512_add_ps(acc[i][1], _mm512_mul_ps(xv, w1));
        }
      }
    }
  }
  const __m512 vmin = _mm512_set1_ps(t->min), vmax = _mm512_set1_ps(t->max);
  __m512 b0 = _mm512_setzero_ps(), b1 = b0;
  if (t->bias) {
    b0 = _mm512_loadu_ps(t->bias);
    b1 = _mm512_loadu_ps(t->bias + 16);
  }
  uint64_t lanes = ((UINT64_C(1) << t->c1) - 1) & ~((UINT64_C(1) << t->c0) - 1);
  const __mmask16 m0 = (__mmask16)(lanes & 0xffff), m1 = (__mmask16)(lanes >> 16);
#pragma GCC unroll 8
  for (int i = 0; i < MR; i++) {
    __m512 v0 = acc[i][0], v1 = acc[i][1];
    if (t->bias) {
      v0 = _mm512_add_ps(v0, b0);
      v1 = _mm512_add_ps(v1, b1);
    }
    v0 = _mm512_mask_mov_ps(v0, _mm512_cmp_ps_mask(v0, vmin, _CMP_LE_OQ), vmin);
    v1 = _mm512_mask_mov_ps(v1, _mm512_cmp_ps_mask(v1, vmin, _CMP_LE_OQ), vmin);
    v0 = _mm512_mask_mov_ps(v0, _mm512_cmp_ps_mask(v0, vmax, _CMP_GT_OQ), vmax);
    v1 = _mm512_mask_mov_ps(v1, _mm512_cmp_ps_mask(v1, vmax, _CMP_GT_OQ), vmax);
    float *y = t->y + i * t->y_pix;
    _mm512_mask_storeu_ps(y, m0, v0);
    _mm512_mask_storeu_ps(y + 16, m1, v1);
  }
}

void lfrt_f32_conv_8x32__avx512vnni(const lfrt_f32_conv_tile *t) {
  switch (t->mr) {
  case 8: tile(t, 8); break;
  case 7: tile(t, 7); break;
  case 6: tile(t, 6); break;
  case 5: tile(t, 5); break;
  case 4: tile(t, 4); break;
  case 3: tile(t, 3); break;
  case 2: tile(t, 2); break;
  default: tile(t, 1); break;
  }
}
