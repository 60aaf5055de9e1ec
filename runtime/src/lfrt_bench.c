/* Benchmarking an interpreter (lfrt_bench.h): inputs, timed runs, the
 * per-node profile and its report, and the `bench` command both CLIs run. */
#include "lfrt_bench.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* ---- inputs ------------------------------------------------------------------ */
static uint64_t splitmix64(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void lfrt_bench_fill_inputs(lfrt_interp *it, uint64_t seed) {
  uint64_t s = seed;
  for (int i = 0; i < lfrt_interp_input_count(it); i++) {
    const lfrt_tensor *t = lfrt_interp_input(it, i);
    unsigned char *p = lfrt_interp_input_data(it, i);
    if (!t || !p) continue;
    if (t->type == LFRT_INT8 || t->type == LFRT_UINT8) {
      for (size_t k = 0; k < t->bytes; k++) p[k] = (unsigned char)(splitmix64(&s) >> 56);
    } else if (t->type == LFRT_BOOL) {
      for (size_t k = 0; k < t->bytes; k++) p[k] = (unsigned char)(splitmix64(&s) >> 63);
    } else if (t->type == LFRT_FLOAT32) {
      float *f = (float *)p;
      for (int64_t k = 0; k < t->count; k++) f[k] = (float)((double)(splitmix64(&s) >> 11) * 0x1p-52 - 1.0);
    } else {
      memset(p, 0, t->bytes);
    }
  }
}

/* ---- timing ------------------------------------------------------------------ */
static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static long long peak_rss_bytes(void) {
  struct rusage ru;
  if (getrusage(RUSAGE_SELF, &ru) != 0) return -1;
#if defined(__APPLE__)
  return (long long)ru.ru_maxrss; /* bytes there */
#else
  return (long long)ru.ru_maxrss * 1024; /* KiB on Linux */
#endif
}

/* Adds node (name, ms, macs) to the group list g (n entries, room for nops). */
static void group_add(lfrt_bench_group *g, int *n, const char *name, double ms, long long macs) {
  int k = 0;
  while (k < *n && strcmp(g[k].name, name)) k++;
  if (k == *n) {
    g[k].name = name;
    g[k].nodes = 0;
    g[k].ms = 0;
    g[k].macs = 0;
    (*n)++;
  }
  g[k].nodes++;
  g[k].ms += ms;
  g[k].macs += macs;
}

static int cmp_group(const void *a, const void *b) {
  const lfrt_bench_group *x = a, *y = b;
  if (x->ms != y->ms) return x->ms > y->ms ? -1 : 1;
  return strcmp(x->name, y->name);
}

static int cmp_node(const void *a, const void *b) {
  const lfrt_bench_node *x = a, *y = b;
  if (x->ms != y->ms) return x->ms > y->ms ? -1 : 1;
  return x->node - y->node;
}

static const char *op_name(const lfrt_model *m, int i) {
  const char *s = lfrt_op_name((int)m->ops[i].op);
  return s ? s : "?";
}

static lfrt_status profile_report(lfrt_interp *it, const lfrt_model *m, const double *sec, int runs,
                                  lfrt_bench_result *r, lfrt_error *err) {
  int n = m->nops;
  r->by_op = calloc((size_t)n + 1, sizeof *r->by_op);
  r->by_kernel = calloc((size_t)n + 1, sizeof *r->by_kernel);
  lfrt_bench_node *all = calloc((size_t)n + 1, sizeof *all);
  if (!r->by_op || !r->by_kernel || !all) {
    free(all);
    return lfrt_set_error(err, LFRT_ENOMEM, "%s: bench: out of memory", m->source_name);
  }
  for (int i = 0; i < n; i++) {
    const char *k = lfrt_interp_node_kernel(it, i);
    all[i].node = i;
    all[i].op = op_name(m, i);
    all[i].kernel = k ? k : "?";
    all[i].ms = sec[i] * 1e3 / runs;
    all[i].macs = lfrt_interp_node_macs(it, i);
    r->profile_ms += all[i].ms;
    group_add(r->by_op, &r->nby_op, all[i].op, all[i].ms, all[i].macs);
    group_add(r->by_kernel, &r->nby_kernel, all[i].kernel, all[i].ms, all[i].macs);
  }
  qsort(r->by_op, (size_t)r->nby_op, sizeof *r->by_op, cmp_group);
  qsort(r->by_kernel, (size_t)r->nby_kernel, sizeof *r->by_kernel, cmp_group);
  qsort(all, (size_t)n, sizeof *all, cmp_node);
  r->nslowest = n < LFRT_BENCH_SLOWEST ? n : LFRT_BENCH_SLOWEST;
  r->slowest = all; /* the first nslowest entries are read */
  r->nops_profiled = n;
  return LFRT_OK;
}

lfrt_status lfrt_bench_run(lfrt_interp *it, const lfrt_model *m, const lfrt_bench_options *o,
                           lfrt_bench_result *r, lfrt_error *err) {
  memset(r, 0, sizeof *r);
  if (!it || !m || !o || o->runs < 1 || o->warmup < 0)
    return lfrt_set_error(err, LFRT_EINVAL, "bench: needs an interpreter, its model and runs >= 1");
  r->model_name = m->source_name;
  r->model_bytes = m->file_bytes;
  r->isa = lfrt_interp_isa(it);
  r->nodes = m->nops;
  r->warmup = o->warmup;
  r->runs = o->runs;
  r->peak_gmacs = o->peak_gmacs > 0 ? o->peak_gmacs : 0;
  r->arena_bytes = lfrt_interp_arena_bytes(it);
  const lfrt_tensor *in0 = lfrt_interp_input(it, 0);
  r->batch = in0 && in0->ndim >= 2 ? (int)in0->shape[0] : 1;
  for (int i = 0; i < m->nops; i++) r->macs += lfrt_interp_node_macs(it, i);

  double *ms = calloc((size_t)o->runs, sizeof *ms);
  double *sec = o->profile ? calloc((size_t)m->nops + 1, sizeof *sec) : NULL;
  lfrt_status st = LFRT_OK;
  if (!ms || (o->profile && !sec)) {
    st = lfrt_set_error(err, LFRT_ENOMEM, "%s: bench: out of memory", m->source_name);
    goto done;
  }
  for (int w = 0; w < o->warmup && st == LFRT_OK; w++) st = lfrt_interp_invoke(it, err);
  for (int k = 0; k < o->runs && st == LFRT_OK; k++) {
    double t0 = now_ms();
    st = sec ? lfrt_interp_invoke_profile(it, sec, err) : lfrt_interp_invoke(it, err);
    ms[k] = now_ms() - t0;
  }
  if (st != LFRT_OK) goto done;
  qsort(ms, (size_t)o->runs, sizeof *ms, cmp_double);
  int n = o->runs;
  r->ms_median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  r->ms_min = ms[0];
  r->ms_max = ms[n - 1];
  r->gmacs = r->ms_median > 0 ? (double)r->macs / (r->ms_median * 1e6) : 0;
  if (sec) st = profile_report(it, m, sec, o->runs, r, err);
  r->peak_rss_bytes = peak_rss_bytes();
done:
  free(ms);
  free(sec);
  if (st != LFRT_OK) lfrt_bench_result_free(r);
  return st;
}

void lfrt_bench_result_free(lfrt_bench_result *r) {
  if (!r) return;
  free(r->by_op);
  free(r->by_kernel);
  free(r->slowest);
  r->by_op = r->by_kernel = NULL;
  r->slowest = NULL;
  r->nby_op = r->nby_kernel = r->nslowest = r->nops_profiled = 0;
}

/* ---- reports ----------------------------------------------------------------- */
static double gmacs_of(long long macs, double ms) { return ms > 0 ? (double)macs / (ms * 1e6) : 0; }
static double share_of(double ms, double total) { return total > 0 ? ms / total : 0; }

/* "GMAC/s" column text: "-" for nodes without multiply-accumulates */
static const char *gmacs_text(char *buf, size_t n, long long macs, double ms) {
  if (macs > 0) snprintf(buf, n, "%.2f", gmacs_of(macs, ms));
  else snprintf(buf, n, "-");
  return buf;
}

static void text_groups(FILE *f, const char *title, const lfrt_bench_group *g, int n, double total) {
  char b[32];
  fprintf(f, "  %-14s %10s %7s %6s %8s  %s\n", title, "ms/invoke", "share", "nodes", "GMAC/s", "name");
  for (int i = 0; i < n; i++)
    fprintf(f, "  %-14s %10.3f %6.1f%% %6d %8s  %s\n", "", g[i].ms, 100 * share_of(g[i].ms, total), g[i].nodes,
            gmacs_text(b, sizeof b, g[i].macs, g[i].ms), g[i].name);
}

void lfrt_bench_print_text(FILE *f, const lfrt_bench_result *r) {
  double b = r->batch > 0 ? r->batch : 1;
  fprintf(f, "bench %s\n", r->model_name ? r->model_name : "model");
  fprintf(f, "  model          %zu bytes (%.2f MiB), %d nodes, batch %d\n", r->model_bytes,
          (double)r->model_bytes / 1048576.0, r->nodes, r->batch);
  fprintf(f, "  run            isa %s, %d thread%s, %d warm-up + %d timed invoke%s%s\n", r->isa,
          r->threads > 0 ? r->threads : 1, r->threads > 1 ? "s" : "", r->warmup, r->runs, r->runs > 1 ? "s" : "",
          r->nops_profiled ? " (profiled)" : "");
  fprintf(f, "  per image      median %.3f ms, min %.3f, max %.3f  (%.2f images/s)\n", r->ms_median / b, r->ms_min / b,
          r->ms_max / b, r->ms_median > 0 ? 1e3 * b / r->ms_median : 0);
  fprintf(f, "  per invoke     median %.3f ms, min %.3f, max %.3f\n", r->ms_median, r->ms_min, r->ms_max);
  fprintf(f, "  compute        %.3f GMAC per invoke, %.2f GMAC/s", (double)r->macs * 1e-9, r->gmacs);
  if (r->peak_gmacs > 0)
    fprintf(f, ", %.1f%% of the %.1f GMAC/s peak given\n", 100 * r->gmacs / r->peak_gmacs, r->peak_gmacs);
  else
    fprintf(f, " (share of peak: give --peak-gmacs or LFRT_PEAK_GMACS)\n");
  fprintf(f, "  memory         arena %zu bytes (%.2f MiB)", r->arena_bytes, (double)r->arena_bytes / 1048576.0);
  if (r->peak_rss_bytes >= 0)
    fprintf(f, ", peak RSS %lld bytes (%.1f MiB)", r->peak_rss_bytes, (double)r->peak_rss_bytes / 1048576.0);
  fprintf(f, "\n");
  if (!r->nops_profiled) return;
  char gb[32];
  fprintf(f, "  profile        mean per invoke; the nodes sum to %.3f ms\n", r->profile_ms);
  text_groups(f, "by op type", r->by_op, r->nby_op, r->profile_ms);
  text_groups(f, "by kernel", r->by_kernel, r->nby_kernel, r->profile_ms);
  fprintf(f, "  %-14s %10s %7s %6s %8s  %-5s %-16s %s\n", "slowest nodes", "ms/invoke", "share", "MMAC", "GMAC/s",
          "node", "op", "kernel");
  for (int i = 0; i < r->nslowest; i++) {
    const lfrt_bench_node *n = &r->slowest[i];
    char mm[32];
    if (n->macs > 0) snprintf(mm, sizeof mm, "%.1f", (double)n->macs * 1e-6);
    else snprintf(mm, sizeof mm, "-");
    fprintf(f, "  %-14s %10.3f %6.1f%% %6s %8s  %-5d %-16s %s\n", "", n->ms, 100 * share_of(n->ms, r->profile_ms), mm,
            gmacs_text(gb, sizeof gb, n->macs, n->ms), n->node, n->op, n->kernel);
  }
}

static void json_str(FILE *f, const char *s) {
  fputc('"', f);
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* finite numbers only (JSON has no NaN/inf) */
static void json_num(FILE *f, double v) {
  if (isfinite(v)) fprintf(f, "%.6g", v);
  else fputs("null", f);
}

static void json_groups(FILE *f, const char *key, const char *name_key, const lfrt_bench_group *g, int n, double total) {
  fprintf(f, ",\"%s\":[", key);
  for (int i = 0; i < n; i++) {
    fprintf(f, "%s{\"%s\":", i ? "," : "", name_key);
    json_str(f, g[i].name);
    fprintf(f, ",\"nodes\":%d,\"ms\":", g[i].nodes);
    json_num(f, g[i].ms);
    fputs(",\"share\":", f);
    json_num(f, share_of(g[i].ms, total));
    fprintf(f, ",\"macs\":%lld,\"gmacs\":", g[i].macs);
    json_num(f, gmacs_of(g[i].macs, g[i].ms));
    fputc('}', f);
  }
  fputc(']', f);
}

void lfrt_bench_print_json(FILE *f, const lfrt_bench_result *r) {
  double b = r->batch > 0 ? r->batch : 1;
  fputs("{\"model\":", f);
  json_str(f, r->model_name ? r->model_name : "model");
  fprintf(f, ",\"model_bytes\":%zu,\"nodes\":%d,\"isa\":", r->model_bytes, r->nodes);
  json_str(f, r->isa);
  fprintf(f, ",\"threads\":%d,\"batch\":%d,\"warmup\":%d,\"runs\":%d,\"profiled\":%s", r->threads > 0 ? r->threads : 1,
          r->batch, r->warmup, r->runs, r->nops_profiled ? "true" : "false");
  const struct { const char *k; double v; } nums[] = {
      {"ms_per_invoke_median", r->ms_median}, {"ms_per_invoke_min", r->ms_min}, {"ms_per_invoke_max", r->ms_max},
      {"ms_per_image_median", r->ms_median / b}, {"ms_per_image_min", r->ms_min / b},
      {"ms_per_image_max", r->ms_max / b}, {"images_per_s", r->ms_median > 0 ? 1e3 * b / r->ms_median : 0},
      {"gmacs", r->gmacs}};
  for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
    fprintf(f, ",\"%s\":", nums[i].k);
    json_num(f, nums[i].v);
  }
  fprintf(f, ",\"macs_per_invoke\":%lld,\"peak_gmacs\":", r->macs);
  if (r->peak_gmacs > 0) {
    json_num(f, r->peak_gmacs);
    fputs(",\"peak_share\":", f);
    json_num(f, r->gmacs / r->peak_gmacs);
  } else {
    fputs("null,\"peak_share\":null", f);
  }
  fprintf(f, ",\"arena_bytes\":%zu,\"peak_rss_bytes\":%lld", r->arena_bytes, r->peak_rss_bytes);
  if (r->nops_profiled) {
    fputs(",\"profile\":{\"ms_nodes_sum\":", f);
    json_num(f, r->profile_ms);
    json_groups(f, "by_op", "op", r->by_op, r->nby_op, r->profile_ms);
    json_groups(f, "by_kernel", "kernel", r->by_kernel, r->nby_kernel, r->profile_ms);
    fputs(",\"slowest_nodes\":[", f);
    for (int i = 0; i < r->nslowest; i++) {
      const lfrt_bench_node *n = &r->slowest[i];
      fprintf(f, "%s{\"node\":%d,\"op\":", i ? "," : "", n->node);
      json_str(f, n->op);
      fputs(",\"kernel\":", f);
      json_str(f, n->kernel);
      fputs(",\"ms\":", f);
      json_num(f, n->ms);
      fputs(",\"share\":", f);
      json_num(f, share_of(n->ms, r->profile_ms));
      fprintf(f, ",\"macs\":%lld,\"gmacs\":", n->macs);
      json_num(f, gmacs_of(n->macs, n->ms));
      fputc('}', f);
    }
    fputs("]}", f);
  }
  fputs("}\n", f);
}

/* ---- the command ------------------------------------------------------------- */
static void usage(FILE *f, const char *prog) {
  fprintf(f,
          "usage: %s MODEL.tflite [--threads N] [--isa NAME] [--runs N] [--warmup N]\n"
          "       %*s [--peak-gmacs X] [--json] [--profile]\n"
          "Times the model on deterministic random inputs (fixed seed): --warmup untimed\n"
          "invokes (default 1), then --runs timed ones (default 10); prints ms per image\n"
          "(per invoke / the batch, dim 0 of input 0) and per invoke (median, min, max),\n"
          "GMAC/s (the nodes' multiply-accumulates / the median), the arena and the peak RSS.\n"
          "  --threads N     interpreter threads, 1..64 (default 1)\n"
          "  --isa NAME      kernels for this ISA (default: $LFRT_ISA, else the best one here;\n"
          "                  here: %s); one the CPU lacks is an error (exit 2)\n"
          "  --peak-gmacs X  this CPU's peak GMAC/s (or $LFRT_PEAK_GMACS): also print the share\n"
          "                  of it reached (the runtime does not guess clock rates)\n"
          "  --profile       time every node: ms per op type and per kernel, and the ten\n"
          "                  slowest nodes with their kernel, MACs and GMAC/s\n"
          "  --json          one JSON object on stdout instead of the text block\n",
          prog, (int)strlen(prog), "", lfrt_isa_list());
}

static int parse_int(const char *s, int lo, int hi, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

static int parse_pos(const char *s, double *out) {
  char *end;
  double v = strtod(s, &end);
  if (!*s || *end || !(v > 0) || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

int lfrt_bench_main(const char *prog, int argc, char **argv) {
  const char *model_path = NULL, *isa = NULL;
  int threads = 1, json = 0;
  lfrt_bench_options o = {.warmup = 1, .runs = 10};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout, prog);
      return 0;
    } else if (!strcmp(a, "--threads") && i + 1 < argc) {
      if (parse_int(argv[++i], 1, 64, &threads)) {
        fprintf(stderr, "%s: --threads wants 1..64, got '%s'\n", prog, argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--runs") && i + 1 < argc) {
      if (parse_int(argv[++i], 1, 1000000, &o.runs)) {
        fprintf(stderr, "%s: --runs wants 1..1000000, got '%s'\n", prog, argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--warmup") && i + 1 < argc) {
      if (parse_int(argv[++i], 0, 1000000, &o.warmup)) {
        fprintf(stderr, "%s: --warmup wants 0..1000000, got '%s'\n", prog, argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--peak-gmacs") && i + 1 < argc) {
      if (parse_pos(argv[++i], &o.peak_gmacs)) {
        fprintf(stderr, "%s: --peak-gmacs wants a number > 0, got '%s'\n", prog, argv[i]);
        return 2;
      }
    } else if (!strcmp(a, "--isa") && i + 1 < argc) {
      isa = argv[++i];
    } else if (!strcmp(a, "--json")) {
      json = 1;
    } else if (!strcmp(a, "--profile")) {
      o.profile = 1;
    } else if (a[0] == '-' || model_path) {
      fprintf(stderr, "%s: unexpected argument '%s'\n", prog, a);
      usage(stderr, prog);
      return 2;
    } else {
      model_path = a;
    }
  }
  if (!model_path) {
    usage(stderr, prog);
    return 2;
  }
  const char *env_peak = getenv("LFRT_PEAK_GMACS");
  if (o.peak_gmacs == 0 && env_peak && env_peak[0] && parse_pos(env_peak, &o.peak_gmacs)) {
    fprintf(stderr, "%s: LFRT_PEAK_GMACS wants a number > 0, got '%s'\n", prog, env_peak);
    return 2;
  }
  lfrt_error err = {{0}};
  lfrt_isa chosen;
  if (lfrt_isa_resolve(isa, &chosen, &err) != LFRT_OK) {
    fprintf(stderr, "%s: %s\n", prog, err.msg);
    return 2;
  }

  int rc = 1;
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  lfrt_bench_result r;
  memset(&r, 0, sizeof r);
  if (lfrt_model_load_file(model_path, &m, &err) != LFRT_OK) {
    fprintf(stderr, "%s: %s\n", prog, err.msg);
    goto done;
  }
  lfrt_interp_options io = {.threads = threads, .isa = lfrt_isa_name(chosen)};
  if (lfrt_interp_create(m, &io, &it, &err) != LFRT_OK) {
    fprintf(stderr, "%s: %s\n", prog, err.msg);
    goto done;
  }
  lfrt_bench_fill_inputs(it, LFRT_BENCH_SEED);
  if (lfrt_bench_run(it, m, &o, &r, &err) != LFRT_OK) {
    fprintf(stderr, "%s: %s\n", prog, err.msg);
    goto done;
  }
  r.threads = threads;
  if (json) lfrt_bench_print_json(stdout, &r);
  else lfrt_bench_print_text(stdout, &r);
  rc = fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
done:
  lfrt_bench_result_free(&r);
  lfrt_interp_free(it);
  lfrt_model_free(m);
  return rc;
}
