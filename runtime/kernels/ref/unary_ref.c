/* Elementwise unary kernels: int8 table lookup (LOGISTIC, RELU, RELU6,
 * int8 requantize), float LOGISTIC / clamp, QUANTIZE, DEQUANTIZE. */
#include <math.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

void lfrt_qs8_lut__ref(const int8_t *lut, const int8_t *in, int8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) out[i] = lut[(uint8_t)in[i]];
}

void lfrt_f32_logistic__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end) {
  (void)p;
  for (int i = begin; i < end; i++) out[i] = 1.0f / (1.0f + expf(-in[i]));
}

void lfrt_f32_clamp__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    float v = in[i];
    if (v < p->lo) v = p->lo;
    if (v > p->hi) v = p->hi;
    out[i] = v;
  }
}

void lfrt_f32_qs8_quantize__ref(const lfrt_unary_params *p, const float *in, int8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) out[i] = lfrt_quantize_f32_q8(in[i], p->scale, p->zp);
}

void lfrt_qs8_f32_dequantize__ref(const lfrt_unary_params *p, const int8_t *in, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) out[i] = p->scale * (float)((int32_t)in[i] - p->zp);
}
