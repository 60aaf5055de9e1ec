/* f32 conv microkernel, 4 pixels x 16 channels, AVX2 (contract in
 * lfrt_f32_conv.h). Each lane is one output channel and does the reference's
 * sequence: a separate multiply then add per (tap, ic) -- _mm256_mul_ps,
 * _mm256_add_ps, never FMA (built with -std=c99: no contraction) -- then
 * bias, then the clamp as compares + blends (`<=` min, `>` max). */
#include <immintrin.h>

#include "lfrt_f32_conv.h"

#define NR 16

static inline __attribute__((always_inline)) void tile(const lfrt_f32_conv_tile *t, const int MR) {
  __m256 acc[4][2];
  const float *px[4];
#pragma GCC unroll 4
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = _mm256_setzero_ps();
  const float *xa = t->x, *wa = t->w;
  for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky) {
    const float *xb = xa, *wb = wa;
    for (int b = 0; b < t->nkx; b++, xb += t->x_kx, wb += t->w_kx) {
#pragma GCC unroll 4
      for (int i = 0; i < MR; i++) px[i] = xb + i * t->x_pix;
      const float *wk = wb;
      for (size_t k = 0; k < t->kc; k++, wk += NR) {
        const __m256 w0 = _mm256_loadu_ps(wk), w1 = _mm256_loadu_ps(wk + 8);
#pragma GCC unroll 4
        for (int i = 0; i < MR; i++) {
          const __m256 xv = _mm256_broadcast_ss(px[i] + k);
          acc[i][0] = _mm256_add_ps(acc[i][0], _mm256_mul_ps(xv, w0));
          acc[i][1] = _mm256_add_ps(acc[i][1], _mm256_mul_ps(xv, w1));
        }
      }
    }
  }
  const __m256 vmin = _mm256_set1_ps(t->min), vmax = _mm256_set1_ps(t->max);
  __m256 b0 = _mm256_setzero_ps(), b1 = b0;
  if (t->bias) {
    b0 = _mm256_loadu_ps(t->bias);
    b1 = _mm256_loadu_ps(t->bias + 8);
  }
  const int full = t->c0 == 0 && t->c1 == NR;
#pragma GCC unroll 4
  for (int i = 0; i < MR; i++) {
    __m256 v0 = acc[i][0], v1 = acc[i][1];
    if (t->bias) {
      v0 = _mm256_add_ps(v0, b0);
      v1 = _mm256_add_ps(v1, b1);
    }
    v0 = _mm256_blendv_ps(v0, vmin, _mm256_cmp_ps(v0, vmin, _CMP_LE_OQ));
    v1 = _mm256_blendv_ps(v1, vmin, _mm256_cmp_ps(v1, vmin, _CMP_LE_OQ));
    v0 = _mm256_blendv_ps(v0, vmax, _mm256_cmp_ps(v0, vmax, _CMP_GT_OQ));
    v1 = _mm256_blendv_ps(v1, vmax, _mm256_cmp_ps(v1, vmax, _CMP_GT_OQ));
    float *y = t->y + i * t->y_pix;
    if (full) {
      _mm256_storeu_ps(y, v0);
      _mm256_storeu_ps(y + 8, v1);
    } else {
      float tmp[NR];
      _mm256_storeu_ps(tmp, v0);
      _mm256_storeu_ps(tmp + 8, v1);
      for (int n = t->c0; n < t->c1; n++) y[n] = tmp[n];
    }
  }
}

void lfrt_f32_conv_4x16__avx2(const lfrt_f32_conv_tile *t) {
  switch (t->mr) {
  case 4: tile(t, 4); break;
  case 3: tile(t, 3); break;
  case 2: tile(t, 2); break;
  default: tile(t, 1); break;
  }
}
