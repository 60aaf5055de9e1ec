/* int8 AVERAGE_POOL_2D, AVX-512: 16 channels per vector, int32 window sums
 * (window clipped to the input), masked loads/stores for the channel tail.
 * The reference's (sum +- n/2) / n (C division, truncating) is computed as
 * cvttps(fl(a) / fl(n)): exact while |a| < 2^24 (then a non-integer quotient
 * is at least 1/n from an integer, more than the division's rounding error),
 * i.e. for windows up to 65536 taps (|sum| <= 128 n); larger windows take the
 * reference. */
#include <immintrin.h>

#include "lfrt_kernels.h"

void lfrt_qs8_avgpool_c16__avx512vnni(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  if ((long long)p->k_h * p->k_w > 65536) {
    lfrt_qs8_avgpool__ref(p, in, out, begin, end);
    return;
  }
  const int C = p->c;
  const __m512i amin = _mm512_set1_epi32(p->act_min), amax = _mm512_set1_epi32(p->act_max);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * C;
    int iy = oy * p->stride_h - p->pad_top;
    int y0 = iy < 0 ? 0 : iy, y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      int ix = ox * p->stride_w - p->pad_left;
      int x0 = ix < 0 ? 0 : ix, x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
      int count = y1 > y0 && x1 > x0 ? (y1 - y0) * (x1 - x0) : 0;
      const __m512 vn = _mm512_set1_ps((float)(count > 0 ? count : 1));
      const __m512i half = _mm512_set1_epi32(count / 2);
      int8_t *o = out + ((size_t)r * p->out_w + ox) * C;
      for (int c = 0; c < C; c += 16) {
        const __mmask16 m = C - c >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << (C - c)) - 1);
        __m512i acc = _mm512_setzero_si512();
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++)
            acc = _mm512_add_epi32(
                acc, _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, inb + ((size_t)y * p->in_w + x) * C + c)));
        /* acc > 0 ? acc + half : acc - half */
        const __mmask16 pos = _mm512_cmpgt_epi32_mask(acc, _mm512_setzero_si512());
        __m512i a = _mm512_mask_add_epi32(_mm512_sub_epi32(acc, half), pos, acc, half);
        __m512i q = _mm512_cvttps_epi32(_mm512_div_ps(_mm512_cvtepi32_ps(a), vn));
        q = _mm512_min_epi32(_mm512_max_epi32(q, amin), amax);
        _mm_mask_storeu_epi8(o + c, m, _mm512_cvtsepi32_epi8(q));
      }
    }
  }
}
