/* INT8 quantisation parameters, observers and fake quantisation (toolkit).
 *
 * Conventions follow the TFLite int8 spec:
 *  - activations: int8 asymmetric per tensor, q in [-128,127],
 *    real = scale * (q - zero_point); the range always contains 0 and 0.0 is
 *    exactly representable (the (min,max) range is "nudged" as TensorFlow's
 *    FakeQuantWithMinMaxVars does);
 *  - weights: int8 symmetric per output channel, zero point 0, q in [-127,127],
 *    scale_c = max|w_c| / 127;
 *  - bias: int32, scale = input_scale * weight_scale_c, zero point 0;
 *  - requantisation: real multiplier M = q * 2^shift, q a Q31 int32 in
 *    [2^30, 2^31) (TFLite's QuantizeMultiplier).
 * Fake quantisation matches torch.fake_quantize_per_tensor_affine and _per_channel_affine:
 *   q = nearbyint(x * (1/scale)) + zp  (round half to even, float math),
 *   y = (clamp(q, qmin, qmax) - zp) * scale,
 *   dL/dx = dL/dy where qmin <= q <= qmax, 0 elsewhere (straight-through). */
#ifndef LF_QUANT_H
#define LF_QUANT_H
#include <stddef.h>
#include <stdint.h>
#include "leapfrog/lf_status.h"

#define LF_QMIN_ACT (-128)
#define LF_QMAX_ACT 127
#define LF_QMIN_W (-127)
#define LF_QMAX_W 127

typedef struct {
  float scale;        /* > 0 */
  int32_t zero_point; /* in [qmin, qmax] */
} lf_qparams;

/* Asymmetric parameters for real range [min,max] over integers [qmin,qmax]
 * (qmin < qmax). The range is first widened to contain 0; a degenerate range
 * (max - min tiny or 0) gives scale 1e-8-floored so scale stays > 0. NaN/inf
 * bounds are LF_EINVAL. The nudged range is returned in *nmin and *nmax if non-NULL. */
lf_status lf_qparams_asym(float min, float max, int qmin, int qmax, lf_qparams *qp,
                          float *nmin, float *nmax);
/* Symmetric: zero point 0, scale = max(|min|,|max|) / qmax (floored as above). */
lf_status lf_qparams_sym(float min, float max, int qmax, lf_qparams *qp);
/* Per output channel symmetric weight scales: w has `channels` rows of
 * `per_channel` floats each (OHWI / [out][in] layouts: channel is the outer
 * index). scales[c] = max|w_c| / 127 (weights all zero -> 1e-8-floored). */
lf_status lf_qparams_weights_per_channel(const float *w, int channels, size_t per_channel,
                                         float *scales);

/* TFLite's QuantizeMultiplier: real = q * 2^shift with q in [2^30, 2^31)
 * (q = 0, shift = 0 for real == 0). real must be >= 0 and finite. Shifts below
 * -31 flush to 0; real >= 2^31 is LF_EINVAL. */
lf_status lf_quantize_multiplier(double real, int32_t *q, int *shift);

/* Quantise one real value the way TFLite's QUANTIZE op does (round half away
 * from zero of x/scale, plus zp, saturated to [qmin,qmax]). */
int32_t lf_quantize_value(float x, lf_qparams qp, int qmin, int qmax);

/* ---- fake quantisation ---------------------------------------------------- */
/* y[i] = fq(x[i]) per tensor; mask (optional, n bytes) gets 1 where the
 * gradient passes. y may alias x. */
void lf_fake_quant(const float *x, float *y, uint8_t *mask, size_t n, lf_qparams qp, int qmin,
                   int qmax);
/* Per channel along the LAST (fastest) axis, as NHWC activations or the
 * per-output-channel MUL/ADD constants: element i uses channel i % channels. */
void lf_fake_quant_per_channel_inner(const float *x, float *y, uint8_t *mask, size_t n,
                                     int channels, const float *scales, const int32_t *zps,
                                     int qmin, int qmax);
/* Per channel along the FIRST (outer) axis, as OHWI conv / [out][in] dense
 * weights: rows of `per_channel` elements, channel c uses scales[c]/zps[c]
 * (zps may be NULL = all 0). */
void lf_fake_quant_per_channel_outer(const float *x, float *y, uint8_t *mask, int channels,
                                     size_t per_channel, const float *scales,
                                     const int32_t *zps, int qmin, int qmax);
/* STE backward: dx[i] = mask[i] ? dy[i] : 0 (dx may alias dy); if accumulate,
 * dx[i] += instead of =. */
void lf_fake_quant_backward(const float *dy, const uint8_t *mask, float *dx, size_t n,
                            int accumulate);

/* ---- observers -------------------------------------------------------------- */
/* Moving-average min/max (torch MovingAverageMinMaxObserver semantics): the
 * first observed batch sets min/max; later ones move them by
 * `averaging` * (batch_min - min). After `freeze_after` observed batches
 * (0 = never) the range stops moving. */
typedef struct {
  float min, max;
  float averaging; /* default 0.01 */
  long steps;      /* batches observed */
  long freeze_after;
  int frozen;      /* set by freeze_after or by the caller */
} lf_observer;

void lf_observer_init(lf_observer *o, float averaging, long freeze_after);
/* Observes n values (NaN values are ignored; all-NaN batches change nothing). */
void lf_observer_update(lf_observer *o, const float *x, size_t n);
/* lf_observer_update in two halves: the min and max of x (+inf/-inf when x is
 * empty or all NaN), then the moving average with a batch range (a range
 * reduced over several processes, lf_nn.h lf_graph_set_reduce). */
void lf_observer_batch_range(const float *x, size_t n, float *lo, float *hi);
void lf_observer_apply(lf_observer *o, float lo, float hi);
/* Asymmetric int8 parameters of the current range (no batch seen: [0,0]). */
lf_status lf_observer_qparams(const lf_observer *o, lf_qparams *qp);

/* Histogram of values for PTQ calibration. The bin range grows to cover every
 * observed value (counts are re-binned when it grows), so no first pass is
 * needed. */
#define LF_HIST_BINS 2048
typedef struct {
  double counts[LF_HIST_BINS];
  float lo, hi;  /* bin range; bin width (hi-lo)/LF_HIST_BINS */
  float min, max; /* exact extremes seen */
  double total;
  int empty;
} lf_histogram;

void lf_histogram_init(lf_histogram *h);
void lf_histogram_update(lf_histogram *h, const float *x, size_t n);

typedef enum {
  LF_CALIB_MINMAX = 0,
  LF_CALIB_PERCENTILE, /* [p_lo, p_hi] percentiles of the distribution */
  LF_CALIB_MSE,        /* range minimising the expected int8 quantisation MSE */
} lf_calib_method;

/* Chooses a range [*min,*max] from the histogram by `method`
 * (percentile: `percentile` e.g. 99.99 keeps [100-p, p]). Empty histogram:
 * [0,0]. */
lf_status lf_histogram_range(const lf_histogram *h, lf_calib_method method, double percentile,
                             float *min, float *max);
/* Expected squared error per value of int8 asymmetric quantisation with range
 * [min,max] under the histogram's distribution (values taken uniform in each
 * bin). Used by LF_CALIB_MSE; exposed for tests. */
double lf_histogram_qerror(const lf_histogram *h, float min, float max);

const char *lf_calib_method_name(lf_calib_method m);
/* "minmax" | "percentile" | "mse" -> method (LF_EINVAL otherwise). */
lf_status lf_calib_method_parse(const char *s, lf_calib_method *m);

#endif
