/* Dispatch tables of the int8 depthwise conv and pooling families: one
 * config_<family>.c each, variants best first, the reference last; queried
 * once per node at prepare (kernel_select.c) and by each family's tester
 * (tests/rt/test_ukernel_qs8_{dwconv,pool}.c). Every variant gives the
 * reference's bytes for every geometry.
 *
 * Depthwise variants (lfrt_qs8_conv_fn) read p->scale_f: [out_c] floats equal
 * to ldexpf(mult[c], shift[c]), each normal or zero (prepare keeps the
 * reference otherwise); they requantize as (float)acc * scale_f[c], clamped
 * to [act_min - out_zp, act_max - out_zp], rounded to nearest even, + out_zp,
 * which equals lfrt_requant_fp32 bit for bit. */
#ifndef LFRT_CONFIG_SPATIAL_H
#define LFRT_CONFIG_SPATIAL_H
#include "lfrt_isa.h"
#include "lfrt_kernels.h"

typedef struct {
  lfrt_isa isa;
  const char *name; /* e.g. "qs8_dwconv2d_c16__avx512vnni" */
  lfrt_qs8_conv_fn fn;
} lfrt_qs8_dwconv_config;

typedef struct {
  lfrt_isa isa;
  const char *name;
  lfrt_qs8_pool_fn fn;
} lfrt_qs8_pool_config;

/* Tables terminated by fn == NULL, the reference entry last; _for returns the
 * best entry the ISA implies (never NULL). */
const lfrt_qs8_dwconv_config *lfrt_qs8_dwconv_configs(void);
const lfrt_qs8_dwconv_config *lfrt_qs8_dwconv_config_for(lfrt_isa isa);
const lfrt_qs8_pool_config *lfrt_qs8_maxpool_configs(void);
const lfrt_qs8_pool_config *lfrt_qs8_maxpool_config_for(lfrt_isa isa);
const lfrt_qs8_pool_config *lfrt_qs8_avgpool_configs(void);
const lfrt_qs8_pool_config *lfrt_qs8_avgpool_config_for(lfrt_isa isa);

#endif
