/* Private to src/train/: trainer state and the epoch log. */
#ifndef LF_TRAIN_INTERNAL_H
#define LF_TRAIN_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_rng.h"
#include "leapfrog/lf_trainer.h"

typedef struct {
  int epoch;          /* epochs completed */
  int batch;          /* batches done in the current epoch */
  int64_t step;       /* optimiser steps */
  lf_rng rng;         /* graph RNG (dropout) */
  uint64_t seed;
  double best;        /* best validation metric (NaN: none yet) */
  int best_epoch;
  float base_lr, lr;
  double loss_sum;    /* training loss summed over this epoch's batches so far */
  int loss_n;
  lf_plateau plateau;
  lf_early_stop early;
} lf_train_state;

char *lf_train_state_to_json(const lf_train_state *s);
lf_status lf_train_state_from_json(const char *json, lf_train_state *s);

typedef struct {
  const char *path;
  char *buf;
  size_t len, cap;
} lf_train_log;
void lf_train_log_init(lf_train_log *l, const char *path);
/* Keeps the existing lines with "epoch" <= max_epoch (resume). */
lf_status lf_train_log_load(lf_train_log *l, int max_epoch);
/* Appends a line and rewrites the file atomically. */
lf_status lf_train_log_add(lf_train_log *l, const char *json_line);
void lf_train_log_free(lf_train_log *l);

#endif
