/* uint8 CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED references: the legacy
 * (TOCO) quantization, per-tensor asymmetric uint8 weights with a zero point.
 * acc = bias + sum (x - in_zp) * (w - w_zp) in int32 (wrapping), requantized as
 * LiteRT does for uint8 (lfrt_qu8_requant, lfrt_qu8.h). */
#include "lfrt_qu8.h"

void lfrt_qu8_conv2d__ref(const lfrt_conv_params *p, int32_t w_zp, int mode, const uint8_t *in,
                          const uint8_t *w, const int32_t *bias, uint8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const uint8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    uint8_t *o = out + (size_t)r * p->out_w * p->out_c;
    for (int ox = 0; ox < p->out_w; ox++) {
      for (int oc = 0; oc < p->out_c; oc++) {
        uint32_t acc = 0; /* wraps like TFLite's/XNNPACK's int32 accumulators, without UB */
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            const uint8_t *x = inb + ((size_t)iy * p->in_w + ix) * p->in_c;
            const uint8_t *k = w + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
            acc += lfrt_qu8_dot(x, k, p->in_c, p->in_zp, w_zp);
          }
        }
        o[(size_t)ox * p->out_c + oc] =
            lfrt_qu8_out(mode, acc, bias, oc, p->mult[0], p->shift[0], p->out_zp, p->act_min, p->act_max);
      }
    }
  }
}

void lfrt_qu8_dwconv2d__ref(const lfrt_conv_params *p, int32_t w_zp, int mode, const uint8_t *in,
                            const uint8_t *w, const int32_t *bias, uint8_t *out, int begin, int end) {
  int dm = p->depth_multiplier;
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const uint8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    uint8_t *o = out + (size_t)r * p->out_w * p->out_c;
    for (int ox = 0; ox < p->out_w; ox++) {
      for (int oc = 0; oc < p->out_c; oc++) {
        int ic = oc / dm;
        uint32_t acc = 0;
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            int32_t x = inb[((size_t)iy * p->in_w + ix) * p->in_c + ic];
            int32_t k = w[((size_t)ky * p->k_w + kx) * p->out_c + oc];
            acc += (uint32_t)((x - p->in_zp) * (k - w_zp));
          }
        }
        o[(size_t)ox * p->out_c + oc] =
            lfrt_qu8_out(mode, acc, bias, oc, p->mult[0], p->shift[0], p->out_zp, p->act_min, p->act_max);
      }
    }
  }
}

void lfrt_qu8_fc__ref(const lfrt_fc_params *p, int32_t w_zp, int mode, const uint8_t *in,
                      const uint8_t *w, const int32_t *bias, uint8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    int b = i / p->out_c, oc = i % p->out_c;
    const uint8_t *x = in + (size_t)b * p->in_c;
    const uint8_t *k = w + (size_t)oc * p->in_c;
    uint32_t acc = lfrt_qu8_dot(x, k, p->in_c, p->in_zp, w_zp);
    out[i] = lfrt_qu8_out(mode, acc, bias, oc, p->mult[0], p->shift[0], p->out_zp, p->act_min, p->act_max);
  }
}
