/* MEAN and PAD dispatch: the H,W reduction of an NHWC tensor (a global
 * average pool) has a channel-contiguous variant (every other reduction keeps
 * the reference); PAD has a row-wise one. Portable code: every ISA but ref. */
#include <stddef.h>

#include "lfrt_config.h"

void lfrt_qs8_mean_hw__scalar(const lfrt_mean_params *p, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_f32_mean_hw__scalar(const lfrt_mean_params *p, const float *in, float *out, int begin, int end);
void lfrt_xx_pad_rows__scalar(const lfrt_pad_params *p, const void *in, void *out, int begin, int end);

static int nhwc_hw(const lfrt_mean_params *p) {
  return p->ndim == 4 && !p->reduce[0] && p->reduce[1] && p->reduce[2] && !p->reduce[3];
}

lfrt_qs8_mean_fn lfrt_qs8_mean_select(lfrt_isa isa, const lfrt_mean_params *p, const char **name) {
  if (isa == LFRT_ISA_REF || !nhwc_hw(p)) return NULL;
  *name = "qs8_mean_hw__scalar";
  return lfrt_qs8_mean_hw__scalar;
}

lfrt_f32_mean_fn lfrt_f32_mean_select(lfrt_isa isa, const lfrt_mean_params *p, const char **name) {
  if (isa == LFRT_ISA_REF || !nhwc_hw(p)) return NULL;
  *name = "f32_mean_hw__scalar";
  return lfrt_f32_mean_hw__scalar;
}

lfrt_xx_pad_fn lfrt_xx_pad_select(lfrt_isa isa, const char **name) {
  if (isa == LFRT_ISA_REF) return NULL;
  *name = "xx_pad_rows__scalar";
  return lfrt_xx_pad_rows__scalar;
}
