/* Single int8 ops through the runtime's dispatched kernels, for callers that
 * hold tensors outside an interpreter (the toolkit's integer-exact QAT
 * evaluation): the same kernel choice (ISA from lfrt_isa.h), the same bytes
 * as the interpreter and the reference kernels, the same thread split.
 *
 *   lfrt_exec *ex;
 *   lfrt_exec_create(2, NULL, &ex, &err);                 // threads, ISA (NULL: auto)
 *   lfrt_exec_qs8_conv(ex, &params, 0, x, w, bias, y, &err);
 *   lfrt_exec_free(ex);
 *
 * Unlike the interpreter, an exec allocates: weights are packed on every call
 * (cheap next to the convolution when the batch is large) and scratch grows
 * to the largest op seen. One exec must not be used by two threads at once. */
#ifndef LFRT_EXEC_H
#define LFRT_EXEC_H
#include <stdint.h>

#include "lfrt_isa.h"
#include "lfrt_kernels.h"
#include "lfrt_status.h"

typedef struct lfrt_exec lfrt_exec;

/* threads 1..64; isa NULL/"auto": $LFRT_ISA or the best available. */
lfrt_status lfrt_exec_create(int threads, const char *isa, lfrt_exec **out, lfrt_error *err);
void lfrt_exec_free(lfrt_exec *ex); /* NULL is fine */
const char *lfrt_exec_isa(const lfrt_exec *ex);

/* int8 CONV_2D (tconv 0) or TRANSPOSE_CONV (tconv 1) of p (lfrt_kernels.h:
 * NHWC input, OHWI weights, int32 bias or NULL, per-channel mult/shift):
 * equal byte for byte to lfrt_qs8_conv2d__ref / lfrt_qs8_tconv2d__ref over
 * all batch * out_h rows. */
lfrt_status lfrt_exec_qs8_conv(lfrt_exec *ex, const lfrt_conv_params *p, int tconv, const int8_t *in, const int8_t *w,
                               const int32_t *bias, int8_t *out, lfrt_error *err);

#endif
