/* float ADD/MUL dispatch table (lfrt_f32_binary.h), best first. No armv7
 * entry: armv7 NEON flushes denormals to zero (see config_f32_conv.c). */
#include <stddef.h>

#include "lfrt_f32_binary.h"

#define E(isa, add, mul) {isa, #add, lfrt_##add, #mul, lfrt_##mul}
static const lfrt_f32_binary_config f32_binary[] = {
#if defined(__x86_64__)
    E(LFRT_ISA_AVX512VNNI, f32_vadd_x16__avx512vnni, f32_vmul_x16__avx512vnni),
    E(LFRT_ISA_AVX2, f32_vadd_x8__avx2, f32_vmul_x8__avx2),
#endif
#if defined(__aarch64__)
    E(LFRT_ISA_NEON, f32_vadd_x4__neon, f32_vmul_x4__neon),
#endif
    {LFRT_ISA_REF, NULL, NULL, NULL, NULL},
};

const lfrt_f32_binary_config *lfrt_f32_binary_configs(void) { return f32_binary; }

const lfrt_f32_binary_config *lfrt_f32_binary_config_for(lfrt_isa isa) {
  for (const lfrt_f32_binary_config *c = f32_binary; c->add; c++)
    if (lfrt_isa_implies(isa, c->isa)) return c;
  return NULL;
}
