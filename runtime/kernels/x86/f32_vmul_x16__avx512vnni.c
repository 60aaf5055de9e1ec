/* float MUL, 16 lanes, AVX-512F (dispatched at the avx512vnni level): a full-size, b repeating with
 * period p->b_period (same shape, per-channel, or one value). One IEEE mul
 * per element, then the reference's clamp as compares + selects (`<=` min,
 * `>` max), so equal to lfrt_f32_mul__ref byte for byte. */
#include <immintrin.h>

#include "lfrt_kernels.h"

void lfrt_f32_vmul_x16__avx512vnni(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin,
                                   int end) {
  const __m512 lo = _mm512_set1_ps(p->act_min_f), hi = _mm512_set1_ps(p->act_max_f);
  const int P = p->b_period;
  for (int i = begin; i < end;) {
    int j = i % P, n = P == 1 ? end - i : P - j < end - i ? P - j : end - i; /* one contiguous run of b */
    const float *ar = a + i, *br = b + j;
    float *o = out + i;
    for (int k = 0; k < n; k += 16) {
      __mmask16 m = n - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - k)) - 1);
      __m512 vb = P == 1 ? _mm512_set1_ps(b[0]) : _mm512_maskz_loadu_ps(m, br + k);
      __m512 v = _mm512_mul_ps(_mm512_maskz_loadu_ps(m, ar + k), vb);
      v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, lo, _CMP_LE_OQ), lo);
      v = _mm512_mask_mov_ps(v, _mm512_cmp_ps_mask(v, hi, _CMP_GT_OQ), hi);
      _mm512_mask_storeu_ps(o + k, m, v);
    }
    i += n;
  }
}
