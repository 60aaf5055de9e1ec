/* leapfrog predict: run a .tflite model over a dataset split, save predictions. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_guard.h"
#include "leapfrog/lf_predict.h"

static void predict_usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog predict MODEL.tflite --task chestxray14|nerve --data DIR --out FILE [options]\n"
          "Runs an int8 or fp32 .tflite model on every image of a split (preprocessed as in training)\n"
          "and writes chestxray14: predictions JSON {image: {label: p}}; nerve: Kaggle submission CSV\n"
          "img,pixels with masks resized back to the image size and thresholded.\n"
          "  --split NAME        test (default), val, train, all, unlabelled (Kaggle test/)\n"
          "  --split-mode SPEC   patient[:TR,VA,TE] (default), official, paper (as for train/score)\n"
          "  --split-seed N      seed of the patient split (default 1)\n"
          "  --threads N         runtime threads (default 1; results do not depend on it)\n"
          "  --batch N           images per invoke; the model must have batch N (`convert --batch N`);\n"
          "                      default: the model's batch. Same output bytes as batch 1\n"
          "  --norm unit|imagenet|none  input normalisation when the model's metadata has none\n"
          "                      (default unit: pixel/255, the paper's); given, it overrides the metadata\n"
          "  --threshold T       nerve mask threshold on the probability (default 0.5)\n"
          "  --limit N           only the first N images of the split\n"
          "  --stats FILE        latency and sizes as JSON (give it to `leapfrog score --latency`)\n"
          "  --strict            fail when images of the split listed in the dataset's CSV are missing\n"
          "                      on disk (default: a warning naming them)\n"
          "  --quiet             only errors\n"
          "Prints ms per image (model only: quantize + invoke + dequantize, over the batch; median,\n"
          "min-max) and sizes.\n");
}

static int parse_long(const char *opt, const char *v, long lo, long hi, long *out) {
  char *end;
  errno = 0;
  long d = strtol(v, &end, 10);
  if (errno || end == v || *end || d < lo || d > hi) {
    fprintf(stderr, "leapfrog predict: %s '%s': want an integer in [%ld, %ld]\n", opt, v, lo, hi);
    return -1;
  }
  *out = d;
  return 0;
}

int cmd_predict(int argc, char **argv) {
  lf_predict_opts o;
  lf_predict_opts_default(&o);
  const char *task = NULL, *split = NULL, *mode = NULL;
  int quiet = 0;
  long v;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      predict_usage(stdout);
      return 0;
    }
    if (!strcmp(a, "--quiet")) {
      quiet = 1;
      continue;
    }
    if (!strcmp(a, "--strict")) {
      o.split_opts.strict = 1;
      continue;
    }
    if (strncmp(a, "--", 2)) {
      if (o.model_path) {
        fprintf(stderr, "leapfrog predict: unexpected argument '%s'\n\n", a);
        predict_usage(stderr);
        return 2;
      }
      o.model_path = a;
      continue;
    }
    if (!val) {
      fprintf(stderr, "leapfrog predict: missing value after '%s'\n\n", a);
      predict_usage(stderr);
      return 2;
    }
    i++;
    if (!strcmp(a, "--task")) task = val;
    else if (!strcmp(a, "--data")) o.data_dir = val;
    else if (!strcmp(a, "--out")) o.out_path = val;
    else if (!strcmp(a, "--split")) split = val;
    else if (!strcmp(a, "--stats")) o.stats_path = val;
    else if (!strcmp(a, "--split-mode")) mode = val;
    else if (!strcmp(a, "--split-seed")) {
      if (parse_long(a, val, 0, 2147483647L, &v)) return 2;
      o.split_opts.seed = (uint64_t)v;
    } else if (!strcmp(a, "--threads")) {
      if (parse_long(a, val, 1, 64, &v)) return 2;
      o.threads = (int)v;
    } else if (!strcmp(a, "--batch")) {
      if (parse_long(a, val, 1, 4096, &v)) return 2;
      o.batch = (int)v;
    } else if (!strcmp(a, "--limit")) {
      if (parse_long(a, val, 1, 2147483647L, &v)) return 2;
      o.limit = (size_t)v;
    } else if (!strcmp(a, "--threshold")) {
      char *end;
      o.threshold = strtod(val, &end);
      if (end == val || *end || !(o.threshold >= 0 && o.threshold <= 1)) {
        fprintf(stderr, "leapfrog predict: --threshold '%s': want a number in [0, 1]\n", val);
        return 2;
      }
    } else if (!strcmp(a, "--norm")) {
      o.norm_given = 1;
      if (!strcmp(val, "unit")) o.norm = LF_NORM_UNIT;
      else if (!strcmp(val, "imagenet")) o.norm = LF_NORM_IMAGENET;
      else if (!strcmp(val, "none")) o.norm = LF_NORM_NONE;
      else {
        fprintf(stderr, "leapfrog predict: --norm '%s': want unit, imagenet or none\n", val);
        return 2;
      }
    } else {
      fprintf(stderr, "leapfrog predict: unknown option '%s'\n\n", a);
      predict_usage(stderr);
      return 2;
    }
  }
  if (!o.model_path || !task || !o.data_dir || !o.out_path) {
    fprintf(stderr, "leapfrog predict: MODEL, --task, --data and --out are required\n\n");
    predict_usage(stderr);
    return 2;
  }
  if (lf_task_parse(task, &o.task) || (split && lf_split_parse(split, &o.split)) ||
      (mode && lf_split_opts_parse(mode, &o.split_opts))) {
    fprintf(stderr, "leapfrog predict: %s\n", lf_last_error());
    return 2;
  }
  const lf_cli_path outs[] = {{"--out", o.out_path}, {"--stats", o.stats_path}, {NULL, NULL}};
  const lf_cli_path ins[] = {{"MODEL", o.model_path}, {NULL, NULL}}, dirs[] = {{"--data", o.data_dir}, {NULL, NULL}};
  if (lf_cli_guard_outputs("predict", outs, ins, dirs)) return 2;
  FILE *info = strcmp(o.out_path, "-") ? stdout : stderr; /* --out -: stdout holds the predictions */
  o.log = quiet ? NULL : info;
  lf_predict_stats s;
  if (lf_predict_run(&o, &s)) {
    fflush(stdout);
    fprintf(stderr, "leapfrog predict: %s\n", lf_last_error());
    return 1;
  }
  if (!quiet) {
    fprintf(info, "%zu images -> %s\n", s.n, o.out_path);
    fprintf(info,
            "model %.2f MB, arena %.2f MB, %d thread%s, batch %d: %.3f ms/image median (%.3f-%.3f), %.1f s total "
            "with decoding\n",
            (double)s.model_bytes / 1e6, (double)s.arena_bytes / 1e6, o.threads, o.threads > 1 ? "s" : "", s.batch,
            s.ms_median, s.ms_min, s.ms_max, s.seconds_total);
  }
  return 0;
}
