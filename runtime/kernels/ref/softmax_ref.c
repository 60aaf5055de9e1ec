/* SOFTMAX over the last axis. int8 follows TFLite's table-based int8 kernel:
 * e = table[255 - max + q], out = round(e / (sum(e) * out_scale)) + out_zp. */
#include <math.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_softmax__ref(const lfrt_softmax_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    const int8_t *x = in + (size_t)r * p->depth;
    int8_t *y = out + (size_t)r * p->depth;
    int32_t mx = -128;
    for (int j = 0; j < p->depth; j++)
      if (x[j] > mx) mx = x[j];
    const float *t = p->exp_lut + 255 - mx; /* t[q] = exp(beta*s*(q - max)), q <= max */
    float sum = 0.0f;
    for (int j = 0; j < p->depth; j++) sum += t[x[j]];
    float inv = 1.0f / (sum * p->out_scale);
    for (int j = 0; j < p->depth; j++) {
      float v = roundf(t[x[j]] * inv);
      if (!(v >= 0.0f)) v = 0.0f; /* NaN from a hostile beta: never convert it */
      if (v > 1000.0f) v = 1000.0f;
      int32_t q = (int32_t)v + p->out_zp;
      y[j] = (int8_t)lfrt_clamp_i32(q, -128, 127);
    }
  }
}

void lfrt_f32_softmax__ref(const lfrt_softmax_params *p, const float *in, float *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    const float *x = in + (size_t)r * p->depth;
    float *y = out + (size_t)r * p->depth;
    float mx = -INFINITY;
    for (int j = 0; j < p->depth; j++)
      if (x[j] > mx) mx = x[j];
    float sum = 0.0f;
    for (int j = 0; j < p->depth; j++) {
      y[j] = expf((x[j] - mx) * p->beta);
      sum += y[j];
    }
    for (int j = 0; j < p->depth; j++) y[j] /= sum;
  }
}
