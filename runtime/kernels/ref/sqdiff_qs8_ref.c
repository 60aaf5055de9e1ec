/* int8 SQUARED_DIFFERENCE as TFLite's builtin kernel (which LiteRT runs):
 * each input's (q - zp) << 7 scaled to a common scale (2 * the larger input
 * scale) by a Q31 multiplier below one (a_mult/a_shift, b_mult/b_shift), the
 * difference squared in int32 (at most (255 << 7)^2 < 2^31), then the output
 * Q31 multiplier (out_mult/out_shift), two roundings each, + out_zp,
 * saturated to int8. With broadcasting; work unit: one output element. */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_squared_difference__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out,
                                      int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    lfrt_binary_offsets(p, i, &ia, &ib);
    int32_t sa = lfrt_mul_q31_tfl(((int32_t)a[ia] - p->a_zp) * (1 << 7), p->a_mult, p->a_shift);
    int32_t sb = lfrt_mul_q31_tfl(((int32_t)b[ib] - p->b_zp) * (1 << 7), p->b_mult, p->b_shift);
    int32_t d = sa - sb;
    int32_t v = lfrt_mul_q31_tfl(d * d, p->out_mult, p->out_shift) + p->out_zp;
    out[i] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}
