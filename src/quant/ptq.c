/* PTQ calibration: histograms of every value the converter quantises. */
#include <stdlib.h>

#include "leapfrog/lf_ptq.h"
#include "quant/qplan.h"

struct lf_ptq {
  lf_graph *g;
  lq_plan plan;
  lf_histogram *h; /* one per plan op */
  long batches;
  float *tmp;      /* mul-add BN: the MUL's output (not a graph value) */
  size_t tmp_cap;
};

lf_status lf_ptq_create(lf_graph *g, int input_node, int output_node, lf_ptq **out) {
  return lf_ptq_create_ex(g, input_node, output_node, LF_BN_LOWER_DEFAULT, out);
}

lf_status lf_ptq_create_ex(lf_graph *g, int input_node, int output_node, int bn_lowering, lf_ptq **out) {
  lf_ptq *c = calloc(1, sizeof *c);
  if (!c) return lf_error(LF_ENOMEM, "ptq: out of memory");
  lf_status st = lq_plan_build_ex(g, input_node, output_node, bn_lowering, &c->plan);
  if (st != LF_OK) {
    free(c);
    return st;
  }
  c->g = g;
  c->h = malloc(sizeof(lf_histogram) * (size_t)c->plan.n);
  if (!c->h) {
    int n = c->plan.n;
    lf_ptq_free(c);
    return lf_error(LF_ENOMEM, "ptq: out of memory for %d histograms", n);
  }
  for (int i = 0; i < c->plan.n; i++) lf_histogram_init(&c->h[i]);
  *out = c;
  return LF_OK;
}

lf_status lf_ptq_observe(lf_ptq *c) {
  for (int i = 0; i < c->plan.n; i++) {
    const lq_op *op = &c->plan.ops[i];
    lf_node *n = lf_graph_node(c->g, op->node);
    const lf_tensor *t = lf_graph_output(c->g, op->kind == LQ_BNMUL ? n->inputs[0] : op->out_node);
    if (!t || !t->data || t->numel == 0)
      return lf_error(LF_EINVAL, "ptq: no output for %s (run a forward first)", lq_value_name(c->g, &c->plan, i));
    if (op->kind == LQ_BNMUL) { /* x * gamma/sigma, as the MUL computes it */
      int C = n->c;
      if (c->tmp_cap < t->numel + (size_t)2 * C) {
        float *b = realloc(c->tmp, sizeof(float) * (t->numel + (size_t)2 * C));
        if (!b) return lf_error(LF_ENOMEM, "ptq: out of memory");
        c->tmp = b;
        c->tmp_cap = t->numel + (size_t)2 * C;
      }
      float *mul = c->tmp + t->numel, *add = mul + C;
      lf_status st = lq_fold_factors(c->g, op, C, mul, add);
      if (st != LF_OK) return st;
      for (size_t k = 0; k < t->numel; k++) c->tmp[k] = t->data[k] * mul[k % (size_t)C];
      lf_histogram_update(&c->h[i], c->tmp, t->numel);
      continue;
    }
    lf_histogram_update(&c->h[i], t->data, t->numel);
  }
  c->batches++;
  return LF_OK;
}

long lf_ptq_batches(const lf_ptq *c) { return c->batches; }

lf_status lf_ptq_ranges(const lf_ptq *c, lf_calib_method method, double percentile, lf_qranges *out) {
  if (!c->batches) return lf_error(LF_EINVAL, "ptq: no calibration batch observed");
  for (int i = 0; i < c->plan.n; i++) {
    float mn, mx;
    lf_status st = lf_histogram_range(&c->h[i], method, percentile, &mn, &mx);
    if (st == LF_OK) st = lf_qranges_set(out, lq_value_name(c->g, &c->plan, i), mn, mx);
    if (st != LF_OK) return st;
  }
  return LF_OK;
}

void lf_ptq_free(lf_ptq *c) {
  if (!c) return;
  lq_plan_free(&c->plan);
  free(c->h);
  free(c->tmp);
  free(c);
}
