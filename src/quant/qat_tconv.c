/* QAT transposed conv2d (groups 1), optionally with a BN folded in as for
 * conv (qat_conv.c: w*gamma/sigma; live BN divides the output back and the
 * BN node normalises with batch statistics; frozen/eval: folded bias):
 * weights IHWO fake-quantised int8 symmetric per OUTPUT channel (the
 * innermost axis here, axis 0 of the TFLite OHWI tensor the converter
 * writes); int32-quantised bias in eval / frozen mode; straight-through
 * gradients. The transposed conv runs through oneDNN (nn/conv_dnnl.h) on the
 * fake-quantised folded weights, bias added here; the reference (sgemm into
 * columns + col2im) with LF_CONV=ref or where oneDNN refuses the shape. */
#include <cblas.h>
#include <stdlib.h>
#include <string.h>

#include "nn/conv_dnnl.h"
#include "quant/qat_internal.h"
#include "quant/qconv_util.h"

typedef struct {
  int ni, no; /* input, output channels */
  size_t K; /* kh*kw */
  float *wq, *dwq, *scales, *bias, *sf; /* sf: BN fold scale per output channel (1 without BN) */
  uint8_t *mask;
  int running; /* last forward used the folded (running-statistics) form */
  lf_conv_engine *eng; /* oneDNN primitives (NULL until first use) */
} tc_state;

static void tc_free(lf_node *n) {
  tc_state *s = n->state;
  if (!s) return;
  lf_conv_engine_free(&s->eng);
  free(s->wq);
  free(s->dwq);
  free(s->scales);
  free(s->bias);
  free(s->sf);
  free(s->mask);
}

static lf_status tc_build(lf_graph *g, lf_node *n) {
  lq_tconv_attrs *a = n->attrs;
  lf_conv_transpose2d_params *p = &a->p;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (p->groups > 1 || p->dil_h > 1 || p->dil_w > 1)
    return lf_error(LF_EUNSUPPORTED, "qat: %s: grouped or dilated transposed conv", n->name);
  p->groups = p->dil_h = p->dil_w = 1;
  n->h = (in->h - 1) * p->stride_h - p->pad_top - p->pad_bottom + (p->kh - 1) + p->out_pad_h + 1;
  n->w = (in->w - 1) * p->stride_w - p->pad_left - p->pad_right + (p->kw - 1) + p->out_pad_w + 1;
  n->c = p->out_channels;
  int ws[4] = {in->c, p->kh, p->kw, p->out_channels};
  if (lf_node_add_param(g, n, "weight", 4, ws, 1) < 0) return lf_graph_status(g);
  if (p->bias && lf_node_add_param(g, n, "bias", 1, &p->out_channels, 1) < 0) return lf_graph_status(g);
  n->macs = (uint64_t)in->h * in->w * in->c * p->out_channels * p->kh * p->kw;
  tc_state *s = calloc(1, sizeof *s);
  if (!s) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  n->state = s;
  s->ni = in->c;
  s->no = p->out_channels;
  s->K = (size_t)p->kh * p->kw;
  size_t nw = (size_t)s->ni * s->K * s->no;
  s->wq = malloc(sizeof(float) * nw);
  s->dwq = malloc(sizeof(float) * nw);
  s->mask = malloc(nw);
  s->scales = malloc(sizeof(float) * (size_t)s->no);
  s->bias = malloc(sizeof(float) * (size_t)s->no);
  s->sf = malloc(sizeof(float) * (size_t)s->no);
  if (!s->wq || !s->dwq || !s->mask || !s->scales || !s->bias || !s->sf) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  return LF_OK;
}

static lf_im2col_geom tc_geom(lf_graph *g, lf_node *n) {
  lq_tconv_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  lf_im2col_geom G = {n->h, n->w, n->c, 0, n->c, a->p.kh, a->p.kw, a->p.stride_h, a->p.stride_w, 1, 1,
                      a->p.pad_top, a->p.pad_left, in->h, in->w};
  return G;
}

/* The oneDNN shape (groups 1, no dilation; torch's output_padding makes a
 * smaller bottom/right crop; bias added by the caller). */
static lf_conv_shape tc_shape(lf_graph *g, lf_node *n, int batch) {
  const lf_conv_transpose2d_params *p = &((lq_tconv_attrs *)n->attrs)->p;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  lf_conv_shape cs = {1, batch, in->h, in->w, in->c, n->h, n->w, n->c, p->kh, p->kw, p->stride_h, p->stride_w, 1, 1,
                      p->pad_top, p->pad_left, p->pad_bottom - p->out_pad_h, p->pad_right - p->out_pad_w, 1, 0};
  return cs;
}

static lf_status tc_forward(lf_graph *g, lf_node *n) {
  lq_tconv_attrs *a = n->attrs;
  tc_state *s = n->state;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  const float *w = lf_node_param(g, n, 0)->value.data;
  size_t rowlen = s->K * s->no, nw = (size_t)s->ni * rowlen;
  for (int o = 0; o < s->no; o++) s->bias[o] = a->p.bias ? lf_node_param(g, n, 1)->value.data[o] : 0.0f;
  s->running = 1;
  if (a->bn >= 0) {
    lq_bn_fold_scale(g, a->bn, s->sf);
    s->running = lq_bn_uses_running(a->ctx, n);
    if (s->running) { /* folded bias: (b - mean) * s + beta */
      lf_node *bn = lf_graph_node(g, a->bn);
      const float *beta = lf_node_param(g, bn, 1)->value.data, *mean = lf_node_param(g, bn, 2)->value.data;
      for (int o = 0; o < s->no; o++) s->bias[o] = (s->bias[o] - mean[o]) * s->sf[o] + beta[o];
    }
  } else
    for (int o = 0; o < s->no; o++) s->sf[o] = 1.0f;
  /* folded weights w[i][k][o] * sf[o]; per output channel o: max over i, k of |.| */
  for (size_t j = 0; j < nw; j++) s->wq[j] = w[j] * s->sf[j % (size_t)s->no];
  for (int o = 0; o < s->no; o++) s->scales[o] = 0.0f;
  for (size_t j = 0; j < nw; j++) {
    float v = s->wq[j] < 0 ? -s->wq[j] : s->wq[j];
    int o = (int)(j % (size_t)s->no);
    if (v > s->scales[o]) s->scales[o] = v;
  }
  for (int o = 0; o < s->no; o++) {
    s->scales[o] /= (float)LF_QMAX_W;
    if (!(s->scales[o] >= 1e-8f)) s->scales[o] = 1e-8f;
  }
  lf_fake_quant_per_channel_inner(s->wq, s->wq, s->mask, nw, s->no, s->scales, NULL, LF_QMIN_W, LF_QMAX_W);
  lf_qparams iq;
  if (s->running && (!n->train || a->ctx->bn_frozen) && a->in_fq >= 0 && lq_fq_qparams(g, a->in_fq, &iq))
    for (int o = 0; o < s->no; o++) {
      float sb = iq.scale * s->scales[o];
      s->bias[o] = (float)lq_quant_bias(s->bias[o], sb) * sb;
    }
  int batch = n->out.shape[0];
  lf_conv_shape cs = tc_shape(g, n, batch);
  lf_status st = lf_conv_dnnl_forward(&s->eng, n->name, &cs, in->out.data, s->wq, NULL, n->out.data);
  if (st != LF_OK && st != LF_EUNSUPPORTED) return st;
  if (st == LF_EUNSUPPORTED) {
    lf_im2col_geom G = tc_geom(g, n);
    size_t M = (size_t)in->h * in->w, opix = (size_t)n->h * n->w * n->c;
    float *cols = lf_graph_scratch(g, 0, M * rowlen);
    if (!cols) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
    memset(n->out.data, 0, sizeof(float) * opix * (size_t)batch);
    for (int b = 0; b < batch; b++) {
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)M, (int)rowlen, s->ni, 1.0f,
                  in->out.data + (size_t)b * M * s->ni, s->ni, s->wq, (int)rowlen, 0.0f, cols, (int)rowlen);
      lf_col2im_add(&G, cols, n->out.data + (size_t)b * opix);
    }
  }
  size_t rows = (size_t)batch * n->h * n->w;
  float *y = n->out.data;
  if (!s->running) /* BN normalises next with batch statistics: undo the fold scale */
    for (size_t r = 0; r < rows; r++)
      for (int o = 0; o < s->no; o++) y[r * s->no + o] = y[r * s->no + o] / s->sf[o] + s->bias[o];
  else
    lf_nn_add_bias(y, rows, s->no, s->bias);
  return LF_OK;
}

static lf_status tc_backward(lf_graph *g, lf_node *n) {
  lq_tconv_attrs *a = n->attrs;
  tc_state *s = n->state;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int batch = n->out.shape[0];
  size_t M = (size_t)in->h * in->w, rowlen = s->K * s->no, opix = (size_t)n->h * n->w * n->c;
  size_t nw = (size_t)s->ni * rowlen;
  size_t rows = (size_t)batch * n->h * n->w;
  float *dy = n->grad.data;
  if (a->p.bias) {
    float *db = lf_node_param(g, n, 1)->grad.data;
    float *tmp = calloc((size_t)s->no, sizeof(float));
    if (!tmp) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
    lf_nn_bias_grad(dy, rows, s->no, tmp);
    /* running form: bias enters as (b - mean) * sf */
    for (int o = 0; o < s->no; o++) db[o] += s->running ? tmp[o] * s->sf[o] : tmp[o];
    free(tmp);
  }
  if (!s->running) /* d/dconv of conv / sf */
    for (size_t r = 0; r < rows; r++)
      for (int o = 0; o < s->no; o++) dy[r * s->no + o] /= s->sf[o];
  memset(s->dwq, 0, sizeof(float) * nw);
  lf_conv_shape cs = tc_shape(g, n, batch);
  lf_status st = lf_conv_node_backward(g, n, &s->eng, &cs, in->out.data, s->wq, dy, s->dwq, NULL);
  if (st != LF_OK && st != LF_EUNSUPPORTED) return st;
  if (st == LF_EUNSUPPORTED) {
    lf_im2col_geom G = tc_geom(g, n);
    float *cols = lf_graph_scratch(g, 0, M * rowlen);
    if (!cols) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
    lf_tensor *dx = lf_node_input_grad(g, n, 0);
    for (int b = 0; b < batch; b++) {
      lf_im2col(&G, n->grad.data + (size_t)b * opix, cols); /* [M][kh][kw][O] */
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s->ni, (int)rowlen, (int)M, 1.0f,
                  in->out.data + (size_t)b * M * s->ni, s->ni, cols, (int)rowlen, 1.0f, s->dwq, (int)rowlen);
      if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, s->ni, (int)rowlen, 1.0f, cols, (int)rowlen,
                    s->wq, (int)rowlen, 1.0f, dx->data + (size_t)b * M * s->ni, s->ni);
    }
  }
  /* STE through the weight fake quant, chain rule through w * sf */
  float *dw = lf_node_param(g, n, 0)->grad.data;
  for (size_t j = 0; j < nw; j++)
    if (s->mask[j]) dw[j] += s->dwq[j] * s->sf[j % (size_t)s->no];
  return LF_OK;
}

const char *lq_tconv_impl(const lf_node *n) {
  const tc_state *s = n->state;
  return s && s->eng ? lf_conv_engine_impl(s->eng) : "";
}

const lf_op_vtable lq_tconv_vt = {"qat_conv_transpose2d", tc_build, tc_forward, tc_backward, tc_free};
