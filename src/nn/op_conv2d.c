/* conv2d: oneDNN (conv_dnnl.c) by default; the reference is im2col + sgemm
 * in cache-sized blocks (a direct sgemm for 1x1 stride-1 unpadded convs),
 * used with LF_CONV=ref or where oneDNN refuses the shape.
 * Weight OHWI [out][kh][kw][in/groups]. */
#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nn/conv_dnnl.h"
#include "nn/nn_internal.h"


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

/* Runs fn on blocks of im2col columns of `src` ([batch] images of gm's input
 * geometry): several whole images per block when they are small, else runs
 * of output rows of one image, so a block stays near BLOCK_FLOATS (cache
 * sized) and GEMMs keep a few hundred rows. row0 counts output pixels over
 * the whole batch. */
#define BLOCK_FLOATS ((size_t)1 << 17)
#define MIN_ROWS ((size_t)384)
typedef void (*block_fn)(void *ctx, const float *cols, size_t row0, size_t rows);
static lf_status for_blocks(lf_graph *g, const lf_im2col_geom *gm, const float *src, int batch, block_fn fn,
                            void *ctx) {
  size_t K = (size_t)gm->kh * gm->kw * gm->cg, ohw = (size_t)gm->OH * gm->OW;
  size_t img = (size_t)gm->H * gm->W * gm->C, per = ohw * K;
  /* at least MIN_ROWS GEMM rows per block, or deep layers starve the GEMM */
  size_t target = BLOCK_FLOATS > MIN_ROWS * K ? BLOCK_FLOATS : MIN_ROWS * K;
  if (per <= target || gm->OH == 1) {
    size_t chunk = per ? target / per : 1;
    if (chunk < 1) chunk = 1;
    if (chunk > (size_t)batch) chunk = (size_t)batch;
    float *cols = lf_graph_scratch(g, 0, chunk * per);
    if (!cols) return lf_error(LF_ENOMEM, "nn: no memory for %zu im2col floats", chunk * per);
    for (size_t i0 = 0; i0 < (size_t)batch; i0 += chunk) {
      size_t cnt = (size_t)batch - i0 < chunk ? (size_t)batch - i0 : chunk;
      for (size_t i = 0; i < cnt; i++) lf_im2col(gm, src + (i0 + i) * img, cols + i * per);
      fn(ctx, cols, i0 * ohw, cnt * ohw);
    }
    return LF_OK;
  }
  int R = (int)(target / ((size_t)gm->OW * K));
  if (R < 1) R = 1;
  if (R > gm->OH) R = gm->OH;
  float *cols = lf_graph_scratch(g, 0, (size_t)R * gm->OW * K);
  if (!cols) return lf_error(LF_ENOMEM, "nn: no memory for im2col");
  for (size_t i = 0; i < (size_t)batch; i++)
    for (int oy0 = 0; oy0 < gm->OH; oy0 += R) {
      int oy1 = oy0 + R < gm->OH ? oy0 + R : gm->OH;
      lf_im2col_rows(gm, src + i * img, cols, oy0, oy1);
      fn(ctx, cols, i * ohw + (size_t)oy0 * gm->OW, (size_t)(oy1 - oy0) * gm->OW);
    }
  return LF_OK;
}

typedef struct {
  const float *w; /* group's weights [Og][K] (or flipped [C][K']) */
  float *y;       /* output base, already offset to the group's first channel */
  const float *dy;
  float *dw;
  int ldy, n_out;
  int K;
} gemm_ctx;

static void fwd_block(void *vctx, const float *cols, size_t row0, size_t rows) {
  gemm_ctx *c = vctx;
  lf_nn_sgemm(0, 1, (int)rows, c->n_out, c->K, 1.0f, cols, c->K, c->w, c->K,
              0.0f, c->y + row0 * (size_t)c->ldy, c->ldy);
}
/* dW[Og][K] += dY[rows][Og]^T cols[rows][K] */
static void dw_block(void *vctx, const float *cols, size_t row0, size_t rows) {
  gemm_ctx *c = vctx;
  lf_nn_sgemm(1, 0, c->n_out, c->K, (int)rows, 1.0f, c->dy + row0 * (size_t)c->ldy,
              c->ldy, cols, c->K, 1.0f, c->dw, c->K);
}
/* dX[rows][C] += cols(dY)[rows][K'] W'[C][K']^T (stride-1 backward data) */
static void dx_block(void *vctx, const float *cols, size_t row0, size_t rows) {
  gemm_ctx *c = vctx;
  lf_nn_sgemm(0, 1, (int)rows, c->n_out, c->K, 1.0f, cols, c->K, c->w, c->K,
              1.0f, c->y + row0 * (size_t)c->ldy, c->ldy);
}

static lf_conv_shape dnnl_shape(const lf_node *in, const lf_node *n, const lf_conv2d_params *p, int batch) {
  lf_conv_shape s = {0, batch, in->h, in->w, in->c, n->h, n->w, n->c, p->kh, p->kw, p->stride_h, p->stride_w,
                     p->dil_h, p->dil_w, p->pad_top, p->pad_left, p->pad_bottom, p->pad_right, p->groups, p->bias};
  return s;
}

static lf_status forward_ref(lf_graph *g, lf_node *n);

static lf_status forward(lf_graph *g, lf_node *n) {
  const lf_conv2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  lf_conv_shape s = dnnl_shape(in, n, p, n->out.shape[0]);
  lf_status st = lf_conv_dnnl_forward((lf_conv_engine **)&n->state, n->name, &s, in->out.data,
                                      lf_node_param(g, n, 0)->value.data,
                                      p->bias ? lf_node_param(g, n, 1)->value.data : NULL, n->out.data);
  return st == LF_EUNSUPPORTED ? forward_ref(g, n) : st;
}

static lf_status forward_ref(lf_graph *g, lf_node *n) {
  const lf_conv2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  const float *x = in->out.data;
  const float *w = lf_node_param(g, n, 0)->value.data;
  float *y = n->out.data;
  int batch = n->out.shape[0], O = n->c, G = p->groups, Og = O / G, cg = in->c / G;
  size_t ohw = (size_t)n->h * n->w, K = (size_t)p->kh * p->kw * cg;
  if (is_pointwise(p)) {
    lf_nn_sgemm(0, 1, (int)(batch * ohw), O, in->c, 1.0f, x, in->c, w, in->c,
                0.0f, y, O);
  } else {
    for (int gi = 0; gi < G; gi++) {
      lf_im2col_geom gm = geom(in, n, p, gi);
      gemm_ctx c = {w + (size_t)gi * Og * K, y + (size_t)gi * Og, NULL, NULL, O, Og, (int)K};
      lf_status s = for_blocks(g, &gm, x, batch, fwd_block, &c);
      if (s) return lf_error_prefix(s, "nn: %s: ", n->name);
    }
  }
  if (p->bias) lf_nn_add_bias(y, batch * ohw, O, lf_node_param(g, n, 1)->value.data);
  return LF_OK;
}

/* Stride-1 convs propagate dY to dX as a conv of dY with the kernel rotated
 * 180 degrees and in/out swapped: one im2col + GEMM, no col2im scatter. */
static int flip_ok(const lf_conv2d_params *p) {
  return p->stride_h == 1 && p->stride_w == 1 && p->groups == 1 && p->dil_h * (p->kh - 1) >= p->pad_top &&
         p->dil_w * (p->kw - 1) >= p->pad_left;
}

static lf_status backward_data_flipped(lf_graph *g, lf_node *n, lf_node *in, float *dx) {
  const lf_conv2d_params *p = n->attrs;
  const float *w = lf_node_param(g, n, 0)->value.data;
  int O = n->c, C = in->c, kh = p->kh, kw = p->kw;
  size_t K2 = (size_t)kh * kw * O;
  float *wf = lf_graph_scratch(g, 3, (size_t)C * K2);
  if (!wf) return lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
  for (int o = 0; o < O; o++)
    for (int ky = 0; ky < kh; ky++)
      for (int kx = 0; kx < kw; kx++)
        for (int c = 0; c < C; c++)
          wf[(size_t)c * K2 + ((size_t)(kh - 1 - ky) * kw + (kw - 1 - kx)) * O + o] =
              w[(((size_t)o * kh + ky) * kw + kx) * C + c];
  lf_im2col_geom gm = {n->h, n->w, O, 0, O, kh, kw, 1, 1, p->dil_h, p->dil_w,
                       p->dil_h * (kh - 1) - p->pad_top, p->dil_w * (kw - 1) - p->pad_left, in->h, in->w};
  gemm_ctx c = {wf, dx, NULL, NULL, C, C, (int)K2};
  return for_blocks(g, &gm, n->grad.data, n->out.shape[0], dx_block, &c);
}

static lf_status backward_ref(lf_graph *g, lf_node *n);

static lf_status backward(lf_graph *g, lf_node *n) {
  const lf_conv2d_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  lf_conv_shape s = dnnl_shape(in, n, p, n->out.shape[0]);
  lf_param *wp = lf_node_param(g, n, 0);
  lf_status st = lf_conv_node_backward(g, n, (lf_conv_engine **)&n->state, &s, in->out.data, wp->value.data,
                                       n->grad.data, wp->grad.data, p->bias ? lf_node_param(g, n, 1)->grad.data : NULL);
  return st == LF_EUNSUPPORTED ? backward_ref(g, n) : st;
}

static lf_status backward_ref(lf_graph *g, lf_node *n) {
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
    lf_nn_sgemm(1, 0, O, in->c, rows, 1.0f, dy, O, x, in->c, 1.0f, dw, in->c);
    if (dx)
      lf_nn_sgemm(0, 0, rows, in->c, O, 1.0f, dy, O, w, in->c, 1.0f, dx,
                  in->c);
    return LF_OK;
  }
  for (int gi = 0; gi < G; gi++) {
    lf_im2col_geom gm = geom(in, n, p, gi);
    gemm_ctx c = {NULL, NULL, dy + (size_t)gi * Og, dw + (size_t)gi * Og * K, O, Og, (int)K};
    lf_status s = for_blocks(g, &gm, x, batch, dw_block, &c);
    if (s) return lf_error_prefix(s, "nn: %s: ", n->name);
  }
  if (!dx) return LF_OK;
  if (flip_ok(p)) {
    lf_status s = backward_data_flipped(g, n, in, dx);
    return s ? lf_error_prefix(s, "nn: %s: ", n->name) : LF_OK;
  }
  /* general case: dcols = dY W, scattered back by the col2im gather, per image */
  size_t in_img = (size_t)in->h * in->w * in->c;
  float *dcols = lf_graph_scratch(g, 1, ohw * K);
  if (!dcols) return lf_error(LF_ENOMEM, "nn: %s: no memory for im2col", n->name);
  for (int i = 0; i < batch; i++)
    for (int gi = 0; gi < G; gi++) {
      lf_im2col_geom gm = geom(in, n, p, gi);
      lf_nn_sgemm(0, 0, (int)ohw, (int)K, Og, 1.0f,
                  dy + (size_t)i * ohw * O + (size_t)gi * Og, O, w + (size_t)gi * Og * K, (int)K, 0.0f, dcols,
                  (int)K);
      lf_col2im_add(&gm, dcols, dx + (size_t)i * in_img);
    }
  return LF_OK;
}

static void free_state(lf_node *n) {
  lf_conv_engine *e = n->state;
  lf_conv_engine_free(&e);
  n->state = NULL;
}

const lf_op_vtable lf_op_conv2d_vt = {"conv2d", build, forward, backward, free_state};
