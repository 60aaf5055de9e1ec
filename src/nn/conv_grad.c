/* Whether a conv may overwrite its input gradient instead of adding to it
 * (saves oneDNN a staging buffer and a pass over dx). */
#include "nn/conv_dnnl.h"
#include "nn/nn_internal.h"

int lf_conv_input_grad_fresh(const lf_graph *g, const lf_node *n, int i) {
  int src = n->inputs[i];
  if (g->nodes[src]->kind == LF_OP_INPUT) return 0;
  for (int k = 0; k < n->n_inputs; k++)
    if (k != i && n->inputs[k] == src) return 0;
  /* backward runs in reverse id order: consumers with a larger id already ran */
  for (int m = n->id + 1; m < g->n_nodes; m++) {
    const lf_node *c = g->nodes[m];
    if (!g->reach[m]) continue;
    for (int k = 0; k < c->n_inputs; k++)
      if (c->inputs[k] == src) return 0;
  }
  return 1;
}
