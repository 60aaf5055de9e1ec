/* Derivation of fixed-point parameters at prepare time (see lfrt_quant.h). */
#include "lfrt_quant.h"

#include <math.h>

int lfrt_quantize_multiplier(double m, int32_t *mult, int *shift) {
  *mult = 0;
  *shift = 0;
  if (!(m >= 0.0) || !isfinite(m)) return -1;
  if (m == 0.0) return 0;
  int e = 0;
  double q = frexp(m, &e); /* m = q * 2^e, q in [0.5, 1) */
  double qf = round(q * 2147483648.0); /* round() is half away from zero, like TfLiteRound */
  int64_t qi = (int64_t)qf;
  if (qi == ((int64_t)1 << 31)) {
    qi /= 2;
    e++;
  }
  if (e < -31) { /* smaller than any representable product: flush to zero */
    return 0;
  }
  if (e > 30) return -1;
  *mult = (int32_t)qi;
  *shift = e;
  return 0;
}

int8_t lfrt_quantize_f32_q8(float x, float scale, int32_t zp) {
  float v = roundf(x / scale);
  /* clamp in float before converting so huge values cannot overflow the cast */
  if (!(v > -1e9f)) v = -1e9f; /* NaN -> lowest */
  if (v > 1e9f) v = 1e9f;
  int32_t q = (int32_t)v + zp;
  return (int8_t)lfrt_clamp_i32(q, -128, 127);
}

int lfrt_act_range_q8(int act, float scale, int32_t zp, int32_t *lo, int32_t *hi) {
  int32_t qmin = -128, qmax = 127;
  *lo = qmin;
  *hi = qmax;
  switch (act) {
  case LFRT_ACT_NONE:
    return 0;
  case LFRT_ACT_RELU:
    *lo = zp > qmin ? zp : qmin;
    return 0;
  case LFRT_ACT_RELU6: {
    *lo = zp > qmin ? zp : qmin;
    int32_t six = zp + (int32_t)roundf(6.0f / scale);
    *hi = six < qmax ? six : qmax;
    return 0;
  }
  case LFRT_ACT_RELU_N1_TO_1: {
    int32_t m1 = zp + (int32_t)roundf(-1.0f / scale);
    int32_t p1 = zp + (int32_t)roundf(1.0f / scale);
    *lo = m1 > qmin ? m1 : qmin;
    *hi = p1 < qmax ? p1 : qmax;
    return 0;
  }
  default:
    return -1;
  }
}

int lfrt_act_range_f32(int act, float *lo, float *hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  switch (act) {
  case LFRT_ACT_NONE: return 0;
  case LFRT_ACT_RELU: *lo = 0.0f; return 0;
  case LFRT_ACT_RELU6: *lo = 0.0f; *hi = 6.0f; return 0;
  case LFRT_ACT_RELU_N1_TO_1: *lo = -1.0f; *hi = 1.0f; return 0;
  default: return -1;
  }
}

int lfrt_fp32_scale_split(float scale, int32_t *m, int *e) {
  *m = 0;
  *e = 0;
  if (!(scale >= 0.0f) || !isfinite(scale)) return -1;
  if (scale == 0.0f) return 0;
  int ex;
  float f = frexpf(scale, &ex); /* scale = f * 2^ex, f in [0.5, 1) */
  *m = (int32_t)ldexpf(f, 24);  /* exact: a float has 24 significant bits */
  *e = ex - 24;
  return 0;
}
