/* Per-tensor int8 quantisation of the per-channel constants of the mul-add
 * BN lowering (lf_convert.h), shared by the converter and QAT so that both
 * use the same integers. */
#ifndef LF_QCONST_H
#define LF_QCONST_H
#include <math.h>
#include "leapfrog/lf_quant.h"

/* Asymmetric int8 over [min(v,0), max(v,0)]. */
static inline lf_status lq_const_qparams(const float *v, int n, lf_qparams *qp) {
  float mn = 0.0f, mx = 0.0f;
  for (int i = 0; i < n; i++) {
    if (v[i] < mn) mn = v[i];
    if (v[i] > mx) mx = v[i];
  }
  return lf_qparams_asym(mn, mx, LF_QMIN_ACT, LF_QMAX_ACT, qp, NULL, NULL);
}
/* q = nearbyint(v * (1/scale)) + zp, clamped: lf_fake_quant's integer. */
static inline int lq_const_quant(float v, lf_qparams qp) {
  float r = nearbyintf(v * (1.0f / qp.scale));
  if (!(r >= -1.0e9f)) r = -1.0e9f;
  if (r > 1.0e9f) r = 1.0e9f;
  int q = (int)r + qp.zero_point;
  return q < LF_QMIN_ACT ? LF_QMIN_ACT : q > LF_QMAX_ACT ? LF_QMAX_ACT : q;
}
#endif
