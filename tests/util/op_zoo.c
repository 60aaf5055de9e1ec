/* Single-op oracle models: see op_zoo.h. Parameters of case i are drawn once
 * and built twice (int8 and FLOAT32), so both variants cover the same shapes. */
#include "op_zoo.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_zoo.h"

typedef struct {
  lf_opcase *v;
  int n, cap;
  uint64_t rng;
  int failed;
  char msg[256];
} ctx;

#define PICK(c, arr) ((arr)[lf_zoo_randint(&(c)->rng, 0, (int)(sizeof(arr) / sizeof((arr)[0])) - 1)])
#define INT8_OR_F32(z) ((z)->fp32 ? LFRT_FLOAT32 : LFRT_INT8)

/* Ends a case: io, serialise, record inputs. in_types NULL = the model type. */
static void end_case(ctx *c, lf_zoo *z, lfrt_op op, const int32_t *ins, int nin, int out,
                     const lfrt_type *in_types, lfrt_type out_type, const char *fmt, ...) {
  lf_opcase k;
  memset(&k, 0, sizeof k);
  k.op = op;
  k.fp32 = z->fp32;
  k.ninputs = nin;
  k.out_type = out_type;
  for (int i = 0; i < nin && !z->failed; i++) {
    const lf_zoo_tensor *t = &z->t[ins[i]];
    size_t cnt = 1;
    for (int d = 0; d < t->ndim; d++) cnt *= (size_t)t->shape[d];
    k.in_type[i] = in_types ? in_types[i] : INT8_OR_F32(z);
    k.in_bytes[i] = cnt * lfrt_type_size(k.in_type[i]);
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(k.desc, sizeof k.desc, fmt, ap);
  va_end(ap);
  int32_t outs[1] = {out};
  char msg[256] = "";
  if (out < 0 || lf_zoo_set_io(z, ins, nin, outs, 1) < 0 ||
      lf_zoo_finish(z, &k.bytes, &k.len, msg, sizeof msg) < 0) {
    if (!c->failed) snprintf(c->msg, sizeof c->msg, "%.100s: %.150s", k.desc, z->failed ? z->msg : msg);
    c->failed = 1;
    lf_zoo_free(z);
    return;
  }
  /* name: lower-case op name, type, running number per (op, type) */
  const char *on = lfrt_op_name(op);
  char lower[32];
  size_t j = 0;
  for (; on && on[j] && j < sizeof lower - 1; j++) lower[j] = (char)tolower((unsigned char)on[j]);
  lower[j] = 0;
  int seq = 0;
  for (int i = 0; i < c->n; i++)
    if (c->v[i].op == op && c->v[i].fp32 == k.fp32) seq++;
  snprintf(k.name, sizeof k.name, "%.31s_%s_%02d", lower,
           k.fp32 ? "f32" : (k.in_type[0] == LFRT_FLOAT32 ? "f32i8" : "i8"), seq);
  if (c->n == c->cap) {
    int cap = c->cap ? c->cap * 2 : 128;
    lf_opcase *v = realloc(c->v, (size_t)cap * sizeof *v);
    if (!v) {
      free(k.bytes);
      c->failed = 1;
      snprintf(c->msg, sizeof c->msg, "out of memory");
      return;
    }
    c->v = v;
    c->cap = cap;
  }
  c->v[c->n++] = k;
}

static int begin(ctx *c, lf_zoo *z, int fp32) {
  if (c->failed) return -1;
  if (lf_zoo_init(z, fp32, lf_zoo_rand(&c->rng)) < 0) {
    c->failed = 1;
    snprintf(c->msg, sizeof c->msg, "out of memory");
    return -1;
  }
  return 0;
}

static int input(lf_zoo *z, int ndim, const int32_t *shape) {
  return lf_zoo_act(z, NULL, ndim, shape, 1.0f, NULL);
}

/* A constant operand shaped like an activation (random values, own q). */
static int const_act(lf_zoo *z, int ndim, const int32_t *shape) {
  size_t cnt = 1;
  for (int d = 0; d < ndim; d++) cnt *= (size_t)shape[d];
  lf_zoo_q q = lf_zoo_pick_q(z, 1.0f, LFRT_ACT_NONE);
  void *buf = malloc(cnt * 4);
  if (!buf) return -1;
  for (size_t i = 0; i < cnt; i++) {
    int8_t v = (int8_t)lf_zoo_randint(&z->rng, -128, 127);
    if (z->fp32) ((float *)buf)[i] = (float)(v - q.zp) * q.scale;
    else ((int8_t *)buf)[i] = v;
  }
  int t = lf_zoo_tensor_raw(z, "const", INT8_OR_F32(z), ndim, shape, buf,
                            cnt * (z->fp32 ? 4 : 1), z->fp32 ? NULL : &q, 1.0f);
  free(buf);
  return t;
}

static const char *padname(int p) { return p == LFRT_PADDING_SAME ? "SAME" : "VALID"; }
static const char *actname(int a) { return a == 0 ? "NONE" : a == 1 ? "RELU" : a == 3 ? "RELU6" : "N1TO1"; }

static int out_dim(int in, int k, int s, int d, int pad) {
  int ek = (k - 1) * d + 1;
  return pad == LFRT_PADDING_SAME ? (in + s - 1) / s : (in - ek + s) / s;
}

static void gen_conv(ctx *c, int depthwise, int count) {
  static const int hw[] = {1, 3, 5, 7, 11, 13, 16};
  static const int ks[] = {1, 2, 3, 5};
  static const int ss[] = {1, 1, 2, 3};
  static const int ics[] = {1, 2, 3, 5, 8, 17};
  static const int ocs[] = {1, 3, 4, 7, 16, 33};
  static const int mults[] = {1, 1, 2, 3};
  for (int i = 0; i < count && !c->failed; i++) {
    int act = i % 3 == 2 ? LFRT_ACT_RELU6 : i % 3, pad = (i / 3) % 2;
    int h, w, kh, kw, sh, sw, dh, dw;
    do {
      h = PICK(c, hw), w = PICK(c, hw), kh = PICK(c, ks), kw = PICK(c, ks);
      sh = PICK(c, ss), sw = PICK(c, ss);
      dh = i % 5 == 4 ? 2 : 1, dw = i % 4 == 3 ? 2 : 1;
    } while (out_dim(h, kh, sh, dh, pad) < 1 || out_dim(w, kw, sw, dw, pad) < 1);
    int b = i % 7 == 6 ? 2 : 1, ic = PICK(c, ics), oc = PICK(c, ocs), m = PICK(c, mults);
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int32_t shp[4] = {b, h, w, ic};
      int x = input(&z, 4, shp);
      int y = depthwise ? lf_zoo_dwconv(&z, x, m, kh, kw, sh, sw, dh, dw, pad, act, NULL)
                        : lf_zoo_conv(&z, x, oc, kh, kw, sh, sw, dh, dw, pad, act, 1.0f, NULL);
      int32_t ins[1] = {x};
      end_case(c, &z, depthwise ? LFRT_OP_DEPTHWISE_CONV_2D : LFRT_OP_CONV_2D, ins, 1, y, NULL,
               INT8_OR_F32(&z), "in %dx%dx%dx%d %s k%dx%d s%dx%d d%dx%d %s %s", b, h, w, ic,
               depthwise ? "mult" : "out_c", kh, kw, sh, sw, dh, dw, padname(pad), actname(act));
      (void)oc;
      if (!depthwise) (void)m;
    }
    (void)m;
  }
}

static void gen_tconv(ctx *c, int count) {
  static const int hw[] = {1, 2, 3, 5, 7};
  static const int ks[] = {1, 2, 3, 4, 5};
  static const int ss[] = {1, 2, 3};
  static const int ics[] = {1, 3, 8};
  static const int ocs[] = {1, 2, 5, 16};
  for (int i = 0; i < count && !c->failed; i++) {
    int pad = i % 2, bias = (i / 2) % 2;
    int h = PICK(c, hw), w = PICK(c, hw), kh = PICK(c, ks), kw = PICK(c, ks);
    int sh = PICK(c, ss), sw = PICK(c, ss), ic = PICK(c, ics), oc = PICK(c, ocs);
    if (pad == LFRT_PADDING_SAME) { /* keep the SAME padding non-negative */
      if (kh < sh) kh = sh;
      if (kw < sw) kw = sw;
    }
    int oh = pad == LFRT_PADDING_SAME ? h * sh : (h - 1) * sh + kh;
    int ow = pad == LFRT_PADDING_SAME ? w * sw : (w - 1) * sw + kw;
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int32_t shp[4] = {1, h, w, ic};
      int x = input(&z, 4, shp);
      int y = lf_zoo_tconv(&z, x, oc, kh, kw, sh, sw, pad, oh, ow, bias, NULL);
      int32_t ins[1] = {x};
      end_case(c, &z, LFRT_OP_TRANSPOSE_CONV, ins, 1, y, NULL, INT8_OR_F32(&z),
               "in 1x%dx%dx%d out %dx%dx%d k%dx%d s%dx%d %s %s", h, w, ic, oh, ow, oc, kh, kw,
               sh, sw, padname(pad), bias ? "bias" : "no-bias");
    }
  }
}

static void gen_fc(ctx *c, int count) {
  static const int ins_[] = {1, 7, 64, 300};
  static const int outs_[] = {1, 5, 14, 33};
  for (int i = 0; i < count && !c->failed; i++) {
    int in = PICK(c, ins_), oc = PICK(c, outs_), act = i % 3 == 2 ? LFRT_ACT_RELU6 : i % 3;
    int form = i % 4, pc = (i / 2) % 2, keep = form == 2 && i % 3 == 0;
    int32_t shp[4];
    int nd;
    if (form == 0) { nd = 2; shp[0] = 1; shp[1] = in; }
    else if (form == 1) { nd = 2; shp[0] = 3; shp[1] = in; }
    else if (form == 2) { nd = 3; shp[0] = 2; shp[1] = 3; shp[2] = in; }
    else { nd = 4; shp[0] = 1; shp[1] = 1; shp[2] = 1; shp[3] = in; }
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int x = input(&z, nd, shp);
      int y = lf_zoo_fc(&z, x, oc, pc, keep, act, NULL);
      int32_t ins[1] = {x};
      end_case(c, &z, LFRT_OP_FULLY_CONNECTED, ins, 1, y, NULL, INT8_OR_F32(&z),
               "in %dd last %d out %d %s keep_num_dims %d %s", nd, in, oc,
               pc ? "per-channel" : "per-tensor", keep, actname(act));
    }
  }
}

static void gen_pool(ctx *c, int count) {
  static const int hw[] = {1, 3, 5, 7, 8, 13};
  static const int ks[] = {1, 2, 3, 5};
  static const int ss[] = {1, 2, 3};
  static const int cs[] = {1, 3, 8};
  for (int i = 0; i < count && !c->failed; i++) {
    int is_max = i % 2, pad = (i / 2) % 2, act = (i / 4) % 3 == 2 ? LFRT_ACT_RELU6 : (i / 4) % 3;
    int h, w, kh, kw, sh, sw;
    do {
      h = PICK(c, hw), w = PICK(c, hw), kh = PICK(c, ks), kw = PICK(c, ks);
      sh = PICK(c, ss), sw = PICK(c, ss);
    } while (out_dim(h, kh, sh, 1, pad) < 1 || out_dim(w, kw, sw, 1, pad) < 1);
    int ch = PICK(c, cs), b = i % 5 == 4 ? 2 : 1;
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int32_t shp[4] = {b, h, w, ch};
      int x = input(&z, 4, shp);
      int y = lf_zoo_pool(&z, x, is_max, kh, kw, sh, sw, pad, act);
      int32_t ins[1] = {x};
      end_case(c, &z, is_max ? LFRT_OP_MAX_POOL_2D : LFRT_OP_AVERAGE_POOL_2D, ins, 1, y, NULL,
               INT8_OR_F32(&z), "in %dx%dx%dx%d k%dx%d s%dx%d %s %s", b, h, w, ch, kh, kw, sh,
               sw, padname(pad), actname(act));
    }
  }
}

static void gen_mean(ctx *c) {
  static const struct { int naxes, axes[3], keep, batch; } cases[] = {
      {2, {1, 2}, 0, 1}, {2, {1, 2}, 1, 1}, {2, {1, 2}, 0, 2}, {1, {1}, 0, 1},
      {1, {2}, 1, 1},    {1, {3}, 0, 1},    {1, {-1}, 1, 1},  {3, {0, 1, 2}, 1, 1},
      {2, {2, 1}, 1, 2}};
  static const int hw[] = {1, 3, 5, 7, 14};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0] && !c->failed; i++) {
    int h = PICK(c, hw), w = PICK(c, hw), ch = lf_zoo_randint(&c->rng, 1, 19);
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int32_t shp[4] = {cases[i].batch, h, w, ch}, axes[3];
      for (int a = 0; a < cases[i].naxes; a++) axes[a] = cases[i].axes[a];
      int x = input(&z, 4, shp);
      int y = lf_zoo_mean(&z, x, axes, cases[i].naxes, cases[i].keep, NULL);
      int32_t ins[1] = {x};
      end_case(c, &z, LFRT_OP_MEAN, ins, 1, y, NULL, INT8_OR_F32(&z),
               "in %dx%dx%dx%d axes %d..(%d) keep_dims %d", cases[i].batch, h, w, ch,
               cases[i].axes[0], cases[i].naxes, cases[i].keep);
    }
  }
}

static void gen_concat(ctx *c, int count) {
  for (int i = 0; i < count && !c->failed; i++) {
    int n = 2 + i % 3, axis = i % 6 - (i % 6 >= 4 ? 6 : 0); /* 0,1,2,3,-2,-1 */
    int32_t base[4] = {lf_zoo_randint(&c->rng, 1, 2), lf_zoo_randint(&c->rng, 1, 5),
                       lf_zoo_randint(&c->rng, 1, 5), lf_zoo_randint(&c->rng, 1, 9)};
    int sizes[4];
    for (int k = 0; k < n; k++) sizes[k] = lf_zoo_randint(&c->rng, 1, 5);
    int ax = axis < 0 ? axis + 4 : axis;
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      lf_zoo_q q = lf_zoo_pick_q(&z, 1.0f, LFRT_ACT_NONE);
      int xs[4];
      int32_t ins[4];
      for (int k = 0; k < n; k++) {
        int32_t shp[4] = {base[0], base[1], base[2], base[3]};
        shp[ax] = sizes[k];
        xs[k] = ins[k] = lf_zoo_act(&z, NULL, 4, shp, 1.0f, &q);
      }
      int y = lf_zoo_concat(&z, xs, n, axis, &q);
      end_case(c, &z, LFRT_OP_CONCATENATION, ins, n, y, NULL, INT8_OR_F32(&z),
               "%d inputs %dx%dx%dx%d axis %d", n, base[0], base[1], base[2], base[3], axis);
    }
  }
}

/* ADD / MUL with broadcasting; form picks the operand shapes. */
static void gen_binary(ctx *c, lfrt_op op, int count) {
  for (int i = 0; i < count && !c->failed; i++) {
    int form = i % 8, act = (i / 2) % 3 == 2 ? LFRT_ACT_RELU6 : (i / 2) % 3;
    int h = lf_zoo_randint(&c->rng, 1, 7), w = lf_zoo_randint(&c->rng, 1, 7);
    int ch = lf_zoo_randint(&c->rng, 1, 11);
    int32_t sa[4] = {1, h, w, ch}, sb[4] = {1, h, w, ch};
    int na = 4, nb = 4, b_const = 0;
    switch (form) {
    case 0: break;
    case 1: nb = 1; sb[0] = ch; b_const = 1; break;            /* per-channel constant [C] */
    case 2: sb[1] = sb[2] = 1; break;                           /* [1,1,1,C] */
    case 3: sb[2] = sb[3] = 1; break;                           /* [1,H,1,1] */
    case 4: nb = 1; sb[0] = 1; b_const = i % 2; break;          /* scalar-like [1] */
    case 5: sa[0] = 2; sa[1] = 1; sb[2] = 1; break;             /* [2,1,W,C] x [1,H,1,C] */
    case 6: na = 1; sa[0] = ch; break;                          /* [C] x [1,H,W,C] */
    default: na = 3; sa[0] = h; sa[1] = w; sa[2] = ch; nb = 2; sb[0] = w; sb[1] = 1; break;
    }
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int a = input(&z, na, sa);
      int bb = b_const ? const_act(&z, nb, sb) : input(&z, nb, sb);
      /* output shape: broadcast of right-aligned shapes */
      int nd = na > nb ? na : nb;
      int32_t so[4];
      for (int d = 0; d < nd; d++) {
        int da = d - (nd - na), db = d - (nd - nb);
        int va = da >= 0 ? sa[da] : 1, vb = db >= 0 ? sb[db] : 1;
        so[d] = va > vb ? va : vb;
      }
      float std = op == LFRT_OP_ADD ? 1.41f : 1.0f;
      lf_zoo_q q = lf_zoo_pick_q(&z, std, act);
      int y = lf_zoo_act(&z, NULL, nd, so, std, &q);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      if (op == LFRT_OP_ADD) {
        o.add.activation = (lfrt_activation)act;
        o.add.pot_scale_int16 = 1;
      } else {
        o.mul.activation = (lfrt_activation)act;
      }
      int32_t opins[2] = {a, bb};
      y = lf_zoo_op(&z, op, opins, 2, y, &o);
      int32_t ins[2] = {a, bb};
      end_case(c, &z, op, ins, b_const ? 1 : 2, y, NULL, INT8_OR_F32(&z),
               "form %d a %dd [%d,%d,%d,%d] b %dd%s [%d,%d,%d,%d] %s", form, na, sa[0], sa[1],
               sa[2], sa[3], nb, b_const ? " const" : "", sb[0], sb[1], sb[2], sb[3],
               actname(act));
    }
  }
}

static void gen_pad(ctx *c, int count) {
  for (int i = 0; i < count && !c->failed; i++) {
    int32_t shp[4] = {1 + (i == 3), lf_zoo_randint(&c->rng, 1, 6), lf_zoo_randint(&c->rng, 1, 6),
                      lf_zoo_randint(&c->rng, 1, 5)};
    int32_t pads[8];
    for (int d = 0; d < 4; d++) {
      int mx = d == 0 ? (i == 3) : 3;
      pads[2 * d] = lf_zoo_randint(&c->rng, 0, mx);
      pads[2 * d + 1] = lf_zoo_randint(&c->rng, 0, mx);
    }
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int x = input(&z, 4, shp);
      int32_t pshape[2] = {4, 2}, so[4];
      for (int d = 0; d < 4; d++) so[d] = shp[d] + pads[2 * d] + pads[2 * d + 1];
      int p = lf_zoo_tensor_raw(&z, "paddings", LFRT_INT32, 2, pshape, pads, sizeof pads, NULL, 0);
      lf_zoo_q q = {z.failed ? 1 : z.t[x].scale, z.failed ? 0 : z.t[x].zp};
      int y = lf_zoo_act(&z, NULL, 4, so, 1.0f, &q);
      int32_t opins[2] = {x, p};
      y = lf_zoo_op(&z, LFRT_OP_PAD, opins, 2, y, NULL);
      int32_t ins[1] = {x};
      end_case(c, &z, LFRT_OP_PAD, ins, 1, y, NULL, INT8_OR_F32(&z),
               "in %dx%dx%dx%d pads %d,%d %d,%d %d,%d %d,%d", shp[0], shp[1], shp[2], shp[3],
               pads[0], pads[1], pads[2], pads[3], pads[4], pads[5], pads[6], pads[7]);
    }
  }
}

static void gen_reshape(ctx *c) {
  for (int i = 0; i < 4 && !c->failed; i++) {
    int h = lf_zoo_randint(&c->rng, 1, 5), w = lf_zoo_randint(&c->rng, 2, 5), ch = lf_zoo_randint(&c->rng, 1, 6);
    int32_t shp[4] = {1, h, w, ch}, ns[4];
    int nn;
    if (i == 0) { nn = 3; ns[0] = 1; ns[1] = h * w; ns[2] = ch; }
    else if (i == 1) { nn = 2; ns[0] = -1; ns[1] = ch; }
    else if (i == 2) { nn = 1; ns[0] = h * w * ch; }
    else { nn = 4; ns[0] = 1; ns[1] = w; ns[2] = -1; ns[3] = ch; }
    int32_t so[4];
    for (int d = 0; d < nn; d++) so[d] = ns[d] < 0 ? (i == 1 ? h * w : h) : ns[d];
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int x = input(&z, 4, shp);
      int32_t sshape[1] = {nn};
      int s = lf_zoo_tensor_raw(&z, "shape", LFRT_INT32, 1, sshape, ns, (size_t)nn * 4, NULL, 0);
      lf_zoo_q q = {z.failed ? 1 : z.t[x].scale, z.failed ? 0 : z.t[x].zp};
      int y = lf_zoo_act(&z, NULL, nn, so, 1.0f, &q);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.reshape.num_dims = nn;
      for (int d = 0; d < nn; d++) o.reshape.new_shape[d] = ns[d];
      int32_t opins[2] = {x, s};
      y = lf_zoo_op(&z, LFRT_OP_RESHAPE, opins, 2, y, &o);
      int32_t ins[1] = {x};
      end_case(c, &z, LFRT_OP_RESHAPE, ins, 1, y, NULL, INT8_OR_F32(&z),
               "1x%dx%dx%d -> %d dims (%d,%d,...)", h, w, ch, nn, ns[0], nn > 1 ? ns[1] : 0);
    }
  }
}

static void gen_resize(ctx *c, int bilinear, int count) {
  static const int hw[] = {1, 2, 3, 5, 7};
  for (int i = 0; i < count && !c->failed; i++) {
    int mode = i % 3, align = mode == 1, half = mode == 2;
    int h = PICK(c, hw), w = PICK(c, hw), ch = lf_zoo_randint(&c->rng, 1, 6);
    int kind = (i / 3) % 3;
    int oh = kind == 0 ? 2 * h : kind == 1 ? h + 2 : (h + 1) / 2 + 1;
    int ow = kind == 0 ? 2 * w : kind == 1 ? 3 * w - 1 : (w + 2) / 3 + 1;
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int32_t shp[4] = {1 + (i == 5), h, w, ch};
      int x = input(&z, 4, shp);
      int y = lf_zoo_resize(&z, x, bilinear, oh, ow, align, half);
      int32_t ins[1] = {x};
      end_case(c, &z, bilinear ? LFRT_OP_RESIZE_BILINEAR : LFRT_OP_RESIZE_NEAREST_NEIGHBOR, ins,
               1, y, NULL, INT8_OR_F32(&z), "%dx%d -> %dx%d c%d align_corners %d half_pixel %d",
               h, w, oh, ow, ch, align, half);
    }
  }
}

/* LOGISTIC, SOFTMAX, RELU, RELU6. */
static void gen_unary(ctx *c, lfrt_op op, int count) {
  for (int i = 0; i < count && !c->failed; i++) {
    int32_t shp[4] = {1, lf_zoo_randint(&c->rng, 1, 5), lf_zoo_randint(&c->rng, 1, 5),
                      lf_zoo_randint(&c->rng, 1, 40)};
    float in_std = i % 2 ? 4.0f : 1.0f, beta = i % 3 == 0 ? 1.0f : i % 3 == 1 ? 0.5f : 2.0f;
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      lf_zoo_q iq = lf_zoo_pick_q(&z, in_std, LFRT_ACT_NONE);
      int x = lf_zoo_act(&z, NULL, 4, shp, in_std, &iq);
      lf_zoo_q oq;
      if (op == LFRT_OP_LOGISTIC || op == LFRT_OP_SOFTMAX) oq = (lf_zoo_q){1.0f / 256.0f, -128};
      else if (i % 2 == 0) oq = iq; /* same q: a clamp */
      else oq = lf_zoo_pick_q(&z, in_std, op == LFRT_OP_RELU ? LFRT_ACT_RELU : LFRT_ACT_RELU6);
      int y = lf_zoo_act(&z, NULL, 4, shp, 1.0f, &oq);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.softmax.beta = beta;
      int32_t ins[1] = {x};
      y = lf_zoo_op(&z, op, ins, 1, y, op == LFRT_OP_SOFTMAX ? &o : NULL);
      end_case(c, &z, op, ins, 1, y, NULL, INT8_OR_F32(&z),
               "in %dx%dx%dx%d in_scale %.5g zp %d out_scale %.5g zp %d beta %.2g", shp[0],
               shp[1], shp[2], shp[3], (double)iq.scale, (int)iq.zp, (double)oq.scale,
               (int)oq.zp, (double)(op == LFRT_OP_SOFTMAX ? beta : 0));
    }
  }
}

/* QUANTIZE f32->i8 and i8->i8 (requantize), DEQUANTIZE i8->f32. */
static void gen_quant(ctx *c) {
  for (int i = 0; i < 6 && !c->failed; i++) {
    lf_zoo z;
    if (begin(c, &z, 0) < 0) return;
    int32_t shp[4] = {1, lf_zoo_randint(&c->rng, 1, 5), lf_zoo_randint(&c->rng, 1, 5),
                      lf_zoo_randint(&c->rng, 1, 9)};
    lf_zoo_q a = lf_zoo_pick_q(&z, 1.0f, LFRT_ACT_NONE), b = lf_zoo_pick_q(&z, i % 2 ? 2.0f : 0.7f, LFRT_ACT_NONE);
    int kind = i % 3; /* 0 f32->i8, 1 i8->i8, 2 i8->f32 */
    lfrt_type it = kind == 0 ? LFRT_FLOAT32 : LFRT_INT8, ot = kind == 2 ? LFRT_FLOAT32 : LFRT_INT8;
    int x = lf_zoo_tensor_raw(&z, "in", it, 4, shp, NULL, 0, it == LFRT_INT8 ? &a : NULL, 1.0f);
    int y = lf_zoo_tensor_raw(&z, "out", ot, 4, shp, NULL, 0, ot == LFRT_INT8 ? &b : NULL, 1.0f);
    int32_t ins[1] = {x};
    lfrt_op op = kind == 2 ? LFRT_OP_DEQUANTIZE : LFRT_OP_QUANTIZE;
    y = lf_zoo_op(&z, op, ins, 1, y, NULL);
    lfrt_type itypes[1] = {it};
    z.fp32 = kind != 1; /* the name and exactness class: float involved */
    end_case(c, &z, op, ins, 1, y, itypes, ot, "%s in 1x%dx%dx%d in q %.5g/%d out q %.5g/%d",
             kind == 0 ? "f32->i8" : kind == 1 ? "i8->i8" : "i8->f32", shp[1], shp[2], shp[3],
             (double)a.scale, (int)a.zp, (double)b.scale, (int)b.zp);
  }
}

/* A few LARGE int8 cases (50k-130k outputs each): rounding ties of the
 * requantization are rare (~1 in 10^4..10^5 outputs), small cases miss them. */
static void gen_big(ctx *c) {
  for (int i = 0; i < 12 && !c->failed; i++) {
    lf_zoo z;
    if (begin(c, &z, 0) < 0) return;
    int x, y = -1, nin = 1;
    int32_t ins[2];
    lfrt_op op;
    char what[96];
    switch (i) {
    case 0: {
      int32_t s[4] = {1, 40, 40, 16};
      x = input(&z, 4, s);
      y = lf_zoo_conv(&z, x, 32, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU, 1.0f, NULL);
      op = LFRT_OP_CONV_2D;
      snprintf(what, sizeof what, "BIG 1x40x40x16 -> 32 k3x3 SAME RELU");
      break;
    }
    case 1: {
      int32_t s[4] = {1, 48, 48, 32};
      x = input(&z, 4, s);
      y = lf_zoo_conv(&z, x, 48, 1, 1, 1, 1, 1, 1, LFRT_PADDING_VALID, LFRT_ACT_NONE, 1.0f, NULL);
      op = LFRT_OP_CONV_2D;
      snprintf(what, sizeof what, "BIG 1x48x48x32 -> 48 k1x1");
      break;
    }
    case 2: {
      int32_t s[4] = {1, 48, 48, 32};
      x = input(&z, 4, s);
      y = lf_zoo_dwconv(&z, x, 1, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_RELU6, NULL);
      op = LFRT_OP_DEPTHWISE_CONV_2D;
      snprintf(what, sizeof what, "BIG 1x48x48x32 dw k3x3 SAME RELU6");
      break;
    }
    case 3: {
      int32_t s[2] = {128, 256};
      x = input(&z, 2, s);
      y = lf_zoo_fc(&z, x, 384, 1, 0, LFRT_ACT_NONE, NULL);
      op = LFRT_OP_FULLY_CONNECTED;
      snprintf(what, sizeof what, "BIG 128x256 -> 384 per-channel");
      break;
    }
    case 4: {
      int32_t s[4] = {1, 24, 24, 16};
      x = input(&z, 4, s);
      y = lf_zoo_tconv(&z, x, 24, 2, 2, 2, 2, LFRT_PADDING_SAME, 48, 48, 1, NULL);
      op = LFRT_OP_TRANSPOSE_CONV;
      snprintf(what, sizeof what, "BIG 1x24x24x16 -> 48x48x24 k2x2 s2 SAME bias");
      break;
    }
    case 5:
    case 6:
    case 7: {
      int32_t s[4] = {1, 64, 64, 32}, sc[1] = {32};
      op = i == 6 ? LFRT_OP_MUL : LFRT_OP_ADD;
      x = input(&z, 4, s);
      int bq = i == 7 ? const_act(&z, 1, sc) : input(&z, 4, s);
      lf_zoo_q q = lf_zoo_pick_q(&z, op == LFRT_OP_ADD ? 1.41f : 1.0f, LFRT_ACT_NONE);
      y = lf_zoo_act(&z, NULL, 4, s, 1.0f, &q);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.add.pot_scale_int16 = op == LFRT_OP_ADD;
      int32_t oi[2] = {x, bq};
      y = lf_zoo_op(&z, op, oi, 2, y, &o);
      if (i != 7) ins[nin++] = bq;
      snprintf(what, sizeof what, "BIG 1x64x64x32 %s", i == 7 ? "x [32] const" : "x same shape");
      break;
    }
    case 8: {
      int32_t s[4] = {1, 64, 64, 32};
      x = input(&z, 4, s);
      y = lf_zoo_pool(&z, x, 0, 3, 3, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_NONE);
      op = LFRT_OP_AVERAGE_POOL_2D;
      snprintf(what, sizeof what, "BIG 1x64x64x32 avg k3x3 s1 SAME");
      break;
    }
    case 9: {
      int32_t s[4] = {1, 7, 7, 4096}, axes[2] = {1, 2};
      x = input(&z, 4, s);
      y = lf_zoo_mean(&z, x, axes, 2, 1, NULL);
      op = LFRT_OP_MEAN;
      snprintf(what, sizeof what, "BIG 1x7x7x4096 mean over H,W");
      break;
    }
    case 10:
    case 11: {
      int32_t s[4] = {1, 32, 32, 16};
      x = input(&z, 4, s);
      y = lf_zoo_resize(&z, x, 1, 64, 64, i == 10, i == 11);
      op = LFRT_OP_RESIZE_BILINEAR;
      snprintf(what, sizeof what, "BIG 32x32x16 -> 64x64 %s", i == 10 ? "align_corners" : "half_pixel");
      break;
    }
    default:
      return;
    }
    ins[0] = x;
    end_case(c, &z, op, ins, nin, y, NULL, LFRT_INT8, "%s", what);
  }
}

/* int8 cases with extreme scale ratios (in/out >= 2^8 or tiny): XNNPACK declines
 * those, so LiteRT runs TFLite's builtin kernels with their own arithmetic. */
static void gen_extreme(ctx *c) {
  static const float ratios[2] = {700.0f, 1.0f / 3000.0f};
  for (int i = 0; i < 16 && !c->failed; i++) {
    float r = ratios[i % 2];
    int kind = i / 2;
    lf_zoo z;
    if (begin(c, &z, 0) < 0) return;
    int32_t s[4] = {1, 5, 7, 6};
    lf_zoo_q qa = {0.05f, 3}, qb = {0.02f, -5};
    int x = lf_zoo_act(&z, NULL, 4, s, 1.0f, &qa), y = -1, nin = 1;
    int32_t ins[2] = {x, -1};
    lfrt_op op = LFRT_OP_ADD;
    lf_zoo_q oq = {qa.scale / r, -7};
    lfrt_options o;
    memset(&o, 0, sizeof o);
    switch (kind) {
    case 0: /* ADD: a/out ratio extreme */
    case 1: { /* MUL: a*b/out ratio extreme */
      op = kind == 0 ? LFRT_OP_ADD : LFRT_OP_MUL;
      ins[1] = lf_zoo_act(&z, NULL, 4, s, 1.0f, &qb);
      nin = 2;
      if (kind == 1) oq.scale = qa.scale * qb.scale / r;
      y = lf_zoo_act(&z, NULL, 4, s, 1.0f, &oq);
      o.add.pot_scale_int16 = kind == 0;
      y = lf_zoo_op(&z, op, ins, 2, y, &o);
      break;
    }
    case 2: /* QUANTIZE requantize */
    case 3: /* RELU with rescale */
      op = kind == 2 ? LFRT_OP_QUANTIZE : LFRT_OP_RELU;
      y = lf_zoo_act(&z, NULL, 4, s, 1.0f, &oq);
      y = lf_zoo_op(&z, op, ins, 1, y, NULL);
      break;
    case 4: /* CONV_2D: in*w/out extreme (w scale ~1e-3) */
      op = LFRT_OP_CONV_2D;
      oq.scale = qa.scale * 2e-3f / r;
      y = lf_zoo_conv(&z, x, 5, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_NONE, 1.0f, &oq);
      break;
    case 5:
      op = LFRT_OP_DEPTHWISE_CONV_2D;
      oq.scale = qa.scale * 2e-2f / r;
      y = lf_zoo_dwconv(&z, x, 1, 3, 3, 1, 1, 1, 1, LFRT_PADDING_SAME, LFRT_ACT_NONE, &oq);
      break;
    case 6:
      op = LFRT_OP_FULLY_CONNECTED;
      oq.scale = qa.scale * 2e-3f / r;
      y = lf_zoo_fc(&z, x, 9, 0, 0, LFRT_ACT_NONE, &oq);
      break;
    default: {
      op = LFRT_OP_MEAN;
      int32_t axes[2] = {1, 2};
      y = lf_zoo_mean(&z, x, axes, 2, 1, &oq);
      break;
    }
    }
    end_case(c, &z, op, ins, nin, y, NULL, LFRT_INT8, "EXTREME scale ratio ~%g: in %g/%d out %g/%d",
             (double)r, (double)qa.scale, (int)qa.zp, (double)oq.scale, (int)oq.zp);
  }
}

int lf_opzoo_build(uint64_t seed, lf_opcase **cases, int *n, char *msg, size_t msgsz) {
  ctx c;
  memset(&c, 0, sizeof c);
  c.rng = seed;
  gen_conv(&c, 0, 30);
  gen_conv(&c, 1, 18);
  gen_tconv(&c, 14);
  gen_fc(&c, 12);
  gen_pool(&c, 24);
  gen_mean(&c);
  gen_concat(&c, 10);
  gen_binary(&c, LFRT_OP_ADD, 12);
  gen_binary(&c, LFRT_OP_MUL, 12);
  gen_pad(&c, 5);
  gen_reshape(&c);
  gen_resize(&c, 0, 9);
  gen_resize(&c, 1, 9);
  gen_unary(&c, LFRT_OP_LOGISTIC, 3);
  gen_unary(&c, LFRT_OP_SOFTMAX, 4);
  gen_unary(&c, LFRT_OP_RELU, 2);
  gen_unary(&c, LFRT_OP_RELU6, 2);
  gen_quant(&c);
  gen_big(&c);
  gen_extreme(&c);
  if (c.failed) {
    if (msg && msgsz) snprintf(msg, msgsz, "%s", c.msg);
    lf_opzoo_free(c.v, c.n);
    return -1;
  }
  *cases = c.v;
  *n = c.n;
  return 0;
}

void lf_opzoo_free(lf_opcase *cases, int n) {
  for (int i = 0; i < n; i++) free(cases[i].bytes);
  free(cases);
}

void lf_opzoo_random_input(uint64_t *rng, lfrt_type type, void *data, size_t bytes) {
  if (type == LFRT_FLOAT32) {
    float *f = data;
    for (size_t i = 0; i < bytes / 4; i++) {
      int r = lf_zoo_randint(rng, 0, 15);
      /* some exact halves/zeros to probe rounding ties */
      f[i] = r == 0 ? 0.0f : r == 1 ? (float)lf_zoo_randint(rng, -6, 6) * 0.5f
                                    : lf_zoo_uniform(rng, -3.0f, 3.0f);
    }
  } else {
    uint8_t *b = data;
    for (size_t i = 0; i < bytes; i++) b[i] = (uint8_t)lf_zoo_rand(rng);
  }
}
