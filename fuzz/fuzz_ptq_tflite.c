/* libFuzzer target: arbitrary bytes -> lfrt_model_load -> prepare as float
 * (what `leapfrog ptq MODEL.tflite` does before calibrating) -> the int8 plan
 * (ops without an int8 form kept float) -> the int8 rewrite with made-up
 * activation ranges -> load and prepare the result, and invoke it on zeroed
 * inputs when small and quick. Nothing may crash, leak or overflow; a rewrite the
 * runtime refuses is fine (ptq reports it), a load failure of what the
 * writer wrote is not (the writer must emit valid flatbuffers).
 * Seeds: fuzz/seeds/fuzz_ptq_tflite/ (small FP32 models from `leapfrog import`). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt.h"
#include "quant/ptq_tflite_internal.h"

/* Output elements times the largest constant input of each op, plus reads: slow models are not invoked. */
static double work_estimate(const lfrt_model *m) {
  double w = 0;
  for (int i = 0; i < m->nops; i++) {
    const lfrt_operator *op = &m->ops[i];
    double per = 1;
    for (int k = 0; k < op->ninputs; k++) {
      if (op->inputs[k] < 0) continue;
      const lfrt_tensor *t = &m->tensors[op->inputs[k]];
      w += (double)t->count;
      if (t->data && (double)t->count > per) per = (double)t->count;
    }
    w += (double)m->tensors[op->outputs[0]].count * per;
  }
  return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lfrt_model *m = NULL, *q = NULL;
  lfrt_interp *it = NULL;
  lfrt_error err;
  if (lfrt_model_load(data, size, "fuzz.tflite", &m, &err) != LFRT_OK) return 0;
  lfrt_interp_options o = {.threads = 1, .external_arena = 1};
  if (lfrt_interp_create(m, &o, &it, &err) != LFRT_OK || m->nops > 4096) goto out;
  lfrt_interp_free(it);
  it = NULL;
  size_t nt = (size_t)(m->ntensors > 0 ? m->ntensors : 1);
  signed char *mode = malloc((size_t)(m->nops > 0 ? m->nops : 1));
  float *lo = malloc(sizeof(float) * nt), *hi = malloc(sizeof(float) * nt);
  void *bytes = NULL;
  size_t len = 0;
  int n8, nf;
  if (mode && lo && hi && lq_tfl_plan(m, 1, "fuzz.tflite", mode) == LF_OK) {
    for (size_t t = 0; t < nt; t++) { /* ranges from the bytes: some empty, some one-sided */
      unsigned char b = size ? data[t % size] : 0;
      lo[t] = (b & 1) ? 0.0f : -(float)(b % 7) * 0.75f;
      hi[t] = (b & 2) ? 0.0f : (float)(b % 11) * 0.5f;
    }
    lf_ptq_io io = (lf_ptq_io)(size % 3);
    if (lq_tfl_write(m, mode, lo, hi, io, "{}", &bytes, &len, &n8, &nf) == LF_OK) {
      if (lfrt_model_load(bytes, len, "ptq.tflite", &q, &err) != LFRT_OK) abort();
      if (lfrt_interp_create(q, &o, &it, &err) == LFRT_OK) {
        size_t need = lfrt_interp_arena_bytes(it);
        void *arena = NULL;
        if (need <= ((size_t)8 << 20) && work_estimate(q) < 2e7 && posix_memalign(&arena, 16, need ? need : 16) == 0) {
          memset(arena, 0, need ? need : 16);
          if (lfrt_interp_set_arena(it, arena, need ? need : 16, &err) != LFRT_OK) abort();
          if (lfrt_interp_invoke(it, &err) != LFRT_OK) abort();
          free(arena);
        }
      }
    }
  }
  free(bytes);
  free(mode);
  free(lo);
  free(hi);
out:
  lfrt_interp_free(it);
  lfrt_model_free(q);
  lfrt_model_free(m);
  return 0;
}
