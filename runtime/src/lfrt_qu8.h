/* Legacy uint8 quantization (TOCO / Edge TPU models): TFLite type UINT8 for
 * activations and weights, per-tensor asymmetric with zero points.
 * prep_qu8.c derives the parameters at prepare; every uint8 node runs as
 * kind K_U8 with its op in lfrt_node.u8op (lfrt_qu8_run_node). */
#ifndef LFRT_QU8_H
#define LFRT_QU8_H
#include <stdint.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"

/* requantization of an int32 accumulator:
 * LFRT_QU8_FP32: XNNPACK's lrintf((float)acc * scale), (mult, shift) = lfrt_fp32_scale_split;
 * LFRT_QU8_TFL:  TFLite's MultiplyByQuantizedMultiplier, (mult, shift) = QuantizeMultiplier. */
enum { LFRT_QU8_FP32 = 0, LFRT_QU8_TFL = 1 };
static inline int32_t lfrt_qu8_requant(int mode, int32_t acc, int32_t mult, int32_t shift) {
  if (mode == LFRT_QU8_TFL) return lfrt_mul_q31_tfl(acc, mult, shift);
  return lfrt_requant_fp32(acc, mult, shift);
}

/* sum (x - in_zp) * (k - w_zp) over n, wrapping like TFLite's/XNNPACK's int32
 * accumulators (unsigned arithmetic, no UB) */
static inline uint32_t lfrt_qu8_dot(const uint8_t *x, const uint8_t *k, int n, int32_t in_zp, int32_t w_zp) {
  uint32_t acc = 0;
  for (int i = 0; i < n; i++) acc += (uint32_t)(((int32_t)x[i] - in_zp) * ((int32_t)k[i] - w_zp));
  return acc;
}
/* the uint8 convolutions' output stage: bias, requantization, zero point, clamp */
static inline uint8_t lfrt_qu8_out(int mode, uint32_t acc, const int32_t *bias, int oc, int32_t mult, int32_t shift,
                                   int32_t out_zp, int32_t act_min, int32_t act_max) {
  if (bias) acc += (uint32_t)bias[oc];
  int32_t v = lfrt_qu8_requant(mode, (int32_t)acc, mult, shift) + out_zp;
  return (uint8_t)lfrt_clamp_i32(v, act_min, act_max);
}

void lfrt_qu8_conv2d__ref(const lfrt_conv_params *p, int32_t w_zp, int mode, const uint8_t *in,
                          const uint8_t *w, const int32_t *bias, uint8_t *out, int begin, int end);
void lfrt_qu8_dwconv2d__ref(const lfrt_conv_params *p, int32_t w_zp, int mode, const uint8_t *in,
                            const uint8_t *w, const int32_t *bias, uint8_t *out, int begin, int end);
/* pose / uint8: TRANSPOSE_CONV, gather form as lfrt_qs8_tconv2d__ref, weights with a zero point */
void lfrt_qu8_tconv2d__ref(const lfrt_conv_params *p, int32_t w_zp, int mode, const uint8_t *in,
                           const uint8_t *w, const int32_t *bias, uint8_t *out, int begin, int end);
void lfrt_qu8_fc__ref(const lfrt_fc_params *p, int32_t w_zp, int mode, const uint8_t *in,
                      const uint8_t *w, const int32_t *bias, uint8_t *out, int begin, int end);

/* tfl: TFLite's builtin arithmetic (lfrt_binary_q8_params returned 1), else XNNPACK's */
void lfrt_qu8_add__ref(const lfrt_binary_params *p, int tfl, const uint8_t *a, const uint8_t *b, uint8_t *out,
                       int begin, int end);
void lfrt_qu8_mul__ref(const lfrt_binary_params *p, int tfl, const uint8_t *a, const uint8_t *b, uint8_t *out,
                       int begin, int end);
void lfrt_qu8_pool__ref(const lfrt_pool_params *p, int is_max, const uint8_t *in, uint8_t *out, int begin, int end);
void lfrt_qu8_mean__ref(const lfrt_mean_params *p, const uint8_t *in, uint8_t *out, int begin, int end);
void lfrt_qu8_softmax__ref(const lfrt_softmax_params *p, const uint8_t *in, uint8_t *out, int begin, int end);
void lfrt_qu8_resize_bilinear__ref(const lfrt_resize_params *p, const uint8_t *in, uint8_t *out, int begin, int end);
#endif
