/* int8 MUL, XNNPACK's arithmetic (lfrt_qs8_mul__ref), 8 lanes with AVX2:
 * (a-za)*(b-zb) in int32, float requantization (exact, see the AVX-512
 * variant), clamp, round to nearest even (default MXCSR). b repeats with
 * period p->b_period. */
#include <immintrin.h>
#include <string.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_vmul_x8__avx2(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin,
                            int end) {
  const __m256i az = _mm256_set1_epi32(p->a_zp), bz = _mm256_set1_epi32(p->b_zp), zp = _mm256_set1_epi32(p->out_zp);
  const __m256 sc = _mm256_set1_ps(p->out_scale_f);
  const __m256 lo = _mm256_set1_ps((float)(p->act_min - p->out_zp)), hi = _mm256_set1_ps((float)(p->act_max - p->out_zp));
  int P = p->b_period;
  for (int i = begin; i < end;) {
    int j = i % P, n = P - j < end - i ? P - j : end - i;
    const int8_t *ar = a + i, *br = b + j;
    int8_t *o = out + i;
    int k = 0;
    for (; k + 8 <= n; k += 8) {
      long long qa, qb;
      memcpy(&qa, ar + k, 8);
      memcpy(&qb, br + k, 8);
      __m256i va = _mm256_sub_epi32(_mm256_cvtepi8_epi32(_mm_cvtsi64_si128(qa)), az);
      __m256i vb = _mm256_sub_epi32(_mm256_cvtepi8_epi32(_mm_cvtsi64_si128(qb)), bz);
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_mullo_epi32(va, vb)), sc);
      f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
      __m256i v = _mm256_add_epi32(_mm256_cvtps_epi32(f), zp);
      __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
      _mm_storel_epi64((__m128i *)(void *)(o + k), _mm_packs_epi16(w, w));
    }
    if (k < n) lfrt_qs8_mul__ref(p, a, b, out, i + k, i + n); /* tail: the reference (same shapes) */
    i += n;
  }
}
