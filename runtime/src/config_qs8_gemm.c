/* The qs8 GEMM dispatch table (one file per kernel family): for each family, the variants this build has,
 * best first. Prepare asks for the family's config for the chosen ISA once;
 * an ISA without its own variant gets the best variant it implies
 * (lfrt_isa_implies), in the end the reference. Only this file names the
 * per-ISA symbols, and only those the Makefile compiles for the target. */
#include <stddef.h>

#include "lfrt_gemm.h"

#if defined(__x86_64__)
#define LFRT_KERNELS_X86 1
#elif defined(__aarch64__)
#define LFRT_KERNELS_A64 1
#elif defined(__arm__) && !defined(LFRT_NO_NEON)
#define LFRT_KERNELS_A32 1
#endif

#if defined(LFRT_KERNELS_A64) || defined(LFRT_KERNELS_A32)
/* runtime/kernels/arm (armv7 + aarch64) and runtime/kernels/arm64 */
#define LFRT_QS8_GEMM_DECL(name)                                                                         \
  void name(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride, const void *w, int8_t *c, \
            size_t c_stride, const lfrt_qs8_requant *rq);
LFRT_QS8_GEMM_DECL(lfrt_qs8_gemm_4x8c4__neon)
#endif
#if defined(LFRT_KERNELS_A64)
LFRT_QS8_GEMM_DECL(lfrt_qs8_gemm_8x8c4__neondot)
#endif

static const lfrt_qs8_gemm_config qs8_gemm[] = {
#if defined(LFRT_KERNELS_X86)
    {LFRT_ISA_AVX512VNNI, "qs8_gemm_8x32c4__avx512vnni", lfrt_qs8_gemm_8x32c4__avx512vnni, 8, 32},
    {LFRT_ISA_AVXVNNI, "qs8_gemm_6x16c4__avxvnni", lfrt_qs8_gemm_6x16c4__avxvnni, 6, 16},
    {LFRT_ISA_AVX2, "qs8_gemm_4x8c4__avx2", lfrt_qs8_gemm_4x8c4__avx2, 4, 8},
#endif
#if defined(LFRT_KERNELS_A64)
    {LFRT_ISA_NEONDOT, "qs8_gemm_8x8c4__neondot", lfrt_qs8_gemm_8x8c4__neondot, 8, 8},
    {LFRT_ISA_NEON, "qs8_gemm_4x8c4__neon", lfrt_qs8_gemm_4x8c4__neon, 4, 8},
#endif
#if defined(LFRT_KERNELS_A32)
    {LFRT_ISA_NEON, "qs8_gemm_4x8c4__neon", lfrt_qs8_gemm_4x8c4__neon, 4, 8},
#endif
    {LFRT_ISA_REF, "qs8_gemm_1x4c4__ref", lfrt_qs8_gemm_1x4c4__ref, 1, 4},
    {LFRT_ISA_REF, NULL, NULL, 0, 0},
};

const lfrt_qs8_gemm_config *lfrt_qs8_gemm_configs(void) { return qs8_gemm; }

const lfrt_qs8_gemm_config *lfrt_qs8_gemm_config_for(lfrt_isa isa) {
  for (const lfrt_qs8_gemm_config *c = qs8_gemm; c->fn; c++)
    if (lfrt_isa_implies(isa, c->isa)) return c;
  return NULL; /* not reached: the ref entry matches every ISA */
}
