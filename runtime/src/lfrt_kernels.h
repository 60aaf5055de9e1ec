/* Reference kernels of the leapfrog runtime: one params struct per op and one
 * function-pointer type per kernel family (type, op, ISA in the name, e.g.
 * lfrt_qs8_conv2d__ref). Layouts are TFLite's: activations NHWC; conv weights
 * OHWI [out_c][k_h][k_w][in_c]; depthwise weights 1HW(C*M) [k_h][k_w][in_c*mult];
 * transpose conv weights OHWI [out_c][k_h][k_w][in_c]; FC weights [out][in].
 * int8 values follow the TFLite int8 spec: real = scale * (q - zero_point),
 * weights symmetric (zero point 0), per output channel; bias int32 with scale
 * in_scale*w_scale[c]. Requantization uses (mult, shift) pairs computed at
 * prepare (lfrt_quant.h); for conv/depthwise/transpose conv/FC they describe
 * the float scale fl(fl(in_scale*w_scale)/out_scale) = mult * 2^shift, applied
 * with lfrt_requant_fp32 (what LiteRT's XNNPACK path computes, emulated in
 * integers). The int8 eval paths use no float.
 *
 * Every kernel computes a slice [begin, end) of its work items so the
 * interpreter can split an op over threads without splitting a reduction; the
 * unit is documented per op (lfrt_*_work() gives the count). Results never
 * depend on how the range is split. */
#ifndef LFRT_KERNELS_H
#define LFRT_KERNELS_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_quant.h" /* lfrt_sf */

/* ---- CONV_2D, DEPTHWISE_CONV_2D, TRANSPOSE_CONV ----------------------------
 * Work unit: one output row (batch * out_h rows). pad_top/pad_left are the
 * TFLite paddings (SAME: total = max((out-1)*stride + (k-1)*dil + 1 - in, 0),
 * top = total/2). For transpose conv pad_* are the paddings of the forward
 * conv whose gradient it is (out index oy maps to input iy when
 * oy + pad_top - ky == iy*stride). */
typedef struct {
  int batch, in_h, in_w, in_c;
  int out_h, out_w, out_c;
  int k_h, k_w, stride_h, stride_w, dil_h, dil_w, pad_top, pad_left;
  int depth_multiplier; /* depthwise: out_c = in_c * depth_multiplier */
  /* int8 */
  int32_t in_zp, out_zp, act_min, act_max; /* act_* within [-128, 127] */
  const int32_t *mult;  /* [out_c] 24-bit significand of the float scale */
  const int32_t *shift; /* [out_c] its exponent: scale = mult * 2^shift */
  const float *scale_f;  /* [out_c] mult * 2^shift as a float (normal), set at prepare for the
                           SIMD depthwise variants (lfrt_config_spatial.h); the reference ignores it */
  /* float */
  float act_min_f, act_max_f;
  /* float fast path (lfrt_f32_conv.h), set at prepare: packed weights + microkernel */
  const float *packed_f32;
  const struct lfrt_f32_conv_config_s *f32_cfg;
} lfrt_conv_params;

typedef void (*lfrt_qs8_conv_fn)(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                                 const int32_t *bias, int8_t *out, int begin, int end);
typedef void (*lfrt_f32_conv_fn)(const lfrt_conv_params *p, const float *in, const float *w,
                                 const float *bias, float *out, int begin, int end);

void lfrt_qs8_conv2d__ref(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                          const int32_t *bias, int8_t *out, int begin, int end);
void lfrt_f32_conv2d__ref(const lfrt_conv_params *p, const float *in, const float *w,
                          const float *bias, float *out, int begin, int end);
void lfrt_qs8_dwconv2d__ref(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                            const int32_t *bias, int8_t *out, int begin, int end);
void lfrt_f32_dwconv2d__ref(const lfrt_conv_params *p, const float *in, const float *w,
                            const float *bias, float *out, int begin, int end);
/* bias may be NULL for transpose conv. */
void lfrt_qs8_tconv2d__ref(const lfrt_conv_params *p, const int8_t *in, const int8_t *w,
                           const int32_t *bias, int8_t *out, int begin, int end);
void lfrt_f32_tconv2d__ref(const lfrt_conv_params *p, const float *in, const float *w,
                           const float *bias, float *out, int begin, int end);

/* ---- FULLY_CONNECTED ---------------------------------------------------------
 * in [batch][in_c], w [out_c][in_c], out [batch][out_c]; work unit: one output
 * element (batch * out_c). mult/shift have out_c entries (per-tensor weights
 * repeat the same pair). bias may be NULL. */
typedef struct {
  int batch, in_c, out_c;
  int32_t in_zp, out_zp, act_min, act_max;
  const int32_t *mult, *shift;
  float act_min_f, act_max_f;
  const float *packed_f32; /* float fast path, as lfrt_conv_params */
  const struct lfrt_f32_conv_config_s *f32_cfg;
} lfrt_fc_params;
typedef void (*lfrt_qs8_fc_fn)(const lfrt_fc_params *p, const int8_t *in, const int8_t *w,
                               const int32_t *bias, int8_t *out, int begin, int end);
typedef void (*lfrt_f32_fc_fn)(const lfrt_fc_params *p, const float *in, const float *w,
                               const float *bias, float *out, int begin, int end);
void lfrt_qs8_fc__ref(const lfrt_fc_params *p, const int8_t *in, const int8_t *w,
                      const int32_t *bias, int8_t *out, int begin, int end);
void lfrt_f32_fc__ref(const lfrt_fc_params *p, const float *in, const float *w,
                      const float *bias, float *out, int begin, int end);

/* ---- AVERAGE_POOL_2D, MAX_POOL_2D ---------------------------------------------
 * Work unit: one output row (batch * out_h). Windows are clipped to the input
 * (padding is not counted in the average). int8 average rounds half away from
 * zero: (sum +- count/2) / count. Input and output share scale/zero point. */
typedef struct {
  int batch, in_h, in_w, c, out_h, out_w;
  int k_h, k_w, stride_h, stride_w, pad_top, pad_left;
  int32_t act_min, act_max;
  float act_min_f, act_max_f;
} lfrt_pool_params;
typedef void (*lfrt_qs8_pool_fn)(const lfrt_pool_params *p, const int8_t *in, int8_t *out,
                                 int begin, int end);
typedef void (*lfrt_f32_pool_fn)(const lfrt_pool_params *p, const float *in, float *out, int begin, int end);
void lfrt_qs8_avgpool__ref(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_qs8_maxpool__ref(const lfrt_pool_params *p, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_f32_avgpool__ref(const lfrt_pool_params *p, const float *in, float *out, int begin, int end);
void lfrt_f32_maxpool__ref(const lfrt_pool_params *p, const float *in, float *out, int begin, int end);

/* ---- MEAN ---------------------------------------------------------------------
 * Reduces the axes flagged in reduce[] (up to 6 dims). Work unit: one output
 * element. int8 is LiteRT's (XNNPACK sum + int32->int8 convert):
 *   out = nearbyint(fl(fl(sum(q) * s) + z)),  s = fl(fl(in_s/out_s) * fl(1/n)),
 *   z = fl(out_zp - fl(n*in_zp) * s)
 * evaluated with the exact float emulation of lfrt_quant.h (no FPU use). */
typedef struct {
  int ndim;
  int shape[6];
  int reduce[6]; /* 1 = axis reduced */
  int out_count, n; /* n = elements per output */
  lfrt_sf scale, zp; /* int8: s and z above */
} lfrt_mean_params;
typedef void (*lfrt_qs8_mean_fn)(const lfrt_mean_params *p, const int8_t *in, int8_t *out, int begin, int end);
typedef void (*lfrt_f32_mean_fn)(const lfrt_mean_params *p, const float *in, float *out, int begin, int end);
void lfrt_qs8_mean__ref(const lfrt_mean_params *p, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_f32_mean__ref(const lfrt_mean_params *p, const float *in, float *out, int begin, int end);

/* ---- elementwise binary ADD / MUL with broadcasting -----------------------------
 * Shapes are right-aligned to 6 dims; a dim of 1 broadcasts. Work unit: one
 * output element. int8 arithmetic is LiteRT's (XNNPACK qs8 vadd / vmul):
 * ADD: acc = bias + a*a_mult + b*b_mult, out = (acc >> shift) + out_zp, where
 * a_mult = round(sa/so * 2^shift) (largest in [2^20, 2^21)) and bias holds
 * -a_zp*a_mult - b_zp*b_mult + 2^(shift-1). MUL: (a-za)*(b-zb) requantized by
 * lfrt_requant_fp32 with scale fl(fl(sa*sb)/so) = out_mult * 2^out_shift. */
typedef struct {
  int shape_a[6], shape_b[6], shape_out[6];
  int32_t a_zp, b_zp, out_zp, act_min, act_max;
  int32_t a_mult, b_mult, bias, shift; /* ADD */
  int32_t out_mult, out_shift;         /* MUL; ADD (tflite variant) */
  int32_t a_shift, b_shift;            /* ADD (tflite variant) */
  float act_min_f, act_max_f;
  /* fast int8 variants (lfrt_qs8_v{add,mul}_*): a is full-size and b[i % b_period] */
  int b_period;
  float out_scale_f; /* MUL: out_mult * 2^out_shift as a float */
} lfrt_binary_params;
typedef void (*lfrt_qs8_binary_fn)(const lfrt_binary_params *p, const int8_t *a, const int8_t *b,
                                   int8_t *out, int begin, int end);
typedef void (*lfrt_f32_binary_fn)(const lfrt_binary_params *p, const float *a, const float *b,
                                   float *out, int begin, int end);
/* int8 ADD/MUL parameters as LiteRT chooses them (prepare time; shared with
 * the toolkit's exact QAT eval). a_zp, b_zp, out_zp must be set. Returns 0:
 * XNNPACK form (lfrt_qs8_add/mul__ref), 1: TFLite builtin form (*_tflite__ref),
 * -1: scales out of range. */
int lfrt_binary_q8_params(int mul, float a_scale, float b_scale, float out_scale, lfrt_binary_params *p);
/* math ops (issue 11): offsets into a and b of output element i (broadcast);
 * int8 MAXIMUM / MINIMUM on the raw values (LiteRT ignores the scales). int8
 * SUB runs lfrt_qs8_add__ref with b_mult negated. */
void lfrt_binary_offsets(const lfrt_binary_params *p, int i, size_t *oa, size_t *ob);
void lfrt_s8_maximum__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
void lfrt_s8_minimum__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
void lfrt_qs8_add__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
void lfrt_qs8_mul__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
/* TFLite builtin arithmetic, which LiteRT uses when XNNPACK declines the op
 * (scale ratios outside XNNPACK's range). ADD: ((a-za) << 20) and ((b-zb) << 20)
 * scaled by Q31 (a_mult, a_shift) / (b_mult, b_shift), summed, scaled by
 * (out_mult, out_shift); MUL: (a-za)*(b-zb) scaled by Q31 (out_mult, out_shift);
 * each multiply rounded twice as TFLite does (lfrt_mul_q31_tfl). */
void lfrt_qs8_add_tflite__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
/* movenet: SUB where XNNPACK declines the ratios: the tflite ADD with sa - sb */
void lfrt_qs8_sub_tflite__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
void lfrt_qs8_mul_tflite__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
void lfrt_f32_add__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
void lfrt_f32_mul__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
/* float SUB, DIV (fused activation in act_min_f/act_max_f), MAXIMUM, MINIMUM,
 * SQUARED_DIFFERENCE, PRELU (b = alpha, broadcast): reference only. */
void lfrt_f32_sub__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
void lfrt_f32_div__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
void lfrt_f32_maximum__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
void lfrt_f32_minimum__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
void lfrt_f32_squared_difference__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
void lfrt_f32_prelu__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);

/* ---- CONCATENATION ------------------------------------------------------------
 * Byte-level: each input is [outer][inner_bytes[i]]; output is [outer][sum].
 * Work unit: one outer index. (int8 requires equal scale/zp: a plain copy;
 * uint8 inputs quantized unlike the output map each byte through a table.) */
typedef struct {
  int n_in, outer;
  const size_t *inner_bytes; /* [n_in] */
  size_t out_inner_bytes;
  const uint8_t *const *lut; /* pose / uint8: NULL, or [n_in] 256-byte tables (NULL = copy) */
} lfrt_concat_params;
typedef void (*lfrt_x8_concat_fn)(const lfrt_concat_params *p, const void *const *in, void *out, int begin, int end);
void lfrt_x8_concat__ref(const lfrt_concat_params *p, const void *const *in, void *out, int begin, int end);

/* ---- PAD ------------------------------------------------------------------------
 * Constant pad of up to 6 dims, element size 1 or 4; value = pad bytes (the
 * zero point for int8, 0.0f for float). Work unit: one output element. */
typedef struct {
  int ndim, elem_size;
  int in_shape[6], out_shape[6], before[6];
  uint32_t value; /* low elem_size bytes used */
} lfrt_pad_params;
typedef void (*lfrt_xx_pad_fn)(const lfrt_pad_params *p, const void *in, void *out, int begin, int end);
void lfrt_xx_pad__ref(const lfrt_pad_params *p, const void *in, void *out, int begin, int end);

/* ---- RESIZE_NEAREST_NEIGHBOR / RESIZE_BILINEAR -------------------------------------
 * Work unit: one output row (batch * out_h). Source coordinates as TFLite:
 * scale = (align_corners && out > 1) ? (in-1)/(out-1) : in/out; nearest:
 * min(floor/round(...), in-1); bilinear int8 is XNNPACK's (11-bit weights, see
 * below and runtime/kernels/ref/README.md). Int8 input/output share scale/zp. */
typedef struct {
  int batch, in_h, in_w, c, out_h, out_w;
  int align_corners, half_pixel_centers;
  /* q11 bilinear only: per output row / column {lo, hi, alpha in 1/2048} */
  const int32_t *tab_y, *tab_x;
} lfrt_resize_params;
typedef void (*lfrt_qs8_resize_fn)(const lfrt_resize_params *p, const int8_t *in, int8_t *out, int begin, int end);
typedef void (*lfrt_f32_resize_fn)(const lfrt_resize_params *p, const float *in, float *out, int begin, int end);
void lfrt_qs8_resize_nearest__ref(const lfrt_resize_params *p, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_f32_resize_nearest__ref(const lfrt_resize_params *p, const float *in, float *out, int begin, int end);
/* XNNPACK's int8 bilinear (LiteRT's path for every mode; the source
 * coordinates of each mode are in tab_y/tab_x): 11-bit weights from tab_y/tab_x,
 * two lerps, one rounding (+2^21) >> 22. */
void lfrt_qs8_resize_bilinear_q11__ref(const lfrt_resize_params *p, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_f32_resize_bilinear__ref(const lfrt_resize_params *p, const float *in, float *out, int begin, int end);

/* ---- unary int8 via a 256-entry table (LOGISTIC, RELU, RELU6, requantizing
 * QUANTIZE i8->i8 use lut; built at prepare). Work unit: one element. */
typedef void (*lfrt_qs8_lut_fn)(const int8_t *lut, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_qs8_lut__ref(const int8_t *lut, const int8_t *in, int8_t *out, int begin, int end);
/* math ops (issue 11): int8 tables of TANH, EXP, HARD_SWISH, LEAKY_RELU, RSQRT in
 * LiteRT's arithmetic (unary_lut_qs8_ref.c), indexed by the input byte; the
 * int-returning ones give -1 for scales LiteRT does not take. */
void lfrt_qs8_tanh_lut__ref(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]);
void lfrt_qs8_exp_lut__ref(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]);
int lfrt_qs8_hard_swish_lut__ref(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]);
int lfrt_qs8_leaky_relu_lut__ref(float xs, int32_t xz, float ys, int32_t yz, float alpha, int8_t lut[256]);
int lfrt_qs8_rsqrt_lut__ref(float xs, int32_t xz, float ys, int32_t yz, int8_t lut[256]);
/* ARG_MAX / ARG_MIN over [outer][axis_len][inner]: first index of the extreme
 * (TFLite's ties); out int32 or int64 (out64). Work unit: one output element. */
typedef struct {
  int outer, axis_len, inner;
  int is_min, out64;
} lfrt_arg_minmax_params;
typedef void (*lfrt_arg_minmax_fn)(const lfrt_arg_minmax_params *p, const void *in, void *out, int begin, int end);
void lfrt_f32_arg_minmax__ref(const lfrt_arg_minmax_params *p, const void *in, void *out, int begin, int end);
void lfrt_s8_arg_minmax__ref(const lfrt_arg_minmax_params *p, const void *in, void *out, int begin, int end);
void lfrt_u8_arg_minmax__ref(const lfrt_arg_minmax_params *p, const void *in, void *out, int begin, int end);
/* L2_NORMALIZATION over the last axis: rows of depth values (l2norm_ref.c).
 * int8: output scale 1/128, zero point 0. Work unit: one row. */
typedef struct {
  int rows, depth;
  int32_t in_zp;
} lfrt_l2norm_params;
typedef void (*lfrt_f32_l2norm_fn)(const lfrt_l2norm_params *p, const float *in, float *out, int begin, int end);
typedef void (*lfrt_qs8_l2norm_fn)(const lfrt_l2norm_params *p, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_f32_l2norm__ref(const lfrt_l2norm_params *p, const float *in, float *out, int begin, int end);
void lfrt_qs8_l2norm__ref(const lfrt_l2norm_params *p, const int8_t *in, int8_t *out, int begin, int end);
/* batch matmul etc. (issue 11): BATCH_MATMUL (batch_matmul_ref.c). Output
 * [batch][m][n]; the batch index is decomposed over bshape (right-aligned,
 * unused leading dims 1) and each operand steps a_bstride / b_bstride elements
 * per batch coordinate (0 = broadcast). lhs element (m, k) is at
 * m*a_ms + k*a_ks, rhs element (k, n) at k*b_ks + n*b_ns (adj_x / adj_y).
 * int8: LiteRT's requantization by the Q31 (mult, shift), one rounding when
 * single_round (rhs zero point 0), else two. Work unit: one output row. */
#define LFRT_BMM_MAX_BATCH 3
/* int8 SQUARED_DIFFERENCE (sqdiff_qs8_ref.c) and PRELU (prelu_qs8_ref.c, b =
 * alpha) in TFLite's builtin arithmetic, on lfrt_binary_params: SQUARED_DIFFERENCE
 * uses a/b_mult, a/b_shift (inputs, << 7 first) and out_mult/out_shift; PRELU
 * out_mult/out_shift for x >= 0 and a_mult/a_shift for x * alpha. */
void lfrt_qs8_squared_difference__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
void lfrt_qs8_prelu__ref(const lfrt_binary_params *p, const int8_t *a, const int8_t *b, int8_t *out, int begin, int end);
typedef struct {
  int m, n, k, batch;
  int bshape[LFRT_BMM_MAX_BATCH];
  size_t a_bstride[LFRT_BMM_MAX_BATCH], b_bstride[LFRT_BMM_MAX_BATCH];
  size_t a_ms, a_ks, b_ks, b_ns;
  int32_t a_zp, b_zp, out_zp, mult;
  int shift, single_round;
} lfrt_bmm_params;
typedef void (*lfrt_f32_bmm_fn)(const lfrt_bmm_params *p, const float *lhs, const float *rhs, float *out, int begin, int end);
typedef void (*lfrt_qs8_bmm_fn)(const lfrt_bmm_params *p, const int8_t *lhs, const int8_t *rhs, int8_t *out, int begin, int end);
void lfrt_f32_batch_matmul__ref(const lfrt_bmm_params *p, const float *lhs, const float *rhs, float *out, int begin, int end);
void lfrt_qs8_batch_matmul__ref(const lfrt_bmm_params *p, const int8_t *lhs, const int8_t *rhs, int8_t *out, int begin, int end);
/* 1/sqrt(v) for v >= 0 as TFLite's GetInvSqrtQuantizedMultiplierExp: Q31
 * multiplier and a left shift (v <= 1: INT32_MAX, 0). */
void lfrt_inv_sqrt_q31(int32_t v, int32_t *mult, int *shift);

/* ---- SOFTMAX over the last axis. Work unit: one row. int8 output has scale
 * 1/256, zp -128. The int8 kernel uses a table of exp built at prepare from
 * the input scale and beta (as TFLite's optimized int8 softmax). */
typedef struct {
  int rows, depth;
  float beta;            /* float softmax */
  const float *exp_lut;  /* int8: [256], exp_lut[255 - d] = exp(-beta*in_scale*d) */
  float out_scale;       /* int8: 1/256 */
  int32_t out_zp;        /* int8: -128 */
} lfrt_softmax_params;
typedef void (*lfrt_qs8_softmax_fn)(const lfrt_softmax_params *p, const int8_t *in, int8_t *out, int begin, int end);
typedef void (*lfrt_f32_softmax_fn)(const lfrt_softmax_params *p, const float *in, float *out, int begin, int end);
void lfrt_qs8_softmax__ref(const lfrt_softmax_params *p, const int8_t *in, int8_t *out, int begin, int end);
void lfrt_f32_softmax__ref(const lfrt_softmax_params *p, const float *in, float *out, int begin, int end);

/* ---- float unary, quantize / dequantize. Work unit: one element. ----------------
 * QUANTIZE float -> int8/uint8 is XNNPACK's (LiteRT): v = x * inv_scale (float,
 * inv_scale = 1/scale), clamped to [lo - zp, hi - zp], rounded half to even,
 * + zp; written as raw bytes. DEQUANTIZE: scale * (q - zp), q int8 or (u8) uint8. */
typedef struct {
  float scale, lo, hi; /* quantize: scale = 1/out_scale, lo/hi = type range; RELU clamps */
  int32_t zp;
  int u8; /* dequantize: input is uint8 */
} lfrt_unary_params;
typedef void (*lfrt_f32_unary_fn)(const lfrt_unary_params *p, const float *in, float *out, int begin, int end);
typedef void (*lfrt_f32_qs8_quantize_fn)(const lfrt_unary_params *p, const float *in, int8_t *out, int begin, int end);
typedef void (*lfrt_qs8_f32_dequantize_fn)(const lfrt_unary_params *p, const int8_t *in, float *out, int begin, int end);
void lfrt_f32_logistic__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end);
void lfrt_f32_clamp__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end);
/* float TANH, EXP, RSQRT, LEAKY_RELU (alpha = p->scale), HARD_SWISH. */
void lfrt_f32_tanh__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end);
void lfrt_f32_exp__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end);
void lfrt_f32_rsqrt__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end);
void lfrt_f32_sqrt__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end); /* movenet */
void lfrt_f32_leaky_relu__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end);
void lfrt_f32_hard_swish__ref(const lfrt_unary_params *p, const float *in, float *out, int begin, int end);
void lfrt_f32_qs8_quantize__ref(const lfrt_unary_params *p, const float *in, int8_t *out, int begin, int end);
void lfrt_qs8_f32_dequantize__ref(const lfrt_unary_params *p, const int8_t *in, float *out, int begin, int end);

/* ---- shape ops: data movement (move_ref.c) --------------------------------------
 * TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK, DEPTH_TO_SPACE,
 * SPACE_TO_DEPTH are each one or more strided copies of a box of `count`
 * elements (row-major over ndim <= 6 dims): element i reads
 * in[src_offset + sum(i_d * src_stride[d])] and writes
 * out[dst_offset + sum(i_d * dst_stride[d])] (strides and offsets in elements,
 * src strides may be negative; `elem` bytes each, any type). Work unit: one row
 * (every dim but the last); rows = product of count[0..ndim-2]. */
typedef struct {
  int ndim, elem;
  int32_t count[6];
  int64_t src_stride[6], dst_stride[6];
  int64_t src_offset, dst_offset;
  int rows;
} lfrt_move_params;
typedef void (*lfrt_xx_move_fn)(const lfrt_move_params *p, const void *in, void *out, int begin, int end);
void lfrt_xx_move__ref(const lfrt_move_params *p, const void *in, void *out, int begin, int end);

/* GATHER: in is [batch][outer][axis_size][inner_bytes], indices [batch][nidx]
 * (int32, or int64 when idx64), out [batch][outer][nidx][inner_bytes]. Indices
 * are checked in [0, axis_size) before the call (lfrt_gather_check); one out of
 * range here anyway writes zeros. Work unit: one (batch, outer) pair. */
typedef struct {
  int batch, outer, axis_size, nidx, idx64;
  size_t inner_bytes;
} lfrt_gather_params;
typedef void (*lfrt_xx_gather_fn)(const lfrt_gather_params *p, const void *in, const void *idx, void *out, int begin,
                                  int end);
void lfrt_xx_gather__ref(const lfrt_gather_params *p, const void *in, const void *idx, void *out, int begin, int end);

/* ---- movenet: CAST, FLOOR_DIV, GATHER_ND -------------------------------------------
 * CAST: element i of type `from` to type `to` (lfrt_type values: FLOAT32, INT32,
 * INT64, UINT8, INT8, INT16, BOOL), raw values (quantization ignored), as TFLite's
 * static_cast: integers wrap modulo 2^bits, anything to BOOL is `!= 0`, BOOL is 0/1,
 * float to integer truncates toward zero. A float whose truncation is outside the
 * integer type (or NaN) is undefined in TFLite (C++) and LiteRT builds disagree on
 * it, so it is refused before the call (lfrt_cast_check); here it would saturate.
 * Work unit: one element. */
typedef struct {
  int from, to; /* lfrt_type */
} lfrt_cast_params;
typedef void (*lfrt_xx_cast_fn)(const lfrt_cast_params *p, const void *in, void *out, int begin, int end);
void lfrt_xx_cast__ref(const lfrt_cast_params *p, const void *in, void *out, int begin, int end);
/* double -> int32 / int64 truncating toward zero, saturating (NaN -> 0): what LiteRT
 * gives for FLOOR_DIV's INT32_MIN / -1 (INT32_MAX). */
int32_t lfrt_f64_to_s32_sat(double v);
int64_t lfrt_f64_to_s64_sat(double v);

/* FLOOR_DIV on lfrt_binary_params (broadcast shapes; no fused activation), as TFLite:
 * floor((double)a / (double)b) converted back (float, or int32 via lfrt_f64_to_s32_sat).
 * A zero divisor is refused before the call (LiteRT fails the invoke). */
typedef void (*lfrt_s32_binary_fn)(const lfrt_binary_params *p, const int32_t *a, const int32_t *b, int32_t *out,
                                   int begin, int end);
void lfrt_f32_floor_div__ref(const lfrt_binary_params *p, const float *a, const float *b, float *out, int begin, int end);
/* int32 ADD, SUB, MUL (movenet) on lfrt_binary_params: wrapping (two's complement)
 * a + b, a - b, a * b, clamped to [act_min, act_max] (the fused activation in
 * int32: NONE is the whole range), as TFLite's builtin int32 kernels. */
void lfrt_s32_add__ref(const lfrt_binary_params *p, const int32_t *a, const int32_t *b, int32_t *out, int begin, int end);
void lfrt_s32_sub__ref(const lfrt_binary_params *p, const int32_t *a, const int32_t *b, int32_t *out, int begin, int end);
void lfrt_s32_mul__ref(const lfrt_binary_params *p, const int32_t *a, const int32_t *b, int32_t *out, int begin, int end);
void lfrt_s32_floor_div__ref(const lfrt_binary_params *p, const int32_t *a, const int32_t *b, int32_t *out, int begin,
                             int end);

/* GATHER_ND: params flat (params_count elements of elem bytes), indices [nslices][index_nd]
 * (int32, or int64 when idx64), out [nslices][slice] elements: slice k is the params
 * elements from pos = sum_j idx[k][j] * stride[j] on. Each index must be in
 * [0, dim[j]) as LiteRT checks (lfrt_gather_nd_check, before the call); a slice
 * with one outside here anyway writes zeros. Work unit: one slice. */
typedef struct {
  int nslices, index_nd, idx64;
  int32_t dim[6];
  int64_t stride[6];
  int64_t slice, params_count;
  size_t elem;
} lfrt_gather_nd_params;
typedef void (*lfrt_xx_gather_nd_fn)(const lfrt_gather_nd_params *p, const void *in, const void *idx, void *out,
                                     int begin, int end);
void lfrt_xx_gather_nd__ref(const lfrt_gather_nd_params *p, const void *in, const void *idx, void *out, int begin,
                            int end);
/* The flat position of slice k, or -1 when an index is outside its dim. */
int64_t lfrt_gather_nd_pos(const lfrt_gather_nd_params *p, const void *idx, int k);

#endif
