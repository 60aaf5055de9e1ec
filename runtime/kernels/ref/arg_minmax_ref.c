/* ARG_MAX / ARG_MIN along one axis, as TFLite's builtin: the first index of
 * the largest (smallest) value (ties keep the earlier index; a NaN is never
 * taken after the first element). Output int32 or int64. Work unit: one
 * output element (outer x inner). */
#include "lfrt_kernels.h"

#define ARG_MINMAX(NAME, T)                                                                          \
  void NAME(const lfrt_arg_minmax_params *p, const void *in, void *out, int begin, int end) {       \
    const T *x = in;                                                                                 \
    for (int i = begin; i < end; i++) {                                                              \
      int o = i / p->inner, k = i % p->inner;                                                        \
      const T *row = x + (size_t)o * p->axis_len * p->inner + k;                                     \
      T best = row[0];                                                                               \
      int idx = 0;                                                                                   \
      for (int a = 1; a < p->axis_len; a++) {                                                        \
        T v = row[(size_t)a * p->inner];                                                             \
        if (p->is_min ? v < best : v > best) {                                                       \
          best = v;                                                                                  \
          idx = a;                                                                                   \
        }                                                                                            \
      }                                                                                              \
      if (p->out64) ((int64_t *)out)[i] = idx;                                                       \
      else ((int32_t *)out)[i] = idx;                                                                \
    }                                                                                                \
  }

ARG_MINMAX(lfrt_f32_arg_minmax__ref, float)
ARG_MINMAX(lfrt_s8_arg_minmax__ref, int8_t)
ARG_MINMAX(lfrt_u8_arg_minmax__ref, uint8_t)
