/* Sorting cases by score into tie groups: the common first step of AUC, ROC
 * curves, bootstrap and operating points. */
#include <math.h>
#include <stdlib.h>

#include "eval/eval_internal.h"

typedef struct {
  double s;
  uint32_t i;
} sc_idx;

static int cmp_desc(const void *a, const void *b) {
  const sc_idx *x = a, *y = b;
  if (x->s > y->s) return -1;
  if (x->s < y->s) return 1;
  return (x->i > y->i) - (x->i < y->i); /* stable: deterministic order */
}

void lf_score_groups_free(lf_score_groups *g) {
  free(g->score);
  free(g->pos);
  free(g->neg);
  free(g->group_of);
  g->score = NULL;
  g->pos = g->neg = NULL;
  g->group_of = NULL;
  g->n_groups = 0;
}

lf_status lf_score_groups_build(const double *scores, const uint8_t *labels, size_t n, int want_group_of,
                                const char *what, lf_score_groups *g) {
  *g = (lf_score_groups){0};
  if (!what) what = "metrics";
  if (n && (!scores || !labels)) return lf_error(LF_EINVAL, "%s: NULL scores or labels", what);
  if (n >= ((size_t)1 << 31)) return lf_error(LF_EINVAL, "%s: %zu cases is too many", what, n);
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(scores[i])) return lf_error(LF_EINVAL, "%s: score of case %zu is not finite", what, i);
    if (labels[i] > 1) return lf_error(LF_EINVAL, "%s: label of case %zu is %u, not 0 or 1", what, i, labels[i]);
  }
  size_t cap = n ? n : 1;
  sc_idx *v = malloc(cap * sizeof *v);
  g->score = malloc(cap * sizeof *g->score);
  g->pos = calloc(cap, sizeof *g->pos);
  g->neg = calloc(cap, sizeof *g->neg);
  if (want_group_of) g->group_of = malloc(cap * sizeof *g->group_of);
  if (!v || !g->score || !g->pos || !g->neg || (want_group_of && !g->group_of)) {
    free(v);
    lf_score_groups_free(g);
    return lf_error(LF_ENOMEM, "%s: out of memory for %zu cases", what, n);
  }
  for (size_t i = 0; i < n; i++) v[i] = (sc_idx){scores[i], (uint32_t)i};
  qsort(v, n, sizeof *v, cmp_desc);
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    /* -0.0 == 0.0: equal scores form one group, as numpy's diff does */
    if (i == 0 || v[i].s != v[i - 1].s) g->score[k++] = v[i].s;
    uint32_t c = v[i].i;
    if (labels[c]) g->pos[k - 1]++, g->n_pos++;
    else g->neg[k - 1]++, g->n_neg++;
    if (g->group_of) g->group_of[c] = (uint32_t)(k - 1);
  }
  g->n_groups = k;
  free(v);
  return LF_OK;
}

uint64_t lf_twice_u(size_t n_groups, const uint64_t *pos, const uint64_t *neg, uint64_t n_neg) {
  /* groups are in decreasing score order: negatives below group k are those
   * not yet seen minus the group's own. A positive beats each lower negative
   * (2 halves) and ties with each negative of its own score (1 half). */
  uint64_t twice = 0, neg_seen = 0;
  for (size_t k = 0; k < n_groups; k++) {
    neg_seen += neg[k];
    uint64_t below = n_neg - neg_seen;
    twice += pos[k] * (2 * below + neg[k]);
  }
  return twice;
}
