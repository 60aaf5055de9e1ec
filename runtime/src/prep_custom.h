/* Prepare of the custom ops in the registration table (custom_ops.c). */
#ifndef LFRT_PREP_CUSTOM_H
#define LFRT_PREP_CUSTOM_H
#include "lfrt_interp.h"

/* MediaPipe's Convolution2DTransposeBias: inputs (input, weights OHWI, bias),
 * custom_options = TfLiteTransposeConvParams as raw little-endian int32s
 * {padding (1 SAME, 2 VALID), stride_w, stride_h}; float32. Runs on the
 * TRANSPOSE_CONV float kernels (K_TCONV_F). */
lfrt_status lfrt_prep_tconv_bias(lfrt_interp *it, int idx, lfrt_error *err);

#endif
