/* Channel concatenation (NHWC: each pixel's channels are the inputs' in order). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include <string.h>

#include "nn/nn_internal.h"

int lf_nn_concat(lf_graph *g, const int *xs, int n, const char *name) {
  for (int i = 0; i < n; i++)
    if (xs[i] < 0) return -1;
  return lf_nn_add_node(g, LF_OP_CONCAT, name, xs, n, NULL, 0);
}

static lf_status build(lf_graph *g, lf_node *n) {
  if (n->n_inputs < 1) return lf_error(LF_EINVAL, "nn: %s: concat needs inputs", n->name);
  lf_node *a = lf_graph_node(g, n->inputs[0]);
  n->h = a->h;
  n->w = a->w;
  n->c = 0;
  for (int i = 0; i < n->n_inputs; i++) {
    lf_node *b = lf_graph_node(g, n->inputs[i]);
    if (b->h != a->h || b->w != a->w)
      return lf_error(LF_EINVAL, "nn: %s: concat input %s is %dx%d, %s is %dx%d", n->name, b->name, b->h, b->w,
                      a->name, a->h, a->w);
    n->c += b->c;
  }
  return LF_OK;
}

typedef struct {
  lf_graph *g;
  lf_node *n;
  int back;
} cat_job;
static void rows(void *vctx, size_t b, size_t e) {
  cat_job *j = vctx;
  lf_node *n = j->n;
  for (size_t r = b; r < e; r++) {
    int off = 0;
    for (int i = 0; i < n->n_inputs; i++) {
      lf_node *in = lf_graph_node(j->g, n->inputs[i]);
      int c = in->c;
      if (!j->back) {
        memcpy(n->out.data + r * n->c + off, in->out.data + r * c, (size_t)c * sizeof(float));
      } else {
        lf_tensor *dx = lf_node_input_grad(j->g, n, i);
        if (dx) {
          float *d = dx->data + r * c;
          const float *s = n->grad.data + r * n->c + off;
          for (int k = 0; k < c; k++) d[k] += s[k];
        }
      }
      off += c;
    }
  }
}

static lf_status forward(lf_graph *g, lf_node *n) {
  cat_job j = {g, n, 0};
  lf_parallel_for(n->out.numel / (size_t)n->c, rows, &j);
  return LF_OK;
}
static lf_status backward(lf_graph *g, lf_node *n) {
  /* one pixel per row, all inputs of a row in one thread: an input listed
   * twice is still accumulated safely */
  cat_job j = {g, n, 1};
  lf_parallel_for(n->out.numel / (size_t)n->c, rows, &j);
  return LF_OK;
}

const lf_op_vtable lf_op_concat_vt = {"concat", build, forward, backward, NULL};
