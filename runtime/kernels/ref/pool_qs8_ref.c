/* int8 AVERAGE_POOL_2D / MAX_POOL_2D reference (windows clipped to the input). */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

/* Clipped window [y0,y1) x [x0,x1) of output (oy, ox). */
static void window(const lfrt_pool_params *p, int oy, int ox, int *y0, int *y1, int *x0, int *x1) {
  int iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
  *y0 = iy < 0 ? 0 : iy;
  *y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
  *x0 = ix < 0 ? 0 : ix;
  *x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
}

void lfrt_qs8_avgpool__ref(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->c;
    for (int ox = 0; ox < p->out_w; ox++) {
      int y0, y1, x0, x1;
      window(p, oy, ox, &y0, &y1, &x0, &x1);
      int32_t count = (y1 - y0) * (x1 - x0);
      for (int c = 0; c < p->c; c++) {
        int32_t acc = 0;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) acc += inb[((size_t)y * p->in_w + x) * p->c + c];
        int32_t v = 0;
        if (count > 0) v = acc > 0 ? (acc + count / 2) / count : (acc - count / 2) / count;
        out[((size_t)r * p->out_w + ox) * p->c + c] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
      }
    }
  }
}

void lfrt_qs8_maxpool__ref(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->c;
    for (int ox = 0; ox < p->out_w; ox++) {
      int y0, y1, x0, x1;
      window(p, oy, ox, &y0, &y1, &x0, &x1);
      for (int c = 0; c < p->c; c++) {
        int32_t m = -128;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            int32_t v = inb[((size_t)y * p->in_w + x) * p->c + c];
            if (v > m) m = v;
          }
        out[((size_t)r * p->out_w + ox) * p->c + c] = (int8_t)lfrt_clamp_i32(m, p->act_min, p->act_max);
      }
    }
  }
}
