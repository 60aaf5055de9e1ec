/* int8 MAX_POOL_2D, AVX-512 (BW): 64 channels per vector (vpmaxsb over the
 * window clipped to the input), masked loads/stores for the channel tail,
 * then the fused activation clamp. Same bytes as lfrt_qs8_maxpool__ref. */
#include <immintrin.h>

#include "lfrt_kernels.h"

void lfrt_qs8_maxpool_c64__avx512vnni(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  const int C = p->c;
  const __m512i amin = _mm512_set1_epi8((char)p->act_min), amax = _mm512_set1_epi8((char)p->act_max);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * C;
    int iy = oy * p->stride_h - p->pad_top;
    int y0 = iy < 0 ? 0 : iy, y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      int ix = ox * p->stride_w - p->pad_left;
      int x0 = ix < 0 ? 0 : ix, x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
      int8_t *o = out + ((size_t)r * p->out_w + ox) * C;
      for (int c = 0; c < C; c += 64) {
        const __mmask64 m = C - c >= 64 ? ~(__mmask64)0 : (((__mmask64)1 << (C - c)) - 1);
        __m512i v = _mm512_set1_epi8(-128);
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++)
            v = _mm512_max_epi8(v, _mm512_maskz_loadu_epi8(m, inb + ((size_t)y * p->in_w + x) * C + c));
        v = _mm512_min_epi8(_mm512_max_epi8(v, amin), amax);
        _mm512_mask_storeu_epi8(o + c, m, v);
      }
    }
  }
}
