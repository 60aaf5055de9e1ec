/* Training options shared by `leapfrog train` and `leapfrog qat`. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_train_opts.h"
#include "leapfrog/lf_dist.h"

int lf_cli_num(const char *cmd, const char *name, const char *v, double lo, double hi, double *out) {
  char *end;
  double x = strtod(v, &end);
  if (!*v || *end || !(x >= lo && x <= hi)) {
    fprintf(stderr, "leapfrog %s: %s needs a number in [%g, %g], got '%s'\n", cmd, name, lo, hi, v);
    return 0;
  }
  *out = x;
  return 1;
}

int lf_cli_task(const char *cmd, int argc, char **argv, lf_task *task) {
  int found = 0;
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "--task")) {
      if (lf_task_parse(argv[i + 1], task)) {
        fprintf(stderr, "leapfrog %s: %s\n", cmd, lf_last_error());
        return 2;
      }
      found = 1;
    }
  return found;
}

/* Options with a numeric value: name, range, and where it goes. */
typedef enum { NUM_INT, NUM_I64, NUM_U64, NUM_FLOAT } num_kind;
typedef struct {
  const char *name;
  double lo, hi;
  num_kind kind;
  size_t offset;
} num_opt;

#define OPT(name, lo, hi, kind, field) {name, lo, hi, kind, offsetof(lf_train_opts, field)}
static const num_opt num_opts[] = {
    OPT("--epochs", 1, 1e6, NUM_INT, epochs),
    OPT("--batch", 1, 65536, NUM_INT, batch),
    OPT("--lr", 1e-12, 100, NUM_FLOAT, lr),
    OPT("--weight-decay", 0, 10, NUM_FLOAT, weight_decay),
    OPT("--momentum", 0, 1, NUM_FLOAT, momentum),
    OPT("--clip", 0, 1e9, NUM_FLOAT, clip_norm),
    OPT("--plateau-patience", 0, 1e6, NUM_INT, plateau_patience),
    OPT("--plateau-factor", 1e-6, 1, NUM_FLOAT, plateau_factor),
    OPT("--warmup", 0, 1e9, NUM_INT, warmup_steps),
    OPT("--min-lr", 0, 100, NUM_FLOAT, min_lr),
    OPT("--threads", 1, 1024, NUM_INT, threads),
    OPT("--seed", 0, 1e18, NUM_U64, seed),
    OPT("--val-every", 0, 1e6, NUM_INT, val_every),
    OPT("--early-stop", 0, 1e6, NUM_INT, early_stop),
    OPT("--max-steps", 0, 1e15, NUM_I64, max_steps),
    OPT("--save-every", 0, 1e15, NUM_I64, save_every_steps),
    OPT("--max-batches", 0, 1e9, NUM_INT, max_train_batches),
    OPT("--max-bad", 0, 1e9, NUM_INT, max_bad),
    OPT("--bn-shards", 1, 4096, NUM_INT, bn_shards),
};
#undef OPT

int lf_cli_train_opt(const char *cmd, int argc, char **argv, int *i, lf_train_opts *o) {
  const char *a = argv[*i];
  if (!strcmp(a, "--resume")) return o->resume = 1, 1;
  if (!strcmp(a, "--overwrite")) return o->overwrite = 1, 1;
  if (!strcmp(a, "--augment")) return o->augment = 1, 1;
  if (!strcmp(a, "--sync-bn")) return o->sync_bn = 1, 1;
  if (!strcmp(a, "--quiet")) return o->progress = 0, 1;
  static const char *const with_value[] = {"--task", "--data", "--out", "--split", "--cache",
                                           "--optim", "--schedule", "--loss"};
  int known = 0;
  for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++) known |= !strcmp(a, with_value[k]);
  for (size_t k = 0; k < sizeof num_opts / sizeof *num_opts; k++) known |= !strcmp(a, num_opts[k].name);
  if (!known) return 0;
  if (*i + 1 >= argc) {
    fprintf(stderr, "leapfrog %s: %s needs a value\n", cmd, a);
    return 2;
  }
  const char *v = argv[++*i];
  lf_status st = LF_OK;
  if (!strcmp(a, "--task")) return 1; /* read by lf_cli_task before the defaults */
  else if (!strcmp(a, "--data")) o->data_dir = v;
  else if (!strcmp(a, "--out")) o->out_dir = v;
  else if (!strcmp(a, "--split")) o->split = v;
  else if (!strcmp(a, "--cache")) o->cache_dir = v;
  else if (!strcmp(a, "--optim")) st = lf_optim_parse(v, &o->optim);
  else if (!strcmp(a, "--schedule")) st = lf_schedule_parse(v, &o->schedule);
  else if (!strcmp(a, "--loss")) st = lf_loss_parse(v, &o->loss);
  else {
    for (size_t k = 0; k < sizeof num_opts / sizeof *num_opts; k++) {
      const num_opt *n = &num_opts[k];
      if (strcmp(a, n->name)) continue;
      double x;
      if (!lf_cli_num(cmd, a, v, n->lo, n->hi, &x)) return 2;
      char *field = (char *)o + n->offset;
      switch (n->kind) {
      case NUM_INT: *(int *)field = (int)x; break;
      case NUM_I64: *(int64_t *)field = (int64_t)x; break;
      case NUM_U64: *(uint64_t *)field = (uint64_t)x; break;
      case NUM_FLOAT: *(float *)field = (float)x; break;
      }
    }
  }
  if (st) {
    fprintf(stderr, "leapfrog %s: %s\n", cmd, lf_last_error());
    return 2;
  }
  return 1;
}

void lf_cli_train_opts_help(FILE *f) {
  fprintf(f,
          "training options:\n"
          "  --data DIR  --out DIR  --epochs N  --lr F  --batch N (16)  --optim sgd|adam|adamw (adam)\n"
          "  --weight-decay F  --momentum F (sgd, 0.9)  --clip F (global grad norm, off)\n"
          "  --schedule plateau|cosine|none (plateau: x0.1 after 1 validation without gain)\n"
          "  --plateau-patience N  --plateau-factor F  --warmup N (cosine, steps)  --min-lr F\n"
          "  --loss bce|dice|bce+dice   (chest: bce; nerve: dice as the paper)\n"
          "  --split SPEC         patient (default) | patient:70,10,20 | official | paper\n"
          "  --val-every N (1, 0 = never)  --early-stop N (validations without gain, off)\n"
          "  --threads N (2)  --seed N (1)  --augment  --cache DIR (preprocessed image cache)\n"
          "  --resume             continue exactly from OUT/last.safetensors\n"
          "  --overwrite          start afresh in an OUT that holds a run (default: refuse)\n"
          "  --max-steps N        stop after N optimiser steps in total (checkpoint kept; resume later)\n"
          "  --save-every N       also checkpoint every N steps inside an epoch\n"
          "  --max-batches N      at most N training batches per epoch (quick runs)\n"
          "  --max-bad N          skip up to N unreadable training images, each named (default 0: fail)\n"
          "  --quiet              no progress output\n"
          "  --sync-bn            under mpirun: batch norm over the global batch (default: per process)\n"
          "  --bn-shards N        one process: batch norm per N equal slices of the batch, as N processes\n"
          "                       without --sync-bn (ghost batch norm; train only)\n");
}

int lf_cli_train_report(const lf_train_result *r) {
  int n = lf_dist_size();
  if (n > 1 || getenv("LF_DIST_TIMING")) { /* every rank: its own split of the time (bench/mpi_scaling.sh reads these) */
    printf("rank %d/%d: %lld steps, %.3f s in steps: %.3f s compute, %.3f s communication\n", lf_dist_rank(), n,
           (long long)r->steps, r->step_seconds, r->step_seconds - r->comm_seconds, r->comm_seconds);
    if (n > 1)
      printf("rank %d/%d: gradient all-reduce %.3f MB a step in %d buckets, %.3f MB started during the backward, "
             "%.3f s waited after the backwards\n", lf_dist_rank(), n, r->grad_bytes / 1e6, r->grad_buckets,
             r->grad_overlapped_bytes / 1e6, r->grad_exposed_seconds);
    if (n > 1 && r->grad_buckets > 0) {
      printf("rank %d/%d: buckets started at (fraction of the backward):", lf_dist_rank(), n);
      for (int i = 0; i < r->grad_buckets && i < LF_TRAIN_BUCKETS_REPORTED; i++) printf(" %.2f", r->grad_start_frac[i]);
      printf("\n");
    }
    fflush(stdout);
  }
  return lf_dist_rank() == 0;
}
