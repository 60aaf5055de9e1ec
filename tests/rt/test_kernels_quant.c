/* Fixed-point and exact-float helpers of lfrt_quant.h against the oracle that
 * defines them: this machine's IEEE float unit (lrintf, float mul/add) and
 * exact 64-bit rational arithmetic. Runs natively and under qemu. */
#include <math.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"
#include "test_interp_util.h"

/* lrintf((float)acc * scale) on the FPU. */
static int32_t hw_requant(int32_t acc, float scale) {
  volatile float a = (float)acc;
  volatile float p = a * scale;
  return (int32_t)lrintf(p);
}

LF_TEST(requant_fp32_matches_fpu) {
  int bad = 0;
  for (int i = 0; i < 300000; i++) {
    float scale = ldexpf(tu_randf(0.5f, 1.0f), tu_randint(-24, 2));
    int32_t acc;
    switch (i % 4) {
    case 0: acc = tu_randint(-1000, 1000); break;
    case 1: acc = (int32_t)(tu_rand() % 2000001) - 1000000; break;
    case 2: acc = (int32_t)((tu_rand() << 4) ^ tu_rand()) >> 3; break; /* up to ~2^28: (float)acc rounds */
    default: acc = tu_randint(-5, 5) * 2 + 1; scale = ldexpf(1.0f, -tu_randint(1, 3)); break; /* ties */
    }
    volatile float pf = (float)acc * scale;
    if (fabsf(pf) > 1e9f) continue;
    int32_t m;
    int e;
    lfrt_fp32_scale_split(scale, &m, &e);
    int32_t got = lfrt_requant_fp32(acc, m, e), want = hw_requant(acc, scale);
    if (got != want && bad++ < 5) LF_CHECK_MSG(0, "acc %d scale %a: got %d, FPU %d", (int)acc, (double)scale, (int)got, (int)want);
  }
  LF_CHECK_MSG(bad == 0, "%d mismatches", bad);
}

LF_TEST(soft_float_matches_fpu) {
  int bad = 0;
  for (int i = 0; i < 200000; i++) {
    int32_t a = (int32_t)(tu_rand() % 4000001) - 2000000;
    if (i % 3 == 0) a = tu_randint(-300, 300);
    float s = ldexpf(tu_randf(0.5f, 1.0f), tu_randint(-20, 0));
    float z = tu_randf(-300.0f, 300.0f);
    if (i % 5 == 0) z = (float)tu_randint(-128, 127);
    volatile float fa = (float)a;
    volatile float t = fa * s;
    volatile float u = t + z;
    int32_t want = (int32_t)nearbyintf(u);
    lfrt_sf r = lfrt_sf_add(lfrt_sf_mul(lfrt_sf_from_int(a), lfrt_sf_from_float(s)), lfrt_sf_from_float(z));
    int32_t got = lfrt_sf_to_int_rne(r);
    if (got != want && bad++ < 5) LF_CHECK_MSG(0, "a %d s %a z %a: got %d, FPU %d", (int)a, (double)s, (double)z, (int)got, (int)want);
  }
  LF_CHECK_MSG(bad == 0, "%d mismatches", bad);
  /* cancellation and far-apart exponents */
  lfrt_sf x = lfrt_sf_add(lfrt_sf_from_float(1.5f), lfrt_sf_from_float(-1.5f));
  LF_CHECK(lfrt_sf_to_int_rne(x) == 0);
  x = lfrt_sf_add(lfrt_sf_from_float(2.5f), lfrt_sf_from_float(1e-30f));
  LF_CHECK(lfrt_sf_to_int_rne(x) == 2); /* the float sum is exactly 2.5: a tie, to even */
  x = lfrt_sf_add(lfrt_sf_from_float(2.5f), lfrt_sf_from_float(0x1.0p-21f));
  LF_CHECK(lfrt_sf_to_int_rne(x) == 3); /* representable, just above the tie */
  LF_CHECK(lfrt_sf_to_int_rne(lfrt_sf_from_float(2.5f)) == 2);
  LF_CHECK(lfrt_sf_to_int_rne(lfrt_sf_from_float(-3.5f)) == -4);
}

LF_TEST(quantize_multiplier_is_tflites) {
  for (int i = 0; i < 20000; i++) {
    double m = ldexp(tu_randf(0.5f, 1.0f) + tu_rand() * 1e-12, tu_randint(-30, 20));
    int32_t q;
    int sh;
    LF_CHECK(lfrt_quantize_multiplier(m, &q, &sh) == 0);
    LF_CHECK(q >= (1 << 30));
    double back = ldexp((double)q, sh - 31);
    LF_CHECK_MSG(fabs(back - m) <= ldexp(1.0, sh - 32) * 1.0000001, "m %.17g -> %d, %d", m, (int)q, sh);
  }
  int32_t q;
  int sh;
  LF_CHECK(lfrt_quantize_multiplier(0.0, &q, &sh) == 0 && q == 0 && sh == 0);
  LF_CHECK(lfrt_quantize_multiplier(1.0, &q, &sh) == 0 && q == (1 << 30) && sh == 1);
  /* mantissa rounding up to 2^31 moves to the next exponent */
  LF_CHECK(lfrt_quantize_multiplier(1.0 - 1e-12, &q, &sh) == 0 && q == (1 << 30) && sh == 1);
  LF_CHECK(lfrt_quantize_multiplier(-1.0, &q, &sh) != 0);
  LF_CHECK(lfrt_quantize_multiplier(NAN, &q, &sh) != 0);
}

/* round half away from zero of num / 2^k (exact, k in [1, 62]) */
static int64_t round_away_pow2(int64_t num, int k) {
  int64_t mag = num < 0 ? -num : num;
  int64_t q = (mag + (INT64_C(1) << (k - 1))) >> k;
  return num < 0 ? -q : q;
}

LF_TEST(mul_q31_tflite_two_roundings) {
  for (int i = 0; i < 200000; i++) {
    int32_t x = (int32_t)(tu_rand() % 2000001) - 1000000;
    int32_t q = (int32_t)((1u << 30) + (tu_rand() % (1u << 30)));
    int sh = tu_randint(-20, 5);
    if (sh > 0 && (x > (INT32_MAX >> sh) || x < (INT32_MIN >> sh))) continue;
    int64_t xs = (int64_t)x * (sh > 0 ? (1 << sh) : 1);
    int64_t hi = round_away_pow2(xs * q, 31);
    int64_t want = sh < 0 ? round_away_pow2(hi, -sh) : hi;
    LF_CHECK_MSG(lfrt_mul_q31_tfl(x, q, sh) == want, "x %d q %d sh %d: got %d want %lld", (int)x, (int)q, sh,
                 (int)lfrt_mul_q31_tfl(x, q, sh), (long long)want);
    if (lf_test_failures > 10) return;
  }
  /* the classic double-rounding case: 0.5 exactly after the high multiply */
  /* 5 * 0.5 / 2 = 1.25: the high multiply gives round(2.5) = 3, then 3 / 2 = 1.5 -> 2 */
  LF_CHECK(lfrt_mul_q31_tfl(5, 1 << 30, -1) == 2);
}

LF_TEST(activation_ranges) {
  int32_t lo, hi;
  LF_CHECK(lfrt_act_range_q8(LFRT_ACT_NONE, 0.1f, 5, &lo, &hi) == 0 && lo == -128 && hi == 127);
  LF_CHECK(lfrt_act_range_q8(LFRT_ACT_RELU, 0.1f, 5, &lo, &hi) == 0 && lo == 5 && hi == 127);
  LF_CHECK(lfrt_act_range_q8(LFRT_ACT_RELU6, 0.1f, -100, &lo, &hi) == 0 && lo == -100 && hi == -40);
  LF_CHECK(lfrt_act_range_q8(LFRT_ACT_RELU6, 0.01f, 0, &lo, &hi) == 0 && lo == 0 && hi == 127);
  LF_CHECK(lfrt_act_range_q8(LFRT_ACT_RELU_N1_TO_1, 0.1f, 0, &lo, &hi) == 0 && lo == -10 && hi == 10);
  LF_CHECK(lfrt_act_range_q8(7, 0.1f, 0, &lo, &hi) != 0);
  /* QUANTIZE float -> int8 as XNNPACK: x * (1/scale), ties to even, saturated, NaN -> lowest */
  lfrt_unary_params up = {2.0f, -128.0f, 127.0f, 0, 0};
  float xin[6] = {0.25f, 0.75f, -0.25f, 1e30f, -1e30f, NAN};
  int8_t qo[6];
  lfrt_f32_qs8_quantize__ref(&up, xin, qo, 0, 6);
  LF_CHECK(qo[0] == 0 && qo[1] == 2 && qo[2] == 0 && qo[3] == 127 && qo[4] == -128 && qo[5] == -128);
  up.zp = 5;
  lfrt_f32_qs8_quantize__ref(&up, xin, qo, 0, 3);
  LF_CHECK(qo[0] == 5 && qo[1] == 7 && qo[2] == 5);
}

int main(void) {
  LF_RUN(requant_fp32_matches_fpu);
  LF_RUN(soft_float_matches_fpu);
  LF_RUN(quantize_multiplier_is_tflites);
  LF_RUN(mul_q31_tflite_two_roundings);
  LF_RUN(activation_ranges);
  return lf_test_summary();
}
