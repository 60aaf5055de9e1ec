/* qs8 indirect GEMM microkernel, aarch64 dot product (armv8.2-a+dotprod): MR =
 * 8, NR = 8, contract in lfrt_igemm.h. The input is already int8, which is what
 * sdot wants (armv8.2 has no mixed-sign dot product): with x = a's int8 and
 * u = x ^ 0x80 = x + 128 the contract's uint8,
 *   sum_k u*w = sum_k x*w + 128 * sum_k w[k][n]
 * (exact modulo 2^32). The column sums come from one more sdot per weight
 * vector against a vector of ones, shared by the 8 rows, added once as
 * wsum << 7 at the end (as lfrt_qs8_gemm_8x8c4__neondot, minus its xor). Per
 * tap each row's pointer is read once (rows >= mr alias the last valid row:
 * read, computed, never stored); kc runs 16, 8, then 4 at a time. */
#include "../arm/qs8_gemm_neon.h"
#include "lfrt_igemm.h"

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

static inline int8x8_t load4_s8(const int8_t *p) {
  uint32_t u;
  memcpy(&u, p, 4);
  return vreinterpret_s8_u32(vdup_n_u32(u));
}

void lfrt_qs8_igemm_8x8c4__neondot(int mr, int nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                   int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  enum { NR = 8 };
  const unsigned char *blk = w;
  const int32x4_t zero = vdupq_n_s32(0);
  const int8x16_t ones = vdupq_n_s8(1);
#define DECL(i) int32x4_t c##i##l = zero, c##i##h = zero;
  ROWS(DECL)
#undef DECL
  int32x4_t s_l = zero, s_h = zero; /* column sums of w */
  const int8_t *wk = (const int8_t *)(blk + 8 * NR);
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
    size_t k = kc;
#define GROUP(j)                                                                                   \
  {                                                                                                \
    const int8x16_t w0 = vld1q_s8(wk), w1 = vld1q_s8(wk + 16);                                     \
    wk += 32;                                                                                      \
    s_l = vdotq_s32(s_l, w0, ones);                                                                \
    s_h = vdotq_s32(s_h, w1, ones);                                                                \
    DOT(0, j) DOT(1, j) DOT(2, j) DOT(3, j) DOT(4, j) DOT(5, j) DOT(6, j) DOT(7, j)                \
  }
    for (; k >= 16; k -= 16) {
#define LOADX(i) const int8x16_t x##i = vld1q_s8(a##i); a##i += 16;
      ROWS(LOADX)
#undef LOADX
#define DOT(i, j) c##i##l = vdotq_laneq_s32(c##i##l, w0, x##i, j); c##i##h = vdotq_laneq_s32(c##i##h, w1, x##i, j);
      GROUP(0) GROUP(1) GROUP(2) GROUP(3)
#undef DOT
    }
    if (k >= 8) {
#define LOADX(i) const int8x8_t x##i = vld1_s8(a##i); a##i += 8;
      ROWS(LOADX)
#undef LOADX
#define DOT(i, j) c##i##l = vdotq_lane_s32(c##i##l, w0, x##i, j); c##i##h = vdotq_lane_s32(c##i##h, w1, x##i, j);
      GROUP(0) GROUP(1)
      k -= 8;
    }
    if (k) { /* kc % 8 == 4 */
#define LOADX(i) const int8x8_t x##i = load4_s8(a##i);
      ROWS(LOADX)
#undef LOADX
      GROUP(0)
#undef DOT
    }
#undef GROUP
  }
  /* acc = bias + sum x*w + 128 * sum w (wrapping) */
  int32x4_t b_l = vaddq_s32(vld1q_s32((const int32_t *)(const void *)blk), vshlq_n_s32(s_l, 7));
  int32x4_t b_h = vaddq_s32(vld1q_s32((const int32_t *)(const void *)(blk + 16)), vshlq_n_s32(s_h, 7));
  const float *sp = (const float *)(const void *)(blk + 4 * NR);
  float32x4_t sc_l = vld1q_f32(sp), sc_h = vld1q_f32(sp + 4);
  lfrt_neon_rq r = lfrt_neon_rq_load(rq);
#define STORE(i)                                                                                              \
  if (i < mr)                                                                                                 \
    lfrt_neon_store8(c + (size_t)i * c_stride,                                                                \
                     lfrt_neon_requant8(vaddq_s32(c##i##l, b_l), vaddq_s32(c##i##h, b_h), sc_l, sc_h, &r), nc);
  ROWS(STORE)
#undef STORE
}
