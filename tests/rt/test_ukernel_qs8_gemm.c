/* Table-driven tester of the qs8 GEMM microkernels (lfrt_gemm.h): every config
 * of lfrt_qs8_gemm_configs() whose ISA this CPU has, the reference included,
 * over random cases: mr in 1..MR, nc in 1..NR (every pair, then random ones),
 * K from 1 to 1200 (kc = K rounded up to 4: odd and prime multiples of 4),
 * a rows `a_stride` >= kc apart, random int8 weights w[n][k], bias, input zero
 * point, per-column scales in 2^-20..2^-3 (some powers of two for exact ties,
 * some up to 2^0 for heavy clamping), output zero point and activation range.
 * Weights go through lfrt_qs8_gemm_pack(cfg->nr, ...); every output byte is
 * compared with the value computed here from the unpacked data
 * (lfrt_requant_fp32 on lfrt_fp32_scale_split), and every other byte of the
 * output buffer (rows >= mr, columns >= nc, around it) must keep its guard
 * value. a and the packed block are allocated to their exact size, so a
 * sanitizer build also catches reads of rows >= mr or past kc.
 * Portable C: runs natively and under qemu (where only ref is available);
 * LFRT_ISA does not matter, every available variant is tested. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_gemm.h"
#include "lfrt_quant.h"
#include "test_interp_util.h"

enum { KMAX = 1200, GUARD_ROWS = 2, GUARD_BYTES = 64 };

typedef struct {
  int mr, nc, K, a_extra, c_extra;
} gemm_case;

static int rand_k(void) {
  switch (tu_randint(0, 9)) {
  case 0: case 1: case 2: case 3: case 4: return tu_randint(1, 64);
  case 5: case 6: case 7: return tu_randint(65, 320);
  case 8: { /* 4 * prime */
    static const int primes[] = {2, 3, 5, 7, 11, 13, 17, 31, 61, 97, 127, 151, 211, 257, 293};
    return 4 * primes[tu_randint(0, (int)(sizeof primes / sizeof primes[0]) - 1)] - tu_randint(0, 3);
  }
  default: return tu_randint(321, KMAX);
  }
}

static float rand_scale(int i) {
  switch (i % 8) {
  case 0: return ldexpf(1.0f, -tu_randint(3, 20));                /* exact ties */
  case 1: return ldexpf(tu_randf(0.5f, 1.0f), -tu_randint(0, 2)); /* heavy clamping */
  default: return ldexpf(tu_randf(0.5f, 1.0f), -tu_randint(3, 20));
  }
}

/* Runs one case; returns 0 if every byte matched. */
static int run_case(const lfrt_qs8_gemm_config *cfg, int ci, const gemm_case *gc) {
  const int MR = cfg->mr, NR = cfg->nr, mr = gc->mr, nc = gc->nc, K = gc->K;
  const size_t kc = ((size_t)K + 3) & ~(size_t)3;
  const size_t a_stride = kc + (size_t)gc->a_extra, c_stride = (size_t)nc + (size_t)gc->c_extra;
  /* a: exactly mr rows (the last one kc bytes); the K tail holds noise (its weights are 0) */
  size_t a_bytes = (size_t)(mr - 1) * a_stride + kc;
  uint8_t *a = malloc(a_bytes);
  int8_t *w = malloc((size_t)nc * K);
  int32_t *bias = malloc(sizeof(int32_t) * NR);
  float *scale = malloc(sizeof(float) * NR);
  size_t blk_bytes = lfrt_qs8_gemm_block_bytes(NR, kc);
  void *blk = malloc(blk_bytes);
  size_t c_bytes = 2 * GUARD_BYTES + (size_t)(MR + GUARD_ROWS) * c_stride;
  int8_t *cbuf = malloc(c_bytes), *c = cbuf + GUARD_BYTES;
  int8_t *want = malloc(c_bytes);
  if (!a || !w || !bias || !scale || !blk || !cbuf || !want) {
    LF_CHECK_MSG(0, "out of memory");
    free(a); free(w); free(bias); free(scale); free(blk); free(cbuf); free(want);
    return 1;
  }
  for (size_t i = 0; i < a_bytes; i++) a[i] = (uint8_t)tu_rand();
  int wlo = ci % 5 == 0 ? -127 : -tu_randint(1, 127), whi = ci % 5 == 0 ? 127 : tu_randint(1, 127);
  if (ci % 17 == 3) { wlo = -128; whi = -128; } /* the extremes: 255 * -128 everywhere */
  if (ci % 17 == 4) { for (size_t i = 0; i < a_bytes; i++) a[i] = 255; wlo = -128; whi = 127; }
  for (size_t i = 0; i < (size_t)nc * K; i++) w[i] = (int8_t)tu_randint(wlo, whi);
  for (int n = 0; n < NR; n++) {
    bias[n] = ci % 7 == 0 ? (int32_t)(tu_rand() << 16 ^ tu_rand()) : tu_randint(-200000, 200000);
    scale[n] = rand_scale(ci + n);
  }
  int32_t in_zp = tu_randint(-128, 127), out_zp = tu_randint(-128, 127);
  int act_min = -128, act_max = 127;
  if (ci % 3) {
    act_min = tu_randint(-128, 127);
    act_max = tu_randint(act_min, 127);
  }
  lfrt_qs8_requant rq = {(float)(act_min - out_zp), (float)(act_max - out_zp), out_zp};
  lfrt_qs8_gemm_pack(NR, nc, K, w, bias, in_zp, scale, blk);

  int8_t guard = (int8_t)tu_rand();
  memset(cbuf, (unsigned char)guard, c_bytes);
  memcpy(want, cbuf, c_bytes);
  int8_t *wc = want + GUARD_BYTES;
  for (int i = 0; i < mr; i++)
    for (int n = 0; n < nc; n++) {
      uint32_t acc = (uint32_t)bias[n];
      for (int k = 0; k < K; k++)
        acc += (uint32_t)(((int32_t)a[(size_t)i * a_stride + k] - 128 - in_zp) * w[(size_t)n * K + k]);
      int32_t m;
      int e;
      lfrt_fp32_scale_split(scale[n], &m, &e);
      int32_t v = lfrt_clamp_i32(lfrt_requant_fp32((int32_t)acc, m, e), act_min - out_zp, act_max - out_zp);
      wc[(size_t)i * c_stride + n] = (int8_t)(v + out_zp);
    }

  cfg->fn(mr, nc, kc, a, a_stride, blk, c, c_stride, &rq);

  int bad = 0;
  for (size_t j = 0; j < c_bytes && !bad; j++) {
    if (cbuf[j] == want[j]) continue;
    bad = 1;
    long off = (long)j - GUARD_BYTES, row = off >= 0 ? off / (long)c_stride : -1, col = off >= 0 ? off % (long)c_stride : off;
    int inside = off >= 0 && row < mr && col < nc;
    LF_CHECK_MSG(0, "%s case %d (mr %d nc %d K %d kc %zu a_stride %zu c_stride %zu): %s byte at row %ld col %ld: got %d, want %d",
                 cfg->name, ci, mr, nc, K, kc, a_stride, c_stride, inside ? "output" : "guard", row, col, (int)cbuf[j],
                 (int)want[j]);
  }
  if (!bad) LF_CHECK(1);
  free(a); free(w); free(bias); free(scale); free(blk); free(cbuf); free(want);
  return bad;
}

static int test_config(const lfrt_qs8_gemm_config *cfg, int *kmin, int *kmax) {
  const int MR = cfg->mr, NR = cfg->nr, nrandom = 300;
  int ncases = MR * NR + nrandom, failed = 0;
  for (int ci = 0; ci < ncases; ci++) {
    gemm_case gc;
    if (ci < MR * NR) { /* every (mr, nc) pair once */
      gc.mr = 1 + ci % MR;
      gc.nc = 1 + ci / MR;
      gc.K = tu_randint(1, 96);
    } else {
      gc.mr = ci % 4 == 0 ? MR : tu_randint(1, MR);
      gc.nc = ci % 4 == 1 ? NR : tu_randint(1, NR);
      gc.K = rand_k();
    }
    switch (ci % 4) {
    case 0: gc.a_extra = 0; break;
    case 1: gc.a_extra = (int)((((size_t)gc.K + 63) & ~(size_t)63) - (((size_t)gc.K + 3) & ~(size_t)3)); break; /* the driver's */
    default: gc.a_extra = 4 * tu_randint(0, 20) + (ci % 8 == 2 ? tu_randint(1, 3) : 0); break;
    }
    gc.c_extra = ci % 3 == 0 ? 0 : tu_randint(0, 40);
    if (gc.K < *kmin) *kmin = gc.K;
    if (gc.K > *kmax) *kmax = gc.K;
    if (run_case(cfg, ci, &gc) && ++failed >= 5) {
      LF_CHECK_MSG(0, "%s: stopping after 5 failed cases", cfg->name);
      return ci + 1;
    }
  }
  return ncases;
}

LF_TEST(every_config_matches_unpacked_arithmetic) {
  int nconf = 0, total = 0;
  for (const lfrt_qs8_gemm_config *cfg = lfrt_qs8_gemm_configs(); cfg->fn; cfg++) {
    if (!lfrt_isa_available(cfg->isa)) {
      printf("  %-32s skipped: this CPU has no %s\n", cfg->name, lfrt_isa_name(cfg->isa));
      continue;
    }
    int kmin = 1 << 30, kmax = 0;
    int before = lf_test_failures;
    int n = test_config(cfg, &kmin, &kmax);
    printf("  %-32s %s (%s, %dx%d): %d cases, mr 1..%d, nc 1..%d, K %d..%d\n", cfg->name,
           lf_test_failures == before ? "ok" : "FAILED", lfrt_isa_name(cfg->isa), cfg->mr, cfg->nr, n, cfg->mr, cfg->nr,
           kmin, kmax);
    nconf++;
    total += n;
  }
  printf("  tested %d configs, %d cases\n", nconf, total);
  LF_CHECK_MSG(nconf >= 1, "no config tested (the reference must always be)");
}

int main(void) {
  LF_RUN(every_config_matches_unpacked_arithmetic);
  return lf_test_summary();
}
