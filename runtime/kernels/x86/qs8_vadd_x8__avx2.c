/* int8 ADD, XNNPACK's arithmetic (lfrt_qs8_add__ref), 8 lanes of int32 with
 * AVX2; b repeats with period p->b_period. Exact integer ops. */
#include <immintrin.h>
#include <string.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

static inline int8_t one(const lfrt_binary_params *p, int8_t a, int8_t b) {
  int32_t acc = p->bias + (int32_t)a * p->a_mult + (int32_t)b * p->b_mult;
  return (int8_t)lfrt_clamp_i32((acc >> p->shift) + p->out_zp, p->act_min, p->act_max);
}

void lfrt_qs8_vadd_x8__avx2(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin,
                            int end) {
  const __m256i bias = _mm256_set1_epi32(p->bias), am = _mm256_set1_epi32(p->a_mult);
  const __m256i bm = _mm256_set1_epi32(p->b_mult), zp = _mm256_set1_epi32(p->out_zp);
  const __m256i lo = _mm256_set1_epi32(p->act_min), hi = _mm256_set1_epi32(p->act_max);
  const __m128i sh = _mm_cvtsi32_si128(p->shift);
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
      __m256i va = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(qa)), vb = _mm256_cvtepi8_epi32(_mm_cvtsi64_si128(qb));
      __m256i acc = _mm256_add_epi32(bias, _mm256_add_epi32(_mm256_mullo_epi32(va, am), _mm256_mullo_epi32(vb, bm)));
      __m256i v = _mm256_add_epi32(_mm256_sra_epi32(acc, sh), zp);
      v = _mm256_min_epi32(_mm256_max_epi32(v, lo), hi);
      __m128i w = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
      _mm_storel_epi64((__m128i *)(void *)(o + k), _mm_packs_epi16(w, w));
    }
    for (; k < n; k++) o[k] = one(p, ar[k], br[k]);
    i += n;
  }
}
