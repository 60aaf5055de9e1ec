/* f32 depthwise microkernel, 32 channels per step, AVX2 (contract in
 * lfrt_f32_conv.h). Per channel: a separate multiply then add per tap
 * (_mm256_mul_ps, _mm256_add_ps, never FMA: -std=c99, which also keeps the
 * scalar channel tail uncontracted), bias, clamp as compares + blends. */
#include <immintrin.h>

#include "lfrt_f32_conv.h"

static inline __attribute__((always_inline)) void block(const lfrt_f32_conv_tile *t, size_t c, const int NV) {
  __m256 acc[4];
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++) acc[v] = _mm256_setzero_ps();
  const float *xa = t->x + c, *wa = t->w + c;
  for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky) {
    const float *xb = xa, *wb = wa;
    for (int b = 0; b < t->nkx; b++, xb += t->x_kx, wb += t->w_kx) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++)
        acc[v] = _mm256_add_ps(acc[v], _mm256_mul_ps(_mm256_loadu_ps(xb + 8 * v), _mm256_loadu_ps(wb + 8 * v)));
    }
  }
  const __m256 vmin = _mm256_set1_ps(t->min), vmax = _mm256_set1_ps(t->max);
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++) {
    __m256 a = acc[v];
    if (t->bias) a = _mm256_add_ps(a, _mm256_loadu_ps(t->bias + c + 8 * v));
    a = _mm256_blendv_ps(a, vmin, _mm256_cmp_ps(a, vmin, _CMP_LE_OQ));
    a = _mm256_blendv_ps(a, vmax, _mm256_cmp_ps(a, vmax, _CMP_GT_OQ));
    _mm256_storeu_ps(t->y + c + 8 * v, a);
  }
}

void lfrt_f32_dwconv_c32__avx2(const lfrt_f32_conv_tile *t) {
  size_t c = 0, C = t->kc;
  for (; c + 32 <= C; c += 32) block(t, c, 4);
  for (; c + 8 <= C; c += 8) block(t, c, 1);
  for (; c < C; c++) {
    float acc = 0.0f;
    const float *xa = t->x + c, *wa = t->w + c;
    for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky)
      for (int b = 0; b < t->nkx; b++) acc += xa[b * t->x_kx] * wa[b * t->w_kx];
    if (t->bias) acc += t->bias[c];
    if (acc <= t->min) acc = t->min;
    if (acc > t->max) acc = t->max;
    t->y[c] = acc;
  }
}
