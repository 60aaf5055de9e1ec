/* Optimisers, gradient clipping, learning-rate schedules and early stopping,
 * with torch's semantics (torch.optim.SGD / Adam / AdamW,
 * clip_grad_norm_, lr_scheduler.ReduceLROnPlateau).
 *
 * An optimiser binds to the trainable parameters of a graph (lf_nn.h). Its
 * state is a set of named tensors, "<param name>.<slot>" with slot
 * "momentum_buffer" (SGD with momentum), "exp_avg" and "exp_avg_sq" (Adam /
 * AdamW), plus the step count, so a checkpoint can store and restore it. */
#ifndef LF_OPTIM_H
#define LF_OPTIM_H
#include <stdint.h>
#include "leapfrog/lf_nn.h"

typedef enum { LF_OPT_SGD = 0, LF_OPT_ADAM = 1, LF_OPT_ADAMW = 2 } lf_optim_kind;

typedef struct {
  lf_optim_kind kind;
  float lr;
  float weight_decay;   /* SGD/Adam: L2 added to grad; AdamW: decoupled */
  /* SGD */
  float momentum, dampening;
  int nesterov;
  /* Adam / AdamW */
  float beta1, beta2, eps;
} lf_optim_config;

/* Defaults as torch: SGD(momentum 0), Adam(0.9, 0.999, 1e-8, wd 0),
 * AdamW(0.9, 0.999, 1e-8, wd 0.01). */
lf_optim_config lf_optim_defaults(lf_optim_kind kind, float lr);

typedef struct lf_optim lf_optim;
lf_status lf_optim_create(lf_optim **o, const lf_optim_config *cfg, lf_graph *g);
void lf_optim_free(lf_optim *o);
/* One update of every trainable parameter from its .grad. */
lf_status lf_optim_step(lf_optim *o);
void lf_optim_set_lr(lf_optim *o, float lr);
float lf_optim_lr(const lf_optim *o);
const lf_optim_config *lf_optim_config_of(const lf_optim *o);
int64_t lf_optim_steps(const lf_optim *o);
void lf_optim_set_steps(lf_optim *o, int64_t steps);

/* State tensors: count, then i-th name and tensor (writable, for restoring);
 * lf_optim_find_state returns NULL if the name is unknown. */
int lf_optim_state_count(const lf_optim *o);
lf_tensor *lf_optim_state(lf_optim *o, int i, const char **name);
lf_tensor *lf_optim_find_state(lf_optim *o, const char *name);

/* torch.nn.utils.clip_grad_norm_(max_norm): returns the global L2 norm of
 * all trainable gradients (before clipping) in *total_norm; if it exceeds
 * max_norm, scales every gradient by max_norm / (norm + 1e-6). */
lf_status lf_clip_grad_norm(lf_graph *g, float max_norm, float *total_norm);

/* ReduceLROnPlateau. Plain struct: every field is state a checkpoint may save. */
typedef struct {
  int mode_max;          /* 0: 'min' (loss), 1: 'max' (AUC, Dice) */
  float factor;          /* 0.1 */
  int patience;          /* 10 */
  float threshold;       /* 1e-4 */
  int threshold_abs;     /* 0: 'rel', 1: 'abs' */
  int cooldown;          /* 0 */
  float min_lr;          /* 0 */
  float eps;             /* 1e-8: smaller lr changes are ignored */
  /* state */
  double best;
  int num_bad_epochs;
  int cooldown_counter;
  int last_epoch;
} lf_plateau;
void lf_plateau_init(lf_plateau *p, int mode_max);   /* torch defaults */
/* Feeds one epoch's metric; returns the (possibly reduced) learning rate. */
float lf_plateau_step(lf_plateau *p, double metric, float lr);

/* Cosine schedule with linear warmup: step in [0, total): lr rises linearly
 * from base/warmup to base over `warmup` steps, then follows
 * min + (base-min) * (1 + cos(pi * t)) / 2 with t from 0 to 1. */
float lf_cosine_lr(float base_lr, float min_lr, int warmup, int step, int total);

/* Early stopping on a validation metric. */
typedef struct {
  int mode_max;        /* 1: higher is better (AUC, Dice) */
  double min_delta;    /* improvement needed */
  int patience;        /* epochs without improvement before stopping */
  /* state */
  double best;
  int best_epoch;
  int bad_epochs;
} lf_early_stop;
void lf_early_stop_init(lf_early_stop *e, int mode_max, int patience, double min_delta);
/* Returns 1 if `metric` is a new best (save the checkpoint then). */
int lf_early_stop_update(lf_early_stop *e, double metric, int epoch);
int lf_early_stop_should_stop(const lf_early_stop *e);

#endif
