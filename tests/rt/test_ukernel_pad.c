/* The PAD variant (lfrt_xx_pad_select) against the reference kernel, byte for
 * byte: 1 to 6 dims, odd sizes, zero and nonzero paddings on every side,
 * element sizes 1 and 4, random [begin, end) slices of the output. Runs
 * natively and under qemu. */
#include <stdlib.h>
#include <string.h>

#include "lfrt_config.h"
#include "test_interp_util.h"

static int one_case(lfrt_xx_pad_fn fn, int idx) {
  lfrt_pad_params p;
  memset(&p, 0, sizeof p);
  p.ndim = tu_randint(1, 6);
  p.elem_size = tu_randint(0, 1) ? 4 : 1;
  p.value = tu_rand();
  size_t in_n = 1, out_n = 1;
  for (int d = 0; d < p.ndim; d++) {
    p.in_shape[d] = tu_randint(1, p.ndim > 3 ? 4 : 9);
    p.before[d] = tu_randint(0, 3) ? tu_randint(0, 3) : 0;
    p.out_shape[d] = p.before[d] + p.in_shape[d] + tu_randint(0, 3);
    in_n *= (size_t)p.in_shape[d];
    out_n *= (size_t)p.out_shape[d];
  }
  size_t es = (size_t)p.elem_size;
  unsigned char *in = malloc(in_n * es), *want = malloc(out_n * es), *got = malloc(out_n * es);
  for (size_t i = 0; i < in_n * es; i++) in[i] = (unsigned char)tu_rand();
  int begin = 0, end = (int)out_n;
  if (end > 1 && tu_randint(0, 1)) {
    begin = tu_randint(0, end - 1);
    end = tu_randint(begin + 1, end);
  }
  memset(want, 0x5a, out_n * es);
  memset(got, 0x5a, out_n * es);
  lfrt_xx_pad__ref(&p, in, want, begin, end);
  fn(&p, in, got, begin, end);
  int bad = memcmp(want, got, out_n * es) != 0;
  LF_CHECK_MSG(!bad, "case %d: %d dims, elem %d, slice [%d,%d) of %zu", idx, p.ndim, p.elem_size, begin, end, out_n);
  free(in); free(want); free(got);
  return bad;
}

LF_TEST(variant_matches_reference) {
  const char *name = NULL;
  lfrt_xx_pad_fn fn = lfrt_xx_pad_select(LFRT_ISA_COUNT, &name); /* any ISA but ref */
  LF_CHECK(fn != NULL && lfrt_xx_pad_select(LFRT_ISA_REF, &name) == NULL);
  if (!fn) return;
  int bad = 0;
  for (int i = 0; i < 3000; i++) bad += one_case(fn, i);
  printf("  xx_pad_rows__scalar: 3000 cases, %d mismatches\n", bad);
}

int main(void) {
  LF_RUN(variant_matches_reference);
  return lf_test_summary();
}
