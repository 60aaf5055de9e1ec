/* QAT and convert for the lowerings beyond test_qat_convert.c's:
 *  - the mul-add lowering of unfoldable BNs (MUL by the scale, ADD of the
 *    shift with fused ReLU): the model holds MUL/ADD and no depthwise; QAT
 *    eval within one step of the int8 runtime; LiteRT's bytes equal ours;
 *    both lowerings' int8 error against the same weights in FP32 is printed;
 *  - dropout in the QAT graph: drops in train mode (p of the values zero, the
 *    rest scaled by 1/(1-p)), identity in eval; the conversion removes it;
 *  - BN after a transposed conv folded into it (QAT and convert);
 *  - depthwise convs (groups == channels) with BN: DEPTHWISE_CONV_2D; grouped
 *    convs TFLite cannot express are refused naming the node.
 * LiteRT (tests/oracles/tflite/run_tflite.sh via $LF_TFLITE_ORACLE) is
 * optional: without it those checks are skipped and the binary exits 77.
 * LF_QAT_EXACT=0 compares the float fake-quant eval instead of the exact one;
 * LF_DBG_VALUES=1 prints every intermediate value's agreement. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static float nrand(void) { return lf_qh_nrand(&rs); }
static void fill(lf_tensor *t, int n, int h, int w, int c) {
  lf_tensor_alloc4(t, n, h, w, c);
  for (size_t i = 0; i < t->numel; i++) t->data[i] = nrand();
}

static char dir[512];
static int litert_ran, litert_missing;

static int count_ops(const void *bytes, size_t len, lfrt_op code) {
  lfrt_model *m = NULL;
  lfrt_error e;
  if (lfrt_model_load(bytes, len, "count", &m, &e) != LFRT_OK) return -1;
  int n = 0;
  for (int i = 0; i < m->nops; i++) n += m->ops[i].op == code;
  lfrt_model_free(m);
  return n;
}

typedef struct {
  int steps;        /* max |QAT eval - int8 runtime| in output steps */
  int distinct;     /* distinct int8 outputs */
  int lit_mismatch; /* samples whose LiteRT bytes differ from ours */
  double err_fp32;  /* mean |int8 - FP32 (same weights)| on the output, dequantised */
  void *tfl;        /* the int8 model (caller frees) */
  size_t tfl_len;
} agree_result;

/* QAT (given lowering): observers and BN statistics on a few train batches,
 * then frozen; parameters copied back; converted to int8; QAT eval vs our
 * runtime vs LiteRT, and int8 vs the FP32 engine with the same weights. */
static agree_result agree(const char *tag, lf_graph *g, int in, int out, int bn_lowering) {
  agree_result R = {99, 0, 0, 1e9, NULL, 0};
  lf_node *inn = lf_graph_node(g, in), *on = lf_graph_node(g, out);
  int h = inn->h, w = inn->w, c = inn->c;
  size_t in_n = (size_t)h * w * c, out_n = (size_t)on->h * on->w * on->c;
  lf_qat_opts qo = {0.1f, 0, 0, 3};
  lf_qat *q = NULL;
  LF_CHECK_MSG(lf_qat_create_ex(g, in, out, &qo, bn_lowering, &q) == LF_OK, "%s: qat_create: %s", tag, lf_last_error());
  if (!q) return R;
  LF_CHECK(lf_qat_bn_lowering(q) == (bn_lowering ? bn_lowering : LF_BN_LOWER_DEFAULT_IS));
  lf_graph *qg = lf_qat_graph(q);
  if (getenv("LF_QAT_EXACT")) lf_qat_set_exact(q, atoi(getenv("LF_QAT_EXACT")));
  lf_tensor x = {0}, d = {0};
  for (int step = 0; step < 6; step++) {
    fill(&x, 4, h, w, c);
    LF_CHECK(lf_graph_set_input(qg, lf_qat_input(q), &x) == LF_OK);
    LF_CHECK_MSG(lf_graph_forward(qg, 1) == LF_OK, "%s: qat forward: %s", tag, lf_last_error());
    const lf_tensor *y = lf_graph_output(qg, lf_qat_output(q));
    lf_tensor_alloc(&d, y->ndim, y->shape);
    for (size_t i = 0; i < d.numel; i++) d.data[i] = y->data[i] - 0.5f;
    lf_graph_zero_grad(qg);
    LF_CHECK_MSG(lf_graph_backward(qg, lf_qat_output(q), &d) == LF_OK, "%s: qat backward: %s", tag, lf_last_error());
    lf_tensor_free(&d);
    lf_qat_step(q);
  }
  int finite, nonzero;
  lf_qh_grad_stats(qg, &finite, &nonzero);
  LF_CHECK_MSG(finite && nonzero > 0, "%s: gradients finite %d nonzero %d", tag, finite, nonzero);
  lf_qat_freeze(q, 1, 1);
  LF_CHECK(lf_graph_copy_params(g, qg, NULL) == LF_OK);
  lf_qranges r;
  lf_qranges_init(&r);
  LF_CHECK_MSG(lf_qat_ranges(q, &r) == LF_OK, "%s: ranges: %s", tag, lf_last_error());
  lf_convert_opts co = {0};
  co.int8 = 1;
  co.bn_lowering = bn_lowering;
  LF_CHECK_MSG(lf_convert_graph(g, in, out, &r, &co, &R.tfl, &R.tfl_len) == LF_OK, "%s: convert: %s", tag,
               lf_last_error());
  lfrt_model *m = NULL;
  lfrt_error e;
  if (!R.tfl || lfrt_model_load(R.tfl, R.tfl_len, tag, &m, &e) != LFRT_OK) {
    LF_CHECK_MSG(0, "%s: converted model does not load", tag);
    lf_qat_free(q);
    lf_qranges_free(&r);
    return R;
  }
  const lfrt_tensor *ti = &m->tensors[m->inputs[0]], *to = &m->tensors[m->outputs[0]];
  lf_qparams iq = {ti->quant.scale[0], ti->quant.zero_point[0]}, oq = {to->quant.scale[0], to->quant.zero_point[0]};
  enum { NS = 6 };
  int8_t *qin = malloc(in_n * NS), *qout = malloc(out_n * NS), *lout = malloc(out_n * NS);
  char seen[256] = {0};
  double err = 0;
  R.steps = 0;
  for (int s = 0; s < NS; s++) {
    fill(&x, 1, h, w, c);
    LF_CHECK_MSG(lf_graph_set_input(qg, lf_qat_input(q), &x) == LF_OK && lf_graph_forward(qg, 0) == LF_OK,
                 "%s: QAT eval forward: %s", tag, lf_last_error());
    const lf_tensor *y = lf_graph_output(qg, lf_qat_output(q));
    /* the runtime gets the int8 input the QAT graph's input fake quant produced */
    const lf_tensor *xq = lf_graph_output(qg, lf_qat_value_node(q, inn->name));
    for (size_t i = 0; i < in_n; i++) qin[s * in_n + i] = (int8_t)lrintf(xq->data[i] / iq.scale + (float)iq.zero_point);
    if (!lf_qh_run_runtime(R.tfl, R.tfl_len, qin + s * in_n, in_n, qout + s * out_n, out_n)) {
      LF_CHECK_MSG(0, "%s: runtime failed", tag);
      R.steps = 99;
      break;
    }
    LF_CHECK(lf_graph_set_input(g, in, &x) == LF_OK && lf_graph_forward(g, 0) == LF_OK);
    const lf_tensor *f = lf_graph_output(g, out);
    for (size_t i = 0; i < out_n; i++) {
      int8_t v = qout[s * out_n + i];
      seen[(uint8_t)v] = 1;
      float deq = ((float)v - (float)oq.zero_point) * oq.scale;
      int st = (int)lroundf(fabsf(deq - y->data[i]) / oq.scale);
      if (st > R.steps) R.steps = st;
      if (st > 1 && getenv("LF_DBG_VALUES")) printf("    sample %d element %zu: %d steps (runtime %d, qat %g)\n", s, i, st, v, y->data[i] / oq.scale + oq.zero_point);
      err += fabs((double)deq - f->data[i]);
    }
  }
  R.err_fp32 = err / (double)(NS * out_n);
  if (getenv("LF_DBG_VALUES")) { /* every value: sub-model up to it vs the QAT value (last sample) */
    const char **names = NULL;
    int cnt = 0;
    lf_convert_value_names_ex(g, in, out, bn_lowering, &names, &cnt);
    for (int v = 1; v < cnt; v++) {
      int node = lf_graph_find_node(g, names[v]), fq = lf_qat_value_node(q, names[v]);
      void *b = NULL;
      size_t bl = 0;
      if (node < 0 || fq < 0 || lf_convert_graph(g, in, node, &r, &co, &b, &bl) != LF_OK) {
        printf("    %s: skipped\n", names[v]);
        continue;
      }
      const lf_tensor *qv = lf_graph_output(qg, fq);
      size_t n1 = qv->numel;
      int8_t *o1 = malloc(n1);
      lfrt_model *m1 = NULL;
      if (lfrt_model_load(b, bl, "dbg", &m1, &e) != LFRT_OK) {
        free(o1);
        free(b);
        continue;
      }
      const lfrt_tensor *t1 = &m1->tensors[m1->outputs[0]];
      float sc = t1->quant.scale[0];
      int zp = t1->quant.zero_point[0], worst = 0;
      if (lf_qh_run_runtime(b, bl, qin + (NS - 1) * in_n, in_n, o1, n1))
        for (size_t i = 0; i < n1; i++) {
          int st = (int)lroundf(fabsf(((float)o1[i] - zp) * sc - qv->data[i]) / sc);
          if (st > worst) worst = st;
        }
      printf("    %-30s %d step(s)\n", names[v], worst);
      lfrt_model_free(m1);
      free(o1);
      free(b);
    }
    free(names);
  }
  for (int i = 0; i < 256; i++) R.distinct += seen[i];
  int lr = lf_qh_run_litert(dir, tag, R.tfl, R.tfl_len, NS, qin, in_n, lout, out_n);
  if (lr < 0) litert_missing = 1;
  else {
    LF_CHECK_MSG(lr == 1, "%s: LiteRT did not run the int8 model", tag);
    if (lr == 1) {
      litert_ran = 1;
      for (int s = 0; s < NS; s++) R.lit_mismatch += memcmp(lout + s * out_n, qout + s * out_n, out_n) != 0;
    }
  }
  printf("  %s: max |QAT - runtime| %d step(s) of %g, %d distinct outputs, LiteRT byte mismatches %d/%d, "
         "mean |int8 - fp32| %.5f\n", tag, R.steps, (double)oq.scale, R.distinct, R.lit_mismatch, lr == 1 ? NS : 0,
         R.err_fp32);
  LF_CHECK_MSG(R.steps <= 1, "%s: QAT and int8 runtime differ by %d steps", tag, R.steps);
  LF_CHECK_MSG(R.distinct >= 6, "%s: only %d distinct outputs", tag, R.distinct);
  LF_CHECK_MSG(R.lit_mismatch == 0, "%s: LiteRT bytes differ on %d samples", tag, R.lit_mismatch);
  free(qin);
  free(qout);
  free(lout);
  lfrt_model_free(m);
  lf_tensor_free(&x);
  lf_qranges_free(&r);
  lf_qat_free(q);
  return R;
}

/* Real DenseNet topology (pre-activation BNs after every concat), small. */
static lf_graph *densenet_small(int *in, int *out, uint64_t seed) {
  lf_model m;
  lf_model_config cfg = lf_model_defaults(LF_ARCH_DENSENET);
  cfg.in_h = cfg.in_w = 24;
  cfg.growth = 4;
  cfg.init_features = 8;
  cfg.bn_size = 2;
  cfg.n_blocks = 2;
  cfg.blocks[0] = 3;
  cfg.blocks[1] = 3;
  cfg.classes = 4;
  if (lf_model_build(&m, &cfg, seed)) return NULL;
  *in = m.input;
  *out = m.logits;
  return m.g;
}

LF_TEST(test_bn_muladd) {
  double err[3] = {0};
  for (int mode = LF_BN_LOWER_DEPTHWISE; mode <= LF_BN_LOWER_MULADD; mode++) {
    int in = -1, out = -1;
    lf_graph *g = densenet_small(&in, &out, 11);
    LF_CHECK(g != NULL);
    if (!g) return;
    lf_qh_randomise_bn(g, &rs);
    const char *tag = mode == LF_BN_LOWER_MULADD ? "densenet_muladd" : "densenet_depthwise";
    agree_result R = agree(tag, g, in, out, mode);
    err[mode] = R.err_fp32;
    if (R.tfl) {
      int nmul = count_ops(R.tfl, R.tfl_len, LFRT_OP_MUL), nadd = count_ops(R.tfl, R.tfl_len, LFRT_OP_ADD),
          ndw = count_ops(R.tfl, R.tfl_len, LFRT_OP_DEPTHWISE_CONV_2D);
      /* standalone BNs: 2 blocks x 3 layers + transition + norm5 = 8 */
      if (mode == LF_BN_LOWER_MULADD)
        LF_CHECK_MSG(nmul == 8 && nadd == 8 && ndw == 0, "%s: MUL %d ADD %d DEPTHWISE %d", tag, nmul, nadd, ndw);
      else
        LF_CHECK_MSG(nmul == 0 && nadd == 0 && ndw == 8, "%s: MUL %d ADD %d DEPTHWISE %d", tag, nmul, nadd, ndw);
    }
    free(R.tfl);
    /* the value names an int8 conversion needs: mul-add adds "<bn>.mul" */
    const char **names = NULL;
    int cnt = 0, nmulv = 0;
    LF_CHECK(lf_convert_value_names_ex(g, in, out, mode, &names, &cnt) == LF_OK);
    for (int i = 0; i < cnt; i++) nmulv += strstr(names[i], ".mul") != NULL;
    LF_CHECK_MSG(nmulv == (mode == LF_BN_LOWER_MULADD ? 8 : 0), "%s: %d .mul values", tag, nmulv);
    free(names);
    /* PTQ calibrates the same values (the MUL outputs too) and converts */
    lf_ptq *pc = NULL;
    LF_CHECK(lf_ptq_create_ex(g, in, out, mode, &pc) == LF_OK);
    lf_tensor x = {0};
    for (int b = 0; b < 3 && pc; b++) {
      fill(&x, 4, 24, 24, 3);
      LF_CHECK(lf_graph_set_input(g, in, &x) == LF_OK && lf_graph_forward(g, 0) == LF_OK && lf_ptq_observe(pc) == LF_OK);
    }
    lf_qranges pr;
    lf_qranges_init(&pr);
    LF_CHECK(pc && lf_ptq_ranges(pc, LF_CALIB_MINMAX, 0, &pr) == LF_OK);
    lf_convert_opts co = {0};
    co.int8 = 1;
    co.bn_lowering = mode;
    void *b = NULL;
    size_t bl = 0;
    LF_CHECK_MSG(lf_convert_graph(g, in, out, &pr, &co, &b, &bl) == LF_OK, "%s: ptq convert: %s", tag, lf_last_error());
    free(b);
    /* a depthwise-calibrated range set lacks the .mul values: mul-add refuses naming one */
    if (mode == LF_BN_LOWER_DEPTHWISE) {
      co.bn_lowering = LF_BN_LOWER_MULADD;
      LF_CHECK(lf_convert_graph(g, in, out, &pr, &co, &b, &bl) == LF_EINVAL);
      LF_CHECK_MSG(strstr(lf_last_error(), ".mul'") != NULL, "message: %s", lf_last_error());
    }
    lf_qranges_free(&pr);
    lf_ptq_free(pc);
    lf_tensor_free(&x);
    lf_graph_free(g);
  }
  printf("  random-weight DenseNet, mean |int8 - fp32| on the logits: depthwise %.5f, mul-add %.5f\n",
         err[LF_BN_LOWER_DEPTHWISE], err[LF_BN_LOWER_MULADD]);
}

/* The paper's UNet with its bottom dropout (p 0.5): the QAT graph keeps it. */
LF_TEST(test_dropout) {
  lf_model m;
  lf_model_config cfg = lf_model_defaults(LF_ARCH_UNET);
  cfg.in_h = 16;
  cfg.in_w = 24;
  cfg.width = 4;
  cfg.depth = 2;
  cfg.dropout = 0.5f;
  LF_CHECK(lf_model_build(&m, &cfg, 5) == LF_OK);
  if (!m.g) return;
  lf_qh_randomise_bn(m.g, &rs);
  lf_qat *q = NULL;
  lf_qat_opts qo = {0.1f, 0, 0, 9};
  LF_CHECK_MSG(lf_qat_create(m.g, m.input, m.probs, &qo, &q) == LF_OK, "qat_create: %s", lf_last_error());
  if (!q) return;
  lf_graph *qg = lf_qat_graph(q);
  int d = lf_graph_find_node(qg, "bottom.dropout");
  LF_CHECK_MSG(d >= 0 && lf_graph_node(qg, d)->kind == LF_OP_DROPOUT, "no dropout node in the QAT graph");
  if (d < 0) return;
  lf_node *dn = lf_graph_node(qg, d);
  lf_tensor x = {0};
  fill(&x, 4, 16, 24, 1);
  for (int train = 1; train >= 0; train--) {
    LF_CHECK(lf_graph_set_input(qg, lf_qat_input(q), &x) == LF_OK && lf_graph_forward(qg, train) == LF_OK);
    const lf_tensor *a = lf_graph_output(qg, dn->inputs[0]), *b = lf_graph_output(qg, d);
    long nz = 0, dropped = 0, kept_ok = 0, same = 0;
    for (size_t i = 0; i < a->numel; i++) {
      if (a->data[i] == 0.0f) continue;
      nz++;
      dropped += b->data[i] == 0.0f;
      kept_ok += fabsf(b->data[i] - 2.0f * a->data[i]) <= 1e-6f * fabsf(a->data[i]);
      same += b->data[i] == a->data[i];
    }
    if (train) {
      double frac = nz ? (double)dropped / (double)nz : 0;
      printf("  dropout in QAT train mode: %ld of %ld nonzero inputs dropped (%.3f), the rest x2: %ld\n", dropped, nz,
             frac, kept_ok);
      LF_CHECK_MSG(nz > 200 && frac > 0.4 && frac < 0.6 && kept_ok == nz - dropped, "train: dropped %.3f, kept %ld of %ld",
                   frac, kept_ok, nz - dropped);
    } else
      LF_CHECK_MSG(nz > 200 && same == nz, "eval: dropout changed %ld of %ld values", nz - same, nz);
  }
  lf_tensor_free(&x);
  lf_qat_free(q);
  /* the converted model has no trace of it and agrees with QAT eval */
  agree_result R = agree("unet_dropout", m.g, m.input, m.probs, LF_BN_LOWER_DEFAULT);
  free(R.tfl);
  lf_model_free(&m);
}

/* conv -> maxpool -> transposed conv + BN + ReLU -> concat -> conv head:
 * the BN folds into the TRANSPOSE_CONV (no standalone op is left for it). */
LF_TEST(test_tconv_bn) {
  lf_graph *g = NULL;
  LF_CHECK(lf_graph_create(&g, 3) == LF_OK);
  int in = lf_nn_input(g, "input", 12, 16, 2);
  int x = lf_nn_conv2d(g, in, "c1", lf_conv_params(6, 3, 1, 1, 0));
  x = lf_nn_batchnorm(g, x, "bn1", 1e-5f, 0.1f);
  int skip = lf_nn_relu(g, x, "relu1");
  x = lf_nn_maxpool(g, skip, "pool", lf_pool_square(2, 2, 0));
  x = lf_nn_conv2d(g, x, "c2", lf_conv_params(8, 3, 1, 1, 1));
  x = lf_nn_relu(g, x, "relu2");
  lf_conv_transpose2d_params tp = {0};
  tp.out_channels = 6;
  tp.kh = tp.kw = tp.stride_h = tp.stride_w = 2;
  tp.dil_h = tp.dil_w = tp.groups = 1;
  tp.bias = 1;
  x = lf_nn_conv_transpose2d(g, x, "up", tp);
  x = lf_nn_batchnorm(g, x, "upbn", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "uprelu");
  int parts[2] = {skip, x};
  x = lf_nn_concat(g, parts, 2, "cat");
  x = lf_nn_conv2d(g, x, "head", lf_conv_params(2, 1, 1, 0, 1));
  LF_CHECK_MSG(lf_graph_status(g) == LF_OK, "build: %s", lf_graph_error(g));
  if (lf_graph_status(g) != LF_OK) return;
  lf_qh_randomise_bn(g, &rs);
  /* the value names: no range for the BN (folded) */
  const char **names = NULL;
  int cnt = 0, has_up = 0, has_bn = 0;
  LF_CHECK(lf_convert_value_names(g, in, x, &names, &cnt) == LF_OK);
  for (int i = 0; i < cnt; i++) {
    has_up += !strcmp(names[i], "uprelu");
    has_bn += !strcmp(names[i], "upbn") || !strcmp(names[i], "up");
  }
  free(names);
  LF_CHECK_MSG(has_up == 1 && has_bn == 0, "transposed conv + BN + ReLU is not one op (%d, %d)", has_up, has_bn);
  agree_result R = agree("tconv_bn", g, in, x, LF_BN_LOWER_DEFAULT);
  if (R.tfl) {
    int ntc = count_ops(R.tfl, R.tfl_len, LFRT_OP_TRANSPOSE_CONV), ndw = count_ops(R.tfl, R.tfl_len, LFRT_OP_DEPTHWISE_CONV_2D);
    LF_CHECK_MSG(ntc == 1 && ndw == 0, "TRANSPOSE_CONV %d, DEPTHWISE %d", ntc, ndw);
  }
  free(R.tfl);
  lf_graph_free(g);
}

/* Depthwise convs (multiplier 1 and 2) with folded BN: DEPTHWISE_CONV_2D;
 * a grouped conv that is not depthwise is refused naming the node. */
LF_TEST(test_depthwise) {
  lf_graph *g = NULL;
  LF_CHECK(lf_graph_create(&g, 4) == LF_OK);
  int in = lf_nn_input(g, "input", 12, 12, 3);
  int x = lf_nn_conv2d(g, in, "c1", lf_conv_params(8, 3, 1, 1, 0));
  x = lf_nn_batchnorm(g, x, "bn1", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "relu1");
  lf_conv2d_params dp = lf_conv_params(8, 3, 1, 1, 0);
  dp.groups = 8;
  x = lf_nn_conv2d(g, x, "dw1", dp);
  x = lf_nn_batchnorm(g, x, "dwbn1", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "dwrelu1");
  lf_conv2d_params dp2 = lf_conv_params(16, 3, 2, 1, 1); /* depth multiplier 2, stride 2 */
  dp2.groups = 8;
  x = lf_nn_conv2d(g, x, "dw2", dp2);
  x = lf_nn_relu(g, x, "dwrelu2");
  int y = lf_nn_conv2d(g, x, "head", lf_conv_params(4, 1, 1, 0, 1));
  lf_conv2d_params gp = lf_conv_params(16, 3, 1, 1, 1);
  gp.groups = 2;
  int bad = lf_nn_conv2d(g, x, "grouped_by_2", gp);
  LF_CHECK_MSG(lf_graph_status(g) == LF_OK, "build: %s", lf_graph_error(g));
  if (lf_graph_status(g) != LF_OK) return;
  lf_qh_randomise_bn(g, &rs);
  /* grouped (not depthwise): QAT and convert refuse, naming the node */
  lf_qat *q = NULL;
  lf_convert_opts co = {0};
  void *b = NULL;
  size_t bl = 0;
  LF_CHECK(lf_qat_create(g, in, bad, NULL, &q) == LF_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(lf_last_error(), "grouped_by_2") != NULL, "message: %s", lf_last_error());
  LF_CHECK(lf_convert_graph(g, in, bad, NULL, &co, &b, &bl) == LF_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(lf_last_error(), "grouped_by_2") && strstr(lf_last_error(), "groups 2"), "message: %s", lf_last_error());
  /* FP32: the runtime's DEPTHWISE_CONV_2D equals the engine's grouped conv */
  LF_CHECK_MSG(lf_convert_graph(g, in, y, NULL, &co, &b, &bl) == LF_OK, "fp32 convert: %s", lf_last_error());
  if (b) {
    lf_tensor xt = {0};
    fill(&xt, 1, 12, 12, 3);
    LF_CHECK(lf_graph_set_input(g, in, &xt) == LF_OK && lf_graph_forward(g, 0) == LF_OK);
    const lf_tensor *ref = lf_graph_output(g, y);
    float *o = malloc(ref->numel * sizeof(float));
    double worst = 0;
    LF_CHECK(lf_qh_run_runtime(b, bl, xt.data, xt.numel * sizeof(float), o, ref->numel * sizeof(float)));
    for (size_t i = 0; i < ref->numel; i++) {
      double d = fabs((double)o[i] - ref->data[i]) / (fabs((double)ref->data[i]) + 1e-3);
      if (d > worst) worst = d;
    }
    double worst_lit = 0;
    int lr = lf_qh_run_litert(dir, "depthwise_fp32", b, bl, 1, xt.data, xt.numel * sizeof(float), o, ref->numel * sizeof(float));
    if (lr < 0) litert_missing = 1;
    else {
      LF_CHECK_MSG(lr == 1, "LiteRT did not run the fp32 depthwise model");
      for (size_t i = 0; lr == 1 && i < ref->numel; i++) {
        double d = fabs((double)o[i] - ref->data[i]) / (fabs((double)ref->data[i]) + 1e-3);
        if (d > worst_lit) worst_lit = d;
      }
    }
    printf("  depthwise fp32: max rel error vs engine: runtime %.2e, LiteRT %.2e\n", worst, worst_lit);
    LF_CHECK_MSG(worst <= 1e-4 && worst_lit <= 1e-4, "fp32 depthwise rel error %g (LiteRT %g)", worst, worst_lit);
    LF_CHECK(count_ops(b, bl, LFRT_OP_DEPTHWISE_CONV_2D) == 2);
    free(o);
    free(b);
    lf_tensor_free(&xt);
  }
  /* QAT gradients (live BN, train mode) follow the FP32 ones for the grouped weights */
  LF_CHECK(lf_qat_create(g, in, y, NULL, &q) == LF_OK);
  if (q) {
    lf_graph *qg = lf_qat_graph(q);
    lf_tensor xt = {0}, d = {0};
    fill(&xt, 4, 12, 12, 3);
    LF_CHECK(lf_graph_set_input(g, in, &xt) == LF_OK && lf_graph_forward(g, 1) == LF_OK);
    const lf_tensor *yo = lf_graph_output(g, y);
    lf_tensor_alloc(&d, yo->ndim, yo->shape);
    for (size_t i = 0; i < d.numel; i++) d.data[i] = nrand();
    lf_graph_zero_grad(g);
    LF_CHECK(lf_graph_backward(g, y, &d) == LF_OK);
    LF_CHECK(lf_graph_set_input(qg, lf_qat_input(q), &xt) == LF_OK && lf_graph_forward(qg, 1) == LF_OK);
    lf_graph_zero_grad(qg);
    LF_CHECK(lf_graph_backward(qg, lf_qat_output(q), &d) == LF_OK);
    const char *names[3] = {"dw1.weight", "dw2.weight", "dw2.bias"};
    for (int k = 0; k < 3; k++) {
      lf_param *a = lf_graph_find_param(g, names[k]), *b2 = lf_graph_find_param(qg, names[k]);
      LF_CHECK_MSG(a && b2 && a->grad.numel == b2->grad.numel, "%s missing", names[k]);
      if (!a || !b2 || a->grad.numel != b2->grad.numel) continue;
      double ab = 0, aa = 0, bb = 0;
      for (size_t i = 0; i < a->grad.numel; i++) {
        ab += (double)a->grad.data[i] * b2->grad.data[i];
        aa += (double)a->grad.data[i] * a->grad.data[i];
        bb += (double)b2->grad.data[i] * b2->grad.data[i];
      }
      double cs = ab / sqrt(aa * bb + 1e-300);
      printf("  depthwise QAT vs FP32 gradient of %s: cosine %.4f\n", names[k], cs);
      LF_CHECK_MSG(cs > 0.95, "%s gradient cosine %g", names[k], cs);
    }
    lf_tensor_free(&xt);
    lf_tensor_free(&d);
    lf_qat_free(q);
  }
  agree_result R = agree("depthwise", g, in, y, LF_BN_LOWER_DEFAULT);
  if (R.tfl) {
    int ndw = count_ops(R.tfl, R.tfl_len, LFRT_OP_DEPTHWISE_CONV_2D), nc = count_ops(R.tfl, R.tfl_len, LFRT_OP_CONV_2D);
    LF_CHECK_MSG(ndw == 2 && nc == 2, "DEPTHWISE %d CONV %d", ndw, nc);
  }
  free(R.tfl);
  lf_graph_free(g);
}

int main(void) {
  if (!lf_qh_mkdtemp(dir, sizeof dir, "test_qat_lowering")) return 1;
  lf_set_threads(1);
  LF_RUN(test_bn_muladd);
  LF_RUN(test_dropout);
  LF_RUN(test_tconv_bn);
  LF_RUN(test_depthwise);
  int rc = lf_test_summary();
  return lf_qh_finish(dir, rc, litert_missing, litert_ran);
}
