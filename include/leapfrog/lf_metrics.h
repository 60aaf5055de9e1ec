/* Clinical metrics: AUC-ROC (exact ties), ROC curves, bootstrap confidence
 * intervals, operating points, Dice and IoU.
 *
 * Conventions (those of scikit-learn, which the tests use as the oracle):
 *  - scores are finite doubles (any range; probabilities in practice);
 *    labels are 0 (negative) or 1 (positive), one byte each.
 *  - a case is called positive when score >= threshold.
 *  - AUC is the Mann-Whitney U statistic over n_pos * n_neg with tied scores
 *    counting one half (mid-ranks); it is computed in exact integer arithmetic,
 *    so it equals sklearn's roc_auc_score to the last bits.
 *  - when only one label value is present the AUC is undefined: the functions
 *    return LF_OK and NaN, and callers skip that class in macro means.
 * Non-finite scores or labels other than 0/1 are rejected with LF_EINVAL. */
#ifndef LF_METRICS_H
#define LF_METRICS_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_status.h"

/* AUC-ROC of one binary class. *auc = NaN when n_pos == 0 or n_neg == 0. */
lf_status lf_auc(const double *scores, const uint8_t *labels, size_t n, double *auc);

/* Macro mean of `k` AUCs, skipping NaN ones; *n_used = how many were finite
 * (NaN mean when none). */
double lf_auc_macro_mean(const double *aucs, size_t k, size_t *n_used);

/* ROC curve like sklearn.metrics.roc_curve. Points are ordered by decreasing
 * threshold: point 0 is (fpr 0, tpr 0) at threshold +inf (sklearn >= 1.3;
 * sklearn 1.2 reports max score + 1 there), then one point per distinct score.
 * With drop_intermediate, points on a straight segment are dropped exactly as
 * sklearn does (its default). fpr/tpr are NaN when there are no negatives /
 * no positives (sklearn warns and does the same).
 * The arrays are malloc'd; free with lf_roc_free. */
typedef struct {
  size_t n;          /* number of points */
  double *fpr, *tpr; /* in [0,1], non-decreasing */
  double *thresholds;/* strictly decreasing; thresholds[0] = +inf */
} lf_roc;
lf_status lf_roc_curve(const double *scores, const uint8_t *labels, size_t n, int drop_intermediate,
                       lf_roc *roc);
void lf_roc_free(lf_roc *roc);

/* Percentile bootstrap confidence interval of the AUC: `n_resamples`
 * resamples of the n cases with replacement (seeded, deterministic for a
 * seed on every platform), resamples with a single label value skipped;
 * [lo, hi] are the (alpha/2, 1 - alpha/2) percentiles (linear interpolation,
 * numpy's default) of the resampled AUCs. alpha = 0.05 gives the 95% CI.
 * *n_used = resamples kept; lo = hi = NaN if none (or the AUC is undefined).
 * O(n log n + n_resamples * n). */
lf_status lf_auc_bootstrap_ci(const double *scores, const uint8_t *labels, size_t n, int n_resamples,
                              uint64_t seed, double alpha, double *lo, double *hi, int *n_used);

/* Paired bootstrap CI of the AUC difference AUC(a) - AUC(b) of two models
 * scored on the same cases (the same resamples for both, as when comparing
 * an INT8 model with its FP32 original). Same conventions as above;
 * resamples with a single label value are skipped. */
lf_status lf_auc_diff_bootstrap_ci(const double *scores_a, const double *scores_b, const uint8_t *labels,
                                   size_t n, int n_resamples, uint64_t seed, double alpha, double *lo,
                                   double *hi, int *n_used);

/* Pointwise percentile bootstrap band of the ROC curve: for `grid` false-positive
 * rates x_g = g / (grid - 1), lo[g] and hi[g] are the (alpha/2, 1 - alpha/2)
 * percentiles of the resampled curves' TPR at x_g (the step curve: best TPR with
 * FPR <= x_g). NaN when the class has one label value or n_resamples is 0.
 * O(n_resamples * (n log n + grid)). */
lf_status lf_roc_band(const double *scores, const uint8_t *labels, size_t n, int n_resamples, uint64_t seed,
                      double alpha, int grid, double *lo, double *hi, int *n_used);

/* Percentile bootstrap CI of the mean of v[0..n) (e.g. per-image Dice, or
 * per-image Dice differences of two models). */
lf_status lf_mean_bootstrap_ci(const double *v, size_t n, int n_resamples, uint64_t seed, double alpha,
                               double *lo, double *hi);

/* DeLong's estimate of the variance of the AUC (placement values, ties
 * counted one half); *var = NaN with fewer than 2 positives or 2 negatives.
 * A normal 95% CI is auc +- 1.959964 * sqrt(var) (clip to [0, 1]). */
lf_status lf_auc_delong(const double *scores, const uint8_t *labels, size_t n, double *auc, double *var);
/* DeLong's paired test of AUC(a) - AUC(b) on the same cases: the difference,
 * its variance and the two-sided p-value of "no difference" (normal
 * approximation; p = 1 for identical rankings). */
lf_status lf_auc_delong_paired(const double *scores_a, const double *scores_b, const uint8_t *labels, size_t n,
                               double *diff, double *var, double *p);

/* Confusion counts and rates at a threshold (positive when score >= threshold).
 * Undefined rates (0/0) are NaN. */
typedef struct {
  double threshold;
  size_t tp, fp, tn, fn;
  double sensitivity; /* tp / (tp + fn), recall, true positive rate */
  double specificity; /* tn / (tn + fp) */
  double ppv;         /* tp / (tp + fp), precision */
  double npv;         /* tn / (tn + fn) */
} lf_oppoint;
lf_status lf_operating_point(const double *scores, const uint8_t *labels, size_t n, double threshold,
                             lf_oppoint *out);

/* The highest threshold (one of the scores) whose sensitivity is at least
 * `target_sensitivity` (in (0,1]), with its operating point: the most
 * specific way to reach that sensitivity. LF_EINVAL if there are no positives. */
lf_status lf_threshold_for_sensitivity(const double *scores, const uint8_t *labels, size_t n,
                                       double target_sensitivity, lf_oppoint *out);

/* Dice coefficient 2|A&B| / (|A| + |B|) of two masks of `n` pixels (nonzero =
 * foreground). Kaggle convention: both masks empty -> 1. */
double lf_dice(const uint8_t *truth, const uint8_t *pred, size_t n);
/* Intersection over union |A&B| / |A|B|; both empty -> 1. */
double lf_iou(const uint8_t *truth, const uint8_t *pred, size_t n);

/* Linear-interpolation percentile (numpy's default) of v[0..n) for q in
 * [0,100]; sorts v in place. NaN when n == 0. */
double lf_percentile(double *v, size_t n, double q);

#endif
