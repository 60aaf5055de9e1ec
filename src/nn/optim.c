/* SGD (momentum, nesterov), Adam and AdamW with torch.optim's update rules,
 * and clip_grad_norm_. The updates are elementwise: they run over fixed
 * blocks of every parameter on the engine's threads, and the results do not
 * depend on the split. */
#if defined(__GNUC__) && !defined(__clang__)
/* vectorize the update loops (the Makefile adds -fno-math-errno for sqrtf) */
#pragma GCC optimize("O3")
#endif
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_optim.h"

typedef struct {
  int index;        /* parameter index (resolved each step: the array may move) */
  lf_tensor s[2];   /* momentum_buffer | exp_avg, exp_avg_sq */
  char *name[2];
} slot;

typedef struct {
  int slot;
  size_t b, e; /* element range of that slot's parameter */
} block;

struct lf_optim {
  lf_optim_config cfg;
  lf_graph *g;
  slot *slots;
  int n_slots, per; /* per: state tensors per param */
  int64_t steps;
  block *blocks; /* the update's work split, built at the first step */
  size_t n_blocks;
};

lf_optim_config lf_optim_defaults(lf_optim_kind kind, float lr) {
  lf_optim_config c = {0};
  c.kind = kind;
  c.lr = lr;
  c.beta1 = 0.9f;
  c.beta2 = 0.999f;
  c.eps = 1e-8f;
  if (kind == LF_OPT_ADAMW) c.weight_decay = 0.01f;
  return c;
}

void lf_optim_free(lf_optim *o) {
  if (!o) return;
  for (int i = 0; i < o->n_slots; i++)
    for (int k = 0; k < 2; k++) {
      lf_tensor_free(&o->slots[i].s[k]);
      free(o->slots[i].name[k]);
    }
  free(o->slots);
  free(o->blocks);
  free(o);
}

lf_status lf_optim_create(lf_optim **out, const lf_optim_config *cfg, lf_graph *g) {
  if (!cfg || !g || cfg->kind < LF_OPT_SGD || cfg->kind > LF_OPT_ADAMW || !(cfg->lr >= 0) ||
      !(cfg->weight_decay >= 0) || !(cfg->momentum >= 0) ||
      (cfg->kind != LF_OPT_SGD && !(cfg->beta1 >= 0 && cfg->beta1 < 1 && cfg->beta2 >= 0 && cfg->beta2 < 1)) ||
      (cfg->nesterov && (cfg->momentum <= 0 || cfg->dampening != 0)))
    return lf_error(LF_EINVAL, "optim: invalid configuration");
  lf_optim *o = calloc(1, sizeof *o);
  if (!o) return lf_error(LF_ENOMEM, "optim: out of memory");
  o->cfg = *cfg;
  o->g = g;
  o->per = cfg->kind == LF_OPT_SGD ? (cfg->momentum > 0 ? 1 : 0) : 2;
  int np = lf_graph_param_count(g);
  o->slots = calloc((size_t)(np ? np : 1), sizeof(slot));
  if (!o->slots) {
    free(o);
    return lf_error(LF_ENOMEM, "optim: out of memory");
  }
  static const char *names[2][2] = {{"momentum_buffer", ""}, {"exp_avg", "exp_avg_sq"}};
  for (int i = 0; i < np; i++) {
    lf_param *p = lf_graph_param(g, i);
    if (!p->trainable) continue;
    slot *s = &o->slots[o->n_slots++];
    s->index = i;
    for (int k = 0; k < o->per; k++) {
      const char *suffix = names[cfg->kind == LF_OPT_SGD ? 0 : 1][k];
      size_t len = strlen(p->name) + strlen(suffix) + 2;
      s->name[k] = malloc(len);
      if (!s->name[k] || lf_tensor_alloc(&s->s[k], p->value.ndim, p->value.shape)) {
        lf_optim_free(o);
        return lf_error(LF_ENOMEM, "optim: out of memory for %s", p->name);
      }
      snprintf(s->name[k], len, "%s.%s", p->name, suffix);
    }
  }
  *out = o;
  return LF_OK;
}

void lf_optim_set_lr(lf_optim *o, float lr) { o->cfg.lr = lr; }
float lf_optim_lr(const lf_optim *o) { return o->cfg.lr; }
const lf_optim_config *lf_optim_config_of(const lf_optim *o) { return &o->cfg; }
int64_t lf_optim_steps(const lf_optim *o) { return o->steps; }
void lf_optim_set_steps(lf_optim *o, int64_t steps) { o->steps = steps; }

int lf_optim_state_count(const lf_optim *o) { return o->n_slots * o->per; }
lf_tensor *lf_optim_state(lf_optim *o, int i, const char **name) {
  if (i < 0 || !o->per || i >= o->n_slots * o->per) return NULL;
  slot *s = &o->slots[i / o->per];
  if (name) *name = s->name[i % o->per];
  return &s->s[i % o->per];
}
lf_tensor *lf_optim_find_state(lf_optim *o, const char *name) {
  for (int i = 0; i < o->n_slots; i++)
    for (int k = 0; k < o->per; k++)
      if (!strcmp(o->slots[i].name[k], name)) return &o->slots[i].s[k];
  return NULL;
}

static void sgd(const lf_optim_config *c, float *restrict w, const float *restrict g, float *restrict buf, size_t n,
                int first) {
  const float wd = c->weight_decay, mom = c->momentum, damp = 1 - c->dampening, lr = c->lr;
  const int nesterov = c->nesterov;
  if (!buf) {
    for (size_t i = 0; i < n; i++) {
      float d = g[i];
      if (wd != 0) d += wd * w[i];
      w[i] -= lr * d;
    }
    return;
  }
  for (size_t i = 0; i < n; i++) {
    float d = g[i];
    if (wd != 0) d += wd * w[i];
    buf[i] = first ? d : mom * buf[i] + damp * d;
    d = nesterov ? d + mom * buf[i] : buf[i];
    w[i] -= lr * d;
  }
}

static void adam(const lf_optim_config *c, float *restrict w, const float *restrict g, float *restrict m,
                 float *restrict v, size_t n, int64_t step) {
  double bc1 = 1.0 - pow(c->beta1, (double)step), bc2 = 1.0 - pow(c->beta2, (double)step);
  const float step_size = (float)(c->lr / bc1), bc2s = (float)sqrt(bc2);
  const float wd = c->weight_decay, decay = 1.0f - c->lr * c->weight_decay, b1 = 1.0f - c->beta1,
              beta2 = c->beta2, b2 = 1.0f - c->beta2, eps = c->eps;
  if (c->kind == LF_OPT_ADAMW) {
    for (size_t i = 0; i < n; i++) {
      float d = g[i];
      w[i] *= decay;
      m[i] += (d - m[i]) * b1; /* torch: lerp */
      v[i] = v[i] * beta2 + b2 * d * d;
      float denom = sqrtf(v[i]) / bc2s + eps;
      w[i] -= step_size * m[i] / denom;
    }
    return;
  }
  for (size_t i = 0; i < n; i++) {
    float d = g[i];
    if (wd != 0) d += wd * w[i];
    m[i] += (d - m[i]) * b1;
    v[i] = v[i] * beta2 + b2 * d * d;
    float denom = sqrtf(v[i]) / bc2s + eps;
    w[i] -= step_size * m[i] / denom;
  }
}

#define BLOCK 16384
static lf_status plan_blocks(lf_optim *o) {
  size_t n = 0;
  for (int i = 0; i < o->n_slots; i++) {
    lf_param *p = lf_graph_param(o->g, o->slots[i].index);
    n += p ? (p->value.numel + BLOCK - 1) / BLOCK : 0;
  }
  free(o->blocks);
  o->blocks = malloc((n ? n : 1) * sizeof *o->blocks);
  o->n_blocks = 0;
  if (!o->blocks) return lf_error(LF_ENOMEM, "optim: out of memory");
  for (int i = 0; i < o->n_slots; i++) {
    lf_param *p = lf_graph_param(o->g, o->slots[i].index);
    for (size_t b = 0; p && b < p->value.numel; b += BLOCK) {
      block *k = &o->blocks[o->n_blocks++];
      k->slot = i;
      k->b = b;
      k->e = p->value.numel - b < BLOCK ? p->value.numel : b + BLOCK;
    }
  }
  return LF_OK;
}

static void update_blocks(void *vctx, size_t b, size_t e) {
  lf_optim *o = vctx;
  for (size_t k = b; k < e; k++) {
    const block *bl = &o->blocks[k];
    slot *s = &o->slots[bl->slot];
    lf_param *p = lf_graph_param(o->g, s->index);
    size_t off = bl->b, n = bl->e - bl->b;
    if (o->cfg.kind == LF_OPT_SGD)
      sgd(&o->cfg, p->value.data + off, p->grad.data + off, o->per ? s->s[0].data + off : NULL, n, o->steps == 1);
    else
      adam(&o->cfg, p->value.data + off, p->grad.data + off, s->s[0].data + off, s->s[1].data + off, n, o->steps);
  }
}

lf_status lf_optim_step(lf_optim *o) {
  size_t nb = 0;
  for (int i = 0; i < o->n_slots; i++) {
    slot *s = &o->slots[i];
    lf_param *p = lf_graph_param(o->g, s->index);
    if (!p || !p->trainable || (o->per && p->value.numel != s->s[0].numel) || p->grad.numel != p->value.numel)
      return lf_error(LF_EINVAL, "optim: parameter %d changed since creation", s->index);
    nb += (p->value.numel + BLOCK - 1) / BLOCK;
  }
  if (!o->blocks || nb != o->n_blocks) {
    lf_status st = plan_blocks(o);
    if (st) return st;
  }
  o->steps++;
  lf_parallel_for(o->n_blocks, update_blocks, o);
  return LF_OK;
}

lf_status lf_clip_grad_norm(lf_graph *g, float max_norm, float *total_norm) {
  double ss = 0;
  int np = lf_graph_param_count(g);
  for (int i = 0; i < np; i++) {
    lf_param *p = lf_graph_param(g, i);
    if (!p->trainable) continue;
    for (size_t k = 0; k < p->grad.numel; k++) ss += (double)p->grad.data[k] * p->grad.data[k];
  }
  double norm = sqrt(ss);
  if (total_norm) *total_norm = (float)norm;
  if (!(max_norm > 0)) return lf_error(LF_EINVAL, "clip_grad_norm: max_norm %g", max_norm);
  double coef = max_norm / (norm + 1e-6);
  if (coef < 1.0)
    for (int i = 0; i < np; i++) {
      lf_param *p = lf_graph_param(g, i);
      if (!p->trainable) continue;
      for (size_t k = 0; k < p->grad.numel; k++) p->grad.data[k] *= (float)coef;
    }
  return LF_OK;
}
