/* Separable resizing (area / bilinear / nearest) and normalisation. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_image.h"

typedef struct {
  int *start, *count; /* per output index: first source index and how many */
  float *w;           /* per output index: `kmax` weights */
  int kmax;
} axis_coeffs;

static void axis_free(axis_coeffs *a) {
  free(a->start), free(a->count), free(a->w);
}

/* Weights along one axis of length in -> out. */
static lf_status axis_make(axis_coeffs *a, int in, int out, lf_resize_mode mode) {
  double s = (double)in / out;
  if (mode == LF_RESIZE_AREA && s <= 1.0) mode = LF_RESIZE_BILINEAR; /* enlarging */
  a->kmax = mode == LF_RESIZE_AREA ? (int)ceil(s) + 2 : 2;
  a->start = calloc((size_t)out, sizeof(int));
  a->count = calloc((size_t)out, sizeof(int));
  a->w = calloc((size_t)out * (size_t)a->kmax, sizeof(float));
  if (!a->start || !a->count || !a->w) {
    axis_free(a);
    return lf_error(LF_ENOMEM, "resize: out of memory");
  }
  for (int o = 0; o < out; o++) {
    float *w = a->w + (size_t)o * a->kmax;
    if (mode == LF_RESIZE_AREA) {
      double lo = o * s, hi = (o + 1) * s;
      int i0 = (int)floor(lo), i1 = (int)ceil(hi);
      if (i1 > in) i1 = in;
      if (i1 - i0 > a->kmax) i1 = i0 + a->kmax;
      a->start[o] = i0;
      a->count[o] = i1 - i0;
      for (int i = i0; i < i1; i++) {
        double c = fmin(i + 1.0, hi) - fmax((double)i, lo);
        w[i - i0] = (float)(c > 0 ? c / s : 0);
      }
    } else if (mode == LF_RESIZE_BILINEAR) {
      double x = (o + 0.5) * s - 0.5;
      if (x < 0) x = 0;
      int x0 = (int)x;
      if (x0 > in - 1) x0 = in - 1;
      double f = x - x0;
      a->start[o] = x0;
      if (x0 < in - 1) {
        a->count[o] = 2;
        w[0] = (float)(1.0 - f);
        w[1] = (float)f;
      } else {
        a->count[o] = 1;
        w[0] = 1.0f;
      }
    } else {
      int x0 = (int)floor((o + 0.5) * s);
      a->start[o] = x0 < in ? x0 : in - 1;
      a->count[o] = 1;
      w[0] = 1.0f;
    }
  }
  return LF_OK;
}

lf_status lf_resize(const uint8_t *src, int in_w, int in_h, int channels, float *dst, int out_w,
                    int out_h, lf_resize_mode mode) {
  if (!src || !dst || in_w <= 0 || in_h <= 0 || out_w <= 0 || out_h <= 0 || channels < 1 ||
      channels > 4 || (int)mode < 0 || mode > LF_RESIZE_NEAREST)
    return lf_error(LF_EINVAL, "resize: bad arguments %dx%dx%d -> %dx%d", in_w, in_h, channels,
                    out_w, out_h);
  axis_coeffs ax = {0}, ay = {0};
  lf_status st = axis_make(&ax, in_w, out_w, mode);
  if (st) return st;
  if ((st = axis_make(&ay, in_h, out_h, mode))) {
    axis_free(&ax);
    return st;
  }
  const int C = channels;
  /* horizontal pass: in_h x out_w x C floats */
  float *tmp = malloc((size_t)in_h * out_w * C * sizeof(float));
  if (!tmp) {
    axis_free(&ax), axis_free(&ay);
    return lf_error(LF_ENOMEM, "resize: out of memory");
  }
  for (int y = 0; y < in_h; y++) {
    const uint8_t *row = src + (size_t)y * in_w * C;
    float *t = tmp + (size_t)y * out_w * C;
    for (int o = 0; o < out_w; o++) {
      const float *w = ax.w + (size_t)o * ax.kmax;
      const uint8_t *p = row + (size_t)ax.start[o] * C;
      for (int c = 0; c < C; c++) {
        float acc = 0;
        for (int k = 0; k < ax.count[o]; k++) acc += w[k] * p[k * C + c];
        t[o * C + c] = acc;
      }
    }
  }
  /* vertical pass */
  size_t rowlen = (size_t)out_w * C;
  for (int o = 0; o < out_h; o++) {
    float *d = dst + (size_t)o * rowlen;
    const float *w = ay.w + (size_t)o * ay.kmax;
    for (size_t j = 0; j < rowlen; j++) d[j] = 0;
    for (int k = 0; k < ay.count[o]; k++) {
      const float *t = tmp + (size_t)(ay.start[o] + k) * rowlen;
      float wk = w[k];
      for (size_t j = 0; j < rowlen; j++) d[j] += wk * t[j];
    }
  }
  free(tmp);
  axis_free(&ax), axis_free(&ay);
  return LF_OK;
}

static const float im_mean[3] = {0.485f, 0.456f, 0.406f}, im_std[3] = {0.229f, 0.224f, 0.225f};

void lf_norm_values(lf_norm norm, int channels, float *mean, float *std) {
  for (int c = 0; c < channels; c++) {
    int imagenet = norm == LF_NORM_IMAGENET, cc = c < 3 ? c : 2;
    mean[c] = imagenet ? im_mean[cc] : 0.0f;
    std[c] = imagenet ? im_std[cc] : 1.0f;
  }
}

void lf_normalize(float *x, size_t pixels, int channels, lf_norm norm, const float mean[3],
                  const float std[3]) {
  if (norm == LF_NORM_NONE) return;
  const float *m = norm == LF_NORM_IMAGENET ? im_mean : mean;
  const float *s = norm == LF_NORM_IMAGENET ? im_std : std;
  for (size_t i = 0; i < pixels; i++)
    for (int c = 0; c < channels; c++) {
      float v = x[i * channels + c] / 255.0f;
      if (norm != LF_NORM_UNIT && m && s) {
        int cc = c < 3 ? c : 2;
        v = (v - m[cc]) / (s[cc] > 0 ? s[cc] : 1.0f);
      }
      x[i * channels + c] = v;
    }
}
