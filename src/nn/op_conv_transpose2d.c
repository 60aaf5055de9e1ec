/* Transposed conv2d (torch ConvTranspose2d): oneDNN's deconvolution by
 * default (conv_dnnl.c); the reference (LF_CONV=ref, or shapes oneDNN
 * refuses) is sgemm into columns, then the col2im gather.
 * Weight IHWO [in][kh][kw][out/groups]. */
#include <cblas.h>
#include <string.h>

#include "nn/conv_dnnl.h"
#include "nn/nn_internal.h"

#define CHUNK_FLOATS ((size_t)8 << 20)

int lf_nn_conv_transpose2d(lf_graph *g, int x, const char *name, lf_conv_transpose2d_params p) {
  if (x < 0) return -1;
  return lf_nn_add_node(g, LF_OP_CONV_TRANSPOSE2D, name, &x, 1, &p, sizeof p);
}

static lf_status build(lf_graph *g, lf_node *n) {
  lf_conv_transpose2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (n->n_inputs != 1) return lf_error(LF_EINVAL, "nn: %s: conv_transpose2d takes 1 input", n->name);
  if (p->dil_h == 0) p->dil_h = 1;
  if (p->dil_w == 0) p->dil_w = 1;
  if (p->groups == 0) p->groups = 1;
  if (p->out_channels <= 0 || p->kh <= 0 || p->kw <= 0 || p->stride_h <= 0 || p->stride_w <= 0 ||
      p->dil_h < 0 || p->dil_w < 0 || p->groups < 0 || p->pad_top < 0 || p->pad_left < 0 ||
      p->pad_bottom < 0 || p->pad_right < 0 || p->out_pad_h < 0 || p->out_pad_w < 0 ||
      (p->out_pad_h >= p->stride_h && p->out_pad_h >= p->dil_h) ||
      (p->out_pad_w >= p->stride_w && p->out_pad_w >= p->dil_w))
    return lf_error(LF_EINVAL, "nn: %s: conv_transpose2d: bad parameters", n->name);
  if (in->c % p->groups || p->out_channels % p->groups)
    return lf_error(LF_EINVAL, "nn: %s: conv_transpose2d: groups %d do not divide channels", n->name, p->groups);
  n->h = (in->h - 1) * p->stride_h - p->pad_top - p->pad_bottom + p->dil_h * (p->kh - 1) + p->out_pad_h + 1;
  n->w = (in->w - 1) * p->stride_w - p->pad_left - p->pad_right + p->dil_w * (p->kw - 1) + p->out_pad_w + 1;
  n->c = p->out_channels;
  int og = p->out_channels / p->groups;
  int ws[4] = {in->c, p->kh, p->kw, og};
  int wi = lf_node_add_param(g, n, "weight", 4, ws, 1);
  if (wi < 0) return lf_graph_status(g);
  lf_nn_init_uniform(g, &lf_graph_param(g, wi)->value, og * p->kh * p->kw);
  if (p->bias) {
    int bi = lf_node_add_param(g, n, "bias", 1, &p->out_channels, 1);
    if (bi < 0) return lf_graph_status(g);
    lf_nn_init_uniform(g, &lf_graph_param(g, bi)->value, og * p->kh * p->kw);
  }
  n->macs = (uint64_t)in->h * in->w * in->c * og * p->kh * p->kw;
  return LF_OK;
}

/* The equivalent conv maps the output image (OH x OW) onto the input grid. */
static lf_im2col_geom geom(const lf_node *in, const lf_node *n, const lf_conv_transpose2d_params *p, int gi) {
  int og = n->c / p->groups;
  lf_im2col_geom gm = {n->h, n->w, n->c, gi * og, og, p->kh, p->kw, p->stride_h, p->stride_w,
                       p->dil_h, p->dil_w, p->pad_top, p->pad_left, in->h, in->w};
  return gm;
}

static size_t chunk_images(size_t per_image, int batch) {
  size_t c = per_image ? CHUNK_FLOATS / per_image : (size_t)batch;
  if (c < 1) c = 1;
  if (c > (size_t)batch) c = (size_t)batch;
  return c;
}

/* torch's output_padding extends the bottom/right: a smaller end crop. */
static lf_conv_shape dnnl_shape(const lf_node *in, const lf_node *n, const lf_conv_transpose2d_params *p, int batch) {
  lf_conv_shape s = {1, batch, in->h, in->w, in->c, n->h, n->w, n->c, p->kh, p->kw, p->stride_h, p->stride_w,
                     p->dil_h, p->dil_w, p->pad_top, p->pad_left, p->pad_bottom - p->out_pad_h,
                     p->pad_right - p->out_pad_w, p->groups, p->bias};
  return s;
}

static lf_status forward_ref(lf_graph *g, lf_node *n);

static lf_status forward(lf_graph *g, lf_node *n) {
  const lf_conv_transpose2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  lf_conv_shape s = dnnl_shape(in, n, p, n->out.shape[0]);
  lf_status st = lf_conv_dnnl_forward((lf_conv_engine **)&n->state, n->name, &s, in->out.data,
                                      lf_node_param(g, n, 0)->value.data,
                                      p->bias ? lf_node_param(g, n, 1)->value.data : NULL, n->out.data);
  return st == LF_EUNSUPPORTED ? forward_ref(g, n) : st;
}

static lf_status forward_ref(lf_graph *g, lf_node *n) {
  const lf_conv_transpose2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  const float *x = in->out.data, *w = lf_node_param(g, n, 0)->value.data;
  float *y = n->out.data;
  int batch = n->out.shape[0], C = in->c, G = p->groups, cg = C / G, og = n->c / G;
  size_t hw = (size_t)in->h * in->w, K = (size_t)p->kh * p->kw * og, out_img = (size_t)n->h * n->w * n->c;
  memset(y, 0, n->out.numel * sizeof(float));
  size_t chunk = chunk_images(hw * K, batch);
  float *cols = lf_graph_scratch(g, 0, chunk * hw * K);
  if (!cols) return lf_error(LF_ENOMEM, "nn: %s: no memory for columns", n->name);
  for (size_t i0 = 0; i0 < (size_t)batch; i0 += chunk) {
    size_t cnt = (size_t)batch - i0 < chunk ? (size_t)batch - i0 : chunk;
    for (int gi = 0; gi < G; gi++) {
      lf_im2col_geom gm = geom(in, n, p, gi);
      lf_nn_sgemm(0, 0, (int)(cnt * hw), (int)K, cg, 1.0f,
                  x + i0 * hw * C + (size_t)gi * cg, C, w + (size_t)gi * cg * K, (int)K, 0.0f, cols, (int)K);
      for (size_t i = 0; i < cnt; i++) lf_col2im_add(&gm, cols + i * hw * K, y + (i0 + i) * out_img);
    }
  }
  if (p->bias) lf_nn_add_bias(y, (size_t)batch * n->h * n->w, n->c, lf_node_param(g, n, 1)->value.data);
  return LF_OK;
}

static lf_status backward_ref(lf_graph *g, lf_node *n);

static lf_status backward(lf_graph *g, lf_node *n) {
  const lf_conv_transpose2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  lf_conv_shape s = dnnl_shape(in, n, p, n->out.shape[0]);
  lf_param *wp = lf_node_param(g, n, 0);
  lf_status st = lf_conv_node_backward(g, n, (lf_conv_engine **)&n->state, &s, in->out.data, wp->value.data,
                                       n->grad.data, wp->grad.data, p->bias ? lf_node_param(g, n, 1)->grad.data : NULL);
  return st == LF_EUNSUPPORTED ? backward_ref(g, n) : st;
}

static lf_status backward_ref(lf_graph *g, lf_node *n) {
  const lf_conv_transpose2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  const float *x = in->out.data;
  lf_param *wp = lf_node_param(g, n, 0);
  const float *w = wp->value.data, *dy = n->grad.data;
  float *dw = wp->grad.data;
  lf_tensor *dxt = lf_node_input_grad(g, n, 0);
  float *dx = dxt ? dxt->data : NULL;
  int batch = n->out.shape[0], C = in->c, G = p->groups, cg = C / G, og = n->c / G;
  size_t hw = (size_t)in->h * in->w, K = (size_t)p->kh * p->kw * og, out_img = (size_t)n->h * n->w * n->c;
  if (p->bias) lf_nn_bias_grad(dy, (size_t)batch * n->h * n->w, n->c, lf_node_param(g, n, 1)->grad.data);
  size_t chunk = chunk_images(hw * K, batch);
  float *cols = lf_graph_scratch(g, 0, chunk * hw * K);
  if (!cols) return lf_error(LF_ENOMEM, "nn: %s: no memory for columns", n->name);
  for (size_t i0 = 0; i0 < (size_t)batch; i0 += chunk) {
    size_t cnt = (size_t)batch - i0 < chunk ? (size_t)batch - i0 : chunk;
    for (int gi = 0; gi < G; gi++) {
      lf_im2col_geom gm = geom(in, n, p, gi);
      for (size_t i = 0; i < cnt; i++) lf_im2col(&gm, dy + (i0 + i) * out_img, cols + i * hw * K);
      const float *xg = x + i0 * hw * C + (size_t)gi * cg;
      lf_nn_sgemm(1, 0, cg, (int)K, (int)(cnt * hw), 1.0f, xg, C, cols, (int)K,
                  1.0f, dw + (size_t)gi * cg * K, (int)K);
      if (dx)
        lf_nn_sgemm(0, 1, (int)(cnt * hw), cg, (int)K, 1.0f, cols, (int)K,
                    w + (size_t)gi * cg * K, (int)K, 1.0f, dx + i0 * hw * C + (size_t)gi * cg, C);
    }
  }
  return LF_OK;
}

static void free_state(lf_node *n) {
  lf_conv_engine *e = n->state;
  lf_conv_engine_free(&e);
  n->state = NULL;
}

const lf_op_vtable lf_op_conv_transpose2d_vt = {"conv_transpose2d", build, forward, backward, free_state};
