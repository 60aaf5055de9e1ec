/* The FP32 training loop behind `leapfrog train` (and reused by `qat`).
 *
 * Per epoch: shuffled batches from the loader (lf_loader.h), forward, loss
 * (chest: BCE-with-logits; nerve: soft Dice (the paper's), BCE or BCE+Dice),
 * backward, optional clipping, optimiser step; then (every val_every epochs)
 * validation in eval mode: mean AUC over the 14 labels (chest) or mean Dice
 * at threshold 0.5 (nerve), plus the validation loss. After every epoch,
 * out_dir/last.safetensors is written atomically (model, optimiser, trainer
 * state) and out_dir/best.safetensors when the metric improved;
 * out_dir/train_log.jsonl gets one JSON object per epoch.
 *
 * Exact resume: a checkpoint holds everything the rest of the run depends on
 * (weights, BN statistics, optimiser moments and step, learning rate and
 * schedule state, early stopping state, the graph RNG behind dropout, and the
 * position in the epoch); batch order and augmentation are pure functions of
 * (seed, epoch, position). So a run stopped anywhere (kill -9, --max-steps)
 * and resumed from its last checkpoint ends with the same bits as an
 * uninterrupted run (same threads). Mid-epoch checkpoints: save_every_steps,
 * or the stop at max_steps.
 *
 * Data parallel (launched by mpirun, lf_dist.h): batch is the global batch;
 * each process trains on its slice of every global batch (the same batches as
 * one process), gradients are summed over processes before the optimiser step
 * (src/train/dist_sync.c), so every process keeps the same weights; rank 0
 * alone writes checkpoints and the log; resume works with any process count.
 *
 * Trainer state JSON ("leapfrog.train" in the checkpoint):
 *   {"epoch": epochs completed, "batch": batches done in the current epoch,
 *    "step": optimiser steps, "rng": [4 hex u64, graph RNG], "seed", "best",
 *    "best_epoch", "plateau": {...}, "early": {...}, "base_lr", "lr", "task"} */
#ifndef LF_TRAINER_H
#define LF_TRAINER_H
#include <stdint.h>

#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_optim.h"

typedef enum { LF_SCHED_NONE = 0, LF_SCHED_PLATEAU, LF_SCHED_COSINE } lf_schedule;
typedef enum { LF_LOSS_BCE = 0, LF_LOSS_DICE, LF_LOSS_BCE_DICE } lf_loss_kind;

typedef struct {
  lf_task task;
  const char *data_dir;
  const char *split;          /* lf_split_opts_parse spec; NULL = "patient" */
  int epochs;                 /* 10 */
  int batch;                  /* 16 */
  float lr;                   /* 1e-3 */
  lf_optim_kind optim;        /* adam */
  float weight_decay;         /* 0 (adamw: 0.01) */
  float momentum;             /* sgd: 0.9 */
  float clip_norm;            /* 0: off */
  lf_schedule schedule;       /* plateau (the paper's: factor 0.1, patience 1 on the val metric) */
  float plateau_factor;       /* 0.1 */
  int plateau_patience;       /* 1 */
  int warmup_steps;           /* cosine */
  float min_lr;               /* cosine / plateau floor */
  lf_loss_kind loss;          /* chest: BCE; nerve: Dice */
  int threads;                /* engine and loader threads (2) */
  uint64_t seed;              /* 1: data order, augmentation, dropout */
  int augment;                /* 0/1 */
  const char *out_dir;        /* required */
  int resume;                 /* 1: continue from out_dir/last.safetensors */
  int overwrite;              /* 1: start afresh in an out_dir that holds a run */
  int val_every;              /* 1 (0: no validation) */
  int early_stop;             /* patience in validations (0: off) */
  int64_t max_steps;          /* stop (with a checkpoint) after this many steps in total (0: no limit) */
  int64_t save_every_steps;   /* also checkpoint mid-epoch every N steps (0: off) */
  int max_train_batches;      /* per epoch, 0 = all (quick runs, benchmarks) */
  int max_bad;                /* unreadable images skipped (each named in a warning) in the
                                 training split, and in the validation split, before training
                                 fails naming them; default 0 */
  int max_val_batches;        /* 0 = all */
  int progress;               /* 1: progress bar on stderr */
  const char *cache_dir;      /* loader caches here (NULL: none) */
  int sync_bn;                /* several processes (lf_dist.h): 1 = batch norm over the global
                                 batch; 0 = per process (running statistics averaged each step) */
  int bn_shards;              /* one process: > 1 trains as that many processes without sync_bn
                                 would (ghost batch norm, lf_graph_set_bn_shards); 0/1 off */
  /* extension hooks (QAT) */
  lf_ckpt_hook save_hook;     /* adds tensors/metadata to every checkpoint */
  lf_status (*before_step)(void *ctx, lf_model *m, int64_t step); /* before each forward */
  void *hook_ctx;
} lf_train_opts;

#define LF_TRAIN_BUCKETS_REPORTED 32
typedef struct {
  int epochs_done;
  int64_t steps;
  double last_train_loss;
  double last_metric;         /* NaN when not validated */
  double best_metric;
  int best_epoch;
  int stopped_early;          /* 1: early stopping ended the run */
  int stopped_max_steps;      /* 1: max_steps ended the run */
  double images_per_s;        /* training throughput of the last epoch */
  double step_seconds;        /* wall time in training steps (forward, backward, all-reduce, update) */
  double comm_seconds;        /* of which in collectives (several processes; lf_dist.h) */
  /* the gradient sum (several processes): bytes all-reduced a step in how many
   * buckets, of which started while the backward had layers left to run (the
   * rest after its last layer), and the seconds from the end of each backward
   * to the last sum in the gradients (the exposed communication) */
  size_t grad_bytes, grad_overlapped_bytes;
  int grad_buckets;
  double grad_exposed_seconds;
  /* the first LF_TRAIN_BUCKETS_REPORTED buckets in the order their all-reduce
   * started: when, as a fraction of the backward (0: its start, 1: its end),
   * the mean over the steps */
  double grad_start_frac[LF_TRAIN_BUCKETS_REPORTED];
} lf_train_result;

void lf_train_opts_default(lf_train_opts *o, lf_task task);
lf_status lf_schedule_parse(const char *s, lf_schedule *out);     /* none|plateau|cosine */
lf_status lf_loss_parse(const char *s, lf_loss_kind *out);        /* bce|dice|bce+dice */
lf_status lf_optim_parse(const char *s, lf_optim_kind *out);      /* sgd|adam|adamw */

/* LF_EINVAL when o->out_dir already holds a run (last.safetensors,
 * best.safetensors or train_log.jsonl) and neither o->resume nor
 * o->overwrite is set: a new run would replace it. lf_train_run checks it
 * too; the CLI calls it first to fail as a usage error. */
lf_status lf_train_check_out(const lf_train_opts *o);

/* Trains m (built by the caller, e.g. lf_model_build or a QAT transform of it).
 * With o->resume, m's weights are replaced by the checkpoint's. */
lf_status lf_train_run(lf_model *m, const lf_train_opts *o, lf_train_result *r);

/* Validation pass alone (eval mode): metric (mean AUC / mean Dice) and loss. */
lf_status lf_train_evaluate(lf_model *m, const lf_train_opts *o, lf_split split, double *metric, double *loss);

#endif
