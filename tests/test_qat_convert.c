/* The key QAT test: the QAT forward (eval, frozen; integer-exact by default)
 * and the converted int8 model run in leapfrog's runtime are identical on every
 * output (the float fake-quant eval, lf_qat_set_exact(q, 0), within one step
 * on these random-weight nets; trained deep nets: tests/test_qat_exact.c); the same .tflite run in Google's LiteRT gives the same bytes; the
 * FP32 conversion matches the training engine's eval forward (rel 1e-4) in
 * leapfrog's runtime and in LiteRT. Models: a small DenseNet-like net (conv0
 * + BN + ReLU + max pool with torch padding, dense blocks with pre-activation
 * BN, concat, transition with avg pool, global pool, dense, sigmoid) and a
 * small UNet-like net (skip concat, nearest upsample, 1x1 head, sigmoid).
 * LiteRT (tests/oracles/tflite/run_tflite.sh via $LF_TFLITE_ORACLE) is
 * optional: without it those checks are skipped and the binary exits 77. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_convert.h"
#include "leapfrog/lf_models.h"
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_ptq.h"
#include "leapfrog/lf_qat.h"
#include "leapfrog/lf_quant.h"
#include "lf_test.h"
#include "util/qat_harness.h"
#include "lfrt_interp.h"
#include "lfrt_model.h"

static uint64_t rs = 0x1234567887654321ULL;
static float urand(void) { return lf_qh_urand(&rs); }
static float nrand(void) { return lf_qh_nrand(&rs); }

static char dir[512];
static int litert_ran, litert_missing;

static int densenet_like(lf_graph *g, int *in) {
  int x = lf_nn_input(g, "input", 16, 16, 3);
  *in = x;
  x = lf_nn_conv2d(g, x, "features.conv0", lf_conv_params(8, 3, 1, 1, 0));
  x = lf_nn_batchnorm(g, x, "features.norm0", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "features.relu0");
  x = lf_nn_maxpool(g, x, "features.pool0", lf_pool_square(3, 2, 1));
  int feats[8], nf = 0;
  feats[nf++] = x;
  int cat = x;
  char nm[96];
  for (int l = 1; l <= 2; l++) {
    int y = cat;
    snprintf(nm, sizeof nm, "features.denseblock1.denselayer%d.norm1", l);
    y = lf_nn_batchnorm(g, y, nm, 1e-5f, 0.1f);
    snprintf(nm, sizeof nm, "features.denseblock1.denselayer%d.relu1", l);
    y = lf_nn_relu(g, y, nm);
    snprintf(nm, sizeof nm, "features.denseblock1.denselayer%d.conv1", l);
    y = lf_nn_conv2d(g, y, nm, lf_conv_params(8, 1, 1, 0, 0));
    snprintf(nm, sizeof nm, "features.denseblock1.denselayer%d.norm2", l);
    y = lf_nn_batchnorm(g, y, nm, 1e-5f, 0.1f);
    snprintf(nm, sizeof nm, "features.denseblock1.denselayer%d.relu2", l);
    y = lf_nn_relu(g, y, nm);
    snprintf(nm, sizeof nm, "features.denseblock1.denselayer%d.conv2", l);
    y = lf_nn_conv2d(g, y, nm, lf_conv_params(4, 3, 1, 1, 0));
    feats[nf++] = y;
    snprintf(nm, sizeof nm, "features.denseblock1.cat%d", l);
    cat = lf_nn_concat(g, feats, nf, nm);
  }
  x = lf_nn_batchnorm(g, cat, "features.transition1.norm", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "features.transition1.relu");
  x = lf_nn_conv2d(g, x, "features.transition1.conv", lf_conv_params(8, 1, 1, 0, 0));
  x = lf_nn_avgpool(g, x, "features.transition1.pool", lf_pool_square(2, 2, 0));
  x = lf_nn_batchnorm(g, x, "features.norm5", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "features.relu5");
  x = lf_nn_global_avgpool(g, x, "features.gap");
  x = lf_nn_dense(g, x, "classifier", 10, 1);
  x = lf_nn_sigmoid(g, x, "sigmoid");
  return x;
}

static int unet_like(lf_graph *g, int *in) {
  int x = lf_nn_input(g, "input", 12, 16, 1);
  *in = x;
  x = lf_nn_conv2d(g, x, "down1.conv1", lf_conv_params(6, 3, 1, 1, 1));
  x = lf_nn_batchnorm(g, x, "down1.bn1", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "down1.relu1");
  x = lf_nn_conv2d(g, x, "down1.conv2", lf_conv_params(6, 3, 1, 1, 1));
  x = lf_nn_batchnorm(g, x, "down1.bn2", 1e-5f, 0.1f);
  int skip = lf_nn_relu(g, x, "down1.relu2");
  x = lf_nn_maxpool(g, skip, "pool1", lf_pool_square(2, 2, 0));
  x = lf_nn_conv2d(g, x, "bottom.conv", lf_conv_params(10, 3, 1, 1, 1));
  x = lf_nn_batchnorm(g, x, "bottom.bn", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "bottom.relu");
  lf_upsample_params up = {LF_UPSAMPLE_NEAREST, 12, 16, 0};
  x = lf_nn_upsample(g, x, "up1.upsample", up);
  x = lf_nn_conv2d(g, x, "up1.conv", lf_conv_params(6, 3, 1, 1, 1));
  x = lf_nn_batchnorm(g, x, "up1.bn", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "up1.relu");
  int cat[2] = {skip, x};
  x = lf_nn_concat(g, cat, 2, "up1.cat");
  x = lf_nn_conv2d(g, x, "up1.conv2", lf_conv_params(6, 3, 1, 1, 1));
  x = lf_nn_batchnorm(g, x, "up1.bn2", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "up1.relu2");
  x = lf_nn_conv2d(g, x, "head", lf_conv_params(1, 1, 1, 0, 1));
  x = lf_nn_sigmoid(g, x, "sigmoid");
  return x;
}

static void fill_input(lf_tensor *t, int n, int h, int w, int c) {
  lf_tensor_alloc4(t, n, h, w, c);
  for (size_t i = 0; i < t->numel; i++) t->data[i] = nrand();
}


typedef lf_graph *(*maker)(int *in, int *out);
static lf_graph *mk_densenet_like(int *in, int *out) {
  lf_graph *g = NULL;
  if (lf_graph_create(&g, 7)) return NULL;
  *out = densenet_like(g, in);
  return g;
}
static lf_graph *mk_unet_like(int *in, int *out) {
  lf_graph *g = NULL;
  if (lf_graph_create(&g, 7)) return NULL;
  *out = unet_like(g, in);
  return g;
}
/* The real DenseNet-121 topology (blocks 6-12-24-16, 121 layers, torchvision
 * names) at small width and input: growth 4, 8 initial features, 32x32. */
static lf_graph *mk_densenet121_small(int *in, int *out) {
  lf_model m;
  lf_model_config cfg = lf_model_defaults(LF_ARCH_DENSENET);
  cfg.in_h = cfg.in_w = 32;
  cfg.growth = 4;
  cfg.init_features = 8;
  cfg.bn_size = 2;
  if (lf_model_build(&m, &cfg, 3)) return NULL;
  *in = m.input;
  *out = m.probs;
  return m.g;
}

/* torchvision's DenseNet-121 at full width and 224x224 (LF_QAT_FULL=1 only: minutes). */
static lf_graph *mk_densenet121_full(int *in, int *out) {
  lf_model m;
  lf_model_config cfg = lf_model_defaults(LF_ARCH_DENSENET);
  if (lf_model_build(&m, &cfg, 3)) return NULL;
  *in = m.input;
  *out = m.probs;
  return m.g;
}

/* The paper's UNet (lf_models.h) with the transposed-conv decoder, width 4,
 * depth 2, 16x24 input, no dropout. */
static lf_graph *mk_unet_transposed(int *in, int *out) {
  lf_model m;
  lf_model_config cfg = lf_model_defaults(LF_ARCH_UNET);
  cfg.in_h = 16;
  cfg.in_w = 24;
  cfg.width = 4;
  cfg.depth = 2;
  cfg.transposed = 1;
  cfg.dropout = 0.0f;
  if (lf_model_build(&m, &cfg, 4)) return NULL;
  *in = m.input;
  *out = m.probs;
  return m.g;
}

/* QAT gradients in train mode follow the FP32 gradients (8-bit noise only):
 * cosine similarity of every trainable tensor's gradient. */
static void check_grads(const char *tag, lf_graph *g, int in, int out, lf_qat *q, int h, int w, int c,
                        double min_global, double min_tensor, int frozen_bn) {
  lf_graph *qg = lf_qat_graph(q);
  lf_tensor x = {0}, d = {0};
  fill_input(&x, 4, h, w, c);
  /* frozen_bn: both with BN running statistics (FP32 eval-mode BN) */
  LF_CHECK(lf_graph_set_input(g, in, &x) == LF_OK && lf_graph_forward(g, !frozen_bn) == LF_OK);
  const lf_tensor *y = lf_graph_output(g, out);
  lf_tensor_alloc(&d, y->ndim, y->shape);
  for (size_t i = 0; i < d.numel; i++) d.data[i] = y->data[i] - (urand() < 0.3f ? 1.0f : 0.0f);
  lf_graph_zero_grad(g);
  LF_CHECK(lf_graph_backward(g, out, &d) == LF_OK);
  /* the QAT graph sees the same batch (observers initialise on it) */
  LF_CHECK(lf_graph_set_input(qg, lf_qat_input(q), &x) == LF_OK && lf_graph_forward(qg, 1) == LF_OK);
  lf_graph_zero_grad(qg);
  LF_CHECK(lf_graph_backward(qg, lf_qat_output(q), &d) == LF_OK);
  double worst = 1.0, gab = 0, gaa = 0, gbb = 0, maxnorm = 0;
  const char *wname = "";
  int n = 0;
  for (int i = 0; i < lf_graph_param_count(g); i++) {
    lf_param *p = lf_graph_param(g, i);
    double a2 = 0;
    for (size_t k = 0; k < p->grad.numel; k++) a2 += (double)p->grad.data[k] * p->grad.data[k];
    if (sqrt(a2) > maxnorm) maxnorm = sqrt(a2);
  }
  for (int i = 0; i < lf_graph_param_count(g); i++) {
    lf_param *p = lf_graph_param(g, i);
    if (!p->trainable) continue;
    lf_param *qp = lf_graph_find_param(qg, p->name);
    LF_CHECK_MSG(qp && qp->grad.numel == p->grad.numel, "%s: QAT graph lacks %s", tag, p->name);
    if (!qp || qp->grad.numel != p->grad.numel) continue;
    double ab = 0, aa = 0, bb = 0;
    for (size_t k = 0; k < p->grad.numel; k++) {
      ab += (double)p->grad.data[k] * qp->grad.data[k];
      aa += (double)p->grad.data[k] * p->grad.data[k];
      bb += (double)qp->grad.data[k] * qp->grad.data[k];
    }
    gab += ab;
    gaa += aa;
    gbb += bb;
    /* tensors whose FP32 gradient is tiny (e.g. a conv bias a BN cancels) are
     * quantisation noise either way */
    if (sqrt(aa) < 0.05 * maxnorm) continue;
    if (getenv("DBG")) printf("    %-50s cos %.4f |fp| %.3g |qat| %.3g\n", p->name, ab / sqrt(aa * bb + 1e-300), sqrt(aa), sqrt(bb));
    double cs = ab / sqrt(aa * bb + 1e-300);
    if (cs < worst) {
      worst = cs;
      wname = p->name;
    }
    n++;
  }
  double gcos = gab / sqrt(gaa * gbb + 1e-300);
  printf("  %s QAT vs FP32 gradients (%s BN): all parameters cosine %.4f; %d large tensors, worst %.4f (%s)\n", tag,
         frozen_bn ? "frozen" : "live", gcos, n, worst, wname);
  LF_CHECK_MSG(gcos > min_global, "%s: QAT gradients have cosine %g with FP32", tag, gcos);
  LF_CHECK_MSG(n > 0 && worst > min_tensor, "%s: QAT gradient of %s has cosine %g with FP32", tag, wname, worst);
  lf_tensor_free(&x);
  lf_tensor_free(&d);
}

static void check_model(const char *tag, maker make, int h, int w, int c, double min_global, double min_tensor,
                        int frozen_grads) {
  int in = -1, out = -1;
  lf_graph *g = make(&in, &out);
  LF_CHECK_MSG(g && lf_graph_status(g) == LF_OK && out > 0, "%s: build: %s", tag, g ? lf_graph_error(g) : lf_last_error());
  if (!g || lf_graph_status(g) != LF_OK) return;
  lf_qh_randomise_bn(g, &rs);
  lf_node *on = lf_graph_node(g, out);
  size_t out_n = (size_t)on->h * on->w * on->c, in_n = (size_t)h * w * c;

  /* ---- QAT: calibrate observers and BN in train mode, then freeze ---- */
  lf_qat_opts qo = {0.1f, 0, 0, 3};
  lf_qat *q = NULL;
  LF_CHECK_MSG(lf_qat_create(g, in, out, &qo, &q) == LF_OK, "%s: qat_create: %s", tag, lf_last_error());
  if (!q) return;
  lf_graph *qg = lf_qat_graph(q);
  if (!frozen_grads) check_grads(tag, g, in, out, q, h, w, c, min_global, min_tensor, 0);
  lf_tensor x = {0}, dout = {0};
  for (int step = 0; step < 6; step++) {
    fill_input(&x, 4, h, w, c);
    LF_CHECK(lf_graph_set_input(qg, lf_qat_input(q), &x) == LF_OK);
    LF_CHECK_MSG(lf_graph_forward(qg, 1) == LF_OK, "%s: qat forward: %s", tag, lf_last_error());
    /* a backward pass must run (gradients exist and are finite) */
    const lf_tensor *y = lf_graph_output(qg, lf_qat_output(q));
    lf_tensor_alloc(&dout, y->ndim, y->shape);
    for (size_t i = 0; i < dout.numel; i++) dout.data[i] = y->data[i] - 0.5f;
    lf_graph_zero_grad(qg);
    LF_CHECK_MSG(lf_graph_backward(qg, lf_qat_output(q), &dout) == LF_OK, "%s: qat backward: %s", tag, lf_last_error());
    lf_qat_step(q);
  }
  int finite, nonzero;
  lf_qh_grad_stats(qg, &finite, &nonzero);
  LF_CHECK_MSG(finite && nonzero > 0, "%s: gradients finite %d nonzero %d", tag, finite, nonzero);
  lf_qat_freeze(q, 1, 1);

  /* ---- convert: QAT parameters back into the FP32 graph + QAT ranges ---- */
  int copied = 0;
  LF_CHECK(lf_graph_copy_params(g, qg, &copied) == LF_OK && copied > 0);
  lf_qranges r;
  lf_qranges_init(&r);
  LF_CHECK_MSG(lf_qat_ranges(q, &r) == LF_OK, "%s: ranges: %s", tag, lf_last_error());
  lf_convert_opts co = {0};
  co.int8 = 1;
  /* one label per output channel (convert refuses any other count) */
  static const char *const names[] = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"};
  int out_c = lf_graph_node(g, out)->c;
  LF_CHECK(out_c >= 1 && out_c <= 14);
  co.labels = names;
  co.n_labels = out_c;
  void *tfl = NULL;
  size_t tfl_len = 0;
  LF_CHECK_MSG(lf_convert_graph(g, in, out, &r, &co, &tfl, &tfl_len) == LF_OK, "%s: convert int8: %s", tag, lf_last_error());
  /* input qparams from the model itself */
  lfrt_model *m = NULL;
  lfrt_error e;
  LF_CHECK_MSG(tfl && lfrt_model_load(tfl, tfl_len, tag, &m, &e) == LFRT_OK, "%s: load: %s", tag, tfl ? e.msg : "no model");
  if (!m) return;
  const lfrt_tensor *ti = &m->tensors[m->inputs[0]], *to = &m->tensors[m->outputs[0]];
  LF_CHECK(ti->type == LFRT_INT8 && to->type == LFRT_INT8 && (size_t)to->count == out_n);
  lf_qparams iq = {ti->quant.scale[0], ti->quant.zero_point[0]}, oq = {to->quant.scale[0], to->quant.zero_point[0]};

  /* ---- QAT eval vs int8 runtime vs LiteRT, per sample ---- */
  enum { NS = 8 };
  int8_t *qin = malloc(in_n), *qout = malloc(out_n), *lout = malloc(out_n * NS), *allin = malloc(in_n * NS),
         *allout = malloc(out_n * NS);
  int worst = 0, fworst = 0, lit_mismatch = 0;
  char distinct[256] = {0};
  long nvals = 0;
  int ran = 0;
  for (int s = 0; s < NS; s++) {
    fill_input(&x, 1, h, w, c);
    LF_CHECK(lf_graph_set_input(qg, lf_qat_input(q), &x) == LF_OK);
    /* float fake-quant eval first (the old claim: within one step) */
    lf_qat_set_exact(q, 0);
    LF_CHECK(lf_graph_forward(qg, 0) == LF_OK);
    float *fy = malloc(out_n * sizeof(float));
    memcpy(fy, lf_graph_output(qg, lf_qat_output(q))->data, out_n * sizeof(float));
    lf_qat_set_exact(q, 1);
    LF_CHECK(lf_graph_forward(qg, 0) == LF_OK);
    const lf_tensor *y = lf_graph_output(qg, lf_qat_output(q));
    float inv = 1.0f / iq.scale;
    for (size_t i = 0; i < in_n; i++) {
      long v = (long)nearbyintf(x.data[i] * inv) + iq.zero_point;
      qin[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
    if (!lf_qh_run_runtime(tfl, tfl_len, qin, in_n, qout, out_n)) {
      LF_CHECK_MSG(0, "%s: runtime failed", tag);
      break;
    }
    for (size_t i = 0; i < out_n; i++) {
      distinct[(uint8_t)qout[i]] = 1;
      float deq = ((float)qout[i] - (float)oq.zero_point) * oq.scale;
      /* exact eval: the same float, bit for bit */
      int steps = deq == y->data[i] ? 0 : 1 + (int)lroundf(fabsf(deq - y->data[i]) / oq.scale);
      if (steps > worst) worst = steps;
      int fsteps = (int)lroundf(fabsf(deq - fy[i]) / oq.scale);
      if (fsteps > fworst) fworst = fsteps;
      nvals++;
    }
    free(fy);
    memcpy(allin + (size_t)s * in_n, qin, in_n);
    memcpy(allout + (size_t)s * out_n, qout, out_n);
    ran++;
  }
  {
    char t2[64];
    snprintf(t2, sizeof t2, "%s_int8", tag);
    int lr = lf_qh_run_litert(dir, t2, tfl, tfl_len, ran, allin, in_n, lout, out_n);
    if (lr < 0) litert_missing = 1;
    else {
      LF_CHECK_MSG(lr == 1, "%s: LiteRT did not run the int8 model", tag);
      if (lr == 1) {
        litert_ran = 1;
        for (int k = 0; k < ran; k++)
          lit_mismatch += memcmp(lout + (size_t)k * out_n, allout + (size_t)k * out_n, out_n) != 0;
      }
    }
  }
  printf("  %s int8: %ld outputs, QAT exact eval vs runtime: %s; float fake-quant eval: max %d step(s) of %g; LiteRT "
         "byte mismatches: %d samples\n",
         tag, nvals, worst ? "DIFFER" : "identical", fworst, (double)oq.scale, lit_mismatch);
  LF_CHECK_MSG(worst == 0, "%s: QAT exact eval and int8 runtime differ (max %d steps)", tag, worst - 1);
  LF_CHECK_MSG(fworst <= 1, "%s: QAT float fake-quant eval and int8 runtime differ by %d steps", tag, fworst);
  int nd = 0;
  for (int i = 0; i < 256; i++) nd += distinct[i];
  LF_CHECK_MSG(nd >= 6, "%s: only %d distinct int8 outputs: the comparison would be weak", tag, nd);
  LF_CHECK_MSG(lit_mismatch == 0, "%s: LiteRT and leapfrog runtime bytes differ on %d samples", tag, lit_mismatch);

  /* ---- uint8 IO variant loads and runs, and agrees with int8 shifted by 128 ---- */
  co.io_uint8 = 1;
  void *tfu = NULL;
  size_t tfu_len = 0;
  LF_CHECK_MSG(lf_convert_graph(g, in, out, &r, &co, &tfu, &tfu_len) == LF_OK, "%s: convert uint8: %s", tag, lf_last_error());
  uint8_t *uin = malloc(in_n), *uout = malloc(out_n);
  for (size_t i = 0; i < in_n; i++) uin[i] = (uint8_t)(qin[i] + 128);
  /* leapfrog's runtime may not run QUANTIZE uint8->int8; LiteRT must */
  int ran_u = 0;
  if (tfu && lf_qh_run_runtime(tfu, tfu_len, uin, in_n, uout, out_n)) ran_u = 1;
  else if (tfu) {
    int lr = lf_qh_run_litert(dir, "uint8io", tfu, tfu_len, 1, uin, in_n, uout, out_n);
    if (lr < 0) litert_missing = 1;
    else {
      LF_CHECK_MSG(lr == 1, "%s: LiteRT did not run the uint8-io model", tag);
      ran_u = lr == 1;
    }
  }
  if (ran_u) {
    int bad = 0;
    for (size_t i = 0; i < out_n; i++) bad += uout[i] != (uint8_t)(qout[i] + 128);
    LF_CHECK_MSG(bad == 0, "%s: uint8 io differs from int8 on %d outputs", tag, bad);
    printf("  %s uint8 io: %zu outputs equal to int8 + 128\n", tag, out_n);
  }
  free(tfu);
  free(uin);
  free(uout);

  /* ---- the logits (sub-graph up to the node before the sigmoid) ---- */
  {
    int head = out - 1;
    char fqname[128];
    snprintf(fqname, sizeof fqname, "qat.%s", lf_graph_node(g, head)->name);
    int qhead = lf_qat_value_node(q, lf_graph_node(g, head)->name);
    LF_CHECK(qhead == lf_graph_find_node(qg, fqname));
    void *tl = NULL;
    size_t tl_len = 0;
    LF_CHECK_MSG(qhead >= 0, "%s: no QAT node %s", tag, fqname);
    co.io_uint8 = 0;
    LF_CHECK_MSG(lf_convert_graph(g, in, head, &r, &co, &tl, &tl_len) == LF_OK, "%s: convert logits: %s", tag, lf_last_error());
    lfrt_model *lm = NULL;
    int8_t *lqin = malloc(in_n), *lqout = malloc(out_n);
    if (tl && qhead >= 0 && lfrt_model_load(tl, tl_len, "logits", &lm, &e) == LFRT_OK) {
      const lfrt_tensor *lt = &lm->tensors[lm->outputs[0]];
      lf_qparams lq = {lt->quant.scale[0], lt->quant.zero_point[0]};
      int lworst = 0, ldistinct = 0;
      char seen[256] = {0};
      for (int s2 = 0; s2 < 4; s2++) {
        fill_input(&x, 1, h, w, c);
        lf_graph_set_input(qg, lf_qat_input(q), &x);
        lf_graph_forward(qg, 0);
        const lf_tensor *y = lf_graph_output(qg, qhead);
        float inv = 1.0f / iq.scale;
        for (size_t i = 0; i < in_n; i++) {
          long v = (long)nearbyintf(x.data[i] * inv) + iq.zero_point;
          lqin[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        }
        if (!lf_qh_run_runtime(tl, tl_len, lqin, in_n, lqout, out_n)) {
          LF_CHECK_MSG(0, "%s: logits model did not run", tag);
          break;
        }
        for (size_t i = 0; i < out_n; i++) {
          float deq = ((float)lqout[i] - (float)lq.zero_point) * lq.scale;
          int st = deq == y->data[i] ? 0 : 1 + (int)lroundf(fabsf(deq - y->data[i]) / lq.scale);
          if (st > lworst) lworst = st;
          if (!seen[(uint8_t)lqout[i]]) ldistinct++;
          seen[(uint8_t)lqout[i]] = 1;
        }
      }
      printf("  %s logits int8: QAT exact eval vs runtime %s (scale %g), %d distinct values\n", tag,
             lworst ? "DIFFER" : "identical", (double)lq.scale, ldistinct);
      LF_CHECK_MSG(lworst == 0, "%s: logits differ (max %d steps)", tag, lworst - 1);
      LF_CHECK_MSG(ldistinct >= 16, "%s: only %d distinct logits", tag, ldistinct);
    } else
      LF_CHECK_MSG(0, "%s: logits model did not load", tag);
    lfrt_model_free(lm);
    free(tl);
    free(lqin);
    free(lqout);
  }

  /* ---- FP32: engine eval forward vs runtime vs LiteRT ---- */
  co.int8 = 0;
  co.io_uint8 = 0;
  void *tff = NULL;
  size_t tff_len = 0;
  LF_CHECK_MSG(lf_convert_graph(g, in, out, NULL, &co, &tff, &tff_len) == LF_OK, "%s: convert fp32: %s", tag, lf_last_error());
  float *fo = malloc(out_n * sizeof(float)), *lo = malloc(out_n * sizeof(float));
  double worst_rel = 0, worst_lit = 0;
  for (int s = 0; s < 3 && tff; s++) {
    fill_input(&x, 1, h, w, c);
    LF_CHECK(lf_graph_set_input(g, in, &x) == LF_OK);
    LF_CHECK(lf_graph_forward(g, 0) == LF_OK);
    const lf_tensor *y = lf_graph_output(g, out);
    if (!lf_qh_run_runtime(tff, tff_len, x.data, in_n * sizeof(float), fo, out_n * sizeof(float))) {
      LF_CHECK_MSG(0, "%s: fp32 runtime failed", tag);
      break;
    }
    for (size_t i = 0; i < out_n; i++) {
      double d = fabs((double)fo[i] - y->data[i]) / (fabs((double)y->data[i]) + 1e-3);
      if (d > worst_rel) worst_rel = d;
    }
    char t2[64];
    snprintf(t2, sizeof t2, "%s_fp32_%d", tag, s);
    /* LiteRT on the first sample only (one node process per model) */
    int lr = s ? 2 : lf_qh_run_litert(dir, t2, tff, tff_len, 1, x.data, in_n * sizeof(float), lo, out_n * sizeof(float));
    if (lr == 2) continue;
    if (lr < 0) litert_missing = 1;
    else if (lr == 1) {
      for (size_t i = 0; i < out_n; i++) {
        double d = fabs((double)lo[i] - y->data[i]) / (fabs((double)y->data[i]) + 1e-3);
        if (d > worst_lit) worst_lit = d;
      }
    } else
      LF_CHECK_MSG(0, "%s: LiteRT did not run the fp32 model", tag);
  }
  printf("  %s fp32: max rel error runtime %.2e, LiteRT %.2e\n", tag, worst_rel, worst_lit);
  LF_CHECK_MSG(worst_rel <= 1e-4, "%s: fp32 runtime rel error %g", tag, worst_rel);
  LF_CHECK_MSG(worst_lit <= 1e-4, "%s: fp32 LiteRT rel error %g", tag, worst_lit);

  /* ---- PTQ on the FP32 graph: int8 within a few steps of FP32 ---- */
  lf_ptq *pc = NULL;
  LF_CHECK(lf_ptq_create(g, in, out, &pc) == LF_OK);
  for (int b = 0; b < 4 && pc; b++) {
    fill_input(&x, 4, h, w, c);
    lf_graph_set_input(g, in, &x);
    lf_graph_forward(g, 0);
    LF_CHECK(lf_ptq_observe(pc) == LF_OK);
  }
  lf_qranges pr;
  lf_qranges_init(&pr);
  LF_CHECK(pc && lf_ptq_ranges(pc, LF_CALIB_MINMAX, 0, &pr) == LF_OK);
  co.int8 = 1;
  void *tfp = NULL;
  size_t tfp_len = 0;
  LF_CHECK_MSG(lf_convert_graph(g, in, out, &pr, &co, &tfp, &tfp_len) == LF_OK, "%s: convert ptq: %s", tag, lf_last_error());
  double ptq_err = 0;
  for (int s = 0; s < 3 && tfp; s++) {
    fill_input(&x, 1, h, w, c);
    lf_graph_set_input(g, in, &x);
    lf_graph_forward(g, 0);
    const lf_tensor *y = lf_graph_output(g, out);
    for (size_t i = 0; i < in_n; i++) qin[i] = (int8_t)lf_quantize_value(x.data[i], iq, -128, 127);
    /* the PTQ model has its own input qparams */
    lfrt_model *pm = NULL;
    if (lfrt_model_load(tfp, tfp_len, "ptq", &pm, &e) != LFRT_OK) break;
    const lfrt_tensor *pti = &pm->tensors[pm->inputs[0]];
    lf_qparams piq = {pti->quant.scale[0], pti->quant.zero_point[0]};
    lfrt_model_free(pm);
    for (size_t i = 0; i < in_n; i++) qin[i] = (int8_t)lf_quantize_value(x.data[i], piq, -128, 127);
    if (!lf_qh_run_runtime(tfp, tfp_len, qin, in_n, qout, out_n)) break;
    for (size_t i = 0; i < out_n; i++) {
      double d = fabs(((double)qout[i] + 128) / 256.0 - y->data[i]);
      if (d > ptq_err) ptq_err = d;
    }
  }
  printf("  %s ptq minmax: max |int8 - fp32| on the sigmoid output %.4f\n", tag, ptq_err);
  LF_CHECK_MSG(ptq_err < 0.08, "%s: PTQ int8 far from FP32 (%g)", tag, ptq_err);

  if (frozen_grads) check_grads(tag, g, in, out, q, h, w, c, min_global, min_tensor, 1);
  free(tfp);
  lf_qranges_free(&pr);
  lf_ptq_free(pc);
  free(fo);
  free(lo);
  free(tff);
  free(qin);
  free(qout);
  free(lout);
  free(allin);
  free(allout);
  lfrt_model_free(m);
  free(tfl);
  lf_qranges_free(&r);
  lf_tensor_free(&x);
  lf_tensor_free(&dout);
  lf_qat_free(q);
  lf_graph_free(g);
}

/* Gradient bars: the small nets with live BN (batch statistics). The 121-layer
 * net at width 4 and 32x32 (1x1 maps in block 4, where batch statistics of 4
 * values amplify any noise) is compared with BN frozen, and only by the
 * overall direction: with random BN statistics its concatenations mix members
 * of very different magnitude under one shared int8 scale (TFLite's concat
 * rule), so per-tensor gradients there are dominated by quantisation noise. */
/* Clear refusals: an op without a TFLite lowering names the node; int8
 * without a range names the value; a padding TFLite cannot express is refused. */
LF_TEST(test_convert_errors) {
  lf_graph *g = NULL;
  LF_CHECK(lf_graph_create(&g, 1) == LF_OK);
  int in = lf_nn_input(g, "input", 8, 8, 2);
  int x = lf_nn_conv2d(g, in, "c1", lf_conv_params(4, 3, 1, 1, 1));
  int lk = lf_nn_leaky_relu(g, x, "leaky", 0.1f);
  int y = lf_nn_conv2d(g, x, "c2", lf_conv_params(4, 3, 1, 1, 1));
  lf_pool_params pp = lf_pool_square(3, 2, 1);
  int mp = lf_nn_maxpool(g, y, "pool_of_signed", pp); /* conv output can be negative: zero PAD is wrong */
  LF_CHECK(lf_graph_status(g) == LF_OK);
  void *b = NULL;
  size_t n = 0;
  lf_convert_opts o = {0};
  LF_CHECK(lf_convert_graph(g, in, lk, NULL, &o, &b, &n) == LF_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(lf_last_error(), "leaky") != NULL, "message: %s", lf_last_error());
  LF_CHECK(lf_convert_graph(g, in, mp, NULL, &o, &b, &n) == LF_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(lf_last_error(), "pool_of_signed") != NULL, "message: %s", lf_last_error());
  o.int8 = 1;
  lf_qranges r;
  lf_qranges_init(&r);
  LF_CHECK(lf_qranges_set(&r, "input", -1, 1) == LF_OK);
  LF_CHECK(lf_convert_graph(g, in, y, &r, &o, &b, &n) == LF_EINVAL);
  LF_CHECK_MSG(strstr(lf_last_error(), "'c1'") != NULL, "message: %s", lf_last_error());
  LF_CHECK(lf_qranges_set(&r, "c1", -2, 2) == LF_OK && lf_qranges_set(&r, "c2", -3, 3) == LF_OK);
  LF_CHECK(lf_convert_graph(g, in, y, &r, &o, &b, &n) == LF_OK && b && n > 0);
  free(b);
  LF_CHECK(lf_qranges_set(&r, "c2", 3, -3) == LF_EINVAL);
  LF_CHECK(lf_convert_graph(g, in, in, &r, &o, &b, &n) == LF_EINVAL); /* output == input */
  const char **names = NULL;
  int cnt = 0;
  LF_CHECK(lf_convert_value_names(g, in, y, &names, &cnt) == LF_OK && cnt == 3);
  LF_CHECK(cnt == 3 && !strcmp(names[0], "input") && !strcmp(names[2], "c2"));
  free(names);
  lf_qranges_free(&r);
  lf_graph_free(g);
}

LF_TEST(test_densenet_like) { check_model("densenet_like", mk_densenet_like, 16, 16, 3, 0.95, 0.8, 0); }
LF_TEST(test_unet_like) { check_model("unet_like", mk_unet_like, 12, 16, 1, 0.95, 0.8, 0); }
LF_TEST(test_unet_transposed) { check_model("unet_transposed", mk_unet_transposed, 16, 24, 1, 0.95, 0.8, 0); }
/* Full size: the agreement checks only (the gradient comparison is printed; with
 * random BN statistics a 121-layer eval-mode net is far from normalised). */
LF_TEST(test_densenet121_full) { check_model("densenet121_full", mk_densenet121_full, 224, 224, 3, -1.0, -1.0, 1); }
LF_TEST(test_densenet121_small) { check_model("densenet121_small", mk_densenet121_small, 32, 32, 3, 0.5, -1.0, 1); }

int main(void) {
  if (!lf_qh_mkdtemp(dir, sizeof dir, "test_qat_convert")) return 1;
  lf_set_threads(1);
  LF_RUN(test_convert_errors);
  LF_RUN(test_densenet_like);
  LF_RUN(test_unet_like);
  LF_RUN(test_unet_transposed);
  LF_RUN(test_densenet121_small);
  if (getenv("LF_QAT_FULL")) LF_RUN(test_densenet121_full);
  int rc = lf_test_summary();
  return lf_qh_finish(dir, rc, litert_missing, litert_ran);
}
