/* Channel concatenation (NHWC: each pixel's channels are the inputs' in order). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include <stdlib.h>
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

/* One input's slice: channels [off, off+c) of each output pixel. */
typedef struct {
  const float *x; /* forward: the input's output */
  float *dx;      /* backward: its gradient (NULL: none needed) */
  int c, off, assign;
} cat_part;
typedef struct {
  const cat_part *parts;
  float *y;        /* forward: output; backward: dL/dout */
  int n_parts, ct; /* ct: output channels */
  int back;
} cat_job;
static void rows(void *vctx, size_t b, size_t e) {
  const cat_job *j = vctx;
  const int ct = j->ct;
  for (size_t r = b; r < e; r++) {
    for (int i = 0; i < j->n_parts; i++) {
      const cat_part *p = &j->parts[i];
      const int c = p->c;
      if (!j->back) {
        memcpy(j->y + r * ct + p->off, p->x + r * c, (size_t)c * sizeof(float));
      } else if (p->dx) {
        float *restrict d = p->dx + r * c;
        const float *restrict s = j->y + r * ct + p->off;
        if (p->assign)
          memcpy(d, s, (size_t)c * sizeof(float));
        else
          for (int k = 0; k < c; k++) d[k] += s[k];
      }
    }
  }
}

static lf_status run(lf_graph *g, lf_node *n, int back) {
  cat_part stackp[64], *parts = n->n_inputs <= 64 ? stackp : malloc((size_t)n->n_inputs * sizeof *parts);
  if (!parts) return lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
  int off = 0;
  for (int i = 0; i < n->n_inputs; i++) {
    lf_node *in = lf_graph_node(g, n->inputs[i]);
    parts[i].x = in->out.data;
    parts[i].c = in->c;
    parts[i].off = off;
    parts[i].dx = NULL;
    parts[i].assign = 0;
    /* asked in input order, so an input listed twice is assigned once and then
     * accumulated; both happen in the same task for a pixel (in order) */
    if (back) {
      lf_tensor *dx = lf_node_input_grad_assign(g, n, i, &parts[i].assign);
      parts[i].dx = dx ? dx->data : NULL;
    }
    off += in->c;
  }
  cat_job j = {parts, back ? n->grad.data : n->out.data, n->n_inputs, n->c, back};
  lf_parallel_for(n->out.numel / (size_t)n->c, rows, &j);
  if (parts != stackp) free(parts);
  return LF_OK;
}

static lf_status forward(lf_graph *g, lf_node *n) { return run(g, n, 0); }
static lf_status backward(lf_graph *g, lf_node *n) { return run(g, n, 1); }

const lf_op_vtable lf_op_concat_vt = {"concat", build, forward, backward, NULL};
