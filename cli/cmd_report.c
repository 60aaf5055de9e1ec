/* leapfrog report: the study report of a run folder (FP32, QAT-in-FP32, INT8). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_guard.h"
#include "leapfrog/lf_report.h"

static void report_usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog report RUN_DIR [--out REPORT.html] [--md REPORT.md] [options]\n"
          "Scores the FP32, QAT-weights-in-FP32 and INT8 runs of a run folder (as `make demo` and\n"
          "`leapfrog paper` leave it) and writes one self-contained HTML page (no network; prints to PDF\n"
          "with chromium --headless --print-to-pdf) and its Markdown twin: the paper's figures side by side\n"
          "with this run's, per-finding AUC with 95%% CIs, INT8 vs the same weights in FP32 and INT8 vs\n"
          "the FP32 model (paired bootstrap CIs, DeLong), ROC curves, operating points chosen on the\n"
          "validation split, Dice with CI, histogram and overlays, size and speed, a model card.\n"
          "Files read in RUN_DIR (MODEL = fp32, qat-fp32, int8; a task without INT8 predictions is left out):\n"
          "  chest/ nerve/                       the datasets (NIH and Kaggle layouts)\n"
          "  chest-MODEL-predictions.json        predict on the test split\n"
          "  chest-MODEL-val-predictions.json    predict --split val (optional: operating points)\n"
          "  nerve-MODEL-masks.csv               predict on the test split\n"
          "  TASK-MODEL-stats.json               predict --stats (optional: speed)\n"
          "  TASK-MODEL.tflite                   the models (optional: size, SHA-256)\n"
          "  --out FILE          the HTML page (default RUN_DIR/report.html)\n"
          "  --md FILE           the Markdown twin (default RUN_DIR/report.md)\n"
          "  --min-positives N   findings with fewer test positives are flagged and left out of the\n"
          "                      mean AUC (default 10; 0 keeps all)\n"
          "  --bootstrap N       resamples of the 95%% CIs (default 1000)\n"
          "  --seed N            bootstrap seed (default 1)\n"
          "  --chest-data DIR    the ChestX-ray14 folder when not RUN_DIR/chest\n"
          "  --nerve-data DIR    the nerve folder when not RUN_DIR/nerve\n"
          "  --split-mode SPEC   as given to predict: patient[:TR,VA,TE] (default), official, paper\n"
          "  --chest-split-mode SPEC, --nerve-split-mode SPEC   the same for one task\n"
          "  --split-seed N      seed of the patient split (default 1)\n"
          "  --synthetic         say on the page that the data are synthetic (also when a dataset\n"
          "                      folder holds a file named SYNTHETIC)\n"
          "  --quiet             no progress lines\n");
}

static int parse_int(const char *opt, const char *v, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (errno || end == v || *end || !(d >= lo && d <= hi) || d != (double)(long long)d) {
    fprintf(stderr, "leapfrog report: %s '%s': want a whole number in [%g, %g]\n", opt, v, lo, hi);
    return -1;
  }
  *out = d;
  return 0;
}

int cmd_report(int argc, char **argv) {
  lf_report_opts o;
  lf_report_opts_default(&o);
  o.log = stderr;
  const char *html = NULL, *md = NULL, *mode = NULL, *chest_mode = NULL, *nerve_mode = NULL;
  uint64_t split_seed = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    double d;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      report_usage(stdout);
      return 0;
    } else if (!strcmp(a, "--synthetic")) {
      o.synthetic = 1;
      continue;
    } else if (!strcmp(a, "--quiet")) {
      o.log = NULL;
      continue;
    } else if (strncmp(a, "--", 2)) {
      if (o.run_dir) {
        fprintf(stderr, "leapfrog report: one run folder, not '%s' too\n\n", a);
        report_usage(stderr);
        return 2;
      }
      o.run_dir = a;
      continue;
    }
    if (!v) {
      fprintf(stderr, "leapfrog report: missing value after '%s'\n\n", a);
      report_usage(stderr);
      return 2;
    }
    i++;
    if (!strcmp(a, "--out")) html = v;
    else if (!strcmp(a, "--md")) md = v;
    else if (!strcmp(a, "--split-mode")) mode = v;
    else if (!strcmp(a, "--chest-split-mode")) chest_mode = v;
    else if (!strcmp(a, "--nerve-split-mode")) nerve_mode = v;
    else if (!strcmp(a, "--chest-data")) o.chest_data = v;
    else if (!strcmp(a, "--nerve-data")) o.nerve_data = v;
    else if (!strcmp(a, "--min-positives")) {
      if (parse_int(a, v, 0, 1e9, &d)) return 2;
      o.min_positives = (int)d;
    } else if (!strcmp(a, "--bootstrap")) {
      if (parse_int(a, v, 0, 100000, &d)) return 2;
      o.n_bootstrap = (int)d;
    } else if (!strcmp(a, "--seed")) {
      if (parse_int(a, v, 0, 9007199254740991.0, &d)) return 2;
      o.seed = (uint64_t)d;
    } else if (!strcmp(a, "--split-seed")) {
      if (parse_int(a, v, 0, 9007199254740991.0, &d)) return 2;
      split_seed = (uint64_t)d;
    } else {
      fprintf(stderr, "leapfrog report: unknown option '%s'\n\n", a);
      report_usage(stderr);
      return 2;
    }
  }
  if (!o.run_dir) {
    fprintf(stderr, "leapfrog report: a run folder is required\n\n");
    report_usage(stderr);
    return 2;
  }
  if ((mode && lf_split_opts_parse(mode, &o.chest_split)) || (mode && lf_split_opts_parse(mode, &o.nerve_split)) ||
      (chest_mode && lf_split_opts_parse(chest_mode, &o.chest_split)) ||
      (nerve_mode && lf_split_opts_parse(nerve_mode, &o.nerve_split))) {
    fprintf(stderr, "leapfrog report: %s\n", lf_last_error());
    return 2;
  }
  o.chest_split.seed = o.nerve_split.seed = split_seed;
  size_t n = strlen(o.run_dir) + 16;
  char *html_def = malloc(n), *md_def = malloc(n);
  if (!html_def || !md_def) {
    free(html_def), free(md_def);
    fprintf(stderr, "leapfrog report: out of memory\n");
    return 1;
  }
  snprintf(html_def, n, "%s/report.html", o.run_dir);
  snprintf(md_def, n, "%s/report.md", o.run_dir);
  o.html_path = html ? html : html_def;
  o.md_path = md ? md : md_def;
  const lf_cli_path outs[] = {{"--out", o.html_path}, {"--md", o.md_path}, {NULL, NULL}};
  /* the inputs are .json/.csv/.tflite and the outputs must end in .html/.md, so only the
     two outputs can collide (with each other) */
  int rc = 0;
  if (lf_cli_guard_outputs("report", outs, NULL, NULL)) rc = 2;
  else if (lf_report_run(&o)) {
    fprintf(stderr, "leapfrog report: %s\n", lf_last_error());
    rc = 1;
  } else if (o.log) {
    fprintf(o.log, "report written to %s and %s\n", o.html_path, o.md_path);
  }
  free(html_def), free(md_def);
  return rc;
}
