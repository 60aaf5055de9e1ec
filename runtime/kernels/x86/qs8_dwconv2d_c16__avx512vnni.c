/* int8 DEPTHWISE_CONV_2D, AVX-512 (F/BW): 16 output channels per vector
 * (int32 lanes), masked byte loads/stores for the channel tail. Any kernel,
 * stride, dilation, padding and depth multiplier; taps outside the input are
 * skipped as in the reference. 1x1 with depth multiplier 1 and no padding
 * (DenseNet's BatchNorm+ReLU) runs a flat loop over pixels, 64 channels per
 * step with int16 products ((x - zp) * w fits: |x - zp| <= 255, |w| <= 128).
 * Requantization as lfrt_config_spatial.h: cvtdq2ps (RNE), * scale_f, clamp,
 * cvtps2dq (RNE, default MXCSR), + zp. Accumulators wrap like the
 * reference's uint32 sums (vpaddd/vpmulld are modular). */
#include <immintrin.h>

#include "lfrt_kernels.h"

static inline __m512i requant16(__m512i acc, const float *sf, __m512 lo, __m512 hi, __m512i zp,
                                __mmask16 m) {
  __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_maskz_loadu_ps(m, sf));
  v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
  return _mm512_add_epi32(_mm512_cvtps_epi32(v), zp);
}

static inline __mmask16 tail16(int n) { return n >= 16 ? (__mmask16)0xffff : (__mmask16)((1u << n) - 1); }

/* 1x1, depth multiplier 1, stride 1, no padding: npix contiguous pixels. */
static void dw1x1(const lfrt_conv_params *p, const int8_t *in, const int8_t *w, const int32_t *bias,
                  int8_t *out, size_t npix) {
  const int C = p->out_c;
  const __m512 lo = _mm512_set1_ps((float)(p->act_min - p->out_zp));
  const __m512 hi = _mm512_set1_ps((float)(p->act_max - p->out_zp));
  const __m512i zp = _mm512_set1_epi32(p->out_zp);
  const __m512i izp16 = _mm512_set1_epi16((short)p->in_zp);
  const float *sf = p->scale_f;
  for (size_t px = 0; px < npix; px++) {
    const int8_t *x = in + px * (size_t)C;
    int8_t *o = out + px * (size_t)C;
    int c = 0;
    for (; c + 32 <= C; c += 32) {
      __m512i xv = _mm512_sub_epi16(_mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(x + c))), izp16);
      __m512i wv = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(w + c)));
      __m512i prod = _mm512_mullo_epi16(xv, wv);
      __m512i a0 = _mm512_cvtepi16_epi32(_mm512_castsi512_si256(prod));
      __m512i a1 = _mm512_cvtepi16_epi32(_mm512_extracti64x4_epi64(prod, 1));
      if (bias) {
        a0 = _mm512_add_epi32(a0, _mm512_loadu_si512(bias + c));
        a1 = _mm512_add_epi32(a1, _mm512_loadu_si512(bias + c + 16));
      }
      __m512i r0 = requant16(a0, sf + c, lo, hi, zp, 0xffff);
      __m512i r1 = requant16(a1, sf + c + 16, lo, hi, zp, 0xffff);
      _mm_storeu_si128((__m128i *)(o + c), _mm512_cvtsepi32_epi8(r0));
      _mm_storeu_si128((__m128i *)(o + c + 16), _mm512_cvtsepi32_epi8(r1));
    }
    for (; c < C; c += 16) {
      const __mmask16 m = tail16(C - c);
      __m512i xv = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, x + c));
      __m512i wv = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, w + c));
      __m512i acc = _mm512_mullo_epi32(_mm512_sub_epi32(xv, _mm512_set1_epi32(p->in_zp)), wv);
      if (bias) acc = _mm512_add_epi32(acc, _mm512_maskz_loadu_epi32(m, bias + c));
      _mm_mask_storeu_epi8(o + c, m, _mm512_cvtsepi32_epi8(requant16(acc, sf + c, lo, hi, zp, m)));
    }
  }
}

void lfrt_qs8_dwconv2d_c16__avx512vnni(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                                      const int32_t *bias, int8_t *out, int begin, int end) {
  const int C = p->out_c, IC = p->in_c, dm = p->depth_multiplier;
  if (p->k_h == 1 && p->k_w == 1 && dm == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
      p->pad_left == 0 && p->in_h == p->out_h && p->in_w == p->out_w && p->in_zp >= -128 && p->in_zp <= 127) {
    size_t row = (size_t)p->out_w * (size_t)C;
    dw1x1(p, in + (size_t)begin * row, w, bias, out + (size_t)begin * row, (size_t)(end - begin) * (size_t)p->out_w);
    return;
  }
  const __m512 lo = _mm512_set1_ps((float)(p->act_min - p->out_zp));
  const __m512 hi = _mm512_set1_ps((float)(p->act_max - p->out_zp));
  const __m512i zp = _mm512_set1_epi32(p->out_zp), izp = _mm512_set1_epi32(p->in_zp);
  const __m512i iota = _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * IC;
    int8_t *orow = out + (size_t)r * p->out_w * C;
    for (int oc = 0; oc < C; oc += 16) {
      const __mmask16 m = tail16(C - oc);
      /* output lane i reads input channel (oc + i) / dm = ic0 + idx[i] */
      int ic0 = oc / dm, nic = IC - ic0 < 16 ? IC - ic0 : 16;
      __m512i idx = iota;
      if (dm != 1) {
        int32_t t[16];
        for (int i = 0; i < 16; i++) t[i] = oc + i < C ? (oc + i) / dm - ic0 : 0;
        idx = _mm512_loadu_si512(t);
      }
      const __mmask16 mi = tail16(nic);
      const __m512i bv = bias ? _mm512_maskz_loadu_epi32(m, bias + oc) : _mm512_setzero_si512();
      for (int ox = 0; ox < p->out_w; ox++) {
        __m512i acc = bv;
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            __m512i xv = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(mi, inb + ((size_t)iy * p->in_w + ix) * IC + ic0));
            if (dm != 1) xv = _mm512_permutexvar_epi32(idx, xv);
            __m512i wv = _mm512_cvtepi8_epi32(_mm_maskz_loadu_epi8(m, w + ((size_t)ky * p->k_w + kx) * C + oc));
            acc = _mm512_add_epi32(acc, _mm512_mullo_epi32(_mm512_sub_epi32(xv, izp), wv));
          }
        }
        _mm_mask_storeu_epi8(orow + (size_t)ox * C + oc, m,
                             _mm512_cvtsepi32_epi8(requant16(acc, p->scale_f + oc, lo, hi, zp, m)));
      }
    }
  }
}
