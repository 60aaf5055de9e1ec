/* Graph input: a view of the caller's batch (set with lf_graph_set_input). */
#include "nn/nn_internal.h"

int lf_nn_input(lf_graph *g, const char *name, int h, int w, int c) {
  int dims[3] = {h, w, c};
  return lf_nn_add_node(g, LF_OP_INPUT, name, NULL, 0, dims, sizeof dims);
}

static lf_status build(lf_graph *g, lf_node *n) {
  (void)g;
  const int *d = n->attrs;
  n->h = d[0];
  n->w = d[1];
  n->c = d[2];
  return LF_OK;
}
static lf_status forward(lf_graph *g, lf_node *n) { (void)g; (void)n; return LF_OK; }
static lf_status backward(lf_graph *g, lf_node *n) { (void)g; (void)n; return LF_OK; }

const lf_op_vtable lf_op_input_vt = {"input", build, forward, backward, NULL};
