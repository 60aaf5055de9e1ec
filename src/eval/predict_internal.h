/* Pieces of predict.c exposed for tests (not a public header). */
#ifndef LF_PREDICT_INTERNAL_H
#define LF_PREDICT_INTERNAL_H
#include "leapfrog/lf_predict.h"
#include "lfrt_model.h"

#define LF_PREDICT_MAX_LABELS 64
typedef struct {
  int n_labels;
  char labels[LF_PREDICT_MAX_LABELS][64];
  int has_norm;
  float mean[3], std[3];
} lf_model_meta;

/* x (t->count floats) -> the input tensor's type; int8/uint8 per-tensor only. */
lf_status lf_predict_quantize_input(const lfrt_tensor *t, const float *x, void *dst);
/* the output tensor's bytes -> t->count floats. */
lf_status lf_predict_dequantize_output(const lfrt_tensor *t, const void *src, float *y);
/* bilinear, half-pixel centres (align_corners = false), edges clamped. */
void lf_predict_resize_bilinear(const float *src, int sw, int sh, float *dst, int dw, int dh);

#endif
