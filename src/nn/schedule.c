/* Learning-rate schedules (ReduceLROnPlateau, cosine + warmup) and early stopping. */
#include <math.h>

#include "leapfrog/lf_optim.h"

void lf_plateau_init(lf_plateau *p, int mode_max) {
  p->mode_max = mode_max;
  p->factor = 0.1f;
  p->patience = 10;
  p->threshold = 1e-4f;
  p->threshold_abs = 0;
  p->cooldown = 0;
  p->min_lr = 0;
  p->eps = 1e-8f;
  p->best = mode_max ? -INFINITY : INFINITY;
  p->num_bad_epochs = 0;
  p->cooldown_counter = 0;
  p->last_epoch = 0;
}

static int better(const lf_plateau *p, double a) {
  double b = p->best, t = p->threshold;
  if (!p->mode_max) return p->threshold_abs ? a < b - t : a < b * (1.0 - t);
  return p->threshold_abs ? a > b + t : a > b * (t + 1.0);
}

float lf_plateau_step(lf_plateau *p, double metric, float lr) {
  p->last_epoch++;
  if (better(p, metric)) {
    p->best = metric;
    p->num_bad_epochs = 0;
  } else {
    p->num_bad_epochs++;
  }
  if (p->cooldown_counter > 0) {
    p->cooldown_counter--;
    p->num_bad_epochs = 0;
  }
  if (p->num_bad_epochs > p->patience) {
    float nl = lr * p->factor;
    if (nl < p->min_lr) nl = p->min_lr;
    if (lr - nl > p->eps) lr = nl;
    p->cooldown_counter = p->cooldown;
    p->num_bad_epochs = 0;
  }
  return lr;
}

float lf_cosine_lr(float base_lr, float min_lr, int warmup, int step, int total) {
  if (step < 0) step = 0;
  if (warmup > 0 && step < warmup) return base_lr * (float)(step + 1) / (float)warmup;
  int span = total - warmup;
  if (span <= 0) return min_lr;
  double t = (double)(step - warmup) / (double)span;
  if (t > 1) t = 1;
  return (float)(min_lr + (base_lr - min_lr) * (1.0 + cos(3.14159265358979323846 * t)) / 2.0);
}

void lf_early_stop_init(lf_early_stop *e, int mode_max, int patience, double min_delta) {
  e->mode_max = mode_max;
  e->patience = patience;
  e->min_delta = min_delta;
  e->best = mode_max ? -INFINITY : INFINITY;
  e->best_epoch = -1;
  e->bad_epochs = 0;
}

int lf_early_stop_update(lf_early_stop *e, double metric, int epoch) {
  int imp = e->mode_max ? metric > e->best + e->min_delta : metric < e->best - e->min_delta;
  if (imp) {
    e->best = metric;
    e->best_epoch = epoch;
    e->bad_epochs = 0;
  } else {
    e->bad_epochs++;
  }
  return imp;
}

int lf_early_stop_should_stop(const lf_early_stop *e) { return e->bad_epochs >= e->patience; }
