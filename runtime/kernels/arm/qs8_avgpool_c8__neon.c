/* int8 AVERAGE_POOL_2D, NEON (armv7 and aarch64): 8 channels per step, int32
 * window sums (window clipped to the input), the channel tail through stack
 * buffers. The reference's truncating (sum +- n/2) / n: q0 = trunc(fl(a) *
 * fl(1/n)) is within 1 of it (|a/n| <= 129, armv7 has no vector divide), and
 * one integer correction step (remainder a - q0 n outside its range) makes it
 * exact. Windows over 65536 taps take the reference (|a| stays < 2^24). */
#include <arm_neon.h>
#include <string.h>

#include "lfrt_kernels.h"

/* trunc(a / n) for |a| < 2^24, n >= 1 */
static inline int32x4_t div4(int32x4_t a, float32x4_t inv, int32x4_t vn) {
  int32x4_t q = vcvtq_s32_f32(vmulq_f32(vcvtq_f32_s32(a), inv)); /* truncates */
  int32x4_t rem = vmlsq_s32(a, q, vn);
  uint32x4_t pos = vcgeq_s32(a, vdupq_n_s32(0));
  /* a >= 0: rem in [0, n); a < 0: rem in (-n, 0] */
  uint32x4_t inc = vorrq_u32(vandq_u32(pos, vcgeq_s32(rem, vn)), vbicq_u32(vcgtq_s32(rem, vdupq_n_s32(0)), pos));
  uint32x4_t dec = vorrq_u32(vandq_u32(pos, vcltq_s32(rem, vdupq_n_s32(0))), vbicq_u32(vcleq_s32(rem, vnegq_s32(vn)), pos));
  /* masks are -1 where true */
  return vaddq_s32(vsubq_s32(q, vreinterpretq_s32_u32(inc)), vreinterpretq_s32_u32(dec));
}

void lfrt_qs8_avgpool_c8__neon(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  if ((long long)p->k_h * p->k_w > 65536) {
    lfrt_qs8_avgpool__ref(p, in, out, begin, end);
    return;
  }
  const int C = p->c;
  const int32x4_t amin = vdupq_n_s32(p->act_min), amax = vdupq_n_s32(p->act_max);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * C;
    int iy = oy * p->stride_h - p->pad_top;
    int y0 = iy < 0 ? 0 : iy, y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      int ix = ox * p->stride_w - p->pad_left;
      int x0 = ix < 0 ? 0 : ix, x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
      int count = y1 > y0 && x1 > x0 ? (y1 - y0) * (x1 - x0) : 0;
      const int32x4_t vn = vdupq_n_s32(count > 0 ? count : 1), half = vdupq_n_s32(count / 2);
      const float32x4_t inv = vdupq_n_f32(1.0f / (float)(count > 0 ? count : 1));
      int8_t *o = out + ((size_t)r * p->out_w + ox) * C;
      for (int c = 0; c < C; c += 8) {
        int n = C - c < 8 ? C - c : 8;
        int16x8_t s16 = vdupq_n_s16(0);
        int32x4_t a0 = vdupq_n_s32(0), a1 = vdupq_n_s32(0);
        int k = 0;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            const int8_t *px = inb + ((size_t)y * p->in_w + x) * C + c;
            int8x8_t v;
            if (n == 8) {
              v = vld1_s8(px);
            } else {
              int8_t t[8] = {0};
              memcpy(t, px, (size_t)n);
              v = vld1_s8(t);
            }
            s16 = vaddw_s8(s16, v);
            if (++k == 256) { /* 256 * 128 fits int16 */
              a0 = vaddw_s16(a0, vget_low_s16(s16));
              a1 = vaddw_s16(a1, vget_high_s16(s16));
              s16 = vdupq_n_s16(0);
              k = 0;
            }
          }
        a0 = vaddw_s16(a0, vget_low_s16(s16));
        a1 = vaddw_s16(a1, vget_high_s16(s16));
        /* acc > 0 ? acc + half : acc - half */
        uint32x4_t p0 = vcgtq_s32(a0, vdupq_n_s32(0)), p1 = vcgtq_s32(a1, vdupq_n_s32(0));
        a0 = vbslq_s32(p0, vaddq_s32(a0, half), vsubq_s32(a0, half));
        a1 = vbslq_s32(p1, vaddq_s32(a1, half), vsubq_s32(a1, half));
        int32x4_t q0 = vminq_s32(vmaxq_s32(div4(a0, inv, vn), amin), amax);
        int32x4_t q1 = vminq_s32(vmaxq_s32(div4(a1, inv, vn), amin), amax);
        int8x8_t r8 = vqmovn_s16(vcombine_s16(vqmovn_s32(q0), vqmovn_s32(q1)));
        int8_t t[8];
        vst1_s8(t, r8);
        memcpy(o + c, t, (size_t)n);
      }
    }
  }
}
