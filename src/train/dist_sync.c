/* Data-parallel training across processes (lf_dist.h): the graph's
 * batch-statistics reducer, the buffers' average and the validation split
 * (the gradient sum is grad_sync.c's).
 *
 * Without sync BN each process normalises with its own batch statistics (as
 * PyTorch DDP does), and its running statistics drift apart from the others';
 * here they are averaged after every step (in double, so buffers that are
 * equal everywhere, e.g. QAT observer ranges, stay bit-identical), which is
 * the same as updating them with the average of the per-shard statistics. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_dist.h"
#include "train/train_internal.h"

static lf_status graph_reduce(void *ctx, void *buf, size_t n, lf_graph_reduce_op op) {
  (void)ctx;
  if (op == LF_GRAPH_SUM_F64) return lf_dist_allreduce(buf, n, LF_DIST_F64, LF_DIST_SUM);
  return lf_dist_allreduce(buf, n, LF_DIST_F32, op == LF_GRAPH_MIN_F32 ? LF_DIST_MIN : LF_DIST_MAX);
}

void lf_train_dist_attach(lf_graph *g, int sync_bn) {
  if (lf_dist_size() > 1) lf_graph_set_reduce(g, graph_reduce, NULL, sync_bn);
}

lf_status lf_train_dist_sync(lf_graph *g, int sync_bn) {
  if (lf_dist_size() == 1 || sync_bn) return LF_OK;
  size_t nbuf = 0;
  int np = lf_graph_param_count(g);
  for (int i = 0; i < np; i++) {
    lf_param *p = lf_graph_param(g, i);
    if (!p->trainable && !p->is_int) nbuf += p->value.numel;
  }
  if (!nbuf) return LF_OK;
  double *buf = malloc(nbuf * sizeof *buf); /* BN running statistics (and other float buffers): the mean */
  if (!buf) return lf_error(LF_ENOMEM, "train: out of memory for the buffer all-reduce");
  size_t k = 0;
  for (int i = 0; i < np; i++) {
    lf_param *p = lf_graph_param(g, i);
    if (!p->trainable && !p->is_int)
      for (size_t j = 0; j < p->value.numel; j++) buf[k++] = p->value.data[j];
  }
  lf_status st = lf_dist_allreduce(buf, nbuf, LF_DIST_F64, LF_DIST_SUM);
  k = 0;
  for (int i = 0; i < np && !st; i++) {
    lf_param *p = lf_graph_param(g, i);
    if (!p->trainable && !p->is_int)
      for (size_t j = 0; j < p->value.numel; j++) p->value.data[j] = (float)(buf[k++] / lf_dist_size());
  }
  free(buf);
  return st;
}

void lf_train_dist_share(size_t n, size_t *lo, size_t *hi) {
  size_t r = (size_t)lf_dist_rank(), p = (size_t)lf_dist_size();
  *lo = n / p * r + n % p * r / p;
  *hi = n / p * (r + 1) + n % p * (r + 1) / p;
}

/* Every rank's values in one all-reduce: each writes its own at its offset
 * in a zeroed buffer, and x + 0 + ... + 0 is x, so the sum is every rank's
 * values, bit for bit, on every rank (an all-gather; validation arrays are small). */
lf_status lf_train_dist_val_gather(size_t *n, double *loss_sum, double *dice_sum, int k, double **scores,
                                   uint8_t **labels, size_t *cap) {
  const int p = lf_dist_size(), r = lf_dist_rank();
  double *head = calloc((size_t)p + 2, sizeof *head);
  if (!head) return lf_error(LF_ENOMEM, "validation: out of memory");
  head[r] = (double)*n;
  lf_status st = lf_dist_allreduce(head, (size_t)p, LF_DIST_F64, LF_DIST_SUM);
  double sums[2] = {*loss_sum, *dice_sum};
  if (!st) st = lf_dist_allreduce(sums, 2, LF_DIST_F64, LF_DIST_SUM);
  size_t total = 0, off = 0;
  for (int i = 0; i < p; i++) {
    if (i == r) off = total;
    total += (size_t)head[i];
  }
  free(head);
  if (st) return st;
  *loss_sum = sums[0], *dice_sum = sums[1];
  if (k > 0) {
    size_t m = total * (size_t)k;
    double *all = calloc(2 * m + 1, sizeof *all); /* scores, then labels as 0/1 */
    double *ns = malloc((m + 1) * sizeof *ns);
    uint8_t *nl = malloc(m + 1);
    if (!all || !ns || !nl) st = lf_error(LF_ENOMEM, "validation: out of memory for %zu results", total);
    for (int j = 0; !st && j < k; j++)
      for (size_t i = 0; i < *n; i++) {
        all[(size_t)j * total + off + i] = (*scores)[(size_t)j * *cap + i];
        all[m + (size_t)j * total + off + i] = (*labels)[(size_t)j * *cap + i];
      }
    if (!st) st = lf_dist_allreduce(all, 2 * m, LF_DIST_F64, LF_DIST_SUM);
    for (size_t i = 0; !st && i < m; i++) ns[i] = all[i], nl[i] = all[m + i] >= 0.5;
    free(all);
    if (st) {
      free(ns), free(nl);
      return st;
    }
    free(*scores), free(*labels);
    *scores = ns, *labels = nl, *cap = total;
  }
  *n = total;
  return LF_OK;
}
