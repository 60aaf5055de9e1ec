/* The data-parallel losses (lf_dice_loss_dist, lf_bce_dice_with_logits_dist)
 * in one process: a batch of 6 masks cut into slices of 2 and 4 images, as
 * two ranks would hold them. Each slice's sum function adds the other slice's
 * Dice sums (what the all-reduce would add), so each slice's gradient must be
 * the whole batch's gradient on its images and its Dice loss the whole
 * batch's; per-image Dice and BCE (mean terms) scale by the slice's share. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_loss.h"
#include "lf_test.h"

enum { N = 6, H = 5, W = 7, K = H * W, CUT = 2 };

typedef struct {
  double other[3]; /* the other slice's sums, added by add_other */
  double mine[3];  /* this slice's own sums, as record() saw them */
} sums_ctx;

static lf_status record(void *ctx, double *v, size_t n) {
  sums_ctx *c = ctx;
  for (size_t i = 0; i < n && i < 3; i++) c->mine[i] = v[i];
  return LF_OK;
}

static lf_status add_other(void *ctx, double *v, size_t n) {
  sums_ctx *c = ctx;
  for (size_t i = 0; i < n && i < 3; i++) v[i] += c->other[i];
  return LF_OK;
}

static void slice(const lf_tensor *all, int first, int count, lf_tensor *out) {
  int shape[4] = {count, H, W, 1};
  lf_tensor_view(out, all->data + (size_t)first * K, 4, shape);
}

/* kind 0: Dice over the batch on probabilities; 1: per-image Dice; 2: BCE + Dice on logits */
static lf_status loss_of(int kind, const lf_tensor *x, const lf_tensor *t, double share, lf_loss_sum_fn fn,
                         void *ctx, float *l, lf_tensor *g) {
  if (kind == 2) return lf_bce_dice_with_logits_dist(x, t, 1.0f, 1.0f, 1.0f, 0, share, fn, ctx, l, g);
  return lf_dice_loss_dist(x, t, 1.0f, kind, share, fn, ctx, l, g);
}

static void check_kind(int kind, const lf_tensor *x, const lf_tensor *t) {
  static const char *names[] = {"dice", "dice per image", "bce+dice"};
  lf_tensor g = {0}, gs[2] = {{0}, {0}}, junk = {0};
  float l = 0, ls[2] = {0, 0};
  LF_CHECK(loss_of(kind, x, t, 1.0, NULL, NULL, &l, &g) == LF_OK);
  lf_tensor xs[2], ts[2];
  slice(x, 0, CUT, &xs[0]), slice(t, 0, CUT, &ts[0]);
  slice(x, CUT, N - CUT, &xs[1]), slice(t, CUT, N - CUT, &ts[1]);
  sums_ctx c[2];
  memset(c, 0, sizeof c);
  for (int s = 0; s < 2; s++) { /* each slice's own sums, what it gives the all-reduce */
    float dummy;
    LF_CHECK(loss_of(kind, &xs[s], &ts[s], 1.0, record, &c[s], &dummy, &junk) == LF_OK);
  }
  for (int s = 0; s < 2; s++) memcpy(c[s].other, c[1 - s].mine, sizeof c[s].other);
  for (int s = 0; s < 2; s++) {
    double share = (double)xs[s].shape[0] / N;
    LF_CHECK(loss_of(kind, &xs[s], &ts[s], share, add_other, &c[s], &ls[s], &gs[s]) == LF_OK);
  }
  double worst = 0, scale = 0;
  for (int s = 0; s < 2; s++)
    for (size_t i = 0; i < gs[s].numel; i++) {
      double ref = g.data[(size_t)(s ? CUT : 0) * K + i];
      worst = fmax(worst, fabs(gs[s].data[i] - ref));
      scale = fmax(scale, fabs(ref));
    }
  LF_CHECK_MSG(worst <= 1e-6 * scale, "%s: slice gradients differ from the batch's by %.3g (largest %.3g)",
               names[kind], worst, scale);
  if (kind == 0) /* the same Dice on both slices, the batch's */
    LF_CHECK_MSG(fabsf(ls[0] - l) <= 1e-6f && fabsf(ls[1] - l) <= 1e-6f, "%s: loss %g / %g, batch %g", names[kind],
                 ls[0], ls[1], l);
  else if (kind == 1) /* a mean: the share-weighted sum of the slices' */
    LF_CHECK_MSG(fabs(ls[0] * CUT / (double)N + ls[1] * (N - CUT) / (double)N - l) <= 1e-6, "%s: loss %g / %g, batch %g",
                 names[kind], ls[0], ls[1], l);
  /* bce+dice: the Dice term is the batch's, the BCE term the slice's mean; not checked as a sum here */
  lf_tensor_free(&g), lf_tensor_free(&gs[0]), lf_tensor_free(&gs[1]), lf_tensor_free(&junk);
}

LF_TEST(slices_equal_batch) {
  int shape[4] = {N, H, W, 1};
  lf_tensor x = {0}, p = {0}, t = {0};
  LF_CHECK(lf_tensor_alloc(&x, 4, shape) == LF_OK && lf_tensor_alloc(&t, 4, shape) == LF_OK);
  unsigned s = 12345;
  for (size_t i = 0; i < x.numel; i++) {
    s = s * 1103515245u + 12345u;
    x.data[i] = (float)((s >> 8) % 2001) / 250.0f - 4.0f; /* logits in [-4, 4] */
    t.data[i] = (float)((s >> 20) % 3 == 0);
  }
  LF_CHECK(lf_sigmoid_tensor(&p, &x) == LF_OK);
  check_kind(0, &p, &t);
  check_kind(1, &p, &t);
  check_kind(2, &x, &t);
  lf_tensor_free(&x), lf_tensor_free(&p), lf_tensor_free(&t);
}

int main(void) {
  LF_RUN(slices_equal_batch);
  return lf_test_summary();
}
