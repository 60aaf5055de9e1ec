/* int8 ADD, XNNPACK's arithmetic (lfrt_qs8_add__ref), 8 lanes with NEON
 * (armv7 and aarch64): int32 multiply-add, arithmetic shift right (vshl by a
 * negative count truncates like >>), clamp. b repeats with period p->b_period. */
#include <arm_neon.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_vadd_x8__neon(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin,
                            int end) {
  const int32x4_t bias = vdupq_n_s32(p->bias), zp = vdupq_n_s32(p->out_zp), sh = vdupq_n_s32(-p->shift);
  const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
  const int32_t am = p->a_mult, bm = p->b_mult;
  int P = p->b_period;
  for (int i = begin; i < end;) {
    int j = i % P, n = P - j < end - i ? P - j : end - i;
    const int8_t *ar = a + i, *br = b + j;
    int8_t *o = out + i;
    int k = 0;
    for (; k + 8 <= n; k += 8) {
      int16x8_t va = vmovl_s8(vld1_s8(ar + k)), vb = vmovl_s8(vld1_s8(br + k));
      int32x4_t lo4 = vmlaq_n_s32(vmlaq_n_s32(bias, vmovl_s16(vget_low_s16(va)), am), vmovl_s16(vget_low_s16(vb)), bm);
      int32x4_t hi4 = vmlaq_n_s32(vmlaq_n_s32(bias, vmovl_s16(vget_high_s16(va)), am), vmovl_s16(vget_high_s16(vb)), bm);
      lo4 = vminq_s32(vmaxq_s32(vaddq_s32(vshlq_s32(lo4, sh), zp), lo), hi);
      hi4 = vminq_s32(vmaxq_s32(vaddq_s32(vshlq_s32(hi4, sh), zp), lo), hi);
      vst1_s8(o + k, vmovn_s16(vcombine_s16(vmovn_s32(lo4), vmovn_s32(hi4))));
    }
    for (; k < n; k++) {
      int32_t acc = p->bias + (int32_t)ar[k] * am + (int32_t)br[k] * bm;
      o[k] = (int8_t)lfrt_clamp_i32((acc >> p->shift) + p->out_zp, p->act_min, p->act_max);
    }
    i += n;
  }
}
