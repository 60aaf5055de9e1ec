/* `leapfrog report`: finds a run folder's predictions, stats and models by name
 * (lf_report.h), scores them as `leapfrog score` does, picks the operating
 * points on the validation split, draws the segmentation overlays, and hands
 * it all to the renderer (report_write.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "eval/report_internal.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_predictions.h"
#include "leapfrog/lf_report.h"
#include "leapfrog/lf_rle.h"
#include "leapfrog/lf_score.h"
#include "lfrt_isa.h"

#ifndef LF_GIT_VERSION
#define LF_GIT_VERSION "unknown"
#endif

void lf_report_opts_default(lf_report_opts *o) {
  memset(o, 0, sizeof *o);
  lf_split_opts_default(&o->chest_split);
  lf_split_opts_default(&o->nerve_split);
  o->min_positives = 10;
  o->n_bootstrap = 1000;
  o->seed = 1;
}

static const char *const model_keys[3] = {"fp32", "qat-fp32", "int8"};
static const char *const model_names[3] = {"FP32", "QAT weights in FP32", "INT8"};
static const char *const model_colors[3] = {"#1f77b4", "#2ca02c", "#d62728"};

static char *path_of(const char *dir, const char *task, const char *model, const char *suffix) {
  size_t n = strlen(dir) + strlen(task) + (model ? strlen(model) : 0) + strlen(suffix) + 4;
  char *p = malloc(n);
  if (p) snprintf(p, n, "%s/%s%s%s%s", dir, task, model ? "-" : "", model ? model : "", suffix);
  return p;
}
static int exists(const char *p) {
  struct stat sb;
  return p && stat(p, &sb) == 0;
}

/* Per-finding thresholds maximising Youden's J on the validation split: what
 * `score --choose-operating-points youden` picks (lf_choose_operating_point),
 * so the report documents the points a model converted with them carries. */
static lf_status val_thresholds(const lf_report_opts *o, const char *data, const char *pred, double thr[LF_NIH_NUM_LABELS]) {
  lf_score_opts so;
  lf_score_opts_default(&so);
  so.task = LF_TASK_CHESTXRAY14, so.data_dir = data, so.pred_path = pred, so.split = LF_SPLIT_VAL;
  so.split_opts = o->chest_split, so.n_bootstrap = 0;
  so.choose.rule = LF_OPPOINT_YOUDEN;
  cJSON *m = NULL;
  lf_status st = lf_score_compute(&so, &m);
  if (st) return st;
  const cJSON *ops = lf_rj_get(m, "operating_points");
  for (int c = 0; c < LF_NIH_NUM_LABELS; c++) {
    const cJSON *t = lf_rj_get(ops, lf_nih_labels[c]);
    thr[c] = t ? lf_rj_val(t) : NAN; /* none (one label value on val): the default */
  }
  cJSON_Delete(m);
  return LF_OK;
}

static lf_status score(const lf_report_opts *o, lf_task task, const char *data, const char *pred, const char *cmp,
                       const char *stats, const double *thr, cJSON **m) {
  lf_score_opts so;
  lf_score_opts_default(&so);
  so.task = task, so.data_dir = data, so.pred_path = pred, so.compare_path = cmp, so.latency_path = stats;
  so.split_opts = task == LF_TASK_NERVE ? o->nerve_split : o->chest_split;
  so.n_bootstrap = o->n_bootstrap, so.seed = o->seed;
  so.class_thresholds = thr, so.roc_band = task == LF_TASK_CHESTXRAY14;
  return lf_score_compute(&so, m);
}

static void model_file(lf_report_model *md, char *path) {
  md->model_path = path;
  md->model_bytes = NAN;
  struct stat sb;
  if (!path || stat(path, &sb) || lf_sha256_file(path, md->sha256)) {
    md->sha256[0] = 0;
    snprintf(md->mtime, sizeof md->mtime, "n/a");
    return;
  }
  md->model_bytes = (double)sb.st_size;
  strftime(md->mtime, sizeof md->mtime, "%Y-%m-%d %H:%M UTC", gmtime(&sb.st_mtime));
}

/* Overlays of the best, median and worst INT8 Dice among test images with a nerve. */
typedef struct {
  const char *stem;
  double dice;
} stem_dice;
static int by_dice(const void *a, const void *b) {
  double x = ((const stem_dice *)a)->dice, y = ((const stem_dice *)b)->dice;
  return (x < y) - (x > y); /* best first */
}
static lf_status overlays(const lf_report_opts *o, const char *data, const char *masks_csv, lf_report_task *t) {
  lf_dataset *ds = NULL;
  lf_status st = lf_dataset_open(LF_TASK_NERVE, data, 0, &ds);
  if (st) return st;
  lf_submission sub = {0};
  stem_dice *v = NULL;
  if ((st = lf_dataset_split(ds, &o->nerve_split, NULL)) || (st = lf_submission_read_csv(masks_csv, &sub))) goto done;
  const cJSON *dice = lf_rj_get(t->model[t->n_models - 1].m, "dice"), *e;
  size_t n = 0;
  v = malloc(((size_t)cJSON_GetArraySize(dice) + 1) * sizeof *v);
  if (!v) {
    st = lf_error(LF_ENOMEM, "report: out of memory");
    goto done;
  }
  cJSON_ArrayForEach(e, dice) {
    const lf_sample *s = lf_dataset_find(ds, e->string);
    if (s && (s->labels & 1u) && s->path && !isnan(lf_rj_val(e))) v[n].stem = e->string, v[n++].dice = lf_rj_val(e);
  }
  if (n == 0) goto done;
  qsort(v, n, sizeof *v, by_dice);
  size_t pick[3] = {0, n / 2, n - 1};
  const char *what[3] = {"best", "median", "worst"};
  for (int i = 0; i < 3 && (i == 0 || pick[i] != pick[i - 1]); i++) {
    const lf_sample *s = lf_dataset_find(ds, v[pick[i]].stem);
    size_t r = 0;
    while (r < sub.n && strcmp(sub.img[r], v[pick[i]].stem)) r++;
    if (r == sub.n) continue;
    uint8_t *truth = NULL, *pred = NULL;
    int w, h;
    if ((st = lf_dataset_load_mask(ds, s, &truth, &w, &h))) goto done;
    if (!(pred = malloc((size_t)w * (size_t)h))) st = lf_error(LF_ENOMEM, "report: out of memory");
    if (!st) st = lf_rle_decode(sub.pixels[r], w, h, pred, masks_csv);
    if (!st) st = lf_report_overlay_png(s->path, truth, pred, w, h, &t->overlay_b64[t->n_overlays]);
    free(truth), free(pred);
    if (st) goto done;
    snprintf(t->overlay_caption[t->n_overlays++], sizeof t->overlay_caption[0], "%s: %s, Dice %.3f", what[i], s->name,
             v[pick[i]].dice);
  }
done:
  free(v);
  lf_submission_free(&sub);
  lf_dataset_free(ds);
  return st;
}

static void task_free(lf_report_task *t) {
  for (int k = 0; k < t->n_models; k++) {
    cJSON_Delete(t->model[k].m);
    cJSON_Delete(t->model[k].own_stats);
    free(t->model[k].model_path);
  }
  for (int c = 0; c < t->n_cmp; c++)
    if (t->cmp[c].owned) cJSON_Delete(t->cmp[c].m);
  for (int i = 0; i < t->n_overlays; i++) free(t->overlay_b64[i]);
  free(t->val_rule);
}

/* One task: the models present, each scored alone, then INT8 against the others. */
static lf_status gather(const lf_report_opts *o, lf_task task, lf_report_task *t) {
  const char *tn = task == LF_TASK_NERVE ? "nerve" : "chest";
  const char *pred_sfx = task == LF_TASK_NERVE ? "-masks.csv" : "-predictions.json";
  const char *given = task == LF_TASK_NERVE ? o->nerve_data : o->chest_data;
  char *data = given ? strdup(given) : path_of(o->run_dir, tn, NULL, "");
  char *pred[3] = {0}, *stats[3] = {0};
  lf_status st = LF_OK;
  int have[3];
  for (int k = 0; k < 3; k++) {
    pred[k] = path_of(o->run_dir, tn, model_keys[k], pred_sfx);
    stats[k] = path_of(o->run_dir, tn, model_keys[k], "-stats.json");
    have[k] = exists(pred[k]);
  }
  if (!have[2]) goto done; /* no INT8 predictions: the task is not in this run */
  t->present = 1;
  double thr[3][LF_NIH_NUM_LABELS];
  int n_thr = 0;
  for (int k = 0; task == LF_TASK_CHESTXRAY14 && k < 3; k++) {
    char *vp = path_of(o->run_dir, tn, model_keys[k], "-val-predictions.json");
    for (int c = 0; c < LF_NIH_NUM_LABELS; c++) thr[k][c] = NAN;
    if (have[k] && exists(vp)) {
      if (o->log) fprintf(o->log, "report: operating points of %s on the validation split\n", vp);
      if (val_thresholds(o, data, vp, thr[k]) == LF_OK) n_thr++;
      else if (o->log) /* e.g. a tiny dataset with an empty val split: the page says 0.5 was used */
        fprintf(o->log, "report: no operating points from the validation split (%s); threshold 0.5\n", lf_last_error());
    }
    free(vp);
  }
  if (n_thr && n_thr == have[0] + have[1] + have[2]) { /* every model's points chosen on val */
    t->val_thresholds = 1;
    t->val_rule = strdup("Youden's J (sensitivity + specificity - 1) maximised over the validation ROC, ties to "
                         "the higher threshold");
  }
  for (int k = 0; k < 3; k++) {
    if (!have[k]) continue;
    lf_report_model *md = &t->model[t->n_models];
    md->name = model_names[k], md->color = model_colors[k];
    if (o->log) fprintf(o->log, "report: scoring %s\n", pred[k]);
    st = score(o, task, data, pred[k], NULL, exists(stats[k]) ? stats[k] : NULL,
               task == LF_TASK_CHESTXRAY14 ? thr[k] : NULL, &md->m);
    if (st) goto done;
    t->n_models++;
    md->stats = lf_rj_get(md->m, "latency");
    model_file(md, path_of(o->run_dir, tn, model_keys[k], ".tflite"));
  }
  static const char *titles[2] = {"INT8 vs the same weights in FP32: what integer arithmetic costs",
                                  "INT8 vs the FP32 model: what the whole QAT step costs"};
  static const char *whys[2] = {
      "The INT8 model against the very weights it was converted from, run in floating point: any difference is the "
      "rounding of weights and activations to 8 bits. Differences are INT8 minus the other, on the same test images.",
      "The INT8 model against the FP32 model it started from: the difference adds what the QAT fine-tuning changed "
      "in the weights to the cost of 8-bit arithmetic. Differences are INT8 minus the other, on the same test images."};
  const int other[2] = {1, 0};
  for (int c = 0; c < 2; c++) {
    if (!have[other[c]]) continue;
    lf_report_cmp *cm = &t->cmp[t->n_cmp];
    cm->title = titles[c], cm->why = whys[c], cm->other = model_names[other[c]], cm->owned = 1;
    if (o->log) fprintf(o->log, "report: comparing %s with %s\n", pred[2], pred[other[c]]);
    if ((st = score(o, task, data, pred[2], pred[other[c]], NULL, task == LF_TASK_CHESTXRAY14 ? thr[2] : NULL, &cm->m)))
      goto done;
    t->n_cmp++;
  }
  if (task == LF_TASK_NERVE) st = overlays(o, data, pred[2], t);
done:
  for (int k = 0; k < 3; k++) free(pred[k]), free(stats[k]);
  free(data);
  return st;
}

lf_status lf_report_run(const lf_report_opts *o) {
  if (!o || !o->run_dir) return lf_error(LF_EINVAL, "report: a run folder is needed");
  if (!o->html_path && !o->md_path) return lf_error(LF_EINVAL, "report: nothing to write (no HTML or Markdown path)");
  struct stat sb;
  if (stat(o->run_dir, &sb) || !S_ISDIR(sb.st_mode)) return lf_error(LF_ENOTFOUND, "%s: no such folder", o->run_dir);
  lf_report r;
  memset(&r, 0, sizeof r);
  r.full = 1, r.run_dir = o->run_dir, r.min_positives = o->min_positives, r.synthetic = o->synthetic;
  r.version = LF_GIT_VERSION;
  r.isa = lfrt_isa_name(lfrt_isa_best());
  time_t now = time(NULL);
  strftime(r.created, sizeof r.created, "%Y-%m-%d %H:%M UTC", gmtime(&now));
  lf_status st = gather(o, LF_TASK_CHESTXRAY14, &r.chest);
  if (!st) st = gather(o, LF_TASK_NERVE, &r.nerve);
  if (!st && !r.chest.present && !r.nerve.present)
    st = lf_error(LF_ENOTFOUND, "%s: no chest-int8-predictions.json or nerve-int8-masks.csv: not a run folder "
                                "(see `leapfrog report --help` for the file names)",
                  o->run_dir);
  for (int i = 0; !st && !r.synthetic && i < 2; i++) {
    const char *given = i ? o->nerve_data : o->chest_data;
    char *marker = given ? path_of(given, "SYNTHETIC", NULL, "") : path_of(o->run_dir, i ? "nerve" : "chest", NULL, "/SYNTHETIC");
    r.synthetic = exists(marker);
    free(marker);
  }
  if (!st && o->html_path) st = lf_report_write(o->html_path, &r);
  if (!st && o->md_path) st = lf_report_write(o->md_path, &r);
  task_free(&r.chest);
  task_free(&r.nerve);
  return st;
}
