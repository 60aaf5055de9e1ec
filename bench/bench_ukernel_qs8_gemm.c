/* qs8 GEMM microkernel throughput: every config this CPU can run, on DenseNet
 * shaped GEMMs, called as the conv driver calls them (per MR rows, once per
 * NR-column block; a rows of kc bytes, row stride K rounded up to 64, here one
 * whole M x K matrix rather than the driver's re-gathered MR-row scratch).
 *
 *   bench_ukernel_qs8_gemm [--runs N] [NAME]
 *
 * Prints GMAC/s (useful M*N*K multiply-adds, median of N runs, min-max) per
 * config (those whose name contains NAME) and shape, one thread. Runs are
 * short (a few ms) so that on a shared host most of them run undisturbed. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lfrt_gemm.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return a < b ? -1 : a > b;
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 24);
}

static void *alloc64(size_t n) { return aligned_alloc(64, (n + 63) & ~(size_t)63); }

static void run_shape(const lfrt_qs8_gemm_config *g, int M, int K, int N, int runs) {
  size_t kc = ((size_t)K + 3) & ~(size_t)3, a_stride = ((size_t)K + 63) & ~(size_t)63;
  size_t blk = lfrt_qs8_gemm_block_bytes(g->nr, kc);
  int blocks = (N + g->nr - 1) / g->nr;
  uint8_t *a = alloc64((size_t)M * a_stride);
  int8_t *w = malloc((size_t)N * K), *c = alloc64((size_t)M * N);
  int32_t *bias = malloc(sizeof(int32_t) * N);
  float *scale = malloc(sizeof(float) * N);
  unsigned char *packed = alloc64((size_t)blocks * blk);
  if (!a || !w || !c || !bias || !scale || !packed) {
    fprintf(stderr, "bench_ukernel_qs8_gemm: out of memory\n");
    exit(1);
  }
  for (size_t i = 0; i < (size_t)M * a_stride; i++) a[i] = (uint8_t)rnd();
  for (size_t i = 0; i < (size_t)N * K; i++) w[i] = (int8_t)rnd();
  for (int n = 0; n < N; n++) {
    bias[n] = (int32_t)(rnd() % 20001) - 10000;
    scale[n] = 1.0f / (float)(1 << 14);
  }
  lfrt_qs8_gemm_pack(g->nr, N, K, w, bias, -3, scale, packed);
  lfrt_qs8_requant rq = {0.0f - 5.0f, 127.0f - 5.0f, 5}; /* out_zp 5, a fused RELU */
  if (g->isa == LFRT_ISA_REF && runs > 3) runs = 3;
  double t[256];
  if (runs > 256) runs = 256;
  for (int r = 0; r < runs; r++) {
    double t0 = now_s();
    for (int m0 = 0; m0 < M; m0 += g->mr) {
      int mr = M - m0 < g->mr ? M - m0 : g->mr;
      const unsigned char *wb = packed;
      for (int n0 = 0; n0 < N; n0 += g->nr) {
        int nc = N - n0 < g->nr ? N - n0 : g->nr;
        g->fn(mr, nc, kc, a + (size_t)m0 * a_stride, a_stride, wb, c + (size_t)m0 * N + n0, (size_t)N, &rq);
        wb += blk;
      }
    }
    t[r] = now_s() - t0;
  }
  qsort(t, (size_t)runs, sizeof t[0], cmp_double);
  double macs = (double)M * N * K;
  printf("%-30s M %4d K %4d N %4d: %7.1f GMAC/s (%.1f-%.1f), %.3f ms\n", g->name, M, K, N, macs / t[runs / 2] * 1e-9,
         macs / t[runs - 1] * 1e-9, macs / t[0] * 1e-9, t[runs / 2] * 1e3);
  free(a);
  free(w);
  free(c);
  free(bias);
  free(scale);
  free(packed);
}

int main(int argc, char **argv) {
  int runs = 21;
  const char *only = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--runs") && i + 1 < argc) runs = atoi(argv[++i]);
    else if (argv[i][0] != '-' && !only) only = argv[i];
    else {
      fprintf(stderr, "usage: bench_ukernel_qs8_gemm [--runs N] [NAME]\n");
      return 2;
    }
  }
  if (runs < 1) runs = 1;
  static const int shapes[][3] = {{3136, 1152, 32}, {784, 1152, 32}, {3136, 512, 128}, {784, 512, 128}, {3136, 128, 128}, {12544, 147, 64}};
  for (const lfrt_qs8_gemm_config *g = lfrt_qs8_gemm_configs(); g->fn; g++) {
    if (only && !strstr(g->name, only)) continue;
    if (!lfrt_isa_available(g->isa)) {
      printf("%-30s skipped: this CPU has no %s\n", g->name, lfrt_isa_name(g->isa));
      continue;
    }
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) run_shape(g, shapes[s][0], shapes[s][1], shapes[s][2], runs);
  }
  return 0;
}
