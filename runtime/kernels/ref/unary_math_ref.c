/* Float elementwise math: TANH, EXP, RSQRT, LEAKY_RELU (alpha in p->scale),
 * HARD_SWISH. Work unit: one element. libm in float; LiteRT (XNNPACK) uses
 * polynomial approximations, so results agree to a few ulp, not bytes. */
#include <math.h>

#include "lfrt_kernels.h"

void lfrt_f32_tanh__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end) {
  (void)p;
  for (int i = begin; i < end; i++) out[i] = tanhf(in[i]);
}

void lfrt_f32_exp__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end) {
  (void)p;
  for (int i = begin; i < end; i++) out[i] = expf(in[i]);
}

void lfrt_f32_rsqrt__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end) {
  (void)p;
  for (int i = begin; i < end; i++) out[i] = 1.0f / sqrtf(in[i]); /* x < 0: NaN, 0: +inf, as TFLite */
}

void lfrt_f32_sqrt__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end) { /* movenet */
  (void)p;
  for (int i = begin; i < end; i++) out[i] = sqrtf(in[i]); /* correctly rounded; x < 0: NaN, as TFLite */
}

void lfrt_f32_leaky_relu__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) out[i] = in[i] < 0.0f ? in[i] * p->scale : in[i];
}

/* x * relu6(x + 3) / 6, in XNNPACK's order: x * clamp(x * (1/6) + 0.5, 0, 1) */
void lfrt_f32_hard_swish__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end) {
  (void)p;
  for (int i = begin; i < end; i++) {
    volatile float r = in[i] * (1.0f / 6.0f); /* no contraction into an FMA */
    float g = r + 0.5f;
    g = g < 0.0f ? 0.0f : g > 1.0f ? 1.0f : g;
    out[i] = in[i] * g;
  }
}
