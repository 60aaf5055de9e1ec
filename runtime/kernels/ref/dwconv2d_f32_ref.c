/* float DEPTHWISE_CONV_2D reference. */
#include "lfrt_kernels.h"

void lfrt_f32_dwconv2d__ref(const lfrt_conv_params *p, const float *in, const float *w,
                            const float *bias, float *out, int begin, int end) {
  int dm = p->depth_multiplier;
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const float *inb = in + (size_t)b * p->in_h * p->in_w * p->in_c;
    float *o = out + (size_t)r * p->out_w * p->out_c;
    for (int ox = 0; ox < p->out_w; ox++) {
      for (int oc = 0; oc < p->out_c; oc++) {
        int ic = oc / dm;
        float acc = 0.0f;
        for (int ky = 0; ky < p->k_h; ky++) {
          int iy = oy * p->stride_h - p->pad_top + ky * p->dil_h;
          if (iy < 0 || iy >= p->in_h) continue;
          for (int kx = 0; kx < p->k_w; kx++) {
            int ix = ox * p->stride_w - p->pad_left + kx * p->dil_w;
            if (ix < 0 || ix >= p->in_w) continue;
            acc += inb[((size_t)iy * p->in_w + ix) * p->in_c + ic] *
                   w[((size_t)ky * p->k_w + kx) * p->out_c + oc];
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
