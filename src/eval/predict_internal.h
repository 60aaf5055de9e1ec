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

/* The "leapfrog" metadata JSON of a converted model: "labels" (unique
 * non-empty strings under 64 bytes, at most LF_PREDICT_MAX_LABELS) and
 * "normalization" {"mean": [..], "std": [..]} (1-3 finite numbers each, std >
 * 0). Anything malformed is LF_EBADFILE naming `name` and the field (meta
 * zeroed); absent fields are fine. _read finds the entry in a model (none: OK,
 * meta zeroed). */
lf_status lf_model_meta_parse(const char *json, size_t len, const char *name, lf_model_meta *meta);
lf_status lf_model_meta_read(const lfrt_model *m, const char *name, lf_model_meta *meta);

/* x (t->count floats) -> the input tensor's type; int8/uint8 per-tensor only. */
lf_status lf_predict_quantize_input(const lfrt_tensor *t, const float *x, void *dst);
/* the output tensor's bytes -> t->count floats. */
lf_status lf_predict_dequantize_output(const lfrt_tensor *t, const void *src, float *y);
/* bilinear, half-pixel centres (align_corners = false), edges clamped. */
void lf_predict_resize_bilinear(const float *src, int sw, int sh, float *dst, int dw, int dh);

#endif
