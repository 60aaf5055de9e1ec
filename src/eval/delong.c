/* DeLong's variance of the AUC and the paired test of two AUCs on the same
 * cases (DeLong, DeLong & Clarke-Pearson 1988), from placement values
 * computed per tie group in O(n log n). */
#include <math.h>
#include <stdlib.h>

#include "eval/eval_internal.h"
#include "leapfrog/lf_metrics.h"

/* Placement values of every case: positives get the share of negatives they
 * outrank (ties half), negatives the share of positives that outrank them. */
static lf_status placements(const double *scores, const uint8_t *labels, size_t n, const char *what, double *v,
                            double *auc, uint64_t *np, uint64_t *nn) {
  lf_score_groups g;
  lf_status st = lf_score_groups_build(scores, labels, n, 1, what, &g);
  if (st) return st;
  double *vp = malloc((g.n_groups ? g.n_groups : 1) * sizeof *vp), *vn = malloc((g.n_groups ? g.n_groups : 1) * sizeof *vn);
  if (!vp || !vn) {
    free(vp), free(vn);
    lf_score_groups_free(&g);
    return lf_error(LF_ENOMEM, "%s: out of memory", what);
  }
  uint64_t neg_seen = 0, pos_seen = 0;
  double P = (double)g.n_pos, N = (double)g.n_neg;
  for (size_t k = 0; k < g.n_groups; k++) {
    uint64_t neg_below = g.n_neg - neg_seen - g.neg[k];
    vp[k] = N > 0 ? ((double)neg_below + 0.5 * (double)g.neg[k]) / N : NAN;
    vn[k] = P > 0 ? ((double)pos_seen + 0.5 * (double)g.pos[k]) / P : NAN;
    neg_seen += g.neg[k], pos_seen += g.pos[k];
  }
  for (size_t i = 0; i < n; i++) v[i] = labels[i] ? vp[g.group_of[i]] : vn[g.group_of[i]];
  *auc = g.n_pos && g.n_neg ? (double)lf_twice_u(g.n_groups, g.pos, g.neg, g.n_neg) / (2.0 * P * N) : NAN;
  *np = g.n_pos, *nn = g.n_neg;
  free(vp), free(vn);
  lf_score_groups_free(&g);
  return LF_OK;
}

/* Covariance of the AUC estimates of two placement vectors (a == b: variance). */
static double delong_cov(const double *va, double auc_a, const double *vb, double auc_b, const uint8_t *labels,
                         size_t n, uint64_t np, uint64_t nn) {
  if (np < 2 || nn < 2) return NAN;
  double s10 = 0, s01 = 0;
  for (size_t i = 0; i < n; i++) {
    /* both kinds of placement values average to the AUC */
    if (labels[i]) s10 += (va[i] - auc_a) * (vb[i] - auc_b);
    else s01 += (va[i] - auc_a) * (vb[i] - auc_b);
  }
  s10 /= (double)(np - 1), s01 /= (double)(nn - 1);
  return s10 / (double)np + s01 / (double)nn;
}

lf_status lf_auc_delong(const double *scores, const uint8_t *labels, size_t n, double *auc, double *var) {
  if (!auc || !var) return lf_error(LF_EINVAL, "auc delong: NULL output");
  *auc = *var = NAN;
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return lf_error(LF_ENOMEM, "auc delong: out of memory");
  uint64_t np, nn;
  lf_status st = placements(scores, labels, n, "auc delong", v, auc, &np, &nn);
  if (!st && !isnan(*auc)) *var = delong_cov(v, *auc, v, *auc, labels, n, np, nn);
  free(v);
  return st;
}

lf_status lf_auc_delong_paired(const double *scores_a, const double *scores_b, const uint8_t *labels, size_t n,
                               double *diff, double *var, double *p) {
  if (!diff || !var || !p) return lf_error(LF_EINVAL, "auc delong paired: NULL output");
  *diff = *var = *p = NAN;
  double *va = malloc((n ? n : 1) * sizeof *va), *vb = malloc((n ? n : 1) * sizeof *vb);
  lf_status st = LF_OK;
  if (!va || !vb) {
    st = lf_error(LF_ENOMEM, "auc delong paired: out of memory");
    goto done;
  }
  double auc_a, auc_b;
  uint64_t np, nn;
  if ((st = placements(scores_a, labels, n, "auc delong paired (a)", va, &auc_a, &np, &nn))) goto done;
  if ((st = placements(scores_b, labels, n, "auc delong paired (b)", vb, &auc_b, &np, &nn))) goto done;
  if (isnan(auc_a)) goto done;
  *diff = auc_a - auc_b;
  *var = delong_cov(va, auc_a, va, auc_a, labels, n, np, nn) + delong_cov(vb, auc_b, vb, auc_b, labels, n, np, nn) -
         2 * delong_cov(va, auc_a, vb, auc_b, labels, n, np, nn);
  if (*var < 0) *var = 0; /* rounding when the two models rank alike */
  if (*var > 0) *p = erfc(fabs(*diff) / sqrt(2 * *var));
  else if (!isnan(*var)) *p = *diff == 0 ? 1.0 : 0.0;
done:
  free(va), free(vb);
  return st;
}
