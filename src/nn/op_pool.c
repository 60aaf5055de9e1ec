/* Max and average pooling (torch MaxPool2d / AvgPool2d, floor mode).
 * Max pool pads with -inf and keeps the first maximum in window order; the
 * argmax is saved for backward. Average pool divides by the window clipped to
 * the padded input (count_include_pad=1, torch's default) or by the number of
 * real pixels. Backward scatters per image, images in parallel. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include <float.h>
#include <stdint.h>
#include <stdlib.h>

#include "nn/nn_internal.h"

typedef struct {
  int32_t *argmax;
  size_t cap;
} mp_state;

lf_pool_params lf_pool_square(int k, int s, int p) {
  lf_pool_params q = {k, k, s, s, p, p, p, p, 1};
  return q;
}

int lf_nn_maxpool(lf_graph *g, int x, const char *name, lf_pool_params p) {
  if (x < 0) return -1;
  return lf_nn_add_node(g, LF_OP_MAXPOOL, name, &x, 1, &p, sizeof p);
}
int lf_nn_avgpool(lf_graph *g, int x, const char *name, lf_pool_params p) {
  if (x < 0) return -1;
  return lf_nn_add_node(g, LF_OP_AVGPOOL, name, &x, 1, &p, sizeof p);
}

static void free_state(lf_node *n) {
  mp_state *s = n->state;
  if (s) free(s->argmax);
}

static lf_status build(lf_graph *g, lf_node *n) {
  lf_pool_params *p = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (p->kh <= 0 || p->kw <= 0 || p->stride_h <= 0 || p->stride_w <= 0 || p->pad_top < 0 || p->pad_left < 0 ||
      p->pad_bottom < 0 || p->pad_right < 0 || p->pad_top > p->kh / 2 || p->pad_bottom > p->kh / 2 ||
      p->pad_left > p->kw / 2 || p->pad_right > p->kw / 2)
    return lf_error(LF_EINVAL, "nn: %s: pool: bad kernel/stride/padding (pad must be <= kernel/2)", n->name);
  int eh = in->h + p->pad_top + p->pad_bottom - p->kh, ew = in->w + p->pad_left + p->pad_right - p->kw;
  if (eh < 0 || ew < 0) return lf_error(LF_EINVAL, "nn: %s: pool window larger than input", n->name);
  n->h = eh / p->stride_h + 1;
  n->w = ew / p->stride_w + 1;
  n->c = in->c;
  if (n->kind == LF_OP_MAXPOOL) {
    n->state = calloc(1, sizeof(mp_state));
    if (!n->state) return lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
  }
  return LF_OK;
}

typedef struct {
  const lf_pool_params *p;
  const lf_node *in, *n;
  const float *x, *dy;
  float *y, *dx;
  int32_t *am;
  int max;
} pool_job;

/* window bounds of output (oy, ox), clipped to the input; *div = divisor */
static void window(const pool_job *j, int oy, int ox, int *y0, int *y1, int *x0, int *x1, int *div) {
  const lf_pool_params *p = j->p;
  int H = j->in->h, W = j->in->w;
  int hs = oy * p->stride_h - p->pad_top, ws = ox * p->stride_w - p->pad_left;
  int he = hs + p->kh, we = ws + p->kw;
  if (he > H + p->pad_bottom) he = H + p->pad_bottom;
  if (we > W + p->pad_right) we = W + p->pad_right;
  int padded = (he - hs) * (we - ws);
  if (hs < 0) hs = 0;
  if (ws < 0) ws = 0;
  if (he > H) he = H;
  if (we > W) we = W;
  *y0 = hs, *y1 = he, *x0 = ws, *x1 = we;
  *div = p->count_include_pad ? padded : (he - hs) * (we - ws);
}

/* Per output pixel, the window's pixels in window order, each a vector over
 * channels: the same comparisons (max) and the same summation order (avg)
 * as a per-channel scalar loop, but contiguous in c so the loops vectorize. */
static void fwd_rows(void *vctx, size_t b, size_t e) {
  pool_job *j = vctx;
  const int C = j->n->c, OH = j->n->h, OW = j->n->w, H = j->in->h, W = j->in->w;
  for (size_t r = b; r < e; r++) {
    size_t img = r / (size_t)OH;
    int oy = (int)(r % (size_t)OH);
    const float *x = j->x + img * (size_t)H * W * C;
    for (int ox = 0; ox < OW; ox++) {
      size_t o = (r * OW + ox) * (size_t)C;
      float *restrict y = j->y + o;
      int y0, y1, x0, x1, div;
      window(j, oy, ox, &y0, &y1, &x0, &x1, &div);
      if (j->max) {
        int32_t *restrict am = j->am + o;
        if (y0 >= y1 || x0 >= x1) { /* cannot happen: build() keeps pad <= kernel/2 */
          for (int c = 0; c < C; c++) y[c] = -FLT_MAX, am[c] = 0;
          continue;
        }
        const float *restrict p0 = x + ((size_t)y0 * W + x0) * C;
        int32_t i0 = y0 * W + x0;
        for (int c = 0; c < C; c++) y[c] = p0[c], am[c] = i0;
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++) {
            if (iy == y0 && ix == x0) continue;
            const float *restrict p = x + ((size_t)iy * W + ix) * C;
            int32_t idx = iy * W + ix;
            for (int c = 0; c < C; c++) {
              float v = p[c], m = y[c];
              int take = (v > m) | (v != v); /* first maximum; a NaN wins */
              y[c] = take ? v : m;
              am[c] = take ? idx : am[c];
            }
          }
      } else {
        for (int c = 0; c < C; c++) y[c] = 0.0f;
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++) {
            const float *restrict p = x + ((size_t)iy * W + ix) * C;
            for (int c = 0; c < C; c++) y[c] += p[c];
          }
        if (div > 0) {
          float d = (float)div;
          for (int c = 0; c < C; c++) y[c] = y[c] / d;
        } else {
          for (int c = 0; c < C; c++) y[c] = 0.0f;
        }
      }
    }
  }
}

static void bwd_imgs(void *vctx, size_t b, size_t e) {
  pool_job *j = vctx;
  int C = j->n->c, OH = j->n->h, OW = j->n->w, H = j->in->h, W = j->in->w;
  for (size_t img = b; img < e; img++) {
    float *dx = j->dx + img * (size_t)H * W * C;
    for (int oy = 0; oy < OH; oy++)
      for (int ox = 0; ox < OW; ox++) {
        size_t o = ((img * OH + oy) * OW + ox) * (size_t)C;
        if (j->max) {
          for (int c = 0; c < C; c++) dx[(size_t)j->am[o + c] * C + c] += j->dy[o + c];
          continue;
        }
        int y0, y1, x0, x1, div;
        window(j, oy, ox, &y0, &y1, &x0, &x1, &div);
        if (div <= 0) continue;
        for (int iy = y0; iy < y1; iy++)
          for (int ix = x0; ix < x1; ix++)
            for (int c = 0; c < C; c++) dx[((size_t)iy * W + ix) * C + c] += j->dy[o + c] / (float)div;
      }
  }
}

static lf_status forward(lf_graph *g, lf_node *n) {
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  pool_job j = {n->attrs, in, n, in->out.data, NULL, n->out.data, NULL, NULL, n->kind == LF_OP_MAXPOOL};
  if (j.max) {
    mp_state *s = n->state;
    if (s->cap < n->out.numel) {
      free(s->argmax);
      s->argmax = malloc(n->out.numel * sizeof(int32_t));
      s->cap = s->argmax ? n->out.numel : 0;
      if (!s->argmax) return lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
    }
    j.am = s->argmax;
  }
  lf_parallel_for((size_t)n->out.shape[0] * n->h, fwd_rows, &j);
  return LF_OK;
}

static lf_status backward(lf_graph *g, lf_node *n) {
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  lf_tensor *dx = lf_node_input_grad(g, n, 0);
  if (!dx) return LF_OK;
  pool_job j = {n->attrs, in, n, in->out.data, n->grad.data, NULL, dx->data,
                n->kind == LF_OP_MAXPOOL ? ((mp_state *)n->state)->argmax : NULL, n->kind == LF_OP_MAXPOOL};
  lf_parallel_for((size_t)n->out.shape[0], bwd_imgs, &j);
  return LF_OK;
}

const lf_op_vtable lf_op_maxpool_vt = {"maxpool", build, forward, backward, free_state};
const lf_op_vtable lf_op_avgpool_vt = {"avgpool", build, forward, backward, NULL};
