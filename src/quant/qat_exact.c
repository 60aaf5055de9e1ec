/* Integer-exact QAT evaluation: in eval mode each fake-quant node computes its
 * value from the int8 values of its inputs with the int8 runtime's own
 * kernels (runtime/kernels/ref) and parameter derivations (lfrt_quant.h), and
 * the converter's weight/bias quantisation (qweights.h), so the QAT eval
 * forward equals the converted model's bytes (as (q - zp) * scale). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_exec.h"
#include "lfrt_kernels.h"
#include "lfrt_quant.h"
#include "quant/qat_internal.h"
#include "quant/qconst.h"
#include "quant/qweights.h"

typedef struct {
  lq_kind kind;
  int relu;
  int src;    /* the op's node in the QAT graph (conv, BN, dense, pool, ...) */
  int bn;     /* QAT BN node folded in (conv, transposed conv) or lowered (affine, mul-add), or -1 */
  int n_in;
  int *in_fq; /* fq nodes of the op's input values */
} xop;

struct lq_exact {
  int n_nodes;
  int *op_of_fq; /* QAT node id -> xop index, or -1 */
  int *op_of_src; /* QAT node id of an op's main node -> xop index, or -1 */
  int *fq_of_op;  /* xop index -> its fq node */
  xop *ops;
  int n_ops;
  lfrt_exec *rt; /* the runtime's dispatched int8 conv kernels, made at first use */
  int rt_threads;
};

void lq_exact_free(lq_exact *x) {
  if (!x) return;
  lfrt_exec_free(x->rt);
  for (int i = 0; i < x->n_ops; i++) free(x->ops[i].in_fq);
  free(x->ops);
  free(x->op_of_fq);
  free(x->op_of_src);
  free(x->fq_of_op);
  free(x);
}

lf_status lq_exact_build(lf_graph *fp, const lq_plan *p, lf_graph *g, const int *fq_of, lq_exact **out) {
  lq_exact *x = calloc(1, sizeof *x);
  if (!x) return lf_error(LF_ENOMEM, "qat: out of memory");
  x->n_nodes = lf_graph_node_count(g);
  x->op_of_fq = malloc(sizeof(int) * (size_t)x->n_nodes);
  x->ops = calloc((size_t)p->n, sizeof(xop));
  x->op_of_src = malloc(sizeof(int) * (size_t)x->n_nodes);
  x->fq_of_op = malloc(sizeof(int) * (size_t)p->n);
  if (!x->op_of_fq || !x->ops || !x->op_of_src || !x->fq_of_op) {
    lq_exact_free(x);
    return lf_error(LF_ENOMEM, "qat: out of memory");
  }
  x->n_ops = p->n;
  for (int i = 0; i < x->n_nodes; i++) x->op_of_fq[i] = x->op_of_src[i] = -1;
  for (int i = 0; i < p->n; i++) {
    const lq_op *op = &p->ops[i];
    xop *o = &x->ops[i];
    o->kind = op->kind;
    o->relu = op->relu;
    o->src = lf_graph_find_node(g, lf_graph_node(fp, op->node)->name);
    o->bn = op->bn >= 0 ? lf_graph_find_node(g, lf_graph_node(fp, op->bn)->name) : -1;
    o->n_in = op->n_in;
    o->in_fq = malloc(sizeof(int) * (size_t)(op->n_in > 0 ? op->n_in : 1));
    if (!o->in_fq) {
      lq_exact_free(x);
      return lf_error(LF_ENOMEM, "qat: out of memory");
    }
    for (int k = 0; k < op->n_in; k++) o->in_fq[k] = fq_of[op->in[k]];
    if (fq_of[i] >= 0 && fq_of[i] < x->n_nodes) x->op_of_fq[fq_of[i]] = i;
    x->fq_of_op[i] = fq_of[i];
    if (o->src >= 0 && o->src < x->n_nodes) x->op_of_src[o->src] = i;
  }
  *out = x;
  return LF_OK;
}

int lq_exact_covers(lf_graph *g, const lq_ctx *ctx, int node) {
  const lq_exact *x = ctx->exact;
  if (!x || ctx->exact_off || node < 0 || node >= x->n_nodes || x->op_of_src[node] < 0) return 0;
  int i = x->op_of_src[node];
  const xop *o = &x->ops[i];
  if (o->kind != LQ_CONV || o->n_in != 1 || x->fq_of_op[i] == ctx->float_fq) return 0;
  lf_node *n = lf_graph_node(g, node), *in = lf_graph_node(g, n->inputs[0]);
  const lq_conv_attrs *a = n->attrs;
  if (a->p.groups > 1 && !(a->p.groups == in->c && n->c % in->c == 0)) return 0;
  lf_qparams q;
  return x->fq_of_op[i] >= 0 && lq_fq_qparams(g, x->fq_of_op[i], &q) && lq_fq_qparams(g, o->in_fq[0], &q);
}

/* ---- helpers ---------------------------------------------------------------------- */
typedef struct {
  lf_qparams q;
  const int8_t *v;
  int8_t *own; /* v when converted here */
  const lf_node *n;
} qin;

/* The int8 values of fq node id: those its exact forward kept, else from its
 * float output (which is on its grid). */
static int load_q8(lf_graph *g, int id, qin *in) {
  in->v = in->own = NULL;
  in->n = lf_graph_node(g, id);
  if (!in->n || !lq_fq_qparams(g, id, &in->q)) return 0;
  if ((in->v = lq_fq_cached_q8(g, id)) != NULL) return 1;
  size_t n = in->n->out.numel;
  in->v = in->own = malloc(n ? n : 1);
  if (!in->own) return 0;
  const float *x = in->n->out.data;
  for (size_t i = 0; i < n; i++) {
    float r = nearbyintf(x[i] / in->q.scale);
    long v = (r == r) ? (long)r + in->q.zero_point : 0;
    in->own[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
  }
  return 1;
}

/* Folded float weights [O][per] (OHWI; depthwise [O][kh*kw]) and bias of a
 * weighted op, as lq_fold_factors + convert.c fold them. */
typedef struct {
  int O;
  size_t per;
  float *w, *b;
} folded;

static void folded_free(folded *f) {
  free(f->w);
  free(f->b);
}

static int fold_weighted(lf_graph *g, const xop *o, folded *f) {
  lf_node *n = lf_graph_node(g, o->src);
  memset(f, 0, sizeof *f);
  int O = n->c;
  f->O = O;
  float *mul = malloc(sizeof(float) * (size_t)O);
  f->b = calloc((size_t)O, sizeof(float));
  if (!mul || !f->b) return free(mul), 0;
  for (int c = 0; c < O; c++) mul[c] = 1.0f;
  int bn = o->bn, has_bias = 0;
  if (o->kind == LQ_CONV) has_bias = ((lq_conv_attrs *)n->attrs)->p.bias;
  else if (o->kind == LQ_FC) has_bias = ((lq_dense_attrs *)n->attrs)->bias;
  else if (o->kind == LQ_TCONV) has_bias = ((lq_tconv_attrs *)n->attrs)->p.bias;
  if (has_bias) memcpy(f->b, lf_node_param(g, n, 1)->value.data, sizeof(float) * (size_t)O);
  if (bn >= 0) {
    lf_node *b = lf_graph_node(g, bn);
    lq_bn_fold_scale(g, bn, mul);
    const float *beta = lf_node_param(g, b, 1)->value.data, *mean = lf_node_param(g, b, 2)->value.data;
    for (int c = 0; c < O; c++) f->b[c] = (f->b[c] - mean[c]) * mul[c] + beta[c];
  }
  if (o->kind == LQ_AFFINE || o->kind == LQ_BNMUL || o->kind == LQ_BNADD) {
    f->per = 1;
    f->w = mul;
    return 1;
  }
  const float *w = lf_node_param(g, n, 0)->value.data;
  size_t nw = lf_node_param(g, n, 0)->value.numel;
  f->per = nw / (size_t)O;
  f->w = malloc(sizeof(float) * nw);
  if (!f->w) return free(mul), 0;
  if (o->kind == LQ_TCONV) { /* engine IHWO [I][K][O] -> OHWI */
    lf_node *in = lf_graph_node(g, n->inputs[0]);
    int I = in->c;
    size_t K = f->per / (size_t)I;
    for (int i = 0; i < I; i++)
      for (size_t k = 0; k < K; k++)
        for (int c = 0; c < O; c++) f->w[((size_t)c * K + k) * I + i] = w[((size_t)i * K + k) * O + c] * mul[c];
  } else {
    for (int c = 0; c < O; c++)
      for (size_t k = 0; k < f->per; k++) f->w[(size_t)c * f->per + k] = w[(size_t)c * f->per + k] * mul[c];
  }
  free(mul);
  return 1;
}

/* int8 weights, int32 bias and requantisation multipliers, as convert.c
 * writes them and the runtime prepares them. */
typedef struct {
  int8_t *w;
  int32_t *b, *mult, *shift;
  float *ws;
} qweights;

static void qweights_free(qweights *q) {
  free(q->w);
  free(q->b);
  free(q->mult);
  free(q->shift);
  free(q->ws);
}

static int quant_weighted(const folded *f, float in_scale, float out_scale, qweights *q) {
  int O = f->O;
  q->w = malloc((size_t)O * f->per);
  q->b = malloc(sizeof(int32_t) * (size_t)O);
  q->mult = malloc(sizeof(int32_t) * (size_t)O);
  q->shift = malloc(sizeof(int32_t) * (size_t)O);
  q->ws = malloc(sizeof(float) * (size_t)O);
  if (!q->w || !q->b || !q->mult || !q->shift || !q->ws) return 0;
  if (lq_quant_weights_pc(f->w, O, f->per, q->w, q->ws) != LF_OK) return 0;
  lq_quant_bias_pc(f->b, O, in_scale, q->ws, q->b, NULL);
  for (int c = 0; c < O; c++)
    if (lfrt_conv_scale_q8(in_scale, q->ws[c], out_scale, &q->mult[c], &q->shift[c])) return 0;
  return 1;
}

/* torch explicit padding that TFLite expresses as SAME or VALID (then the
 * runtime's clipped windows apply), as convert.c decides it. */
static int tfl_pad_ok(int in, int k, int s, int pb, int pe) {
  int out = (in + pb + pe - k) / s + 1;
  if (pb == 0 && pe == 0 && out == (in - k + s) / s) return 1;
  int sout = (in + s - 1) / s, total = (sout - 1) * s + k - in;
  if (total < 0) total = 0;
  return out == sout && pb == total / 2 && pe == total - total / 2;
}

/* CONV_2D / TRANSPOSE_CONV through the int8 runtime's dispatched kernels
 * (what the converted model runs; equal to the reference kernels byte for
 * byte), with the engine's thread count. All QAT nodes share one lq_ctx and
 * hence one lq_exact. */
static int conv_runtime(lf_graph *g, const xop *o, const lfrt_conv_params *p, int tconv, const int8_t *in,
                        const int8_t *w, const int32_t *bias, int8_t *out) {
  lq_exact *x = (*(lq_ctx **)lf_graph_node(g, o->src)->attrs)->exact;
  int threads = lf_get_threads();
  if (x->rt && x->rt_threads != threads) {
    lfrt_exec_free(x->rt);
    x->rt = NULL;
  }
  lfrt_error err;
  if (!x->rt && lfrt_exec_create(threads, NULL, &x->rt, &err)) {
    lf_error(LF_EINVAL, "qat exact eval: %s", err.msg);
    return 0;
  }
  x->rt_threads = threads;
  if (lfrt_exec_qs8_conv(x->rt, p, tconv, in, w, bias, out, &err)) {
    lf_error(LF_ENOMEM, "qat exact eval: %s", err.msg);
    return 0;
  }
  return 1;
}

/* The 1x1 depthwise of a lowered BN as the reference kernel computes it
 * (acc = (x - zp) * w[c] + bias[c], requantised, clamped), tabulated per
 * channel over the 256 input values: maps are much larger than 256. */
static int affine_lut(const lfrt_conv_params *p, const int8_t *in, const int8_t *w, const int32_t *bias, int8_t *out) {
  const int C = p->out_c;
  int8_t *lut = malloc((size_t)C * 256);
  if (!lut) return 0;
  for (int c = 0; c < C; c++)
    for (int v = -128; v < 128; v++) {
      uint32_t acc = (uint32_t)((v - p->in_zp) * w[c]) + (bias ? (uint32_t)bias[c] : 0u);
      int32_t r = lfrt_requant_fp32((int32_t)acc, p->mult[c], p->shift[c]) + p->out_zp;
      lut[(size_t)c * 256 + (uint8_t)(int8_t)v] = (int8_t)lfrt_clamp_i32(r, p->act_min, p->act_max);
    }
  size_t pix = (size_t)p->batch * p->out_h * p->out_w;
  for (size_t i = 0; i < pix; i++) {
    const int8_t *x = in + i * C;
    int8_t *y = out + i * C;
    for (int c = 0; c < C; c++) y[c] = lut[(size_t)c * 256 + (uint8_t)x[c]];
  }
  free(lut);
  return 1;
}

/* ---- the ops ------------------------------------------------------------------------ */
static int a_ref(lf_graph *g, const xop *o) { /* mode 2: the runtime's reference kernels */
  lf_node *n = lf_graph_node(g, o->src);
  return o->kind == LQ_CONV ? ((lq_conv_attrs *)n->attrs)->ctx->exact_ref : ((lq_bn_attrs *)n->attrs)->ctx->exact_ref;
}

static int run_weighted(lf_graph *g, const xop *o, const qin *x, lf_qparams yq, int batch, int8_t *y) {
  lf_node *n = lf_graph_node(g, o->src);
  folded f;
  qweights q;
  memset(&q, 0, sizeof q);
  int ok = fold_weighted(g, o, &f) && quant_weighted(&f, x->q.scale, yq.scale, &q);
  int32_t lo = -128, hi = 127;
  if (ok) ok = !lfrt_act_range_q8(o->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE, yq.scale, yq.zero_point, &lo, &hi);
  const lf_node *in = lf_graph_node(g, n->inputs[0]);
  if (ok && o->kind == LQ_FC) {
    lfrt_fc_params p;
    memset(&p, 0, sizeof p);
    p.batch = batch, p.in_c = in->h * in->w * in->c, p.out_c = n->c;
    p.in_zp = x->q.zero_point, p.out_zp = yq.zero_point, p.act_min = lo, p.act_max = hi;
    p.mult = q.mult, p.shift = q.shift;
    lfrt_qs8_fc__ref(&p, x->v, q.w, q.b, y, 0, batch * n->c);
  } else if (ok) {
    lfrt_conv_params p;
    memset(&p, 0, sizeof p);
    p.batch = batch;
    p.in_h = in->h, p.in_w = in->w, p.in_c = in->c;
    p.out_h = n->h, p.out_w = n->w, p.out_c = n->c;
    p.in_zp = x->q.zero_point, p.out_zp = yq.zero_point, p.act_min = lo, p.act_max = hi;
    p.mult = q.mult, p.shift = q.shift;
    p.depth_multiplier = 1;
    p.dil_h = p.dil_w = p.stride_h = p.stride_w = p.k_h = p.k_w = 1;
    if (o->kind == LQ_AFFINE && !a_ref(g, o)) {
      ok = affine_lut(&p, x->v, q.w, q.b, y);
    } else if (o->kind == LQ_AFFINE) {
      lfrt_qs8_dwconv2d__ref(&p, x->v, q.w, q.b, y, 0, batch * p.out_h);
    } else if (o->kind == LQ_TCONV) {
      lq_tconv_attrs *a = n->attrs;
      p.k_h = a->p.kh, p.k_w = a->p.kw, p.stride_h = a->p.stride_h, p.stride_w = a->p.stride_w;
      p.pad_top = a->p.pad_top, p.pad_left = a->p.pad_left;
      if (a_ref(g, o)) lfrt_qs8_tconv2d__ref(&p, x->v, q.w, q.b, y, 0, batch * p.out_h);
      else ok = conv_runtime(g, o, &p, 1, x->v, q.w, q.b, y);
    } else {
      lq_conv_attrs *a = n->attrs;
      p.k_h = a->p.kh, p.k_w = a->p.kw, p.stride_h = a->p.stride_h, p.stride_w = a->p.stride_w;
      p.dil_h = a->p.dil_h, p.dil_w = a->p.dil_w, p.pad_top = a->p.pad_top, p.pad_left = a->p.pad_left;
      if (a->p.groups > 1 && !(a->p.groups == in->c && n->c % in->c == 0)) {
        ok = 0; /* grouped but not depthwise: no TFLite lowering */
      } else if (a->p.groups > 1) { /* depthwise (multiplier O/I): weights [kh][kw][O] */
        p.depth_multiplier = n->c / in->c;
        size_t K = f.per;
        int8_t *t = malloc(K * (size_t)f.O);
        ok = t != NULL;
        if (ok) {
          for (int c = 0; c < f.O; c++)
            for (size_t k = 0; k < K; k++) t[k * (size_t)f.O + c] = q.w[(size_t)c * K + k];
          lfrt_qs8_dwconv2d__ref(&p, x->v, t, q.b, y, 0, batch * p.out_h);
        }
        free(t);
      } else if (a_ref(g, o))
        lfrt_qs8_conv2d__ref(&p, x->v, q.w, q.b, y, 0, batch * p.out_h);
      else
        ok = conv_runtime(g, o, &p, 0, x->v, q.w, q.b, y);
    }
  }
  folded_free(&f);
  qweights_free(&q);
  return ok;
}

static int run_pool(lf_graph *g, const xop *o, const qin *x, int batch, int8_t *y) {
  lf_node *n = lf_graph_node(g, o->src);
  const lf_node *in = lf_graph_node(g, n->inputs[0]);
  const lf_pool_params *pp = n->attrs;
  int avg = o->kind == LQ_AVGPOOL;
  int any_pad = pp->pad_top || pp->pad_bottom || pp->pad_left || pp->pad_right;
  int same = tfl_pad_ok(in->h, pp->kh, pp->stride_h, pp->pad_top, pp->pad_bottom) &&
             tfl_pad_ok(in->w, pp->kw, pp->stride_w, pp->pad_left, pp->pad_right) &&
             (!avg || !any_pad || !pp->count_include_pad);
  lfrt_pool_params p;
  memset(&p, 0, sizeof p);
  p.batch = batch, p.c = in->c, p.out_h = n->h, p.out_w = n->w;
  p.k_h = pp->kh, p.k_w = pp->kw, p.stride_h = pp->stride_h, p.stride_w = pp->stride_w;
  p.act_min = -128, p.act_max = 127;
  const int8_t *src = x->v;
  int8_t *padded = NULL;
  if (same) {
    p.in_h = in->h, p.in_w = in->w, p.pad_top = pp->pad_top, p.pad_left = pp->pad_left;
  } else { /* convert.c emits PAD (the zero point) and a VALID pool */
    int H = in->h + pp->pad_top + pp->pad_bottom, W = in->w + pp->pad_left + pp->pad_right, C = in->c;
    padded = malloc((size_t)batch * H * W * C);
    if (!padded) return 0;
    memset(padded, (int)(int8_t)x->q.zero_point, (size_t)batch * H * W * C);
    for (int b = 0; b < batch; b++)
      for (int r = 0; r < in->h; r++)
        memcpy(padded + (((size_t)b * H + r + pp->pad_top) * W + pp->pad_left) * C,
               x->v + (((size_t)b * in->h + r) * in->w) * C, (size_t)in->w * C);
    p.in_h = H, p.in_w = W;
    src = padded;
  }
  if (avg) lfrt_qs8_avgpool__ref(&p, src, y, 0, batch * p.out_h);
  else lfrt_qs8_maxpool__ref(&p, src, y, 0, batch * p.out_h);
  free(padded);
  return 1;
}

static int run_resize(lf_graph *g, const xop *o, const qin *x, int batch, int8_t *y) {
  lf_node *n = lf_graph_node(g, o->src);
  const lf_node *in = lf_graph_node(g, n->inputs[0]);
  const lf_upsample_params *up = n->attrs;
  lfrt_resize_params p;
  memset(&p, 0, sizeof p);
  p.batch = batch, p.in_h = in->h, p.in_w = in->w, p.c = in->c, p.out_h = n->h, p.out_w = n->w;
  if (up->mode == LF_UPSAMPLE_NEAREST) {
    lfrt_qs8_resize_nearest__ref(&p, x->v, y, 0, batch * p.out_h);
    return 1;
  }
  p.align_corners = up->align_corners ? 1 : 0;
  p.half_pixel_centers = up->align_corners ? 0 : 1;
  int32_t *tab = malloc(sizeof(int32_t) * 3 * (size_t)(p.out_h + p.out_w));
  if (!tab) return 0;
  lfrt_resize_q11_table(p.in_h, p.out_h, p.align_corners, p.half_pixel_centers, tab);
  lfrt_resize_q11_table(p.in_w, p.out_w, p.align_corners, p.half_pixel_centers, tab + 3 * p.out_h);
  p.tab_y = tab;
  p.tab_x = tab + 3 * p.out_h;
  lfrt_qs8_resize_bilinear_q11__ref(&p, x->v, y, 0, batch * p.out_h);
  free(tab);
  return 1;
}

static void shape6(const lf_node *n, int batch, int *s) {
  s[0] = s[1] = 1;
  s[2] = batch, s[3] = n->h, s[4] = n->w, s[5] = n->c;
}

/* ADD / MUL of two values, or of a value and the mul-add BN lowering's
 * per-channel constant (int8 per tensor, qconst.h, [1,1,1,C]). */
static int run_binary(lf_graph *g, const xop *o, const qin *a, const qin *b, lf_qparams yq, int batch, int8_t *y,
                      size_t count) {
  int mul = o->kind == LQ_MUL || o->kind == LQ_BNMUL;
  lfrt_binary_params p;
  memset(&p, 0, sizeof p);
  lf_node *n = lf_graph_node(g, o->src);
  shape6(a->n, batch, p.shape_a);
  shape6(n, batch, p.shape_out);
  int8_t *k = NULL;
  const int8_t *bv;
  float bs;
  if (b) {
    shape6(b->n, batch, p.shape_b);
    p.b_zp = b->q.zero_point;
    bs = b->q.scale;
    bv = b->v;
  } else { /* the BN constant */
    folded f;
    lf_qparams kq;
    if (!fold_weighted(g, o, &f)) return folded_free(&f), 0;
    const float *v = mul ? f.w : f.b;
    k = malloc((size_t)f.O);
    int ok = k && lq_const_qparams(v, f.O, &kq) == LF_OK;
    for (int c = 0; ok && c < f.O; c++) k[c] = (int8_t)lq_const_quant(v[c], kq);
    folded_free(&f);
    if (!ok) return free(k), 0;
    for (int d = 0; d < 5; d++) p.shape_b[d] = 1;
    p.shape_b[5] = n->c;
    p.b_zp = kq.zero_point;
    bs = kq.scale;
    bv = k;
  }
  p.a_zp = a->q.zero_point;
  p.out_zp = yq.zero_point;
  int ok = !lfrt_act_range_q8(o->relu ? LFRT_ACT_RELU : LFRT_ACT_NONE, yq.scale, yq.zero_point, &p.act_min, &p.act_max);
  int form = ok ? lfrt_binary_q8_params(mul, a->q.scale, bs, yq.scale, &p) : -1;
  if (form == 0 && mul) lfrt_qs8_mul__ref(&p, a->v, bv, y, 0, (int)count);
  else if (form == 0) lfrt_qs8_add__ref(&p, a->v, bv, y, 0, (int)count);
  else if (form == 1 && mul) lfrt_qs8_mul_tflite__ref(&p, a->v, bv, y, 0, (int)count);
  else if (form == 1) lfrt_qs8_add_tflite__ref(&p, a->v, bv, y, 0, (int)count);
  free(k);
  return form >= 0;
}

/* Computes fq node n's value exactly; 0 = not handled here (the caller fake-quantises). */
int lq_exact_forward(lf_graph *g, lf_node *n, const lq_exact *x, int8_t *y) {
  if (!x || n->id < 0 || n->id >= x->n_nodes || x->op_of_fq[n->id] < 0) return 0;
  const xop *o = &x->ops[x->op_of_fq[n->id]];
  lf_qparams yq;
  if (!lq_fq_qparams(g, n->id, &yq)) return 0;
  switch (o->kind) {
  case LQ_CONV:
  case LQ_AFFINE:
  case LQ_FC:
  case LQ_TCONV:
  case LQ_MAXPOOL:
  case LQ_AVGPOOL:
  case LQ_MEAN:
  case LQ_CONCAT:
  case LQ_RESIZE:
  case LQ_LOGISTIC:
  case LQ_ADD:
  case LQ_MUL:
  case LQ_BNMUL:
  case LQ_BNADD:
  case LQ_RELU:
    break;
  default: /* the input: its fake quant is the runtime's QUANTIZE already */
    return 0;
  }
  int batch = n->out.shape[0];
  size_t count = n->out.numel;
  qin ins[64];
  int nin = o->n_in < 64 ? o->n_in : 0;
  if (nin <= 0) return 0;
  for (int k = 0; k < nin; k++) ins[k].own = NULL;
  int ok = 1;
  for (int k = 0; k < nin && ok; k++) ok = load_q8(g, o->in_fq[k], &ins[k]);
  if (!ok) { /* an input without qparams (never observed): fake quant it is */
    for (int k = 0; k < nin; k++) free(ins[k].own);
    return 0;
  }
  if (ok) switch (o->kind) {
    case LQ_CONV:
    case LQ_AFFINE:
    case LQ_FC:
    case LQ_TCONV:
      ok = run_weighted(g, o, &ins[0], yq, batch, y);
      break;
    case LQ_MAXPOOL:
    case LQ_AVGPOOL:
      ok = ins[0].q.scale == yq.scale && ins[0].q.zero_point == yq.zero_point && run_pool(g, o, &ins[0], batch, y);
      break;
    case LQ_RESIZE:
      ok = ins[0].q.scale == yq.scale && ins[0].q.zero_point == yq.zero_point && run_resize(g, o, &ins[0], batch, y);
      break;
    case LQ_MEAN: {
      const lf_node *in = ins[0].n;
      lfrt_mean_params p;
      memset(&p, 0, sizeof p);
      p.ndim = 4;
      p.shape[0] = batch, p.shape[1] = in->h, p.shape[2] = in->w, p.shape[3] = in->c;
      p.reduce[1] = p.reduce[2] = 1;
      p.n = in->h * in->w;
      p.out_count = batch * in->c;
      lfrt_mean_q8_scale(ins[0].q.scale, ins[0].q.zero_point, yq.scale, yq.zero_point, p.n, &p.scale, &p.zp);
      lfrt_qs8_mean__ref(&p, ins[0].v, y, 0, p.out_count);
      break;
    }
    case LQ_CONCAT: {
      size_t inner[64];
      const void *ptr[64];
      size_t tot = 0;
      for (int k = 0; k < nin; k++) {
        ok &= ins[k].q.scale == yq.scale && ins[k].q.zero_point == yq.zero_point;
        inner[k] = (size_t)ins[k].n->c;
        ptr[k] = ins[k].v;
        tot += inner[k];
      }
      if (ok && tot == (size_t)n->c) {
        lfrt_concat_params p = {nin, (int)(count / tot), inner, tot, NULL};
        lfrt_x8_concat__ref(&p, ptr, y, 0, p.outer);
      } else
        ok = 0;
      break;
    }
    case LQ_ADD:
    case LQ_MUL:
      ok = nin == 2 && run_binary(g, o, &ins[0], &ins[1], yq, batch, y, count);
      break;
    case LQ_BNMUL:
    case LQ_BNADD:
      ok = run_binary(g, o, &ins[0], NULL, yq, batch, y, count);
      break;
    case LQ_RELU: {
      int8_t lut[256];
      int32_t lo, hi;
      ok = !lfrt_act_range_q8(LFRT_ACT_RELU, yq.scale, yq.zero_point, &lo, &hi) &&
           !lfrt_requant_lut_q8(ins[0].q.scale, ins[0].q.zero_point, yq.scale, yq.zero_point, lo, hi, lut);
      if (ok) lfrt_qs8_lut__ref(lut, ins[0].v, y, 0, (int)count);
      break;
    }
    case LQ_LOGISTIC: {
      int8_t lut[256];
      lfrt_logistic_lut_q8(ins[0].q.scale, ins[0].q.zero_point, yq.scale, yq.zero_point, lut);
      lfrt_qs8_lut__ref(lut, ins[0].v, y, 0, (int)count);
      break;
    }
    default:
      ok = 0;
    }
  if (ok)
    for (size_t i = 0; i < count; i++) n->out.data[i] = (float)((int32_t)y[i] - yq.zero_point) * yq.scale;
  for (int k = 0; k < nin; k++) free(ins[k].own);
  if (!ok) {
    lf_error(LF_EUNSUPPORTED, "qat: %s: integer-exact eval failed (out of memory, or a scale the int8 runtime "
             "refuses); lf_qat_set_exact(q, 0) evaluates with float fake quantisation", n->name);
    return -1;
  }
  return 1;
}
