/* qs8 GEMM microkernel, aarch64 dot product (armv8.2-a+dotprod): MR = 8,
 * NR = 8, contract in lfrt_gemm.h. armv8.2 has no mixed-sign dot product
 * (usdot needs i8mm), so the uint8 input a goes back to int8, x = a ^ 0x80 =
 * a - 128, and sdot computes sum_k x*w; the contract's sum is
 *   sum_k a*w = sum_k x*w + 128 * sum_k w[k][n]
 * (exact modulo 2^32 on both sides). The column sums sum_k w[k][n] come from
 * one more sdot per weight vector against a vector of ones, shared by all 8
 * rows (1 in 9 dot products), added once as wsum << 7 at the end. A c4 group
 * of 8 columns is two 16-byte vectors (columns 0-3, 4-7; 4 k each), exactly
 * sdot's by-element layout: lane j of a row's 16 input bytes is its k group j. */
#include "../arm/qs8_gemm_neon.h"

#define ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

void lfrt_qs8_gemm_8x8c4__neondot(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride, const void *w,
                                  int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  enum { NR = 8 };
  /* rows past mr alias the row before (read, computed, never stored) */
  const uint8_t *ap[8];
  ap[0] = a;
  for (int i = 1; i < 8; i++) ap[i] = i < mr ? ap[i - 1] + a_stride : ap[i - 1];
  const uint8_t *a0 = ap[0], *a1 = ap[1], *a2 = ap[2], *a3 = ap[3], *a4 = ap[4], *a5 = ap[5], *a6 = ap[6],
                *a7 = ap[7];
  const unsigned char *blk = w;
  const int32x4_t zero = vdupq_n_s32(0);
  const int8x16_t ones = vdupq_n_s8(1);
  const uint8x16_t flip = vdupq_n_u8(0x80);
#define DECL(i) int32x4_t c##i##l = zero, c##i##h = zero;
  ROWS(DECL)
#undef DECL
  int32x4_t s_l = zero, s_h = zero; /* column sums of w */
  const int8_t *wk = (const int8_t *)(blk + 8 * NR);
  size_t k = kc;
  for (; k >= 16; k -= 16) {
#define LOADX(i) const int8x16_t x##i = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(a##i), flip)); a##i += 16;
    ROWS(LOADX)
#undef LOADX
#define DOT(i, j) c##i##l = vdotq_laneq_s32(c##i##l, w0, x##i, j); c##i##h = vdotq_laneq_s32(c##i##h, w1, x##i, j);
#define GROUP(j)                                                                                   \
  {                                                                                                \
    const int8x16_t w0 = vld1q_s8(wk), w1 = vld1q_s8(wk + 16);                                     \
    wk += 32;                                                                                      \
    s_l = vdotq_s32(s_l, w0, ones);                                                                \
    s_h = vdotq_s32(s_h, w1, ones);                                                                \
    DOT(0, j) DOT(1, j) DOT(2, j) DOT(3, j) DOT(4, j) DOT(5, j) DOT(6, j) DOT(7, j)                \
  }
    GROUP(0) GROUP(1) GROUP(2) GROUP(3)
#undef GROUP
#undef DOT
  }
  if (k >= 8) {
#define LOADX(i) const int8x8_t x##i = vreinterpret_s8_u8(veor_u8(vld1_u8(a##i), vget_low_u8(flip))); a##i += 8;
    ROWS(LOADX)
#undef LOADX
#define DOT(i, j) c##i##l = vdotq_lane_s32(c##i##l, w0, x##i, j); c##i##h = vdotq_lane_s32(c##i##h, w1, x##i, j);
#define GROUP(j)                                                                                   \
  {                                                                                                \
    const int8x16_t w0 = vld1q_s8(wk), w1 = vld1q_s8(wk + 16);                                     \
    wk += 32;                                                                                      \
    s_l = vdotq_s32(s_l, w0, ones);                                                                \
    s_h = vdotq_s32(s_h, w1, ones);                                                                \
    DOT(0, j) DOT(1, j) DOT(2, j) DOT(3, j) DOT(4, j) DOT(5, j) DOT(6, j) DOT(7, j)                \
  }
    GROUP(0) GROUP(1)
    k -= 8;
  }
  if (k) { /* kc % 8 == 4 */
#define LOADX(i) const int8x8_t x##i = vreinterpret_s8_u8(veor_u8(lfrt_neon_load4_u8(a##i), vget_low_u8(flip)));
    ROWS(LOADX)
#undef LOADX
    GROUP(0)
#undef GROUP
#undef DOT
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
