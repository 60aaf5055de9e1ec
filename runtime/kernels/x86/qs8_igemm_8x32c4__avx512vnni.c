/* qs8 indirect GEMM microkernel, AVX-512 VNNI: 8 rows x 32 columns, kc in
 * groups of 4 (lfrt_igemm.h). Per tap, each row's pointer is read once; per
 * group of 4 k: two 64-byte weight loads, one 4-byte broadcast of each row's
 * int8 input turned into the contract's uint8 in the register (xor 0x80),
 * 16 vpdpbusd into 16 zmm accumulators (wrapping int32). Rows >= mr alias the
 * last valid row (read, computed, never stored). Requantization and store as
 * lfrt_qs8_gemm_8x32c4__avx512vnni. */
#include <immintrin.h>
#include <string.h>

#include "lfrt_igemm.h"

static inline __m512i bcast4_u8(const int8_t *p, __m512i flip) {
  int32_t v;
  memcpy(&v, p, 4);
  return _mm512_xor_si512(_mm512_set1_epi32(v), flip);
}

#define ROW_DOT(i)                                          \
  do {                                                      \
    const __m512i va = bcast4_u8(a##i + k, vflip);          \
    acc##i##0 = _mm512_dpbusd_epi32(acc##i##0, va, w0);     \
    acc##i##1 = _mm512_dpbusd_epi32(acc##i##1, va, w1);     \
  } while (0)

static inline __m128i requant16(__m512i acc, __m512 scale, __m512 lo, __m512 hi, __m512i zp) {
  __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
  v = _mm512_min_ps(_mm512_max_ps(v, lo), hi);
  return _mm512_cvtsepi32_epi8(_mm512_add_epi32(_mm512_cvtps_epi32(v), zp));
}

void lfrt_qs8_igemm_8x32c4__avx512vnni(int mr, int nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                       int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  const unsigned char *blk = w;
  const __m512i vflip = _mm512_set1_epi32((int32_t)0x80808080u);
  __m512i acc00 = _mm512_loadu_si512(blk), acc01 = _mm512_loadu_si512(blk + 64);
  __m512i acc10 = acc00, acc11 = acc01, acc20 = acc00, acc21 = acc01, acc30 = acc00, acc31 = acc01;
  __m512i acc40 = acc00, acc41 = acc01, acc50 = acc00, acc51 = acc01, acc60 = acc00, acc61 = acc01;
  __m512i acc70 = acc00, acc71 = acc01;
  const unsigned char *wk = blk + 256;
  for (size_t p = 0; p < ks; p++) {
    const int8_t *a0 = a[0];
    const int8_t *a1 = mr > 1 ? a[1] : a0;
    const int8_t *a2 = mr > 2 ? a[2] : a1;
    const int8_t *a3 = mr > 3 ? a[3] : a2;
    const int8_t *a4 = mr > 4 ? a[4] : a3;
    const int8_t *a5 = mr > 5 ? a[5] : a4;
    const int8_t *a6 = mr > 6 ? a[6] : a5;
    const int8_t *a7 = mr > 7 ? a[7] : a6;
    a += mr;
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
