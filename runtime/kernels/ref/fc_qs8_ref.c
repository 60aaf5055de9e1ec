/* int8 FULLY_CONNECTED reference. */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_fc__ref(const lfrt_fc_params *p, const int8_t *in, const int8_t *w,
                      const int32_t *bias, int8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    int b = i / p->out_c, oc = i % p->out_c;
    const int8_t *x = in + (size_t)b * p->in_c;
    const int8_t *k = w + (size_t)oc * p->in_c;
    uint32_t acc = 0; /* wraps like the int32 accumulators of TFLite/XNNPACK, without UB */
    for (int j = 0; j < p->in_c; j++) acc += (uint32_t)(((int32_t)x[j] - p->in_zp) * k[j]);
    if (bias) acc += (uint32_t)bias[oc];
    int32_t v = lfrt_requant_fp32((int32_t)acc, p->mult[oc], p->shift[oc]) + p->out_zp;
    out[i] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}
