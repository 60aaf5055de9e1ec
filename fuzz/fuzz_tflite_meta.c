/* libFuzzer target: the "leapfrog" metadata JSON of a .tflite
 * (lf_model_meta_parse, what predict reads): whatever passes has at most
 * LF_PREDICT_MAX_LABELS unique non-empty labels and a usable normalisation. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval/predict_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_model_meta m;
  if (lf_model_meta_parse((const char *)data, size, "fuzz.tflite", &m) != LF_OK) return 0;
  if (m.n_labels < 0 || m.n_labels > LF_PREDICT_MAX_LABELS) abort();
  for (int i = 0; i < m.n_labels; i++) {
    if (!m.labels[i][0] || !memchr(m.labels[i], 0, sizeof m.labels[i])) abort();
    for (int k = 0; k < i; k++)
      if (!strcmp(m.labels[i], m.labels[k])) abort();
  }
  if (m.has_norm)
    for (int c = 0; c < 3; c++)
      if (!isfinite(m.mean[c]) || !(m.std[c] > 0) || !isfinite(m.std[c])) abort();
  return 0;
}
