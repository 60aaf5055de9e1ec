/* The int8 indirect-GEMM path of CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED
 * (pointer tables + packed weights + every qs8 igemm microkernel this CPU can
 * run, the portable one included; lfrt_conv_igemm.h) against the reference op
 * kernels, byte for byte: in_c a multiple of 4 (the path's condition), odd and
 * prime everything else: sizes, output channels, kernels, strides, dilations,
 * paddings (taps on the zero-point buffer), activations, zero points,
 * per-channel scales, random row slices, batches. Runs natively and under qemu. */
#include <stdlib.h>
#include <string.h>

#include "lfrt_conv_igemm.h"
#include "qconv_case.h"

static int cases_run;

/* One random case of `kind` through config g; 0 if equal to the reference. */
static int one_case(const lfrt_qs8_igemm_config *g, int kind, int idx) {
  qconv_case c;
  if (!qconv_case_make(&c, kind, idx, 1)) return 0;
  size_t kc = ((size_t)c.K + 3) & ~(size_t)3;
  void *packed = malloc(((size_t)c.N + g->nr - 1) / g->nr * lfrt_qs8_gemm_block_bytes(g->nr, kc));
  void *scratch = malloc(lfrt_qs8_conv_igemm_scratch(&c.p, g));
  int8_t *zero = malloc((size_t)c.p.in_c);
  memset(zero, (unsigned char)(int8_t)c.p.in_zp, (size_t)c.p.in_c);
  lfrt_qs8_gemm_pack(g->nr, c.N, c.K, c.w, c.bias, c.p.in_zp, c.scale, packed);
  lfrt_qs8_conv_igemm_run(&c.p, kind == QC_TCONV, g, packed, zero, c.in, c.got, c.begin, c.end, scratch);
  int bad = qconv_case_check(&c, g->name, idx);
  cases_run++;
  free(packed);
  free(scratch);
  free(zero);
  qconv_case_free(&c);
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
