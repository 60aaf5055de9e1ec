/* Shared by score.c, score_chest.c, score_nerve.c and score_report.c. */
#ifndef LF_SCORE_INTERNAL_H
#define LF_SCORE_INTERNAL_H
#include <cjson/cJSON.h>
#include <stddef.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_metrics.h"
#include "leapfrog/lf_score.h"

/* Matches prediction keys to the images of a split (dataset order). On
 * success *sel[i] is a sample index and *row[i] the prediction row for it.
 * LF_SPLIT_ALL leaves out unlabelled images (Kaggle test/) and ignores their keys. */
lf_status lf_score_match(const lf_dataset *ds, lf_split split, char *const *keys, size_t n_keys,
                         const char *pred_name, size_t **sel, size_t **row, size_t *n_sel);

/* FPR grid of the ROC band: 0, 0.02, ..., 1. */
#define LF_ROC_BAND_GRID 51

/* Per-class results for chest X-ray. */
typedef struct {
  const char *label;
  size_t n, n_pos;
  double auc, ci_lo, ci_hi;
  int ci_used;
  lf_roc roc;
  lf_oppoint at_thr, at_sens;
  int has_sens; /* at_sens valid (the class has positives) */
  lf_oppoint chosen; /* --choose-operating-points: the point chosen on this split */
  int has_chosen;    /* chosen valid; else why_none says why (when a method was given) */
  char why_none[96];
  double auc_b, diff_lo, diff_hi; /* --compare: the other model's AUC, CI of auc - auc_b */
  double delong_var, p_delong;    /* DeLong variance of auc; --compare: paired DeLong p-value */
  double band_lo[LF_ROC_BAND_GRID], band_hi[LF_ROC_BAND_GRID]; /* roc_band: TPR band on the FPR grid */
} lf_class_score;

/* predict's --stats JSON (for score --latency): an object with ms_per_image
 * {median, min, max} (finite, 0 <= min <= median <= max) and model_bytes (a
 * whole number); *out is the parsed object (cJSON_Delete it). LF_EBADFILE
 * naming `name` otherwise. */
lf_status lf_score_parse_latency(const char *json, size_t len, const char *name, cJSON **out);
lf_status lf_score_chest(const lf_score_opts *o, const lf_dataset *ds, cJSON *out);
lf_status lf_score_nerve(const lf_score_opts *o, const lf_dataset *ds, cJSON *out);

/* JSON number printed with the shortest %.15g..%.17g that reads back
 * exactly (cJSON's printer may drop the last bit); null when not finite. */
cJSON *lf_json_num(double v);
static inline void lf_json_add_num(cJSON *o, const char *key, double v) { cJSON_AddItemToObject(o, key, lf_json_num(v)); }

/* Report writers (Markdown or HTML by extension) from the metrics JSON. */
lf_status lf_score_write_report(const char *path, const cJSON *metrics);

#endif
