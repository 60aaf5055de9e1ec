/* Global average pooling: [n][h][w][c] -> [n][1][1][c]. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include "nn/nn_internal.h"

int lf_nn_global_avgpool(lf_graph *g, int x, const char *name) {
  if (x < 0) return -1;
  return lf_nn_add_node(g, LF_OP_GLOBAL_AVGPOOL, name, &x, 1, NULL, 0);
}

static lf_status build(lf_graph *g, lf_node *n) {
  n->h = n->w = 1;
  n->c = lf_graph_node(g, n->inputs[0])->c;
  return LF_OK;
}

typedef struct {
  const lf_node *in, *n;
  const float *dy;
  float *dx;
  int assign; /* backward: the first writer of dx */
} gap_job;
static void fwd(void *vctx, size_t b, size_t e) {
  gap_job *j = vctx;
  size_t hw = (size_t)j->in->h * j->in->w;
  int C = j->n->c;
  for (size_t img = b; img < e; img++) {
    const float *x = j->in->out.data + img * hw * C;
    float *y = j->n->out.data + img * C;
    for (int c = 0; c < C; c++) {
      double s = 0;
      for (size_t i = 0; i < hw; i++) s += x[i * C + c];
      y[c] = (float)(s / (double)hw);
    }
  }
}
static void bwd(void *vctx, size_t b, size_t e) {
  gap_job *j = vctx;
  size_t hw = (size_t)j->in->h * j->in->w;
  int C = j->n->c;
  float inv = 1.0f / (float)hw;
  for (size_t img = b; img < e; img++)
    for (size_t i = 0; i < hw; i++) {
      float *restrict dx = j->dx + (img * hw + i) * C;
      const float *restrict dy = j->dy + img * C;
      if (j->assign)
        for (int c = 0; c < C; c++) dx[c] = dy[c] * inv;
      else
        for (int c = 0; c < C; c++) dx[c] += dy[c] * inv;
    }
}

static lf_status forward(lf_graph *g, lf_node *n) {
  gap_job j = {lf_graph_node(g, n->inputs[0]), n, NULL, NULL, 0};
  lf_parallel_for((size_t)n->out.shape[0], fwd, &j);
  return LF_OK;
}
static lf_status backward(lf_graph *g, lf_node *n) {
  int assign;
  lf_tensor *dx = lf_node_input_grad_assign(g, n, 0, &assign);
  if (!dx) return LF_OK;
  gap_job j = {lf_graph_node(g, n->inputs[0]), n, n->grad.data, dx->data, assign};
  lf_parallel_for((size_t)n->out.shape[0], bwd, &j);
  return LF_OK;
}

const lf_op_vtable lf_op_global_avgpool_vt = {"global_avgpool", build, forward, backward, NULL};
