/* A served model: described once for /api/v1/models, and run by each
 * worker's own lf_predictor (include/leapfrog/lf_predict.h: the same
 * preprocessing, model and output decoding as `leapfrog predict`). */
#ifndef LF_SERVE_MODEL_H
#define LF_SERVE_MODEL_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_image.h"
#include "leapfrog/lf_predict.h"

#define LF_SERVE_MAX_LABELS 64

typedef enum { LF_SERVE_CLASSIFY = 0, LF_SERVE_SEGMENT } lf_serve_task;

typedef struct {
  char name[64];
  const char *path;
  char sha256[65];         /* hex of the .tflite file */
  size_t file_bytes;
  lf_serve_task task;
  int batch, in_h, in_w, in_c; /* input [batch, in_h, in_w, in_c] */
  int n_out;                   /* classify: findings; segment: out_h * out_w */
  int out_h, out_w;            /* segment: the probability map */
  char input_type[16];
  char norm[96];
  char labels[LF_SERVE_MAX_LABELS][64];
  float threshold[LF_SERVE_MAX_LABELS]; /* operating point per finding (segment: [0]) */
  char threshold_source[160];
} lf_serve_model;

/* Describes `path` (served as name): a predictor's info, the file's SHA-256,
 * and the operating point: the metadata's "operating_points" ({label: p}) or
 * "threshold" when present, else default_threshold (said in threshold_source). */
lf_status lf_serve_model_load(lf_serve_model *m, const char *name, const char *path, double default_threshold);

/* One worker's predictor for one model. */
typedef struct {
  const lf_serve_model *m;
  lf_predictor *p;
} lf_serve_runner;

lf_status lf_serve_runner_create(lf_serve_runner *r, const lf_serve_model *m, int threads);
void lf_serve_runner_free(lf_serve_runner *r);

#endif
