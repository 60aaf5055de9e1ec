/* Quantisation parameters: asymmetric / symmetric / per-channel, TFLite's
 * fixed-point multiplier, and the scalar QUANTIZE rounding. */
#include <math.h>
#include <string.h>

#include "leapfrog/lf_quant.h"

#define SCALE_FLOOR 1e-8f

lf_status lf_qparams_asym(float min, float max, int qmin, int qmax, lf_qparams *qp,
                          float *nmin, float *nmax) {
  if (!qp || qmin >= qmax) return lf_error(LF_EINVAL, "qparams: bad integer range [%d,%d]", qmin, qmax);
  if (!isfinite(min) || !isfinite(max) || min > max)
    return lf_error(LF_EINVAL, "qparams: bad real range [%g,%g]", (double)min, (double)max);
  /* The range must contain 0 so that zero padding / ReLU zeros are exact. */
  if (min > 0.0f) min = 0.0f;
  if (max < 0.0f) max = 0.0f;
  const float fqmin = (float)qmin, fqmax = (float)qmax;
  float scale = (max - min) / (fqmax - fqmin);
  if (!(scale >= SCALE_FLOOR)) scale = SCALE_FLOOR;
  /* Nudge as TensorFlow's FakeQuantWithMinMaxVars: the zero point is the
   * integer nearest to where 0 falls, and the range shifts to match. */
  const float zp_from_min = fqmin - min / scale;
  int32_t zp;
  if (zp_from_min <= fqmin) zp = qmin;
  else if (zp_from_min >= fqmax) zp = qmax;
  else zp = (int32_t)roundf(zp_from_min);
  qp->scale = scale;
  qp->zero_point = zp;
  if (nmin) *nmin = (fqmin - (float)zp) * scale;
  if (nmax) *nmax = (fqmax - (float)zp) * scale;
  return LF_OK;
}

lf_status lf_qparams_sym(float min, float max, int qmax, lf_qparams *qp) {
  if (!qp || qmax <= 0) return lf_error(LF_EINVAL, "qparams_sym: bad qmax %d", qmax);
  if (!isfinite(min) || !isfinite(max))
    return lf_error(LF_EINVAL, "qparams_sym: bad real range [%g,%g]", (double)min, (double)max);
  float a = fmaxf(fabsf(min), fabsf(max));
  float scale = a / (float)qmax;
  qp->scale = scale >= SCALE_FLOOR ? scale : SCALE_FLOOR;
  qp->zero_point = 0;
  return LF_OK;
}

lf_status lf_qparams_weights_per_channel(const float *w, int channels, size_t per_channel,
                                         float *scales) {
  if (!w || !scales || channels <= 0 || per_channel == 0)
    return lf_error(LF_EINVAL, "per-channel weight scales: empty weights");
  for (int c = 0; c < channels; c++) {
    const float *row = w + (size_t)c * per_channel;
    float a = 0.0f;
    for (size_t i = 0; i < per_channel; i++) {
      float v = fabsf(row[i]);
      if (!isfinite(v)) return lf_error(LF_EINVAL, "per-channel weight scales: channel %d holds a non-finite weight", c);
      if (v > a) a = v;
    }
    float s = a / (float)LF_QMAX_W;
    scales[c] = s >= SCALE_FLOOR ? s : SCALE_FLOOR;
  }
  return LF_OK;
}

lf_status lf_quantize_multiplier(double real, int32_t *q, int *shift) {
  if (!q || !shift || !(real >= 0.0) || !isfinite(real))
    return lf_error(LF_EINVAL, "quantize_multiplier: bad real multiplier %g", real);
  if (real == 0.0) {
    *q = 0;
    *shift = 0;
    return LF_OK;
  }
  int e = 0;
  double frac = frexp(real, &e); /* real = frac * 2^e, frac in [0.5, 1) */
  long long qf = llround(frac * 2147483648.0);
  if (qf == 2147483648LL) {
    qf /= 2;
    e++;
  }
  if (e < -31) {
    e = 0;
    qf = 0;
  }
  if (e > 30) return lf_error(LF_EINVAL, "quantize_multiplier: %g too large", real);
  *q = (int32_t)qf;
  *shift = e;
  return LF_OK;
}

int32_t lf_quantize_value(float x, lf_qparams qp, int qmin, int qmax) {
  float r = roundf(x / qp.scale);
  long v;
  if (!(r == r)) v = 0;
  else if (r > 4.0e9f) v = qmax;
  else if (r < -4.0e9f) v = qmin;
  else v = (long)r;
  v += qp.zero_point;
  if (v < qmin) v = qmin;
  if (v > qmax) v = qmax;
  return (int32_t)v;
}

static const char *const calib_names[] = {"minmax", "percentile", "mse"};

const char *lf_calib_method_name(lf_calib_method m) {
  return (unsigned)m < 3 ? calib_names[m] : "?";
}

lf_status lf_calib_method_parse(const char *s, lf_calib_method *m) {
  for (int i = 0; i < 3; i++)
    if (s && !strcmp(s, calib_names[i])) {
      *m = (lf_calib_method)i;
      return LF_OK;
    }
  return lf_error(LF_EINVAL, "unknown calibration method '%s' (minmax, percentile, mse)", s ? s : "");
}
