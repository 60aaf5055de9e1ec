/* Runtime benchmark and model writer for the oracle tests.
 *
 *   bench_runtime [--runs N] [--threads T] [--no-peer] [--batch B]
 *       DenseNet-121-shaped int8 at 224x224x3 and UNet-shaped int8 at 80x112x1
 *       (tests/util/model_zoo.h), batch B (default 1; B images per invoke):
 *       ms per image (per invoke / B; median, min-max over N runs),
 *       arena MB, model MB, in leapfrog and in LiteRT (wasm under node, 1
 *       thread) measured in the same run, and the ratio. Also checks that both
 *       give the same output bytes.
 *   bench_runtime --write-models DIR [--small] [--batch B]
 *       writes the zoo models + one random input each + DIR/models.tsv
 *       (name, model, input, exactness class); --batch B (default 1) makes them
 *       batch B, named <name>_bB (densenet121_i8_b8.tflite, B random images in
 *       its .in.bin), same weights as batch 1; --small builds them at reduced
 *       resolution (DenseNet 64x64, UNet 32x48) for quick tests; --all-layers adds
 *       <name>_all copies of the int8 models in which every activation is a model
 *       output too (compare every layer, or find the first differing one).
 *   bench_runtime --write-ops DIR [--runs R] [--seed S]   single-op oracle cases
 *   bench_runtime --check-ops DIR                         compare (see oracle_ops.h)
 *   bench_runtime --agree-ops DIR A B  per op: runs whose .A.bin and .B.bin outputs are
 *       identical (A, B in litert, tfjs, lf)
 *   bench_runtime --compare A B TOL    A, B identical (TOL 0) or float32 within TOL abs
 *   bench_runtime --invoke-tsv MANIFEST   run "MODEL IN OUT" lines in-process, like
 *       `leapfrog invoke` (OUT.err gets the message when a model is refused)
 * env: LF_ROOT (repository root, to find tests/oracles/tflite; default ".") */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lfrt.h"
#include "lfrt_interp.h"
#include "util/model_zoo.h"
#include "util/oracle_ops.h"
#include "util/op_zoo.h"

typedef struct {
  const char *name;
  int fp32, kind; /* kind 0 densenet, 1 unet resize, 2 unet tconv */
  int h, w;
  int all;        /* every activation is a model output too (lf_zoo_debug_outputs) */
} zoo_entry;

static int build(const zoo_entry *e, int batch, void **bytes, size_t *len) {
  char msg[256] = "";
  int rc = e->kind == 0 ? lf_zoo_densenet121_batch(e->fp32, 121, batch, e->h, e->w, 14, bytes, len, msg, sizeof msg)
                        : lf_zoo_unet_batch(e->fp32, 80112 + e->kind, batch, e->h, e->w, 32, e->kind == 2,
                                            bytes, len, msg, sizeof msg);
  if (rc < 0) fprintf(stderr, "bench_runtime: building %s: %s\n", e->name, msg);
  return rc;
}

static int write_bytes(const char *path, const void *data, size_t len) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(data, 1, len, f);
  return (fclose(f) == 0 && w == len) ? 0 : -1;
}

static size_t input_bytes(const zoo_entry *e, int batch) {
  return (size_t)batch * e->h * e->w * (e->kind == 0 ? 3 : 1) * (e->fp32 ? 4 : 1);
}

static int write_models(const char *dir, int small, int all_layers, int batch) {
  zoo_entry zs[] = {{"densenet121_i8", 0, 0, 224, 224, 0},  {"densenet121_f32", 1, 0, 224, 224, 0},
                    {"unet_i8", 0, 1, 80, 112, 0},           {"unet_tconv_i8", 0, 2, 80, 112, 0},
                    {"unet_f32", 1, 1, 80, 112, 0},          {"unet_tconv_f32", 1, 2, 80, 112, 0},
                    {"densenet121_i8_all", 0, 0, 224, 224, 1}, {"unet_i8_all", 0, 1, 80, 112, 1},
                    {"unet_tconv_i8_all", 0, 2, 80, 112, 1}};
  char path[1024], name[128];
  snprintf(path, sizeof path, "%s/models.tsv", dir);
  FILE *tsv = fopen(path, "w");
  if (!tsv) {
    fprintf(stderr, "bench_runtime: cannot write %s\n", path);
    return 1;
  }
  uint64_t rng = 20261124;
  for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
    zoo_entry e = zs[i];
    if (e.all && !all_layers) continue;
    if (small) {
      e.h = e.kind == 0 ? 64 : 32;
      e.w = e.kind == 0 ? 64 : 48;
    }
    void *bytes;
    size_t len;
    if (batch > 1) snprintf(name, sizeof name, "%s_b%d", zs[i].name, batch);
    else snprintf(name, sizeof name, "%s", zs[i].name);
    e.name = name;
    lf_zoo_debug_outputs = e.all;
    int brc = build(&e, batch, &bytes, &len);
    lf_zoo_debug_outputs = 0;
    if (brc < 0) return 1;
    snprintf(path, sizeof path, "%s/%s.tflite", dir, e.name);
    int rc = write_bytes(path, bytes, len);
    free(bytes);
    size_t ib = input_bytes(&e, batch);
    void *in = malloc(ib);
    if (!in || rc < 0) return 1;
    lf_opzoo_random_input(&rng, e.fp32 ? LFRT_FLOAT32 : LFRT_INT8, in, ib);
    snprintf(path, sizeof path, "%s/%s.in.bin", dir, e.name);
    rc = write_bytes(path, in, ib);
    free(in);
    if (rc < 0) return 1;
    fprintf(tsv, "%s\t%s/%s.tflite\t%s/%s.in.bin\t%s\n", e.name, dir, e.name, dir, e.name,
            e.fp32 ? "f32" : "i8");
  }
  fclose(tsv);
  return 0;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Parses the JSON number array after `key` ("ms":[...]), skipping the first
 * (warm-up) entry, into v (at most n). Returns the count. */
static int parse_runs(const char *buf, const char *key, double *v, int n) {
  const char *s = strstr(buf, key);
  if (!s) return 0;
  s += strlen(key);
  while (*s && *s != ',' && *s != ']') s++; /* the first run packs XNNPACK's weights */
  if (*s == ',') s++;
  int k = 0;
  while (k < n && *s && *s != ']') {
    char *e;
    v[k++] = strtod(s, &e);
    if (e == s) break;
    s = e;
    if (*s == ',') s++;
  }
  return k;
}

/* Runs LiteRT on model/input runs+1 times (one node process), parses the
 * per-run wall and CPU ms; output bytes go to out_path. Returns the count. */
static int run_litert(const char *root, const char *dir, const char *model, const char *input,
                      const char *out_path, int runs, double *ms, double *cpu) {
  char path[1024], cmd[4096];
  snprintf(path, sizeof path, "%s/bench.tsv", dir);
  FILE *f = fopen(path, "w");
  if (!f) return 0;
  fprintf(f, "%s\t%s\t%s\n", model, input, out_path);
  fclose(f);
  snprintf(cmd, sizeof cmd,
           "TFLITE_THREADS=1 TFLITE_REPEAT=%d node '%s/tests/oracles/tflite/run_litert_batch.mjs' "
           "'%s' 2>/dev/null",
           runs + 1, root, path);
  FILE *p = popen(cmd, "r");
  if (!p) return 0;
  static char buf[1 << 16];
  size_t n = fread(buf, 1, sizeof buf - 1, p);
  buf[n] = 0;
  pclose(p);
  if (!strstr(buf, "\"ok\":true")) {
    fprintf(stderr, "bench_runtime: LiteRT failed: %.300s\n", buf);
    return 0;
  }
  int k = parse_runs(buf, "\"ms\":[", ms, runs);
  if (parse_runs(buf, "\"cpu_ms\":[", cpu, runs) != k) return 0;
  return k;
}

static int bench(int runs, int threads, int peer, int batch) {
  const char *root = getenv("LF_ROOT") ? getenv("LF_ROOT") : ".";
  char probe[1200];
  snprintf(probe, sizeof probe, "%s/tests/oracles/tflite/node_modules/@litertjs/core", root);
  struct stat sb;
  if (peer && (stat(probe, &sb) != 0 || system("node --version >/dev/null 2>&1") != 0)) {
    printf("(LiteRT peer not available: needs node and npm install in tests/oracles/tflite)\n");
    peer = 0;
  }
  char dir[] = "/tmp/lf-bench-runtime.XXXXXX";
  if (!mkdtemp(dir)) return 1;
  zoo_entry zs[] = {{"densenet121_i8", 0, 0, 224, 224, 0}, {"unet_i8", 0, 1, 80, 112, 0},
                    {"unet_tconv_i8", 0, 2, 80, 112, 0}};
  int status = 0;
  printf("%-15s %8s %8s | %-26s %8s | %-26s %8s | %9s %s\n", "model", "model_MB", "arena_MB",
         "leapfrog wall ms med[min-max]", "cpu ms", "LiteRT wall ms med[min-max]", "cpu ms",
         "lf/LiteRT", "same bytes");
  uint64_t rng = 7;
  char isa_name[32] = ""; /* the kernels the runtime chose (LFRT_ISA or the best) */
  for (size_t i = 0; i < sizeof zs / sizeof zs[0]; i++) {
    const zoo_entry *e = &zs[i];
    void *bytes;
    size_t len;
    if (build(e, batch, &bytes, &len) < 0) return 1;
    char mpath[1200], ipath[1200], opath[1200];
    snprintf(mpath, sizeof mpath, "%s/%s.tflite", dir, e->name);
    snprintf(ipath, sizeof ipath, "%s/%s.in.bin", dir, e->name);
    snprintf(opath, sizeof opath, "%s/%s.litert.bin", dir, e->name);
    size_t ib = input_bytes(e, batch);
    void *in = malloc(ib);
    lf_opzoo_random_input(&rng, LFRT_INT8, in, ib);
    write_bytes(mpath, bytes, len);
    write_bytes(ipath, in, ib);
    lfrt_model *m = NULL;
    lfrt_interp *it = NULL;
    lfrt_error err = {""};
    lfrt_interp_options io = {.threads = threads};
    if (!isa_name[0]) {
      lfrt_isa isa;
      snprintf(isa_name, sizeof isa_name, "%s", lfrt_isa_resolve(NULL, &isa, NULL) ? "?" : lfrt_isa_name(isa));
    }
    if (lfrt_model_load(bytes, len, e->name, &m, &err) != LFRT_OK ||
        lfrt_interp_create(m, &io, &it, &err) != LFRT_OK ||
        lfrt_interp_set_input(it, 0, in, ib, &err) != LFRT_OK) {
      fprintf(stderr, "bench_runtime: %s: %s\n", e->name, err.msg);
      return 1;
    }
    double *ms = calloc((size_t)runs, sizeof *ms), *lms = calloc((size_t)runs, sizeof *lms);
    double *cpu = calloc((size_t)runs, sizeof *cpu), *lcpu = calloc((size_t)runs, sizeof *lcpu);
    if (lfrt_interp_invoke(it, &err) != LFRT_OK) { /* warm-up */
      fprintf(stderr, "bench_runtime: %s: %s\n", e->name, err.msg);
      return 1;
    }
    for (int r = 0; r < runs; r++) {
      double t0 = now_ms(), c0 = cpu_ms();
      lfrt_interp_invoke(it, &err);
      ms[r] = (now_ms() - t0) / batch;
      cpu[r] = (cpu_ms() - c0) / batch;
    }
    qsort(ms, (size_t)runs, sizeof *ms, cmp_d);
    qsort(cpu, (size_t)runs, sizeof *cpu, cmp_d);
    const lfrt_tensor *ot = lfrt_interp_output(it, 0);
    const void *ours = lfrt_interp_output_data(it, 0);
    char lit[64] = "(not run)", litc[32] = "-", ratio[16] = "-", same[16] = "-";
    int nl = peer ? run_litert(root, dir, mpath, ipath, opath, runs, lms, lcpu) : 0;
    for (int r = 0; r < nl; r++) lms[r] /= batch, lcpu[r] /= batch;
    if (nl > 0) {
      qsort(lms, (size_t)nl, sizeof *lms, cmp_d);
      qsort(lcpu, (size_t)nl, sizeof *lcpu, cmp_d);
      snprintf(lit, sizeof lit, "%.1f [%.1f-%.1f]", lms[nl / 2], lms[0], lms[nl - 1]);
      snprintf(litc, sizeof litc, "%.1f", lcpu[nl / 2]);
      snprintf(ratio, sizeof ratio, "%.2fx", cpu[runs / 2] / lcpu[nl / 2]);
      FILE *f = fopen(opath, "rb");
      unsigned char *lb = malloc(ot->bytes);
      size_t got = f && lb ? fread(lb, 1, ot->bytes, f) : 0;
      if (f) fclose(f);
      int eq = got == ot->bytes && !memcmp(lb, ours, ot->bytes);
      snprintf(same, sizeof same, "%s", eq ? "yes" : "NO");
      if (!eq) status = 1;
      free(lb);
    } else if (peer) {
      status = 1;
    }
    char ours_s[64];
    snprintf(ours_s, sizeof ours_s, "%.1f [%.1f-%.1f]", ms[runs / 2], ms[0], ms[runs - 1]);
    printf("%-15s %8.2f %8.2f | %-26s %8.1f | %-26s %8s | %9s %s\n", e->name, len / 1048576.0,
           lfrt_interp_arena_bytes(it) / 1048576.0, ours_s, cpu[runs / 2], lit, litc, ratio, same);
    fflush(stdout);
    free(ms);
    free(lms);
    free(cpu);
    free(lcpu);
    free(in);
    free(bytes);
    lfrt_interp_free(it);
    lfrt_model_free(m);
  }
  printf("(%d runs each after one warm-up run, batch %d, times per image = per run / batch; leapfrog "
         "%d thread(s), %s kernels; LiteRT.js "
         "2.5.3 wasm (XNNPACK), 1 thread, node; same model file and input. cpu ms = process CPU "
         "time per run (median), robust on a shared machine; lf/LiteRT = ratio of the cpu "
         "medians, > 1 means leapfrog is slower)\n",
         runs, batch, threads, isa_name);
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) status = 1;
  return status;
}

/* Runs each line "MODEL IN0[,IN1] OUT" of a manifest in-process (what
 * `leapfrog invoke` does), so the oracle tests can run without the CLI too.
 * A model we refuse gets OUT.err with the message. Returns the number of failures. */
static int invoke_tsv(const char *tsv) {
  FILE *f = fopen(tsv, "r");
  if (!f) return 1;
  static char line[16384];
  int failures = 0;
  while (fgets(line, sizeof line, f)) {
    char *model = strtok(line, "\t\n"), *ins = strtok(NULL, "\t\n"), *out = strtok(NULL, "\t\n");
    if (!model || !ins || !out) continue;
    lfrt_model *m = NULL;
    lfrt_interp *it = NULL;
    lfrt_error err = {""};
    int ok = lfrt_model_load_file(model, &m, &err) == LFRT_OK &&
             lfrt_interp_create(m, NULL, &it, &err) == LFRT_OK;
    for (int i = 0; ok; i++) {
      char *in = strtok(i ? NULL : ins, ",");
      if (!in) break;
      const lfrt_tensor *t = lfrt_interp_input(it, i);
      FILE *fi = fopen(in, "rb");
      size_t got = t && fi ? fread(lfrt_interp_input_data(it, i), 1, t->bytes, fi) : 0;
      if (fi) fclose(fi);
      if (!t || got != t->bytes) {
        snprintf(err.msg, sizeof err.msg, "%s: cannot read input %d", in, i);
        ok = 0;
      }
    }
    if (ok) ok = lfrt_interp_invoke(it, &err) == LFRT_OK;
    if (ok) {
      FILE *fo = fopen(out, "wb");
      for (int i = 0; fo && i < lfrt_interp_output_count(it); i++)
        fwrite(lfrt_interp_output_data(it, i), 1, lfrt_interp_output(it, i)->bytes, fo);
      if (!fo || fclose(fo)) ok = 0;
    }
    if (!ok) {
      char ep[2048];
      snprintf(ep, sizeof ep, "%s.err", out);
      FILE *fe = fopen(ep, "w");
      if (fe) {
        fprintf(fe, "%s\n", err.msg);
        fclose(fe);
      }
      failures++;
    }
    lfrt_interp_free(it);
    lfrt_model_free(m);
  }
  fclose(f);
  return failures;
}

/* The whole file, malloc'd (NULL if unreadable). */
static unsigned char *read_whole(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  size_t cap = 1 << 20, n = 0;
  unsigned char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    unsigned char *nb = realloc(buf, cap *= 2);
    if (!nb) free(buf);
    buf = nb;
  }
  fclose(f);
  *len = n;
  return buf;
}

static int compare_bytes(const unsigned char *a, size_t la, const unsigned char *b, size_t lb,
                         const char *a_path, const char *b_path, double tol);

/* Compares two output files: byte-identical, or (tol > 0) float32 within tol absolute.
 * Prints one line; returns 0 when they pass. */
static int compare_files(const char *a_path, const char *b_path, double tol) {
  size_t la = 0, lb = 0;
  unsigned char *a = read_whole(a_path, &la), *b = read_whole(b_path, &lb);
  int rc = compare_bytes(a, la, b, lb, a_path, b_path, tol);
  free(a);
  free(b);
  return rc;
}

static int compare_bytes(const unsigned char *a, size_t la, const unsigned char *b, size_t lb,
                         const char *a_path, const char *b_path, double tol) {
  if (!a || !b || la != lb || la == 0) {
    printf("FAIL %s vs %s: missing or different sizes (%zu, %zu bytes)\n", a_path, b_path, la, lb);
    return 1;
  }
  size_t diff = 0, first = 0;
  for (size_t i = 0; i < la; i++)
    if (a[i] != b[i] && !diff++) first = i;
  if (!diff) {
    printf("ok   %s: %zu bytes identical\n", b_path, la);
    return 0;
  }
  if (tol <= 0) {
    printf("FAIL %s: %zu of %zu bytes differ, first at %zu (%d vs %d)\n", b_path, diff, la, first,
           (int8_t)a[first], (int8_t)b[first]);
    return 1;
  }
  double worst = 0;
  size_t bad = 0;
  for (size_t i = 0; i + 4 <= la; i += 4) {
    float x, y;
    memcpy(&x, a + i, 4);
    memcpy(&y, b + i, 4);
    double d = x > y ? (double)x - y : (double)y - x;
    if (d > worst || d != d) worst = d;
    if (!(d <= tol)) bad++;
  }
  printf("%s %s: float32, max |diff| %.3g (tolerance %.3g), %zu out of tolerance\n",
         bad ? "FAIL" : "ok  ", b_path, worst, tol, bad);
  return bad ? 1 : 0;
}

int main(int argc, char **argv) {
  int runs = 0, threads = 1, peer = 1, small = 0, all_layers = 0, batch = 1;
  uint64_t seed = 1;
  const char *write_m = NULL, *write_o = NULL, *check_o = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = strtoull(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--no-peer")) peer = 0;
    else if (!strcmp(argv[i], "--small")) small = 1;
    else if (!strcmp(argv[i], "--all-layers")) all_layers = 1;
    else if (!strcmp(argv[i], "--batch") && i + 1 < argc && atoi(argv[i + 1]) >= 1) batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--write-models") && i + 1 < argc) write_m = argv[++i];
    else if (!strcmp(argv[i], "--write-ops") && i + 1 < argc) write_o = argv[++i];
    else if (!strcmp(argv[i], "--check-ops") && i + 1 < argc) check_o = argv[++i];
    else if (!strcmp(argv[i], "--invoke-tsv") && i + 1 < argc) return invoke_tsv(argv[i + 1]) ? 1 : 0;
    else if (!strcmp(argv[i], "--agree-ops") && i + 3 < argc)
      return lf_oracle_agree_ops(argv[i + 1], argv[i + 2], argv[i + 3], stdout) ? 1 : 0;
    else if (!strcmp(argv[i], "--compare") && i + 3 < argc)
      return compare_files(argv[i + 1], argv[i + 2], atof(argv[i + 3]));
    else {
      fprintf(stderr,
              "usage: bench_runtime [--runs N] [--threads T] [--no-peer] [--batch B]\n"
              "       bench_runtime --write-models DIR [--small] [--all-layers] [--batch B]\n"
              "       bench_runtime --write-ops DIR [--runs R] [--seed S]\n"
              "       bench_runtime --check-ops DIR\n"
              "       bench_runtime --invoke-tsv MANIFEST\n"
              "       bench_runtime --agree-ops DIR A B\n"
              "       bench_runtime --compare A B TOL\n");
      return 2;
    }
  }
  if (write_m) return write_models(write_m, small, all_layers, batch);
  if (write_o) return lf_oracle_write_ops(write_o, seed, runs > 0 ? runs : 2, stdout) ? 1 : 0;
  if (check_o) {
    int f = lf_oracle_check_ops(check_o, stdout);
    if (f < 0) fprintf(stderr, "bench_runtime: cannot read %s/cases.tsv\n", check_o);
    return f ? 1 : 0;
  }
  return bench(runs > 0 ? runs : 10, threads, peer, batch);
}
