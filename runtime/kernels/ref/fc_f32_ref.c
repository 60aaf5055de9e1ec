/* float FULLY_CONNECTED reference. */
#include "lfrt_kernels.h"

void lfrt_f32_fc__ref(const lfrt_fc_params *p, const float *in, const float *w,
                      const float *bias, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    int b = i / p->out_c, oc = i % p->out_c;
    const float *x = in + (size_t)b * p->in_c;
    const float *k = w + (size_t)oc * p->in_c;
    float acc = 0.0f;
    for (int j = 0; j < p->in_c; j++) acc += x[j] * k[j];
    if (bias) acc += bias[oc];
    if (acc <= p->act_min_f) acc = p->act_min_f; /* <=: -0.0 becomes +0.0 as in XNNPACK; NaN stays */
    if (acc > p->act_max_f) acc = p->act_max_f;
    out[i] = acc;
  }
}
