/* BATCH_MATMUL: out[b][m][n] = sum_k lhs[b][m][k] * rhs[b][k][n], the batch
 * index broadcast onto each operand (stride 0 on a broadcast dim) and adj_x /
 * adj_y folded into the element strides at prepare. Work unit: one output row
 * (batch b, row m) of n values.
 * FLOAT32: summed in k order. int8: acc = sum (lhs-lhs_zp)(rhs-rhs_zp) in
 * int32, requantized as LiteRT was measured to do it: with two roundings
 * (gemmlowp's MultiplyByQuantizedMultiplier, lfrt_mul_q31_tfl) when the rhs zero
 * point is not 0, with one rounding (round half up of acc * mult / 2^(31 - shift),
 * as ruy) when it is 0 (single_round); + out_zp, saturated to int8. */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

static int32_t requant(const lfrt_bmm_params *p, int32_t acc) {
  if (!p->single_round) return lfrt_mul_q31_tfl(acc, p->mult, p->shift);
  int total = 31 - p->shift; /* shift in [-31, 30]: total in [1, 62] */
  int64_t prod = (int64_t)acc * p->mult; /* |prod| < 2^62 */
  return (int32_t)((prod + ((int64_t)1 << (total - 1))) >> total);
}

/* element offsets of batch b's matrices in lhs and rhs */
static void batch_offsets(const lfrt_bmm_params *p, int b, size_t *oa, size_t *ob) {
  size_t a = 0, r = 0;
  for (int d = LFRT_BMM_MAX_BATCH - 1; d >= 0; d--) {
    int c = b % p->bshape[d];
    b /= p->bshape[d];
    a += (size_t)c * p->a_bstride[d];
    r += (size_t)c * p->b_bstride[d];
  }
  *oa = a;
  *ob = r;
}

void lfrt_f32_batch_matmul__ref(const lfrt_bmm_params *p, const float *lhs, const float *rhs, float *out, int begin,
                                int end) {
  for (int row = begin; row < end; row++) {
    int b = row / p->m, m = row % p->m;
    size_t oa, ob;
    batch_offsets(p, b, &oa, &ob);
    const float *a = lhs + oa + (size_t)m * p->a_ms;
    float *y = out + (size_t)row * p->n;
    for (int n = 0; n < p->n; n++) {
      const float *r = rhs + ob + (size_t)n * p->b_ns;
      float acc = 0.0f;
      for (int k = 0; k < p->k; k++) acc += a[(size_t)k * p->a_ks] * r[(size_t)k * p->b_ks];
      y[n] = acc;
    }
  }
}

void lfrt_qs8_batch_matmul__ref(const lfrt_bmm_params *p, const int8_t *lhs, const int8_t *rhs, int8_t *out, int begin,
                                int end) {
  for (int row = begin; row < end; row++) {
    int b = row / p->m, m = row % p->m;
    size_t oa, ob;
    batch_offsets(p, b, &oa, &ob);
    const int8_t *a = lhs + oa + (size_t)m * p->a_ms;
    int8_t *y = out + (size_t)row * p->n;
    for (int n = 0; n < p->n; n++) {
      const int8_t *r = rhs + ob + (size_t)n * p->b_ns;
      int32_t acc = 0; /* k <= 2^16 (prepare): |acc| < 2^31 */
      for (int k = 0; k < p->k; k++)
        acc += ((int32_t)a[(size_t)k * p->a_ks] - p->a_zp) * ((int32_t)r[(size_t)k * p->b_ks] - p->b_zp);
      int32_t v = requant(p, acc) + p->out_zp;
      y[n] = (int8_t)lfrt_clamp_i32(v, -128, 127);
    }
  }
}
