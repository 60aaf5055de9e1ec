/* Histogram calibration for PTQ: a growing-range histogram, and range
 * selection by min/max, percentile or minimum expected quantisation MSE. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_quant.h"

void lf_histogram_init(lf_histogram *h) {
  memset(h, 0, sizeof *h);
  h->empty = 1;
}

/* Spreads the old bins over the new range [lo,hi] in proportion to overlap
 * (values assumed uniform within a bin). */
static void rebin(lf_histogram *h, float lo, float hi) {
  double old[LF_HIST_BINS];
  memcpy(old, h->counts, sizeof old);
  memset(h->counts, 0, sizeof h->counts);
  const double ow = ((double)h->hi - h->lo) / LF_HIST_BINS;
  const double nw = ((double)hi - lo) / LF_HIST_BINS;
  for (int b = 0; b < LF_HIST_BINS; b++) {
    if (old[b] == 0.0) continue;
    double a = h->lo + b * ow, e = a + ow;
    int j0 = (int)floor((a - lo) / nw), j1 = (int)floor((e - lo) / nw);
    if (j0 < 0) j0 = 0;
    if (j1 > LF_HIST_BINS - 1) j1 = LF_HIST_BINS - 1;
    if (j1 < j0) j1 = j0;
    for (int j = j0; j <= j1; j++) {
      double s = lo + j * nw, t = s + nw;
      double ov = fmin(t, e) - fmax(s, a);
      if (j0 == j1) ov = ow;
      if (ov > 0) h->counts[j] += old[b] * ov / ow;
    }
  }
  h->lo = lo;
  h->hi = hi;
}

void lf_histogram_update(lf_histogram *h, const float *x, size_t n) {
  float lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) continue;
    if (x[i] < lo) lo = x[i];
    if (x[i] > hi) hi = x[i];
  }
  if (!(lo <= hi)) return;
  if (h->empty) {
    float w = hi - lo, pad = fmaxf(1e-6f, fabsf(lo) * 1e-6f);
    h->lo = lo;
    h->hi = w > pad ? hi : lo + pad;
    h->min = lo;
    h->max = hi;
    h->empty = 0;
  } else {
    if (lo < h->min) h->min = lo;
    if (hi > h->max) h->max = hi;
    if (lo < h->lo || hi > h->hi) {
      /* grow by at least 1/8 of the width so a slow drift doesn't rebin every batch */
      float w = h->hi - h->lo;
      float nlo = lo < h->lo ? fminf(lo, h->lo - w / 8) : h->lo;
      float nhi = hi > h->hi ? fmaxf(hi, h->hi + w / 8) : h->hi;
      rebin(h, nlo, nhi);
    }
  }
  const double scale = LF_HIST_BINS / ((double)h->hi - h->lo);
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(x[i])) continue;
    int b = (int)((x[i] - (double)h->lo) * scale);
    if (b < 0) b = 0;
    if (b >= LF_HIST_BINS) b = LF_HIST_BINS - 1;
    h->counts[b] += 1.0;
  }
  h->total += (double)n;
}

/* Value below which a fraction `f` of the mass lies (linear inside a bin). */
static float quantile(const lf_histogram *h, double f) {
  const double w = ((double)h->hi - h->lo) / LF_HIST_BINS;
  double target = f * h->total, cum = 0.0;
  for (int b = 0; b < LF_HIST_BINS; b++) {
    double c = h->counts[b];
    if (c > 0 && cum + c >= target) {
      double frac = (target - cum) / c;
      return (float)(h->lo + (b + frac) * w);
    }
    cum += c;
  }
  return h->hi;
}

/* E[(x - t)^2] * count for x uniform on [u,v]. */
static double clip_err(double u, double v, double t, double count) {
  if (v <= u) return count * (u - t) * (u - t);
  double a = u - t, b = v - t;
  return count * (b * b * b - a * a * a) / (3.0 * (v - u));
}

double lf_histogram_qerror(const lf_histogram *h, float min, float max) {
  lf_qparams qp;
  float nmin, nmax;
  if (h->empty || h->total <= 0) return 0.0;
  if (lf_qparams_asym(min, max, LF_QMIN_ACT, LF_QMAX_ACT, &qp, &nmin, &nmax) != LF_OK) return INFINITY;
  const double w = ((double)h->hi - h->lo) / LF_HIST_BINS, s = qp.scale;
  double err = 0.0;
  for (int b = 0; b < LF_HIST_BINS; b++) {
    double c = h->counts[b];
    if (c == 0.0) continue;
    double a = h->lo + b * w, e = a + w;
    double in = fmax(0.0, fmin(e, nmax) - fmax(a, nmin));
    if (in > 0) err += c * (in / w) * s * s / 12.0;
    if (a < nmin) {
      double v = fmin(e, nmin);
      err += clip_err(a, v, nmin, c * (v - a) / w);
    }
    if (e > nmax) {
      double u = fmax(a, nmax);
      err += clip_err(u, e, nmax, c * (e - u) / w);
    }
  }
  return err / h->total;
}

/* Minimum-MSE range over bin-edge candidates [edge i, edge j], with prefix
 * sums of count, count*x, count*x^2 (bin centres) so each candidate costs O(1). */
static void mse_search(const lf_histogram *h, float *rmin, float *rmax) {
  const int B = LF_HIST_BINS;
  const double w = ((double)h->hi - h->lo) / B;
  double *S0 = malloc(sizeof(double) * (B + 1) * 3);
  if (!S0) {
    *rmin = h->min;
    *rmax = h->max;
    return;
  }
  double *S1 = S0 + B + 1, *S2 = S1 + B + 1;
  S0[0] = S1[0] = S2[0] = 0.0;
  for (int b = 0; b < B; b++) {
    double c = h->counts[b], x = h->lo + (b + 0.5) * w;
    S0[b + 1] = S0[b] + c;
    S1[b + 1] = S1[b] + c * x;
    S2[b + 1] = S2[b] + c * (x * x + w * w / 12.0);
  }
  /* first / last non-empty bins bound the search */
  int first = 0, last = B - 1;
  while (first < B - 1 && h->counts[first] == 0.0) first++;
  while (last > first && h->counts[last] == 0.0) last--;
  double best = INFINITY;
  int bi = first, bj = last + 1;
  const int step = (last - first) > 1024 ? 2 : 1;
  for (int i = first; i <= last; i += step) {
    double t = h->lo + i * w; /* clip low */
    double lowerr = S2[i] - 2 * t * S1[i] + t * t * S0[i];
    for (int j = last + 1; j > i; j -= step) {
      double u = h->lo + j * w; /* clip high */
      double lo = fmin(t, 0.0), hi = fmax(u, 0.0);
      double s = (hi - lo) / 255.0;
      double higherr = (S2[B] - S2[j]) - 2 * u * (S1[B] - S1[j]) + u * u * (S0[B] - S0[j]);
      double inerr = (S0[j] - S0[i]) * s * s / 12.0;
      double e = lowerr + higherr + inerr;
      if (e < best) {
        best = e;
        bi = i;
        bj = j;
      }
      if (higherr > best) break; /* shrinking further only adds clipping error */
    }
  }
  *rmin = (float)(h->lo + bi * w);
  *rmax = (float)(h->lo + bj * w);
  if (*rmin < h->min) *rmin = h->min;
  if (*rmax > h->max) *rmax = h->max;
  free(S0);
}

lf_status lf_histogram_range(const lf_histogram *h, lf_calib_method method, double percentile,
                             float *min, float *max) {
  if (!h || !min || !max) return lf_error(LF_EINVAL, "histogram_range: NULL argument");
  if (h->empty || h->total <= 0) {
    *min = *max = 0.0f;
    return LF_OK;
  }
  switch (method) {
  case LF_CALIB_MINMAX:
    *min = h->min;
    *max = h->max;
    return LF_OK;
  case LF_CALIB_PERCENTILE:
    if (!(percentile > 50.0 && percentile <= 100.0))
      return lf_error(LF_EINVAL, "percentile %g outside (50,100]", percentile);
    *min = fmaxf(quantile(h, 1.0 - percentile / 100.0), h->min);
    *max = fminf(quantile(h, percentile / 100.0), h->max);
    return LF_OK;
  case LF_CALIB_MSE:
    mse_search(h, min, max);
    return LF_OK;
  }
  return lf_error(LF_EINVAL, "histogram_range: unknown method %d", (int)method);
}
