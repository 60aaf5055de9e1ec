/* libFuzzer target: arbitrary bytes -> lfrt_model_load -> lfrt_interp_create
 * (prepare: every op's shape/type/quantization checks) -> invoke on zeroed
 * inputs. A model that passes prepare must run (or refuse its input data with
 * LFRT_EINVAL and a message, e.g. a zero divisor) without touching memory
 * outside its tensors (ASan) or overflowing (UBSan). Large or slow models are
 * prepared but not invoked (arena > 16 MiB or a rough work estimate > 2e7).
 * Seeds: fuzz/seeds/fuzz_interp/ (single-op models of every supported op). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt.h"
#include "lfrt_interp.h"

/* Output elements times the per-output reduction size (constant inputs), plus reads. */
static double work_estimate(const lfrt_model *m) {
  double w = 0;
  for (int i = 0; i < m->nops; i++) {
    const lfrt_operator *op = &m->ops[i];
    double out = (double)m->tensors[op->outputs[0]].count, per = 1;
    for (int k = 0; k < op->ninputs; k++) {
      if (op->inputs[k] < 0) continue;
      const lfrt_tensor *t = &m->tensors[op->inputs[k]];
      w += (double)t->count;
      if (t->data && t->ndim >= 2) per = per > (double)t->count ? per : (double)t->count;
    }
    w += out * per;
  }
  return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lfrt_model *m = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  if (lfrt_model_load(data, size, "fuzz.tflite", &m, &err) != LFRT_OK) return 0;
  lfrt_interp *it = NULL;
  lfrt_interp_options o = {.threads = 1, .external_arena = 1}; /* external arena: we decide whether to allocate */
  if (lfrt_interp_create(m, &o, &it, &err) != LFRT_OK) {
    if (!err.msg[0]) abort(); /* a refusal must say why */
    lfrt_model_free(m);
    return 0;
  }
  size_t need = lfrt_interp_arena_bytes(it);
  if (need <= ((size_t)16 << 20) && work_estimate(m) < 2e7) {
    void *arena = NULL;
    if (posix_memalign(&arena, 16, need ? need : 16) == 0) {
      memset(arena, 0, need ? need : 16);
      if (lfrt_interp_set_arena(it, arena, need ? need : 16, &err) != LFRT_OK) abort();
      /* zeroed inputs may be refused by a data check LiteRT makes too (movenet: FLOOR_DIV by a
       * run-time zero), with LFRT_EINVAL and a message; nothing else may fail */
      lfrt_status ist = lfrt_interp_invoke(it, &err);
      if (ist != LFRT_OK && (ist != LFRT_EINVAL || !err.msg[0])) abort();
      /* read every output byte */
      unsigned sum = 0;
      for (int i = 0; i < lfrt_interp_output_count(it); i++) {
        const unsigned char *p = lfrt_interp_output_data(it, i);
        for (size_t k = 0; p && k < lfrt_interp_output(it, i)->bytes; k++) sum += p[k];
      }
      if (sum == 0xdeadbeefu) abort(); /* keeps the reads */
      free(arena);
    }
  }
  lfrt_interp_free(it);
  lfrt_model_free(m);
  return 0;
}
