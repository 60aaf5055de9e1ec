/* libFuzzer target: describe-load arbitrary bytes (lfrt_model_describe, what
 * `leapfrog info` reads) and check every node (lfrt_interp_check): never a
 * crash; a model that loads strictly describes with no refusal recorded, and
 * the check's answer is create()'s.
 * Seeds: fuzz/seeds/fuzz_tflite_describe/ (models with an op, a version and a
 * prepare the runtime refuses, and a dynamic shape, written by
 * `build/tests/rt/test_model_describe --write DIR`). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt.h"

static void check(int cond) {
  if (!cond) abort(); /* a broken promise is a finding */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lfrt_model *m = NULL, *strict = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  lfrt_status ls = lfrt_model_load(data, size, "fuzz.tflite", &strict, &err);
  lfrt_status s = lfrt_model_describe(data, size, "fuzz.tflite", &m, &err);
  if (ls == LFRT_OK) check(s == LFRT_OK);
  if (s != LFRT_OK) {
    check(m == NULL && err.msg[0] != 0);
    lfrt_model_free(strict);
    return 0;
  }
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    if (strict) check(op->unsupported == NULL);
    for (int i = 0; i < op->ninputs; i++) check(op->inputs[i] >= -1 && op->inputs[i] < m->ntensors);
    for (int i = 0; i < op->noutputs; i++) check(op->outputs[i] >= 0 && op->outputs[i] < m->ntensors);
  }
  lfrt_node_support *sup = calloc((size_t)m->nops + 1, sizeof *sup);
  lfrt_interp_options o = {.threads = 1, .external_arena = 1, .isa = "ref"};
  lfrt_status cs = lfrt_interp_check(m, &o, sup, &err);
  lfrt_interp *it = NULL;
  lfrt_status is = lfrt_interp_create(m, &o, &it, &err);
  check(is == cs || (cs == LFRT_OK && is == LFRT_ENOMEM)); /* planning may still run out */
  lfrt_interp_free(it);
  free(sup);
  lfrt_model_free(m);
  lfrt_model_free(strict);
  return 0;
}
