/* The int8 ADD/MUL dispatch table (XNNPACK-form arithmetic; the TFLite-form
 * fallbacks keep their reference kernels): variants best first. A variant
 * needs a full-size `a` and `b` repeating with a period (same shape, or a
 * trailing-dims operand such as a per-channel constant), which kernel_select.c
 * arranges by swapping the inputs when needed. */
#include <stddef.h>

#include "lfrt_config.h"

#if defined(__x86_64__)
void lfrt_qs8_vadd_x16__avx512vnni(const lfrt_binary_params *, const int8_t *, const int8_t *, int8_t *, int, int);
void lfrt_qs8_vmul_x16__avx512vnni(const lfrt_binary_params *, const int8_t *, const int8_t *, int8_t *, int, int);
void lfrt_qs8_vadd_x8__avx2(const lfrt_binary_params *, const int8_t *, const int8_t *, int8_t *, int, int);
void lfrt_qs8_vmul_x8__avx2(const lfrt_binary_params *, const int8_t *, const int8_t *, int8_t *, int, int);
#endif
#if defined(__aarch64__) || (defined(__arm__) && !defined(LFRT_NO_NEON))
#define LFRT_BINARY_NEON 1
void lfrt_qs8_vadd_x8__neon(const lfrt_binary_params *, const int8_t *, const int8_t *, int8_t *, int, int);
void lfrt_qs8_vmul_x8__neon(const lfrt_binary_params *, const int8_t *, const int8_t *, int8_t *, int, int);
#endif

static const lfrt_qs8_binary_config table[] = {
#if defined(__x86_64__)
    {LFRT_ISA_AVX512VNNI, "qs8_vadd_x16__avx512vnni", lfrt_qs8_vadd_x16__avx512vnni, "qs8_vmul_x16__avx512vnni",
     lfrt_qs8_vmul_x16__avx512vnni},
    {LFRT_ISA_AVX2, "qs8_vadd_x8__avx2", lfrt_qs8_vadd_x8__avx2, "qs8_vmul_x8__avx2", lfrt_qs8_vmul_x8__avx2},
#endif
#if defined(LFRT_BINARY_NEON)
    {LFRT_ISA_NEON, "qs8_vadd_x8__neon", lfrt_qs8_vadd_x8__neon, "qs8_vmul_x8__neon", lfrt_qs8_vmul_x8__neon},
#endif
    {LFRT_ISA_REF, NULL, NULL, NULL, NULL},
};

const lfrt_qs8_binary_config *lfrt_qs8_binary_configs(void) { return table; }

const lfrt_qs8_binary_config *lfrt_qs8_binary_config_for(lfrt_isa isa) {
  for (const lfrt_qs8_binary_config *c = table; c->add; c++)
    if (lfrt_isa_implies(isa, c->isa)) return c;
  return NULL; /* only the reference kernels */
}
