/* Table-driven tester of the qs8 indirect GEMM microkernels (lfrt_igemm.h):
 * every config of lfrt_qs8_igemm_configs() whose ISA this CPU has, the
 * reference included, over random cases: every (mr, nc) pair up to MR x NR,
 * then random ones; ks taps from 1 to 25 (primes among them), kc = 4 .. 1152
 * (odd and prime multiples of 4). Each pointer of the ks x mr table points at
 * its own allocation of exactly kc bytes at an arbitrary (odd) address, or at
 * a shared zero-point buffer, or repeats another row's pointer (as neighbour
 * pixels share input); the table itself is allocated to exactly ks * mr
 * entries, so a sanitizer build catches reads of rows >= mr or past kc. Random
 * int8 weights w[n][p*kc + k], bias, input zero point, per-column scales in
 * 2^-20..2^-3 (some powers of two for exact ties, some up to 2^0 for heavy
 * clamping), output zero point and activation range; weights packed by
 * lfrt_qs8_gemm_pack(cfg->nr, ...). Every output byte is compared with the
 * value computed here from the unpacked data (lfrt_requant_fp32 on
 * lfrt_fp32_scale_split) and every other byte of the output buffer must keep
 * its guard value. Portable C: runs natively and under qemu. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_igemm.h"
#include "lfrt_quant.h"
#include "test_interp_util.h"

enum { GUARD_ROWS = 2, GUARD_BYTES = 64 };

typedef struct {
  int mr, nc, ks, kc, c_extra;
} igemm_case;

static int rand_kc(void) {
  static const int primes[] = {1, 2, 3, 5, 7, 11, 13, 17, 31, 61, 97, 127, 151, 211, 257, 288};
  switch (tu_randint(0, 5)) {
  case 0: case 1: return 4 * tu_randint(1, 16);
  case 2: case 3: return 4 * primes[tu_randint(0, (int)(sizeof primes / sizeof primes[0]) - 1)];
  default: return 4 * tu_randint(17, 80);
  }
}

static int rand_ks(void) {
  static const int ks[] = {1, 1, 2, 3, 4, 5, 7, 9, 9, 11, 13, 25};
  return ks[tu_randint(0, (int)(sizeof ks / sizeof ks[0]) - 1)];
}

static float rand_scale(int i) {
  switch (i % 8) {
  case 0: return ldexpf(1.0f, -tu_randint(3, 20));                /* exact ties */
  case 1: return ldexpf(tu_randf(0.5f, 1.0f), -tu_randint(0, 2)); /* heavy clamping */
  default: return ldexpf(tu_randf(0.5f, 1.0f), -tu_randint(3, 20));
  }
}

/* Runs one case; returns 0 if every byte matched. */
static int run_case(const lfrt_qs8_igemm_config *cfg, int ci, const igemm_case *gc) {
  const int MR = cfg->mr, NR = cfg->nr, mr = gc->mr, nc = gc->nc, ks = gc->ks, kc = gc->kc;
  const int K = ks * kc, nptr = ks * mr;
  const size_t c_stride = (size_t)nc + (size_t)gc->c_extra;
  const int8_t **a = malloc(sizeof *a * (size_t)nptr);
  int8_t **own = calloc((size_t)nptr, sizeof *own); /* allocations, freed at the end */
  int8_t *zero = malloc((size_t)kc);
  int8_t *w = malloc((size_t)nc * K);
  int32_t *bias = malloc(sizeof(int32_t) * NR);
  float *scale = malloc(sizeof(float) * NR);
  size_t blk_bytes = lfrt_qs8_gemm_block_bytes(NR, (size_t)K);
  void *blk = malloc(blk_bytes);
  size_t c_bytes = 2 * GUARD_BYTES + (size_t)(MR + GUARD_ROWS) * c_stride;
  int8_t *cbuf = malloc(c_bytes), *c = cbuf + GUARD_BYTES;
  int8_t *want = malloc(c_bytes);
  int ok = a && own && zero && w && bias && scale && blk && cbuf && want;
  int32_t in_zp = tu_randint(-128, 127), out_zp = tu_randint(-128, 127);
  memset(zero, (unsigned char)(int8_t)in_zp, (size_t)kc);
  int all255 = ci % 17 == 4; /* the extremes: uint8 255 (int8 127) times -128 */
  for (int j = 0; ok && j < nptr; j++) {
    int r = tu_randint(0, 9);
    if (r == 0) {
      a[j] = zero;
    } else if (r == 1 && j >= mr) {
      a[j] = a[tu_randint(0, j - 1)];
    } else {
      int off = tu_randint(0, 3); /* odd addresses: the allocation is kc + off, a[j] its last kc bytes */
      own[j] = malloc((size_t)kc + (size_t)off);
      if (!own[j]) { ok = 0; break; }
      for (int k = 0; k < kc; k++) own[j][off + k] = all255 ? 127 : (int8_t)tu_rand();
      a[j] = own[j] + off;
    }
  }
  if (!ok) LF_CHECK_MSG(0, "out of memory");
  int bad = !ok;
  if (ok) {
    int wlo = ci % 5 == 0 ? -127 : -tu_randint(1, 127), whi = ci % 5 == 0 ? 127 : tu_randint(1, 127);
    if (ci % 17 == 3) { wlo = -128; whi = -128; }
    if (all255) { wlo = -128; whi = 127; }
    for (size_t i = 0; i < (size_t)nc * K; i++) w[i] = (int8_t)tu_randint(wlo, whi);
    for (int n = 0; n < NR; n++) {
      bias[n] = ci % 7 == 0 ? (int32_t)(tu_rand() << 16 ^ tu_rand()) : tu_randint(-200000, 200000);
      scale[n] = rand_scale(ci + n);
    }
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
        for (int p = 0; p < ks; p++)
          for (int k = 0; k < kc; k++)
            acc += (uint32_t)(((int32_t)a[p * mr + i][k] - in_zp) * w[(size_t)n * K + (size_t)p * kc + k]);
        int32_t m;
        int e;
        lfrt_fp32_scale_split(scale[n], &m, &e);
        int32_t v = lfrt_clamp_i32(lfrt_requant_fp32((int32_t)acc, m, e), act_min - out_zp, act_max - out_zp);
        wc[(size_t)i * c_stride + n] = (int8_t)(v + out_zp);
      }

    cfg->fn(mr, nc, (size_t)kc, (size_t)ks, a, blk, c, c_stride, &rq);

    for (size_t j = 0; j < c_bytes && !bad; j++) {
      if (cbuf[j] == want[j]) continue;
      bad = 1;
      long off = (long)j - GUARD_BYTES, row = off >= 0 ? off / (long)c_stride : -1,
           col = off >= 0 ? off % (long)c_stride : off;
      int inside = off >= 0 && row < mr && col < nc;
      LF_CHECK_MSG(0, "%s case %d (mr %d nc %d ks %d kc %d c_stride %zu): %s byte at row %ld col %ld: got %d, want %d",
                   cfg->name, ci, mr, nc, ks, kc, c_stride, inside ? "output" : "guard", row, col, (int)cbuf[j],
                   (int)want[j]);
    }
    if (!bad) LF_CHECK(1);
  }
  for (int j = 0; own && j < nptr; j++) free(own[j]);
  free(own); free(a); free(zero); free(w); free(bias); free(scale); free(blk); free(cbuf); free(want);
  return bad;
}

static int test_config(const lfrt_qs8_igemm_config *cfg, int *kmax, int *ksmax) {
  const int MR = cfg->mr, NR = cfg->nr, nrandom = 250;
  int ncases = MR * NR + nrandom, failed = 0;
  for (int ci = 0; ci < ncases; ci++) {
    igemm_case gc;
    if (ci < MR * NR) { /* every (mr, nc) pair once, small windows */
      gc.mr = 1 + ci % MR;
      gc.nc = 1 + ci / MR;
      gc.ks = tu_randint(1, 5);
      gc.kc = 4 * tu_randint(1, 12);
    } else {
      gc.mr = ci % 4 == 0 ? MR : tu_randint(1, MR);
      gc.nc = ci % 4 == 1 ? NR : tu_randint(1, NR);
      gc.ks = rand_ks();
      gc.kc = rand_kc();
      if (gc.ks * gc.kc > 4000) gc.ks = 1;
    }
    gc.c_extra = ci % 3 == 0 ? 0 : tu_randint(0, 40);
    if (gc.kc > *kmax) *kmax = gc.kc;
    if (gc.ks > *ksmax) *ksmax = gc.ks;
    if (run_case(cfg, ci, &gc) && ++failed >= 5) {
      LF_CHECK_MSG(0, "%s: stopping after 5 failed cases", cfg->name);
      return ci + 1;
    }
  }
  return ncases;
}

LF_TEST(every_config_matches_unpacked_arithmetic) {
  int nconf = 0, total = 0;
  for (const lfrt_qs8_igemm_config *cfg = lfrt_qs8_igemm_configs(); cfg->fn; cfg++) {
    if (!lfrt_isa_available(cfg->isa)) {
      printf("  %-32s skipped: this CPU has no %s\n", cfg->name, lfrt_isa_name(cfg->isa));
      continue;
    }
    int kmax = 0, ksmax = 0, before = lf_test_failures;
    int n = test_config(cfg, &kmax, &ksmax);
    printf("  %-32s %s (%s, %dx%d): %d cases, mr 1..%d, nc 1..%d, kc 4..%d, ks 1..%d\n", cfg->name,
           lf_test_failures == before ? "ok" : "FAILED", lfrt_isa_name(cfg->isa), cfg->mr, cfg->nr, n, cfg->mr,
           cfg->nr, kmax, ksmax);
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
