/* BatchNorm2d with torch semantics. Train: normalise with the batch mean and
 * biased variance; running_mean/var <- (1-m)*running + m*batch (running var
 * from the unbiased variance); num_batches_tracked += 1. Eval: running
 * statistics. Backward uses the statistics of the last forward. When the
 * graph fuses the following ReLU (lf_nn_fused_relu), the output is
 * max(0, bn(x)) and backward masks dy by output > 0. Ghost batch norm
 * (lf_graph_set_bn_shards): the same per slice of the batch, each slice with
 * its own statistics, the running statistics averaged over the slices. */
/* GCC's -O2 cost model leaves these per-channel loops scalar */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3")
#endif
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nn/nn_internal.h"

typedef struct {
  int c;
  int shards;           /* slices of the last forward (ghost batch norm; else 1) */
  int cap_shards;       /* slices the four arrays below have room for */
  float *mean, *invstd; /* of the last forward [shards][c] */
  float *scale, *shift;  /* y = x*scale + shift of the last forward [shards][c] */
  double *s1, *s2;      /* per-channel sums */
  double *part;         /* per-block partial sums */
  size_t part_cap;
  double *sync;         /* [2c+1]: sums sent to the other processes (lf_graph_sync_bn) */
  double rows_all;      /* rows over every process of the last training forward */
} bn_state;

int lf_nn_batchnorm(lf_graph *g, int x, const char *name, float eps, float momentum) {
  if (x < 0) return -1;
  lf_bn_attrs a = {eps, momentum};
  return lf_nn_add_node(g, LF_OP_BATCHNORM, name, &x, 1, &a, sizeof a);
}

static void free_state(lf_node *n) {
  bn_state *s = n->state;
  if (!s) return;
  free(s->mean);
  free(s->invstd);
  free(s->scale);
  free(s->shift);
  free(s->s1);
  free(s->s2);
  free(s->part);
  free(s->sync);
}
/* torch's BatchNorm parameters and buffers on node n with c channels: weight 1,
 * bias 0, running_mean 0, running_var 1, num_batches_tracked (int). Shared with
 * the QAT batchnorm so checkpoints name them the same way. */
lf_status lf_nn_add_bn_params(lf_graph *g, lf_node *n, int c) {
  int one = 1;
  int gi = lf_node_add_param(g, n, "weight", 1, &c, 1);
  int bi = lf_node_add_param(g, n, "bias", 1, &c, 1);
  int mi = lf_node_add_param(g, n, "running_mean", 1, &c, 0);
  int vi = lf_node_add_param(g, n, "running_var", 1, &c, 0);
  int ti = lf_node_add_param(g, n, "num_batches_tracked", 0, &one, 0);
  if (gi < 0 || bi < 0 || mi < 0 || vi < 0 || ti < 0) return lf_graph_status(g);
  lf_tensor_fill(&lf_graph_param(g, gi)->value, 1.0f);
  lf_tensor_fill(&lf_graph_param(g, vi)->value, 1.0f);
  lf_graph_param(g, ti)->is_int = 1;
  return LF_OK;
}


static lf_status build(lf_graph *g, lf_node *n) {
  lf_bn_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (!(a->eps > 0) || !(a->momentum >= 0 && a->momentum <= 1))
    return lf_error(LF_EINVAL, "nn: %s: batchnorm: eps %g momentum %g", n->name, a->eps, a->momentum);
  n->h = in->h;
  n->w = in->w;
  n->c = in->c;
  bn_state *s = calloc(1, sizeof *s);
  if (!s) return lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
  n->state = s;
  s->c = n->c;
  s->mean = malloc((size_t)n->c * sizeof(float));
  s->invstd = malloc((size_t)n->c * sizeof(float));
  s->s1 = malloc((size_t)n->c * sizeof(double));
  s->s2 = malloc((size_t)n->c * sizeof(double));
  s->scale = malloc((size_t)n->c * sizeof(float));
  s->shift = malloc((size_t)n->c * sizeof(float));
  s->sync = malloc((2 * (size_t)n->c + 1) * sizeof(double));
  if (!s->sync || !s->mean || !s->invstd || !s->s1 || !s->s2 || !s->scale || !s->shift) return lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
  s->shards = s->cap_shards = 1;
  return lf_nn_add_bn_params(g, n, n->c);
}

/* Per-channel sums over fixed row blocks (independent of the thread count):
 * forward: sum x, sum x^2; backward: sum d, sum d*(x-mean) with d = dy, or
 * dy masked by y > 0 when a following ReLU is fused. */
#define NBLK 64

/* The affine part of the forward; backward recomputes it to get the fused
 * ReLU's mask (y > 0) from x instead of reading y: one stream less. Both
 * sides call this one function, so the values (and the mask) are the same. */
static inline float affine(float x, float scale, float shift) { return x * scale + shift; }
/* v if affine(...) > 0 else 0, the mask of the fused ReLU (max(0, v) is
 * positive exactly when v > 0; a NaN v gives 0 in the forward and here) */
static inline float pass_if_positive(float y, float v) { return y > 0 ? v : 0.0f; }
typedef struct {
  const float *x, *dy, *mean, *scale, *shift;
  size_t rows;
  int c, nblk, back, relu;
  double *part; /* [nblk][2c] */
} red_job;
static void red_blk(void *vctx, size_t b, size_t e) {
  red_job *j = vctx;
  int C = j->c;
  for (size_t k = b; k < e; k++) {
    size_t r0 = j->rows * k / (size_t)j->nblk, r1 = j->rows * (k + 1) / (size_t)j->nblk;
    double *restrict p1 = j->part + k * 2 * (size_t)C, *restrict p2 = p1 + C;
    const float *restrict mean = j->mean;
    for (int c = 0; c < C; c++) p1[c] = p2[c] = 0;
    for (size_t r = r0; r < r1; r++) {
      const float *restrict x = j->x + r * (size_t)C;
      if (!j->back) {
        for (int c = 0; c < C; c++) {
          double v = x[c];
          p1[c] += v;
          p2[c] += v * v;
        }
        continue;
      }
      const float *restrict dy = j->dy + r * (size_t)C;
      if (j->relu)
        for (int c0 = 0; c0 < C; c0 += 256) { /* mask, then the double sums: both loops vectorize */
          float d[256];
          int n = C - c0 < 256 ? C - c0 : 256;
          const float *restrict sc = j->scale + c0, *restrict sh = j->shift + c0, *restrict xc = x + c0;
          for (int c = 0; c < n; c++) d[c] = pass_if_positive(affine(xc[c], sc[c], sh[c]), dy[c0 + c]);
          for (int c = 0; c < n; c++) {
            p1[c0 + c] += d[c];
            p2[c0 + c] += (double)d[c] * (x[c0 + c] - mean[c0 + c]);
          }
        }
      else
        for (int c = 0; c < C; c++) {
          p1[c] += dy[c];
          p2[c] += (double)dy[c] * (x[c] - mean[c]);
        }
    }
  }
}
static lf_status reduce(bn_state *s, red_job *j, int C) {
  size_t need = (size_t)NBLK * 2 * (size_t)C;
  if (s->part_cap < need) {
    free(s->part);
    s->part = malloc(need * sizeof(double));
    s->part_cap = s->part ? need : 0;
    if (!s->part) return lf_error(LF_ENOMEM, "nn: batchnorm: out of memory");
  }
  j->part = s->part;
  j->nblk = j->rows < NBLK ? (int)j->rows : NBLK;
  lf_parallel_for((size_t)j->nblk, red_blk, j);
  for (int c = 0; c < C; c++) s->s1[c] = s->s2[c] = 0;
  for (int k = 0; k < j->nblk; k++)
    for (int c = 0; c < C; c++) {
      s->s1[c] += s->part[(size_t)k * 2 * C + c];
      s->s2[c] += s->part[(size_t)k * 2 * C + C + c];
    }
  return LF_OK;
}

typedef struct {
  const float *x;
  float *y;
  const float *scale, *shift; /* y = x*scale + shift, then max(0, y) if relu */
  int c, relu;
} affine_job;
static void affine_rows(void *vctx, size_t b, size_t e) {
  affine_job *j = vctx;
  for (size_t r = b; r < e; r++) {
    const float *x = j->x + r * (size_t)j->c;
    float *y = j->y + r * (size_t)j->c;
    if (j->relu)
      for (int k = 0; k < j->c; k++) {
        float v = affine(x[k], j->scale[k], j->shift[k]);
        y[k] = v > 0 ? v : 0.0f;
      }
    else
      for (int k = 0; k < j->c; k++) y[k] = affine(x[k], j->scale[k], j->shift[k]);
  }
}

/* Sync BN: s1, s2 (and *rows) become their sums over every process. */
static lf_status sync_sums(lf_graph *g, lf_node *n, bn_state *s, double *rows) {
  int C = s->c;
  memcpy(s->sync, s->s1, (size_t)C * sizeof(double));
  memcpy(s->sync + C, s->s2, (size_t)C * sizeof(double));
  s->sync[2 * C] = rows ? *rows : 0;
  lf_status st = lf_graph_reduce(g, s->sync, 2 * (size_t)C + (rows != NULL), LF_GRAPH_SUM_F64);
  if (st) return lf_error_prefix(st, "nn: %s: sync batchnorm: ", n->name);
  memcpy(s->s1, s->sync, (size_t)C * sizeof(double));
  memcpy(s->s2, s->sync + C, (size_t)C * sizeof(double));
  if (rows) *rows = s->sync[2 * C];
  return LF_OK;
}

/* Room for `shards` slices of per-channel statistics. */
static lf_status ensure_shards(lf_node *n, bn_state *s, int shards) {
  if (shards <= s->cap_shards) return LF_OK;
  float **arr[4] = {&s->mean, &s->invstd, &s->scale, &s->shift};
  for (int i = 0; i < 4; i++) {
    float *p = realloc(*arr[i], (size_t)shards * (size_t)s->c * sizeof(float));
    if (!p) return lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
    *arr[i] = p;
  }
  s->cap_shards = shards;
  return LF_OK;
}

static lf_status forward(lf_graph *g, lf_node *n) {
  lf_bn_attrs *a = n->attrs;
  bn_state *s = n->state;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int C = n->c;
  size_t rows = in->out.numel / (size_t)C;
  float *gamma = lf_node_param(g, n, 0)->value.data, *beta = lf_node_param(g, n, 1)->value.data;
  float *rm = lf_node_param(g, n, 2)->value.data, *rv = lf_node_param(g, n, 3)->value.data;
  int S = 1; /* slices of the batch, each normalised on its own (ghost batch norm) */
  if (n->train) {
    S = lf_graph_bn_shards(g);
    size_t per_image = (size_t)n->h * (size_t)n->w;
    if (S > 1 && rows % (per_image * (size_t)S))
      return lf_error(LF_EINVAL, "nn: %s: a batch of %zu images cannot be cut into %d equal batch-norm shards", n->name,
                      rows / per_image, S);
    size_t rs = rows / (size_t)S;
    if (rs < 2) return lf_error(LF_EINVAL, "nn: %s: batchnorm in training needs more than 1 value per channel", n->name);
    lf_status st = ensure_shards(n, s, S);
    if (st) return st;
    double *acc = s->sync; /* S > 1: each slice's running-statistics update, summed (sync BN is off) */
    for (int q = 0; q < S; q++) {
      red_job j = {in->out.data + (size_t)q * rs * C, NULL, NULL, NULL, NULL, rs, C, 0, 0, 0, NULL};
      if ((st = reduce(s, &j, C))) return st;
      double nr = (double)rs;
      if (lf_graph_sync_bn(g) && (st = sync_sums(g, n, s, &nr))) return st;
      s->rows_all = nr;
      float *mean = s->mean + (size_t)q * C, *invstd = s->invstd + (size_t)q * C;
      for (int k = 0; k < C; k++) {
        double m = s->s1[k] / nr;
        double var = s->s2[k] / nr - m * m; /* biased, in double */
        if (var < 0) var = 0;
        mean[k] = (float)m;
        invstd[k] = (float)(1.0 / sqrt(var + a->eps));
        float um = (1 - a->momentum) * rm[k] + a->momentum * (float)m;
        float uv = (1 - a->momentum) * rv[k] + a->momentum * (float)(var * nr / (nr - 1));
        if (S == 1) rm[k] = um, rv[k] = uv;
        else acc[k] = (q ? acc[k] : 0.0) + um, acc[C + k] = (q ? acc[C + k] : 0.0) + uv;
      }
    }
    for (int k = 0; S > 1 && k < C; k++) /* as the ranks' average of their buffers (dist_sync.c) */
      rm[k] = (float)(acc[k] / S), rv[k] = (float)(acc[C + k] / S);
    lf_node_param(g, n, 4)->value.data[0] += 1.0f;
  } else {
    for (int k = 0; k < C; k++) {
      s->mean[k] = rm[k];
      s->invstd[k] = (float)(1.0 / sqrt((double)rv[k] + a->eps));
    }
  }
  s->shards = S;
  for (size_t k = 0; k < (size_t)S * C; k++) {
    s->scale[k] = gamma[k % C] * s->invstd[k];
    s->shift[k] = beta[k % C] - s->mean[k] * s->scale[k];
  }
  size_t rs = rows / (size_t)S;
  for (int q = 0; q < S; q++) {
    size_t off = (size_t)q * rs * C;
    affine_job j = {in->out.data + off, n->out.data + off, s->scale + (size_t)q * C, s->shift + (size_t)q * C, C,
                    lf_nn_fused_relu(g, n)};
    lf_parallel_for(rs, affine_rows, &j);
  }
  return LF_OK;
}

typedef struct {
  const float *x, *dy;
  float *dx;
  const float *mean, *invstd, *k1, *k2, *k3; /* dx (+)= k1*d + k2*xhat + k3 */
  const float *scale, *shift;                /* the forward's affine, for the ReLU mask */
  int c, relu, assign;
} bwd_job;
static void bwd_rows(void *vctx, size_t b, size_t e) {
  bwd_job *j = vctx;
  const int C = j->c, relu = j->relu, assign = j->assign;
  const float *restrict mean = j->mean, *restrict invstd = j->invstd, *restrict k1 = j->k1,
                        *restrict k2 = j->k2, *restrict k3 = j->k3, *restrict sc = j->scale,
                        *restrict sh = j->shift;
  for (size_t r = b; r < e; r++) {
    const float *restrict x = j->x + r * (size_t)C, *restrict dy = j->dy + r * (size_t)C;
    float *restrict dx = j->dx + r * (size_t)C;
    /* four straight loops so that each one vectorizes */
    if (relu && assign)
      for (int k = 0; k < C; k++) {
        float d = pass_if_positive(affine(x[k], sc[k], sh[k]), dy[k]);
        dx[k] = k1[k] * d + k2[k] * ((x[k] - mean[k]) * invstd[k]) + k3[k];
      }
    else if (relu)
      for (int k = 0; k < C; k++) {
        float d = pass_if_positive(affine(x[k], sc[k], sh[k]), dy[k]);
        dx[k] += k1[k] * d + k2[k] * ((x[k] - mean[k]) * invstd[k]) + k3[k];
      }
    else if (assign)
      for (int k = 0; k < C; k++) dx[k] = k1[k] * dy[k] + k2[k] * ((x[k] - mean[k]) * invstd[k]) + k3[k];
    else
      for (int k = 0; k < C; k++) dx[k] += k1[k] * dy[k] + k2[k] * ((x[k] - mean[k]) * invstd[k]) + k3[k];
  }
}

static lf_status backward(lf_graph *g, lf_node *n) {
  bn_state *s = n->state;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  int C = n->c, relu = lf_nn_fused_relu(g, n);
  size_t rows = in->out.numel / (size_t)C;
  lf_param *gp = lf_node_param(g, n, 0), *bp = lf_node_param(g, n, 1);
  float *k = lf_graph_scratch(g, 2, 3 * (size_t)C);
  if (!k) return lf_error(LF_ENOMEM, "nn: %s: out of memory", n->name);
  int assign;
  lf_tensor *dx = lf_node_input_grad_assign(g, n, 0, &assign);
  const int S = s->shards; /* slices of the forward (ghost batch norm), each on its own */
  const size_t rs = rows / (size_t)S;
  for (int q = 0; q < S; q++) {
    const size_t off = (size_t)q * rs * C, qc = (size_t)q * C;
    const float *mean = s->mean + qc, *invstd = s->invstd + qc, *scale = s->scale + qc, *shift = s->shift + qc;
    red_job rj = {in->out.data + off, n->grad.data + off, mean, scale, shift, rs, C, 0, 1, relu, NULL};
    lf_status st = reduce(s, &rj, C);
    if (st) return st;
    /* s1 = sum d, s2 = sum d*(x-mean); sum d*xhat = s2*invstd */
    for (int c = 0; c < C; c++) {
      gp->grad.data[c] += (float)(s->s2[c] * invstd[c]);
      bp->grad.data[c] += (float)s->s1[c];
    }
    /* dx needs the sums over the whole batch: every process's (the parameter
     * gradients above stay local; the trainer's all-reduce sums those) */
    double nr = (double)rs;
    if (n->train && lf_graph_sync_bn(g)) {
      if ((st = sync_sums(g, n, s, NULL))) return st;
      nr = s->rows_all;
    }
    if (!dx) continue;
    const float *gamma = gp->value.data;
    for (int c = 0; c < C; c++) {
      float gi = gamma[c] * invstd[c];
      k[c] = gi;
      k[C + c] = n->train ? -gi * (float)(s->s2[c] * invstd[c] / nr) : 0.0f;
      k[2 * C + c] = n->train ? -gi * (float)(s->s1[c] / nr) : 0.0f;
    }
    bwd_job j = {in->out.data + off, n->grad.data + off, dx->data + off, mean, invstd, k, k + C, k + 2 * C,
                 scale, shift, C, relu, assign};
    lf_parallel_for(rs, bwd_rows, &j);
  }
  return LF_OK;
}

const lf_op_vtable lf_op_batchnorm_vt = {"batchnorm", build, forward, backward, free_state};
