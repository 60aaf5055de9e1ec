/* int32 ADD, SUB, MUL (movenet) with broadcasting: two's complement wrap (through
 * uint32, defined in C99), clamped to the fused activation's int32 range. */
#include "lfrt_kernels.h"

static int32_t clamp(const lfrt_binary_params *p, uint32_t u) {
  int32_t v = (int32_t)u;
  return v < p->act_min ? p->act_min : v > p->act_max ? p->act_max : v;
}

#define S32_BINARY(NAME, EXPR)                                                                                  \
  void NAME(const lfrt_binary_params *p, const int32_t *a, const int32_t *b, int32_t *out, int begin, int end) { \
    for (int i = begin; i < end; i++) {                                                                         \
      size_t ia, ib;                                                                                            \
      lfrt_binary_offsets(p, i, &ia, &ib);                                                                      \
      uint32_t x = (uint32_t)a[ia], y = (uint32_t)b[ib];                                                        \
      out[i] = clamp(p, EXPR);                                                                                  \
    }                                                                                                           \
  }

S32_BINARY(lfrt_s32_add__ref, x + y)
S32_BINARY(lfrt_s32_sub__ref, x - y)
S32_BINARY(lfrt_s32_mul__ref, x * y)
