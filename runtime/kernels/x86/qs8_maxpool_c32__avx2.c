/* int8 MAX_POOL_2D, AVX2: 32 channels per vector (vpmaxsb over the window
 * clipped to the input), the channel tail through a stack buffer, then the
 * fused activation clamp. Same bytes as lfrt_qs8_maxpool__ref. */
#include <immintrin.h>
#include <string.h>

#include "lfrt_kernels.h"

void lfrt_qs8_maxpool_c32__avx2(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  const int C = p->c;
  const __m256i amin = _mm256_set1_epi8((char)p->act_min), amax = _mm256_set1_epi8((char)p->act_max);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * C;
    int iy = oy * p->stride_h - p->pad_top;
    int y0 = iy < 0 ? 0 : iy, y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      int ix = ox * p->stride_w - p->pad_left;
      int x0 = ix < 0 ? 0 : ix, x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
      int8_t *o = out + ((size_t)r * p->out_w + ox) * C;
      for (int c = 0; c < C; c += 32) {
        int n = C - c < 32 ? C - c : 32;
        __m256i v = _mm256_set1_epi8(-128);
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            const int8_t *px = inb + ((size_t)y * p->in_w + x) * C + c;
            __m256i xv;
            if (n == 32) {
              xv = _mm256_loadu_si256((const __m256i *)px);
            } else {
              int8_t t[32] = {0};
              memcpy(t, px, (size_t)n);
              xv = _mm256_loadu_si256((const __m256i *)t);
            }
            v = _mm256_max_epi8(v, xv);
          }
        v = _mm256_min_epi8(_mm256_max_epi8(v, amin), amax);
        if (n == 32) {
          _mm256_storeu_si256((__m256i *)(o + c), v);
        } else {
          int8_t t[32];
          _mm256_storeu_si256((__m256i *)t, v);
          memcpy(o + c, t, (size_t)n);
        }
      }
    }
  }
}
