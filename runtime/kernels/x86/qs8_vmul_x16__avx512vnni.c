/* int8 MUL, XNNPACK's arithmetic (lfrt_qs8_mul__ref): (a-za)*(b-zb) in int32,
 * then lrintf((float)prod * scale) done in float as the reference's integer
 * emulation defines it (exact: |prod| <= 2^16, scale = mult * 2^shift), clamp
 * before rounding (the bounds are integers, so clamp and round commute).
 * b repeats with period p->b_period. */
#include <immintrin.h>

#include "lfrt_kernels.h"

void lfrt_qs8_vmul_x16__avx512vnni(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out,
                                   int begin, int end) {
  const __m512i az = _mm512_set1_epi32(p->a_zp), bz = _mm512_set1_epi32(p->b_zp), zp = _mm512_set1_epi32(p->out_zp);
  const __m512 sc = _mm512_set1_ps(p->out_scale_f);
  const __m512 lo = _mm512_set1_ps((float)(p->act_min - p->out_zp)), hi = _mm512_set1_ps((float)(p->act_max - p->out_zp));
  int P = p->b_period;
  for (int i = begin; i < end;) {
    int j = i % P, n = P - j < end - i ? P - j : end - i;
    const int8_t *ar = a + i, *br = b + j;
    int8_t *o = out + i;
    for (int k = 0; k < n; k += 16) {
      __mmask16 m = n - k >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (n - k)) - 1);
      __m512i va = _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, ar + k)), az);
      __m512i vb = _mm512_sub_epi32(_mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, br + k)), bz);
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_mullo_epi32(va, vb)), sc);
      f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
      __m512i v = _mm512_add_epi32(_mm512_cvt_roundps_epi32(f, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC), zp);
      _mm_mask_storeu_epi8(o + k, m, _mm512_cvtepi32_epi8(v));
    }
    i += n;
  }
}
