/* Graph -> .tflite (FP32 or fully int8) through the runtime's writer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_convert.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_oppoints.h"
#include "leapfrog/lf_quant.h"
#include "lfrt_writer.h"
#include "nn/nn_internal.h"
#include "quant/qconst.h"
#include "quant/qconv_util.h"
#include "quant/qplan.h"
#include "quant/qweights.h"

typedef struct {
  lf_graph *g;
  lq_plan *p;
  const lf_convert_opts *o;
  lfrt_writer *w;
  int int8;
  int bn_lowering; /* resolved */
  int batch;       /* dim 0 of every activation tensor */
  int *tensor;     /* per op: TFLite tensor of its output */
  int *ndim;       /* per op: rank of that tensor */
  int32_t (*shape)[4];
  lf_qparams *gq;  /* per op: its quantisation (group's) */
} cv;

static lfrt_quant q1(const lf_qparams *qp) {
  lfrt_quant q = {1, &qp->scale, &qp->zero_point, 0};
  return q;
}

static lf_status werr(cv *c, const char *what) {
  return lf_error(LF_EINVAL, "convert: %s: %s", what, lfrt_writer_error(c->w));
}

/* Activation tensor with op i's quantisation. */
static int act_tensor(cv *c, const char *name, int ndim, const int32_t *shape, int qop) {
  lfrt_quant q = c->int8 ? q1(&c->gq[qop]) : (lfrt_quant){0, NULL, NULL, 0};
  return lfrt_writer_add_tensor(c->w, name, c->int8 ? LFRT_INT8 : LFRT_FLOAT32, ndim, shape, NULL, 0,
                                c->int8 ? &q : NULL);
}

static int const_i32(cv *c, const char *name, int n, const int32_t *v) {
  int32_t shp[1] = {n};
  return lfrt_writer_add_tensor(c->w, name, LFRT_INT32, 1, shp, v, sizeof(int32_t) * (size_t)n, NULL);
}

/* torch explicit padding -> TFLite SAME/VALID, or -1 if neither matches. */
static int pad_mode(int in, int k, int s, int d, int pb, int pe) {
  if (d < 1) d = 1;
  int eff = (k - 1) * d + 1;
  int out = (in + pb + pe - eff) / s + 1;
  if (pb == 0 && pe == 0 && out == (in - eff + s) / s) return LFRT_PADDING_VALID;
  int sout = (in + s - 1) / s;
  int total = (sout - 1) * s + eff - in;
  if (total < 0) total = 0;
  if (out == sout && pb == total / 2 && pe == total - total / 2) return LFRT_PADDING_SAME;
  return -1;
}

/* Emits PAD (zeros = the zero point) in front of op `opi`'s input 0; returns
 * the padded tensor and its h/w. */
static int emit_pad(cv *c, int opi, int in_op, int pt, int pb, int pl, int pr, int32_t *oh, int32_t *ow) {
  char nm[160];
  const char *base = lf_graph_node(c->g, c->p->ops[opi].node)->name;
  int32_t pads[8] = {0, 0, pt, pb, pl, pr, 0, 0}, pshape[2] = {4, 2};
  snprintf(nm, sizeof nm, "%s/paddings", base);
  int pz = lfrt_writer_add_tensor(c->w, nm, LFRT_INT32, 2, pshape, pads, sizeof pads, NULL);
  int32_t *is = c->shape[in_op];
  int32_t shp[4] = {c->batch, is[1] + pt + pb, is[2] + pl + pr, is[3]};
  snprintf(nm, sizeof nm, "%s/pad", base);
  int t = act_tensor(c, nm, 4, shp, in_op);
  int32_t ins[2] = {c->tensor[in_op], pz}, outs[1] = {t};
  if (lfrt_writer_add_operator(c->w, LFRT_OP_PAD, ins, 2, outs, 1, NULL) < 0) return -1;
  *oh = shp[1];
  *ow = shp[2];
  return t;
}

/* Weights [O][...per] (already folded, float) -> tensor; int8: per-channel
 * symmetric along `axis` with the same rounding as QAT's fake quant. For
 * depthwise the channel is the innermost dim (axis 3): the caller passes the
 * weights channel-major and `inner` = 1 to transpose back. */
static int weight_tensor(cv *c, const char *name, const float *w, int O, size_t per, int ndim,
                         const int32_t *shape, int axis, float *scales) {
  if (!c->int8) {
    if (axis == 0)
      return lfrt_writer_add_tensor(c->w, name, LFRT_FLOAT32, ndim, shape, w, sizeof(float) * (size_t)O * per, NULL);
    float *t = malloc(sizeof(float) * (size_t)O * per); /* [O][per] -> [per][O] */
    if (!t) return -1;
    for (int o = 0; o < O; o++)
      for (size_t i = 0; i < per; i++) t[i * (size_t)O + o] = w[(size_t)o * per + i];
    int id = lfrt_writer_add_tensor(c->w, name, LFRT_FLOAT32, ndim, shape, t, sizeof(float) * (size_t)O * per, NULL);
    free(t);
    return id;
  }
  int8_t *q = malloc((size_t)O * per), *qa = axis == 0 ? q : malloc((size_t)O * per);
  int32_t *zp = calloc((size_t)O, sizeof(int32_t));
  if (!q || !qa || !zp || lq_quant_weights_pc(w, O, per, qa, scales) != LF_OK) {
    if (qa != q) free(qa);
    free(q);
    free(zp);
    return -1;
  }
  if (qa != q) { /* axis last: [per][O] */
    for (int o = 0; o < O; o++)
      for (size_t i = 0; i < per; i++) q[i * (size_t)O + o] = qa[(size_t)o * per + i];
    free(qa);
  }
  lfrt_quant qq = {O, scales, zp, axis};
  int t = lfrt_writer_add_tensor(c->w, name, LFRT_INT8, ndim, shape, q, (size_t)O * per, &qq);
  free(q);
  free(zp);
  return t;
}

static int bias_tensor(cv *c, const char *name, const float *b, int O, float in_scale, const float *wscales) {
  int32_t shp[1] = {O};
  if (!c->int8) return lfrt_writer_add_tensor(c->w, name, LFRT_FLOAT32, 1, shp, b, sizeof(float) * (size_t)O, NULL);
  int32_t *q = malloc(sizeof(int32_t) * (size_t)O), *zp = calloc((size_t)O, sizeof(int32_t));
  float *s = malloc(sizeof(float) * (size_t)O);
  if (!q || !zp || !s) {
    free(q);
    free(zp);
    free(s);
    return -1;
  }
  lq_quant_bias_pc(b, O, in_scale, wscales, q, s);
  lfrt_quant qq = {O, s, zp, 0};
  int t = lfrt_writer_add_tensor(c->w, name, LFRT_INT32, 1, shp, q, sizeof(int32_t) * (size_t)O, &qq);
  free(q);
  free(zp);
  free(s);
  return t;
}

/* CONV, TCONV, AFFINE, FC: weights folded, bias, op. */
static lf_status emit_weighted(cv *c, int i) {
  lq_op *op = &c->p->ops[i];
  lf_node *n = lf_graph_node(c->g, op->node);
  int in_op = op->in[0];
  int32_t *is = c->shape[in_op];
  char nm[160], bnm[160];
  snprintf(nm, sizeof nm, "%s/weights", n->name);
  snprintf(bnm, sizeof bnm, "%s/bias", n->name);
  int O = n->c;
  float *mul = malloc(sizeof(float) * (size_t)O), *add = malloc(sizeof(float) * (size_t)O),
        *scales = malloc(sizeof(float) * (size_t)O);
  float *wf = NULL;
  lf_status st = (mul && add && scales) ? lq_fold_factors(c->g, op, O, mul, add)
                                        : lf_error(LF_ENOMEM, "convert: out of memory");
  int in_t = c->tensor[in_op], wt = -1, bt = -1, out_t = -1;
  lfrt_options opt;
  memset(&opt, 0, sizeof opt);
  lfrt_op code = LFRT_OP_CONV_2D;
  int32_t oshape[4] = {c->batch, n->h, n->w, n->c};
  int ondim = 4;
  if (st != LF_OK) goto done;
  const float in_scale = c->int8 ? c->gq[in_op].scale : 1.0f;
  if (op->kind == LQ_AFFINE) {
    int32_t ws[4] = {1, 1, 1, O};
    wt = weight_tensor(c, nm, mul, O, 1, 4, ws, 3, scales);
    code = LFRT_OP_DEPTHWISE_CONV_2D;
    opt.depthwise.padding = LFRT_PADDING_VALID;
    opt.depthwise.stride_w = opt.depthwise.stride_h = 1;
    opt.depthwise.dilation_w = opt.depthwise.dilation_h = 1;
    opt.depthwise.depth_multiplier = 1;
    opt.depthwise.activation = op->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE;
  } else if (op->kind == LQ_FC) {
    lf_param *w = lf_node_param(c->g, n, 0);
    size_t per = w->value.numel / (size_t)O;
    int32_t ws[2] = {O, (int32_t)per};
    wt = weight_tensor(c, nm, w->value.data, O, per, 2, ws, 0, scales);
    code = LFRT_OP_FULLY_CONNECTED;
    opt.fc.activation = op->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE;
    ondim = 2;
    oshape[1] = O;
  } else if (op->kind == LQ_CONV) {
    lf_conv2d_params *cp = n->attrs;
    int groups = cp->groups < 1 ? 1 : cp->groups, dh = cp->dil_h < 1 ? 1 : cp->dil_h, dw = cp->dil_w < 1 ? 1 : cp->dil_w;
    int I = is[3];
    int depthwise = groups > 1; /* groups == I (qplan refuses other groupings); multiplier O / I */
    if (depthwise && !(groups == I && O % I == 0)) {
      st = lf_error(LF_EUNSUPPORTED, "convert: %s: grouped conv (groups %d) other than depthwise", n->name, groups);
      goto done;
    }
    int mh = pad_mode(is[1], cp->kh, cp->stride_h, dh, cp->pad_top, cp->pad_bottom);
    int mw = pad_mode(is[2], cp->kw, cp->stride_w, dw, cp->pad_left, cp->pad_right);
    lfrt_padding pm = LFRT_PADDING_VALID;
    if (mh >= 0 && mh == mw) pm = (lfrt_padding)mh;
    else if (dh == 1 && dw == 1) {
      int32_t ph, pw;
      in_t = emit_pad(c, i, in_op, cp->pad_top, cp->pad_bottom, cp->pad_left, cp->pad_right, &ph, &pw);
      if (in_t < 0) { st = werr(c, n->name); goto done; }
    } else {
      st = lf_error(LF_EUNSUPPORTED, "convert: %s: padding with dilation", n->name);
      goto done;
    }
    lf_param *w = lf_node_param(c->g, n, 0);
    size_t per = w->value.numel / (size_t)O;
    wf = malloc(sizeof(float) * w->value.numel);
    if (!wf) { st = lf_error(LF_ENOMEM, "convert: out of memory"); goto done; }
    for (int o = 0; o < O; o++)
      for (size_t k = 0; k < per; k++) wf[(size_t)o * per + k] = w->value.data[(size_t)o * per + k] * mul[o];
    if (depthwise) {
      int32_t ws[4] = {1, cp->kh, cp->kw, O};
      wt = weight_tensor(c, nm, wf, O, per, 4, ws, 3, scales);
      code = LFRT_OP_DEPTHWISE_CONV_2D;
      opt.depthwise.padding = pm;
      opt.depthwise.stride_h = cp->stride_h;
      opt.depthwise.stride_w = cp->stride_w;
      opt.depthwise.dilation_h = dh;
      opt.depthwise.dilation_w = dw;
      opt.depthwise.depth_multiplier = O / I;
      opt.depthwise.activation = op->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE;
    } else {
      int32_t ws[4] = {O, cp->kh, cp->kw, I};
      wt = weight_tensor(c, nm, wf, O, per, 4, ws, 0, scales);
      opt.conv.padding = pm;
      opt.conv.stride_h = cp->stride_h;
      opt.conv.stride_w = cp->stride_w;
      opt.conv.dilation_h = dh;
      opt.conv.dilation_w = dw;
      opt.conv.activation = op->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE;
    }
  } else { /* LQ_TCONV */
    lf_conv_transpose2d_params *tp = n->attrs;
    if ((tp->groups > 1) || tp->dil_h > 1 || tp->dil_w > 1) {
      st = lf_error(LF_EUNSUPPORTED, "convert: %s: grouped/dilated transposed conv", n->name);
      goto done;
    }
    int modes[2] = {LFRT_PADDING_VALID, LFRT_PADDING_SAME}, pm = -1;
    for (int k = 0; k < 2 && pm < 0; k++) {
      int ok = 1;
      for (int ax = 0; ax < 2; ax++) {
        int out = ax ? n->w : n->h, kk = ax ? tp->kw : tp->kh, s = ax ? tp->stride_w : tp->stride_h;
        int pb = ax ? tp->pad_left : tp->pad_top;
        int o2 = modes[k] == LFRT_PADDING_VALID ? (out - kk + s) / s : (out + s - 1) / s;
        int total = (o2 - 1) * s + kk - out;
        if (total < 0) total = 0;
        int in = ax ? is[2] : is[1];
        if (total / 2 != pb || o2 != in) ok = 0;
      }
      if (ok) pm = modes[k];
    }
    if (pm < 0) {
      st = lf_error(LF_EUNSUPPORTED, "convert: %s: transposed-conv padding has no TFLite equivalent", n->name);
      goto done;
    }
    /* engine IHWO [I][kh][kw][O] -> TFLite OHWI, folded per O */
    lf_param *w = lf_node_param(c->g, n, 0);
    int I = is[3], K = tp->kh * tp->kw;
    size_t per = (size_t)K * I;
    wf = malloc(sizeof(float) * w->value.numel);
    if (!wf) { st = lf_error(LF_ENOMEM, "convert: out of memory"); goto done; }
    for (int ii = 0; ii < I; ii++)
      for (int k = 0; k < K; k++)
        for (int o = 0; o < O; o++)
          wf[((size_t)o * K + k) * I + ii] = w->value.data[((size_t)ii * K + k) * O + o] * mul[o];
    int32_t ws[4] = {O, tp->kh, tp->kw, I};
    wt = weight_tensor(c, nm, wf, O, per, 4, ws, 0, scales);
    code = LFRT_OP_TRANSPOSE_CONV;
    opt.transpose_conv.padding = (lfrt_padding)pm;
    opt.transpose_conv.stride_h = tp->stride_h;
    opt.transpose_conv.stride_w = tp->stride_w;
    opt.transpose_conv.activation = op->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE;
  }
  if (wt < 0) { st = werr(c, n->name); goto done; }
  bt = bias_tensor(c, bnm, add, O, in_scale, scales);
  out_t = act_tensor(c, lf_graph_node(c->g, op->out_node)->name, ondim, oshape, i);
  if (bt < 0 || out_t < 0) { st = werr(c, n->name); goto done; }
  if (code == LFRT_OP_TRANSPOSE_CONV) {
    snprintf(nm, sizeof nm, "%s/output_shape", n->name);
    int os = const_i32(c, nm, 4, oshape);
    int32_t ins[4] = {os, wt, in_t, bt}, outs[1] = {out_t};
    if (os < 0 || lfrt_writer_add_operator(c->w, code, ins, 4, outs, 1, &opt) < 0) st = werr(c, n->name);
  } else {
    int32_t ins[3] = {in_t, wt, bt}, outs[1] = {out_t};
    if (lfrt_writer_add_operator(c->w, code, ins, 3, outs, 1, &opt) < 0) st = werr(c, n->name);
  }
  c->tensor[i] = out_t;
  c->ndim[i] = ondim;
  memcpy(c->shape[i], oshape, sizeof oshape);
done:
  free(mul);
  free(add);
  free(scales);
  free(wf);
  return st;
}

/* Per-channel constant [1,1,1,C] for the mul-add BN lowering: int8 per tensor
 * (asymmetric over [min(v,0), max(v,0)]: TFLite's MUL/ADD take no per-axis
 * quantisation), or float. */
static int channel_const(cv *c, const char *name, const float *v, int C) {
  int32_t shp[4] = {1, 1, 1, C};
  if (!c->int8) return lfrt_writer_add_tensor(c->w, name, LFRT_FLOAT32, 4, shp, v, sizeof(float) * (size_t)C, NULL);
  lf_qparams qp;
  int8_t *q = malloc((size_t)C);
  if (!q || lq_const_qparams(v, C, &qp) != LF_OK) {
    free(q);
    return -1;
  }
  for (int k = 0; k < C; k++) q[k] = (int8_t)lq_const_quant(v[k], qp);
  lfrt_quant qq = q1(&qp);
  int t = lfrt_writer_add_tensor(c->w, name, LFRT_INT8, 4, shp, q, (size_t)C, &qq);
  free(q);
  return t;
}

/* LQ_BNMUL: MUL(x, scale); LQ_BNADD: ADD(mul, shift) [+ RELU]. */
static lf_status emit_bn_muladd(cv *c, int i) {
  lq_op *op = &c->p->ops[i];
  lf_node *n = lf_graph_node(c->g, op->node);
  int C = n->c, in_op = op->in[0];
  float *mul = malloc(sizeof(float) * (size_t)C), *add = malloc(sizeof(float) * (size_t)C);
  lf_status st = (mul && add) ? lq_fold_factors(c->g, op, C, mul, add) : lf_error(LF_ENOMEM, "convert: out of memory");
  char nm[160];
  int add_op = op->kind == LQ_BNADD;
  snprintf(nm, sizeof nm, "%s/%s", n->name, add_op ? "shift" : "scale");
  int k = st == LF_OK ? channel_const(c, nm, add_op ? add : mul, C) : -1;
  int32_t shp[4] = {c->batch, n->h, n->w, C};
  int t = st == LF_OK ? act_tensor(c, lq_value_name(c->g, c->p, i), 4, shp, i) : -1;
  lfrt_options opt;
  memset(&opt, 0, sizeof opt);
  if (add_op) {
    opt.add.activation = op->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE;
    opt.add.pot_scale_int16 = 1;
  } else
    opt.mul.activation = LFRT_ACT_NONE;
  int32_t ins[2] = {c->tensor[in_op], k}, outs[1] = {t};
  if (st == LF_OK && (k < 0 || t < 0 ||
                      lfrt_writer_add_operator(c->w, add_op ? LFRT_OP_ADD : LFRT_OP_MUL, ins, 2, outs, 1, &opt) < 0))
    st = werr(c, n->name);
  free(mul);
  free(add);
  if (st != LF_OK) return st;
  c->tensor[i] = t;
  c->ndim[i] = 4;
  memcpy(c->shape[i], shp, sizeof shp);
  return LF_OK;
}

static lf_status emit_op(cv *c, int i) {
  lq_op *op = &c->p->ops[i];
  lf_node *n = lf_graph_node(c->g, op->node);
  const char *oname = lf_graph_node(c->g, op->out_node)->name;
  int in_op = op->n_in ? op->in[0] : 0;
  int32_t shp[4] = {c->batch, n->h, n->w, n->c};
  int ndim = 4;
  lfrt_options opt;
  memset(&opt, 0, sizeof opt);
  char nm[160];
  switch (op->kind) {
  case LQ_CONV:
  case LQ_TCONV:
  case LQ_AFFINE:
  case LQ_FC:
    return emit_weighted(c, i);
  case LQ_BNMUL:
  case LQ_BNADD:
    return emit_bn_muladd(c, i);
  case LQ_MAXPOOL:
  case LQ_AVGPOOL: {
    lf_pool_params *pp = n->attrs;
    int32_t *is = c->shape[in_op];
    int in_t = c->tensor[in_op];
    int mh = pad_mode(is[1], pp->kh, pp->stride_h, 1, pp->pad_top, pp->pad_bottom);
    int mw = pad_mode(is[2], pp->kw, pp->stride_w, 1, pp->pad_left, pp->pad_right);
    int any_pad = pp->pad_top || pp->pad_bottom || pp->pad_left || pp->pad_right;
    lfrt_padding pm = LFRT_PADDING_VALID;
    int can_same = mh >= 0 && mh == mw && (op->kind == LQ_MAXPOOL || !any_pad || !pp->count_include_pad);
    if (can_same) pm = (lfrt_padding)mh;
    else {
      /* zero padding is exact for max pool of a non-negative input and for
       * an average that counts the padding */
      if (op->kind == LQ_MAXPOOL ? !c->p->ops[in_op].nonneg : !pp->count_include_pad)
        return lf_error(LF_EUNSUPPORTED, "convert: %s: pooling padding has no TFLite equivalent", n->name);
      int32_t ph, pw;
      in_t = emit_pad(c, i, in_op, pp->pad_top, pp->pad_bottom, pp->pad_left, pp->pad_right, &ph, &pw);
      if (in_t < 0) return werr(c, n->name);
    }
    opt.pool.padding = pm;
    opt.pool.stride_h = pp->stride_h;
    opt.pool.stride_w = pp->stride_w;
    opt.pool.filter_h = pp->kh;
    opt.pool.filter_w = pp->kw;
    int t = act_tensor(c, oname, 4, shp, i);
    int32_t ins[1] = {in_t}, outs[1] = {t};
    if (t < 0 || lfrt_writer_add_operator(c->w, op->kind == LQ_MAXPOOL ? LFRT_OP_MAX_POOL_2D : LFRT_OP_AVERAGE_POOL_2D,
                                          ins, 1, outs, 1, &opt) < 0)
      return werr(c, n->name);
    c->tensor[i] = t;
    break;
  }
  case LQ_MEAN: {
    int32_t axes[2] = {1, 2};
    snprintf(nm, sizeof nm, "%s/axes", n->name);
    int a = const_i32(c, nm, 2, axes);
    int t = act_tensor(c, oname, 4, shp, i);
    opt.reducer.keep_dims = 1;
    int32_t ins[2] = {c->tensor[in_op], a}, outs[1] = {t};
    if (a < 0 || t < 0 || lfrt_writer_add_operator(c->w, LFRT_OP_MEAN, ins, 2, outs, 1, &opt) < 0)
      return werr(c, n->name);
    c->tensor[i] = t;
    break;
  }
  case LQ_CONCAT: {
    int32_t *ins = malloc(sizeof(int32_t) * (size_t)op->n_in);
    if (!ins) return lf_error(LF_ENOMEM, "convert: out of memory");
    for (int k = 0; k < op->n_in; k++) ins[k] = c->tensor[op->in[k]];
    int t = act_tensor(c, oname, 4, shp, i);
    opt.concat.axis = 3;
    int32_t outs[1] = {t};
    int r = t < 0 ? -1 : lfrt_writer_add_operator(c->w, LFRT_OP_CONCATENATION, ins, op->n_in, outs, 1, &opt);
    free(ins);
    if (r < 0) return werr(c, n->name);
    c->tensor[i] = t;
    break;
  }
  case LQ_RESIZE: {
    lf_upsample_params *up = n->attrs;
    int32_t size[2] = {up->out_h, up->out_w};
    snprintf(nm, sizeof nm, "%s/size", n->name);
    int s = const_i32(c, nm, 2, size);
    int t = act_tensor(c, oname, 4, shp, i);
    lfrt_op code = up->mode == LF_UPSAMPLE_NEAREST ? LFRT_OP_RESIZE_NEAREST_NEIGHBOR : LFRT_OP_RESIZE_BILINEAR;
    if (up->mode == LF_UPSAMPLE_BILINEAR) {
      opt.resize.align_corners = up->align_corners ? 1 : 0;
      opt.resize.half_pixel_centers = up->align_corners ? 0 : 1;
    }
    int32_t ins[2] = {c->tensor[in_op], s}, outs[1] = {t};
    if (s < 0 || t < 0 || lfrt_writer_add_operator(c->w, code, ins, 2, outs, 1, &opt) < 0) return werr(c, n->name);
    c->tensor[i] = t;
    break;
  }
  case LQ_ADD:
  case LQ_MUL:
  case LQ_LOGISTIC:
  case LQ_RELU: {
    ndim = c->ndim[in_op];
    memcpy(shp, c->shape[in_op], sizeof shp);
    int t = act_tensor(c, oname, ndim, shp, i);
    int32_t ins[2] = {c->tensor[in_op], op->n_in > 1 ? c->tensor[op->in[1]] : -1}, outs[1] = {t};
    lfrt_op code = op->kind == LQ_ADD ? LFRT_OP_ADD : op->kind == LQ_MUL ? LFRT_OP_MUL
                   : op->kind == LQ_LOGISTIC ? LFRT_OP_LOGISTIC : LFRT_OP_RELU;
    if (op->kind == LQ_ADD) opt.add.activation = op->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE;
    if (op->kind == LQ_ADD) opt.add.pot_scale_int16 = 1;
    if (op->kind == LQ_MUL) opt.mul.activation = op->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE;
    int nin = (op->kind == LQ_ADD || op->kind == LQ_MUL) ? 2 : 1;
    if (t < 0 || lfrt_writer_add_operator(c->w, code, ins, nin, outs, 1, &opt) < 0) return werr(c, n->name);
    c->tensor[i] = t;
    break;
  }
  case LQ_INPUT:
    break;
  }
  c->ndim[i] = ndim;
  memcpy(c->shape[i], shp, sizeof shp);
  return LF_OK;
}

/* Group qparams from the ranges (union over each group). */
static lf_status group_qparams(cv *c, const lf_qranges *r) {
  lq_plan *p = c->p;
  float *gmin = malloc(sizeof(float) * (size_t)p->n), *gmax = malloc(sizeof(float) * (size_t)p->n);
  if (!gmin || !gmax) {
    free(gmin);
    free(gmax);
    return lf_error(LF_ENOMEM, "convert: out of memory");
  }
  for (int i = 0; i < p->n; i++) gmin[i] = INFINITY, gmax[i] = -INFINITY;
  lf_status st = LF_OK;
  for (int i = 0; i < p->n && st == LF_OK; i++) {
    if (p->ops[i].kind == LQ_LOGISTIC) continue;
    const char *name = lq_value_name(c->g, p, i);
    const lf_qrange *qr = r ? lf_qranges_find(r, name) : NULL;
    if (!qr) {
      st = lf_error(LF_EINVAL, "convert: int8 needs the activation range of '%s' (run qat or ptq first)", name);
      break;
    }
    int gr = lq_group(p, i);
    if (qr->min < gmin[gr]) gmin[gr] = qr->min;
    if (qr->max > gmax[gr]) gmax[gr] = qr->max;
  }
  for (int i = 0; i < p->n && st == LF_OK; i++) {
    if (p->ops[i].kind == LQ_LOGISTIC) {
      c->gq[i].scale = 1.0f / 256.0f;
      c->gq[i].zero_point = -128;
      continue;
    }
    int gr = lq_group(p, i);
    st = lf_qparams_asym(gmin[gr], gmax[gr], LF_QMIN_ACT, LF_QMAX_ACT, &c->gq[i], NULL, NULL);
  }
  free(gmin);
  free(gmax);
  return st;
}

static void json_str(char **buf, size_t *len, size_t *cap, const char *s) {
  size_t need = *len + strlen(s) * 6 + 8;
  if (need > *cap) {
    size_t nc = need * 2;
    char *b = realloc(*buf, nc);
    if (!b) return;
    *buf = b;
    *cap = nc;
  }
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') *len += (size_t)sprintf(*buf + *len, "\\%c", ch);
    else if (ch < 0x20) *len += (size_t)sprintf(*buf + *len, "\\u%04x", ch);
    else (*buf)[(*len)++] = (char)ch;
  }
  (*buf)[*len] = 0;
}
static void json_raw(char **buf, size_t *len, size_t *cap, const char *s) {
  size_t need = *len + strlen(s) + 8;
  if (need > *cap) {
    size_t nc = need * 2;
    char *b = realloc(*buf, nc);
    if (!b) return;
    *buf = b;
    *cap = nc;
  }
  *len += (size_t)sprintf(*buf + *len, "%s", s);
}

/* ,"operating_points":{label: threshold} in the labels' order (checked by lf_convert_graph). */
static void add_oppoints(const lf_convert_opts *o, char **b, size_t *len, size_t *cap) {
  if (!o->oppoints || !o->oppoints->n) return;
  json_raw(b, len, cap, ",\"operating_points\":{");
  int first = 1;
  for (int k = 0; k < o->n_labels; k++)
    for (int i = 0; i < o->oppoints->n; i++) {
      if (strcmp(o->oppoints->label[i], o->labels[k])) continue;
      char num[40];
      snprintf(num, sizeof num, "\":%.17g", o->oppoints->threshold[i]);
      json_raw(b, len, cap, first ? "\"" : ",\"");
      json_str(b, len, cap, o->labels[k]);
      json_raw(b, len, cap, num);
      first = 0;
    }
  json_raw(b, len, cap, "}");
}

/* "leapfrog" metadata: labels, input normalisation, quantisation, arch, operating points. */
static lf_status add_metadata(cv *c, const char *input_name) {
  const lf_convert_opts *o = c->o;
  size_t len = 0, cap = 256;
  char *b = malloc(cap), tmp[96];
  if (!b) return lf_error(LF_ENOMEM, "convert: out of memory");
  b[0] = 0;
  json_raw(&b, &len, &cap, "{\"format\":\"leapfrog-tflite-1\",\"precision\":\"");
  json_raw(&b, &len, &cap, c->int8 ? "int8" : "fp32");
  json_raw(&b, &len, &cap, "\",\"io\":\"");
  json_raw(&b, &len, &cap, !c->int8 ? "float32" : o->io_uint8 ? "uint8" : "int8");
  if (c->int8) {
    json_raw(&b, &len, &cap, "\",\"bn_lowering\":\"");
    json_raw(&b, &len, &cap, lf_bn_lowering_name(c->bn_lowering));
  }
  json_raw(&b, &len, &cap, "\",\"input\":\"");
  json_str(&b, &len, &cap, input_name);
  snprintf(tmp, sizeof tmp, "\",\"batch\":%d,\"labels\":[", c->batch);
  json_raw(&b, &len, &cap, tmp);
  for (int i = 0; o->labels && i < o->n_labels; i++) {
    json_raw(&b, &len, &cap, i ? ",\"" : "\"");
    json_str(&b, &len, &cap, o->labels[i] ? o->labels[i] : "");
    json_raw(&b, &len, &cap, "\"");
  }
  json_raw(&b, &len, &cap, "]");
  if (o->norm_channels > 0) {
    json_raw(&b, &len, &cap, ",\"normalization\":{\"mean\":[");
    for (int i = 0; i < o->norm_channels && i < 4; i++) {
      snprintf(tmp, sizeof tmp, "%s%.9g", i ? "," : "", (double)o->norm_mean[i]);
      json_raw(&b, &len, &cap, tmp);
    }
    json_raw(&b, &len, &cap, "],\"std\":[");
    for (int i = 0; i < o->norm_channels && i < 4; i++) {
      snprintf(tmp, sizeof tmp, "%s%.9g", i ? "," : "", (double)o->norm_std[i]);
      json_raw(&b, &len, &cap, tmp);
    }
    json_raw(&b, &len, &cap, "]}");
  }
  add_oppoints(o, &b, &len, &cap);
  if (o->arch_json && *o->arch_json) {
    json_raw(&b, &len, &cap, ",\"arch\":");
    json_raw(&b, &len, &cap, o->arch_json);
  }
  json_raw(&b, &len, &cap, "}");
  lfrt_status s = lfrt_writer_add_metadata(c->w, "leapfrog", b, strlen(b));
  free(b);
  return s == LFRT_OK ? LF_OK : werr(c, "metadata");
}

/* Operating points need the labels they name, and thresholds in (0, 1). */
static lf_status check_oppoints(const lf_convert_opts *o) {
  if (!o->oppoints || !o->oppoints->n) return LF_OK;
  if (o->n_labels <= 0)
    return lf_error(LF_EINVAL, "convert: operating points given for a model without labels");
  for (int i = 0; i < o->oppoints->n; i++)
    if (!(o->oppoints->threshold[i] > 0 && o->oppoints->threshold[i] < 1))
      return lf_error(LF_EINVAL, "convert: operating point \"%s\": %g is not a threshold in (0, 1)",
                      o->oppoints->label[i], o->oppoints->threshold[i]);
  return lf_oppoints_check_labels(o->oppoints, o->labels, o->n_labels, "convert");
}

lf_status lf_convert_graph(lf_graph *g, int input_node, int output_node, const lf_qranges *ranges,
                           const lf_convert_opts *opts, void **bytes, size_t *len) {
  static const lf_convert_opts defaults;
  if (!g || !bytes || !len) return lf_error(LF_EINVAL, "convert: NULL argument");
  if (!opts) opts = &defaults;
  if (opts->n_labels > 0) { /* a label per output channel, none empty: a swap or typo would mislabel findings */
    int out_c = lf_graph_node(g, output_node)->c;
    if (opts->n_labels != out_c)
      return lf_error(LF_EINVAL, "convert: %d labels given for a model with %d output%s", opts->n_labels, out_c,
                      out_c == 1 ? "" : "s");
    for (int i = 0; i < opts->n_labels; i++)
      if (!opts->labels || !opts->labels[i] || !opts->labels[i][0])
        return lf_error(LF_EINVAL, "convert: label %d is empty", i + 1);
  }
  lf_status st = check_oppoints(opts);
  if (st) return st;
  lq_plan p;
  /* FP32 models keep the one-op depthwise form whatever the int8 lowering */
  int bnl = opts->int8 ? lq_bn_lowering_resolve(opts->bn_lowering) : LF_BN_LOWER_DEPTHWISE;
  st = lq_plan_build_ex(g, input_node, output_node, bnl, &p);
  if (st != LF_OK) return st;
  cv c;
  memset(&c, 0, sizeof c);
  c.g = g;
  c.p = &p;
  c.o = opts;
  c.int8 = opts->int8;
  c.bn_lowering = bnl;
  c.batch = opts->batch > 0 ? opts->batch : 1;
  c.w = lfrt_writer_new();
  c.tensor = calloc((size_t)p.n, sizeof(int));
  c.ndim = calloc((size_t)p.n, sizeof(int));
  c.shape = calloc((size_t)p.n, sizeof *c.shape);
  c.gq = calloc((size_t)p.n, sizeof(lf_qparams));
  if (!c.w || !c.tensor || !c.ndim || !c.shape || !c.gq) st = lf_error(LF_ENOMEM, "convert: out of memory");
  if (st == LF_OK && c.int8) st = group_qparams(&c, ranges);
  /* input */
  lf_node *in = lf_graph_node(g, input_node);
  int32_t ishp[4] = {c.batch, in->h, in->w, in->c};
  int model_in = -1, model_out = -1;
  if (st == LF_OK) {
    c.tensor[0] = act_tensor(&c, in->name, 4, ishp, 0);
    c.ndim[0] = 4;
    memcpy(c.shape[0], ishp, sizeof ishp);
    model_in = c.tensor[0];
    if (c.tensor[0] < 0) st = werr(&c, in->name);
    if (st == LF_OK && c.int8 && opts->io_uint8) {
      lf_qparams u = c.gq[0];
      u.zero_point += 128;
      lfrt_quant q = q1(&u);
      char nm[160];
      snprintf(nm, sizeof nm, "%s_uint8", in->name);
      model_in = lfrt_writer_add_tensor(c.w, nm, LFRT_UINT8, 4, ishp, NULL, 0, &q);
      int32_t ins[1] = {model_in}, outs[1] = {c.tensor[0]};
      if (model_in < 0 || lfrt_writer_add_operator(c.w, LFRT_OP_QUANTIZE, ins, 1, outs, 1, NULL) < 0)
        st = werr(&c, in->name);
    }
  }
  for (int i = 1; i < p.n && st == LF_OK; i++) st = emit_op(&c, i);
  if (st == LF_OK) {
    model_out = c.tensor[p.output];
    if (c.int8 && opts->io_uint8) {
      lf_qparams u = c.gq[p.output];
      u.zero_point += 128;
      lfrt_quant q = q1(&u);
      char nm[160];
      snprintf(nm, sizeof nm, "%s_uint8", lq_value_name(g, &p, p.output));
      int t = lfrt_writer_add_tensor(c.w, nm, LFRT_UINT8, c.ndim[p.output], c.shape[p.output], NULL, 0, &q);
      int32_t ins[1] = {model_out}, outs[1] = {t};
      if (t < 0 || lfrt_writer_add_operator(c.w, LFRT_OP_QUANTIZE, ins, 1, outs, 1, NULL) < 0)
        st = werr(&c, "output");
      model_out = t;
    }
  }
  if (st == LF_OK) st = add_metadata(&c, in->name);
  if (st == LF_OK) {
    int32_t ins[1] = {model_in}, outs[1] = {model_out};
    lfrt_writer_set_description(c.w, opts->description ? opts->description : "leapfrog");
    lfrt_error e;
    if (lfrt_writer_set_io(c.w, ins, 1, outs, 1) != LFRT_OK) st = werr(&c, "io");
    else if (lfrt_writer_finish(c.w, bytes, len, &e) != LFRT_OK)
      st = lf_error(LF_EINVAL, "convert: writing the flatbuffer: %s", e.msg);
  }
  lfrt_writer_free(c.w);
  free(c.tensor);
  free(c.ndim);
  free(c.shape);
  free(c.gq);
  lq_plan_free(&p);
  return st;
}

lf_status lf_convert_graph_file(lf_graph *g, int input_node, int output_node,
                                const lf_qranges *ranges, const lf_convert_opts *opts,
                                const char *path) {
  void *b = NULL;
  size_t n = 0;
  lf_status st = lf_convert_graph(g, input_node, output_node, ranges, opts, &b, &n);
  if (st == LF_OK) st = lf_write_file_atomic(path, b, n);
  free(b);
  return st;
}

lf_status lf_convert_value_names_ex(lf_graph *g, int input_node, int output_node, int bn_lowering,
                                    const char ***names, int *count) {
  lq_plan p;
  lf_status st = lq_plan_build_ex(g, input_node, output_node, bn_lowering, &p);
  if (st != LF_OK) return st;
  size_t bytes = sizeof(char *) * (size_t)p.n;
  for (int i = 0; i < p.n; i++) bytes += strlen(lq_value_name(g, &p, i)) + 1;
  char **v = malloc(bytes);
  if (!v) {
    lq_plan_free(&p);
    return lf_error(LF_ENOMEM, "convert: out of memory");
  }
  char *str = (char *)(v + p.n);
  for (int i = 0; i < p.n; i++) {
    size_t l = strlen(lq_value_name(g, &p, i)) + 1;
    memcpy(str, lq_value_name(g, &p, i), l);
    v[i] = str;
    str += l;
  }
  *names = (const char **)v;
  *count = p.n;
  lq_plan_free(&p);
  return LF_OK;
}

lf_status lf_convert_value_names(lf_graph *g, int input_node, int output_node,
                                 const char ***names, int *count) {
  return lf_convert_value_names_ex(g, input_node, output_node, LF_BN_LOWER_DEFAULT, names, count);
}

const char *lf_bn_lowering_name(int bn_lowering) {
  return lq_bn_lowering_resolve(bn_lowering) == LF_BN_LOWER_MULADD ? "mul-add" : "depthwise";
}

lf_status lf_bn_lowering_parse(const char *s, int *bn_lowering) {
  if (s && !strcmp(s, "depthwise")) *bn_lowering = LF_BN_LOWER_DEPTHWISE;
  else if (s && (!strcmp(s, "mul-add") || !strcmp(s, "muladd"))) *bn_lowering = LF_BN_LOWER_MULADD;
  else return lf_error(LF_EINVAL, "BN lowering must be depthwise or mul-add, not '%s'", s ? s : "(null)");
  return LF_OK;
}
