/* Data-parallel gradient sum, overlapped with the backward pass (lf_dist.h).
 *
 * After backward every process holds the gradients of its own slice of the
 * global batch, already scaled by (its images / global images), so their sum
 * is the gradient of the global batch's mean loss. The trainable gradients,
 * concatenated in parameter order, are cut into buckets of GS_BUCKET floats
 * (DenseNet-121's 7.0M floats go in 7 messages, not 600); each bucket is
 * summed over the processes by one all-reduce on a copy of it.
 *
 * The backward visits nodes in decreasing id and a parameter is written only
 * by the node that owns it, so once the node with the smallest owner id in a
 * bucket has run (lf_graph_set_backward_hook), the bucket is final: it is
 * copied and its MPI_Iallreduce starts while the earlier layers' backward
 * goes on. Open MPI moves a non-blocking collective on only inside MPI calls,
 * so after every node the outstanding buckets are tested (MPI_Test: a few
 * microseconds, ~1000 times a DenseNet-121 step); after the backward the rest
 * start and all are waited for, then copied back, before the optimiser step.
 *
 * LF_DIST_BUCKET=N sets the floats per bucket (default 1048576).
 * LF_DIST_OVERLAP=0 in the environment makes it the blocking version: after
 * the whole backward, each bucket's all-reduce started and waited for in
 * turn. Both use MPI_Iallreduce on the same buffers, so the sums are the same
 * bits (tests/test_mpi.sh compares the checkpoints byte for byte): Open MPI's
 * blocking MPI_Allreduce (its "tuned" component) adds 3 or more ranks'
 * values in another order than the non-blocking one (libnbc), which differs
 * in the last bits (2 ranks: a + b either way, the same bits). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leapfrog/lf_dist.h"
#include "train/train_internal.h"

#define GS_BUCKET ((size_t)1 << 20) /* floats per all-reduce (4 MB) */

struct lf_grad_sync {
  lf_graph *g;
  int overlap;
  size_t total, cap; /* trainable gradient floats; floats per bucket */
  int nb;            /* buckets */
  float *buf;        /* total floats: bucket k at k * cap */
  int *pi;           /* bucket k starts in parameter pi[k] at offset off[k] */
  size_t *off;
  int *ready;        /* bucket k is final once the backward has run node ready[k] */
  int *started;
  lf_dist_req **req;
  size_t step_started;    /* floats whose all-reduce started during this step's backward */
  size_t last_started;    /* of which after the last layer it ran (nothing left to overlap) */
  double t_bw, *t_start;  /* this step: when the backward began, when each bucket started */
  int *order, norder;     /* buckets in the order they started */
  lf_grad_sync_stats st;
};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int has_grad(const lf_param *p) { return p->trainable && p->grad.data && p->grad.numel; }

void lf_grad_sync_free(lf_grad_sync *s) {
  if (!s) return;
  for (int k = 0; k < s->nb && s->req; k++) lf_dist_wait(&s->req[k]);
  free(s->buf), free(s->pi), free(s->off), free(s->ready), free(s->started), free(s->req);
  free(s->t_start), free(s->order);
  free(s);
}

lf_status lf_grad_sync_create(lf_graph *g, lf_grad_sync **out) {
  *out = NULL;
  if (lf_dist_size() == 1) return LF_OK;
  lf_grad_sync *s = calloc(1, sizeof *s);
  if (!s) return lf_error(LF_ENOMEM, "train: out of memory for the gradient all-reduce");
  s->g = g;
  const char *ov = getenv("LF_DIST_OVERLAP");
  s->overlap = !(ov && !strcmp(ov, "0"));
  int np = lf_graph_param_count(g);
  for (int i = 0; i < np; i++)
    if (has_grad(lf_graph_param(g, i))) s->total += lf_graph_param(g, i)->grad.numel;
  size_t bucket = GS_BUCKET;
  const char *bs = getenv("LF_DIST_BUCKET"); /* floats per bucket (tests: many small buckets) */
  if (bs && strtoul(bs, NULL, 10) > 0 && strtoul(bs, NULL, 10) <= GS_BUCKET * 64) bucket = strtoul(bs, NULL, 10);
  s->cap = s->total < bucket ? s->total : bucket;
  s->nb = s->cap ? (int)((s->total + s->cap - 1) / s->cap) : 0;
  size_t nb = (size_t)s->nb + 1;
  s->buf = malloc((s->total ? s->total : 1) * sizeof *s->buf);
  s->pi = calloc(nb, sizeof *s->pi);
  s->off = calloc(nb, sizeof *s->off);
  s->ready = calloc(nb, sizeof *s->ready);
  s->started = calloc(nb, sizeof *s->started);
  s->req = calloc(nb, sizeof *s->req);
  s->t_start = calloc(nb, sizeof *s->t_start);
  s->order = calloc(nb, sizeof *s->order);
  if (!s->buf || !s->pi || !s->off || !s->ready || !s->started || !s->req || !s->t_start || !s->order) {
    lf_grad_sync_free(s);
    return lf_error(LF_ENOMEM, "train: out of memory for the gradient all-reduce (%zu floats)", s->total);
  }
  for (int k = 0; k < s->nb; k++) s->ready[k] = lf_graph_node_count(g);
  size_t at = 0; /* where each parameter's gradient lands in the concatenation */
  for (int i = 0; i < np; i++) {
    lf_param *p = lf_graph_param(g, i);
    if (!has_grad(p)) continue;
    size_t k0 = at / s->cap, k1 = (at + p->grad.numel - 1) / s->cap;
    if (at % s->cap == 0) s->pi[k0] = i, s->off[k0] = 0;
    for (size_t k = k0 + 1; k <= k1; k++) s->pi[k] = i, s->off[k] = k * s->cap - at;
    for (size_t k = k0; k <= k1; k++)
      if (p->node < s->ready[k]) s->ready[k] = p->node;
    at += p->grad.numel;
  }
  s->st.buckets = s->nb;
  s->st.bytes = s->total * sizeof(float);
  *out = s;
  return LF_OK;
}

static size_t bucket_len(const lf_grad_sync *s, int k) {
  return (size_t)k + 1 == (size_t)s->nb ? s->total - (size_t)k * s->cap : s->cap;
}

/* Copies bucket k between the gradients and its buffer (to_bucket: gradients -> buffer). */
static void copy_bucket(lf_grad_sync *s, int k, int to_bucket) {
  float *b = s->buf + (size_t)k * s->cap;
  size_t n = bucket_len(s, k);
  int pi = s->pi[k], np = lf_graph_param_count(s->g);
  size_t off = s->off[k], done = 0;
  for (; done < n && pi < np; pi++, off = 0) {
    lf_param *p = lf_graph_param(s->g, pi);
    if (!has_grad(p)) continue;
    size_t m = p->grad.numel - off;
    if (m > n - done) m = n - done;
    if (to_bucket) memcpy(b + done, p->grad.data + off, m * sizeof(float));
    else memcpy(p->grad.data + off, b + done, m * sizeof(float));
    done += m;
  }
}

static lf_status start_bucket(lf_grad_sync *s, int k) {
  copy_bucket(s, k, 1);
  s->started[k] = 1;
  s->t_start[k] = now_s();
  s->order[s->norder++] = k;
  return lf_dist_iallreduce(s->buf + (size_t)k * s->cap, bucket_len(s, k), LF_DIST_F32, LF_DIST_SUM, &s->req[k]);
}

/* After node `node`'s backward: start the buckets that became final (highest
 * first, the same order on every rank), then let MPI progress the others. */
static lf_status on_node_done(void *ctx, int node) {
  lf_grad_sync *s = ctx;
  lf_status st = LF_OK;
  s->last_started = 0;
  for (int k = s->nb - 1; k >= 0 && !st; k--)
    if (!s->started[k] && node <= s->ready[k]) {
      st = start_bucket(s, k);
      s->step_started += bucket_len(s, k);
      s->last_started += bucket_len(s, k);
    }
  for (int k = s->nb - 1; k >= 0 && !st; k--) {
    int done;
    if (s->req[k] && !(st = lf_dist_test(s->req[k], &done)) && done) st = lf_dist_wait(&s->req[k]);
  }
  return st;
}

lf_status lf_grad_sync_backward(lf_grad_sync *s, lf_graph *g, int seed_node, const lf_tensor *dout) {
  if (!s) return lf_graph_backward(g, seed_node, dout);
  memset(s->started, 0, (size_t)s->nb * sizeof *s->started);
  s->step_started = s->last_started = 0;
  s->norder = 0;
  s->t_bw = now_s();
  if (s->overlap) lf_graph_set_backward_hook(g, on_node_done, s);
  lf_status st = lf_graph_backward(g, seed_node, dout);
  lf_graph_set_backward_hook(g, NULL, NULL);
  double t0 = now_s(), bw = t0 - s->t_bw;
  for (int k = s->nb - 1; k >= 0 && !st; k--) /* the rest (all of them in the blocking version) */
    if (!s->started[k]) {
      st = start_bucket(s, k);
      if (!s->overlap && !st) st = lf_dist_wait(&s->req[k]); /* one at a time */
    }
  for (int k = s->nb - 1; k >= 0; k--) { /* wait for every one, even after an error */
    lf_status w = lf_dist_wait(&s->req[k]);
    if (!st) st = w;
    if (!st) copy_bucket(s, k, 0);
  }
  s->st.exposed_s += now_s() - t0;
  s->st.overlapped_bytes = (s->step_started - s->last_started) * sizeof(float);
  for (int i = 0; i < s->norder && i < LF_GRAD_SYNC_REPORT; i++) /* when each started, in the order they did */
    s->st.start_frac[i] += bw > 0 ? (s->t_start[s->order[i]] - s->t_bw) / bw : 1;
  s->st.steps++;
  return st;
}

lf_grad_sync_stats lf_grad_sync_get_stats(const lf_grad_sync *s) {
  lf_grad_sync_stats z = {0};
  return s ? s->st : z;
}
