/* float ADD/MUL variants (config_f32_binary.c): a full-size, b[i % p->b_period]
 * (same shape, per-channel, or one value), chosen at prepare as the int8
 * ones (kernel_select.c swaps the inputs so that b repeats). */
#ifndef LFRT_F32_BINARY_H
#define LFRT_F32_BINARY_H
#include "lfrt_isa.h"
#include "lfrt_kernels.h"

typedef struct {
  lfrt_isa isa;
  const char *add_name;
  lfrt_f32_binary_fn add;
  const char *mul_name;
  lfrt_f32_binary_fn mul;
} lfrt_f32_binary_config;
/* Table terminated by add == NULL; NULL from _for when only the reference fits. */
const lfrt_f32_binary_config *lfrt_f32_binary_configs(void);
const lfrt_f32_binary_config *lfrt_f32_binary_config_for(lfrt_isa isa);

#define LFRT_F32_BINARY_DECL(name) \
  void lfrt_##name(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
LFRT_F32_BINARY_DECL(f32_vadd_x16__avx512vnni)
LFRT_F32_BINARY_DECL(f32_vmul_x16__avx512vnni)
LFRT_F32_BINARY_DECL(f32_vadd_x8__avx2)
LFRT_F32_BINARY_DECL(f32_vmul_x8__avx2)
LFRT_F32_BINARY_DECL(f32_vadd_x4__neon)
LFRT_F32_BINARY_DECL(f32_vmul_x4__neon)
#undef LFRT_F32_BINARY_DECL

#endif
