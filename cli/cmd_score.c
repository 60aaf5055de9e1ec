/* leapfrog score: clinical metrics of saved predictions against a dataset folder. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_guard.h"
#include "leapfrog/lf_score.h"

static void score_usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog score --task chestxray14|nerve --data DIR --pred FILE [options]\n"
          "Scores predictions saved by `leapfrog predict` (or any tool) against the labels of DIR.\n"
          "  --pred FILE         chestxray14: predictions JSON {image: {label: p}} or {image: [[14 p]]};\n"
          "                      nerve: Kaggle submission CSV img,pixels (run-length masks)\n"
          "  --split NAME        split scored: test (default), val, train, all\n"
          "  --split-mode SPEC   how splits are made, as for predict/train: patient[:TR,VA,TE] (default),\n"
          "                      official (NIH lists), paper\n"
          "  --split-seed N      seed of the patient split (default 1)\n"
          "  --out FILE          metrics.json (written atomically)\n"
          "  --report FILE       report.md or report.html (self-contained, SVG ROC curves)\n"
          "  --compare FILE      a second model's predictions (e.g. FP32 vs INT8): per-finding AUC\n"
          "                      (nerve: mean Dice) differences with paired bootstrap 95%% CIs\n"
          "  --latency FILE      `leapfrog predict --stats` JSON to include (latency, model size)\n"
          "  --bootstrap N       resamples for the 95%% CI of each AUC (default 1000, 0 = none)\n"
          "  --seed N            bootstrap seed (default 1)\n"
          "  --threshold T       operating threshold for sensitivity/specificity (default 0.5)\n"
          "  --sensitivity S     target sensitivity for the second operating point (default 0.9)\n"
          "  --choose-operating-points METHOD  chestxray14: pick a threshold per finding on the scored\n"
          "                      split and write them as \"operating_points\" {finding: threshold} (with\n"
          "                      sensitivity/specificity at each) for `leapfrog convert --operating-points`.\n"
          "                      METHOD: youden (max sensitivity + specificity - 1; ties: the highest\n"
          "                      threshold), sens:X (the highest threshold with sensitivity >= X), spec:X\n"
          "                      (the lowest with specificity >= X). Choose them on --split val: points\n"
          "                      chosen on the test split make its figures look better than they are\n"
          "  --operating-points FILE  chestxray14: sens/spec (\"at_threshold\") at these thresholds per finding\n"
          "                      (score's --choose-operating-points output on the validation split, or\n"
          "                      {finding: threshold}), --threshold for findings without one: the test\n"
          "                      split reported at points chosen elsewhere\n"
          "  --strict            fail when images of the split listed in the dataset's CSV are missing\n"
          "                      on disk (default: a warning naming them)\n"
          "  --quiet             no summary table on stdout\n"
          "Images are matched by basename; every image of the split needs exactly one prediction.\n");
}

static int parse_num(const char *opt, const char *v, double lo, double hi, double *out) {
  char *end;
  errno = 0;
  double d = strtod(v, &end);
  if (errno || end == v || *end || !(d >= lo && d <= hi)) {
    fprintf(stderr, "leapfrog score: %s '%s': want a number in [%g, %g]\n", opt, v, lo, hi);
    return -1;
  }
  *out = d;
  return 0;
}

/* --operating-points FILE -> a threshold per NIH finding (NaN: none); 0 ok, else says why. */
static int read_class_thresholds(const char *path, double thr[LF_NIH_NUM_LABELS]) {
  lf_oppoints ops;
  if (lf_oppoints_read_file(path, &ops) ||
      lf_oppoints_check_labels(&ops, (const char *const *)lf_nih_labels, LF_NIH_NUM_LABELS, path)) {
    fprintf(stderr, "leapfrog score: --operating-points: %s\n", lf_last_error());
    return -1;
  }
  for (int c = 0; c < LF_NIH_NUM_LABELS; c++) thr[c] = NAN;
  for (int i = 0; i < ops.n; i++) thr[lf_nih_label_index(ops.label[i])] = ops.threshold[i];
  return 0;
}

int cmd_score(int argc, char **argv) {
  lf_score_opts o;
  lf_score_opts_default(&o);
  const char *task = NULL, *split = NULL, *mode = NULL, *ops_path = NULL;
  double class_thr[LF_NIH_NUM_LABELS];
  int quiet = 0, have_split_seed = 0;
  double split_seed = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    double d;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      score_usage(stdout);
      return 0;
    } else if (!strcmp(a, "--quiet")) {
      quiet = 1;
      continue;
    } else if (!strcmp(a, "--strict")) {
      o.split_opts.strict = 1;
      continue;
    }
    if (!v || strncmp(a, "--", 2)) {
      fprintf(stderr, "leapfrog score: %s '%s'\n\n", v ? "unexpected argument" : "missing value after", a);
      score_usage(stderr);
      return 2;
    }
    i++;
    if (!strcmp(a, "--task")) task = v;
    else if (!strcmp(a, "--data")) o.data_dir = v;
    else if (!strcmp(a, "--pred")) o.pred_path = v;
    else if (!strcmp(a, "--split")) split = v;
    else if (!strcmp(a, "--split-mode")) mode = v;
    else if (!strcmp(a, "--split-seed")) {
      if (parse_num(a, v, 0, 9007199254740991.0, &split_seed)) return 2;
      have_split_seed = 1;
    } else if (!strcmp(a, "--out")) o.out_json = v;
    else if (!strcmp(a, "--report")) o.report_path = v;
    else if (!strcmp(a, "--latency")) o.latency_path = v;
    else if (!strcmp(a, "--compare")) o.compare_path = v;
    else if (!strcmp(a, "--bootstrap")) {
      if (parse_num(a, v, 0, 100000, &d)) return 2;
      o.n_bootstrap = (int)d;
    } else if (!strcmp(a, "--seed")) {
      if (parse_num(a, v, 0, 9007199254740991.0, &d)) return 2;
      o.seed = (uint64_t)d;
    } else if (!strcmp(a, "--threshold")) {
      if (parse_num(a, v, 0, 1, &o.threshold)) return 2;
    } else if (!strcmp(a, "--choose-operating-points")) {
      if (lf_oppoint_method_parse(v, &o.choose)) {
        fprintf(stderr, "leapfrog score: --choose-operating-points: %s\n", lf_last_error());
        return 2;
      }
    } else if (!strcmp(a, "--operating-points")) {
      ops_path = v;
    } else if (!strcmp(a, "--sensitivity")) {
      if (parse_num(a, v, 1e-9, 1, &o.target_sensitivity)) return 2;
    } else {
      fprintf(stderr, "leapfrog score: unknown option '%s'\n\n", a);
      score_usage(stderr);
      return 2;
    }
  }
  if (!task || !o.data_dir || !o.pred_path) {
    fprintf(stderr, "leapfrog score: --task, --data and --pred are required\n\n");
    score_usage(stderr);
    return 2;
  }
  if (lf_task_parse(task, &o.task) || (split && lf_split_parse(split, &o.split)) ||
      (mode && lf_split_opts_parse(mode, &o.split_opts))) {
    fprintf(stderr, "leapfrog score: %s\n", lf_last_error());
    return 2;
  }
  if (have_split_seed) o.split_opts.seed = (uint64_t)split_seed;
  if ((o.choose.rule != LF_OPPOINT_NONE || ops_path) && o.task != LF_TASK_CHESTXRAY14) {
    fprintf(stderr, "leapfrog score: --%s is for --task chestxray14 (a threshold per finding)\n",
            ops_path ? "operating-points" : "choose-operating-points");
    return 2;
  }
  if (o.choose.rule != LF_OPPOINT_NONE && (o.split == LF_SPLIT_TEST || o.split == LF_SPLIT_ALL))
    fprintf(stderr, "leapfrog score: warning: choosing operating points on the test split%s: its sensitivity and "
            "specificity will look better than they are; choose them on --split val and report the test split "
            "at those points (--operating-points)\n", o.split == LF_SPLIT_ALL ? " (--split all includes it)" : "");
  const lf_cli_path outs[] = {{"--out", o.out_json}, {"--report", o.report_path}, {NULL, NULL}};
  const lf_cli_path ins[] = {{"--pred", o.pred_path},
                             {"--compare", o.compare_path},
                             {"--latency", o.latency_path},
                             {"--operating-points", ops_path},
                             {NULL, NULL}},
                    dirs[] = {{"--data", o.data_dir}, {NULL, NULL}};
  if (lf_cli_guard_outputs("score", outs, ins, dirs)) return 2;
  if (ops_path && read_class_thresholds(ops_path, class_thr)) return 1;
  if (ops_path) o.class_thresholds = class_thr;
  const int to_stdout = (o.out_json && !strcmp(o.out_json, "-")) || (o.report_path && !strcmp(o.report_path, "-"));
  o.summary = quiet ? NULL : to_stdout ? stderr : stdout; /* "-": stdout holds the file */
  o.warnings = stderr;                                      /* even with --quiet */
  lf_status st = lf_score_run(&o);
  if (st) {
    fflush(stdout);
    fprintf(stderr, "leapfrog score: %s\n", lf_last_error());
    return 1;
  }
  if (o.out_json && !quiet) fprintf(o.summary, "metrics written to %s\n", o.out_json);
  if (o.report_path && !quiet) fprintf(o.summary, "report written to %s\n", o.report_path);
  return 0;
}
