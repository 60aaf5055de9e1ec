/* float MUL, 4 lanes, aarch64 ASIMD (aarch64 only: armv7 NEON flushes denormals to zero): a full-size, b repeating with
 * period p->b_period (same shape, per-channel, or one value). One IEEE mul
 * per element, then the reference's clamp as compares + selects (`<=` min,
 * `>` max), so equal to lfrt_f32_mul__ref byte for byte. */
#include <arm_neon.h>

#include "lfrt_kernels.h"

void lfrt_f32_vmul_x4__neon(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  const float32x4_t lo = vdupq_n_f32(p->act_min_f), hi = vdupq_n_f32(p->act_max_f);
  const int P = p->b_period;
  for (int i = begin; i < end;) {
    int j = i % P, n = P == 1 ? end - i : P - j < end - i ? P - j : end - i; /* one contiguous run of b */
    const float *ar = a + i, *br = b + j;
    float *o = out + i;
    int k = 0;
    for (; k + 4 <= n; k += 4) {
      float32x4_t vb = P == 1 ? vdupq_n_f32(b[0]) : vld1q_f32(br + k);
      float32x4_t v = vmulq_f32(vld1q_f32(ar + k), vb);
      v = vbslq_f32(vcleq_f32(v, lo), lo, v);
      v = vbslq_f32(vcgtq_f32(v, hi), hi, v);
      vst1q_f32(o + k, v);
    }
    for (; k < n; k++) {
      float v = ar[k] * br[P == 1 ? 0 : k];
      if (v <= p->act_min_f) v = p->act_min_f;
      if (v > p->act_max_f) v = p->act_max_f;
      o[k] = v;
    }
    i += n;
  }
}
