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
    if (v <= p->lo) v = p->lo; /* <=: -0.0 becomes +0.0 as in XNNPACK; NaN stays */
    if (v > p->hi) v = p->hi;
    out[i] = v;
  }
}

void lfrt_f32_qs8_quantize__ref(const lfrt_unary_params *p, const float *in, int8_t *out, int begin, int end) {
  float lo = p->lo - (float)p->zp, hi = p->hi - (float)p->zp;
  uint8_t *o = (uint8_t *)out; /* int8 or uint8 bytes */
  for (int i = begin; i < end; i++) {
    float v = in[i] * p->scale;
    v = v > lo ? v : lo; /* NaN -> lo */
    v = v < hi ? v : hi;
    int32_t q = (int32_t)nearbyintf(v) + p->zp;
    o[i] = (uint8_t)(q & 0xff);
  }
}

void lfrt_qs8_f32_dequantize__ref(const lfrt_unary_params *p, const int8_t *in, float *out, int begin, int end) {
  const uint8_t *u = (const uint8_t *)in;
  for (int i = begin; i < end; i++) {
    int32_t q = p->u8 ? (int32_t)u[i] : (int32_t)in[i];
    out[i] = p->scale * (float)(q - p->zp);
  }
}
