/* f32 depthwise microkernel, 16 channels per step, aarch64 ASIMD (contract in
 * lfrt_f32_conv.h), aarch64 only as f32_conv_4x8__neon. Per channel: a separate multiply then add per tap
 * (vmulq_f32, vaddq_f32, never fmla: -std=c99, which also keeps the
 * scalar channel tail uncontracted), bias, clamp as compares + selects. */
#include <arm_neon.h>

#include "lfrt_f32_conv.h"

static inline __attribute__((always_inline)) void block(const lfrt_f32_conv_tile *t, size_t c, const int NV) {
  float32x4_t acc[4];
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++) acc[v] = vdupq_n_f32(0.0f);
  const float *xa = t->x + c, *wa = t->w + c;
  for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky) {
    const float *xb = xa, *wb = wa;
    for (int b = 0; b < t->nkx; b++, xb += t->x_kx, wb += t->w_kx) {
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++)
        acc[v] = vaddq_f32(acc[v], vmulq_f32(vld1q_f32(xb + 4 * v), vld1q_f32(wb + 4 * v)));
    }
  }
  const float32x4_t vmin = vdupq_n_f32(t->min), vmax = vdupq_n_f32(t->max);
#pragma GCC unroll 4
  for (int v = 0; v < NV; v++) {
    float32x4_t a = acc[v];
    if (t->bias) a = vaddq_f32(a, vld1q_f32(t->bias + c + 4 * v));
    a = vbslq_f32(vcleq_f32(a, vmin), vmin, a);
    a = vbslq_f32(vcgtq_f32(a, vmax), vmax, a);
    vst1q_f32(t->y + c + 4 * v, a);
  }
}

void lfrt_f32_dwconv_c16__neon(const lfrt_f32_conv_tile *t) {
  size_t c = 0, C = t->kc;
  for (; c + 16 <= C; c += 16) block(t, c, 4);
  for (; c + 4 <= C; c += 4) block(t, c, 1);
  for (; c < C; c++) {
    float acc = 0.0f;
    const float *xa = t->x + c, *wa = t->w + c;
    for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky)
      for (int b = 0; b < t->nkx; b++) acc += xa[b * t->x_kx] * wa[b * t->w_kx];
    if (t->bias) acc += t->bias[c];
    if (acc <= t->min) acc = t->min;
    if (acc > t->max) acc = t->max;
    t->y[c] = acc;
  }
}
