/* qs8 indirect GEMM microkernel, AVX2 without VNNI: 4 rows x 8 columns, kc in
 * groups of 4 (lfrt_igemm.h). Per tap, each row's pointer is read once; the
 * arithmetic is lfrt_qs8_gemm_4x8c4__avx2's (exact vpmaddwd on int16, pair
 * sums wrap-added into int32, vphaddd at the end) on each row's 4 int8 inputs
 * made uint8 on the scalar (xor 0x80808080) before the zero-extension. Rows
 * >= mr alias the last valid row (read, computed, never stored). Float
 * requantization as the contract says (cvtdq2ps, * scale, clamp, cvtps2dq
 * with RNE, + zp). */
#include <immintrin.h>
#include <string.h>

#include "lfrt_igemm.h"

static inline __m256i bcast4_u16(const int8_t *p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return _mm256_cvtepu8_epi16(_mm_set1_epi32((int32_t)(v ^ 0x80808080u)));
}

#define ROW_DOT(i)                                                          \
  do {                                                                      \
    const __m256i va = bcast4_u16(a##i + k);                                \
    acc##i##0 = _mm256_add_epi32(acc##i##0, _mm256_madd_epi16(va, w0));     \
    acc##i##1 = _mm256_add_epi32(acc##i##1, _mm256_madd_epi16(va, w1));     \
  } while (0)

/* acc0 = columns 0-3, acc1 = columns 4-7, two partial sums per column -> 8 sums in column order */
static inline __m256i hsum_pairs(__m256i acc0, __m256i acc1) {
  return _mm256_permute4x64_epi64(_mm256_hadd_epi32(acc0, acc1), _MM_SHUFFLE(3, 1, 2, 0));
}

void lfrt_qs8_igemm_4x8c4__avx2(int mr, int nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  const unsigned char *blk = w;
  __m256i acc00 = _mm256_setzero_si256(), acc01 = acc00, acc10 = acc00, acc11 = acc00;
  __m256i acc20 = acc00, acc21 = acc00, acc30 = acc00, acc31 = acc00;
  const unsigned char *wk = blk + 64;
  for (size_t p = 0; p < ks; p++) {
    const int8_t *a0 = a[0];
    const int8_t *a1 = mr > 1 ? a[1] : a0;
    const int8_t *a2 = mr > 2 ? a[2] : a1;
    const int8_t *a3 = mr > 3 ? a[3] : a2;
    a += mr;
    for (size_t k = 0; k < kc; k += 4) {
      const __m256i w0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)wk));
      const __m256i w1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(const void *)(wk + 16)));
      wk += 32;
      ROW_DOT(0);
      ROW_DOT(1);
      ROW_DOT(2);
      ROW_DOT(3);
    }
  }
  /* the accumulators leave registers here (a loop over rows < mr reads them back) */
  const __m256i acc[4][2] = {{acc00, acc01}, {acc10, acc11}, {acc20, acc21}, {acc30, acc31}};
  const __m256i vb = _mm256_loadu_si256((const __m256i *)(const void *)blk);
  const __m256 vs = _mm256_loadu_ps((const float *)(const void *)(blk + 32));
  const __m256 vlo = _mm256_set1_ps(rq->min), vhi = _mm256_set1_ps(rq->max);
  const __m256i vzp = _mm256_set1_epi32(rq->out_zp);
  for (int i = 0; i < mr; i++) {
    const __m256i x = _mm256_add_epi32(hsum_pairs(acc[i][0], acc[i][1]), vb);
    __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(x), vs);
    v = _mm256_min_ps(_mm256_max_ps(v, vlo), vhi);
    const __m256i y = _mm256_add_epi32(_mm256_cvtps_epi32(v), vzp);
    const __m128i h = _mm_packs_epi32(_mm256_castsi256_si128(y), _mm256_extracti128_si256(y, 1));
    const __m128i r = _mm_packs_epi16(h, h);
    int8_t *ci = c + (size_t)i * c_stride;
    if (nc >= 8) {
      _mm_storel_epi64((__m128i *)(void *)ci, r);
    } else {
      int8_t t[16];
      _mm_storeu_si128((__m128i *)(void *)t, r);
      memcpy(ci, t, (size_t)nc);
    }
  }
}
