/* PyTorch oracle for the models: tests/oracles/torch_densenet.py builds
 * torchvision's densenet121(num_classes=14) (and the UNet of lf_models.h in
 * torch) with seeded random weights and BN statistics, saves the bare
 * state_dict as safetensors (no leapfrog metadata: this also checks that such
 * a file loads given the arch), one input batch, the eval-mode logits, and the
 * gradients of one BCE training step (DenseNet-121: eval at 224x224, the step
 * at 96x96 to keep the test short). Here leapfrog loads the file and must
 * give the same eval logits (rel err <= 1e-4), train-mode logits, loss,
 * parameter gradients and updated running statistics.
 * Exit 77 when $LF_PYTHON has no torch/torchvision. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_loss.h"
#include "lf_test.h"

static const char *py, *tmp;

/* max |a-b| / max |b| over a tensor, a in engine layout, b in torch layout. */
static double rel_err(const lf_tensor *a, const float *b, double *ref_max) {
  double dmax = 0, rmax = 0;
  size_t n = a->numel;
  int perm = a->ndim == 4;
  size_t A = (size_t)a->shape[0], H = (size_t)a->shape[1], W = (size_t)a->shape[2], B = (size_t)a->shape[3];
  for (size_t i = 0; i < n; i++) {
    size_t j = i;
    if (perm) { /* engine index i = ((a*H+h)*W+w)*B+bb -> torch ((a*B+bb)*H+h)*W+w */
      size_t bb = i % B, w = i / B % W, h = i / B / W % H, aa = i / B / W / H;
      j = ((aa * B + bb) * H + h) * W + w;
    }
    (void)A;
    double d = fabs((double)a->data[i] - b[j]);
    if (d > dmax) dmax = d;
    if (fabs(b[j]) > rmax) rmax = fabs(b[j]);
  }
  if (ref_max) *ref_max = rmax;
  return rmax > 0 ? dmax / rmax : dmax;
}

/* ||a-b|| / ||b|| (same layouts as rel_err); accumulates the squared sums. */
static double norm_err(const lf_tensor *a, const float *b, double *num, double *den) {
  double n = 0, d = 0;
  int perm = a->ndim == 4;
  size_t H = (size_t)a->shape[1], W = (size_t)a->shape[2], B = (size_t)a->shape[3];
  for (size_t i = 0; i < a->numel; i++) {
    size_t j = i;
    if (perm) {
      size_t bb = i % B, w = i / B % W, h = i / B / W % H, aa = i / B / W / H;
      j = ((aa * B + bb) * H + h) * W + w;
    }
    double x = (double)a->data[i] - b[j];
    n += x * x;
    d += (double)b[j] * b[j];
  }
  *num += n;
  *den += d;
  return d > 0 ? sqrt(n / d) : sqrt(n);
}

static float *read_f32(lf_st_file *f, const char *name, size_t n) {
  const lf_st_tensor *t = lf_st_find(f, name);
  if (!t || t->numel != n) {
    fprintf(stderr, "io file: %s missing or wrong size\n", name);
    return NULL;
  }
  float *v = malloc(n * sizeof *v);
  if (v) lf_st_to_f32(f, t, v, n);
  return v;
}

/* One oracle case. args: extra arguments for the python script. */
static void run_case(const char *label, const char *args, const lf_model_config *cfg, int batch, double tol_grad,
                     int grad_h, int grad_w) {
  char dir[700], path[800];
  snprintf(dir, sizeof dir, "%s/torch_%s", tmp, label);
  (void)args; /* the oracle ran for every case at once (main) */
  lf_model m;
  lf_st_file io;
  snprintf(path, sizeof path, "%s/model.safetensors", dir);
  /* bare state_dict: needs the fallback config */
  LF_CHECK(lf_ckpt_load(path, NULL, &m, NULL) == LF_ENOTFOUND);
  LF_CHECK_MSG(lf_ckpt_load(path, cfg, &m, NULL) == LF_OK, "%s", lf_last_error());
  snprintf(path, sizeof path, "%s/io.safetensors", dir);
  LF_CHECK_MSG(lf_st_open(&io, path) == LF_OK, "%s", lf_last_error());
  if (!m.g || !io.buf) return;
  const lf_model_config *c = &m.cfg; /* may move to a rebuilt model below */
  size_t nin = (size_t)batch * c->in_h * c->in_w * c->in_c;
  const lf_tensor *out = lf_graph_output(m.g, m.logits);
  lf_tensor x = {0};
  int shp[4] = {batch, c->in_h, c->in_w, c->in_c};
  float *xin = read_f32(&io, "input", nin);
  if (!xin) return;
  lf_tensor_view(&x, xin, 4, shp);
  LF_CHECK(lf_graph_set_input(m.g, m.input, &x) == LF_OK);

  /* eval mode */
  LF_CHECK_MSG(lf_graph_forward(m.g, 0) == LF_OK, "%s", lf_last_error());
  out = lf_graph_output(m.g, m.logits);
  float *ye = read_f32(&io, "eval_logits", out->numel);
  double rmax;
  if (ye) {
    lf_tensor flat = *out;
    flat.ndim = 2; /* compare flat: logits are NHWC on both sides */
    double e = rel_err(&flat, ye, &rmax);
    printf("%s: eval logits rel err %.3g (max |y| %.3g)\n", label, e, rmax);
    LF_CHECK_MSG(e <= 1e-4, "%s eval rel err %g", label, e);
  }
  free(ye);

  /* one training step: train-mode forward, BCE, backward; maybe at another size
   * (a graph fixes its input size: rebuild it and reload the weights) */
  if (grad_h) {
    lf_model_config gc = *cfg;
    gc.in_h = grad_h, gc.in_w = grad_w;
    lf_model_free(&m);
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    LF_CHECK_MSG(lf_ckpt_load(path, &gc, &m, NULL) == LF_OK, "%s", lf_last_error());
    if (!m.g) return;
    c = &m.cfg;
  }
  size_t ntr = (size_t)batch * c->in_h * c->in_w * c->in_c;
  float *xtr = read_f32(&io, "input_train", ntr);
  if (!xtr) return;
  int shp2[4] = {batch, c->in_h, c->in_w, c->in_c};
  lf_tensor_view(&x, xtr, 4, shp2);
  LF_CHECK(lf_graph_set_input(m.g, m.input, &x) == LF_OK);
  LF_CHECK(lf_graph_forward(m.g, 1) == LF_OK);
  out = lf_graph_output(m.g, m.logits);
  float *yt = read_f32(&io, "train_logits", out->numel);
  float *tg = read_f32(&io, "target", out->numel);
  float *tl = read_f32(&io, "loss", 1);
  if (yt && tg && tl) {
    lf_tensor flat = *out;
    flat.ndim = 2;
    double e = rel_err(&flat, yt, &rmax);
    float *y64 = read_f32(&io, "train_logits64", out->numel);
    double e64 = y64 ? rel_err(&flat, y64, NULL) : -1;
    free(y64);
    printf("%s: train logits rel err %.3g (vs torch float64: %.3g)\n", label, e, e64);
    LF_CHECK_MSG(e <= 1e-4, "%s train rel err %g", label, e);
    lf_tensor t = {0}, grad = {0};
    lf_tensor_view(&t, tg, out->ndim, out->shape);
    float loss = 0;
    LF_CHECK(lf_bce_with_logits(out, &t, NULL, &loss, &grad) == LF_OK);
    printf("%s: loss %.7f torch %.7f\n", label, loss, tl[0]);
    LF_CHECK(fabs(loss - tl[0]) <= 1e-5 * fabs(tl[0]) + 1e-6);
    lf_graph_zero_grad(m.g);
    LF_CHECK_MSG(lf_graph_backward(m.g, m.logits, &grad) == LF_OK, "%s", lf_last_error());
    double worst = 0, t32 = 0, tours = 0, gnum = 0, gden = 0;
    const char *worst_name = "";
    int compared = 0;
    for (int i = 0; i < lf_graph_param_count(m.g); i++) {
      lf_param *p = lf_graph_param(m.g, i);
      char name[200];
      if (p->trainable) {
        snprintf(name, sizeof name, "grad.%s", p->name);
        float *g = read_f32(&io, name, p->grad.numel);
        LF_CHECK_MSG(g != NULL, "%s", name);
        if (!g) continue;
        /* relative to the tensor's largest gradient; the reference is torch in
         * float64, the bar torch float32's own error (err32) with some slack */
        snprintf(name, sizeof name, "err32.%s", p->name);
        float *e32 = read_f32(&io, name, 1);
        double e = norm_err(&p->grad, g, &gnum, &gden);
        double bar = e32 ? fmax(tol_grad, 5.0 * e32[0]) : tol_grad;
        if (e / bar > worst) worst = e / bar, worst_name = p->name;
        LF_CHECK_MSG(e <= bar, "%s: grad rel err %g, torch f32 %g", p->name, e, e32 ? e32[0] : -1.0);
        if (getenv("LF_VERBOSE_GRADS")) printf("  %-50s ours %.3g torch32 %.3g\n", p->name, e, e32 ? e32[0] : -1.0);
        if (e32 && e32[0] > t32) t32 = e32[0];
        if (e > tours) tours = e;
        free(e32);
        compared++;
        free(g);
      } else if (!p->is_int) {
        snprintf(name, sizeof name, "post.%s", p->name);
        float *g = read_f32(&io, name, p->value.numel);
        if (!g) continue;
        double e = rel_err(&p->value, g, &rmax);
        LF_CHECK_MSG(e <= 1e-4, "%s: running stat rel err %g", p->name, e);
        free(g);
      }
    }
    float *g32 = read_f32(&io, "err32_global", 1);
    double glob = sqrt(gnum / gden);
    printf("%s: %d parameter gradients vs torch float64 (||diff||/||ref||): all params leapfrog %.3g, torch "
           "float32 %.3g; per tensor max leapfrog %.3g, torch float32 %.3g; worst err/bar %.3g (%s)\n",
           label, compared, glob, g32 ? g32[0] : -1.0, tours, t32, worst, worst_name);
    LF_CHECK_MSG(g32 && glob <= fmax(1e-4, 3.0 * g32[0]), "%s: global grad err %g vs torch f32 %g", label, glob,
                 g32 ? g32[0] : -1.0);
    free(g32);
    lf_tensor_free(&grad);
  }
  free(yt);
  free(tg);
  free(tl);
  free(xin);
  free(xtr);
  lf_st_close(&io);
  lf_model_free(&m);
}

int main(void) {
  py = getenv("LF_PYTHON");
  if (!py || !*py) py = "/usr/bin/python3";
  tmp = getenv("LF_TMP");
  if (!tmp || !*tmp) tmp = "/tmp";
  char cmd[600];
  snprintf(cmd, sizeof cmd, "'%s' -c 'import torch, torchvision' 2>/dev/null", py);
  if (system(cmd) != 0) {
    printf("torch/torchvision missing in %s\n", py);
    return 77;
  }
  lf_set_threads(2);
  /* the cases: label, oracle arguments, config, batch, gradient tolerance floor, gradient step size */
  lf_model_config dn = lf_model_defaults(LF_ARCH_DENSENET);
  lf_model_config un = lf_model_defaults(LF_ARCH_UNET);
  un.dropout = 0; /* dropout masks differ from torch's: the oracle UNet has p = 0 too */
  lf_model_config ut = un;
  ut.transposed = 1, ut.width = 8, ut.depth = 3, ut.in_h = 24, ut.in_w = 40;
  lf_model_config sd = dn;
  sd.growth = 12, sd.init_features = 24, sd.n_blocks = 3, sd.blocks[0] = 2, sd.blocks[1] = 3, sd.blocks[2] = 4;
  sd.in_h = sd.in_w = 64, sd.classes = 5;
  struct {
    const char *label, *args;
    lf_model_config *cfg;
    int batch;
    double tol;
    int gh, gw;
  } cases[] = {
      /* eval at 224 (the real model); the gradient step at 96x96 to keep the test short */
      {"densenet121", "densenet --grad-size 96 96", &dn, 2, 0.05, 96, 96},
      {"unet", "unet --grad-size 48 64", &un, 2, 0.05, 48, 64},
      {"unet_t", "unet --transposed --width 8 --depth 3 --size 24 40", &ut, 3, 1e-4, 0, 0},
      {"densenet_small", "densenet --growth 12 --init-features 24 --blocks 2,3,4 --size 64 64 --classes 5", &sd, 4,
       1e-4, 0, 0},
  };
  int nc = (int)(sizeof cases / sizeof cases[0]);
  /* one python process for all cases (torch imports once) */
  char all[4096];
  int len = snprintf(all, sizeof all, "'%s' tests/oracles/torch_densenet.py multi", py);
  for (int i = 0; i < nc; i++) {
    char dir[700], mk[800];
    snprintf(dir, sizeof dir, "%s/torch_%s", tmp, cases[i].label);
    snprintf(mk, sizeof mk, "mkdir -p '%s'", dir);
    LF_CHECK(system(mk) == 0);
    len += snprintf(all + len, sizeof all - (size_t)len, " \"%s '%s' --batch %d\"", cases[i].args, dir,
                    cases[i].batch);
  }
  LF_CHECK_MSG(len < (int)sizeof all && system(all) == 0, "%s failed", all);
  for (int i = 0; i < nc; i++) {
    lf_test_current = cases[i].label;
    run_case(cases[i].label, cases[i].args, cases[i].cfg, cases[i].batch, cases[i].tol, cases[i].gh, cases[i].gw);
  }
  return lf_test_summary();
}
