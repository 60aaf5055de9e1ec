/* ADD / MUL with broadcasting (int8 as LiteRT computes them through XNNPACK, and float). */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

/* Offsets into a and b of output element i (shapes right-aligned to 6 dims). */
static void offsets(const lfrt_binary_params *p, int i, size_t *oa, size_t *ob) {
  size_t a = 0, b = 0, sa = 1, sb = 1;
  for (int d = 5; d >= 0; d--) {
    int c = i % p->shape_out[d];
    i /= p->shape_out[d];
    if (p->shape_a[d] != 1) a += (size_t)c * sa;
    if (p->shape_b[d] != 1) b += (size_t)c * sb;
    sa *= (size_t)p->shape_a[d];
    sb *= (size_t)p->shape_b[d];
  }
  *oa = a;
  *ob = b;
}

void lfrt_binary_offsets(const lfrt_binary_params *p, int i, size_t *oa, size_t *ob) { offsets(p, i, oa, ob); }

void lfrt_qs8_add__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    int32_t acc = p->bias + (int32_t)a[ia] * p->a_mult + (int32_t)b[ib] * p->b_mult;
    int32_t v = (acc >> p->shift) + p->out_zp; /* arithmetic shift; bias holds the rounding */
    out[i] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}

void lfrt_qs8_mul__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    int32_t prod = ((int32_t)a[ia] - p->a_zp) * ((int32_t)b[ib] - p->b_zp);
    int32_t v = lfrt_requant_fp32(prod, p->out_mult, p->out_shift) + p->out_zp;
    out[i] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}

void lfrt_qs8_add_tflite__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin,
                              int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    int32_t sa = lfrt_mul_q31_tfl(((int32_t)a[ia] - p->a_zp) * (1 << 20), p->a_mult, p->a_shift);
    int32_t sb = lfrt_mul_q31_tfl(((int32_t)b[ib] - p->b_zp) * (1 << 20), p->b_mult, p->b_shift);
    int32_t v = lfrt_mul_q31_tfl(sa + sb, p->out_mult, p->out_shift) + p->out_zp;
    out[i] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}

/* movenet: int8 SUB where XNNPACK declines the scales: TFLite's builtin, the ADD above with
 * the scaled inputs subtracted */
void lfrt_qs8_sub_tflite__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin,
                              int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    int32_t sa = lfrt_mul_q31_tfl(((int32_t)a[ia] - p->a_zp) * (1 << 20), p->a_mult, p->a_shift);
    int32_t sb = lfrt_mul_q31_tfl(((int32_t)b[ib] - p->b_zp) * (1 << 20), p->b_mult, p->b_shift);
    int32_t v = lfrt_mul_q31_tfl(sa - sb, p->out_mult, p->out_shift) + p->out_zp;
    out[i] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}

void lfrt_qs8_mul_tflite__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin,
                              int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    int32_t prod = ((int32_t)a[ia] - p->a_zp) * ((int32_t)b[ib] - p->b_zp);
    int32_t v = lfrt_mul_q31_tfl(prod, p->out_mult, p->out_shift) + p->out_zp;
    out[i] = (int8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}

static float clampf(const lfrt_binary_params *p, float v) {
  if (v <= p->act_min_f) v = p->act_min_f; /* <=: -0.0 becomes +0.0 as in XNNPACK; NaN stays */
  if (v > p->act_max_f) v = p->act_max_f;
  return v;
}

void lfrt_f32_add__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    out[i] = clampf(p, a[ia] + b[ib]);
  }
}

void lfrt_f32_mul__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    out[i] = clampf(p, a[ia] * b[ib]);
  }
}

/* SUB, DIV (with a fused activation), MAXIMUM, MINIMUM, SQUARED_DIFFERENCE,
 * PRELU (b = alpha: a < 0 ? a * alpha : a); float only. */
void lfrt_f32_sub__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    out[i] = clampf(p, a[ia] - b[ib]);
  }
}

void lfrt_f32_div__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    out[i] = clampf(p, a[ia] / b[ib]);
  }
}

void lfrt_f32_maximum__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    out[i] = a[ia] < b[ib] ? b[ib] : a[ia];
  }
}

void lfrt_f32_minimum__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    out[i] = b[ib] < a[ia] ? b[ib] : a[ia];
  }
}

void lfrt_f32_squared_difference__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out,
                                      int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    float d = a[ia] - b[ib];
    out[i] = d * d;
  }
}

void lfrt_f32_prelu__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    out[i] = a[ia] < 0.0f ? a[ia] * b[ib] : a[ia];
  }
}
