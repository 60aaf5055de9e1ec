/* libFuzzer target: load + verify arbitrary bytes as a .tflite model; a
 * model that loads must hold lfrt_model.h's guarantees, and the writer
 * round trip of its descriptors must load again.
 * Seeds: fuzz/seeds/fuzz_tflite/ (one model per supported op, written by
 * `build/tests/rt/test_tflite_roundtrip --write fuzz/seeds/fuzz_tflite`). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt.h"

static void check(int cond) {
  if (!cond) abort(); /* a broken invariant is a finding */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lfrt_model *m = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  lfrt_status s = lfrt_model_load(data, size, "fuzz.tflite", &m, &err);
  if (s != LFRT_OK) {
    check(m == NULL && err.msg[0] != 0);
    return 0;
  }
  /* guarantees of lfrt_model.h; touch every byte reachable from the model */
  unsigned sum = 0;
  for (int i = 0; i < m->ntensors; i++) {
    const lfrt_tensor *t = &m->tensors[i];
    int64_t c = 1;
    check(t->ndim >= 0 && t->ndim <= LFRT_MAX_DIMS);
    for (int d = 0; d < t->ndim; d++) {
      check(t->shape[d] >= 1);
      c *= t->shape[d];
    }
    check(c == t->count && t->bytes == (size_t)c * lfrt_type_size(t->type));
    sum += (unsigned)strlen(t->name);
    if (t->data) {
      check((uintptr_t)t->data % 16 == 0);
      for (size_t k = 0; k < t->bytes; k++) sum += ((const unsigned char *)t->data)[k];
    }
    for (int q = 0; q < t->quant.count; q++) check(t->quant.scale[q] > 0);
  }
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    check(lfrt_op_name(op->op) != NULL && op->noutputs >= 1); /* SPLIT, UNPACK: several */
    for (int i = 0; i < op->ninputs; i++) check(op->inputs[i] >= -1 && op->inputs[i] < m->ntensors);
    for (int o = 0; o < op->noutputs; o++) check(op->outputs[o] >= 0 && op->outputs[o] < m->ntensors);
  }
  for (int i = 0; i < m->nmetadata; i++) {
    sum += (unsigned)strlen(m->metadata[i].name);
    for (size_t k = 0; k < m->metadata[i].bytes; k++)
      sum += ((const unsigned char *)m->metadata[i].data)[k];
  }
  sum += (unsigned)strlen(m->description);
  (void)sum;

  /* rebuild it with the writer: the result must load. Not for sparse constants:
   * their data is NULL once verified, and the loaded sparsity is not handed back
   * to the writer here (tests/rt/test_sparse.c writes and reloads sparse models) */
  int sparse = 0;
  for (int i = 0; i < m->ntensors; i++) sparse |= m->tensors[i].sparsity != NULL;
  lfrt_writer *w = sparse ? NULL : lfrt_writer_new();
  for (int i = 0; w && i < m->ntensors; i++) {
    const lfrt_tensor *t = &m->tensors[i];
    const void *d = t->folded ? NULL : t->data; /* folded at load: written by its node */
    lfrt_writer_add_tensor(w, t->name, t->type, t->ndim, t->shape, d, d ? t->bytes : 0, &t->quant);
  }
  for (int n = 0; w && n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    lfrt_writer_add_operator(w, op->op, op->inputs, op->ninputs, op->outputs, op->noutputs, &op->opt);
  }
  if (w) lfrt_writer_set_io(w, m->inputs, m->ninputs, m->outputs, m->noutputs);
  void *bytes = NULL;
  size_t len = 0;
  if (w && lfrt_writer_finish(w, &bytes, &len, &err) == LFRT_OK) {
    lfrt_model *m2 = NULL;
    lfrt_status s2 = lfrt_model_load(bytes, len, "rewritten.tflite", &m2, &err);
    /* depth_multiplier 0 is written as 1 and may still be valid; the graph must load */
    check(s2 == LFRT_OK);
    check(m2->ntensors == m->ntensors && m2->nops == m->nops);
    lfrt_model_free(m2);
  }
  free(bytes);
  lfrt_writer_free(w);
  lfrt_model_free(m);
  return 0;
}
