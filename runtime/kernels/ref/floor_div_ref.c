/* FLOOR_DIV (movenet) as TFLite's builtin: floor((double)a / (double)b), back to
 * the element type, with broadcasting (lfrt_binary_offsets). Zero divisors are
 * refused before the call (lfrt_floor_div_check); one here anyway gives 0. */
#include <math.h>

#include "lfrt_kernels.h"

void lfrt_f32_floor_div__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin,
                             int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    lfrt_binary_offsets(p, i, &ia, &ib);
    out[i] = b[ib] != 0.0f ? (float)floor((double)a[ia] / (double)b[ib]) : 0.0f;
  }
}

void lfrt_s32_floor_div__ref(const lfrt_binary_params *p, const int32_t *a, const int32_t *b, int32_t *out, int begin,
                             int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    lfrt_binary_offsets(p, i, &ia, &ib);
    out[i] = b[ib] ? lfrt_f64_to_s32_sat(floor((double)a[ia] / (double)b[ib])) : 0;
  }
}
