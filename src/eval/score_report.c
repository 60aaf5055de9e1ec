/* Reports from the metrics JSON: Markdown (.md) or one self-contained HTML
 * page (.html, inline CSS and SVG ROC curves, no scripts, nothing fetched). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/score_internal.h"
#include "leapfrog/lf_fileio.h"

/* Value of a number item: score.c writes numbers as raw text (lf_json_num). */
static double val(const cJSON *v) {
  if (cJSON_IsNumber(v)) return v->valuedouble;
  if (cJSON_IsRaw(v) && v->valuestring) return strtod(v->valuestring, NULL);
  return NAN;
}
static double num(const cJSON *o, const char *key) { return val(cJSON_GetObjectItemCaseSensitive(o, key)); }
static const char *str(const cJSON *o, const char *key) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
  return cJSON_IsString(v) ? v->valuestring : "";
}
static void put_num(FILE *f, double v, const char *fmt) {
  if (isnan(v)) fputs("n/a", f);
  else fprintf(f, fmt, v);
}
/* HTML-escapes text (paths and names come from the user's files). */
static void put_text(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '<') fputs("&lt;", f);
    else if (*s == '>') fputs("&gt;", f);
    else if (*s == '&') fputs("&amp;", f);
    else if (*s == '"') fputs("&quot;", f);
    else fputc(*s, f);
  }
}

static void chest_table(FILE *f, const cJSON *m, int html) {
  const cJSON *labels = cJSON_GetObjectItemCaseSensitive(m, "labels");
  const cJSON *auc = cJSON_GetObjectItemCaseSensitive(m, "auc"), *ci = cJSON_GetObjectItemCaseSensitive(m, "auc_ci95");
  const cJSON *prev = cJSON_GetObjectItemCaseSensitive(m, "prevalence");
  const cJSON *pos = cJSON_GetObjectItemCaseSensitive(m, "positives");
  const cJSON *at = cJSON_GetObjectItemCaseSensitive(m, "at_threshold");
  const cJSON *as = cJSON_GetObjectItemCaseSensitive(m, "at_sensitivity");
  double target = num(as, "target");
  const char *h[] = {"Finding", "Positives", "Prevalence", "AUC", "95% CI", "Sens @thr", "Spec @thr", "Spec @sens"};
  if (html) {
    fputs("<table><tr>", f);
    for (int i = 0; i < 8; i++) fprintf(f, "<th>%s</th>", h[i]);
    fputs("</tr>\n", f);
  } else {
    for (int i = 0; i < 8; i++) fprintf(f, "| %s ", h[i]);
    fputs("|\n|---|--:|--:|--:|---|--:|--:|--:|\n", f);
  }
  const cJSON *l;
  cJSON_ArrayForEach(l, labels) {
    const char *name = cJSON_IsString(l) ? l->valuestring : "";
    const cJSON *c = cJSON_GetObjectItemCaseSensitive(ci, name);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(at, name), *s = cJSON_GetObjectItemCaseSensitive(as, name);
    double lo = cJSON_IsArray(c) ? val(c->child) : NAN;
    double hi = cJSON_IsArray(c) && c->child ? val(c->child->next) : NAN;
    const char *sep = html ? "</td><td>" : " | ";
    fputs(html ? "<tr><td>" : "| ", f);
    if (html) put_text(f, name);
    else fputs(name, f);
    fprintf(f, "%s%.0f%s", sep, num(pos, name), sep);
    put_num(f, 100 * num(prev, name), "%.1f%%");
    fputs(sep, f);
    put_num(f, num(auc, name), "%.3f");
    fputs(sep, f);
    if (isnan(lo)) fputs("n/a", f);
    else fprintf(f, html ? "%.3f&ndash;%.3f" : "%.3f to %.3f", lo, hi);
    fputs(sep, f);
    put_num(f, num(a, "sensitivity"), "%.3f");
    fputs(sep, f);
    put_num(f, num(a, "specificity"), "%.3f");
    fputs(sep, f);
    put_num(f, s ? num(s, "specificity") : NAN, "%.3f");
    fputs(html ? "</td></tr>\n" : " |\n", f);
  }
  if (html) fputs("</table>\n", f);
  fprintf(f, "%sSensitivity and specificity at threshold %g; last column: specificity at the highest threshold "
             "reaching sensitivity %g. 95%% CI: percentile bootstrap, %.0f resamples (seed %.0f).%s\n",
          html ? "<p class=note>" : "\n", num(m, "threshold"),
          target, num(cJSON_GetObjectItemCaseSensitive(m, "bootstrap"), "resamples"),
          num(cJSON_GetObjectItemCaseSensitive(m, "bootstrap"), "seed"), html ? "</p>" : "\n");
}

/* One SVG panel per finding: ROC curve, diagonal, AUC in the title. */
static void roc_svgs(FILE *f, const cJSON *m) {
  const cJSON *roc = cJSON_GetObjectItemCaseSensitive(m, "roc"), *auc = cJSON_GetObjectItemCaseSensitive(m, "auc");
  const cJSON *r;
  fputs("<div class=grid>\n", f);
  cJSON_ArrayForEach(r, roc) {
    const cJSON *fpr = cJSON_GetObjectItemCaseSensitive(r, "fpr"), *tpr = cJSON_GetObjectItemCaseSensitive(r, "tpr");
    const int S = 180, P = 24; /* plot side and padding, pixels */
    fprintf(f, "<figure><svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' role='img'>", S + P + 6,
            S + P + 6);
    fprintf(f, "<rect x='%d' y='6' width='%d' height='%d' fill='none' stroke='#999'/>", P, S, S);
    fprintf(f, "<line x1='%d' y1='%d' x2='%d' y2='6' stroke='#ccc' stroke-dasharray='4 3'/>", P, S + 6, P + S);
    fprintf(f, "<text x='%d' y='%d' font-size='10' text-anchor='middle'>1 - specificity</text>", P + S / 2, S + P + 2);
    fprintf(f, "<text x='10' y='%d' font-size='10' text-anchor='middle' transform='rotate(-90 10 %d)'>sensitivity</text>",
            6 + S / 2, 6 + S / 2);
    fputs("<polyline fill='none' stroke='#c0392b' stroke-width='1.6' points='", f);
    const cJSON *x = fpr ? fpr->child : NULL, *y = tpr ? tpr->child : NULL;
    for (; x && y; x = x->next, y = y->next)
      if (!isnan(val(x)) && !isnan(val(y))) fprintf(f, "%.1f,%.1f ", P + S * val(x), 6 + S * (1 - val(y)));
    fputs("'/></svg><figcaption>", f);
    put_text(f, r->string ? r->string : "");
    fputs(" &middot; AUC ", f);
    put_num(f, num(auc, r->string ? r->string : ""), "%.3f");
    fputs("</figcaption></figure>\n", f);
  }
  fputs("</div>\n", f);
}

static void nerve_body(FILE *f, const cJSON *m, int html) {
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(m, "detection");
  double n = num(m, "n"), np = num(m, "nerve_present");
  const char *p = html ? "<p>" : "", *e = html ? "</p>\n" : "\n\n";
  fprintf(f, "%s%.0f images, %.0f with a nerve (%.1f%%).%s", p, n, np, n > 0 ? 100 * np / n : 0, e);
  fprintf(f, "%sMean Dice **%.4f** (both masks empty counts 1, as Kaggle scored), mean IoU %.4f; mean Dice on images "
             "with a nerve ",
          p, num(m, "dice_mean"), num(m, "iou_mean"));
  put_num(f, num(m, "dice_mean_nerve_present"), "%.4f");
  fprintf(f, ".%s", e);
  fprintf(f, "%sNerve present (non-empty predicted mask): sensitivity ", p);
  put_num(f, num(d, "sensitivity"), "%.3f");
  fputs(", specificity ", f);
  put_num(f, num(d, "specificity"), "%.3f");
  fprintf(f, " (TP %.0f, FP %.0f, TN %.0f, FN %.0f).%s", num(d, "tp"), num(d, "fp"), num(d, "tn"), num(d, "fn"), e);
  if (!html) return;
  /* histogram of per-image Dice in 10 bins */
  int bins[10] = {0}, mx = 1;
  const cJSON *v;
  cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(m, "dice")) {
    if (isnan(val(v))) continue;
    int b = (int)(val(v) * 10);
    b = b < 0 ? 0 : b > 9 ? 9 : b;
    if (++bins[b] > mx) mx = bins[b];
  }
  fputs("<figure><svg xmlns='http://www.w3.org/2000/svg' width='330' height='170' role='img'>", f);
  for (int b = 0; b < 10; b++) {
    double h = 130.0 * bins[b] / mx;
    fprintf(f, "<rect x='%d' y='%.1f' width='28' height='%.1f' fill='#2c7fb8'/>", 10 + 31 * b, 140 - h, h);
    fprintf(f, "<text x='%d' y='%.1f' font-size='9' text-anchor='middle'>%d</text>", 24 + 31 * b, 136 - h, bins[b]);
    fprintf(f, "<text x='%d' y='155' font-size='9' text-anchor='middle'>%.1f</text>", 24 + 31 * b, b / 10.0);
  }
  fputs("</svg><figcaption>Per-image Dice (bins of 0.1)</figcaption></figure>\n", f);
}

/* --compare: the other model's AUCs and the paired differences. */
static void compare_section(FILE *f, const cJSON *m, const cJSON *c, int html, int chest) {
  fputs(html ? "<h2>Compared with " : "\n## Compared with ", f);
  if (html) put_text(f, str(c, "predictions"));
  else fprintf(f, "`%s`", str(c, "predictions"));
  fputs(html ? "</h2>\n" : "\n\n", f);
  if (!chest) {
    const cJSON *ci = cJSON_GetObjectItemCaseSensitive(c, "dice_mean_diff_ci95");
    fprintf(f, "%sMean Dice %.4f here vs %.4f, difference %+.4f (paired bootstrap 95%% CI %+.4f to %+.4f).%s",
            html ? "<p>" : "", num(m, "dice_mean"), num(c, "dice_mean"), num(c, "dice_mean_diff"),
            val(cJSON_GetArrayItem(ci, 0)), val(cJSON_GetArrayItem(ci, 1)), html ? "</p>\n" : "\n");
    return;
  }
  const char *h[] = {"Finding", "AUC", "Other AUC", "Difference", "95% CI (paired bootstrap)", "p (DeLong)"};
  if (html) {
    fputs("<table><tr>", f);
    for (int i = 0; i < 6; i++) fprintf(f, "<th>%s</th>", h[i]);
    fputs("</tr>\n", f);
  } else {
    for (int i = 0; i < 6; i++) fprintf(f, "| %s ", h[i]);
    fputs("|\n|---|--:|--:|--:|---|--:|\n", f);
  }
  const cJSON *pv = cJSON_GetObjectItemCaseSensitive(c, "p_delong");
  const cJSON *auc = cJSON_GetObjectItemCaseSensitive(m, "auc"), *ab = cJSON_GetObjectItemCaseSensitive(c, "auc");
  const cJSON *d = cJSON_GetObjectItemCaseSensitive(c, "auc_diff"), *ci = cJSON_GetObjectItemCaseSensitive(c, "auc_diff_ci95");
  const cJSON *l;
  cJSON_ArrayForEach(l, cJSON_GetObjectItemCaseSensitive(m, "labels")) {
    const char *name = cJSON_IsString(l) ? l->valuestring : "";
    const char *sep = html ? "</td><td>" : " | ";
    const cJSON *pair = cJSON_GetObjectItemCaseSensitive(ci, name);
    double lo = val(cJSON_GetArrayItem(pair, 0)), hi = val(cJSON_GetArrayItem(pair, 1));
    fputs(html ? "<tr><td>" : "| ", f);
    if (html) put_text(f, name);
    else fputs(name, f);
    fputs(sep, f);
    put_num(f, num(auc, name), "%.4f");
    fputs(sep, f);
    put_num(f, num(ab, name), "%.4f");
    fputs(sep, f);
    put_num(f, num(d, name), "%+.4f");
    fputs(sep, f);
    if (isnan(lo)) fputs("n/a", f);
    else fprintf(f, "%+.4f to %+.4f", lo, hi);
    fputs(sep, f);
    put_num(f, num(pv, name), "%.3g");
    fputs(html ? "</td></tr>\n" : " |\n", f);
  }
  if (html) fputs("</table>\n", f);
  fprintf(f, "%sMean AUC difference: ", html ? "<p>" : "\n");
  put_num(f, num(c, "mean_auc_diff"), "%+.4f");
  fputs(html ? "</p>\n" : "\n", f);
}

lf_status lf_score_write_report(const char *path, const cJSON *m) {
  size_t l = strlen(path);
  int html = l >= 5 && (!strcmp(path + l - 5, ".html") || !strcmp(path + l - 4, ".htm"));
  int md = l >= 3 && !strcmp(path + l - 3, ".md");
  if (!html && !md) return lf_error(LF_EINVAL, "%s: report name must end in .md or .html", path);
  int chest = !strcmp(str(m, "task"), "chestxray14");
  lf_atomic_file af;
  lf_status st = lf_atomic_open(&af, path);
  if (st) return st;
  FILE *f = af.f;
  const char *title = chest ? "ChestX-ray14: per-finding AUC-ROC" : "Ultrasound nerve segmentation: Dice";
  if (html) {
    fprintf(f, "<!doctype html>\n<html><head><meta charset='utf-8'><title>leapfrog score: %s</title>\n<style>"
               "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
               "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
               "td:first-child,th:first-child{text-align:left}.note{color:#555;font-size:90%%}"
               ".grid{display:flex;flex-wrap:wrap;gap:8px}figure{margin:4px}figcaption{font-size:85%%;text-align:center}"
               "</style></head><body>\n<h1>%s</h1>\n<p class=note>",
            title, title);
    fputs("Predictions ", f);
    put_text(f, str(m, "predictions"));
    fputs(" scored against ", f);
    put_text(f, str(m, "data"));
    fprintf(f, ", split %s, %.0f images.</p>\n", str(m, "split"), num(m, "n"));
  } else {
    fprintf(f, "# %s\n\nPredictions `%s` scored against `%s`, split %s, %.0f images.\n\n", title, str(m, "predictions"),
            str(m, "data"), str(m, "split"), num(m, "n"));
  }
  if (chest) {
    double mean = num(m, "mean_auc");
    fprintf(f, html ? "<p>Mean AUC over %.0f findings: <b>" : "Mean AUC over %.0f findings: **", num(m, "mean_auc_classes"));
    put_num(f, mean, "%.4f");
    fputs(html ? "</b>" : "**", f);
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(m, "auc_undefined");
    if (cJSON_GetArraySize(u) > 0)
      fprintf(f, " (%d finding(s) without both positive and negative cases are left out)", cJSON_GetArraySize(u));
    fputs(html ? ".</p>\n" : ".\n\n", f);
    chest_table(f, m, html);
    if (html) {
      fputs("<h2>ROC curves</h2>\n", f);
      roc_svgs(f, m);
    }
  } else {
    nerve_body(f, m, html);
  }
  const cJSON *cmp = cJSON_GetObjectItemCaseSensitive(m, "compare");
  if (cmp) compare_section(f, m, cmp, html, chest);
  const cJSON *lat = cJSON_GetObjectItemCaseSensitive(m, "latency");
  if (lat) {
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(lat, "ms_per_image");
    fprintf(f, "%sDevice latency: %.3f ms per image (median; %.3f&ndash;%.3f) over %.0f images, %s input, %.0f "
               "thread(s); model %.2f MB, arena %.2f MB.%s",
            html ? "<h2>Latency and size</h2>\n<p>" : "\n## Latency and size\n\n", num(ms, "median"), num(ms, "min"),
            num(ms, "max"), num(lat, "images"), str(lat, "input_type"), num(lat, "threads"),
            num(lat, "model_bytes") / 1e6, num(lat, "arena_bytes") / 1e6, html ? "</p>\n" : "\n");
  }
  if (html) fputs("<p class=note>Written by leapfrog score.</p></body></html>\n", f);
  if (ferror(f)) {
    lf_atomic_abort(&af);
    return lf_error(LF_EIO, "%s: write failed", path);
  }
  return lf_atomic_commit(&af);
}
