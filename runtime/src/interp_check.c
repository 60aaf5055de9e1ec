/* Which nodes the runtime can run, and why not: the checks lfrt_interp_create
 * makes, one node at a time and past the first failure (lfrt_interp_check,
 * `leapfrog info`). create() calls the same two functions, so what info says
 * and what invoke does cannot drift apart. */
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"

#define T(i) (&it->m->tensors[(i)])

/* Refusals of the model as a whole: several subgraphs, or a tensor the
 * runtime cannot hold that no node reads or writes (nodes report their own). */
lfrt_status lfrt_interp_model_refusal(const lfrt_model *m, lfrt_error *err) {
  if (m->unsupported) return lfrt_set_error(err, LFRT_EUNSUPPORTED, "%s", m->unsupported);
  int any = 0;
  for (int t = 0; t < m->ntensors && !any; t++) any = m->tensors[t].unsupported != NULL;
  if (!any) return LFRT_OK;
  unsigned char *used = calloc((size_t)m->ntensors, 1);
  if (!used) return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory", m->source_name);
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    for (int i = 0; i < op->ninputs; i++)
      if (op->inputs[i] >= 0) used[op->inputs[i]] = 1;
    for (int i = 0; i < op->noutputs; i++) used[op->outputs[i]] = 1;
  }
  lfrt_status st = LFRT_OK;
  for (int t = 0; t < m->ntensors && !st; t++)
    if (m->tensors[t].unsupported && !used[t]) st = lfrt_set_error(err, LFRT_EUNSUPPORTED, "%s", m->tensors[t].unsupported);
  free(used);
  return st;
}

/* What the loader recorded against node i (lfrt_model_describe): its op, or
 * one of its tensors. */
static lfrt_status node_refusal(const lfrt_interp *it, int i, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[i];
  if (op->unsupported) return lfrt_set_error(err, LFRT_EUNSUPPORTED, "%s", op->unsupported);
  for (int k = 0; k < op->ninputs + op->noutputs; k++) {
    int t = k < op->ninputs ? op->inputs[k] : op->outputs[k - op->ninputs];
    if (t >= 0 && t < it->m->ntensors && T(t)->unsupported)
      return lfrt_set_error(err, LFRT_EUNSUPPORTED, "%s", T(t)->unsupported);
  }
  return LFRT_OK;
}

lfrt_status lfrt_interp_node_ready(lfrt_interp *it, int i, lfrt_error *err) {
  lfrt_status st = node_refusal(it, i, err);
  if (!st) st = lfrt_interp_prepare_node(it, i, err);
  if (!st) st = lfrt_interp_select_kernel(it, i, err);
  return st;
}

lfrt_status lfrt_interp_check(const lfrt_model *m, const lfrt_interp_options *opt, lfrt_node_support *nodes,
                              lfrt_error *err) {
  if (!m) return lfrt_set_error(err, LFRT_EINVAL, "lfrt_interp_check: no model");
  lfrt_interp *it = NULL;
  lfrt_status first = lfrt_interp_alloc(m, opt, &it, err);
  if (first) return first;
  lfrt_error nerr, merr;
  lfrt_status mst = lfrt_interp_model_refusal(m, &merr);
  for (int i = 0; i < m->nops; i++) {
    nerr.msg[0] = 0;
    lfrt_status st = lfrt_interp_node_ready(it, i, &nerr);
    if (nodes) {
      nodes[i].status = st;
      memcpy(nodes[i].why, st ? nerr.msg : "", st ? sizeof nodes[i].why : 1);
    }
    if (st && !first) {
      first = st;
      if (err) *err = nerr;
    }
    /* one node's state at a time: packed weights are not held for the whole model */
    lfrt_interp_free_node(&it->nodes[i]);
    memset(&it->nodes[i], 0, sizeof it->nodes[i]);
  }
  lfrt_interp_free(it);
  if (mst) { /* create() checks the model before any node: its reason comes first */
    if (err) *err = merr;
    return mst;
  }
  return first;
}
