/* AUC-ROC (Mann-Whitney with mid-ranks, exact), macro mean, bootstrap CI. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"
#include "leapfrog/lf_metrics.h"

lf_status lf_auc(const double *scores, const uint8_t *labels, size_t n, double *auc) {
  if (!auc) return lf_error(LF_EINVAL, "lf_auc: NULL output");
  *auc = NAN;
  lf_score_groups g;
  lf_status st = lf_score_groups_build(scores, labels, n, 0, "auc", &g);
  if (st) return st;
  if (g.n_pos && g.n_neg) {
    uint64_t twice = lf_twice_u(g.n_groups, g.pos, g.neg, g.n_neg);
    *auc = (double)twice / (2.0 * (double)g.n_pos * (double)g.n_neg);
  }
  lf_score_groups_free(&g);
  return LF_OK;
}

double lf_auc_macro_mean(const double *aucs, size_t k, size_t *n_used) {
  double sum = 0;
  size_t m = 0;
  for (size_t i = 0; i < k; i++)
    if (!isnan(aucs[i])) sum += aucs[i], m++;
  if (n_used) *n_used = m;
  return m ? sum / (double)m : NAN;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double lf_percentile(double *v, size_t n, double q) {
  if (n == 0) return NAN;
  qsort(v, n, sizeof *v, cmp_double);
  if (q <= 0) return v[0];
  if (q >= 100) return v[n - 1];
  double rank = q / 100.0 * (double)(n - 1);
  size_t lo = (size_t)floor(rank);
  double frac = rank - (double)lo;
  if (lo + 1 >= n) return v[n - 1];
  return v[lo] + frac * (v[lo + 1] - v[lo]);
}

lf_status lf_auc_bootstrap_ci(const double *scores, const uint8_t *labels, size_t n, int n_resamples,
                              uint64_t seed, double alpha, double *lo, double *hi, int *n_used) {
  if (!lo || !hi) return lf_error(LF_EINVAL, "auc bootstrap: NULL output");
  *lo = *hi = NAN;
  if (n_used) *n_used = 0;
  if (n_resamples < 0 || n_resamples > 1000000)
    return lf_error(LF_EINVAL, "auc bootstrap: %d resamples (want 0..1000000)", n_resamples);
  if (!(alpha > 0 && alpha < 1)) return lf_error(LF_EINVAL, "auc bootstrap: alpha %g not in (0,1)", alpha);
  lf_score_groups g;
  lf_status st = lf_score_groups_build(scores, labels, n, 1, "auc bootstrap", &g);
  if (st) return st;
  if (!g.n_pos || !g.n_neg || n_resamples == 0) {
    lf_score_groups_free(&g);
    return LF_OK;
  }
  size_t G = g.n_groups;
  /* counts[2k] = negatives, counts[2k+1] = positives drawn from group k */
  uint64_t *cnt = malloc(2 * G * sizeof *cnt), *pw = malloc(G * sizeof *pw), *nw = malloc(G * sizeof *nw);
  uint32_t *code = malloc(n * sizeof *code); /* case -> 2 * group + label: one load per draw */
  double *vals = malloc((size_t)n_resamples * sizeof *vals);
  if (!cnt || !pw || !nw || !vals || !code) {
    free(cnt), free(pw), free(nw), free(vals), free(code);
    lf_score_groups_free(&g);
    return lf_error(LF_ENOMEM, "auc bootstrap: out of memory");
  }
  for (size_t i = 0; i < n; i++) code[i] = 2 * g.group_of[i] + labels[i];
  uint64_t state = seed;
  int m = 0;
  for (int r = 0; r < n_resamples; r++) {
    memset(cnt, 0, 2 * G * sizeof *cnt);
    for (size_t i = 0; i < n; i++) cnt[code[lf_rand_below(&state, n)]]++;
    uint64_t np = 0, nn = 0;
    for (size_t k = 0; k < G; k++) nw[k] = cnt[2 * k], pw[k] = cnt[2 * k + 1], nn += nw[k], np += pw[k];
    if (!np || !nn) continue; /* one class only: AUC undefined, skipped */
    vals[m++] = (double)lf_twice_u(G, pw, nw, nn) / (2.0 * (double)np * (double)nn);
  }
  if (m) {
    *lo = lf_percentile(vals, (size_t)m, 100.0 * alpha / 2);
    *hi = lf_percentile(vals, (size_t)m, 100.0 * (1 - alpha / 2));
  }
  if (n_used) *n_used = m;
  free(cnt), free(pw), free(nw), free(vals), free(code);
  lf_score_groups_free(&g);
  return LF_OK;
}

lf_status lf_auc_diff_bootstrap_ci(const double *scores_a, const double *scores_b, const uint8_t *labels,
                                   size_t n, int n_resamples, uint64_t seed, double alpha, double *lo,
                                   double *hi, int *n_used) {
  if (!lo || !hi) return lf_error(LF_EINVAL, "auc difference bootstrap: NULL output");
  *lo = *hi = NAN;
  if (n_used) *n_used = 0;
  if (n_resamples < 0 || n_resamples > 1000000)
    return lf_error(LF_EINVAL, "auc difference bootstrap: %d resamples (want 0..1000000)", n_resamples);
  if (!(alpha > 0 && alpha < 1)) return lf_error(LF_EINVAL, "auc difference bootstrap: alpha %g not in (0,1)", alpha);
  lf_score_groups ga, gb;
  lf_status st = lf_score_groups_build(scores_a, labels, n, 1, "auc difference bootstrap (a)", &ga);
  if (st) return st;
  if ((st = lf_score_groups_build(scores_b, labels, n, 1, "auc difference bootstrap (b)", &gb))) {
    lf_score_groups_free(&ga);
    return st;
  }
  size_t G = ga.n_groups > gb.n_groups ? ga.n_groups : gb.n_groups;
  uint64_t *ca = malloc(2 * (G ? G : 1) * sizeof *ca), *cb = malloc(2 * (G ? G : 1) * sizeof *cb);
  uint64_t *pw = malloc((G ? G : 1) * sizeof *pw), *nw = malloc((G ? G : 1) * sizeof *nw);
  uint32_t *code_a = malloc((n ? n : 1) * sizeof *code_a), *code_b = malloc((n ? n : 1) * sizeof *code_b);
  double *vals = malloc(((size_t)n_resamples + 1) * sizeof *vals);
  int m = 0;
  if (!ca || !cb || !pw || !nw || !code_a || !code_b || !vals) {
    st = lf_error(LF_ENOMEM, "auc difference bootstrap: out of memory");
    goto done;
  }
  if (!ga.n_pos || !ga.n_neg) goto done; /* AUC undefined for both */
  for (size_t i = 0; i < n; i++) code_a[i] = 2 * ga.group_of[i] + labels[i], code_b[i] = 2 * gb.group_of[i] + labels[i];
  uint64_t state = seed;
  for (int r = 0; r < n_resamples; r++) {
    memset(ca, 0, 2 * ga.n_groups * sizeof *ca);
    memset(cb, 0, 2 * gb.n_groups * sizeof *cb);
    for (size_t i = 0; i < n; i++) {
      size_t c = (size_t)lf_rand_below(&state, n);
      ca[code_a[c]]++, cb[code_b[c]]++;
    }
    uint64_t np = 0, nn = 0;
    for (size_t k = 0; k < ga.n_groups; k++) nw[k] = ca[2 * k], pw[k] = ca[2 * k + 1], nn += nw[k], np += pw[k];
    if (!np || !nn) continue;
    double den = 2.0 * (double)np * (double)nn;
    double auc_a = (double)lf_twice_u(ga.n_groups, pw, nw, nn) / den;
    for (size_t k = 0; k < gb.n_groups; k++) nw[k] = cb[2 * k], pw[k] = cb[2 * k + 1];
    double auc_b = (double)lf_twice_u(gb.n_groups, pw, nw, nn) / den;
    vals[m++] = auc_a - auc_b;
  }
  if (m) {
    *lo = lf_percentile(vals, (size_t)m, 100.0 * alpha / 2);
    *hi = lf_percentile(vals, (size_t)m, 100.0 * (1 - alpha / 2));
  }
done:
  if (n_used) *n_used = m;
  free(ca), free(cb), free(pw), free(nw), free(code_a), free(code_b), free(vals);
  lf_score_groups_free(&ga);
  lf_score_groups_free(&gb);
  return st;
}

lf_status lf_mean_bootstrap_ci(const double *v, size_t n, int n_resamples, uint64_t seed, double alpha,
                               double *lo, double *hi) {
  if (!lo || !hi) return lf_error(LF_EINVAL, "mean bootstrap: NULL output");
  *lo = *hi = NAN;
  if (n_resamples < 0 || n_resamples > 1000000)
    return lf_error(LF_EINVAL, "mean bootstrap: %d resamples (want 0..1000000)", n_resamples);
  if (!(alpha > 0 && alpha < 1)) return lf_error(LF_EINVAL, "mean bootstrap: alpha %g not in (0,1)", alpha);
  for (size_t i = 0; i < n; i++)
    if (!isfinite(v[i])) return lf_error(LF_EINVAL, "mean bootstrap: value %zu is not finite", i);
  if (n == 0 || n_resamples == 0) return LF_OK;
  double *vals = malloc((size_t)n_resamples * sizeof *vals);
  if (!vals) return lf_error(LF_ENOMEM, "mean bootstrap: out of memory");
  uint64_t state = seed;
  for (int r = 0; r < n_resamples; r++) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += v[lf_rand_below(&state, n)];
    vals[r] = s / (double)n;
  }
  *lo = lf_percentile(vals, (size_t)n_resamples, 100.0 * alpha / 2);
  *hi = lf_percentile(vals, (size_t)n_resamples, 100.0 * (1 - alpha / 2));
  free(vals);
  return LF_OK;
}
