/* ONNX ops lowered to TFLite ops (FP32). Rank-4 activations are NHWC; each
 * function maps ONNX's NCHW attributes (axes, pads, weights) onto that. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx_lower.h"

#define OP_IS(n, s) ((n)->op_type && !strcmp((n)->op_type, s))
static const int phys_axis4[4] = {0, 3, 1, 2}; /* NCHW axis -> its NHWC position */

static lf_status werr(ox_ctx *c, int r) {
  return r >= 0 ? LF_OK : ox_err(c, LF_EINVAL, "tflite writer: %s", lfrt_writer_error(c->w));
}

/* The output value `k` of node n, (re)defined as an activation of shape dims. */
static lf_status out_act(ox_ctx *c, const Onnx__NodeProto *n, int k, int ndim, const int64_t *dims, ox_val **out) {
  if ((size_t)k >= n->n_output || !n->output[k] || !n->output[k][0]) return ox_err(c, LF_EBADFILE, "output %d is missing", k);
  ox_val *v = ox_new(c, n->output[k]);
  if (!v) return ox_err(c, LF_ENOMEM, "too many values");
  lf_status st = ox_new_act(c, v, ndim, dims);
  *out = v;
  return st;
}
static lf_status out_const(ox_ctx *c, const Onnx__NodeProto *n, int ndim, const int64_t *dims, int is_int, ox_val **out) {
  if (!n->n_output || !n->output[0] || !n->output[0][0]) return ox_err(c, LF_EBADFILE, "output 0 is missing");
  ox_val *v = ox_new(c, n->output[0]);
  if (!v) return ox_err(c, LF_ENOMEM, "too many values");
  *out = v;
  return ox_set_const(c, v, ndim, dims, is_int);
}
/* Makes the folded constant *tmp the value of n's output (its data moves there; freed on failure). */
static lf_status publish(ox_ctx *c, const Onnx__NodeProto *n, ox_val *tmp) {
  ox_val *y = ox_new(c, n->output[0]);
  if (!y) {
    free(tmp->f);
    free(tmp->i);
    return ox_err(c, LF_ENOMEM, "too many values");
  }
  *y = *tmp;
  return LF_OK;
}
static lf_status need_act(ox_ctx *c, ox_val *v) {
  if (v->is_const) return ox_err(c, LF_EUNSUPPORTED, "input '%.100s' is a constant where an activation is expected", v->name);
  if (v->tid < 0) return ox_err(c, LF_EBADFILE, "input '%.100s' is used before the node that computes it", v->name);
  return LF_OK;
}
static lf_status need_4d(ox_ctx *c, ox_val *v) {
  lf_status st = need_act(c, v);
  if (!st && v->ndim != 4) return ox_err(c, LF_EUNSUPPORTED, "input '%.100s' has rank %d (rank 4, NCHW, expected)", v->name, v->ndim);
  return st;
}
static double cval(const ox_val *k, int64_t e) { return k->is_int ? (double)k->i[e] : (double)k->f[e]; }

/* The single node reading `name` (and nothing else, not a graph output). */
static const Onnx__NodeProto *sole_consumer(ox_ctx *c, const char *name, int *idx) {
  int v = ox_find(c, name);
  if (v < 0 || c->uses[v] != 1) return NULL;
  int i = c->consumer[v];
  const Onnx__NodeProto *n = c->g->node[i];
  if (c->skip[i] || n->n_input < 1 || !n->input[0] || strcmp(n->input[0], name)) return NULL;
  *idx = i;
  return n;
}

/* Clip bounds from attributes (opset < 11) or constant inputs. */
static lf_status clip_bounds(ox_ctx *c, const Onnx__NodeProto *n, double *lo, double *hi) {
  *lo = -INFINITY;
  *hi = INFINITY;
  if (c->opset < 11) {
    *lo = ox_attr_f(n, "min", -FLT_MAX);
    *hi = ox_attr_f(n, "max", FLT_MAX);
    return LF_OK;
  }
  for (int k = 1; k <= 2; k++) {
    if (!ox_has_in(n, k)) continue;
    ox_val *b;
    lf_status st = ox_in(c, n, k, &b);
    if (st) return st;
    if (!b->is_const || b->count != 1) return ox_err(c, LF_EUNSUPPORTED, "Clip bound '%.100s' is not a constant scalar", b->name);
    *(k == 1 ? lo : hi) = cval(b, 0);
  }
  return LF_OK;
}

/* A Relu or Clip(0, 6) that alone reads `name` becomes the producing op's fused
 * activation; *final is then the name the op writes. */
static lfrt_activation fuse_act(ox_ctx *c, const char *name, const char **final) {
  int i;
  *final = name;
  const Onnx__NodeProto *n = sole_consumer(c, name, &i);
  if (!n || !n->n_output || !n->output[0] || !n->output[0][0]) return LFRT_ACT_NONE;
  lfrt_activation a = LFRT_ACT_NONE;
  if (OP_IS(n, "Relu")) a = LFRT_ACT_RELU;
  else if (OP_IS(n, "Clip")) {
    double lo, hi;
    int save = c->node;
    c->node = i;
    lf_status st = clip_bounds(c, n, &lo, &hi);
    c->node = save;
    if (st) {
      lf_clear_error();
      return LFRT_ACT_NONE;
    }
    if (lo == 0 && hi == 6) a = LFRT_ACT_RELU6;
    else if (lo == 0 && hi >= FLT_MAX) a = LFRT_ACT_RELU;
  }
  if (a != LFRT_ACT_NONE) {
    c->skip[i] = 1;
    *final = n->output[0];
  }
  return a;
}

/* ---- spatial padding --------------------------------------------------------------------- */
typedef struct {
  int64_t in[2], k[2], s[2], d[2]; /* h, w */
  int64_t pad[4];                  /* top, left, bottom, right */
  int64_t out[2];
} ox_window;

static lf_status read_window(ox_ctx *c, const Onnx__NodeProto *n, const ox_val *x, const int64_t *kernel, ox_window *wd) {
  int64_t v[8];
  int cnt;
  lf_status st;
  for (int a = 0; a < 2; a++) {
    wd->in[a] = x->dims[2 + a];
    wd->k[a] = kernel[a];
    wd->s[a] = wd->d[a] = 1;
  }
  memset(wd->pad, 0, sizeof wd->pad);
  if ((st = ox_attr_ints(c, n, "strides", v, 8, &cnt))) return st;
  if (cnt && cnt != 2) return ox_err(c, LF_EUNSUPPORTED, "strides has %d values (2-D only)", cnt);
  for (int a = 0; a < cnt; a++) wd->s[a] = v[a];
  if ((st = ox_attr_ints(c, n, "dilations", v, 8, &cnt))) return st;
  if (cnt && cnt != 2) return ox_err(c, LF_EUNSUPPORTED, "dilations has %d values (2-D only)", cnt);
  for (int a = 0; a < cnt; a++) wd->d[a] = v[a];
  for (int a = 0; a < 2; a++)
    if (wd->s[a] < 1 || wd->s[a] > 1024 || wd->d[a] < 1 || wd->d[a] > 1024 || wd->k[a] < 1 || wd->k[a] > 4096)
      return ox_err(c, LF_EUNSUPPORTED, "kernel %lld, stride %lld, dilation %lld out of range", (long long)wd->k[a],
                    (long long)wd->s[a], (long long)wd->d[a]);
  char buf[32];
  const char *ap = ox_attr_s(n, "auto_pad", "NOTSET", buf, sizeof buf);
  if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
    for (int a = 0; a < 2; a++) {
      int64_t o = (wd->in[a] + wd->s[a] - 1) / wd->s[a], ek = (wd->k[a] - 1) * wd->d[a] + 1;
      int64_t tot = (o - 1) * wd->s[a] + ek - wd->in[a];
      if (tot < 0) tot = 0;
      wd->pad[a] = ap[5] == 'U' ? tot / 2 : tot - tot / 2;
      wd->pad[a + 2] = tot - wd->pad[a];
    }
  } else if (!strcmp(ap, "NOTSET")) {
    if ((st = ox_attr_ints(c, n, "pads", v, 8, &cnt))) return st;
    if (cnt && cnt != 4) return ox_err(c, LF_EUNSUPPORTED, "pads has %d values (2-D only)", cnt);
    for (int a = 0; a < cnt; a++) {
      if (v[a] < 0 || v[a] > 4096) return ox_err(c, LF_EUNSUPPORTED, "pad %lld out of range", (long long)v[a]);
      wd->pad[a] = v[a];
    }
  } else if (strcmp(ap, "VALID")) {
    return ox_err(c, LF_EUNSUPPORTED, "auto_pad '%s'", ap);
  }
  for (int a = 0; a < 2; a++) {
    int64_t ek = (wd->k[a] - 1) * wd->d[a] + 1, span = wd->in[a] + wd->pad[a] + wd->pad[a + 2] - ek;
    if (span < 0) return ox_err(c, LF_EBADFILE, "the window (%lld) is larger than the padded input", (long long)ek);
    wd->out[a] = span / wd->s[a] + 1;
  }
  return LF_OK;
}

/* 1 when the window's pads are exactly what TFLite's SAME padding uses. */
static int is_same(const ox_window *wd) {
  for (int a = 0; a < 2; a++) {
    int64_t o = (wd->in[a] + wd->s[a] - 1) / wd->s[a], ek = (wd->k[a] - 1) * wd->d[a] + 1;
    int64_t tot = (o - 1) * wd->s[a] + ek - wd->in[a];
    if (tot < 0) tot = 0;
    if (wd->out[a] != o || wd->pad[a] != tot / 2 || wd->pad[a + 2] != tot - tot / 2) return 0;
  }
  return 1;
}
static int no_pad(const ox_window *wd) { return !wd->pad[0] && !wd->pad[1] && !wd->pad[2] && !wd->pad[3]; }

/* PAD (value 0) or PADV2 (another value) of NHWC tensor x; returns the tensor. */
static int pad_nhwc(ox_ctx *c, const ox_val *x, const int64_t *pad, float value) {
  int32_t p[8] = {0, 0, (int32_t)pad[0], (int32_t)pad[2], (int32_t)pad[1], (int32_t)pad[3], 0, 0};
  int32_t ps[2] = {4, 2}, s[4];
  ox_phys_shape(x, s);
  s[1] += p[2] + p[3];
  s[2] += p[4] + p[5];
  int pt = lfrt_writer_add_tensor(c->w, "pads", LFRT_INT32, 2, ps, p, sizeof p, NULL);
  int t = ox_tmp_act(c, x->name, 4, s);
  if (value == 0) {
    int32_t ins[2] = {x->tid, pt};
    return ox_op(c, LFRT_OP_PAD, ins, 2, t, NULL) < 0 ? -1 : t;
  }
  int vt = ox_const_f32(c, x->name, 0, NULL, &value);
  int32_t ins[3] = {x->tid, pt, vt};
  return ox_op(c, OX_TFL_PADV2, ins, 3, t, NULL) < 0 ? -1 : t;
}

/* ---- Conv / ConvTranspose ---------------------------------------------------------------- */
static lf_status lower_conv(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *w, *b = NULL;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_4d(c, x)) || (st = ox_in(c, n, 1, &w))) return st;
  if (!w->is_const || w->is_int || w->ndim != 4) return ox_err(c, LF_EUNSUPPORTED, "weights '%.100s' are not a constant 4-D float tensor", w->name);
  if (ox_has_in(n, 2) && (st = ox_in(c, n, 2, &b))) return st;
  if (b && (!b->is_const || b->is_int || b->count != w->dims[0])) return ox_err(c, LF_EUNSUPPORTED, "bias is not a constant of %lld floats", (long long)w->dims[0]);
  int64_t O = w->dims[0], Ig = w->dims[1], kh = w->dims[2], kw = w->dims[3], C = x->dims[1];
  int64_t group = ox_attr_i(n, "group", 1);
  if (group < 1 || Ig * group != C || O % group) return ox_err(c, LF_EBADFILE, "weights [%lld,%lld,..] do not fit %lld input channels in %lld groups", (long long)O, (long long)Ig, (long long)C, (long long)group);
  int dw = group > 1;
  if (dw && !(group == C && Ig == 1)) return ox_err(c, LF_EUNSUPPORTED, "grouped convolution with %lld groups of %lld channels (only 1 group or depthwise)", (long long)group, (long long)Ig);
  int64_t kern[2] = {kh, kw};
  ox_window wd;
  if ((st = read_window(c, n, x, kern, &wd))) return st;
  /* weights and bias, with a BatchNormalization that alone reads the output folded in */
  int64_t per = Ig * kh * kw;
  float *wt = malloc(sizeof(float) * (size_t)(O * per)), *bias = calloc((size_t)O, sizeof(float));
  if (!wt || !bias) {
    free(wt);
    free(bias);
    return ox_err(c, LF_ENOMEM, "out of memory");
  }
  for (int64_t o = 0; o < O; o++) {
    for (int64_t i = 0; i < Ig; i++)
      for (int64_t y = 0; y < kh; y++)
        for (int64_t xx = 0; xx < kw; xx++) {
          float v = w->f[((o * Ig + i) * kh + y) * kw + xx];
          if (dw) wt[(y * kw + xx) * O + o] = v; /* [1, kh, kw, O] */
          else wt[((o * kh + y) * kw + xx) * Ig + i] = v; /* OHWI */
        }
    if (b) bias[o] = b->f[o];
  }
  const char *oname = n->n_output ? n->output[0] : NULL;
  int bi;
  const Onnx__NodeProto *bn = oname ? sole_consumer(c, oname, &bi) : NULL;
  if (bn && OP_IS(bn, "BatchNormalization") && bn->n_input >= 5 && bn->n_output >= 1) {
    ox_val *p[4];
    int ok = 1;
    for (int k = 0; k < 4 && ok; k++) {
      int vi = ox_find(c, bn->input[k + 1]);
      p[k] = vi >= 0 ? &c->v[vi] : NULL;
      ok = p[k] && p[k]->is_const && !p[k]->is_int && p[k]->count == O;
    }
    if (ok) {
      float eps = ox_attr_f(bn, "epsilon", 1e-5f);
      for (int64_t o = 0; o < O; o++) {
        float s = p[0]->f[o] / sqrtf(p[3]->f[o] + eps);
        for (int64_t e = 0; e < per; e++) wt[dw ? e * O + o : o * per + e] *= s;
        bias[o] = (bias[o] - p[2]->f[o]) * s + p[1]->f[o];
      }
      c->skip[bi] = 1;
      oname = bn->output[0];
    }
  }
  const char *final = oname;
  lfrt_activation act = oname ? fuse_act(c, oname, &final) : LFRT_ACT_NONE;
  int32_t ws[4] = {dw ? 1 : (int32_t)O, (int32_t)kh, (int32_t)kw, dw ? (int32_t)O : (int32_t)Ig}, bs[1] = {(int32_t)O};
  int wtid = ox_const_f32(c, w->name, 4, ws, wt), btid = ox_const_f32(c, w->name, 1, bs, bias);
  free(wt);
  free(bias);
  int in = x->tid;
  lfrt_padding pad = LFRT_PADDING_VALID;
  if (!no_pad(&wd)) {
    if (is_same(&wd)) pad = LFRT_PADDING_SAME;
    else in = pad_nhwc(c, x, wd.pad, 0.0f);
  }
  int64_t od[4] = {x->dims[0], O, wd.out[0], wd.out[1]};
  ox_val *y = ox_new(c, final ? final : "");
  if (!y) return ox_err(c, LF_ENOMEM, "too many values");
  if ((st = ox_new_act(c, y, 4, od))) return st;
  y->nonneg = act != LFRT_ACT_NONE;
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t ins[3] = {in, wtid, btid};
  if (dw) {
    o.depthwise.padding = pad;
    o.depthwise.stride_h = (int)wd.s[0];
    o.depthwise.stride_w = (int)wd.s[1];
    o.depthwise.dilation_h = (int)wd.d[0];
    o.depthwise.dilation_w = (int)wd.d[1];
    o.depthwise.depth_multiplier = (int)(O / C);
    o.depthwise.activation = act;
    return werr(c, ox_op(c, LFRT_OP_DEPTHWISE_CONV_2D, ins, 3, y->tid, &o));
  }
  o.conv.padding = pad;
  o.conv.stride_h = (int)wd.s[0];
  o.conv.stride_w = (int)wd.s[1];
  o.conv.dilation_h = (int)wd.d[0];
  o.conv.dilation_w = (int)wd.d[1];
  o.conv.activation = act;
  return werr(c, ox_op(c, LFRT_OP_CONV_2D, ins, 3, y->tid, &o));
}

static lf_status lower_conv_transpose(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *w, *b = NULL;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_4d(c, x)) || (st = ox_in(c, n, 1, &w))) return st;
  if (!w->is_const || w->is_int || w->ndim != 4) return ox_err(c, LF_EUNSUPPORTED, "weights '%.100s' are not a constant 4-D float tensor", w->name);
  int64_t C = w->dims[0], O = w->dims[1], kh = w->dims[2], kw = w->dims[3];
  if (ox_has_in(n, 2) && (st = ox_in(c, n, 2, &b))) return st;
  if (b && (!b->is_const || b->is_int || b->count != O)) return ox_err(c, LF_EUNSUPPORTED, "bias is not a constant of %lld floats", (long long)O);
  if (ox_attr_i(n, "group", 1) != 1 || C != x->dims[1]) return ox_err(c, LF_EUNSUPPORTED, "grouped transposed convolution or channel mismatch");
  int64_t v[8], s[2] = {1, 1}, pad[4] = {0, 0, 0, 0}, opad[2] = {0, 0};
  int cnt;
  if ((st = ox_attr_ints(c, n, "strides", v, 8, &cnt))) return st;
  for (int a = 0; a < cnt && a < 2; a++) s[a] = v[a];
  if ((st = ox_attr_ints(c, n, "pads", v, 8, &cnt))) return st;
  for (int a = 0; a < cnt && a < 4; a++) pad[a] = v[a];
  if ((st = ox_attr_ints(c, n, "output_padding", v, 8, &cnt))) return st;
  for (int a = 0; a < cnt && a < 2; a++) opad[a] = v[a];
  if ((st = ox_attr_ints(c, n, "dilations", v, 8, &cnt))) return st;
  for (int a = 0; a < cnt; a++)
    if (v[a] != 1) return ox_err(c, LF_EUNSUPPORTED, "dilated transposed convolution");
  if (ox_attr(n, "output_shape")) return ox_err(c, LF_EUNSUPPORTED, "output_shape attribute (give pads instead)");
  char buf[32];
  if (strcmp(ox_attr_s(n, "auto_pad", "NOTSET", buf, sizeof buf), "NOTSET")) return ox_err(c, LF_EUNSUPPORTED, "auto_pad on ConvTranspose");
  int64_t k[2] = {kh, kw}, out[2];
  int same = 1, valid = 1;
  for (int a = 0; a < 2; a++) {
    if (s[a] < 1 || s[a] > 1024 || k[a] > 4096 || pad[a] < 0 || pad[a + 2] < 0 || opad[a] < 0 || opad[a] >= s[a])
      return ox_err(c, LF_EUNSUPPORTED, "stride, pads or output_padding out of range");
    out[a] = (x->dims[2 + a] - 1) * s[a] + k[a] - pad[a] - pad[a + 2] + opad[a];
    int64_t tot = k[a] - s[a] > 0 ? k[a] - s[a] : 0; /* TFLite SAME: out = in * s, top = total / 2 */
    if (out[a] != x->dims[2 + a] * s[a] || pad[a] != tot / 2) same = 0;
    if (pad[a] || pad[a + 2] || opad[a]) valid = 0;
  }
  if (!same && !valid) return ox_err(c, LF_EUNSUPPORTED, "pads that are neither TFLite's SAME nor VALID");
  float *wt = malloc(sizeof(float) * (size_t)(O * kh * kw * C)), *bias = calloc((size_t)O, sizeof(float));
  if (!wt || !bias) {
    free(wt);
    free(bias);
    return ox_err(c, LF_ENOMEM, "out of memory");
  }
  for (int64_t i = 0; i < C; i++)
    for (int64_t o = 0; o < O; o++)
      for (int64_t y = 0; y < kh; y++)
        for (int64_t xx = 0; xx < kw; xx++) wt[((o * kh + y) * kw + xx) * C + i] = w->f[((i * O + o) * kh + y) * kw + xx];
  for (int64_t o = 0; o < O && b; o++) bias[o] = b->f[o];
  const char *final = n->output[0];
  lfrt_activation act = n->n_output ? fuse_act(c, n->output[0], &final) : LFRT_ACT_NONE;
  int32_t ws[4] = {(int32_t)O, (int32_t)kh, (int32_t)kw, (int32_t)C}, bs[1] = {(int32_t)O};
  int wtid = ox_const_f32(c, w->name, 4, ws, wt), btid = ox_const_f32(c, w->name, 1, bs, bias);
  free(wt);
  free(bias);
  int64_t od[4] = {x->dims[0], O, out[0], out[1]};
  int32_t oshape[4] = {(int32_t)od[0], (int32_t)out[0], (int32_t)out[1], (int32_t)O};
  int shp = ox_const_i32(c, w->name, 4, oshape);
  ox_val *y = ox_new(c, final);
  if (!y) return ox_err(c, LF_ENOMEM, "too many values");
  if ((st = ox_new_act(c, y, 4, od))) return st;
  y->nonneg = act != LFRT_ACT_NONE;
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.transpose_conv.padding = same && !valid ? LFRT_PADDING_SAME : LFRT_PADDING_VALID;
  o.transpose_conv.stride_h = (int)s[0];
  o.transpose_conv.stride_w = (int)s[1];
  o.transpose_conv.activation = act;
  int32_t ins[4] = {shp, wtid, x->tid, btid};
  return werr(c, ox_op(c, LFRT_OP_TRANSPOSE_CONV, ins, 4, y->tid, &o));
}

/* ---- pooling ------------------------------------------------------------------------------ */
static lf_status lower_pool(ox_ctx *c, const Onnx__NodeProto *n, int is_max) {
  ox_val *x, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_4d(c, x))) return st;
  int64_t k[8];
  int cnt;
  if ((st = ox_attr_ints(c, n, "kernel_shape", k, 8, &cnt))) return st;
  if (cnt != 2) return ox_err(c, LF_EUNSUPPORTED, "kernel_shape with %d values (2-D pooling only)", cnt);
  ox_window wd;
  if ((st = read_window(c, n, x, k, &wd))) return st;
  if (wd.d[0] != 1 || wd.d[1] != 1) return ox_err(c, LF_EUNSUPPORTED, "dilated pooling");
  if (ox_attr_i(n, "ceil_mode", 0)) /* ceil: more output, the extra window reads padding */
    for (int a = 0; a < 2; a++) {
      int64_t span = wd.in[a] + wd.pad[a] + wd.pad[a + 2] - wd.k[a], o = (span + wd.s[a] - 1) / wd.s[a] + 1;
      if ((o - 1) * wd.s[a] >= wd.in[a] + wd.pad[a]) o--; /* ONNX: the last window must start inside */
      if (o != wd.out[a]) {
        if (!is_max) return ox_err(c, LF_EUNSUPPORTED, "AveragePool ceil_mode that changes the output size");
        wd.pad[a + 2] += (o - 1) * wd.s[a] + wd.k[a] - (wd.in[a] + wd.pad[a] + wd.pad[a + 2]);
        wd.out[a] = o;
      }
    }
  int in = x->tid;
  lfrt_padding pad = LFRT_PADDING_VALID;
  int cip = (int)ox_attr_i(n, "count_include_pad", 0);
  if (!no_pad(&wd)) {
    if (is_same(&wd) && (is_max || !cip)) pad = LFRT_PADDING_SAME;
    else if (is_max) in = pad_nhwc(c, x, wd.pad, x->nonneg ? 0.0f : -FLT_MAX);
    else in = pad_nhwc(c, x, wd.pad, 0.0f);
  }
  /* padding excluded from the count but not TFLite's SAME: average the
   * zero-padded input, then rescale each output position by window size /
   * the number of real input cells under it */
  int excl = !is_max && !cip && !no_pad(&wd) && pad == LFRT_PADDING_VALID;
  int64_t od[4] = {x->dims[0], x->dims[1], wd.out[0], wd.out[1]};
  if ((st = out_act(c, n, 0, 4, od, &y))) return st;
  y->nonneg = x->nonneg;
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.pool.padding = pad;
  o.pool.stride_h = (int)wd.s[0];
  o.pool.stride_w = (int)wd.s[1];
  o.pool.filter_h = (int)wd.k[0];
  o.pool.filter_w = (int)wd.k[1];
  int32_t ins[1] = {in};
  if (!excl) return werr(c, ox_op(c, is_max ? LFRT_OP_MAX_POOL_2D : LFRT_OP_AVERAGE_POOL_2D, ins, 1, y->tid, &o));
  int32_t s[4];
  ox_phys_shape(y, s);
  int avg = ox_tmp_act(c, y->name, 4, s);
  if ((st = werr(c, ox_op(c, LFRT_OP_AVERAGE_POOL_2D, ins, 1, avg, &o)))) return st;
  float *f = malloc(sizeof(float) * (size_t)(wd.out[0] * wd.out[1]));
  if (!f) return ox_err(c, LF_ENOMEM, "out of memory");
  for (int64_t oy = 0; oy < wd.out[0]; oy++)
    for (int64_t ox = 0; ox < wd.out[1]; ox++) {
      int64_t cnt[2], at[2] = {oy, ox};
      for (int a = 0; a < 2; a++) {
        int64_t lo = at[a] * wd.s[a] - wd.pad[a], hi = lo + wd.k[a];
        cnt[a] = (hi < wd.in[a] ? hi : wd.in[a]) - (lo > 0 ? lo : 0);
      }
      f[oy * wd.out[1] + ox] = cnt[0] > 0 && cnt[1] > 0 ? (float)(wd.k[0] * wd.k[1]) / (float)(cnt[0] * cnt[1]) : 0.0f;
    }
  int32_t fs[4] = {1, (int32_t)wd.out[0], (int32_t)wd.out[1], 1};
  int ft = ox_const_f32(c, y->name, 4, fs, f);
  free(f);
  memset(&o, 0, sizeof o);
  int32_t mi[2] = {avg, ft};
  return werr(c, ox_op(c, LFRT_OP_MUL, mi, 2, y->tid, &o));
}

static lf_status lower_gap(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_4d(c, x))) return st;
  int64_t od[4] = {x->dims[0], x->dims[1], 1, 1};
  if ((st = out_act(c, n, 0, 4, od, &y))) return st;
  y->nonneg = x->nonneg;
  int32_t axes[2] = {1, 2};
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.reducer.keep_dims = 1;
  int32_t ins[2] = {x->tid, ox_const_i32(c, x->name, 2, axes)};
  return werr(c, ox_op(c, LFRT_OP_MEAN, ins, 2, y->tid, &o));
}

/* ---- element-wise ------------------------------------------------------------------------ */
static lf_status lower_unary(ox_ctx *c, const Onnx__NodeProto *n, int op, int nonneg) {
  ox_val *x, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_act(c, x))) return st;
  int64_t d[OX_MAX_RANK];
  memcpy(d, x->dims, sizeof d);
  if ((st = out_act(c, n, 0, x->ndim, d, &y))) return st;
  y->nonneg = nonneg;
  int32_t ins[1] = {x->tid};
  return werr(c, ox_op(c, op, ins, 1, y->tid, NULL));
}

static lf_status lower_clip(ox_ctx *c, const Onnx__NodeProto *n) {
  double lo, hi;
  lf_status st = clip_bounds(c, n, &lo, &hi);
  if (st) return st;
  if (lo == 0 && hi == 6) return lower_unary(c, n, LFRT_OP_RELU6, 1);
  if (lo == 0 && hi >= FLT_MAX) return lower_unary(c, n, LFRT_OP_RELU, 1);
  if (lo == -1 && hi == 1) return lower_unary(c, n, OX_TFL_RELU_N1_TO_1, 0);
  ox_val *x, *y;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_act(c, x))) return st;
  int64_t d[OX_MAX_RANK];
  memcpy(d, x->dims, sizeof d);
  int32_t s[OX_MAX_RANK];
  int nd = ox_phys_shape(x, s), cur = x->tid;
  if ((st = out_act(c, n, 0, x->ndim, d, &y))) return st;
  y->nonneg = lo >= 0;
  if (lo > -FLT_MAX) {
    float l = (float)lo;
    int t = hi < FLT_MAX ? ox_tmp_act(c, x->name, nd, s) : y->tid;
    int32_t ins[2] = {cur, ox_const_f32(c, x->name, 0, NULL, &l)};
    if ((st = werr(c, ox_op(c, OX_TFL_MAXIMUM, ins, 2, t, NULL)))) return st;
    cur = t;
  }
  if (hi < FLT_MAX || cur == x->tid) {
    float h = (float)(hi < FLT_MAX ? hi : FLT_MAX);
    int32_t ins[2] = {cur, ox_const_f32(c, x->name, 0, NULL, &h)};
    return werr(c, ox_op(c, OX_TFL_MINIMUM, ins, 2, y->tid, NULL));
  }
  return LF_OK;
}

/* PRelu / LeakyRelu: TFLite PRELU with the slope broadcast in NHWC. */
static lf_status lower_prelu(ox_ctx *c, const Onnx__NodeProto *n, int leaky) {
  ox_val *x, *sl = NULL, *y, tmp;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_act(c, x))) return st;
  float alpha = ox_attr_f(n, "alpha", 0.01f);
  if (leaky) {
    memset(&tmp, 0, sizeof tmp);
    tmp.name = x->name;
    tmp.ndim = 1;
    tmp.dims[0] = 1;
    tmp.count = 1;
    tmp.f = &alpha;
    tmp.is_const = 1;
    sl = &tmp;
  } else if ((st = ox_in(c, n, 1, &sl))) {
    return st;
  }
  if (!sl->is_const || sl->ndim > x->ndim) return ox_err(c, LF_EUNSUPPORTED, "slope is not a constant broadcastable to the input");
  int64_t d[OX_MAX_RANK];
  memcpy(d, x->dims, sizeof d);
  if ((st = out_act(c, n, 0, x->ndim, d, &y))) return st;
  int32_t ins[2] = {x->tid, ox_bcast_const(c, sl, x->ndim)};
  return werr(c, ox_op(c, OX_TFL_PRELU, ins, 2, y->tid, NULL));
}

/* Add, Mul, Sub with numpy broadcasting; a constant operand is laid out
 * like the activation (x - k becomes x + (-k), which is exact). */
static lf_status lower_binary(ox_ctx *c, const Onnx__NodeProto *n, int op) {
  ox_val *a, *b, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &a)) || (st = ox_in(c, n, 1, &b))) return st;
  int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
  int64_t d[OX_MAX_RANK];
  for (int i = 0; i < nd; i++) {
    int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
    int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    if (da != db && da != 1 && db != 1) return ox_err(c, LF_EBADFILE, "shapes of '%.100s' and '%.100s' do not broadcast", a->name, b->name);
    d[i] = da > db ? da : db;
  }
  if (a->is_const && b->is_const) return LF_OK; /* folded by the caller */
  int ta, tb;
  if (!a->is_const && !b->is_const) {
    if ((st = need_act(c, a)) || (st = need_act(c, b))) return st;
    if (a->ndim != b->ndim) return ox_err(c, LF_EUNSUPPORTED, "broadcast between activations of different ranks");
    ta = a->tid;
    tb = b->tid;
  } else {
    ox_val *act = a->is_const ? b : a, *k = a->is_const ? a : b;
    if ((st = need_act(c, act))) return st;
    if (act->ndim < nd) return ox_err(c, LF_EUNSUPPORTED, "a constant of higher rank than the activation");
    ox_val neg = *k;
    if (op == OX_TFL_SUB && k == b) { /* x - k = x + (-k) */
      neg.f = malloc(sizeof(float) * (size_t)(k->count ? k->count : 1));
      if (!neg.f) return ox_err(c, LF_ENOMEM, "out of memory");
      neg.is_int = 0;
      for (int64_t e = 0; e < k->count; e++) neg.f[e] = -(float)cval(k, e);
      op = LFRT_OP_ADD;
    }
    int kt = ox_bcast_const(c, &neg, nd);
    if (neg.f != k->f) free(neg.f);
    ta = a->is_const ? kt : act->tid;
    tb = a->is_const ? act->tid : kt;
  }
  if ((st = out_act(c, n, 0, nd, d, &y))) return st;
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t ins[2] = {ta, tb};
  return werr(c, ox_op(c, op, ins, 2, y->tid, op == OX_TFL_SUB ? NULL : &o));
}

static lf_status lower_batchnorm(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *p[4], *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_act(c, x))) return st;
  if (x->ndim < 2) return ox_err(c, LF_EUNSUPPORTED, "rank %d input", x->ndim);
  int64_t C = x->dims[1];
  for (int k = 0; k < 4; k++) {
    if ((st = ox_in(c, n, k + 1, &p[k]))) return st;
    if (!p[k]->is_const || p[k]->is_int || p[k]->count != C) return ox_err(c, LF_EUNSUPPORTED, "parameter '%.100s' is not a constant of %lld floats", p[k]->name, (long long)C);
  }
  float eps = ox_attr_f(n, "epsilon", 1e-5f);
  ox_val sc, sh;
  memset(&sc, 0, sizeof sc);
  sc.name = p[0]->name;
  sc.is_const = 1;
  sc.ndim = x->ndim - 1; /* [C, 1, 1...] broadcasts over the spatial axes */
  sc.dims[0] = C;
  for (int i = 1; i < sc.ndim; i++) sc.dims[i] = 1;
  sc.count = C;
  sh = sc;
  sh.name = p[1]->name;
  sc.f = malloc(sizeof(float) * (size_t)C);
  sh.f = malloc(sizeof(float) * (size_t)C);
  if (!sc.f || !sh.f) {
    free(sc.f);
    free(sh.f);
    return ox_err(c, LF_ENOMEM, "out of memory");
  }
  for (int64_t i = 0; i < C; i++) {
    sc.f[i] = p[0]->f[i] / sqrtf(p[3]->f[i] + eps);
    sh.f[i] = p[1]->f[i] - p[2]->f[i] * sc.f[i];
  }
  int kt = ox_bcast_const(c, &sc, x->ndim), bt = ox_bcast_const(c, &sh, x->ndim);
  free(sc.f);
  free(sh.f);
  int32_t s[OX_MAX_RANK];
  int nd = ox_phys_shape(x, s);
  int mid = ox_tmp_act(c, x->name, nd, s);
  int64_t d[OX_MAX_RANK];
  memcpy(d, x->dims, sizeof d);
  if ((st = out_act(c, n, 0, x->ndim, d, &y))) return st;
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t i1[2] = {x->tid, kt}, i2[2] = {mid, bt};
  if ((st = werr(c, ox_op(c, LFRT_OP_MUL, i1, 2, mid, &o)))) return st;
  return werr(c, ox_op(c, LFRT_OP_ADD, i2, 2, y->tid, &o));
}

/* ---- dense ------------------------------------------------------------------------------- */
static lf_status fully_connected(ox_ctx *c, const Onnx__NodeProto *n, ox_val *a, const float *wt, int64_t N, int64_t K,
                                 const float *bias) {
  lf_status st;
  int pa = ox_plain(c, a);
  if (pa < 0) return werr(c, -1);
  int32_t ws[2] = {(int32_t)N, (int32_t)K}, bs[1] = {(int32_t)N};
  int wtid = ox_const_f32(c, a->name, 2, ws, wt), btid = ox_const_f32(c, a->name, 1, bs, bias);
  const char *final = n->output[0];
  lfrt_activation act = fuse_act(c, n->output[0], &final);
  int64_t d[OX_MAX_RANK];
  memcpy(d, a->dims, sizeof d);
  d[a->ndim - 1] = N;
  ox_val *y = ox_new(c, final);
  if (!y) return ox_err(c, LF_ENOMEM, "too many values");
  y->ndim = a->ndim;
  memcpy(y->dims, d, sizeof d);
  int32_t s[OX_MAX_RANK];
  for (int i = 0; i < a->ndim; i++) s[i] = (int32_t)d[i];
  int t = a->ndim == 4 ? ox_tmp_act(c, final, 4, s) : -1;
  if (a->ndim != 4) {
    if ((st = ox_new_act(c, y, a->ndim, d))) return st;
    t = y->tid;
  }
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.fc.activation = act;
  o.fc.keep_num_dims = a->ndim > 2;
  int32_t ins[3] = {pa, wtid, btid};
  if ((st = werr(c, ox_op(c, LFRT_OP_FULLY_CONNECTED, ins, 3, t, &o)))) return st;
  y->nonneg = act != LFRT_ACT_NONE;
  return a->ndim == 4 ? ox_store_plain(c, y, t) : LF_OK;
}

static lf_status lower_gemm(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *a, *b, *cc = NULL;
  lf_status st;
  if ((st = ox_in(c, n, 0, &a)) || (st = need_act(c, a)) || (st = ox_in(c, n, 1, &b))) return st;
  if (ox_has_in(n, 2) && (st = ox_in(c, n, 2, &cc))) return st;
  if (a->ndim != 2 || ox_attr_i(n, "transA", 0)) return ox_err(c, LF_EUNSUPPORTED, "A must be a 2-D activation, not transposed");
  if (!b->is_const || b->is_int || b->ndim != 2) return ox_err(c, LF_EUNSUPPORTED, "B must be a constant 2-D float tensor");
  int tb = (int)ox_attr_i(n, "transB", 0);
  int64_t K = tb ? b->dims[1] : b->dims[0], N = tb ? b->dims[0] : b->dims[1];
  if (K != a->dims[1]) return ox_err(c, LF_EBADFILE, "A has %lld columns, B %lld rows", (long long)a->dims[1], (long long)K);
  if (cc && (!cc->is_const || (cc->count != N && cc->count != 1) || (cc->ndim == 2 && cc->dims[0] != 1)))
    return ox_err(c, LF_EUNSUPPORTED, "C must be a constant of N or 1 values");
  float alpha = ox_attr_f(n, "alpha", 1.0f), beta = ox_attr_f(n, "beta", 1.0f);
  float *wt = malloc(sizeof(float) * (size_t)(N * K)), *bias = calloc((size_t)N, sizeof(float));
  if (!wt || !bias) {
    free(wt);
    free(bias);
    return ox_err(c, LF_ENOMEM, "out of memory");
  }
  for (int64_t j = 0; j < N; j++) {
    for (int64_t k = 0; k < K; k++) wt[j * K + k] = alpha * (tb ? b->f[j * K + k] : b->f[k * N + j]);
    if (cc) bias[j] = beta * (float)cval(cc, cc->count == 1 ? 0 : j);
  }
  st = fully_connected(c, n, a, wt, N, K, bias);
  free(wt);
  free(bias);
  return st;
}

static lf_status lower_matmul(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *a, *b;
  lf_status st;
  if ((st = ox_in(c, n, 0, &a)) || (st = need_act(c, a)) || (st = ox_in(c, n, 1, &b))) return st;
  if (!b->is_const || b->is_int || b->ndim != 2) return ox_err(c, LF_EUNSUPPORTED, "the second operand must be a constant 2-D float matrix");
  if (a->ndim < 2) return ox_err(c, LF_EUNSUPPORTED, "rank-1 first operand");
  int64_t K = b->dims[0], N = b->dims[1];
  if (a->dims[a->ndim - 1] != K) return ox_err(c, LF_EBADFILE, "inner dimensions %lld and %lld differ", (long long)a->dims[a->ndim - 1], (long long)K);
  float *wt = malloc(sizeof(float) * (size_t)(N * K)), *bias = calloc((size_t)N, sizeof(float));
  if (!wt || !bias) {
    free(wt);
    free(bias);
    return ox_err(c, LF_ENOMEM, "out of memory");
  }
  for (int64_t j = 0; j < N; j++)
    for (int64_t k = 0; k < K; k++) wt[j * K + k] = b->f[k * N + j];
  st = fully_connected(c, n, a, wt, N, K, bias);
  free(wt);
  free(bias);
  return st;
}

/* ---- shape ops --------------------------------------------------------------------------- */
static lf_status reshape_to(ox_ctx *c, const Onnx__NodeProto *n, ox_val *x, int nd, const int64_t *d) {
  ox_val *y;
  lf_status st;
  if (ox_numel(nd, d) != ox_numel(x->ndim, x->dims)) return ox_err(c, LF_EBADFILE, "reshape changes the element count");
  if (x->is_const) {
    ox_val *src = x;
    if ((st = out_const(c, n, nd, d, x->is_int, &y))) return st;
    if (y == src) return LF_OK; /* in place (same name) */
    if (src->is_int) memcpy(y->i, src->i, sizeof(int64_t) * (size_t)src->count);
    else memcpy(y->f, src->f, sizeof(float) * (size_t)src->count);
    return LF_OK;
  }
  if ((st = need_act(c, x))) return st;
  int p = ox_plain(c, x);
  if (p < 0) return werr(c, -1);
  int nonneg = x->nonneg;
  ox_val *yv = ox_new(c, n->output[0]);
  if (!yv) return ox_err(c, LF_ENOMEM, "too many values");
  yv->ndim = nd;
  memcpy(yv->dims, d, sizeof(int64_t) * (size_t)nd);
  yv->nonneg = nonneg;
  int32_t s[OX_MAX_RANK];
  for (int i = 0; i < nd; i++) s[i] = (int32_t)d[i];
  if (nd == 4) { /* RESHAPE to the ONNX shape, then ox_store_plain lays it out NHWC */
    int t = ox_tmp_act(c, yv->name, 4, s);
    int32_t ins[2] = {p, ox_const_i32(c, yv->name, 4, s)};
    if ((st = werr(c, ox_op(c, LFRT_OP_RESHAPE, ins, 2, t, NULL)))) return st;
    return ox_store_plain(c, yv, t);
  }
  if ((st = ox_new_act(c, yv, nd, d))) return st;
  int32_t ins[2] = {p, ox_const_i32(c, yv->name, nd, s)};
  return werr(c, ox_op(c, LFRT_OP_RESHAPE, ins, 2, yv->tid, NULL));
}

static lf_status lower_reshape(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *s;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = ox_in(c, n, 1, &s))) return st;
  if (!s->is_const || !s->is_int || s->ndim != 1 || s->count > OX_MAX_RANK)
    return ox_err(c, LF_EUNSUPPORTED, "shape '%.100s' is not a constant int64 vector of at most %d values", s->name, OX_MAX_RANK);
  int64_t d[OX_MAX_RANK], known = 1, total = ox_numel(x->ndim, x->dims);
  int neg = -1, nd = (int)s->count;
  int allowzero = (int)ox_attr_i(n, "allowzero", 0);
  for (int i = 0; i < nd; i++) {
    d[i] = s->i[i];
    if (d[i] == 0 && !allowzero) {
      if (i >= x->ndim) return ox_err(c, LF_EBADFILE, "shape copies dimension %d of a rank-%d input", i, x->ndim);
      d[i] = x->dims[i];
    }
    if (d[i] == -1) {
      if (neg >= 0) return ox_err(c, LF_EBADFILE, "more than one -1 in the shape");
      neg = i;
    } else if (d[i] < 1 || d[i] > total) {
      return ox_err(c, LF_EBADFILE, "shape value %lld", (long long)d[i]);
    } else {
      known *= d[i];
    }
  }
  if (neg >= 0) {
    if (!known || total % known) return ox_err(c, LF_EBADFILE, "-1 cannot be inferred");
    d[neg] = total / known;
  }
  return reshape_to(c, n, x, nd, d);
}

static lf_status lower_flatten(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x))) return st;
  int64_t axis = ox_attr_i(n, "axis", 1);
  if (axis < 0) axis += x->ndim;
  if (axis < 0 || axis > x->ndim) return ox_err(c, LF_EBADFILE, "axis out of range");
  int64_t d[2] = {1, 1};
  for (int i = 0; i < x->ndim; i++) d[i < axis ? 0 : 1] *= x->dims[i];
  return reshape_to(c, n, x, 2, d);
}

/* Squeeze / Unsqueeze: axes from the attribute (opset < 13) or input 1. */
static lf_status read_axes(ox_ctx *c, const Onnx__NodeProto *n, int64_t *ax, int *na) {
  lf_status st;
  *na = 0;
  if (ox_has_in(n, 1)) {
    ox_val *a;
    if ((st = ox_in(c, n, 1, &a))) return st;
    if (!a->is_const || !a->is_int || a->count > OX_MAX_RANK) return ox_err(c, LF_EUNSUPPORTED, "axes are not a small int constant");
    for (int64_t i = 0; i < a->count; i++) ax[i] = a->i[i];
    *na = (int)a->count;
    return LF_OK;
  }
  return ox_attr_ints(c, n, "axes", ax, OX_MAX_RANK, na);
}

static lf_status lower_squeeze(ox_ctx *c, const Onnx__NodeProto *n, int un) {
  ox_val *x;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x))) return st;
  int64_t ax[OX_MAX_RANK], d[OX_MAX_RANK];
  int na, nd = 0;
  if ((st = read_axes(c, n, ax, &na))) return st;
  int out_rank = un ? x->ndim + na : x->ndim - na;
  if (!un && !na) { /* squeeze every 1 */
    for (int i = 0; i < x->ndim; i++)
      if (x->dims[i] != 1) d[nd++] = x->dims[i];
    return reshape_to(c, n, x, nd, d);
  }
  if (out_rank < 0 || out_rank > OX_MAX_RANK) return ox_err(c, LF_EUNSUPPORTED, "result rank %d", out_rank);
  char mark[OX_MAX_RANK * 2] = {0};
  int base = un ? out_rank : x->ndim;
  for (int i = 0; i < na; i++) {
    int64_t a = ax[i] < 0 ? ax[i] + base : ax[i];
    if (a < 0 || a >= base || mark[a]) return ox_err(c, LF_EBADFILE, "axis %lld out of range or repeated", (long long)ax[i]);
    if (!un && x->dims[a] != 1) return ox_err(c, LF_EBADFILE, "squeezed axis %lld is not 1", (long long)a);
    mark[a] = 1;
  }
  for (int i = 0, k = 0; i < base; i++) {
    if (un) d[nd++] = mark[i] ? 1 : x->dims[k++];
    else if (!mark[i]) d[nd++] = x->dims[i];
  }
  return reshape_to(c, n, x, nd, d);
}

static lf_status lower_transpose(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x))) return st;
  int64_t p[OX_MAX_RANK], d[OX_MAX_RANK];
  int np;
  if ((st = ox_attr_ints(c, n, "perm", p, OX_MAX_RANK, &np))) return st;
  if (!np) {
    np = x->ndim;
    for (int i = 0; i < np; i++) p[i] = np - 1 - i;
  }
  if (np != x->ndim) return ox_err(c, LF_EBADFILE, "perm has %d values for rank %d", np, x->ndim);
  char seen[OX_MAX_RANK] = {0};
  for (int i = 0; i < np; i++) {
    if (p[i] < 0 || p[i] >= np || seen[p[i]]) return ox_err(c, LF_EBADFILE, "perm is not a permutation");
    seen[p[i]] = 1;
    d[i] = x->dims[p[i]];
  }
  if (x->is_const) {
    ox_val src = *x;
    src.f = NULL;
    src.i = NULL;
    float *sf = x->f;
    int64_t *si = x->i;
    x->f = NULL; /* keep the source alive while the output (maybe the same value) is built */
    x->i = NULL;
    if ((st = out_const(c, n, np, d, src.is_int, &y))) {
      free(sf);
      free(si);
      return st;
    }
    for (int64_t e = 0; e < y->count; e++) {
      int64_t r = e, idx[OX_MAX_RANK], off = 0;
      for (int i = np - 1; i >= 0; i--) {
        idx[i] = r % d[i];
        r /= d[i];
      }
      int64_t in_idx[OX_MAX_RANK];
      for (int i = 0; i < np; i++) in_idx[p[i]] = idx[i];
      for (int i = 0; i < np; i++) off = off * src.dims[i] + in_idx[i];
      if (src.is_int) y->i[e] = si[off];
      else y->f[e] = sf[off];
    }
    free(sf);
    free(si);
    return LF_OK;
  }
  if ((st = need_act(c, x))) return st;
  /* one TRANSPOSE from x's stored layout to y's: physical output axis j holds
   * logical output axis L(j) = input logical axis p[L(j)] */
  static const int log4[4] = {0, 2, 3, 1}; /* NHWC position -> NCHW axis */
  int32_t q[OX_MAX_RANK];
  int xt = x->tid, ident = 1;
  for (int j = 0; j < np; j++) {
    int lo = np == 4 ? log4[j] : j;
    int li = (int)p[lo];
    q[j] = x->ndim == 4 ? phys_axis4[li] : li;
    ident &= q[j] == j;
  }
  int nonneg = x->nonneg;
  if ((st = out_act(c, n, 0, np, d, &y))) return st;
  y->nonneg = nonneg;
  if (ident) {
    int32_t s[OX_MAX_RANK];
    ox_phys_shape(y, s);
    int32_t ins[2] = {xt, ox_const_i32(c, y->name, np, s)};
    return werr(c, ox_op(c, LFRT_OP_RESHAPE, ins, 2, y->tid, NULL));
  }
  int32_t ins[2] = {xt, ox_const_i32(c, y->name, np, q)};
  return werr(c, ox_op(c, OX_TFL_TRANSPOSE, ins, 2, y->tid, NULL));
}

static lf_status lower_concat(ox_ctx *c, const Onnx__NodeProto *n) {
  lf_status st;
  if (n->n_input < 1 || n->n_input > 4096) return ox_err(c, LF_EUNSUPPORTED, "%zu inputs", n->n_input);
  ox_val *x0;
  if ((st = ox_in(c, n, 0, &x0))) return st;
  int nd = x0->ndim, all_const = 1;
  int64_t axis = ox_attr_i(n, "axis", 0);
  if (axis < 0) axis += nd;
  if (axis < 0 || axis >= nd) return ox_err(c, LF_EBADFILE, "axis out of range");
  int64_t d[OX_MAX_RANK];
  memcpy(d, x0->dims, sizeof d);
  d[axis] = 0;
  for (size_t k = 0; k < n->n_input; k++) {
    ox_val *x;
    if ((st = ox_in(c, n, (int)k, &x))) return st;
    if (x->ndim != nd) return ox_err(c, LF_EBADFILE, "inputs of different ranks");
    for (int i = 0; i < nd; i++)
      if (i != axis && x->dims[i] != x0->dims[i]) return ox_err(c, LF_EBADFILE, "input %zu's shape does not match", k);
    d[axis] += x->dims[axis];
    all_const &= x->is_const;
  }
  if (all_const) { /* shape arithmetic: fold */
    int is_int = x0->is_int;
    int64_t outer = 1, tot = d[axis], inner = 1, at = 0;
    for (int i = 0; i < axis; i++) outer *= d[i];
    for (int i = (int)axis + 1; i < nd; i++) inner *= d[i];
    ox_val **src = calloc(n->n_input, sizeof *src);
    if (!src) return ox_err(c, LF_ENOMEM, "out of memory");
    for (size_t k = 0; k < n->n_input; k++) ox_in(c, n, (int)k, &src[k]);
    /* the inputs' data must outlive the output (which may reuse a name) */
    ox_val tmp;
    memset(&tmp, 0, sizeof tmp);
    tmp.name = n->output[0];
    if ((st = ox_set_const(c, &tmp, nd, d, is_int))) {
      free(src);
      return st;
    }
    for (size_t k = 0; k < n->n_input; k++) {
      int64_t a = src[k]->dims[axis];
      for (int64_t o = 0; o < outer; o++)
        for (int64_t e = 0; e < a * inner; e++) {
          int64_t to = (o * tot + at) * inner + e, from = o * a * inner + e;
          if (is_int) tmp.i[to] = src[k]->is_int ? src[k]->i[from] : (int64_t)src[k]->f[from];
          else tmp.f[to] = (float)cval(src[k], from);
        }
      at += a;
    }
    free(src);
    return publish(c, n, &tmp);
  }
  int32_t *ins = calloc(n->n_input, sizeof(int32_t));
  if (!ins) return ox_err(c, LF_ENOMEM, "out of memory");
  int nonneg = 1;
  for (size_t k = 0; k < n->n_input && !st; k++) {
    ox_val *x;
    ox_in(c, n, (int)k, &x);
    if (x->is_const) ins[k] = ox_bcast_const(c, x, nd), nonneg = 0;
    else if (x->tid < 0) st = need_act(c, x);
    else ins[k] = x->tid, nonneg &= x->nonneg;
  }
  ox_val *y;
  if (!st) st = out_act(c, n, 0, nd, d, &y);
  if (!st) {
    y->nonneg = nonneg;
    lfrt_options o;
    memset(&o, 0, sizeof o);
    o.concat.axis = nd == 4 ? phys_axis4[axis] : (int)axis;
    st = werr(c, ox_op(c, LFRT_OP_CONCATENATION, ins, (int)n->n_input, y->tid, &o));
  }
  free(ins);
  return st;
}

static lf_status lower_pad(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_act(c, x))) return st;
  char buf[32];
  if (strcmp(ox_attr_s(n, "mode", "constant", buf, sizeof buf), "constant")) return ox_err(c, LF_EUNSUPPORTED, "mode '%s' (constant only)", buf);
  int64_t p[2 * OX_MAX_RANK];
  int np = 0;
  float value = 0;
  if (c->opset < 11) {
    if ((st = ox_attr_ints(c, n, "pads", p, 2 * OX_MAX_RANK, &np))) return st;
    value = ox_attr_f(n, "value", 0.0f);
  } else {
    ox_val *pv, *cv;
    if ((st = ox_in(c, n, 1, &pv))) return st;
    if (!pv->is_const || !pv->is_int || pv->count > 2 * OX_MAX_RANK) return ox_err(c, LF_EUNSUPPORTED, "pads are not a constant");
    np = (int)pv->count;
    for (int i = 0; i < np; i++) p[i] = pv->i[i];
    if (ox_has_in(n, 2)) {
      if ((st = ox_in(c, n, 2, &cv))) return st;
      if (!cv->is_const || cv->count != 1) return ox_err(c, LF_EUNSUPPORTED, "constant_value is not a constant scalar");
      value = (float)cval(cv, 0);
    }
    if (ox_has_in(n, 3)) return ox_err(c, LF_EUNSUPPORTED, "the axes input");
  }
  if (np != 2 * x->ndim) return ox_err(c, LF_EBADFILE, "%d pads for rank %d", np, x->ndim);
  int64_t d[OX_MAX_RANK];
  int32_t pp[2 * OX_MAX_RANK];
  for (int i = 0; i < x->ndim; i++) {
    if (p[i] < 0 || p[i + x->ndim] < 0 || p[i] > 4096 || p[i + x->ndim] > 4096) return ox_err(c, LF_EUNSUPPORTED, "negative or huge pads");
    d[i] = x->dims[i] + p[i] + p[i + x->ndim];
    int ph = x->ndim == 4 ? phys_axis4[i] : i;
    pp[2 * ph] = (int32_t)p[i];
    pp[2 * ph + 1] = (int32_t)p[i + x->ndim];
  }
  int nonneg = x->nonneg && value >= 0;
  if ((st = out_act(c, n, 0, x->ndim, d, &y))) return st;
  y->nonneg = nonneg;
  int32_t ps[2] = {x->ndim, 2};
  int pt = lfrt_writer_add_tensor(c->w, "pads", LFRT_INT32, 2, ps, pp, sizeof(int32_t) * 2 * (size_t)x->ndim, NULL);
  if (value == 0) {
    int32_t ins[2] = {x->tid, pt};
    return werr(c, ox_op(c, LFRT_OP_PAD, ins, 2, y->tid, NULL));
  }
  int32_t ins[3] = {x->tid, pt, ox_const_f32(c, x->name, 0, NULL, &value)};
  return werr(c, ox_op(c, OX_TFL_PADV2, ins, 3, y->tid, NULL));
}

static lf_status lower_resize(ox_ctx *c, const Onnx__NodeProto *n, int upsample) {
  ox_val *x, *y, *sc = NULL, *sz = NULL;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_4d(c, x))) return st;
  char mb[32], cb[48], nb[32];
  const char *mode = ox_attr_s(n, "mode", "nearest", mb, sizeof mb);
  const char *ctm = upsample ? "asymmetric" : ox_attr_s(n, "coordinate_transformation_mode", "half_pixel", cb, sizeof cb);
  const char *nm = upsample ? "floor" : ox_attr_s(n, "nearest_mode", "round_prefer_floor", nb, sizeof nb);
  if (upsample || c->opset < 11) {
    if ((st = ox_in(c, n, upsample ? 1 : 1, &sc))) return st;
    if (!upsample && c->opset < 11) ctm = "asymmetric", nm = "floor";
  } else {
    if (ox_has_in(n, 3) && (st = ox_in(c, n, 3, &sz))) return st;
    if (ox_has_in(n, 2) && (st = ox_in(c, n, 2, &sc))) return st;
    if (sz && sz->count == 0) sz = NULL;
    if (sc && sc->count == 0) sc = NULL;
  }
  int64_t d[4];
  if (sz) {
    if (!sz->is_const || sz->count != 4) return ox_err(c, LF_EUNSUPPORTED, "sizes are not a constant of 4 values");
    for (int i = 0; i < 4; i++) d[i] = sz->i[i];
  } else if (sc) {
    if (!sc->is_const || sc->count != 4) return ox_err(c, LF_EUNSUPPORTED, "scales are not a constant of 4 values");
    for (int i = 0; i < 4; i++) {
      double s = cval(sc, i);
      if (!(s > 0 && s < 4096)) return ox_err(c, LF_EUNSUPPORTED, "scale %g", s);
      d[i] = (int64_t)floor((double)x->dims[i] * s);
    }
  } else {
    return ox_err(c, LF_EBADFILE, "neither scales nor sizes");
  }
  if (d[0] != x->dims[0] || d[1] != x->dims[1]) return ox_err(c, LF_EUNSUPPORTED, "resizing the batch or channel axis");
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int op;
  if (!strcmp(mode, "nearest")) {
    op = LFRT_OP_RESIZE_NEAREST_NEIGHBOR;
    if (strcmp(ctm, "asymmetric") || strcmp(nm, "floor"))
      return ox_err(c, LF_EUNSUPPORTED, "nearest with %s / %s (asymmetric / floor only, what torch exports)", ctm, nm);
  } else if (!strcmp(mode, "linear") || !strcmp(mode, "bilinear")) {
    op = LFRT_OP_RESIZE_BILINEAR;
    if (!strcmp(ctm, "align_corners")) o.resize.align_corners = 1;
    else if (!strcmp(ctm, "half_pixel") || (!strcmp(ctm, "pytorch_half_pixel") && d[2] > 1 && d[3] > 1)) o.resize.half_pixel_centers = 1;
    else if (strcmp(ctm, "asymmetric")) return ox_err(c, LF_EUNSUPPORTED, "linear with coordinate mode %s", ctm);
  } else {
    return ox_err(c, LF_EUNSUPPORTED, "mode '%s'", mode);
  }
  int nonneg = x->nonneg;
  if ((st = out_act(c, n, 0, 4, d, &y))) return st;
  y->nonneg = nonneg;
  int32_t hw[2] = {(int32_t)d[2], (int32_t)d[3]};
  int32_t ins[2] = {x->tid, ox_const_i32(c, x->name, 2, hw)};
  return werr(c, ox_op(c, op, ins, 2, y->tid, &o));
}

static lf_status lower_softmax(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = need_act(c, x))) return st;
  int64_t axis = ox_attr_i(n, "axis", c->opset >= 13 ? -1 : 1);
  if (axis < 0) axis += x->ndim;
  int last = x->ndim == 4 ? axis == 1 : axis == x->ndim - 1; /* NHWC: channels are last */
  if (!last && !(c->opset < 13 && axis == 1 && x->ndim == 2)) return ox_err(c, LF_EUNSUPPORTED, "softmax over axis %lld of a rank-%d tensor (the channel or last axis only)", (long long)axis, x->ndim);
  int64_t d[OX_MAX_RANK];
  memcpy(d, x->dims, sizeof d);
  if ((st = out_act(c, n, 0, x->ndim, d, &y))) return st;
  y->nonneg = 1;
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.softmax.beta = 1.0f;
  int32_t ins[1] = {x->tid};
  return werr(c, ox_op(c, LFRT_OP_SOFTMAX, ins, 1, y->tid, &o));
}

/* ---- constant folding -------------------------------------------------------------------- */
static lf_status alias(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x))) return st;
  if (!n->n_output || !n->output[0] || !n->output[0][0]) return ox_err(c, LF_EBADFILE, "output 0 is missing");
  if (!strcmp(n->output[0], x->name)) return LF_OK;
  ox_val copy = *x;
  ox_val *y = ox_new(c, n->output[0]);
  if (!y) return ox_err(c, LF_ENOMEM, "too many values");
  *y = copy;
  y->name = n->output[0];
  if (copy.is_const) { /* own copies: each value frees its own data */
    y->f = NULL;
    y->i = NULL;
    if ((st = ox_set_const(c, y, copy.ndim, copy.dims, copy.is_int))) return st;
    if (copy.is_int) memcpy(y->i, copy.i, sizeof(int64_t) * (size_t)copy.count);
    else memcpy(y->f, copy.f, sizeof(float) * (size_t)copy.count);
  }
  return LF_OK;
}

static lf_status fold_constant(ox_ctx *c, const Onnx__NodeProto *n) {
  const Onnx__AttributeProto *a = ox_attr(n, "value");
  ox_val *y;
  if (!n->n_output || !n->output[0] || !n->output[0][0]) return ox_err(c, LF_EBADFILE, "output 0 is missing");
  if (a && a->t) {
    if (!(y = ox_new(c, n->output[0]))) return ox_err(c, LF_ENOMEM, "too many values");
    return ox_tensor_to_val(c, a->t, "Constant", y);
  }
  const Onnx__AttributeProto *f = ox_attr(n, "value_float"), *i = ox_attr(n, "value_int"),
                             *fs = ox_attr(n, "value_floats"), *is = ox_attr(n, "value_ints");
  lf_status st;
  int64_t one = 1, cnt;
  if (f || i) {
    if ((st = out_const(c, n, 0, &one, i != NULL, &y))) return st;
    if (i) y->i[0] = i->i;
    else y->f[0] = f->f;
    return LF_OK;
  }
  if (fs || is) {
    cnt = (int64_t)(is ? is->n_ints : fs->n_floats);
    if ((st = out_const(c, n, 1, &cnt, is != NULL, &y))) return st;
    for (int64_t k = 0; k < cnt; k++)
      if (is) y->i[k] = is->ints[k];
      else y->f[k] = fs->floats[k];
    return LF_OK;
  }
  return ox_err(c, LF_EUNSUPPORTED, "Constant without a tensor, float(s) or int(s) value");
}

static lf_status fold_shape(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x))) return st;
  int64_t nd = x->ndim, d[OX_MAX_RANK];
  memcpy(d, x->dims, sizeof d);
  int64_t s = ox_attr_i(n, "start", 0), e = ox_attr_i(n, "end", nd);
  if (s < 0) s += nd;
  if (e < 0) e += nd;
  if (s < 0) s = 0;
  if (e > nd) e = nd;
  if (e < s) e = s;
  int64_t cnt = e - s;
  if ((st = out_const(c, n, 1, &cnt, 1, &y))) return st;
  for (int64_t k = 0; k < cnt; k++) y->i[k] = d[s + k];
  return LF_OK;
}

static lf_status fold_gather(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x, *ix;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x)) || (st = ox_in(c, n, 1, &ix))) return st;
  if (!x->is_const || !ix->is_const || !ix->is_int) return ox_err(c, LF_EUNSUPPORTED, "Gather on an activation (only constant folding)");
  int64_t axis = ox_attr_i(n, "axis", 0);
  if (axis < 0) axis += x->ndim;
  if (axis < 0 || axis >= x->ndim || x->ndim + ix->ndim - 1 > OX_MAX_RANK) return ox_err(c, LF_EUNSUPPORTED, "axis or rank out of range");
  int64_t d[OX_MAX_RANK], outer = 1, inner = 1, nd = 0;
  for (int i = 0; i < axis; i++) d[nd++] = x->dims[i], outer *= x->dims[i];
  for (int i = 0; i < ix->ndim; i++) d[nd++] = ix->dims[i];
  for (int i = (int)axis + 1; i < x->ndim; i++) d[nd++] = x->dims[i], inner *= x->dims[i];
  ox_val src = *x, idx = *ix;
  x->f = NULL, x->i = NULL; /* the output may reuse an input's name */
  if (ix != x) ix->i = NULL;
  ox_val tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.name = n->output[0];
  st = ox_set_const(c, &tmp, (int)nd, d, src.is_int);
  for (int64_t o = 0; o < outer && !st; o++)
    for (int64_t k = 0; k < idx.count && !st; k++) {
      int64_t j = idx.i[k] < 0 ? idx.i[k] + src.dims[axis] : idx.i[k];
      if (j < 0 || j >= src.dims[axis]) st = ox_err(c, LF_EBADFILE, "index %lld out of range", (long long)idx.i[k]);
      for (int64_t e = 0; e < inner && !st; e++) {
        int64_t to = (o * idx.count + k) * inner + e, from = (o * src.dims[axis] + j) * inner + e;
        if (src.is_int) tmp.i[to] = src.i[from];
        else tmp.f[to] = src.f[from];
      }
    }
  free(src.f);
  free(src.i);
  if (ix != x) free(idx.i);
  if (st) {
    free(tmp.f);
    free(tmp.i);
    return st;
  }
  return publish(c, n, &tmp);
}

/* Element-wise arithmetic, Cast, Slice (1-D), ConstantOfShape on constants. */
static lf_status fold_elementwise(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *a, *b;
  lf_status st;
  if ((st = ox_in(c, n, 0, &a)) || (st = ox_in(c, n, 1, &b))) return st;
  int nd = a->ndim > b->ndim ? a->ndim : b->ndim;
  int64_t d[OX_MAX_RANK];
  for (int i = 0; i < nd; i++) {
    int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
    int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
    if (da != db && da != 1 && db != 1) return ox_err(c, LF_EBADFILE, "shapes do not broadcast");
    d[i] = da > db ? da : db;
  }
  int is_int = a->is_int && b->is_int;
  ox_val tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.name = n->output[0];
  if ((st = ox_set_const(c, &tmp, nd, d, is_int))) return st;
  for (int64_t e = 0; e < tmp.count; e++) {
    int64_t r = e, ea = 0, eb = 0, sa = 1, sb = 1;
    for (int i = nd - 1; i >= 0; i--) {
      int64_t k = r % d[i];
      r /= d[i];
      int ia = i - (nd - a->ndim), ib = i - (nd - b->ndim);
      if (ia >= 0) { ea += (a->dims[ia] == 1 ? 0 : k) * sa; sa *= a->dims[ia]; }
      if (ib >= 0) { eb += (b->dims[ib] == 1 ? 0 : k) * sb; sb *= b->dims[ib]; }
    }
    if (is_int) {
      int64_t x = a->i[ea], y = b->i[eb], z;
      if (OP_IS(n, "Add")) z = (int64_t)((uint64_t)x + (uint64_t)y);
      else if (OP_IS(n, "Sub")) z = (int64_t)((uint64_t)x - (uint64_t)y);
      else if (OP_IS(n, "Mul")) z = (int64_t)((uint64_t)x * (uint64_t)y);
      else z = (y == 0 || (x == INT64_MIN && y == -1)) ? 0 : x / y;
      tmp.i[e] = z;
    } else {
      double x = cval(a, ea), y = cval(b, eb);
      tmp.f[e] = (float)(OP_IS(n, "Add") ? x + y : OP_IS(n, "Sub") ? x - y : OP_IS(n, "Mul") ? x * y : x / y);
    }
  }
  return publish(c, n, &tmp);
}

static lf_status fold_cast(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x))) return st;
  int64_t to = ox_attr_i(n, "to", 1);
  if (!x->is_const) {
    if (to != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT) return ox_err(c, LF_EUNSUPPORTED, "Cast of an activation to type %lld", (long long)to);
    return alias(c, n);
  }
  int is_int = to != ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT && to != ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE;
  ox_val tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.name = n->output[0];
  if ((st = ox_set_const(c, &tmp, x->ndim, x->dims, is_int))) return st;
  for (int64_t e = 0; e < x->count; e++) {
    double v = cval(x, e);
    if (is_int) tmp.i[e] = (v > 9e18 || v < -9e18 || v != v) ? 0 : (int64_t)v;
    else tmp.f[e] = (float)v;
  }
  return publish(c, n, &tmp);
}

/* Slice of a constant (torch's pad and shape chains), any rank, negative steps. */
static lf_status fold_slice(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *x;
  lf_status st;
  if ((st = ox_in(c, n, 0, &x))) return st;
  if (!x->is_const) return ox_err(c, LF_EUNSUPPORTED, "Slice of an activation (only constant folding)");
  int nd = x->ndim, na;
  int64_t st_[OX_MAX_RANK], en[OX_MAX_RANK], ax[OX_MAX_RANK], sp[OX_MAX_RANK];
  if (c->opset < 10) {
    int k1, k2;
    if ((st = ox_attr_ints(c, n, "starts", st_, OX_MAX_RANK, &k1)) || (st = ox_attr_ints(c, n, "ends", en, OX_MAX_RANK, &k2)) ||
        (st = ox_attr_ints(c, n, "axes", ax, OX_MAX_RANK, &na)))
      return st;
    if (k1 != k2 || (na && na != k1)) return ox_err(c, LF_EBADFILE, "starts, ends and axes differ in length");
    if (!na) for (na = 0; na < k1; na++) ax[na] = na;
    for (int i = 0; i < na; i++) sp[i] = 1;
  } else {
    ox_val *in[4] = {NULL, NULL, NULL, NULL};
    for (int k = 1; k <= 4; k++) {
      if (!ox_has_in(n, k)) continue;
      if ((st = ox_in(c, n, k, &in[k - 1]))) return st;
      if (!in[k - 1]->is_const || !in[k - 1]->is_int || in[k - 1]->ndim != 1 || in[k - 1]->count > OX_MAX_RANK)
        return ox_err(c, LF_EUNSUPPORTED, "starts/ends/axes/steps are not small int constants");
    }
    if (!in[0] || !in[1] || in[0]->count != in[1]->count || (in[2] && in[2]->count != in[0]->count) ||
        (in[3] && in[3]->count != in[0]->count))
      return ox_err(c, LF_EBADFILE, "starts, ends, axes and steps differ in length");
    na = (int)in[0]->count;
    for (int i = 0; i < na; i++) {
      st_[i] = in[0]->i[i];
      en[i] = in[1]->i[i];
      ax[i] = in[2] ? in[2]->i[i] : i;
      sp[i] = in[3] ? in[3]->i[i] : 1;
    }
  }
  int64_t b0[OX_MAX_RANK], step[OX_MAX_RANK], d[OX_MAX_RANK];
  char seen[OX_MAX_RANK] = {0};
  for (int i = 0; i < nd; i++) b0[i] = 0, step[i] = 1, d[i] = x->dims[i];
  for (int i = 0; i < na; i++) {
    int64_t a = ax[i] < 0 ? ax[i] + nd : ax[i];
    if (a < 0 || a >= nd || seen[a] || sp[i] == 0) return ox_err(c, LF_EBADFILE, "axis %lld or step %lld invalid", (long long)ax[i], (long long)sp[i]);
    seen[a] = 1;
    int64_t len = x->dims[a], s = st_[i], e = en[i];
    if (s < 0) s += len;
    if (e < 0 && e > INT64_MIN / 2) e += len;
    if (sp[i] > 0) {
      s = s < 0 ? 0 : s > len ? len : s;
      e = e < 0 ? 0 : e > len ? len : e;
      d[a] = e > s ? 1 + (e - s - 1) / sp[i] : 0; /* (not e - s + sp - 1: sp may be INT64_MAX) */
    } else {
      s = s < 0 ? -1 : s > len - 1 ? len - 1 : s;
      e = e < -1 ? -1 : e > len - 1 ? len - 1 : e;
      d[a] = s > e ? 1 + (int64_t)((uint64_t)(s - e - 1) / (0 - (uint64_t)sp[i])) : 0; /* sp may be INT64_MIN */
    }
    b0[a] = s;
    step[a] = sp[i];
  }
  ox_val tmp;
  memset(&tmp, 0, sizeof tmp);
  tmp.name = n->output[0];
  if ((st = ox_set_const(c, &tmp, nd, d, x->is_int))) return st;
  for (int64_t e = 0; e < tmp.count; e++) {
    int64_t r = e, off = 0, mul = 1;
    for (int i = nd - 1; i >= 0; i--) {
      int64_t k = r % d[i];
      r /= d[i];
      off += (b0[i] + k * step[i]) * mul;
      mul *= x->dims[i];
    }
    if (x->is_int) tmp.i[e] = x->i[off];
    else tmp.f[e] = x->f[off];
  }
  return publish(c, n, &tmp);
}

static lf_status fold_constant_of_shape(ox_ctx *c, const Onnx__NodeProto *n) {
  ox_val *s, *y;
  lf_status st;
  if ((st = ox_in(c, n, 0, &s))) return st;
  if (!s->is_const || !s->is_int || s->count > OX_MAX_RANK) return ox_err(c, LF_EUNSUPPORTED, "shape is not a small constant");
  int64_t d[OX_MAX_RANK];
  for (int64_t i = 0; i < s->count; i++) d[i] = s->i[i];
  ox_val val;
  memset(&val, 0, sizeof val);
  val.name = n->output[0];
  const Onnx__AttributeProto *a = ox_attr(n, "value");
  double v = 0;
  int is_int = 0;
  if (a && a->t) {
    if ((st = ox_tensor_to_val(c, a->t, "value", &val))) {
      free(val.f);
      free(val.i);
      return st;
    }
    if (val.count != 1) st = ox_err(c, LF_EBADFILE, "value is not one element");
    else v = cval(&val, 0), is_int = val.is_int;
    free(val.f);
    free(val.i);
    if (st) return st;
  }
  if ((st = out_const(c, n, (int)s->count, d, is_int, &y))) return st;
  for (int64_t e = 0; e < y->count; e++)
    if (is_int) y->i[e] = (int64_t)v;
    else y->f[e] = (float)v;
  return LF_OK;
}

static int all_inputs_const(ox_ctx *c, const Onnx__NodeProto *n) {
  for (size_t k = 0; k < n->n_input; k++) {
    if (!n->input[k] || !n->input[k][0]) continue;
    int v = ox_find(c, n->input[k]);
    if (v < 0 || !c->v[v].is_const) return 0;
  }
  return n->n_input > 0;
}

lf_status ox_lower_node(ox_ctx *c, const Onnx__NodeProto *n) {
  if (!n->op_type) return ox_err(c, LF_EBADFILE, "no op_type");
  if (n->domain && n->domain[0] && strcmp(n->domain, "ai.onnx")) return ox_err(c, LF_EUNSUPPORTED, "op domain '%.60s' (only the default ONNX domain)", n->domain);
  if (n->n_output < 1 || !n->output[0] || !n->output[0][0]) return ox_err(c, LF_EBADFILE, "no output");
  int folds = all_inputs_const(c, n);
  if (OP_IS(n, "Constant")) return fold_constant(c, n);
  if (OP_IS(n, "Identity") || OP_IS(n, "Dropout")) return alias(c, n);
  if (OP_IS(n, "Shape")) return fold_shape(c, n);
  if (OP_IS(n, "Gather")) return fold_gather(c, n);
  if (OP_IS(n, "Cast")) return fold_cast(c, n);
  if (OP_IS(n, "Slice")) return fold_slice(c, n);
  if (OP_IS(n, "ConstantOfShape")) return fold_constant_of_shape(c, n);
  if (folds && (OP_IS(n, "Add") || OP_IS(n, "Sub") || OP_IS(n, "Mul") || OP_IS(n, "Div"))) return fold_elementwise(c, n);
  if (OP_IS(n, "Concat")) return lower_concat(c, n);
  if (OP_IS(n, "Reshape")) return lower_reshape(c, n);
  if (OP_IS(n, "Flatten")) return lower_flatten(c, n);
  if (OP_IS(n, "Squeeze")) return lower_squeeze(c, n, 0);
  if (OP_IS(n, "Unsqueeze")) return lower_squeeze(c, n, 1);
  if (OP_IS(n, "Transpose")) return lower_transpose(c, n);
  if (folds) return ox_err(c, LF_EUNSUPPORTED, "constant inputs only (this op is not folded)");
  if (OP_IS(n, "Conv")) return lower_conv(c, n);
  if (OP_IS(n, "ConvTranspose")) return lower_conv_transpose(c, n);
  if (OP_IS(n, "BatchNormalization")) return lower_batchnorm(c, n);
  if (OP_IS(n, "Relu")) return lower_unary(c, n, LFRT_OP_RELU, 1);
  if (OP_IS(n, "Sigmoid")) return lower_unary(c, n, LFRT_OP_LOGISTIC, 1);
  if (OP_IS(n, "Tanh")) return lower_unary(c, n, OX_TFL_TANH, 0);
  if (OP_IS(n, "HardSwish")) return lower_unary(c, n, OX_TFL_HARD_SWISH, 0);
  if (OP_IS(n, "Clip")) return lower_clip(c, n);
  if (OP_IS(n, "LeakyRelu")) return lower_prelu(c, n, 1);
  if (OP_IS(n, "PRelu")) return lower_prelu(c, n, 0);
  if (OP_IS(n, "MaxPool")) return lower_pool(c, n, 1);
  if (OP_IS(n, "AveragePool")) return lower_pool(c, n, 0);
  if (OP_IS(n, "GlobalAveragePool")) return lower_gap(c, n);
  if (OP_IS(n, "Add")) return lower_binary(c, n, LFRT_OP_ADD);
  if (OP_IS(n, "Mul")) return lower_binary(c, n, LFRT_OP_MUL);
  if (OP_IS(n, "Sub")) return lower_binary(c, n, OX_TFL_SUB);
  if (OP_IS(n, "Gemm")) return lower_gemm(c, n);
  if (OP_IS(n, "MatMul")) return lower_matmul(c, n);
  if (OP_IS(n, "Pad")) return lower_pad(c, n);
  if (OP_IS(n, "Resize")) return lower_resize(c, n, 0);
  if (OP_IS(n, "Upsample")) return lower_resize(c, n, 1);
  if (OP_IS(n, "Softmax")) return lower_softmax(c, n);
  return ox_err(c, LF_EUNSUPPORTED, "op %.60s is not imported", n->op_type);
}
