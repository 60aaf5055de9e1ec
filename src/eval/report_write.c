/* Renders the report as one self-contained HTML page (inline CSS, SVG plots,
 * PNGs as data: URIs, no scripts, nothing fetched; prints to PDF) or as its
 * Markdown twin (the same text and tables; figures only in the HTML).
 * All text goes through one small writer (doc), so no Markdown markup ever
 * reaches the HTML and user text is escaped in both. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "eval/report_internal.h"
#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_fileio.h"

double lf_rj_val(const cJSON *v) {
  if (cJSON_IsNumber(v)) return v->valuedouble;
  if (cJSON_IsRaw(v) && v->valuestring) return strtod(v->valuestring, NULL);
  return NAN;
}
const cJSON *lf_rj_get(const cJSON *o, const char *key) { return o ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL; }
double lf_rj_num(const cJSON *o, const char *key) { return lf_rj_val(lf_rj_get(o, key)); }
const char *lf_rj_str(const cJSON *o, const char *key) {
  const cJSON *v = lf_rj_get(o, key);
  return cJSON_IsString(v) ? v->valuestring : "";
}

/* ---- the writer ---------------------------------------------------------- */
typedef struct {
  FILE *f;
  int html;
  int ncols;
} doc;

static void esc(doc *d, const char *s) {
  for (; *s; s++) {
    if (d->html && *s == '<') fputs("&lt;", d->f);
    else if (d->html && *s == '>') fputs("&gt;", d->f);
    else if (d->html && *s == '&') fputs("&amp;", d->f);
    else if (!d->html && (*s == '|' || *s == '*' || *s == '`' || *s == '\\')) fprintf(d->f, "\\%c", *s);
    else if (!d->html && *s == '\n') fputc(' ', d->f);
    else fputc(*s, d->f);
  }
}
static void vtext(doc *d, const char *fmt, va_list ap) {
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, ap);
  esc(d, buf);
}
static void heading(doc *d, int level, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (d->html) fprintf(d->f, "<h%d>", level);
  else fprintf(d->f, "\n%.*s ", level, "######");
  vtext(d, fmt, ap);
  fputs(d->html ? "" : "\n\n", d->f);
  if (d->html) fprintf(d->f, "</h%d>\n", level);
  va_end(ap);
}
/* A paragraph of plain text; cls (HTML only): "note", "warn", "banner". */
static void para(doc *d, const char *cls, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (d->html) fprintf(d->f, cls ? "<p class=%s>" : "<p>", cls);
  vtext(d, fmt, ap);
  fputs(d->html ? "</p>\n" : "\n\n", d->f);
  va_end(ap);
}
static void table(doc *d, int n, const char *const *head) {
  d->ncols = n;
  /* two-column tables (the model card) hold long paths and hashes: they wrap */
  fputs(d->html ? (n == 2 ? "<table class=card><tr>" : "<table><tr>") : "|", d->f);
  for (int i = 0; i < n; i++) {
    if (d->html) fputs("<th>", d->f);
    else fputc(' ', d->f);
    esc(d, head[i]);
    fputs(d->html ? "</th>" : " |", d->f);
  }
  fputs(d->html ? "</tr>\n" : "\n|", d->f);
  if (!d->html)
    for (int i = 0; i < n; i++) fputs(i ? "--:|" : "---|", d->f);
  if (!d->html) fputc('\n', d->f);
}
/* One row; cells separated by '\t' in one formatted string. cls: row class (HTML). */
static void row(doc *d, const char *cls, const char *fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (d->html) fprintf(d->f, cls ? "<tr class=%s>" : "<tr>", cls);
  else fputc('|', d->f);
  char *c = buf;
  for (int i = 0; i < d->ncols; i++) {
    char *tab = c ? strchr(c, '\t') : NULL;
    if (tab) *tab = 0;
    fputs(d->html ? "<td>" : " ", d->f);
    esc(d, c ? c : "");
    fputs(d->html ? "</td>" : " |", d->f);
    c = tab ? tab + 1 : NULL;
  }
  fputs(d->html ? "</tr>\n" : "\n", d->f);
}
static void table_end(doc *d) { fputs(d->html ? "</table>\n" : "\n", d->f); }

/* Number formatting into small rotating buffers ("n/a" for NaN). */
static const char *fmt(const char *f, double v) {
  static char ring[64][48];
  static int i;
  char *b = ring[i++ & 63];
  if (isnan(v)) snprintf(b, 48, "n/a");
  else snprintf(b, 48, f, v);
  return b;
}
static const char *ci2(const char *f, const cJSON *pair) {
  static char ring[32][64];
  static int i;
  char *b = ring[i++ & 31];
  double lo = lf_rj_val(cJSON_GetArrayItem(pair, 0)), hi = lf_rj_val(cJSON_GetArrayItem(pair, 1));
  if (isnan(lo) || isnan(hi)) return "n/a";
  char a[24], c[24];
  snprintf(a, sizeof a, f, lo), snprintf(c, sizeof c, f, hi);
  snprintf(b, 64, "[%s, %s]", a, c);
  return b;
}

/* ---- chest X-ray --------------------------------------------------------- */
static const lf_report_model *last_model(const lf_report_task *t) { return &t->model[t->n_models - 1]; }

/* Mean AUC over the findings with at least min_pos positives (min_pos 0: all defined). */
static double mean_auc(const cJSON *m, const cJSON *auc, int min_pos, int *used) {
  double s = 0;
  int k = 0;
  const cJSON *l;
  cJSON_ArrayForEach(l, lf_rj_get(m, "labels")) {
    const char *name = cJSON_IsString(l) ? l->valuestring : "";
    double a = lf_rj_num(auc, name), p = lf_rj_num(lf_rj_get(m, "positives"), name);
    if (!isnan(a) && p >= min_pos) s += a, k++;
  }
  *used = k;
  return k ? s / k : NAN;
}

static void chest_accuracy(doc *d, const lf_report *r) {
  const lf_report_task *t = &r->chest;
  const cJSON *m0 = last_model(t)->m;
  int n_lab = cJSON_GetArraySize(lf_rj_get(m0, "labels"));
  heading(d, 2, "Classification: ChestX-ray14, per-finding AUC-ROC");
  para(d, NULL, "%.0f test images. Findings with fewer than %d positive test cases are flagged and left out of the "
                "mean AUC (an AUC resting on a handful of cases is noise); the mean over every finding with both label "
                "values is given too. 95%% CI: percentile bootstrap over images, %.0f resamples.",
       lf_rj_num(m0, "n"), r->min_positives, lf_rj_num(lf_rj_get(m0, "bootstrap"), "resamples"));
  const char *h[2 + LF_REPORT_MAX_MODELS + 1] = {"Finding", "Positives"};
  for (int k = 0; k < t->n_models; k++) h[2 + k] = t->model[k].name;
  h[2 + t->n_models] = "Note";
  table(d, 3 + t->n_models, h);
  const cJSON *l;
  cJSON_ArrayForEach(l, lf_rj_get(m0, "labels")) {
    const char *name = cJSON_IsString(l) ? l->valuestring : "";
    double npos = lf_rj_num(lf_rj_get(m0, "positives"), name);
    char cells[1024];
    int o = snprintf(cells, sizeof cells, "%s\t%.0f", name, npos);
    for (int k = 0; k < t->n_models; k++) {
      const cJSON *m = t->model[k].m;
      double a = lf_rj_num(lf_rj_get(m, "auc"), name);
      const cJSON *ci = lf_rj_get(lf_rj_get(m, "auc_ci95"), name);
      if (isnan(a)) o += snprintf(cells + o, sizeof cells - o, "\tn/a");
      else o += snprintf(cells + o, sizeof cells - o, "\t%.3f %s", a, ci2("%.3f", ci));
    }
    snprintf(cells + o, sizeof cells - o, "\t%s",
             npos == 0 ? "no positives: AUC undefined" : npos < r->min_positives ? "too few positives: not in the mean" : "");
    row(d, npos < r->min_positives ? "flag" : NULL, "%s", cells);
  }
  for (int pass = 0; pass < 2; pass++) {
    char cells[1024];
    int used = 0, o = 0;
    for (int k = 0; k < t->n_models; k++) {
      double mean = mean_auc(t->model[k].m, lf_rj_get(t->model[k].m, "auc"), pass ? 0 : r->min_positives, &used);
      o += snprintf(cells + o, sizeof cells - o, "\t%s", fmt("%.3f", mean));
    }
    if (pass) row(d, "mean", "Mean, every finding with positives\t%d of %d%s\t", used, n_lab, cells);
    else row(d, "mean", "Mean, findings with %d or more positives\t%d of %d%s\t(the headline figure)",
             r->min_positives, used, n_lab, cells);
  }
  table_end(d);
}

static void compare_tables(doc *d, const lf_report *r, const lf_report_task *t, int chest) {
  for (int c = 0; c < t->n_cmp; c++) {
    const lf_report_cmp *cmp = &t->cmp[c];
    const cJSON *m = cmp->m, *x = lf_rj_get(m, "compare");
    heading(d, 3, "%s", cmp->title);
    para(d, "note", "%s", cmp->why);
    if (!chest) {
      const char *h[] = {"", "Mean Dice", "Mean Dice, other", "Difference", "95% CI (paired bootstrap)"};
      table(d, 5, h);
      row(d, NULL, "%s vs %s\t%s\t%s\t%s\t%s", last_model(t)->name, cmp->other, fmt("%.4f", lf_rj_num(m, "dice_mean")),
          fmt("%.4f", lf_rj_num(x, "dice_mean")), fmt("%+.4f", lf_rj_num(x, "dice_mean_diff")),
          ci2("%+.4f", lf_rj_get(x, "dice_mean_diff_ci95")));
      table_end(d);
      continue;
    }
    char other_h[96];
    snprintf(other_h, sizeof other_h, "AUC %s", cmp->other);
    char this_h[96];
    snprintf(this_h, sizeof this_h, "AUC %s", last_model(t)->name);
    const char *h[] = {"Finding", "Positives", this_h, other_h, "Difference", "95% CI (paired bootstrap)",
                       "p (DeLong, paired)"};
    table(d, 7, h);
    const cJSON *l;
    double s = 0;
    int k = 0;
    cJSON_ArrayForEach(l, lf_rj_get(m, "labels")) {
      const char *name = cJSON_IsString(l) ? l->valuestring : "";
      double npos = lf_rj_num(lf_rj_get(m, "positives"), name), diff = lf_rj_num(lf_rj_get(x, "auc_diff"), name);
      if (!isnan(diff) && npos >= r->min_positives) s += diff, k++;
      row(d, npos < r->min_positives ? "flag" : NULL, "%s\t%.0f\t%s\t%s\t%s\t%s\t%s", name, npos,
          fmt("%.4f", lf_rj_num(lf_rj_get(m, "auc"), name)), fmt("%.4f", lf_rj_num(lf_rj_get(x, "auc"), name)),
          fmt("%+.4f", diff), ci2("%+.4f", lf_rj_get(lf_rj_get(x, "auc_diff_ci95"), name)),
          fmt("%.3g", lf_rj_num(lf_rj_get(x, "p_delong"), name)));
    }
    row(d, "mean", "Mean difference, findings with %d or more positives\t\t\t\t%s\t\t", r->min_positives,
        fmt("%+.4f", k ? s / k : NAN));
    row(d, "mean", "Mean difference, every finding with positives\t\t\t\t%s\t\t",
        fmt("%+.4f", lf_rj_num(x, "mean_auc_diff")));
    table_end(d);
  }
}

static void chest_oppoints(doc *d, const lf_report *r) {
  const lf_report_task *t = &r->chest;
  heading(d, 3, "Operating points");
  if (t->val_thresholds)
    para(d, NULL, "Each finding's threshold was chosen on the validation split, separately for each model, and then "
                  "applied to the test split: %s (0.5 where the validation split lacks positive or negative cases of the "
                  "finding). A fixed 0.5 is no operating point for findings with a prevalence "
                  "of a few percent, where a calibrated model's scores rarely pass 0.5.",
         t->val_rule ? t->val_rule : "");
  else
    para(d, NULL, "Operating point: the fixed threshold %g (no validation predictions were given, so no threshold "
                  "was chosen on validation data). For rare findings a calibrated model's scores rarely pass 0.5, "
                  "so sensitivity there can be 0.",
         lf_rj_num(last_model(t)->m, "threshold"));
  for (int k = t->n_models - 1; k >= 0; k--) {
    if (t->n_models > 1 && k != t->n_models - 1 && k != 0) continue; /* INT8 and FP32 */
    const cJSON *m = t->model[k].m;
    heading(d, 4, "%s", t->model[k].name);
    const char *h[] = {"Finding", "Positives", "Threshold", "Sensitivity", "Specificity", "PPV", "NPV",
                       "TP / FP / TN / FN"};
    table(d, 8, h);
    const cJSON *l;
    cJSON_ArrayForEach(l, lf_rj_get(m, "labels")) {
      const char *name = cJSON_IsString(l) ? l->valuestring : "";
      const cJSON *op = lf_rj_get(lf_rj_get(m, "at_threshold"), name);
      double npos = lf_rj_num(lf_rj_get(m, "positives"), name);
      row(d, npos < r->min_positives ? "flag" : NULL, "%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%.0f / %.0f / %.0f / %.0f", name,
          npos, fmt("%.3g", lf_rj_num(op, "threshold")), fmt("%.3f", lf_rj_num(op, "sensitivity")),
          fmt("%.3f", lf_rj_num(op, "specificity")), fmt("%.3f", lf_rj_num(op, "ppv")),
          fmt("%.3f", lf_rj_num(op, "npv")), lf_rj_num(op, "tp"), lf_rj_num(op, "fp"), lf_rj_num(op, "tn"),
          lf_rj_num(op, "fn"));
    }
    table_end(d);
  }
}

static void legend(doc *d, const lf_report_task *t) {
  if (!d->html) return;
  fputs("<p class=legend>", d->f);
  for (int k = 0; k < t->n_models; k++) {
    fprintf(d->f, "<span style='color:%s'>&#9632;</span> ", t->model[k].color);
    esc(d, t->model[k].name);
    fputs(" &nbsp; ", d->f);
  }
  fputs("</p>\n", d->f);
}

static void chest_rocs(doc *d, const lf_report *r) {
  const lf_report_task *t = &r->chest;
  heading(d, 3, "ROC curves");
  if (!d->html) {
    para(d, NULL, "(The ROC curves are in the HTML report.)");
    return;
  }
  legend(d, t);
  para(d, "note", "One curve per model. Shaded: pointwise 95%% bootstrap band of the %s curve (%.0f resamples). "
                  "Dots: each model's operating point of the table above. Grey dashes: chance.",
       last_model(t)->name, lf_rj_num(lf_rj_get(last_model(t)->m, "roc_band"), "resamples"));
  fputs("<div class=grid>\n", d->f);
  const cJSON *l;
  cJSON_ArrayForEach(l, lf_rj_get(last_model(t)->m, "labels"))
    if (cJSON_IsString(l)) lf_report_roc_svg(d->f, t, l->valuestring, r->min_positives);
  fputs("</div>\n", d->f);
}

/* ---- nerve ------------------------------------------------------------------ */
static void nerve_section(doc *d, const lf_report *r) {
  const lf_report_task *t = &r->nerve;
  const cJSON *m0 = last_model(t)->m;
  heading(d, 2, "Segmentation: ultrasound nerve, Dice");
  para(d, NULL, "%.0f test images, %.0f with a nerve. Dice of an image whose true and predicted masks are both empty "
                "counts 1 (Kaggle's rule). 95%% CI: percentile bootstrap over images, %.0f resamples.",
       lf_rj_num(m0, "n"), lf_rj_num(m0, "nerve_present"), lf_rj_num(lf_rj_get(m0, "bootstrap"), "resamples"));
  const char *h[] = {"Model", "Mean Dice", "95% CI", "Mean IoU", "Dice, images with a nerve",
                     "Nerve found: sensitivity / specificity"};
  table(d, 6, h);
  for (int k = 0; k < t->n_models; k++) {
    const cJSON *m = t->model[k].m, *det = lf_rj_get(m, "detection");
    row(d, NULL, "%s\t%s\t%s\t%s\t%s\t%s / %s", t->model[k].name, fmt("%.4f", lf_rj_num(m, "dice_mean")),
        ci2("%.4f", lf_rj_get(m, "dice_mean_ci95")), fmt("%.4f", lf_rj_num(m, "iou_mean")),
        fmt("%.4f", lf_rj_num(m, "dice_mean_nerve_present")), fmt("%.3f", lf_rj_num(det, "sensitivity")),
        fmt("%.3f", lf_rj_num(det, "specificity")));
  }
  table_end(d);
  compare_tables(d, r, t, 0);
  if (d->html) {
    heading(d, 3, "Per-image Dice");
    lf_report_dice_hist_svg(d->f, t);
  }
  if (t->n_overlays) {
    heading(d, 3, "Best, median and worst test images with a nerve (%s)", last_model(t)->name);
    if (!d->html) {
      para(d, NULL, "(The overlays are in the HTML report.)");
      return;
    }
    para(d, "note", "Green: the true mask's contour; magenta: the predicted mask's contour.");
    fputs("<div class=grid>\n", d->f);
    for (int i = 0; i < t->n_overlays; i++) {
      fprintf(d->f, "<figure class=overlay><img alt='overlay' src='data:image/png;base64,%s'><figcaption>",
              t->overlay_b64[i]);
      esc(d, t->overlay_caption[i]);
      fputs("</figcaption></figure>\n", d->f);
    }
    fputs("</div>\n", d->f);
  }
}

/* ---- the paper's tables, size and speed, model card ---------------------- */
static void paper_tables(doc *d, const lf_report *r) {
  heading(d, 2, "The paper's results side by side with this run");
  para(d, NULL, "Paper: Sinha, Gichoya, Purkayastha, \"Leapfrogging Medical AI in Low-Resource Contexts Using Edge "
                "TPU\": DenseNet-121 on ChestX-ray14 at 224x224 and a UNet on the Kaggle ultrasound nerve data at "
                "80x112, FP32 on a server and INT8 on a Coral Edge TPU. Its rows are reference figures quoted from "
                "the paper, not measured here.");
  const char *h[] = {"Quantity", "Paper FP32", "Paper INT8 (Edge TPU)", "This run FP32", "This run INT8"};
  table(d, 5, h);
  if (r->chest.present && r->chest.n_models > 1) {
    const lf_report_task *t = &r->chest;
    int u0, u1;
    double a = mean_auc(t->model[0].m, lf_rj_get(t->model[0].m, "auc"), r->min_positives, &u0);
    double b = mean_auc(last_model(t)->m, lf_rj_get(last_model(t)->m, "auc"), r->min_positives, &u1);
    row(d, NULL, "ChestX-ray14 mean AUC (this run: %d findings with %d or more positives)\t0.81\t0.77\t%s\t%s", u1,
        r->min_positives, fmt("%.3f", a), fmt("%.3f", b));
    row(d, NULL, "DenseNet-121 model file size\t27.9 MB\t8.4 MB\t%s MB\t%s MB", fmt("%.2f", t->model[0].model_bytes / 1e6),
        fmt("%.2f", last_model(t)->model_bytes / 1e6));
    row(d, NULL, "DenseNet-121 ms per image\tn/a\t24 (Edge TPU)\t%s (this CPU)\t%s (this CPU)",
        fmt("%.2f", lf_rj_num(lf_rj_get(t->model[0].stats, "ms_per_image"), "median")),
        fmt("%.2f", lf_rj_num(lf_rj_get(last_model(t)->stats, "ms_per_image"), "median")));
  }
  if (r->nerve.present && r->nerve.n_models > 1) {
    const lf_report_task *t = &r->nerve;
    row(d, NULL, "Nerve mean Dice\t0.617\t0.646\t%s\t%s", fmt("%.3f", lf_rj_num(t->model[0].m, "dice_mean")),
        fmt("%.3f", lf_rj_num(last_model(t)->m, "dice_mean")));
    row(d, NULL, "UNet ms per image\tn/a\t5.44 (Edge TPU)\t%s (this CPU)\t%s (this CPU)",
        fmt("%.2f", lf_rj_num(lf_rj_get(t->model[0].stats, "ms_per_image"), "median")),
        fmt("%.2f", lf_rj_num(lf_rj_get(last_model(t)->stats, "ms_per_image"), "median")));
  }
  table_end(d);
  if (r->synthetic)
    para(d, "warn", "This run's figures come from synthetic data and a reduced model: they show that the pipeline "
                    "works, not how a model performs on real X-rays or ultrasound. They are not comparable to the "
                    "paper's.");
}

static void speed_table(doc *d, const lf_report *r) {
  heading(d, 2, "Model size and speed on this machine");
  para(d, NULL, "Model only: median milliseconds per image of quantize + invoke + dequantize, as leapfrog predict "
                "measures it. End to end: the predict run's wall time per image, decoding and resizing included. "
                "Runtime ISA here: %s.",
       r->isa ? r->isa : "unknown");
  const char *h[] = {"Task", "Model", "File bytes", "MB", "ms/image, model only (min to max)", "ms/image, end to end",
                     "Threads", "Input"};
  table(d, 8, h);
  const lf_report_task *ts[2] = {&r->chest, &r->nerve};
  const char *names[2] = {"ChestX-ray14 DenseNet-121", "Nerve UNet"};
  for (int i = 0; i < 2; i++) {
    if (!ts[i]->present) continue;
    for (int k = 0; k < ts[i]->n_models; k++) {
      const lf_report_model *md = &ts[i]->model[k];
      const cJSON *ms = lf_rj_get(md->stats, "ms_per_image");
      double imgs = lf_rj_num(md->stats, "images"), tot = lf_rj_num(md->stats, "seconds_total");
      double bytes = isnan(md->model_bytes) || md->model_bytes <= 0 ? lf_rj_num(md->stats, "model_bytes") : md->model_bytes;
      row(d, NULL, "%s\t%s\t%s\t%s\t%s (%s to %s)\t%s\t%s\t%s", names[i], md->name, fmt("%.0f", bytes),
          fmt("%.3f", bytes / 1e6), fmt("%.3f", lf_rj_num(ms, "median")), fmt("%.3f", lf_rj_num(ms, "min")),
          fmt("%.3f", lf_rj_num(ms, "max")), fmt("%.3f", imgs > 0 ? 1000 * tot / imgs : NAN),
          fmt("%.0f", lf_rj_num(md->stats, "threads")), md->stats ? lf_rj_str(md->stats, "input_type") : "n/a");
    }
  }
  if (r->full) {
    row(d, "ref", "Paper (reference)\tDenseNet-121 FP32\t\t27.9\t\t\t\t");
    row(d, "ref", "Paper (reference)\tDenseNet-121 INT8, Coral Edge TPU\t\t8.4\t24\t\t\t");
    row(d, "ref", "Paper (reference)\tUNet INT8, Coral Edge TPU\t\t\t5.44\t\t\t");
  }
  table_end(d);
}

static void model_card(doc *d, const lf_report *r) {
  heading(d, 2, "Model card");
  const char *h[] = {"Item", "Value"};
  table(d, 2, h);
  row(d, NULL, "Report written\t%s", r->created);
  row(d, NULL, "Software\tleapfrog %s", r->version ? r->version : "");
  if (r->run_dir) row(d, NULL, "Run folder\t%s", r->run_dir);
  row(d, NULL, "Data\t%s", r->synthetic ? "SYNTHETIC images made by leapfrog synth in the datasets' layouts"
                                        : "the dataset folders below");
  const lf_report_task *ts[2] = {&r->chest, &r->nerve};
  for (int i = 0; i < 2; i++) {
    if (!ts[i]->present) continue;
    const cJSON *m = ts[i]->model[ts[i]->n_models - 1].m;
    row(d, NULL, "%s data\t%s", i ? "Nerve" : "ChestX-ray14", lf_rj_str(m, "data"));
    row(d, NULL, "%s split\tscored: %s (%.0f images); split mode %s, seed %.0f", i ? "Nerve" : "ChestX-ray14",
        lf_rj_str(m, "split"), lf_rj_num(m, "n"), lf_rj_str(m, "split_mode"), lf_rj_num(m, "split_seed"));
    for (int k = 0; k < ts[i]->n_models; k++) {
      const lf_report_model *md = &ts[i]->model[k];
      if (!md->model_path) continue;
      row(d, NULL, "%s model, %s\t%s, %.0f bytes, modified %s, SHA-256 %s", i ? "Nerve" : "ChestX-ray14", md->name,
          md->model_path, md->model_bytes, md->mtime, md->sha256);
    }
  }
  row(d, NULL, "Intended use\tResearch: reproducing the paper's FP32-to-INT8 study and checking what quantisation "
               "costs. Not a medical device; not for diagnosis or triage of patients.");
  row(d, NULL, "Limits\tChestX-ray14 labels were mined from radiology reports by NLP and are noisy; AUCs of findings "
               "with few test positives are unreliable; thresholds chosen on one validation split need checking on "
               "the target population; the nerve data come from one ultrasound study.");
  table_end(d);
}

static const char *css =
    "body{font-family:'DejaVu Sans',Arial,sans-serif;max-width:1180px;margin:1.5em auto;padding:0 1em;color:#222;"
    "font-size:14px}h1{font-size:24px}h2{border-bottom:2px solid #ddd;padding-bottom:3px;margin-top:1.6em}"
    "table{border-collapse:collapse;margin:0.6em 0}td,th{border:1px solid #ccc;padding:3px 7px;text-align:right;"
    "vertical-align:top;white-space:nowrap}th{background:#f3f3f3;white-space:normal}td:first-child{white-space:normal}table.card td{white-space:normal;overflow-wrap:anywhere;text-align:left}td:first-child,th:first-child{text-align:left}"
    "tr.flag td{color:#888}tr.mean td{font-weight:bold;background:#fafafa}tr.ref td{font-style:italic;"
    "background:#f7f7ff}.note{color:#555;font-size:92%}.warn{color:#a40}.banner{background:#fff3cd;border:1px "
    "solid #e0b000;padding:8px 12px;font-weight:bold}.grid{display:flex;flex-wrap:wrap;gap:6px}figure{margin:4px;"
    "break-inside:avoid}figcaption{font-size:12px;text-align:center}figure.overlay img{width:360px;"
    "image-rendering:auto}.legend{font-size:13px}@media print{body{max-width:none;font-size:11px}h2{break-before:"
    "auto}table{break-inside:avoid}}";

lf_status lf_report_write(const char *path, const lf_report *r) {
  size_t l = strlen(path);
  int html = (l >= 5 && !strcmp(path + l - 5, ".html")) || (l >= 4 && !strcmp(path + l - 4, ".htm"));
  int md = l >= 3 && !strcmp(path + l - 3, ".md");
  if (!html && !md && strcmp(path, "-")) return lf_error(LF_EINVAL, "%s: report name must end in .md or .html", path);
  lf_atomic_file af;
  FILE *f = stdout;
  if (strcmp(path, "-")) {
    lf_status st = lf_atomic_open(&af, path);
    if (st) return st;
    f = af.f;
  } else {
    html = 0;
  }
  doc D = {f, html, 0}, *d = &D;
  const char *title = r->full ? "leapfrog study report: FP32 vs INT8"
                      : r->chest.present ? "ChestX-ray14: per-finding AUC-ROC"
                                         : "Ultrasound nerve segmentation: Dice";
  if (html) {
    fprintf(f, "<!doctype html>\n<html lang=en><head><meta charset='utf-8'><title>%s</title>\n<style>%s</style>"
               "</head><body>\n",
            title, css);
  }
  heading(d, 1, "%s", title);
  if (r->synthetic)
    para(d, "banner", "SYNTHETIC DATA: every image in this report was generated by leapfrog synth. The numbers "
                      "show the pipeline working end to end; they say nothing about clinical performance.");
  if (r->full) {
    const char *names[LF_REPORT_MAX_MODELS] = {0};
    const lf_report_task *t = r->chest.present ? &r->chest : &r->nerve;
    for (int k = 0; k < t->n_models; k++) names[k] = t->model[k].name;
    para(d, NULL, "Three models per task: %s (trained in FP32), %s (the same network after INT8 quantization-aware "
                  "fine-tuning, run in floating point) and %s (those weights converted to a fully integer .tflite, "
                  "run by leapfrog's integer runtime). Two comparisons are kept apart: INT8 against the same weights "
                  "in FP32 (what integer arithmetic costs) and INT8 against the FP32 model (what the whole QAT step "
                  "costs).",
         names[0] ? names[0] : "", names[1] ? names[1] : "", names[2] ? names[2] : "");
    paper_tables(d, r);
  } else {
    const lf_report_task *t = r->chest.present ? &r->chest : &r->nerve;
    para(d, "note", "Predictions %s scored against %s, split %s.", lf_rj_str(t->model[0].m, "predictions"),
         lf_rj_str(t->model[0].m, "data"), lf_rj_str(t->model[0].m, "split"));
  }
  if (r->chest.present) {
    chest_accuracy(d, r);
    if (r->chest.n_cmp) heading(d, 3, "%s", r->full ? "Comparisons (paired, same test images)" : "Comparison");
    compare_tables(d, r, &r->chest, 1);
    chest_oppoints(d, r);
    chest_rocs(d, r);
  }
  if (r->nerve.present) nerve_section(d, r);
  int have_stats = 0;
  for (int k = 0; k < r->chest.n_models; k++) have_stats |= r->chest.model[k].stats != NULL;
  for (int k = 0; k < r->nerve.n_models; k++) have_stats |= r->nerve.model[k].stats != NULL;
  if (have_stats || r->full) speed_table(d, r);
  if (r->full) model_card(d, r);
  para(d, "note", "Written by leapfrog %s on %s.", r->full ? "report" : "score", r->created);
  if (html) fputs("</body></html>\n", f);
  if (f == stdout) return fflush(f) ? lf_error(LF_EIO, "stdout: write failed") : LF_OK;
  if (ferror(f)) {
    lf_atomic_abort(&af);
    return lf_error(LF_EIO, "%s: write failed", path);
  }
  return lf_atomic_commit(&af);
}
