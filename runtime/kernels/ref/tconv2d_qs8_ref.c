/* int8 TRANSPOSE_CONV reference, written as a gather so output rows are
 * independent: out(oy,ox,oc) = sum over (ky,kx,ic) with oy + pad_top - ky =
 * iy*stride of (in(iy,ix,ic) - in_zp) * w(oc,ky,kx,ic). Requantization as
 * LiteRT's default (XNNPACK deconvolution) path: lfrt_requant_fp32. */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_tconv2d__ref(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                           const int32_t *bias, int8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    int8_t *o = out + (size_t)r * p->out_w * p->out_c;
    for (int ox = 0; ox < p->out_w; ox++) {
      for (int oc = 0; oc < p->out_c; oc++) {
        uint32_t acc = 0; /* wraps like the int32 accumulators of TFLite/XNNPACK, without UB */
        for (int ky = 0; ky < p->k_h; ky++) {
          int ty = oy + p->pad_top - ky * p->dil_h;
          if (ty < 0 || ty % p->stride_h) continue;
          int iy = ty / p->stride_h;
          if (iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int tx = ox + p->pad_left - kx * p->dil_w;
            if (tx < 0 || tx % p->stride_w) continue;
            int ix = tx / p->stride_w;
            if (ix >= p->in_w) continue;
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
