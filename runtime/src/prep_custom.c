/* Prepare of custom ops (see prep_custom.h, custom_ops.c). */
#include "prep_custom.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "interp_internal.h"
#include "lfrt_quant.h"

static lfrt_status fail(lfrt_interp *it, int idx, lfrt_error *err, lfrt_status st, const char *fmt, ...) {
  char buf[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return lfrt_set_error(err, st, "%s: node %d (%.60s): %s", it->m->source_name, idx, it->m->ops[idx].custom_code, buf);
}

static int32_t le32(const uint8_t *p) {
  return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

/* MediaPipe's output size of one spatial dim (transpose_conv_bias.cc):
 * stride * (in - 1) + k - pad, pad = SAME ? max(0, k - (in - 1) % stride - 1) : 0;
 * the leading padding is pad / 2. -1 when absurd (beyond 2^30) or empty. */
static int64_t tconv_out(int same, int64_t in, int64_t k, int64_t stride, int *pad_before) {
  int64_t pad = same ? k - (in - 1) % stride - 1 : 0;
  if (pad < 0) pad = 0;
  *pad_before = (int)(pad / 2);
  int64_t out = stride * (in - 1) + k - pad;
  return out < 1 || out > (INT64_C(1) << 30) ? -1 : out;
}

lfrt_status lfrt_prep_tconv_bias(lfrt_interp *it, int idx, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  lfrt_node *n = &it->nodes[idx];
  if (op->ninputs != 3 || op->noutputs != 1 || op->inputs[0] < 0 || op->inputs[1] < 0 || op->inputs[2] < 0)
    return fail(it, idx, err, LFRT_EBADFILE, "needs inputs (input, weights, bias) and one output");
  const lfrt_tensor *x = &it->m->tensors[op->inputs[0]], *w = &it->m->tensors[op->inputs[1]];
  const lfrt_tensor *b = &it->m->tensors[op->inputs[2]], *y = &it->m->tensors[op->outputs[0]];
  if (op->custom_options_bytes < 12)
    return fail(it, idx, err, LFRT_EBADFILE, "custom_options has %u bytes, needs 12 (padding, stride_w, stride_h)",
                op->custom_options_bytes);
  int32_t padding = le32(op->custom_options), sw = le32(op->custom_options + 4), sh = le32(op->custom_options + 8);
  if (padding != 1 && padding != 2)
    return fail(it, idx, err, LFRT_EBADFILE, "padding %d in custom_options is not SAME (1) or VALID (2)", (int)padding);
  if (sw < 1 || sh < 1 || sw > (1 << 16) || sh > (1 << 16))
    return fail(it, idx, err, LFRT_EBADFILE, "strides %d x %d in custom_options (must be 1..65536)", (int)sh, (int)sw);
  if (x->type != LFRT_FLOAT32 || w->type != LFRT_FLOAT32 || b->type != LFRT_FLOAT32 || y->type != LFRT_FLOAT32)
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "only float32 is supported (input %s, weights %s, bias %s, output %s)",
                lfrt_type_name(x->type), lfrt_type_name(w->type), lfrt_type_name(b->type), lfrt_type_name(y->type));
  if (x->ndim != 4 || w->ndim != 4 || b->ndim != 1 || y->ndim != 4)
    return fail(it, idx, err, LFRT_EBADFILE, "input, weights and output must be 4-D and bias 1-D (ranks %d, %d, %d, %d)",
                x->ndim, w->ndim, y->ndim, b->ndim);
  if (!w->data || !b->data) return fail(it, idx, err, LFRT_EUNSUPPORTED, "weights '%s' and bias '%s' must be constant", w->name, b->name);
  if (w->shape[3] != x->shape[3] || b->shape[0] != w->shape[0])
    return fail(it, idx, err, LFRT_EBADFILE, "weights [%d,%d,%d,%d] do not fit input channels %d or bias size %d",
                (int)w->shape[0], (int)w->shape[1], (int)w->shape[2], (int)w->shape[3], (int)x->shape[3], (int)b->shape[0]);
  lfrt_conv_params *p = &n->p.conv;
  memset(p, 0, sizeof *p);
  p->batch = x->shape[0];
  p->in_h = x->shape[1];
  p->in_w = x->shape[2];
  p->in_c = x->shape[3];
  p->out_c = w->shape[0];
  p->k_h = w->shape[1];
  p->k_w = w->shape[2];
  p->stride_h = sh;
  p->stride_w = sw;
  p->dil_h = p->dil_w = 1;
  p->depth_multiplier = 1;
  int64_t oh = tconv_out(padding == 1, p->in_h, p->k_h, sh, &p->pad_top);
  int64_t ow = tconv_out(padding == 1, p->in_w, p->k_w, sw, &p->pad_left);
  if (oh < 0 || ow < 0 || y->shape[0] != p->batch || y->shape[1] != oh || y->shape[2] != ow || y->shape[3] != p->out_c)
    return fail(it, idx, err, LFRT_EBADFILE, "output '%s' is [%d,%d,%d,%d], the op gives [%d,%lld,%lld,%d]", y->name,
                (int)y->shape[0], (int)y->shape[1], (int)y->shape[2], (int)y->shape[3], p->batch, (long long)oh,
                (long long)ow, p->out_c);
  p->out_h = (int)oh;
  p->out_w = (int)ow;
  if (lfrt_act_range_f32(LFRT_ACT_NONE, &p->act_min_f, &p->act_max_f))
    return fail(it, idx, err, LFRT_EUNSUPPORTED, "activation");
  n->x = op->inputs[0];
  n->w = op->inputs[1];
  n->b = op->inputs[2];
  n->out = op->outputs[0];
  n->work = p->batch * p->out_h;
  n->kind = K_TCONV_F;
  return LFRT_OK;
}
