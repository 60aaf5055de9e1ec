/* f32 depthwise microkernel, 64 channels per step (contract in
 * lfrt_f32_conv.h). AVX-512F code, dispatched at the avx512vnni level. Per
 * channel: a separate multiply then add per tap (_mm512_mul_ps,
 * _mm512_add_ps, never FMA: -std=c99), bias, clamp as compares + blends;
 * the channel tail uses masked loads/stores. */
#include <immintrin.h>

#include "lfrt_f32_conv.h"

static inline __attribute__((always_inline)) void block(const lfrt_f32_conv_tile *t, size_t c, const int NV,
                                                        __mmask16 last) {
  __m512 acc[4];
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++) acc[v] = _mm512_setzero_ps();
  const float *xa = t->x + c, *wa = t->w + c;
  for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky) {
    const float *xb = xa, *wb = wa;
    for (int b = 0; b < t->nkx; b++, xb += t->x_kx, wb += t->w_kx) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) {
        __mmask16 m = v == NV - 1 ? last : (__mmask16)0xffff;
        __m512 xv = _mm512_maskz_loadu_ps(m, xb + 16 * v), wv = _mm512_maskz_loadu_ps(m, wb + 16 * v);
        acc[v] = _mm512_add_ps(acc[v], _mm512_mul_ps(xv, wv));
      }
    }
  }
  const __m512 vmin = _mm512_set1_ps(t->min), vmax = _mm512_set1_ps(t->max);
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++) {
    __mmask16 m = v == NV - 1 ? last : (__mmask16)0xffff;
    __m512 a = acc[v];
    if (t->bias) a = _mm512_add_ps(a, _mm512_maskz_loadu_ps(m, t->bias + c + 16 * v));
    a = _mm512_mask_mov_ps(a, _mm512_cmp_ps_mask(a, vmin, _CMP_LE_OQ), vmin);
    a = _mm512_mask_mov_ps(a, _mm512_cmp_ps_mask(a, vmax, _CMP_GT_OQ), vmax);
    _mm512_mask_storeu_ps(t->y + c + 16 * v, m, a);
  }
}

void lfrt_f32_dwconv_c64__avx512vnni(const lfrt_f32_conv_tile *t) {
  size_t c = 0, C = t->kc;
  for (; c + 64 <= C; c += 64) block(t, c, 4, 0xffff);
  for (; c + 16 <= C; c += 16) block(t, c, 1, 0xffff);
  if (c < C) block(t, c, 1, (__mmask16)((1u << (C - c)) - 1));
}
