/* oneDNN conv engine (src/nn/conv_dnnl.c) against the im2col + sgemm
 * reference (LF_CONV=ref path) over many shapes: forward, dL/dx, dL/dw,
 * dL/db, max error relative to the largest magnitude <= 1e-5. Every case
 * builds  x -> identity (leaky ReLU, slope 1) -> conv A, conv B -> add,
 * so one conv overwrites the input gradient and the other adds to it (both
 * oneDNN paths), and checks that oneDNN really ran (not the fallback).
 * Also: the same step twice gives bit-identical results (per thread count),
 * and a changed batch size rebuilds the primitives. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_nn.h"
#include "lf_test.h"
#include "nn/conv_dnnl.h"

typedef struct {
  const char *label;
  int batch, h, w, c;
  int transposed;
  lf_conv2d_params p;           /* conv cases */
  lf_conv_transpose2d_params t; /* transposed cases */
} conv_case;

typedef struct {
  lf_tensor y, dx;
  float *grads; /* all trainable gradients, concatenated */
  size_t n_grads;
  char impl[2][200];
} result;

static int build(lf_graph *g, const conv_case *cc, int *x, int *convs) {
  *x = lf_nn_input(g, "x", cc->h, cc->w, cc->c);
  int a = lf_nn_leaky_relu(g, *x, "identity", 1.0f);
  if (cc->transposed) {
    convs[0] = lf_nn_conv_transpose2d(g, a, "convA", cc->t);
    convs[1] = lf_nn_conv_transpose2d(g, a, "convB", cc->t);
  } else {
    convs[0] = lf_nn_conv2d(g, a, "convA", cc->p);
    convs[1] = lf_nn_conv2d(g, a, "convB", cc->p);
  }
  return lf_nn_add(g, convs[0], convs[1], "sum");
}

/* One forward + backward with the given backend; dy from a fixed seed. */
static int run_case(const conv_case *cc, lf_conv_backend be, int batch, result *r) {
  lf_conv_set_backend(be);
  lf_graph *g = NULL;
  if (lf_graph_create(&g, 11)) return 1;
  int x, convs[2];
  int out = build(g, cc, &x, convs);
  if (out < 0 || lf_graph_status(g)) {
    fprintf(stderr, "%s: build: %s\n", cc->label, lf_graph_error(g));
    lf_graph_free(g);
    return 1;
  }
  lf_graph_set_input_requires_grad(g, x, 1);
  lf_rng rng;
  lf_rng_seed(&rng, 5);
  lf_tensor in = {0}, dy = {0};
  lf_tensor_alloc4(&in, batch, cc->h, cc->w, cc->c);
  for (size_t i = 0; i < in.numel; i++) in.data[i] = lf_rng_normal(&rng);
  int rc = 1;
  if (lf_graph_set_input(g, x, &in) || lf_graph_forward(g, 1)) goto done;
  const lf_tensor *y = lf_graph_output(g, out);
  lf_tensor_alloc(&dy, y->ndim, y->shape);
  for (size_t i = 0; i < dy.numel; i++) dy.data[i] = lf_rng_normal(&rng);
  lf_graph_zero_grad(g);
  if (lf_graph_backward(g, out, &dy)) goto done;
  lf_tensor_copy(&r->y, y);
  lf_tensor_copy(&r->dx, lf_graph_input_grad(g, x));
  r->n_grads = 0;
  for (int i = 0; i < lf_graph_param_count(g); i++) r->n_grads += lf_graph_param(g, i)->grad.numel;
  r->grads = malloc(r->n_grads * sizeof(float) + 1);
  size_t k = 0;
  for (int i = 0; i < lf_graph_param_count(g); i++) {
    lf_param *p = lf_graph_param(g, i);
    memcpy(r->grads + k, p->grad.data, p->grad.numel * sizeof(float));
    k += p->grad.numel;
  }
  for (int i = 0; i < 2; i++)
    snprintf(r->impl[i], sizeof r->impl[i], "%s",
             lf_conv_engine_impl(lf_graph_node(g, convs[i])->state));
  rc = 0;
done:
  if (rc) fprintf(stderr, "%s: %s\n", cc->label, lf_last_error());
  lf_tensor_free(&in);
  lf_tensor_free(&dy);
  lf_graph_free(g);
  return rc;
}

static void result_free(result *r) {
  lf_tensor_free(&r->y);
  lf_tensor_free(&r->dx);
  free(r->grads);
  memset(r, 0, sizeof *r);
}

/* max |a-b| / max|b| */
static double rel_err(const float *a, const float *b, size_t n) {
  double num = 0, den = 1e-30;
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)a[i] - b[i]);
    if (d > num || d != d) num = d != d ? INFINITY : d;
    if (fabs((double)b[i]) > den) den = fabs((double)b[i]);
  }
  return num / den;
}

static void check_case(const conv_case *cc) {
  result ref = {0}, dn = {0};
  int bad = run_case(cc, LF_CONV_REF, cc->batch, &ref) | run_case(cc, LF_CONV_DNNL, cc->batch, &dn);
  LF_CHECK_MSG(!bad, "%s: run failed", cc->label);
  if (!bad) {
    double ey = rel_err(dn.y.data, ref.y.data, ref.y.numel);
    double ex = rel_err(dn.dx.data, ref.dx.data, ref.dx.numel);
    double ew = rel_err(dn.grads, ref.grads, ref.n_grads);
    LF_CHECK_MSG(ey <= 1e-5 && ex <= 1e-5 && ew <= 1e-5, "%s: relative error y %.2g dx %.2g dw/db %.2g",
                 cc->label, ey, ex, ew);
    LF_CHECK_MSG(dn.impl[0][0] && dn.impl[1][0], "%s: oneDNN did not run (reference fallback)", cc->label);
    printf("  %-28s y %.1e dx %.1e dw %.1e  [%s]\n", cc->label, ey, ex, ew, dn.impl[0]);
  }
  result_free(&ref);
  result_free(&dn);
}

static lf_conv2d_params cp(int o, int kh, int kw, int s, int pt, int pl, int pb, int pr, int d, int g, int bias) {
  lf_conv2d_params p = {0};
  p.out_channels = o;
  p.kh = kh, p.kw = kw, p.stride_h = p.stride_w = s;
  p.pad_top = pt, p.pad_left = pl, p.pad_bottom = pb, p.pad_right = pr;
  p.dil_h = p.dil_w = d, p.groups = g, p.bias = bias;
  return p;
}

static lf_conv_transpose2d_params tp(int o, int k, int s, int pad, int opad, int d, int g, int bias) {
  lf_conv_transpose2d_params p = {0};
  p.out_channels = o;
  p.kh = p.kw = k, p.stride_h = p.stride_w = s;
  p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = pad;
  p.out_pad_h = p.out_pad_w = opad;
  p.dil_h = p.dil_w = d, p.groups = g, p.bias = bias;
  return p;
}

LF_TEST(conv_shapes) {
  lf_conv2d_params same3 = cp(5, 3, 3, 2, 0, 0, 0, 0, 1, 1, 1), same4 = cp(6, 4, 4, 2, 0, 0, 0, 0, 1, 1, 0);
  same3.pad_same = same4.pad_same = 1;
  const conv_case cases[] = {
      {"1x1 s1", 3, 7, 9, 6, 0, cp(8, 1, 1, 1, 0, 0, 0, 0, 1, 1, 1), {0}},
      {"1x1 s2", 1, 9, 8, 5, 0, cp(7, 1, 1, 2, 0, 0, 0, 0, 1, 1, 0), {0}},
      {"3x3 s1 p1", 3, 11, 13, 5, 0, cp(7, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), {0}},
      {"3x3 s2 p1", 1, 12, 9, 4, 0, cp(6, 3, 3, 2, 1, 1, 1, 1, 1, 1, 0), {0}},
      {"3x3 s1 p0", 3, 8, 7, 3, 0, cp(4, 3, 3, 1, 0, 0, 0, 0, 1, 1, 1), {0}},
      {"3x3 asym pads 0,1,1,0", 3, 9, 10, 4, 0, cp(5, 3, 3, 1, 0, 1, 1, 0, 1, 1, 1), {0}},
      {"3x3 asym pads 2,0,0,1", 1, 6, 7, 3, 0, cp(4, 3, 3, 1, 2, 0, 0, 1, 1, 1, 0), {0}},
      {"3x3 s2 same (asym)", 3, 10, 11, 4, 0, same3, {0}},
      {"4x4 s2 same (asym)", 1, 9, 12, 3, 0, same4, {0}},
      {"5x5 s1 p2", 3, 9, 11, 4, 0, cp(6, 5, 5, 1, 2, 2, 2, 2, 1, 1, 1), {0}},
      {"5x5 s2 p1", 1, 13, 10, 3, 0, cp(5, 5, 5, 2, 1, 1, 1, 1, 1, 1, 0), {0}},
      {"7x7 s2 p3 (stem)", 3, 17, 15, 3, 0, cp(8, 7, 7, 2, 3, 3, 3, 3, 1, 1, 0), {0}},
      {"1x3 p0,1", 3, 7, 8, 4, 0, cp(5, 1, 3, 1, 0, 1, 0, 1, 1, 1, 1), {0}},
      {"3x3 dil2 p2", 3, 11, 9, 4, 0, cp(6, 3, 3, 1, 2, 2, 2, 2, 2, 1, 1), {0}},
      {"3x3 dil2 s2 p1", 1, 13, 12, 3, 0, cp(4, 3, 3, 2, 1, 1, 1, 1, 2, 1, 0), {0}},
      {"3x3 groups 2", 3, 9, 7, 6, 0, cp(8, 3, 3, 1, 1, 1, 1, 1, 1, 2, 1), {0}},
      {"1x1 groups 2", 1, 5, 6, 4, 0, cp(6, 1, 1, 1, 0, 0, 0, 0, 1, 2, 0), {0}},
      {"3x3 depthwise", 3, 10, 9, 8, 0, cp(8, 3, 3, 1, 1, 1, 1, 1, 1, 8, 1), {0}},
      {"3x3 depthwise s2", 1, 11, 11, 5, 0, cp(5, 3, 3, 2, 1, 1, 1, 1, 1, 5, 0), {0}},
      {"3x3 depthwise x2", 3, 7, 8, 4, 0, cp(8, 3, 3, 1, 1, 1, 1, 1, 1, 4, 1), {0}},
      {"3x3 wide (64->32)", 3, 10, 14, 64, 0, cp(32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0), {0}},
      {"1x1 wide (96->128)", 3, 7, 7, 96, 0, cp(128, 1, 1, 1, 0, 0, 0, 0, 1, 1, 0), {0}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) check_case(&cases[i]);
}

LF_TEST(transposed_shapes) {
  const conv_case cases[] = {
      {"T 2x2 s2 (unet up)", 3, 5, 7, 8, 1, {0}, tp(4, 2, 2, 0, 0, 1, 1, 1)},
      {"T 3x3 s1 p1", 1, 7, 6, 4, 1, {0}, tp(5, 3, 3, 1, 0, 1, 1, 0)},
      {"T 3x3 s2 p1 op1", 3, 6, 5, 3, 1, {0}, tp(4, 3, 2, 1, 1, 1, 1, 1)},
      {"T 3x3 s2 p0", 1, 5, 6, 3, 1, {0}, tp(6, 3, 2, 0, 0, 1, 1, 0)},
      {"T 4x4 s2 p1", 3, 4, 5, 5, 1, {0}, tp(3, 4, 2, 1, 0, 1, 1, 1)},
      {"T 3x3 dil2 p1", 3, 5, 6, 4, 1, {0}, tp(3, 3, 1, 1, 0, 2, 1, 1)},
      {"T 3x3 groups 2", 3, 6, 5, 4, 1, {0}, tp(6, 3, 2, 1, 1, 1, 2, 1)},
      {"T 2x2 s2 wide (64->32)", 3, 5, 7, 64, 1, {0}, tp(32, 2, 2, 0, 0, 1, 1, 0)},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) check_case(&cases[i]);
}

/* Same step twice -> same bits; a new batch size -> new primitives, right
 * answers (compared with the reference at that batch). */
LF_TEST(repeat_and_reshape) {
  conv_case cc = {"3x3 s1 p1 repeat", 3, 9, 10, 16, 0, cp(24, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1), {0}};
  result a = {0}, b = {0};
  LF_CHECK(!run_case(&cc, LF_CONV_DNNL, 3, &a) && !run_case(&cc, LF_CONV_DNNL, 3, &b));
  if (a.y.data && b.y.data) {
    LF_CHECK(!memcmp(a.y.data, b.y.data, a.y.numel * sizeof(float)));
    LF_CHECK(!memcmp(a.dx.data, b.dx.data, a.dx.numel * sizeof(float)));
    LF_CHECK(!memcmp(a.grads, b.grads, a.n_grads * sizeof(float)));
  }
  result_free(&a);
  result_free(&b);

  /* one graph, batch 3 then batch 2 */
  lf_conv_set_backend(LF_CONV_DNNL);
  lf_graph *g = NULL;
  LF_CHECK(lf_graph_create(&g, 3) == LF_OK);
  int x, convs[2], out = build(g, &cc, &x, convs);
  LF_CHECK(out >= 0);
  lf_tensor in3 = {0}, in2 = {0};
  lf_tensor_alloc4(&in3, 3, cc.h, cc.w, cc.c);
  lf_tensor_alloc4(&in2, 2, cc.h, cc.w, cc.c);
  lf_rng r;
  lf_rng_seed(&r, 9);
  for (size_t i = 0; i < in3.numel; i++) in3.data[i] = lf_rng_normal(&r);
  for (size_t i = 0; i < in2.numel; i++) in2.data[i] = lf_rng_normal(&r);
  LF_CHECK(!lf_graph_set_input(g, x, &in3) && !lf_graph_forward(g, 0));
  LF_CHECK(!lf_graph_set_input(g, x, &in2) && !lf_graph_forward(g, 0));
  lf_tensor y2 = {0};
  lf_tensor_copy(&y2, lf_graph_output(g, out));
  lf_conv_set_backend(LF_CONV_REF);
  LF_CHECK(!lf_graph_forward(g, 0));
  const lf_tensor *yr = lf_graph_output(g, out);
  LF_CHECK(yr->numel == y2.numel && yr->shape[0] == 2);
  if (yr->numel == y2.numel) {
    double e = rel_err(y2.data, yr->data, yr->numel);
    LF_CHECK_MSG(e <= 1e-5, "batch change: relative error %.2g", e);
  }
  lf_tensor_free(&y2);
  lf_tensor_free(&in3);
  lf_tensor_free(&in2);
  lf_graph_free(g);
}

int main(void) {
  lf_set_threads(2);
  LF_RUN(conv_shapes);
  LF_RUN(transposed_shapes);
  LF_RUN(repeat_and_reshape);
  lf_set_threads(1);
  LF_RUN(conv_shapes); /* oneDNN with one OpenMP thread */
  return lf_test_summary();
}
