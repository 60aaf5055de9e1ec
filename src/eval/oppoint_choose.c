/* Choosing an operating point on validation data: Youden's index, a target
 * sensitivity or a target specificity (lf_oppoints.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/eval_internal.h"
#include "leapfrog/lf_oppoints.h"

lf_status lf_oppoint_method_parse(const char *s, lf_oppoint_method *m) {
  *m = (lf_oppoint_method){LF_OPPOINT_NONE, NAN};
  if (s && !strcmp(s, "youden")) {
    m->rule = LF_OPPOINT_YOUDEN;
    return LF_OK;
  }
  lf_oppoint_rule r = !s ? LF_OPPOINT_NONE
                      : !strncmp(s, "sens:", 5) ? LF_OPPOINT_SENS
                      : !strncmp(s, "spec:", 5) ? LF_OPPOINT_SPEC
                                                : LF_OPPOINT_NONE;
  if (r != LF_OPPOINT_NONE) {
    char *end;
    errno = 0;
    double x = strtod(s + 5, &end);
    if (!errno && end != s + 5 && !*end && x > 0 && x <= 1) {
      m->rule = r, m->target = x;
      return LF_OK;
    }
  }
  return lf_error(LF_EINVAL, "operating point method '%s': want youden, sens:X or spec:X with X in (0, 1] "
                  "(e.g. sens:0.9)", s ? s : "(null)");
}

const char *lf_oppoint_method_name(const lf_oppoint_method *m, char *buf, size_t cap) {
  if (m->rule == LF_OPPOINT_YOUDEN) snprintf(buf, cap, "youden");
  else if (m->rule == LF_OPPOINT_SENS || m->rule == LF_OPPOINT_SPEC) {
    char x[40];
    for (int prec = 15; prec <= 17; prec++) { /* the shortest that reads back: 0.9, not 0.90000000000000002 */
      snprintf(x, sizeof x, "%.*g", prec, m->target);
      if (strtod(x, NULL) == m->target) break;
    }
    snprintf(buf, cap, "%s:%s", m->rule == LF_OPPOINT_SENS ? "sens" : "spec", x);
  }
  else snprintf(buf, cap, "none");
  return buf;
}

/* Group index the method picks (groups in decreasing score), or -1 when none qualifies. */
static long pick_group(const lf_score_groups *g, const lf_oppoint_method *m) {
  const int64_t P = (int64_t)g->n_pos, N = (int64_t)g->n_neg;
  int64_t tp = 0, fp = 0, best_j = 0;
  long best = -1;
  for (size_t k = 0; k < g->n_groups; k++) {
    tp += (int64_t)g->pos[k], fp += (int64_t)g->neg[k];
    if (m->rule == LF_OPPOINT_YOUDEN) {
      /* TPR - FPR = (tp N - fp P) / (P N): compare the numerators, exactly; a tie keeps the higher threshold */
      int64_t j = tp * N - fp * P;
      if (best < 0 || j > best_j) best = (long)k, best_j = j;
    } else if (m->rule == LF_OPPOINT_SENS) {
      if ((double)tp / (double)P >= m->target) return (long)k; /* the first reached: the highest threshold */
    } else if ((double)(N - fp) / (double)N >= m->target) {
      best = (long)k; /* specificity only falls as the threshold falls: keep the last that holds */
    } else {
      break;
    }
  }
  return best;
}

lf_status lf_choose_operating_point(const double *scores, const uint8_t *labels, size_t n,
                                    const lf_oppoint_method *m, lf_oppoint *out) {
  if (!out || !m) return lf_error(LF_EINVAL, "choose operating point: NULL argument");
  *out = (lf_oppoint){.threshold = NAN, .sensitivity = NAN, .specificity = NAN, .ppv = NAN, .npv = NAN};
  if (m->rule != LF_OPPOINT_YOUDEN && !((m->rule == LF_OPPOINT_SENS || m->rule == LF_OPPOINT_SPEC) &&
                                        m->target > 0 && m->target <= 1))
    return lf_error(LF_EINVAL, "choose operating point: no method (youden, sens:X or spec:X, X in (0, 1])");
  lf_score_groups g;
  lf_status st = lf_score_groups_build(scores, labels, n, 0, "choose operating point", &g);
  if (st) return st;
  long k = -1;
  if (!g.n_pos || !g.n_neg)
    st = lf_error(LF_ENOTFOUND, "no %s cases", g.n_pos ? "negative" : "positive");
  else if ((k = pick_group(&g, m)) < 0)
    st = lf_error(LF_ENOTFOUND, "no score reaches specificity %g (the highest score already has negatives)",
                  m->target);
  double thr = k >= 0 ? g.score[k] : NAN;
  lf_score_groups_free(&g);
  if (st) return st;
  return lf_operating_point(scores, labels, n, thr, out);
}
