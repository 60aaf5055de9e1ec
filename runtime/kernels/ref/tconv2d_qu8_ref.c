/* uint8 TRANSPOSE_CONV reference (legacy quantization, pose / uint8): the
 * gather form of lfrt_qs8_tconv2d__ref with uint8 weights and their zero point,
 * acc = bias + sum (x - in_zp) * (w - w_zp) in wrapping int32, requantized as
 * the other uint8 convolutions (lfrt_qu8_requant). */
#include "lfrt_qu8.h"

void lfrt_qu8_tconv2d__ref(const lfrt_conv_params *p, int32_t w_zp, int mode, const uint8_t *in,
                           const uint8_t *w, const int32_t *bias, uint8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const uint8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    uint8_t *o = out + (size_t)r * p->out_w * p->out_c;
    for (int ox = 0; ox < p->out_w; ox++) {
      for (int oc = 0; oc < p->out_c; oc++) {
        uint32_t acc = 0;
        for (int ky = 0; ky < p->k_h; ky++) {
          int ty = oy + p->pad_top - ky;
          if (ty < 0 || ty % p->stride_h) continue;
          int iy = ty / p->stride_h;
          if (iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int tx = ox + p->pad_left - kx;
            if (tx < 0 || tx % p->stride_w) continue;
            int ix = tx / p->stride_w;
            if (ix >= p->in_w) continue;
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
