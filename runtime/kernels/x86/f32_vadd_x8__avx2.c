/* float ADD, 8 lanes, AVX2: a full-size, b repeating with
 * period p->b_period (same shape, per-channel, or one value). One IEEE add
 * per element, then the reference's clamp as compares + selects (`<=` min,
 * `>` max), so equal to lfrt_f32_add__ref byte for byte. */
#include <immintrin.h>

#include "lfrt_kernels.h"

void lfrt_f32_vadd_x8__avx2(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  const __m256 lo = _mm256_set1_ps(p->act_min_f), hi = _mm256_set1_ps(p->act_max_f);
  const int P = p->b_period;
  for (int i = begin; i < end;) {
    int j = i % P, n = P == 1 ? end - i : P - j < end - i ? P - j : end - i; /* one contiguous run of b */
    const float *ar = a + i, *br = b + j;
    float *o = out + i;
    int k = 0;
    for (; k + 8 <= n; k += 8) {
      __m256 vb = P == 1 ? _mm256_set1_ps(b[0]) : _mm256_loadu_ps(br + k);
      __m256 v = _mm256_add_ps(_mm256_loadu_ps(ar + k), vb);
      v = _mm256_blendv_ps(v, lo, _mm256_cmp_ps(v, lo, _CMP_LE_OQ));
      v = _mm256_blendv_ps(v, hi, _mm256_cmp_ps(v, hi, _CMP_GT_OQ));
      _mm256_storeu_ps(o + k, v);
    }
    for (; k < n; k++) {
      float v = ar[k] + br[P == 1 ? 0 : k];
      if (v <= p->act_min_f) v = p->act_min_f;
      if (v > p->act_max_f) v = p->act_max_f;
      o[k] = v;
    }
    i += n;
  }
}
