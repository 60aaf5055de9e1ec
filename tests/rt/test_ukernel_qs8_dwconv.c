/* Table-driven tester of the int8 DEPTHWISE_CONV_2D variants
 * (lfrt_config_spatial.h): every config of lfrt_qs8_dwconv_configs() whose
 * ISA this CPU has, against lfrt_qs8_dwconv2d__ref, over random cases: odd and
 * prime H, W, C, batch 1-2, kernels 1/2/3/5, strides 1-3, dilations 1-2,
 * SAME/VALID padding, depth multipliers 1-3, random int8 weights (-128
 * included), input/output zero points, per-channel or per-tensor scales
 * (powers of two for exact ties, large ones for clamping, an occasional 0),
 * biases up to 2^28 or none, every fused activation range, and the rows
 * split into random [begin, end) slices. Every output byte must equal the
 * reference's (memcmp), and the bytes around the output keep their guard.
 * A third of the cases are 1x1 / multiplier 1 / stride 1 (DenseNet's
 * BatchNorm+ReLU fast path). Portable C: runs natively and under qemu. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_config_spatial.h"
#include "lfrt_quant.h"
#include "test_interp_util.h"

enum { GUARD = 64, CASES = 600 };

static int pick(const int *v, int n) { return v[tu_randint(0, n - 1)]; }

/* TFLite output size and leading pad; 0 if the output would be empty. */
static int geom(int in, int k, int s, int d, int same, int *pad) {
  int ek = (k - 1) * d + 1, out;
  if (same) {
    out = (in + s - 1) / s;
    int total = (out - 1) * s + ek - in;
    *pad = total > 0 ? total / 2 : 0;
  } else {
    out = in >= ek ? (in - ek) / s + 1 : 0;
    *pad = 0;
  }
  return out;
}

static float rand_scale(int kind) {
  switch (kind % 8) {
  case 0: return ldexpf(1.0f, -tu_randint(1, 12)); /* exact ties */
  case 1: return ldexpf(tu_randf(0.5f, 1.0f), tu_randint(-2, 3)); /* heavy clamping */
  case 2: return tu_randint(0, 30) == 0 ? 0.0f : ldexpf(tu_randf(0.5f, 1.0f), -tu_randint(3, 24));
  default: return ldexpf(tu_randf(0.5f, 1.0f), -tu_randint(3, 24));
  }
}

static void rand_act(int32_t out_zp, int32_t *lo, int32_t *hi) {
  switch (tu_randint(0, 4)) {
  case 0: *lo = -128; *hi = 127; break;                            /* none */
  case 1: *lo = out_zp; *hi = 127; break;                          /* RELU */
  case 2: *lo = out_zp; *hi = out_zp + tu_randint(0, 60); break;   /* RELU6 */
  case 3: *lo = out_zp - tu_randint(0, 40); *hi = out_zp + tu_randint(0, 40); break; /* RELU_N1_TO_1 */
  default: *lo = tu_randint(-128, 127); *hi = tu_randint(*lo, 127); break;
  }
  if (*lo < -128) *lo = -128;
  if (*hi > 127) *hi = 127;
  if (*lo > *hi) *lo = *hi;
}

static int run_case(const lfrt_qs8_dwconv_config *cfg, int ci, int fast) {
  static const int hw[] = {1, 2, 3, 5, 7, 11, 13, 17};
  static const int cs[] = {1, 2, 3, 5, 7, 11, 13, 16, 17, 31, 32, 33, 64, 67, 96, 131};
  static const int ks[] = {1, 2, 3, 5};
  lfrt_conv_params p;
  memset(&p, 0, sizeof p);
  int same = tu_randint(0, 1), pt = 0, pl = 0;
  p.batch = tu_randint(1, 2);
  p.in_h = pick(hw, 8);
  p.in_w = pick(hw, 8);
  p.in_c = pick(cs, 16);
  if (fast) {
    p.k_h = p.k_w = p.stride_h = p.stride_w = p.dil_h = p.dil_w = p.depth_multiplier = 1;
  } else {
    p.k_h = pick(ks, 4);
    p.k_w = tu_randint(0, 2) ? p.k_h : pick(ks, 4);
    p.stride_h = tu_randint(1, 3);
    p.stride_w = tu_randint(0, 1) ? p.stride_h : tu_randint(1, 3);
    p.dil_h = tu_randint(1, 2);
    p.dil_w = tu_randint(1, 2);
    p.depth_multiplier = tu_randint(1, 3);
  }
  p.out_h = geom(p.in_h, p.k_h, p.stride_h, p.dil_h, same, &pt);
  p.out_w = geom(p.in_w, p.k_w, p.stride_w, p.dil_w, same, &pl);
  if (p.out_h < 1 || p.out_w < 1) return 0; /* empty: nothing to compare */
  p.pad_top = pt;
  p.pad_left = pl;
  p.out_c = p.in_c * p.depth_multiplier;
  p.in_zp = tu_randint(-128, 127);
  p.out_zp = tu_randint(-128, 127);
  if (tu_randint(0, 5) == 0) p.in_zp = tu_randint(0, 1) ? -128 : 127; /* |x - zp| up to 255 */
  rand_act(p.out_zp, &p.act_min, &p.act_max);
  const int C = p.out_c;
  size_t in_n = (size_t)p.batch * p.in_h * p.in_w * p.in_c, out_n = (size_t)p.batch * p.out_h * p.out_w * C;
  size_t w_n = (size_t)p.k_h * p.k_w * C;
  int8_t *in = malloc(in_n), *w = malloc(w_n);
  int8_t *ref = malloc(out_n), *got = malloc(out_n + 2 * GUARD);
  int32_t *bias = malloc(sizeof(int32_t) * (size_t)C), *mult = malloc(sizeof(int32_t) * (size_t)C);
  int32_t *shift = malloc(sizeof(int32_t) * (size_t)C);
  float *sf = malloc(sizeof(float) * (size_t)C);
  if (!in || !w || !ref || !got || !bias || !mult || !shift || !sf) return 1;
  for (size_t i = 0; i < in_n; i++) in[i] = (int8_t)tu_randint(-128, 127);
  for (size_t i = 0; i < w_n; i++) w[i] = (int8_t)tu_randint(-128, 127);
  int big = tu_randint(0, 7) == 0, per_tensor = tu_randint(0, 3) == 0, kind = tu_randint(0, 7);
  for (int c = 0; c < C; c++) {
    bias[c] = big ? (int32_t)(tu_rand() % (1u << 29)) - (1 << 28) : tu_randint(-20000, 20000);
    float s = per_tensor && c > 0 ? ldexpf((float)mult[0], shift[0]) : rand_scale(kind + (per_tensor ? 0 : c));
    int e = 0;
    int32_t m = 0;
    if (s > 0.0f) lfrt_fp32_scale_split(s, &m, &e);
    mult[c] = m;
    shift[c] = e;
    sf[c] = ldexpf((float)m, e);
  }
  p.mult = mult;
  p.shift = shift;
  p.scale_f = sf;
  const int32_t *b = tu_randint(0, 5) == 0 ? NULL : bias;
  int rows = p.batch * p.out_h;
  lfrt_qs8_dwconv2d__ref(&p, in, w, b, ref, 0, rows);
  memset(got, 0x5a, out_n + 2 * GUARD);
  /* random slices */
  for (int r0 = 0; r0 < rows;) {
    int r1 = r0 + tu_randint(1, rows - r0);
    cfg->fn(&p, in, w, b, got + GUARD, r0, r1);
    r0 = r1;
  }
  int bad = memcmp(ref, got + GUARD, out_n) != 0;
  for (int i = 0; i < GUARD; i++)
    if (got[i] != 0x5a || got[GUARD + out_n + i] != 0x5a) bad = 1;
  if (bad) {
    size_t at = 0;
    while (at < out_n && ref[at] == got[GUARD + at]) at++;
    fprintf(stderr,
            "FAIL %s case %d: batch %d in %dx%dx%d k %dx%d stride %d,%d dil %d,%d pad %d,%d (%s) dm %d out %dx%dx%d "
            "in_zp %d out_zp %d act [%d,%d] bias %s%s: first difference at byte %zu (channel %zu): ref %d, got %d\n",
            cfg->name, ci, p.batch, p.in_h, p.in_w, p.in_c, p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w,
            p.pad_top, p.pad_left, same ? "SAME" : "VALID", p.depth_multiplier, p.out_h, p.out_w, C, p.in_zp,
            p.out_zp, p.act_min, p.act_max, b ? "yes" : "NULL", per_tensor ? " per-tensor" : "", at,
            at % (size_t)C, at < out_n ? ref[at] : 0, at < out_n ? got[GUARD + at] : 0);
  }
  free(in); free(w); free(ref); free(got); free(bias); free(mult); free(shift); free(sf);
  return bad;
}

int main(void) {
  int failed = 0, tested = 0;
  for (const lfrt_qs8_dwconv_config *cfg = lfrt_qs8_dwconv_configs(); cfg->fn; cfg++) {
    if (!lfrt_isa_available(cfg->isa)) {
      printf("skip %s (ISA %s not available)\n", cfg->name, lfrt_isa_name(cfg->isa));
      continue;
    }
    int f = 0;
    for (int ci = 0; ci < CASES && f < 5; ci++) f += run_case(cfg, ci, ci % 3 == 0);
    printf("%s %s: %d cases\n", f ? "FAIL" : "ok", cfg->name, CASES);
    failed += f;
    tested++;
  }
  lf_test_checks += tested;
  lf_test_failures += failed;
  return lf_test_summary();
}
