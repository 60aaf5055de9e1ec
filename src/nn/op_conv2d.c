/* conv2d: im2col + sgemm (a direct sgemm for 1x1 stride-1 unpadded convs).
 * Weight OHWI [out][kh][kw][in/groups]; images are processed in chunks so
 * the im2col scratch stays under CHUNK_FLOATS. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>

#include "nn/nn_internal.h"

#define CHUNK_FLOATS ((size_t)8 << 20)

lf_conv2d_params lf_conv_params(int out_channels, int k, int s, int p, int bias) {
  lf_conv2d_params c = {0};
  c.out_channels = out_channels;
  c.kh = c.kw = k;
  c.stride_h = c.stride_w = s;
  c.pad_top = c.pad_left = c.pad_bottom = c.pad_right = p;
  c.dil_h = c.dil_w = 1;
  c.groups = 1;
  c.bias = bias;
  return c;
}

int lf_nn_conv2d(lf_graph *g, int x, const char *name, lf_conv2d_params p) {
  if (x < 0) return -1;
  return lf_nn_add_node(g, LF_OP_CONV2D, name, &x, 1, &p, sizeof p);
}

void lf_nn_init_uniform(lf_graph *g, lf_tensor *t, int fan_in) {
  float b = fan_in > 0 ? 1.0f / sqrtf((float)fan_in) : 0.0f;
  for (size_t i = 0; i < t->numel; i++) t->data[i] = lf_rng_range(lf_graph_rng(g), -b, b);
}

static void same_pad(int in, int k, int s, int d, int *lo, int *hi) {
  int out = (in + s - 1) / s;
  int tot = (out - 1) * s + d * (k - 1) + 1 - in;
  if (tot < 0) tot = 0;
  *lo = tot / 2;
  *hi = tot - *lo;
}

static lf_status build(lf_graph *g, lf_node *n) {
  lf_conv2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (n->n_inputs != 1) return lf_error(LF_EINVAL, "nn: %s: conv2d takes 1 input", n->name);
  if (p->dil_h == 0) p->dil_h = 1;
  if (p->dil_w == 0) p->dil_w = 1;
  if (p->groups == 0) p->groups = 1;
  if (p->out_channels <= 0 || p->kh <= 0 || p->kw <= 0 || p->stride_h <= 0 || p->stride_w <= 0 ||
      p->dil_h < 0 || p->dil_w < 0 || p->groups < 0 || p->pad_top < 0 || p->pad_left < 0 ||
      p->pad_bottom < 0 || p->pad_right < 0)
    return lf_error(LF_EINVAL, "nn: %s: conv2d: bad parameters (out %d, kernel %dx%d, stride %dx%d)", n->name,
                    p->out_channels, p->kh, p->kw, p->stride_h, p->stride_w);
  if (in->c % p->groups || p->out_channels % p->groups)
    return lf_error(LF_EINVAL, "nn: %s: conv2d: groups %d do not divide channels %d -> %d", n->name, p->groups,
                    in->c, p->out_channels);
  if (p->pad_same) {
    same_pad(in->h, p->kh, p->stride_h, p->dil_h, &p->pad_top, &p->pad_bottom);
    same_pad(in->w, p->kw, p->stride_w, p->dil_w, &p->pad_left, &p->pad_right);
  }
  int eh = in->h + p->pad_top + p->pad_bottom - p->dil_h * (p->kh - 1) - 1;
  int ew = in->w + p->pad_left + p->pad_right - p->dil_w * (p->kw - 1) - 1;
  if (eh < 0 || ew < 0)
    return lf_error(LF_EINVAL, "nn: %s: conv2d: kernel %dx%d larger than padded input %dx%d", n->name, p->kh, p->kw,
                    in->h, in->w);
  n->h = eh / p->stride_h + 1;
  n->w = ew / p->stride_w + 1;
  n->c = p->out_channels;
  int cg = in->c / p->groups;
  int ws[4] = {p->out_channels, p->kh, p->kw, cg};
  int wi = lf_node_add_param(g, n, "weight", 4, ws, 1);
  if (wi < 0) return lf_graph_status(g);
  lf_nn_init_uniform(g, &lf_graph_param(g, wi)->value, cg * p->kh * p->kw);
  if (p->bias) {
    int bi = lf_node_add_param(g, n, "bias", 1, &p->out_channels, 1);
    if (bi < 0) return lf_graph_status(g);
    lf_nn_init_uniform(g, &lf_graph_param(g, bi)->value, cg * p->kh * p->kw);
  }
  n->macs = (uint64_t)n->h * n->w * n->c * cg * p->kh * p->kw;
  return LF_OK;
}

typedef struct {
  float *y;
  const float *b;
  int c;
} bias_job;
static void bias_rows(void *vctx, size_t b, size_t e) {
  bias_job *j = vctx;
  for (size_t r = b; r < e; r++) {
    float *y = j->y + r * (size_t)j->c;
    for (int k = 0; k < j->c; k++) y[k] += j->b[k];
  }
}
void lf_nn_add_bias(float *y, size_t rows, int c, const float *b) {
  bias_job j = {y, b, c};
  lf_parallel_for(rows, bias_rows, &j);
}
void lf_nn_bias_grad(const float *dy, size_t rows, int c, float *db) {
  double buf[256];
  double *s = c <= 256 ? buf : malloc((size_t)c * sizeof(double));
  if (!s) return;
  lf_nn_colsum(dy, NULL, rows, c, s);
  for (int k = 0; k < c; k++) db[k] += (float)s[k];
  if (s != buf) free(s);
}

static int is_pointwise(const lf_conv2d_params *p) {
  return p->kh == 1 && p->kw == 1 && p->stride_h == 1 && p->stride_w == 1 && p->groups == 1 && !p->pad_top &&
         !p->pad_left && !p->pad_bottom && !p->pad_right;
}

static lf_im2col_geom geom(const lf_node *in, const lf_node *n, const lf_conv2d_params *p, int grp) {
  int cg = in->c / p->groups;
  lf_im2col_geom gm = {in->h, in->w, in->c, grp * cg, cg, p->kh, p->kw, p->stride_h, p->stride_w,
                       p->dil_h, p->dil_w, p->pad_top, p->pad_left, n->h, n->w};
  return gm;
}

static size_t chunk_images(size_t per_image, int batch) {
  size_t c = per_image ? CHUNK_FLOATS / per_image : (size_t)batch;
  if (c < 1) c = 1;
  if (c > (size_t)batch) c = (size_t)batch;
  return c;
}

static lf_status forward(lf_graph *g, lf_node *n) {
  const lf_conv2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  const float *x = in->out.data;
  const float *w = lf_node_param(g, n, 0)->value.data;
  float *y = n->out.data;
  int batch = n->out.shape[0], O = n->c, G = p->groups, Og = O / G, cg = in->c / G;
  size_t ohw = (size_t)n->h * n->w, K = (size_t)p->kh * p->kw * cg;
  if (is_pointwise(p)) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(batch * ohw), O, in->c, 1.0f, x, in->c, w, in->c,
                0.0f, y, O);
  } else {
    size_t chunk = chunk_images(ohw * K, batch);
    float *cols = lf_graph_scratch(g, 0, chunk * ohw * K);
    if (!cols) return lf_error(LF_ENOMEM, "nn: %s: no memory for im2col", n->name);
    size_t in_img = (size_t)in->h * in->w * in->c;
    for (size_t i0 = 0; i0 < (size_t)batch; i0 += chunk) {
      size_t cnt = (size_t)batch - i0 < chunk ? (size_t)batch - i0 : chunk;
      for (int gi = 0; gi < G; gi++) {
        lf_im2col_geom gm = geom(in, n, p, gi);
        for (size_t i = 0; i < cnt; i++) lf_im2col(&gm, x + (i0 + i) * in_img, cols + i * ohw * K);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)(cnt * ohw), Og, (int)K, 1.0f, cols, (int)K,
                    w + (size_t)gi * Og * K, (int)K, 0.0f, y + i0 * ohw * O + (size_t)gi * Og, O);
      }
    }
  }
  if (p->bias) lf_nn_add_bias(y, batch * ohw, O, lf_node_param(g, n, 1)->value.data);
  return LF_OK;
}

static lf_status backward(lf_graph *g, lf_node *n) {
  const lf_conv2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  const float *x = in->out.data;
  lf_param *wp = lf_node_param(g, n, 0);
  const float *w = wp->value.data;
  float *dw = wp->grad.data;
  const float *dy = n->grad.data;
  lf_tensor *dxt = lf_node_input_grad(g, n, 0);
  float *dx = dxt ? dxt->data : NULL;
  int batch = n->out.shape[0], O = n->c, G = p->groups, Og = O / G, cg = in->c / G;
  size_t ohw = (size_t)n->h * n->w, K = (size_t)p->kh * p->kw * cg;
  if (p->bias) lf_nn_bias_grad(dy, batch * ohw, O, lf_node_param(g, n, 1)->grad.data);
  if (is_pointwise(p)) {
    int rows = (int)(batch * ohw);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, O, in->c, rows, 1.0f, dy, O, x, in->c, 1.0f, dw, in->c);
    if (dx)
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, rows, in->c, O, 1.0f, dy, O, w, in->c, 1.0f, dx,
                  in->c);
    return LF_OK;
  }
  size_t chunk = chunk_images(ohw * K, batch);
  float *cols = lf_graph_scratch(g, 0, chunk * ohw * K);
  float *dcols = dx ? lf_graph_scratch(g, 1, chunk * ohw * K) : NULL;
  if (!cols || (dx && !dcols)) return lf_error(LF_ENOMEM, "nn: %s: no memory for im2col", n->name);
  size_t in_img = (size_t)in->h * in->w * in->c;
  for (size_t i0 = 0; i0 < (size_t)batch; i0 += chunk) {
    size_t cnt = (size_t)batch - i0 < chunk ? (size_t)batch - i0 : chunk;
    for (int gi = 0; gi < G; gi++) {
      lf_im2col_geom gm = geom(in, n, p, gi);
      const float *dyg = dy + i0 * ohw * O + (size_t)gi * Og;
      for (size_t i = 0; i < cnt; i++) lf_im2col(&gm, x + (i0 + i) * in_img, cols + i * ohw * K);
      cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Og, (int)K, (int)(cnt * ohw), 1.0f, dyg, O, cols, (int)K,
                  1.0f, dw + (size_t)gi * Og * K, (int)K);
      if (dx) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)(cnt * ohw), (int)K, Og, 1.0f, dyg, O,
                    w + (size_t)gi * Og * K, (int)K, 0.0f, dcols, (int)K);
        for (size_t i = 0; i < cnt; i++) lf_col2im_add(&gm, dcols + i * ohw * K, dx + (i0 + i) * in_img);
      }
    }
  }
  return LF_OK;
}

const lf_op_vtable lf_op_conv2d_vt = {"conv2d", build, forward, backward, NULL};
