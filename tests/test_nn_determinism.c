/* Determinism and behaviour of the training engine beyond single-op maths:
 * same seed + same threads -> same bits after several training steps (the
 * thread count changes oneDNN's bits within rounding, the reference convs'
 * not at all), dropout statistics,
 * batch-size changes, gradient accumulation over two backward calls,
 * optimiser state export by name. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_optim.h"
#include "lf_test.h"
#include "nn/conv_dnnl.h"

static int build(lf_graph *g, int *input) {
  int x = lf_nn_input(g, "x", 12, 10, 3);
  *input = x;
  int a = lf_nn_conv2d(g, x, "c1", lf_conv_params(8, 3, 1, 1, 0));
  a = lf_nn_batchnorm(g, a, "bn1", 1e-5f, 0.1f);
  a = lf_nn_relu(g, a, "r1");
  int p = lf_nn_maxpool(g, a, "p1", lf_pool_square(2, 2, 0));
  lf_conv2d_params d = lf_conv_params(6, 3, 1, 2, 1);
  d.dil_h = d.dil_w = 2;
  int b = lf_nn_conv2d(g, p, "c2", d);
  b = lf_nn_dropout(g, b, "drop", 0.25f);
  lf_upsample_params up = {LF_UPSAMPLE_BILINEAR, 12, 10, 0};
  b = lf_nn_upsample(g, b, "up", up);
  int xs[2] = {a, b};
  int c = lf_nn_concat(g, xs, 2, "cat");
  c = lf_nn_conv2d(g, c, "c3", lf_conv_params(16, 1, 1, 0, 1));
  c = lf_nn_global_avgpool(g, c, "gap");
  return lf_nn_dense(g, c, "fc", 5, 1);
}

/* 3 SGD steps on fixed data; returns a malloc'd copy of every parameter */
static float *train_run(int threads, int fusion, size_t *n_out) {
  lf_set_threads(threads);
  lf_graph *g = NULL;
  lf_graph_create(&g, 99);
  lf_graph_set_fusion(g, fusion);
  int x;
  int y = build(g, &x);
  LF_CHECK(y >= 0);
  lf_optim_config cfg = lf_optim_defaults(LF_OPT_SGD, 0.05f);
  cfg.momentum = 0.9f;
  lf_optim *o = NULL;
  lf_optim_create(&o, &cfg, g);
  lf_rng r;
  lf_rng_seed(&r, 5);
  lf_tensor in = {0}, t = {0}, gr = {0};
  lf_tensor_alloc4(&in, 4, 12, 10, 3);
  lf_tensor_alloc4(&t, 4, 1, 1, 5);
  for (size_t i = 0; i < in.numel; i++) in.data[i] = lf_rng_normal(&r);
  for (size_t i = 0; i < t.numel; i++) t.data[i] = (float)(lf_rng_u64(&r) & 1);
  for (int s = 0; s < 3; s++) {
    float loss;
    lf_graph_set_input(g, x, &in);
    LF_CHECK(lf_graph_forward(g, 1) == LF_OK);
    lf_bce_with_logits(lf_graph_output(g, y), &t, NULL, &loss, &gr);
    lf_graph_zero_grad(g);
    LF_CHECK(lf_graph_backward(g, y, &gr) == LF_OK);
    lf_optim_step(o);
  }
  size_t n = 0;
  for (int i = 0; i < lf_graph_param_count(g); i++) n += lf_graph_param(g, i)->value.numel;
  float *all = malloc(n * sizeof(float)), *p = all;
  for (int i = 0; i < lf_graph_param_count(g); i++) {
    lf_param *pp = lf_graph_param(g, i);
    memcpy(p, pp->value.data, pp->value.numel * sizeof(float));
    p += pp->value.numel;
  }
  *n_out = n;
  lf_tensor_free(&in);
  lf_tensor_free(&t);
  lf_tensor_free(&gr);
  lf_optim_free(o);
  lf_graph_free(g);
  return all;
}

LF_TEST(same_bits) {
  size_t n1, n2, n3, n4, n5, n6, n7;
  float *a = train_run(2, 1, &n1), *b = train_run(2, 1, &n2), *c = train_run(1, 1, &n3);
  float *d = train_run(2, 0, &n4), *e = train_run(1, 1, &n5);
  LF_CHECK(n1 == n2 && n1 == n3 && n1 == n4 && n1 == n5 && n1 > 0);
  LF_CHECK_MSG(!memcmp(a, b, n1 * sizeof(float)), "two runs with 2 threads differ");
  LF_CHECK_MSG(!memcmp(c, e, n1 * sizeof(float)), "two runs with 1 thread differ");
  /* oneDNN's convs split reductions by thread count: 1 vs 2 threads agree
   * to rounding; the reference convs (LF_CONV=ref) agree bit for bit */
  size_t dfuse = 0;
  double worst = 0, big = 1e-30;
  for (size_t i = 0; i < n1; i++) {
    dfuse += a[i] != d[i];
    if (fabs((double)a[i] - c[i]) > worst) worst = fabs((double)a[i] - c[i]);
    if (fabs((double)a[i]) > big) big = fabs((double)a[i]);
  }
  LF_CHECK_MSG(worst <= 1e-5 * big, "1 vs 2 threads: max difference %.3g (max |value| %.3g)", worst, big);
  lf_conv_backend be = lf_conv_get_backend();
  lf_conv_set_backend(LF_CONV_REF);
  float *r2 = train_run(2, 1, &n6), *r1 = train_run(1, 1, &n7);
  lf_conv_set_backend(be);
  size_t diff = 0;
  for (size_t i = 0; i < n1 && n6 == n1 && n7 == n1; i++) diff += r1[i] != r2[i];
  LF_CHECK_MSG(diff == 0, "reference convs, 1 vs 2 threads: %zu of %zu values differ", diff, n1);
  /* BN+ReLU fusion computes the same floats in the same order */
  LF_CHECK_MSG(dfuse == 0, "fused vs unfused BN+ReLU: %zu of %zu values differ", dfuse, n1);
  free(a);
  free(b);
  free(c);
  free(d);
  free(e);
  free(r1);
  free(r2);
}

LF_TEST(dropout_stats) {
  lf_graph *g = NULL;
  lf_graph_create(&g, 3);
  int x = lf_nn_input(g, "x", 50, 40, 10);
  int d = lf_nn_dropout(g, x, "d", 0.3f);
  lf_tensor in = {0};
  lf_tensor_alloc4(&in, 5, 50, 40, 10);
  lf_tensor_fill(&in, 2.0f);
  lf_graph_set_input(g, x, &in);
  lf_graph_forward(g, 1);
  const lf_tensor *y = lf_graph_output(g, d);
  size_t zeros = 0, bad = 0;
  for (size_t i = 0; i < y->numel; i++) {
    if (y->data[i] == 0) zeros++;
    else if (fabsf(y->data[i] - 2.0f / 0.7f) > 1e-6f) bad++;
  }
  double frac = (double)zeros / (double)y->numel, sd = sqrt(0.3 * 0.7 / (double)y->numel);
  LF_CHECK_MSG(fabs(frac - 0.3) < 5 * sd, "dropped fraction %.4f, want 0.3", frac);
  LF_CHECK(bad == 0);
  /* a second forward draws a new mask */
  float first = y->data[0] + y->data[1] * 3 + y->data[2] * 7;
  size_t same = 0;
  lf_tensor keep = {0};
  lf_tensor_copy(&keep, y);
  lf_graph_forward(g, 1);
  for (size_t i = 0; i < y->numel; i++) same += keep.data[i] == y->data[i];
  LF_CHECK_MSG(same < y->numel, "mask did not change between steps (%g)", first);
  lf_graph_forward(g, 0);
  for (size_t i = 0; i < y->numel; i++) bad += y->data[i] != 2.0f;
  LF_CHECK_MSG(bad == 0, "eval dropout is not the identity");
  lf_tensor_free(&keep);
  lf_tensor_free(&in);
  lf_graph_free(g);
}

LF_TEST(batch_change_and_accumulate) {
  lf_set_threads(2);
  lf_graph *g = NULL;
  lf_graph_create(&g, 11);
  int x;
  int y = build(g, &x);
  lf_tensor big = {0}, small = {0}, dy = {0};
  lf_tensor_alloc4(&big, 6, 12, 10, 3);
  lf_tensor_alloc4(&small, 2, 12, 10, 3);
  lf_rng r;
  lf_rng_seed(&r, 8);
  for (size_t i = 0; i < big.numel; i++) big.data[i] = lf_rng_normal(&r);
  memcpy(small.data, big.data, small.numel * sizeof(float));
  lf_graph_set_input(g, x, &big);
  LF_CHECK(lf_graph_forward(g, 0) == LF_OK);
  float y0 = lf_graph_output(g, y)->data[0];
  lf_graph_set_input(g, x, &small);
  LF_CHECK(lf_graph_forward(g, 0) == LF_OK);
  LF_CHECK(lf_graph_output(g, y)->shape[0] == 2);
  LF_CHECK_MSG(fabsf(lf_graph_output(g, y)->data[0] - y0) < 1e-5f, "eval output depends on the batch");
  /* two backward calls accumulate: grads == 2x one call */
  lf_tensor_alloc4(&dy, 2, 1, 1, 5);
  lf_tensor_fill(&dy, 0.5f);
  lf_graph_zero_grad(g);
  lf_graph_backward(g, y, &dy);
  lf_param *w = lf_graph_find_param(g, "c1.weight");
  LF_CHECK(w != NULL);
  float g1 = w->grad.data[3];
  lf_graph_backward(g, y, &dy);
  LF_CHECK_MSG(fabsf(w->grad.data[3] - 2 * g1) <= 1e-6f * fabsf(g1) + 1e-9f, "accumulated %g vs 2*%g",
               w->grad.data[3], g1);
  LF_CHECK(lf_graph_find_param(g, "bn1.running_var") && !lf_graph_find_param(g, "bn1.running_var")->trainable);
  LF_CHECK(lf_graph_find_param(g, "bn1.num_batches_tracked")->is_int == 1);
  /* optimiser state by name */
  lf_optim *o = NULL;
  lf_optim_config cfg = lf_optim_defaults(LF_OPT_ADAMW, 1e-3f);
  LF_CHECK(lf_optim_create(&o, &cfg, g) == LF_OK);
  LF_CHECK(lf_optim_find_state(o, "c1.weight.exp_avg") != NULL);
  LF_CHECK(lf_optim_find_state(o, "fc.bias.exp_avg_sq") != NULL);
  LF_CHECK(lf_optim_find_state(o, "bn1.running_mean.exp_avg") == NULL);
  lf_optim_step(o);
  LF_CHECK(lf_optim_steps(o) == 1);
  const char *nm = NULL;
  LF_CHECK(lf_optim_state(o, 0, &nm) != NULL && !strcmp(nm, "c1.weight.exp_avg"));
  lf_optim_free(o);
  lf_tensor_free(&big);
  lf_tensor_free(&small);
  lf_tensor_free(&dy);
  lf_graph_free(g);
}

LF_TEST(schedules) {
  /* cosine with warmup: linear ramp, peak, end at min */
  LF_CHECK(fabsf(lf_cosine_lr(1.0f, 0.0f, 4, 0, 14) - 0.25f) < 1e-6f);
  LF_CHECK(fabsf(lf_cosine_lr(1.0f, 0.0f, 4, 4, 14) - 1.0f) < 1e-6f);
  LF_CHECK(fabsf(lf_cosine_lr(1.0f, 0.1f, 4, 9, 14) - 0.55f) < 1e-6f);
  LF_CHECK(fabsf(lf_cosine_lr(1.0f, 0.1f, 4, 14, 14) - 0.1f) < 1e-6f);
  lf_early_stop e;
  lf_early_stop_init(&e, 1, 2, 0.0);
  LF_CHECK(lf_early_stop_update(&e, 0.5, 0) == 1);
  LF_CHECK(lf_early_stop_update(&e, 0.6, 1) == 1);
  LF_CHECK(lf_early_stop_update(&e, 0.55, 2) == 0 && !lf_early_stop_should_stop(&e));
  LF_CHECK(lf_early_stop_update(&e, 0.6, 3) == 0 && lf_early_stop_should_stop(&e));
  LF_CHECK(e.best_epoch == 1);
}

int main(void) {
  LF_RUN(same_bits);
  LF_RUN(dropout_stats);
  LF_RUN(batch_change_and_accumulate);
  LF_RUN(schedules);
  return lf_test_summary();
}
