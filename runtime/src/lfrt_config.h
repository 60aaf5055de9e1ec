/* Dispatch tables of the kernel families other than the qs8 GEMM
 * (lfrt_gemm.h): one config_<family>.c each, variants best first, queried
 * once per node at prepare (kernel_select.c) and by the family's tester. */
#ifndef LFRT_CONFIG_H
#define LFRT_CONFIG_H
#include "lfrt_isa.h"
#include "lfrt_kernels.h"

/* int8 ADD/MUL (XNNPACK form), a full-size, b[i % p->b_period]. */
typedef struct {
  lfrt_isa isa;
  const char *add_name;
  lfrt_qs8_binary_fn add;
  const char *mul_name;
  lfrt_qs8_binary_fn mul;
} lfrt_qs8_binary_config;
/* Table terminated by add == NULL; NULL from _for when only the reference fits. */
const lfrt_qs8_binary_config *lfrt_qs8_binary_configs(void);
const lfrt_qs8_binary_config *lfrt_qs8_binary_config_for(lfrt_isa isa);

/* MEAN: a variant for the shapes it handles (NHWC over H and W), else NULL
 * (the reference stays). Portable code, used for every ISA but ref. */
lfrt_qs8_mean_fn lfrt_qs8_mean_select(lfrt_isa isa, const lfrt_mean_params *p, const char **name);
lfrt_f32_mean_fn lfrt_f32_mean_select(lfrt_isa isa, const lfrt_mean_params *p, const char **name);

/* PAD: the row-wise variant (any shape, element size 1 or 4), used for every
 * ISA but ref. */
lfrt_xx_pad_fn lfrt_xx_pad_select(lfrt_isa isa, const char **name);

#endif
