/* QAT batch norm. Live (train, not frozen): torch BatchNorm2d training
 * semantics (batch statistics, running statistics updated). Frozen or eval:
 * folded into the previous QAT conv (then this node passes values through),
 * or standalone as the runtime's depthwise 1x1: int8 per-channel scale and
 * int32 shift. Mul-add lowering (lf_convert.h): this node outputs x * scale
 * (scale int8 per tensor once running), a fake-quant node quantises that as
 * the runtime's MUL output, and LQK_BNADD (below) adds the shift (int8 per
 * tensor once running); live, the pair computes the batch-statistics BN and
 * the gradient is BN's (straight through the fake quant between). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quant/qat_internal.h"
#include "quant/qconst.h"
#include "quant/qconv_util.h"

typedef struct {
  int C;
  float *mean, *invstd, *wq, *scales, *bias;
  double *s1, *s2;
  int running;
  double rows_all; /* rows over every process in the last batch statistics (sync BN) */
} bn_state;

static void bn_free(lf_node *n) {
  bn_state *s = n->state;
  if (!s) return;
  free(s->mean);
  free(s->invstd);
  free(s->wq);
  free(s->scales);
  free(s->bias);
  free(s->s1);
  free(s->s2);
}

void lq_bn_fold_scale(lf_graph *g, int bn, float *s) {
  lf_node *n = lf_graph_node(g, bn);
  lq_bn_attrs *a = n->attrs;
  const float *gamma = lf_node_param(g, n, 0)->value.data, *var = lf_node_param(g, n, 3)->value.data;
  for (int c = 0; c < n->c; c++) s[c] = gamma[c] / sqrtf(var[c] + a->eps);
}

static lf_status bn_build(lf_graph *g, lf_node *n) {
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  n->h = in->h;
  n->w = in->w;
  n->c = in->c;
  int C = n->c;
  bn_state *s = calloc(1, sizeof *s);
  if (!s) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  n->state = s;
  s->C = C;
  s->mean = malloc(sizeof(float) * (size_t)C);
  s->invstd = malloc(sizeof(float) * (size_t)C);
  s->wq = malloc(sizeof(float) * (size_t)C);
  s->scales = malloc(sizeof(float) * (size_t)C);
  s->bias = malloc(sizeof(float) * (size_t)C);
  s->s1 = malloc(sizeof(double) * (size_t)C);
  s->s2 = malloc(sizeof(double) * (size_t)C);
  if (!s->mean || !s->invstd || !s->wq || !s->scales || !s->bias || !s->s1 || !s->s2)
    return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  return lf_nn_add_bn_params(g, n, C);
}

/* Sync BN (lf_graph_sync_bn): a and b (C values each) and *rows become their
 * sums over every process. */
static lf_status sync_sums(lf_graph *g, lf_node *n, double *a, double *b, double *rows) {
  int C = n->c;
  double *buf = malloc((2 * (size_t)C + 1) * sizeof *buf);
  if (!buf) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  memcpy(buf, a, (size_t)C * sizeof *buf);
  memcpy(buf + C, b, (size_t)C * sizeof *buf);
  buf[2 * C] = rows ? *rows : 0;
  lf_status st = lf_graph_reduce(g, buf, 2 * (size_t)C + (rows != NULL), LF_GRAPH_SUM_F64);
  if (!st) {
    memcpy(a, buf, (size_t)C * sizeof *buf);
    memcpy(b, buf + C, (size_t)C * sizeof *buf);
    if (rows) *rows = buf[2 * C];
  }
  free(buf);
  return st ? lf_error_prefix(st, "qat: %s: sync batchnorm: ", n->name) : LF_OK;
}

/* Batch mean / inverse std into s->mean / s->invstd; running statistics updated. */
static lf_status batch_stats(lf_graph *g, lf_node *n, const float *x, size_t rows) {
  lq_bn_attrs *a = n->attrs;
  bn_state *s = n->state;
  int C = s->C;
  float *rm = lf_node_param(g, n, 2)->value.data, *rv = lf_node_param(g, n, 3)->value.data;
  lf_nn_colsum(x, NULL, rows, C, s->s1);
  lf_nn_colsum(x, x, rows, C, s->s2);
  double nr = (double)rows;
  if (lf_graph_sync_bn(g)) {
    lf_status st = sync_sums(g, n, s->s1, s->s2, &nr);
    if (st) return st;
  }
  s->rows_all = nr;
  float m = a->momentum;
  for (int c = 0; c < C; c++) {
    double mean = s->s1[c] / nr;
    double var = s->s2[c] / nr - mean * mean;
    if (var < 0) var = 0;
    s->mean[c] = (float)mean;
    s->invstd[c] = (float)(1.0 / sqrt(var + a->eps));
    double unbiased = nr > 1 ? var * nr / (nr - 1) : var;
    rm[c] = (1.0f - m) * rm[c] + m * (float)mean;
    rv[c] = (1.0f - m) * rv[c] + m * (float)unbiased;
  }
  lf_node_param(g, n, 4)->value.data[0] += 1.0f;
  return LF_OK;
}

static lf_status bn_forward(lf_graph *g, lf_node *n) {
  lq_bn_attrs *a = n->attrs;
  bn_state *s = n->state;
  const lf_tensor *x = lf_node_input(g, n, 0);
  int C = s->C;
  size_t rows = x->numel / (size_t)C;
  float *y = n->out.data;
  const float *gamma = lf_node_param(g, n, 0)->value.data, *beta = lf_node_param(g, n, 1)->value.data;
  float *rm = lf_node_param(g, n, 2)->value.data, *rv = lf_node_param(g, n, 3)->value.data;
  s->running = lq_bn_uses_running(a->ctx, n);
  if (s->running && a->conv >= 0) { /* folded into the conv before */
    memcpy(y, x->data, x->numel * sizeof(float));
    return LF_OK;
  }
  if (a->muladd) { /* MUL by the scale (int8 per tensor once running); the shift is LQK_BNADD's */
    lf_status st;
    if (!s->running && (st = batch_stats(g, n, x->data, rows))) return st;
    for (int c = 0; c < C; c++) {
      if (s->running) { /* the converter's arithmetic (lq_fold_factors) */
        s->invstd[c] = 1.0f / sqrtf(rv[c] + a->eps);
        s->mean[c] = rm[c];
        s->wq[c] = gamma[c] / sqrtf(rv[c] + a->eps);
        s->bias[c] = (0.0f - rm[c]) * s->wq[c] + beta[c];
      } else {
        s->wq[c] = gamma[c] * s->invstd[c];
        s->bias[c] = beta[c] - s->mean[c] * s->wq[c];
      }
    }
    if (s->running) {
      lf_qparams kq;
      if (lq_const_qparams(s->wq, C, &kq) == LF_OK) lf_fake_quant(s->wq, s->wq, NULL, (size_t)C, kq, LF_QMIN_ACT, LF_QMAX_ACT);
    }
    for (size_t r = 0; r < rows; r++)
      for (int c = 0; c < C; c++) y[r * C + c] = x->data[r * C + c] * s->wq[c];
    return LF_OK;
  }
  if (s->running) { /* depthwise 1x1 as the runtime runs it */
    for (int c = 0; c < C; c++) {
      s->invstd[c] = 1.0f / sqrtf(rv[c] + a->eps);
      s->mean[c] = rm[c];
      float sf = gamma[c] * s->invstd[c];
      s->bias[c] = beta[c] - rm[c] * sf;
      s->wq[c] = sf;
    }
    lf_qparams_weights_per_channel(s->wq, C, 1, s->scales);
    lf_fake_quant_per_channel_outer(s->wq, s->wq, NULL, C, 1, s->scales, NULL, LF_QMIN_W, LF_QMAX_W);
    lf_qparams in;
    if (a->in_fq >= 0 && lq_fq_qparams(g, a->in_fq, &in))
      for (int c = 0; c < C; c++) {
        float sb = in.scale * s->scales[c];
        s->bias[c] = (float)lq_quant_bias(s->bias[c], sb) * sb;
      }
    for (size_t r = 0; r < rows; r++)
      for (int c = 0; c < C; c++) y[r * C + c] = x->data[r * C + c] * s->wq[c] + s->bias[c];
    return LF_OK;
  }
  lf_status st = batch_stats(g, n, x->data, rows);
  if (st) return st;
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < C; c++)
      y[r * C + c] = (x->data[r * C + c] - s->mean[c]) * s->invstd[c] * gamma[c] + beta[c];
  return LF_OK;
}

static lf_status bn_backward(lf_graph *g, lf_node *n) {
  lq_bn_attrs *a = n->attrs;
  bn_state *s = n->state;
  const lf_tensor *x = lf_node_input(g, n, 0);
  lf_tensor *dx = lf_node_input_grad(g, n, 0);
  int C = s->C;
  size_t rows = x->numel / (size_t)C;
  const float *dy = n->grad.data, *gamma = lf_node_param(g, n, 0)->value.data;
  float *dgamma = lf_node_param(g, n, 0)->grad.data, *dbeta = lf_node_param(g, n, 1)->grad.data;
  lf_nn_colsum(dy, NULL, rows, C, s->s1); /* sum dy */
  for (int c = 0; c < C; c++) dbeta[c] += (float)s->s1[c];
  if (s->running && a->conv >= 0) {
    if (dx)
      for (size_t i = 0; i < x->numel; i++) dx->data[i] += dy[i];
    return LF_OK;
  }
  /* sum dy * xhat (xhat from the statistics in use) */
  double *sxy = s->s2;
  for (int c = 0; c < C; c++) sxy[c] = 0.0;
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < C; c++)
      sxy[c] += (double)dy[r * C + c] * ((x->data[r * C + c] - s->mean[c]) * s->invstd[c]);
  for (int c = 0; c < C; c++) dgamma[c] += (float)sxy[c];
  if (!dx) return LF_OK;
  if (s->running) {
    for (size_t r = 0; r < rows; r++)
      for (int c = 0; c < C; c++) dx->data[r * C + c] += dy[r * C + c] * s->wq[c];
    return LF_OK;
  }
  double nr = (double)rows;
  if (lf_graph_sync_bn(g)) { /* dx needs the whole batch's sums; the parameter gradients above stay local */
    lf_status st = sync_sums(g, n, s->s1, sxy, NULL);
    if (st) return st;
    nr = s->rows_all;
  }
  for (int c = 0; c < C; c++) {
    float k = gamma[c] * s->invstd[c];
    double mdy = s->s1[c] / nr, mdyx = sxy[c] / nr;
    for (size_t r = 0; r < rows; r++) {
      size_t i = r * C + c;
      float xh = (x->data[i] - s->mean[c]) * s->invstd[c];
      dx->data[i] += k * (float)(dy[i] - mdy - xh * mdyx);
    }
  }
  return LF_OK;
}

const lf_op_vtable lq_bn_vt = {"qat_batchnorm", bn_build, bn_forward, bn_backward, bn_free};

/* ---- LQK_BNADD: + shift of a mul-add BN ------------------------------------------ */
typedef struct {
  float *shift;
} bnadd_state;

static void bnadd_free(lf_node *n) {
  bnadd_state *s = n->state;
  if (s) free(s->shift);
}

static lf_status bnadd_build(lf_graph *g, lf_node *n) {
  lq_bnadd_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]), *bn = lf_graph_node(g, a->bn);
  if (!bn || bn->kind != LQK_BN || bn->c != in->c)
    return lf_error(LF_EINVAL, "qat: %s: not after a mul-add batchnorm", n->name);
  n->h = in->h;
  n->w = in->w;
  n->c = in->c;
  bnadd_state *s = calloc(1, sizeof *s);
  if (!s) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  n->state = s;
  s->shift = malloc(sizeof(float) * (size_t)n->c);
  return s->shift ? LF_OK : lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
}

static lf_status bnadd_forward(lf_graph *g, lf_node *n) {
  lq_bnadd_attrs *a = n->attrs;
  bnadd_state *s = n->state;
  const bn_state *b = lf_graph_node(g, a->bn)->state;
  const lf_tensor *x = lf_node_input(g, n, 0);
  int C = n->c;
  size_t rows = x->numel / (size_t)C;
  memcpy(s->shift, b->bias, sizeof(float) * (size_t)C);
  lf_qparams kq;
  if (b->running && lq_const_qparams(s->shift, C, &kq) == LF_OK)
    lf_fake_quant(s->shift, s->shift, NULL, (size_t)C, kq, LF_QMIN_ACT, LF_QMAX_ACT);
  float *y = n->out.data;
  for (size_t r = 0; r < rows; r++)
    for (int c = 0; c < C; c++) y[r * C + c] = x->data[r * C + c] + s->shift[c];
  return LF_OK;
}

/* The BN node before takes this gradient as its output's (y = x*scale + shift). */
static lf_status bnadd_backward(lf_graph *g, lf_node *n) {
  lf_tensor *dx = lf_node_input_grad(g, n, 0);
  if (dx)
    for (size_t i = 0; i < dx->numel; i++) dx->data[i] += n->grad.data[i];
  return LF_OK;
}

const lf_op_vtable lq_bnadd_vt = {"qat_bn_add", bnadd_build, bnadd_forward, bnadd_backward, bnadd_free};
