/* Derivation of fixed-point parameters at prepare time (see lfrt_quant.h). */
#include "lfrt_quant.h"
#include "lfrt_kernels.h"

#include <math.h>

int lfrt_quantize_multiplier(double m, int32_t *mult, int *shift) {
  *mult = 0;
  *shift = 0;
  if (!(m >= 0.0) || !isfinite(m)) return -1;
  if (m == 0.0) return 0;
  int e = 0;
  double q = frexp(m, &e); /* m = q * 2^e, q in [0.5, 1) */
  double qf = round(q * 2147483648.0); /* round() is half away from zero, like TfLiteRound */
  int64_t qi = (int64_t)qf;
  if (qi == ((int64_t)1 << 31)) {
    qi /= 2;
    e++;
  }
  if (e < -31) { /* smaller than any representable product: flush to zero */
    return 0;
  }
  if (e > 30) return -1;
  *mult = (int32_t)qi;
  *shift = e;
  return 0;
}

int lfrt_quantize_multiplier_wide(double m, int32_t *mult, int *shift) {
  if (!(m >= 0.0) || !isfinite(m)) return -1;
  if (!lfrt_quantize_multiplier(m, mult, shift)) return 0;
  int e = 0;
  int64_t qi = (int64_t)round(frexp(m, &e) * 2147483648.0);
  if (qi == ((int64_t)1 << 31)) {
    qi /= 2;
    e++;
  }
  *mult = (int32_t)qi;
  *shift = e;
  return 0;
}

/* round(v / scale) as an int, saturated far outside int8 (tiny scales give inf). */
static int32_t steps(float v, float scale) {
  float r = roundf(v / scale);
  if (!(r > -1e6f)) return -1000000; /* also NaN */
  if (r > 1e6f) return 1000000;
  return (int32_t)r;
}

int lfrt_act_range_q8(int act, float scale, int32_t zp, int32_t *lo, int32_t *hi) {
  int32_t qmin = -128, qmax = 127;
  *lo = qmin;
  *hi = qmax;
  switch (act) {
  case LFRT_ACT_NONE:
    return 0;
  case LFRT_ACT_RELU:
    *lo = zp > qmin ? zp : qmin;
    return 0;
  case LFRT_ACT_RELU6: {
    *lo = zp > qmin ? zp : qmin;
    int32_t six = zp + steps(6.0f, scale);
    *hi = six < qmax ? six : qmax;
    return 0;
  }
  case LFRT_ACT_RELU_N1_TO_1: {
    int32_t m1 = zp + steps(-1.0f, scale);
    int32_t p1 = zp + steps(1.0f, scale);
    *lo = m1 > qmin ? m1 : qmin;
    *hi = p1 < qmax ? p1 : qmax;
    return 0;
  }
  default:
    return -1;
  }
}

int lfrt_act_range_f32(int act, float *lo, float *hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  switch (act) {
  case LFRT_ACT_NONE: return 0;
  case LFRT_ACT_RELU: *lo = 0.0f; return 0;
  case LFRT_ACT_RELU6: *lo = 0.0f; *hi = 6.0f; return 0;
  case LFRT_ACT_RELU_N1_TO_1: *lo = -1.0f; *hi = 1.0f; return 0;
  default: return -1;
  }
}

int lfrt_fp32_scale_split(float scale, int32_t *m, int *e) {
  *m = 0;
  *e = 0;
  if (!(scale >= 0.0f) || !isfinite(scale)) return -1;
  if (scale == 0.0f) return 0;
  int ex;
  float f = frexpf(scale, &ex); /* scale = f * 2^ex, f in [0.5, 1) */
  *m = (int32_t)ldexpf(f, 24);  /* exact: a float has 24 significant bits */
  *e = ex - 24;
  return 0;
}

/* ---- exact float emulation ------------------------------------------------------ */
static lfrt_sf sf_norm(int neg, uint64_t m, int e) {
  lfrt_sf r;
  int bits = lfrt_bitlen64(m);
  if (bits > 24) {
    m = lfrt_rne_shr(m, bits - 24);
    e += bits - 24;
    if (m >> 24) { /* rounding carried into a 25th bit */
      m >>= 1;
      e++;
    }
  }
  r.neg = m ? neg : 0;
  r.m = m;
  r.e = m ? e : 0;
  return r;
}

lfrt_sf lfrt_sf_from_float(float f) {
  int32_t m;
  int e;
  int neg = f < 0;
  lfrt_fp32_scale_split(neg ? -f : f, &m, &e);
  return sf_norm(neg, (uint64_t)m, e);
}

lfrt_sf lfrt_sf_from_int(int64_t v) {
  int neg = v < 0;
  return sf_norm(neg, neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, 0);
}

lfrt_sf lfrt_sf_mul(lfrt_sf a, lfrt_sf b) {
  return sf_norm(a.neg ^ b.neg, a.m * b.m, a.e + b.e); /* < 2^48: exact */
}

lfrt_sf lfrt_sf_add(lfrt_sf a, lfrt_sf b) {
  if (!a.m) return b;
  if (!b.m) return a;
  if (a.e < b.e) { /* a has the larger exponent */
    lfrt_sf t = a;
    a = b;
    b = t;
  }
  int d = a.e - b.e;
  uint64_t am, bm;
  int e;
  if (d <= 32) {
    am = a.m << d; /* < 2^56 */
    bm = b.m;
    e = b.e;
  } else {
    /* b is far below half an ulp of a: only its sign matters (a sticky bit) */
    am = a.m << 32;
    bm = 1;
    e = a.e - 32;
  }
  if (a.neg == b.neg) return sf_norm(a.neg, am + bm, e);
  if (am >= bm) return sf_norm(a.neg, am - bm, e);
  return sf_norm(b.neg, bm - am, e);
}

int32_t lfrt_sf_to_int_rne(lfrt_sf a) {
  int64_t r;
  if (a.e >= 0) r = a.e > 30 ? (a.m ? INT64_C(1) << 40 : 0) : (int64_t)(a.m << a.e);
  else r = (int64_t)lfrt_rne_shr(a.m, -a.e);
  if (a.neg) r = -r;
  if (r > INT32_MAX) r = INT32_MAX;
  if (r < INT32_MIN) r = INT32_MIN;
  return (int32_t)r;
}

/* ---- prepare-time derivations shared with the toolkit's QAT exact eval -------- */
int lfrt_conv_scale_q8(float in_scale, float w_scale, float out_scale, int32_t *mult, int32_t *shift) {
  /* XNNPACK's float scale: (in_scale * w_scale) / out_scale, each step rounded to float */
  volatile float t = in_scale * w_scale;
  volatile float m = t / out_scale;
  int sh = 0;
  *mult = 0;
  *shift = 0;
  if (!(m >= 0.0f && m < 256.0f)) return -1;
  /* Below 2^-32, |(float)acc * m| < 0.5 for every int32 acc: XNNPACK's product
   * rounds to 0 (and TFLite's QuantizeMultiplier gives 0), so the output is the
   * zero point. A zero scale says the same without denormals (armv7 NEON flushes
   * them). Converters write such scales for all-zero weight channels. */
  if (m < 0x1.0p-32f) return 0;
  if (lfrt_fp32_scale_split(m, mult, &sh)) return -1;
  *shift = sh;
  return 0;
}

void lfrt_mean_q8_scale(float xs, int32_t xz, float ys, int32_t yz, int n, lfrt_sf *scale, lfrt_sf *zp) {
  volatile float r = xs / ys, inv_n = 1.0f / (float)n;
  volatile float s = r * inv_n;
  volatile float nz = (float)((int64_t)n * xz);
  volatile float nzs = nz * s;
  volatile float z = (float)yz - nzs;
  *scale = lfrt_sf_from_float(s);
  *zp = lfrt_sf_from_float(z);
}

void lfrt_logistic_lut_q8(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]) {
  /* XNNPACK's table (LiteRT): sigmoid in float with a branch on the sign,
   * times 1/out_scale, rounded half to even (lrintf), + zp, clamped. */
  volatile float inv = 1.0f / ys;
  for (int v = -128; v < 128; v++) {
    volatile float d = (float)(v - xz) * xs;
    volatile float sg;
    if (signbit(d)) {
      volatile float e = expf(-d);
      sg = 1.0f / (1.0f + e);
    } else {
      volatile float e = expf(d);
      sg = 1.0f - 1.0f / (1.0f + e);
    }
    volatile float r = sg * inv;
    if (!(r < 1e6f)) r = 1e6f; /* a tiny output scale: saturate, never convert inf */
    int32_t q = (int32_t)lrintf(r) + yz;
    lut[(uint8_t)(int8_t)v] = (int8_t)lfrt_clamp_i32(q, -128, 127);
  }
}

void lfrt_resize_q11_table(int in, int out, int align, int half, int32_t *tab) {
  int adj = align && out != 1;
  volatile float scale = (float)(in - adj) / (float)(out - adj);
  volatile float offset = 0.5f * scale - 0.5f;
  for (int o = 0; o < out; o++) {
    volatile float pos = (float)o * scale;
    if (half) {
      pos = pos + offset;
      if (pos < 0.0f) pos = 0.0f;
    }
    if (pos > (float)(in - 1)) pos = (float)(in - 1);
    int lo = (int)pos;
    int hi = lo + 1 < in - 1 ? lo + 1 : in - 1;
    volatile float alpha = pos - (float)lo;
    tab[3 * o] = lo;
    tab[3 * o + 1] = hi;
    tab[3 * o + 2] = (int32_t)lrintf(alpha * 2048.0f);
  }
}

int lfrt_binary_q8_params(int mul, float as, float bs, float ys, lfrt_binary_params *p) {
  int e;
  if (mul) {
    volatile float t = as * bs;
    volatile float sc = t / ys;
    if (!(sc >= 0x1.0p-16f && sc < 256.0f)) { /* XNNPACK declines: TFLite's builtin MUL */
      if (lfrt_quantize_multiplier((double)as * (double)bs / (double)ys, &p->out_mult, &e)) return -1;
      p->out_shift = e;
      return 1;
    }
    lfrt_fp32_scale_split(sc, &p->out_mult, &e);
    p->out_shift = e;
    return 0;
  }
  /* XNNPACK qs8 add parameters */
  volatile float ra = as / ys, rb = bs / ys;
  float mx = ra > rb ? ra : rb;
  if (!(ra >= 0x1.0p-10f && rb >= 0x1.0p-10f && mx < 256.0f)) {
    /* XNNPACK declines: TFLite's builtin ADD (left shift 20, Q31 multipliers) */
    double twice = 2.0 * (double)(as > bs ? as : bs);
    int sa, sb, so;
    if (lfrt_quantize_multiplier((double)as / twice, &p->a_mult, &sa) ||
        lfrt_quantize_multiplier((double)bs / twice, &p->b_mult, &sb) ||
        lfrt_quantize_multiplier(twice / ((double)(1 << 20) * (double)ys), &p->out_mult, &so))
      return -1;
    p->a_shift = sa;
    p->b_shift = sb;
    p->out_shift = so;
    return 1;
  }
  int ex;
  frexpf(mx, &ex); /* mx = f * 2^ex, f in [0.5,1): float exponent is ex - 1 */
  p->shift = 20 - (ex - 1);
  p->a_mult = (int32_t)lrintf(ldexpf(ra, p->shift));
  p->b_mult = (int32_t)lrintf(ldexpf(rb, p->shift));
  p->bias = (1 << (p->shift - 1)) - p->a_mult * p->a_zp - p->b_mult * p->b_zp;
  return 0;
}

int lfrt_requant_lut_q8(float xs, int32_t xz, float ys, int32_t yz, int32_t lo, int32_t hi, int8_t lut[256]) {
  int32_t mult;
  int sh;
  if (lfrt_quantize_multiplier((double)xs / (double)ys, &mult, &sh)) return -1;
  for (int v = -128; v < 128; v++) {
    int32_t q = yz + lfrt_mul_q31_tfl(v - xz, mult, sh);
    lut[(uint8_t)(int8_t)v] = (int8_t)lfrt_clamp_i32(q, lo, hi);
  }
  return 0;
}
