/* int8 CONV_2D reference: per-output-channel requantization as LiteRT/XNNPACK
 * does it (float scale, ties to even; emulated in integers, see lfrt_quant.h). */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_conv2d__ref(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, int8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    int8_t *o = out + (size_t)r * p->out_w * p->out_c;
    for (int ox = 0; ox < p->out_w; ox++) {
      for (int oc = 0; oc < p->out_c; oc++) {
        uint32_t acc = 0; /* wraps like the int32 accumulators of TFLite/XNNPACK, without UB */
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            const int8_t *x = inb + ((size_t)iy * p->in_w + ix) * p->in_c;
            const int8_t *k = w + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
            for (int ic = 0; ic < p->in_c; ic++) acc += (uint32_t)(((int32_t)x[ic] - p->in_zp) * k[ic]);
          }
        }
        if (bias) acc += (uint32_t)bias[oc];
        int32_t v = lfrt_requant_fp32((int32_t)acc, p->mult[oc], p->shift[oc]) + p->out_zp;
        o[(size_t)ox * p->out_c + oc] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
      }
    }
  }
}
