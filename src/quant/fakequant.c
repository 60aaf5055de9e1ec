/* Fake quantisation forward (torch.fake_quantize_* semantics) and the
 * straight-through estimator backward. */
#include <math.h>

#include "leapfrog/lf_quant.h"

/* One value: q = nearbyint(x * inv_scale) + zp in float, as torch computes
 * it; mask from q before clamping. NaN maps to zp with the gradient blocked. */
static inline float fq1(float x, float scale, float inv_scale, int32_t zp, int qmin, int qmax,
                        uint8_t *m) {
  float r = nearbyintf(x * inv_scale);
  if (!(r == r)) {
    if (m) *m = 0;
    return 0.0f;
  }
  /* Beyond int range the value clamps anyway; keep the arithmetic exact. */
  if (r > 1.0e9f) r = 1.0e9f;
  if (r < -1.0e9f) r = -1.0e9f;
  long q = (long)r + zp;
  if (m) *m = (uint8_t)(q >= qmin && q <= qmax);
  if (q < qmin) q = qmin;
  if (q > qmax) q = qmax;
  return (float)(q - zp) * scale;
}

void lf_fake_quant(const float *x, float *y, uint8_t *mask, size_t n, lf_qparams qp, int qmin,
                   int qmax) {
  const float inv = 1.0f / qp.scale;
  for (size_t i = 0; i < n; i++)
    y[i] = fq1(x[i], qp.scale, inv, qp.zero_point, qmin, qmax, mask ? mask + i : NULL);
}

void lf_fake_quant_per_channel_inner(const float *x, float *y, uint8_t *mask, size_t n,
                                     int channels, const float *scales, const int32_t *zps,
                                     int qmin, int qmax) {
  int c = 0;
  for (size_t i = 0; i < n; i++) {
    y[i] = fq1(x[i], scales[c], 1.0f / scales[c], zps ? zps[c] : 0, qmin, qmax,
               mask ? mask + i : NULL);
    if (++c == channels) c = 0;
  }
}

void lf_fake_quant_per_channel_outer(const float *x, float *y, uint8_t *mask, int channels,
                                     size_t per_channel, const float *scales,
                                     const int32_t *zps, int qmin, int qmax) {
  for (int c = 0; c < channels; c++) {
    const float s = scales[c], inv = 1.0f / s;
    const int32_t zp = zps ? zps[c] : 0;
    size_t o = (size_t)c * per_channel;
    for (size_t i = 0; i < per_channel; i++)
      y[o + i] = fq1(x[o + i], s, inv, zp, qmin, qmax, mask ? mask + o + i : NULL);
  }
}

void lf_fake_quant_backward(const float *dy, const uint8_t *mask, float *dx, size_t n,
                            int accumulate) {
  if (accumulate) {
    for (size_t i = 0; i < n; i++)
      if (mask[i]) dx[i] += dy[i];
  } else {
    for (size_t i = 0; i < n; i++) dx[i] = mask[i] ? dy[i] : 0.0f;
  }
}
