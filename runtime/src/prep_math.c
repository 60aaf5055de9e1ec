/* Prepare-time pieces of the math ops of issue 11 (int8 elementwise math,
 * ARG_MAX/ARG_MIN, L2_NORMALIZATION, BATCH_MATMUL). */
#include "interp_internal.h"
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

int lfrt_prep_math_lut_q8(int op, float xs, int32_t xz, float ys, int32_t yz, float alpha, int8_t lut[256]) {
  switch (op) {
  case LFRT_OP_TANH: lfrt_qs8_tanh_lut__ref(xs, xz, ys, yz, lut); return 0;
  case LFRT_OP_EXP: lfrt_qs8_exp_lut__ref(xs, xz, ys, yz, lut); return 0;
  case LFRT_OP_HARD_SWISH: return lfrt_qs8_hard_swish_lut__ref(xs, xz, ys, yz, lut);
  case LFRT_OP_LEAKY_RELU: return lfrt_qs8_leaky_relu_lut__ref(xs, xz, ys, yz, alpha, lut);
  case LFRT_OP_RSQRT: return lfrt_qs8_rsqrt_lut__ref(xs, xz, ys, yz, lut);
  default: return -1;
  }
}

/* ---- ARG_MAX, ARG_MIN ------------------------------------------------------------- */
#define T(i) (&it->m->tensors[(i)])

static lfrt_status fail(lfrt_interp *it, int idx, lfrt_error *err, lfrt_status st, const char *msg, const char *what) {
  const char *name = lfrt_op_name((int)it->m->ops[idx].op);
  return lfrt_set_error(err, st, "%s: node %d (%s): %s%s", it->m->source_name, idx, name ? name : "?", msg, what ? what : "");
}

lfrt_status lfrt_prep_arg_minmax(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *ax = T(op->inputs[1]), *y = T(op->outputs[0]);
  if (!ax->data || ax->count != 1 || (ax->type != LFRT_INT32 && ax->type != LFRT_INT64))
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "axis must be a constant int32/int64 with one element: ", ax->name);
  int64_t a = ax->type == LFRT_INT32 ? ((const int32_t *)ax->data)[0] : ((const int64_t *)ax->data)[0];
  if (a < 0) a += x->ndim;
  if (x->ndim < 1 || a < 0 || a >= x->ndim) return fail(it, idx, err, LFRT_EBADFILE, "axis out of range for input ", x->name);
  lfrt_type ot = op->opt.arg_minmax.output_type;
  if (ot != LFRT_INT32 && ot != LFRT_INT64)
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "output_type must be INT32 or INT64, not ", lfrt_type_name(ot));
  if (y->type != ot) return fail(it, idx, err, LFRT_EBADFILE, "output tensor type differs from output_type: ", y->name);
  /* the output: the input's shape without the axis */
  if (y->ndim != x->ndim - 1) return fail(it, idx, err, LFRT_EBADFILE, "output rank must be the input's minus one: ", y->name);
  for (int d = 0, e = 0; d < x->ndim; d++) {
    if (d == a) continue;
    if (y->shape[e++] != x->shape[d]) return fail(it, idx, err, LFRT_EBADFILE, "output shape is not the input's without the axis: ", y->name);
  }
  lfrt_arg_minmax_params *p = &n->p.argmm;
  p->outer = p->inner = 1;
  for (int d = 0; d < a; d++) p->outer *= x->shape[d];
  for (int d = (int)a + 1; d < x->ndim; d++) p->inner *= x->shape[d];
  p->axis_len = x->shape[a];
  p->is_min = op->op == LFRT_OP_ARG_MIN;
  p->out64 = ot == LFRT_INT64;
  if (p->axis_len < 1) return fail(it, idx, err, LFRT_EBADFILE, "empty axis in input ", x->name);
  switch (x->type) {
  case LFRT_FLOAT32: n->kind = K_ARGMM_F; break;
  case LFRT_INT8: n->kind = K_ARGMM_S8; break;
  case LFRT_UINT8: n->kind = K_ARGMM_U8; break;
  default: return fail(it, idx, err, LFRT_EUNSUPPORTED, "input type must be FLOAT32, INT8 or UINT8, not ", lfrt_type_name(x->type));
  }
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->work = p->outer * p->inner;
  return LFRT_OK;
}

/* ---- L2_NORMALIZATION ------------------------------------------------------------- */
lfrt_status lfrt_prep_l2norm(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *x = T(op->inputs[0]), *y = T(op->outputs[0]);
  if (x->ndim < 1 || x->ndim > 4) return fail(it, idx, err, LFRT_EUNSUPPORTED, "input must have 1 to 4 dimensions: ", x->name);
  if (y->type != x->type || y->ndim != x->ndim || y->count != x->count)
    return fail(it, idx, err, LFRT_EBADFILE, "output must have the input's type and shape: ", y->name);
  for (int d = 0; d < x->ndim; d++)
    if (y->shape[d] != x->shape[d]) return fail(it, idx, err, LFRT_EBADFILE, "output must have the input's type and shape: ", y->name);
  if (op->opt.mul.activation != LFRT_ACT_NONE) return fail(it, idx, err, LFRT_EUNSUPPORTED, "a fused activation (TFLite has none for this op)", NULL);
  lfrt_l2norm_params *p = &n->p.l2norm;
  p->depth = x->shape[x->ndim - 1];
  if (p->depth < 1 || p->depth > 32768) return fail(it, idx, err, LFRT_EUNSUPPORTED, "last dimension must be 1..32768 in ", x->name);
  p->rows = (int)(x->count / p->depth);
  p->in_zp = 0;
  if (x->type == LFRT_FLOAT32) {
    n->kind = K_L2NORM_F;
  } else if (x->type == LFRT_INT8) {
    if (x->quant.count != 1 || y->quant.count != 1) return fail(it, idx, err, LFRT_EUNSUPPORTED, "int8 tensors need per-tensor quantization: ", x->name);
    if (y->quant.scale[0] != 1.0f / 128.0f || y->quant.zero_point[0] != 0)
      return fail(it, idx, err, LFRT_EUNSUPPORTED, "int8 output must have scale 1/128 and zero point 0 (as TFLite requires): ", y->name);
    p->in_zp = x->quant.zero_point[0];
    n->kind = K_L2NORM_Q;
  } else {
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "input type must be FLOAT32 or INT8, not ", lfrt_type_name(x->type));
  }
  n->x = op->inputs[0]; n->w = n->b = -1; n->out = op->outputs[0];
  n->work = p->rows;
  return LFRT_OK;
}

/* ---- int8 SUB, MAXIMUM, MINIMUM (and what LiteRT or leapfrog refuse) -------------- */
lfrt_status lfrt_prep_binary_q8_math(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *a = T(op->inputs[0]), *b = T(op->inputs[1]), *y = T(op->outputs[0]);
  lfrt_binary_params *p = &n->p.bin;
  if (op->op == LFRT_OP_DIV)
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "int8 DIV: LiteRT's DIV takes only FLOAT32, INT32 and uint8 inputs, input type ", lfrt_type_name(a->type));
  if (op->op != LFRT_OP_SUB && op->op != LFRT_OP_MAXIMUM && op->op != LFRT_OP_MINIMUM)
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "only FLOAT32 is supported for this op so far, input type ", lfrt_type_name(a->type));
  if (a->type != LFRT_INT8 || a->quant.count != 1 || b->quant.count != 1 || y->quant.count != 1)
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "inputs and output must be FLOAT32, or int8 with per-tensor quantization: ", a->name);
  if (op->op != LFRT_OP_SUB) {
    n->kind = op->op == LFRT_OP_MAXIMUM ? K_MAXIMUM_Q : K_MINIMUM_Q;
    return LFRT_OK;
  }
  /* SUB: XNNPACK's qs8 subtract = its add with the second multiplier negated */
  float as = a->quant.scale[0], bs = b->quant.scale[0], ys = y->quant.scale[0];
  p->a_zp = a->quant.zero_point[0];
  p->b_zp = b->quant.zero_point[0];
  p->out_zp = y->quant.zero_point[0];
  int act = op->opt.add.activation;
  if (lfrt_act_range_q8(act, ys, p->out_zp, &p->act_min, &p->act_max)) return fail(it, idx, err, LFRT_EUNSUPPORTED, "fused activation", NULL);
  int form = lfrt_binary_q8_params(0, as, bs, ys, p);
  if (form < 0) return fail(it, idx, err, LFRT_EUNSUPPORTED, "input/output scale ratios out of TFLite's range: ", y->name);
  if (form == 1) { /* movenet: XNNPACK declines ratios outside [2^-10, 2^8): TFLite's builtin SUB */
    n->kind = K_SUB_TFL_Q;
    return LFRT_OK;
  }
  p->b_mult = -p->b_mult;
  p->bias = (1 << (p->shift - 1)) - p->a_mult * p->a_zp - p->b_mult * p->b_zp;
  n->kind = K_SUB_Q;
  return LFRT_OK;
}
