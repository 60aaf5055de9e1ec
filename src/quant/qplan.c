/* Lowering an FP32 graph to runtime ops (see qplan.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_convert.h"
#include "nn/nn_internal.h"
#include "quant/qplan.h"

static int push_op(lq_plan *p, int *cap, lq_kind kind, int node) {
  if (p->n == *cap) {
    int nc = *cap ? *cap * 2 : 64;
    lq_op *o = realloc(p->ops, sizeof(lq_op) * (size_t)nc);
    if (!o) return -1;
    p->ops = o;
    *cap = nc;
  }
  lq_op *o = &p->ops[p->n];
  memset(o, 0, sizeof *o);
  o->kind = kind;
  o->node = node;
  o->bn = -1;
  o->out_node = node;
  o->group = p->n;
  return p->n++;
}

int lq_group(const lq_plan *p, int i) {
  while (p->ops[i].group != i) i = p->ops[i].group;
  return i;
}

static void unite(lq_plan *p, int a, int b) {
  a = lq_group(p, a);
  b = lq_group(p, b);
  if (a == b) return;
  if (a < b) p->ops[b].group = a;
  else p->ops[a].group = b;
}

void lq_plan_free(lq_plan *p) {
  if (!p) return;
  for (int i = 0; i < p->n; i++) free(p->ops[i].in);
  free(p->ops);
  free(p->value_of_node);
  memset(p, 0, sizeof *p);
}

const char *lq_value_name(lf_graph *g, const lq_plan *p, int i) {
  return p->ops[i].name[0] ? p->ops[i].name : lf_graph_node(g, p->ops[i].out_node)->name;
}

int lq_bn_lowering_resolve(int bn_lowering) {
  return bn_lowering == LF_BN_LOWER_MULADD || bn_lowering == LF_BN_LOWER_DEPTHWISE ? bn_lowering
                                                                                   : LF_BN_LOWER_DEFAULT_IS;
}

lf_status lq_plan_build(lf_graph *g, int input_node, int output_node, lq_plan *p) {
  return lq_plan_build_ex(g, input_node, output_node, LF_BN_LOWER_DEFAULT, p);
}

/* Every weight and buffer must be a finite number: a NaN or inf would be
 * quantised into garbage (or written as is in FP32) without a word. */
static lf_status check_finite(lf_graph *g) {
  for (int i = 0, np = lf_graph_param_count(g); i < np; i++) {
    const lf_param *pa = lf_graph_param(g, i);
    size_t bad = 0;
    float v0 = 0;
    for (size_t k = 0; k < pa->value.numel; k++)
      if (!isfinite(pa->value.data[k]) && !bad++) v0 = pa->value.data[k];
    if (bad)
      return lf_error(LF_EBADFILE, "convert: tensor %s holds %zu non-finite value%s of %zu (the first is %s)", pa->name,
                      bad, bad == 1 ? "" : "s", pa->value.numel, isnan(v0) ? "NaN" : v0 > 0 ? "+inf" : "-inf");
  }
  return LF_OK;
}

lf_status lq_plan_build_ex(lf_graph *g, int input_node, int output_node, int bn_lowering, lq_plan *p) {
  memset(p, 0, sizeof *p);
  lf_status fin = check_finite(g);
  if (fin) return fin;
  const int muladd = lq_bn_lowering_resolve(bn_lowering) == LF_BN_LOWER_MULADD;
  int nn = lf_graph_node_count(g);
  if (input_node < 0 || output_node <= input_node || output_node >= nn)
    return lf_error(LF_EINVAL, "convert: bad input/output nodes %d/%d", input_node, output_node);
  if (lf_graph_node(g, input_node)->kind != LF_OP_INPUT)
    return lf_error(LF_EINVAL, "convert: node %s is not an input", lf_graph_node(g, input_node)->name);
  int *consumers = calloc((size_t)nn, sizeof(int)), *sole = calloc((size_t)nn, sizeof(int));
  p->value_of_node = malloc(sizeof(int) * (size_t)nn);
  p->n_nodes = nn;
  if (!consumers || !sole || !p->value_of_node) {
    free(consumers);
    free(sole);
    lq_plan_free(p);
    return lf_error(LF_ENOMEM, "convert: out of memory");
  }
  for (int i = 0; i < nn; i++) p->value_of_node[i] = -1;
  /* only the nodes the output depends on (side branches are not converted) */
  char *needed = calloc((size_t)nn, 1);
  if (needed) {
    needed[output_node] = 1;
    for (int i = output_node; i >= 0; i--) {
      if (!needed[i]) continue;
      lf_node *n = lf_graph_node(g, i);
      for (int k = 0; k < n->n_inputs; k++) needed[n->inputs[k]] = 1;
    }
  }
  for (int i = 0; needed && i <= output_node; i++) {
    if (!needed[i]) continue;
    lf_node *n = lf_graph_node(g, i);
    for (int k = 0; k < n->n_inputs; k++) {
      consumers[n->inputs[k]]++;
      sole[n->inputs[k]] = i;
    }
  }
  char *absorbed = calloc((size_t)nn, 1);
  int cap = 0;
  lf_status st = LF_OK;
  if (!absorbed || !needed) st = lf_error(LF_ENOMEM, "convert: out of memory");
  else if (!needed[input_node])
    st = lf_error(LF_EINVAL, "convert: output %s does not depend on input %s", lf_graph_node(g, output_node)->name,
                  lf_graph_node(g, input_node)->name);
  /* follower of node t if t has exactly one consumer of that kind */
#define NEXT_IS(t, k) (consumers[t] == 1 && sole[t] <= output_node && lf_graph_node(g, sole[t])->kind == (k))
  for (int i = input_node; i <= output_node && st == LF_OK; i++) {
    if (absorbed[i] || !needed[i]) continue;
    lf_node *n = lf_graph_node(g, i);
    if (i == input_node) {
      int o = push_op(p, &cap, LQ_INPUT, i);
      if (o < 0) { st = lf_error(LF_ENOMEM, "convert: out of memory"); break; }
      p->value_of_node[i] = o;
      continue;
    }
    /* nodes not reachable from the input (another input, unused branches) */
    int reach = 1;
    for (int k = 0; k < n->n_inputs; k++)
      if (p->value_of_node[n->inputs[k]] < 0) reach = 0;
    if (!reach || n->n_inputs == 0) {
      if (n->kind == LF_OP_INPUT) continue;
      st = lf_error(LF_EUNSUPPORTED, "convert: node %s: an input is not computed from %s", n->name,
                    lf_graph_node(g, input_node)->name);
      break;
    }
    if (n->kind == LF_OP_DROPOUT) { /* identity at inference */
      p->value_of_node[i] = p->value_of_node[n->inputs[0]];
      continue;
    }
    lq_kind kind;
    int fuse_relu = 0, fold_bn = 0;
    switch (n->kind) {
    case LF_OP_CONV2D: kind = LQ_CONV; fold_bn = fuse_relu = 1; break;
    case LF_OP_CONV_TRANSPOSE2D: kind = LQ_TCONV; fold_bn = fuse_relu = 1; break;
    case LF_OP_BATCHNORM: kind = LQ_AFFINE; fuse_relu = 1; break;
    case LF_OP_DENSE: kind = LQ_FC; fuse_relu = 1; break;
    case LF_OP_ADD: kind = LQ_ADD; fuse_relu = 1; break;
    case LF_OP_MUL: kind = LQ_MUL; fuse_relu = 1; break;
    case LF_OP_MAXPOOL: kind = LQ_MAXPOOL; break;
    case LF_OP_AVGPOOL: kind = LQ_AVGPOOL; break;
    case LF_OP_GLOBAL_AVGPOOL: kind = LQ_MEAN; break;
    case LF_OP_CONCAT: kind = LQ_CONCAT; break;
    case LF_OP_UPSAMPLE: kind = LQ_RESIZE; break;
    case LF_OP_SIGMOID: kind = LQ_LOGISTIC; break;
    case LF_OP_RELU: kind = LQ_RELU; break;
    default:
      st = lf_error(LF_EUNSUPPORTED, "convert: node %s: op '%s' has no TFLite lowering", n->name,
                    lf_nn_op(n->kind) ? lf_nn_op(n->kind)->name : "?");
      continue;
    }
    int mul_op = -1; /* mul-add lowering: the MUL op before this ADD */
    if (kind == LQ_AFFINE && muladd) {
      mul_op = push_op(p, &cap, LQ_BNMUL, i);
      if (mul_op < 0) { st = lf_error(LF_ENOMEM, "convert: out of memory"); break; }
      lq_op *m = &p->ops[mul_op];
      m->bn = i;
      if (snprintf(m->name, sizeof m->name, "%s.mul", n->name) >= (int)sizeof((lf_qrange *)0)->name) {
        st = lf_error(LF_EUNSUPPORTED, "convert: node %s: name too long for a range name", n->name);
        break;
      }
      m->in = malloc(sizeof(int));
      if (!m->in) { st = lf_error(LF_ENOMEM, "convert: out of memory"); break; }
      m->n_in = 1;
      m->in[0] = p->value_of_node[n->inputs[0]];
      kind = LQ_BNADD;
    }
    if (kind == LQ_CONV) { /* grouped: only depthwise (groups == input channels) has a TFLite op */
      const lf_conv2d_params *cp = n->attrs;
      int cin = lf_graph_node(g, n->inputs[0])->c;
      if (cp->groups > 1 && cp->groups != cin) {
        st = lf_error(LF_EUNSUPPORTED,
                      "convert: node %s: grouped conv (groups %d, %d -> %d channels) has no TFLite lowering "
                      "(DEPTHWISE_CONV_2D needs groups == input channels)", n->name, cp->groups, cin, n->c);
        break;
      }
    }
    int o = push_op(p, &cap, kind, i);
    if (o < 0) { st = lf_error(LF_ENOMEM, "convert: out of memory"); break; }
    lq_op *op = &p->ops[o];
    int tail = i;
    if (kind == LQ_AFFINE || kind == LQ_BNADD) op->bn = i;
    if (fold_bn && i != output_node && NEXT_IS(i, LF_OP_BATCHNORM)) {
      op->bn = sole[i];
      tail = sole[i];
      absorbed[tail] = 1;
    }
    if (fuse_relu && tail != output_node && NEXT_IS(tail, LF_OP_RELU)) {
      op->relu = 1;
      tail = sole[tail];
      absorbed[tail] = 1;
    }
    op->out_node = tail;
    op->in = malloc(sizeof(int) * (size_t)n->n_inputs);
    if (!op->in) { st = lf_error(LF_ENOMEM, "convert: out of memory"); break; }
    op->n_in = n->n_inputs;
    for (int k = 0; k < n->n_inputs; k++) op->in[k] = p->value_of_node[n->inputs[k]];
    if (mul_op >= 0) op->in[0] = mul_op;
    p->value_of_node[i] = o;
    p->value_of_node[tail] = o;
    if (op->bn >= 0) p->value_of_node[op->bn] = o;
    op->nonneg = op->relu || kind == LQ_RELU || kind == LQ_LOGISTIC;
    /* ops that do not requantise share their input's scale / zero point */
    if (kind == LQ_MAXPOOL || kind == LQ_AVGPOOL || kind == LQ_RESIZE) {
      unite(p, o, op->in[0]);
      op->nonneg = p->ops[op->in[0]].nonneg;
    }
    if (kind == LQ_CONCAT) {
      op->nonneg = 1;
      for (int k = 0; k < op->n_in; k++) {
        unite(p, o, op->in[k]);
        op->nonneg &= p->ops[op->in[k]].nonneg;
      }
    }
    if (kind == LQ_LOGISTIC && lq_group(p, o) != o)
      st = lf_error(LF_EUNSUPPORTED, "convert: node %s: sigmoid output tied to other tensors", n->name);
  }
#undef NEXT_IS
  if (st == LF_OK) {
    p->output = p->value_of_node[output_node];
    if (p->output < 0) st = lf_error(LF_EUNSUPPORTED, "convert: output node %s is not computed", lf_graph_node(g, output_node)->name);
  }
  /* a group may not contain a LOGISTIC output (fixed qparams) */
  for (int i = 0; st == LF_OK && i < p->n; i++)
    if (p->ops[i].kind == LQ_LOGISTIC && lq_group(p, i) != i)
      st = lf_error(LF_EUNSUPPORTED, "convert: sigmoid %s shares quantisation with a concat/pool", lq_value_name(g, p, i));
  free(consumers);
  free(sole);
  free(absorbed);
  free(needed);
  if (st != LF_OK) lq_plan_free(p);
  return st;
}

lf_status lq_fold_factors(lf_graph *g, const lq_op *op, int channels, float *mul, float *add) {
  for (int c = 0; c < channels; c++) {
    mul[c] = 1.0f;
    add[c] = 0.0f;
  }
  lf_node *n = lf_graph_node(g, op->node);
  /* the conv's own bias */
  if (op->kind == LQ_CONV || op->kind == LQ_TCONV || op->kind == LQ_FC) {
    int has_bias = n->kind == LF_OP_CONV2D ? ((lf_conv2d_params *)n->attrs)->bias
                   : n->kind == LF_OP_CONV_TRANSPOSE2D ? ((lf_conv_transpose2d_params *)n->attrs)->bias
                                                        : ((lf_dense_attrs *)n->attrs)->bias;
    if (has_bias) {
      lf_param *b = lf_node_param(g, n, 1);
      if (!b || (int)b->value.numel != channels) return lf_error(LF_EINVAL, "convert: %s: bias size", n->name);
      memcpy(add, b->value.data, sizeof(float) * (size_t)channels);
    }
  }
  if (op->bn < 0) return LF_OK;
  lf_node *bn = lf_graph_node(g, op->bn);
  lf_bn_attrs *a = bn->attrs;
  lf_param *gm = lf_node_param(g, bn, 0), *bt = lf_node_param(g, bn, 1), *rm = lf_node_param(g, bn, 2),
           *rv = lf_node_param(g, bn, 3);
  if (!gm || !bt || !rm || !rv || (int)gm->value.numel != channels)
    return lf_error(LF_EINVAL, "convert: %s: batchnorm has %d channels, expected %d", bn->name,
                    gm ? (int)gm->value.numel : -1, channels);
  for (int c = 0; c < channels; c++) {
    float s = gm->value.data[c] / sqrtf(rv->value.data[c] + a->eps);
    mul[c] = s;
    add[c] = (add[c] - rm->value.data[c]) * s + bt->value.data[c];
    if (!isfinite(s) || !isfinite(add[c]))
      return lf_error(LF_EINVAL, "convert: %s: non-finite folded scale at channel %d", bn->name, c);
  }
  return LF_OK;
}
