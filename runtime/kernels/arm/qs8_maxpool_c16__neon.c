/* int8 MAX_POOL_2D, NEON (armv7 and aarch64): 16 channels per vector (vmax
 * over the window clipped to the input), the channel tail through a stack
 * buffer, then the fused activation clamp. Same bytes as
 * lfrt_qs8_maxpool__ref. */
#include <arm_neon.h>
#include <string.h>

#include "lfrt_kernels.h"

void lfrt_qs8_maxpool_c16__neon(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  const int C = p->c;
  const int8x16_t amin = vdupq_n_s8((int8_t)p->act_min), amax = vdupq_n_s8((int8_t)p->act_max);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * C;
    int iy = oy * p->stride_h - p->pad_top;
    int y0 = iy < 0 ? 0 : iy, y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
    for (int ox = 0; ox < p->out_w; ox++) {
      int ix = ox * p->stride_w - p->pad_left;
      int x0 = ix < 0 ? 0 : ix, x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
      int8_t *o = out + ((size_t)r * p->out_w + ox) * C;
      for (int c = 0; c < C; c += 16) {
        int n = C - c < 16 ? C - c : 16;
        int8x16_t v = vdupq_n_s8(-128);
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            const int8_t *px = inb + ((size_t)y * p->in_w + x) * C + c;
            if (n == 16) {
              v = vmaxq_s8(v, vld1q_s8(px));
            } else {
              int8_t t[16] = {0};
              memcpy(t, px, (size_t)n);
              v = vmaxq_s8(v, vld1q_s8(t));
            }
          }
        v = vminq_s8(vmaxq_s8(v, amin), amax);
        if (n == 16) {
          vst1q_s8(o + c, v);
        } else {
          int8_t t[16];
          vst1q_s8(t, v);
          memcpy(o + c, t, (size_t)n);
        }
      }
    }
  }
}
