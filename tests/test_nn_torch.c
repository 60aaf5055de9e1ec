/* The training engine against PyTorch: tests/oracles/torch_ops.py (run with
 * $LF_PYTHON) writes inputs, parameters, outputs and gradients of torch's
 * ops, losses, optimisers, clip_grad_norm_ and ReduceLROnPlateau; this test
 * rebuilds each case in leapfrog and compares. Skips (77) without torch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_optim.h"
#include "lf_test.h"

#define MAXC 128
#define MAXT 1024
typedef struct {
  char name[64], op[32];
  char key[16][24], val[16][24];
  int nkv;
} ocase;
typedef struct {
  char cname[64], tname[48];
  int ndim, shape[4];
} otensor;

static ocase cases[MAXC];
static int ncases;
static otensor tens[MAXT];
static int ntens;
static char dir[512];

static double kv(const ocase *c, const char *k, double def) {
  for (int i = 0; i < c->nkv; i++)
    if (!strcmp(c->key[i], k)) return atof(c->val[i]);
  return def;
}

static int load(const char *cname, const char *tname, lf_tensor *t) {
  for (int i = 0; i < ntens; i++) {
    if (strcmp(tens[i].cname, cname) || strcmp(tens[i].tname, tname)) continue;
    if (lf_tensor_alloc(t, tens[i].ndim, tens[i].shape)) return 0;
    char path[700];
    snprintf(path, sizeof path, "%s/%s.%s.bin", dir, cname, tname);
    FILE *f = fopen(path, "rb");
    size_t got = f ? fread(t->data, 4, t->numel, f) : 0;
    if (f) fclose(f);
    return got == t->numel;
  }
  return 0;
}

/* max|a-b| / max|b| */
static double rel(const float *a, const float *b, size_t n) {
  double m = 0, s = 1e-12;
  for (size_t i = 0; i < n; i++) {
    double d = fabs((double)a[i] - b[i]);
    if (d > m || d != d) m = d != d ? INFINITY : d;
    if (fabs(b[i]) > s) s = fabs(b[i]);
  }
  return m / s;
}

static void expect(const char *cname, const char *what, const float *got, size_t n, double tol) {
  lf_tensor want = {0};
  if (!load(cname, what, &want)) {
    LF_CHECK_MSG(0, "%s: oracle tensor %s missing", cname, what);
    return;
  }
  LF_CHECK_MSG(want.numel == n, "%s.%s: %zu values, oracle %zu", cname, what, n, want.numel);
  if (want.numel == n) {
    double e = rel(got, want.data, n);
    LF_CHECK_MSG(e <= tol, "%s.%s: relative error %.3g > %.1g", cname, what, e, tol);
    printf("  %-22s %-18s rel err %.2e\n", cname, what, e);
  }
  lf_tensor_free(&want);
}

static int build_op(lf_graph *g, int x, const ocase *c) {
  const char *op = c->op;
  if (!strcmp(op, "conv2d")) {
    lf_conv2d_params p = {0};
    p.out_channels = (int)kv(c, "out", 0);
    p.kh = (int)kv(c, "kh", 1), p.kw = (int)kv(c, "kw", 1);
    p.stride_h = p.stride_w = (int)kv(c, "s", 1);
    p.pad_top = (int)kv(c, "pt", 0), p.pad_left = (int)kv(c, "pl", 0);
    p.pad_bottom = (int)kv(c, "pb", 0), p.pad_right = (int)kv(c, "pr", 0);
    p.dil_h = p.dil_w = (int)kv(c, "d", 1);
    p.groups = (int)kv(c, "g", 1);
    p.bias = (int)kv(c, "bias", 0);
    return lf_nn_conv2d(g, x, "op", p);
  }
  if (!strcmp(op, "conv_transpose2d")) {
    lf_conv_transpose2d_params p = {0};
    p.out_channels = (int)kv(c, "out", 0);
    p.kh = p.kw = (int)kv(c, "k", 1);
    p.stride_h = p.stride_w = (int)kv(c, "s", 1);
    p.pad_top = p.pad_left = p.pad_bottom = p.pad_right = (int)kv(c, "p", 0);
    p.out_pad_h = p.out_pad_w = (int)kv(c, "opad", 0);
    p.dil_h = p.dil_w = 1;
    p.groups = (int)kv(c, "g", 1);
    p.bias = (int)kv(c, "bias", 0);
    return lf_nn_conv_transpose2d(g, x, "op", p);
  }
  if (!strcmp(op, "dense")) return lf_nn_dense(g, x, "op", (int)kv(c, "out", 1), (int)kv(c, "bias", 1));
  if (!strcmp(op, "batchnorm")) {
    int b = lf_nn_batchnorm(g, x, "op", 1e-5f, 0.1f);
    return kv(c, "relu", 0) ? lf_nn_relu(g, b, "relu") : b;
  }
  if (!strcmp(op, "relu")) return lf_nn_relu(g, x, "op");
  if (!strcmp(op, "leaky_relu")) return lf_nn_leaky_relu(g, x, "op", (float)kv(c, "slope", 0.01));
  if (!strcmp(op, "sigmoid")) return lf_nn_sigmoid(g, x, "op");
  if (!strcmp(op, "maxpool") || !strcmp(op, "avgpool")) {
    lf_pool_params p = lf_pool_square((int)kv(c, "k", 2), (int)kv(c, "s", 2), (int)kv(c, "p", 0));
    p.count_include_pad = (int)kv(c, "cip", 1);
    return op[0] == 'm' ? lf_nn_maxpool(g, x, "op", p) : lf_nn_avgpool(g, x, "op", p);
  }
  if (!strcmp(op, "global_avgpool")) return lf_nn_global_avgpool(g, x, "op");
  if (!strcmp(op, "upsample")) {
    lf_upsample_params p = {(lf_upsample_mode)kv(c, "mode", 0), (int)kv(c, "oh", 1), (int)kv(c, "ow", 1),
                            (int)kv(c, "ac", 0)};
    return lf_nn_upsample(g, x, "op", p);
  }
  return -2;
}

static void run_op_case(const ocase *c) {
  lf_tensor x = {0}, dy = {0};
  if (!load(c->name, "x", &x) || !load(c->name, "dy", &dy)) {
    LF_CHECK_MSG(0, "%s: missing x/dy", c->name);
    return;
  }
  lf_graph *g = NULL;
  lf_graph_create(&g, 1);
  int in = lf_nn_input(g, "x", x.shape[1], x.shape[2], x.shape[3]);
  int y = build_op(g, in, c);
  LF_CHECK_MSG(y >= 0, "%s: build: %s", c->name, lf_graph_error(g));
  if (y < 0) goto done;
  lf_graph_set_input_requires_grad(g, in, 1);
  int np = lf_graph_param_count(g);
  for (int k = 0; k < np; k++) {
    lf_param *p = lf_graph_param(g, k);
    const char *suffix = strrchr(p->name, '.') + 1;
    lf_tensor v = {0};
    if (!strcmp(suffix, "num_batches_tracked")) continue;
    LF_CHECK_MSG(load(c->name, suffix, &v) && v.numel == p->value.numel, "%s: parameter %s", c->name, suffix);
    if (v.numel == p->value.numel) memcpy(p->value.data, v.data, v.numel * 4);
    lf_tensor_free(&v);
  }
  lf_graph_set_input(g, in, &x);
  int train = (int)kv(c, "train", 1);
  LF_CHECK_MSG(lf_graph_forward(g, train) == LF_OK, "%s: forward: %s", c->name, lf_last_error());
  expect(c->name, "y", lf_graph_output(g, y)->data, lf_graph_output(g, y)->numel, 2e-6);
  lf_graph_zero_grad(g);
  LF_CHECK_MSG(lf_graph_backward(g, y, &dy) == LF_OK, "%s: backward: %s", c->name, lf_last_error());
  expect(c->name, "dx", lf_graph_input_grad(g, in)->data, x.numel, 5e-6);
  for (int k = 0; k < np; k++) {
    lf_param *p = lf_graph_param(g, k);
    char want[64];
    const char *suffix = strrchr(p->name, '.') + 1;
    if (p->trainable) {
      snprintf(want, sizeof want, "d%s", suffix);
      expect(c->name, want, p->grad.data, p->grad.numel, 5e-6);
    } else if (!strncmp(suffix, "running_", 8)) {
      snprintf(want, sizeof want, "new_%s", suffix);
      expect(c->name, want, p->value.data, p->value.numel, 2e-6);
    } else {
      LF_CHECK_MSG(p->value.data[0] == (train ? 1.0f : 0.0f), "%s: num_batches_tracked %g", c->name,
                   p->value.data[0]);
    }
  }
done:
  lf_graph_free(g);
  lf_tensor_free(&x);
  lf_tensor_free(&dy);
}

static void run_loss_case(const ocase *c) {
  lf_tensor x = {0}, t = {0}, pw = {0}, gr = {0};
  LF_CHECK(load(c->name, "x", &x) && load(c->name, "t", &t));
  float loss = 0;
  lf_status s;
  int per = (int)kv(c, "per_image", 0);
  if (!strcmp(c->op, "bce")) {
    int usepw = (int)kv(c, "pw", 0);
    if (usepw) load(c->name, "pw", &pw);
    s = lf_bce_with_logits(&x, &t, usepw ? pw.data : NULL, &loss, &gr);
  } else if (!strcmp(c->op, "dice")) {
    s = lf_dice_loss(&x, &t, 1.0f, per, &loss, &gr);
  } else {
    s = lf_bce_dice_with_logits(&x, &t, (float)kv(c, "wb", 1), (float)kv(c, "wd", 1), 1.0f, per, &loss, &gr);
  }
  LF_CHECK_MSG(s == LF_OK, "%s: %s", c->name, lf_last_error());
  expect(c->name, "loss", &loss, 1, 2e-6);
  expect(c->name, "dx", gr.data, gr.numel, 5e-6);
  lf_tensor_free(&x);
  lf_tensor_free(&t);
  lf_tensor_free(&pw);
  lf_tensor_free(&gr);
}

static void run_optim_case(const ocase *c) {
  lf_graph *g = NULL;
  lf_graph_create(&g, 1);
  int x = lf_nn_input(g, "x", 1, 1, 7);
  lf_nn_dense(g, x, "p", 5, 0);
  lf_optim_config cfg = lf_optim_defaults((lf_optim_kind)kv(c, "kind", 0), (float)kv(c, "lr", 0.1));
  cfg.momentum = (float)kv(c, "mom", 0);
  cfg.dampening = (float)kv(c, "damp", 0);
  cfg.nesterov = (int)kv(c, "nest", 0);
  cfg.weight_decay = (float)kv(c, "wd", 0);
  cfg.beta1 = (float)kv(c, "b1", 0.9);
  cfg.beta2 = (float)kv(c, "b2", 0.999);
  cfg.eps = (float)kv(c, "eps", 1e-8);
  lf_optim *o = NULL;
  LF_CHECK_MSG(lf_optim_create(&o, &cfg, g) == LF_OK, "%s: %s", c->name, lf_last_error());
  lf_param *p = lf_graph_find_param(g, "p.weight");
  lf_tensor v = {0};
  LF_CHECK(o && p && load(c->name, "p0", &v) && v.numel == 35);
  if (o && p && v.numel == 35) {
    memcpy(p->value.data, v.data, 35 * 4);
    for (int i = 0; i < 4; i++) {
      char gn[16], pn[16];
      snprintf(gn, sizeof gn, "g%d", i);
      snprintf(pn, sizeof pn, "p%d", i + 1);
      load(c->name, gn, &v);
      memcpy(p->grad.data, v.data, 35 * 4);
      lf_optim_step(o);
      expect(c->name, pn, p->value.data, 35, 2e-6);
    }
  }
  lf_tensor_free(&v);
  lf_optim_free(o);
  lf_graph_free(g);
}

static void run_clip_case(const ocase *c) {
  lf_graph *g = NULL;
  lf_graph_create(&g, 1);
  int x = lf_nn_input(g, "x", 1, 1, 7);
  lf_nn_dense(g, x, "p", 5, 1);
  lf_param *w = lf_graph_find_param(g, "p.weight"), *b = lf_graph_find_param(g, "p.bias");
  lf_tensor v = {0};
  load(c->name, "g0", &v);
  memcpy(w->grad.data, v.data, 35 * 4);
  load(c->name, "g1", &v);
  memcpy(b->grad.data, v.data, 5 * 4);
  float norm = 0;
  LF_CHECK(lf_clip_grad_norm(g, (float)kv(c, "max_norm", 1), &norm) == LF_OK);
  expect(c->name, "norm", &norm, 1, 2e-6);
  expect(c->name, "c0", w->grad.data, 35, 2e-6);
  expect(c->name, "c1", b->grad.data, 5, 2e-6);
  lf_tensor_free(&v);
  lf_graph_free(g);
}

static void run_plateau_case(const ocase *c) {
  lf_plateau p;
  lf_plateau_init(&p, (int)kv(c, "mode", 0));
  p.factor = (float)kv(c, "factor", 0.1);
  p.patience = (int)kv(c, "patience", 10);
  p.cooldown = (int)kv(c, "cooldown", 0);
  p.min_lr = (float)kv(c, "min_lr", 0);
  p.threshold = (float)kv(c, "threshold", 1e-4);
  p.threshold_abs = (int)kv(c, "tabs", 0);
  lf_tensor m = {0};
  LF_CHECK(load(c->name, "metrics", &m));
  float lrs[64], lr = 0.1f;
  for (size_t i = 0; i < m.numel && i < 64; i++) lrs[i] = lr = lf_plateau_step(&p, m.data[i], lr);
  expect(c->name, "lrs", lrs, m.numel, 1e-6);
  lf_tensor_free(&m);
}

static int read_manifest(void) {
  char path[700], line[512];
  snprintf(path, sizeof path, "%s/manifest.txt", dir);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  while (fgets(line, sizeof line, f)) {
    char *tok = strtok(line, " \n");
    if (!tok) continue;
    if (!strcmp(tok, "case") && ncases < MAXC) {
      ocase *c = &cases[ncases++];
      memset(c, 0, sizeof *c);
      snprintf(c->name, sizeof c->name, "%s", strtok(NULL, " \n"));
      snprintf(c->op, sizeof c->op, "%s", strtok(NULL, " \n"));
      char *kvs;
      while ((kvs = strtok(NULL, " \n")) && c->nkv < 16) {
        char *eq = strchr(kvs, '=');
        if (!eq) continue;
        *eq = 0;
        snprintf(c->key[c->nkv], 24, "%s", kvs);
        snprintf(c->val[c->nkv], 24, "%s", eq + 1);
        c->nkv++;
      }
    } else if (!strcmp(tok, "tensor") && ntens < MAXT) {
      otensor *t = &tens[ntens++];
      memset(t, 0, sizeof *t);
      snprintf(t->cname, sizeof t->cname, "%s", strtok(NULL, " \n"));
      snprintf(t->tname, sizeof t->tname, "%s", strtok(NULL, " \n"));
      t->ndim = atoi(strtok(NULL, " \n"));
      for (int i = 0; i < t->ndim && i < 4; i++) t->shape[i] = atoi(strtok(NULL, " \n"));
    }
  }
  fclose(f);
  return ncases > 0;
}

LF_TEST(torch_oracle) {
  for (int i = 0; i < ncases; i++) {
    const ocase *c = &cases[i];
    if (!strcmp(c->op, "bce") || !strcmp(c->op, "dice") || !strcmp(c->op, "bce_dice"))
      run_loss_case(c);
    else if (!strcmp(c->op, "optim"))
      run_optim_case(c);
    else if (!strcmp(c->op, "clip"))
      run_clip_case(c);
    else if (!strcmp(c->op, "plateau"))
      run_plateau_case(c);
    else
      run_op_case(c);
  }
}

int main(void) {
  const char *py = getenv("LF_PYTHON") ? getenv("LF_PYTHON") : "/usr/bin/python3";
  const char *tmp = getenv("LF_TMP") ? getenv("LF_TMP") : "/tmp";
  const char *root = getenv("LF_ROOT") ? getenv("LF_ROOT") : ".";
  snprintf(dir, sizeof dir, "%s/torch_ops.%d", tmp, (int)getpid());
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "'%s' '%s/tests/oracles/torch_ops.py' '%s'", py, root, dir);
  int rc = system(cmd);
  if (rc != 0) {
    printf("torch oracle not available (exit %d)\n", rc);
    return 77;
  }
  if (!read_manifest()) {
    printf("oracle wrote no manifest in %s\n", dir);
    return 1;
  }
  lf_set_threads(2);
  LF_RUN(torch_oracle);
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  return lf_test_summary();
}
