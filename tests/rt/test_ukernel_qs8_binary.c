/* Every int8 ADD/MUL variant this CPU has (lfrt_qs8_binary_configs) against
 * the reference kernels, byte for byte: same-shape and per-channel (suffix)
 * operands, odd and prime sizes, random zero points, scales, activations and
 * [begin, end) slices. Runs natively and under qemu. */
#include <stdlib.h>
#include <string.h>

#include "lfrt_config.h"
#include "lfrt_quant.h"
#include "test_interp_util.h"

static int one_case(const lfrt_qs8_binary_config *c, int mul, int idx) {
  static const int dims[] = {1, 2, 3, 5, 7, 11, 13, 16, 17, 31, 33, 64, 67};
  lfrt_binary_params p;
  memset(&p, 0, sizeof p);
  for (int d = 0; d < 6; d++) p.shape_a[d] = p.shape_b[d] = p.shape_out[d] = 1;
  int ndim = tu_randint(1, 4);
  for (int d = 6 - ndim; d < 6; d++) p.shape_a[d] = p.shape_out[d] = dims[tu_randint(0, 12)];
  int keep = tu_randint(0, ndim); /* b = the last `keep` dims of the output */
  for (int d = 6 - keep; d < 6; d++) p.shape_b[d] = p.shape_out[d];
  int count = 1, period = 1;
  for (int d = 0; d < 6; d++) {
    count *= p.shape_out[d];
    period *= p.shape_b[d];
  }
  p.a_zp = tu_randint(-128, 127);
  p.b_zp = tu_randint(-128, 127);
  p.out_zp = tu_randint(-128, 127);
  float as = tu_randf(0.005f, 0.2f), bs = tu_randf(0.005f, 0.2f), ys = tu_randf(0.005f, 0.3f);
  if (lfrt_binary_q8_params(mul, as, bs, ys, &p) != 0) return 0; /* TFLite form: reference only */
  p.act_min = tu_randint(0, 2) ? -128 : tu_randint(-128, 0);
  p.act_max = tu_randint(0, 2) ? 127 : tu_randint(p.act_min, 127);
  p.b_period = period;
  p.out_scale_f = ldexpf((float)p.out_mult, p.out_shift);
  int8_t *a = malloc((size_t)count), *b = malloc((size_t)period), *want = malloc((size_t)count), *got = malloc((size_t)count);
  for (int i = 0; i < count; i++) a[i] = (int8_t)tu_randint(-128, 127);
  for (int i = 0; i < period; i++) b[i] = (int8_t)tu_randint(-128, 127);
  int begin = 0, end = count;
  if (count > 1 && tu_randint(0, 1)) {
    begin = tu_randint(0, count - 1);
    end = tu_randint(begin + 1, count);
  }
  memset(want, 0x5a, (size_t)count);
  memset(got, 0x5a, (size_t)count);
  (mul ? lfrt_qs8_mul__ref : lfrt_qs8_add__ref)(&p, a, b, want, begin, end);
  (mul ? c->mul : c->add)(&p, a, b, got, begin, end);
  int bad = memcmp(want, got, (size_t)count) != 0;
  if (bad) {
    int i = 0;
    while (want[i] == got[i]) i++;
    LF_CHECK_MSG(0, "%s case %d: count %d period %d slice [%d,%d): element %d got %d want %d",
                 mul ? c->mul_name : c->add_name, idx, count, period, begin, end, i, got[i], want[i]);
  }
  free(a); free(b); free(want); free(got);
  return bad;
}

LF_TEST(every_variant_matches_reference) {
  int variants = 0;
  for (const lfrt_qs8_binary_config *c = lfrt_qs8_binary_configs(); c->add; c++) {
    if (!lfrt_isa_available(c->isa)) {
      printf("  %s, %s: skipped (this CPU lacks %s)\n", c->add_name, c->mul_name, lfrt_isa_name(c->isa));
      continue;
    }
    for (int mul = 0; mul < 2; mul++) {
      int bad = 0;
      for (int i = 0; i < 2000 && bad < 3; i++) bad += one_case(c, mul, i);
      printf("  %s: 2000 cases, %d mismatches\n", mul ? c->mul_name : c->add_name, bad);
      LF_CHECK(bad == 0);
      variants++;
    }
  }
  printf("  %d variants tested\n", variants);
  LF_CHECK(lfrt_qs8_binary_configs() != NULL);
}

int main(void) {
  LF_RUN(every_variant_matches_reference);
  return lf_test_summary();
}
