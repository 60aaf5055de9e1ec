/* qs8 indirect GEMM microkernel, AVX-VNNI (VEX vpdpbusd on ymm): 6 rows x 16
 * columns, kc in groups of 4 (lfrt_igemm.h). Per tap, each row's pointer is
 * read once; per group of 4 k: two 32-byte weight loads, one 4-byte load of
 * each row's int8 input made uint8 before the broadcast (xor 0x80808080 on the
 * scalar: no vector register for the mask, the 12 accumulators + 2 weight
 * vectors + the broadcast fill the 16), 12 vpdpbusd (wrapping int32). Rows >=
 * mr alias the last valid row (read, computed, never stored). Requantization
 * and store as lfrt_qs8_gemm_6x16c4__avxvnni. */
#include <immintrin.h>
#include <string.h>

#include "lfrt_igemm.h"

static inline __m256i bcast4_u8(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return _mm256_set1_epi32((int32_t)(v ^ 0x80808080u));
}

#define ROW_DOT(i)                                           \
  do {                                                       \
    const __m256i va = bcast4_u8(a##i + k);                  \
    acc##i##0 = _mm256_dpbusd_avx_epi32(acc##i##0, va, w0);  \
    acc##i##1 = _mm256_dpbusd_avx_epi32(acc##i##1, va, w1);  \
  } while (0)

static inline __m128i requant8x2(__m256i x0, __m256i x1, __m256 s0, __m256 s1, __m256 lo, __m256 hi, __m256i zp) {
  __m256 v0 = _mm256_mul_ps(_mm256_cvtepi32_ps(x0), s0), v1 = _mm256_mul_ps(_mm256_cvtepi32_ps(x1), s1);
  v0 = _mm256_min_ps(_mm256_max_ps(v0, lo), hi);
  v1 = _mm256_min_ps(_mm256_max_ps(v1, lo), hi);
  const __m256i i0 = _mm256_add_epi32(_mm256_cvtps_epi32(v0), zp), i1 = _mm256_add_epi32(_mm256_cvtps_epi32(v1), zp);
  const __m128i h0 = _mm_packs_epi32(_mm256_castsi256_si128(i0), _mm256_extracti128_si256(i0, 1));
  const __m128i h1 = _mm_packs_epi32(_mm256_castsi256_si128(i1), _mm256_extracti128_si256(i1, 1));
  return _mm_packs_epi16(h0, h1);
}

void lfrt_qs8_igemm_6x16c4__avxvnni(int mr, int nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                    int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  const unsigned char *blk = w;
  __m256i acc00 = _mm256_loadu_si256((const __m256i *)(const void *)blk);
  __m256i acc01 = _mm256_loadu_si256((const __m256i *)(const void *)(blk + 32));
  __m256i acc10 = acc00, acc11 = acc01, acc20 = acc00, acc21 = acc01, acc30 = acc00, acc31 = acc01;
  __m256i acc40 = acc00, acc41 = acc01, acc50 = acc00, acc51 = acc01;
  const unsigned char *wk = blk + 128;
  for (size_t p = 0; p < ks; p++) {
    const int8_t *a0 = a[0];
    const int8_t *a1 = mr > 1 ? a[1] : a0;
    const int8_t *a2 = mr > 2 ? a[2] : a1;
    const int8_t *a3 = mr > 3 ? a[3] : a2;
    const int8_t *a4 = mr > 4 ? a[4] : a3;
    const int8_t *a5 = mr > 5 ? a[5] : a4;
    a += mr;
    for (size_t k = 0; k < kc; k += 4) {
      const __m256i w0 = _mm256_loadu_si256((const __m256i *)(const void *)wk);
      const __m256i w1 = _mm256_loadu_si256((const __m256i *)(const void *)(wk + 32));
      wk += 64;
      ROW_DOT(0);
      ROW_DOT(1);
      ROW_DOT(2);
      ROW_DOT(3);
      ROW_DOT(4);
      ROW_DOT(5);
    }
  }
  /* the accumulators leave registers here: stores of rows < mr read them back */
  const __m256i acc[6][2] = {{acc00, acc01}, {acc10, acc11}, {acc20, acc21}, {acc30, acc31}, {acc40, acc41}, {acc50, acc51}};
  const __m256 vs0 = _mm256_loadu_ps((const float *)(const void *)(blk + 64));
  const __m256 vs1 = _mm256_loadu_ps((const float *)(const void *)(blk + 96));
  const __m256 vlo = _mm256_set1_ps(rq->min), vhi = _mm256_set1_ps(rq->max);
  const __m256i vzp = _mm256_set1_epi32(rq->out_zp);
  for (int i = 0; i < mr; i++) {
    const __m128i r = requant8x2(acc[i][0], acc[i][1], vs0, vs1, vlo, vhi, vzp);
    int8_t *ci = c + (size_t)i * c_stride;
    if (nc >= 16) {
      _mm_storeu_si128((__m128i *)(void *)ci, r);
    } else {
      int8_t t[16];
      _mm_storeu_si128((__m128i *)(void *)t, r);
      memcpy(ci, t, (size_t)nc);
    }
  }
}
