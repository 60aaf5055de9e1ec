/* `leapfrog info --arch densenet121|unet`: parameters, MACs and the layer table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model_opts.h"
#include "leapfrog/lf_models.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog info --arch densenet121|unet [--json] [--layers] [model knobs]\n"
          "Describes a built-in architecture: trainable parameters, multiply-accumulates\n"
          "per image, and (with --layers, or always in --json) the layer table.\n");
  lf_cli_model_opts_help(f);
}

int cmd_info_arch(int argc, char **argv) {
  int json = 0, layers = 0;
  lf_model_config c;
  int have_arch = lf_cli_model_arch(argc, argv, &c);
  if (have_arch == 2) return 2;
  for (int i = 1; i < argc; i++) {
    int r = lf_cli_model_opt(argc, argv, &i, &c);
    if (r == 1) continue;
    if (r == 2) return 2;
    if (!strcmp(argv[i], "--json")) json = 1;
    else if (!strcmp(argv[i], "--layers")) layers = 1;
    else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "leapfrog info: unknown option '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  if (!have_arch) {
    fprintf(stderr, "leapfrog info: --arch is required\n");
    return 2;
  }
  lf_model m;
  if (lf_model_build(&m, &c, 1)) {
    fprintf(stderr, "leapfrog info: %s\n", lf_last_error());
    return 1;
  }
  int n = lf_model_layers(&m, NULL, 0);
  lf_layer_info *rows = calloc((size_t)n, sizeof *rows);
  if (!rows) {
    lf_model_free(&m);
    fprintf(stderr, "leapfrog info: out of memory\n");
    return 1;
  }
  lf_model_layers(&m, rows, n);
  size_t params = lf_graph_trainable_numel(m.g);
  unsigned long long macs = (unsigned long long)lf_graph_macs(m.g);
  size_t buffers = 0;
  for (int i = 0; i < lf_graph_param_count(m.g); i++)
    if (!lf_graph_param(m.g, i)->trainable) buffers += lf_graph_param(m.g, i)->value.numel;
  char *cfg = lf_model_config_to_json(&c);
  if (json) {
    printf("{\"arch\":\"%s\",\"config\":%s,\"params\":%zu,\"buffers\":%zu,\"macs\":%llu,\"input\":[%d,%d,%d],\"layers\":[",
           lf_arch_name(c.arch), cfg ? cfg : "{}", params, buffers, macs, c.in_h, c.in_w, c.in_c);
    for (int i = 0; i < n; i++)
      printf("%s{\"name\":\"%s\",\"op\":\"%s\",\"out\":[%d,%d,%d],\"params\":%llu,\"macs\":%llu}", i ? "," : "",
             rows[i].name, rows[i].op, rows[i].h, rows[i].w, rows[i].c, (unsigned long long)rows[i].params,
             (unsigned long long)rows[i].macs);
    printf("]}\n");
  } else {
    printf("%s  input %dx%dx%d  config %s\n", lf_arch_name(c.arch), c.in_h, c.in_w, c.in_c, cfg ? cfg : "");
    if (layers) {
      printf("%-48s %-16s %-16s %10s %14s\n", "layer", "op", "output (HxWxC)", "params", "MACs");
      for (int i = 0; i < n; i++) {
        char shp[48];
        snprintf(shp, sizeof shp, "%dx%dx%d", rows[i].h, rows[i].w, rows[i].c);
        printf("%-48s %-16s %-16s %10llu %14llu\n", rows[i].name, rows[i].op, shp, (unsigned long long)rows[i].params,
               (unsigned long long)rows[i].macs);
      }
    }
    printf("parameters: %zu trainable (+ %zu in buffers)\n", params, buffers);
    printf("MACs per image: %llu (%.2f G)\n", macs, macs / 1e9);
    printf("layers (graph nodes): %d\n", n);
  }
  free(cfg);
  free(rows);
  lf_model_free(&m);
  return 0;
}
