/* int8 DEPTHWISE_CONV_2D, NEON (armv7 and aarch64): 8 output channels per
 * step (two int32x4 accumulators, vmlal_s16 of the int16 (x - zp) and w);
 * channel tails and depth multipliers > 1 gather through small stack
 * buffers. Any kernel, stride, dilation, padding and depth multiplier; taps
 * outside the input are skipped as in the reference. 1x1 with depth
 * multiplier 1 and no padding (DenseNet's BatchNorm+ReLU) runs a flat loop
 * over pixels, 16 channels per step. Requantization as lfrt_config_spatial.h:
 * vcvtq_f32_s32 (RNE), * scale_f, clamp, round to nearest even (vcvtnq on
 * aarch64; on armv7 + 1.5*2^23, exact for the clamped |v| <= 255), + zp.
 * Flush-to-zero cannot change a result: scale_f is normal and a product
 * below FLT_MIN rounds to 0 either way. */
#include <arm_neon.h>
#include <string.h>

#include "lfrt_kernels.h"

static inline int32x4_t rne_s32(float32x4_t v) {
#if defined(__aarch64__)
  return vcvtnq_s32_f32(v);
#else
  const float32x4_t magic = vdupq_n_f32(12582912.0f);
  return vsubq_s32(vreinterpretq_s32_f32(vaddq_f32(v, magic)), vreinterpretq_s32_f32(magic));
#endif
}

static inline int32x4_t requant4(int32x4_t acc, const float *sf, float32x4_t lo, float32x4_t hi,
                                 int32x4_t zp) {
  float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc), vld1q_f32(sf));
  v = vminq_f32(vmaxq_f32(v, lo), hi);
  return vaddq_s32(rne_s32(v), zp);
}

/* acc0..1 (8 int32 lanes) -> 8 int8 (values already in int8 range) */
static inline int8x8_t narrow8(int32x4_t a0, int32x4_t a1) {
  return vqmovn_s16(vcombine_s16(vqmovn_s32(a0), vqmovn_s32(a1)));
}

/* 1x1, depth multiplier 1, stride 1, no padding: npix contiguous pixels. */
static void dw1x1(const lfrt_conv_params *p, const int8_t *in, const int8_t *w, const int32_t *bias,
                  int8_t *out, size_t npix) {
  const int C = p->out_c;
  const float32x4_t lo = vdupq_n_f32((float)(p->act_min - p->out_zp));
  const float32x4_t hi = vdupq_n_f32((float)(p->act_max - p->out_zp));
  const int32x4_t zp = vdupq_n_s32(p->out_zp);
  const int16x8_t izp = vdupq_n_s16((int16_t)p->in_zp);
  const float *sf = p->scale_f;
  for (size_t px = 0; px < npix; px++) {
    const int8_t *x = in + px * (size_t)C;
    int8_t *o = out + px * (size_t)C;
    int c = 0;
    for (; c + 16 <= C; c += 16) {
      int8x16_t xv = vld1q_s8(x + c), wv = vld1q_s8(w + c);
      int16x8_t x0 = vsubq_s16(vmovl_s8(vget_low_s8(xv)), izp), x1 = vsubq_s16(vmovl_s8(vget_high_s8(xv)), izp);
      int16x8_t w0 = vmovl_s8(vget_low_s8(wv)), w1 = vmovl_s8(vget_high_s8(wv));
      int32x4_t a0, a1, a2, a3;
      if (bias) {
        a0 = vld1q_s32(bias + c); a1 = vld1q_s32(bias + c + 4);
        a2 = vld1q_s32(bias + c + 8); a3 = vld1q_s32(bias + c + 12);
      } else {
        a0 = a1 = a2 = a3 = vdupq_n_s32(0);
      }
      a0 = vmlal_s16(a0, vget_low_s16(x0), vget_low_s16(w0));
      a1 = vmlal_s16(a1, vget_high_s16(x0), vget_high_s16(w0));
      a2 = vmlal_s16(a2, vget_low_s16(x1), vget_low_s16(w1));
      a3 = vmlal_s16(a3, vget_high_s16(x1), vget_high_s16(w1));
      int8x8_t r0 = narrow8(requant4(a0, sf + c, lo, hi, zp), requant4(a1, sf + c + 4, lo, hi, zp));
      int8x8_t r1 = narrow8(requant4(a2, sf + c + 8, lo, hi, zp), requant4(a3, sf + c + 12, lo, hi, zp));
      vst1q_s8(o + c, vcombine_s8(r0, r1));
    }
    for (; c < C; c += 8) {
      int n = C - c < 8 ? C - c : 8;
      int8_t xb[8] = {0}, wb[8] = {0}, ob[8];
      int32_t bb[8] = {0};
      float sb[8] = {0};
      memcpy(xb, x + c, (size_t)n);
      memcpy(wb, w + c, (size_t)n);
      if (bias) memcpy(bb, bias + c, (size_t)n * sizeof(int32_t));
      memcpy(sb, sf + c, (size_t)n * sizeof(float));
      int16x8_t x0 = vsubq_s16(vmovl_s8(vld1_s8(xb)), izp), w0 = vmovl_s8(vld1_s8(wb));
      int32x4_t a0 = vmlal_s16(vld1q_s32(bb), vget_low_s16(x0), vget_low_s16(w0));
      int32x4_t a1 = vmlal_s16(vld1q_s32(bb + 4), vget_high_s16(x0), vget_high_s16(w0));
      vst1_s8(ob, narrow8(requant4(a0, sb, lo, hi, zp), requant4(a1, sb + 4, lo, hi, zp)));
      memcpy(o + c, ob, (size_t)n);
    }
  }
}

void lfrt_qs8_dwconv2d_c8__neon(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                               const int32_t *bias, int8_t *out, int begin, int end) {
  const int C = p->out_c, IC = p->in_c, dm = p->depth_multiplier;
  /* int16 (x - zp) needs an int8 zero point; (x - zp) * w accumulates exactly in int32 */
  const int zp8 = p->in_zp >= -128 && p->in_zp <= 127;
  if (p->k_h == 1 && p->k_w == 1 && dm == 1 && p->stride_h == 1 && p->stride_w == 1 && p->pad_top == 0 &&
      p->pad_left == 0 && p->in_h == p->out_h && p->in_w == p->out_w && zp8) {
    size_t row = (size_t)p->out_w * (size_t)C;
    dw1x1(p, in + (size_t)begin * row, w, bias, out + (size_t)begin * row, (size_t)(end - begin) * (size_t)p->out_w);
    return;
  }
  const float32x4_t lo = vdupq_n_f32((float)(p->act_min - p->out_zp));
  const float32x4_t hi = vdupq_n_f32((float)(p->act_max - p->out_zp));
  const int32x4_t zp = vdupq_n_s32(p->out_zp), izp32 = vdupq_n_s32(p->in_zp);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * IC;
    int8_t *orow = out + (size_t)r * p->out_w * C;
    for (int oc = 0; oc < C; oc += 8) {
      const int n = C - oc < 8 ? C - oc : 8;
      int32_t src[8]; /* output lane i reads input channel (oc + i) / dm */
      for (int i = 0; i < 8; i++) src[i] = (oc + (i < n ? i : 0)) / dm;
      const int direct = dm == 1 && n == 8;
      int32_t bb[8] = {0};
      float sb[8] = {0};
      if (bias) memcpy(bb, bias + oc, (size_t)n * sizeof(int32_t));
      memcpy(sb, p->scale_f + oc, (size_t)n * sizeof(float));
      for (int ox = 0; ox < p->out_w; ox++) {
        int32x4_t a0 = vld1q_s32(bb), a1 = vld1q_s32(bb + 4);
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            const int8_t *px = inb + ((size_t)iy * p->in_w + ix) * IC;
            const int8_t *pw = w + ((size_t)ky * p->k_w + kx) * C + oc;
            int8x8_t xv, wv;
            if (direct) {
              xv = vld1_s8(px + oc);
              wv = vld1_s8(pw);
            } else {
              int8_t xb[8] = {0}, wb[8] = {0};
              for (int i = 0; i < n; i++) xb[i] = px[src[i]];
              memcpy(wb, pw, (size_t)n);
              xv = vld1_s8(xb);
              wv = vld1_s8(wb);
            }
            /* int32 (x - zp) * w: any zero point */
            int16x8_t x16 = vmovl_s8(xv), w16 = vmovl_s8(wv);
            int32x4_t xl = vsubq_s32(vmovl_s16(vget_low_s16(x16)), izp32);
            int32x4_t xh = vsubq_s32(vmovl_s16(vget_high_s16(x16)), izp32);
            a0 = vmlaq_s32(a0, xl, vmovl_s16(vget_low_s16(w16)));
            a1 = vmlaq_s32(a1, xh, vmovl_s16(vget_high_s16(w16)));
          }
        }
        int8x8_t r8 = narrow8(requant4(a0, sb, lo, hi, zp), requant4(a1, sb + 4, lo, hi, zp));
        if (n == 8) {
          vst1_s8(orow + (size_t)ox * C + oc, r8);
        } else {
          int8_t ob[8];
          vst1_s8(ob, r8);
          memcpy(orow + (size_t)ox * C + oc, ob, (size_t)n);
        }
      }
    }
  }
}
