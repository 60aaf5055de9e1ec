/* Kernel families behind the dispatch table: microkernel signatures, their
 * packed-weight layouts, and the per-ISA configs (kernel_config.c).
 *
 * ---- qs8 GEMM (CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED) --------------------
 * The conv driver (conv_gemm.c) gathers MR output pixels' input windows into
 * per-thread scratch rows ("A", K bytes each, K rounded up to 4) as uint8
 * (int8 ^ 0x80, padding taps = in_zp ^ 0x80, the K tail = 0) and calls the
 * microkernel once per NR-column block of packed weights:
 *
 *   for i < mr, n < nc:
 *     acc  = bias[n] + sum_{k<kc} (uint8)a[i][k] * (int8)W[k][n]      (int32, wraps)
 *     v    = (float)acc * scale[n]                           (IEEE single, ties to even)
 *     v    = min(max(v, rq->min), rq->max)                   (act_min/max - out_zp)
 *     c[i][n] = (int8)(lrintf(v) + rq->out_zp)               (ties to even)
 *
 * which equals the reference kernels' lfrt_requant_fp32 arithmetic bit for
 * bit (bias[n] = b[n] - (128 + in_zp) * sum_k W[k][n] absorbs the uint8
 * offset and the zero point). A packed NR-column block is
 *   int32 bias[NR] | float scale[NR] | int8 w[kc/4][NR][4]     (w[k4][n][j] = W[4*k4+j][n])
 * with zeros for n >= N or k >= K; blocks follow each other for n0 = 0, NR, ...
 * (lfrt_qs8_gemm_pack). a rows are `a_stride` bytes apart, c rows `c_stride`
 * bytes apart; a microkernel reads only rows < mr (mr <= MR) and writes only
 * rows < mr and columns < nc (nc <= NR). No alignment is promised for c; a
 * rows and w blocks are 64-byte aligned when a_stride is a multiple of 64. */
#ifndef LFRT_GEMM_H
#define LFRT_GEMM_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_isa.h"

typedef struct {
  float min, max;  /* act_min - out_zp, act_max - out_zp */
  int32_t out_zp;
} lfrt_qs8_requant;

typedef void (*lfrt_qs8_gemm_fn)(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride,
                                 const void *w, int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq);

typedef struct lfrt_qs8_gemm_config_s {
  lfrt_isa isa;
  const char *name; /* e.g. "qs8_gemm_8x32c4__avx512vnni" */
  lfrt_qs8_gemm_fn fn;
  int mr, nr;       /* tile; K is packed in groups of 4 (c4) */
} lfrt_qs8_gemm_config;

/* Bytes of one packed NR-column block for kc (multiple of 4). */
static inline size_t lfrt_qs8_gemm_block_bytes(int nr, size_t kc) {
  return (size_t)nr * 8 + kc * (size_t)nr;
}
/* Packs W given as w[n][k] (row n: K int8, the TFLite OHWI layout flattened),
 * N columns, into ceil(N/nr) blocks at `out` (lfrt_qs8_gemm_block_bytes each,
 * kc = K rounded up to 4). bias may be NULL (0); scale[n] per column. */
void lfrt_qs8_gemm_pack(int nr, int N, int K, const int8_t *w, const int32_t *bias, int32_t in_zp,
                        const float *scale, void *out);

/* The portable microkernel (any mr, nr given by config) and the ISA variants. */
void lfrt_qs8_gemm_1x4c4__ref(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride,
                             const void *w, int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq);
/* x86-64 (runtime/kernels/x86, compiled only there, each with its ISA's flags) */
void lfrt_qs8_gemm_8x32c4__avx512vnni(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride,
                                      const void *w, int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq);
void lfrt_qs8_gemm_6x16c4__avxvnni(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride,
                                   const void *w, int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq);
void lfrt_qs8_gemm_4x8c4__avx2(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride,
                               const void *w, int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq);

/* Configs: the table for `isa` (NULL-terminated by fn == NULL), best first.
 * Filled from the kernels this build compiled. */
const lfrt_qs8_gemm_config *lfrt_qs8_gemm_configs(void);
/* The config used for isa (the first one of that isa, else the ref one). */
const lfrt_qs8_gemm_config *lfrt_qs8_gemm_config_for(lfrt_isa isa);

#endif
