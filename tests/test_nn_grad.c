/* Finite-difference gradient checks for every op of the training graph and
 * every loss: L = sum(out * R) for a fixed random R, analytic gradients from
 * lf_graph_backward against central differences (L summed in double), for
 * the input and a sample of every trainable parameter, with odd shapes and
 * stride / padding / dilation / group variants. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_nn.h"
#include "lf_test.h"

typedef int (*build_fn)(lf_graph *g, int x);

static lf_rng trng;

static double loss_of(lf_graph *g, int out, const float *R, int train, const lf_rng *rng0) {
  *lf_graph_rng(g) = *rng0; /* same dropout mask every evaluation */
  if (lf_graph_forward(g, train)) return NAN;
  const lf_tensor *y = lf_graph_output(g, out);
  double s = 0;
  for (size_t i = 0; i < y->numel; i++) s += (double)y->data[i] * R[i];
  return s;
}

/* Compares d/dv[i] for up to `samples` indices of v against ana[i]. */
static double check_tensor(lf_graph *g, int out, const float *R, int train, const lf_rng *rng0, float *v,
                           const float *ana, size_t n, float h, int samples, double *worst_scale) {
  double worst = 0;
  for (int s = 0; s < samples && (size_t)s < n; s++) {
    size_t i = n <= (size_t)samples ? (size_t)s : (size_t)lf_rng_below(&trng, n);
    float old = v[i];
    v[i] = old + h;
    double lp = loss_of(g, out, R, train, rng0);
    v[i] = old - h;
    double lm = loss_of(g, out, R, train, rng0);
    v[i] = old;
    double num = (lp - lm) / (2.0 * h);
    double err = fabs(num - ana[i]) / (1.0 + fabs(ana[i]));
    if (err > worst) worst = err, *worst_scale = num;
  }
  return worst;
}

static void gradcheck(const char *label, int batch, int h, int w, int c, build_fn fn, int train, float step,
                      float tol, int distinct) {
  lf_graph *g = NULL;
  LF_CHECK(lf_graph_create(&g, 7) == LF_OK);
  int x = lf_nn_input(g, "x", h, w, c);
  int y = fn(g, x);
  LF_CHECK_MSG(y >= 0 && lf_graph_status(g) == LF_OK, "%s: build: %s", label, lf_graph_error(g));
  if (y < 0) {
    lf_graph_free(g);
    return;
  }
  lf_graph_set_input_requires_grad(g, x, 1);
  lf_tensor in = {0};
  lf_tensor_alloc4(&in, batch, h, w, c);
  for (size_t i = 0; i < in.numel; i++) {
    float v = lf_rng_range(&trng, -1.0f, 1.0f);
    if (fabsf(v) < 0.05f) v += v < 0 ? -0.05f : 0.05f; /* away from ReLU kinks */
    in.data[i] = v;
  }
  if (distinct) { /* distinct values 0.01 apart: no max-pool ties within h */
    int *perm = malloc(in.numel * sizeof(int));
    for (size_t i = 0; i < in.numel; i++) perm[i] = (int)i;
    lf_rng_shuffle(&trng, perm, in.numel);
    for (size_t i = 0; i < in.numel; i++) in.data[i] = (float)perm[i] * 0.01f - (float)in.numel * 0.005f;
    free(perm);
  }
  lf_graph_set_input(g, x, &in);
  lf_rng rng0 = *lf_graph_rng(g);
  *lf_graph_rng(g) = rng0;
  LF_CHECK_MSG(lf_graph_forward(g, train) == LF_OK, "%s: forward: %s", label, lf_last_error());
  const lf_tensor *yo = lf_graph_output(g, y);
  lf_tensor R = {0};
  lf_tensor_alloc(&R, yo->ndim, yo->shape);
  for (size_t i = 0; i < R.numel; i++) R.data[i] = lf_rng_range(&trng, -1.0f, 1.0f);
  lf_graph_zero_grad(g);
  LF_CHECK_MSG(lf_graph_backward(g, y, &R) == LF_OK, "%s: backward: %s", label, lf_last_error());
  /* copy analytic gradients (later forwards do not touch them, but be safe) */
  const lf_tensor *gx = lf_graph_input_grad(g, x);
  float *ax = malloc(in.numel * sizeof(float));
  memcpy(ax, gx->data, in.numel * sizeof(float));
  double sc = 0;
  double e = check_tensor(g, y, R.data, train, &rng0, in.data, ax, in.numel, step, 40, &sc);
  LF_CHECK_MSG(e < tol, "%s: input gradient error %.3g (num %.5g)", label, e, sc);
  double worst = e;
  for (int p = 0; p < lf_graph_param_count(g); p++) {
    lf_param *pp = lf_graph_param(g, p);
    if (!pp->trainable) continue;
    float *ap = malloc(pp->grad.numel * sizeof(float));
    memcpy(ap, pp->grad.data, pp->grad.numel * sizeof(float));
    double ep = check_tensor(g, y, R.data, train, &rng0, pp->value.data, ap, pp->value.numel, step, 25, &sc);
    LF_CHECK_MSG(ep < tol, "%s: %s gradient error %.3g (num %.5g)", label, pp->name, ep, sc);
    if (ep > worst) worst = ep;
    free(ap);
  }
  printf("  %-34s max rel err %.2e\n", label, worst);
  free(ax);
  lf_tensor_free(&R);
  lf_tensor_free(&in);
  lf_graph_free(g);
}

/* ---- one builder per case ---- */
static lf_conv2d_params cp(int o, int kh, int kw, int s, int p, int d, int gr) {
  lf_conv2d_params q = lf_conv_params(o, kh, s, p, 1);
  q.kw = kw;
  q.dil_h = q.dil_w = d;
  q.groups = gr;
  return q;
}
static int b_conv3(lf_graph *g, int x) { return lf_nn_conv2d(g, x, "c", cp(4, 3, 3, 1, 1, 1, 1)); }
static int b_conv_s2(lf_graph *g, int x) { return lf_nn_conv2d(g, x, "c", cp(5, 3, 3, 2, 1, 1, 1)); }
static int b_conv_asym(lf_graph *g, int x) {
  lf_conv2d_params q = cp(3, 2, 3, 1, 0, 1, 1);
  q.pad_top = 1, q.pad_bottom = 0, q.pad_left = 2, q.pad_right = 1, q.stride_w = 2;
  return lf_nn_conv2d(g, x, "c", q);
}
static int b_conv_dil(lf_graph *g, int x) { return lf_nn_conv2d(g, x, "c", cp(3, 3, 3, 1, 2, 2, 1)); }
static int b_conv_grp(lf_graph *g, int x) { return lf_nn_conv2d(g, x, "c", cp(4, 3, 3, 1, 1, 1, 2)); }
static int b_conv_1x1(lf_graph *g, int x) {
  lf_conv2d_params q = cp(5, 1, 1, 1, 0, 1, 1);
  q.bias = 0;
  return lf_nn_conv2d(g, x, "c", q);
}
static int b_conv_same(lf_graph *g, int x) {
  lf_conv2d_params q = cp(3, 4, 4, 2, 0, 1, 1);
  q.pad_same = 1;
  return lf_nn_conv2d(g, x, "c", q);
}
static int b_tconv(lf_graph *g, int x) {
  lf_conv_transpose2d_params q = {3, 2, 2, 2, 2, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1};
  return lf_nn_conv_transpose2d(g, x, "t", q);
}
static int b_tconv_pad(lf_graph *g, int x) {
  lf_conv_transpose2d_params q = {4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1};
  return lf_nn_conv_transpose2d(g, x, "t", q);
}
static int b_dense(lf_graph *g, int x) { return lf_nn_dense(g, x, "fc", 5, 1); }
static int b_bn_train(lf_graph *g, int x) { return lf_nn_batchnorm(g, x, "bn", 1e-5f, 0.1f); }
static int b_relu(lf_graph *g, int x) { return lf_nn_relu(g, lf_nn_conv2d(g, x, "c", cp(3, 1, 1, 1, 0, 1, 1)), "r"); }
static int b_leaky(lf_graph *g, int x) { return lf_nn_leaky_relu(g, x, "r", 0.1f); }
static int b_sigmoid(lf_graph *g, int x) { return lf_nn_sigmoid(g, x, "s"); }
static int b_maxpool(lf_graph *g, int x) { return lf_nn_maxpool(g, x, "p", lf_pool_square(3, 2, 1)); }
static int b_maxpool2(lf_graph *g, int x) { return lf_nn_maxpool(g, x, "p", lf_pool_square(2, 2, 0)); }
static int b_avgpool(lf_graph *g, int x) { return lf_nn_avgpool(g, x, "p", lf_pool_square(2, 2, 0)); }
static int b_avgpool_pad(lf_graph *g, int x) { return lf_nn_avgpool(g, x, "p", lf_pool_square(3, 2, 1)); }
static int b_avgpool_nopad(lf_graph *g, int x) {
  lf_pool_params q = lf_pool_square(3, 2, 1);
  q.count_include_pad = 0;
  return lf_nn_avgpool(g, x, "p", q);
}
static int b_gap(lf_graph *g, int x) { return lf_nn_global_avgpool(g, x, "gap"); }
static int b_concat(lf_graph *g, int x) {
  int c = lf_nn_conv2d(g, x, "c", cp(2, 3, 3, 1, 1, 1, 1));
  int xs[3] = {x, c, x};
  return lf_nn_concat(g, xs, 3, "cat");
}
static int b_up_nearest(lf_graph *g, int x) {
  lf_upsample_params q = {LF_UPSAMPLE_NEAREST, 10, 14, 0};
  return lf_nn_upsample(g, x, "u", q);
}
static int b_up_nearest_odd(lf_graph *g, int x) {
  lf_upsample_params q = {LF_UPSAMPLE_NEAREST, 7, 11, 0};
  return lf_nn_upsample(g, x, "u", q);
}
static int b_up_bilinear(lf_graph *g, int x) {
  lf_upsample_params q = {LF_UPSAMPLE_BILINEAR, 10, 13, 0};
  return lf_nn_upsample(g, x, "u", q);
}
static int b_up_bilinear_ac(lf_graph *g, int x) {
  lf_upsample_params q = {LF_UPSAMPLE_BILINEAR, 9, 15, 1};
  return lf_nn_upsample(g, x, "u", q);
}
static int b_dropout(lf_graph *g, int x) { return lf_nn_dropout(g, x, "d", 0.3f); }
static int b_add(lf_graph *g, int x) { return lf_nn_add(g, x, lf_nn_conv2d(g, x, "c", cp(3, 3, 3, 1, 1, 1, 1)), "a"); }
static int b_mul(lf_graph *g, int x) { return lf_nn_mul(g, x, lf_nn_conv2d(g, x, "c", cp(3, 3, 3, 1, 1, 1, 1)), "m"); }
static int b_mul_self(lf_graph *g, int x) { return lf_nn_mul(g, x, x, "m"); }
/* a small DenseNet/UNet-like chain: conv-bn-act-pool-concat-upsample; the
 * smooth variant (sigmoid, avg pool) has no kinks for the differences to
 * cross, so its tolerance is tight. */
static int chain(lf_graph *g, int x, int smooth) {
  int a = lf_nn_conv2d(g, x, "c1", cp(4, 3, 3, 1, 1, 1, 1));
  a = lf_nn_batchnorm(g, a, "bn1", 1e-5f, 0.1f);
  a = smooth ? lf_nn_sigmoid(g, a, "r1") : lf_nn_relu(g, a, "r1");
  int p = smooth ? lf_nn_avgpool(g, a, "p", lf_pool_square(2, 2, 0)) : lf_nn_maxpool(g, a, "p", lf_pool_square(2, 2, 0));
  lf_upsample_params q = {LF_UPSAMPLE_NEAREST, 6, 8, 0};
  int u = lf_nn_upsample(g, lf_nn_conv2d(g, p, "c2", cp(4, 3, 3, 1, 1, 1, 1)), "u", q);
  int xs[2] = {a, u};
  int cat = lf_nn_concat(g, xs, 2, "cat");
  return lf_nn_conv2d(g, cat, "c3", cp(2, 1, 1, 1, 0, 1, 1));
}
static int b_chain_smooth(lf_graph *g, int x) { return chain(g, x, 1); }

LF_TEST(ops_fd) {
  const float T = 2e-3f; /* observed worst ~2.5e-5 */
  gradcheck("conv 3x3 s1 p1", 2, 5, 7, 3, b_conv3, 1, 1e-2f, T, 0);
  gradcheck("conv 3x3 s2 p1", 2, 7, 6, 3, b_conv_s2, 1, 1e-2f, T, 0);
  gradcheck("conv 2x3 asym pad s(1,2)", 1, 5, 7, 2, b_conv_asym, 1, 1e-2f, T, 0);
  gradcheck("conv 3x3 dil2 p2", 2, 7, 7, 2, b_conv_dil, 1, 1e-2f, T, 0);
  gradcheck("conv 3x3 groups2", 2, 5, 5, 4, b_conv_grp, 1, 1e-2f, T, 0);
  gradcheck("conv 1x1 no bias", 3, 3, 5, 3, b_conv_1x1, 1, 1e-2f, T, 0);
  gradcheck("conv 4x4 s2 SAME", 1, 7, 9, 2, b_conv_same, 1, 1e-2f, T, 0);
  gradcheck("tconv 2x2 s2", 2, 3, 4, 3, b_tconv, 1, 1e-2f, T, 0);
  gradcheck("tconv 3x3 s2 p1 outpad1 groups2", 1, 3, 5, 4, b_tconv_pad, 1, 1e-2f, T, 0);
  gradcheck("dense", 3, 2, 3, 2, b_dense, 1, 1e-2f, T, 0);
  gradcheck("batchnorm train", 3, 3, 5, 4, b_bn_train, 1, 1e-2f, T, 0);
  gradcheck("batchnorm eval", 3, 3, 5, 4, b_bn_train, 0, 1e-2f, T, 0);
  gradcheck("relu", 2, 4, 5, 3, b_relu, 1, 1e-3f, T, 0);
  gradcheck("leaky relu", 2, 4, 5, 3, b_leaky, 1, 1e-3f, T, 0);
  gradcheck("sigmoid", 2, 4, 5, 3, b_sigmoid, 1, 1e-2f, T, 0);
  gradcheck("maxpool 3x3 s2 p1", 2, 7, 9, 3, b_maxpool, 1, 1e-3f, T, 1);
  gradcheck("maxpool 2x2 s2 (odd input)", 2, 5, 7, 2, b_maxpool2, 1, 1e-3f, T, 1);
  gradcheck("avgpool 2x2 s2", 2, 5, 7, 3, b_avgpool, 1, 1e-2f, T, 0);
  gradcheck("avgpool 3x3 s2 p1 include pad", 2, 7, 6, 2, b_avgpool_pad, 1, 1e-2f, T, 0);
  gradcheck("avgpool 3x3 s2 p1 exclude pad", 2, 7, 6, 2, b_avgpool_nopad, 1, 1e-2f, T, 0);
  gradcheck("global avgpool", 2, 3, 5, 4, b_gap, 1, 1e-2f, T, 0);
  gradcheck("concat (x, conv x, x)", 2, 3, 4, 3, b_concat, 1, 1e-2f, T, 0);
  gradcheck("upsample nearest x2", 2, 5, 7, 2, b_up_nearest, 1, 1e-2f, T, 0);
  gradcheck("upsample nearest 5x4->7x11", 1, 5, 4, 2, b_up_nearest_odd, 1, 1e-2f, T, 0);
  gradcheck("upsample bilinear 5x7->10x13", 1, 5, 7, 2, b_up_bilinear, 1, 1e-2f, T, 0);
  gradcheck("upsample bilinear align_corners", 1, 4, 6, 2, b_up_bilinear_ac, 1, 1e-2f, T, 0);
  gradcheck("dropout p=0.3", 2, 4, 5, 3, b_dropout, 1, 1e-2f, T, 0);
  gradcheck("add", 2, 4, 5, 3, b_add, 1, 1e-2f, T, 0);
  gradcheck("mul", 2, 4, 5, 3, b_mul, 1, 1e-2f, T, 0);
  gradcheck("mul (x*x)", 2, 4, 5, 3, b_mul_self, 1, 1e-2f, T, 0);
  gradcheck("chain conv-bn-sigmoid-avgpool-up-cat", 2, 6, 8, 2, b_chain_smooth, 1, 1e-2f, 2e-3f, 0);
}

/* ---- losses ---- */
typedef lf_status (*loss_fn)(const lf_tensor *x, const lf_tensor *t, float *loss, lf_tensor *grad);
static const float pw[5] = {1.0f, 2.5f, 0.5f, 3.0f, 1.0f};
static lf_status l_bce(const lf_tensor *x, const lf_tensor *t, float *l, lf_tensor *gr) {
  return lf_bce_with_logits(x, t, NULL, l, gr);
}
static lf_status l_bce_pw(const lf_tensor *x, const lf_tensor *t, float *l, lf_tensor *gr) {
  return lf_bce_with_logits(x, t, pw, l, gr);
}
static lf_status l_dice(const lf_tensor *x, const lf_tensor *t, float *l, lf_tensor *gr) {
  return lf_dice_loss(x, t, 1.0f, 0, l, gr);
}
static lf_status l_dice_img(const lf_tensor *x, const lf_tensor *t, float *l, lf_tensor *gr) {
  return lf_dice_loss(x, t, 1.0f, 1, l, gr);
}
static lf_status l_bce_dice(const lf_tensor *x, const lf_tensor *t, float *l, lf_tensor *gr) {
  return lf_bce_dice_with_logits(x, t, 1.0f, 1.0f, 1.0f, 0, l, gr);
}
static lf_status l_bce_dice_img(const lf_tensor *x, const lf_tensor *t, float *l, lf_tensor *gr) {
  return lf_bce_dice_with_logits(x, t, 0.5f, 2.0f, 1.0f, 1, l, gr);
}

static void losscheck(const char *label, loss_fn f, int probs) {
  lf_tensor x = {0}, t = {0}, g = {0};
  lf_tensor_alloc4(&x, 3, 2, 2, 5); /* [3][20]: 5 classes per pixel */
  lf_tensor_alloc4(&t, 3, 2, 2, 5);
  for (size_t i = 0; i < x.numel; i++) {
    x.data[i] = probs ? lf_rng_range(&trng, 0.05f, 0.95f) : lf_rng_range(&trng, -3.0f, 3.0f);
    t.data[i] = lf_rng_uniform(&trng) < 0.4f ? 1.0f : 0.0f;
  }
  float l = 0;
  LF_CHECK(f(&x, &t, &l, &g) == LF_OK);
  double worst = 0;
  for (size_t i = 0; i < x.numel; i++) {
    float old = x.data[i], h = 1e-2f, lp, lm;
    x.data[i] = old + h;
    f(&x, &t, &lp, NULL);
    x.data[i] = old - h;
    f(&x, &t, &lm, NULL);
    x.data[i] = old;
    double num = ((double)lp - lm) / (2.0 * h);
    double e = fabs(num - g.data[i]) / (1e-2 + fabs(g.data[i]));
    if (e > worst) worst = e;
  }
  LF_CHECK_MSG(worst < 2e-2, "%s: gradient error %.3g", label, worst);
  LF_CHECK_MSG(isfinite(l) && l > 0, "%s: loss %g", label, l);
  printf("  %-34s max rel err %.2e (loss %.5f)\n", label, worst, l);
  lf_tensor_free(&x);
  lf_tensor_free(&t);
  lf_tensor_free(&g);
}

LF_TEST(losses_fd) {
  losscheck("bce with logits", l_bce, 0);
  losscheck("bce with logits + pos_weight", l_bce_pw, 0);
  losscheck("dice batch", l_dice, 1);
  losscheck("dice per image", l_dice_img, 1);
  losscheck("bce+dice logits batch", l_bce_dice, 0);
  losscheck("bce+dice logits per image", l_bce_dice_img, 0);
}

/* errors are reported, not crashed on */
LF_TEST(bad_builds) {
  lf_graph *g = NULL;
  lf_graph_create(&g, 1);
  int x = lf_nn_input(g, "x", 4, 4, 3);
  LF_CHECK(lf_nn_conv2d(g, x, "c", lf_conv_params(4, 7, 1, 0, 1)) < 0);
  LF_CHECK(lf_graph_status(g) == LF_EINVAL);
  LF_CHECK(strstr(lf_graph_error(g), "c") != NULL);
  LF_CHECK(lf_nn_relu(g, -1, "r") < 0);
  lf_graph_free(g);
  lf_graph_create(&g, 1);
  x = lf_nn_input(g, "x", 4, 4, 3);
  int y = lf_nn_conv2d(g, x, "c", lf_conv_params(4, 3, 1, 1, 1));
  LF_CHECK(lf_nn_add(g, x, y, "a") < 0); /* 3 vs 4 channels */
  lf_graph_free(g);
  lf_graph_create(&g, 1);
  x = lf_nn_input(g, "x", 4, 4, 3);
  LF_CHECK(lf_nn_conv2d(g, x, "dup", lf_conv_params(4, 3, 1, 1, 1)) >= 0);
  LF_CHECK(lf_nn_conv2d(g, x, "dup", lf_conv_params(4, 3, 1, 1, 1)) < 0); /* duplicate names */
  lf_tensor bad = {0};
  lf_tensor_alloc4(&bad, 1, 5, 4, 3);
  LF_CHECK(lf_graph_set_input(g, x, &bad) == LF_EINVAL);
  lf_tensor_free(&bad);
  lf_graph_free(g);
}

int main(void) {
  lf_rng_seed(&trng, 1234);
  lf_set_threads(2);
  LF_RUN(ops_fd);
  LF_RUN(losses_fd);
  LF_RUN(bad_builds);
  return lf_test_summary();
}
