/* SVG plots of the report: ROC curves (one per model, overlaid, with the last
 * model's bootstrap band and each model's operating point) and the per-image
 * Dice histogram. Plain SVG with axis ticks; no scripts, nothing fetched. */
#include <math.h>
#include <string.h>

#include "eval/report_internal.h"

enum { RW = 260, RH = 250, ML = 40, MT = 10, PS = 200 }; /* ROC: width, height, margins, plot side */

static double px(double x) { return ML + PS * x; }
static double py(double y) { return MT + PS * (1 - y); }

static void axes(FILE *f, const char *xlabel, const char *ylabel) {
  fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='#fff' stroke='#888'/>", ML, MT, PS, PS);
  for (int i = 0; i <= 5; i++) {
    double v = i / 5.0;
    fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#eee'/>", px(v), MT, px(v), MT + PS);
    fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>", ML, py(v), ML + PS, py(v));
    fprintf(f, "<line x1='%.1f' y1='%d' x2='%.1f' y2='%d' stroke='#888'/>", px(v), MT + PS, px(v), MT + PS + 4);
    fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#888'/>", ML - 4, py(v), ML, py(v));
    fprintf(f, "<text x='%.1f' y='%d' font-size='10' text-anchor='middle'>%.1f</text>", px(v), MT + PS + 15, v);
    fprintf(f, "<text x='%d' y='%.1f' font-size='10' text-anchor='end'>%.1f</text>", ML - 6, py(v) + 3.5, v);
  }
  fprintf(f, "<text x='%d' y='%d' font-size='11' text-anchor='middle'>%s</text>", ML + PS / 2, MT + PS + 30, xlabel);
  fprintf(f, "<text x='12' y='%d' font-size='11' text-anchor='middle' transform='rotate(-90 12 %d)'>%s</text>",
          MT + PS / 2, MT + PS / 2, ylabel);
}

static void put_esc(FILE *f, const char *s) {
  for (; *s; s++) {
    if (*s == '<') fputs("&lt;", f);
    else if (*s == '>') fputs("&gt;", f);
    else if (*s == '&') fputs("&amp;", f);
    else if (*s == '\'') fputs("&#39;", f);
    else if (*s == '"') fputs("&quot;", f);
    else fputc(*s, f);
  }
}

void lf_report_roc_svg(FILE *f, const lf_report_task *t, const char *label, int min_positives) {
  const lf_report_model *last = &t->model[t->n_models - 1];
  double npos = lf_rj_num(lf_rj_get(last->m, "positives"), label);
  fprintf(f, "<figure class=roc><svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' "
             "role='img'><title>ROC curve, ",
          RW, RH, RW, RH);
  put_esc(f, label);
  fputs("</title>", f);
  axes(f, "1 &#8722; specificity", "sensitivity");
  fprintf(f, "<line x1='%.1f' y1='%.1f' x2='%.1f' y2='%.1f' stroke='#bbb' stroke-dasharray='4 3'/>", px(0), py(0),
          px(1), py(1));
  /* the band of the last model (INT8 in a study report) */
  const cJSON *band = lf_rj_get(lf_rj_get(last->m, "roc_band"), label);
  int grid = (int)lf_rj_num(lf_rj_get(last->m, "roc_band"), "grid");
  if (band && grid >= 2) {
    const cJSON *lo = lf_rj_get(band, "tpr_lo"), *hi = lf_rj_get(band, "tpr_hi");
    int ok = cJSON_GetArraySize(lo) == grid && cJSON_GetArraySize(hi) == grid;
    for (int g = 0; ok && g < grid; g++)
      ok = !isnan(lf_rj_val(cJSON_GetArrayItem(lo, g))) && !isnan(lf_rj_val(cJSON_GetArrayItem(hi, g)));
    if (ok) {
      fprintf(f, "<polygon fill='%s' fill-opacity='0.15' stroke='none' points='", last->color);
      for (int g = 0; g < grid; g++)
        fprintf(f, "%.1f,%.1f ", px((double)g / (grid - 1)), py(lf_rj_val(cJSON_GetArrayItem(hi, g))));
      for (int g = grid - 1; g >= 0; g--)
        fprintf(f, "%.1f,%.1f ", px((double)g / (grid - 1)), py(lf_rj_val(cJSON_GetArrayItem(lo, g))));
      fputs("'/>", f);
    }
  }
  for (int k = 0; k < t->n_models; k++) {
    const lf_report_model *md = &t->model[k];
    const cJSON *r = lf_rj_get(lf_rj_get(md->m, "roc"), label);
    const cJSON *x = lf_rj_get(r, "fpr"), *y = lf_rj_get(r, "tpr");
    if (!x || !y) continue;
    fprintf(f, "<polyline fill='none' stroke='%s' stroke-width='%s' points='", md->color,
            k == t->n_models - 1 ? "2" : "1.5");
    for (x = x->child, y = y->child; x && y; x = x->next, y = y->next)
      if (!isnan(lf_rj_val(x)) && !isnan(lf_rj_val(y))) fprintf(f, "%.1f,%.1f ", px(lf_rj_val(x)), py(lf_rj_val(y)));
    fputs("'/>", f);
  }
  for (int k = 0; k < t->n_models; k++) { /* operating points on top of every curve */
    const lf_report_model *md = &t->model[k];
    const cJSON *op = lf_rj_get(lf_rj_get(md->m, "at_threshold"), label);
    double se = lf_rj_num(op, "sensitivity"), sp = lf_rj_num(op, "specificity");
    if (isnan(se) || isnan(sp)) continue;
    fprintf(f, "<circle cx='%.1f' cy='%.1f' r='4' fill='%s' stroke='#000' stroke-width='0.8'/>", px(1 - sp), py(se),
            md->color);
  }
  fputs("</svg><figcaption><b>", f);
  put_esc(f, label);
  fprintf(f, "</b> (%.0f positive%s)%s<br>", npos, npos == 1 ? "" : "s",
          npos < min_positives ? " <span class=warn>too few positives</span>" : "");
  for (int k = 0; k < t->n_models; k++) {
    double a = lf_rj_num(lf_rj_get(t->model[k].m, "auc"), label);
    fprintf(f, "%s<span style='color:%s'>&#9632;</span> ", k ? " &middot; " : "", t->model[k].color);
    if (isnan(a)) fputs("n/a", f);
    else fprintf(f, "%.3f", a);
  }
  fputs("</figcaption></figure>\n", f);
}

void lf_report_dice_hist_svg(FILE *f, const lf_report_task *t) {
  enum { W = 560, H = 260, L = 50, T = 10, PW = 480, PH = 200, BINS = 10 };
  int counts[LF_REPORT_MAX_MODELS][BINS] = {{0}}, mx = 1;
  for (int k = 0; k < t->n_models; k++) {
    const cJSON *v;
    cJSON_ArrayForEach(v, lf_rj_get(t->model[k].m, "dice")) {
      double d = lf_rj_val(v);
      if (isnan(d)) continue;
      int b = (int)(d * BINS);
      b = b < 0 ? 0 : b >= BINS ? BINS - 1 : b;
      if (++counts[k][b] > mx) mx = counts[k][b];
    }
  }
  int step = 1; /* y ticks every 1, 2, 5, 10, 20, 50 ... images: at most 6 of them */
  for (int dec = 1; (mx + step - 1) / step > 6; dec *= 10)
    for (int m = 1; m <= 5 && (mx + step - 1) / step > 6; m += m == 2 ? 3 : 1) step = m * dec;
  fprintf(f, "<figure><svg xmlns='http://www.w3.org/2000/svg' width='%d' height='%d' viewBox='0 0 %d %d' role='img'>"
             "<title>Per-image Dice histogram</title>",
          W, H, W, H);
  fprintf(f, "<rect x='%d' y='%d' width='%d' height='%d' fill='#fff' stroke='#888'/>", L, T, PW, PH);
  int top = ((mx + step - 1) / step) * step;
  for (int v = 0; v <= top; v += step) {
    double y = T + PH - (double)PH * v / top;
    fprintf(f, "<line x1='%d' y1='%.1f' x2='%d' y2='%.1f' stroke='#eee'/>", L, y, L + PW, y);
    fprintf(f, "<text x='%d' y='%.1f' font-size='10' text-anchor='end'>%d</text>", L - 5, y + 3.5, v);
  }
  double bw = (double)PW / BINS, gw = (bw - 6) / t->n_models;
  for (int b = 0; b < BINS; b++)
    for (int k = 0; k < t->n_models; k++) {
      double h = (double)PH * counts[k][b] / top;
      fprintf(f, "<rect x='%.1f' y='%.1f' width='%.1f' height='%.1f' fill='%s'/>", L + b * bw + 3 + k * gw,
              T + PH - h, gw, h, t->model[k].color);
    }
  for (int b = 0; b <= BINS; b++)
    fprintf(f, "<text x='%.1f' y='%d' font-size='10' text-anchor='middle'>%.1f</text>", L + b * bw, T + PH + 14,
            (double)b / BINS);
  fprintf(f, "<text x='%d' y='%d' font-size='11' text-anchor='middle'>Dice of one image</text>", L + PW / 2,
          T + PH + 30);
  fprintf(f, "<text x='12' y='%d' font-size='11' text-anchor='middle' transform='rotate(-90 12 %d)'>images</text>",
          T + PH / 2, T + PH / 2);
  fputs("</svg><figcaption>Per-image Dice on the test split, bins of 0.1 (the last bin holds Dice = 1, which "
        "includes images where both masks are empty): ",
        f);
  for (int k = 0; k < t->n_models; k++) {
    fprintf(f, "%s<span style='color:%s'>&#9632;</span> ", k ? ", " : "", t->model[k].color);
    put_esc(f, t->model[k].name);
  }
  fputs("</figcaption></figure>\n", f);
}
