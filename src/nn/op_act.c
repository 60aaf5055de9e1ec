/* Pointwise activations: ReLU, leaky ReLU, sigmoid (forward and backward). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include <math.h>

#include "nn/nn_internal.h"

static int unary(lf_graph *g, int x, int kind, const char *name, const void *a, size_t sz) {
  if (x < 0) return -1;
  return lf_nn_add_node(g, kind, name, &x, 1, a, sz);
}
int lf_nn_relu(lf_graph *g, int x, const char *name) { return unary(g, x, LF_OP_RELU, name, NULL, 0); }
int lf_nn_sigmoid(lf_graph *g, int x, const char *name) { return unary(g, x, LF_OP_SIGMOID, name, NULL, 0); }
int lf_nn_leaky_relu(lf_graph *g, int x, const char *name, float slope) {
  lf_leaky_attrs a = {slope};
  return unary(g, x, LF_OP_LEAKY_RELU, name, &a, sizeof a);
}

static lf_status build_same(lf_graph *g, lf_node *n) {
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  n->h = in->h;
  n->w = in->w;
  n->c = in->c;
  return LF_OK;
}

typedef struct {
  const float *x, *y, *dy;
  float *out;
  float slope;
  int kind, assign; /* backward: dx = ... instead of dx += ... */
} act_job;

static void fwd_range(void *vctx, size_t b, size_t e) {
  act_job *j = vctx;
  const float *x = j->x;
  float *y = j->out;
  switch (j->kind) {
  case LF_OP_RELU:
    for (size_t i = b; i < e; i++) y[i] = x[i] > 0 ? x[i] : 0.0f;
    break;
  case LF_OP_LEAKY_RELU:
    for (size_t i = b; i < e; i++) y[i] = x[i] > 0 ? x[i] : x[i] * j->slope;
    break;
  default:
    for (size_t i = b; i < e; i++) {
      float v = x[i];
      if (v >= 0) {
        y[i] = 1.0f / (1.0f + expf(-v));
      } else {
        float t = expf(v);
        y[i] = t / (1.0f + t);
      }
    }
  }
}

static void bwd_range(void *vctx, size_t b, size_t e) {
  act_job *j = vctx;
  float *dx = j->out;
  if (j->assign) /* the first writer: dx holds garbage, not zeros */
    for (size_t i = b; i < e; i++) dx[i] = 0.0f;
  switch (j->kind) {
  case LF_OP_RELU:
    for (size_t i = b; i < e; i++) dx[i] += j->x[i] > 0 ? j->dy[i] : 0.0f;
    break;
  case LF_OP_LEAKY_RELU:
    for (size_t i = b; i < e; i++) dx[i] += j->x[i] > 0 ? j->dy[i] : j->dy[i] * j->slope;
    break;
  default:
    for (size_t i = b; i < e; i++) dx[i] += j->dy[i] * j->y[i] * (1.0f - j->y[i]);
  }
}

#define GRAIN 16384
static size_t blocks(size_t n) { return (n + GRAIN - 1) / GRAIN; }
typedef struct {
  act_job *j;
  size_t n;
  void (*fn)(void *, size_t, size_t);
} blk_job;
static void blk(void *vctx, size_t b, size_t e) {
  blk_job *k = vctx;
  size_t lo = b * GRAIN, hi = e * GRAIN < k->n ? e * GRAIN : k->n;
  k->fn(k->j, lo, hi);
}

static lf_status forward(lf_graph *g, lf_node *n) {
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  act_job j = {in->out.data, NULL, NULL, n->out.data, n->kind == LF_OP_LEAKY_RELU ? ((lf_leaky_attrs *)n->attrs)->slope : 0, n->kind, 0};
  blk_job k = {&j, n->out.numel, fwd_range};
  lf_parallel_for(blocks(k.n), blk, &k);
  return LF_OK;
}

static lf_status backward(lf_graph *g, lf_node *n) {
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int assign;
  lf_tensor *dx = lf_node_input_grad_assign(g, n, 0, &assign);
  if (!dx) return LF_OK;
  act_job j = {in->out.data, n->out.data, n->grad.data, dx->data,
               n->kind == LF_OP_LEAKY_RELU ? ((lf_leaky_attrs *)n->attrs)->slope : 0, n->kind, assign};
  blk_job k = {&j, n->out.numel, bwd_range};
  lf_parallel_for(blocks(k.n), blk, &k);
  return LF_OK;
}

const lf_op_vtable lf_op_relu_vt = {"relu", build_same, forward, backward, NULL};
const lf_op_vtable lf_op_leaky_relu_vt = {"leaky_relu", build_same, forward, backward, NULL};
const lf_op_vtable lf_op_sigmoid_vt = {"sigmoid", build_same, forward, backward, NULL};
