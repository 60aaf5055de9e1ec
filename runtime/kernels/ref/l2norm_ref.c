/* L2_NORMALIZATION over the last axis. Work unit: one row of `depth` values.
 * FLOAT32: x / max(sqrt(sum x^2), 1e-6) (TFLite's epsilon), summed in order.
 * int8 (output scale 1/128, zero point 0): TFLite's integer path, the row's
 * sum of squares through lfrt_inv_sqrt_q31, then one Q31 multiply with 7 more
 * bits of left shift. */
#include <math.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_f32_l2norm__ref(const lfrt_l2norm_params *p, const float *in, float *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    const float *x = in + (size_t)r * p->depth;
    float *y = out + (size_t)r * p->depth, ss = 0.0f;
    for (int c = 0; c < p->depth; c++) ss += x[c] * x[c];
    float norm = sqrtf(ss);
    if (!(norm >= 1e-6f)) norm = 1e-6f;
    for (int c = 0; c < p->depth; c++) y[c] = x[c] / norm;
  }
}

void lfrt_qs8_l2norm__ref(const lfrt_l2norm_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    const int8_t *x = in + (size_t)r * p->depth;
    int8_t *y = out + (size_t)r * p->depth;
    int32_t acc = 0; /* depth <= 2^15 (prepare): no overflow */
    for (int c = 0; c < p->depth; c++) {
      int32_t d = x[c] - p->in_zp;
      acc += d * d;
    }
    int32_t m;
    int s;
    lfrt_inv_sqrt_q31(acc, &m, &s);
    for (int c = 0; c < p->depth; c++)
      y[c] = (int8_t)lfrt_clamp_i32(lfrt_mul_q31_tfl(x[c] - p->in_zp, m, s + 7), -128, 127);
  }
}
