/* leapfrog synth chestxray14|nerve --out DIR [--n N] [--seed S] [--size PX] [--threads T] */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "leapfrog/lf_synth.h"

static void synth_usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog synth chestxray14|nerve --out DIR [--n N] [--seed S] [--size PX]\n"
          "                      [--threads T] [--n-test K] [--png-level L] [--overwrite]\n"
          "Writes a synthetic dataset in the exact on-disk layout of the real one:\n"
          "  chestxray14: images/*.png (1024x1024 8-bit grey, a few RGBA), Data_Entry_2017.csv,\n"
          "               train_val_list.txt, test_list.txt\n"
          "  nerve:       train/<s>_<n>.tif + _mask.tif (580x420), test/<k>.tif, train_masks.csv\n"
          "  --n N        images (chest) or labelled train frames (nerve); default 100\n"
          "  --seed S     default 1; same seed -> same files\n"
          "  --size PX    chest side / nerve width (height keeps 420:580); default the real size\n"
          "  --threads T  default 2\n"
          "  --n-test K   nerve test/ images (default N/4)\n"
          "  --png-level L  zlib level 0..9 for chest PNGs (default 1)\n"
          "  --overwrite    write into an --out folder that is not empty (default: refuse)\n");
}

static int parse_int_arg(const char *flag, const char *v, long lo, long hi, long *out) {
  char *end;
  long x = v ? strtol(v, &end, 10) : 0;
  if (!v || !*v || *end || x < lo || x > hi) {
    fprintf(stderr, "leapfrog synth: %s wants an integer in %ld..%ld\n", flag, lo, hi);
    return 0;
  }
  *out = x;
  return 1;
}

/* 1 when `path` is a folder that holds anything. */
static int nonempty_dir(const char *path) {
  DIR *d = opendir(path);
  if (!d) return 0;
  struct dirent *e;
  int any = 0;
  while (!any && (e = readdir(d))) any = strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
  closedir(d);
  return any;
}

int cmd_synth(int argc, char **argv) {
  lf_synth_opts o;
  lf_synth_opts_default(&o);
  const char *kind = NULL, *out = NULL;
  int overwrite = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    long v;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) { synth_usage(stdout); return 0; }
    if (!strcmp(a, "--overwrite")) { overwrite = 1; continue; }
    if (a[0] != '-') {
      if (kind) { fprintf(stderr, "leapfrog synth: unexpected '%s'\n", a); synth_usage(stderr); return 2; }
      kind = a;
      continue;
    }
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "--out")) {
      if (!val) { fprintf(stderr, "leapfrog synth: --out needs a folder\n"); return 2; }
      out = val;
    } else if (!strcmp(a, "--n")) {
      if (!parse_int_arg(a, val, 1, 10000000, &v)) return 2;
      o.n = (int)v;
    } else if (!strcmp(a, "--seed")) {
      if (!parse_int_arg(a, val, 0, 0x7fffffffL, &v)) return 2;
      o.seed = (uint64_t)v;
    } else if (!strcmp(a, "--size")) {
      if (!parse_int_arg(a, val, 32, 4096, &v)) return 2;
      o.size = (int)v;
    } else if (!strcmp(a, "--threads")) {
      if (!parse_int_arg(a, val, 1, 64, &v)) return 2;
      o.threads = (int)v;
    } else if (!strcmp(a, "--n-test")) {
      if (!parse_int_arg(a, val, 0, 10000000, &v)) return 2;
      o.n_test = (int)v;
    } else if (!strcmp(a, "--png-level")) {
      if (!parse_int_arg(a, val, 0, 9, &v)) return 2;
      o.png_level = (int)v;
    } else {
      fprintf(stderr, "leapfrog synth: unknown option '%s'\n", a);
      synth_usage(stderr);
      return 2;
    }
    i++;
  }
  if (!kind || !out || (strcmp(kind, "chestxray14") && strcmp(kind, "nerve"))) {
    fprintf(stderr, "leapfrog synth: need chestxray14 or nerve, and --out DIR\n");
    synth_usage(stderr);
    return 2;
  }
  if (!overwrite && nonempty_dir(out)) {
    fprintf(stderr, "leapfrog synth: --out %s is a folder that is not empty: give --overwrite to write a dataset "
                    "into it anyway (files of the same names are replaced)\n", out);
    return 2;
  }
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  lf_status s = !strcmp(kind, "nerve") ? lf_synth_nerve(out, &o) : lf_synth_chestxray14(out, &o);
  if (s) {
    fprintf(stderr, "leapfrog synth: %s\n", lf_last_error());
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double dt = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
  fprintf(stderr, "leapfrog synth: wrote %s dataset (%d images) to %s in %.2f s\n", kind, o.n, out, dt);
  return 0;
}
