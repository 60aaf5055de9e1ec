/* Pointwise bootstrap band of a ROC curve: TPR percentiles on a fixed FPR grid. */
#include <math.h>
#include <stdlib.h>

#include "eval/eval_internal.h"
#include "leapfrog/lf_metrics.h"

/* TPR of the step ROC on the grid: at x_g the best TPR among points with fpr <= x_g
 * (fpr and tpr are non-decreasing along the curve, so one walk does it). */
static void tpr_on_grid(const lf_roc *r, int grid, double *out, size_t stride) {
  size_t i = 0;
  double t = 0;
  for (int g = 0; g < grid; g++) {
    double x = (double)g / (grid - 1) + 1e-12;
    for (; i < r->n && r->fpr[i] <= x; i++) t = r->tpr[i] > t ? r->tpr[i] : t;
    out[(size_t)g * stride] = t;
  }
}

lf_status lf_roc_band(const double *scores, const uint8_t *labels, size_t n, int n_resamples, uint64_t seed,
                      double alpha, int grid, double *lo, double *hi, int *n_used) {
  if (!lo || !hi || grid < 2 || grid > 10001) return lf_error(LF_EINVAL, "roc band: bad arguments");
  if (!(alpha > 0 && alpha < 1)) return lf_error(LF_EINVAL, "roc band: alpha %g not in (0,1)", alpha);
  if (n_resamples < 0 || n_resamples > 100000)
    return lf_error(LF_EINVAL, "roc band: %d resamples (want 0..100000)", n_resamples);
  for (int g = 0; g < grid; g++) lo[g] = hi[g] = NAN;
  if (n_used) *n_used = 0;
  size_t n_pos = 0;
  for (size_t i = 0; i < n; i++) n_pos += labels[i] == 1;
  if (n_resamples == 0 || n_pos == 0 || n_pos == n) return LF_OK;
  double *s = malloc(n * sizeof *s), *tp = malloc((size_t)n_resamples * (size_t)grid * sizeof *tp);
  uint8_t *l = malloc(n);
  lf_status st = LF_OK;
  if (!s || !tp || !l) {
    st = lf_error(LF_ENOMEM, "roc band: out of memory");
    goto done;
  }
  uint64_t state = seed;
  int used = 0;
  for (int b = 0; b < n_resamples; b++) {
    size_t p = 0;
    for (size_t i = 0; i < n; i++) {
      size_t j = (size_t)lf_rand_below(&state, n);
      s[i] = scores[j], l[i] = labels[j], p += l[i];
    }
    if (p == 0 || p == n) continue; /* one label value: no curve */
    lf_roc r;
    if ((st = lf_roc_curve(s, l, n, 0, &r))) goto done;
    tpr_on_grid(&r, grid, tp + used, (size_t)n_resamples);
    lf_roc_free(&r);
    used++;
  }
  for (int g = 0; used && g < grid; g++) {
    double *v = tp + (size_t)g * (size_t)n_resamples;
    lo[g] = lf_percentile(v, (size_t)used, 100 * alpha / 2);
    hi[g] = lf_percentile(v, (size_t)used, 100 * (1 - alpha / 2));
  }
  if (n_used) *n_used = used;
done:
  free(s), free(tp), free(l);
  return st;
}
