/* Weight and bias quantisation of conv / depthwise / transposed conv / FC /
 * lowered BN, one implementation for the converter (what the .tflite holds)
 * and the integer-exact QAT eval (what it computes with). */
#ifndef LF_QWEIGHTS_H
#define LF_QWEIGHTS_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_status.h"

/* w [O][per] (folded, float) -> int8 q [O][per], symmetric per output channel:
 * scales[o] = max|w[o]| / 127 (floored), q = nearbyint(w * (1/scale)). */
lf_status lq_quant_weights_pc(const float *w, int O, size_t per, int8_t *q, float *scales);
/* b [O] -> int32 q [O] on the grid in_scale * w_scales[o] (float product,
 * round half to even, saturated); bias_scales (may be NULL) gets the grid. */
void lq_quant_bias_pc(const float *b, int O, float in_scale, const float *w_scales, int32_t *q, float *bias_scales);
#endif
