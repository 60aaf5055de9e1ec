/* Activation gradients from a pool of buffers kept across steps. A node's
 * gradient is needed from the backward of its first (highest-id) reached
 * consumer until its own backward, so the backward driver acquires it just
 * before that consumer runs and releases it after the node's own backward: the peak of live gradients is held instead of one buffer per
 * node, and no step after the first allocates (the order repeats). Best fit
 * among the free buffers; if none fits, the largest free one grows (or a new
 * one is made), so the count stays at the peak number live at once. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"

static int owner(const lf_graph *g, int id) { return g->fuse && g->fuse[id] == 2 ? g->nodes[id]->inputs[0] : id; }

lf_status lf_gradpool_plan(lf_graph *g) {
  lf_gradpool *p = &g->gpool;
  if (p->nodes_cap < g->n_nodes) {
    int *of = realloc(p->of, (size_t)g->n_nodes * sizeof(int));
    if (!of) return lf_error(LF_ENOMEM, "nn: out of memory planning gradients");
    p->of = of;
    p->nodes_cap = g->n_nodes;
  }
  for (int i = 0; i < g->n_nodes; i++) p->of[i] = -1;
  for (int k = 0; k < p->n; k++) p->bufs[k].used = 0;
  return LF_OK;
}

lf_status lf_gradpool_acquire(lf_graph *g, int id) {
  lf_gradpool *p = &g->gpool;
  int o = owner(g, id);
  lf_node *n = g->nodes[o];
  if (p->of[o] < 0) {
    size_t need = n->out.numel;
    int best = -1, big = -1;
    for (int k = 0; k < p->n; k++) {
      lf_gbuf *b = &p->bufs[k];
      if (b->used) continue;
      if (b->cap >= need && (best < 0 || b->cap < p->bufs[best].cap)) best = k;
      if (big < 0 || b->cap > p->bufs[big].cap) big = k;
    }
    if (best < 0) {
      if (big < 0) {
        if (p->n == p->cap) {
          int cap = p->cap ? 2 * p->cap : 16;
          lf_gbuf *nb = realloc(p->bufs, (size_t)cap * sizeof *nb);
          if (!nb) return lf_error(LF_ENOMEM, "nn: %s: out of memory for a gradient", n->name);
          p->bufs = nb;
          p->cap = cap;
        }
        big = p->n++;
        p->bufs[big].p = NULL;
        p->bufs[big].cap = 0;
        p->bufs[big].used = 0;
      }
      lf_gbuf *b = &p->bufs[big];
      lf_aligned_free(b->p);
      b->p = need <= SIZE_MAX / sizeof(float) ? lf_aligned_alloc(need * sizeof(float)) : NULL;
      b->cap = b->p ? need : 0;
      if (!b->p) return lf_error(LF_ENOMEM, "nn: %s: cannot allocate its gradient (%zu floats)", n->name, need);
      best = big;
    }
    p->bufs[best].used = 1;
    p->of[o] = best;
    if (p->poison)
      for (size_t i = 0; i < need; i++) p->bufs[best].p[i] = NAN;
    if (n->grad.owns) lf_tensor_free(&n->grad);
    lf_tensor_view(&n->grad, p->bufs[best].p, n->out.ndim, n->out.shape);
  }
  if (id != o) lf_tensor_view(&g->nodes[id]->grad, n->grad.data, n->out.ndim, n->out.shape);
  return LF_OK;
}

void lf_gradpool_release(lf_graph *g, int id) {
  lf_gradpool *p = &g->gpool;
  if (p->of[id] >= 0) p->bufs[p->of[id]].used = 0;
  p->of[id] = -1;
}

void lf_gradpool_free(lf_gradpool *p) {
  for (int k = 0; k < p->n; k++) lf_aligned_free(p->bufs[k].p);
  free(p->bufs);
  free(p->of);
  memset(p, 0, sizeof *p);
}

size_t lf_gradpool_bytes(const lf_gradpool *p) {
  size_t s = 0;
  for (int k = 0; k < p->n; k++) s += p->bufs[k].cap * sizeof(float);
  return s;
}
