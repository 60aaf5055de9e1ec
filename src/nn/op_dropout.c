/* Inverted dropout. The mask is a pure function of (key, element index):
 * the key is drawn from the graph RNG once per training forward, so backward
 * recomputes the mask instead of storing it and threads do not matter. The
 * index counts from the start of the global batch (lf_graph_batch_offset),
 * so data-parallel processes draw the masks one process would. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include <stdint.h>
#include <stdlib.h>

#include "nn/nn_internal.h"

int lf_nn_dropout(lf_graph *g, int x, const char *name, float p) {
  if (x < 0) return -1;
  lf_dropout_attrs a = {p};
  return lf_nn_add_node(g, LF_OP_DROPOUT, name, &x, 1, &a, sizeof a);
}

static lf_status build(lf_graph *g, lf_node *n) {
  lf_dropout_attrs *a = n->attrs;
  if (!(a->p >= 0 && a->p < 1)) return lf_error(LF_EINVAL, "nn: %s: dropout p=%g not in [0,1)", n->name, a->p);
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  n->h = in->h;
  n->w = in->w;
  n->c = in->c;
  n->state = calloc(1, sizeof(uint64_t));
  return n->state ? LF_OK : lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
}

typedef struct {
  const float *x;
  float *y;
  uint64_t key;
  size_t base; /* index of element 0 in the global batch */
  float p, scale;
  int train, back; /* back: 1 accumulate into y, 2 assign (its first writer) */
} do_job;
static void range(void *vctx, size_t b, size_t e) {
  do_job *j = vctx;
  for (size_t i = b; i < e; i++) {
    float m = !j->train ? 1.0f : (lf_hash_uniform(j->key, j->base + i) >= j->p ? j->scale : 0.0f);
    if (j->back == 1)
      j->y[i] += j->x[i] * m;
    else
      j->y[i] = j->x[i] * m;
  }
}

static lf_status forward(lf_graph *g, lf_node *n) {
  lf_dropout_attrs *a = n->attrs;
  uint64_t *key = n->state;
  if (n->train) *key = lf_rng_u64(lf_graph_rng(g));
  size_t base = lf_graph_batch_offset(g) * (size_t)n->h * n->w * n->c;
  do_job j = {lf_node_input(g, n, 0)->data, n->out.data, *key, base, a->p, 1.0f / (1.0f - a->p), n->train && a->p > 0, 0};
  lf_parallel_for(n->out.numel, range, &j);
  return LF_OK;
}
static lf_status backward(lf_graph *g, lf_node *n) {
  lf_dropout_attrs *a = n->attrs;
  int assign;
  lf_tensor *dx = lf_node_input_grad_assign(g, n, 0, &assign);
  if (!dx) return LF_OK;
  size_t base = lf_graph_batch_offset(g) * (size_t)n->h * n->w * n->c;
  do_job j = {n->grad.data, dx->data, *(uint64_t *)n->state, base, a->p, 1.0f / (1.0f - a->p), n->train && a->p > 0,
              assign ? 2 : 1};
  lf_parallel_for(n->out.numel, range, &j);
  return LF_OK;
}

const lf_op_vtable lf_op_dropout_vt = {"dropout", build, forward, backward, NULL};
