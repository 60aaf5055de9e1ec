/* PTQ of an FP32 .tflite, the rewrite: which ops become int8, the shared
 * quantisation of ops that must keep it (TFLite's int8 spec), and the int8
 * model written op by op through the runtime's writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_quant.h"
#include "lfrt_writer.h"
#include "quant/ptq_tflite_internal.h"
#include "quant/qconst.h"
#include "quant/qweights.h"

#define TT(i) (&m->tensors[(i)])

static int is_act(const lfrt_tensor *t) { return !t->data; }
static int is_fconst(const lfrt_tensor *t) { return t->data && t->type == LFRT_FLOAT32; }
static int is_iconst(const lfrt_tensor *t) { return t->data && (t->type == LFRT_INT32 || t->type == LFRT_INT64); }

/* NULL when op can be int8, else why not. */
static const char *why_not_int8(const lfrt_model *m, const lfrt_operator *op) {
  for (int k = 0; k < op->noutputs; k++)
    if (TT(op->outputs[k])->type != LFRT_FLOAT32) return "its output is not FLOAT32";
  for (int k = 0; k < op->ninputs; k++)
    if (op->inputs[k] >= 0 && is_act(TT(op->inputs[k])) && TT(op->inputs[k])->type != LFRT_FLOAT32)
      return "an input is not FLOAT32";
  const int n = op->ninputs;
  const lfrt_tensor *in0 = n > 0 && op->inputs[0] >= 0 ? TT(op->inputs[0]) : NULL;
  switch (op->op) {
  case LFRT_OP_CONV_2D:
  case LFRT_OP_DEPTHWISE_CONV_2D:
  case LFRT_OP_FULLY_CONNECTED:
    if (!in0 || !is_act(in0) || !is_fconst(TT(op->inputs[1]))) return "its weights are not a FLOAT32 constant";
    if (n > 2 && op->inputs[2] >= 0 && !is_fconst(TT(op->inputs[2]))) return "its bias is not a FLOAT32 constant";
    return NULL;
  case LFRT_OP_TRANSPOSE_CONV:
    if (!is_iconst(TT(op->inputs[0])) || !is_fconst(TT(op->inputs[1])) || !is_act(TT(op->inputs[2])))
      return "its weights are not a FLOAT32 constant";
    if (n > 3 && op->inputs[3] >= 0 && !is_fconst(TT(op->inputs[3]))) return "its bias is not a FLOAT32 constant";
    return NULL;
  case LFRT_OP_ADD:
  case LFRT_OP_MUL:
    if (!is_act(TT(op->inputs[0])) && !is_act(TT(op->inputs[1]))) return "both operands are constants";
    return NULL;
  case LFRT_OP_CONCATENATION:
    for (int k = 0; k < n; k++)
      if (!is_act(TT(op->inputs[k]))) return "an input is a constant";
    return NULL;
  case LFRT_OP_AVERAGE_POOL_2D:
  case LFRT_OP_MAX_POOL_2D:
  case LFRT_OP_RELU:
  case LFRT_OP_RELU6:
  case LFRT_OP_LOGISTIC:
  case LFRT_OP_SOFTMAX:
  case LFRT_OP_MEAN:
  case LFRT_OP_PAD:
  case LFRT_OP_RESHAPE:
  case LFRT_OP_RESIZE_BILINEAR:
  case LFRT_OP_RESIZE_NEAREST_NEIGHBOR:
    if (!in0 || !is_act(in0)) return "its input is a constant";
    for (int k = 1; k < n; k++)
      if (op->inputs[k] >= 0 && !is_iconst(TT(op->inputs[k]))) return "a parameter input is not an integer constant";
    return NULL;
  default:
    return "leapfrog has no int8 form of this op";
  }
}

lf_status lq_tfl_plan(const lfrt_model *m, int allow_float, const char *name, signed char *mode) {
  for (int i = 0; i < m->nops; i++) {
    const lfrt_operator *op = &m->ops[i];
    if (op->op == LFRT_OP_DEQUANTIZE && op->noutputs == 1 && TT(op->outputs[0])->folded) {
      mode[i] = LQ_TFL_DROP;
      continue;
    }
    const char *why = why_not_int8(m, op);
    mode[i] = why ? LQ_TFL_FLOAT : LQ_TFL_INT8;
    if (why && !allow_float)
      return lf_error(LF_EUNSUPPORTED,
                      "%s: op %d (%s, output '%s') cannot be quantized: %s (--allow-float keeps it FLOAT32 "
                      "between DEQUANTIZE and QUANTIZE)",
                      name, i, lfrt_op_name(op->op) ? lfrt_op_name(op->op) : "?",
                      op->noutputs ? TT(op->outputs[0])->name : "", why);
  }
  return LF_OK;
}

/* ---- quantisation of the activations ---- */
static int find(int *par, int t) {
  while (par[t] != t) t = par[t] = par[par[t]];
  return t;
}

/* qp[t] for every FLOAT32 activation: groups that must share (union of their
 * ranges), SOFTMAX/LOGISTIC outputs fixed at 1/256, -128. */
static lf_status act_qparams(const lfrt_model *m, const signed char *mode, const float *tmin, const float *tmax,
                             lf_qparams *qp) {
  int nt = m->ntensors;
  int *par = malloc(sizeof(int) * (size_t)nt);
  char *fixed = calloc((size_t)nt, 1);
  float *gmin = malloc(sizeof(float) * (size_t)nt), *gmax = malloc(sizeof(float) * (size_t)nt);
  lf_status st = LF_OK;
  if (!par || !fixed || !gmin || !gmax) st = lf_error(LF_ENOMEM, "ptq: out of memory");
  for (int t = 0; !st && t < nt; t++) par[t] = t, gmin[t] = INFINITY, gmax[t] = -INFINITY;
  for (int i = 0; !st && i < m->nops; i++) {
    const lfrt_operator *op = &m->ops[i];
    if (mode[i] != LQ_TFL_INT8) continue;
    int y = op->outputs[0], share = 0, nin = 1;
    switch (op->op) {
    case LFRT_OP_CONCATENATION: share = 1, nin = op->ninputs; break;
    case LFRT_OP_AVERAGE_POOL_2D: case LFRT_OP_MAX_POOL_2D: case LFRT_OP_PAD: case LFRT_OP_RESHAPE:
    case LFRT_OP_RESIZE_BILINEAR: case LFRT_OP_RESIZE_NEAREST_NEIGHBOR: share = 1; break;
    case LFRT_OP_SOFTMAX: case LFRT_OP_LOGISTIC: fixed[y] = 1; break;
    default: break;
    }
    for (int k = 0; share && k < nin; k++) {
      int a = find(par, op->inputs[k]), b = find(par, y);
      if (a != b) par[a] = b;
    }
  }
  for (int t = 0; !st && t < nt; t++) {
    if (!is_act(TT(t)) || TT(t)->type != LFRT_FLOAT32) continue;
    int r = find(par, t);
    if (fixed[t]) fixed[r] = 1;
    if (tmin[t] < gmin[r]) gmin[r] = tmin[t];
    if (tmax[t] > gmax[r]) gmax[r] = tmax[t];
  }
  for (int t = 0; !st && t < nt; t++) {
    if (!is_act(TT(t)) || TT(t)->type != LFRT_FLOAT32) continue;
    int r = find(par, t);
    if (fixed[r]) {
      qp[t].scale = 1.0f / 256.0f;
      qp[t].zero_point = -128;
      continue;
    }
    float lo = gmin[r], hi = gmax[r];
    if (!(lo <= hi)) lo = hi = 0.0f; /* never observed: the floor scale */
    st = lf_qparams_asym(lo, hi, LF_QMIN_ACT, LF_QMAX_ACT, &qp[t], NULL, NULL);
    if (st) st = lf_error_prefix(st, "ptq: tensor '%s': ", TT(t)->name);
  }
  free(par);
  free(fixed);
  free(gmin);
  free(gmax);
  return st;
}

/* ---- the writer ---- */
typedef struct {
  const lfrt_model *m;
  lfrt_writer *w;
  const lf_qparams *qp;
  int *qt, *ft, *ct; /* per tensor of m: its int8 version, its version as in m, a copied constant */
} pw;

static lf_status werr(pw *c, const char *what) {
  return lf_error(LF_EINVAL, "ptq: writing '%s': %s", what, lfrt_writer_error(c->w));
}

static int add_q(pw *c, const char *name, const lfrt_tensor *t, lfrt_type type, const lf_qparams *qp) {
  lfrt_quant q = {1, &qp->scale, &qp->zero_point, 0};
  return lfrt_writer_add_tensor(c->w, name, type, t->ndim, t->shape, NULL, 0, &q);
}

static int suffixed(pw *c, const lfrt_tensor *t, const char *sfx, lfrt_type type, const lf_qparams *qp) {
  char nm[256];
  snprintf(nm, sizeof nm, "%.200s%s", t->name, sfx);
  if (qp) return add_q(c, nm, t, type, qp);
  return lfrt_writer_add_tensor(c->w, nm, type, t->ndim, t->shape, NULL, 0, NULL);
}

/* Tensor t of m as int8 (a QUANTIZE of its float version the first time). */
static int need_q(pw *c, int t) {
  if (c->qt[t] >= 0) return c->qt[t];
  if (c->ft[t] < 0) return -1;
  int q = suffixed(c, &c->m->tensors[t], "_int8", LFRT_INT8, &c->qp[t]);
  int32_t ins[1] = {c->ft[t]}, outs[1] = {q};
  if (q < 0 || lfrt_writer_add_operator(c->w, LFRT_OP_QUANTIZE, ins, 1, outs, 1, NULL) < 0) return -1;
  return c->qt[t] = q;
}

/* Tensor t of m as m holds it (FLOAT32 activations: a DEQUANTIZE of the int8 version). */
static int need_f(pw *c, int t) {
  if (c->ft[t] >= 0) return c->ft[t];
  if (c->qt[t] < 0) return -1;
  int f = suffixed(c, &c->m->tensors[t], "_float", LFRT_FLOAT32, NULL);
  int32_t ins[1] = {c->qt[t]}, outs[1] = {f};
  if (f < 0 || lfrt_writer_add_operator(c->w, LFRT_OP_DEQUANTIZE, ins, 1, outs, 1, NULL) < 0) return -1;
  return c->ft[t] = f;
}

/* A constant of m copied as is (once). */
static int copy_const(pw *c, int t) {
  const lfrt_tensor *x = &c->m->tensors[t];
  if (c->ct[t] < 0)
    c->ct[t] = lfrt_writer_add_tensor(c->w, x->name, x->type, x->ndim, x->shape, x->data, x->bytes,
                                      x->quant.count ? &x->quant : NULL);
  return c->ct[t];
}

/* Weights int8 symmetric per channel along `axis` (0 or the last); scales[shape[axis]]. */
static lf_status weights_q(pw *c, int t, int axis, float *scales, int *out) {
  const lfrt_tensor *x = &c->m->tensors[t];
  int O = x->shape[axis];
  size_t cnt = (size_t)x->count, per = cnt / (size_t)O;
  const float *w = x->data;
  float *tw = axis ? malloc(sizeof(float) * cnt) : NULL;
  int8_t *q = malloc(cnt), *qa = axis ? malloc(cnt) : q;
  int32_t *zp = calloc((size_t)O, sizeof(int32_t));
  lf_status st = (q && qa && zp && (!axis || tw)) ? LF_OK : lf_error(LF_ENOMEM, "ptq: out of memory");
  if (!st && axis) { /* [per][O] -> [O][per] */
    for (size_t i = 0; i < per; i++)
      for (int o = 0; o < O; o++) tw[(size_t)o * per + i] = w[i * (size_t)O + o];
    w = tw;
  }
  if (!st && (st = lq_quant_weights_pc(w, O, per, qa, scales)))
    st = lf_error_prefix(st, "ptq: weights '%s': ", x->name);
  if (!st && axis)
    for (size_t i = 0; i < per; i++)
      for (int o = 0; o < O; o++) q[i * (size_t)O + o] = qa[(size_t)o * per + i];
  if (!st) {
    lfrt_quant qq = {O, scales, zp, axis};
    *out = lfrt_writer_add_tensor(c->w, x->name, LFRT_INT8, x->ndim, x->shape, q, cnt, &qq);
    if (*out < 0) st = werr(c, x->name);
  }
  if (qa != q) free(qa);
  free(q);
  free(tw);
  free(zp);
  return st;
}

/* Bias int32 at in_scale * w_scales[o]. */
static lf_status bias_q(pw *c, int t, int O, float in_scale, const float *w_scales, int *out) {
  const lfrt_tensor *x = &c->m->tensors[t];
  if (x->count != O) return lf_error(LF_EUNSUPPORTED, "ptq: bias '%s' has %lld values for %d channels", x->name, (long long)x->count, O);
  int32_t *q = malloc(sizeof(int32_t) * (size_t)O), *zp = calloc((size_t)O, sizeof(int32_t));
  float *s = malloc(sizeof(float) * (size_t)O);
  lf_status st = q && zp && s ? LF_OK : lf_error(LF_ENOMEM, "ptq: out of memory");
  if (!st) {
    lq_quant_bias_pc(x->data, O, in_scale, w_scales, q, s);
    lfrt_quant qq = {O, s, zp, 0};
    *out = lfrt_writer_add_tensor(c->w, x->name, LFRT_INT32, x->ndim, x->shape, q, sizeof(int32_t) * (size_t)O, &qq);
    if (*out < 0) st = werr(c, x->name);
  }
  free(q);
  free(zp);
  free(s);
  return st;
}

/* A constant operand of ADD/MUL: int8 asymmetric per tensor over [min(v,0), max(v,0)]. */
static lf_status operand_q(pw *c, int t, int *out) {
  const lfrt_tensor *x = &c->m->tensors[t];
  const float *v = x->data;
  lf_qparams qp;
  int8_t *q = malloc((size_t)x->count);
  lf_status st = q ? lq_const_qparams(v, (int)x->count, &qp) : lf_error(LF_ENOMEM, "ptq: out of memory");
  if (st) {
    free(q);
    return lf_error_prefix(st, "ptq: constant '%s': ", x->name);
  }
  for (int64_t k = 0; k < x->count; k++) q[k] = (int8_t)lq_const_quant(v[k], qp);
  lfrt_quant qq = {1, &qp.scale, &qp.zero_point, 0};
  *out = lfrt_writer_add_tensor(c->w, x->name, LFRT_INT8, x->ndim, x->shape, q, (size_t)x->count, &qq);
  free(q);
  return *out < 0 ? werr(c, x->name) : LF_OK;
}

static lf_status emit_int8(pw *c, int i) {
  const lfrt_model *m = c->m;
  const lfrt_operator *op = &m->ops[i];
  int32_t ins[64];
  if (op->ninputs > 64) return lf_error(LF_EUNSUPPORTED, "ptq: op %d has %d inputs (at most 64)", i, op->ninputs);
  lf_status st = LF_OK;
  float *scales = NULL;
  int wk = -1, bk = -1, xk = 0; /* weight / bias / data input positions of conv-like ops */
  int axis = 0;
  switch (op->op) {
  case LFRT_OP_CONV_2D: case LFRT_OP_FULLY_CONNECTED: wk = 1, bk = 2; break;
  case LFRT_OP_DEPTHWISE_CONV_2D: wk = 1, bk = 2, axis = 3; break;
  case LFRT_OP_TRANSPOSE_CONV: wk = 1, bk = 3, xk = 2; break;
  default: break;
  }
  if (wk >= 0 && axis >= TT(op->inputs[wk])->ndim) return lf_error(LF_EUNSUPPORTED, "ptq: weights '%s' are not 4-D", TT(op->inputs[wk])->name);
  for (int k = 0; !st && k < op->ninputs; k++) {
    int t = op->inputs[k];
    ins[k] = -1;
    if (t < 0) continue;
    const lfrt_tensor *x = TT(t);
    if (is_act(x)) {
      if ((ins[k] = need_q(c, t)) < 0) st = werr(c, x->name);
    } else if (k == wk) {
      int O = x->shape[axis];
      if (!(scales = malloc(sizeof(float) * (size_t)O))) st = lf_error(LF_ENOMEM, "ptq: out of memory");
      else st = weights_q(c, t, axis, scales, &ins[k]);
    } else if (k == bk) {
      /* handled below, once the weight scales are known (the bias follows the weights) */
    } else if (is_fconst(x)) {
      st = operand_q(c, t, &ins[k]);
    } else if ((ins[k] = copy_const(c, t)) < 0) {
      st = werr(c, x->name);
    }
  }
  if (!st && bk >= 0 && bk < op->ninputs && op->inputs[bk] >= 0) {
    const lfrt_tensor *w = TT(op->inputs[wk]);
    st = bias_q(c, op->inputs[bk], w->shape[axis], c->qp[op->inputs[xk]].scale, scales, &ins[bk]);
  }
  free(scales);
  if (st) return st;
  int y = op->outputs[0];
  int out = add_q(c, TT(y)->name, TT(y), LFRT_INT8, &c->qp[y]);
  int32_t outs[1] = {out};
  if (out < 0 || lfrt_writer_add_operator(c->w, op->op, ins, op->ninputs, outs, 1, &op->opt) < 0) return werr(c, TT(y)->name);
  c->qt[y] = out;
  return LF_OK;
}

static lf_status emit_float(pw *c, int i) {
  const lfrt_model *m = c->m;
  const lfrt_operator *op = &m->ops[i];
  int32_t ins[64], outs[64];
  if (op->ninputs > 64 || op->noutputs > 64) return lf_error(LF_EUNSUPPORTED, "ptq: op %d has more than 64 inputs or outputs", i);
  for (int k = 0; k < op->ninputs; k++) {
    int t = op->inputs[k];
    ins[k] = t < 0 ? -1 : is_act(TT(t)) ? need_f(c, t) : copy_const(c, t);
    if (t >= 0 && ins[k] < 0) return werr(c, TT(t)->name);
  }
  for (int k = 0; k < op->noutputs; k++) {
    const lfrt_tensor *y = TT(op->outputs[k]);
    outs[k] = lfrt_writer_add_tensor(c->w, y->name, y->type, y->ndim, y->shape, NULL, 0, y->quant.count ? &y->quant : NULL);
    if (outs[k] < 0) return werr(c, y->name);
    c->ft[op->outputs[k]] = outs[k];
  }
  if (lfrt_writer_add_operator(c->w, op->op, ins, op->ninputs, outs, op->noutputs, &op->opt) < 0)
    return werr(c, lfrt_op_name(op->op) ? lfrt_op_name(op->op) : "op");
  return LF_OK;
}

/* Model inputs in the io type; outputs converted to it at the end. */
static lf_status emit_inputs(pw *c, lf_ptq_io io, int32_t *ins) {
  const lfrt_model *m = c->m;
  for (int k = 0; k < m->ninputs; k++) {
    int t = m->inputs[k];
    const lfrt_tensor *x = TT(t);
    if (x->type != LFRT_FLOAT32 || io == LF_PTQ_IO_FLOAT) {
      ins[k] = c->ft[t] = lfrt_writer_add_tensor(c->w, x->name, x->type, x->ndim, x->shape, NULL, 0, NULL);
    } else {
      ins[k] = c->qt[t] = add_q(c, x->name, x, LFRT_INT8, &c->qp[t]);
      if (io == LF_PTQ_IO_UINT8 && c->qt[t] >= 0) {
        lf_qparams u = c->qp[t];
        u.zero_point += 128;
        ins[k] = suffixed(c, x, "_uint8", LFRT_UINT8, &u);
        int32_t a[1] = {ins[k]}, b[1] = {c->qt[t]};
        if (ins[k] < 0 || lfrt_writer_add_operator(c->w, LFRT_OP_QUANTIZE, a, 1, b, 1, NULL) < 0) ins[k] = -1;
      }
    }
    if (ins[k] < 0) return werr(c, x->name);
  }
  return LF_OK;
}

static lf_status emit_outputs(pw *c, lf_ptq_io io, int32_t *outs) {
  const lfrt_model *m = c->m;
  for (int k = 0; k < m->noutputs; k++) {
    int t = m->outputs[k];
    const lfrt_tensor *x = TT(t);
    if (x->type != LFRT_FLOAT32 || io == LF_PTQ_IO_FLOAT) outs[k] = need_f(c, t);
    else {
      outs[k] = need_q(c, t);
      if (io == LF_PTQ_IO_UINT8 && outs[k] >= 0) {
        lf_qparams u = c->qp[t];
        u.zero_point += 128;
        int o = suffixed(c, x, "_uint8", LFRT_UINT8, &u);
        int32_t a[1] = {outs[k]}, b[1] = {o};
        outs[k] = o < 0 || lfrt_writer_add_operator(c->w, LFRT_OP_QUANTIZE, a, 1, b, 1, NULL) < 0 ? -1 : o;
      }
    }
    if (outs[k] < 0) return werr(c, x->name);
  }
  return LF_OK;
}

lf_status lq_tfl_write(const lfrt_model *m, const signed char *mode, const float *tmin, const float *tmax,
                       lf_ptq_io io, const char *meta_json, void **bytes, size_t *len, int *n_int8, int *n_float) {
  size_t nt = (size_t)(m->ntensors > 0 ? m->ntensors : 1);
  pw c;
  memset(&c, 0, sizeof c);
  c.m = m;
  lf_qparams *qp = calloc(nt, sizeof *qp);
  c.qt = malloc(sizeof(int) * nt);
  c.ft = malloc(sizeof(int) * nt);
  c.ct = malloc(sizeof(int) * nt);
  int32_t *ins = malloc(sizeof(int32_t) * (size_t)(m->ninputs + 1)), *outs = malloc(sizeof(int32_t) * (size_t)(m->noutputs + 1));
  c.w = lfrt_writer_new();
  c.qp = qp;
  lf_status st = qp && c.qt && c.ft && c.ct && ins && outs && c.w ? LF_OK : lf_error(LF_ENOMEM, "ptq: out of memory");
  for (size_t t = 0; !st && t < nt; t++) c.qt[t] = c.ft[t] = c.ct[t] = -1;
  if (!st) st = act_qparams(m, mode, tmin, tmax, qp);
  if (!st) st = emit_inputs(&c, io, ins);
  *n_int8 = *n_float = 0;
  for (int i = 0; !st && i < m->nops; i++) {
    if (mode[i] == LQ_TFL_DROP) continue;
    st = mode[i] == LQ_TFL_INT8 ? emit_int8(&c, i) : emit_float(&c, i);
    ++*(mode[i] == LQ_TFL_INT8 ? n_int8 : n_float);
  }
  if (!st) st = emit_outputs(&c, io, outs);
  for (int k = 0; !st && k < m->nmetadata; k++) {
    const lfrt_metadata *md = &m->metadata[k];
    if (strcmp(md->name, "leapfrog") && lfrt_writer_add_metadata(c.w, md->name, md->data, md->bytes) != LFRT_OK)
      st = werr(&c, md->name);
  }
  if (!st && meta_json && lfrt_writer_add_metadata(c.w, "leapfrog", meta_json, strlen(meta_json)) != LFRT_OK)
    st = werr(&c, "leapfrog metadata");
  if (!st && (lfrt_writer_set_io(c.w, ins, m->ninputs, outs, m->noutputs) != LFRT_OK ||
              lfrt_writer_set_description(c.w, "leapfrog ptq") != LFRT_OK ||
              (m->subgraph_name[0] && lfrt_writer_set_subgraph_name(c.w, m->subgraph_name) != LFRT_OK)))
    st = werr(&c, "model");
  if (!st) {
    lfrt_error e;
    if (lfrt_writer_finish(c.w, bytes, len, &e) != LFRT_OK) st = lf_error(LF_EINVAL, "ptq: writing the flatbuffer: %s", e.msg);
  }
  lfrt_writer_free(c.w);
  free(qp);
  free(c.qt);
  free(c.ft);
  free(c.ct);
  free(ins);
  free(outs);
  return st;
}
