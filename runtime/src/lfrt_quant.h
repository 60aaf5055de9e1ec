/* Fixed-point helpers for the int8 kernels (TFLite int8 quantization spec).
 * A real multiplier m > 0 is stored as (mult, shift) with m ~= mult * 2^(shift-31),
 * mult in [2^30, 2^31), derived exactly as TFLite's QuantizeMultiplier does
 * (frexp, round half away from zero, mantissa 2^31 -> 2^30 with shift+1).
 * Everything here is integer-only at eval time; the derivation (prepare) uses double. */
#ifndef LFRT_QUANT_H
#define LFRT_QUANT_H
#include <stdint.h>

#include "lfrt_model.h" /* lfrt_activation codes */

/* m >= 0. Returns 0 on success, -1 if m is not finite or too large (shift > 30).
 * Values below 2^-32 become (0, 0): the product is 0. */
int lfrt_quantize_multiplier(double m, int32_t *mult, int *shift);
/* The same without the upper limit (TFLite's QuantizeMultiplier without
 * single rounding accepts any shift): only for lfrt_mul_q31_tfl. */
int lfrt_quantize_multiplier_wide(double m, int32_t *mult, int *shift);

/* TFLite's MultiplyByQuantizedMultiplier as LiteRT's builtin kernels compute it
 * (without TFLITE_SINGLE_ROUNDING): x * 2^max(shift,0) (saturated), then
 * gemmlowp's SaturatingRoundingDoublingHighMul (round(a*b/2^31), ties away from
 * zero), then RoundingDivideByPOT by -min(shift,0) (ties away from zero).
 * Two roundings: differs from one rounding by 1 at some ties. Used where
 * LiteRT runs TFLite's builtin kernels (RELU, RELU6, and ADD/MUL/requantize
 * when XNNPACK declines their scales). shift in [-31, 30]; a shift above 30
 * (uint8 MUL with an absurd output scale, lfrt_quantize_multiplier_wide) is
 * what LiteRT computes there: x * (1 << shift) with the shift count taken
 * mod 32 and the product wrapped to 32 bits (C++ UB in TFLite; LiteRT's
 * int32 shift instruction masks the count), checked against LiteRT by the
 * uint8 MUL "shift > 30" oracle cases (tests/util/op_zoo_u8.c). */
static inline int32_t lfrt_mul_q31_tfl(int32_t x, int32_t mult, int shift) {
  int left = shift > 0 ? shift : 0, right = shift > 0 ? 0 : -shift;
  int64_t xs;
  if (left > 30) {
    xs = (int32_t)((uint32_t)x << (left & 31));
  } else {
    xs = (int64_t)x * ((int64_t)1 << left);
    if (xs > INT32_MAX) xs = INT32_MAX;
    if (xs < INT32_MIN) xs = INT32_MIN;
  }
  int32_t hi;
  if (xs == INT32_MIN && mult == INT32_MIN) {
    hi = INT32_MAX;
  } else {
    int64_t ab = xs * mult;
    int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
    hi = (int32_t)((ab + nudge) / ((int64_t)1 << 31)); /* truncating division, as gemmlowp */
  }
  if (right == 0) return hi;
  int32_t mask = (int32_t)((((int64_t)1) << right) - 1);
  int32_t rem = hi & mask, thr = (mask >> 1) + (hi < 0 ? 1 : 0);
  return (hi >> right) + (rem > thr ? 1 : 0);
}

/* ---- XNNPACK-style "fp32" requantization, emulated exactly in integers ----
 * LiteRT runs int8 CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV, FULLY_CONNECTED
 * and MUL through XNNPACK, which requantizes in float:
 *   out = lrintf((float)acc * scale)            (round to nearest, ties to even)
 * with scale = in_scale * w_scale / out_scale evaluated in float. We store the
 * float scale as m * 2^e (m = 24-bit significand) and reproduce both float
 * roundings and the final ties-to-even rounding with integer arithmetic, so
 * the result is the same on every platform and needs no FPU. */
int lfrt_fp32_scale_split(float scale, int32_t *m, int *e);

/* u / 2^k rounded to nearest, ties to even (k >= 0). */
static inline uint64_t lfrt_rne_shr(uint64_t u, int k) {
  if (k == 0) return u;
  if (k >= 64) return 0;
  uint64_t q = u >> k, r = u & ((((uint64_t)1) << k) - 1), h = ((uint64_t)1) << (k - 1);
  if (r > h || (r == h && (q & 1))) q++;
  return q;
}

static inline int lfrt_bitlen64(uint64_t u) {
#if defined(__GNUC__)
  return u ? 64 - __builtin_clzll(u) : 0;
#else
  int n = 0;
  while (u) { n++; u >>= 1; }
  return n;
#endif
}

/* lrintf((float)acc * scale) where scale = m * 2^e (m < 2^24), saturated to +-2^30. */
static inline int32_t lfrt_requant_fp32(int32_t acc, int32_t m, int e) {
  int neg = acc < 0;
  uint64_t a = neg ? (uint64_t)(-(int64_t)acc) : (uint64_t)acc;
  int ex = e, bits = lfrt_bitlen64(a);
  if (bits > 24) { /* (float)acc */
    a = lfrt_rne_shr(a, bits - 24);
    ex += bits - 24;
  }
  uint64_t p = a * (uint64_t)m; /* < 2^49: exact */
  bits = lfrt_bitlen64(p);
  if (bits > 24) { /* float product */
    p = lfrt_rne_shr(p, bits - 24);
    ex += bits - 24;
  }
  int64_t r;
  if (ex >= 0) r = ex > 30 ? (p ? INT64_C(1) << 40 : 0) : (int64_t)(p << ex);
  else r = (int64_t)lfrt_rne_shr(p, -ex);
  if (neg) r = -r;
  /* saturate well inside int32 so callers can add a zero point without overflow */
  if (r > (INT32_C(1) << 30)) r = INT32_C(1) << 30;
  if (r < -(INT32_C(1) << 30)) r = -(INT32_C(1) << 30);
  return (int32_t)r;
}

/* ---- a few exact IEEE single-precision operations in integers ---------------
 * For kernels whose LiteRT arithmetic is a short float expression (MEAN):
 * value = (neg ? -1 : 1) * m * 2^e with m < 2^24 (0 when m == 0). Each op
 * rounds to nearest-even to 24 bits exactly like float hardware (normal range;
 * subnormals and overflow cannot occur for the magnitudes used here). */
typedef struct {
  int neg;
  uint64_t m;
  int e;
} lfrt_sf;
lfrt_sf lfrt_sf_from_float(float f);          /* prepare-time only */
lfrt_sf lfrt_sf_from_int(int64_t v);          /* (float)v */
lfrt_sf lfrt_sf_mul(lfrt_sf a, lfrt_sf b);    /* a * b */
lfrt_sf lfrt_sf_add(lfrt_sf a, lfrt_sf b);    /* a + b */
int32_t lfrt_sf_to_int_rne(lfrt_sf a);        /* nearbyintf(a), saturated to int32 */

static inline int32_t lfrt_clamp_i32(int32_t v, int32_t lo, int32_t hi) {
  return v < lo ? lo : (v > hi ? hi : v);
}

/* ---- prepare-time derivations, one place for the interpreter and for the
 * toolkit's integer-exact QAT evaluation (src/quant/qat_exact.c) ---- */
/* CONV/DEPTHWISE/TRANSPOSE_CONV/FC requantization of one output channel:
 * fl(fl(in_scale * w_scale) / out_scale) = mult * 2^shift; (0, 0) below 2^-32 (the
 * product always rounds to 0); -1 if not in [0, 256). */
int lfrt_conv_scale_q8(float in_scale, float w_scale, float out_scale, int32_t *mult, int32_t *shift);
/* int8 MEAN over n elements: s and z of lfrt_mean_params (lfrt_kernels.h). */
void lfrt_mean_q8_scale(float xs, int32_t xz, float ys, int32_t yz, int n, lfrt_sf *scale, lfrt_sf *zp);
/* int8 LOGISTIC table indexed by the input byte (uint8_t)q. */
void lfrt_logistic_lut_q8(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]);
/* int8 -> int8 requantisation table (RELU, RELU6: TFLite's builtin arithmetic),
 * clamped to [lo, hi]. -1 if the scale ratio is out of range. */
int lfrt_requant_lut_q8(float xs, int32_t xz, float ys, int32_t yz, int32_t lo, int32_t hi, int8_t lut[256]);
/* int8 RESIZE_BILINEAR (XNNPACK's): per output coordinate {lo, hi, alpha in 1/2048}, 3*out entries. */
void lfrt_resize_q11_table(int in, int out, int align, int half, int32_t *tab);

/* int8 output range of a fused activation, as TFLite's
 * CalculateActivationRangeQuantized: zp + round(limit / scale) clamped to int8.
 * Returns -1 for an unsupported activation code. */
int lfrt_act_range_q8(int act, float scale, int32_t zp, int32_t *lo, int32_t *hi);
/* float range of a fused activation (-inf..inf, 0..inf, -1..1, 0..6). */
int lfrt_act_range_f32(int act, float *lo, float *hi);


#endif
