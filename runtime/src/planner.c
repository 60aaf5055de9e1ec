/* Memory planner: places every non-constant tensor in one arena by lifetime.
 * A tensor lives from the node that writes it (-1 for subgraph inputs) to the
 * last node that reads it (nops for subgraph inputs and outputs, which are
 * never overwritten during an invoke). Tensors are placed
 * largest first (ties: earlier first), each at the lowest 16-byte-aligned
 * offset where it overlaps no already-placed tensor whose lifetime
 * intersects its own (greedy best fit by size); the arena is the highest end. */
#include <stdlib.h>

#include "interp_internal.h"

#define ALIGN 16

typedef struct {
  int t;
  size_t size;
} item;

static int by_size_desc(const void *a, const void *b) {
  const item *x = a, *y = b;
  if (x->size != y->size) return x->size < y->size ? 1 : -1;
  return x->t - y->t;
}

static int cmp_size_t(const void *a, const void *b) {
  size_t x = *(const size_t *)a, y = *(const size_t *)b;
  return x < y ? -1 : x > y;
}

lfrt_status lfrt_plan_arena(lfrt_interp *it, lfrt_error *err) {
  const lfrt_model *m = it->m;
  int nt = m->ntensors;
  for (int t = 0; t < nt; t++) {
    it->offset[t] = -1;
    it->first[t] = INT32_MAX;
    it->last[t] = -2;
  }
  for (int i = 0; i < m->ninputs; i++) {
    int t = m->inputs[i];
    if (m->tensors[t].data) continue;
    /* inputs stay intact for the whole invoke, so invoking again (--repeat)
     * sees the same input and callers may read it back */
    it->first[t] = -1;
    it->last[t] = m->nops;
  }
  for (int i = 0; i < m->nops; i++) {
    const lfrt_operator *op = &m->ops[i];
    for (int k = 0; k < op->noutputs; k++) {
      int t = op->outputs[k];
      if (t < 0 || m->tensors[t].data) continue;
      if (it->first[t] > i) it->first[t] = i;
      if (it->last[t] < i) it->last[t] = i;
    }
    for (int k = 0; k < op->ninputs; k++) {
      int t = op->inputs[k];
      if (t < 0 || m->tensors[t].data || m->tensors[t].sparsity) continue; /* constants */
      if (it->first[t] > i) it->first[t] = i; /* read before written: never by a verified model */
      if (it->last[t] < i) it->last[t] = i;
    }
  }
  for (int i = 0; i < m->noutputs; i++) {
    int t = m->outputs[i];
    if (m->tensors[t].data) continue;
    if (it->first[t] == INT32_MAX) it->first[t] = -1;
    it->last[t] = m->nops;
  }
  item *items = malloc((size_t)(nt ? nt : 1) * sizeof *items);
  size_t *ends = malloc((size_t)(nt ? nt : 1) * 2 * sizeof *ends); /* scratch: conflicting [start,end) pairs */
  int *placed = malloc((size_t)(nt ? nt : 1) * sizeof *placed);
  if (!items || !ends || !placed) {
    free(items); free(ends); free(placed);
    return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory planning the arena", m->source_name);
  }
  int n = 0;
  it->act_bytes = 0;
  for (int t = 0; t < nt; t++) {
    if (it->last[t] < -1 || it->first[t] == INT32_MAX) continue;
    size_t sz = (m->tensors[t].bytes + ALIGN - 1) / ALIGN * ALIGN;
    if (sz == 0) sz = ALIGN;
    items[n].t = t;
    items[n].size = sz;
    it->act_bytes += m->tensors[t].bytes;
    n++;
  }
  qsort(items, (size_t)n, sizeof *items, by_size_desc);
  size_t arena = 0;
  int np = 0;
  for (int k = 0; k < n; k++) {
    int t = items[k].t;
    size_t sz = items[k].size;
    /* intervals of placed tensors alive at the same time, sorted by start */
    int nc = 0;
    for (int j = 0; j < np; j++) {
      int u = placed[j];
      if (it->first[u] > it->last[t] || it->first[t] > it->last[u]) continue;
      ends[2 * nc] = (size_t)it->offset[u];
      ends[2 * nc + 1] = (size_t)it->offset[u] + (m->tensors[u].bytes + ALIGN - 1) / ALIGN * ALIGN;
      if (ends[2 * nc + 1] == ends[2 * nc]) ends[2 * nc + 1] += ALIGN;
      nc++;
    }
    qsort(ends, (size_t)nc, 2 * sizeof(size_t), cmp_size_t);
    /* best fit: the smallest gap that holds sz; else after the highest end */
    size_t best = SIZE_MAX, best_gap = SIZE_MAX, cursor = 0;
    for (int j = 0; j < nc; j++) {
      if (ends[2 * j] > cursor) {
        size_t gap = ends[2 * j] - cursor;
        if (gap >= sz && gap < best_gap) {
          best_gap = gap;
          best = cursor;
        }
      }
      if (ends[2 * j + 1] > cursor) cursor = ends[2 * j + 1];
    }
    if (best == SIZE_MAX) best = cursor;
    it->offset[t] = (long)best;
    placed[np++] = t;
    if (best + sz > arena) arena = best + sz;
  }
  it->arena_bytes = arena;
  it->nplanned = n;
  free(items);
  free(ends);
  free(placed);
  return LFRT_OK;
}
