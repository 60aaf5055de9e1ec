/* QAT conv2d (optionally with a BN folded in; grouped and depthwise too) and
 * dense: per-output-channel int8 fake-quantised weights, int32-quantised bias
 * once BN statistics are fixed, straight-through gradients. The conv runs
 * through oneDNN (nn/conv_dnnl.h) on the fake-quantised folded weights of
 * this step, bias added here; the reference, im2col + SGEMM per image and
 * group, runs with LF_CONV=ref or where oneDNN refuses the shape. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/conv_dnnl.h"
#include "quant/qat_internal.h"
#include "quant/qconv_util.h"

typedef struct {
  int O;
  size_t K;
  float *wq, *dwq, *sf, *scales, *bias; /* bias: folded bias used by the last forward */
  uint8_t *mask;
  int running; /* last forward used the folded (running-statistics) form */
  lf_conv_engine *eng; /* conv: oneDNN primitives (NULL until first use) */
} wq_state;

static void wq_free(lf_node *n) {
  wq_state *s = n->state;
  if (!s) return;
  lf_conv_engine_free(&s->eng);
  free(s->wq);
  free(s->dwq);
  free(s->sf);
  free(s->scales);
  free(s->bias);
  free(s->mask);
}

static lf_status wq_alloc(lf_node *n, int O, size_t K) {
  wq_state *s = calloc(1, sizeof *s);
  if (!s) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  n->state = s;
  s->O = O;
  s->K = K;
  s->wq = malloc(sizeof(float) * (size_t)O * K);
  s->dwq = malloc(sizeof(float) * (size_t)O * K);
  s->mask = malloc((size_t)O * K);
  s->sf = malloc(sizeof(float) * (size_t)O);
  s->scales = malloc(sizeof(float) * (size_t)O);
  s->bias = malloc(sizeof(float) * (size_t)O);
  if (!s->wq || !s->dwq || !s->mask || !s->sf || !s->scales || !s->bias)
    return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  return LF_OK;
}

int lq_bn_uses_running(const lq_ctx *ctx, const lf_node *n) { return ctx->bn_frozen || !n->train; }

/* Fake-quantises w * sf (per output channel) into s->wq. */
static void quantise_weights(wq_state *s, const float *w) {
  for (int o = 0; o < s->O; o++)
    for (size_t k = 0; k < s->K; k++) s->wq[(size_t)o * s->K + k] = w[(size_t)o * s->K + k] * s->sf[o];
  lf_qparams_weights_per_channel(s->wq, s->O, s->K, s->scales);
  lf_fake_quant_per_channel_outer(s->wq, s->wq, s->mask, s->O, s->K, s->scales, NULL, LF_QMIN_W, LF_QMAX_W);
}

/* Folded bias on the int32 grid of scale in_scale * w_scale (when known). */
static void quantise_bias(lf_graph *g, int in_fq, wq_state *s) {
  lf_qparams in;
  if (in_fq < 0 || !lq_fq_qparams(g, in_fq, &in)) return;
  for (int o = 0; o < s->O; o++) {
    float sb = in.scale * s->scales[o];
    s->bias[o] = (float)lq_quant_bias(s->bias[o], sb) * sb;
  }
}

/* ---- conv ---------------------------------------------------------------------- */
static lf_status conv_build(lf_graph *g, lf_node *n) {
  lq_conv_attrs *a = n->attrs;
  lf_conv2d_params *p = &a->p;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (p->dil_h < 1) p->dil_h = 1;
  if (p->dil_w < 1) p->dil_w = 1;
  if (p->groups < 1) p->groups = 1;
  if (in->c % p->groups || p->out_channels % p->groups)
    return lf_error(LF_EINVAL, "qat: %s: groups %d do not divide channels %d -> %d", n->name, p->groups, in->c,
                    p->out_channels);
  int cg = in->c / p->groups; /* input channels per group (weights OHWI [O][kh][kw][cg]) */
  p->pad_same = 0; /* the FP32 build resolved it into explicit pads */
  int eh = in->h + p->pad_top + p->pad_bottom - p->dil_h * (p->kh - 1) - 1;
  int ew = in->w + p->pad_left + p->pad_right - p->dil_w * (p->kw - 1) - 1;
  if (eh < 0 || ew < 0 || p->stride_h < 1 || p->stride_w < 1)
    return lf_error(LF_EINVAL, "qat: %s: kernel larger than the padded input", n->name);
  n->h = eh / p->stride_h + 1;
  n->w = ew / p->stride_w + 1;
  n->c = p->out_channels;
  int ws[4] = {p->out_channels, p->kh, p->kw, cg};
  if (lf_node_add_param(g, n, "weight", 4, ws, 1) < 0) return lf_graph_status(g);
  if (p->bias && lf_node_add_param(g, n, "bias", 1, &p->out_channels, 1) < 0) return lf_graph_status(g);
  n->macs = (uint64_t)n->h * n->w * p->out_channels * p->kh * p->kw * cg;
  return wq_alloc(n, p->out_channels, (size_t)p->kh * p->kw * cg);
}

/* im2col of group gr's input channels (groups 1: all of them). */
static lf_im2col_geom geom(lf_graph *g, lf_node *n, int gr) {
  lq_conv_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int cg = in->c / a->p.groups;
  lf_im2col_geom G = {in->h, in->w, in->c, gr * cg, cg, a->p.kh, a->p.kw, a->p.stride_h, a->p.stride_w,
                      a->p.dil_h, a->p.dil_w, a->p.pad_top, a->p.pad_left, n->h, n->w};
  return G;
}

/* The oneDNN shape of this conv (bias added by the caller). */
static lf_conv_shape conv_shape(lf_graph *g, lf_node *n, int batch) {
  const lf_conv2d_params *p = &((lq_conv_attrs *)n->attrs)->p;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  lf_conv_shape cs = {0, batch, in->h, in->w, in->c, n->h, n->w, n->c, p->kh, p->kw, p->stride_h, p->stride_w,
                      p->dil_h, p->dil_w, p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, p->groups, 0};
  return cs;
}

/* Reference forward: y = conv(x, wq), no bias. */
static lf_status conv_forward_ref(lf_graph *g, lf_node *n, wq_state *s, lf_node *in, int batch) {
  lq_conv_attrs *a = n->attrs;
  int O = s->O, G = a->p.groups, Og = O / G;
  size_t M = (size_t)n->h * n->w, K = s->K, inpix = (size_t)in->h * in->w * in->c;
  float *cols = lf_graph_scratch(g, 0, M * K);
  if (!cols) return lf_error(LF_ENOMEM, "qat: %s: out of memory for im2col", n->name);
  for (int b = 0; b < batch; b++)
    for (int gr = 0; gr < G; gr++) { /* group gr: outputs [gr*Og, (gr+1)*Og) */
      lf_im2col_geom Gm = geom(g, n, gr);
      lf_im2col(&Gm, in->out.data + b * inpix, cols);
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, Og, (int)K, 1.0f, cols, (int)K,
                  s->wq + (size_t)gr * Og * K, (int)K, 0.0f, n->out.data + b * M * O + (size_t)gr * Og, O);
    }
  return LF_OK;
}

/* Reference backward: s->dwq += dL/dwq, dx += dL/dx (dx may be NULL). */
static lf_status conv_backward_ref(lf_graph *g, lf_node *n, wq_state *s, lf_node *in, const float *dy, float *dx) {
  lq_conv_attrs *a = n->attrs;
  int batch = n->out.shape[0], O = s->O, G = a->p.groups, Og = O / G;
  size_t M = (size_t)n->h * n->w, K = s->K, inpix = (size_t)in->h * in->w * in->c;
  float *cols = lf_graph_scratch(g, 0, M * K);
  if (!cols) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  for (int b = 0; b < batch; b++)
    for (int gr = 0; gr < G; gr++) {
      lf_im2col_geom Gm = geom(g, n, gr);
      lf_im2col(&Gm, in->out.data + b * inpix, cols);
      const float *dyb = dy + b * M * O + (size_t)gr * Og;
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Og, (int)K, (int)M, 1.0f, dyb, O, cols, (int)K, 1.0f,
                  s->dwq + (size_t)gr * Og * K, (int)K);
      if (dx) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)K, Og, 1.0f, dyb, O,
                    s->wq + (size_t)gr * Og * K, (int)K, 0.0f, cols, (int)K);
        lf_col2im_add(&Gm, cols, dx + b * inpix);
      }
    }
  return LF_OK;
}

static void conv_bias_and_scale(lf_graph *g, lf_node *n, wq_state *s) {
  lq_conv_attrs *a = n->attrs;
  int O = s->O;
  for (int o = 0; o < O; o++) s->bias[o] = a->p.bias ? lf_node_param(g, n, 1)->value.data[o] : 0.0f;
  if (a->bn < 0) {
    for (int o = 0; o < O; o++) s->sf[o] = 1.0f;
    s->running = 1;
    return;
  }
  lq_bn_fold_scale(g, a->bn, s->sf);
  s->running = lq_bn_uses_running(a->ctx, n);
  if (s->running) { /* folded bias: (b - mean) * s + beta */
    lf_node *bn = lf_graph_node(g, a->bn);
    const float *beta = lf_node_param(g, bn, 1)->value.data, *mean = lf_node_param(g, bn, 2)->value.data;
    for (int o = 0; o < O; o++) s->bias[o] = (s->bias[o] - mean[o]) * s->sf[o] + beta[o];
  }
}

static lf_status conv_forward(lf_graph *g, lf_node *n) {
  lq_conv_attrs *a = n->attrs;
  wq_state *s = n->state;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  /* integer-exact eval: the fake-quant node after computes this op from the
   * int8 values (qat_exact.c); the float result would be overwritten */
  if (!n->train && lq_exact_covers(g, a->ctx, n->id)) return LF_OK;
  conv_bias_and_scale(g, n, s);
  quantise_weights(s, lf_node_param(g, n, 0)->value.data);
  if (s->running) quantise_bias(g, a->in_fq, s);
  int batch = n->out.shape[0], O = s->O;
  size_t M = (size_t)n->h * n->w;
  lf_conv_shape cs = conv_shape(g, n, batch);
  lf_status st = lf_conv_dnnl_forward(&s->eng, n->name, &cs, in->out.data, s->wq, NULL, n->out.data);
  if (st != LF_OK && st != LF_EUNSUPPORTED) return st;
  if (st == LF_EUNSUPPORTED) {
    lf_status r = conv_forward_ref(g, n, s, in, batch);
    if (r) return r;
  }
  size_t rows = (size_t)batch * M;
  float *y = n->out.data;
  if (!s->running) /* BN normalises next with batch statistics: undo the fold scale */
    for (size_t r = 0; r < rows; r++)
      for (int o = 0; o < O; o++) y[r * O + o] = y[r * O + o] / s->sf[o] + s->bias[o];
  else
    lf_nn_add_bias(y, rows, O, s->bias);
  return LF_OK;
}

static lf_status conv_backward(lf_graph *g, lf_node *n) {
  lq_conv_attrs *a = n->attrs;
  wq_state *s = n->state;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int batch = n->out.shape[0], O = s->O;
  size_t M = (size_t)n->h * n->w, K = s->K, rows = (size_t)batch * M;
  float *dy = n->grad.data;
  if (a->p.bias) {
    float *db = lf_node_param(g, n, 1)->grad.data;
    float *tmp = calloc((size_t)O, sizeof(float));
    if (!tmp) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
    lf_nn_bias_grad(dy, rows, O, tmp);
    /* running form: bias enters as (b - mean) * sf */
    for (int o = 0; o < O; o++) db[o] += s->running ? tmp[o] * s->sf[o] : tmp[o];
    free(tmp);
  }
  if (!s->running) /* d/dconv of conv / sf */
    for (size_t r = 0; r < rows; r++)
      for (int o = 0; o < O; o++) dy[r * O + o] /= s->sf[o];
  memset(s->dwq, 0, sizeof(float) * (size_t)O * K);
  lf_conv_shape cs = conv_shape(g, n, batch);
  lf_status st = lf_conv_node_backward(g, n, &s->eng, &cs, in->out.data, s->wq, dy, s->dwq, NULL);
  if (st != LF_OK && st != LF_EUNSUPPORTED) return st;
  if (st == LF_EUNSUPPORTED) {
    lf_tensor *dx = lf_node_input_grad(g, n, 0);
    lf_status r = conv_backward_ref(g, n, s, in, dy, dx ? dx->data : NULL);
    if (r) return r;
  }
  /* STE through the weight fake quant, chain rule through w * sf */
  float *dw = lf_node_param(g, n, 0)->grad.data;
  for (int o = 0; o < O; o++)
    for (size_t k = 0; k < K; k++) {
      size_t i = (size_t)o * K + k;
      if (s->mask[i]) dw[i] += s->dwq[i] * s->sf[o];
    }
  return LF_OK;
}

const char *lq_conv_impl(const lf_node *n) {
  const wq_state *s = n->state;
  return s && s->eng ? lf_conv_engine_impl(s->eng) : "";
}

const lf_op_vtable lq_conv_vt = {"qat_conv2d", conv_build, conv_forward, conv_backward, wq_free};

/* ---- dense ---------------------------------------------------------------------- */
static lf_status dense_build(lf_graph *g, lf_node *n) {
  lq_dense_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int fin = in->h * in->w * in->c;
  n->h = n->w = 1;
  n->c = a->out_features;
  int ws[2] = {a->out_features, fin};
  if (lf_node_add_param(g, n, "weight", 2, ws, 1) < 0) return lf_graph_status(g);
  if (a->bias && lf_node_add_param(g, n, "bias", 1, &a->out_features, 1) < 0) return lf_graph_status(g);
  n->macs = (uint64_t)fin * a->out_features;
  return wq_alloc(n, a->out_features, (size_t)fin);
}

static lf_status dense_forward(lf_graph *g, lf_node *n) {
  lq_dense_attrs *a = n->attrs;
  wq_state *s = n->state;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int batch = n->out.shape[0], O = s->O, fin = (int)s->K;
  for (int o = 0; o < O; o++) {
    s->sf[o] = 1.0f;
    s->bias[o] = a->bias ? lf_node_param(g, n, 1)->value.data[o] : 0.0f;
  }
  quantise_weights(s, lf_node_param(g, n, 0)->value.data);
  s->running = 1;
  if (!n->train || a->ctx->bn_frozen) quantise_bias(g, a->in_fq, s);
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, O, fin, 1.0f, in->out.data, fin, s->wq, fin, 0.0f,
              n->out.data, O);
  lf_nn_add_bias(n->out.data, (size_t)batch, O, s->bias);
  return LF_OK;
}

static lf_status dense_backward(lf_graph *g, lf_node *n) {
  lq_dense_attrs *a = n->attrs;
  wq_state *s = n->state;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int batch = n->out.shape[0], O = s->O, fin = (int)s->K;
  if (a->bias) lf_nn_bias_grad(n->grad.data, (size_t)batch, O, lf_node_param(g, n, 1)->grad.data);
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, O, fin, batch, 1.0f, n->grad.data, O, in->out.data, fin,
              0.0f, s->dwq, fin);
  float *dw = lf_node_param(g, n, 0)->grad.data;
  for (size_t i = 0; i < (size_t)O * s->K; i++)
    if (s->mask[i]) dw[i] += s->dwq[i];
  lf_tensor *dx = lf_node_input_grad(g, n, 0);
  if (dx)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, batch, fin, O, 1.0f, n->grad.data, O, s->wq, fin, 1.0f,
                dx->data, fin);
  return LF_OK;
}

const lf_op_vtable lq_dense_vt = {"qat_dense", dense_build, dense_forward, dense_backward, wq_free};
