/* The int8 conv/transpose-conv/FC GEMM driver (conv_gemm.c) over the
 * dispatched qs8 GEMM microkernels (lfrt_gemm.h). FULLY_CONNECTED runs as a
 * 1x1 conv over a batch x 1 x 1 x in_c image. */
#ifndef LFRT_CONV_GEMM_H
#define LFRT_CONV_GEMM_H
#include "lfrt_gemm.h"
#include "lfrt_kernels.h"

/* Bytes between scratch rows: K = k_h*k_w*in_c rounded up to 4, then to 64. */
static inline size_t lfrt_qs8_conv_gemm_row_stride(const lfrt_conv_params *p) {
  size_t K = (size_t)p->k_h * p->k_w * p->in_c;
  return (K + 63) & ~(size_t)63;
}
/* Per-thread scratch bytes. */
size_t lfrt_qs8_conv_gemm_scratch(const lfrt_conv_params *p, const lfrt_qs8_gemm_config *g);
/* Output rows [begin, end) (work unit: one output row, batch * out_h). packed:
 * lfrt_qs8_gemm_pack of the OHWI weights with nr = g->nr. */
void lfrt_qs8_conv_gemm_run(const lfrt_conv_params *p, int tconv, const lfrt_qs8_gemm_config *g, const void *packed,
                            const int8_t *in, int8_t *out, int begin, int end, void *scratch);
#endif
