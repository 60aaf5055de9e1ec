/* Table-driven tester of the int8 MAX_POOL_2D and AVERAGE_POOL_2D variants
 * (lfrt_config_spatial.h): every config of lfrt_qs8_maxpool_configs() and
 * lfrt_qs8_avgpool_configs() whose ISA this CPU has, against the family's
 * reference, over random cases: odd and prime H, W, C, batch 1-2, windows
 * 1..5 (and whole-input windows over 256 taps), strides 1-3, SAME/VALID
 * padding (windows clipped to the input, some empty), every fused activation
 * range, rows split into random [begin, end) slices. Every output byte must
 * equal the reference's (memcmp), and the bytes around the output keep their
 * guard. Portable C: runs natively and under qemu. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_config_spatial.h"
#include "test_interp_util.h"

enum { GUARD = 64, CASES = 500 };

static int pick(const int *v, int n) { return v[tu_randint(0, n - 1)]; }

static int run_case(const lfrt_qs8_pool_config *cfg, lfrt_qs8_pool_fn ref_fn, int ci) {
  static const int hw[] = {1, 2, 3, 5, 7, 11, 13, 17, 20};
  static const int cs[] = {1, 2, 3, 5, 7, 8, 11, 13, 16, 17, 31, 32, 33, 64, 67, 65, 130};
  lfrt_pool_params p;
  memset(&p, 0, sizeof p);
  p.batch = tu_randint(1, 2);
  p.in_h = pick(hw, 9);
  p.in_w = pick(hw, 9);
  p.c = pick(cs, 17);
  int same = tu_randint(0, 1);
  if (ci % 10 == 9) { /* whole input (global pooling), up to 400 taps */
    p.k_h = p.in_h;
    p.k_w = p.in_w;
    same = 0;
  } else {
    p.k_h = tu_randint(1, 5);
    p.k_w = tu_randint(0, 1) ? p.k_h : tu_randint(1, 5);
  }
  p.stride_h = tu_randint(1, 3);
  p.stride_w = tu_randint(0, 1) ? p.stride_h : tu_randint(1, 3);
  if (same) {
    p.out_h = (p.in_h + p.stride_h - 1) / p.stride_h;
    p.out_w = (p.in_w + p.stride_w - 1) / p.stride_w;
    int th = (p.out_h - 1) * p.stride_h + p.k_h - p.in_h, tw = (p.out_w - 1) * p.stride_w + p.k_w - p.in_w;
    p.pad_top = th > 0 ? th / 2 : 0;
    p.pad_left = tw > 0 ? tw / 2 : 0;
    if (tu_randint(0, 9) == 0) p.pad_top += p.k_h; /* windows entirely in the padding: empty */
  } else {
    p.out_h = p.in_h >= p.k_h ? (p.in_h - p.k_h) / p.stride_h + 1 : 0;
    p.out_w = p.in_w >= p.k_w ? (p.in_w - p.k_w) / p.stride_w + 1 : 0;
  }
  if (p.out_h < 1 || p.out_w < 1) return 0;
  switch (tu_randint(0, 3)) {
  case 0: p.act_min = -128; p.act_max = 127; break;
  case 1: p.act_min = tu_randint(-128, 127); p.act_max = 127; break;
  default: p.act_min = tu_randint(-128, 127); p.act_max = tu_randint(p.act_min, 127); break;
  }
  size_t in_n = (size_t)p.batch * p.in_h * p.in_w * p.c, out_n = (size_t)p.batch * p.out_h * p.out_w * p.c;
  int8_t *in = malloc(in_n), *ref = malloc(out_n), *got = malloc(out_n + 2 * GUARD);
  if (!in || !ref || !got) return 1;
  int lo = tu_randint(-128, 127), hi = tu_randint(lo, 127);
  if (tu_randint(0, 2) == 0) { lo = -128; hi = tu_randint(0, 1) ? -128 : 127; } /* extreme sums */
  for (size_t i = 0; i < in_n; i++) in[i] = (int8_t)tu_randint(lo, hi);
  int rows = p.batch * p.out_h;
  ref_fn(&p, in, ref, 0, rows);
  memset(got, 0x5a, out_n + 2 * GUARD);
  for (int r0 = 0; r0 < rows;) {
    int r1 = r0 + tu_randint(1, rows - r0);
    cfg->fn(&p, in, got + GUARD, r0, r1);
    r0 = r1;
  }
  int bad = memcmp(ref, got + GUARD, out_n) != 0;
  for (int i = 0; i < GUARD; i++)
    if (got[i] != 0x5a || got[GUARD + out_n + i] != 0x5a) bad = 1;
  if (bad) {
    size_t at = 0;
    while (at < out_n && ref[at] == got[GUARD + at]) at++;
    fprintf(stderr,
            "FAIL %s case %d: batch %d in %dx%dx%d k %dx%d stride %d,%d pad %d,%d out %dx%d act [%d,%d]: first "
            "difference at byte %zu: ref %d, got %d\n",
            cfg->name, ci, p.batch, p.in_h, p.in_w, p.c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.pad_top,
            p.pad_left, p.out_h, p.out_w, p.act_min, p.act_max, at, at < out_n ? ref[at] : 0,
            at < out_n ? got[GUARD + at] : 0);
  }
  free(in); free(ref); free(got);
  return bad;
}

static void run_family(const lfrt_qs8_pool_config *cfgs, lfrt_qs8_pool_fn ref_fn) {
  for (const lfrt_qs8_pool_config *cfg = cfgs; cfg->fn; cfg++) {
    if (!lfrt_isa_available(cfg->isa)) {
      printf("skip %s (ISA %s not available)\n", cfg->name, lfrt_isa_name(cfg->isa));
      continue;
    }
    int f = 0;
    for (int ci = 0; ci < CASES && f < 5; ci++) f += run_case(cfg, ref_fn, ci);
    printf("%s %s: %d cases\n", f ? "FAIL" : "ok", cfg->name, CASES);
    lf_test_checks++;
    lf_test_failures += f != 0;
  }
}

int main(void) {
  run_family(lfrt_qs8_maxpool_configs(), lfrt_qs8_maxpool__ref);
  run_family(lfrt_qs8_avgpool_configs(), lfrt_qs8_avgpool__ref);
  return lf_test_summary();
}
