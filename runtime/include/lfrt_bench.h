/* Benchmarking an interpreter: the measurement behind `leapfrog bench` and
 * `lfrt bench` (both call lfrt_bench_main, so their options and output are
 * the same).
 *
 *   lfrt_bench_fill_inputs(it, LFRT_BENCH_SEED);      // deterministic inputs
 *   lfrt_bench_options o = {.warmup = 1, .runs = 10};
 *   lfrt_bench_result r;
 *   lfrt_bench_run(it, model, &o, &r, &err);          // warm-up, timed runs
 *   lfrt_bench_print_text(stdout, &r);
 *   lfrt_bench_result_free(&r);
 *
 * Times are wall clock (CLOCK_MONOTONIC) per invoke; "per image" divides by
 * the batch, dim 0 of input 0 (1 for a rank-0/1 input). GMAC/s is the sum of
 * the nodes' multiply-accumulates (lfrt_interp_node_macs) over the median
 * invoke time. The share of the CPU's peak is given only when the caller
 * names the peak (options.peak_gmacs; the commands take --peak-gmacs or
 * $LFRT_PEAK_GMACS): a peak needs the clock rate under load, which the
 * runtime does not measure. Peak RSS is getrusage's ru_maxrss of the whole
 * process (model pages touched, arena, packed weights, the bench's buffers).
 *
 * With options.profile the timed runs go through lfrt_interp_invoke_profile
 * (two clock reads per node) and the result also holds each node's mean wall
 * time, totals per op type and per kernel name, and the slowest nodes.
 * C99 + POSIX (clock_gettime, getrusage); allocates only in lfrt_bench_run. */
#ifndef LFRT_BENCH_H
#define LFRT_BENCH_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lfrt_interp.h"

#define LFRT_BENCH_SEED 20240601u /* the inputs' seed in both commands */
#define LFRT_BENCH_SLOWEST 10     /* nodes listed by the profile */

typedef struct {
  int warmup;        /* untimed invokes first, >= 0 */
  int runs;          /* timed invokes, >= 1 */
  int profile;       /* 1: time every node too */
  double peak_gmacs; /* > 0: report gmacs / peak_gmacs as the share of peak */
} lfrt_bench_options;

typedef struct { /* one op type or one kernel name, summed over its nodes */
  const char *name; /* lfrt_op_name() or lfrt_interp_node_kernel(); owned by the runtime */
  int nodes;
  double ms;        /* mean ms per invoke */
  long long macs;   /* per invoke */
} lfrt_bench_group;

typedef struct { /* one node */
  int node;
  const char *op, *kernel;
  double ms; /* mean ms per invoke */
  long long macs;
} lfrt_bench_node;

typedef struct {
  /* what was run (filled by lfrt_bench_run from the interpreter; the caller
   * may set model_name, model_bytes and threads for the report) */
  const char *model_name;
  size_t model_bytes;
  int threads;
  const char *isa;
  int nodes;                        /* operators in the model */
  int batch, warmup, runs;
  /* times */
  double ms_median, ms_min, ms_max; /* per invoke */
  long long macs;                   /* per invoke */
  double gmacs;                     /* macs / median time, 1e9 per second */
  double peak_gmacs;                /* as given (0: unknown) */
  size_t arena_bytes;
  long long peak_rss_bytes;         /* -1 if unknown */
  /* profile (options.profile; else nops_profiled == 0 and the lists are NULL) */
  int nops_profiled;
  double profile_ms;                /* sum of the nodes' mean ms */
  lfrt_bench_group *by_op, *by_kernel; /* slowest first */
  int nby_op, nby_kernel;
  lfrt_bench_node *slowest;         /* at most LFRT_BENCH_SLOWEST, slowest first */
  int nslowest;
} lfrt_bench_result;

/* Fills every input of it from a fixed-seed generator: int8/uint8 random
 * bytes, bool 0/1, float32 uniform in [-1, 1), other types zeros. */
void lfrt_bench_fill_inputs(lfrt_interp *it, uint64_t seed);

/* Runs o->warmup untimed and o->runs timed invokes on the current inputs
 * (m: the model it was created from, for op names and the file's size; r's
 * threads is 0 until the caller sets it). On success r holds the result (free it with lfrt_bench_result_free). */
lfrt_status lfrt_bench_run(lfrt_interp *it, const lfrt_model *m, const lfrt_bench_options *o,
                           lfrt_bench_result *r, lfrt_error *err);
void lfrt_bench_result_free(lfrt_bench_result *r);

/* One readable block / one JSON object (and a newline). */
void lfrt_bench_print_text(FILE *f, const lfrt_bench_result *r);
void lfrt_bench_print_json(FILE *f, const lfrt_bench_result *r);

/* The whole command: `PROG MODEL.tflite [--threads N] [--isa NAME] [--runs N]
 * [--warmup N] [--peak-gmacs X] [--json] [--profile]`, argv[0] being the
 * command's own name. Returns the exit code: 0 ok, 1 failure (model refused,
 * invoke failed), 2 usage (bad option, an ISA this CPU lacks). */
int lfrt_bench_main(const char *prog, int argc, char **argv);

#endif
