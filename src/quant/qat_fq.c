/* QAT fake-quant node: moving-average observer + per-tensor int8 fake
 * quantisation (torch semantics), STE backward. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "quant/qat_internal.h"

typedef struct {
  uint8_t *mask;
  size_t cap;
  int seen; /* this node has updated its (possibly shared) observer */
  int8_t *q8; /* exact eval: the int8 values of this forward (consumers read them) */
  size_t q8cap;
  int q8valid;
} fq_state;

static void fq_free(lf_node *n) {
  fq_state *s = n->state;
  if (s) {
    free(s->mask);
    free(s->q8);
  }
}

const int8_t *lq_fq_cached_q8(lf_graph *g, int id) {
  lf_node *n = lf_graph_node(g, id);
  fq_state *s = n && n->kind == LQK_FQ ? n->state : NULL;
  return s && s->q8valid ? s->q8 : NULL;
}

static lf_status fq_build(lf_graph *g, lf_node *n) {
  lq_fq_attrs *a = n->attrs;
  lf_node *in = lf_graph_node(g, n->inputs[0]);
  n->h = in->h;
  n->w = in->w;
  n->c = in->c;
  n->state = calloc(1, sizeof(fq_state));
  if (!n->state) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
  if (a->leader < 0 && !a->fixed) {
    int one = 1;
    if (lf_node_add_param(g, n, "min", 1, &one, 0) < 0 || lf_node_add_param(g, n, "max", 1, &one, 0) < 0 ||
        lf_node_add_param(g, n, "steps", 1, &one, 0) < 0)
      return lf_graph_status(g);
    lf_node_param(g, n, 2)->is_int = 1;
  }
  return LF_OK;
}

/* The observer buffers of fq node id (its leader's). */
static lf_node *owner(lf_graph *g, lf_node *n) {
  lq_fq_attrs *a = n->attrs;
  return a->leader >= 0 ? lf_graph_node(g, a->leader) : n;
}

int lq_fq_qparams(lf_graph *g, int id, lf_qparams *qp) {
  lf_node *n = lf_graph_node(g, id);
  lq_fq_attrs *a = n->attrs;
  if (a->fixed) {
    *qp = a->fq;
    return 1;
  }
  lf_node *o = owner(g, n);
  if (lf_node_param(g, o, 2)->value.data[0] <= 0) return 0;
  return lf_qparams_asym(lf_node_param(g, o, 0)->value.data[0], lf_node_param(g, o, 1)->value.data[0],
                         LF_QMIN_ACT, LF_QMAX_ACT, qp, NULL, NULL) == LF_OK;
}

static lf_status fq_forward(lf_graph *g, lf_node *n) {
  lq_fq_attrs *a = n->attrs;
  fq_state *s = n->state;
  const lf_tensor *x = lf_node_input(g, n, 0);
  if (s->cap < x->numel) {
    uint8_t *m = realloc(s->mask, x->numel);
    if (!m) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
    s->mask = m;
    s->cap = x->numel;
  }
  if (!a->fixed && n->train && !a->ctx->obs_frozen) {
    lf_node *o = owner(g, n);
    float *mn = lf_node_param(g, o, 0)->value.data, *mx = lf_node_param(g, o, 1)->value.data,
          *st = lf_node_param(g, o, 2)->value.data;
    lf_observer ob;
    lf_observer_init(&ob, a->ctx->averaging, 0);
    /* this batch's range, over every process when the graph spans several
     * (lf_graph_set_reduce), so that all of them keep the same ranges */
    float lo, hi;
    lf_observer_batch_range(x->data, x->numel, &lo, &hi);
    lf_status rs;
    if ((rs = lf_graph_reduce(g, &lo, 1, LF_GRAPH_MIN_F32)) || (rs = lf_graph_reduce(g, &hi, 1, LF_GRAPH_MAX_F32)))
      return lf_error_prefix(rs, "qat: %s: observer: ", n->name);
    if (!s->seen && *st > 0) {
      /* a group member's first batch widens the shared range to cover it, so
       * members that start later are not clipped by the first one's range */
      lf_observer_apply(&ob, lo, hi);
      if (ob.steps) {
        if (ob.min < *mn) *mn = ob.min;
        if (ob.max > *mx) *mx = ob.max;
        *st += 1.0f;
      }
    } else {
      ob.min = *mn;
      ob.max = *mx;
      ob.steps = (long)*st;
      lf_observer_apply(&ob, lo, hi);
      *mn = ob.min;
      *mx = ob.max;
      *st = (float)ob.steps;
    }
    s->seen = 1;
  }
  s->q8valid = 0;
  if (!n->train && !a->ctx->exact_off && a->ctx->exact && n->id != a->ctx->float_fq) {
    if (s->q8cap < x->numel) {
      int8_t *q = realloc(s->q8, x->numel);
      if (!q) return lf_error(LF_ENOMEM, "qat: %s: out of memory", n->name);
      s->q8 = q;
      s->q8cap = x->numel;
    }
    int r = lq_exact_forward(g, n, a->ctx->exact, s->q8);
    if (r < 0) return LF_EUNSUPPORTED; /* message set */
    if (r > 0) {
      s->q8valid = 1;
      memset(s->mask, 1, x->numel);
      return LF_OK;
    }
  }
  lf_qparams qp;
  if (!lq_fq_qparams(g, n->id, &qp)) { /* nothing observed yet: pass through */
    memcpy(n->out.data, x->data, x->numel * sizeof(float));
    memset(s->mask, 1, x->numel);
    return LF_OK;
  }
  if (a->round_away) {
    /* average of values on the grid: q = x/scale + zp is a fraction k/count;
     * an exact .5 (within float error) rounds away from zero */
    for (size_t i = 0; i < x->numel; i++) {
      float r = x->data[i] / qp.scale + (float)qp.zero_point;
      float f = r - floorf(r);
      float q = fabsf(f - 0.5f) < 1e-4f ? (r < 0 ? floorf(r) : ceilf(r)) : nearbyintf(r);
      s->mask[i] = q >= LF_QMIN_ACT && q <= LF_QMAX_ACT;
      if (q < LF_QMIN_ACT) q = LF_QMIN_ACT;
      if (q > LF_QMAX_ACT) q = LF_QMAX_ACT;
      n->out.data[i] = (q - (float)qp.zero_point) * qp.scale;
    }
    return LF_OK;
  }
  lf_fake_quant(x->data, n->out.data, s->mask, x->numel, qp, LF_QMIN_ACT, LF_QMAX_ACT);
  return LF_OK;
}

static lf_status fq_backward(lf_graph *g, lf_node *n) {
  fq_state *s = n->state;
  lf_tensor *dx = lf_node_input_grad(g, n, 0);
  if (dx) lf_fake_quant_backward(n->grad.data, s->mask, dx->data, n->grad.numel, 1);
  return LF_OK;
}

const lf_op_vtable lq_fq_vt = {"fake_quant", fq_build, fq_forward, fq_backward, fq_free};

void lq_fq_mark_seen(lf_graph *g, int id) {
  lf_node *n = lf_graph_node(g, id);
  if (n && n->state) ((fq_state *)n->state)->seen = 1;
}
