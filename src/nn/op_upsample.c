/* Nearest and bilinear resizing with torch's index arithmetic
 * (nn.Upsample / F.interpolate, size given, float scale = in/out). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include <math.h>

#include "nn/nn_internal.h"

int lf_nn_upsample(lf_graph *g, int x, const char *name, lf_upsample_params p) {
  if (x < 0) return -1;
  return lf_nn_add_node(g, LF_OP_UPSAMPLE, name, &x, 1, &p, sizeof p);
}

static lf_status build(lf_graph *g, lf_node *n) {
  lf_upsample_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (p->out_h <= 0 || p->out_w <= 0 || (p->mode != LF_UPSAMPLE_NEAREST && p->mode != LF_UPSAMPLE_BILINEAR))
    return lf_error(LF_EINVAL, "nn: %s: upsample: bad mode %d or size %dx%d", n->name, (int)p->mode, p->out_h, p->out_w);
  n->h = p->out_h;
  n->w = p->out_w;
  n->c = in->c;
  return LF_OK;
}

static int nearest(int dst, int in, int out) {
  if (out == in) return dst;
  if (out == 2 * in) return dst >> 1;
  float scale = (float)in / (float)out;
  int s = (int)floorf((float)dst * scale);
  return s < in - 1 ? s : in - 1;
}

/* source taps for one output coordinate */
static void linear(int dst, int in, int out, int ac, int *i0, int *i1, float *l0, float *l1) {
  float src;
  if (ac) {
    float scale = out > 1 ? (float)(in - 1) / (float)(out - 1) : 0.0f;
    src = scale * (float)dst;
  } else {
    float scale = (float)in / (float)out;
    src = scale * ((float)dst + 0.5f) - 0.5f;
    if (src < 0) src = 0;
  }
  int a = (int)src;
  if (a > in - 1) a = in - 1;
  *i0 = a;
  *i1 = a + (a < in - 1 ? 1 : 0);
  *l1 = src - (float)a;
  *l0 = 1.0f - *l1;
}

typedef struct {
  const lf_upsample_params *p;
  const lf_node *in, *n;
  const float *x;
  float *y;
} up_job;

static void fwd_rows(void *vctx, size_t b, size_t e) {
  up_job *j = vctx;
  int H = j->in->h, W = j->in->w, C = j->n->c, OH = j->n->h, OW = j->n->w;
  for (size_t r = b; r < e; r++) {
    size_t img = r / (size_t)OH;
    int oy = (int)(r % (size_t)OH);
    const float *x = j->x + img * (size_t)H * W * C;
    float *y = j->y + r * (size_t)OW * C;
    if (j->p->mode == LF_UPSAMPLE_NEAREST) {
      int iy = nearest(oy, H, OH);
      for (int ox = 0; ox < OW; ox++) {
        const float *s = x + ((size_t)iy * W + nearest(ox, W, OW)) * C;
        for (int c = 0; c < C; c++) y[(size_t)ox * C + c] = s[c];
      }
    } else {
      int y0, y1, x0, x1;
      float a0, a1, b0, b1;
      linear(oy, H, OH, j->p->align_corners, &y0, &y1, &a0, &a1);
      for (int ox = 0; ox < OW; ox++) {
        linear(ox, W, OW, j->p->align_corners, &x0, &x1, &b0, &b1);
        const float *s00 = x + ((size_t)y0 * W + x0) * C, *s01 = x + ((size_t)y0 * W + x1) * C;
        const float *s10 = x + ((size_t)y1 * W + x0) * C, *s11 = x + ((size_t)y1 * W + x1) * C;
        for (int c = 0; c < C; c++)
          y[(size_t)ox * C + c] = a0 * (b0 * s00[c] + b1 * s01[c]) + a1 * (b0 * s10[c] + b1 * s11[c]);
      }
    }
  }
}

/* backward: scatter per image (j->x = dy, j->y = dx) */
static void bwd_imgs(void *vctx, size_t b, size_t e) {
  up_job *j = vctx;
  int H = j->in->h, W = j->in->w, C = j->n->c, OH = j->n->h, OW = j->n->w;
  for (size_t img = b; img < e; img++) {
    float *dx = j->y + img * (size_t)H * W * C;
    for (int oy = 0; oy < OH; oy++) {
      const float *dy = j->x + (img * OH + oy) * (size_t)OW * C;
      if (j->p->mode == LF_UPSAMPLE_NEAREST) {
        int iy = nearest(oy, H, OH);
        for (int ox = 0; ox < OW; ox++) {
          float *d = dx + ((size_t)iy * W + nearest(ox, W, OW)) * C;
          for (int c = 0; c < C; c++) d[c] += dy[(size_t)ox * C + c];
        }
        continue;
      }
      int y0, y1, x0, x1;
      float a0, a1, b0, b1;
      linear(oy, H, OH, j->p->align_corners, &y0, &y1, &a0, &a1);
      for (int ox = 0; ox < OW; ox++) {
        linear(ox, W, OW, j->p->align_corners, &x0, &x1, &b0, &b1);
        float *d00 = dx + ((size_t)y0 * W + x0) * C, *d01 = dx + ((size_t)y0 * W + x1) * C;
        float *d10 = dx + ((size_t)y1 * W + x0) * C, *d11 = dx + ((size_t)y1 * W + x1) * C;
        for (int c = 0; c < C; c++) {
          float v = dy[(size_t)ox * C + c];
          d00[c] += a0 * b0 * v;
          d01[c] += a0 * b1 * v;
          d10[c] += a1 * b0 * v;
          d11[c] += a1 * b1 * v;
        }
      }
    }
  }
}

static lf_status forward(lf_graph *g, lf_node *n) {
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  up_job j = {n->attrs, in, n, in->out.data, n->out.data};
  lf_parallel_for((size_t)n->out.shape[0] * n->h, fwd_rows, &j);
  return LF_OK;
}
static lf_status backward(lf_graph *g, lf_node *n) {
  lf_tensor *dx = lf_node_input_grad(g, n, 0);
  if (!dx) return LF_OK;
  up_job j = {n->attrs, lf_graph_node(g, n->inputs[0]), n, n->grad.data, dx->data};
  lf_parallel_for((size_t)n->out.shape[0], bwd_imgs, &j);
  return LF_OK;
}

const lf_op_vtable lf_op_upsample_vt = {"upsample", build, forward, backward, NULL};
