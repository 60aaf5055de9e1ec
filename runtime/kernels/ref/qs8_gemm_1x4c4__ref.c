/* qs8 GEMM microkernel, portable: the arithmetic every ISA variant must
 * reproduce bit for bit (lfrt_gemm.h). NR = 4, any mr. The float requant is
 * done with the integer emulation (lfrt_requant_fp32), so the reference needs
 * no FPU rounding mode. */
#include <string.h>

#include "lfrt_gemm.h"
#include "lfrt_quant.h"

void lfrt_qs8_gemm_1x4c4__ref(int mr, int nc, size_t kc, const uint8_t *a, size_t a_stride,
                             const void *w, int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
  enum { NR = 4 };
  const unsigned char *blk = w;
  int32_t bias[NR], m[NR], e[NR];
  float scale[NR];
  memcpy(bias, blk, sizeof bias);
  memcpy(scale, blk + 4 * NR, sizeof scale);
  const int8_t *wk = (const int8_t *)(blk + 8 * NR);
  for (int n = 0; n < nc; n++) {
    int ee;
    lfrt_fp32_scale_split(scale[n], &m[n], &ee);
    e[n] = ee;
  }
  int32_t lo = (int32_t)rq->min, hi = (int32_t)rq->max;
  for (int i = 0; i < mr; i++) {
    const uint8_t *ai = a + (size_t)i * a_stride;
    for (int n = 0; n < nc; n++) {
      uint32_t acc = (uint32_t)bias[n];
      for (size_t k = 0; k < kc; k++) acc += (uint32_t)((int32_t)ai[k] * wk[(k / 4) * NR * 4 + n * 4 + k % 4]);
      int32_t v = lfrt_clamp_i32(lfrt_requant_fp32((int32_t)acc, m[n], e[n]), lo, hi);
      c[(size_t)i * c_stride + n] = (int8_t)(v + rq->out_zp);
    }
  }
}
