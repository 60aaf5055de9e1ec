/* The training graph: nodes, parameters, forward and backward drivers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nn/nn_internal.h"

static double clock_s(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}
static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

void lf_graph_set_profile(lf_graph *g, int on) {
  g->profile = on;
  memset(g->prof_s, 0, sizeof g->prof_s);
  memset(g->prof_cpu, 0, sizeof g->prof_cpu);
}

void lf_graph_profile_print(const lf_graph *g, void *fp) {
  FILE *f = fp;
  double tf = 0, tb = 0;
  for (int k = 0; k < LF_OP_MAX; k++) tf += g->prof_s[0][k], tb += g->prof_s[1][k];
  double cf = 0, cb = 0;
  for (int k = 0; k < LF_OP_MAX; k++) cf += g->prof_cpu[0][k], cb += g->prof_cpu[1][k];
  fprintf(f, "%-18s %10s %10s %12s %12s\n", "op", "fwd ms", "bwd ms", "fwd cpu ms", "bwd cpu ms");
  for (int k = 0; k < LF_OP_MAX; k++)
    if (g->prof_s[0][k] + g->prof_s[1][k] > 0)
      fprintf(f, "%-18s %10.1f %10.1f %12.1f %12.1f\n", lf_nn_op(k) ? lf_nn_op(k)->name : "?",
              1e3 * g->prof_s[0][k], 1e3 * g->prof_s[1][k], 1e3 * g->prof_cpu[0][k], 1e3 * g->prof_cpu[1][k]);
  fprintf(f, "%-18s %10.1f %10.1f %12.1f %12.1f\n", "total", 1e3 * tf, 1e3 * tb, 1e3 * cf, 1e3 * cb);
}

static const lf_op_vtable *op_table[LF_OP_MAX] = {
    [LF_OP_INPUT] = &lf_op_input_vt,
    [LF_OP_CONV2D] = &lf_op_conv2d_vt,
    [LF_OP_CONV_TRANSPOSE2D] = &lf_op_conv_transpose2d_vt,
    [LF_OP_DENSE] = &lf_op_dense_vt,
    [LF_OP_BATCHNORM] = &lf_op_batchnorm_vt,
    [LF_OP_RELU] = &lf_op_relu_vt,
    [LF_OP_LEAKY_RELU] = &lf_op_leaky_relu_vt,
    [LF_OP_SIGMOID] = &lf_op_sigmoid_vt,
    [LF_OP_MAXPOOL] = &lf_op_maxpool_vt,
    [LF_OP_AVGPOOL] = &lf_op_avgpool_vt,
    [LF_OP_GLOBAL_AVGPOOL] = &lf_op_global_avgpool_vt,
    [LF_OP_CONCAT] = &lf_op_concat_vt,
    [LF_OP_UPSAMPLE] = &lf_op_upsample_vt,
    [LF_OP_DROPOUT] = &lf_op_dropout_vt,
    [LF_OP_ADD] = &lf_op_add_vt,
    [LF_OP_MUL] = &lf_op_mul_vt,
};

lf_status lf_nn_register_op(int kind, const lf_op_vtable *vt) {
  if (kind < LF_OP_EXT_FIRST || kind >= LF_OP_MAX)
    return lf_error(LF_EINVAL, "nn: op kind %d outside the extension range [%d,%d)", kind,
                    LF_OP_EXT_FIRST, LF_OP_MAX);
  if (!vt || !vt->build || !vt->forward || !vt->backward)
    return lf_error(LF_EINVAL, "nn: op kind %d: incomplete function table", kind);
  if (op_table[kind] && op_table[kind] != vt)
    return lf_error(LF_EINVAL, "nn: op kind %d already registered as %s", kind, op_table[kind]->name);
  op_table[kind] = vt;
  return LF_OK;
}

const lf_op_vtable *lf_nn_op(int kind) {
  return kind >= 0 && kind < LF_OP_MAX ? op_table[kind] : NULL;
}

int lf_graph_fail(lf_graph *g, lf_status s, const char *fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (g && !g->status) {
    g->status = s;
    snprintf(g->error, sizeof g->error, "%s", buf);
  }
  lf_error(s, "%s", g && g->status ? g->error : buf);
  return -1;
}

lf_status lf_graph_create(lf_graph **out, uint64_t seed) {
  lf_graph *g = calloc(1, sizeof *g);
  if (!g) return lf_error(LF_ENOMEM, "nn: cannot allocate graph");
  lf_rng_seed(&g->rng, seed);
  g->fuse_planned = -1;
  /* debugging knob: LF_NN_FUSION=0 turns BN+ReLU fusion off by default */
  const char *env = getenv("LF_NN_FUSION");
  g->fusion_off = env && env[0] == '0';
  *out = g;
  return LF_OK;
}

void lf_graph_free(lf_graph *g) {
  if (!g) return;
  for (int i = 0; i < g->n_nodes; i++) {
    lf_node *n = g->nodes[i];
    const lf_op_vtable *vt = lf_nn_op(n->kind);
    if (vt && vt->free_state) vt->free_state(n);
    free(n->state);
    free(n->inputs);
    free(n->attrs);
    free(n->params);
    lf_tensor_free(&n->out);
    lf_tensor_free(&n->grad);
    free(n);
  }
  for (int i = 0; i < g->n_params; i++) {
    lf_tensor_free(&g->params[i].value);
    lf_tensor_free(&g->params[i].grad);
  }
  for (int i = 0; i < LF_NN_SCRATCH_SLOTS; i++) lf_aligned_free(g->scratch[i]);
  free(g->params);
  free(g->nodes);
  free(g->input_rg);
  free(g->reach);
  free(g->ginit);
  lf_gradpool_free(&g->gpool);
  free(g->fuse);
  free(g);
}

lf_status lf_graph_status(const lf_graph *g) { return g ? g->status : LF_EINVAL; }
const char *lf_graph_error(const lf_graph *g) { return g ? g->error : "no graph"; }
lf_rng *lf_graph_rng(lf_graph *g) { return &g->rng; }

void lf_graph_set_reduce(lf_graph *g, lf_graph_reduce_fn fn, void *ctx, int sync_bn) {
  g->reduce = fn;
  g->reduce_ctx = ctx;
  g->sync_bn = fn && sync_bn;
}
lf_status lf_graph_reduce(lf_graph *g, void *buf, size_t n, lf_graph_reduce_op op) {
  return g->reduce ? g->reduce(g->reduce_ctx, buf, n, op) : LF_OK;
}
int lf_graph_sync_bn(const lf_graph *g) { return g->sync_bn; }
void lf_graph_set_bn_shards(lf_graph *g, int shards) { g->bn_shards = shards > 1 ? shards : 1; }
void lf_graph_set_batch_offset(lf_graph *g, size_t images) { g->batch_offset = images; }
size_t lf_graph_batch_offset(const lf_graph *g) { return g->batch_offset; }
void lf_graph_set_backward_hook(lf_graph *g, lf_graph_backward_hook fn, void *ctx) {
  g->bw_hook = fn;
  g->bw_hook_ctx = ctx;
}
int lf_graph_bn_shards(const lf_graph *g) { return g->sync_bn || g->bn_shards < 1 ? 1 : g->bn_shards; }

int lf_graph_node_count(const lf_graph *g) { return g->n_nodes; }
lf_node *lf_graph_node(lf_graph *g, int id) {
  return id >= 0 && id < g->n_nodes ? g->nodes[id] : NULL;
}
int lf_graph_find_node(const lf_graph *g, const char *name) {
  for (int i = 0; i < g->n_nodes; i++)
    if (!strcmp(g->nodes[i]->name, name)) return i;
  return -1;
}

int lf_graph_param_count(const lf_graph *g) { return g->n_params; }
lf_param *lf_graph_param(lf_graph *g, int i) { return i >= 0 && i < g->n_params ? &g->params[i] : NULL; }
lf_param *lf_graph_find_param(lf_graph *g, const char *name) {
  for (int i = 0; i < g->n_params; i++)
    if (!strcmp(g->params[i].name, name)) return &g->params[i];
  return NULL;
}
size_t lf_graph_trainable_numel(const lf_graph *g) {
  size_t s = 0;
  for (int i = 0; i < g->n_params; i++)
    if (g->params[i].trainable) s += g->params[i].value.numel;
  return s;
}

uint64_t lf_graph_macs(const lf_graph *g) {
  uint64_t s = 0;
  for (int i = 0; i < g->n_nodes; i++) s += g->nodes[i]->macs;
  return s;
}

size_t lf_graph_memory_bytes(const lf_graph *g) {
  size_t s = 0;
  for (int i = 0; i < g->n_nodes; i++) s += (g->nodes[i]->out.cap + g->nodes[i]->grad.cap) * 4;
  for (int i = 0; i < g->n_params; i++) s += (g->params[i].value.cap + g->params[i].grad.cap) * 4;
  for (int i = 0; i < LF_NN_SCRATCH_SLOTS; i++) s += g->scratch_cap[i] * 4;
  return s + lf_gradpool_bytes(&g->gpool);
}

float *lf_graph_scratch(lf_graph *g, int slot, size_t floats) {
  if (slot < 0 || slot >= LF_NN_SCRATCH_SLOTS) return NULL;
  if (g->scratch_cap[slot] < floats) {
    if (floats > SIZE_MAX / 4) return NULL;
    lf_aligned_free(g->scratch[slot]);
    g->scratch[slot] = lf_aligned_alloc(floats * sizeof(float));
    g->scratch_cap[slot] = g->scratch[slot] ? floats : 0;
  }
  return g->scratch[slot];
}

int lf_node_add_param(lf_graph *g, lf_node *n, const char *suffix, int ndim, const int *shape,
                      int trainable) {
  if (g->n_params == g->cap_params) {
    int cap = g->cap_params ? g->cap_params * 2 : 64;
    lf_param *p = realloc(g->params, (size_t)cap * sizeof *p);
    if (!p) return lf_graph_fail(g, LF_ENOMEM, "nn: %s: out of memory for parameters", n->name);
    g->params = p;
    g->cap_params = cap;
  }
  int *np = realloc(n->params, (size_t)(n->n_params + 1) * sizeof *np);
  if (!np) return lf_graph_fail(g, LF_ENOMEM, "nn: %s: out of memory", n->name);
  n->params = np;
  lf_param *p = &g->params[g->n_params];
  memset(p, 0, sizeof *p);
  int len = snprintf(p->name, sizeof p->name, "%s%s%s", n->name, n->name[0] ? "." : "", suffix);
  if (len < 0 || (size_t)len >= sizeof p->name)
    return lf_graph_fail(g, LF_EINVAL, "nn: parameter name %s.%s too long", n->name, suffix);
  if (lf_graph_find_param(g, p->name))
    return lf_graph_fail(g, LF_EINVAL, "nn: duplicate parameter name %s", p->name);
  if (lf_tensor_alloc(&p->value, ndim, shape))
    return lf_graph_fail(g, LF_ENOMEM, "nn: %s: %s", p->name, lf_last_error());
  if (trainable && lf_tensor_alloc(&p->grad, ndim, shape)) {
    lf_tensor_free(&p->value);
    return lf_graph_fail(g, LF_ENOMEM, "nn: %s: %s", p->name, lf_last_error());
  }
  p->trainable = trainable;
  p->node = n->id;
  n->params[n->n_params++] = g->n_params;
  return g->n_params++;
}

lf_param *lf_node_param(lf_graph *g, lf_node *n, int k) {
  return k >= 0 && k < n->n_params ? &g->params[n->params[k]] : NULL;
}

const lf_tensor *lf_node_input(lf_graph *g, lf_node *n, int i) { return &g->nodes[n->inputs[i]]->out; }

/* The node whose buffer holds node id's gradient (a fused ReLU shares its BN's). */
static int grad_owner(const lf_graph *g, int id) {
  return g->fuse && g->fuse[id] == 2 ? g->nodes[id]->inputs[0] : id;
}

typedef struct {
  float *p;
  size_t n;
} zero_job;
static void zero_blk(void *vctx, size_t b, size_t e) {
  zero_job *z = vctx;
  size_t lo = z->n * b / 64, hi = z->n * e / 64;
  memset(z->p + lo, 0, (hi - lo) * sizeof(float));
}
static void zero_grad_of(lf_graph *g, int id) {
  lf_tensor *t = &g->nodes[id]->grad;
  zero_job z = {t->data, t->numel};
  if (z.n >= 65536)
    lf_parallel_for(64, zero_blk, &z);
  else if (z.n)
    memset(z.p, 0, z.n * sizeof(float));
  g->ginit[id] = 1;
}

lf_tensor *lf_node_input_grad_assign(lf_graph *g, lf_node *n, int i, int *assign) {
  lf_node *in = g->nodes[n->inputs[i]];
  *assign = 0;
  if (!in->needs_grad || !g->reach[in->id]) return NULL;
  int o = grad_owner(g, in->id);
  *assign = !g->ginit[o];
  g->ginit[o] = 1;
  return &in->grad;
}

lf_tensor *lf_node_input_grad(lf_graph *g, lf_node *n, int i) {
  lf_node *in = g->nodes[n->inputs[i]];
  if (!in->needs_grad || !g->reach[in->id]) return NULL;
  int o = grad_owner(g, in->id);
  if (!g->ginit[o]) zero_grad_of(g, o);
  return &in->grad;
}

lf_status lf_node_prepare_output(lf_graph *g, lf_node *n) {
  int batch = n->n_inputs ? g->nodes[n->inputs[0]]->out.shape[0] : n->out.shape[0];
  if (n->out.ndim == 4 && n->out.shape[0] == batch && n->out.shape[1] == n->h &&
      n->out.shape[2] == n->w && n->out.shape[3] == n->c && n->out.owns)
    return LF_OK;
  lf_status s = lf_tensor_alloc4(&n->out, batch, n->h, n->w, n->c);
  if (s) return lf_error(s, "nn: %s: cannot allocate output [%d,%d,%d,%d]", n->name, batch, n->h, n->w, n->c);
  return LF_OK;
}

static int has_trainable(lf_graph *g, lf_node *n) {
  for (int k = 0; k < n->n_params; k++)
    if (g->params[n->params[k]].trainable) return 1;
  return 0;
}

int lf_nn_add_node(lf_graph *g, int kind, const char *name, const int *inputs, int n_inputs,
                   const void *attrs, size_t attrs_size) {
  if (!g) return -1;
  if (g->status) return -1;
  const lf_op_vtable *vt = lf_nn_op(kind);
  if (!vt) return lf_graph_fail(g, LF_EUNSUPPORTED, "nn: %s: op kind %d not registered", name ? name : "?", kind);
  if (!name) name = "";
  if (strlen(name) >= sizeof(((lf_node *)0)->name))
    return lf_graph_fail(g, LF_EINVAL, "nn: node name %.40s... too long", name);
  for (int i = 0; i < n_inputs; i++)
    if (inputs[i] < 0 || inputs[i] >= g->n_nodes)
      return lf_graph_fail(g, LF_EINVAL, "nn: %s (%s): input %d is node %d, which does not exist", name,
                           vt->name, i, inputs[i]);
  if (g->n_nodes == g->cap_nodes) {
    int cap = g->cap_nodes ? g->cap_nodes * 2 : 64;
    lf_node **nn = realloc(g->nodes, (size_t)cap * sizeof *nn);
    unsigned char *rg = realloc(g->input_rg, (size_t)cap);
    if (rg) g->input_rg = rg;
    unsigned char *re = realloc(g->reach, (size_t)cap);
    if (re) g->reach = re;
    unsigned char *gi = realloc(g->ginit, (size_t)cap);
    if (gi) g->ginit = gi;
    if (!nn || !rg || !re || !gi) {
      if (nn) g->nodes = nn;
      return lf_graph_fail(g, LF_ENOMEM, "nn: out of memory adding %s", name);
    }
    g->nodes = nn;
    g->cap_nodes = cap;
  }
  lf_node *n = calloc(1, sizeof *n);
  if (!n) return lf_graph_fail(g, LF_ENOMEM, "nn: out of memory adding %s", name);
  n->id = g->n_nodes;
  n->kind = kind;
  snprintf(n->name, sizeof n->name, "%s", name);
  if (n_inputs > 0) {
    n->inputs = malloc((size_t)n_inputs * sizeof(int));
    if (!n->inputs) {
      free(n);
      return lf_graph_fail(g, LF_ENOMEM, "nn: out of memory adding %s", name);
    }
    memcpy(n->inputs, inputs, (size_t)n_inputs * sizeof(int));
  }
  n->n_inputs = n_inputs;
  if (attrs_size) {
    n->attrs = malloc(attrs_size);
    if (!n->attrs) {
      free(n->inputs);
      free(n);
      return lf_graph_fail(g, LF_ENOMEM, "nn: out of memory adding %s", name);
    }
    memcpy(n->attrs, attrs, attrs_size);
  }
  g->nodes[g->n_nodes] = n;
  g->input_rg[g->n_nodes] = 0;
  g->reach[g->n_nodes] = 0;
  g->ginit[g->n_nodes] = 0;
  g->n_nodes++;
  lf_status s = vt->build(g, n);
  if (s || g->status) {
    if (!g->status) lf_graph_fail(g, s, "%s", lf_last_error());
    return -1;
  }
  if (n->h <= 0 || n->w <= 0 || n->c <= 0)
    return lf_graph_fail(g, LF_EINVAL, "nn: %s (%s): empty output shape %dx%dx%d", name, vt->name, n->h, n->w, n->c);
  n->needs_grad = has_trainable(g, n);
  for (int i = 0; i < n_inputs; i++) n->needs_grad |= g->nodes[inputs[i]]->needs_grad;
  return n->id;
}

lf_status lf_graph_set_input(lf_graph *g, int id, const lf_tensor *x) {
  lf_node *n = lf_graph_node(g, id);
  if (!n || n->kind != LF_OP_INPUT) return lf_error(LF_EINVAL, "nn: node %d is not an input", id);
  if (x->ndim != 4 || x->shape[1] != n->h || x->shape[2] != n->w || x->shape[3] != n->c || x->shape[0] < 1) {
    char b[64];
    return lf_error(LF_EINVAL, "nn: input %s: got %s, want [n,%d,%d,%d]", n->name,
                    lf_tensor_shape_str(x, b, sizeof b), n->h, n->w, n->c);
  }
  lf_tensor_free(&n->out);
  lf_tensor_view(&n->out, x->data, 4, x->shape);
  return LF_OK;
}

void lf_graph_set_fusion(lf_graph *g, int on) {
  g->fusion_off = !on;
  g->fuse_planned = -1;
}

int lf_nn_fused_relu(const lf_graph *g, const lf_node *n) { return g->fuse && g->fuse[n->id] == 1; }

/* Marks BN -> ReLU pairs where the ReLU is the BN's only consumer. */
static lf_status plan_fusion(lf_graph *g) {
  if (g->fuse_planned == g->n_nodes) return LF_OK;
  unsigned char *f = realloc(g->fuse, (size_t)(g->n_nodes ? g->n_nodes : 1));
  int *uses = calloc((size_t)(g->n_nodes ? g->n_nodes : 1), sizeof(int));
  if (f) g->fuse = f;
  if (!f || !uses) {
    free(uses);
    return lf_error(LF_ENOMEM, "nn: out of memory planning fusion");
  }
  memset(f, 0, (size_t)g->n_nodes);
  for (int i = 0; i < g->n_nodes; i++)
    for (int k = 0; k < g->nodes[i]->n_inputs; k++) uses[g->nodes[i]->inputs[k]]++;
  for (int i = 0; i < g->n_nodes && !g->fusion_off; i++) {
    lf_node *n = g->nodes[i];
    if (n->kind != LF_OP_RELU) continue;
    lf_node *b = g->nodes[n->inputs[0]];
    if (b->kind == LF_OP_BATCHNORM && uses[b->id] == 1) f[b->id] = 1, f[i] = 2;
  }
  for (int i = 0; i < g->n_nodes; i++) { /* drop buffers of a previous plan */
    lf_node *n = g->nodes[i];
    if (f[i] == 2 && n->out.owns) lf_tensor_free(&n->out);
    if (f[i] == 2 && n->grad.owns) lf_tensor_free(&n->grad);
    if (f[i] != 2 && n->kind != LF_OP_INPUT && !n->out.owns) memset(&n->out, 0, sizeof n->out);
    if (f[i] != 2 && n->kind != LF_OP_INPUT && !n->grad.owns) memset(&n->grad, 0, sizeof n->grad);
  }
  free(uses);
  g->fuse_planned = g->n_nodes;
  return LF_OK;
}

lf_status lf_graph_forward(lf_graph *g, int train) {
  if (g->status) return lf_error(g->status, "%s", g->error);
  lf_status ps = plan_fusion(g);
  if (ps) return ps;
  for (int i = 0; i < g->n_nodes; i++) {
    lf_node *n = g->nodes[i];
    if (n->kind == LF_OP_INPUT) {
      if (!n->out.data) return lf_error(LF_EINVAL, "nn: input %s not set", n->name);
      continue;
    }
    if (g->fuse[i] == 2) { /* fused ReLU: its BN already wrote the output */
      lf_node *b = g->nodes[n->inputs[0]];
      n->train = train;
      lf_tensor_view(&n->out, b->out.data, 4, b->out.shape);
      continue;
    }
    int batch = g->nodes[n->inputs[0]]->out.shape[0];
    for (int k = 1; k < n->n_inputs; k++)
      if (g->nodes[n->inputs[k]]->out.shape[0] != batch)
        return lf_error(LF_EINVAL, "nn: %s: inputs have different batch sizes", n->name);
    n->train = train;
    double t0 = g->profile ? now_s() : 0, c0 = g->profile ? cpu_s() : 0;
    lf_status s = lf_node_prepare_output(g, n);
    if (!s) s = lf_nn_op(n->kind)->forward(g, n);
    if (s) return s;
    if (g->profile) g->prof_s[0][n->kind] += now_s() - t0, g->prof_cpu[0][n->kind] += cpu_s() - c0;
  }
  return LF_OK;
}

const lf_tensor *lf_graph_output(const lf_graph *g, int id) {
  return id >= 0 && id < g->n_nodes ? &g->nodes[id]->out : NULL;
}

void lf_graph_zero_grad(lf_graph *g) {
  for (int i = 0; i < g->n_params; i++) lf_tensor_zero(&g->params[i].grad);
  for (int i = 0; i < g->n_nodes; i++)
    if (g->nodes[i]->kind == LF_OP_INPUT) lf_tensor_zero(&g->nodes[i]->grad);
}

void lf_graph_set_input_requires_grad(lf_graph *g, int id, int on) {
  lf_node *n = lf_graph_node(g, id);
  if (!n || n->kind != LF_OP_INPUT) return;
  g->input_rg[id] = on ? 1 : 0;
  /* recompute the static needs_grad flags */
  for (int i = 0; i < g->n_nodes; i++) {
    lf_node *m = g->nodes[i];
    m->needs_grad = m->kind == LF_OP_INPUT ? g->input_rg[i] : has_trainable(g, m);
    for (int k = 0; k < m->n_inputs; k++) m->needs_grad |= g->nodes[m->inputs[k]]->needs_grad;
  }
}

const lf_tensor *lf_graph_input_grad(const lf_graph *g, int id) {
  return id >= 0 && id < g->n_nodes ? &g->nodes[id]->grad : NULL;
}

lf_status lf_graph_backward(lf_graph *g, int id, const lf_tensor *dout) {
  lf_node *seed = lf_graph_node(g, id);
  if (!seed) return lf_error(LF_EINVAL, "nn: backward from node %d, which does not exist", id);
  if (!seed->out.data || g->fuse_planned != g->n_nodes)
    return lf_error(LF_EINVAL, "nn: backward from %s before forward", seed->name);
  if (g->fuse[id] == 1)
    return lf_error(LF_EINVAL, "nn: backward from %s: its ReLU is fused into it (start at the ReLU, or "
                    "lf_graph_set_fusion(g, 0))", seed->name);
  if (dout->numel != seed->out.numel) {
    char a[64], b[64];
    return lf_error(LF_EINVAL, "nn: backward from %s: gradient %s, output %s", seed->name,
                    lf_tensor_shape_str(dout, a, sizeof a), lf_tensor_shape_str(&seed->out, b, sizeof b));
  }
  memset(g->reach, 0, (size_t)g->n_nodes);
  g->reach[id] = 1;
  for (int i = id; i >= 0; i--) {
    lf_node *n = g->nodes[i];
    if (!g->reach[i] || !n->needs_grad) {
      g->reach[i] = 0;
      continue;
    }
    for (int k = 0; k < n->n_inputs; k++) g->reach[n->inputs[k]] = 1;
  }
  if (!seed->needs_grad) return LF_OK;
  /* Activation gradients start at zero, but lazily: they come from the
   * gradient pool when their first consumer runs (gradpool.c), marked
   * unwritten; that consumer either assigns (lf_node_input_grad_assign) or
   * gets them zeroed (lf_node_input_grad). Input gradients are the nodes' own
   * and accumulate across calls (lf_graph_zero_grad clears them). */
  lf_status ps = lf_gradpool_plan(g);
  if (ps) return ps;
  for (int i = 0; i <= id; i++) {
    lf_node *n = g->nodes[i];
    if (!g->reach[i]) continue;
    g->ginit[i] = n->kind == LF_OP_INPUT;
    if (n->kind != LF_OP_INPUT) continue;
    if (n->grad.owns && lf_tensor_same_shape(&n->grad, &n->out)) continue;
    lf_status s = lf_tensor_alloc(&n->grad, n->out.ndim, n->out.shape);
    if (s) return lf_error(s, "nn: %s: cannot allocate gradient", n->name);
  }
  if (seed->kind != LF_OP_INPUT && (ps = lf_gradpool_acquire(g, id))) return ps;
  memcpy(seed->grad.data, dout->data, dout->numel * sizeof(float));
  g->ginit[grad_owner(g, id)] = 1;
  for (int i = id; i >= 0; i--) {
    lf_node *n = g->nodes[i];
    if (!g->reach[i] || n->kind == LF_OP_INPUT || g->fuse[i] == 2) continue;
    if ((ps = lf_gradpool_acquire(g, i))) return ps; /* normally held since its first consumer */
    if (!g->ginit[i]) zero_grad_of(g, i);             /* no consumer wrote it */
    for (int k = 0; k < n->n_inputs; k++) { /* the inputs' gradients are born here */
      int in = n->inputs[k];
      if (g->reach[in] && g->nodes[in]->kind != LF_OP_INPUT && (ps = lf_gradpool_acquire(g, in))) return ps;
    }
    double t0 = g->profile ? now_s() : 0, c0 = g->profile ? cpu_s() : 0;
    lf_status s = lf_nn_op(n->kind)->backward(g, n);
    if (s) return s;
    lf_gradpool_release(g, i);
    if (g->profile) g->prof_s[1][n->kind] += now_s() - t0, g->prof_cpu[1][n->kind] += cpu_s() - c0;
    if (g->bw_hook && (s = g->bw_hook(g->bw_hook_ctx, i))) return s;
  }
  return LF_OK;
}

/* ---- shared helpers ---------------------------------------------------- */

typedef struct {
  const float *x, *x2;
  size_t rows;
  int c;
  size_t nblk;
  double *part; /* [nblk][c] */
} colsum_ctx;

static void colsum_blk(void *vctx, size_t b, size_t e) {
  colsum_ctx *t = vctx;
  for (size_t k = b; k < e; k++) {
    size_t r0 = t->rows * k / t->nblk, r1 = t->rows * (k + 1) / t->nblk;
    double *p = t->part + k * (size_t)t->c;
    for (int j = 0; j < t->c; j++) p[j] = 0;
    for (size_t r = r0; r < r1; r++) {
      const float *xr = t->x + r * (size_t)t->c;
      if (t->x2) {
        const float *yr = t->x2 + r * (size_t)t->c;
        for (int j = 0; j < t->c; j++) p[j] += (double)xr[j] * yr[j];
      } else {
        for (int j = 0; j < t->c; j++) p[j] += xr[j];
      }
    }
  }
}

void lf_nn_colsum(const float *x, const float *x2, size_t rows, int c, double *out) {
  size_t nblk = rows < 64 ? (rows ? rows : 1) : 64;
  double stackbuf[1024];
  double *part = (size_t)c * nblk <= 1024 ? stackbuf : malloc((size_t)c * nblk * sizeof(double));
  for (int j = 0; j < c; j++) out[j] = 0;
  if (!part) { /* fall back to a serial pass (same order as one block) */
    for (size_t r = 0; r < rows; r++)
      for (int j = 0; j < c; j++) out[j] += x2 ? (double)x[r * c + j] * x2[r * c + j] : x[r * c + j];
    return;
  }
  colsum_ctx t = {x, x2, rows, c, nblk, part};
  lf_parallel_for(nblk, colsum_blk, &t);
  for (size_t k = 0; k < nblk; k++)
    for (int j = 0; j < c; j++) out[j] += part[k * (size_t)c + j];
  if (part != stackbuf) free(part);
}
