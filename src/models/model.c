/* lf_model_build / free and the layer table for `info --arch`. */
#include <stdio.h>
#include <string.h>

#include "leapfrog/lf_models.h"
#include "models/models_internal.h"

lf_status lf_model_build(lf_model *m, const lf_model_config *c, uint64_t seed) {
  memset(m, 0, sizeof *m);
  m->input = m->logits = m->probs = -1;
  lf_status st = lf_model_config_check(c);
  if (st) return st;
  m->cfg = *c;
  if ((st = lf_graph_create(&m->g, seed))) return st;
  st = c->arch == LF_ARCH_DENSENET ? lf_models_build_densenet(m) : lf_models_build_unet(m);
  if (!st) st = lf_graph_status(m->g);
  if (st) {
    lf_status s2 = lf_error(st, "%s: %s", lf_arch_name(c->arch), lf_graph_error(m->g));
    lf_model_free(m);
    return s2;
  }
  return LF_OK;
}

void lf_model_free(lf_model *m) {
  if (!m) return;
  lf_graph_free(m->g);
  m->g = NULL;
}

static const char *op_name(int kind) {
  const lf_op_vtable *vt = lf_nn_op(kind);
  return vt && vt->name ? vt->name : "?";
}

int lf_model_layers(lf_model *m, lf_layer_info *rows, int max) {
  int n = lf_graph_node_count(m->g);
  for (int i = 0; i < n && rows && i < max; i++) {
    lf_node *nd = lf_graph_node(m->g, i);
    lf_layer_info *r = &rows[i];
    memset(r, 0, sizeof *r);
    snprintf(r->name, sizeof r->name, "%.95s", nd->name);
    r->op = op_name(nd->kind);
    r->h = nd->h, r->w = nd->w, r->c = nd->c;
    r->macs = nd->macs;
    for (int k = 0; k < nd->n_params; k++) {
      lf_param *p = lf_node_param(m->g, nd, k);
      if (p && p->trainable) r->params += p->value.numel;
    }
  }
  return n;
}
