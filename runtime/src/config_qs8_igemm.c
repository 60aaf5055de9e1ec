/* The qs8 indirect GEMM dispatch table (lfrt_igemm.h): the variants this build
 * has, best first, then the reference. Only this file names the per-ISA
 * symbols, and only those the Makefile compiles for the target. */
#include <stddef.h>

#include "lfrt_igemm.h"

#if defined(__x86_64__)
#define LFRT_KERNELS_X86 1
#elif defined(__aarch64__)
#define LFRT_KERNELS_A64 1
#elif defined(__arm__) && !defined(LFRT_NO_NEON)
#define LFRT_KERNELS_A32 1
#endif

static const lfrt_qs8_igemm_config qs8_igemm[] = {
#if defined(LFRT_KERNELS_X86)
    {LFRT_ISA_AVX512VNNI, "qs8_igemm_8x32c4__avx512vnni", lfrt_qs8_igemm_8x32c4__avx512vnni, 8, 32},
    {LFRT_ISA_AVXVNNI, "qs8_igemm_6x16c4__avxvnni", lfrt_qs8_igemm_6x16c4__avxvnni, 6, 16},
    {LFRT_ISA_AVX2, "qs8_igemm_4x8c4__avx2", lfrt_qs8_igemm_4x8c4__avx2, 4, 8},
#endif
#if defined(LFRT_KERNELS_A64)
    {LFRT_ISA_NEONDOT, "qs8_igemm_8x8c4__neondot", lfrt_qs8_igemm_8x8c4__neondot, 8, 8},
    {LFRT_ISA_NEON, "qs8_igemm_4x8c4__neon", lfrt_qs8_igemm_4x8c4__neon, 4, 8},
#endif
#if defined(LFRT_KERNELS_A32)
    {LFRT_ISA_NEON, "qs8_igemm_4x8c4__neon", lfrt_qs8_igemm_4x8c4__neon, 4, 8},
#endif
    {LFRT_ISA_REF, "qs8_igemm_1x4c4__ref", lfrt_qs8_igemm_1x4c4__ref, 1, 4},
    {LFRT_ISA_REF, NULL, NULL, 0, 0},
};

const lfrt_qs8_igemm_config *lfrt_qs8_igemm_configs(void) { return qs8_igemm; }

const lfrt_qs8_igemm_config *lfrt_qs8_igemm_config_for(lfrt_isa isa) {
  for (const lfrt_qs8_igemm_config *c = qs8_igemm; c->fn; c++)
    if (c->isa != LFRT_ISA_REF && lfrt_isa_implies(isa, c->isa)) return c;
  return NULL;
}
