/* The f32 conv microkernel table (CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED,
 * and DEPTHWISE_CONV_2D's own microkernel; contract in lfrt_f32_conv.h), best first. Only this file names the per-ISA
 * symbols, and only those the Makefile compiles for the target.
 *
 * f32_conv_8x32__avx512vnni is AVX-512F code listed at the avx512vnni level
 * because that is the ISA enum's AVX-512 level. There is no armv7 NEON
 * variant: armv7 NEON float arithmetic always flushes denormals to zero
 * (and uses the default NaN), so it cannot match the VFP reference bit for
 * bit; aarch64 ASIMD is IEEE like its scalar unit (kernels/arm64). */
#include <stddef.h>

#include "lfrt_f32_conv.h"

static const lfrt_f32_conv_config f32_conv[] = {
#if defined(__x86_64__)
    {LFRT_ISA_AVX512VNNI, "f32_conv_8x32__avx512vnni", lfrt_f32_conv_8x32__avx512vnni, 8, 32,
     "f32_dwconv_c64__avx512vnni", lfrt_f32_dwconv_c64__avx512vnni},
    {LFRT_ISA_AVX2, "f32_conv_4x16__avx2", lfrt_f32_conv_4x16__avx2, 4, 16, "f32_dwconv_c32__avx2", lfrt_f32_dwconv_c32__avx2},
#endif
#if defined(__aarch64__)
    {LFRT_ISA_NEON, "f32_conv_4x8__neon", lfrt_f32_conv_4x8__neon, 4, 8, "f32_dwconv_c16__neon", lfrt_f32_dwconv_c16__neon},
#endif
    {LFRT_ISA_REF, "f32_conv_1x4__ref", lfrt_f32_conv_1x4__ref, 1, 4, "f32_dwconv_c4__ref", lfrt_f32_dwconv_c4__ref},
    {LFRT_ISA_REF, NULL, NULL, 0, 0, NULL, NULL},
};

const lfrt_f32_conv_config *lfrt_f32_conv_configs(void) { return f32_conv; }

const lfrt_f32_conv_config *lfrt_f32_conv_config_for(lfrt_isa isa) {
  for (const lfrt_f32_conv_config *c = f32_conv; c->fn; c++)
    if (lfrt_isa_implies(isa, c->isa)) return c;
  return NULL; /* not reached: the ref entry matches every ISA */
}
