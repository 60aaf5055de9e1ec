/* int8 DEPTHWISE_CONV_2D, AVX2: 8 output channels per vector (int32 lanes);
 * channel tails go through small stack buffers (AVX2 has no masked byte
 * loads). Any kernel, stride, dilation, padding and depth multiplier; taps
 * outside the input are skipped as in the reference. 1x1 with depth
 * multiplier 1 and no padding (DenseNet's BatchNorm+ReLU) runs a flat loop
 * over pixels, 16 channels per step with int16 products ((x - zp) * w fits:
 * |x - zp| <= 255, |w| <= 128). Requantization as lfrt_config_spatial.h:
 * cvtdq2ps (RNE), * scale_f, clamp, cvtps2dq (RNE, default MXCSR), + zp. */
#include <immintrin.h>
#include <string.h>

#include "lfrt_kernels.h"

static inline __m256i requant8(__m256i acc, const float *sf, __m256 lo, __m256 hi, __m256i zp) {
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(sf));
  v = _mm256_min_ps(_mm256_max_ps(v, lo), hi);
  return _mm256_add_epi32(_mm256_cvtps_epi32(v), zp);
}

/* 8 int32 (already in int8 range) -> 8 int8 in the low 64 bits */
static inline __m128i pack8(__m256i v) {
  __m128i s16 = _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return _mm_packs_epi16(s16, s16);
}

static inline __m128i load8(const int8_t *p) { return _mm_loadl_epi64((const __m128i *)p); }

/* 1x1, depth multiplier 1, stride 1, no padding: npix contiguous pixels. */
static void dw1x1(const lfrt_conv_params *p, const int8_t *in, const int8_t *w, const int32_t *bias,
                  int8_t *out, size_t npix) {
  const int C = p->out_c;
  const __m256 lo = _mm256_set1_ps((float)(p->act_min - p->out_zp));
  const __m256 hi = _mm256_set1_ps((float)(p->act_max - p->out_zp));
  const __m256i zp = _mm256_set1_epi32(p->out_zp), izp = _mm256_set1_epi32(p->in_zp);
  const __m256i izp16 = _mm256_set1_epi16((short)p->in_zp);
  const float *sf = p->scale_f;
  for (size_t px = 0; px < npix; px++) {
    const int8_t *x = in + px * (size_t)C;
    int8_t *o = out + px * (size_t)C;
    int c = 0;
    for (; c + 16 <= C; c += 16) {
      __m256i xv = _mm256_sub_epi16(_mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(x + c))), izp16);
      __m256i prod = _mm256_mullo_epi16(xv, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(w + c))));
      __m256i a0 = _mm256_cvtepi16_epi32(_mm256_castsi256_si128(prod));
      __m256i a1 = _mm256_cvtepi16_epi32(_mm256_extracti128_si256(prod, 1));
      if (bias) {
        a0 = _mm256_add_epi32(a0, _mm256_loadu_si256((const __m256i *)(bias + c)));
        a1 = _mm256_add_epi32(a1, _mm256_loadu_si256((const __m256i *)(bias + c + 8)));
      }
      __m256i r0 = requant8(a0, sf + c, lo, hi, zp), r1 = requant8(a1, sf + c + 8, lo, hi, zp);
      __m128i s16 = _mm_packs_epi32(_mm256_castsi256_si128(r0), _mm256_extracti128_si256(r0, 1));
      __m128i t16 = _mm_packs_epi32(_mm256_castsi256_si128(r1), _mm256_extracti128_si256(r1, 1));
      _mm_storeu_si128((__m128i *)(o + c), _mm_packs_epi16(s16, t16));
    }
    for (; c < C; c += 8) {
      int n = C - c < 8 ? C - c : 8;
      int8_t xb[8] = {0}, wb[8] = {0}, ob[8];
      int32_t bb[8] = {0};
      float sb[8] = {0};
      memcpy(xb, x + c, (size_t)n);
      memcpy(wb, w + c, (size_t)n);
      if (bias) memcpy(bb, bias + c, (size_t)n * sizeof(int32_t));
      memcpy(sb, sf + c, (size_t)n * sizeof(float));
      __m256i acc = _mm256_mullo_epi32(_mm256_sub_epi32(_mm256_cvtepi8_epi32(load8(xb)), izp),
                                       _mm256_cvtepi8_epi32(load8(wb)));
      acc = _mm256_add_epi32(acc, _mm256_loadu_si256((const __m256i *)bb));
      _mm_storel_epi64((__m128i *)ob, pack8(requant8(acc, sb, lo, hi, zp)));
      memcpy(o + c, ob, (size_t)n);
    }
  }
}

void lfrt_qs8_dwconv2d_c8__avx2(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                               const int32_t *bias, int8_t *out, int begin, int end) {
  const int C = p->out_c, IC = p->in_c, dm = p->depth_multiplier;
  if (p->k_h == 1 && p->k_w == 1 && dm == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
      p->pad_left == 0 && p->in_h == p->out_h && p->in_w == p->out_w && p->in_zp >= -128 && p->in_zp <= 127) {
    size_t row = (size_t)p->out_w * (size_t)C;
    dw1x1(p, in + (size_t)begin * row, w, bias, out + (size_t)begin * row, (size_t)(end - begin) * (size_t)p->out_w);
    return;
  }
  const __m256 lo = _mm256_set1_ps((float)(p->act_min - p->out_zp));
  const __m256 hi = _mm256_set1_ps((float)(p->act_max - p->out_zp));
  const __m256i zp = _mm256_set1_epi32(p->out_zp), izp = _mm256_set1_epi32(p->in_zp);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * IC;
    int8_t *orow = out + (size_t)r * p->out_w * C;
    for (int oc = 0; oc < C; oc += 8) {
      const int n = C - oc < 8 ? C - oc : 8;
      /* output lane i reads input channel (oc + i) / dm */
      int32_t src[8];
      for (int i = 0; i < 8; i++) src[i] = (oc + (i < n ? i : 0)) / dm;
      const int direct = dm == 1 && n == 8;
      int32_t bb[8] = {0};
      float sb[8] = {0};
      if (bias) memcpy(bb, bias + oc, (size_t)n * sizeof(int32_t));
      memcpy(sb, p->scale_f + oc, (size_t)n * sizeof(float));
      const __m256i bv = _mm256_loadu_si256((const __m256i *)bb);
      for (int ox = 0; ox < p->out_w; ox++) {
        __m256i acc = bv;
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            const int8_t *px = inb + ((size_t)iy * p->in_w + ix) * IC;
            const int8_t *pw = w + ((size_t)ky * p->k_w + kx) * C + oc;
            __m128i xv8, wv8;
            if (direct) {
              xv8 = load8(px + oc);
              wv8 = load8(pw);
            } else {
              int8_t xb[8] = {0}, wb[8] = {0};
              for (int i = 0; i < n; i++) xb[i] = px[src[i]];
              memcpy(wb, pw, (size_t)n);
              xv8 = load8(xb);
              wv8 = load8(wb);
            }
            acc = _mm256_add_epi32(acc, _mm256_mullo_epi32(_mm256_sub_epi32(_mm256_cvtepi8_epi32(xv8), izp),
                                                           _mm256_cvtepi8_epi32(wv8)));
          }
        }
        __m128i r8 = pack8(requant8(acc, sb, lo, hi, zp));
        if (n == 8) {
          _mm_storel_epi64((__m128i *)(orow + (size_t)ox * C + oc), r8);
        } else {
          int8_t ob[8];
          _mm_storel_epi64((__m128i *)ob, r8);
          memcpy(orow + (size_t)ox * C + oc, ob, (size_t)n);
        }
      }
    }
  }
}
