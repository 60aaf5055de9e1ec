/* Elementwise add and mul of two equal-shape inputs. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include "nn/nn_internal.h"

static int binary(lf_graph *g, int a, int b, int kind, const char *name) {
  if (a < 0 || b < 0) return -1;
  int xs[2] = {a, b};
  return lf_nn_add_node(g, kind, name, xs, 2, NULL, 0);
}
int lf_nn_add(lf_graph *g, int a, int b, const char *name) { return binary(g, a, b, LF_OP_ADD, name); }
int lf_nn_mul(lf_graph *g, int a, int b, const char *name) { return binary(g, a, b, LF_OP_MUL, name); }

static lf_status build(lf_graph *g, lf_node *n) {
  lf_node *a = lf_graph_node(g, n->inputs[0]), *b = lf_graph_node(g, n->inputs[1]);
  if (n->n_inputs != 2 || a->h != b->h || a->w != b->w || a->c != b->c)
    return lf_error(LF_EINVAL, "nn: %s: inputs %s [%d,%d,%d] and %s [%d,%d,%d] differ in shape", n->name, a->name,
                    a->h, a->w, a->c, b->name, b->h, b->w, b->c);
  n->h = a->h;
  n->w = a->w;
  n->c = a->c;
  return LF_OK;
}

typedef struct {
  const float *a, *b, *dy;
  float *y, *da, *db;
  int mul, set_a, set_b; /* set_*: assign (the first writer of that gradient) */
} ew_job;
static void fwd(void *vctx, size_t s, size_t e) {
  ew_job *j = vctx;
  if (j->mul)
    for (size_t i = s; i < e; i++) j->y[i] = j->a[i] * j->b[i];
  else
    for (size_t i = s; i < e; i++) j->y[i] = j->a[i] + j->b[i];
}
static void bwd(void *vctx, size_t s, size_t e) {
  ew_job *j = vctx;
  if (j->da && j->set_a)
    for (size_t i = s; i < e; i++) j->da[i] = 0.0f;
  if (j->db && j->set_b)
    for (size_t i = s; i < e; i++) j->db[i] = 0.0f;
  for (size_t i = s; i < e; i++) {
    if (j->da) j->da[i] += j->mul ? j->dy[i] * j->b[i] : j->dy[i];
    if (j->db) j->db[i] += j->mul ? j->dy[i] * j->a[i] : j->dy[i];
  }
}

static lf_status forward(lf_graph *g, lf_node *n) {
  ew_job j = {lf_node_input(g, n, 0)->data, lf_node_input(g, n, 1)->data, NULL, n->out.data, NULL, NULL,
              n->kind == LF_OP_MUL, 0, 0};
  lf_parallel_for(n->out.numel, fwd, &j);
  return LF_OK;
}
static lf_status backward(lf_graph *g, lf_node *n) {
  int set_a, set_b; /* asked in order: the same node twice is assigned, then accumulated */
  lf_tensor *da = lf_node_input_grad_assign(g, n, 0, &set_a), *db = lf_node_input_grad_assign(g, n, 1, &set_b);
  /* the same node twice (x + x): accumulate serially through one pointer */
  if (da && db && da == db) {
    ew_job j = {lf_node_input(g, n, 0)->data, lf_node_input(g, n, 1)->data, n->grad.data, NULL, da->data, NULL,
                n->kind == LF_OP_MUL, set_a, 0};
    lf_parallel_for(n->out.numel, bwd, &j);
    j.da = NULL;
    j.db = db->data;
    lf_parallel_for(n->out.numel, bwd, &j);
    return LF_OK;
  }
  ew_job j = {lf_node_input(g, n, 0)->data, lf_node_input(g, n, 1)->data, n->grad.data, NULL,
              da ? da->data : NULL, db ? db->data : NULL, n->kind == LF_OP_MUL, set_a, set_b};
  lf_parallel_for(n->out.numel, bwd, &j);
  return LF_OK;
}

const lf_op_vtable lf_op_add_vt = {"add", build, forward, backward, NULL};
const lf_op_vtable lf_op_mul_vt = {"mul", build, forward, backward, NULL};
