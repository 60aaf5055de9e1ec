/* QAT fine-tuning step time beside the FP32 training step: forward + backward
 * + Adam on random data (no data loading), DenseNet-121 and the paper's UNet.
 *   bench_qat [densenet|unet|all] [--batch N] [--threads N] [--iters N] [--size HxW] [--only fp32|qat]
 * Prints per model and mode the median, min and max ms/step over --iters
 * steps (after one warm-up step) and the QAT/FP32 ratio of the medians.
 * LF_CONV=ref selects the im2col reference convs in both graphs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_models.h"
#include "leapfrog/lf_optim.h"
#include "leapfrog/lf_qat.h"
#include "leapfrog/lf_rng.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Times `iters` steps of graph g from node in to node out; out's gradient is
 * y - t (BCE with logits on logits; for the QAT graph, whose output is the
 * fake-quantised sigmoid, the same expression is BCE's gradient through it).
 * ms: median, min, max. */
static int time_steps(lf_graph *g, int in, int out, int batch, const lf_model_config *c, int iters, double ms[3]) {
  lf_optim *o;
  lf_optim_config oc = lf_optim_defaults(LF_OPT_ADAM, 1e-5f);
  if (lf_optim_create(&o, &oc, g)) return 1;
  lf_tensor x = {0}, d = {0};
  lf_tensor_alloc4(&x, batch, c->in_h, c->in_w, c->in_c);
  const lf_node *on = lf_graph_node(g, out);
  lf_tensor_alloc4(&d, batch, on->h, on->w, on->c);
  lf_rng r;
  lf_rng_seed(&r, 7);
  for (size_t i = 0; i < x.numel; i++) x.data[i] = lf_rng_normal(&r);
  double *t = calloc((size_t)iters, sizeof *t);
  int rc = t ? 0 : 1;
  for (int it = 0; !rc && it <= iters; it++) { /* step 0 warms up (allocations, primitives) */
    double t0 = now_s();
    if (lf_graph_set_input(g, in, &x) || lf_graph_forward(g, 1)) {
      rc = 1;
      break;
    }
    const lf_tensor *y = lf_graph_output(g, out);
    for (size_t i = 0; i < d.numel; i++) d.data[i] = (y->data[i] - (float)((i * 2654435761u >> 7) % 3 == 0)) / (float)d.numel;
    lf_graph_zero_grad(g);
    if (lf_graph_backward(g, out, &d) || lf_optim_step(o)) rc = 1;
    if (it > 0) t[it - 1] = (now_s() - t0) * 1e3;
  }
  if (rc) fprintf(stderr, "bench_qat: %s\n", lf_last_error());
  else {
    qsort(t, (size_t)iters, sizeof *t, cmp_d);
    ms[0] = iters % 2 ? t[iters / 2] : 0.5 * (t[iters / 2 - 1] + t[iters / 2]);
    ms[1] = t[0];
    ms[2] = t[iters - 1];
  }
  free(t);
  lf_tensor_free(&x);
  lf_tensor_free(&d);
  lf_optim_free(o);
  return rc;
}

static const char *only = ""; /* "fp32" / "qat": time that graph alone (profiling) */

static int bench(lf_arch arch, int batch, int threads, int iters, int h, int w) {
  lf_model_config c = lf_model_defaults(arch);
  if (h > 0) c.in_h = h, c.in_w = w;
  lf_model m;
  if (lf_model_build(&m, &c, 1)) {
    fprintf(stderr, "bench_qat: %s\n", lf_last_error());
    return 1;
  }
  lf_set_threads(threads);
  double fp[3] = {0}, qt[3] = {0};
  lf_qat *q = NULL;
  lf_qat_opts qo = {0.01f, 0, 0, 3};
  int rc = strcmp(only, "qat") ? time_steps(m.g, m.input, m.logits, batch, &c, iters, fp) : 0;
  if (!rc && strcmp(only, "fp32") && lf_qat_create(m.g, m.input, m.probs, &qo, &q)) {
    fprintf(stderr, "bench_qat: %s\n", lf_last_error());
    rc = 1;
  }
  if (!rc && q) rc = time_steps(lf_qat_graph(q), lf_qat_input(q), lf_qat_output(q), batch, &c, iters, qt);
  if (!rc) {
    const char *conv = getenv("LF_CONV");
    printf("%s %dx%d batch %d threads %d conv %s, %d steps: fp32 %.0f ms/step (%.0f-%.0f, %.2f img/s), "
           "qat %.0f ms/step (%.0f-%.0f, %.2f img/s), qat/fp32 %.2f\n",
           lf_arch_name(arch), c.in_h, c.in_w, batch, threads, conv && *conv ? conv : "dnnl", iters, fp[0], fp[1],
           fp[2], batch * 1e3 / fp[0], qt[0], qt[1], qt[2], batch * 1e3 / qt[0], qt[0] / fp[0]);
    fflush(stdout);
  }
  lf_qat_free(q);
  lf_model_free(&m);
  return rc;
}

int main(int argc, char **argv) {
  const char *which = "all";
  int batch = 0, threads = 2, iters = 5, h = 0, w = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--iters") && i + 1 < argc) iters = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
      if (sscanf(argv[++i], "%dx%d", &h, &w) != 2) return 2;
    } else if (argv[i][0] != '-') which = argv[i];
    else {
      fprintf(stderr, "usage: bench_qat [densenet|unet|all] [--batch N] [--threads N] [--iters N] [--size HxW] [--only fp32|qat]\n");
      return 2;
    }
  }
  if (iters < 1 || threads < 1 || batch < 0) return 2;
  int rc = 0;
  if (!strcmp(which, "all") || !strcmp(which, "densenet"))
    rc |= bench(LF_ARCH_DENSENET, batch ? batch : 8, threads, iters, h, w);
  if (!strcmp(which, "all") || !strcmp(which, "unet")) rc |= bench(LF_ARCH_UNET, batch ? batch : 16, threads, iters, h, w);
  return rc;
}
