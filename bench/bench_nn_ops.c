/* Training-step throughput of the FP32 engine on DenseNet-121 and the UNet
 * (forward + backward + SGD update), with the time per op kind, beside
 * PyTorch CPU (bench/bench_nn_ops_torch.py, Debian's torch) at the same
 * threads and batch when $LF_PYTHON has torch.
 *   bench_nn_ops [densenet|unet] [batch] [steps] [threads]
 * defaults: both models, batch 4 (densenet at 224) / 8 (unet at 80x112),
 * 2 steps after 1 warm-up, 2 threads. Convs run on oneDNN unless LF_CONV=ref
 * (the im2col + sgemm reference). The last line per model is the ratio of
 * best-step images/s, leapfrog / PyTorch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_models.h"
#include "leapfrog/lf_optim.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int bench(lf_arch arch, int batch, int steps, int threads) {
  lf_set_threads(threads);
  lf_model m;
  lf_model_config cfg = lf_model_defaults(arch);
  if (lf_model_build(&m, &cfg, 1)) {
    fprintf(stderr, "build: %s\n", lf_last_error());
    return 1;
  }
  lf_tensor x = {0}, t = {0}, g = {0};
  lf_tensor_alloc4(&x, batch, cfg.in_h, cfg.in_w, cfg.in_c);
  lf_rng r;
  lf_rng_seed(&r, 1);
  for (size_t i = 0; i < x.numel; i++) x.data[i] = lf_rng_normal(&r);
  lf_optim_config oc = lf_optim_defaults(LF_OPT_SGD, 1e-3f);
  oc.momentum = 0.9f;
  lf_optim *o = NULL;
  lf_optim_create(&o, &oc, m.g);
  double best = 1e30, cpu = 0;
  for (int s = 0; s <= steps; s++) {
    if (s == 1) lf_graph_set_profile(m.g, 1);
    double t0 = now(), c0 = cpu_now();
    float loss;
    lf_graph_set_input(m.g, m.input, &x);
    if (lf_graph_forward(m.g, 1)) {
      fprintf(stderr, "forward: %s\n", lf_last_error());
      return 1;
    }
    const lf_tensor *y = lf_graph_output(m.g, m.logits);
    if (!t.data) {
      lf_tensor_alloc(&t, y->ndim, y->shape);
      for (size_t i = 0; i < t.numel; i++) t.data[i] = (float)(lf_rng_u64(&r) & 1);
    }
    lf_bce_with_logits(y, &t, NULL, &loss, &g);
    lf_graph_zero_grad(m.g);
    lf_graph_backward(m.g, m.logits, &g);
    lf_optim_step(o);
    double dt = now() - t0;
    if (s > 0 && dt < best) best = dt;
    if (s > 0) cpu += cpu_now() - c0;
  }
  const char *conv = getenv("LF_CONV");
  printf("leapfrog %s batch %d %dx%d threads %d: best step %.3f s, %.2f images/s, cpu %.3f s/step, memory %.0f MB, "
         "convs %s\n",
         lf_arch_name(arch), batch, cfg.in_h, cfg.in_w, threads, best, batch / best, cpu / steps,
         lf_graph_memory_bytes(m.g) / 1e6, conv && !strcmp(conv, "ref") ? "im2col+sgemm (LF_CONV=ref)" : "oneDNN");
  printf("per op kind over %d steps:\n", steps);
  lf_graph_profile_print(m.g, stdout);
  fflush(stdout);
  const char *py = getenv("LF_PYTHON") ? getenv("LF_PYTHON") : "/usr/bin/python3";
  char cmd[512];
  snprintf(cmd, sizeof cmd, "'%s' bench/bench_nn_ops_torch.py %s %d %d %d", py, lf_arch_name(arch), batch, steps,
           threads);
  /* PyTorch's line is passed through; the ratio of best steps follows it */
  FILE *pf = popen(cmd, "r");
  char line[512];
  double tbest = 0;
  while (pf && fgets(line, sizeof line, pf)) {
    fputs(line, stdout);
    const char *b = strstr(line, "best step ");
    if (b) tbest = atof(b + 10);
  }
  if (!pf || pclose(pf) != 0 || tbest <= 0)
    printf("(PyTorch reference not run)\n");
  else
    printf("ratio %s batch %d threads %d: leapfrog / pytorch images/s = %.2f\n", lf_arch_name(arch), batch, threads,
           tbest / best);
  lf_optim_free(o);
  lf_tensor_free(&x);
  lf_tensor_free(&t);
  lf_tensor_free(&g);
  lf_model_free(&m);
  return 0;
}

int main(int argc, char **argv) {
  const char *which = argc > 1 ? argv[1] : "both";
  int batch = argc > 2 ? atoi(argv[2]) : 0, steps = argc > 3 ? atoi(argv[3]) : 2;
  int threads = argc > 4 ? atoi(argv[4]) : 2;
  int rc = 0;
  if (strcmp(which, "unet")) rc |= bench(LF_ARCH_DENSENET, batch ? batch : 4, steps, threads);
  if (strcmp(which, "densenet")) rc |= bench(LF_ARCH_UNET, batch ? batch : 8, steps, threads);
  return rc;
}
