/* qs8 GEMM microkernel, NEON (armv7 and aarch64): MR = 4, NR = 8, contract in
 * lfrt_gemm.h. Exact integer scheme: the uint8 input and the int8 weights are
 * widened to int16 (vmovl_u8 / vmovl_s8: 0..255 and -128..127, so every
 * product fits) and multiply-accumulated into int32 lanes with vmlal_lane_s16,
 * which wraps modulo 2^32 like the contract's sum. vld4_s8 on a c4 group
 * (w[n][0..3] for n < 8) de-interleaves it into one vector per k holding the
 * 8 columns, so one lane of the widened input row feeds 8 columns. */
#include "qs8_gemm_neon.h"

/* acc_lo/acc_hi (columns 0-3 / 4-7) += x[lane] * w (int16x8 over the 8 columns) */
#define MLA(lo, hi, wv, x, lane)                                  \
  do {                                                            \
    lo = vmlal_lane_s16(lo, vget_low_s16(wv), x, lane);           \
    hi = vmlal_lane_s16(hi, vget_high_s16(wv), x, lane);          \
  } while (0)

/* one c4 group: weights wq[0..3] (k = 0..3), input lanes x (int16x4: k = 0..3) */
#define GROUP4(lo, hi, wq, x)      \
  do {                             \
    MLA(lo, hi, wq[0], x, 0);      \
    MLA(lo, hi, wq[1], x, 1);      \
    MLA(lo, hi, wq[2], x, 2);      \
    MLA(lo, hi, wq[3], x, 3);      \
  } while (0)

static inline void widen4(int16x8_t wq[4], const int8_t *wk) {
  int8x8x4_t v = vld4_s8(wk);
  wq[0] = vmovl_s8(v.val[0]);
  wq[1] = vmovl_s8(v.val[1]);
  wq[2] = vmovl_s8(v.val[2]);
  wq[3] = vmovl_s8(v.val[3]);
}

static inline int16x8_t load8(const uint8_t *p) { return vreinterpretq_s16_u16(vmovl_u8(vld1_u8(p))); }

void lfrt_qs8_gemm_4x8c4__neon(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride, const void *w,
                               int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  enum { NR = 8 };
  /* rows past mr alias the row before (read, computed, never stored) */
  const uint8_t *a0 = a;
  const uint8_t *a1 = mr > 1 ? a0 + a_stride : a0;
  const uint8_t *a2 = mr > 2 ? a1 + a_stride : a1;
  const uint8_t *a3 = mr > 3 ? a2 + a_stride : a2;
  const unsigned char *blk = w;
  int32x4_t b_lo = vld1q_s32((const int32_t *)(const void *)blk);
  int32x4_t b_hi = vld1q_s32((const int32_t *)(const void *)(blk + 16));
  int32x4_t c0l = b_lo, c0h = b_hi, c1l = b_lo, c1h = b_hi, c2l = b_lo, c2h = b_hi, c3l = b_lo, c3h = b_hi;
  const int8_t *wk = (const int8_t *)(blk + 8 * NR);
  size_t k = kc;
  for (; k >= 8; k -= 8) {
    int16x8_t x0 = load8(a0), x1 = load8(a1), x2 = load8(a2), x3 = load8(a3);
    a0 += 8; a1 += 8; a2 += 8; a3 += 8;
    int16x8_t wq[4];
    widen4(wq, wk);
    GROUP4(c0l, c0h, wq, vget_low_s16(x0));
    GROUP4(c1l, c1h, wq, vget_low_s16(x1));
    GROUP4(c2l, c2h, wq, vget_low_s16(x2));
    GROUP4(c3l, c3h, wq, vget_low_s16(x3));
    widen4(wq, wk + 4 * NR);
    GROUP4(c0l, c0h, wq, vget_high_s16(x0));
    GROUP4(c1l, c1h, wq, vget_high_s16(x1));
    GROUP4(c2l, c2h, wq, vget_high_s16(x2));
    GROUP4(c3l, c3h, wq, vget_high_s16(x3));
    wk += 8 * NR;
  }
  if (k) { /* kc % 8 == 4 */
    int16x4_t x0 = vget_low_s16(vreinterpretq_s16_u16(vmovl_u8(lfrt_neon_load4_u8(a0))));
    int16x4_t x1 = vget_low_s16(vreinterpretq_s16_u16(vmovl_u8(lfrt_neon_load4_u8(a1))));
    int16x4_t x2 = vget_low_s16(vreinterpretq_s16_u16(vmovl_u8(lfrt_neon_load4_u8(a2))));
    int16x4_t x3 = vget_low_s16(vreinterpretq_s16_u16(vmovl_u8(lfrt_neon_load4_u8(a3))));
    int16x8_t wq[4];
    widen4(wq, wk);
    GROUP4(c0l, c0h, wq, x0);
    GROUP4(c1l, c1h, wq, x1);
    GROUP4(c2l, c2h, wq, x2);
    GROUP4(c3l, c3h, wq, x3);
  }
  const float *sp = (const float *)(const void *)(blk + 4 * NR);
  float32x4_t s_lo = vld1q_f32(sp), s_hi = vld1q_f32(sp + 4);
  lfrt_neon_rq r = lfrt_neon_rq_load(rq);
  lfrt_neon_store8(c, lfrt_neon_requant8(c0l, c0h, s_lo, s_hi, &r), nc);
  if (mr > 1) lfrt_neon_store8(c + c_stride, lfrt_neon_requant8(c1l, c1h, s_lo, s_hi, &r), nc);
  if (mr > 2) lfrt_neon_store8(c + 2 * c_stride, lfrt_neon_requant8(c2l, c2h, s_lo, s_hi, &r), nc);
  if (mr > 3) lfrt_neon_store8(c + 3 * c_stride, lfrt_neon_requant8(c3l, c3h, s_lo, s_hi, &r), nc);
}
