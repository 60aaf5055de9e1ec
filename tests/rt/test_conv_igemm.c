/* The int8 indirect-GEMM path of CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED
 * (pointer tables + packed weights + every qs8 igemm microkernel this CPU can
 * run, the portable one included; lfrt_conv_igemm.h) against the reference op
 * kernels, byte for byte: in_c a multiple of 4 (the path's condition), odd and
 * prime everything else: sizes, output channels, kernels, strides, dilations,
 * paddings (taps on the zero-point buffer), activations, zero points,
 * per-channel scales, random row slices, batches. Runs natively and under qemu. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_conv_igemm.h"
#include "lfrt_quant.h"
#include "test_interp_util.h"

enum { CONV, TCONV, FC };

static int conv_out(int same, int in, int k, int s, int d, int *pad) {
  int eff = (k - 1) * d + 1;
  int out = same ? (in + s - 1) / s : (in + s - eff) / s;
  int total = (out - 1) * s + eff - in;
  *pad = total > 0 ? total / 2 : 0;
  return out;
}

static int cases_run;

/* One random case of `kind` through config g; 0 if equal to the reference. */
static int one_case(const lfrt_qs8_igemm_config *g, int kind, int idx) {
  static const int dims[] = {1, 2, 3, 5, 7, 11, 13, 17};
  static const int chans[] = {1, 3, 4, 5, 8, 13, 16, 17, 31, 33, 64, 67};
  static const int in_chans[] = {4, 8, 12, 20, 28, 44, 64, 68, 124, 4, 8, 132};
  lfrt_conv_params p;
  memset(&p, 0, sizeof p);
  p.batch = 1 + idx % 2;
  p.in_h = dims[tu_randint(0, 7)];
  p.in_w = dims[tu_randint(0, 7)];
  p.in_c = in_chans[tu_randint(0, 11)];
  p.out_c = chans[tu_randint(0, 11)];
  p.k_h = (int[]){1, 2, 3, 5}[tu_randint(0, 3)];
  p.k_w = (int[]){1, 2, 3, 5}[tu_randint(0, 3)];
  p.stride_h = tu_randint(1, 3);
  p.stride_w = tu_randint(1, 3);
  p.dil_h = p.dil_w = 1;
  int same = tu_randint(0, 1);
  if (kind == FC) {
    p.in_h = p.in_w = p.out_h = p.out_w = p.k_h = p.k_w = p.stride_h = p.stride_w = 1;
    p.batch = tu_randint(1, 5);
    p.in_c = 4 * tu_randint(1, 75);
  } else if (kind == TCONV) {
    p.stride_h = p.stride_w = tu_randint(1, 2);
    p.out_h = same ? p.in_h * p.stride_h : (p.in_h - 1) * p.stride_h + p.k_h;
    p.out_w = same ? p.in_w * p.stride_w : (p.in_w - 1) * p.stride_w + p.k_w;
    conv_out(same, p.out_h, p.k_h, p.stride_h, 1, &p.pad_top);
    conv_out(same, p.out_w, p.k_w, p.stride_w, 1, &p.pad_left);
  } else {
    p.dil_h = tu_randint(1, 2);
    p.dil_w = tu_randint(1, 2);
    p.out_h = conv_out(same, p.in_h, p.k_h, p.stride_h, p.dil_h, &p.pad_top);
    p.out_w = conv_out(same, p.in_w, p.k_w, p.stride_w, p.dil_w, &p.pad_left);
    if (p.out_h < 1 || p.out_w < 1) return 0;
  }
  p.in_zp = tu_randint(-128, 127);
  p.out_zp = tu_randint(-128, 127);
  p.act_min = tu_randint(0, 3) ? -128 : tu_randint(-128, 0);
  p.act_max = tu_randint(0, 3) ? 127 : tu_randint(p.act_min, 127);
  int K = p.k_h * p.k_w * p.in_c, N = p.out_c;
  size_t in_n = (size_t)p.batch * p.in_h * p.in_w * p.in_c, out_n = (size_t)p.batch * p.out_h * p.out_w * N;
  int8_t *in = malloc(in_n), *w = malloc((size_t)N * K), *want = malloc(out_n), *got = malloc(out_n);
  int32_t *bias = malloc((size_t)N * 4), *mult = malloc((size_t)N * 4), *shift = malloc((size_t)N * 4);
  float *scale = malloc((size_t)N * 4);
  for (size_t i = 0; i < in_n; i++) in[i] = (int8_t)tu_randint(-128, 127);
  for (int i = 0; i < N * K; i++) w[i] = (int8_t)tu_randint(-127, 127);
  int has_bias = tu_randint(0, 3) != 0;
  for (int c = 0; c < N; c++) {
    bias[c] = tu_randint(-20000, 20000);
    /* per-channel float scale as the converter makes them: fl(fl(xs*ws)/ys) */
    float s = ldexpf(tu_randf(0.5f, 1.0f), -tu_randint(6, 16));
    int32_t m;
    int e;
    lfrt_fp32_scale_split(s, &m, &e);
    mult[c] = m;
    shift[c] = e;
    scale[c] = ldexpf((float)m, e);
  }
  p.mult = mult;
  p.shift = shift;
  int rows = p.batch * p.out_h, begin = 0, end = rows;
  if (rows > 1 && tu_randint(0, 1)) {
    begin = tu_randint(0, rows - 1);
    end = tu_randint(begin + 1, rows);
  }
  memset(want, 0x5a, out_n);
  memset(got, 0x5a, out_n);
  if (kind == CONV) lfrt_qs8_conv2d__ref(&p, in, w, has_bias ? bias : NULL, want, begin, end);
  else if (kind == TCONV) lfrt_qs8_tconv2d__ref(&p, in, w, has_bias ? bias : NULL, want, begin, end);
  else {
    lfrt_fc_params f;
    memset(&f, 0, sizeof f);
    f.batch = p.batch; f.in_c = p.in_c; f.out_c = p.out_c;
    f.in_zp = p.in_zp; f.out_zp = p.out_zp; f.act_min = p.act_min; f.act_max = p.act_max;
    f.mult = mult; f.shift = shift;
    lfrt_qs8_fc__ref(&f, in, w, has_bias ? bias : NULL, want, begin * N, end * N);
  }
  size_t kc = ((size_t)K + 3) & ~(size_t)3;
  void *packed = malloc(((size_t)N + g->nr - 1) / g->nr * lfrt_qs8_gemm_block_bytes(g->nr, kc));
  void *scratch = malloc(lfrt_qs8_conv_igemm_scratch(&p, g));
  int8_t *zero = malloc((size_t)p.in_c);
  memset(zero, (unsigned char)(int8_t)p.in_zp, (size_t)p.in_c);
  lfrt_qs8_gemm_pack(g->nr, N, K, w, has_bias ? bias : NULL, p.in_zp, scale, packed);
  lfrt_qs8_conv_igemm_run(&p, kind == TCONV, g, packed, zero, in, got, begin, end, scratch);
  int bad = memcmp(want, got, out_n) != 0;
  if (bad) {
    size_t i = 0;
    while (want[i] == got[i]) i++;
    LF_CHECK_MSG(0, "%s %s case %d: in %dx%dx%dx%d k %dx%d s %d,%d d %d,%d pad %d,%d out %dx%dx%d rows [%d,%d): byte %zu got %d want %d",
                 g->name, kind == CONV ? "conv" : kind == TCONV ? "tconv" : "fc", idx, p.batch, p.in_h, p.in_w, p.in_c,
                 p.k_h, p.k_w, p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.pad_top, p.pad_left, p.out_h, p.out_w, N,
                 begin, end, i, got[i], want[i]);
  }
  cases_run++;
  free(in); free(w); free(want); free(got); free(bias); free(mult); free(shift); free(scale); free(packed); free(scratch); free(zero);
  return bad;
}

LF_TEST(every_config_matches_reference) {
  int configs = 0;
  for (const lfrt_qs8_igemm_config *g = lfrt_qs8_igemm_configs(); g->fn; g++) {
    if (!lfrt_isa_available(g->isa)) {
      printf("  %s: skipped (this CPU lacks %s)\n", g->name, lfrt_isa_name(g->isa));
      continue;
    }
    configs++;
    int bad = 0, before = cases_run;
    for (int i = 0; i < 600 && bad < 3; i++) bad += one_case(g, i % 3, i);
    printf("  %s (mr %d, nr %d): %d cases, %d mismatches\n", g->name, g->mr, g->nr, cases_run - before, bad);
    LF_CHECK_MSG(bad == 0 && cases_run - before > 300, "%s", g->name);
  }
  LF_CHECK(configs >= 1);
}

int main(void) {
  LF_RUN(every_config_matches_reference);
  return lf_test_summary();
}
