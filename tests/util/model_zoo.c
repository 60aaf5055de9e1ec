/* Graph builder with random weights and plausible quantization, and the
 * DenseNet-121- and UNet-shaped models (see model_zoo.h). C99, runtime only. */
#include "model_zoo.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

uint64_t lf_zoo_rand(uint64_t *s) {
  uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

float lf_zoo_uniform(uint64_t *s, float lo, float hi) {
  float u = (float)(lf_zoo_rand(s) >> 40) * (1.0f / 16777216.0f);
  return lo + (hi - lo) * u;
}

int lf_zoo_randint(uint64_t *s, int lo, int hi) {
  return lo + (int)(lf_zoo_rand(s) % (uint64_t)(hi - lo + 1));
}

static int fail(lf_zoo *z, const char *fmt, ...) {
  if (!z->failed) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(z->msg, sizeof z->msg, fmt, ap);
    va_end(ap);
    z->failed = 1;
  }
  return -1;
}

int lf_zoo_init(lf_zoo *z, int fp32, uint64_t seed) {
  memset(z, 0, sizeof *z);
  z->w = lfrt_writer_new();
  z->rng = seed;
  z->fp32 = fp32;
  return z->w ? 0 : -1;
}

void lf_zoo_free(lf_zoo *z) {
  lfrt_writer_free(z->w);
  free(z->t);
  memset(z, 0, sizeof *z);
}

/* Records what we know of writer tensor `idx`. */
static int remember(lf_zoo *z, int idx, int ndim, const int32_t *shape, float scale,
                    int32_t zp, float std) {
  if (idx < 0) return fail(z, "writer: %s", lfrt_writer_error(z->w));
  if (idx >= z->cap) {
    int cap = z->cap ? z->cap * 2 : 256;
    while (cap <= idx) cap *= 2;
    lf_zoo_tensor *t = realloc(z->t, (size_t)cap * sizeof *t);
    if (!t) return fail(z, "out of memory");
    memset(t + z->cap, 0, (size_t)(cap - z->cap) * sizeof *t);
    z->t = t;
    z->cap = cap;
  }
  lf_zoo_tensor *t = &z->t[idx];
  t->ndim = ndim;
  for (int i = 0; i < LFRT_MAX_DIMS; i++) t->shape[i] = i < ndim ? shape[i] : 1;
  t->scale = scale;
  t->zp = zp;
  t->std = std;
  if (idx >= z->ntensors) z->ntensors = idx + 1;
  return idx;
}

static const char *gen_name(lf_zoo *z, const char *kind) {
  static char buf[64]; /* used immediately by the writer, which copies it */
  snprintf(buf, sizeof buf, "%s_%d", kind, z->counter++);
  return buf;
}

lf_zoo_q lf_zoo_pick_q(lf_zoo *z, float std, int act) {
  lf_zoo_q q;
  if (!(std > 1e-3f)) std = 1e-3f;
  float hi = 4.0f * std * lf_zoo_uniform(&z->rng, 0.8f, 1.25f);
  if (act == LFRT_ACT_RELU || act == LFRT_ACT_RELU6) {
    if (act == LFRT_ACT_RELU6 && hi > 6.0f) hi = 6.0f * lf_zoo_uniform(&z->rng, 1.0f, 1.1f);
    q.scale = hi / 255.0f;
    q.zp = -128;
  } else {
    q.scale = 2.0f * hi / 255.0f;
    q.zp = lf_zoo_randint(&z->rng, -12, 12);
  }
  return q;
}

int lf_zoo_act(lf_zoo *z, const char *name, int ndim, const int32_t *shape, float std,
               const lf_zoo_q *q) {
  if (z->failed) return -1;
  lf_zoo_q qq = q ? *q : lf_zoo_pick_q(z, std, LFRT_ACT_NONE);
  lfrt_quant lq = {1, &qq.scale, &qq.zp, 0};
  int idx = lfrt_writer_add_tensor(z->w, name ? name : gen_name(z, "act"),
                                   z->fp32 ? LFRT_FLOAT32 : LFRT_INT8, ndim, shape, NULL, 0,
                                   z->fp32 ? NULL : &lq);
  if (remember(z, idx, ndim, shape, qq.scale, qq.zp, std) < 0) return -1;
  z->t[idx].is_act = 1;
  return idx;
}

/* Output activation: q from oq or picked; std of the result after act. */
static int out_act(lf_zoo *z, int ndim, const int32_t *shape, float pre_std, int act,
                   const lf_zoo_q *oq) {
  lf_zoo_q q = oq ? *oq : lf_zoo_pick_q(z, pre_std, act);
  float std = act == LFRT_ACT_NONE ? pre_std : pre_std * 0.7f;
  return lf_zoo_act(z, NULL, ndim, shape, std, &q);
}

static int add_op(lf_zoo *z, lfrt_op op, const int32_t *ins, int nin, int out,
                  const lfrt_options *o) {
  if (z->failed) return -1;
  int32_t outs[1] = {out};
  if (lfrt_writer_add_operator(z->w, op, ins, nin, outs, 1, o) < 0)
    return fail(z, "writer: %s", lfrt_writer_error(z->w));
  return out;
}

int lf_zoo_op(lf_zoo *z, lfrt_op op, const int32_t *ins, int nin, int out,
              const lfrt_options *o) {
  return add_op(z, op, ins, nin, out, o);
}

int lf_zoo_tensor_raw(lf_zoo *z, const char *kind, lfrt_type type, int ndim,
                      const int32_t *shape, const void *data, size_t bytes, const lf_zoo_q *q,
                      float std) {
  if (z->failed) return -1;
  lfrt_quant lq = {0, NULL, NULL, 0};
  if (q) {
    lq.count = 1;
    lq.scale = &q->scale;
    lq.zero_point = &q->zp;
  }
  int idx = lfrt_writer_add_tensor(z->w, gen_name(z, kind), type, ndim, shape, data, bytes,
                                   q ? &lq : NULL);
  return remember(z, idx, ndim, shape, q ? q->scale : 0, q ? q->zp : 0, std);
}

static int finish(lf_zoo *z, void **bytes, size_t *len, char *msg, size_t msgsz);

static int const_i32(lf_zoo *z, const char *kind, int n, const int32_t *v) {
  int32_t shp[1] = {n};
  int idx = lfrt_writer_add_tensor(z->w, gen_name(z, kind), LFRT_INT32, 1, shp, v,
                                   (size_t)n * 4, NULL);
  return remember(z, idx, 1, shp, 0, 0, 0);
}

/* Weights with `oc` output channels along `axis` (0 = outer, 3 = inner for
 * depthwise), `per` values per channel, real std gain/sqrt(fan_in) jittered
 * per channel. Adds the weight tensor and (if bias) the bias tensor; fills
 * *w_idx, *b_idx. in_scale is the input activation scale (int8 bias scale). */
static int weights(lf_zoo *z, int ndim, const int32_t *shape, int axis, int oc, int per,
                   int fan_in, float gain, float in_scale, int per_channel, float bias_std,
                   int with_bias, int *w_idx, int *b_idx) {
  size_t n = (size_t)oc * per;
  int8_t *q = malloc(n);
  float *ws = malloc((size_t)oc * sizeof *ws);
  float *wf = malloc(n * sizeof *wf);
  int32_t *bq = malloc((size_t)oc * sizeof *bq);
  float *bf = malloc((size_t)oc * sizeof *bf);
  float *bs = malloc((size_t)oc * sizeof *bs);
  int rc = -1;
  if (!q || !ws || !wf || !bq || !bf || !bs) {
    fail(z, "out of memory");
    goto done;
  }
  float base = gain / sqrtf((float)fan_in) / 73.3f;
  float tensor_jit = lf_zoo_uniform(&z->rng, 0.6f, 1.4f);
  for (int c = 0; c < oc; c++)
    ws[c] = base * (per_channel ? lf_zoo_uniform(&z->rng, 0.6f, 1.4f) : tensor_jit);
  for (size_t i = 0; i < n; i++) {
    /* channel of element i */
    int c = axis == 0 ? (int)(i / (size_t)per) : (int)(i % (size_t)oc);
    q[i] = (int8_t)lf_zoo_randint(&z->rng, -127, 127);
    wf[i] = (float)q[i] * ws[c];
  }
  for (int c = 0; c < oc; c++) {
    float b = lf_zoo_uniform(&z->rng, -1.0f, 1.0f) * bias_std;
    bs[c] = in_scale * ws[c];
    float r = b / bs[c];
    bq[c] = (int32_t)(r < 0 ? r - 0.5f : r + 0.5f);
    bf[c] = b;
  }
  int32_t *wzp = calloc((size_t)oc, sizeof *wzp);
  if (!wzp) {
    fail(z, "out of memory");
    goto done;
  }
  if (z->fp32) {
    *w_idx = lfrt_writer_add_tensor(z->w, gen_name(z, "w"), LFRT_FLOAT32, ndim, shape, wf,
                                    n * 4, NULL);
  } else {
    lfrt_quant wq = {per_channel ? oc : 1, ws, wzp, per_channel ? axis : 0};
    *w_idx = lfrt_writer_add_tensor(z->w, gen_name(z, "w"), LFRT_INT8, ndim, shape, q, n, &wq);
  }
  if (remember(z, *w_idx, ndim, shape, ws[0], 0, 0) < 0) {
    free(wzp);
    goto done;
  }
  *b_idx = -1;
  if (with_bias) {
    int32_t bshape[1] = {oc};
    if (z->fp32) {
      *b_idx = lfrt_writer_add_tensor(z->w, gen_name(z, "b"), LFRT_FLOAT32, 1, bshape, bf,
                                      (size_t)oc * 4, NULL);
    } else {
      /* per-tensor weights -> per-tensor bias quantization */
      lfrt_quant bqq = {per_channel ? oc : 1, bs, wzp, 0};
      *b_idx = lfrt_writer_add_tensor(z->w, gen_name(z, "b"), LFRT_INT32, 1, bshape, bq,
                                      (size_t)oc * 4, &bqq);
    }
    if (remember(z, *b_idx, 1, bshape, bs[0], 0, 0) < 0) {
      free(wzp);
      goto done;
    }
  }
  free(wzp);
  rc = 0;
done:
  free(q);
  free(ws);
  free(wf);
  free(bq);
  free(bf);
  free(bs);
  return rc;
}

static int same_out(int in, int k, int s, int d, int padding) {
  int ek = (k - 1) * d + 1;
  return padding == LFRT_PADDING_SAME ? (in + s - 1) / s : (in - ek + s) / s;
}

int lf_zoo_conv(lf_zoo *z, int x, int out_c, int kh, int kw, int sh, int sw, int dh, int dw,
                int padding, int act, float gain, const lf_zoo_q *oq) {
  if (z->failed) return -1;
  const lf_zoo_tensor tt = z->t[x], *t = &tt;
  int in_c = t->shape[3];
  int oh = same_out(t->shape[1], kh, sh, dh, padding), ow = same_out(t->shape[2], kw, sw, dw, padding);
  if (oh < 1 || ow < 1) return fail(z, "conv: empty output");
  int32_t wshape[4] = {out_c, kh, kw, in_c};
  int wi, bi;
  float in_std = t->std, in_scale = t->scale;
  int batch = t->shape[0];
  if (weights(z, 4, wshape, 0, out_c, kh * kw * in_c, kh * kw * in_c, gain, in_scale, 1,
              0.3f * in_std * gain, 1, &wi, &bi) < 0)
    return -1;
  int32_t oshape[4] = {batch, oh, ow, out_c};
  int y = out_act(z, 4, oshape, in_std * gain, act, oq);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.conv.padding = (lfrt_padding)padding;
  o.conv.stride_h = sh;
  o.conv.stride_w = sw;
  o.conv.dilation_h = dh;
  o.conv.dilation_w = dw;
  o.conv.activation = (lfrt_activation)act;
  int32_t ins[3] = {x, wi, bi};
  return add_op(z, LFRT_OP_CONV_2D, ins, 3, y, &o);
}

int lf_zoo_dwconv(lf_zoo *z, int x, int mult, int kh, int kw, int sh, int sw, int dh, int dw,
                  int padding, int act, const lf_zoo_q *oq) {
  if (z->failed) return -1;
  const lf_zoo_tensor tt = z->t[x], *t = &tt;
  int in_c = t->shape[3], out_c = in_c * mult;
  int oh = same_out(t->shape[1], kh, sh, dh, padding), ow = same_out(t->shape[2], kw, sw, dw, padding);
  if (oh < 1 || ow < 1) return fail(z, "dwconv: empty output");
  int32_t wshape[4] = {1, kh, kw, out_c};
  int wi, bi;
  float in_std = t->std, in_scale = t->scale;
  int batch = t->shape[0];
  if (weights(z, 4, wshape, 3, out_c, kh * kw, kh * kw, 1.0f, in_scale, 1, 0.3f * in_std, 1,
              &wi, &bi) < 0)
    return -1;
  int32_t oshape[4] = {batch, oh, ow, out_c};
  int y = out_act(z, 4, oshape, in_std, act, oq);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.depthwise.padding = (lfrt_padding)padding;
  o.depthwise.stride_h = sh;
  o.depthwise.stride_w = sw;
  o.depthwise.dilation_h = dh;
  o.depthwise.dilation_w = dw;
  o.depthwise.depth_multiplier = mult;
  o.depthwise.activation = (lfrt_activation)act;
  int32_t ins[3] = {x, wi, bi};
  return add_op(z, LFRT_OP_DEPTHWISE_CONV_2D, ins, 3, y, &o);
}

int lf_zoo_tconv(lf_zoo *z, int x, int out_c, int kh, int kw, int sh, int sw, int padding,
                 int out_h, int out_w, int with_bias, const lf_zoo_q *oq) {
  if (z->failed) return -1;
  const lf_zoo_tensor tt = z->t[x], *t = &tt;
  int in_c = t->shape[3], batch = t->shape[0];
  int32_t wshape[4] = {out_c, kh, kw, in_c};
  int wi, bi;
  float in_std = t->std, in_scale = t->scale;
  int fan = kh * kw * in_c / (sh * sw);
  if (fan < 1) fan = 1;
  if (weights(z, 4, wshape, 0, out_c, kh * kw * in_c, fan, 1.0f, in_scale, 1, 0.3f * in_std,
              with_bias, &wi, &bi) < 0)
    return -1;
  int32_t oshape[4] = {batch, out_h, out_w, out_c};
  int si = const_i32(z, "oshape", 4, oshape);
  int y = out_act(z, 4, oshape, in_std, LFRT_ACT_NONE, oq);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.transpose_conv.padding = (lfrt_padding)padding;
  o.transpose_conv.stride_h = sh;
  o.transpose_conv.stride_w = sw;
  int32_t ins[4] = {si, wi, x, bi};
  return add_op(z, LFRT_OP_TRANSPOSE_CONV, ins, with_bias ? 4 : 3, y, &o);
}

int lf_zoo_fc(lf_zoo *z, int x, int out_c, int per_channel, int keep_num_dims, int act,
              const lf_zoo_q *oq) {
  if (z->failed) return -1;
  const lf_zoo_tensor t = z->t[x];
  int in_c = t.shape[t.ndim - 1];
  int32_t wshape[2] = {out_c, in_c};
  int wi, bi;
  if (weights(z, 2, wshape, 0, out_c, in_c, in_c, 1.0f, t.scale, per_channel, 0.3f * t.std, 1,
              &wi, &bi) < 0)
    return -1;
  int32_t oshape[4];
  int ondim;
  if (keep_num_dims) {
    ondim = t.ndim;
    for (int i = 0; i < t.ndim; i++) oshape[i] = t.shape[i];
    oshape[ondim - 1] = out_c;
  } else {
    int64_t rows = 1;
    for (int i = 0; i < t.ndim - 1; i++) rows *= t.shape[i];
    ondim = 2;
    oshape[0] = (int32_t)rows;
    oshape[1] = out_c;
  }
  int y = out_act(z, ondim, oshape, t.std, act, oq);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.fc.activation = (lfrt_activation)act;
  o.fc.keep_num_dims = keep_num_dims;
  int32_t ins[3] = {x, wi, bi};
  return add_op(z, LFRT_OP_FULLY_CONNECTED, ins, 3, y, &o);
}

/* Constant [n] activation-like operand with values in [lo, hi], quantized
 * asymmetric per tensor (int8) or stored as float. */
static int const_vec(lf_zoo *z, const char *kind, int n, float lo, float hi) {
  float *f = malloc((size_t)n * sizeof *f);
  int8_t *q = malloc((size_t)n);
  if (!f || !q) {
    free(f);
    free(q);
    return fail(z, "out of memory");
  }
  float mn = 0, mx = 0;
  for (int i = 0; i < n; i++) {
    f[i] = lf_zoo_uniform(&z->rng, lo, hi);
    if (f[i] < mn) mn = f[i];
    if (f[i] > mx) mx = f[i];
  }
  if (mx - mn < 1e-6f) mx = mn + 1e-6f;
  float scale = (mx - mn) / 255.0f;
  float zf = -128.0f - mn / scale;
  int32_t zp = (int32_t)(zf < 0 ? zf - 0.5f : zf + 0.5f);
  if (zp < -128) zp = -128;
  if (zp > 127) zp = 127;
  for (int i = 0; i < n; i++) {
    float r = f[i] / scale;
    int32_t v = (int32_t)(r < 0 ? r - 0.5f : r + 0.5f) + zp;
    q[i] = (int8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
    f[i] = (float)(q[i] - zp) * scale;
  }
  int32_t shp[1] = {n};
  int idx;
  if (z->fp32) {
    idx = lfrt_writer_add_tensor(z->w, gen_name(z, kind), LFRT_FLOAT32, 1, shp, f, (size_t)n * 4,
                                 NULL);
  } else {
    lfrt_quant lq = {1, &scale, &zp, 0};
    idx = lfrt_writer_add_tensor(z->w, gen_name(z, kind), LFRT_INT8, 1, shp, q, (size_t)n, &lq);
  }
  free(f);
  free(q);
  return remember(z, idx, 1, shp, scale, zp, (hi - lo) * 0.5f);
}

int lf_zoo_bn(lf_zoo *z, int x, int act) {
  if (z->failed) return -1;
  lf_zoo_tensor t = z->t[x];
  int c = t.shape[t.ndim - 1];
  int g = const_vec(z, "bn_mul", c, 0.5f, 1.5f);
  if (g < 0) return -1;
  int m = out_act(z, t.ndim, t.shape, t.std, LFRT_ACT_NONE, NULL);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t ins[2] = {x, g};
  if (add_op(z, LFRT_OP_MUL, ins, 2, m, &o) < 0) return -1;
  int b = const_vec(z, "bn_add", c, -0.5f * t.std, 0.5f * t.std);
  if (b < 0) return -1;
  int y = out_act(z, t.ndim, t.shape, t.std, act, NULL);
  memset(&o, 0, sizeof o);
  o.add.activation = (lfrt_activation)act;
  o.add.pot_scale_int16 = 1;
  int32_t ins2[2] = {m, b};
  return add_op(z, LFRT_OP_ADD, ins2, 2, y, &o);
}

int lf_zoo_pool(lf_zoo *z, int x, int is_max, int kh, int kw, int sh, int sw, int padding,
                int act) {
  if (z->failed) return -1;
  lf_zoo_tensor t = z->t[x];
  int oh = same_out(t.shape[1], kh, sh, 1, padding), ow = same_out(t.shape[2], kw, sw, 1, padding);
  if (oh < 1 || ow < 1) return fail(z, "pool: empty output");
  int32_t oshape[4] = {t.shape[0], oh, ow, t.shape[3]};
  lf_zoo_q q = {t.scale, t.zp};
  int y = lf_zoo_act(z, NULL, 4, oshape, t.std, &q);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.pool.padding = (lfrt_padding)padding;
  o.pool.stride_h = sh;
  o.pool.stride_w = sw;
  o.pool.filter_h = kh;
  o.pool.filter_w = kw;
  o.pool.activation = (lfrt_activation)act;
  int32_t ins[1] = {x};
  return add_op(z, is_max ? LFRT_OP_MAX_POOL_2D : LFRT_OP_AVERAGE_POOL_2D, ins, 1, y, &o);
}

int lf_zoo_concat(lf_zoo *z, const int *xs, int n, int axis, const lf_zoo_q *oq) {
  if (z->failed) return -1;
  if (n < 1 || n > 16) return fail(z, "concat: bad input count");
  lf_zoo_tensor t = z->t[xs[0]];
  int ax = axis < 0 ? axis + t.ndim : axis;
  int32_t shape[4];
  for (int i = 0; i < 4; i++) shape[i] = t.shape[i];
  shape[ax] = 0;
  for (int i = 0; i < n; i++) shape[ax] += z->t[xs[i]].shape[ax];
  lf_zoo_q q = oq ? *oq : (lf_zoo_q){t.scale, t.zp};
  int y = lf_zoo_act(z, NULL, t.ndim, shape, t.std, &q);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.concat.axis = axis;
  int32_t ins[16];
  for (int i = 0; i < n; i++) ins[i] = xs[i];
  return add_op(z, LFRT_OP_CONCATENATION, ins, n, y, &o);
}

int lf_zoo_mean(lf_zoo *z, int x, const int32_t *axes, int naxes, int keep_dims,
                const lf_zoo_q *oq) {
  if (z->failed) return -1;
  lf_zoo_tensor t = z->t[x];
  int red[4] = {0, 0, 0, 0};
  for (int i = 0; i < naxes; i++) red[axes[i] < 0 ? axes[i] + t.ndim : axes[i]] = 1;
  int32_t shape[4];
  int nd = 0;
  for (int i = 0; i < t.ndim; i++) {
    if (!red[i]) shape[nd++] = t.shape[i];
    else if (keep_dims) shape[nd++] = 1;
  }
  if (nd == 0) shape[nd++] = 1; /* scalar results are kept as [1] */
  int ai = const_i32(z, "axes", naxes, axes);
  lf_zoo_q q = oq ? *oq : lf_zoo_pick_q(z, t.std * 0.6f, LFRT_ACT_NONE);
  int y = lf_zoo_act(z, NULL, nd, shape, t.std * 0.6f, &q);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.reducer.keep_dims = keep_dims;
  int32_t ins[2] = {x, ai};
  return add_op(z, LFRT_OP_MEAN, ins, 2, y, &o);
}

int lf_zoo_resize(lf_zoo *z, int x, int bilinear, int out_h, int out_w, int align_corners,
                  int half_pixel) {
  if (z->failed) return -1;
  lf_zoo_tensor t = z->t[x];
  int32_t size[2] = {out_h, out_w};
  int si = const_i32(z, "size", 2, size);
  int32_t shape[4] = {t.shape[0], out_h, out_w, t.shape[3]};
  lf_zoo_q q = {t.scale, t.zp};
  int y = lf_zoo_act(z, NULL, 4, shape, t.std, &q);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.resize.align_corners = align_corners;
  o.resize.half_pixel_centers = half_pixel;
  int32_t ins[2] = {x, si};
  return add_op(z, bilinear ? LFRT_OP_RESIZE_BILINEAR : LFRT_OP_RESIZE_NEAREST_NEIGHBOR, ins, 2,
                y, &o);
}

int lf_zoo_logistic(lf_zoo *z, int x) {
  if (z->failed) return -1;
  lf_zoo_tensor t = z->t[x];
  lf_zoo_q q = {1.0f / 256.0f, -128};
  int y = lf_zoo_act(z, NULL, t.ndim, t.shape, 0.3f, &q);
  int32_t ins[1] = {x};
  return add_op(z, LFRT_OP_LOGISTIC, ins, 1, y, NULL);
}

int lf_zoo_finish(lf_zoo *z, void **bytes, size_t *len, char *msg, size_t msgsz) {
  return finish(z, bytes, len, msg, msgsz);
}

int lf_zoo_set_io(lf_zoo *z, const int32_t *ins, int nin, const int32_t *outs, int nout) {
  if (z->failed) return -1;
  if (lfrt_writer_set_io(z->w, ins, nin, outs, nout) != LFRT_OK)
    return fail(z, "writer: %s", lfrt_writer_error(z->w));
  return 0;
}

int lf_zoo_debug_outputs;

/* The model's io: input `in`, output `out` -- or, with lf_zoo_debug_outputs,
 * every activation after the input as an output too (to locate a mismatch). */
static void model_io(lf_zoo *z, int in, int out) {
  int32_t ins[1] = {in}, outs[1] = {out};
  if (!lf_zoo_debug_outputs || z->failed) {
    lf_zoo_set_io(z, ins, 1, outs, 1);
    return;
  }
  int32_t *all = malloc((size_t)z->ntensors * sizeof *all);
  int n = 0;
  if (!all) {
    fail(z, "out of memory");
    return;
  }
  for (int i = 0; i < z->ntensors; i++)
    if (z->t[i].is_act && i != in) all[n++] = i;
  lf_zoo_set_io(z, ins, 1, all, n);
  free(all);
}

static int finish(lf_zoo *z, void **bytes, size_t *len, char *msg, size_t msgsz) {
  lfrt_error err;
  err.msg[0] = 0;
  if (!z->failed && lfrt_writer_finish(z->w, bytes, len, &err) != LFRT_OK)
    fail(z, "finish: %s", err.msg);
  if (z->failed && msg && msgsz) snprintf(msg, msgsz, "%s", z->msg);
  int rc = z->failed ? -1 : 0;
  lf_zoo_free(z);
  return rc;
}

int lf_zoo_densenet121(int fp32, uint64_t seed, int height, int width, int classes,
                       void **bytes, size_t *len, char *msg, size_t msgsz) {
  return lf_zoo_densenet121_batch(fp32, seed, 1, height, width, classes, bytes, len, msg, msgsz);
}

int lf_zoo_densenet121_batch(int fp32, uint64_t seed, int batch, int height, int width, int classes,
                             void **bytes, size_t *len, char *msg, size_t msgsz) {
  static const int layers[4] = {6, 12, 24, 16};
  const int growth = 32, bottleneck = 128;
  lf_zoo z;
  if (lf_zoo_init(&z, fp32, seed) < 0) return -1;
  lfrt_writer_set_description(z.w, "leapfrog model zoo: DenseNet-121-shaped, random weights");
  int32_t ishape[4] = {batch, height, width, 3};
  int x = lf_zoo_act(&z, "input", 4, ishape, 1.0f, NULL);
  int in = x;
  /* stem: conv 7x7/2 (+BN folded, RELU), max pool 3x3/2 */
  x = lf_zoo_conv(&z, x, 64, 7, 7, 2, 2, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU, 1.4f, NULL);
  x = lf_zoo_pool(&z, x, 1, 3, 3, 2, 2, LFRT_PADDING_SAME, LFRT_ACT_NONE);
  for (int b = 0; b < 4 && !z.failed; b++) {
    /* every tensor concatenated in this block shares the block input's q */
    lf_zoo_q bq = {z.t[x].scale, z.t[x].zp};
    float bstd = z.t[x].std;
    for (int l = 0; l < layers[b] && !z.failed; l++) {
      int h = lf_zoo_bn(&z, x, LFRT_ACT_RELU);
      h = lf_zoo_conv(&z, h, bottleneck, 1, 1, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU,
                      1.4f, NULL);
      if (z.failed) break;
      float gain = bstd / z.t[h].std;
      int n = lf_zoo_conv(&z, h, growth, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_NONE,
                          gain, &bq);
      int cat[2] = {x, n};
      x = lf_zoo_concat(&z, cat, 2, 3, &bq);
    }
    if (b < 3 && !z.failed) {
      int h = lf_zoo_bn(&z, x, LFRT_ACT_RELU);
      h = lf_zoo_conv(&z, h, z.t[x].shape[3] / 2, 1, 1, 1, 1, 1, 1, LFRT_PADDING_SAME,
                      LFRT_ACT_NONE, 1.4f, NULL);
      x = lf_zoo_pool(&z, h, 0, 2, 2, 2, 2, LFRT_PADDING_VALID, LFRT_ACT_NONE);
    }
  }
  x = lf_zoo_bn(&z, x, LFRT_ACT_RELU);
  int32_t axes[2] = {1, 2};
  x = lf_zoo_mean(&z, x, axes, 2, 0, NULL);
  if (!z.failed) z.t[x].std = 1.5f; /* so the logits spread ~1.5 */
  x = lf_zoo_fc(&z, x, classes, 0, 0, LFRT_ACT_NONE, NULL);
  x = lf_zoo_logistic(&z, x);
  model_io(&z, in, x);
  return finish(&z, bytes, len, msg, msgsz);
}

int lf_zoo_unet(int fp32, uint64_t seed, int height, int width, int base_filters, int up,
                void **bytes, size_t *len, char *msg, size_t msgsz) {
  return lf_zoo_unet_batch(fp32, seed, 1, height, width, base_filters, up, bytes, len, msg, msgsz);
}

int lf_zoo_unet_batch(int fp32, uint64_t seed, int batch, int height, int width, int base_filters,
                      int up, void **bytes, size_t *len, char *msg, size_t msgsz) {
  enum { LEVELS = 5 };
  lf_zoo z;
  if (lf_zoo_init(&z, fp32, seed) < 0) return -1;
  lfrt_writer_set_description(z.w, up ? "leapfrog model zoo: UNet-shaped (TRANSPOSE_CONV)"
                                      : "leapfrog model zoo: UNet-shaped (RESIZE_NEAREST)");
  int32_t ishape[4] = {batch, height, width, 1};
  int x = lf_zoo_act(&z, "input", 4, ishape, 1.0f, NULL);
  int in = x, skip[LEVELS];
  for (int l = 0; l < LEVELS && !z.failed; l++) {
    int f = base_filters << l;
    x = lf_zoo_conv(&z, x, f, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU, 1.4f, NULL);
    x = lf_zoo_conv(&z, x, f, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU, 1.4f, NULL);
    skip[l] = x;
    if (l < LEVELS - 1) x = lf_zoo_pool(&z, x, 1, 2, 2, 2, 2, LFRT_PADDING_VALID, LFRT_ACT_NONE);
  }
  for (int l = LEVELS - 2; l >= 0 && !z.failed; l--) {
    int f = base_filters << l, s = skip[l];
    lf_zoo_q sq = {z.t[s].scale, z.t[s].zp};
    int u;
    if (up) {
      u = lf_zoo_tconv(&z, x, f, 2, 2, 2, 2, LFRT_PADDING_SAME, z.t[s].shape[1], z.t[s].shape[2],
                       1, &sq);
    } else {
      u = lf_zoo_resize(&z, x, 0, z.t[s].shape[1], z.t[s].shape[2], 0, 0);
      u = lf_zoo_conv(&z, u, f, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU, 1.4f, &sq);
    }
    int cat[2] = {s, u};
    x = lf_zoo_concat(&z, cat, 2, 3, &sq);
    x = lf_zoo_conv(&z, x, f, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU, 1.4f, NULL);
    x = lf_zoo_conv(&z, x, f, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU, 1.4f, NULL);
  }
  x = lf_zoo_conv(&z, x, 1, 1, 1, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_NONE, 1.0f, NULL);
  x = lf_zoo_logistic(&z, x);
  model_io(&z, in, x);
  return finish(&z, bytes, len, msg, msgsz);
}
