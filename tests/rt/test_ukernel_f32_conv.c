/* Table-driven tester of the f32 conv microkernels (lfrt_f32_conv.h): every
 * config of lfrt_f32_conv_configs() whose ISA this CPU has (the portable one
 * included; with LFRT_ISA set, those that ISA implies), each through the op
 * drivers CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED and DEPTHWISE_CONV_2D (its
 * own microkernel; depth multipliers 2-3 take the reference), on random odd/prime
 * shapes (H, W, C, OC in 1..67), kernels 1/2/3/5/7, strides 1-3, dilations
 * 1-3, SAME/VALID, every fused activation, with and without bias, inputs and
 * weights with -0.0, large and tiny (denormal) values. The output must equal
 * the reference kernel's bytes (memcmp), over a random [begin, end) slice of
 * the work cut into random sub-slices, and bytes outside the slice must keep
 * their guard value. Portable C: runs natively and under qemu. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_f32_conv.h"
#include "test_interp_util.h"

enum { CONV, TCONV, FC, DW };
static const char *const op_names[] = {"conv2d", "tconv2d", "fc", "dwconv2d"};
static const int dims[] = {1, 2, 3, 5, 7, 11, 13, 17, 31, 33, 67};
static const int ksz[] = {1, 2, 3, 5, 7};

static int pick_dim(int maxi) { return dims[tu_randint(0, maxi)]; }

static float rand_val(void) {
  switch (tu_randint(0, 19)) {
  case 0: return -0.0f;
  case 1: return 0.0f;
  case 2: return ldexpf(tu_randf(-1.0f, 1.0f), tu_randint(40, 60));    /* large */
  case 3: return ldexpf(tu_randf(-1.0f, 1.0f), -tu_randint(60, 140)); /* tiny, some denormal */
  default: return tu_randf(-1.0f, 1.0f);
  }
}

static void fill(float *p, size_t n) {
  for (size_t i = 0; i < n; i++) p[i] = rand_val();
}

static int conv_out(int same, int in, int k, int s, int d, int *pad) {
  int eff = (k - 1) * d + 1;
  int out = same ? (in + s - 1) / s : (in + s - eff) / s;
  int total = (out - 1) * s + eff - in;
  *pad = total > 0 ? total / 2 : 0;
  return out;
}

static void set_act(float *mn, float *mx) {
  static const float lo[] = {-INFINITY, 0.0f, 0.0f, -1.0f}, hi[] = {INFINITY, INFINITY, 6.0f, 1.0f};
  int a = tu_randint(0, 3);
  *mn = lo[a];
  *mx = hi[a];
}

static long ncases[8];

/* One random case of op for config c (index ci); returns 0 when skipped (too big). */
static int one_case(int op, const lfrt_f32_conv_config *c, int ci) {
  lfrt_conv_params p;
  lfrt_fc_params f;
  memset(&p, 0, sizeof p);
  memset(&f, 0, sizeof f);
  int N, K, work;
  size_t in_n, out_n;
  int big = tu_randint(0, 4) == 0; /* sometimes up to 67 */
  if (op == FC) {
    f.batch = tu_randint(1, 11);
    f.in_c = pick_dim(big ? 10 : 8);
    f.out_c = pick_dim(big ? 10 : 8);
    set_act(&f.act_min_f, &f.act_max_f);
    N = f.out_c;
    K = f.in_c;
    work = f.batch * f.out_c;
    in_n = (size_t)f.batch * f.in_c;
    out_n = (size_t)work;
  } else {
    p.batch = tu_randint(1, 2);
    p.in_h = pick_dim(big ? 10 : 6);
    p.in_w = pick_dim(big ? 10 : 6);
    p.in_c = pick_dim(big ? 10 : 8);
    p.out_c = pick_dim(big ? 10 : 8);
    if (op == DW) {
      p.in_c = pick_dim(10);
      p.depth_multiplier = tu_randint(0, 4) ? 1 : tu_randint(2, 3);
      p.out_c = p.in_c * p.depth_multiplier;
    }
    p.k_h = ksz[tu_randint(0, 4)];
    p.k_w = tu_randint(0, 2) ? p.k_h : ksz[tu_randint(0, 4)];
    p.stride_h = tu_randint(1, 3);
    p.stride_w = tu_randint(0, 1) ? p.stride_h : tu_randint(1, 3);
    p.dil_h = tu_randint(0, 2) ? 1 : tu_randint(2, 3);
    p.dil_w = tu_randint(0, 1) ? p.dil_h : tu_randint(1, 3);
    int same = tu_randint(0, 1);
    if (op != TCONV) {
      p.out_h = conv_out(same, p.in_h, p.k_h, p.stride_h, p.dil_h, &p.pad_top);
      p.out_w = conv_out(same, p.in_w, p.k_w, p.stride_w, p.dil_w, &p.pad_left);
      if (p.out_h < 1 || p.out_w < 1) return 0;
    } else {
      p.out_h = same ? p.in_h * p.stride_h : (p.in_h - 1) * p.stride_h + (p.k_h - 1) * p.dil_h + 1;
      p.out_w = same ? p.in_w * p.stride_w : (p.in_w - 1) * p.stride_w + (p.k_w - 1) * p.dil_w + 1;
      conv_out(same, p.out_h, p.k_h, p.stride_h, p.dil_h, &p.pad_top);
      conv_out(same, p.out_w, p.k_w, p.stride_w, p.dil_w, &p.pad_left);
    }
    set_act(&p.act_min_f, &p.act_max_f);
    N = p.out_c;
    K = op == DW ? p.k_h * p.k_w : p.k_h * p.k_w * p.in_c;
    work = p.batch * p.out_h;
    in_n = (size_t)p.batch * p.in_h * p.in_w * p.in_c;
    out_n = (size_t)work * p.out_w * p.out_c;
  }
  double macs = op == FC ? (double)work * K : (double)out_n * K;
  if (macs > 3e6) return 0;
  float *x = malloc(in_n * sizeof *x), *w = malloc((size_t)N * K * sizeof *w), *bias = malloc((size_t)N * sizeof *bias);
  float *y_ref = malloc(out_n * sizeof *y_ref), *y = malloc(out_n * sizeof *y), *packed = NULL;
  size_t pf = ((size_t)N + c->nr - 1) / c->nr * lfrt_f32_conv_block_floats(c->nr, (size_t)K);
  if (posix_memalign((void **)&packed, 64, pf * sizeof(float))) packed = NULL;
  if (!x || !w || !bias || !y_ref || !y || !packed) {
    fprintf(stderr, "out of memory\n");
    exit(1);
  }
  fill(x, in_n);
  fill(w, (size_t)N * K);
  fill(bias, (size_t)N);
  const float *b = tu_randint(0, 2) ? bias : NULL;
  if (op != DW) lfrt_f32_conv_pack(c->nr, N, K, w, b, packed);
  p.packed_f32 = f.packed_f32 = packed;
  p.f32_cfg = f.f32_cfg = c;
  memset(y_ref, 0xA5, out_n * sizeof *y_ref);
  memset(y, 0xA5, out_n * sizeof *y);
  int begin = 0, end = work;
  if (tu_randint(0, 1)) {
    begin = tu_randint(0, work - 1);
    end = tu_randint(begin + 1, work);
  }
  if (op == CONV) lfrt_f32_conv2d__ref(&p, x, w, b, y_ref, begin, end);
  else if (op == TCONV) lfrt_f32_tconv2d__ref(&p, x, w, b, y_ref, begin, end);
  else if (op == DW) lfrt_f32_dwconv2d__ref(&p, x, w, b, y_ref, begin, end);
  else lfrt_f32_fc__ref(&f, x, w, b, y_ref, begin, end);
  for (int s = begin; s < end;) {
    int e = tu_randint(0, 2) ? end : tu_randint(s + 1, end);
    if (op == CONV) lfrt_f32_conv2d_packed(&p, x, NULL, b, y, s, e);
    else if (op == TCONV) lfrt_f32_tconv2d_packed(&p, x, NULL, b, y, s, e);
    else if (op == DW) lfrt_f32_dwconv2d_packed(&p, x, w, b, y, s, e);
    else lfrt_f32_fc_packed(&f, x, NULL, b, y, s, e);
    s = e;
  }
  if (memcmp(y, y_ref, out_n * sizeof *y)) {
    size_t i = 0;
    while (!memcmp(y + i, y_ref + i, sizeof *y)) i++;
    uint32_t u, v;
    memcpy(&u, y + i, 4);
    memcpy(&v, y_ref + i, 4);
    if (op == FC)
      LF_CHECK_MSG(0, "%s %s: batch %d in %d out %d bias %d act [%g,%g] slice [%d,%d): y[%zu] = %08x, ref %08x",
                   c->name, op_names[op], f.batch, f.in_c, f.out_c, b != NULL, f.act_min_f, f.act_max_f, begin,
                   end, i, (unsigned)u, (unsigned)v);
    else
      LF_CHECK_MSG(0,
                   "%s %s: batch %d in %dx%dx%d out %dx%dx%d k %dx%d s %d,%d d %d,%d pad %d,%d bias %d "
                   "act [%g,%g] mult %d rows [%d,%d): y[%zu] = %08x, ref %08x",
                   op == DW ? c->dw_name : c->name, op_names[op], p.batch, p.in_h, p.in_w, p.in_c, p.out_h, p.out_w, p.out_c, p.k_h, p.k_w,
                   p.stride_h, p.stride_w, p.dil_h, p.dil_w, p.pad_top, p.pad_left, b != NULL, p.act_min_f,
                   p.act_max_f, p.depth_multiplier, begin, end, i, (unsigned)u, (unsigned)v);
  } else {
    LF_CHECK(1);
  }
  ncases[ci]++;
  free(x); free(w); free(bias); free(y_ref); free(y); free(packed);
  return 1;
}

LF_TEST(variants) {
  const char *env = getenv("LFRT_ISA");
  int forced = env && *env && strcmp(env, "auto") ? lfrt_isa_from_name(env) : -1;
  int ci = 0;
  for (const lfrt_f32_conv_config *c = lfrt_f32_conv_configs(); c->fn; c++, ci++) {
    if (!lfrt_isa_available(c->isa) || (forced >= 0 && !lfrt_isa_implies((lfrt_isa)forced, c->isa))) {
      printf("  %-28s skipped (ISA %s not %s)\n", c->name, lfrt_isa_name(c->isa),
             forced >= 0 ? "implied by LFRT_ISA" : "available");
      continue;
    }
    int want = c->isa == LFRT_ISA_REF ? 150 : 400;
    for (int op = CONV; op <= DW; op++)
      for (int n = 0; n < want;) n += one_case(op, c, ci);
    printf("  %-28s + %-28s %ld cases\n", c->name, c->dw_name, ncases[ci]);
  }
}

int main(void) {
  LF_RUN(variants);
  return lf_test_summary();
}
