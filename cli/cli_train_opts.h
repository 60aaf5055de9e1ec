/* Training options shared by `train` and `qat` (both drive lf_train_run). */
#ifndef LF_CLI_TRAIN_OPTS_H
#define LF_CLI_TRAIN_OPTS_H
#include <stdio.h>

#include "leapfrog/lf_trainer.h"

/* Parses a number in [lo, hi]; prints "leapfrog CMD: NAME needs ..." and returns 0 if not. */
int lf_cli_num(const char *cmd, const char *name, const char *v, double lo, double hi, double *out);
/* Scans argv for --task NAME. Returns 1 found (sets *task), 0 absent, 2 usage error. */
int lf_cli_task(const char *cmd, int argc, char **argv, lf_task *task);
/* If argv[*i] is a shared training option (--task, --data, --out, --split,
 * --cache, --epochs, --batch, --lr, --optim, --weight-decay, --momentum, --clip,
 * --schedule, --plateau-*, --warmup, --min-lr, --loss, --threads, --seed,
 * --val-every, --early-stop, --max-steps, --save-every, --max-batches, --max-bad,
 * --resume, --overwrite, --augment, --quiet, --sync-bn), applies it to *o, advances *i past its value
 * and returns 1; returns 0 if it is not one, 2 on a usage error (printed). */
int lf_cli_train_opt(const char *cmd, int argc, char **argv, int *i, lf_train_opts *o);
/* Help lines for those options (the caller prints its own defaults first). */
void lf_cli_train_opts_help(FILE *f);

/* Under mpirun (or with LF_DIST_TIMING set): prints this rank's compute /
 * communication seconds. Returns 1
 * on the process that prints the run's summary (rank 0, or the only one). */
int lf_cli_train_report(const lf_train_result *r);

#endif
