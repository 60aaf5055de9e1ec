/* libFuzzer target: ONNX import (lf_onnx_import_bytes: the bounded protobuf
 * reader, constant folding and the lowering to .tflite). Whatever imports must
 * come back as a .tflite the runtime's reader parses or refuses cleanly. */
#include <stdint.h>
#include <stdlib.h>

#include "leapfrog/lf_onnx.h"
#include "lfrt_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  void *out = NULL;
  size_t len = 0;
  if (lf_onnx_import_bytes(data, size, "fuzz.onnx", &out, &len) != LF_OK) {
    if (out) abort();
    return 0;
  }
  if (!out || len < 8) abort();
  lfrt_model *m = NULL;
  lfrt_error e;
  lfrt_status st = lfrt_model_load(out, len, "imported.tflite", &m, &e);
  if (st != LFRT_OK && st != LFRT_EUNSUPPORTED) abort(); /* the writer's output is well formed */
  lfrt_model_free(m);
  free(out);
  return 0;
}
