/* leapfrog ptq MODEL.tflite --calib DIR -o OUT.tflite: post-training int8
 * quantisation of any FP32 .tflite (lf_ptq_tflite.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_guard.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_ptq_tflite.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog ptq MODEL.tflite --calib DIR -o OUT.tflite [options]\n"
          "Quantizes any FP32 .tflite (e.g. from `leapfrog import`) to int8: calibrates every\n"
          "activation on the images of DIR (PNG, JPEG, TIFF, DICOM; folders walked, sorted),\n"
          "prepared as `leapfrog predict` prepares them (resized to the model's input,\n"
          "(pixel/255 - mean) / std), then writes per-channel int8 weights, int32 biases and\n"
          "int8 activations (TFLite's int8 spec) that leapfrog and LiteRT run alike.\n"
          "  --calib DIR|FILE|@LIST  calibration images (repeatable)\n"
          "  --method minmax|percentile|mse   range choice (default mse)\n"
          "  --percentile P          for --method percentile (default 99.99)\n"
          "  --io int8|uint8|float   model input/output type (default int8)\n"
          "  --norm unit|imagenet    mean/std presets (unit: /255; imagenet: ImageNet's)\n"
          "  --mean M[,M,M] --std S[,S,S]  per channel, of pixel/255 (default: the model's\n"
          "                          \"leapfrog\" metadata, else unit)\n"
          "  --size WxH              check: must be the model's input size\n"
          "  --limit N               calibrate on at most N images\n"
          "  --labels A,B,...        names of the output's scores, recorded for `leapfrog predict`\n"
          "  --operating-points FILE threshold per finding for `leapfrog serve` (metadata \"operating_points\"):\n"
          "                          `leapfrog score --choose-operating-points` on the int8 model's validation\n"
          "                          predictions, or {finding: threshold}; the float model's are not kept\n"
          "  --allow-float           keep ops with no int8 form in FLOAT32 (DEQUANTIZE before,\n"
          "                          QUANTIZE after) instead of refusing the model\n"
          "  --threads N             runtime threads for calibration (default 2)\n");
}

/* 1 to 3 comma-separated numbers into v; returns the count or -1. */
static int parse_floats(const char *s, float *v) {
  int n = 0;
  for (const char *p = s;; p++) {
    char *end;
    v[n++] = (float)strtod(p, &end);
    if (end == p) return -1;
    if (*end == 0) return n;
    if (*end != ',' || n == 3) return -1;
    p = end;
  }
}

int cmd_ptq_tflite(int argc, char **argv) {
  const char *model = NULL, *out = NULL, *ops_path = NULL;
  lf_oppoints ops;
  const char **calib = calloc((size_t)argc, sizeof *calib);
  size_t nc = 0;
  lf_ptq_tflite_opts o;
  lf_ptq_tflite_opts_default(&o);
  o.threads = 2;
  float mean[3] = {0}, std[3] = {0};
  int nm = 0, ns = 0, rc = 2;
  char *labbuf = NULL;
  const char **labels = NULL;
  if (!calib) return 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      rc = 0;
      goto done;
    }
    if (!strcmp(a, "--allow-float")) {
      o.allow_float = 1;
      continue;
    }
    if (a[0] != '-') {
      if (model) {
        fprintf(stderr, "leapfrog ptq: a second model '%s' (one MODEL.tflite)\n", a);
        goto usage_err;
      }
      model = a;
      continue;
    }
    if (i + 1 >= argc) {
      fprintf(stderr, "leapfrog ptq: unknown option or missing value: '%s'\n", a);
      goto usage_err;
    }
    const char *v = argv[++i];
    char *end = NULL;
    if (!strcmp(a, "--calib")) calib[nc++] = v;
    else if (!strcmp(a, "-o") || !strcmp(a, "--output")) out = v;
    else if (!strcmp(a, "--method")) {
      if (lf_calib_method_parse(v, &o.method)) goto msg_err;
    } else if (!strcmp(a, "--percentile")) {
      o.percentile = strtod(v, &end);
      if (*end || !(o.percentile > 50 && o.percentile <= 100)) {
        fprintf(stderr, "leapfrog ptq: --percentile needs a number in (50, 100]\n");
        goto usage_err;
      }
    } else if (!strcmp(a, "--io")) {
      if (lf_ptq_io_parse(v, &o.io)) goto msg_err;
    } else if (!strcmp(a, "--norm")) {
      if (strcmp(v, "unit") && strcmp(v, "imagenet")) {
        fprintf(stderr, "leapfrog ptq: --norm must be unit or imagenet, not '%s'\n", v);
        goto usage_err;
      }
      lf_norm_values(!strcmp(v, "imagenet") ? LF_NORM_IMAGENET : LF_NORM_UNIT, 3, mean, std);
      nm = ns = 3;
    } else if (!strcmp(a, "--mean") || !strcmp(a, "--std")) {
      float *dst = a[2] == 'm' ? mean : std;
      int n = parse_floats(v, dst);
      if (n != 1 && n != 3) {
        fprintf(stderr, "leapfrog ptq: %s needs 1 or 3 comma-separated numbers, got '%s'\n", a, v);
        goto usage_err;
      }
      for (int k = n; k < 3; k++) dst[k] = dst[0];
      *(a[2] == 'm' ? &nm : &ns) = n;
    } else if (!strcmp(a, "--labels")) {
      free(labbuf);
      free(labels);
      labbuf = strdup(v);
      labels = calloc(strlen(v) / 2 + 2, sizeof *labels);
      if (!labbuf || !labels) goto oom;
      o.n_labels = 0;
      for (char *p = labbuf, *c; p; p = c) {
        if ((c = strchr(p, ','))) *c++ = 0;
        labels[o.n_labels++] = p;
      }
      o.labels = (const char *const *)labels;
    } else if (!strcmp(a, "--operating-points")) {
      ops_path = v;
    } else if (!strcmp(a, "--size")) {
      if (sscanf(v, "%dx%d", &o.width, &o.height) != 2 || o.width < 1 || o.height < 1) {
        fprintf(stderr, "leapfrog ptq: --size needs WxH, e.g. 224x224, got '%s'\n", v);
        goto usage_err;
      }
    } else if (!strcmp(a, "--limit") || !strcmp(a, "--threads")) {
      long n = strtol(v, &end, 10);
      if (*end || n < 1 || n > (a[2] == 't' ? 64 : 100000000)) {
        fprintf(stderr, "leapfrog ptq: %s needs a positive integer, got '%s'\n", a, v);
        goto usage_err;
      }
      if (a[2] == 'l') o.limit = (size_t)n;
      else o.threads = (int)n;
    } else {
      fprintf(stderr, "leapfrog ptq: unknown option '%s'\n", a);
      goto usage_err;
    }
  }
  if (!model || !out || !nc) {
    fprintf(stderr, "leapfrog ptq: MODEL.tflite, --calib DIR and -o OUT.tflite are required\n");
    goto usage_err;
  }
  if ((nm > 0) != (ns > 0)) {
    fprintf(stderr, "leapfrog ptq: --mean and --std go together\n");
    goto usage_err;
  }
  for (int k = 0; k < 3; k++)
    if (ns && !(std[k] > 0)) {
      fprintf(stderr, "leapfrog ptq: --std values must be > 0\n");
      goto usage_err;
    }
  if (nm) {
    o.norm_given = 1;
    memcpy(o.mean, mean, sizeof mean);
    memcpy(o.std, std, sizeof std);
  }
  {
    const lf_cli_path outs[] = {{"-o", out}, {NULL, NULL}},
                      ins[] = {{"MODEL", model}, {"--operating-points", ops_path}, {NULL, NULL}};
    lf_cli_path *dirs = calloc(nc + 1, sizeof *dirs);
    if (!dirs) goto oom;
    for (size_t k = 0; k < nc; k++) dirs[k].flag = "--calib", dirs[k].path = calib[k][0] == '@' ? NULL : calib[k];
    int g = lf_cli_guard_outputs("ptq", outs, ins, dirs);
    free(dirs);
    if (g) {
      rc = g;
      goto done;
    }
  }
  rc = 1;
  if (ops_path && lf_oppoints_read_file(ops_path, &ops)) {
    fprintf(stderr, "leapfrog ptq: --operating-points: %s\n", lf_last_error());
    goto done;
  }
  o.oppoints = ops_path ? &ops : NULL, o.oppoints_from = ops_path;
  o.progress = stderr;
  lf_ptq_tflite_stats s;
  if (lf_ptq_tflite_file(model, calib, nc, out, &o, &s)) {
    fprintf(stderr, "leapfrog ptq: %s\n", lf_last_error());
  } else {
    printf("ptq: %d ops int8, %d float; %d activations calibrated on %zu images (%s, normalisation from %s); io %s; "
           "wrote %s\n",
           s.ops_int8, s.ops_float, s.activations, s.images, lf_calib_method_name(o.method), s.norm_source,
           lf_ptq_io_name(o.io), out);
    rc = 0;
  }
  goto done;
oom:
  fprintf(stderr, "leapfrog ptq: out of memory\n");
  rc = 1;
  goto done;
msg_err:
  fprintf(stderr, "leapfrog ptq: %s\n", lf_last_error());
usage_err:
  usage(stderr);
done:
  free(calib);
  free(labbuf);
  free(labels);
  return rc;
}
