/* libFuzzer target: the resume journal of `predict IMAGE...` (predict_journal.c)
 * as a killed or damaged run may leave it. Each input follows a valid header
 * line (a mismatched header is refused before any line is read). Whatever the
 * replay accepts must be whole rows of the run's shape: a file marked done
 * hands over rows with a key and either scores in [0, 1] or a run-length
 * string; nothing crashes, leaks or grows without bound. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eval/predict_images_internal.h"

static char path[64];

static lf_status done(const char *file, lf_predict_row *rows, size_t n, void *ctx) {
  (void)ctx;
  if (!file) abort();
  for (size_t i = 0; i < n; i++) {
    if (!rows[i].key || (!rows[i].scores && !rows[i].rle)) abort();
    lf_predict_row_free(&rows[i]);
  }
  free(rows);
  return LF_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!path[0]) snprintf(path, sizeof path, "/tmp/lf-fuzz-journal.%ld", (long)getpid());
  static const char *labels[] = {"a", "b"};
  lf_predictor_info in;
  memset(&in, 0, sizeof in);
  in.task = LF_PREDICT_CLASSIFY, in.n_labels = 2, in.labels = labels, in.std[0] = in.std[1] = in.std[2] = 1;
  in.model_bytes = 1234;
  char *header = lf_predict_journal_header("m.tflite", &in);
  if (!header) abort();
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  fprintf(f, "%s\n", header);
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  int found = 0;
  if (lf_predict_journal_read(path, header, done, NULL, &found) == LF_OK && !found) abort();
  unlink(path);
  free(header);
  return 0;
}
