/* The non-conv ops of a DenseNet training step in isolation, DenseNet-121
 * shapes at batch 8 (224x224): BN+ReLU (fused) on a dense block's concat
 * [8,56,56,256] and on [8,7,7,1024] (small: the thread pool's hand-off
 * shows), max pool 3x3/2 on [8,112,112,64], a concat of 7 inputs
 * (64 + 6x32 channels at 56x56) feeding a BN, and the SGD-momentum / AdamW
 * update over 8M parameters. Each forward+backward is repeated; the minimum
 * and median per repetition are printed (the minimum is the least disturbed
 * by other processes on a shared machine).
 *   bench_nn_elem [reps=15] [threads=2] */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_optim.h"

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void report(const char *what, double *t, int n) {
  qsort(t, (size_t)n, sizeof *t, cmp);
  printf("%-34s min %8.2f ms  median %8.2f ms\n", what, 1e3 * t[0], 1e3 * t[n / 2]);
}

/* forward(train) + backward of a graph with one input, timed per repetition */
static int run_graph(lf_graph *g, int xi, int y, int batch, int h, int w, int c, int reps, double *tf, double *tb) {
  lf_tensor x = {0}, dy = {0};
  lf_tensor_alloc4(&x, batch, h, w, c);
  lf_rng r;
  lf_rng_seed(&r, 1);
  for (size_t i = 0; i < x.numel; i++) x.data[i] = lf_rng_normal(&r);
  lf_graph_set_input(g, xi, &x);
  int rc = 0;
  for (int k = -1; k < reps; k++) { /* one warm-up */
    double t0 = now();
    if (lf_graph_forward(g, 1)) {
      fprintf(stderr, "forward: %s\n", lf_last_error());
      rc = 1;
      break;
    }
    double t1 = now();
    const lf_tensor *out = lf_graph_output(g, y);
    if (!dy.data) {
      lf_tensor_alloc(&dy, out->ndim, out->shape);
      for (size_t i = 0; i < dy.numel; i++) dy.data[i] = lf_rng_normal(&r);
    }
    lf_graph_zero_grad(g);
    if (lf_graph_backward(g, y, &dy)) {
      fprintf(stderr, "backward: %s\n", lf_last_error());
      rc = 1;
      break;
    }
    double t2 = now();
    if (k >= 0) tf[k] = t1 - t0, tb[k] = t2 - t1;
  }
  lf_tensor_free(&x);
  lf_tensor_free(&dy);
  return rc;
}

int main(int argc, char **argv) {
  int reps = argc > 1 ? atoi(argv[1]) : 15, threads = argc > 2 ? atoi(argv[2]) : 2;
  if (reps < 1 || reps > 1000) reps = 15;
  lf_set_threads(threads);
  double *tf = calloc((size_t)reps, sizeof(double)), *tb = calloc((size_t)reps, sizeof(double));
  if (!tf || !tb) return 1;
  printf("threads %d, %d repetitions\n", threads, reps);
  { /* BN + fused ReLU; the conv after it needs the gradient of x */
    lf_graph *g = NULL;
    lf_graph_create(&g, 1);
    int x = lf_nn_input(g, "x", 56, 56, 256);
    int y = lf_nn_relu(g, lf_nn_batchnorm(g, x, "bn", 1e-5f, 0.1f), "relu");
    lf_graph_set_input_requires_grad(g, x, 1);
    if (run_graph(g, x, y, 8, 56, 56, 256, reps, tf, tb)) return 1;
    report("bn+relu [8,56,56,256] fwd", tf, reps);
    report("bn+relu [8,56,56,256] bwd", tb, reps);
    lf_graph_free(g);
  }
  { /* a small one (dense block 4): the thread pool's hand-off dominates */
    lf_graph *g = NULL;
    lf_graph_create(&g, 1);
    int x = lf_nn_input(g, "x", 7, 7, 1024);
    int y = lf_nn_relu(g, lf_nn_batchnorm(g, x, "bn", 1e-5f, 0.1f), "relu");
    lf_graph_set_input_requires_grad(g, x, 1);
    if (run_graph(g, x, y, 8, 7, 7, 1024, reps, tf, tb)) return 1;
    report("bn+relu [8,7,7,1024] fwd", tf, reps);
    report("bn+relu [8,7,7,1024] bwd", tb, reps);
    lf_graph_free(g);
  }
  { /* max pool 3x3/2 pad 1 */
    lf_graph *g = NULL;
    lf_graph_create(&g, 1);
    int x = lf_nn_input(g, "x", 112, 112, 64);
    int y = lf_nn_maxpool(g, x, "pool", lf_pool_square(3, 2, 1));
    lf_graph_set_input_requires_grad(g, x, 1);
    if (run_graph(g, x, y, 8, 112, 112, 64, reps, tf, tb)) return 1;
    report("maxpool 3x3/2 [8,112,112,64] fwd", tf, reps);
    report("maxpool 3x3/2 [8,112,112,64] bwd", tb, reps);
    lf_graph_free(g);
  }
  { /* a dense block's last concat: 64 + 6 x 32 channels -> BN+ReLU */
    lf_graph *g = NULL;
    lf_graph_create(&g, 1);
    int x = lf_nn_input(g, "x", 56, 56, 64);
    int parts[7] = {x};
    for (int i = 1; i < 7; i++) {
      char nm[16];
      snprintf(nm, sizeof nm, "c%d", i);
      parts[i] = lf_nn_conv2d(g, x, nm, lf_conv_params(32, 1, 1, 0, 0));
    }
    int cat = lf_nn_concat(g, parts, 7, "cat");
    int y = lf_nn_relu(g, lf_nn_batchnorm(g, cat, "bn", 1e-5f, 0.1f), "relu");
    if (run_graph(g, x, y, 8, 56, 56, 64, reps, tf, tb)) return 1;
    lf_graph_set_profile(g, 1);
    if (run_graph(g, x, y, 8, 56, 56, 64, reps, tf, tb)) return 1;
    printf("concat(7)->bn+relu [8,56,56,256], per op kind over %d repetitions:\n", reps);
    lf_graph_profile_print(g, stdout);
    lf_graph_free(g);
  }
  for (int kind = 0; kind < 2; kind++) { /* optimiser update over 8M parameters */
    lf_graph *g = NULL;
    lf_graph_create(&g, 1);
    int x = lf_nn_input(g, "x", 1, 1, 2048);
    lf_nn_dense(g, x, "fc", 4000, 1);
    lf_optim_config oc = lf_optim_defaults(kind ? LF_OPT_ADAMW : LF_OPT_SGD, 1e-3f);
    oc.momentum = 0.9f;
    lf_optim *o = NULL;
    if (lf_optim_create(&o, &oc, g)) return 1;
    for (int k = -1; k < reps; k++) {
      double t0 = now();
      lf_optim_step(o);
      if (k >= 0) tf[k] = now() - t0;
    }
    report(kind ? "adamw step 8.2M params" : "sgd momentum step 8.2M params", tf, reps);
    lf_optim_free(o);
    lf_graph_free(g);
  }
  free(tf);
  free(tb);
  return 0;
}
