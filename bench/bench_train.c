/* Training throughput of leapfrog's engine: images/s of forward + backward +
 * Adam update on random data (data loading excluded), for DenseNet-121 and the
 * paper's UNet. bench/bench_train.sh runs it beside PyTorch.
 *   bench_train [densenet|unet|all] [--batch N] [--threads N] [--iters N] [--size HxW]
 * Prints one line per model:
 *   "leapfrog <arch> HxW batch B threads T: M ms/image median [lo-hi] over N steps, R img/s, E MB engine, P MB peak RSS"
 * (per-image times are step times / B; the first step warms up and is not counted). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_models.h"
#include "leapfrog/lf_optim.h"
#include "leapfrog/lf_rng.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int bench(lf_arch arch, int batch, int threads, int iters, int h, int w) {
  lf_model_config c = lf_model_defaults(arch);
  if (h > 0) c.in_h = h, c.in_w = w;
  lf_model m;
  if (lf_model_build(&m, &c, 1)) {
    fprintf(stderr, "%s\n", lf_last_error());
    return 1;
  }
  lf_set_threads(threads);
  lf_optim *o;
  lf_optim_config oc = lf_optim_defaults(LF_OPT_ADAM, 1e-4f);
  if (lf_optim_create(&o, &oc, m.g)) return 1;
  lf_tensor x = {0}, t = {0}, g = {0};
  lf_tensor_alloc4(&x, batch, c.in_h, c.in_w, c.in_c);
  const lf_node *out = lf_graph_node(m.g, m.logits);
  lf_tensor_alloc4(&t, batch, out->h, out->w, out->c);
  lf_rng r;
  lf_rng_seed(&r, 7);
  for (size_t i = 0; i < x.numel; i++) x.data[i] = lf_rng_normal(&r);
  for (size_t i = 0; i < t.numel; i++) t.data[i] = lf_rng_uniform(&r) < 0.3f;
  double *steps = calloc((size_t)iters, sizeof *steps);
  if (!steps) return 1;
  for (int it = 0; it <= iters; it++) { /* iteration 0 warms up (allocations) */
    double t0 = now_s();
    float loss;
    if (lf_graph_set_input(m.g, m.input, &x) || lf_graph_forward(m.g, 1) ||
        lf_bce_with_logits(lf_graph_output(m.g, m.logits), &t, NULL, &loss, &g)) {
      fprintf(stderr, "%s\n", lf_last_error());
      return 1;
    }
    lf_graph_zero_grad(m.g);
    if (lf_graph_backward(m.g, m.logits, &g) || lf_optim_step(o)) {
      fprintf(stderr, "%s\n", lf_last_error());
      return 1;
    }
    double dt = now_s() - t0;
    if (it > 0) steps[it - 1] = dt;
  }
  qsort(steps, (size_t)iters, sizeof *steps, cmp_double);
  double med = iters % 2 ? steps[iters / 2] : 0.5 * (steps[iters / 2 - 1] + steps[iters / 2]);
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("leapfrog %s %dx%d batch %d threads %d: %.1f ms/image median [%.1f-%.1f] over %d steps, %.2f img/s, "
         "%.0f MB engine, %.0f MB peak RSS\n",
         lf_arch_name(arch), c.in_h, c.in_w, batch, threads, 1e3 * med / batch, 1e3 * steps[0] / batch,
         1e3 * steps[iters - 1] / batch, iters, batch / med, lf_graph_memory_bytes(m.g) / 1e6, ru.ru_maxrss / 1024.0);
  fflush(stdout);
  free(steps);
  lf_tensor_free(&x);
  lf_tensor_free(&t);
  lf_tensor_free(&g);
  lf_optim_free(o);
  lf_model_free(&m);
  return 0;
}

int main(int argc, char **argv) {
  const char *which = "all";
  int batch = 0, threads = 2, iters = 3, h = 0, w = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--iters") && i + 1 < argc) iters = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--size") && i + 1 < argc) {
      if (sscanf(argv[++i], "%dx%d", &h, &w) != 2) return 2;
    } else if (argv[i][0] != '-') which = argv[i];
    else {
      fprintf(stderr, "usage: bench_train [densenet|unet|all] [--batch N] [--threads N] [--iters N] [--size HxW]\n");
      return 2;
    }
  }
  if (iters < 1 || threads < 1 || batch < 0) return 2;
  int rc = 0;
  if (!strcmp(which, "all") || !strcmp(which, "densenet")) rc |= bench(LF_ARCH_DENSENET, batch ? batch : 8, threads, iters, h, w);
  if (!strcmp(which, "all") || !strcmp(which, "unet")) rc |= bench(LF_ARCH_UNET, batch ? batch : 16, threads, iters, h, w);
  return rc;
}
