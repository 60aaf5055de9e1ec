/* float AVERAGE_POOL_2D / MAX_POOL_2D reference. */
#include <math.h>

#include "lfrt_kernels.h"

static void window(const lfrt_pool_params *p, int oy, int ox, int *y0, int *y1, int *x0, int *x1) {
  int iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
  *y0 = iy < 0 ? 0 : iy;
  *y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
  *x0 = ix < 0 ? 0 : ix;
  *x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
}

static float clampf(const lfrt_pool_params *p, float v) {
  if (v <= p->act_min_f) v = p->act_min_f; /* <=: -0.0 becomes +0.0 as in XNNPACK; NaN stays */
  if (v > p->act_max_f) v = p->act_max_f;
  return v;
}

void lfrt_f32_avgpool__ref(const lfrt_pool_params *p, const float *in, float *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const float *inb = in + (size_t)b * p->in_h * p->in_w * p->c;
    for (int ox = 0; ox < p->out_w; ox++) {
      int y0, y1, x0, x1;
      window(p, oy, ox, &y0, &y1, &x0, &x1);
      int count = (y1 - y0) * (x1 - x0);
      for (int c = 0; c < p->c; c++) {
        float acc = 0.0f;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) acc += inb[((size_t)y * p->in_w + x) * p->c + c];
        out[((size_t)r * p->out_w + ox) * p->c + c] = clampf(p, count > 0 ? acc / (float)count : 0.0f);
      }
    }
  }
}

void lfrt_f32_maxpool__ref(const lfrt_pool_params *p, const float *in, float *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const float *inb = in + (size_t)b * p->in_h * p->in_w * p->c;
    for (int ox = 0; ox < p->out_w; ox++) {
      int y0, y1, x0, x1;
      window(p, oy, ox, &y0, &y1, &x0, &x1);
      for (int c = 0; c < p->c; c++) {
        float m = -INFINITY;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            float v = inb[((size_t)y * p->in_w + x) * p->c + c];
            if (v > m) m = v;
          }
        out[((size_t)r * p->out_w + ox) * p->c + c] = clampf(p, m);
      }
    }
  }
}
