/* Scoring saved predictions against a dataset folder (`leapfrog score`).
 *
 * Chest X-ray (predictions JSON, lf_predictions.h): per-class AUC-ROC with a
 * bootstrap 95% CI, prevalence, ROC points, operating points at `threshold`
 * and at the threshold reaching `target_sensitivity`; macro mean AUC over the
 * classes where both label values occur; optionally a threshold per finding
 * chosen on the scored split (`choose`, for `leapfrog convert --operating-points`).
 * Nerve (Kaggle submission CSV): Dice (both empty = 1) and IoU per image and
 * their means, plus nerve-present detection counts (mask empty or not).
 *
 * Predictions are matched to the images of one split by basename (any path
 * prefix in the key is ignored; nerve keys are Kaggle ids like "10_104").
 * Every image of the split needs exactly one prediction and every prediction
 * must be an image of the split; otherwise LF_ENOTFOUND with the missing and
 * extra names (first 10 of each) in the message. */
#ifndef LF_SCORE_H
#define LF_SCORE_H
#include <stdint.h>
#include <stdio.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_oppoints.h"
#include "leapfrog/lf_status.h"

typedef struct {
  lf_task task;
  const char *data_dir;      /* dataset root (lf_dataset.h layouts) */
  const char *pred_path;     /* predictions JSON (chest) or submission CSV (nerve) */
  lf_split split;            /* images scored; default LF_SPLIT_TEST */
  lf_split_opts split_opts;  /* how the split is made; must match the one used to predict */
  int n_bootstrap;           /* resamples for the CI; default 1000, 0 = none */
  uint64_t seed;             /* bootstrap seed; default 1 */
  double threshold;          /* operating threshold; default 0.5 */
  double target_sensitivity; /* default 0.9 */
  const char *out_json;      /* metrics.json (written atomically); NULL = none */
  const char *report_path;   /* .md or .html report; NULL = none */
  const char *compare_path;  /* a second model's predictions on the same images: AUC
                                (Dice) differences with paired bootstrap CIs; NULL = none */
  const char *latency_path;  /* `predict --stats` JSON, copied under "latency"; NULL = none */
  FILE *summary;             /* human-readable table; NULL = none */
  /* chestxray14: a threshold per finding (lf_nih_labels order; NaN = `threshold`) for
     at_threshold, e.g. one chosen on the validation split; NULL = `threshold` for all */
  const double *class_thresholds;
  int roc_band;              /* chestxray14: also a pointwise bootstrap 95% band of each ROC
                                curve ("roc_band": TPR percentiles on an FPR grid) */
  /* chestxray14: choose a threshold per finding on this split (lf_oppoints.h) and write them as
     "operating_points" {label: threshold}, each with its "at_operating_point" counts and rates.
     Use a validation split: points chosen on the test split flatter its figures. rule NONE = off */
  lf_oppoint_method choose;
  FILE *warnings;            /* a line per finding `choose` leaves without a point (also in the JSON); NULL = none */
} lf_score_opts;

void lf_score_opts_default(lf_score_opts *o);
/* Scores and writes out_json / report_path when set. */
lf_status lf_score_run(const lf_score_opts *o);

/* The metrics as a cJSON object (what out_json holds); nothing written.
 * The caller cJSON_Delete()s *metrics. */
struct cJSON;
lf_status lf_score_compute(const lf_score_opts *o, struct cJSON **metrics);

#endif
