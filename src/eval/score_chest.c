/* Scoring chest X-ray predictions: per-class AUC-ROC, CI, ROC, operating points. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/score_internal.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_predictions.h"

static cJSON *oppoint_json(const lf_oppoint *p) {
  cJSON *o = cJSON_CreateObject();
  lf_json_add_num(o, "threshold", p->threshold);
  lf_json_add_num(o, "tp", (double)p->tp);
  lf_json_add_num(o, "fp", (double)p->fp);
  lf_json_add_num(o, "tn", (double)p->tn);
  lf_json_add_num(o, "fn", (double)p->fn);
  lf_json_add_num(o, "sensitivity", p->sensitivity); /* NaN prints as null */
  lf_json_add_num(o, "specificity", p->specificity);
  lf_json_add_num(o, "ppv", p->ppv);
  lf_json_add_num(o, "npv", p->npv);
  return o;
}

static cJSON *roc_json(const lf_roc *r) {
  cJSON *o = cJSON_CreateObject();
  cJSON *f = cJSON_AddArrayToObject(o, "fpr"), *t = cJSON_AddArrayToObject(o, "tpr"),
        *h = cJSON_AddArrayToObject(o, "thresholds");
  for (size_t i = 0; i < r->n; i++) {
    cJSON_AddItemToArray(f, lf_json_num(r->fpr[i]));
    cJSON_AddItemToArray(t, lf_json_num(r->tpr[i]));
    /* +inf has no JSON spelling: point 0 is written as null */
    cJSON_AddItemToArray(h, lf_json_num(r->thresholds[i]));
  }
  return o;
}

static void fmt_rate(char *b, size_t n, double v) {
  if (isnan(v)) snprintf(b, n, "  -  ");
  else snprintf(b, n, "%5.3f", v);
}

static void print_summary(FILE *f, const lf_score_opts *o, size_t n, const lf_class_score *cs, int k, double mean,
                          size_t used) {
  fprintf(f, "ChestX-ray14, split %s: %zu images; AUC-ROC per finding, 95%% CI by %d bootstrap resamples\n",
          lf_split_name(o->split), n, o->n_bootstrap);
  fprintf(f, "%-19s %6s %6s  %5s  %-15s  %-11s  %-22s\n", "finding", "cases", "prev", "AUC", "95% CI",
          "sens/spec", "at sens>=");
  for (int j = 0; j < k; j++) {
    const lf_class_score *c = &cs[j];
    char auc[16], ci[32] = "", s1[8], s2[8], s3[8], thr[32] = "";
    double prev = c->n ? (double)c->n_pos / (double)c->n : NAN;
    if (isnan(c->auc)) snprintf(auc, sizeof auc, "  n/a");
    else snprintf(auc, sizeof auc, "%5.3f", c->auc);
    if (!isnan(c->ci_lo)) snprintf(ci, sizeof ci, "[%5.3f, %5.3f]", c->ci_lo, c->ci_hi);
    else if (isnan(c->auc)) snprintf(ci, sizeof ci, "%s", c->n_pos ? "(no negatives)" : "(no positives)");
    fmt_rate(s1, sizeof s1, c->at_thr.sensitivity);
    fmt_rate(s2, sizeof s2, c->at_thr.specificity);
    if (c->has_sens) {
      fmt_rate(s3, sizeof s3, c->at_sens.specificity);
      snprintf(thr, sizeof thr, "spec %s (thr %.3g)", s3, c->at_sens.threshold);
    }
    fprintf(f, "%-19s %6zu %5.1f%%  %5s  %-15s  %s/%s  %s\n", c->label, c->n_pos, 100 * prev, auc, ci, s1, s2, thr);
  }
  if (o->class_thresholds)
    fprintf(f, "sens/spec at each finding's given operating point (%g for findings without one); ", o->threshold);
  else fprintf(f, "sens/spec at threshold %g; ", o->threshold);
  fprintf(f, "last column: specificity at the highest threshold with sensitivity >= %g\n", o->target_sensitivity);
  if (used) fprintf(f, "mean AUC over %zu of %d findings: %.4f", used, k, mean);
  else fprintf(f, "mean AUC: n/a (no finding has both positive and negative cases)");
  if ((int)used < k) fprintf(f, " (%d skipped: only one label value in this split)", k - (int)used);
  fputc('\n', f);
}

/* --choose-operating-points for one finding: LF_ENOTFOUND (no positives, no
 * negatives, target unreachable) leaves it without a point, saying why. A
 * threshold outside (0, 1) (a score of exactly 0 or 1, or a logit) cannot be
 * carried in a model's metadata and is left out the same way. */
static lf_status choose_point(const lf_score_opts *o, const double *s, const uint8_t *l, size_t n, lf_class_score *c) {
  lf_status st = lf_choose_operating_point(s, l, n, &o->choose, &c->chosen);
  if (st == LF_ENOTFOUND) {
    snprintf(c->why_none, sizeof c->why_none, "%s", lf_last_error());
    return LF_OK;
  }
  if (st) return st;
  if (!(c->chosen.threshold > 0 && c->chosen.threshold < 1)) {
    snprintf(c->why_none, sizeof c->why_none, "threshold %.17g is not in (0, 1), which a model cannot carry",
             c->chosen.threshold);
    return LF_OK;
  }
  c->has_chosen = 1;
  return LF_OK;
}

/* "operating_points" {label: threshold} (what `convert --operating-points` reads), how they were
 * chosen, the findings left without one and "at_operating_point" {label: counts and rates}. */
static void add_chosen(const lf_score_opts *o, cJSON *out, const lf_class_score *cs, int k) {
  char mb[48];
  cJSON *op = cJSON_AddObjectToObject(out, "operating_points");
  cJSON *how = cJSON_AddObjectToObject(out, "operating_points_chosen");
  cJSON_AddStringToObject(how, "method", lf_oppoint_method_name(&o->choose, mb, sizeof mb));
  cJSON_AddStringToObject(how, "split", lf_split_name(o->split));
  cJSON_AddStringToObject(how, "predictions", o->pred_path);
  cJSON *none = cJSON_AddObjectToObject(how, "none");
  cJSON *at = cJSON_AddObjectToObject(out, "at_operating_point");
  for (int t = 0; t < k; t++) {
    const lf_class_score *c = &cs[t];
    if (!c->has_chosen) { /* a model converted with these points flags this finding at the default */
      cJSON_AddStringToObject(none, c->label, c->why_none);
      if (o->warnings)
        fprintf(o->warnings, "warning: no operating point for %s on split %s: %s\n", c->label,
                lf_split_name(o->split), c->why_none);
      continue;
    }
    lf_json_add_num(op, c->label, c->chosen.threshold);
    cJSON_AddItemToObject(at, c->label, oppoint_json(&c->chosen));
  }
}

static void print_chosen(FILE *f, const lf_score_opts *o, const lf_class_score *cs, int k) {
  char mb[48];
  fprintf(f, "\noperating points (%s) chosen on split %s:\n", lf_oppoint_method_name(&o->choose, mb, sizeof mb),
          lf_split_name(o->split));
  fprintf(f, "%-19s %10s  %5s  %5s\n", "finding", "threshold", "sens", "spec");
  for (int t = 0; t < k; t++) {
    const lf_class_score *c = &cs[t];
    if (!c->has_chosen) {
      fprintf(f, "%-19s %10s  (%s)\n", c->label, "none", c->why_none);
      continue;
    }
    char s1[8], s2[8];
    fmt_rate(s1, sizeof s1, c->chosen.sensitivity);
    fmt_rate(s2, sizeof s2, c->chosen.specificity);
    fprintf(f, "%-19s %10.6g  %s  %s\n", c->label, c->chosen.threshold, s1, s2);
  }
}

/* --compare: the second model's AUCs and the paired differences. */
static void add_compare(const lf_score_opts *o, cJSON *out, const lf_class_score *cs, int k) {
  cJSON *c = cJSON_AddObjectToObject(out, "compare");
  cJSON_AddStringToObject(c, "predictions", o->compare_path);
  cJSON_AddStringToObject(c, "difference", "auc(predictions) - auc(compare)");
  cJSON *a = cJSON_AddObjectToObject(c, "auc"), *d = cJSON_AddObjectToObject(c, "auc_diff"),
        *ci = cJSON_AddObjectToObject(c, "auc_diff_ci95"), *pv = cJSON_AddObjectToObject(c, "p_delong");
  double sb = 0, sd = 0;
  int m = 0;
  for (int t = 0; t < k; t++) {
    lf_json_add_num(a, cs[t].label, cs[t].auc_b);
    lf_json_add_num(d, cs[t].label, cs[t].auc - cs[t].auc_b);
    cJSON *pair = cJSON_AddArrayToObject(ci, cs[t].label);
    cJSON_AddItemToArray(pair, lf_json_num(cs[t].diff_lo));
    cJSON_AddItemToArray(pair, lf_json_num(cs[t].diff_hi));
    lf_json_add_num(pv, cs[t].label, cs[t].p_delong);
    if (!isnan(cs[t].auc) && !isnan(cs[t].auc_b)) sb += cs[t].auc_b, sd += cs[t].auc - cs[t].auc_b, m++;
  }
  lf_json_add_num(c, "mean_auc", m ? sb / m : NAN);
  lf_json_add_num(c, "mean_auc_diff", m ? sd / m : NAN);
}

static void print_compare(FILE *f, const lf_score_opts *o, const lf_class_score *cs, int k) {
  fprintf(f, "\ncompared with %s (paired bootstrap, %d resamples):\n", o->compare_path, o->n_bootstrap);
  fprintf(f, "%-19s %7s %7s %8s  %-19s  %s\n", "finding", "AUC", "other", "diff", "95% CI of diff", "p (DeLong)");
  double sd = 0;
  int m = 0;
  for (int t = 0; t < k; t++) {
    const lf_class_score *c = &cs[t];
    if (isnan(c->auc) || isnan(c->auc_b)) {
      fprintf(f, "%-19s     n/a\n", c->label);
      continue;
    }
    char pbuf[16] = "n/a";
    if (!isnan(c->p_delong)) snprintf(pbuf, sizeof pbuf, "%.3g", c->p_delong);
    fprintf(f, "%-19s %7.4f %7.4f %+8.4f  [%+.4f, %+.4f]  %s\n", c->label, c->auc, c->auc_b, c->auc - c->auc_b,
            c->diff_lo, c->diff_hi, pbuf);
    sd += c->auc - c->auc_b, m++;
  }
  if (m) fprintf(f, "mean AUC difference over %d findings: %+.4f\n", m, sd / m);
}

/* A predictions file read, mapped to NIH findings and matched to the split. */
typedef struct {
  lf_predictions p;
  int col[LF_NIH_NUM_LABELS]; /* column of each NIH finding in p, -1 if absent */
  size_t *sel, *row, n;       /* lf_score_match */
} chest_preds;

static void chest_preds_free(chest_preds *c) {
  lf_predictions_free(&c->p);
  free(c->sel), free(c->row);
  c->sel = c->row = NULL;
}

static lf_status chest_preds_load(const lf_score_opts *o, const lf_dataset *ds, const char *path, chest_preds *c) {
  memset(c, 0, sizeof *c);
  for (int j = 0; j < LF_NIH_NUM_LABELS; j++) c->col[j] = -1;
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(path, (size_t)1 << 30, &data, &len);
  if (st) return st;
  if (lf_predictions_sniff((const char *)data, len) != 'j') {
    free(data);
    return lf_error(LF_EBADFILE, "%s: chestxray14 needs a predictions JSON ({image: {label: p}}), this is not one",
                    path);
  }
  st = lf_predictions_parse_json((const char *)data, len, path, &c->p);
  free(data);
  if (st) return st;
  int k = c->p.k;
  if (c->p.labels) {
    if (k > LF_NIH_NUM_LABELS) {
      st = lf_error(LF_EBADFILE, "%s: %d labels, ChestX-ray14 has %d", path, k, LF_NIH_NUM_LABELS);
      goto fail;
    }
    for (int j = 0; j < k; j++) {
      int ci = lf_nih_label_index(c->p.labels[j]);
      if (ci < 0) {
        st = lf_error(LF_EBADFILE, "%s: label \"%.60s\" is not a ChestX-ray14 finding (Atelectasis ... Pneumothorax)",
                      path, c->p.labels[j]);
        goto fail;
      }
      c->col[ci] = j;
    }
  } else {
    if (k != LF_NIH_NUM_LABELS) {
      st = lf_error(LF_EBADFILE, "%s: arrays of %d scores; unnamed scores must be the 14 findings in order", path, k);
      goto fail;
    }
    for (int j = 0; j < k; j++) c->col[j] = j;
  }
  if ((st = lf_score_match(ds, o->split, c->p.keys, c->p.n, path, &c->sel, &c->row, &c->n))) goto fail;
  return LF_OK;
fail:
  chest_preds_free(c);
  return st;
}

lf_status lf_score_chest(const lf_score_opts *o, const lf_dataset *ds, cJSON *out) {
  chest_preds A, B;
  int have_b = 0;
  lf_status st = chest_preds_load(o, ds, o->pred_path, &A);
  if (st) return st;
  if (o->compare_path) {
    if ((st = chest_preds_load(o, ds, o->compare_path, &B))) {
      chest_preds_free(&A);
      return st;
    }
    have_b = 1;
  }
  lf_predictions p = A.p;
  size_t *sel = A.sel, *row = A.row, n = A.n;
  int k = p.k;
  double *s = malloc(n * sizeof *s), *s2 = malloc(n * sizeof *s2);
  uint8_t *l = malloc(n);
  lf_class_score *cs = calloc((size_t)k, sizeof *cs);
  double aucs[LF_NIH_NUM_LABELS];
  if (!s || !s2 || !l || !cs) {
    st = lf_error(LF_ENOMEM, "score: out of memory");
    goto done;
  }
  /* classes in the paper's order whatever the file's order */
  int order[LF_NIH_NUM_LABELS], cls[LF_NIH_NUM_LABELS], m = 0;
  for (int c = 0; c < LF_NIH_NUM_LABELS; c++)
    if (A.col[c] >= 0) {
      cls[A.col[c]] = c, order[m++] = A.col[c];
      if (have_b && B.col[c] < 0) {
        st = lf_error(LF_EBADFILE, "%s: no scores for %s, which %s has", o->compare_path, lf_nih_labels[c], o->pred_path);
        goto done;
      }
    }
  for (int t = 0; t < k; t++) {
    int j = order[t];
    lf_class_score *c = &cs[t];
    c->label = lf_nih_labels[cls[j]];
    c->n = n;
    for (size_t i = 0; i < n; i++) {
      s[i] = p.scores[row[i] * (size_t)k + (size_t)j];
      l[i] = (uint8_t)((ds->samples[sel[i]].labels >> cls[j]) & 1u);
      c->n_pos += l[i];
    }
    if ((st = lf_auc(s, l, n, &c->auc))) goto done;
    if ((st = lf_auc_bootstrap_ci(s, l, n, o->n_bootstrap, o->seed, 0.05, &c->ci_lo, &c->ci_hi, &c->ci_used)))
      goto done;
    if ((st = lf_roc_curve(s, l, n, 1, &c->roc))) goto done;
    double thr = o->class_thresholds && !isnan(o->class_thresholds[cls[j]]) ? o->class_thresholds[cls[j]] : o->threshold;
    if ((st = lf_operating_point(s, l, n, thr, &c->at_thr))) goto done;
    if (o->roc_band) {
      /* at most 200 resamples: the band is a picture, and each resample sorts n scores */
      int nb = o->n_bootstrap < 200 ? o->n_bootstrap : 200;
      if ((st = lf_roc_band(s, l, n, nb, o->seed, 0.05, LF_ROC_BAND_GRID, c->band_lo, c->band_hi, NULL))) goto done;
    }
    c->has_sens = c->n_pos > 0 && lf_threshold_for_sensitivity(s, l, n, o->target_sensitivity, &c->at_sens) == LF_OK;
    if (o->choose.rule != LF_OPPOINT_NONE && (st = choose_point(o, s, l, n, c))) goto done;
    aucs[t] = c->auc;
    double a_;
    if ((st = lf_auc_delong(s, l, n, &a_, &c->delong_var))) goto done;
    c->auc_b = c->diff_lo = c->diff_hi = c->p_delong = NAN;
    if (have_b) {
      int jb = B.col[cls[j]];
      for (size_t i = 0; i < n; i++) s2[i] = B.p.scores[B.row[i] * (size_t)B.p.k + (size_t)jb];
      if ((st = lf_auc(s2, l, n, &c->auc_b))) goto done;
      if ((st = lf_auc_diff_bootstrap_ci(s, s2, l, n, o->n_bootstrap, o->seed, 0.05, &c->diff_lo, &c->diff_hi, NULL)))
        goto done;
      double d_, v_;
      if ((st = lf_auc_delong_paired(s, s2, l, n, &d_, &v_, &c->p_delong))) goto done;
    }
  }
  size_t used;
  double mean = lf_auc_macro_mean(aucs, (size_t)k, &used);

  lf_json_add_num(out, "n", (double)n);
  lf_json_add_num(out, "threshold", o->threshold);
  cJSON *lab = cJSON_AddArrayToObject(out, "labels");
  cJSON *auc = cJSON_AddObjectToObject(out, "auc"), *ci = cJSON_AddObjectToObject(out, "auc_ci95");
  lf_json_add_num(out, "mean_auc", mean);
  lf_json_add_num(out, "mean_auc_classes", (double)used);
  cJSON *skipped = cJSON_AddArrayToObject(out, "auc_undefined");
  cJSON *cid = cJSON_AddObjectToObject(out, "auc_ci95_delong");
  cJSON *prev = cJSON_AddObjectToObject(out, "prevalence"), *npos = cJSON_AddObjectToObject(out, "positives");
  cJSON *boot = cJSON_AddObjectToObject(out, "bootstrap");
  lf_json_add_num(boot, "resamples", o->n_bootstrap);
  lf_json_add_num(boot, "seed", (double)o->seed);
  cJSON *bused = cJSON_AddObjectToObject(boot, "used");
  cJSON *at = cJSON_AddObjectToObject(out, "at_threshold");
  cJSON *as = cJSON_AddObjectToObject(out, "at_sensitivity");
  lf_json_add_num(as, "target", o->target_sensitivity);
  cJSON *roc = cJSON_AddObjectToObject(out, "roc"), *band = NULL;
  if (o->roc_band) {
    band = cJSON_AddObjectToObject(out, "roc_band");
    lf_json_add_num(band, "grid", LF_ROC_BAND_GRID); /* fpr = g / (grid - 1) */
    lf_json_add_num(band, "resamples", o->n_bootstrap < 200 ? o->n_bootstrap : 200);
  }
  for (int t = 0; t < k; t++) {
    lf_class_score *c = &cs[t];
    cJSON_AddItemToArray(lab, cJSON_CreateString(c->label));
    lf_json_add_num(auc, c->label, c->auc);
    if (isnan(c->auc)) cJSON_AddItemToArray(skipped, cJSON_CreateString(c->label));
    cJSON *pair = cJSON_AddArrayToObject(ci, c->label);
    cJSON_AddItemToArray(pair, lf_json_num(c->ci_lo));
    cJSON_AddItemToArray(pair, lf_json_num(c->ci_hi));
    cJSON *pd = cJSON_AddArrayToObject(cid, c->label);
    double half = 1.959963984540054 * sqrt(c->delong_var);
    cJSON_AddItemToArray(pd, lf_json_num(isnan(half) ? NAN : fmax(0, c->auc - half)));
    cJSON_AddItemToArray(pd, lf_json_num(isnan(half) ? NAN : fmin(1, c->auc + half)));
    lf_json_add_num(prev, c->label, (double)c->n_pos / (double)n);
    lf_json_add_num(npos, c->label, (double)c->n_pos);
    lf_json_add_num(bused, c->label, c->ci_used);
    cJSON_AddItemToObject(at, c->label, oppoint_json(&c->at_thr));
    if (c->has_sens) cJSON_AddItemToObject(as, c->label, oppoint_json(&c->at_sens));
    cJSON_AddItemToObject(roc, c->label, roc_json(&c->roc));
    if (band) {
      cJSON *b = cJSON_AddObjectToObject(band, c->label);
      cJSON *bl = cJSON_AddArrayToObject(b, "tpr_lo"), *bh = cJSON_AddArrayToObject(b, "tpr_hi");
      for (int g = 0; g < LF_ROC_BAND_GRID; g++) {
        cJSON_AddItemToArray(bl, lf_json_num(c->band_lo[g]));
        cJSON_AddItemToArray(bh, lf_json_num(c->band_hi[g]));
      }
    }
  }
  if (o->choose.rule != LF_OPPOINT_NONE) add_chosen(o, out, cs, k);
  if (have_b) add_compare(o, out, cs, k);
  if (o->summary) print_summary(o->summary, o, n, cs, k, mean, used);
  if (o->summary && o->choose.rule != LF_OPPOINT_NONE) print_chosen(o->summary, o, cs, k);
  if (o->summary && have_b) print_compare(o->summary, o, cs, k);
done:
  if (cs)
    for (int t = 0; t < k; t++) lf_roc_free(&cs[t].roc);
  free(cs), free(s), free(s2), free(l);
  chest_preds_free(&A);
  if (have_b) chest_preds_free(&B);
  return st;
}
