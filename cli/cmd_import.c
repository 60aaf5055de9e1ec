/* leapfrog import MODEL.onnx -o MODEL.tflite [--norm unit|imagenet | --mean M --std S]
 * An FP32 ONNX model (e.g. from torch.onnx.export) as an FP32 .tflite; rank-4
 * tensors go from NCHW to NHWC (recorded in the "onnx_import" metadata); the
 * input normalisation, when given, goes into the "leapfrog" metadata. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_guard.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_onnx.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog import MODEL.onnx -o MODEL.tflite [--norm unit|imagenet | --mean M --std S]\n"
          "Converts an FP32 ONNX model to an FP32 .tflite that `leapfrog invoke` and\n"
          "LiteRT run. NCHW inputs and outputs become NHWC ([1,3,224,224] -> [1,224,224,3]);\n"
          "the .tflite's \"onnx_import\" metadata lists each input's ONNX shape and layout.\n"
          "A dynamic batch dimension is imported as 1. Unsupported ops are named.\n"
          "  --norm unit|imagenet   the input normalisation the model expects, x = (v/255 - mean)\n"
          "                         / std (unit: mean 0, std 1; imagenet: ImageNet's), recorded\n"
          "                         in the \"leapfrog\" metadata so ptq and predict apply it\n"
          "  --mean M --std S       the same with your own values: 1 or 3 comma-separated numbers\n"
          "                         each, std > 0 (3 values need a 3-channel input)\n");
}

/* 1 to 3 comma-separated finite numbers into v; the count, or -1. */
static int floats_arg(const char *s, float *v) {
  int n = 0;
  for (const char *p = s;; p++) {
    char *end;
    double d = strtod(p, &end);
    if (end == p || !isfinite(d) || fabs(d) > 1e6) return -1;
    v[n++] = (float)d;
    if (!*end) return n;
    if (*end != ',' || n == 3) return -1;
    p = end;
  }
}

int cmd_import(int argc, char **argv) {
  const char *in = NULL, *out = NULL;
  lf_onnx_import_opts o;
  memset(&o, 0, sizeof o);
  int nm = 0, ns = 0, preset = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) && i + 1 < argc) {
      out = argv[++i];
    } else if (!strcmp(argv[i], "--norm") && i + 1 < argc) {
      const char *v = argv[++i];
      if (strcmp(v, "unit") && strcmp(v, "imagenet")) {
        fprintf(stderr, "leapfrog import: --norm must be unit or imagenet, not '%s'\n", v);
        return 2;
      }
      lf_norm_values(!strcmp(v, "imagenet") ? LF_NORM_IMAGENET : LF_NORM_UNIT, 3, o.mean, o.std);
      preset = 1;
    } else if ((!strcmp(argv[i], "--mean") || !strcmp(argv[i], "--std")) && i + 1 < argc) {
      int is_mean = argv[i][2] == 'm', n = floats_arg(argv[i + 1], is_mean ? o.mean : o.std);
      if (n < 0) {
        fprintf(stderr, "leapfrog import: %s needs 1 or 3 comma-separated numbers, got '%s'\n", argv[i], argv[i + 1]);
        return 2;
      }
      *(is_mean ? &nm : &ns) = n;
      i++;
    } else if (argv[i][0] != '-' && !in) {
      in = argv[i];
    } else {
      fprintf(stderr, "leapfrog import: unexpected argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (!in || !out) {
    usage(stderr);
    return 2;
  }
  if (preset && (nm || ns)) {
    fprintf(stderr, "leapfrog import: --norm or --mean/--std, not both\n");
    return 2;
  }
  if (nm != ns) {
    fprintf(stderr, "leapfrog import: --mean and --std go together, with as many values each\n");
    return 2;
  }
  for (int k = 0; k < ns; k++)
    if (!(o.std[k] > 0)) {
      fprintf(stderr, "leapfrog import: --std values must be > 0\n");
      return 2;
    }
  o.norm_channels = preset ? 3 : nm;
  lf_cli_path outs[] = {{"-o", out}, {NULL, NULL}}, ins[] = {{"MODEL", in}, {NULL, NULL}};
  int g = lf_cli_guard_outputs("import", outs, ins, NULL);
  if (g) return g;
  lf_status st = lf_onnx_import_file_opts(in, out, &o);
  if (st) {
    fprintf(stderr, "leapfrog import: %s\n", lf_last_error());
    return 1;
  }
  fprintf(stderr, "leapfrog import: wrote %s\n", out);
  return 0;
}
