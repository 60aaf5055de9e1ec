/* Builds the QAT graph from an FP32 graph by the converter's lowering plan. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_qat.h"
#include "leapfrog/lf_safetensors.h"
#include "quant/qat_internal.h"
#include "quant/qplan.h"

struct lf_qat {
  lf_graph *g;
  lq_ctx *ctx;
  int bn_lowering;
  int input, output;
  int n_values;
  int *fq_of;        /* per plan op: its fq node in g */
  char (*names)[128]; /* per plan op: value name */
};

static pthread_once_t reg_once = PTHREAD_ONCE_INIT;
static lf_status reg_status = LF_OK;
static void reg(void) {
  if (lf_nn_register_op(LQK_FQ, &lq_fq_vt) || lf_nn_register_op(LQK_CONV, &lq_conv_vt) ||
      lf_nn_register_op(LQK_BN, &lq_bn_vt) || lf_nn_register_op(LQK_DENSE, &lq_dense_vt) ||
      lf_nn_register_op(LQK_TCONV, &lq_tconv_vt) || lf_nn_register_op(LQK_BNADD, &lq_bnadd_vt))
    reg_status = LF_EINVAL;
}
lf_status lq_register_ops(void) {
  pthread_once(&reg_once, reg);
  return reg_status == LF_OK ? LF_OK : lf_error(reg_status, "qat: cannot register the QAT ops");
}

static size_t builtin_attrs_size(int kind) {
  switch (kind) {
  case LF_OP_CONV2D: return sizeof(lf_conv2d_params);
  case LF_OP_CONV_TRANSPOSE2D: return sizeof(lf_conv_transpose2d_params);
  case LF_OP_DENSE: return sizeof(lf_dense_attrs);
  case LF_OP_BATCHNORM: return sizeof(lf_bn_attrs);
  case LF_OP_LEAKY_RELU: return sizeof(lf_leaky_attrs);
  case LF_OP_MAXPOOL:
  case LF_OP_AVGPOOL: return sizeof(lf_pool_params);
  case LF_OP_UPSAMPLE: return sizeof(lf_upsample_params);
  case LF_OP_DROPOUT: return sizeof(lf_dropout_attrs);
  default: return 0;
  }
}

lf_status lf_graph_copy_params(lf_graph *dst, lf_graph *src, int *copied) {
  int n = 0;
  for (int i = 0; i < lf_graph_param_count(dst); i++) {
    lf_param *d = lf_graph_param(dst, i);
    lf_param *s = lf_graph_find_param(src, d->name);
    if (!s) continue;
    if (s->value.numel != d->value.numel)
      return lf_error(LF_EINVAL, "copy params: %s has %zu values, expected %zu", d->name, s->value.numel,
                      d->value.numel);
    memcpy(d->value.data, s->value.data, sizeof(float) * d->value.numel);
    n++;
  }
  if (copied) *copied = n;
  return LF_OK;
}

/* The QAT node feeding fp node `src` to a consumer: `base` (the fake-quant of
 * the value), through the FP32 graph's dropouts between (one QAT dropout per
 * FP32 dropout, shared by all its consumers: drop_of caches them). */
static int through_dropouts(lf_graph *fp, lf_graph *g, int src, int base, int *drop_of) {
  lf_node *n = lf_graph_node(fp, src);
  if (n->kind != LF_OP_DROPOUT) return base;
  if (drop_of[src] >= 0) return drop_of[src];
  int in = through_dropouts(fp, g, n->inputs[0], base, drop_of);
  if (in < 0) return -1;
  return drop_of[src] = lf_nn_add_node(g, LF_OP_DROPOUT, n->name, &in, 1, n->attrs, sizeof(lf_dropout_attrs));
}

lf_status lf_qat_create(lf_graph *fp, int input_node, int output_node, const lf_qat_opts *opts,
                        lf_qat **out) {
  return lf_qat_create_ex(fp, input_node, output_node, opts, LF_BN_LOWER_DEFAULT, out);
}

lf_status lf_qat_create_ex(lf_graph *fp, int input_node, int output_node, const lf_qat_opts *opts,
                           int bn_lowering, lf_qat **out) {
  static const lf_qat_opts defaults;
  if (!opts) opts = &defaults;
  lf_status st = lq_register_ops();
  if (st != LF_OK) return st;
  lq_plan p;
  int bnl = lq_bn_lowering_resolve(bn_lowering);
  st = lq_plan_build_ex(fp, input_node, output_node, bnl, &p);
  if (st != LF_OK) return st;
  lf_qat *q = calloc(1, sizeof *q);
  int *node_of = calloc((size_t)p.n, sizeof(int)), *leader = malloc(sizeof(int) * (size_t)p.n);
  int *drop_of = malloc(sizeof(int) * (size_t)lf_graph_node_count(fp));
  if (!q || !node_of || !leader || !drop_of || !(q->ctx = calloc(1, sizeof(lq_ctx))) ||
      !(q->fq_of = calloc((size_t)p.n, sizeof(int))) || !(q->names = calloc((size_t)p.n, sizeof *q->names))) {
    st = lf_error(LF_ENOMEM, "qat: out of memory");
    goto fail;
  }
  q->ctx->averaging = opts->averaging > 0 ? opts->averaging : 0.01f;
  q->ctx->float_fq = -1;
  q->ctx->freeze_obs_after = opts->freeze_observers_after;
  q->ctx->freeze_bn_after = opts->freeze_bn_after;
  q->n_values = p.n;
  q->bn_lowering = bnl;
  for (int i = 0; i < lf_graph_node_count(fp); i++) drop_of[i] = -1;
  if ((st = lf_graph_create(&q->g, opts->seed ? opts->seed : 1)) != LF_OK) goto fail;
  lf_graph *g = q->g;
  for (int i = 0; i < p.n; i++) leader[i] = -1;
  char nm[160];
  for (int i = 0; i < p.n && st == LF_OK; i++) {
    lq_op *op = &p.ops[i];
    lf_node *n = lf_graph_node(fp, op->node);
    int ins[64], nin = op->n_in, id = -1;
    if (nin > 64) {
      st = lf_error(LF_EUNSUPPORTED, "qat: %s: more than 64 inputs", n->name);
      break;
    }
    for (int k = 0; k < nin; k++) {
      ins[k] = q->fq_of[op->in[k]];
      /* op->in[k] is the value of n->inputs[k] (LQ_BNADD's is its LQ_BNMUL) */
      if (op->kind != LQ_BNADD && k < n->n_inputs) ins[k] = through_dropouts(fp, g, n->inputs[k], ins[k], drop_of);
    }
    switch (op->kind) {
    case LQ_INPUT:
      id = lf_nn_input(g, n->name, n->h, n->w, n->c);
      q->input = id;
      break;
    case LQ_CONV: {
      lq_conv_attrs a = {q->ctx, *(lf_conv2d_params *)n->attrs, ins[0], -1};
      id = lf_nn_add_node(g, LQK_CONV, n->name, ins, 1, &a, sizeof a);
      if (id >= 0 && op->bn >= 0) {
        lf_node *bn = lf_graph_node(fp, op->bn);
        lf_bn_attrs *ba = bn->attrs;
        lq_bn_attrs b = {q->ctx, ba->eps, ba->momentum, id, -1, 0};
        int bid = lf_nn_add_node(g, LQK_BN, bn->name, &id, 1, &b, sizeof b);
        if (bid >= 0) ((lq_conv_attrs *)lf_graph_node(g, id)->attrs)->bn = bid;
        id = bid;
      }
      break;
    }
    case LQ_AFFINE:
    case LQ_BNMUL: {
      lf_bn_attrs *ba = n->attrs;
      lq_bn_attrs b = {q->ctx, ba->eps, ba->momentum, -1, ins[0], op->kind == LQ_BNMUL};
      id = lf_nn_add_node(g, LQK_BN, n->name, ins, 1, &b, sizeof b);
      break;
    }
    case LQ_BNADD: {
      lq_bnadd_attrs b = {q->ctx, node_of[op->in[0]]};
      snprintf(nm, sizeof nm, "%s.add", n->name);
      id = lf_nn_add_node(g, LQK_BNADD, nm, ins, 1, &b, sizeof b);
      break;
    }
    case LQ_FC: {
      lf_dense_attrs *da = n->attrs;
      lq_dense_attrs a = {q->ctx, da->out_features, da->bias, ins[0]};
      id = lf_nn_add_node(g, LQK_DENSE, n->name, ins, 1, &a, sizeof a);
      break;
    }
    case LQ_TCONV: {
      lq_tconv_attrs a = {q->ctx, *(lf_conv_transpose2d_params *)n->attrs, ins[0], -1};
      id = lf_nn_add_node(g, LQK_TCONV, n->name, ins, 1, &a, sizeof a);
      if (id >= 0 && op->bn >= 0) { /* folded as for conv */
        lf_node *bn = lf_graph_node(fp, op->bn);
        lf_bn_attrs *ba = bn->attrs;
        lq_bn_attrs b = {q->ctx, ba->eps, ba->momentum, id, -1, 0};
        int bid = lf_nn_add_node(g, LQK_BN, bn->name, &id, 1, &b, sizeof b);
        if (bid >= 0) ((lq_tconv_attrs *)lf_graph_node(g, id)->attrs)->bn = bid;
        id = bid;
      }
      break;
    }
    default:
      id = lf_nn_add_node(g, n->kind, n->name, ins, nin, n->attrs, builtin_attrs_size(n->kind));
      break;
    }
    if (st != LF_OK) break;
    if (op->relu && id >= 0) id = lf_nn_relu(g, id, lf_graph_node(fp, op->out_node)->name);
    node_of[i] = id;
    /* fake quant of the value */
    const char *vname = lq_value_name(fp, &p, i);
    snprintf(q->names[i], sizeof q->names[i], "%s", vname);
    snprintf(nm, sizeof nm, "qat.%s", vname);
    int grp = lq_group(&p, i);
    lq_fq_attrs fa = {q->ctx, leader[grp], 0, op->kind == LQ_AVGPOOL, {1.0f, 0}};
    if (op->kind == LQ_LOGISTIC) {
      fa.fixed = 1;
      fa.fq.scale = 1.0f / 256.0f;
      fa.fq.zero_point = -128;
      fa.leader = -1;
    }
    int f = id < 0 ? -1 : lf_nn_add_node(g, LQK_FQ, nm, &id, 1, &fa, sizeof fa);
    if (f >= 0 && leader[grp] < 0 && !fa.fixed) leader[grp] = f;
    q->fq_of[i] = f;
    if (lf_graph_status(g) != LF_OK) st = lf_error(lf_graph_status(g), "qat: %s", lf_graph_error(g));
  }
  if (st == LF_OK) {
    q->output = q->fq_of[p.output];
    st = lf_graph_copy_params(g, fp, NULL);
  }
  if (st == LF_OK) st = lq_exact_build(fp, &p, q->g, q->fq_of, &q->ctx->exact);
  if (st != LF_OK) goto fail;
  free(node_of);
  free(leader);
  free(drop_of);
  lq_plan_free(&p);
  *out = q;
  return LF_OK;
fail:
  free(node_of);
  free(leader);
  free(drop_of);
  lq_plan_free(&p);
  lf_qat_free(q);
  return st;
}

void lf_qat_free(lf_qat *q) {
  if (!q) return;
  lf_graph_free(q->g);
  if (q->ctx) lq_exact_free(q->ctx->exact);
  free(q->ctx);
  free(q->fq_of);
  free(q->names);
  free(q);
}

lf_graph *lf_qat_graph(lf_qat *q) { return q->g; }
int lf_qat_input(const lf_qat *q) { return q->input; }
int lf_qat_bn_lowering(const lf_qat *q) { return q->bn_lowering; }
int lf_qat_output(const lf_qat *q) { return q->output; }
long lf_qat_steps(const lf_qat *q) { return q->ctx->step; }

void lf_qat_step(lf_qat *q) {
  lq_ctx *c = q->ctx;
  c->step++;
  if (c->freeze_obs_after > 0 && c->step >= c->freeze_obs_after) c->obs_frozen = 1;
  if (c->freeze_bn_after > 0 && c->step >= c->freeze_bn_after) c->bn_frozen = 1;
}

void lf_qat_set_step(lf_qat *q, long step) {
  q->ctx->step = step - 1;
  lf_qat_step(q);
}

int lf_qat_value_node(const lf_qat *q, const char *value_name) {
  for (int i = 0; i < q->n_values; i++)
    if (!strcmp(q->names[i], value_name)) return q->fq_of[i];
  return -1;
}

void lf_qat_set_exact(lf_qat *q, int mode) {
  q->ctx->exact_off = !mode;
  q->ctx->exact_ref = mode == 2;
}
int lf_qat_exact(const lf_qat *q) { return q->ctx->exact_off ? 0 : q->ctx->exact_ref ? 2 : 1; }
void lf_qat_set_float_value(lf_qat *q, int fq_node) { q->ctx->float_fq = fq_node; }

void lf_qat_freeze(lf_qat *q, int observers, int bn) {
  if (observers) q->ctx->obs_frozen = 1;
  if (bn) q->ctx->bn_frozen = 1;
}

lf_status lf_qat_ranges(lf_qat *q, lf_qranges *out) {
  for (int i = 0; i < q->n_values; i++) {
    lf_node *n = lf_graph_node(q->g, q->fq_of[i]);
    lq_fq_attrs *a = n->attrs;
    if (a->fixed) continue;
    lf_node *o = a->leader >= 0 ? lf_graph_node(q->g, a->leader) : n;
    if (lf_node_param(q->g, o, 2)->value.data[0] <= 0)
      return lf_error(LF_EINVAL, "qat: %s has not observed any batch", q->names[i]);
    lf_status st = lf_qranges_set(out, q->names[i], lf_node_param(q->g, o, 0)->value.data[0],
                                  lf_node_param(q->g, o, 1)->value.data[0]);
    if (st != LF_OK) return st;
  }
  return LF_OK;
}

lf_status lf_qat_load_observers(lf_qat *q, const char *path, int *loaded) {
  lf_st_file f;
  memset(&f, 0, sizeof f);
  lf_status st = lf_st_open(&f, path);
  if (st != LF_OK) return st;
  int n = 0;
  for (int i = 0; i < lf_graph_param_count(q->g) && st == LF_OK; i++) {
    lf_param *p = lf_graph_param(q->g, i);
    if (strncmp(p->name, "qat.", 4)) continue;
    const lf_st_tensor *t = lf_st_find(&f, p->name);
    if (!t) continue;
    if (t->numel != p->value.numel) {
      st = lf_error(LF_EBADFILE, "%s: %s has %zu values, expected %zu", path, p->name, t->numel, p->value.numel);
      break;
    }
    st = lf_st_to_f32(&f, t, p->value.data, p->value.numel);
    n++;
  }
  lf_st_close(&f);
  if (st != LF_OK) return st;
  /* restored observers continue by moving average (no first-batch widening) */
  for (int i = 0; i < q->n_values && n > 0; i++) lq_fq_mark_seen(q->g, q->fq_of[i]);
  if (loaded) *loaded = n;
  return LF_OK;
}
