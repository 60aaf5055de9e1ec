/* Weight and bias quantisation shared by the converter and QAT, so the QAT
 * forward sees exactly the integers the converter writes. */
#ifndef LF_QCONV_UTIL_H
#define LF_QCONV_UTIL_H
#include <math.h>
#include <stdint.h>

/* int8 symmetric weight: nearbyint(w * (1/s)) in [-127,127] (torch's fake-quant math). */
static inline int lq_quant_weight(float w, float s) {
  float r = nearbyintf(w * (1.0f / s));
  if (!(r >= -127.0f)) r = -127.0f; /* also NaN */
  if (r > 127.0f) r = 127.0f;
  return (int)r;
}
/* int32 bias with scale s = in_scale * w_scale: round half to even, saturated. */
static inline int32_t lq_quant_bias(float b, float s) {
  double r = nearbyint((double)b / (double)s);
  if (!(r >= -2147483647.0)) r = -2147483647.0;
  if (r > 2147483647.0) r = 2147483647.0;
  return (int32_t)r;
}
#endif
