/* Parsing of the model knobs shared by several subcommands (cli_model_opts.h). */
#include <stdlib.h>
#include <string.h>

#include "cli_model_opts.h"

void lf_cli_model_opts_help(FILE *f) {
  fprintf(f,
          "model options:\n"
          "  --arch densenet121|unet   architecture (densenet121: torchvision's; unet: the paper's)\n"
          "  --classes N               output classes (densenet 14, unet 1)\n"
          "  --size HxW | N            input size (densenet 224x224, unet 80x112)\n"
          "  --channels N              input channels (densenet 3, unet 1)\n"
          "  --growth N --blocks a,b,c,d --init-features N --bn-size N --compression F   densenet knobs\n"
          "  --width N (base filters, 32) --depth N (4) --transposed --dropout P (0.5)    unet knobs\n");
}

static const char *opt_value(int argc, char **argv, int *i, const char *name) {
  size_t n = strlen(name);
  if (!strncmp(argv[*i], name, n) && argv[*i][n] == '=') return argv[*i] + n + 1;
  if (strcmp(argv[*i], name)) return NULL;
  if (*i + 1 >= argc) return "";
  return argv[++*i];
}

int lf_cli_model_arch(int argc, char **argv, lf_model_config *c) {
  for (int i = 1; i < argc; i++) {
    const char *v = opt_value(argc, argv, &i, "--arch");
    if (!v) continue;
    lf_arch a;
    if (lf_arch_parse(v, &a)) {
      fprintf(stderr, "leapfrog: %s\n", lf_last_error());
      return 2;
    }
    *c = lf_model_defaults(a);
    return 1;
  }
  *c = lf_model_defaults(LF_ARCH_DENSENET);
  return 0;
}

static int parse_int(const char *name, const char *v, int lo, int hi, int *out) {
  char *end;
  long x = strtol(v, &end, 10);
  if (!*v || *end || x < lo || x > hi) {
    fprintf(stderr, "leapfrog: %s needs an integer in [%d, %d], got '%s'\n", name, lo, hi, v);
    return 2;
  }
  *out = (int)x;
  return 1;
}

static int parse_float(const char *name, const char *v, float lo, float hi, float *out) {
  char *end;
  double x = strtod(v, &end);
  if (!*v || *end || !(x >= lo && x <= hi)) {
    fprintf(stderr, "leapfrog: %s needs a number in [%g, %g], got '%s'\n", name, lo, hi, v);
    return 2;
  }
  *out = (float)x;
  return 1;
}

int lf_cli_model_opt(int argc, char **argv, int *i, lf_model_config *c) {
  const char *v;
  if ((v = opt_value(argc, argv, i, "--arch"))) return 1; /* handled by lf_cli_model_arch */
  if ((v = opt_value(argc, argv, i, "--classes"))) return parse_int("--classes", v, 1, 4096, &c->classes);
  if ((v = opt_value(argc, argv, i, "--channels"))) return parse_int("--channels", v, 1, 64, &c->in_c);
  if ((v = opt_value(argc, argv, i, "--growth"))) return parse_int("--growth", v, 1, 512, &c->growth);
  if ((v = opt_value(argc, argv, i, "--init-features"))) return parse_int("--init-features", v, 1, 2048, &c->init_features);
  if ((v = opt_value(argc, argv, i, "--bn-size"))) return parse_int("--bn-size", v, 1, 16, &c->bn_size);
  if ((v = opt_value(argc, argv, i, "--width"))) return parse_int("--width", v, 1, 256, &c->width);
  if ((v = opt_value(argc, argv, i, "--depth"))) return parse_int("--depth", v, 1, 6, &c->depth);
  if ((v = opt_value(argc, argv, i, "--compression"))) return parse_float("--compression", v, 0.01f, 1, &c->compression);
  if ((v = opt_value(argc, argv, i, "--dropout"))) return parse_float("--dropout", v, 0, 0.99f, &c->dropout);
  if (!strcmp(argv[*i], "--transposed")) {
    c->transposed = 1;
    return 1;
  }
  if ((v = opt_value(argc, argv, i, "--blocks"))) {
    if (lf_parse_blocks(v, c)) {
      fprintf(stderr, "leapfrog: %s\n", lf_last_error());
      return 2;
    }
    return 1;
  }
  if ((v = opt_value(argc, argv, i, "--size"))) {
    int h, w;
    char x;
    if (sscanf(v, "%dx%d%c", &h, &w, &x) == 2 || (sscanf(v, "%d%c", &h, &x) == 1 && (w = h))) {
      if (h >= 1 && w >= 1 && h <= 4096 && w <= 4096) {
        c->in_h = h;
        c->in_w = w;
        return 1;
      }
    }
    fprintf(stderr, "leapfrog: --size needs HxW or N (1..4096), got '%s'\n", v);
    return 2;
  }
  return 0;
}
