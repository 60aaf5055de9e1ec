/* The int8 conv/transpose-conv/FC indirect-GEMM driver (conv_igemm.c) over
 * the dispatched qs8 igemm microkernels (lfrt_igemm.h): no im2col copy, each
 * tile of MR output pixels gets a table of pointers into the input. Used when
 * in_c % 4 == 0; the gather GEMM (lfrt_conv_gemm.h) covers the rest. */
#ifndef LFRT_CONV_IGEMM_H
#define LFRT_CONV_IGEMM_H
#include "lfrt_igemm.h"
#include "lfrt_kernels.h"

/* Whether the igemm path applies to p (in_c a positive multiple of 4). */
static inline int lfrt_qs8_conv_igemm_ok(const lfrt_conv_params *p) { return p->in_c > 0 && p->in_c % 4 == 0; }
/* Per-thread scratch bytes: MR * k_h * k_w pointers, then k_h * k_w tap offsets. */
size_t lfrt_qs8_conv_igemm_scratch(const lfrt_conv_params *p, const lfrt_qs8_igemm_config *g);
/* Output rows [begin, end) (work unit: one output row, batch * out_h).
 * packed: lfrt_qs8_gemm_pack(g->nr, out_c, k_h*k_w*in_c, OHWI weights, ...);
 * zero: in_c bytes of p->in_zp (what taps outside the input read). tconv:
 * TRANSPOSE_CONV in gather form (tap (ky, kx) of output (oy, ox) reads input
 * ((oy + pad_top - ky*dil_h) / stride_h, ...) when that divides exactly). */
void lfrt_qs8_conv_igemm_run(const lfrt_conv_params *p, int tconv, const lfrt_qs8_igemm_config *g,
                             const void *packed, const int8_t *zero, const int8_t *in, int8_t *out, int begin,
                             int end, void *scratch);
#endif
