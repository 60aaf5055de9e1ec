/* qs8 indirect GEMM microkernel, NEON (armv7 and aarch64): MR = 4, NR = 8,
 * contract in lfrt_igemm.h. The arithmetic of lfrt_qs8_gemm_4x8c4__neon
 * (inputs and weights widened to int16, vmlal_lane_s16 into wrapping int32,
 * vld4_s8 de-interleaving a c4 group into one vector per k) on each row's int8
 * input made the contract's uint8 first (veor 0x80, then vmovl_u8: 0..255).
 * Per tap each row's pointer is read once (rows >= mr alias the last valid
 * row: read, computed, never stored); kc runs 8, then 4 at a time. */
#include "qs8_gemm_neon.h"
#include "lfrt_igemm.h"

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

/* 8 int8 -> 8 int16 of the uint8 x ^ 0x80 */
static inline int16x8_t load8(const int8_t *p) {
  return vreinterpretq_s16_u16(vmovl_u8(veor_u8(vld1_u8((const uint8_t *)p), vdup_n_u8(0x80))));
}

static inline int16x4_t load4(const int8_t *p) {
  uint32_t u;
  memcpy(&u, p, 4);
  return vget_low_s16(vreinterpretq_s16_u16(vmovl_u8(vreinterpret_u8_u32(vdup_n_u32(u ^ 0x80808080u)))));
}

void lfrt_qs8_igemm_4x8c4__neon(int mr, int nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  enum { NR = 8 };
  const unsigned char *blk = w;
  int32x4_t b_lo = vld1q_s32((const int32_t *)(const void *)blk);
  int32x4_t b_hi = vld1q_s32((const int32_t *)(const void *)(blk + 16));
  int32x4_t c0l = b_lo, c0h = b_hi, c1l = b_lo, c1h = b_hi, c2l = b_lo, c2h = b_hi, c3l = b_lo, c3h = b_hi;
  const int8_t *wk = (const int8_t *)(blk + 8 * NR);
  for (size_t p = 0; p < ks; p++) {
    const int8_t *a0 = a[0];
    const int8_t *a1 = mr > 1 ? a[1] : a0;
    const int8_t *a2 = mr > 2 ? a[2] : a1;
    const int8_t *a3 = mr > 3 ? a[3] : a2;
    a += mr;
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
      int16x4_t x0 = load4(a0), x1 = load4(a1), x2 = load4(a2), x3 = load4(a3);
      int16x8_t wq[4];
      widen4(wq, wk);
      GROUP4(c0l, c0h, wq, x0);
      GROUP4(c1l, c1h, wq, x1);
      GROUP4(c2l, c2h, wq, x2);
      GROUP4(c3l, c3h, wq, x3);
      wk += 4 * NR;
    }
  }
  const float *sp = (const float *)(const void *)(blk + 4 * NR);
  float32x4_t s_lo = vld1q_f32(sp), s_hi = vld1q_f32(sp + 4);
  lfrt_neon_rq r = lfrt_neon_rq_load(rq);
  lfrt_neon_store8(c, lfrt_neon_requant8(c0l, c0h, s_lo, s_hi, &r), nc);
  if (mr > 1) lfrt_neon_store8(c + c_stride, lfrt_neon_requant8(c1l, c1h, s_lo, s_hi, &r), nc);
  if (mr > 2) lfrt_neon_store8(c + 2 * c_stride, lfrt_neon_requant8(c2l, c2h, s_lo, s_hi, &r), nc);
  if (mr > 3) lfrt_neon_store8(c + 3 * c_stride, lfrt_neon_requant8(c3l, c3h, s_lo, s_hi, &r), nc);
}
