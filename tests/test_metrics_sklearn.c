/* AUC, ROC curve, operating points and Dice/IoU against scikit-learn and numpy
 * (tests/oracles/metrics_sklearn.py run with $LF_PYTHON). Exit 77 when the
 * oracle is missing. Cases include heavy ties (int8-like outputs, a handful of
 * distinct values, all equal), one-class inputs and -0.0 vs 0.0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "leapfrog/lf_metrics.h"
#include "leapfrog/lf_oppoints.h"
#include "lf_test.h"

#define MAXC 16
typedef struct {
  char name[32];
  size_t n;
  double *s;
  uint8_t *l;
} acase;
typedef struct {
  char name[32];
  size_t n;
  uint8_t *t, *p;
} mcase;
typedef struct {
  char name[32];
  size_t n;
  double *a, *b;
  uint8_t *l;
} pcase;
static acase A[MAXC];
static pcase PC[MAXC];
static int npc;
static mcase M[MAXC];
static int na, nm;

static uint64_t rng = 0x1234567;
static double urand(void) {
  rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}
static double nrand(void) { return sqrt(-2 * log(urand() + 1e-300)) * cos(6.283185307179586 * urand()); }

static acase *add_auc(const char *name, size_t n) {
  acase *c = &A[na++];
  snprintf(c->name, sizeof c->name, "%s", name);
  c->n = n;
  c->s = malloc(n * sizeof *c->s);
  c->l = malloc(n);
  return c;
}
static pcase *add_pair(const char *name, size_t n) {
  pcase *c = &PC[npc++];
  snprintf(c->name, sizeof c->name, "%s", name);
  c->n = n;
  c->a = malloc(n * sizeof *c->a);
  c->b = malloc(n * sizeof *c->b);
  c->l = malloc(n);
  return c;
}
static mcase *add_mask(const char *name, size_t n) {
  mcase *c = &M[nm++];
  snprintf(c->name, sizeof c->name, "%s", name);
  c->n = n;
  c->t = calloc(n, 1);
  c->p = calloc(n, 1);
  return c;
}
static void blob(uint8_t *m, int w, int h, double cx, double cy, double r) {
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r) m[x * h + y] = 1;
}

static void make_cases(void) {
  acase *c = add_auc("random", 300);
  for (size_t i = 0; i < c->n; i++) c->l[i] = urand() < 0.3, c->s[i] = urand() + 0.3 * c->l[i];
  c = add_auc("five_values", 500);
  for (size_t i = 0; i < c->n; i++) c->l[i] = urand() < 0.4, c->s[i] = floor(urand() * 4.999 + c->l[i]) / 4 * 0.8;
  c = add_auc("int8_logistic", 4000); /* outputs of an int8 LOGISTIC: (q + 128) / 256 */
  for (size_t i = 0; i < c->n; i++) {
    c->l[i] = urand() < 0.1;
    int q = (int)floor(-60 + 25 * nrand() + 30 * c->l[i]);
    q = q < -128 ? -128 : q > 127 ? 127 : q;
    c->s[i] = (q + 128) / 256.0;
  }
  c = add_auc("all_equal", 60);
  for (size_t i = 0; i < c->n; i++) c->l[i] = i % 3 == 0, c->s[i] = 0.5;
  c = add_auc("one_class", 40);
  for (size_t i = 0; i < c->n; i++) c->l[i] = 0, c->s[i] = urand();
  c = add_auc("all_positive", 25);
  for (size_t i = 0; i < c->n; i++) c->l[i] = 1, c->s[i] = floor(urand() * 5);
  c = add_auc("two_separated", 2);
  c->s[0] = 0.9, c->l[0] = 1, c->s[1] = 0.1, c->l[1] = 0;
  c = add_auc("logits_signed_zero", 400);
  for (size_t i = 0; i < c->n; i++) {
    c->l[i] = urand() < 0.5;
    double v = urand() < 0.2 ? (urand() < 0.5 ? -0.0 : 0.0) : 1e3 * nrand() + 200 * c->l[i];
    c->s[i] = v;
  }
  c = add_auc("big_tied", 30000);
  for (size_t i = 0; i < c->n; i++) c->l[i] = urand() < 0.02, c->s[i] = floor(50 * urand() + 10 * c->l[i]) / 64;
  /* Youden ties: TPR - FPR is 1/3 at 0.9, 0.7 and 0.5 (in floating point 1 - 2/3 > 1/3, so a float argmax
     would pick 0.5); ties go to the highest threshold, 0.9. Tied scores within each level too. */
  c = add_auc("youden_tie", 12);
  for (size_t i = 0; i < c->n; i++) c->l[i] = (i / 2) % 2 == 0, c->s[i] = 0.9 - 0.1 * (double)(i / 2);
  c = add_auc("perfect_inverse", 100);
  for (size_t i = 0; i < c->n; i++) c->l[i] = i < 30, c->s[i] = (double)i;

  pcase *pc = add_pair("fp32_vs_int8", 800); /* a model and its coarser, noisier copy */
  for (size_t i = 0; i < pc->n; i++) {
    pc->l[i] = urand() < 0.25;
    pc->a[i] = urand() + 0.4 * pc->l[i];
    pc->b[i] = floor((pc->a[i] + 0.3 * (urand() - 0.5)) * 32) / 32;
  }
  pc = add_pair("tied_pair", 300);
  for (size_t i = 0; i < pc->n; i++)
    pc->l[i] = urand() < 0.5, pc->a[i] = floor(4 * urand() + pc->l[i]), pc->b[i] = floor(3 * urand() + pc->l[i]);

  const int W = 58, H = 42;
  mcase *m = add_mask("both_empty", W * H);
  m = add_mask("truth_only", W * H);
  blob(m->t, W, H, 20, 20, 8);
  m = add_mask("pred_only", W * H);
  blob(m->p, W, H, 30, 10, 5);
  m = add_mask("overlap", W * H);
  blob(m->t, W, H, 25, 20, 10), blob(m->p, W, H, 29, 22, 9);
  m = add_mask("identical", W * H);
  blob(m->t, W, H, 25, 20, 10), blob(m->p, W, H, 25, 20, 10);
  m = add_mask("noise", W * H);
  for (size_t i = 0; i < m->n; i++) m->t[i] = urand() < 0.3, m->p[i] = urand() < 0.4 ? 1 : 0;
  for (size_t i = 0; i < m->n; i++) if (m->p[i]) m->p[i] = (uint8_t)(1 + (i % 255)); /* nonzero = fg */
}

static int close_to(double a, double b, double tol) {
  if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
  return fabs(a - b) <= tol;
}

static acase *find_a(const char *name) {
  for (int i = 0; i < na; i++) if (!strcmp(A[i].name, name)) return &A[i];
  return NULL;
}
static mcase *find_m(const char *name) {
  for (int i = 0; i < nm; i++) if (!strcmp(M[i].name, name)) return &M[i];
  return NULL;
}

int main(void) {
  make_cases();
  const char *tmp = getenv("LF_TMP") ? getenv("LF_TMP") : "/tmp";
  const char *py = getenv("LF_PYTHON") ? getenv("LF_PYTHON") : "/usr/bin/python3";
  const char *root = getenv("LF_ROOT") ? getenv("LF_ROOT") : ".";
  char in[512], cmd[2048];
  snprintf(in, sizeof in, "%s/metrics_cases.%d.txt", tmp, (int)getpid());
  FILE *f = fopen(in, "w");
  if (!f) return perror(in), 1;
  for (int i = 0; i < na; i++) {
    fprintf(f, "auc %s %zu\n", A[i].name, A[i].n);
    for (size_t k = 0; k < A[i].n; k++) fprintf(f, "%.17g %d\n", A[i].s[k], A[i].l[k]);
  }
  for (int i = 0; i < npc; i++) {
    fprintf(f, "pair %s %zu\n", PC[i].name, PC[i].n);
    for (size_t k = 0; k < PC[i].n; k++) fprintf(f, "%.17g %.17g %d\n", PC[i].a[k], PC[i].b[k], PC[i].l[k]);
  }
  for (int i = 0; i < nm; i++) {
    fprintf(f, "mask %s %zu\n", M[i].name, M[i].n);
    for (size_t k = 0; k < M[i].n; k++) fputc(M[i].t[k] ? '1' : '0', f);
    fputc('\n', f);
    for (size_t k = 0; k < M[i].n; k++) fputc(M[i].p[k] ? '1' : '0', f);
    fputc('\n', f);
  }
  fclose(f);
  snprintf(cmd, sizeof cmd, "'%s' '%s/tests/oracles/metrics_sklearn.py' '%s'", py, root, in);
  FILE *o = popen(cmd, "r");
  if (!o) return perror("popen"), 1;
  char kind[16], name[32];
  int seen_auc = 0, seen_roc = 0, seen_op = 0, seen_thr = 0, seen_mask = 0, seen_delong = 0, seen_pair = 0;
  int seen_choose = 0, seen_choose_none = 0;
  while (fscanf(o, "%15s %31s", kind, name) == 2) {
    lf_test_current = name;
    if (!strcmp(kind, "mask")) {
      double d, j;
      if (fscanf(o, "%lf %lf", &d, &j) != 2) break;
      mcase *m = find_m(name);
      LF_CHECK(m != NULL);
      if (!m) continue;
      double ld = lf_dice(m->t, m->p, m->n), li = lf_iou(m->t, m->p, m->n);
      LF_CHECK_MSG(close_to(ld, d, 1e-12), "dice %.17g vs numpy %.17g", ld, d);
      LF_CHECK_MSG(close_to(li, j, 1e-12), "iou %.17g vs numpy %.17g", li, j);
      seen_mask++;
      continue;
    }
    if (!strcmp(kind, "pair")) {
      double d, v, p;
      if (fscanf(o, "%lf %lf %lf", &d, &v, &p) != 3) break;
      pcase *c = NULL;
      for (int i = 0; i < npc; i++)
        if (!strcmp(PC[i].name, name)) c = &PC[i];
      LF_CHECK(c != NULL);
      if (!c) continue;
      double gd, gv, gp;
      LF_CHECK(lf_auc_delong_paired(c->a, c->b, c->l, c->n, &gd, &gv, &gp) == LF_OK);
      LF_CHECK_MSG(close_to(gd, d, 1e-12) && close_to(gv, v, 1e-12 + 1e-9 * v) && close_to(gp, p, 1e-9),
                   "paired DeLong diff %.17g var %.17g p %.17g vs numpy %.17g %.17g %.17g", gd, gv, gp, d, v, p);
      seen_pair++;
      continue;
    }
    acase *c = find_a(name);
    LF_CHECK_MSG(c != NULL, "unknown case %s", name);
    if (!c) break;
    if (!strcmp(kind, "auc")) {
      char v[64];
      if (fscanf(o, "%63s", v) != 1) break;
      double want = strcmp(v, "nan") ? strtod(v, NULL) : NAN, got = -1;
      LF_CHECK(lf_auc(c->s, c->l, c->n, &got) == LF_OK);
      LF_CHECK_MSG(close_to(got, want, 1e-9), "auc %.17g vs sklearn %.17g", got, want);
      seen_auc++;
    } else if (!strcmp(kind, "roc")) {
      int drop;
      size_t m;
      if (fscanf(o, "%d %zu", &drop, &m) != 2) break;
      lf_roc r;
      LF_CHECK(lf_roc_curve(c->s, c->l, c->n, drop, &r) == LF_OK);
      LF_CHECK_MSG(r.n == m, "drop=%d: %zu points vs sklearn %zu", drop, r.n, m);
      for (size_t k = 0; k < m; k++) {
        char a[64], b[64], t[64];
        if (fscanf(o, "%63s %63s %63s", a, b, t) != 3) break;
        if (k >= r.n) continue;
        double fa = strcmp(a, "nan") ? strtod(a, NULL) : NAN, fb = strcmp(b, "nan") ? strtod(b, NULL) : NAN;
        LF_CHECK_MSG(close_to(r.fpr[k], fa, 1e-12) && close_to(r.tpr[k], fb, 1e-12),
                     "drop=%d point %zu: (%g,%g) vs sklearn (%g,%g)", drop, k, r.fpr[k], r.tpr[k], fa, fb);
        if (k == 0) LF_CHECK(isinf(r.thresholds[0]) && r.thresholds[0] > 0);
        else LF_CHECK_MSG(r.thresholds[k] == strtod(t, NULL), "drop=%d threshold %zu: %.17g vs %s", drop, k,
                          r.thresholds[k], t);
      }
      lf_roc_free(&r);
      seen_roc++;
    } else if (!strcmp(kind, "op")) {
      size_t tp, fp, tn, fn;
      if (fscanf(o, "%zu %zu %zu %zu", &tp, &fp, &tn, &fn) != 4) break;
      lf_oppoint op;
      LF_CHECK(lf_operating_point(c->s, c->l, c->n, 0.5, &op) == LF_OK);
      LF_CHECK_MSG(op.tp == tp && op.fp == fp && op.tn == tn && op.fn == fn,
                   "tp fp tn fn %zu %zu %zu %zu vs sklearn %zu %zu %zu %zu", op.tp, op.fp, op.tn, op.fn, tp, fp, tn, fn);
      LF_CHECK(close_to(op.sensitivity, tp + fn ? (double)tp / (double)(tp + fn) : NAN, 1e-15));
      LF_CHECK(close_to(op.specificity, tn + fp ? (double)tn / (double)(tn + fp) : NAN, 1e-15));
      seen_op++;
    } else if (!strcmp(kind, "delong")) {
      double v, auc, gv;
      if (fscanf(o, "%lf", &v) != 1) break;
      LF_CHECK(lf_auc_delong(c->s, c->l, c->n, &auc, &gv) == LF_OK);
      LF_CHECK_MSG(close_to(gv, v, 1e-9 * v + 1e-15), "DeLong variance %.17g vs numpy %.17g", gv, v);
      seen_delong++;
    } else if (!strcmp(kind, "choose")) {
      char meth[32], t[64];
      if (fscanf(o, "%31s %63s", meth, t) != 2) break;
      lf_oppoint_method m;
      LF_CHECK(lf_oppoint_method_parse(meth, &m) == LF_OK);
      lf_oppoint op;
      lf_status st = lf_choose_operating_point(c->s, c->l, c->n, &m, &op);
      if (!strcmp(t, "none")) {
        LF_CHECK_MSG(st == LF_ENOTFOUND && isnan(op.threshold), "%s: status %d threshold %.17g, sklearn has none",
                     meth, (int)st, op.threshold);
        seen_choose_none++;
      } else {
        double want = strtod(t, NULL);
        LF_CHECK_MSG(st == LF_OK && op.threshold == want, "%s: threshold %.17g (status %d) vs sklearn %s", meth,
                     op.threshold, (int)st, t);
        lf_oppoint ref;
        LF_CHECK(lf_operating_point(c->s, c->l, c->n, want, &ref) == LF_OK);
        LF_CHECK_MSG(op.tp == ref.tp && op.fp == ref.fp && op.sensitivity == ref.sensitivity &&
                     op.specificity == ref.specificity, "%s: counts at the chosen threshold", meth);
        if (m.rule == LF_OPPOINT_SENS) LF_CHECK(op.sensitivity >= m.target);
        if (m.rule == LF_OPPOINT_SPEC) LF_CHECK(op.specificity >= m.target);
      }
      seen_choose++;
    } else if (!strcmp(kind, "thr90")) {
      double t;
      if (fscanf(o, "%lf", &t) != 1) break;
      lf_oppoint op;
      LF_CHECK(lf_threshold_for_sensitivity(c->s, c->l, c->n, 0.9, &op) == LF_OK);
      LF_CHECK_MSG(op.threshold == t, "threshold for 90%% sensitivity %.17g vs sklearn %.17g", op.threshold, t);
      LF_CHECK(op.sensitivity >= 0.9);
      seen_thr++;
    } else {
      LF_CHECK_MSG(0, "unexpected oracle line kind %s", kind);
      break;
    }
  }
  int rc = pclose(o);
  remove(in);
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 77) {
    printf("skip: scikit-learn oracle missing\n");
    return 77;
  }
  lf_test_current = "oracle";
  LF_CHECK_MSG(WIFEXITED(rc) && WEXITSTATUS(rc) == 0, "oracle exited with status %d", rc);
  LF_CHECK_MSG(seen_auc == na && seen_roc == 2 * na && seen_op == na && seen_mask == nm,
               "oracle answered %d/%d auc, %d roc, %d op, %d/%d masks", seen_auc, na, seen_roc, seen_op, seen_mask, nm);
  LF_CHECK(seen_thr >= na - 2);
  /* 6 methods per case; none for one_class, all_positive (one label value) and spec:1 where a negative tops */
  LF_CHECK_MSG(seen_choose == 6 * na && seen_choose_none >= 12 && seen_choose_none < seen_choose,
               "oracle answered %d/%d operating-point choices (%d none)", seen_choose, 6 * na, seen_choose_none);
  LF_CHECK_MSG(seen_delong >= na - 3 && seen_pair == npc, "DeLong: %d variances, %d pairs", seen_delong, seen_pair);
  printf("compared %d AUC cases (%d ROC curves, %d thresholds, %d operating-point choices (%d none), %d DeLong "
         "variances, %d paired tests) and %d masks with scikit-learn/numpy\n",
         seen_auc, seen_roc, seen_thr, seen_choose, seen_choose_none, seen_delong, seen_pair, seen_mask);
  for (int i = 0; i < na; i++) free(A[i].s), free(A[i].l);
  for (int i = 0; i < nm; i++) free(M[i].t), free(M[i].p);
  for (int i = 0; i < npc; i++) free(PC[i].a), free(PC[i].b), free(PC[i].l);
  return lf_test_summary();
}
