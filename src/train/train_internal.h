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

/* Data parallel (dist_sync.c; nothing happens with one process): */
/* Gives the graph the batch-statistics reducer (QAT observers; BN when sync_bn). */
void lf_train_dist_attach(lf_graph *g, int sync_bn);
/* After the gradients are summed: without sync_bn averages the float buffers
 * (BN running statistics) over every process. */
lf_status lf_train_dist_sync(lf_graph *g, int sync_bn);
/* The gradient sum over the processes, bucketed and overlapped with the
 * backward (grad_sync.c). create gives NULL with one process;
 * lf_grad_sync_backward runs lf_graph_backward(g, seed_node, dout) (alone
 * when s is NULL) and returns with every trainable gradient summed. */
typedef struct lf_grad_sync lf_grad_sync;
#define LF_GRAD_SYNC_REPORT LF_TRAIN_BUCKETS_REPORTED
typedef struct {
  int buckets;
  size_t bytes;            /* all-reduced a step */
  size_t overlapped_bytes; /* of which started during the last step's backward with layers still to run */
  double exposed_s;        /* seconds from the end of the backwards to all sums in the gradients (every step) */
  long long steps;
  /* the buckets in the order they started: when, as a fraction of the
   * backward (0 its start, 1 its end or later), summed over the steps */
  double start_frac[LF_GRAD_SYNC_REPORT];
} lf_grad_sync_stats;
lf_status lf_grad_sync_create(lf_graph *g, lf_grad_sync **out);
lf_status lf_grad_sync_backward(lf_grad_sync *s, lf_graph *g, int seed_node, const lf_tensor *dout);
lf_grad_sync_stats lf_grad_sync_get_stats(const lf_grad_sync *s);
void lf_grad_sync_free(lf_grad_sync *s);
/* Validation split over the processes: this rank's contiguous share [*lo, *hi)
 * of n images, and the gathering of every rank's results (rank order) onto
 * every rank: *n, *loss_sum and *dice_sum become the totals; with k labels,
 * *scores / *labels (k columns of stride *cap, *n used) are replaced by the
 * whole split's (stride and *cap = the total). The same bits on every rank. */
void lf_train_dist_share(size_t n, size_t *lo, size_t *hi);
lf_status lf_train_dist_val_gather(size_t *n, double *loss_sum, double *dice_sum, int k, double **scores,
                                   uint8_t **labels, size_t *cap);

#endif
