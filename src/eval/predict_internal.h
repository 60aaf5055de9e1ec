/* Pieces of predict.c exposed for tests (not a public header). */
#ifndef LF_PREDICT_INTERNAL_H
#define LF_PREDICT_INTERNAL_H
#include "leapfrog/lf_predict.h"
#include "lfrt_model.h"

#define LF_PREDICT_MAX_LABELS 64
typedef struct {
  int present; /* the model has a "leapfrog" metadata entry */
  int n_labels;
  char labels[LF_PREDICT_MAX_LABELS][64];
  int has_norm;
  float mean[3], std[3];
  int n_oppoints; /* "operating_points" given (validated: labels of the model, thresholds in (0, 1)) */
} lf_model_meta;

/* The "leapfrog" metadata JSON of a converted model: "labels" (unique
 * non-empty strings under 64 bytes, at most LF_PREDICT_MAX_LABELS),
 * "normalization" {"mean": [..], "std": [..]} (1-3 finite numbers each, std >
 * 0) and "operating_points" {label: threshold} (lf_oppoints.h: every key one
 * of "labels", thresholds finite in (0, 1)). Anything malformed is
 * LF_EBADFILE naming `name` and the field (meta zeroed); absent fields are
 * fine. _read finds the entry in a model (none: OK, meta zeroed). */
lf_status lf_model_meta_parse(const char *json, size_t len, const char *name, lf_model_meta *meta);
lf_status lf_model_meta_read(const lfrt_model *m, const char *name, lf_model_meta *meta);

/* x (t->count floats) -> the input tensor's type; int8/uint8 per-tensor only. */
lf_status lf_predict_quantize_input(const lfrt_tensor *t, const float *x, void *dst);
/* the output tensor's bytes -> t->count floats. */
lf_status lf_predict_dequantize_output(const lfrt_tensor *t, const void *src, float *y);
/* bilinear, half-pixel centres (align_corners = false), edges clamped. */
void lf_predict_resize_bilinear(const float *src, int sw, int sh, float *dst, int dw, int dh);

/* ---- shared by the two predict drivers (predict.c, predict_images.c) ---- */
#include "leapfrog/lf_predictions.h"

/* Model time per image of each invoke, for the median and range. */
typedef struct {
  double *ms;
  size_t n, cap;
} lf_predict_timing;
lf_status lf_predict_timing_add(lf_predict_timing *t, double ms);
/* Fills stats (n images, times, sizes) from the timing and the predictor. */
void lf_predict_timing_stats(lf_predict_timing *t, const lf_predictor_info *in, size_t n, double seconds,
                             lf_predict_stats *stats);
void lf_predict_timing_free(lf_predict_timing *t);

/* Where results go: the predictions JSON (classification) or the submission
 * CSV (segmentation), n rows allocated up front. */
typedef struct {
  lf_predict_task task;
  lf_predictions preds;
  lf_submission sub;
} lf_predict_results;
lf_status lf_predict_results_alloc(lf_predict_results *r, const lf_predictor_info *in, size_t n);
/* Row i: key and the prediction (scores, or the mask run-length encoded). */
lf_status lf_predict_results_set(lf_predict_results *r, size_t i, const char *key, const lf_prediction *pr);
/* Row i from already encoded values (a resumed journal): scores or rle. */
lf_status lf_predict_results_set_raw(lf_predict_results *r, size_t i, const char *key, const float *scores,
                                     const char *rle);
/* Writes rows 0..n-1 (n <= allocated; fewer when images were skipped). */
lf_status lf_predict_results_write(lf_predict_results *r, size_t n, const char *path);
void lf_predict_results_free(lf_predict_results *r);

/* The model's setup line and normalisation note on log (NULL: nothing). */
void lf_predict_log_setup(FILE *log, const char *model_path, const lf_predictor_info *in, const char *what);
/* --stats JSON (see lf_predict.h). */
lf_status lf_predict_write_stats(const char *path, const char *model_path, const lf_predictor_info *in, int threads,
                                 const lf_predict_stats *s);

#endif
