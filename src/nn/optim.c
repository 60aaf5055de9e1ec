/* SGD (momentum, nesterov), Adam and AdamW with torch.optim's update rules,
 * and clip_grad_norm_. */
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

struct lf_optim {
  lf_optim_config cfg;
  lf_graph *g;
  slot *slots;
  int n_slots, per; /* per: state tensors per param */
  int64_t steps;
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

static void sgd(const lf_optim_config *c, float *w, const float *g, float *buf, size_t n, int first) {
  for (size_t i = 0; i < n; i++) {
    float d = g[i];
    if (c->weight_decay != 0) d += c->weight_decay * w[i];
    if (buf) {
      buf[i] = first ? d : c->momentum * buf[i] + (1 - c->dampening) * d;
      d = c->nesterov ? d + c->momentum * buf[i] : buf[i];
    }
    w[i] -= c->lr * d;
  }
}

static void adam(const lf_optim_config *c, float *w, const float *g, float *m, float *v, size_t n, int64_t step) {
  double bc1 = 1.0 - pow(c->beta1, (double)step), bc2 = 1.0 - pow(c->beta2, (double)step);
  float step_size = (float)(c->lr / bc1), bc2s = (float)sqrt(bc2);
  int adamw = c->kind == LF_OPT_ADAMW;
  for (size_t i = 0; i < n; i++) {
    float d = g[i];
    if (adamw)
      w[i] *= 1.0f - c->lr * c->weight_decay;
    else if (c->weight_decay != 0)
      d += c->weight_decay * w[i];
    m[i] += (d - m[i]) * (1.0f - c->beta1);                  /* torch: lerp */
    v[i] = v[i] * c->beta2 + (1.0f - c->beta2) * d * d;
    float denom = sqrtf(v[i]) / bc2s + c->eps;
    w[i] -= step_size * m[i] / denom;
  }
}

lf_status lf_optim_step(lf_optim *o) {
  o->steps++;
  for (int i = 0; i < o->n_slots; i++) {
    slot *s = &o->slots[i];
    lf_param *p = lf_graph_param(o->g, s->index);
    if (!p || !p->trainable || (o->per && p->value.numel != s->s[0].numel))
      return lf_error(LF_EINVAL, "optim: parameter %d changed since creation", s->index);
    if (o->cfg.kind == LF_OPT_SGD)
      sgd(&o->cfg, p->value.data, p->grad.data, o->per ? s->s[0].data : NULL, p->value.numel, o->steps == 1);
    else
      adam(&o->cfg, p->value.data, p->grad.data, s->s[0].data, s->s[1].data, p->value.numel, o->steps);
  }
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
