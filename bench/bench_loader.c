/* Loader throughput: images/s decoded + resized (+ normalised) into batches, with 1 and
 * 2 threads, on synthetic data in the real layouts and sizes (NIH 1024x1024 PNG ->
 * 224x224x3, Kaggle 580x420 TIFF -> 80x112x1).
 *   BUILD/bench/bench_loader [N_IMAGES]     (default 96; data goes to $TMPDIR) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_loader.h"
#include "leapfrog/lf_synth.h"

static double clk(clockid_t id) {
  struct timespec t;
  clock_gettime(id, &t);
  return (double)t.tv_sec + t.tv_nsec * 1e-9;
}
static double now(void) { return clk(CLOCK_MONOTONIC); }

static int bench(lf_task task, const char *root, int threads) {
  lf_dataset *ds;
  if (lf_dataset_open(task, root, 0, &ds)) return fprintf(stderr, "%s\n", lf_last_error()), 1;
  lf_split_opts so;
  lf_split_opts_default(&so);
  lf_dataset_split(ds, &so, NULL);
  lf_loader_opts o;
  lf_loader_opts_default(&o, task);
  o.threads = threads;
  o.batch_size = 16;
  o.prefetch = 2;
  lf_loader *l;
  if (lf_loader_create(ds, LF_SPLIT_ALL, &o, &l)) return fprintf(stderr, "%s\n", lf_last_error()), 1;
  double best = 1e30, cpu = 0;
  size_t n = 0;
  for (int rep = 0; rep < 2; rep++) { /* the second pass has a warm page cache */
    double t0 = now(), c0 = clk(CLOCK_PROCESS_CPUTIME_ID);
    lf_loader_start_epoch(l, rep);
    lf_batch *b;
    n = 0;
    while (lf_loader_next(l, &b) == LF_OK && b) n += (size_t)b->n;
    double dt = now() - t0;
    if (dt < best) best = dt, cpu = clk(CLOCK_PROCESS_CPUTIME_ID) - c0;
  }
  /* images per CPU-second does not depend on how busy the machine is */
  printf("bench_loader %-11s %dx%dx%d  threads=%d  %zu images  %.3f s  %.1f images/s  (%.1f images per CPU-second)\n",
         lf_task_name(task), o.height, o.width, o.channels, threads, n, best, n / best, n / cpu);
  lf_loader_free(l);
  lf_dataset_free(ds);
  return 0;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 96;
  if (n < 1) n = 96;
  const char *tmp = getenv("TMPDIR");
  char root[512], chest[600], nerve[600];
  snprintf(root, sizeof root, "%s/lf-bench-loader.%d", tmp ? tmp : "/tmp", (int)getpid());
  snprintf(chest, sizeof chest, "%s/chest", root);
  snprintf(nerve, sizeof nerve, "%s/nerve", root);
  lf_synth_opts so;
  lf_synth_opts_default(&so);
  so.n = n;
  so.n_test = 0;
  double t0 = now();
  if (lf_synth_chestxray14(chest, &so)) return fprintf(stderr, "%s\n", lf_last_error()), 1;
  double t1 = now();
  if (lf_synth_nerve(nerve, &so)) return fprintf(stderr, "%s\n", lf_last_error()), 1;
  double t2 = now();
  printf("bench_loader synth: %d chest PNG 1024x1024 in %.2f s (%.1f/s), %d nerve TIFF 580x420 (+masks) in %.2f s (2 threads)\n",
         n, t1 - t0, n / (t1 - t0), n, t2 - t1);
  int rc = 0;
  for (int t = 1; t <= 2; t++) rc |= bench(LF_TASK_CHESTXRAY14, chest, t);
  for (int t = 1; t <= 2; t++) rc |= bench(LF_TASK_NERVE, nerve, t);
  char cmd[700];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
  if (system(cmd)) rc = 1;
  return rc;
}
