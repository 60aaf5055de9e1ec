/* int8 MAXIMUM / MINIMUM as LiteRT runs them (TFLite's builtin): the larger
 * (smaller) of the two raw int8 values, with broadcasting; the quantization of
 * the inputs and output is not consulted (measured: LiteRT gives the raw
 * maximum even when the scales differ). Work unit: one output element. */
#include "lfrt_kernels.h"

void lfrt_s8_maximum__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    lfrt_binary_offsets(p, i, &ia, &ib);
    out[i] = a[ia] < b[ib] ? b[ib] : a[ia];
  }
}

void lfrt_s8_minimum__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    lfrt_binary_offsets(p, i, &ia, &ib);
    out[i] = b[ib] < a[ia] ? b[ib] : a[ia];
  }
}
