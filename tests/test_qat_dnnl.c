/* QAT convolutions through oneDNN vs the im2col reference (lf_conv_set_backend):
 * strided, dilated with asymmetric padding, depthwise with multiplier 2,
 * transposed (output padding) convs, each with a BN folded in, and a bare
 * transposed conv. Per case, two QAT graphs built from the same FP32 graph
 * run the same step, one per backend, in three modes: train with live BN
 * (batch statistics), train with BN frozen (folded bias on the int32 grid),
 * and float fake-quant eval (lf_qat_set_exact(q, 0)). Checked within 1e-5
 * of the tensor's largest magnitude: the conv node's output, every parameter
 * gradient and the input gradient (the scale floored at 1, see rel_err).
 * Each case is a single conv so that a
 * fake-quant rounding flip between the backends (outputs differ by ~1e-7)
 * cannot feed a later conv. Skips (77) without libdnnl. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_qat.h"
#include "lf_test.h"
#include "util/qat_harness.h"
#include "nn/conv_dnnl.h"
#include "quant/qat_internal.h"

static uint64_t rs = 0x2545f4914f6cdd1dULL;
static float nrand(void) { return lf_qh_nrand(&rs); }

/* max |a - b| / max |b|, max |b| floored at 1, the scale of the N(0, 1)
 * output gradient: the conv bias's gradient before a live BN (which removes
 * the batch mean) is zero up to rounding (~1e-6: a sum of O(1) terms). */
static double rel_err(const float *a, const float *b, size_t n) {
  double d = 0, m = 0;
  for (size_t i = 0; i < n; i++) {
    double e = fabs((double)a[i] - b[i]);
    if (e > d) d = e;
    if (fabs((double)b[i]) > m) m = fabs((double)b[i]);
  }
  return d / (m > 1 ? m : 1);
}

enum { LIVE, FROZEN, EVAL };
static const char *mode_name[3] = {"train live BN", "train frozen BN", "float eval"};
static double worst;

/* One step of the QAT graph of g (in -> out) on backend b; conv = the conv
 * node's name. Returns the QAT handle (caller frees). */
static lf_qat *step(lf_graph *g, int in, int out, int mode, lf_conv_backend b, const lf_tensor *x, const lf_tensor *d) {
  lf_qat *q = NULL;
  lf_qat_opts qo = {0.1f, 0, 0, 5};
  if (lf_qat_create(g, in, out, &qo, &q)) {
    LF_CHECK_MSG(0, "qat_create: %s", lf_last_error());
    return NULL;
  }
  lf_graph *qg = lf_qat_graph(q);
  int qin = lf_qat_input(q), qout = lf_qat_output(q);
  if (mode == FROZEN) lf_qat_freeze(q, 0, 1);
  if (mode == EVAL) { /* observers from one reference train step, then eval on b */
    lf_conv_set_backend(LF_CONV_REF);
    LF_CHECK(lf_graph_set_input(qg, qin, x) == LF_OK && lf_graph_forward(qg, 1) == LF_OK);
    lf_qat_set_exact(q, 0);
  }
  lf_conv_set_backend(b);
  lf_graph_set_input_requires_grad(qg, qin, 1);
  LF_CHECK_MSG(lf_graph_set_input(qg, qin, x) == LF_OK && lf_graph_forward(qg, mode != EVAL) == LF_OK, "forward: %s",
               lf_last_error());
  if (mode != EVAL) {
    lf_graph_zero_grad(qg);
    LF_CHECK_MSG(lf_graph_backward(qg, qout, d) == LF_OK, "backward: %s", lf_last_error());
  }
  return q;
}

static void compare(const char *tag, lf_graph *g, int in, int out, const char *conv, int n, int h, int w, int c) {
  lf_tensor x = {0}, d = {0};
  lf_tensor_alloc4(&x, n, h, w, c);
  for (size_t i = 0; i < x.numel; i++) x.data[i] = nrand();
  const lf_node *on = lf_graph_node(g, out);
  lf_tensor_alloc4(&d, n, on->h, on->w, on->c);
  for (size_t i = 0; i < d.numel; i++) d.data[i] = nrand();
  for (int mode = LIVE; mode <= EVAL; mode++) {
    lf_qat *qr = step(g, in, out, mode, LF_CONV_REF, &x, &d);
    lf_qat *qd = step(g, in, out, mode, LF_CONV_DNNL, &x, &d);
    if (qr && qd) {
      lf_graph *gr = lf_qat_graph(qr), *gd = lf_qat_graph(qd);
      int cr = lf_graph_find_node(gr, conv), cd = lf_graph_find_node(gd, conv);
      LF_CHECK_MSG(cr >= 0 && cd >= 0, "%s: no node %s", tag, conv);
      if (cr >= 0 && cd >= 0) {
        const lf_tensor *yr = lf_graph_output(gr, cr), *yd = lf_graph_output(gd, cd);
        double e = rel_err(yd->data, yr->data, yr->numel), eg = 0, ex = 0;
        const char *eg_name = "-";
        if (mode != EVAL) {
          for (int i = 0; i < lf_graph_param_count(gr); i++) {
            lf_param *pr = lf_graph_param(gr, i), *pd = lf_graph_find_param(gd, pr->name);
            if (!pr->grad.data || strncmp(pr->name, "qat.", 4) == 0) continue;
            LF_CHECK_MSG(pd && pd->grad.numel == pr->grad.numel, "%s: param %s", tag, pr->name);
            if (!pd || pd->grad.numel != pr->grad.numel) continue;
            double pe = rel_err(pd->grad.data, pr->grad.data, pr->grad.numel);
            if (pe >= eg) eg = pe, eg_name = pr->name;
          }
          const lf_tensor *xr = lf_graph_input_grad(gr, lf_qat_input(qr)), *xd = lf_graph_input_grad(gd, lf_qat_input(qd));
          LF_CHECK_MSG(xr && xd, "%s: no input gradient", tag);
          if (xr && xd) ex = rel_err(xd->data, xr->data, xr->numel);
        }
        /* the oneDNN graph really ran oneDNN (a refused shape would fall back silently) */
        const lf_node *cn = lf_graph_node(gd, cd);
        const char *impl = cn->kind == LQK_TCONV ? lq_tconv_impl(cn) : lq_conv_impl(cn);
        LF_CHECK_MSG(impl[0] != 0, "%s %s: oneDNN did not run the conv", tag, mode_name[mode]);
        printf("  %-28s %-16s out %.1e  param grad %.1e (%s)  input grad %.1e  [%s]\n", tag, mode_name[mode], e, eg,
               eg_name, ex, impl);
        LF_CHECK_MSG(e <= 1e-5 && eg <= 1e-5 && ex <= 1e-5, "%s %s: oneDNN vs reference: out %g grad %g dx %g", tag,
                     mode_name[mode], e, eg, ex);
        if (e > worst) worst = e;
        if (eg > worst) worst = eg;
        if (ex > worst) worst = ex;
      }
    }
    lf_qat_free(qr);
    lf_qat_free(qd);
  }
  lf_tensor_free(&x);
  lf_tensor_free(&d);
}

/* input -> conv [-> BN] */
static void conv_case(const char *tag, lf_conv2d_params p, int bn, int h, int w, int c) {
  lf_graph *g;
  if (lf_graph_create(&g, 11)) return;
  int in = lf_nn_input(g, "input", h, w, c);
  int y = lf_nn_conv2d(g, in, "conv", p);
  if (bn) y = lf_nn_batchnorm(g, y, "bn", 1e-5f, 0.1f);
  LF_CHECK_MSG(lf_graph_status(g) == LF_OK, "%s: build: %s", tag, lf_graph_error(g));
  if (lf_graph_status(g) == LF_OK) {
    lf_qh_randomise_bn(g, &rs);
    compare(tag, g, in, y, "conv", 3, h, w, c);
  }
  lf_graph_free(g);
}

static void tconv_case(const char *tag, lf_conv_transpose2d_params p, int bn, int h, int w, int c) {
  lf_graph *g;
  if (lf_graph_create(&g, 12)) return;
  int in = lf_nn_input(g, "input", h, w, c);
  int y = lf_nn_conv_transpose2d(g, in, "up", p);
  if (bn) y = lf_nn_batchnorm(g, y, "bn", 1e-5f, 0.1f);
  LF_CHECK_MSG(lf_graph_status(g) == LF_OK, "%s: build: %s", tag, lf_graph_error(g));
  if (lf_graph_status(g) == LF_OK) {
    lf_qh_randomise_bn(g, &rs);
    compare(tag, g, in, y, "up", 3, h, w, c);
  }
  lf_graph_free(g);
}

static void test_convs(void) {
  lf_conv2d_params p = lf_conv_params(12, 3, 2, 1, 1);
  conv_case("conv 3x3 stride 2 + BN", p, 1, 13, 11, 5);
  p = lf_conv_params(8, 3, 1, 0, 0);
  p.dil_h = 2, p.dil_w = 3, p.pad_top = 2, p.pad_bottom = 1, p.pad_left = 3, p.pad_right = 2;
  conv_case("conv dilated asym pad + BN", p, 1, 12, 14, 6);
  p = lf_conv_params(16, 3, 2, 1, 1);
  p.groups = 8; /* depthwise, multiplier 2 */
  conv_case("depthwise x2 stride 2 + BN", p, 1, 11, 12, 8);
  p = lf_conv_params(6, 1, 1, 0, 1);
  conv_case("conv 1x1 (no BN)", p, 0, 9, 10, 7);
}

static void test_tconvs(void) {
  lf_conv_transpose2d_params tp = {0};
  tp.out_channels = 6;
  tp.kh = tp.kw = 3;
  tp.stride_h = tp.stride_w = 2;
  tp.pad_top = tp.pad_left = tp.pad_bottom = tp.pad_right = 1;
  tp.out_pad_h = tp.out_pad_w = 1;
  tp.dil_h = tp.dil_w = tp.groups = 1;
  tp.bias = 1;
  tconv_case("tconv 3x3 s2 outpad + BN", tp, 1, 6, 7, 9);
  tp.kh = tp.kw = 2;
  tp.pad_top = tp.pad_left = tp.pad_bottom = tp.pad_right = 0;
  tp.out_pad_h = tp.out_pad_w = 0;
  tp.out_channels = 5;
  tconv_case("tconv 2x2 s2 (no BN)", tp, 0, 7, 5, 4);
}

/* 1 if oneDNN runs a tiny conv here (else every call falls back) */
static int dnnl_available(void) {
  lf_conv_engine *e = NULL;
  lf_conv_shape s = {0, 1, 3, 3, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1, 0};
  float x[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9}, w = 2, y[9];
  lf_conv_set_backend(LF_CONV_DNNL);
  lf_status st = lf_conv_dnnl_forward(&e, "probe", &s, x, &w, NULL, y);
  lf_conv_engine_free(&e);
  return st == LF_OK;
}

int main(void) {
  lf_set_threads(2);
  if (!dnnl_available()) {
    printf("skip: oneDNN (libdnnl.so.2) not available: %s\n", lf_last_error());
    return 77;
  }
  LF_RUN(test_convs);
  LF_RUN(test_tconvs);
  printf("  worst oneDNN vs reference: %.1e (bound 1e-5)\n", worst);
  return lf_test_summary();
}
