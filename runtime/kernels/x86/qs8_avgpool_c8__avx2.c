/* int8 AVERAGE_POOL_2D, AVX2: 8 channels per vector, int32 window sums
 * (window clipped to the input), the channel tail through stack buffers.
 * The reference's (sum +- n/2) / n (C division, truncating) is computed as
 * cvttps(fl(a) / fl(n)): exact while |a| < 2^24 (then a non-integer quotient
 * is at least 1/n from an integer, more than the division's rounding error),
 * i.e. for windows up to 65536 taps (|sum| <= 128 n); larger windows take the
 * reference. */
#include <immintrin.h>
#include <string.h>

#include "lfrt_kernels.h"

void lfrt_qs8_avgpool_c8__avx2(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  if ((long long)p->k_h * p->k_w > 65536) {
    lfrt_qs8_avgpool__ref(p, in, out, begin, end);
    return;
  }
  const int C = p->c;
  const __m256i amin = _mm256_set1_epi32(p->act_min), amax = _mm256_set1_epi32(p->act_max);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * C;
    int iy = oy * p->stride_h - p->pad_top;
    int y0 = iy < 0 ? 0 : iy, y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      int ix = ox * p->stride_w - p->pad_left;
      int x0 = ix < 0 ? 0 : ix, x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
      int count = y1 > y0 && x1 > x0 ? (y1 - y0) * (x1 - x0) : 0;
      const __m256 vn = _mm256_set1_ps((float)(count > 0 ? count : 1));
      const __m256i half = _mm256_set1_epi32(count / 2);
      int8_t *o = out + ((size_t)r * p->out_w + ox) * C;
      for (int c = 0; c < C; c += 8) {
        int n = C - c < 8 ? C - c : 8;
        __m256i acc = _mm256_setzero_si256();
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            const int8_t *px = inb + ((size_t)y * p->in_w + x) * C + c;
            __m128i xv;
            if (n == 8) {
              xv = _mm_loadl_epi64((const __m128i *)px);
            } else {
              int8_t t[8] = {0};
              memcpy(t, px, (size_t)n);
              xv = _mm_loadl_epi64((const __m128i *)t);
            }
            acc = _mm256_add_epi32(acc, _mm256_cvtepi8_epi32(xv));
          }
        /* acc > 0 ? acc + half : acc - half */
        __m256i pos = _mm256_cmpgt_epi32(acc, _mm256_setzero_si256());
        __m256i a = _mm256_blendv_epi8(_mm256_sub_epi32(acc, half), _mm256_add_epi32(acc, half), pos);
        __m256i q = _mm256_cvttps_epi32(_mm256_div_ps(_mm256_cvtepi32_ps(a), vn));
        q = _mm256_min_epi32(_mm256_max_epi32(q, amin), amax);
        __m128i s16 = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
        int8_t t[16];
        _mm_storeu_si128((__m128i *)t, _mm_packs_epi16(s16, s16));
        memcpy(o + c, t, (size_t)n);
      }
    }
  }
}
