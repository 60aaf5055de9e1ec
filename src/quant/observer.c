/* Moving-average min/max observer for QAT activation ranges. */
#include <math.h>

#include "leapfrog/lf_quant.h"

void lf_observer_init(lf_observer *o, float averaging, long freeze_after) {
  o->min = 0.0f;
  o->max = 0.0f;
  o->averaging = averaging > 0.0f ? averaging : 0.01f;
  o->steps = 0;
  o->freeze_after = freeze_after > 0 ? freeze_after : 0;
  o->frozen = 0;
}

void lf_observer_batch_range(const float *x, size_t n, float *lo_out, float *hi_out) {
  float lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    float v = x[i];
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  *lo_out = lo;
  *hi_out = hi;
}

void lf_observer_update(lf_observer *o, const float *x, size_t n) {
  if (o->frozen) return;
  float lo, hi;
  lf_observer_batch_range(x, n, &lo, &hi);
  lf_observer_apply(o, lo, hi);
}

void lf_observer_apply(lf_observer *o, float lo, float hi) {
  if (o->frozen) return;
  if (!(lo <= hi)) return; /* empty or all NaN */
  if (o->steps == 0) {
    o->min = lo;
    o->max = hi;
  } else {
    o->min = o->min + o->averaging * (lo - o->min);
    o->max = o->max + o->averaging * (hi - o->max);
  }
  o->steps++;
  if (o->freeze_after && o->steps >= o->freeze_after) o->frozen = 1;
}

lf_status lf_observer_qparams(const lf_observer *o, lf_qparams *qp) {
  return lf_qparams_asym(o->min, o->max, LF_QMIN_ACT, LF_QMAX_ACT, qp, NULL, NULL);
}
