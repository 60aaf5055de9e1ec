/* QAT eval is integer-exact: on TRAINED deep models (trained here for a few
 * dozen steps on synthetic data, FP32 then QAT), the QAT graph's eval forward
 * gives, for EVERY value the int8 model quantises (each layer's output, not
 * just the model output), exactly the bytes of the converted int8 model in
 * leapfrog's runtime (0 steps), and those bytes equal Google's LiteRT's
 * (tests/oracles/tflite, every value as the output of a sub-model converted up
 * to it). The float fake-quant eval (lf_qat_set_exact(q, 0)) is reported for
 * comparison: its one-step differences build up with depth.
 * Models: a reduced DenseNet (real topology: pre-activation BN -> depthwise
 * 1x1, concatenations, transitions with average pools, global pool, FC,
 * sigmoid), the paper's UNet (23 convs: max pools, nearest upsampling,
 * concatenated skips, sigmoid) and its transposed-conv decoder, and a small
 * net with bilinear upsampling (both coordinate modes) and padded pools. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <dirent.h>

#include "eval/predict_internal.h"
#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_convert.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_models.h"
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_optim.h"
#include "leapfrog/lf_qat.h"
#include "leapfrog/lf_quant.h"
#include "lf_test.h"
#include "util/qat_harness.h"
#include "lfrt_interp.h"
#include "lfrt_model.h"

static uint64_t rs = 0x9e3779b97f4a7c15ULL;
static float urand(void) { return lf_qh_urand(&rs); }
static float nrand(void) { return lf_qh_nrand(&rs); }
static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

static char dir[512];
static int litert_ran, litert_missing;

/* Synthetic task. seg: a bright disc on noise, target = the disc (one
 * channel). cls: `classes` fixed random patterns, each present with p 0.5,
 * target = which are present. */
typedef struct {
  int h, w, c, classes, seg;
  float *pat;
} task;

static void batch(task *t, int n, lf_tensor *x, lf_tensor *y) {
  lf_tensor_alloc4(x, n, t->h, t->w, t->c);
  if (t->seg) lf_tensor_alloc4(y, n, t->h, t->w, 1);
  else lf_tensor_alloc4(y, n, 1, 1, t->classes);
  size_t per = (size_t)t->h * t->w * t->c;
  for (int b = 0; b < n; b++) {
    float *xi = x->data + b * per;
    for (size_t i = 0; i < per; i++) xi[i] = 0.3f * nrand();
    if (t->seg) {
      float cy = urand() * t->h, cx = urand() * t->w, r = 2.0f + urand() * t->h / 4.0f;
      for (int i = 0; i < t->h; i++)
        for (int j = 0; j < t->w; j++) {
          int in = (i - cy) * (i - cy) + (j - cx) * (j - cx) < r * r;
          y->data[((size_t)b * t->h + i) * t->w + j] = (float)in;
          for (int ch = 0; ch < t->c; ch++) xi[((size_t)i * t->w + j) * t->c + ch] += in ? 1.0f : 0.0f;
        }
    } else {
      for (int k = 0; k < t->classes; k++) {
        int on = urand() < 0.5f;
        y->data[(size_t)b * t->classes + k] = (float)on;
        if (on)
          for (size_t i = 0; i < per; i++) xi[i] += t->pat[(size_t)k * per + i];
      }
    }
  }
}

/* steps of Adam on BCE(+Dice for seg) on the logits node; returns the last loss. */
static float train(lf_graph *g, int in, int logits, task *t, int steps, float lr) {
  lf_optim *o = NULL;
  lf_optim_config oc = lf_optim_defaults(LF_OPT_ADAM, lr);
  if (lf_optim_create(&o, &oc, g) != LF_OK) return NAN;
  lf_tensor x = {0}, y = {0}, gr = {0};
  float loss = NAN;
  for (int s = 0; s < steps; s++) {
    batch(t, 4, &x, &y);
    if (lf_graph_set_input(g, in, &x) != LF_OK || lf_graph_forward(g, 1) != LF_OK) break;
    const lf_tensor *z = lf_graph_output(g, logits);
    lf_tensor_alloc(&gr, z->ndim, z->shape);
    lf_status st = t->seg ? lf_bce_dice_with_logits(z, &y, 1.0f, 1.0f, 1.0f, 0, &loss, &gr)
                          : lf_bce_with_logits(z, &y, NULL, &loss, &gr);
    if (st != LF_OK) break;
    lf_graph_zero_grad(g);
    if (lf_graph_backward(g, logits, &gr) != LF_OK || lf_optim_step(o) != LF_OK) break;
  }
  lf_tensor_free(&x);
  lf_tensor_free(&y);
  lf_tensor_free(&gr);
  lf_optim_free(o);
  return loss;
}

/* max |a - b| in steps of the value's int8 scale (from its range in r; 1/256
 * without one); *off (if given) += how many elements round to a nonzero step count. */
static int value_steps(const lf_qranges *r, const char *name, const float *a, const float *b, size_t n, int *off) {
  lf_qrange const *rr = lf_qranges_find(r, name);
  lf_qparams oq = {1.0f / 256.0f, -128};
  if (rr) lf_qparams_asym(rr->min, rr->max, LF_QMIN_ACT, LF_QMAX_ACT, &oq, NULL, NULL);
  int w = 0;
  for (size_t k = 0; k < n; k++) {
    int d = (int)lroundf(fabsf(a[k] - b[k]) / oq.scale);
    if (d > w) w = d;
    if (off) *off += d != 0;
  }
  return w;
}

/* Trains, QATs, then compares every quantised value. */
static void check_trained(const char *tag, lf_graph *g, int in, int logits, int probs, task *t, int fp_steps,
                          int qat_steps, int bn_lowering) {
  double t0 = now();
  float l0 = train(g, in, logits, t, fp_steps, 3e-3f);
  LF_CHECK_MSG(isfinite(l0), "%s: fp32 training failed: %s", tag, lf_last_error());
  lf_qat_opts qo = {0.05f, 0, 0, 5};
  lf_qat *q = NULL;
  LF_CHECK_MSG(lf_qat_create_ex(g, in, probs, &qo, bn_lowering, &q) == LF_OK, "%s: qat_create: %s", tag, lf_last_error());
  if (!q) return;
  lf_graph *qg = lf_qat_graph(q);
  int qlogits = lf_qat_value_node(q, lf_graph_node(g, logits)->name);
  LF_CHECK(qlogits >= 0);
  float l1 = train(qg, lf_qat_input(q), qlogits, t, qat_steps, 1e-3f);
  lf_qat_freeze(q, 1, 1);
  float l2 = train(qg, lf_qat_input(q), qlogits, t, qat_steps / 2, 5e-4f);
  LF_CHECK_MSG(isfinite(l1) && isfinite(l2), "%s: QAT training failed: %s", tag, lf_last_error());
  printf("  %s: trained %d FP32 + %d QAT steps (loss %.3f -> QAT %.3f -> frozen %.3f) in %.1f s\n", tag, fp_steps,
         qat_steps + qat_steps / 2, l0, l1, l2, now() - t0);

  /* convert with the QAT parameters and ranges */
  int copied = 0;
  LF_CHECK(lf_graph_copy_params(g, qg, &copied) == LF_OK && copied > 0);
  lf_qranges r;
  lf_qranges_init(&r);
  LF_CHECK_MSG(lf_qat_ranges(q, &r) == LF_OK, "%s: ranges: %s", tag, lf_last_error());
  lf_convert_opts co = {0};
  co.int8 = 1;
  co.bn_lowering = bn_lowering;
  const char **names = NULL;
  int nv = 0;
  LF_CHECK(lf_convert_value_names_ex(g, in, probs, bn_lowering, &names, &nv) == LF_OK && nv > 2);

  /* NS eval samples (one batch), int8 inputs as the runtime gets them */
  enum { NS = 6 };
  lf_tensor x = {0}, y = {0};
  batch(t, NS, &x, &y);
  size_t in_n = x.numel / NS;
  int8_t *qin = malloc(x.numel);
  /* LF_QAT_EXACT_MODE=0 checks the float fake-quant eval instead (to see this test fail) */
  const char *em = getenv("LF_QAT_EXACT_MODE");
  lf_qat_set_exact(q, em ? atoi(em) : 1);
  double te = now();
  LF_CHECK(lf_graph_set_input(qg, lf_qat_input(q), &x) == LF_OK && lf_graph_forward(qg, 0) == LF_OK);
  double exact_ms = (now() - te) * 1e3;
  /* keep every value of the exact forward */
  float **vals = calloc((size_t)nv, sizeof(float *));
  size_t *vn = calloc((size_t)nv, sizeof(size_t));
  for (int i = 0; i < nv; i++) {
    int f = lf_qat_value_node(q, names[i]);
    if (f < 0) continue;
    const lf_tensor *v = lf_graph_output(qg, f);
    vals[i] = malloc(v->numel * sizeof(float));
    memcpy(vals[i], v->data, v->numel * sizeof(float));
    vn[i] = v->numel;
  }
  /* exact through the runtime's reference conv kernel: the same values */
  lf_qat_set_exact(q, 2);
  te = now();
  LF_CHECK(lf_graph_forward(qg, 0) == LF_OK);
  double ref_ms = (now() - te) * 1e3;
  int ref_diff = 0;
  for (int i = 0; i < nv; i++) {
    int f = lf_qat_value_node(q, names[i]);
    if (f >= 0 && vals[i]) ref_diff += memcmp(vals[i], lf_graph_output(qg, f)->data, vn[i] * sizeof(float)) != 0;
  }
  LF_CHECK_MSG(ref_diff == 0, "%s: exact eval by SGEMM and by the reference kernel differ on %d values", tag, ref_diff);
  /* the float fake-quant eval on the same sample */
  lf_qat_set_exact(q, 0);
  te = now();
  LF_CHECK(lf_graph_forward(qg, 0) == LF_OK);
  double float_ms = (now() - te) * 1e3;
  lf_qat_set_exact(q, 1);

  char manifest[700];
  snprintf(manifest, sizeof manifest, "%s/%s.tsv", dir, tag);
  FILE *mf = fopen(manifest, "w");
  int compared = 0, mismatched_values = 0, worst = 0, fworst = 0, fworst_out = 0, missing = 0, internal = 0;
  long bytes_total = 0;
  const char *first_bad = NULL;
  size_t out_cap = 0;
  int8_t *qo8 = NULL, *qq8 = NULL;
  for (int i = 1; i < nv; i++) {
    int node = lf_graph_find_node(g, names[i]);
    int f = lf_qat_value_node(q, names[i]);
    if (node < 0 && f >= 0 && vals[i]) { /* no graph node to convert up to ("<bn>.mul"): checked through its consumer */
      internal++;
      continue;
    }
    if (node < 0 || f < 0 || !vals[i]) {
      missing++;
      continue;
    }
    void *tfl = NULL;
    size_t len = 0;
    if (lf_convert_graph(g, in, node, &r, &co, &tfl, &len) != LF_OK) {
      LF_CHECK_MSG(0, "%s: convert up to %s: %s", tag, names[i], lf_last_error());
      continue;
    }
    lfrt_model *m = NULL;
    lfrt_error e;
    if (lfrt_model_load(tfl, len, names[i], &m, &e) != LFRT_OK) {
      LF_CHECK_MSG(0, "%s: load %s: %s", tag, names[i], e.msg);
      free(tfl);
      continue;
    }
    const lfrt_tensor *ti = &m->tensors[m->inputs[0]], *to = &m->tensors[m->outputs[0]];
    lf_qparams iq = {ti->quant.scale[0], ti->quant.zero_point[0]}, oq = {to->quant.scale[0], to->quant.zero_point[0]};
    size_t on = (size_t)to->count;
    lfrt_model_free(m);
    if (on * NS != vn[i]) {
      LF_CHECK_MSG(0, "%s: %s has %zu values in the model, %zu in QAT", tag, names[i], on, vn[i] / NS);
      free(tfl);
      continue;
    }
    if (on * NS > out_cap) {
      out_cap = on * NS;
      qo8 = realloc(qo8, out_cap);
      qq8 = realloc(qq8, out_cap);
    }
    float inv = 1.0f / iq.scale;
    for (size_t k = 0; k < x.numel; k++) {
      long v = (long)nearbyintf(x.data[k] * inv) + iq.zero_point;
      qin[k] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    }
    int rok = 1;
    for (int sm = 0; sm < NS && rok; sm++) rok = lf_qh_run_runtime(tfl, len, qin + sm * in_n, in_n, qo8 + sm * on, on);
    if (!rok) {
      LF_CHECK_MSG(0, "%s: runtime failed on %s", tag, names[i]);
      free(tfl);
      continue;
    }
    /* QAT exact value -> int8 and back: it must be exactly on the grid */
    int bad = 0, w = 0;
    for (size_t k = 0; k < on * NS; k++) {
      float qf = nearbyintf(vals[i][k] / oq.scale) + (float)oq.zero_point;
      qq8[k] = (int8_t)(qf < -128 ? -128 : qf > 127 ? 127 : qf);
      if (((float)qq8[k] - (float)oq.zero_point) * oq.scale != vals[i][k]) bad++;
      int d = abs((int)qq8[k] - (int)qo8[k]);
      if (d > w) w = d;
      if (d) bad++;
    }
    if (w > worst) worst = w;
    if (bad) {
      mismatched_values++;
      if (!first_bad) first_bad = names[i];
    }
    compared++;
    bytes_total += (long)(on * NS);
    char mp[700], ip[700], op[700], rp[700];
    snprintf(mp, sizeof mp, "%s/%s.%d.tflite", dir, tag, i);
    snprintf(rp, sizeof rp, "%s/%s.%d.lf", dir, tag, i);
    if (mf && lf_qh_write_file(mp, tfl, len) && lf_qh_write_file(rp, qo8, on * NS))
      for (int sm = 0; sm < NS; sm++) {
        snprintf(ip, sizeof ip, "%s/%s.%d.in%d", dir, tag, i, sm);
        snprintf(op, sizeof op, "%s/%s.%d.lrt%d", dir, tag, i, sm);
        if (lf_qh_write_file(ip, qin + sm * in_n, in_n)) fprintf(mf, "%s\t%s\t%s\n", mp, ip, op);
      }
    free(tfl);
  }
  if (mf) fclose(mf);
  /* float fake-quant eval vs exact (= runtime): per value and at the output */
  lf_qat_set_exact(q, 0);
  lf_graph_forward(qg, 0);
  for (int i = 1; i < nv; i++) {
    int f = lf_qat_value_node(q, names[i]);
    if (f < 0 || !vals[i]) continue;
    const lf_tensor *v = lf_graph_output(qg, f);
    int w = value_steps(&r, names[i], v->data, vals[i], vn[i], NULL);
    if (w > fworst) fworst = w;
    if (i == nv - 1 || !strcmp(names[i], lf_graph_node(g, logits)->name)) fworst_out = w > fworst_out ? w : fworst_out;
  }
  lf_qat_set_exact(q, 1);
  /* per op: the float fake quant of ONE value from the exact int8 values of
   * its inputs is within one step of the exact value (the old claim, per layer) */
  int op_worst = 0, op_off = 0;
  const char *op_worst_name = "";
  for (int i = 1; i < nv; i++) {
    int f = lf_qat_value_node(q, names[i]);
    if (f < 0 || !vals[i]) continue;
    lf_qat_set_float_value(q, f);
    LF_CHECK(lf_graph_forward(qg, 0) == LF_OK);
    const lf_tensor *v = lf_graph_output(qg, f);
    int w = value_steps(&r, names[i], v->data, vals[i], vn[i], &op_off);
    if (w > op_worst) {
      op_worst = w;
      op_worst_name = names[i];
    }
  }
  lf_qat_set_float_value(q, -1);
  printf("  %s float fake quant per op (exact inputs): max %d step(s) (%s), %d of %ld values off\n", tag, op_worst,
         op_worst_name, op_off, bytes_total);
  LF_CHECK_MSG(op_worst <= 1, "%s: float fake quant of %s is %d steps from the int8 op", tag, op_worst_name, op_worst);
  printf("  %s exact eval: %d values (%ld int8 outputs; %d inside a lowering, %d without a value node), max |QAT - runtime| "
         "= %d step(s), %d values differ%s%s\n",
         tag, compared, bytes_total, internal, missing, worst, mismatched_values, first_bad ? ", first: " : "",
         first_bad ? first_bad : "");
  printf("  %s float fake-quant eval for comparison: max %d step(s) over all values, %d at the logits/output\n", tag,
         fworst, fworst_out);
  printf("  %s eval forward: exact %.2f ms/img (reference conv kernel %.2f), float fake quant %.2f\n", tag,
         exact_ms / NS, ref_ms / NS, float_ms / NS);
  LF_CHECK_MSG(compared == nv - 1 - missing - internal && compared > 0, "%s: compared %d of %d values", tag, compared, nv - 1);
  LF_CHECK_MSG(missing == 0, "%s: %d values have no QAT node", tag, missing);
  LF_CHECK_MSG(mismatched_values == 0, "%s: QAT exact eval differs from the int8 runtime on %d values (first %s, max %d steps)",
               tag, mismatched_values, first_bad ? first_bad : "", worst);

  /* LiteRT on every sub-model, one node process */
  const char *oracle = getenv("LF_TFLITE_ORACLE");
  if (!oracle || !*oracle) litert_missing = 1;
  else {
    char cmd[2048], odir[600];
    snprintf(odir, sizeof odir, "%s", oracle);
    char *slash = strrchr(odir, '/');
    if (slash) *slash = 0;
    else snprintf(odir, sizeof odir, ".");
    snprintf(cmd, sizeof cmd, "node '%s/run_litert_batch.mjs' '%s' > /dev/null", odir, manifest);
    int rc = system(cmd);
    if (rc != 0 && WIFEXITED(rc) && (WEXITSTATUS(rc) == 127 || WEXITSTATUS(rc) == 126)) litert_missing = 1;
    else {
      LF_CHECK_MSG(rc == 0, "%s: LiteRT batch failed (rc %d)", tag, rc);
      int lit_bad = 0, lit_n = 0;
      const char *lfirst = NULL;
      for (int i = 1; i < nv; i++) {
        char rp[700], op[700];
        snprintf(rp, sizeof rp, "%s/%s.%d.lf", dir, tag, i);
        if (!vals[i] || vn[i] == 0) continue;
        size_t on = vn[i] / NS;
        int8_t *a = malloc(vn[i]), *b = malloc(on);
        if (!lf_qh_read_file(rp, a, vn[i])) {
          free(a);
          free(b);
          continue;
        }
        lit_n++;
        int differ = 0;
        for (int sm = 0; sm < NS; sm++) {
          snprintf(op, sizeof op, "%s/%s.%d.lrt%d", dir, tag, i, sm);
          differ |= !lf_qh_read_file(op, b, on) || memcmp(a + sm * on, b, on);
        }
        if (differ) {
          lit_bad++;
          if (!lfirst) lfirst = names[i];
        }
        free(a);
        free(b);
      }
      litert_ran = 1;
      printf("  %s LiteRT: %d sub-models x %d samples, %d differ from leapfrog's runtime%s%s\n", tag, lit_n, (int)NS, lit_bad,
             lfirst ? ", first: " : "", lfirst ? lfirst : "");
      LF_CHECK_MSG(lit_n == compared && lit_bad == 0, "%s: LiteRT differs on %d of %d values (first %s)", tag, lit_bad, lit_n,
                   lfirst ? lfirst : "");
    }
  }
  for (int i = 0; i < nv; i++) free(vals[i]);
  free(vals);
  free(vn);
  free(qo8);
  free(qq8);
  free(qin);
  free(names);
  lf_tensor_free(&x);
  lf_tensor_free(&y);
  lf_qranges_free(&r);
  lf_qat_free(q);
}

static void run_model(const char *tag, lf_model_config cfg, int fp_steps, int qat_steps, int bn_lowering) {
  lf_model m;
  LF_CHECK_MSG(lf_model_build(&m, &cfg, 11) == LF_OK, "%s: build: %s", tag, lf_last_error());
  task t = {cfg.in_h, cfg.in_w, cfg.in_c, cfg.classes, cfg.arch == LF_ARCH_UNET, NULL};
  if (!t.seg) {
    size_t per = (size_t)t.h * t.w * t.c;
    t.pat = malloc(sizeof(float) * per * (size_t)t.classes);
    for (size_t i = 0; i < per * (size_t)t.classes; i++) t.pat[i] = 0.6f * nrand();
  }
  check_trained(tag, m.g, m.input, m.logits, m.probs, &t, fp_steps, qat_steps, bn_lowering);
  free(t.pat);
  lf_model_free(&m);
}

LF_TEST(test_densenet_reduced) {
  lf_model_config cfg = lf_model_defaults(LF_ARCH_DENSENET);
  cfg.in_h = cfg.in_w = 32;
  cfg.classes = 5;
  cfg.growth = 8;
  cfg.init_features = 16;
  cfg.bn_size = 2;
  cfg.n_blocks = 4;
  cfg.blocks[0] = 2, cfg.blocks[1] = 3, cfg.blocks[2] = 4, cfg.blocks[3] = 3;
  run_model("densenet_reduced", cfg, 40, 20, LF_BN_LOWER_DEPTHWISE);
  rs ^= 0x55;
  run_model("densenet_reduced_muladd", cfg, 40, 20, LF_BN_LOWER_MULADD);
}

static lf_model_config unet_cfg(int transposed) {
  lf_model_config cfg = lf_model_defaults(LF_ARCH_UNET);
  cfg.in_h = 32;
  cfg.in_w = 48;
  cfg.width = 4;
  cfg.depth = 4;
  cfg.transposed = transposed;
  cfg.dropout = 0.0f;
  return cfg;
}
LF_TEST(test_unet) { run_model("unet", unet_cfg(0), 40, 20, 0); }
LF_TEST(test_unet_transposed) { run_model("unet_transposed", unet_cfg(1), 40, 20, 0); }

/* Bilinear upsampling (align_corners 0 and 1), padded max/avg pools. */
LF_TEST(test_bilinear_pools) {
  lf_graph *g = NULL;
  LF_CHECK(lf_graph_create(&g, 5) == LF_OK);
  int in = lf_nn_input(g, "input", 12, 16, 1);
  int x = lf_nn_conv2d(g, in, "c1", lf_conv_params(6, 3, 1, 1, 0));
  x = lf_nn_batchnorm(g, x, "bn1", 1e-5f, 0.1f);
  int s1 = lf_nn_relu(g, x, "relu1");
  x = lf_nn_maxpool(g, s1, "mpool", lf_pool_square(3, 2, 1));
  x = lf_nn_conv2d(g, x, "c2", lf_conv_params(8, 3, 1, 1, 1));
  x = lf_nn_relu(g, x, "relu2");
  int a = lf_nn_avgpool(g, x, "apool", lf_pool_square(3, 1, 1));
  lf_upsample_params up = {LF_UPSAMPLE_BILINEAR, 12, 16, 0};
  int u0 = lf_nn_upsample(g, a, "up_half", up);
  up.align_corners = 1;
  int u1 = lf_nn_upsample(g, x, "up_align", up);
  int cat[3] = {s1, u0, u1};
  x = lf_nn_concat(g, cat, 3, "cat");
  x = lf_nn_conv2d(g, x, "head", lf_conv_params(1, 1, 1, 0, 1));
  int probs = lf_nn_sigmoid(g, x, "sigmoid");
  LF_CHECK_MSG(lf_graph_status(g) == LF_OK, "build: %s", lf_graph_error(g));
  task t = {12, 16, 1, 1, 1, NULL};
  check_trained("bilinear_pools", g, in, x, probs, &t, 40, 20, 0);
  lf_graph_free(g);
}

/* Depthwise conv (multiplier 2), residual ADD with fused ReLU, a standalone
 * RELU, ADD without ReLU, and a MUL gate of two activations. */
LF_TEST(test_add_mul) {
  lf_graph *g = NULL;
  LF_CHECK(lf_graph_create(&g, 9) == LF_OK);
  int in = lf_nn_input(g, "input", 12, 16, 1);
  int x = lf_nn_conv2d(g, in, "c1", lf_conv_params(6, 3, 1, 1, 0));
  x = lf_nn_batchnorm(g, x, "bn1", 1e-5f, 0.1f);
  int s1 = lf_nn_relu(g, x, "relu1");
  lf_conv2d_params dp = lf_conv_params(12, 3, 1, 1, 0); /* depthwise, multiplier 2 */
  dp.groups = 6;
  x = lf_nn_conv2d(g, s1, "dw", dp);
  x = lf_nn_batchnorm(g, x, "bn_dw", 1e-5f, 0.1f);
  x = lf_nn_relu(g, x, "relu_dw");
  x = lf_nn_conv2d(g, x, "c2", lf_conv_params(6, 1, 1, 0, 0));
  x = lf_nn_batchnorm(g, x, "bn2", 1e-5f, 0.1f);
  x = lf_nn_add(g, x, s1, "res");
  int r = lf_nn_relu(g, x, "res_relu");
  /* a standalone RELU (after a max pool of signed values), then ADD without ReLU */
  int side = lf_nn_conv2d(g, r, "side", lf_conv_params(6, 3, 1, 1, 1));
  side = lf_nn_maxpool(g, side, "side_pool", lf_pool_square(2, 2, 0));
  side = lf_nn_relu(g, side, "side_relu");
  lf_upsample_params up = {LF_UPSAMPLE_NEAREST, 12, 16, 0};
  side = lf_nn_upsample(g, side, "side_up", up);
  r = lf_nn_add(g, r, side, "res2");
  int gate = lf_nn_conv2d(g, r, "gate", lf_conv_params(6, 1, 1, 0, 1));
  gate = lf_nn_sigmoid(g, gate, "gate_sigmoid");
  x = lf_nn_mul(g, r, gate, "gated");
  x = lf_nn_conv2d(g, x, "head", lf_conv_params(1, 3, 1, 1, 1));
  int probs = lf_nn_sigmoid(g, x, "sigmoid");
  LF_CHECK_MSG(lf_graph_status(g) == LF_OK, "build: %s", lf_graph_error(g));
  task t = {12, 16, 1, 1, 1, NULL};
  check_trained("add_mul", g, in, x, probs, &t, 40, 20, 0);
  lf_graph_free(g);
}

/* LF_QAT_EXACT_BENCH=1 (=only: just this): eval cost per image of the three eval modes on the
 * demo's UNet (80x112, width 8) and full DenseNet-121 (224x224), batch 4,
 * observers calibrated on 2 random batches (timing only: untrained). */
static void bench_one(const char *tag, lf_model_config cfg, int reps) {
  lf_model m;
  if (lf_model_build(&m, &cfg, 3) != LF_OK) return;
  lf_qat *q = NULL;
  lf_qat_opts qo = {0.1f, 0, 0, 3};
  if (lf_qat_create(m.g, m.input, m.probs, &qo, &q) != LF_OK) return;
  lf_graph *qg = lf_qat_graph(q);
  lf_tensor x = {0};
  lf_tensor_alloc4(&x, 4, cfg.in_h, cfg.in_w, cfg.in_c);
  for (int b = 0; b < 2; b++) {
    for (size_t i = 0; i < x.numel; i++) x.data[i] = nrand();
    lf_graph_set_input(qg, lf_qat_input(q), &x);
    lf_graph_forward(qg, 1);
  }
  lf_qat_freeze(q, 1, 1);
  const char *mode[3] = {"float fake quant", "exact (SGEMM)", "exact (reference conv)"};
  for (int md = 0; md < 3; md++) {
    lf_qat_set_exact(q, md);
    lf_graph_forward(qg, 0); /* warm-up */
    double t0 = now();
    for (int r = 0; r < reps; r++) lf_graph_forward(qg, 0);
    printf("  bench %s %s: %.1f ms/img\n", tag, mode[md], (now() - t0) * 1e3 / (reps * 4.0));
  }
  lf_tensor_free(&x);
  lf_qat_free(q);
  lf_model_free(&m);
}
LF_TEST(bench_eval) {
  lf_model_config u = unet_cfg(0);
  u.in_h = 80, u.in_w = 112, u.width = 8;
  bench_one("unet 80x112 w8", u, 5);
  bench_one("densenet121 224", lf_model_defaults(LF_ARCH_DENSENET), 1);
}

/* Per op on input x: the float fake quant of one value from the exact int8
 * values of its inputs, against the exact value. */
static void per_op_check(lf_qat *q, lf_graph *qg, const lf_qranges *r, const char **names, int nv, const lf_tensor *x,
                         int *worst, long *off, long *n) {
  lf_graph_set_input(qg, lf_qat_input(q), x);
  lf_qat_set_exact(q, 1);
  lf_qat_set_float_value(q, -1);
  lf_graph_forward(qg, 0);
  float **ex = calloc((size_t)nv, sizeof(float *));
  for (int i = 1; i < nv && ex; i++) {
    int f = lf_qat_value_node(q, names[i]);
    if (f < 0) continue;
    const lf_tensor *v = lf_graph_output(qg, f);
    ex[i] = malloc(v->numel * sizeof(float));
    if (ex[i]) memcpy(ex[i], v->data, v->numel * sizeof(float));
  }
  for (int i = 1; i < nv && ex; i++) {
    int f = lf_qat_value_node(q, names[i]);
    if (f < 0 || !ex[i]) continue;
    lf_qat_set_float_value(q, f);
    lf_graph_forward(qg, 0);
    const lf_tensor *v = lf_graph_output(qg, f);
    const lf_qrange *rr = lf_qranges_find(r, names[i]);
    lf_qparams vq = {1.0f / 256.0f, -128};
    if (rr) lf_qparams_asym(rr->min, rr->max, LF_QMIN_ACT, LF_QMAX_ACT, &vq, NULL, NULL);
    for (size_t k = 0; k < v->numel; k++) {
      int st = (int)lroundf(fabsf(v->data[k] - ex[i][k]) / vq.scale);
      if (st > *worst) *worst = st;
      *off += st != 0;
    }
    *n += (long)v->numel;
  }
  lf_qat_set_float_value(q, -1);
  for (int i = 0; i < nv && ex; i++) free(ex[i]);
  free(ex);
}

/* LF_QAT_EXACT_CKPT=ckpt LF_QAT_EXACT_IMAGES=dir [LF_QAT_EXACT_NORM="mean std"]:
 * a trained QAT checkpoint (e.g. the demo's nerve UNet, nerve-qat/best.safetensors)
 * evaluated on every image in dir (not *_mask.*; grey, resized bilinearly to the
 * model input, (pixel/255 - mean)/std): the QAT eval, exact and float, against
 * the int8 model converted from the checkpoint in leapfrog's runtime, on the
 * logits and the sigmoid output (mask pixels at 0.5). */
static void one_ckpt(const char *ckpt, const char *idir) {
  lf_model m;
  memset(&m, 0, sizeof m);
  LF_CHECK_MSG(lf_ckpt_load(ckpt, NULL, &m, NULL) == LF_OK, "%s", lf_last_error());
  if (!m.g) return;
  lf_qat *q = NULL;
  int nobs = 0;
  LF_CHECK_MSG(lf_qat_create(m.g, m.input, m.probs, NULL, &q) == LF_OK && lf_qat_load_observers(q, ckpt, &nobs) == LF_OK,
               "%s", lf_last_error());
  if (!q) return;
  lf_qat_freeze(q, 1, 1);
  lf_graph *qg = lf_qat_graph(q);
  lf_qranges r;
  lf_qranges_init(&r);
  LF_CHECK_MSG(lf_qat_ranges(q, &r) == LF_OK, "%s", lf_last_error());
  lf_convert_opts co = {0};
  co.int8 = 1;
  int heads[2] = {m.logits, m.probs};
  void *tfl[2] = {NULL, NULL};
  size_t len[2] = {0, 0};
  lf_qparams iq[2], oq[2];
  size_t on = 0;
  for (int k = 0; k < 2; k++) {
    LF_CHECK_MSG(lf_convert_graph(m.g, m.input, heads[k], &r, &co, &tfl[k], &len[k]) == LF_OK, "%s", lf_last_error());
    lfrt_model *mm = NULL;
    lfrt_error e;
    if (!tfl[k] || lfrt_model_load(tfl[k], len[k], "ckpt", &mm, &e) != LFRT_OK) return;
    const lfrt_tensor *ti = &mm->tensors[mm->inputs[0]], *to = &mm->tensors[mm->outputs[0]];
    iq[k] = (lf_qparams){ti->quant.scale[0], ti->quant.zero_point[0]};
    oq[k] = (lf_qparams){to->quant.scale[0], to->quant.zero_point[0]};
    on = (size_t)to->count;
    lfrt_model_free(mm);
  }
  float mean = 0.0f, sd = 1.0f;
  const char *nz = getenv("LF_QAT_EXACT_NORM");
  if (nz) sscanf(nz, "%f %f", &mean, &sd);
  int H = m.cfg.in_h, W = m.cfg.in_w;
  size_t in_n = (size_t)H * W;
  lf_tensor x = {0};
  lf_tensor_alloc4(&x, 1, H, W, 1);
  int8_t *qin = malloc(in_n), *qo = malloc(on);
  float *full = NULL, *ye = malloc(on * sizeof(float)), *yf = malloc(on * sizeof(float));
  long images = 0, px = 0, mask_exact = 0, mask_float = 0, val_exact[2] = {0, 0}, val_float[2] = {0, 0};
  int worst_float[2] = {0, 0};
  const char **names = NULL;
  int nv = 0, op_worst = 0;
  long op_off = 0, op_n = 0;
  LF_CHECK(lf_convert_value_names(m.g, m.input, m.probs, &names, &nv) == LF_OK);
  DIR *d = opendir(idir);
  struct dirent *de;
  char path[1024];
  while (d && (de = readdir(d))) {
    if (de->d_name[0] == '.' || strstr(de->d_name, "_mask")) continue;
    snprintf(path, sizeof path, "%s/%s", idir, de->d_name);
    lf_image img;
    memset(&img, 0, sizeof img);
    if (lf_image_read(path, &img, NULL) != LF_OK) continue;
    full = realloc(full, sizeof(float) * (size_t)img.width * img.height);
    for (int i = 0; i < img.width * img.height; i++) full[i] = img.data[(size_t)i * img.channels];
    lf_predict_resize_bilinear(full, img.width, img.height, x.data, W, H);
    lf_image_free(&img);
    for (size_t i = 0; i < in_n; i++) x.data[i] = (x.data[i] / 255.0f - mean) / sd;
    images++;
    if (names) per_op_check(q, qg, &r, names, nv, &x, &op_worst, &op_off, &op_n);
    for (int k = 0; k < 2; k++) {
      int node = k ? lf_qat_output(q) : lf_qat_value_node(q, lf_graph_node(m.g, m.logits)->name);
      lf_graph_set_input(qg, lf_qat_input(q), &x);
      lf_qat_set_exact(q, 1);
      lf_graph_forward(qg, 0);
      memcpy(ye, lf_graph_output(qg, node)->data, on * sizeof(float));
      lf_qat_set_exact(q, 0);
      lf_graph_forward(qg, 0);
      memcpy(yf, lf_graph_output(qg, node)->data, on * sizeof(float));
      lf_qat_set_exact(q, 1);
      float inv = 1.0f / iq[k].scale;
      for (size_t i = 0; i < in_n; i++) {
        long v = (long)nearbyintf(x.data[i] * inv) + iq[k].zero_point;
        qin[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
      }
      if (!lf_qh_run_runtime(tfl[k], len[k], qin, in_n, qo, on)) break;
      for (size_t i = 0; i < on; i++) {
        float deq = ((float)qo[i] - (float)oq[k].zero_point) * oq[k].scale;
        val_exact[k] += deq != ye[i];
        int st = (int)lroundf(fabsf(deq - yf[i]) / oq[k].scale);
        val_float[k] += st != 0;
        if (st > worst_float[k]) worst_float[k] = st;
        if (k == 1) {
          int mq = qo[i] > 0; /* (q + 128) / 256 > 0.5 */
          mask_exact += mq != (ye[i] > 0.5f);
          mask_float += mq != (yf[i] > 0.5f);
          px++;
        }
      }
    }
  }
  if (d) closedir(d);
  free(names);
  printf("  checkpoint %s (%d observers), %ld images of %s:\n", ckpt, nobs, images, idir);
  printf("    per op (float fake quant of one value from exact int8 inputs): max %d step(s), %ld of %ld values off\n",
         op_worst, op_off, op_n);
  printf("    logits: exact eval differs from the int8 model on %ld values; float fake-quant eval on %ld (max %d steps)\n",
         val_exact[0], val_float[0], worst_float[0]);
  printf("    sigmoid: exact %ld, float %ld values (max %d steps); mask pixels of %ld differing: exact %ld, float %ld\n",
         val_exact[1], val_float[1], worst_float[1], px, mask_exact, mask_float);
  LF_CHECK(images > 0 && val_exact[0] == 0 && val_exact[1] == 0 && mask_exact == 0 && op_worst <= 1);
  free(full);
  free(ye);
  free(yf);
  free(qin);
  free(qo);
  free(tfl[0]);
  free(tfl[1]);
  lf_tensor_free(&x);
  lf_qranges_free(&r);
  lf_qat_free(q);
  lf_model_free(&m);
}
LF_TEST(test_checkpoint) { one_ckpt(getenv("LF_QAT_EXACT_CKPT"), getenv("LF_QAT_EXACT_IMAGES")); }

int main(void) {
  if (!lf_qh_mkdtemp(dir, sizeof dir, "test_qat_exact")) return 1;
  lf_set_threads(2);
  if (getenv("LF_QAT_EXACT_CKPT") && getenv("LF_QAT_EXACT_IMAGES")) {
    LF_RUN(test_checkpoint);
    return lf_test_summary();
  }
  if (getenv("LF_QAT_EXACT_BENCH") && !strcmp(getenv("LF_QAT_EXACT_BENCH"), "only")) {
    LF_RUN(bench_eval);
    return lf_test_summary();
  }
  LF_RUN(test_bilinear_pools);
  LF_RUN(test_add_mul);
  LF_RUN(test_unet);
  LF_RUN(test_unet_transposed);
  LF_RUN(test_densenet_reduced);
  if (getenv("LF_QAT_EXACT_BENCH")) LF_RUN(bench_eval);
  int rc = lf_test_summary();
  return lf_qh_finish(dir, rc, litert_missing, litert_ran);
}
