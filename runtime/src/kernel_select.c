/* Kernel selection at prepare: for each node, the fastest kernel of its
 * family for the interpreter's ISA (it->isa), with its weights packed once
 * into that kernel's layout. Nodes without a faster variant keep the
 * reference kernel. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"
#include "lfrt_config.h"
#include "lfrt_config_spatial.h"
#include "lfrt_conv_gemm.h"
#include "lfrt_conv_igemm.h"
#include "lfrt_f32_binary.h"
#include "lfrt_f32_conv.h"

#define T(i) (&it->m->tensors[(i)])

#define REF(kind, member, f) [kind] = {#f, (void (*)(void))f}
/* The reference kernel of each kind: the default, and the definition of correct. */
static const struct {
  const char *name;
  void (*fn)(void);
} refs[] = {
    REF(K_CONV_Q, qs8_conv, lfrt_qs8_conv2d__ref), REF(K_CONV_F, f32_conv, lfrt_f32_conv2d__ref),
    REF(K_DW_Q, qs8_conv, lfrt_qs8_dwconv2d__ref), REF(K_DW_F, f32_conv, lfrt_f32_dwconv2d__ref),
    REF(K_TCONV_Q, qs8_conv, lfrt_qs8_tconv2d__ref), REF(K_TCONV_F, f32_conv, lfrt_f32_tconv2d__ref),
    REF(K_FC_Q, qs8_fc, lfrt_qs8_fc__ref), REF(K_FC_F, f32_fc, lfrt_f32_fc__ref),
    REF(K_AVG_Q, qs8_pool, lfrt_qs8_avgpool__ref), REF(K_AVG_F, f32_pool, lfrt_f32_avgpool__ref),
    REF(K_MAX_Q, qs8_pool, lfrt_qs8_maxpool__ref), REF(K_MAX_F, f32_pool, lfrt_f32_maxpool__ref),
    REF(K_MEAN_Q, qs8_mean, lfrt_qs8_mean__ref), REF(K_MEAN_F, f32_mean, lfrt_f32_mean__ref),
    REF(K_ADD_Q, qs8_binary, lfrt_qs8_add__ref), REF(K_ADD_F, f32_binary, lfrt_f32_add__ref),
    REF(K_MUL_Q, qs8_binary, lfrt_qs8_mul__ref), REF(K_MUL_F, f32_binary, lfrt_f32_mul__ref),
    REF(K_ADD_TFL_Q, qs8_binary, lfrt_qs8_add_tflite__ref), REF(K_MUL_TFL_Q, qs8_binary, lfrt_qs8_mul_tflite__ref),
    REF(K_CONCAT, concat, lfrt_x8_concat__ref), REF(K_PAD, pad, lfrt_xx_pad__ref),
    [K_COPY] = {"copy", NULL}, [K_FOLDED] = {"folded at load", NULL},
    REF(K_RNN_Q, qs8_resize, lfrt_qs8_resize_nearest__ref), REF(K_RNN_F, f32_resize, lfrt_f32_resize_nearest__ref),
    REF(K_RBL11_Q, qs8_resize, lfrt_qs8_resize_bilinear_q11__ref),
    REF(K_RBL_F, f32_resize, lfrt_f32_resize_bilinear__ref), REF(K_LUT_Q, lut, lfrt_qs8_lut__ref),
    REF(K_SOFTMAX_Q, qs8_softmax, lfrt_qs8_softmax__ref), REF(K_SOFTMAX_F, f32_softmax, lfrt_f32_softmax__ref),
    REF(K_LOGISTIC_F, f32_unary, lfrt_f32_logistic__ref), REF(K_CLAMP_F, f32_unary, lfrt_f32_clamp__ref),
    REF(K_QUANTIZE_F, quantize, lfrt_f32_qs8_quantize__ref), REF(K_DEQUANTIZE, dequantize, lfrt_qs8_f32_dequantize__ref),
    REF(K_TANH_F, f32_unary, lfrt_f32_tanh__ref), REF(K_EXP_F, f32_unary, lfrt_f32_exp__ref),
    REF(K_RSQRT_F, f32_unary, lfrt_f32_rsqrt__ref), REF(K_LRELU_F, f32_unary, lfrt_f32_leaky_relu__ref),
    REF(K_HSWISH_F, f32_unary, lfrt_f32_hard_swish__ref),
    REF(K_SUB_F, f32_binary, lfrt_f32_sub__ref), REF(K_DIV_F, f32_binary, lfrt_f32_div__ref),
    REF(K_MAXIMUM_F, f32_binary, lfrt_f32_maximum__ref), REF(K_MINIMUM_F, f32_binary, lfrt_f32_minimum__ref),
    REF(K_SQDIFF_F, f32_binary, lfrt_f32_squared_difference__ref), REF(K_PRELU_F, f32_binary, lfrt_f32_prelu__ref),
    REF(K_MOVE, move, lfrt_xx_move__ref), REF(K_GATHER, gather, lfrt_xx_gather__ref), /* shape ops */
    [K_U8] = {"qu8 reference (interp_qu8.h)", NULL}, /* uint8 */
    /* math ops (issue 11) */
    REF(K_ARGMM_F, arg_minmax, lfrt_f32_arg_minmax__ref), REF(K_ARGMM_S8, arg_minmax, lfrt_s8_arg_minmax__ref),
    REF(K_ARGMM_U8, arg_minmax, lfrt_u8_arg_minmax__ref),
    REF(K_L2NORM_F, f32_l2norm, lfrt_f32_l2norm__ref), REF(K_L2NORM_Q, qs8_l2norm, lfrt_qs8_l2norm__ref),
    REF(K_SUB_Q, qs8_binary, lfrt_qs8_add__ref), REF(K_MAXIMUM_Q, qs8_binary, lfrt_s8_maximum__ref),
    REF(K_MINIMUM_Q, qs8_binary, lfrt_s8_minimum__ref),
    /* batch matmul etc. */
    REF(K_BMM_F, f32_bmm, lfrt_f32_batch_matmul__ref), REF(K_BMM_Q, qs8_bmm, lfrt_qs8_batch_matmul__ref),
    REF(K_SQDIFF_Q, qs8_binary, lfrt_qs8_squared_difference__ref), REF(K_PRELU_Q, qs8_binary, lfrt_qs8_prelu__ref),
    /* movenet */
    REF(K_CAST, cast, lfrt_xx_cast__ref), REF(K_FLOORDIV_F, f32_binary, lfrt_f32_floor_div__ref),
    REF(K_FLOORDIV_S32, s32_binary, lfrt_s32_floor_div__ref), REF(K_GATHER_ND, gather_nd, lfrt_xx_gather_nd__ref),
    REF(K_SQRT_F, f32_unary, lfrt_f32_sqrt__ref), REF(K_ADD_S32, s32_binary, lfrt_s32_add__ref),
    REF(K_SUB_S32, s32_binary, lfrt_s32_sub__ref), REF(K_MUL_S32, s32_binary, lfrt_s32_mul__ref),
    REF(K_SUB_TFL_Q, qs8_binary, lfrt_qs8_sub_tflite__ref),
};

static void *alloc64(lfrt_interp *it, size_t bytes) {
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes ? bytes : 64)) return NULL;
  it->state_bytes += bytes;
  return p;
}

static long long conv_macs(const lfrt_conv_params *p, int dw) {
  long long per = (long long)p->k_h * p->k_w * (dw ? 1 : p->in_c);
  return (long long)p->batch * p->out_h * p->out_w * p->out_c * per;
}

/* int8 conv / transpose conv / FC (given as a 1x1 conv geometry) on the GEMM path. */
static lfrt_status select_gemm(lfrt_interp *it, lfrt_node *n, const lfrt_conv_params *p, lfrt_error *err) {
  const lfrt_qs8_gemm_config *g = lfrt_qs8_gemm_config_for(it->isa);
  if (g->isa == LFRT_ISA_REF) return LFRT_OK; /* the reference op kernel is faster than ref GEMM tiles */
  /* in_c % 4 == 0: the indirect GEMM (no im2col copy) when the ISA has one */
  const lfrt_qs8_igemm_config *ig = lfrt_qs8_conv_igemm_ok(p) ? lfrt_qs8_igemm_config_for(it->isa) : NULL;
  int N = p->out_c, K = p->k_h * p->k_w * p->in_c, nr = ig ? ig->nr : g->nr;
  size_t kc = ((size_t)K + 3) & ~(size_t)3, blocks = ((size_t)N + (size_t)nr - 1) / (size_t)nr;
  size_t wbytes = blocks * lfrt_qs8_gemm_block_bytes(nr, kc), zbytes = ig ? (size_t)p->in_c : 0;
  n->scale_f = malloc((size_t)N * sizeof(float));
  n->packed = alloc64(it, wbytes + zbytes); /* igemm: the zero-point taps' in_c bytes follow the weights */
  if (!n->scale_f || !n->packed)
    return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory packing weights", it->m->source_name);
  it->state_bytes += (size_t)N * sizeof(float);
  for (int c = 0; c < N; c++) n->scale_f[c] = ldexpf((float)p->mult[c], p->shift[c]);
  const int32_t *bias = n->b >= 0 ? T(n->b)->data : NULL;
  lfrt_qs8_gemm_pack(nr, N, K, T(n->w)->data, bias, p->in_zp, n->scale_f, n->packed);
  lfrt_model_release_data(it->m, T(n->w)->data, T(n->w)->bytes); /* not held twice */
  n->gemm = g;
  n->scratch_bytes = lfrt_qs8_conv_gemm_scratch(p, g);
  if (ig) {
    n->igemm = ig;
    n->igemm_zero = (int8_t *)n->packed + wbytes;
    memset(n->igemm_zero, (unsigned char)(int8_t)p->in_zp, zbytes);
    n->scratch_bytes = lfrt_qs8_conv_igemm_scratch(p, ig);
  }
  return LFRT_OK;
}

/* Period of b within the output if b's shape is a suffix of the output's
 * (leading 1s, then the output's trailing dims): b[i % period]; 0 otherwise. */
static int suffix_period(const int *shape_b, const int *shape_out) {
  int d = 0, period = 1;
  while (d < 6 && shape_b[d] == 1) d++;
  for (; d < 6; d++) {
    if (shape_b[d] != shape_out[d]) return 0;
    period *= shape_b[d];
  }
  return period;
}

static int full(const int *shape, const int *shape_out) {
  for (int d = 0; d < 6; d++)
    if (shape[d] != shape_out[d]) return 0;
  return 1;
}

/* The fast ADD/MUL variants take a full-size `a` and a `b` that repeats with a
 * period (same shape, or a suffix such as a per-channel constant). Arranges
 * that, swapping the inputs (and their shapes and int8 parameters) when `a`
 * is the repeating one; returns the period, 0 when neither input fits. */
static int binary_bcast(lfrt_node *n) {
  lfrt_binary_params *p = &n->p.bin;
  int swap = 0, period = full(p->shape_a, p->shape_out) ? suffix_period(p->shape_b, p->shape_out) : 0;
  if (!period && full(p->shape_b, p->shape_out)) {
    period = suffix_period(p->shape_a, p->shape_out);
    swap = period > 0;
  }
  if (swap) { /* a + b, a * b and (a-za)*(b-zb) are symmetric; ADD's multipliers swap with them */
    int t = n->x; n->x = n->w; n->w = t;
    int32_t z = p->a_zp; p->a_zp = p->b_zp; p->b_zp = z;
    int32_t m = p->a_mult; p->a_mult = p->b_mult; p->b_mult = m;
    int s6[6];
    memcpy(s6, p->shape_a, sizeof s6);
    memcpy(p->shape_a, p->shape_b, sizeof s6);
    memcpy(p->shape_b, s6, sizeof s6);
  }
  p->b_period = period;
  return period;
}

/* int8 ADD/MUL in XNNPACK form. */
static void select_binary(lfrt_interp *it, lfrt_node *n) {
  const lfrt_qs8_binary_config *c = lfrt_qs8_binary_config_for(it->isa);
  lfrt_binary_params *p = &n->p.bin;
  if (!c || !binary_bcast(n)) return;
  p->out_scale_f = ldexpf((float)p->out_mult, p->out_shift);
  n->fn.qs8_binary = n->kind == K_MUL_Q ? c->mul : c->add;
  n->kernel = n->kind == K_MUL_Q ? c->mul_name : c->add_name;
}

/* float ADD/MUL (the int8 parameters swapped along are unused). */
static void select_f32_binary(lfrt_interp *it, lfrt_node *n) {
  const lfrt_f32_binary_config *c = lfrt_f32_binary_config_for(it->isa);
  if (!c || !binary_bcast(n)) return;
  n->fn.f32_binary = n->kind == K_MUL_F ? c->mul : c->add;
  n->kernel = n->kind == K_MUL_F ? c->mul_name : c->add_name;
}

/* float conv / transpose conv / FC: weights W [N][K] (+ bias) packed for the
 * f32 conv microkernel of it->isa; returns its config, NULL to keep the
 * reference (ISA ref: the reference op kernel is faster than the ref tile). */
static const lfrt_f32_conv_config *select_f32_conv(lfrt_interp *it, lfrt_node *n, int N, int K, lfrt_status *st,
                                                   lfrt_error *err) {
  const lfrt_f32_conv_config *c = lfrt_f32_conv_config_for(it->isa);
  if (c->isa == LFRT_ISA_REF) return NULL;
  size_t blocks = ((size_t)N + (size_t)c->nr - 1) / (size_t)c->nr;
  n->packed = alloc64(it, blocks * lfrt_f32_conv_block_floats(c->nr, (size_t)K) * sizeof(float));
  if (!n->packed) {
    *st = lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory packing weights", it->m->source_name);
    return NULL;
  }
  lfrt_f32_conv_pack(c->nr, N, K, T(n->w)->data, n->b >= 0 ? T(n->b)->data : NULL, n->packed);
  lfrt_model_release_data(it->m, T(n->w)->data, T(n->w)->bytes); /* not held twice */
  n->kernel = c->name;
  return c;
}

/* int8 depthwise conv: the family's variant, with the requant scales as
 * floats (exact only when normal: otherwise the reference stays). */
static lfrt_status select_dwconv(lfrt_interp *it, lfrt_node *n, lfrt_error *err) {
  const lfrt_qs8_dwconv_config *c = lfrt_qs8_dwconv_config_for(it->isa);
  lfrt_conv_params *p = &n->p.conv;
  if (c->isa == LFRT_ISA_REF) return LFRT_OK;
  float *s = malloc((size_t)p->out_c * sizeof(float));
  if (!s) return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory", it->m->source_name);
  for (int k = 0; k < p->out_c; k++) {
    s[k] = ldexpf((float)p->mult[k], p->shift[k]);
    if (p->mult[k] != 0 && !(s[k] >= FLT_MIN)) {
      free(s);
      return LFRT_OK;
    }
  }
  n->scale_f = s;
  it->state_bytes += (size_t)p->out_c * sizeof(float);
  p->scale_f = s;
  n->fn.qs8_conv = c->fn;
  n->kernel = c->name;
  return LFRT_OK;
}

static void select_pool(const lfrt_qs8_pool_config *c, lfrt_node *n) {
  n->fn.qs8_pool = c->fn;
  n->kernel = c->name;
}

/* A constant input that the node's kernel reads at invoke, copied into the
 * interpreter when the model is file-mapped, and its file pages released:
 * otherwise each read of a small constant (a bias, a per-channel operand)
 * maps ~64 KiB of packed-and-released weights around it back in. */
static lfrt_status own_copy(lfrt_interp *it, int t, void **copy, lfrt_error *err) {
  if (t < 0 || !T(t)->data || !T(t)->bytes || *copy) return LFRT_OK;
  void *c = alloc64(it, T(t)->bytes);
  if (!c) return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory", it->m->source_name);
  memcpy(c, T(t)->data, T(t)->bytes);
  if (lfrt_model_release_data(it->m, T(t)->data, T(t)->bytes)) {
    *copy = c;
  } else { /* caller-owned bytes: nothing to release, keep reading them */
    free(c);
    it->state_bytes -= T(t)->bytes;
  }
  return LFRT_OK;
}

lfrt_status lfrt_interp_select_kernel(lfrt_interp *it, int i, lfrt_error *err) {
  lfrt_node *n = &it->nodes[i];
  /* the reference first; a family with a faster variant for it->isa replaces it below.
   * The table stores each kernel as void(*)(void); the union member of the
   * kind's family reads it back with its real type (same representation). */
  n->kernel = refs[n->kind].name;
  memcpy(&n->fn, &refs[n->kind].fn, sizeof refs[n->kind].fn);
  lfrt_status st = LFRT_OK;
  switch (n->kind) {
  case K_CONV_Q: case K_TCONV_Q:
    n->macs = conv_macs(&n->p.conv, 0);
    st = select_gemm(it, n, &n->p.conv, err);
    break;
  case K_FC_Q: {
    const lfrt_fc_params *f = &n->p.fc;
    n->macs = (long long)f->batch * f->in_c * f->out_c;
    lfrt_conv_params *g = &n->geom;
    memset(g, 0, sizeof *g);
    g->batch = f->batch; g->in_h = g->in_w = g->out_h = g->out_w = 1;
    g->in_c = f->in_c; g->out_c = f->out_c;
    g->k_h = g->k_w = g->stride_h = g->stride_w = g->dil_h = g->dil_w = 1;
    g->in_zp = f->in_zp; g->out_zp = f->out_zp; g->act_min = f->act_min; g->act_max = f->act_max;
    g->mult = f->mult; g->shift = f->shift;
    st = select_gemm(it, n, g, err);
    if (!st && n->gemm) n->work = f->batch; /* GEMM work unit: one batch row */
    break;
  }
  case K_ADD_Q: case K_MUL_Q: select_binary(it, n); break;
  case K_ADD_F: case K_MUL_F: select_f32_binary(it, n); break;
  case K_PAD: {
    lfrt_xx_pad_fn f = lfrt_xx_pad_select(it->isa, &n->kernel);
    if (f) n->fn.pad = f;
    break;
  }
  case K_MEAN_Q: {
    lfrt_qs8_mean_fn f = lfrt_qs8_mean_select(it->isa, &n->p.mean, &n->kernel);
    if (f) n->fn.qs8_mean = f;
    break;
  }
  case K_MEAN_F: {
    lfrt_f32_mean_fn f = lfrt_f32_mean_select(it->isa, &n->p.mean, &n->kernel);
    if (f) n->fn.f32_mean = f;
    break;
  }
  case K_CONV_F: case K_TCONV_F: {
    lfrt_conv_params *p = &n->p.conv;
    n->macs = conv_macs(p, 0);
    const lfrt_f32_conv_config *c = select_f32_conv(it, n, p->out_c, p->k_h * p->k_w * p->in_c, &st, err);
    if (c) {
      p->packed_f32 = n->packed;
      p->f32_cfg = c;
      n->fn.f32_conv = n->kind == K_CONV_F ? lfrt_f32_conv2d_packed : lfrt_f32_tconv2d_packed;
    }
    break;
  }
  case K_DW_Q:
    n->macs = conv_macs(&n->p.conv, 1);
    st = select_dwconv(it, n, err);
    break;
  case K_DW_F: {
    lfrt_conv_params *p = &n->p.conv;
    n->macs = conv_macs(p, 1);
    const lfrt_f32_conv_config *c = lfrt_f32_conv_config_for(it->isa);
    if (c->isa != LFRT_ISA_REF && p->depth_multiplier == 1) { /* unpacked weights */
      p->f32_cfg = c;
      n->fn.f32_conv = lfrt_f32_dwconv2d_packed;
      n->kernel = c->dw_name;
    }
    break;
  }
  case K_MAX_Q: select_pool(lfrt_qs8_maxpool_config_for(it->isa), n); break;
  case K_AVG_Q: select_pool(lfrt_qs8_avgpool_config_for(it->isa), n); break;
  case K_FC_F: {
    lfrt_fc_params *p = &n->p.fc;
    n->macs = (long long)p->batch * p->in_c * p->out_c;
    const lfrt_f32_conv_config *c = select_f32_conv(it, n, p->out_c, p->in_c, &st, err);
    if (c) {
      p->packed_f32 = n->packed;
      p->f32_cfg = c;
      n->fn.f32_fc = lfrt_f32_fc_packed;
    }
    break;
  }
  default: break;
  }
  if (!st && n->gemm) n->kernel = n->igemm ? n->igemm->name : n->gemm->name;
  if (!st && !n->gemm && !n->packed) st = own_copy(it, n->w, &n->w_copy, err);
  if (!st && !n->gemm) st = own_copy(it, n->b, &n->b_copy, err);
  return st;
}
