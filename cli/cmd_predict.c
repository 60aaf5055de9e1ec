/* leapfrog predict: run a .tflite model over image files or a dataset split, save predictions. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_guard.h"
#include "leapfrog/lf_dicom.h"
#include "leapfrog/lf_dist.h"
#include "leapfrog/lf_predict.h"

#define LF_PREDICT_MAX_LABELS_CLI 64

static void predict_usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog predict MODEL.tflite IMAGE|DIR|@LIST... --out FILE [options]\n"
          "       leapfrog predict MODEL.tflite --task chestxray14|nerve --data DIR --out FILE [options]\n"
          "Runs an int8 or fp32 .tflite model on image files (PNG, JPEG, TIFF: found by content; a\n"
          "folder: every image under it; @LIST: one path a line), or on every image of a dataset\n"
          "split, preprocessed as in training, and writes classification: predictions JSON\n"
          "{image: {label: p}}; segmentation: Kaggle submission CSV img,pixels with masks resized\n"
          "back to the image size and thresholded. Task, labels and normalisation come from the\n"
          "model's metadata (`leapfrog convert` writes it); the options below override it.\n"
          "Image files:\n"
          "  --task classify|segment|chestxray14|nerve   (chestxray14: 14 outputs are the NIH findings)\n"
          "  --labels a,b,...    class names (one per output)\n"
          "  --resume            continue a killed run from OUT.partial (finished images are not rerun)\n"
          "  --strict            an unreadable image is an error (default: named on stderr and skipped)\n"
          "  progress (images/s, ETA) is drawn on stderr when it is a terminal\n"
          "Dataset split (--data):\n"
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
          "Both:\n"
          "  --dicom-window W    DICOM grey levels: file (default: the file's VOI LUT, else its first\n"
          "                      window, else the stored bits' range), minmax, full, or CENTER,WIDTH\n"
          "  --quiet             only errors\n"
          "Prints ms per image (model only: quantize + invoke + dequantize, over the batch; median,\n"
          "min-max) and sizes.\n"
          "Under mpirun -np N each process runs a contiguous share of the images and rank 0 writes\n"
          "the one output (the same bytes as one process); --resume needs the same N.\n");
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

static int predict_images_main(const lf_predict_opts *o, const char *task, const char *labels_arg, const char **inputs,
                               size_t n_inputs, int resume, int strict, int quiet);

static int predict_main(int argc, char **argv, const char **inputs) {
  lf_predict_opts o;
  lf_predict_opts_default(&o);
  const char *task = NULL, *split = NULL, *mode = NULL, *labels_arg = NULL;
  size_t n_inputs = 0;
  int quiet = 0, resume = 0, strict = 0;
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
      o.split_opts.strict = strict = 1;
      continue;
    }
    if (!strcmp(a, "--resume")) {
      resume = 1;
      continue;
    }
    if (strncmp(a, "--", 2)) {
      if (o.model_path) inputs[n_inputs++] = a;
      else o.model_path = a;
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
    else if (!strcmp(a, "--labels")) labels_arg = val;
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
    } else if (!strcmp(a, "--dicom-window")) {
      lf_dicom_opts dw;
      if (lf_dicom_parse_voi(val, &dw) != LF_OK) {
        fprintf(stderr, "leapfrog predict: %s\n", lf_last_error());
        return 2;
      }
      lf_dicom_set_defaults(&dw); /* before any image is read or thread started */
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
  if (lf_dist_rank()) quiet = 1; /* mpirun -np N: rank 0 reports for all; errors still come from any rank */
  if (o.model_path && n_inputs && !o.data_dir && o.out_path)
    return predict_images_main(&o, task, labels_arg, inputs, n_inputs, resume, strict, quiet);
  if (n_inputs && o.data_dir) {
    fprintf(stderr, "leapfrog predict: give image files or --data DIR, not both\n\n");
    predict_usage(stderr);
    return 2;
  }
  if (labels_arg || resume) {
    fprintf(stderr, "leapfrog predict: %s applies to image files, not --data\n", labels_arg ? "--labels" : "--resume");
    return 2;
  }
  if (!o.model_path || !task || !o.data_dir || !o.out_path) {
    if (o.model_path && o.out_path && !o.data_dir) {
      fprintf(stderr, "leapfrog predict: no images given (IMAGE, DIR or @LIST after the model)\n\n");
      predict_usage(stderr);
      return 2;
    }
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

int cmd_predict(int argc, char **argv) {
  const char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
  if (!inputs) {
    fprintf(stderr, "leapfrog predict: out of memory\n");
    return 1;
  }
  int rc = predict_main(argc, argv, inputs);
  free(inputs);
  return rc;
}

static int parse_task(const char *task, lf_predictor_opts *p) {
  if (!task) return 0;
  if (!strcmp(task, "classify") || !strcmp(task, "classification")) p->task = LF_PREDICT_CLASSIFY;
  else if (!strcmp(task, "segment") || !strcmp(task, "segmentation") || !strcmp(task, "nerve")) p->task = LF_PREDICT_SEGMENT;
  else if (!strcmp(task, "chestxray14")) p->task = LF_PREDICT_CLASSIFY, p->nih_labels = 1;
  else {
    fprintf(stderr, "leapfrog predict: --task '%s': want classify, segment, chestxray14 or nerve\n", task);
    return -1;
  }
  return 0;
}

static int predict_images_main(const lf_predict_opts *o, const char *task, const char *labels_arg, const char **inputs,
                               size_t n_inputs, int resume, int strict, int quiet) {
  lf_predict_images_opts io;
  lf_predict_images_opts_default(&io);
  io.model_path = o->model_path, io.out_path = o->out_path, io.stats_path = o->stats_path;
  io.inputs = inputs, io.n_inputs = n_inputs;
  io.resume = resume, io.strict = strict;
  io.pred.threads = o->threads, io.pred.batch = o->batch, io.pred.threshold = o->threshold;
  io.pred.norm = o->norm, io.pred.norm_given = o->norm_given;
  if (parse_task(task, &io.pred)) return 2;
  char *labels_buf = labels_arg ? strdup(labels_arg) : NULL;
  const char *labels[LF_PREDICT_MAX_LABELS_CLI];
  int n_labels = 0;
  for (char *p = labels_buf, *tok; labels_buf && (tok = strsep(&p, ","));) {
    if (n_labels == LF_PREDICT_MAX_LABELS_CLI || !*tok) {
      fprintf(stderr, "leapfrog predict: --labels: want 1 to %d non-empty names separated by commas\n",
              LF_PREDICT_MAX_LABELS_CLI);
      free(labels_buf);
      return 2;
    }
    labels[n_labels++] = tok;
  }
  if (labels_buf) io.pred.labels = labels, io.pred.n_labels = n_labels;
  /* outputs must not be inputs: the model, and every image named */
  const lf_cli_path outs[] = {{"--out", o->out_path}, {"--stats", o->stats_path}, {NULL, NULL}};
  lf_cli_path ins[] = {{"MODEL", o->model_path}, {NULL, NULL}};
  int rc = 0;
  if (lf_cli_guard_outputs("predict", outs, ins, NULL)) rc = 2;
  for (size_t i = 0; !rc && i < n_inputs; i++) {
    lf_cli_path in1[] = {{"IMAGE", inputs[i][0] == '@' ? inputs[i] + 1 : inputs[i]}, {NULL, NULL}};
    lf_cli_path dirs[] = {{"DIR", inputs[i]}, {NULL, NULL}};
    if (lf_cli_guard_outputs("predict", outs, in1, dirs)) rc = 2;
  }
  FILE *info = strcmp(o->out_path, "-") ? stdout : stderr;
  io.log = quiet ? NULL : info;
  io.progress = !quiet && isatty(2);
  lf_predict_stats s;
  if (!rc && lf_predict_images(&io, &s)) {
    fflush(stdout);
    fprintf(stderr, "leapfrog predict: %s\n", lf_last_error());
    rc = 1;
  }
  if (!rc && !quiet) {
    fprintf(info, "%zu images -> %s", s.n, o->out_path);
    if (s.n_resumed) fprintf(info, " (%zu from the journal of an earlier run)", s.n_resumed);
    fprintf(info, "\n");
    fprintf(info, "model %.2f MB, arena %.2f MB, %d thread%s, batch %d: %.3f ms/image median (%.3f-%.3f), %.1f s total "
            "with decoding\n", (double)s.model_bytes / 1e6, (double)s.arena_bytes / 1e6, o->threads,
            o->threads > 1 ? "s" : "", s.batch, s.ms_median, s.ms_min, s.ms_max, s.seconds_total);
  }
  if (!rc && s.n_skipped && !lf_dist_rank())
    fprintf(stderr, "leapfrog predict: %zu image%s could not be read (named above) and %s left out\n", s.n_skipped,
            s.n_skipped == 1 ? "" : "s", s.n_skipped == 1 ? "is" : "are");
  free(labels_buf);
  return rc;
}
