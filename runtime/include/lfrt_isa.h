/* Instruction sets the runtime can dispatch to, read once from the CPU.
 *
 *   LFRT_ISA_REF         portable C reference kernels (the definition of correct)
 *   LFRT_ISA_AVX2        x86-64 AVX2 + FMA (vpmaddwd int8 GEMM)
 *   LFRT_ISA_AVXVNNI     x86-64 AVX-VNNI (256-bit vpdpbusd)
 *   LFRT_ISA_AVX512VNNI  x86-64 AVX-512 F/BW/VL + VNNI (512-bit vpdpbusd)
 *   LFRT_ISA_AMX         x86-64 AMX-INT8 (tdpbssd; needs the kernel's tile permission)
 *   LFRT_ISA_NEON        armv7 NEON / aarch64 ASIMD
 *   LFRT_ISA_NEONDOT     aarch64 dot product (sdot/udot)
 *
 * The interpreter takes the best ISA this CPU has, or the one named by the
 * LFRT_ISA environment variable, or lfrt_interp_options.isa. Naming an ISA the
 * CPU lacks is an error (never a silent fallback, never SIGILL). Every ISA
 * gives the same output bytes. */
#ifndef LFRT_ISA_H
#define LFRT_ISA_H
#include "lfrt_status.h"

typedef enum {
  LFRT_ISA_REF = 0,
  LFRT_ISA_AVX2,
  LFRT_ISA_AVXVNNI,
  LFRT_ISA_AVX512VNNI,
  LFRT_ISA_AMX,
  LFRT_ISA_NEON,
  LFRT_ISA_NEONDOT,
  LFRT_ISA_COUNT
} lfrt_isa;

/* "ref", "avx2", "avxvnni", "avx512vnni", "amx", "neon", "neondot". */
const char *lfrt_isa_name(lfrt_isa isa);
/* Name -> ISA; -1 for an unknown name. */
int lfrt_isa_from_name(const char *name);
/* 1 if this CPU (and OS) can run code of `isa` and this build has kernels for it. */
int lfrt_isa_available(lfrt_isa isa);
/* The fastest available ISA. */
lfrt_isa lfrt_isa_best(void);
/* Resolves a request: NULL or "" or "auto" -> $LFRT_ISA if set, else the best;
 * otherwise the named ISA, refused (LFRT_EUNSUPPORTED, message naming what
 * this CPU has) when unavailable and LFRT_EINVAL when unknown. */
lfrt_status lfrt_isa_resolve(const char *name, lfrt_isa *out, lfrt_error *err);
/* 1 if code for `have` may run where `need` was asked: every ISA implies ref;
 * avxvnni and avx512vnni imply avx2; amx implies avx512vnni; neondot implies
 * neon. A family without a kernel for the chosen ISA uses the best one implied. */
int lfrt_isa_implies(lfrt_isa chosen, lfrt_isa have);
/* Space-separated names of the available ISAs, e.g. "ref avx2 avxvnni avx512vnni". */
const char *lfrt_isa_list(void);

#endif
