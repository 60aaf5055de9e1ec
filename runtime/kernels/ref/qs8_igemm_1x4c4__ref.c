/* qs8 indirect GEMM microkernel, portable: the arithmetic every igemm variant
 * must reproduce bit for bit (lfrt_igemm.h). NR = 4, any mr; the float
 * requant through its integer emulation (lfrt_requant_fp32), as the GEMM
 * reference does. */
#include <string.h>

#include "lfrt_igemm.h"
#include "lfrt_quant.h"

void lfrt_qs8_igemm_1x4c4__ref(int mr, int nc, size_t kc, size_t ks, const int8_t *const *a, const void *w,
                               int8_t *c, size_t c_stride, const lfrt_qs8_requant *rq) {
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
  for (int i = 0; i < mr; i++)
    for (int n = 0; n < nc; n++) {
      uint32_t acc = (uint32_t)bias[n];
      for (size_t p = 0; p < ks; p++) {
        const int8_t *ai = a[p * (size_t)mr + (size_t)i];
        for (size_t k = 0; k < kc; k++) {
          size_t kk = p * kc + k;
          int32_t x = (int32_t)((uint8_t)ai[k] ^ 0x80u);
          acc += (uint32_t)(x * wk[(kk / 4) * NR * 4 + (size_t)n * 4 + kk % 4]);
        }
      }
      int32_t v = lfrt_clamp_i32(lfrt_requant_fp32((int32_t)acc, m[n], e[n]), lo, hi);
      c[(size_t)i * c_stride + n] = (int8_t)(v + rq->out_zp);
    }
}
