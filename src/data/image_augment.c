/* Seeded augmentation: one affine (flip, rotation, shift, zoom) applied to an image
 * and its mask identically, then brightness/contrast on the image. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_image.h"

static float sample_bilinear(const float *img, int w, int h, int C, int c, float x, float y) {
  if (x < 0) x = 0;
  if (y < 0) y = 0;
  if (x > w - 1) x = (float)(w - 1);
  if (y > h - 1) y = (float)(h - 1);
  int x0 = (int)x, y0 = (int)y;
  int x1 = x0 + (x0 < w - 1), y1 = y0 + (y0 < h - 1);
  float fx = x - x0, fy = y - y0;
  float a = img[((size_t)y0 * w + x0) * C + c], b = img[((size_t)y0 * w + x1) * C + c];
  float d = img[((size_t)y1 * w + x0) * C + c], e = img[((size_t)y1 * w + x1) * C + c];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
}

lf_status lf_augment(float *img, float *mask, int w, int h, int channels,
                     const lf_augment_opts *o, uint64_t seed) {
  if (!img || !o || w <= 0 || h <= 0 || channels < 1 || channels > 4)
    return lf_error(LF_EINVAL, "augment: bad arguments");
  uint64_t st = seed;
  /* always draw every number, in one order, so each part is independent of the others */
  double u_flip = lf_sm64_uniform(&st), u_rot = lf_sm64_uniform(&st), u_dx = lf_sm64_uniform(&st),
         u_dy = lf_sm64_uniform(&st), u_zoom = lf_sm64_uniform(&st), u_b = lf_sm64_uniform(&st),
         u_c = lf_sm64_uniform(&st);
  int flip = u_flip < o->hflip_prob;
  double ang = (2 * u_rot - 1) * o->max_rot_deg * M_PI / 180.0;
  double dx = (2 * u_dx - 1) * o->max_shift * w, dy = (2 * u_dy - 1) * o->max_shift * h;
  double zoom = 1 + (2 * u_zoom - 1) * o->max_zoom;
  double bright = (2 * u_b - 1) * o->max_brightness, contrast = 1 + (2 * u_c - 1) * o->max_contrast;
  size_t np = (size_t)w * h;
  if (flip || ang != 0 || dx != 0 || dy != 0 || zoom != 1) {
    float *src = malloc(np * channels * sizeof(float));
    float *msrc = mask ? malloc(np * sizeof(float)) : NULL;
    if (!src || (mask && !msrc)) {
      free(src), free(msrc);
      return lf_error(LF_ENOMEM, "augment: out of memory");
    }
    memcpy(src, img, np * channels * sizeof(float));
    if (mask) memcpy(msrc, mask, np * sizeof(float));
    double cx = (w - 1) * 0.5, cy = (h - 1) * 0.5, ca = cos(ang), sa = sin(ang);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        /* inverse map: output pixel -> source coordinates */
        double u = x - cx - dx, v = y - cy - dy;
        double sx = (ca * u + sa * v) / zoom + cx, sy = (-sa * u + ca * v) / zoom + cy;
        if (flip) sx = (w - 1) - sx;
        size_t i = (size_t)y * w + x;
        for (int c = 0; c < channels; c++)
          img[i * channels + c] = sample_bilinear(src, w, h, channels, c, (float)sx, (float)sy);
        if (mask) {
          long mx = lround(sx), my = lround(sy);
          mask[i] = (mx >= 0 && my >= 0 && mx < w && my < h) ? msrc[(size_t)my * w + mx] : 0.0f;
        }
      }
    free(src), free(msrc);
  }
  if (bright != 0 || contrast != 1) {
    for (size_t i = 0; i < np * channels; i++) {
      double v = ((img[i] / 255.0 - 0.5) * contrast + 0.5 + bright) * 255.0;
      img[i] = (float)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
  }
  return LF_OK;
}
