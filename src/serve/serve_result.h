/* One predict request's work, done on a worker thread: the uploaded bytes ->
 * decode -> the model -> the JSON answer (findings or mask, overlays,
 * optional occlusion heatmap). Errors come back as an HTTP status and a
 * message; no state outside the request. */
#ifndef LF_SERVE_RESULT_H
#define LF_SERVE_RESULT_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "serve/serve_model.h"

typedef struct {
  const uint8_t *data;
  size_t len;
  const char *media_type;   /* lower-case, parameters dropped; "" when none */
  const char *explain;      /* NULL or a finding's name ("top": the most probable) */
  int explain_grid;         /* occlusion cells per side */
  int preview;              /* 1: add the decoded image as a PNG (for DICOM/TIFF, which browsers cannot show) */
  unsigned long max_pixels;
  double t_start;           /* monotonic seconds when the request's headers arrived */
} lf_serve_job_in;

typedef struct {
  int status;        /* HTTP status */
  cJSON *json;       /* the answer (success or {"error": ...}) */
  double infer_ms;   /* model time (predict + explanation) */
} lf_serve_job_out;

double lf_serve_now(void); /* monotonic seconds */
void lf_serve_predict(lf_serve_runner *r, const lf_serve_job_in *in, lf_serve_job_out *out);
/* {"error": {"status": S, "message": M}} */
cJSON *lf_serve_error_json(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Helpers shared with tests: RGBA PNG in memory (malloc'd), base64 (malloc'd, NUL-terminated). */
int lf_serve_png(const uint8_t *pixels, int w, int h, int channels, void **png, size_t *len);
char *lf_serve_base64(const void *data, size_t len);

#endif
