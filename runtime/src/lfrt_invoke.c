/* The invoke command shared by `leapfrog invoke` and `lfrt invoke`
 * (lfrt_invoke.h): parse, load, set the inputs from files, invoke N times,
 * write the outputs, report the timing (and --json). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lfrt.h"
#include "lfrt_invoke.h"
#include "lfrt_isa.h"

static void usage(FILE *f, const char *prog) {
  fprintf(f,
          "usage: %s MODEL.tflite --input IN.bin[,IN2.bin...] --output OUT.bin\n"
          "       [--repeat N] [--threads N] [--isa NAME] [--json]\n"
          "Runs the model once (or N times) on raw little-endian input tensors in the\n"
          "model's input order and writes the raw output bytes: OUT.bin holds all outputs\n"
          "concatenated, and OUT.bin.0, OUT.bin.1... each one when there are several.\n"
          "Timing (median/min/max ms) and arena bytes go to stderr; --json also prints\n"
          "them as one JSON line on stdout. --isa (default $LFRT_ISA, else the best):\n"
          "one of: %s.\n",
          prog, lfrt_isa_list());
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void json_str(const char *s) {
  putchar('"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') printf("\\%c", c);
    else if (c < 0x20) printf("\\u%04x", c);
    else putchar(c);
  }
  putchar('"');
}

static int parse_int(const char *s, int lo, int hi, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

int lfrt_invoke_main(const char *prog, int argc, char **argv, const lfrt_invoke_io *io) {
  if (!io) io = &lfrt_invoke_posix_io;
  const char *model_path = NULL, *inputs = NULL, *output = NULL, *isa = NULL;
  int repeat = 1, threads = 1, json = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout, prog);
      return 0;
    } else if (!strcmp(a, "--input") && i + 1 < argc) {
      inputs = argv[++i];
    } else if (!strcmp(a, "--output") && i + 1 < argc) {
      output = argv[++i];
    } else if (!strcmp(a, "--repeat") && i + 1 < argc) {
      if (parse_int(argv[++i], 1, 1000000, &repeat)) {
        fprintf(stderr, "%s: --repeat wants 1..1000000, got '%s'\n", prog, argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--threads") && i + 1 < argc) {
      if (parse_int(argv[++i], 1, 64, &threads)) {
        fprintf(stderr, "%s: --threads wants 1..64, got '%s'\n", prog, argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--isa") && i + 1 < argc) {
      isa = argv[++i];
    } else if (!strcmp(a, "--json")) {
      json = 1;
    } else if (a[0] == '-' || model_path) {
      fprintf(stderr, "%s: unexpected argument '%s'\n", prog, a);
      usage(stderr, prog);
      return 2;
    } else {
      model_path = a;
    }
  }
  if (!model_path || !inputs || !output) {
    usage(stderr, prog);
    return 2;
  }
  int g = io->guard(prog, output, model_path, inputs); /* the output is never the model or an input */
  if (g) return g;
  lfrt_error err = {{0}};
  lfrt_isa chosen;
  if (lfrt_isa_resolve(isa, &chosen, &err) != LFRT_OK) {
    fprintf(stderr, "%s: %s\n", prog, err.msg);
    return 2;
  }

  int rc = 1;
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  double *times = NULL;
  char *names = NULL;
  unsigned char *all = NULL;
  if (lfrt_model_load_file(model_path, &m, &err) != LFRT_OK) {
    fprintf(stderr, "%s: %s\n", prog, err.msg);
    goto done;
  }
  lfrt_interp_options opt = {.threads = threads, .isa = lfrt_isa_name(chosen)};
  if (lfrt_interp_create(m, &opt, &it, &err) != LFRT_OK) {
    fprintf(stderr, "%s: %s\n", prog, err.msg);
    goto done;
  }
  /* inputs: comma-separated list, one file per model input, exact byte sizes */
  names = malloc(strlen(inputs) + 1);
  if (!names) goto done;
  memcpy(names, inputs, strlen(inputs) + 1);
  int nin = lfrt_interp_input_count(it), k = 0;
  for (char *save = NULL, *tok = strtok_r(names, ",", &save); tok; tok = strtok_r(NULL, ",", &save), k++) {
    if (k >= nin) {
      fprintf(stderr, "%s: %s has %d input(s), more files given\n", prog, model_path, nin);
      rc = 2;
      goto done;
    }
    const lfrt_tensor *t = lfrt_interp_input(it, k);
    unsigned char *buf = NULL;
    size_t len = 0;
    char msg[512];
    if (io->read_file(tok, &buf, &len, msg, sizeof msg) != 0) {
      fprintf(stderr, "%s: input %d: %s\n", prog, k, msg);
      goto done;
    }
    if (len != t->bytes) {
      fprintf(stderr, "%s: input %d '%s' (%s): expected %zu bytes (%s, %lld elements), file %s has %zu\n", prog, k, t->name,
              tok, t->bytes, lfrt_type_name(t->type), (long long)t->count, tok, len);
      free(buf);
      goto done;
    }
    lfrt_status st = lfrt_interp_set_input(it, k, buf, len, &err);
    free(buf);
    if (st != LFRT_OK) {
      fprintf(stderr, "%s: %s\n", prog, err.msg);
      goto done;
    }
  }
  if (k != nin) {
    fprintf(stderr, "%s: %s has %d input(s), %d file(s) given\n", prog, model_path, nin, k);
    rc = 2;
    goto done;
  }

  times = calloc((size_t)repeat, sizeof(double));
  if (!times) goto done;
  for (int r = 0; r < repeat; r++) {
    double t0 = now_ms();
    if (lfrt_interp_invoke(it, &err) != LFRT_OK) {
      fprintf(stderr, "%s: %s\n", prog, err.msg);
      goto done;
    }
    times[r] = now_ms() - t0;
  }

  int nout = lfrt_interp_output_count(it);
  size_t total = 0;
  for (int o = 0; o < nout; o++) total += lfrt_interp_output(it, o)->bytes;
  all = malloc(total ? total : 1);
  if (!all) goto done;
  size_t pos = 0;
  for (int o = 0; o < nout; o++) {
    const lfrt_tensor *t = lfrt_interp_output(it, o);
    memcpy(all + pos, lfrt_interp_output_data(it, o), t->bytes);
    if (nout > 1 && strcmp(output, "-")) {
      size_t n = strlen(output) + 16;
      char *p = malloc(n);
      if (!p) goto done;
      snprintf(p, n, "%s.%d", output, o);
      char msg[512];
      int bad = io->write_file(p, all + pos, t->bytes, msg, sizeof msg);
      if (bad) fprintf(stderr, "%s: %s\n", prog, msg);
      free(p);
      if (bad) goto done;
    }
    pos += t->bytes;
  }
  char msg[512];
  if (io->write_file(output, all, total, msg, sizeof msg) != 0) {
    fprintf(stderr, "%s: %s\n", prog, msg);
    goto done;
  }

  qsort(times, (size_t)repeat, sizeof(double), cmp_double);
  double med = repeat % 2 ? times[repeat / 2] : 0.5 * (times[repeat / 2 - 1] + times[repeat / 2]);
  lfrt_interp_stats st;
  lfrt_interp_get_stats(it, &st);
  fprintf(stderr, "invoke %s: %d run(s), %d thread(s): median %.3f ms, min %.3f, max %.3f; arena %zu bytes (activations %zu)\n",
          model_path, repeat, threads, med, times[0], times[repeat - 1], st.arena_bytes, st.activation_bytes);
  if (json) {
    printf("{\"model\":");
    json_str(model_path);
    printf(",\"runs\":%d,\"threads\":%d,\"isa\":\"%s\",\"ms\":{\"median\":%.4f,\"min\":%.4f,\"max\":%.4f},"
           "\"arena_bytes\":%zu,\"activation_bytes\":%zu,\"weight_bytes\":%zu,\"outputs\":[",
           repeat, threads, lfrt_interp_isa(it), med, times[0], times[repeat - 1], st.arena_bytes,
           st.activation_bytes, st.weight_bytes);
    for (int o = 0; o < nout; o++) {
      const lfrt_tensor *t = lfrt_interp_output(it, o);
      printf("%s{\"name\":", o ? "," : "");
      json_str(t->name);
      printf(",\"dtype\":\"%s\",\"bytes\":%zu,\"shape\":[", lfrt_type_name(t->type), t->bytes);
      for (int d = 0; d < t->ndim; d++) printf("%s%d", d ? "," : "", (int)t->shape[d]);
      printf("]}");
    }
    printf("]}\n");
  }
  rc = 0;
done:
  free(all);
  free(times);
  free(names);
  lfrt_interp_free(it);
  lfrt_model_free(m);
  return rc;
}

