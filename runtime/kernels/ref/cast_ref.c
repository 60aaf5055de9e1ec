/* CAST (movenet) as TFLite's builtin: static_cast of each raw value
 * (lfrt_kernels.h). Every conversion is defined here in C99: integers wrap
 * through their unsigned form; floats are checked in range before the call
 * (lfrt_cast_check) and saturate here if one is not. Work unit: one element. */
#include <math.h>

#include "lfrt_kernels.h"
#include "lfrt_model.h"

int32_t lfrt_f64_to_s32_sat(double v) {
  if (v != v) return 0;
  if (v >= 2147483647.0) return INT32_MAX;
  if (v <= -2147483648.0) return INT32_MIN;
  return (int32_t)v; /* truncates toward zero */
}

int64_t lfrt_f64_to_s64_sat(double v) {
  if (v != v) return 0;
  if (v >= 9223372036854775807.0) return INT64_MAX;
  if (v <= -9223372036854775808.0) return INT64_MIN;
  return (int64_t)v;
}

static double clampd(double v, double lo, double hi) { return v != v ? 0.0 : v < lo ? lo : v > hi ? hi : v; }

/* The integer of a float for target type `to`, saturated to that type. */
static int64_t float_to(double v, int to) {
  switch (to) {
  case LFRT_INT64: return lfrt_f64_to_s64_sat(v);
  case LFRT_INT16: return (int64_t)clampd(v, -32768.0, 32767.0);
  case LFRT_INT8: return (int64_t)clampd(v, -128.0, 127.0);
  case LFRT_UINT8: return (int64_t)clampd(v, 0.0, 255.0);
  default: return lfrt_f64_to_s32_sat(v);
  }
}

void lfrt_xx_cast__ref(const lfrt_cast_params *p, const void *in, void *out, int begin, int end) {
  for (int k = begin; k < end; k++) {
    int64_t i = 0;
    double f = 0.0;
    int is_float = 0;
    switch (p->from) {
    case LFRT_FLOAT32: is_float = 1; f = ((const float *)in)[k]; break;
    case LFRT_INT32: i = ((const int32_t *)in)[k]; break;
    case LFRT_INT64: i = ((const int64_t *)in)[k]; break;
    case LFRT_UINT8: i = ((const uint8_t *)in)[k]; break;
    case LFRT_INT8: i = ((const int8_t *)in)[k]; break;
    case LFRT_INT16: i = ((const int16_t *)in)[k]; break;
    case LFRT_BOOL: i = ((const uint8_t *)in)[k] != 0; break;
    default: break;
    }
    if (p->to == LFRT_FLOAT32) {
      ((float *)out)[k] = is_float ? (float)f : (float)i;
      continue;
    }
    if (p->to == LFRT_BOOL) {
      ((uint8_t *)out)[k] = is_float ? f != 0.0 : i != 0;
      continue;
    }
    uint64_t u = (uint64_t)(is_float ? float_to(f, p->to) : i);
    switch (p->to) {
    case LFRT_INT64: ((int64_t *)out)[k] = (int64_t)u; break;
    case LFRT_INT32: ((int32_t *)out)[k] = (int32_t)(uint32_t)u; break;
    case LFRT_INT16: ((int16_t *)out)[k] = (int16_t)(uint16_t)u; break;
    case LFRT_INT8: ((int8_t *)out)[k] = (int8_t)(uint8_t)u; break;
    case LFRT_UINT8: ((uint8_t *)out)[k] = (uint8_t)u; break;
    default: break;
    }
  }
}
