/* Properties of the metrics that need no oracle: bootstrap CI determinism and
 * coverage, percentile, macro mean, rejection of bad input, Dice/IoU edge
 * cases. (Values against scikit-learn: test_metrics_sklearn.c.) */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_metrics.h"
#include "lf_test.h"

static uint64_t rng = 99;
static double urand(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}

LF_TEST(bootstrap_deterministic_and_covers) {
  enum { N = 2000 };
  static double s[N];
  static uint8_t l[N];
  for (int i = 0; i < N; i++) l[i] = urand() < 0.15, s[i] = floor(100 * (urand() + 0.4 * l[i])) / 100;
  double auc, lo1, hi1, lo2, hi2, lo3, hi3;
  int used1, used2, used3;
  LF_CHECK(lf_auc(s, l, N, &auc) == LF_OK);
  LF_CHECK(lf_auc_bootstrap_ci(s, l, N, 500, 7, 0.05, &lo1, &hi1, &used1) == LF_OK);
  LF_CHECK(lf_auc_bootstrap_ci(s, l, N, 500, 7, 0.05, &lo2, &hi2, &used2) == LF_OK);
  LF_CHECK(lf_auc_bootstrap_ci(s, l, N, 500, 8, 0.05, &lo3, &hi3, &used3) == LF_OK);
  LF_CHECK_MSG(lo1 == lo2 && hi1 == hi2 && used1 == used2, "same seed, different CI");
  LF_CHECK_MSG(lo1 != lo3 || hi1 != hi3, "different seeds gave the identical CI");
  LF_CHECK_MSG(lo1 < auc && auc < hi1, "CI [%g, %g] does not contain the AUC %g", lo1, hi1, auc);
  LF_CHECK(used1 == 500);
  /* width of a 95% CI for this n is ~ a few 1e-2: neither degenerate nor huge */
  LF_CHECK_MSG(hi1 - lo1 > 0.01 && hi1 - lo1 < 0.2, "CI width %g", hi1 - lo1);
  /* a wider alpha gives a narrower interval inside it */
  double lo4, hi4;
  LF_CHECK(lf_auc_bootstrap_ci(s, l, N, 500, 7, 0.5, &lo4, &hi4, NULL) == LF_OK);
  LF_CHECK(lo4 >= lo1 && hi4 <= hi1);
}

LF_TEST(paired_difference_and_mean_ci) {
  enum { N = 1500 };
  static double a[N], b[N], same[N];
  static uint8_t l[N];
  for (int i = 0; i < N; i++) {
    l[i] = urand() < 0.2;
    a[i] = urand() + 0.5 * l[i];
    b[i] = floor(a[i] * 16) / 16 + 0.8 * (urand() - 0.5); /* a coarser, noisier "int8" copy */
    same[i] = a[i];
  }
  double aa, ab, lo, hi, lo2, hi2;
  int used;
  LF_CHECK(lf_auc(a, l, N, &aa) == LF_OK && lf_auc(b, l, N, &ab) == LF_OK);
  LF_CHECK(lf_auc_diff_bootstrap_ci(a, b, l, N, 400, 3, 0.05, &lo, &hi, &used) == LF_OK && used == 400);
  LF_CHECK_MSG(lo < aa - ab && aa - ab < hi, "diff %g outside [%g, %g]", aa - ab, lo, hi);
  LF_CHECK_MSG(lo > 0, "a is clearly better than its noisy copy: CI [%g, %g]", lo, hi);
  LF_CHECK(lf_auc_diff_bootstrap_ci(a, b, l, N, 400, 3, 0.05, &lo2, &hi2, NULL) == LF_OK && lo2 == lo && hi2 == hi);
  LF_CHECK(lf_auc_diff_bootstrap_ci(a, same, l, N, 200, 3, 0.05, &lo, &hi, NULL) == LF_OK && lo == 0 && hi == 0);
  /* mean CI of constant values is that value; of varying values contains the mean */
  double v[5] = {0.5, 0.5, 0.5, 0.5, 0.5};
  LF_CHECK(lf_mean_bootstrap_ci(v, 5, 100, 1, 0.05, &lo, &hi) == LF_OK && lo == 0.5 && hi == 0.5);
  double mean = 0;
  for (int i = 0; i < N; i++) mean += a[i] / N;
  LF_CHECK(lf_mean_bootstrap_ci(a, N, 300, 1, 0.05, &lo, &hi) == LF_OK && lo < mean && mean < hi && hi - lo < 0.05);
  v[2] = NAN;
  LF_CHECK(lf_mean_bootstrap_ci(v, 5, 100, 1, 0.05, &lo, &hi) == LF_EINVAL);
}

LF_TEST(bootstrap_skips_one_class_resamples) {
  /* 1 positive in 6: many resamples lack it and must be skipped, not counted */
  double s[6] = {0.9, 0.1, 0.2, 0.3, 0.4, 0.5};
  uint8_t l[6] = {1, 0, 0, 0, 0, 0};
  double lo, hi;
  int used;
  LF_CHECK(lf_auc_bootstrap_ci(s, l, 6, 1000, 1, 0.05, &lo, &hi, &used) == LF_OK);
  /* P(no positive in a resample) = (5/6)^6 = 0.335 */
  LF_CHECK_MSG(used > 550 && used < 780, "kept %d of 1000", used);
  LF_CHECK(lo == 1.0 && hi == 1.0);
  uint8_t none[6] = {0};
  LF_CHECK(lf_auc_bootstrap_ci(s, none, 6, 100, 1, 0.05, &lo, &hi, &used) == LF_OK);
  LF_CHECK(isnan(lo) && isnan(hi) && used == 0);
}

LF_TEST(percentile_like_numpy) {
  /* numpy.percentile([1,2,3,4], [2.5, 50, 97.5]) = [1.075, 2.5, 3.925] */
  double v[4] = {4, 1, 3, 2};
  LF_CHECK(fabs(lf_percentile(v, 4, 2.5) - 1.075) < 1e-12);
  LF_CHECK(fabs(lf_percentile(v, 4, 50) - 2.5) < 1e-12);
  LF_CHECK(fabs(lf_percentile(v, 4, 97.5) - 3.925) < 1e-12);
  LF_CHECK(lf_percentile(v, 1, 30) == 1);
  LF_CHECK(isnan(lf_percentile(v, 0, 50)));
}

LF_TEST(macro_mean_skips_nan) {
  double a[4] = {0.8, NAN, 0.6, 1.0};
  size_t used;
  LF_CHECK(fabs(lf_auc_macro_mean(a, 4, &used) - 0.8) < 1e-15 && used == 3);
  double b[2] = {NAN, NAN};
  LF_CHECK(isnan(lf_auc_macro_mean(b, 2, &used)) && used == 0);
}

LF_TEST(rejects_bad_input) {
  double s[3] = {0.1, NAN, 0.3};
  uint8_t l[3] = {0, 1, 0};
  double auc = 0;
  lf_roc r;
  lf_oppoint op;
  LF_CHECK(lf_auc(s, l, 3, &auc) == LF_EINVAL);
  LF_CHECK_MSG(strstr(lf_last_error(), "case 1") != NULL, "message: %s", lf_last_error());
  LF_CHECK(lf_roc_curve(s, l, 3, 0, &r) == LF_EINVAL);
  LF_CHECK(r.fpr == NULL && r.n == 0);
  s[1] = INFINITY;
  LF_CHECK(lf_operating_point(s, l, 3, 0.5, &op) == LF_EINVAL);
  s[1] = 0.2, l[2] = 2;
  LF_CHECK(lf_auc(s, l, 3, &auc) == LF_EINVAL);
  LF_CHECK_MSG(strstr(lf_last_error(), "not 0 or 1") != NULL, "message: %s", lf_last_error());
  l[2] = 0;
  LF_CHECK(lf_threshold_for_sensitivity(s, l, 3, 0, &op) == LF_EINVAL);
  LF_CHECK(lf_threshold_for_sensitivity(s, l, 3, 1.5, &op) == LF_EINVAL);
  uint8_t z[3] = {0};
  LF_CHECK(lf_threshold_for_sensitivity(s, z, 3, 0.9, &op) == LF_EINVAL);
  LF_CHECK(lf_auc(NULL, NULL, 0, &auc) == LF_OK && isnan(auc));
  LF_CHECK(lf_auc_bootstrap_ci(s, l, 3, -1, 1, 0.05, &auc, &auc, NULL) == LF_EINVAL);
}

LF_TEST(operating_point_rates) {
  double s[6] = {0.9, 0.8, 0.5, 0.5, 0.2, 0.1};
  uint8_t l[6] = {1, 0, 1, 0, 1, 0};
  lf_oppoint op;
  LF_CHECK(lf_operating_point(s, l, 6, 0.5, &op) == LF_OK); /* >= 0.5 positive */
  LF_CHECK(op.tp == 2 && op.fp == 2 && op.tn == 1 && op.fn == 1);
  LF_CHECK(fabs(op.sensitivity - 2.0 / 3) < 1e-15 && fabs(op.specificity - 1.0 / 3) < 1e-15);
  LF_CHECK(fabs(op.ppv - 0.5) < 1e-15 && fabs(op.npv - 0.5) < 1e-15);
  LF_CHECK(lf_threshold_for_sensitivity(s, l, 6, 1.0, &op) == LF_OK);
  LF_CHECK(op.threshold == 0.2 && op.tp == 3 && op.fp == 2);
  LF_CHECK(lf_threshold_for_sensitivity(s, l, 6, 0.3, &op) == LF_OK);
  LF_CHECK(op.threshold == 0.9 && op.tp == 1 && op.fp == 0 && op.specificity == 1.0);
  LF_CHECK(lf_operating_point(s, l, 6, 2.0, &op) == LF_OK);
  LF_CHECK(op.tp == 0 && isnan(op.ppv));
}

LF_TEST(dice_iou_conventions) {
  uint8_t a[8] = {0}, b[8] = {0};
  LF_CHECK(lf_dice(a, b, 8) == 1.0 && lf_iou(a, b, 8) == 1.0); /* both empty */
  b[3] = 1;
  LF_CHECK(lf_dice(a, b, 8) == 0.0 && lf_iou(a, b, 8) == 0.0);
  a[3] = 255, a[4] = 1;
  LF_CHECK(fabs(lf_dice(a, b, 8) - 2.0 / 3) < 1e-15 && fabs(lf_iou(a, b, 8) - 0.5) < 1e-15);
}

int main(void) {
  LF_RUN(bootstrap_deterministic_and_covers);
  LF_RUN(paired_difference_and_mean_ci);
  LF_RUN(bootstrap_skips_one_class_resamples);
  LF_RUN(percentile_like_numpy);
  LF_RUN(macro_mean_skips_nan);
  LF_RUN(rejects_bad_input);
  LF_RUN(operating_point_rates);
  LF_RUN(dice_iou_conventions);
  return lf_test_summary();
}
