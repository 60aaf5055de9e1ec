/* Dense (torch nn.Linear): y[n][o] = sum_i x[n][i] * W[o][i] + b[o];
 * the input [n][h][w][c] is read as [n][h*w*c]. Output [n][1][1][out]. */
#include <cblas.h>

#include "nn/nn_internal.h"

int lf_nn_dense(lf_graph *g, int x, const char *name, int out_features, int bias) {
  if (x < 0) return -1;
  lf_dense_attrs a = {out_features, bias};
  return lf_nn_add_node(g, LF_OP_DENSE, name, &x, 1, &a, sizeof a);
}

static lf_status build(lf_graph *g, lf_node *n) {
  lf_dense_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (a->out_features <= 0) return lf_error(LF_EINVAL, "nn: %s: dense: %d outputs", n->name, a->out_features);
  int fin = in->h * in->w * in->c;
  n->h = n->w = 1;
  n->c = a->out_features;
  int ws[2] = {a->out_features, fin};
  int wi = lf_node_add_param(g, n, "weight", 2, ws, 1);
  if (wi < 0) return lf_graph_status(g);
  lf_nn_init_uniform(g, &lf_graph_param(g, wi)->value, fin);
  if (a->bias) {
    int bi = lf_node_add_param(g, n, "bias", 1, &a->out_features, 1);
    if (bi < 0) return lf_graph_status(g);
    lf_nn_init_uniform(g, &lf_graph_param(g, bi)->value, fin);
  }
  n->macs = (uint64_t)fin * a->out_features;
  return LF_OK;
}

static lf_status forward(lf_graph *g, lf_node *n) {
  lf_dense_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int batch = n->out.shape[0], fin = in->h * in->w * in->c, O = n->c;
  lf_nn_sgemm(0, 1, batch, O, fin, 1.0f, in->out.data, fin,
              lf_node_param(g, n, 0)->value.data, fin, 0.0f, n->out.data, O);
  if (a->bias) lf_nn_add_bias(n->out.data, (size_t)batch, O, lf_node_param(g, n, 1)->value.data);
  return LF_OK;
}

static lf_status backward(lf_graph *g, lf_node *n) {
  lf_dense_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int batch = n->out.shape[0], fin = in->h * in->w * in->c, O = n->c;
  lf_param *wp = lf_node_param(g, n, 0);
  if (a->bias) lf_nn_bias_grad(n->grad.data, (size_t)batch, O, lf_node_param(g, n, 1)->grad.data);
  lf_nn_sgemm(1, 0, O, fin, batch, 1.0f, n->grad.data, O, in->out.data, fin,
              1.0f, wp->grad.data, fin);
  int assign; /* the first writer of dx: beta 0 (BLAS does not read C then) */
  lf_tensor *dx = lf_node_input_grad_assign(g, n, 0, &assign);
  if (dx)
    lf_nn_sgemm(0, 0, batch, fin, O, 1.0f, n->grad.data, O, wp->value.data,
                fin, assign ? 0.0f : 1.0f, dx->data, fin);
  return LF_OK;
}

const lf_op_vtable lf_op_dense_vt = {"dense", build, forward, backward, NULL};
