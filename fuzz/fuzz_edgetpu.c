/* libFuzzer target: the Edge TPU pre-flight (lf_edgetpu_check, what
 * `leapfrog info --edgetpu` and `convert --edgetpu` run) on arbitrary bytes
 * that describe-load: its rule functions read constant tensors (axes,
 * paddings, strides, concatenation constants) and shapes of hostile models.
 * Never a crash; the counts add up; an op on the Edge TPU reads nothing the
 * CPU computes after the part, and the cut is an unmappable op. Seeds: fuzz/seeds/fuzz_edgetpu/ (a mapped UNet from
 * `convert --edgetpu`, and the SIN, dynamic-shape and float-op models of
 * tests/test_edgetpu.sh). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "leapfrog/lf_edgetpu.h"
#include "lfrt.h"

static void check(int cond) {
  if (!cond) abort(); /* a broken promise is a finding */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lfrt_model *m = NULL;
  lfrt_error err;
  if (lfrt_model_describe(data, size, "fuzz.tflite", &m, &err) != LFRT_OK) return 0;
  lf_edgetpu_report r;
  if (lf_edgetpu_check(m, &r) == LF_OK) {
    check(r.nops == m->nops && r.mapped_ops + r.cpu_ops == m->nops && r.param_bytes >= 0);
    /* each tensor's producer: an op on the Edge TPU reads nothing computed on
     * the CPU after the part, an op ahead of it nothing computed by the part */
    int *producer = malloc(((size_t)m->ntensors + 1) * sizeof *producer);
    check(producer != NULL);
    for (int t = 0; t < m->ntensors; t++) producer[t] = -1;
    for (int n = 0; n < r.nops; n++) {
      const lf_edgetpu_node *nd = &r.nodes[n];
      check(!nd->on_edgetpu || nd->mappable);
      check(!(nd->on_edgetpu && nd->before_edgetpu));
      check(nd->on_edgetpu || nd->reason[0]);
      const lfrt_operator *op = &m->ops[n];
      for (int i = 0; i < op->ninputs; i++) {
        int t = op->inputs[i];
        int p = t >= 0 && t < m->ntensors ? producer[t] : -1;
        if (p < 0) continue;
        if (nd->on_edgetpu) check(r.nodes[p].on_edgetpu || r.nodes[p].before_edgetpu);
        if (nd->before_edgetpu) check(r.nodes[p].before_edgetpu);
      }
      for (int o = 0; o < op->noutputs; o++)
        if (op->outputs[o] >= 0 && op->outputs[o] < m->ntensors) producer[op->outputs[o]] = n;
    }
    free(producer);
    if (r.split_node >= 0) check(!r.nodes[r.split_node].mappable && !r.nodes[r.split_node].on_edgetpu);
    lf_edgetpu_report_free(&r);
  }
  lfrt_model_free(m);
  return 0;
}
