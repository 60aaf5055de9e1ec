/* Losses: BCE with logits, soft Dice, and their sum; sums in double, fixed order. */
#include <math.h>
#include <stdlib.h>

#include "leapfrog/lf_loss.h"

static lf_status check(const char *what, const lf_tensor *x, const lf_tensor *t) {
  if (!x || !t || !x->data || !t->data || x->numel == 0) return lf_error(LF_EINVAL, "%s: empty input", what);
  if (x->numel != t->numel)
    return lf_error(LF_EINVAL, "%s: %zu predictions but %zu targets", what, x->numel, t->numel);
  return LF_OK;
}

static lf_status prep_grad(lf_tensor *grad, const lf_tensor *x) {
  return grad ? lf_tensor_alloc(grad, x->ndim, x->shape) : LF_OK;
}

static float sigm(float v) {
  if (v >= 0) return 1.0f / (1.0f + expf(-v));
  float e = expf(v);
  return e / (1.0f + e);
}

lf_status lf_sigmoid_tensor(lf_tensor *dst, const lf_tensor *src) {
  lf_status s = lf_tensor_alloc(dst, src->ndim, src->shape);
  if (s) return s;
  for (size_t i = 0; i < src->numel; i++) dst->data[i] = sigm(src->data[i]);
  return LF_OK;
}

lf_status lf_bce_with_logits(const lf_tensor *logits, const lf_tensor *targets, const float *pos_weight,
                             float *loss, lf_tensor *grad) {
  lf_status s = check("bce_with_logits", logits, targets);
  if (s || (s = prep_grad(grad, logits))) return s;
  size_t n = logits->numel, k = (size_t)(logits->ndim ? logits->shape[logits->ndim - 1] : 1);
  double sum = 0;
  for (size_t i = 0; i < n; i++) {
    double x = logits->data[i], t = targets->data[i], pw = pos_weight ? pos_weight[i % k] : 1.0;
    /* log(1+exp(-|x|)) + max(-x,0) = -log(sigmoid(x)) */
    double sp = log1p(exp(-fabs(x))) + (x < 0 ? -x : 0);
    sum += (1 - t) * x + (1 + (pw - 1) * t) * sp;
    if (grad) {
      double sg = 1.0 / (1.0 + exp(-x));
      grad->data[i] = (float)((-pw * t * (1 - sg) + (1 - t) * sg) / (double)n);
    }
  }
  *loss = (float)(sum / (double)n);
  return LF_OK;
}

static void dice_sums(const float *p, const float *t, size_t b, size_t e, double s[3]) {
  double I = 0, P = 0, T = 0;
  for (size_t i = b; i < e; i++) {
    I += (double)p[i] * t[i];
    P += p[i];
    T += t[i];
  }
  s[0] = I, s[1] = P, s[2] = T;
}

/* Dice from the sums s = {sum p*t, sum p, sum t}; adds d(loss)/dp * w of
 * elements [b, e) into grad (if any). */
static double dice_from(const float *p, const float *t, size_t b, size_t e, float smooth, const double s[3],
                        double w, float *grad) {
  double den = s[1] + s[2] + smooth, num = 2 * s[0] + smooth;
  (void)p;
  if (grad)
    for (size_t i = b; i < e; i++) grad[i] += (float)(-w * (2.0 * t[i] * den - num) / (den * den));
  return 1.0 - num / den;
}

/* Dice over elements [b, e) of p/t; adds d(loss)/dp * w into grad (if any). */
static double dice_part(const float *p, const float *t, size_t b, size_t e, float smooth, double w, float *grad) {
  double s[3];
  dice_sums(p, t, b, e, s);
  return dice_from(p, t, b, e, smooth, s, w, grad);
}

/* per_image 0 with sum: the sums over the whole global batch (every process's slice). */
static lf_status dice_core(const lf_tensor *probs, const lf_tensor *targets, float smooth, int per_image,
                           double share, lf_loss_sum_fn sum_fn, void *ctx, float *loss, float *grad) {
  size_t n = probs->numel;
  int imgs = probs->shape[0] > 0 ? probs->shape[0] : 1;
  if (!(smooth >= 0)) return lf_error(LF_EINVAL, "dice: smooth %g", smooth);
  if (!per_image) {
    double s[3];
    dice_sums(probs->data, targets->data, 0, n, s);
    lf_status st = sum_fn ? sum_fn(ctx, s, 3) : LF_OK;
    if (st) return st;
    *loss = (float)dice_from(probs->data, targets->data, 0, n, smooth, s, 1.0, grad);
    return LF_OK;
  }
  size_t k = n / (size_t)imgs;
  double sum = 0;
  for (int i = 0; i < imgs; i++)
    sum += dice_part(probs->data, targets->data, (size_t)i * k, (size_t)(i + 1) * k, smooth, share / imgs, grad);
  *loss = (float)(sum / imgs);
  return LF_OK;
}

lf_status lf_dice_loss_dist(const lf_tensor *probs, const lf_tensor *targets, float smooth, int per_image,
                            double share, lf_loss_sum_fn sum, void *ctx, float *loss, lf_tensor *grad) {
  lf_status s = check("dice", probs, targets);
  if (s || (s = prep_grad(grad, probs))) return s;
  return dice_core(probs, targets, smooth, per_image, share, sum, ctx, loss, grad ? grad->data : NULL);
}

lf_status lf_dice_loss(const lf_tensor *probs, const lf_tensor *targets, float smooth, int per_image, float *loss,
                       lf_tensor *grad) {
  return lf_dice_loss_dist(probs, targets, smooth, per_image, 1.0, NULL, NULL, loss, grad);
}

lf_status lf_bce_dice_with_logits_dist(const lf_tensor *logits, const lf_tensor *targets, float bce_weight,
                                       float dice_weight, float smooth, int per_image, double share,
                                       lf_loss_sum_fn sum, void *ctx, float *loss, lf_tensor *grad) {
  lf_status s = check("bce_dice", logits, targets);
  if (s) return s;
  float lb = 0, ld = 0;
  lf_tensor p = {0}, gd = {0};
  if ((s = lf_bce_with_logits(logits, targets, NULL, &lb, grad))) return s;
  if (grad && share != 1.0)
    for (size_t i = 0; i < grad->numel; i++) grad->data[i] *= (float)share;
  if ((s = lf_sigmoid_tensor(&p, logits))) return s;
  if (grad && (s = lf_tensor_alloc(&gd, p.ndim, p.shape))) {
    lf_tensor_free(&p);
    return s;
  }
  s = dice_core(&p, targets, smooth, per_image, share, sum, ctx, &ld, grad ? gd.data : NULL);
  if (!s && grad)
    for (size_t i = 0; i < p.numel; i++)
      grad->data[i] = bce_weight * grad->data[i] + dice_weight * gd.data[i] * p.data[i] * (1.0f - p.data[i]);
  *loss = bce_weight * lb + dice_weight * ld;
  lf_tensor_free(&p);
  lf_tensor_free(&gd);
  return s;
}

lf_status lf_bce_dice_with_logits(const lf_tensor *logits, const lf_tensor *targets, float bce_weight,
                                  float dice_weight, float smooth, int per_image, float *loss, lf_tensor *grad) {
  return lf_bce_dice_with_logits_dist(logits, targets, bce_weight, dice_weight, smooth, per_image, 1.0, NULL, NULL,
                                      loss, grad);
}
