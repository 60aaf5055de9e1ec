/* int8 MUL, XNNPACK's arithmetic (lfrt_qs8_mul__ref), 8 lanes with NEON
 * (armv7 and aarch64): (a-za)*(b-zb) in int32, times the float scale, clamp,
 * then round to nearest even with the magic number 1.5*2^23 (exact for
 * |v| < 2^22; after the clamp |v| <= 255), since armv7 NEON has no rounding
 * float->int conversion. NEON flushes denormals, but (float)prod * scale is
 * 0 or >= 2^-16 here. b repeats with period p->b_period. */
#include <arm_neon.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

static inline int32x4_t requant(int32x4_t prod, float32x4_t sc, float32x4_t lo, float32x4_t hi, int32x4_t zp) {
  const float32x4_t magic = vdupq_n_f32(12582912.0f);
  float32x4_t f = vminq_f32(vmaxq_f32(vmulq_f32(vcvtq_f32_s32(prod), sc), lo), hi);
  int32x4_t r = vsubq_s32(vreinterpretq_s32_f32(vaddq_f32(f, magic)), vreinterpretq_s32_f32(magic));
  return vaddq_s32(r, zp);
}

void lfrt_qs8_vmul_x8__neon(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin,
                            int end) {
  const int16x8_t az = vdupq_n_s16((int16_t)p->a_zp), bz = vdupq_n_s16((int16_t)p->b_zp);
  const int32x4_t zp = vdupq_n_s32(p->out_zp);
  const float32x4_t sc = vdupq_n_f32(p->out_scale_f);
  const float32x4_t lo = vdupq_n_f32((float)(p->act_min - p->out_zp)), hi = vdupq_n_f32((float)(p->act_max - p->out_zp));
  int P = p->b_period;
  for (int i = begin; i < end;) {
    int j = i % P, n = P - j < end - i ? P - j : end - i;
    const int8_t *ar = a + i, *br = b + j;
    int8_t *o = out + i;
    int k = 0;
    for (; k + 8 <= n; k += 8) {
      int16x8_t va = vsubq_s16(vmovl_s8(vld1_s8(ar + k)), az), vb = vsubq_s16(vmovl_s8(vld1_s8(br + k)), bz);
      int32x4_t r0 = requant(vmull_s16(vget_low_s16(va), vget_low_s16(vb)), sc, lo, hi, zp);
      int32x4_t r1 = requant(vmull_s16(vget_high_s16(va), vget_high_s16(vb)), sc, lo, hi, zp);
      vst1_s8(o + k, vmovn_s16(vcombine_s16(vmovn_s32(r0), vmovn_s32(r1))));
    }
    if (k < n) lfrt_qs8_mul__ref(p, a, b, out, i + k, i + n); /* tail: the reference (same shapes) */
    i += n;
  }
}
