/* MEAN over H and W of an NHWC tensor (reduce = {0,1,1,0}: DenseNet's global
 * average pool), int8 and float, portable: per batch row the channel sums
 * are accumulated pixel by pixel in the reference's order (h, then w), so the
 * int8 sums are the same integers and the float sums the same rounding
 * sequence; the epilogue is the reference's. Work unit: one output element
 * (b * C + c), as the reference. */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

enum { CHUNK = 256 }; /* channels summed at once (stack accumulators) */

void lfrt_qs8_mean_hw__scalar(const lfrt_mean_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  int C = p->shape[3], HW = p->shape[1] * p->shape[2];
  for (int i = begin; i < end;) {
    int b = i / C, c0 = i % C, c1 = C - c0 < end - i ? C : c0 + (end - i);
    if (c1 - c0 > CHUNK) c1 = c0 + CHUNK;
    int32_t acc[CHUNK] = {0};
    const int8_t *x = in + (size_t)b * HW * C;
    for (int j = 0; j < HW; j++, x += C)
      for (int c = c0; c < c1; c++) acc[c - c0] += x[c];
    for (int c = c0; c < c1; c++) {
      lfrt_sf t = lfrt_sf_mul(lfrt_sf_from_int(acc[c - c0]), p->scale);
      int32_t v = lfrt_sf_to_int_rne(lfrt_sf_add(t, p->zp));
      out[(size_t)b * C + c] = (int8_t)lfrt_clamp_i32(v, -128, 127);
    }
    i += c1 - c0;
  }
}

void lfrt_f32_mean_hw__scalar(const lfrt_mean_params *p, const float *in, float *out, int begin, int end) {
  int C = p->shape[3], HW = p->shape[1] * p->shape[2];
  for (int i = begin; i < end;) {
    int b = i / C, c0 = i % C, c1 = C - c0 < end - i ? C : c0 + (end - i);
    if (c1 - c0 > CHUNK) c1 = c0 + CHUNK;
    float acc[CHUNK];
    for (int c = 0; c < c1 - c0; c++) acc[c] = 0.0f;
    const float *x = in + (size_t)b * HW * C;
    for (int j = 0; j < HW; j++, x += C)
      for (int c = c0; c < c1; c++) acc[c - c0] += x[c];
    for (int c = c0; c < c1; c++) out[(size_t)b * C + c] = p->n > 0 ? acc[c - c0] / (float)p->n : 0.0f;
    i += c1 - c0;
  }
}
