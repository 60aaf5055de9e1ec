/* im2col and its adjoint for one image (NHWC, channel slice for groups). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3") /* -O2's cost model leaves these loops scalar */
#endif
#include <string.h>

#include "nn/nn_internal.h"

typedef struct {
  const lf_im2col_geom *g;
  const float *src;
  float *dst;
  int oy0; /* im2col: first output row; dst holds rows from oy0 */
} job;

static void im2col_rows(void *vctx, size_t b, size_t e) {
  job *j = vctx;
  const lf_im2col_geom *g = j->g;
  size_t K = (size_t)g->kh * g->kw * g->cg;
  for (size_t oy = b + (size_t)j->oy0; oy < e + (size_t)j->oy0; oy++)
    for (int ox = 0; ox < g->OW; ox++) {
      float *col = j->dst + ((oy - (size_t)j->oy0) * (size_t)g->OW + ox) * K;
      for (int ky = 0; ky < g->kh; ky++) {
        int iy = (int)oy * g->sh - g->pt + ky * g->dh;
        for (int kx = 0; kx < g->kw; kx++, col += g->cg) {
          int ix = ox * g->sw - g->pl + kx * g->dw;
          if (iy < 0 || iy >= g->H || ix < 0 || ix >= g->W) {
            memset(col, 0, (size_t)g->cg * sizeof(float));
          } else {
            memcpy(col, j->src + ((size_t)iy * g->W + ix) * g->C + g->c0, (size_t)g->cg * sizeof(float));
          }
        }
      }
    }
}

void lf_im2col(const lf_im2col_geom *g, const float *img, float *cols) {
  job j = {g, img, cols, 0};
  lf_parallel_for((size_t)g->OH, im2col_rows, &j);
}

void lf_im2col_rows(const lf_im2col_geom *g, const float *img, float *cols, int oy0, int oy1) {
  job j = {g, img, cols, oy0};
  lf_parallel_for((size_t)(oy1 - oy0), im2col_rows, &j);
}


static void col2im_rows(void *vctx, size_t b, size_t e) {
  job j0 = *(job *)vctx;
  const lf_im2col_geom *g = j0.g;
  size_t K = (size_t)g->kh * g->kw * g->cg;
  for (size_t iy = b; iy < e; iy++)
    for (int ix = 0; ix < g->W; ix++) {
      float *dst = j0.dst + (iy * (size_t)g->W + ix) * g->C + g->c0;
      for (int ky = 0; ky < g->kh; ky++) {
        int ty = (int)iy + g->pt - ky * g->dh; /* = oy * sh */
        if (ty < 0 || ty % g->sh) continue;
        int oy = ty / g->sh;
        if (oy >= g->OH) continue;
        for (int kx = 0; kx < g->kw; kx++) {
          int tx = ix + g->pl - kx * g->dw;
          if (tx < 0 || tx % g->sw) continue;
          int ox = tx / g->sw;
          if (ox >= g->OW) continue;
          const float *col = j0.src + ((size_t)oy * g->OW + ox) * K + ((size_t)ky * g->kw + kx) * g->cg;
          for (int c = 0; c < g->cg; c++) dst[c] += col[c];
        }
      }
    }
}

void lf_col2im_add(const lf_im2col_geom *g, const float *cols, float *img) {
  job j = {g, cols, img, 0};
  lf_parallel_for((size_t)g->H, col2im_rows, &j);
}
