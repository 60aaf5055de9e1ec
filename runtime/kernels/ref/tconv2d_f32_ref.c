/* float TRANSPOSE_CONV reference (gather form, see tconv2d_qs8_ref.c). */
#include "lfrt_kernels.h"

void lfrt_f32_tconv2d__ref(const lfrt_conv_params *p, const float *in, const float *w,
                           const float *bias, float *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const float *inb = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    float *o = out + (size_t)r * p->out_w * p->out_c;
    for (int ox = 0; ox < p->out_w; ox++) {
      for (int oc = 0; oc < p->out_c; oc++) {
        float acc = 0.0f;
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
            const float *x = inb + ((size_t)iy * p->in_w + ix) * p->in_c;
            const float *k = w + (((size_t)oc * p->k_h + ky) * p->k_w + kx) * p->in_c;
            for (int ic = 0; ic < p->in_c; ic++) acc += x[ic] * k[ic];
          }
        }
        if (bias) acc += bias[oc];
        if (acc <= p->act_min_f) acc = p->act_min_f; /* <=: -0.0 becomes +0.0 as in XNNPACK; NaN stays */
        if (acc > p->act_max_f) acc = p->act_max_f;
        o[(size_t)ox * p->out_c + oc] = acc;
      }
    }
  }
}
