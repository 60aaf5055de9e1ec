/* int8 ADD, XNNPACK's arithmetic (lfrt_qs8_add__ref), 16 lanes of int32 with
 * AVX-512 (F/BW): a full-size, b repeating with period p->b_period (same shape
 * or a per-channel operand). Exact integer ops, so equal to the reference. */
#include <immintrin.h>

#include "lfrt_kernels.h"

void lfrt_qs8_vadd_x16__avx512vnni(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out,
                                   int begin, int end) {
  const __m512i bias = _mm512_set1_epi32(p->bias), am = _mm512_set1_epi32(p->a_mult);
  const __m512i bm = _mm512_set1_epi32(p->b_mult), zp = _mm512_set1_epi32(p->out_zp);
  const __m512i lo = _mm512_set1_epi32(p->act_min), hi = _mm512_set1_epi32(p->act_max);
  const __m128i sh = _mm_cvtsi32_si128(p->shift);
  int P = p->b_period;
  for (int i = begin; i < end;) {
    int j = i % P, n = P - j < end - i ? P - j : end - i; /* one contiguous run of b */
    const int8_t *ar = a + i, *br = b + j;
    int8_t *o = out + i;
    for (int k = 0; k < n; k += 16) {
      __mmask16 m = n - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - k)) - 1);
      __m512i va = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, ar + k));
      __m512i vb = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, br + k));
      __m512i acc = _mm512_add_epi32(bias, _mm512_add_epi32(_mm512_mullo_epi32(va, am), _mm512_mullo_epi32(vb, bm)));
      __m512i v = _mm512_add_epi32(_mm512_sra_epi32(acc, sh), zp);
      v = _mm512_min_epi32(_mm512_max_epi32(v, lo), hi);
      _mm_mask_storeu_epi8(o + k, m, _mm512_cvtepi32_epi8(v));
    }
    i += n;
  }
}
