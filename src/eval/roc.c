/* ROC curve points and operating points (sensitivity, specificity, PPV, NPV). */
#include <math.h>
#include <stdlib.h>

#include "eval/eval_internal.h"
#include "leapfrog/lf_metrics.h"

void lf_roc_free(lf_roc *roc) {
  if (!roc) return;
  free(roc->fpr);
  free(roc->tpr);
  free(roc->thresholds);
  *roc = (lf_roc){0};
}

lf_status lf_roc_curve(const double *scores, const uint8_t *labels, size_t n, int drop_intermediate,
                       lf_roc *roc) {
  if (!roc) return lf_error(LF_EINVAL, "roc curve: NULL output");
  *roc = (lf_roc){0};
  lf_score_groups g;
  lf_status st = lf_score_groups_build(scores, labels, n, 0, "roc curve", &g);
  if (st) return st;
  size_t G = g.n_groups;
  /* cumulative counts after each group (sklearn's fps/tps) */
  uint64_t *tps = malloc((G ? G : 1) * sizeof *tps), *fps = malloc((G ? G : 1) * sizeof *fps);
  roc->fpr = malloc((G + 1) * sizeof *roc->fpr);
  roc->tpr = malloc((G + 1) * sizeof *roc->tpr);
  roc->thresholds = malloc((G + 1) * sizeof *roc->thresholds);
  if (!tps || !fps || !roc->fpr || !roc->tpr || !roc->thresholds) {
    free(tps), free(fps);
    lf_roc_free(roc);
    lf_score_groups_free(&g);
    return lf_error(LF_ENOMEM, "roc curve: out of memory");
  }
  uint64_t tp = 0, fp = 0;
  for (size_t k = 0; k < G; k++) {
    tp += g.pos[k], fp += g.neg[k];
    tps[k] = tp, fps[k] = fp;
  }
  double P = (double)g.n_pos, N = (double)g.n_neg;
  size_t m = 0;
  roc->fpr[m] = N > 0 ? 0.0 : NAN;
  roc->tpr[m] = P > 0 ? 0.0 : NAN;
  roc->thresholds[m++] = INFINITY;
  for (size_t k = 0; k < G; k++) {
    if (drop_intermediate && G > 2 && k > 0 && k + 1 < G) {
      /* sklearn keeps a point when the second difference of fps or tps is
       * nonzero there, i.e. when the curve bends */
      int64_t d2f = (int64_t)fps[k + 1] - 2 * (int64_t)fps[k] + (int64_t)fps[k - 1];
      int64_t d2t = (int64_t)tps[k + 1] - 2 * (int64_t)tps[k] + (int64_t)tps[k - 1];
      if (d2f == 0 && d2t == 0) continue;
    }
    roc->fpr[m] = N > 0 ? (double)fps[k] / N : NAN;
    roc->tpr[m] = P > 0 ? (double)tps[k] / P : NAN;
    roc->thresholds[m++] = g.score[k];
  }
  roc->n = m;
  free(tps), free(fps);
  lf_score_groups_free(&g);
  return LF_OK;
}

static double ratio(size_t a, size_t b) { return b ? (double)a / (double)b : NAN; }

static void fill_rates(lf_oppoint *o) {
  o->sensitivity = ratio(o->tp, o->tp + o->fn);
  o->specificity = ratio(o->tn, o->tn + o->fp);
  o->ppv = ratio(o->tp, o->tp + o->fp);
  o->npv = ratio(o->tn, o->tn + o->fn);
}

lf_status lf_operating_point(const double *scores, const uint8_t *labels, size_t n, double threshold,
                             lf_oppoint *out) {
  if (!out) return lf_error(LF_EINVAL, "operating point: NULL output");
  *out = (lf_oppoint){.threshold = threshold};
  if (isnan(threshold)) return lf_error(LF_EINVAL, "operating point: threshold is NaN");
  if (n && (!scores || !labels)) return lf_error(LF_EINVAL, "operating point: NULL scores or labels");
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(scores[i])) return lf_error(LF_EINVAL, "operating point: score of case %zu is not finite", i);
    if (labels[i] > 1) return lf_error(LF_EINVAL, "operating point: label of case %zu is not 0 or 1", i);
    int p = scores[i] >= threshold;
    if (labels[i]) p ? out->tp++ : out->fn++;
    else p ? out->fp++ : out->tn++;
  }
  fill_rates(out);
  return LF_OK;
}

lf_status lf_threshold_for_sensitivity(const double *scores, const uint8_t *labels, size_t n,
                                       double target_sensitivity, lf_oppoint *out) {
  if (!out) return lf_error(LF_EINVAL, "threshold for sensitivity: NULL output");
  *out = (lf_oppoint){.threshold = NAN};
  if (!(target_sensitivity > 0 && target_sensitivity <= 1))
    return lf_error(LF_EINVAL, "threshold for sensitivity: target %g not in (0,1]", target_sensitivity);
  lf_score_groups g;
  lf_status st = lf_score_groups_build(scores, labels, n, 0, "threshold for sensitivity", &g);
  if (st) return st;
  if (!g.n_pos) {
    lf_score_groups_free(&g);
    return lf_error(LF_EINVAL, "threshold for sensitivity: no positive cases");
  }
  uint64_t tp = 0, fp = 0;
  size_t k = 0;
  for (; k < g.n_groups; k++) {
    tp += g.pos[k], fp += g.neg[k];
    if ((double)tp / (double)g.n_pos >= target_sensitivity) break;
  }
  /* k < n_groups always: at the last group tp == n_pos */
  out->threshold = g.score[k];
  out->tp = tp, out->fp = fp;
  out->fn = g.n_pos - tp, out->tn = g.n_neg - fp;
  fill_rates(out);
  lf_score_groups_free(&g);
  return LF_OK;
}
