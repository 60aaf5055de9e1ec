/* lfrt: the runtime alone as one static command, for the device itself (copy
 * one file onto a Raspberry Pi or a Coral board's CPU).
 *
 *   lfrt invoke MODEL --input IN.bin[,IN2.bin] --output OUT.bin [--repeat N] [--threads N] [--isa NAME] [--json]
 *   lfrt bench MODEL [--threads N] [--isa NAME] [--runs N] [--warmup N] [--peak-gmacs X] [--json] [--profile]
 *   lfrt isa           the ISAs this CPU and build can run (space-separated)
 *   lfrt --version
 *
 * `lfrt invoke` is `leapfrog invoke` (cli/cmd_invoke.c): the same options,
 * files, messages, exit codes and bytes; `lfrt bench` is `leapfrog bench`
 * (both run lfrt_bench_main). Built from runtime/ only (C99, libc, libm). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lfrt.h"
#include "lfrt_bench.h"
#include "lfrt_isa.h"

#ifndef LFRT_GIT_VERSION
#define LFRT_GIT_VERSION "unknown"
#endif
#if defined(__aarch64__)
#define LFRT_TARGET "aarch64"
#elif defined(__arm__)
#define LFRT_TARGET "armv7"
#elif defined(__x86_64__)
#define LFRT_TARGET "x86-64"
#else
#define LFRT_TARGET "unknown"
#endif

#define P "lfrt invoke"

static void usage_invoke(FILE *f) {
  fprintf(f,
          "usage: lfrt invoke MODEL.tflite --input IN.bin[,IN2.bin...] --output OUT.bin\n"
          "                   [--repeat N] [--threads N] [--isa NAME] [--json]\n"
          "Runs the model once (or N times) on raw little-endian input tensors in the\n"
          "model's input order and writes the raw output bytes: OUT.bin holds all outputs\n"
          "concatenated, and OUT.bin.0, OUT.bin.1... each one when there are several.\n"
          "Timing (median/min/max ms) and arena bytes go to stderr; --json also prints\n"
          "them as one JSON line on stdout. --isa (default $LFRT_ISA, else the best):\n"
          "one of: %s.\n",
          lfrt_isa_list());
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: lfrt COMMAND [ARGS]   (lfrt COMMAND --help for details)\n\n"
          "  invoke    run a .tflite model on raw input tensors (as leapfrog invoke)\n"
          "  bench     time a .tflite model: ms/image, GMAC/s, memory, per-op profile\n"
          "  isa       list the instruction sets this CPU can run kernels for\n"
          "  --version the build and this CPU's best ISA\n");
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

/* The whole regular file at path (malloc'd), as lf_read_file. 0 on success. */
static int read_file(const char *path, unsigned char **data, size_t *len) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return -1;
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return -1;
  }
  size_t n = (size_t)st.st_size;
  unsigned char *buf = malloc(n + 1);
  if (!buf) {
    fclose(f);
    return -1;
  }
  size_t got = fread(buf, 1, n, f);
  int bad = ferror(f);
  fclose(f);
  if (got != n || bad) {
    free(buf);
    return -1;
  }
  *data = buf;
  *len = n;
  return 0;
}

static int write_stream(FILE *f, const void *data, size_t len) {
  return (len && fwrite(data, 1, len, f) != len) || fflush(f) != 0 || ferror(f) ? -1 : 0;
}

/* Writes `path` as lf_write_file_atomic does: "-" is stdout; a device node or
 * FIFO is written in place; a symlink writes its target (the link stays); a
 * regular file is replaced through TARGET.tmp.PID + fsync + rename, keeping its
 * mode (and owner, as root); a directory is refused. 0 on success. */
static int write_file_atomic(const char *path, const void *data, size_t len) {
  if (!strcmp(path, "-")) return write_stream(stdout, data, len);
  char *real = realpath(path, NULL); /* an existing path with its symlinks resolved */
  const char *target = real ? real : path;
  struct stat st;
  int exists = stat(target, &st) == 0, ok;
  if (exists && S_ISDIR(st.st_mode)) {
    free(real);
    errno = EISDIR;
    return -1;
  }
  if (exists && !S_ISREG(st.st_mode)) { /* a rename would replace the node itself */
    FILE *f = fopen(target, "wb");
    ok = f && write_stream(f, data, len) == 0;
    if (f && fclose(f) != 0) ok = 0;
    free(real);
    return ok ? 0 : -1;
  }
  size_t n = strlen(target) + 32;
  char *tmp = malloc(n);
  if (!tmp) {
    free(real);
    return -1;
  }
  snprintf(tmp, n, "%s.tmp.%ld", target, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  ok = f != NULL;
  if (ok && exists) {
    if (geteuid() == 0 && fchown(fileno(f), st.st_uid, st.st_gid) != 0) { /* keep ours */ }
    if (fchmod(fileno(f), st.st_mode & 07777) != 0) ok = 0;
  }
  if (ok && len && fwrite(data, 1, len, f) != len) ok = 0;
  if (ok && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) ok = 0;
  if (f && fclose(f) != 0) ok = 0;
  if (ok && rename(tmp, target) != 0) ok = 0;
  if (!ok && f) unlink(tmp);
  free(tmp);
  free(real);
  return ok ? 0 : -1;
}

/* 1 when a and b are the same existing file (device + inode) or the same path. */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (!strcmp(a, "-") || !strcmp(b, "-")) return 0;
  if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  return !strcmp(a, b);
}

static int cmd_invoke(int argc, char **argv) {
  const char *model_path = NULL, *inputs = NULL, *output = NULL, *isa = NULL;
  int repeat = 1, threads = 1, json = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage_invoke(stdout);
      return 0;
    } else if (!strcmp(a, "--input") && i + 1 < argc) {
      inputs = argv[++i];
    } else if (!strcmp(a, "--output") && i + 1 < argc) {
      output = argv[++i];
    } else if (!strcmp(a, "--repeat") && i + 1 < argc) {
      if (parse_int(argv[++i], 1, 1000000, &repeat)) {
        fprintf(stderr, P ": --repeat wants 1..1000000, got '%s'\n", argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--threads") && i + 1 < argc) {
      if (parse_int(argv[++i], 1, 64, &threads)) {
        fprintf(stderr, P ": --threads wants 1..64, got '%s'\n", argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--isa") && i + 1 < argc) {
      isa = argv[++i];
    } else if (!strcmp(a, "--json")) {
      json = 1;
    } else if (a[0] == '-' || model_path) {
      fprintf(stderr, P ": unexpected argument '%s'\n", a);
      usage_invoke(stderr);
      return 2;
    } else {
      model_path = a;
    }
  }
  if (!model_path || !inputs || !output) {
    usage_invoke(stderr);
    return 2;
  }
  { /* the output must not be the model or an input */
    const char *clash = same_file(output, model_path) ? model_path : NULL;
    for (const char *s = inputs; !clash && *s;) {
      size_t k = strcspn(s, ",");
      char in[4096];
      snprintf(in, sizeof in, "%.*s", (int)(k < sizeof in ? k : sizeof in - 1), s);
      if (same_file(output, in)) clash = s;
      s += k + (s[k] == ',');
    }
    if (clash) {
      fprintf(stderr, P ": --output %s is the same file as %s (%.*s): refusing to overwrite an input of this command\n",
              output, clash == model_path ? "MODEL" : "--input", (int)strcspn(clash, ","), clash);
      return 2;
    }
  }
  lfrt_error err = {{0}};
  lfrt_isa chosen;
  if (lfrt_isa_resolve(isa, &chosen, &err) != LFRT_OK) {
    fprintf(stderr, P ": %s\n", err.msg);
    return 2;
  }

  int rc = 1;
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  double *times = NULL;
  char *names = NULL;
  unsigned char *all = NULL;
  if (lfrt_model_load_file(model_path, &m, &err) != LFRT_OK) {
    fprintf(stderr, P ": %s\n", err.msg);
    goto done;
  }
  lfrt_interp_options opt = {.threads = threads, .isa = lfrt_isa_name(chosen)};
  if (lfrt_interp_create(m, &opt, &it, &err) != LFRT_OK) {
    fprintf(stderr, P ": %s\n", err.msg);
    goto done;
  }
  /* inputs: comma-separated list, one file per model input, exact byte sizes */
  names = malloc(strlen(inputs) + 1);
  if (!names) goto done;
  strcpy(names, inputs);
  int nin = lfrt_interp_input_count(it), k = 0;
  for (char *save = NULL, *tok = strtok_r(names, ",", &save); tok; tok = strtok_r(NULL, ",", &save), k++) {
    if (k >= nin) {
      fprintf(stderr, P ": %s has %d input(s), more files given\n", model_path, nin);
      rc = 2;
      goto done;
    }
    const lfrt_tensor *t = lfrt_interp_input(it, k);
    unsigned char *buf = NULL;
    size_t len = 0;
    if (read_file(tok, &buf, &len) != 0) {
      fprintf(stderr, P ": cannot read input %d '%s'\n", k, tok);
      goto done;
    }
    if (len != t->bytes) {
      fprintf(stderr, P ": input %d '%s' (%s): expected %zu bytes (%s, %lld elements), file %s has %zu\n", k, t->name,
              tok, t->bytes, lfrt_type_name(t->type), (long long)t->count, tok, len);
      free(buf);
      goto done;
    }
    lfrt_status st = lfrt_interp_set_input(it, k, buf, len, &err);
    free(buf);
    if (st != LFRT_OK) {
      fprintf(stderr, P ": %s\n", err.msg);
      goto done;
    }
  }
  if (k != nin) {
    fprintf(stderr, P ": %s has %d input(s), %d file(s) given\n", model_path, nin, k);
    rc = 2;
    goto done;
  }

  times = calloc((size_t)repeat, sizeof(double));
  if (!times) goto done;
  for (int r = 0; r < repeat; r++) {
    double t0 = now_ms();
    if (lfrt_interp_invoke(it, &err) != LFRT_OK) {
      fprintf(stderr, P ": %s\n", err.msg);
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
      int bad = write_file_atomic(p, all + pos, t->bytes);
      if (bad) fprintf(stderr, P ": cannot write %s: %s\n", p, strerror(errno));
      free(p);
      if (bad) goto done;
    }
    pos += t->bytes;
  }
  if (write_file_atomic(output, all, total) != 0) {
    fprintf(stderr, P ": cannot write %s: %s\n", output, strerror(errno));
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

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("lfrt (libleapfrog-rt) git %s, %s; best ISA here: %s (available: %s)\n", LFRT_GIT_VERSION,
           LFRT_TARGET, lfrt_isa_name(lfrt_isa_best()), lfrt_isa_list());
    return 0;
  }
  if (!strcmp(argv[1], "isa")) {
    if (argc > 2) {
      fprintf(stderr, "usage: lfrt isa   (prints the ISAs this CPU can run, space-separated)\n");
      return 2;
    }
    printf("%s\n", lfrt_isa_list());
    return 0;
  }
  if (!strcmp(argv[1], "invoke")) return cmd_invoke(argc - 1, argv + 1);
  if (!strcmp(argv[1], "bench")) return lfrt_bench_main("lfrt bench", argc - 1, argv + 1);
  fprintf(stderr, "lfrt: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
