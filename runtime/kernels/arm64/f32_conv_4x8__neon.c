/* f32 conv microkernel, 4 pixels x 8 channels, aarch64 ASIMD (contract in
 * lfrt_f32_conv.h). aarch64 only: its vector float arithmetic follows FPCR
 * like the scalar unit (denormals kept), while armv7 NEON always flushes
 * them to zero and could not match the reference. Each lane does a separate
 * vmulq then vaddq per (tap, ic), never fmla (-std=c99: no contraction),
 * then bias, then the clamp as compares + selects (`<=` min, `>` max). */
#include <arm_neon.h>

#include "lfrt_f32_conv.h"

#define NR 8

static inline __attribute__((always_inline)) void tile(const lfrt_f32_conv_tile *t, const int MR) {
  float32x4_t acc[4][2];
  const float *px[4];
#pragma GCC unroll 4
  for (int i = 0; i < MR; i++) acc[i][0] = acc[i][1] = vdupq_n_f32(0.0f);
  const float *xa = t->x, *wa = t->w;
  for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky) {
    const float *xb = xa, *wb = wa;
    for (int b = 0; b < t->nkx; b++, xb += t->x_kx, wb += t->w_kx) {
#pragma GCC unroll 4
      for (int i = 0; i < MR; i++) px[i] = xb + i * t->x_pix;
      const float *wk = wb;
      for (size_t k = 0; k < t->kc; k++, wk += NR) {
        const float32x4_t w0 = vld1q_f32(wk), w1 = vld1q_f32(wk + 4);
#pragma GCC unroll 4
        for (int i = 0; i < MR; i++) {
          const float32x4_t xv = vld1q_dup_f32(px[i] + k);
          acc[i][0] = vaddq_f32(acc[i][0], vmulq_f32(xv, w0));
          acc[i][1] = vaddq_f32(acc[i][1], vmulq_f32(xv, w1));
        }
      }
    }
  }
  const float32x4_t vmin = vdupq_n_f32(t->min), vmax = vdupq_n_f32(t->max);
  float32x4_t b0 = vdupq_n_f32(0.0f), b1 = b0;
  if (t->bias) {
    b0 = vld1q_f32(t->bias);
    b1 = vld1q_f32(t->bias + 4);
  }
  const int full = t->c0 == 0 && t->c1 == NR;
#pragma GCC unroll 4
  for (int i = 0; i < MR; i++) {
    float32x4_t v0 = acc[i][0], v1 = acc[i][1];
    if (t->bias) {
      v0 = vaddq_f32(v0, b0);
      v1 = vaddq_f32(v1, b1);
    }
    v0 = vbslq_f32(vcleq_f32(v0, vmin), vmin, v0);
    v1 = vbslq_f32(vcleq_f32(v1, vmin), vmin, v1);
    v0 = vbslq_f32(vcgtq_f32(v0, vmax), vmax, v0);
    v1 = vbslq_f32(vcgtq_f32(v1, vmax), vmax, v1);
    float *y = t->y + i * t->y_pix;
    if (full) {
      vst1q_f32(y, v0);
      vst1q_f32(y + 4, v1);
    } else {
      float tmp[NR];
      vst1q_f32(tmp, v0);
      vst1q_f32(tmp + 4, v1);
      for (int n = t->c0; n < t->c1; n++) y[n] = tmp[n];
    }
  }
}

void lfrt_f32_conv_4x8__neon(const lfrt_f32_conv_tile *t) {
  switch (t->mr) {
  case 4: tile(t, 4); break;
  case 3: tile(t, 3); break;
  case 2: tile(t, 2); break;
  default: tile(t, 1); break;
  }
}
