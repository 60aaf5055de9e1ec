/* Per-channel weight / bias quantisation shared by convert.c and qat_exact.c. */
#include "quant/qweights.h"

#include "leapfrog/lf_quant.h"
#include "quant/qconv_util.h"

lf_status lq_quant_weights_pc(const float *w, int O, size_t per, int8_t *q, float *scales) {
  lf_status st = lf_qparams_weights_per_channel(w, O, per, scales);
  if (st != LF_OK) return st;
  for (int o = 0; o < O; o++)
    for (size_t i = 0; i < per; i++) q[(size_t)o * per + i] = (int8_t)lq_quant_weight(w[(size_t)o * per + i], scales[o]);
  return LF_OK;
}

void lq_quant_bias_pc(const float *b, int O, float in_scale, const float *w_scales, int32_t *q, float *bias_scales) {
  for (int o = 0; o < O; o++) {
    float s = in_scale * w_scales[o];
    q[o] = lq_quant_bias(b[o], s);
    if (bias_scales) bias_scales[o] = s;
  }
}
