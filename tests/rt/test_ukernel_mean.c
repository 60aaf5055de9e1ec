/* MEAN variants (lfrt_qs8/f32_mean_select) against the reference kernels,
 * byte for byte: NHWC reductions over H and W with odd and prime shapes
 * (channels past the variant's 256-channel chunk too), random int8 scales
 * and zero points, random [begin, end) slices; other axis sets must be
 * declined. Runs natively and under qemu. */
#include <stdlib.h>
#include <string.h>

#include "lfrt_config.h"
#include "lfrt_quant.h"
#include "test_interp_util.h"

static int one_case(int f32, int idx) {
  static const int dims[] = {1, 2, 3, 5, 7, 11, 13};
  static const int chans[] = {1, 3, 16, 17, 64, 255, 256, 257, 300, 1024};
  lfrt_mean_params p;
  memset(&p, 0, sizeof p);
  p.ndim = 4;
  p.shape[0] = tu_randint(1, 3);
  p.shape[1] = dims[tu_randint(0, 6)];
  p.shape[2] = dims[tu_randint(0, 6)];
  p.shape[3] = chans[tu_randint(0, 9)];
  p.reduce[1] = p.reduce[2] = 1;
  p.n = p.shape[1] * p.shape[2];
  p.out_count = p.shape[0] * p.shape[3];
  lfrt_mean_q8_scale(tu_randf(0.01f, 0.2f), tu_randint(-128, 127), tu_randf(0.01f, 0.2f), tu_randint(-128, 127), p.n,
                     &p.scale, &p.zp);
  size_t count = (size_t)p.shape[0] * p.n * p.shape[3], es = f32 ? 4 : 1;
  unsigned char *in = malloc(count * es), *want = malloc((size_t)p.out_count * es), *got = malloc((size_t)p.out_count * es);
  for (size_t i = 0; i < count; i++) {
    if (f32) ((float *)in)[i] = tu_randf(-100.0f, 100.0f);
    else in[i] = (unsigned char)tu_rand();
  }
  int begin = 0, end = p.out_count;
  if (end > 1 && tu_randint(0, 1)) {
    begin = tu_randint(0, end - 1);
    end = tu_randint(begin + 1, end);
  }
  memset(want, 0x5a, (size_t)p.out_count * es);
  memset(got, 0x5a, (size_t)p.out_count * es);
  const char *name = "?";
  int bad;
  if (f32) {
    lfrt_f32_mean_fn fn = lfrt_f32_mean_select(LFRT_ISA_COUNT, &p, &name); /* any ISA but ref */
    LF_CHECK(fn != NULL);
    lfrt_f32_mean__ref(&p, (const float *)in, (float *)want, begin, end);
    if (fn) fn(&p, (const float *)in, (float *)got, begin, end);
  } else {
    lfrt_qs8_mean_fn fn = lfrt_qs8_mean_select(LFRT_ISA_COUNT, &p, &name);
    LF_CHECK(fn != NULL);
    lfrt_qs8_mean__ref(&p, (const int8_t *)in, (int8_t *)want, begin, end);
    if (fn) fn(&p, (const int8_t *)in, (int8_t *)got, begin, end);
  }
  bad = memcmp(want, got, (size_t)p.out_count * es) != 0;
  LF_CHECK_MSG(!bad, "%s case %d: %dx%dx%dx%d slice [%d,%d)", name, idx, p.shape[0], p.shape[1], p.shape[2], p.shape[3],
               begin, end);
  free(in); free(want); free(got);
  return bad;
}

LF_TEST(variants_match_reference) {
  for (int f32 = 0; f32 < 2; f32++) {
    int bad = 0;
    for (int i = 0; i < 400; i++) bad += one_case(f32, i);
    printf("  %s mean over H,W: 400 cases, %d mismatches\n", f32 ? "f32" : "qs8", bad);
  }
}

LF_TEST(other_axes_keep_the_reference) {
  lfrt_mean_params p;
  memset(&p, 0, sizeof p);
  p.ndim = 4;
  p.shape[0] = p.shape[1] = p.shape[2] = p.shape[3] = 3;
  const char *name = NULL;
  p.reduce[1] = 1; /* H only */
  LF_CHECK(lfrt_qs8_mean_select(LFRT_ISA_COUNT, &p, &name) == NULL);
  p.reduce[2] = 1; /* H, W, but forced reference ISA */
  LF_CHECK(lfrt_qs8_mean_select(LFRT_ISA_REF, &p, &name) == NULL);
  p.reduce[3] = 1; /* H, W, C */
  LF_CHECK(lfrt_f32_mean_select(LFRT_ISA_COUNT, &p, &name) == NULL);
}

int main(void) {
  LF_RUN(variants_match_reference);
  LF_RUN(other_axes_keep_the_reference);
  return lf_test_summary();
}
