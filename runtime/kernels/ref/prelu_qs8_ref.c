/* int8 PRELU as TFLite's builtin kernel (which LiteRT runs): x = q - in_zp;
 * x >= 0: x scaled by in_s/out_s (out_mult/out_shift), else x * (alpha -
 * alpha_zp) scaled by in_s*alpha_s/out_s (a_mult/a_shift); two roundings
 * (lfrt_mul_q31_tfl), + out_zp, saturated. b = alpha, broadcast against the
 * input (per-channel [C] alphas too); work unit: one output element. */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_prelu__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin,
                         int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    lfrt_binary_offsets(p, i, &ia, &ib);
    int32_t x = (int32_t)a[ia] - p->a_zp, v;
    if (x >= 0) v = lfrt_mul_q31_tfl(x, p->out_mult, p->out_shift);
    else v = lfrt_mul_q31_tfl(x * ((int32_t)b[ib] - p->b_zp), p->a_mult, p->a_shift);
    out[i] = (int8_t)lfrt_clamp_i32(v + p->out_zp, p->act_min, p->act_max);
  }
}
