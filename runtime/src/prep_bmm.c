/* Prepare of the "batch matmul etc." ops of issue 11: BATCH_MATMUL (FLOAT32 and
 * int8), int8 SQUARED_DIFFERENCE and PRELU, with LiteRT's arithmetic. */
#include <string.h>

#include "interp_internal.h"
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

#define T(i) (&it->m->tensors[(i)])

static lfrt_status fail(lfrt_interp *it, int idx, lfrt_error *err, lfrt_status st, const char *msg, const char *what) {
  const char *name = lfrt_op_name((int)it->m->ops[idx].op);
  return lfrt_set_error(err, st, "%s: node %d (%s): %s%s", it->m->source_name, idx, name ? name : "?", msg,
                        what ? what : "");
}

static int per_tensor_q8(const lfrt_tensor *t) { return t->type == LFRT_INT8 && t->quant.count == 1; }

/* ---- BATCH_MATMUL ----------------------------------------------------------------
 * lhs [..., M, K] (adj_x: [..., K, M]), rhs [..., K, N] (adj_y: [..., N, K]), ranks 2
 * to 5, batch dims right-aligned and broadcast (numpy rules), output [..., M, N]. */
lfrt_status lfrt_prep_batch_matmul(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *a = T(op->inputs[0]), *b = T(op->inputs[1]), *y = T(op->outputs[0]);
  lfrt_bmm_params *p = &n->p.bmm;
  memset(p, 0, sizeof *p);
  if (a->ndim < 2 || a->ndim > 5 || b->ndim < 2 || b->ndim > 5)
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "lhs and rhs must have 2 to 5 dimensions (as TFLite): ", a->ndim < 2 || a->ndim > 5 ? a->name : b->name);
  if (a->type != b->type || a->type != y->type)
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "lhs, rhs and output must have one type (hybrid float x int8 is not supported): ", y->name);
  int adj_x = op->opt.batch_matmul.adj_x != 0, adj_y = op->opt.batch_matmul.adj_y != 0;
  int am = a->shape[a->ndim - 2], ak = a->shape[a->ndim - 1];
  if (adj_x) { int t = am; am = ak; ak = t; }
  int bk = b->shape[b->ndim - 2], bn = b->shape[b->ndim - 1];
  if (adj_y) { int t = bk; bk = bn; bn = t; }
  if (ak != bk) return fail(it, idx, err, LFRT_EBADFILE, "lhs and rhs disagree on the contracted dimension: ", b->name);
  if (ak < 1 || ak > 65536 || am < 1 || bn < 1)
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "matrix dimensions must be >= 1 and the contracted one <= 65536: ", a->name);
  int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
  if (y->ndim != nd) return fail(it, idx, err, LFRT_EBADFILE, "output rank is not the larger input rank: ", y->name);
  /* batch dims, right-aligned into LFRT_BMM_MAX_BATCH slots */
  size_t as = (size_t)am * ak, bs = (size_t)bk * bn;
  int64_t batch = 1;
  for (int d = 0; d < LFRT_BMM_MAX_BATCH; d++) p->bshape[d] = 1;
  for (int j = 1; j <= nd - 2; j++) { /* j-th batch dim from the right */
    int da = a->ndim - 2 - j, db = b->ndim - 2 - j, dy = nd - 2 - j, slot = LFRT_BMM_MAX_BATCH - j;
    int sa = da >= 0 ? a->shape[da] : 1, sb = db >= 0 ? b->shape[db] : 1;
    if (sa != sb && sa != 1 && sb != 1) return fail(it, idx, err, LFRT_EBADFILE, "batch dimensions do not broadcast: ", b->name);
    int so = sa > sb ? sa : sb;
    if (y->shape[dy] != so) return fail(it, idx, err, LFRT_EBADFILE, "output batch dimensions are not the broadcast of the inputs': ", y->name);
    p->bshape[slot] = so;
    p->a_bstride[slot] = sa == 1 ? 0 : as;
    p->b_bstride[slot] = sb == 1 ? 0 : bs;
    as *= (size_t)sa;
    bs *= (size_t)sb;
    batch *= so;
  }
  if (y->shape[nd - 2] != am || y->shape[nd - 1] != bn)
    return fail(it, idx, err, LFRT_EBADFILE, "output is not [..., M, N] of the inputs: ", y->name);
  if (batch * am > 0x7fffffff) return fail(it, idx, err, LFRT_EUNSUPPORTED, "too many output rows: ", y->name);
  p->m = am; p->n = bn; p->k = ak; p->batch = (int)batch;
  p->a_ms = adj_x ? 1 : (size_t)ak; p->a_ks = adj_x ? (size_t)am : 1;
  p->b_ks = adj_y ? 1 : (size_t)bn; p->b_ns = adj_y ? (size_t)bk : 1;
  n->x = op->inputs[0]; n->w = op->inputs[1]; n->b = -1; n->out = op->outputs[0];
  n->work = p->batch * p->m;
  n->macs = (long long)p->batch * p->m * p->n * p->k;
  if (a->type == LFRT_FLOAT32) {
    n->kind = K_BMM_F;
    return LFRT_OK;
  }
  if (a->type != LFRT_INT8) return fail(it, idx, err, LFRT_EUNSUPPORTED, "type must be FLOAT32 or INT8, not ", lfrt_type_name(a->type));
  if (!per_tensor_q8(a) || !per_tensor_q8(b) || !per_tensor_q8(y))
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "int8 lhs, rhs and output need per-tensor quantization (as TFLite): ", y->name);
  p->a_zp = a->quant.zero_point[0];
  p->b_zp = b->quant.zero_point[0];
  p->out_zp = y->quant.zero_point[0];
  /* TFLite: the scale product in float, then divided in double */
  float prod = a->quant.scale[0] * b->quant.scale[0];
  if (!(y->quant.scale[0] > 0.0f) || lfrt_quantize_multiplier((double)prod / (double)y->quant.scale[0], &p->mult, &p->shift))
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "lhs*rhs/output scale ratio out of range: ", y->name);
  if (p->shift < -31) p->shift = -31;
  /* measured (tie analysis over 360 random int8 cases): LiteRT rounds once, half
   * up, when the rhs zero point is 0 and twice (gemmlowp) otherwise; e.g. acc 1534,
   * mult 1487773998, shift -6: 33 with rhs zero point 0, 34 with any other */
  p->single_round = p->b_zp == 0;
  n->kind = K_BMM_Q;
  return LFRT_OK;
}

/* ---- int8 SQUARED_DIFFERENCE, PRELU (TFLite builtin; shapes set by prep_binary) ------ */
static int q31(double m, int32_t *mult, int32_t *shift) {
  int s;
  if (lfrt_quantize_multiplier(m, mult, &s)) return -1;
  *shift = s < -31 ? -31 : s;
  return 0;
}

lfrt_status lfrt_prep_binary_q8_bmm(lfrt_interp *it, int idx, lfrt_error *err) {
  lfrt_node *n = &it->nodes[idx];
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *a = T(op->inputs[0]), *b = T(op->inputs[1]), *y = T(op->outputs[0]);
  lfrt_binary_params *p = &n->p.bin;
  if (!per_tensor_q8(a) || !per_tensor_q8(b) || !per_tensor_q8(y))
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "inputs and output must be FLOAT32, or int8 with per-tensor quantization: ", a->name);
  float as = a->quant.scale[0], bs = b->quant.scale[0], ys = y->quant.scale[0];
  if (!(as > 0.0f) || !(bs > 0.0f) || !(ys > 0.0f)) return fail(it, idx, err, LFRT_EBADFILE, "scales must be positive: ", y->name);
  p->a_zp = a->quant.zero_point[0];
  p->b_zp = b->quant.zero_point[0];
  p->out_zp = y->quant.zero_point[0];
  p->act_min = -128;
  p->act_max = 127;
  int bad;
  if (op->op == LFRT_OP_SQUARED_DIFFERENCE) {
    /* TFLite: both inputs to 2 * max scale (multipliers < 1), inputs << 7, the
     * square back by (2 max)^2 / (2^14 out_s); all in double */
    double twice_max = 2.0 * (double)(as > bs ? as : bs);
    bad = q31((double)as / twice_max, &p->a_mult, &p->a_shift) || q31((double)bs / twice_max, &p->b_mult, &p->b_shift) ||
          q31(twice_max * twice_max / ((double)(1 << 14) * (double)ys), &p->out_mult, &p->out_shift);
    n->kind = K_SQDIFF_Q;
  } else {
    /* TFLite: in_s/out_s and in_s*alpha_s/out_s in float, then made Q31 */
    float r1 = as / ys, r2 = as * bs / ys;
    bad = q31((double)r1, &p->out_mult, &p->out_shift) || q31((double)r2, &p->a_mult, &p->a_shift);
    n->kind = K_PRELU_Q;
  }
  if (bad) return fail(it, idx, err, LFRT_EUNSUPPORTED, "scale ratio out of range: ", y->name);
  return LFRT_OK;
}
