/* int8 TANH, EXP, HARD_SWISH, LEAKY_RELU, RSQRT as LiteRT computes them, one
 * table entry per input byte (the node then runs lfrt_qs8_lut__ref). Each
 * builder is the op's reference arithmetic applied to all 256 inputs; which
 * of LiteRT's paths each follows was found by running every input byte
 * through LiteRT 2.5.3 for many scales (tests/test_oracle_ops.sh keeps it so):
 *   TANH, EXP   float function, * (1/out_scale), rounded half to even, + zp
 *   HARD_SWISH  TFLite's builtin: 16-bit fixed point, two multipliers
 *   LEAKY_RELU  XNNPACK's qs8 lrelu (8-bit multipliers) where XNNPACK takes
 *               the scales, else TFLite's builtin (two Q31 multipliers)
 *   RSQRT       TFLite's builtin: gemmlowp Newton-Raphson 1/sqrt, two Q31
 *               multiplies. */
#include <math.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

static int8_t sat8(int32_t v) { return (int8_t)lfrt_clamp_i32(v, -128, 127); }

/* lrintf(y * (1/ys)) + yz, saturated; NaN gives the lowest code. */
static int8_t quant_rne(float y, float ys, int32_t yz) {
  volatile float inv = 1.0f / ys;
  volatile float r = y * inv;
  if (isnan(r)) return -128;
  if (r > 1e6f) r = 1e6f;
  if (r < -1e6f) r = -1e6f;
  return sat8((int32_t)lrintf(r) + yz);
}

void lfrt_qs8_tanh_lut__ref(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]) {
  for (int v = -128; v < 128; v++) {
    volatile float x = (float)(v - xz) * xs;
    lut[(uint8_t)(int8_t)v] = quant_rne(tanhf(x), ys, yz);
  }
}

void lfrt_qs8_exp_lut__ref(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]) {
  for (int v = -128; v < 128; v++) {
    volatile float x = (float)(v - xz) * xs;
    lut[(uint8_t)(int8_t)v] = quant_rne(expf(x), ys, yz);
  }
}

/* ---- HARD_SWISH: TFLite's 16-bit fixed point --------------------------------- */
static int16_t q16_of_q31(int32_t m) { /* the top 16 bits, rounded */
  if (m >= INT32_MAX - (1 << 15)) return INT16_MAX;
  return (int16_t)((m + (1 << 15)) >> 16);
}

static int16_t srdhm16(int16_t a, int16_t b) { /* rounding doubling high mul */
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  int32_t ab = (int32_t)a * b;
  int32_t nudge = ab >= 0 ? (1 << 14) : (1 - (1 << 14));
  return (int16_t)((ab + nudge) / (1 << 15));
}

static int16_t sdhm16(int16_t a, int16_t b) { /* the same, truncating */
  if (a == INT16_MIN && b == INT16_MIN) return INT16_MAX;
  return (int16_t)(((int32_t)a * b) / (1 << 15));
}

static int16_t sat_shl16(int16_t v, int k) {
  int64_t r = (int64_t)v * ((int64_t)1 << k); /* k <= 30 */
  return (int16_t)(r > INT16_MAX ? INT16_MAX : r < INT16_MIN ? INT16_MIN : r);
}

static int32_t round_div_pot(int32_t x, int e) { /* ties away from zero */
  if (e <= 0) return x;
  int32_t mask = (int32_t)((INT64_C(1) << e) - 1), rem = x & mask, thr = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> e) + (rem > thr ? 1 : 0);
}

int lfrt_qs8_hard_swish_lut__ref(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]) {
  volatile float hires = (1.0f / 128.0f) * xs; /* the input scale, 7 bits finer */
  volatile float out_m = hires / ys;
  volatile float relu_m = hires / (3.0f / 32768.0f); /* 3.0 -> 32768 */
  int32_t m;
  int out_e, relu_e;
  if (lfrt_quantize_multiplier(out_m, &m, &out_e) || out_e > 0) return -1;
  int16_t out_m16 = q16_of_q31(m);
  if (lfrt_quantize_multiplier(relu_m, &m, &relu_e)) return -1;
  int16_t relu_m16 = q16_of_q31(m);
  for (int v = -128; v < 128; v++) {
    int16_t hi = (int16_t)((v - xz) * 128);
    int16_t pre = srdhm16(hi, out_m16); /* x on the output scale, before the shift */
    int16_t r = hi;                      /* x rescaled so that 3.0 is 32768, saturated */
    if (relu_e > 0) r = sat_shl16(r, relu_e - 1);
    r = srdhm16(r, relu_m16);
    if (relu_e > 0) r = sat_shl16(r, 1);
    if (relu_e < 0) r = (int16_t)round_div_pot(r, -relu_e);
    r = (int16_t)((r + (1 << 15)) >> 1); /* relu6(x + 3) / 6 in [0, 1] */
    int16_t y = sdhm16(r, pre);
    lut[(uint8_t)(int8_t)v] = sat8(round_div_pot(y, -out_e) + yz);
  }
  return 0;
}

/* ---- LEAKY_RELU ----------------------------------------------------------------- */
int lfrt_qs8_leaky_relu_lut__ref(float xs, int32_t xz, float ys, int32_t yz, float alpha, int8_t lut[256]) {
  volatile float pos = xs / ys;
  volatile float neg = pos * alpha;
  if (pos >= 0x1.0p-8f && pos <= 0x1.0p+7f && neg >= -0x1.FFFCp+6f && neg <= 0x1.0p+7f && fabsf(neg) >= 0x1.0p-8f) {
    /* XNNPACK: (yz * 256 + 128 + (q - xz) * m) >> 8, m = lrintf(256 * scale) per sign */
    int32_t mp = (int32_t)lrintf(256.0f * pos), mn = (int32_t)lrintf(256.0f * neg);
    for (int v = -128; v < 128; v++) {
      int32_t d = v - xz;
      lut[(uint8_t)(int8_t)v] = sat8((yz * 256 + 128 + d * (d >= 0 ? mp : mn)) >> 8);
    }
    return 0;
  }
  /* XNNPACK declines: TFLite's builtin, Q31 multipliers in/out and in*alpha/out */
  int32_t m1, m2;
  int s1, s2;
  if (alpha < 0.0f || lfrt_quantize_multiplier((double)xs / (double)ys, &m1, &s1) ||
      lfrt_quantize_multiplier((double)xs * (double)alpha / (double)ys, &m2, &s2))
    return -1;
  for (int v = -128; v < 128; v++) {
    int32_t d = v - xz;
    lut[(uint8_t)(int8_t)v] = sat8(yz + (d >= 0 ? lfrt_mul_q31_tfl(d, m1, s1) : lfrt_mul_q31_tfl(d, m2, s2)));
  }
  return 0;
}

/* ---- RSQRT: TFLite's integer path ------------------------------------------------- */
static int32_t srdhm32(int32_t a, int32_t b) {
  if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
  int64_t ab = (int64_t)a * b;
  int64_t nudge = ab >= 0 ? (1 << 30) : (1 - (1 << 30));
  return (int32_t)((ab + nudge) / (INT64_C(1) << 31));
}

static int32_t sat_shl32(int32_t x, int k) {
  int32_t thr = (int32_t)((INT64_C(1) << (31 - k)) - 1);
  if (x > thr) return INT32_MAX;
  if (x < -thr) return INT32_MIN;
  return (int32_t)((uint32_t)x << k);
}

void lfrt_inv_sqrt_q31(int32_t v, int32_t *mult, int *shift) {
  if (v <= 1) { /* 0 is treated as 1 */
    *mult = INT32_MAX;
    *shift = 0;
    return;
  }
  int sh = 11;
  while (v >= (1 << 29)) {
    v /= 4;
    sh++;
  }
  int lz = 0;
  for (uint32_t u = (uint32_t)v; !(u & 0x80000000u); u <<= 1) lz++;
  int pairs = (lz - 1) / 2 - 1; /* normalise v into [2^27, 2^29) */
  sh -= pairs;
  v <<= 2 * pairs;
  /* Newton-Raphson on Q3.28 values, from x = 1, five steps */
  int32_t half_v = round_div_pot(v >> 1, 1), three_halves = (1 << 28) + (1 << 27), x = 1 << 28;
  for (int i = 0; i < 5; i++) {
    int32_t x3 = sat_shl32(srdhm32(srdhm32(x, x), x), 6);
    x = sat_shl32(srdhm32(three_halves, x) - srdhm32(half_v, x3), 3);
  }
  x = srdhm32(x, 1518500250); /* * sqrt(2)/2 */
  if (sh < 0) {
    x = (int32_t)((uint32_t)x << -sh);
    sh = 0;
  }
  *mult = x;
  *shift = -sh; /* as a left shift */
}

int lfrt_qs8_rsqrt_lut__ref(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]) {
  int32_t m;
  int s;
  volatile float root = sqrtf(xs);
  volatile float den = root * ys; /* TFLite: 1. / (std::sqrt(float) * float) */
  if (lfrt_quantize_multiplier(1.0 / (double)den, &m, &s) || s > 20) return -1; /* s > 20: TFLite's left shift would overflow */
  for (int v = -128; v < 128; v++) {
    int32_t d = v - xz, out = 127; /* 0 (and, where LiteRT stops with an error, x < 0): the top code */
    if (d > 0) {
      int32_t im;
      int is;
      lfrt_inv_sqrt_q31(d, &im, &is);
      int32_t t = lfrt_mul_q31_tfl(1, im, is + 20);
      /* a right shift past 31 leaves 0 (|t * m / 2^31| < 2^31) */
      out = lfrt_clamp_i32((s - 20 < -31 ? 0 : lfrt_mul_q31_tfl(t, m, s - 20)) + yz, -128, 127);
    }
    lut[(uint8_t)(int8_t)v] = (int8_t)out;
  }
  return 0;
}
