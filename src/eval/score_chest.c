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
  fprintf(f, "sens/spec at threshold %g; last column: specificity at the highest threshold with sensitivity >= %g\n",
          o->threshold, o->target_sensitivity);
  if (used) fprintf(f, "mean AUC over %zu of %d findings: %.4f", used, k, mean);
  else fprintf(f, "mean AUC: n/a (no finding has both positive and negative cases)");
  if ((int)used < k) fprintf(f, " (%d skipped: only one label value in this split)", k - (int)used);
  fputc('\n', f);
}

lf_status lf_score_chest(const lf_score_opts *o, const lf_dataset *ds, cJSON *out) {
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(o->pred_path, (size_t)1 << 30, &data, &len);
  if (st) return st;
  if (lf_predictions_sniff((const char *)data, len) != 'j') {
    free(data);
    return lf_error(LF_EBADFILE, "%s: chestxray14 needs a predictions JSON ({image: {label: p}}), this is not one",
                    o->pred_path);
  }
  lf_predictions p;
  st = lf_predictions_parse_json((const char *)data, len, o->pred_path, &p);
  free(data);
  if (st) return st;
  /* column j of the file -> NIH label index */
  int k = p.k, cls[LF_NIH_NUM_LABELS];
  if (p.labels) {
    if (k > LF_NIH_NUM_LABELS) {
      lf_predictions_free(&p);
      return lf_error(LF_EBADFILE, "%s: %d labels, ChestX-ray14 has %d", o->pred_path, k, LF_NIH_NUM_LABELS);
    }
    for (int j = 0; j < k; j++)
      if ((cls[j] = lf_nih_label_index(p.labels[j])) < 0) {
        st = lf_error(LF_EBADFILE, "%s: label \"%.60s\" is not a ChestX-ray14 finding (Atelectasis ... Pneumothorax)",
                      o->pred_path, p.labels[j]);
        lf_predictions_free(&p);
        return st;
      }
  } else {
    if (k != LF_NIH_NUM_LABELS) {
      lf_predictions_free(&p);
      return lf_error(LF_EBADFILE, "%s: arrays of %d scores; unnamed scores must be the 14 findings in order",
                      o->pred_path, k);
    }
    for (int j = 0; j < k; j++) cls[j] = j;
  }
  size_t *sel = NULL, *row = NULL, n = 0;
  if ((st = lf_score_match(ds, o->split, p.keys, p.n, o->pred_path, &sel, &row, &n))) {
    lf_predictions_free(&p);
    return st;
  }
  double *s = malloc(n * sizeof *s);
  uint8_t *l = malloc(n);
  lf_class_score *cs = calloc((size_t)k, sizeof *cs);
  double aucs[LF_NIH_NUM_LABELS];
  if (!s || !l || !cs) {
    st = lf_error(LF_ENOMEM, "score: out of memory");
    goto done;
  }
  /* classes in the paper's order whatever the file's order */
  int order[LF_NIH_NUM_LABELS], m = 0;
  for (int c = 0; c < LF_NIH_NUM_LABELS; c++)
    for (int j = 0; j < k; j++)
      if (cls[j] == c) order[m++] = j;
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
    if ((st = lf_operating_point(s, l, n, o->threshold, &c->at_thr))) goto done;
    c->has_sens = c->n_pos > 0 && lf_threshold_for_sensitivity(s, l, n, o->target_sensitivity, &c->at_sens) == LF_OK;
    aucs[t] = c->auc;
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
  cJSON *prev = cJSON_AddObjectToObject(out, "prevalence"), *npos = cJSON_AddObjectToObject(out, "positives");
  cJSON *boot = cJSON_AddObjectToObject(out, "bootstrap");
  lf_json_add_num(boot, "resamples", o->n_bootstrap);
  lf_json_add_num(boot, "seed", (double)o->seed);
  cJSON *bused = cJSON_AddObjectToObject(boot, "used");
  cJSON *at = cJSON_AddObjectToObject(out, "at_threshold");
  cJSON *as = cJSON_AddObjectToObject(out, "at_sensitivity");
  lf_json_add_num(as, "target", o->target_sensitivity);
  cJSON *roc = cJSON_AddObjectToObject(out, "roc");
  for (int t = 0; t < k; t++) {
    lf_class_score *c = &cs[t];
    cJSON_AddItemToArray(lab, cJSON_CreateString(c->label));
    lf_json_add_num(auc, c->label, c->auc);
    if (isnan(c->auc)) cJSON_AddItemToArray(skipped, cJSON_CreateString(c->label));
    cJSON *pair = cJSON_AddArrayToObject(ci, c->label);
    cJSON_AddItemToArray(pair, lf_json_num(c->ci_lo));
    cJSON_AddItemToArray(pair, lf_json_num(c->ci_hi));
    lf_json_add_num(prev, c->label, (double)c->n_pos / (double)n);
    lf_json_add_num(npos, c->label, (double)c->n_pos);
    lf_json_add_num(bused, c->label, c->ci_used);
    cJSON_AddItemToObject(at, c->label, oppoint_json(&c->at_thr));
    if (c->has_sens) cJSON_AddItemToObject(as, c->label, oppoint_json(&c->at_sens));
    cJSON_AddItemToObject(roc, c->label, roc_json(&c->roc));
  }
  if (o->summary) print_summary(o->summary, o, n, cs, k, mean, used);
done:
  if (cs)
    for (int t = 0; t < k; t++) lf_roc_free(&cs[t].roc);
  free(cs), free(s), free(l), free(sel), free(row);
  lf_predictions_free(&p);
  return st;
}
