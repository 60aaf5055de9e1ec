/* qs8 GEMM microkernel, AVX-512 VNNI: 8 rows x 32 columns, K in groups of 4
 * (lfrt_gemm.h). Per group of 4 k: two 64-byte weight loads (32 columns x 4
 * int8), one 4-byte broadcast of each row's uint8 a, 16 vpdpbusd into 16 zmm
 * accumulators (wrapping int32). Rows >= mr alias the last valid row (read,
 * computed, never stored). Requantization in float as the contract says:
 * cvtdq2ps (RNE), * scale, clamp, cvtps2dq (RNE, default MXCSR), + zp,
 * vpmovsdb (values already in int8 range), masked 32-byte store per row. */
#include <immintrin.h>
#include <string.h>

#include "lfrt_gemm.h"

static inline __m512i bcast4(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return _mm512_set1_epi32(v);
}

#define ROW_DOT(i)                                 \
  do {                                             \
    const __m512i va = bcast4(a##i + k);           \
    acc##i##0 = _mm512_dpbusd_epi32(acc##i##0, va, w0); \
    acc##i##1 = _mm512_dpbusd_epi32(acc##i##1, va, w1); \
  } while (0)

static inline __m128i requant16(__m512i acc, __m512 scale, __m512 lo, __m512 hi, __m512i zp) {
  __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
  v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
  return _mm512_cvtsepi32_epi8(_mm512_add_epi32(_mm512_cvtps_epi32(v), zp));
}

void lfrt_qs8_gemm_8x32c4__avx512vnni(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride,
                                      const void *w, int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  const unsigned char *blk = w;
  const uint8_t *a0 = a;
  const uint8_t *a1 = mr > 1 ? a0 + a_stride : a0;
  const uint8_t *a2 = mr > 2 ? a1 + a_stride : a1;
  const uint8_t *a3 = mr > 3 ? a2 + a_stride : a2;
  const uint8_t *a4 = mr > 4 ? a3 + a_stride : a3;
  const uint8_t *a5 = mr > 5 ? a4 + a_stride : a4;
  const uint8_t *a6 = mr > 6 ? a5 + a_stride : a5;
  const uint8_t *a7 = mr > 7 ? a6 + a_stride : a6;
  __m512i acc00 = _mm512_loadu_si512(blk), acc01 = _mm512_loadu_si512(blk + 64);
  __m512i acc10 = acc00, acc11 = acc01, acc20 = acc00, acc21 = acc01, acc30 = acc00, acc31 = acc01;
  __m512i acc40 = acc00, acc41 = acc01, acc50 = acc00, acc51 = acc01, acc60 = acc00, acc61 = acc01;
  __m512i acc70 = acc00, acc71 = acc01;
  const unsigned char *wk = blk + 256;
  for (size_t k = 0; k < kc; k += 4) {
    const __m512i w0 = _mm512_loadu_si512(wk), w1 = _mm512_loadu_si512(wk + 64);
    wk += 128;
    ROW_DOT(0);
    ROW_DOT(1);
    ROW_DOT(2);
    ROW_DOT(3);
    ROW_DOT(4);
    ROW_DOT(5);
    ROW_DOT(6);
    ROW_DOT(7);
  }
  /* the accumulators leave registers here (a loop over rows < mr reads them back) */
  const __m512i acc[8][2] = {{acc00, acc01}, {acc10, acc11}, {acc20, acc21}, {acc30, acc31},
                             {acc40, acc41}, {acc50, acc51}, {acc60, acc61}, {acc70, acc71}};
  const __m512 vs0 = _mm512_loadu_ps(blk + 128), vs1 = _mm512_loadu_ps(blk + 192);
  const __m512 vlo = _mm512_set1_ps(rq->min), vhi = _mm512_set1_ps(rq->max);
  const __m512i vzp = _mm512_set1_epi32(rq->out_zp);
  const __mmask32 mask = nc >= 32 ? 0xFFFFFFFFu : (((__mmask32)1 << nc) - 1);
  for (int i = 0; i < mr; i++) {
    const __m128i r0 = requant16(acc[i][0], vs0, vlo, vhi, vzp), r1 = requant16(acc[i][1], vs1, vlo, vhi, vzp);
    _mm256_mask_storeu_epi8(c + (size_t)i * c_stride, mask, _mm256_inserti128_si256(_mm256_castsi128_si256(r0), r1, 1));
  }
}
