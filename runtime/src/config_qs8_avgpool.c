/* The int8 AVERAGE_POOL_2D dispatch table (lfrt_config_spatial.h): variants best
 * first, the reference last. Only this file names the per-ISA symbols, and
 * only those the Makefile compiles for the target. */
#include <stddef.h>

#include "lfrt_config_spatial.h"

#if defined(__x86_64__)
void lfrt_qs8_avgpool_c16__avx512vnni(const lfrt_pool_params *, const int8_t *, int8_t *, int, int);
void lfrt_qs8_avgpool_c8__avx2(const lfrt_pool_params *, const int8_t *, int8_t *, int, int);
#elif defined(__aarch64__) || (defined(__arm__) && !defined(LFRT_NO_NEON))
#define LFRT_KERNELS_NEON 1
void lfrt_qs8_avgpool_c8__neon(const lfrt_pool_params *, const int8_t *, int8_t *, int, int);
#endif

static const lfrt_qs8_pool_config table[] = {
#if defined(__x86_64__)
    {LFRT_ISA_AVX512VNNI, "qs8_avgpool_c16__avx512vnni", lfrt_qs8_avgpool_c16__avx512vnni},
    {LFRT_ISA_AVX2, "qs8_avgpool_c8__avx2", lfrt_qs8_avgpool_c8__avx2},
#endif
#if defined(LFRT_KERNELS_NEON)
    {LFRT_ISA_NEON, "qs8_avgpool_c8__neon", lfrt_qs8_avgpool_c8__neon},
#endif
    {LFRT_ISA_REF, "qs8_avgpool__ref", lfrt_qs8_avgpool__ref},
    {LFRT_ISA_REF, NULL, NULL},
};

const lfrt_qs8_pool_config *lfrt_qs8_avgpool_configs(void) { return table; }

const lfrt_qs8_pool_config *lfrt_qs8_avgpool_config_for(lfrt_isa isa) {
  for (const lfrt_qs8_pool_config *c = table; c->fn; c++)
    if (lfrt_isa_implies(isa, c->isa)) return c;
  return NULL; /* not reached: the ref entry matches every ISA */
}
