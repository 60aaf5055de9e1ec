/* qs8 indirect GEMM ("igemm", XNNPACK's idea): the conv microkernel reads each
 * output pixel's window through pointers instead of a gathered copy.
 *
 * For an output tile of mr pixels and a window of ks taps, `a` holds ks groups
 * of mr pointers, tap-major: a[p * mr + i] is tap p of row i and points at kc
 * int8 values (that pixel's in_c channels, kc = in_c, a multiple of 4; any
 * alignment). Taps outside the input point at a buffer of kc bytes of in_zp.
 * The weights are packed exactly as for the GEMM family (lfrt_gemm.h) with
 * K = ks * kc ordered tap-major (TFLite's OHWI flattened; lfrt_qs8_gemm_pack),
 * and the arithmetic is the GEMM contract on the uint8 row the gather path
 * would have built (a[k] ^ 0x80; the packed bias absorbs 128 + in_zp):
 *
 *   for i < mr, n < nc:
 *     acc  = bias[n] + sum_{p<ks, k<kc} (uint8)(a[p*mr+i][k] ^ 0x80) * W[p*kc+k][n]   (int32, wraps)
 *     c[i][n] = requant(acc) as lfrt_gemm.h                    (float, RNE, clamp, + out_zp)
 *
 * A zero-point tap contributes (in_zp + 128) * w, which the bias cancels, as a
 * padding tap of the reference does. A microkernel reads only rows < mr (mr
 * <= MR, pointers of rows >= mr are not read), writes only rows < mr and
 * columns < nc (nc <= NR) of c (rows c_stride bytes apart, any alignment). */
#ifndef LFRT_IGEMM_H
#define LFRT_IGEMM_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_gemm.h"

typedef void (*lfrt_qs8_igemm_fn)(int mr, int nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                                  int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq);

typedef struct lfrt_qs8_igemm_config_s {
  lfrt_isa isa;
  const char *name; /* e.g. "qs8_igemm_8x32c4__avx512vnni" */
  lfrt_qs8_igemm_fn fn;
  int mr, nr;       /* tile; kc must be a multiple of 4 */
} lfrt_qs8_igemm_config;

#define LFRT_QS8_IGEMM_DECL(name)                                                                          \
  void name(int mr, int nc, size_t kc, size_t ks, const int8_t *const *a, const void *w, int8_t *c, \
            size_t c_stride, const lfrt_qs8_requant *rq);
/* portable (any mr, NR = 4) */
LFRT_QS8_IGEMM_DECL(lfrt_qs8_igemm_1x4c4__ref)
/* x86-64 (runtime/kernels/x86), aarch64 (runtime/kernels/arm64), NEON (runtime/kernels/arm):
 * declared everywhere, compiled (and listed in the table) only for their target */
LFRT_QS8_IGEMM_DECL(lfrt_qs8_igemm_8x32c4__avx512vnni)
LFRT_QS8_IGEMM_DECL(lfrt_qs8_igemm_6x16c4__avxvnni)
LFRT_QS8_IGEMM_DECL(lfrt_qs8_igemm_4x8c4__avx2)
LFRT_QS8_IGEMM_DECL(lfrt_qs8_igemm_8x8c4__neondot)
LFRT_QS8_IGEMM_DECL(lfrt_qs8_igemm_4x8c4__neon)

/* The table (fn == NULL ends it), best first, this build's variants only. */
const lfrt_qs8_igemm_config *lfrt_qs8_igemm_configs(void);
/* The variant for isa (the first one it implies); NULL when only the
 * reference would match (the caller keeps the gather GEMM then). */
const lfrt_qs8_igemm_config *lfrt_qs8_igemm_config_for(lfrt_isa isa);

#endif
