/* Table-driven tester of the float ADD/MUL variants (lfrt_f32_binary.h):
 * every config whose ISA this CPU has (with LFRT_ISA set, those it implies),
 * on random odd/prime NHWC shapes with b of the same shape, per-channel [C],
 * [W, C], or one value, every fused activation, values with -0.0, large
 * (overflowing) and tiny (denormal) ones, random [begin, end) slices cut in
 * random sub-slices: the output must equal lfrt_f32_{add,mul}__ref's bytes,
 * and bytes outside the slice keep their guard value. Portable C. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_f32_binary.h"
#include "test_interp_util.h"

static const int dims[] = {1, 2, 3, 5, 7, 11, 13, 17, 31, 33, 67};

static float rand_val(void) {
  switch (tu_randint(0, 19)) {
  case 0: return -0.0f;
  case 1: return 0.0f;
  case 2: return ldexpf(tu_randf(-1.0f, 1.0f), tu_randint(60, 127)); /* large: products overflow */
  case 3: return ldexpf(tu_randf(-1.0f, 1.0f), -tu_randint(60, 140)); /* tiny, some denormal */
  default: return tu_randf(-8.0f, 8.0f);
  }
}

static void one_case(const lfrt_f32_binary_config *c, int mul) {
  static const float lo[] = {-INFINITY, 0.0f, 0.0f, -1.0f}, hi[] = {INFINITY, INFINITY, 6.0f, 1.0f};
  lfrt_binary_params p;
  memset(&p, 0, sizeof p);
  int H = dims[tu_randint(0, 8)], W = dims[tu_randint(0, 8)], C = dims[tu_randint(0, 10)];
  int out[6] = {1, 1, 1, H, W, C}, sb[6] = {1, 1, 1, 1, 1, 1};
  int kind = tu_randint(0, 3), period;
  if (kind == 0) { memcpy(sb, out, sizeof sb); period = H * W * C; }
  else if (kind == 1) { sb[5] = C; period = C; }
  else if (kind == 2) { sb[4] = W; sb[5] = C; period = W * C; }
  else period = 1;
  memcpy(p.shape_a, out, sizeof out);
  memcpy(p.shape_b, sb, sizeof sb);
  memcpy(p.shape_out, out, sizeof out);
  p.b_period = period;
  int act = tu_randint(0, 3);
  p.act_min_f = lo[act];
  p.act_max_f = hi[act];
  int n = H * W * C;
  float *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * period);
  float *y = malloc(sizeof(float) * n), *y_ref = malloc(sizeof(float) * n);
  if (!a || !b || !y || !y_ref) exit(1);
  for (int i = 0; i < n; i++) a[i] = rand_val();
  for (int i = 0; i < period; i++) b[i] = rand_val();
  memset(y, 0xA5, sizeof(float) * n);
  memset(y_ref, 0xA5, sizeof(float) * n);
  int begin = 0, end = n;
  if (tu_randint(0, 1)) {
    begin = tu_randint(0, n - 1);
    end = tu_randint(begin + 1, n);
  }
  (mul ? lfrt_f32_mul__ref : lfrt_f32_add__ref)(&p, a, b, y_ref, begin, end);
  for (int s = begin; s < end;) {
    int e = tu_randint(0, 2) ? end : tu_randint(s + 1, end);
    (mul ? c->mul : c->add)(&p, a, b, y, s, e);
    s = e;
  }
  int i = 0;
  while (i < n && !memcmp(y + i, y_ref + i, sizeof(float))) i++;
  LF_CHECK_MSG(i == n, "%s: out [%d,%d,%d] b period %d act [%g,%g] slice [%d,%d): y[%d] = %g, ref %g",
               mul ? c->mul_name : c->add_name, H, W, C, period, p.act_min_f, p.act_max_f, begin, end, i,
               i < n ? y[i] : 0.0, i < n ? y_ref[i] : 0.0);
  free(a); free(b); free(y); free(y_ref);
}

LF_TEST(variants) {
  const char *env = getenv("LFRT_ISA");
  int forced = env && *env && strcmp(env, "auto") ? lfrt_isa_from_name(env) : -1;
  int tested = 0;
  for (const lfrt_f32_binary_config *c = lfrt_f32_binary_configs(); c->add; c++) {
    if (!lfrt_isa_available(c->isa) || (forced >= 0 && !lfrt_isa_implies((lfrt_isa)forced, c->isa))) {
      printf("  %-28s skipped\n", c->add_name);
      continue;
    }
    for (int k = 0; k < 400; k++) one_case(c, k & 1);
    printf("  %-28s + %-28s 400 cases\n", c->add_name, c->mul_name);
    tested++;
  }
  if (!tested) LF_CHECK(1); /* only the reference here (armv7, ref) */
}

int main(void) {
  LF_RUN(variants);
  return lf_test_summary();
}
