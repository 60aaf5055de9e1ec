/* RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR reference (TFLite coordinate
 * rules; int8 bilinear in 10-bit fixed point, no float in its value path). */
#include <math.h>

#include "lfrt_kernels.h"

static float scale_of(int in, int out, int align_corners) {
  return (align_corners && out > 1) ? (float)(in - 1) / (float)(out - 1) : (float)in / (float)out;
}

static int nearest(int v, int in, float scale, int align, int half) {
  float off = half ? 0.5f : 0.0f;
  int r = align ? (int)roundf(((float)v + off) * scale) : (int)floorf(((float)v + off) * scale);
  if (r > in - 1) r = in - 1;
  if (half && r < 0) r = 0;
  return r;
}

#define NEAREST_BODY(T)                                                                        \
  float sy = scale_of(p->in_h, p->out_h, p->align_corners);                                    \
  float sx = scale_of(p->in_w, p->out_w, p->align_corners);                                    \
  for (int r = begin; r < end; r++) {                                                          \
    int b = r / p->out_h, oy = r % p->out_h;                                                   \
    int iy = nearest(oy, p->in_h, sy, p->align_corners, p->half_pixel_centers);                \
    for (int ox = 0; ox < p->out_w; ox++) {                                                    \
      int ix = nearest(ox, p->in_w, sx, p->align_corners, p->half_pixel_centers);              \
      const T *s = in + (((size_t)b * p->in_h + iy) * p->in_w + ix) * p->c;                    \
      T *d = out + ((size_t)r * p->out_w + ox) * p->c;                                         \
      for (int c = 0; c < p->c; c++) d[c] = s[c];                                              \
    }                                                                                          \
  }

void lfrt_qs8_resize_nearest__ref(const lfrt_resize_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  NEAREST_BODY(int8_t)
}
void lfrt_f32_resize_nearest__ref(const lfrt_resize_params *p, const float *in, float *out, int begin, int end) {
  NEAREST_BODY(float)
}

/* Source position of v in 1/1024 units and its two neighbours. */
void lfrt_qs8_resize_bilinear_q11__ref(const lfrt_resize_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int32_t *ty = p->tab_y + 3 * oy;
    const int8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->c;
    int32_t av = ty[2];
    for (int ox = 0; ox < p->out_w; ox++) {
      const int32_t *tx = p->tab_x + 3 * ox;
      int32_t ah = tx[2];
      const int8_t *tl = inb + ((size_t)ty[0] * p->in_w + tx[0]) * p->c;
      const int8_t *tr = inb + ((size_t)ty[0] * p->in_w + tx[1]) * p->c;
      const int8_t *bl = inb + ((size_t)ty[1] * p->in_w + tx[0]) * p->c;
      const int8_t *br = inb + ((size_t)ty[1] * p->in_w + tx[1]) * p->c;
      int8_t *o = out + ((size_t)r * p->out_w + ox) * p->c;
      for (int c = 0; c < p->c; c++) {
        int32_t top = tl[c] * 2048 + (tr[c] - tl[c]) * ah;
        int32_t bot = bl[c] * 2048 + (br[c] - bl[c]) * ah;
        int32_t acc = top * 2048 + (bot - top) * av;
        o[c] = (int8_t)((acc + (1 << 21)) >> 22); /* within [-128, 127] by construction */
      }
    }
  }
}

static void interpf(int v, float scale, int half, int in, float *pos, int *lo, int *hi) {
  *pos = half ? ((float)v + 0.5f) * scale - 0.5f : (float)v * scale;
  int l = (int)floorf(*pos);
  *lo = l > 0 ? l : 0;
  int h = (int)ceilf(*pos);
  *hi = h < in - 1 ? h : in - 1;
}

void lfrt_f32_resize_bilinear__ref(const lfrt_resize_params *p, const float *in, float *out, int begin, int end) {
  float sy = scale_of(p->in_h, p->out_h, p->align_corners);
  float sx = scale_of(p->in_w, p->out_w, p->align_corners);
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    float py;
    int y0, y1;
    interpf(oy, sy, p->half_pixel_centers, p->in_h, &py, &y0, &y1);
    float fy = py - (float)y0;
    const float *inb = in + (size_t)b * p->in_h * p->in_w * p->c;
    for (int ox = 0; ox < p->out_w; ox++) {
      float px;
      int x0, x1;
      interpf(ox, sx, p->half_pixel_centers, p->in_w, &px, &x0, &x1);
      float fx = px - (float)x0;
      const float *a = inb + ((size_t)y0 * p->in_w + x0) * p->c;
      const float *bq = inb + ((size_t)y1 * p->in_w + x0) * p->c;
      const float *c2 = inb + ((size_t)y0 * p->in_w + x1) * p->c;
      const float *d = inb + ((size_t)y1 * p->in_w + x1) * p->c;
      float *o = out + ((size_t)r * p->out_w + ox) * p->c;
      for (int c = 0; c < p->c; c++)
        o[c] = a[c] * (1 - fy) * (1 - fx) + bq[c] * fy * (1 - fx) + c2[c] * (1 - fy) * fx + d[c] * fy * fx;
    }
  }
}
