/* Single-op oracle models: see op_zoo.h. Parameters of case i are drawn once
 * and built twice (int8 and FLOAT32), so both variants cover the same shapes. */
#include "op_zoo.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_zoo.h"
#include "op_zoo_movenet.h"
#include "op_zoo_u8.h"

typedef struct {
  lf_opcase *v;
  int n, cap;
  uint64_t rng;
  int failed;
  char msg[256];
} ctx;

#define PICK(c, arr) ((arr)[lf_zoo_randint(&(c)->rng, 0, (int)(sizeof(arr) / sizeof((arr)[0])) - 1)])
#define INT8_OR_F32(z) ((z)->fp32 ? LFRT_FLOAT32 : LFRT_INT8)

/* Ends a case: io, serialise, record inputs. in_types NULL = the model type.
 * nout outputs (several: SPLIT, SPLIT_V, UNPACK; both runtimes concatenate them). */
static void end_case_v(ctx *c, lf_zoo *z, lfrt_op op, const int32_t *ins, int nin, const int32_t *outs, int nout,
                       const lfrt_type *in_types, lfrt_type out_type, const char *fmt, va_list ap) {
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
  vsnprintf(k.desc, sizeof k.desc, fmt, ap);
  int bad_out = 0;
  for (int i = 0; i < nout; i++) bad_out |= outs[i] < 0;
  char msg[256] = "";
  if (bad_out || lf_zoo_set_io(z, ins, nin, outs, nout) < 0 ||
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
           k.fp32 ? "f32" : (k.in_type[0] == LFRT_FLOAT32 ? "f32i8" : k.in_type[0] == LFRT_UINT8 ? "u8" : "i8"), seq);
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

static void end_case(ctx *c, lf_zoo *z, lfrt_op op, const int32_t *ins, int nin, int out,
                     const lfrt_type *in_types, lfrt_type out_type, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int32_t outs[1] = {out};
  end_case_v(c, z, op, ins, nin, outs, 1, in_types, out_type, fmt, ap);
  va_end(ap);
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


/* Random IEEE half bits of magnitude below 2 (exponent field 0..15, so zeros
 * and subnormals too), as fp16-weight models store their constants. */
static int half_const(lf_zoo *z, const char *kind, int ndim, const int32_t *shape, float scale_exp) {
  size_t cnt = 1;
  for (int d = 0; d < ndim; d++) cnt *= (size_t)shape[d];
  uint16_t *h = malloc(cnt * 2);
  if (!h) return -1;
  for (size_t i = 0; i < cnt; i++) {
    int e = lf_zoo_randint(&z->rng, 0, (int)scale_exp), m = lf_zoo_randint(&z->rng, 0, 1023);
    h[i] = (uint16_t)((lf_zoo_randint(&z->rng, 0, 1) << 15) | (e << 10) | m);
  }
  int t = lf_zoo_tensor_raw(z, kind, LFRT_FLOAT16, ndim, shape, h, cnt * 2, NULL, 1.0f);
  free(h);
  return t;
}

/* FLOAT16 constant -> DEQUANTIZE -> FLOAT32 tensor (folded at load by leapfrog). */
static int half_weights(lf_zoo *z, const char *kind, int ndim, const int32_t *shape, int scale_exp) {
  int h = half_const(z, kind, ndim, shape, (float)scale_exp);
  int f = lf_zoo_tensor_raw(z, kind, LFRT_FLOAT32, ndim, shape, NULL, 0, NULL, 1.0f);
  int32_t ins[1] = {h};
  return lf_zoo_op(z, LFRT_OP_DEQUANTIZE, ins, 1, f, NULL);
}

/* fp16-weight models (MediaPipe's): CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED
 * and ADD whose constant operands are FLOAT16 through DEQUANTIZE. */
static void gen_fp16(ctx *c) {
  for (int i = 0; i < 8 && !c->failed; i++) {
    int kind = i % 4, h = lf_zoo_randint(&c->rng, 1, 9), w = lf_zoo_randint(&c->rng, 1, 9);
    int ic = lf_zoo_randint(&c->rng, 1, 7), oc = lf_zoo_randint(&c->rng, 1, 9), k = 1 + 2 * (i % 2);
    int pad = (i / 2) % 2;
    lf_zoo z;
    if (begin(c, &z, 1) < 0) return;
    int32_t xs[4] = {1, h, w, ic};
    int x = input(&z, kind == 2 ? 2 : 4, kind == 2 ? (int32_t[]){h, ic} : xs);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    lfrt_op op;
    int y;
    if (kind == 0 || kind == 1) { /* conv, depthwise: 12 = magnitudes below 2^-3 */
      int dw = kind == 1, outc = dw ? ic : oc;
      int32_t ws[4] = {dw ? 1 : oc, k, k, ic}, bs[1] = {outc};
      int wt = half_weights(&z, "w", 4, ws, 12), bt = half_weights(&z, "b", 1, bs, 15);
      int oh = out_dim(h, k, 1, 1, pad), ow = out_dim(w, k, 1, 1, pad);
      if (oh < 1 || ow < 1) { pad = LFRT_PADDING_SAME; oh = h; ow = w; }
      int32_t ys[4] = {1, oh, ow, outc};
      y = lf_zoo_act(&z, NULL, 4, ys, 1.0f, NULL);
      op = dw ? LFRT_OP_DEPTHWISE_CONV_2D : LFRT_OP_CONV_2D;
      if (dw) {
        o.depthwise.padding = (lfrt_padding)pad;
        o.depthwise.stride_w = o.depthwise.stride_h = o.depthwise.depth_multiplier = 1;
        o.depthwise.dilation_w = o.depthwise.dilation_h = 1;
      } else {
        o.conv.padding = (lfrt_padding)pad;
        o.conv.stride_w = o.conv.stride_h = o.conv.dilation_w = o.conv.dilation_h = 1;
        o.conv.activation = LFRT_ACT_RELU;
      }
      int32_t ins[3] = {x, wt, bt};
      y = lf_zoo_op(&z, op, ins, 3, y, &o);
    } else if (kind == 2) {
      int32_t ws[2] = {oc, ic}, bs[1] = {oc}, ys[2] = {h, oc};
      int wt = half_weights(&z, "w", 2, ws, 14), bt = half_weights(&z, "b", 1, bs, 15);
      y = lf_zoo_act(&z, NULL, 2, ys, 1.0f, NULL);
      op = LFRT_OP_FULLY_CONNECTED;
      int32_t ins[3] = {x, wt, bt};
      y = lf_zoo_op(&z, op, ins, 3, y, &o);
    } else {
      int32_t cs[1] = {ic};
      int ct = half_weights(&z, "c", 1, cs, 16);
      y = lf_zoo_act(&z, NULL, 4, xs, 1.0f, NULL);
      op = LFRT_OP_ADD;
      o.add.pot_scale_int16 = 1;
      int32_t ins[2] = {x, ct};
      y = lf_zoo_op(&z, op, ins, 2, y, &o);
    }
    int32_t ins[1] = {x};
    end_case(c, &z, op, ins, 1, y, NULL, LFRT_FLOAT32, "fp16 weights (DEQUANTIZE FLOAT16) in %dx%dx%d out_c %d k%d %s",
             h, w, ic, oc, k, padname(pad));
  }
}

/* Float elementwise ops of mobile models: TANH, EXP, LEAKY_RELU, HARD_SWISH,
 * RSQRT (of EXP(x), so the input is positive), SUB, DIV (by EXP(b)), MAXIMUM,
 * MINIMUM, SQUARED_DIFFERENCE, PRELU; odd shapes and broadcasts. */
static void gen_float_ops(ctx *c) {
  static const lfrt_op un[] = {LFRT_OP_TANH, LFRT_OP_EXP, LFRT_OP_LEAKY_RELU, LFRT_OP_HARD_SWISH, LFRT_OP_RSQRT};
  static const lfrt_op bin[] = {LFRT_OP_SUB, LFRT_OP_DIV, LFRT_OP_MAXIMUM, LFRT_OP_MINIMUM,
                                LFRT_OP_SQUARED_DIFFERENCE, LFRT_OP_PRELU};
  for (size_t k = 0; k < sizeof un / sizeof un[0]; k++)
    for (int i = 0; i < 2 && !c->failed; i++) {
      lf_zoo z;
      if (begin(c, &z, 1) < 0) return;
      int32_t s[4] = {1 + i, lf_zoo_randint(&c->rng, 1, 7), lf_zoo_randint(&c->rng, 1, 7), lf_zoo_randint(&c->rng, 1, 13)};
      int x = input(&z, 4, s), src = x;
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.leaky_relu.alpha = i ? 0.01f : 0.2f;
      if (un[k] == LFRT_OP_RSQRT) {
        int e = lf_zoo_act(&z, NULL, 4, s, 1.0f, NULL);
        int32_t ei[1] = {x};
        src = lf_zoo_op(&z, LFRT_OP_EXP, ei, 1, e, NULL);
      }
      int y = lf_zoo_act(&z, NULL, 4, s, 1.0f, NULL);
      int32_t oi[1] = {src};
      y = lf_zoo_op(&z, un[k], oi, 1, y, un[k] == LFRT_OP_LEAKY_RELU ? &o : NULL);
      int32_t ins[1] = {x};
      end_case(c, &z, un[k], ins, 1, y, NULL, LFRT_FLOAT32, "in %dx%dx%dx%d%s alpha %.2g", s[0], s[1], s[2], s[3],
               un[k] == LFRT_OP_RSQRT ? " (of EXP(x))" : "", (double)o.leaky_relu.alpha);
    }
  for (size_t k = 0; k < sizeof bin / sizeof bin[0]; k++)
    for (int form = 0; form < 3 && !c->failed; form++) {
      lf_zoo z;
      if (begin(c, &z, 1) < 0) return;
      int h = lf_zoo_randint(&c->rng, 1, 7), w = lf_zoo_randint(&c->rng, 1, 7), ch = lf_zoo_randint(&c->rng, 1, 11);
      int32_t sa[4] = {1, h, w, ch}, sb[4] = {1, h, w, ch};
      int nb = 4, b_const = 0;
      if (form == 1) { nb = 1; sb[0] = ch; b_const = bin[k] != LFRT_OP_DIV; } /* per channel [C] */
      if (form == 2) { sb[0] = h; nb = 3; sb[1] = 1; sb[2] = 1; }              /* [H,1,1] */
      int a = input(&z, 4, sa);
      int b = b_const ? const_act(&z, nb, sb) : input(&z, nb, sb), bsrc = b;
      if (bin[k] == LFRT_OP_DIV) { /* divide by exp(b): no zero divisor */
        int e = lf_zoo_act(&z, NULL, nb, sb, 1.0f, NULL);
        int32_t ei[1] = {b};
        bsrc = lf_zoo_op(&z, LFRT_OP_EXP, ei, 1, e, NULL);
      }
      lfrt_options o;
      memset(&o, 0, sizeof o);
      int act = form == 2 ? LFRT_ACT_RELU6 : form == 1 ? LFRT_ACT_RELU : LFRT_ACT_NONE;
      if (bin[k] == LFRT_OP_SUB) { o.add.activation = (lfrt_activation)act; o.add.pot_scale_int16 = 1; }
      if (bin[k] == LFRT_OP_DIV) o.mul.activation = (lfrt_activation)act;
      int y = lf_zoo_act(&z, NULL, 4, sa, 1.0f, NULL);
      int32_t oi[2] = {a, bsrc};
      y = lf_zoo_op(&z, bin[k], oi, 2, y, &o);
      int32_t ins[2] = {a, b};
      end_case(c, &z, bin[k], ins, b_const ? 1 : 2, y, NULL, LFRT_FLOAT32, "a 1x%dx%dx%d b %dd%s [%d,%d,%d,..] %s", h, w, ch,
               nb, b_const ? " const" : "", sb[0], sb[1], sb[2],
               bin[k] == LFRT_OP_SUB || bin[k] == LFRT_OP_DIV ? actname(act) : "");
    }
}

/* ---- shape ops ---------------------------------------------------------------------
 * TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK, GATHER, DEPTH_TO_SPACE,
 * SPACE_TO_DEPTH, PADV2 (and RELU_N1_TO_1): each case in FLOAT32, INT8 and UINT8 (pure
 * data movement: LiteRT's bytes), odd/prime dims, ranks up to 6, negative axes,
 * strides and indices. */
static const lfrt_type sh_types[3] = {LFRT_FLOAT32, LFRT_INT8, LFRT_UINT8};

/* A run-time tensor of type ty, quantized like tensor `like` (>= 0) or freshly. */
static int sh_act(lf_zoo *z, lfrt_type ty, int nd, const int32_t *s, int like) {
  if (ty == LFRT_FLOAT32) return lf_zoo_tensor_raw(z, "act", ty, nd, s, NULL, 0, NULL, 1.0f);
  lf_zoo_q q = lf_zoo_pick_q(z, 1.0f, LFRT_ACT_NONE);
  if (like >= 0 && !z->failed) {
    q.scale = z->t[like].scale;
    q.zp = z->t[like].zp;
  } else if (ty == LFRT_UINT8) {
    q.zp += 128;
  }
  return lf_zoo_tensor_raw(z, "act", ty, nd, s, NULL, 0, &q, 1.0f);
}

/* A constant int32 (or int64) vector; n == 0 makes a 0-D scalar of v[0]. */
static int sh_ints(lf_zoo *z, int use64, int n, const int32_t *v) {
  int32_t shp[1] = {n};
  int cnt = n ? n : 1;
  int64_t w[8];
  for (int i = 0; i < cnt && i < 8; i++) w[i] = v[i];
  return lf_zoo_tensor_raw(z, "shape", use64 ? LFRT_INT64 : LFRT_INT32, n ? 1 : 0, shp, use64 ? (const void *)w : (const void *)v,
                           (size_t)cnt * (use64 ? 8 : 4), NULL, 0);
}

static void sh_end(ctx *c, lf_zoo *z, lfrt_op op, lfrt_type ty, const int32_t *ins, int nin, const int32_t *outs, int nout,
                   const char *fmt, ...) {
  lfrt_type types[LF_OPZOO_MAX_IN];
  for (int i = 0; i < LF_OPZOO_MAX_IN; i++) types[i] = ty;
  va_list ap;
  va_start(ap, fmt);
  end_case_v(c, z, op, ins, nin, outs, nout, types, ty, fmt, ap);
  va_end(ap);
}

static const char *dims_str(char *b, size_t n, int nd, const int32_t *s) {
  size_t k = (size_t)snprintf(b, n, "[");
  for (int d = 0; d < nd && k < n; d++) k += (size_t)snprintf(b + k, n - k, d ? ",%d" : "%d", (int)s[d]);
  if (k < n) snprintf(b + k, n - k, "]");
  return b;
}

static int sh_dim(ctx *c, int small) {
  static const int big[] = {1, 2, 3, 5, 7}, sm[] = {1, 2, 3};
  return small ? PICK(c, sm) : PICK(c, big);
}

static void sh_shape(ctx *c, int nd, int32_t *s) {
  for (int d = 0; d < nd; d++) s[d] = sh_dim(c, nd > 4);
}

static void gen_transpose(ctx *c) {
  static const int ranks[] = {2, 3, 4, 5, 6, 4};
  for (int i = 0; i < 6 && !c->failed; i++) {
    int nd = ranks[i];
    int32_t s[6], perm[6], so[6];
    sh_shape(c, nd, s);
    for (int d = 0; d < nd; d++) perm[d] = d;
    for (int d = nd - 1; d > 0; d--) {
      int j = lf_zoo_randint(&c->rng, 0, d), t = perm[d];
      perm[d] = perm[j];
      perm[j] = t;
    }
    for (int d = 0; d < nd; d++) so[d] = s[perm[d]];
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], nd, s, -1);
      int p = sh_ints(&z, 0, nd, perm); /* LiteRT takes an int32 perm only */
      int y = sh_act(&z, sh_types[t], nd, so, x);
      int32_t oi[2] = {x, p};
      y = lf_zoo_op(&z, LFRT_OP_TRANSPOSE, oi, 2, y, NULL);
      char a[64], b[64];
      sh_end(c, &z, LFRT_OP_TRANSPOSE, sh_types[t], &x, 1, &y, 1, "%s in %s perm %s%s", lfrt_type_name(sh_types[t]),
             dims_str(a, 64, nd, s), dims_str(b, 64, nd, perm), "");
    }
  }
}

static void gen_slice(ctx *c) {
  for (int i = 0; i < 5 && !c->failed; i++) {
    int nd = 1 + i;
    int32_t s[6], b[6], sz[6], so[6];
    sh_shape(c, nd, s);
    for (int d = 0; d < nd; d++) {
      b[d] = lf_zoo_randint(&c->rng, 0, s[d] - 1);
      so[d] = lf_zoo_randint(&c->rng, 1, s[d] - b[d]);
      sz[d] = d == i % nd && i % 2 ? -1 : so[d];
      if (sz[d] == -1) so[d] = s[d] - b[d];
    }
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], nd, s, -1);
      int bt = sh_ints(&z, i == 2, nd, b), st = sh_ints(&z, i == 2, nd, sz);
      int y = sh_act(&z, sh_types[t], nd, so, x);
      int32_t oi[3] = {x, bt, st};
      y = lf_zoo_op(&z, LFRT_OP_SLICE, oi, 3, y, NULL);
      char a[64], bb[64], cc[64];
      sh_end(c, &z, LFRT_OP_SLICE, sh_types[t], &x, 1, &y, 1, "%s in %s begin %s size %s", lfrt_type_name(sh_types[t]),
             dims_str(a, 64, nd, s), dims_str(bb, 64, nd, b), dims_str(cc, 64, nd, sz));
    }
  }
}

/* Elements TFLite's strided slice takes along one dim (its StartForAxis/StopForAxis rules). */
static int sslice_count(int size, int b, int e, int st, int bm, int em, int shrink) {
  int start = bm ? (st > 0 ? 0 : size - 1) : (b < 0 ? b + size : b), stop;
  if (!bm) start = st > 0 ? (start < 0 ? 0 : start > size ? size : start) : (start < -1 ? -1 : start > size - 1 ? size - 1 : start);
  if (shrink) return start >= 0 && start < size ? 1 : 0;
  stop = em ? (st > 0 ? size : -1) : (e < 0 ? e + size : e);
  if (!em) stop = st > 0 ? (stop < 0 ? 0 : stop > size ? size : stop) : (stop < -1 ? -1 : stop > size - 1 ? size - 1 : stop);
  int n = st > 0 ? (stop - start + st - 1) / st : (start - stop - st - 1) / -st;
  return n < 0 ? 0 : n;
}

static void gen_strided_slice(ctx *c) {
  static const int ranks[] = {1, 2, 3, 4, 4, 5, 3, 2};
  static const int strides[] = {1, 1, 2, 3, -1, -2};
  for (int i = 0; i < 8 && !c->failed; i++) {
    int nd = ranks[i], nb = i == 6 ? nd - 1 : nd; /* case 6: begin shorter than the rank */
    int32_t s[6], b[6], e[6], st[6], so[6];
    int bm, em, sm, no;
    for (int tries = 0;; tries++) {
      sh_shape(c, nd, s);
      bm = lf_zoo_randint(&c->rng, 0, (1 << nb) - 1) & (i % 3 ? ~0 : 0);
      em = lf_zoo_randint(&c->rng, 0, (1 << nb) - 1) & (i % 2 ? ~0 : 0);
      sm = i >= 4 ? 1 << lf_zoo_randint(&c->rng, 0, nb - 1) : 0;
      no = 0;
      int ok = 1;
      for (int d = 0; d < nd; d++) {
        if (d >= nb) {
          so[no++] = s[d];
          continue;
        }
        st[d] = PICK(c, strides);
        if (sm >> d & 1 && st[d] < 0) st[d] = -st[d]; /* shrink + negative stride: LiteRT writes nothing */
        b[d] = lf_zoo_randint(&c->rng, -s[d] - 1, s[d] + 1);
        e[d] = lf_zoo_randint(&c->rng, -s[d] - 1, s[d] + 1);
        int n = sslice_count(s[d], b[d], e[d], st[d], bm >> d & 1, em >> d & 1, sm >> d & 1);
        if (n < 1) ok = 0;
        if (!(sm >> d & 1)) so[no++] = n;
      }
      if (ok && no > 0) break;
      if (tries > 200) {
        c->failed = 1;
        snprintf(c->msg, sizeof c->msg, "strided slice: no non-empty case drawn");
        return;
      }
    }
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], nd, s, -1);
      int bt = sh_ints(&z, 0, nb, b), et = sh_ints(&z, 0, nb, e), stt = sh_ints(&z, 0, nb, st);
      int y = sh_act(&z, sh_types[t], no, so, x);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.strided_slice.begin_mask = bm;
      o.strided_slice.end_mask = em;
      o.strided_slice.shrink_axis_mask = sm;
      int32_t oi[4] = {x, bt, et, stt};
      y = lf_zoo_op(&z, LFRT_OP_STRIDED_SLICE, oi, 4, y, &o);
      char a[64], bb[64], cc[64], dd[64];
      sh_end(c, &z, LFRT_OP_STRIDED_SLICE, sh_types[t], &x, 1, &y, 1, "%s in %s b %s e %s s %s masks b%d e%d shrink%d",
             lfrt_type_name(sh_types[t]), dims_str(a, 64, nd, s), dims_str(bb, 64, nb, b), dims_str(cc, 64, nb, e),
             dims_str(dd, 64, nb, st), bm, em, sm);
    }
  }
}

/* SPLIT (equal parts) and SPLIT_V (sizes, one of them -1): several outputs. */
static void gen_split(ctx *c, int v) {
  for (int i = 0; i < 4 && !c->failed; i++) {
    int nd = 1 + i % 4, axis = lf_zoo_randint(&c->rng, 0, nd - 1), parts = lf_zoo_randint(&c->rng, 1, 4);
    int32_t s[6], sizes[4] = {0, 0, 0, 0}, at = 0;
    sh_shape(c, nd, s);
    if (v) {
      for (int k = 0; k < parts; k++) at += sizes[k] = lf_zoo_randint(&c->rng, 1, 3);
      s[axis] = at;
    } else {
      s[axis] = parts * lf_zoo_randint(&c->rng, 1, 3);
      for (int k = 0; k < parts; k++) sizes[k] = s[axis] / parts;
    }
    int32_t given[4];
    memcpy(given, sizes, sizeof given);
    if (v && parts > 1) given[i % parts] = -1;
    int32_t ax = i == 1 ? axis - nd : axis;
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], nd, s, -1);
      int at_ = sh_ints(&z, 0, i % 2 ? 1 : 0, &ax), sz = v ? sh_ints(&z, i == 3, parts, given) : -1;
      int32_t outs[4];
      for (int k = 0; k < parts; k++) {
        int32_t so[6];
        memcpy(so, s, sizeof so);
        so[axis] = sizes[k];
        outs[k] = sh_act(&z, sh_types[t], nd, so, x);
      }
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.split.num_splits = parts;
      int32_t oi[3] = {x, sz, at_}, oi1[2] = {at_, x};
      if (!z.failed && lfrt_writer_add_operator(z.w, v ? LFRT_OP_SPLIT_V : LFRT_OP_SPLIT, v ? oi : oi1, v ? 3 : 2, outs,
                                                parts, &o) < 0) {
        z.failed = 1;
        snprintf(z.msg, sizeof z.msg, "writer: %s", lfrt_writer_error(z.w));
      }
      char a[64], b[64];
      sh_end(c, &z, v ? LFRT_OP_SPLIT_V : LFRT_OP_SPLIT, sh_types[t], &x, 1, outs, parts, "%s in %s axis %d parts %s",
             lfrt_type_name(sh_types[t]), dims_str(a, 64, nd, s), (int)ax, dims_str(b, 64, parts, v ? given : sizes));
    }
  }
}

/* PACK of 1..4 inputs, UNPACK to up to 5 outputs. */
static void gen_pack(ctx *c, int unpack) {
  for (int i = 0; i < 4 && !c->failed; i++) {
    int nd = 1 + i % 3, axis = lf_zoo_randint(&c->rng, 0, nd), cnt = lf_zoo_randint(&c->rng, 1, unpack ? 5 : 4);
    int32_t s[6], big[6];
    sh_shape(c, nd, s);
    for (int d = 0, m = 0; d <= nd; d++) big[d] = d == axis ? cnt : s[m++];
    int ax = i == 2 ? axis - nd - 1 : axis;
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int32_t parts[5];
      int whole;
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.pack.count = cnt;
      o.pack.axis = ax;
      if (unpack) {
        whole = sh_act(&z, sh_types[t], nd + 1, big, -1);
        for (int k = 0; k < cnt; k++) parts[k] = sh_act(&z, sh_types[t], nd, s, whole);
        if (!z.failed && lfrt_writer_add_operator(z.w, LFRT_OP_UNPACK, &whole, 1, parts, cnt, &o) < 0) z.failed = 1;
      } else {
        parts[0] = sh_act(&z, sh_types[t], nd, s, -1);
        for (int k = 1; k < cnt; k++) parts[k] = sh_act(&z, sh_types[t], nd, s, parts[0]);
        whole = sh_act(&z, sh_types[t], nd + 1, big, parts[0]);
        whole = lf_zoo_op(&z, LFRT_OP_PACK, parts, cnt, whole, &o);
      }
      if (z.failed && !z.msg[0]) snprintf(z.msg, sizeof z.msg, "writer: %s", lfrt_writer_error(z.w));
      char a[64];
      if (unpack)
        sh_end(c, &z, LFRT_OP_UNPACK, sh_types[t], &whole, 1, parts, cnt, "%s in %s axis %d num %d", lfrt_type_name(sh_types[t]),
               dims_str(a, 64, nd + 1, big), ax, cnt);
      else
        sh_end(c, &z, LFRT_OP_PACK, sh_types[t], parts, cnt, &whole, 1, "%s %d inputs %s axis %d", lfrt_type_name(sh_types[t]),
               cnt, dims_str(a, 64, nd, s), ax);
    }
  }
}

/* GATHER with constant indices (int32/int64), axis and batch_dims. */
static void gen_gather(ctx *c) {
  for (int i = 0; i < 6 && !c->failed; i++) {
    int nd = 1 + i % 4, axis = lf_zoo_randint(&c->rng, 0, nd - 1), bd = axis >= 1 && i % 2 ? 1 : 0;
    int32_t s[6], is[3], ind[32], so[8];
    sh_shape(c, nd, s);
    int ni = bd + (i == 4 ? 0 : lf_zoo_randint(&c->rng, 1, 2)), cnt = 1; /* indices rank, 0 = scalar */
    if (bd) is[0] = s[0];
    for (int d = bd; d < ni; d++) is[d] = lf_zoo_randint(&c->rng, 1, 3);
    for (int d = 0; d < ni; d++) cnt *= is[d];
    for (int k = 0; k < cnt; k++) ind[k] = lf_zoo_randint(&c->rng, 0, s[axis] - 1);
    int no = 0;
    for (int d = 0; d < axis; d++) so[no++] = s[d];
    for (int d = bd; d < ni; d++) so[no++] = is[d];
    for (int d = axis + 1; d < nd; d++) so[no++] = s[d];
    int use64 = i == 1, ax = i == 3 ? axis - nd : axis;
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], nd, s, -1);
      int64_t w[32];
      for (int k = 0; k < cnt; k++) w[k] = ind[k];
      int it = lf_zoo_tensor_raw(&z, "indices", use64 ? LFRT_INT64 : LFRT_INT32, ni, is, use64 ? (const void *)w : (const void *)ind,
                                 (size_t)cnt * (use64 ? 8 : 4), NULL, 0);
      int y = sh_act(&z, sh_types[t], no, so, x);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.gather.axis = ax;
      o.gather.batch_dims = bd;
      int32_t oi[2] = {x, it};
      y = lf_zoo_op(&z, LFRT_OP_GATHER, oi, 2, y, &o);
      char a[64], b[64];
      sh_end(c, &z, LFRT_OP_GATHER, sh_types[t], &x, 1, &y, 1, "%s params %s indices %s%s axis %d batch_dims %d",
             lfrt_type_name(sh_types[t]), dims_str(a, 64, nd, s), dims_str(b, 64, ni, is), use64 ? " int64" : "", ax, bd);
    }
  }
}

static void gen_block(ctx *c, int d2s) {
  for (int i = 0; i < 3 && !c->failed; i++) {
    int bs = 2 + i % 2, n = 1 + (i == 2), h = lf_zoo_randint(&c->rng, 1, 3), w = lf_zoo_randint(&c->rng, 1, 3);
    int ch = PICK(c, ((const int[]){1, 2, 3, 5}));
    int32_t s[4], so[4];
    if (d2s) {
      int32_t a[4] = {n, h, w, ch * bs * bs}, b[4] = {n, h * bs, w * bs, ch};
      memcpy(s, a, sizeof s);
      memcpy(so, b, sizeof so);
    } else {
      int32_t a[4] = {n, h * bs, w * bs, ch}, b[4] = {n, h, w, ch * bs * bs};
      memcpy(s, a, sizeof s);
      memcpy(so, b, sizeof so);
    }
    lfrt_op op = d2s ? LFRT_OP_DEPTH_TO_SPACE : LFRT_OP_SPACE_TO_DEPTH;
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], 4, s, -1);
      int y = sh_act(&z, sh_types[t], 4, so, x);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.block.block_size = bs;
      y = lf_zoo_op(&z, op, &x, 1, y, &o);
      char a[64];
      sh_end(c, &z, op, sh_types[t], &x, 1, &y, 1, "%s in %s block %d", lfrt_type_name(sh_types[t]), dims_str(a, 64, 4, s), bs);
    }
  }
}

/* PADV2: PAD with a constant fill value (the output's quantization for int8/uint8). */
static void gen_padv2(ctx *c) {
  for (int i = 0; i < 3 && !c->failed; i++) {
    int nd = 2 + i;
    int32_t s[6], pads[12], so[6];
    sh_shape(c, nd, s);
    for (int d = 0; d < nd; d++) {
      pads[2 * d] = lf_zoo_randint(&c->rng, 0, 2);
      pads[2 * d + 1] = lf_zoo_randint(&c->rng, 0, 2);
      so[d] = s[d] + pads[2 * d] + pads[2 * d + 1];
    }
    int raw = lf_zoo_randint(&c->rng, 0, 255);
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], nd, s, -1);
      int32_t ps[2] = {nd, 2};
      int p = lf_zoo_tensor_raw(&z, "paddings", LFRT_INT32, 2, ps, pads, (size_t)nd * 8, NULL, 0);
      float fv = (float)(raw - 128) / 32.0f;
      uint8_t bv = (uint8_t)raw;
      lf_zoo_q q = {z.failed ? 1.0f : z.t[x].scale, z.failed ? 0 : z.t[x].zp};
      int32_t one[1] = {1};
      int cv = lf_zoo_tensor_raw(&z, "value", sh_types[t], 1, one, sh_types[t] == LFRT_FLOAT32 ? (const void *)&fv : (const void *)&bv,
                                 sh_types[t] == LFRT_FLOAT32 ? 4 : 1, sh_types[t] == LFRT_FLOAT32 ? NULL : &q, 0);
      int y = sh_act(&z, sh_types[t], nd, so, x);
      int32_t oi[3] = {x, p, cv};
      y = lf_zoo_op(&z, LFRT_OP_PADV2, oi, 3, y, NULL);
      char a[64];
      sh_end(c, &z, LFRT_OP_PADV2, sh_types[t], &x, 1, &y, 1, "%s in %s pads %d,%d.. value %s %d", lfrt_type_name(sh_types[t]),
             dims_str(a, 64, nd, s), pads[0], pads[1], sh_types[t] == LFRT_FLOAT32 ? "f" : "raw", raw);
    }
  }
}

/* coral: TILE, FLOAT32/INT8/UINT8: Coral's deeplab cityscapes shape ([1,1,1,C] by
 * [1,H,W,1]), random ranks 1-4 with multiples 1-3, and a 4-D case with every dim
 * and multiple > 1 (8 strided dims: split into several moves). */
static void gen_tile(ctx *c) {
  for (int i = 0; i < 4 && !c->failed; i++) {
    int nd = i == 0 || i == 3 ? 4 : 1 + lf_zoo_randint(&c->rng, 0, 3);
    int32_t s[4], m[4], so[4];
    sh_shape(c, nd, s);
    for (int d = 0; d < nd; d++) m[d] = lf_zoo_randint(&c->rng, 1, 3);
    if (i == 0) {
      s[0] = s[1] = s[2] = 1;
      m[0] = m[3] = 1;
      m[1] = m[2] = 9;
    }
    if (i == 3)
      for (int d = 0; d < nd; d++) {
        if (s[d] < 2) s[d] = 2;
        m[d] = 2;
      }
    for (int d = 0; d < nd; d++) so[d] = s[d] * m[d];
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], nd, s, -1);
      int32_t ms[1] = {nd};
      int mt = lf_zoo_tensor_raw(&z, "multiples", LFRT_INT32, 1, ms, m, (size_t)nd * 4, NULL, 0);
      int y = sh_act(&z, sh_types[t], nd, so, x);
      int32_t oi[2] = {x, mt};
      y = lf_zoo_op(&z, LFRT_OP_TILE, oi, 2, y, NULL);
      char a[64], b[64];
      sh_end(c, &z, LFRT_OP_TILE, sh_types[t], &x, 1, &y, 1, "%s in %s multiples %s", lfrt_type_name(sh_types[t]),
             dims_str(a, 64, nd, s), dims_str(b, 64, nd, m));
    }
  }
}

static void gen_shape_ops(ctx *c) {
  gen_transpose(c);
  gen_slice(c);
  gen_strided_slice(c);
  gen_split(c, 0);
  gen_split(c, 1);
  gen_pack(c, 0);
  gen_pack(c, 1);
  gen_gather(c);
  gen_block(c, 1);
  gen_block(c, 0);
  gen_padv2(c);
  gen_unary(c, LFRT_OP_RELU_N1_TO_1, 2);
  gen_tile(c); /* coral: last, so the cases before keep their random draws */
}

/* uint8 (legacy quantization) and degenerate scales: op_zoo_u8.c */
static void gen_u8(ctx *c) {
  for (int i = 0; i < lf_opzoo_u8_count() && !c->failed; i++) {
    lf_zoo z;
    lf_u8case k;
    if (begin(c, &z, 0) < 0) return;
    lf_opzoo_u8_case(&z, i, &k);
    end_case(c, &z, k.op, k.ins, k.nin, k.out, k.in_type, k.out_type, "%s", k.desc);
  }
}

/* movenet: CAST, FLOOR_DIV, GATHER_ND (op_zoo_movenet.c) */
static void gen_movenet(ctx *c) {
  for (int i = 0; i < lf_opzoo_mv_count() && !c->failed; i++) {
    lf_zoo z;
    lf_u8case k;
    if (begin(c, &z, lf_opzoo_mv_fp32(i)) < 0) return;
    lf_opzoo_mv_case(&z, i, &k);
    end_case(c, &z, k.op, k.ins, k.nin, k.out, k.in_type, k.out_type, "%s", k.desc);
  }
}

/* math ops (issue 11): int8 TANH, EXP, HARD_SWISH, LEAKY_RELU (alphas on both
 * of LiteRT's paths: XNNPACK's and, for |alpha * in/out| < 2^-8, TFLite's),
 * RSQRT (input zero point -128: LiteRT stops on x < 0); output quantization
 * spans the op's range over the input's. */
static void gen_math_q8(ctx *c) {
  static const struct { lfrt_op op; float alpha; } cases[] = {
      {LFRT_OP_TANH, 0}, {LFRT_OP_TANH, 0}, {LFRT_OP_TANH, 0}, {LFRT_OP_EXP, 0}, {LFRT_OP_EXP, 0},
      {LFRT_OP_EXP, 0}, {LFRT_OP_HARD_SWISH, 0}, {LFRT_OP_HARD_SWISH, 0}, {LFRT_OP_HARD_SWISH, 0},
      {LFRT_OP_LEAKY_RELU, 0.2f}, {LFRT_OP_LEAKY_RELU, 0.01f}, {LFRT_OP_LEAKY_RELU, 0.002f},
      {LFRT_OP_LEAKY_RELU, -0.25f}, {LFRT_OP_RSQRT, 0}, {LFRT_OP_RSQRT, 0}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0] && !c->failed; k++) {
    lfrt_op op = cases[k].op;
    lf_zoo z;
    if (begin(c, &z, 0) < 0) return;
    int32_t s[4] = {1 + (int)(k % 4 == 3), lf_zoo_randint(&c->rng, 1, 9), lf_zoo_randint(&c->rng, 3, 9), lf_zoo_randint(&c->rng, 5, 13)};
    float xs = expf(lf_zoo_uniform(&c->rng, logf(0.004f), logf(0.25f)));
    int32_t xz = op == LFRT_OP_RSQRT ? -128 : lf_zoo_randint(&c->rng, -90, 90);
    float lo = (float)(-128 - xz) * xs, hi = (float)(127 - xz) * xs, olo, ohi;
    if (op == LFRT_OP_RSQRT) lo = xs;
    switch (op) {
    case LFRT_OP_TANH: olo = tanhf(lo); ohi = tanhf(hi); break;
    case LFRT_OP_EXP: olo = 0.0f; ohi = expf(hi); break;
    case LFRT_OP_HARD_SWISH: olo = -0.375f; ohi = hi > 0.1f ? hi : 0.1f; break;
    case LFRT_OP_LEAKY_RELU: olo = lo * (cases[k].alpha > 0 ? cases[k].alpha : 0.0f); ohi = hi > -lo * -cases[k].alpha ? hi : lo * cases[k].alpha; break;
    default: olo = 1.0f / sqrtf(hi); ohi = 1.0f / sqrtf(lo); break;
    }
    if (olo > 0.0f && op != LFRT_OP_RSQRT) olo = 0.0f;
    lf_zoo_q xq = {xs, xz}, yq;
    yq.scale = (ohi - olo) * lf_zoo_uniform(&c->rng, 0.8f, 1.3f) / 255.0f;
    yq.zp = (int32_t)lrintf(-128.0f - olo / yq.scale);
    yq.zp = yq.zp < -128 ? -128 : yq.zp > 127 ? 127 : yq.zp;
    int x = lf_zoo_act(&z, NULL, 4, s, 1.0f, &xq), y = lf_zoo_act(&z, NULL, 4, s, 1.0f, &yq);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    o.leaky_relu.alpha = cases[k].alpha;
    int32_t ins[1] = {x};
    y = lf_zoo_op(&z, op, ins, 1, y, op == LFRT_OP_LEAKY_RELU ? &o : NULL);
    end_case(c, &z, op, ins, 1, y, NULL, LFRT_INT8, "in %dx%dx%dx%d q %.5g/%d out q %.5g/%d alpha %.3g", s[0], s[1], s[2],
             s[3], (double)xs, (int)xz, (double)yq.scale, (int)yq.zp, (double)cases[k].alpha);
  }
}

/* math ops (issue 11): ARG_MAX / ARG_MIN, FLOAT32 and int8, int32 and int64
 * outputs, every axis form; random int8 inputs and the float inputs' exact
 * halves and zeros give ties (LiteRT keeps the first index). */
static void gen_arg_minmax(ctx *c) {
  static const int axes[] = {3, 1, -1, 0, 2, -3};
  for (int i = 0; i < 6 && !c->failed; i++) {
    int32_t s[4] = {1 + (i == 3), lf_zoo_randint(&c->rng, 1, 7), lf_zoo_randint(&c->rng, 1, 7), lf_zoo_randint(&c->rng, 2, 13)};
    lfrt_op op = i % 3 == 2 ? LFRT_OP_ARG_MIN : LFRT_OP_ARG_MAX;
    lfrt_type ot = i % 2 ? LFRT_INT64 : LFRT_INT32;
    int axis = axes[i], ax = axis < 0 ? axis + 4 : axis;
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int x = input(&z, 4, s);
      int32_t one[1] = {1}, av = axis;
      int a = lf_zoo_tensor_raw(&z, "axis", LFRT_INT32, 1, one, &av, 4, NULL, 0.0f);
      int32_t so[3];
      for (int d = 0, e = 0; d < 4; d++)
        if (d != ax) so[e++] = s[d];
      int y = lf_zoo_tensor_raw(&z, "out", ot, 3, so, NULL, 0, NULL, 0.0f);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.arg_minmax.output_type = ot;
      int32_t oi[2] = {x, a};
      y = lf_zoo_op(&z, op, oi, 2, y, &o);
      int32_t ins[1] = {x};
      end_case(c, &z, op, ins, 1, y, NULL, ot, "in %dx%dx%dx%d axis %d -> %s", s[0], s[1], s[2], s[3], axis,
               lfrt_type_name(ot));
    }
  }
}

/* math ops (issue 11): L2_NORMALIZATION over the last axis, FLOAT32 and int8
 * (output 1/128, zero point 0), 2-D and 4-D, odd depths. */
static void gen_l2norm(ctx *c) {
  for (int i = 0; i < 4 && !c->failed; i++) {
    int32_t s[4] = {1 + (i == 2), lf_zoo_randint(&c->rng, 1, 5), lf_zoo_randint(&c->rng, 1, 5), lf_zoo_randint(&c->rng, 1, 37)};
    int nd = i == 1 ? 2 : 4;
    if (nd == 2) { s[0] = 3; s[1] = lf_zoo_randint(&c->rng, 1, 300); }
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int x = input(&z, nd, s);
      lf_zoo_q oq = {1.0f / 128.0f, 0};
      int y = lf_zoo_act(&z, NULL, nd, s, 1.0f, &oq);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      int32_t ins[1] = {x};
      y = lf_zoo_op(&z, LFRT_OP_L2_NORMALIZATION, ins, 1, y, &o);
      end_case(c, &z, LFRT_OP_L2_NORMALIZATION, ins, 1, y, NULL, INT8_OR_F32(&z), "in %dd [%d,%d,%d,%d]", nd, s[0], s[1],
               nd > 2 ? s[2] : 0, nd > 2 ? s[3] : 0);
    }
  }
}

/* batch matmul etc. (issue 11): BATCH_MATMUL in FLOAT32 and int8, ranks 2 to 5,
 * adj_x / adj_y, batch dims broadcast either way, a constant rhs, odd/prime
 * M, N, K. Case i: lhs batch dims la[], rhs batch dims lb[] (right-aligned).
 * int8 rhs with zero point 0 in cases 3 and 9: LiteRT rounds once there. */
static void gen_batch_matmul(ctx *c) {
  static const struct { int na, nb, la[3], lb[3], adj_x, adj_y, rhs_const; } cs[] = {
      {0, 0, {0}, {0}, 0, 0, 0},          {1, 1, {3}, {3}, 1, 0, 0},          {1, 0, {5}, {0}, 0, 1, 0},
      {2, 2, {2, 1}, {1, 3}, 1, 1, 0},    {3, 1, {2, 1, 3}, {3}, 0, 0, 0},    {1, 1, {3}, {1}, 0, 0, 1},
      {2, 0, {1, 2}, {0}, 0, 1, 1},       {0, 2, {0}, {2, 3}, 1, 0, 0},       {1, 1, {2}, {2}, 0, 0, 0},
      {3, 3, {1, 2, 1}, {2, 1, 2}, 1, 1, 0}};
  static const int dims[] = {1, 2, 3, 5, 7, 11, 13, 17};
  for (size_t i = 0; i < sizeof cs / sizeof cs[0] && !c->failed; i++) {
    int m = PICK(c, dims), n = PICK(c, dims), k = i == 8 ? 67 : PICK(c, dims);
    int32_t sa[5], sb[5], so[5];
    int na = cs[i].na + 2, nb = cs[i].nb + 2, no = na > nb ? na : nb;
    for (int d = 0; d < cs[i].na; d++) sa[d] = cs[i].la[d];
    for (int d = 0; d < cs[i].nb; d++) sb[d] = cs[i].lb[d];
    sa[na - 2] = cs[i].adj_x ? k : m; sa[na - 1] = cs[i].adj_x ? m : k;
    sb[nb - 2] = cs[i].adj_y ? n : k; sb[nb - 1] = cs[i].adj_y ? k : n;
    for (int j = 1; j <= no - 2; j++) {
      int da = na - 2 - j, db = nb - 2 - j;
      int va = da >= 0 ? sa[da] : 1, vb = db >= 0 ? sb[db] : 1;
      so[no - 2 - j] = va > vb ? va : vb;
    }
    so[no - 2] = m; so[no - 1] = n;
    for (int f = 0; f < 2; f++) {
      lf_zoo z;
      if (begin(c, &z, f) < 0) return;
      int a = input(&z, na, sa);
      lf_zoo_q bq = lf_zoo_pick_q(&z, 1.0f, LFRT_ACT_NONE);
      bq.zp = 0;
      int b = cs[i].rhs_const ? const_act(&z, nb, sb) : lf_zoo_act(&z, NULL, nb, sb, 1.0f, i % 6 == 3 ? &bq : NULL);
      float std = sqrtf((float)k);
      lf_zoo_q q = lf_zoo_pick_q(&z, std, LFRT_ACT_NONE);
      int y = lf_zoo_act(&z, NULL, no, so, std, &q);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.batch_matmul.adj_x = cs[i].adj_x;
      o.batch_matmul.adj_y = cs[i].adj_y;
      int32_t opins[2] = {a, b};
      y = lf_zoo_op(&z, LFRT_OP_BATCH_MATMUL, opins, 2, y, &o);
      char s1[64], s2[64];
      end_case(c, &z, LFRT_OP_BATCH_MATMUL, opins, cs[i].rhs_const ? 1 : 2, y, NULL, INT8_OR_F32(&z),
               "lhs %s rhs %s%s adj_x %d adj_y %d", dims_str(s1, 64, na, sa), dims_str(s2, 64, nb, sb),
               cs[i].rhs_const ? " const" : "", cs[i].adj_x, cs[i].adj_y);
    }
  }
}

/* batch matmul etc. (issue 11): int8 SQUARED_DIFFERENCE and PRELU (alpha a
 * constant [C], [1,1,C] or full-shape tensor, or a second input), odd shapes
 * and broadcasts; SQUARED_DIFFERENCE's output spans the square of the inputs'
 * range. */
static void gen_sqdiff_prelu_q8(ctx *c) {
  for (int i = 0; i < 12 && !c->failed; i++) {
    lfrt_op op = i < 6 ? LFRT_OP_SQUARED_DIFFERENCE : LFRT_OP_PRELU;
    int form = i % 6;
    int h = lf_zoo_randint(&c->rng, 1, 7), w = lf_zoo_randint(&c->rng, 1, 7), ch = lf_zoo_randint(&c->rng, 1, 13);
    int32_t sa[4] = {1 + (form == 5), h, w, ch}, sb[4] = {1, h, w, ch};
    int nb = 4, b_const = op == LFRT_OP_PRELU && form != 4;
    switch (form) {
    case 1: nb = 1; sb[0] = ch; break;            /* [C] (PRELU: per-channel alpha) */
    case 2: nb = 3; sb[0] = 1; sb[1] = 1; sb[2] = ch; break; /* [1,1,C] */
    case 3: sb[1] = 1; sb[2] = 1; sb[3] = 1; break; /* [1,1,1,1] */
    case 5: sb[0] = 1; sb[3] = 1; break;            /* [1,H,W,1] against [2,H,W,C] */
    default: break;
    }
    lf_zoo z;
    if (begin(c, &z, 0) < 0) return;
    int a = input(&z, 4, sa);
    int b = b_const ? const_act(&z, nb, sb) : input(&z, nb, sb);
    lf_zoo_q yq;
    if (op == LFRT_OP_SQUARED_DIFFERENCE) {
      float hi = 16.0f * lf_zoo_uniform(&c->rng, 0.3f, 1.5f);
      yq.scale = hi / 255.0f;
      yq.zp = lf_zoo_randint(&c->rng, -128, -100);
    } else {
      yq = lf_zoo_pick_q(&z, 1.0f, LFRT_ACT_NONE);
    }
    int y = lf_zoo_act(&z, NULL, 4, sa, 1.0f, &yq);
    int32_t opins[2] = {a, b};
    y = lf_zoo_op(&z, op, opins, 2, y, NULL);
    end_case(c, &z, op, opins, b_const ? 1 : 2, y, NULL, LFRT_INT8, "a [%d,%d,%d,%d] %s %dd%s [%d,%d,%d,%d] out q %.4g/%d",
             sa[0], sa[1], sa[2], sa[3], op == LFRT_OP_PRELU ? "alpha" : "b", nb, b_const ? " const" : "", sb[0],
             nb > 1 ? sb[1] : 0, nb > 2 ? sb[2] : 0, nb > 3 ? sb[3] : 0, (double)yq.scale, (int)yq.zp);
  }
}

/* batch matmul etc. (issue 11): STRIDED_SLICE with ellipsis_mask and
 * new_axis_mask (with begin/end/shrink masks, a negative stride, an ellipsis
 * and a new axis at the same index), in FLOAT32, INT8 and UINT8. */
static void gen_sslice_masks(ctx *c) {
  static const struct {
    int nd, s[4], nb, b[4], e[4], st[4], bm, em, ell, na, sm, no, so[5];
  } cs[] = {
      {3, {3, 5, 7}, 2, {0, 1}, {0, 4}, {1, 1}, 0, 0, 1, 0, 0, 3, {3, 5, 3}},
      {4, {2, 3, 5, 4}, 4, {0, 0, 0, 0}, {2, 0, 0, 4}, {1, 1, 1, 2}, 0, 0, 2, 4, 0, 5, {2, 3, 5, 1, 2}},
      {2, {5, 6}, 3, {0, 1, 0}, {0, 5, 0}, {1, 2, 1}, 0, 0, 0, 5, 0, 4, {1, 2, 1, 6}},
      {3, {4, 3, 5}, 2, {0, 2}, {0, 3}, {1, 1}, 0, 0, 1, 0, 2, 2, {4, 3}},
      {2, {7, 3}, 2, {-1, 0}, {0, 0}, {-2, 1}, 0, 0, 0, 2, 0, 3, {3, 1, 3}},
      {3, {2, 3, 4}, 2, {0, 1}, {0, 3}, {1, 1}, 0, 0, 1, 1, 0, 3, {2, 3, 2}},
      {3, {3, 2, 5}, 3, {1, 0, 0}, {3, 0, 0}, {1, 1, 1}, 0, 4, 2, 4, 0, 4, {2, 2, 5, 1}},
      {4, {1, 3, 2, 3}, 3, {0, 0, 2}, {0, 0, 3}, {1, 1, 1}, 1, 1, 2, 2, 0, 4, {1, 3, 2, 1}}};
  for (size_t i = 0; i < sizeof cs / sizeof cs[0] && !c->failed; i++) {
    for (int t = 0; t < 3 && !c->failed; t++) {
      lf_zoo z;
      if (begin(c, &z, sh_types[t] == LFRT_FLOAT32) < 0) return;
      int x = sh_act(&z, sh_types[t], cs[i].nd, cs[i].s, -1);
      int bt = sh_ints(&z, 0, cs[i].nb, cs[i].b), et = sh_ints(&z, 0, cs[i].nb, cs[i].e), stt = sh_ints(&z, 0, cs[i].nb, cs[i].st);
      int y = sh_act(&z, sh_types[t], cs[i].no, cs[i].so, x);
      lfrt_options o;
      memset(&o, 0, sizeof o);
      o.strided_slice.begin_mask = cs[i].bm;
      o.strided_slice.end_mask = cs[i].em;
      o.strided_slice.ellipsis_mask = cs[i].ell;
      o.strided_slice.new_axis_mask = cs[i].na;
      o.strided_slice.shrink_axis_mask = cs[i].sm;
      int32_t oi[4] = {x, bt, et, stt};
      y = lf_zoo_op(&z, LFRT_OP_STRIDED_SLICE, oi, 4, y, &o);
      char a[64], bb[64], cc[64], dd[64];
      sh_end(c, &z, LFRT_OP_STRIDED_SLICE, sh_types[t], &x, 1, &y, 1,
             "%s in %s b %s e %s s %s masks b%d e%d ellipsis%d new_axis%d shrink%d", lfrt_type_name(sh_types[t]),
             dims_str(a, 64, cs[i].nd, cs[i].s), dims_str(bb, 64, cs[i].nb, cs[i].b), dims_str(cc, 64, cs[i].nb, cs[i].e),
             dims_str(dd, 64, cs[i].nb, cs[i].st), cs[i].bm, cs[i].em, cs[i].ell, cs[i].na, cs[i].sm);
    }
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
  gen_fp16(&c);
  gen_float_ops(&c);
  gen_shape_ops(&c); /* shape ops */
  gen_u8(&c); /* uint8 */
  gen_math_q8(&c); /* math ops (issue 11) */
  gen_arg_minmax(&c);
  gen_l2norm(&c);
  gen_binary(&c, LFRT_OP_SUB, 6); /* int8 (and more float) SUB, MAXIMUM, MINIMUM */
  gen_binary(&c, LFRT_OP_MAXIMUM, 4);
  gen_binary(&c, LFRT_OP_MINIMUM, 4);
  /* batch matmul etc. */
  gen_batch_matmul(&c);
  gen_sqdiff_prelu_q8(&c);
  gen_sslice_masks(&c);
  gen_movenet(&c); /* movenet: last, so the cases before keep their random draws */
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
  } else if (type == LFRT_BOOL) { /* movenet: a C++ bool holds 0 or 1 only */
    uint8_t *b = data;
    for (size_t i = 0; i < bytes; i++) b[i] = (uint8_t)(lf_zoo_rand(rng) & 1);
  } else {
    uint8_t *b = data;
    for (size_t i = 0; i < bytes; i++) b[i] = (uint8_t)lf_zoo_rand(rng);
  }
}
