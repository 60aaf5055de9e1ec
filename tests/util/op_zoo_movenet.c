/* movenet: CAST, FLOOR_DIV, GATHER_ND cases of the op zoo (op_zoo_movenet.h). */
#include "op_zoo_movenet.h"

#include <stdio.h>
#include <string.h>

static const char *dims(char *b, size_t n, int nd, const int32_t *s) {
  size_t k = (size_t)snprintf(b, n, "[");
  for (int d = 0; d < nd && k < n; d++) k += (size_t)snprintf(b + k, n - k, d ? ",%d" : "%d", (int)s[d]);
  if (k < n) snprintf(b + k, n - k, "]");
  return b;
}

/* A run-time tensor; int8/uint8 get a random quantization (CAST ignores it). */
static int act(lf_zoo *z, lfrt_type ty, int nd, const int32_t *s, int quant) {
  lf_zoo_q q = lf_zoo_pick_q(z, 1.0f, LFRT_ACT_NONE);
  if (ty == LFRT_UINT8) q.zp += 128;
  return lf_zoo_tensor_raw(z, "act", ty, nd, s, NULL, 0, quant && (ty == LFRT_INT8 || ty == LFRT_UINT8) ? &q : NULL, 1.0f);
}

/* ---- CAST ---------------------------------------------------------------------------- */
static const struct {
  lfrt_type from, to;
  int nd;
  int32_t s[4];
} casts[] = {
    {LFRT_FLOAT32, LFRT_INT32, 4, {1, 7, 5, 3}}, {LFRT_FLOAT32, LFRT_INT64, 1, {13}},
    {LFRT_FLOAT32, LFRT_INT8, 3, {2, 3, 5}},     {LFRT_FLOAT32, LFRT_INT16, 2, {7, 11}},
    {LFRT_FLOAT32, LFRT_BOOL, 2, {3, 5}},        {LFRT_INT32, LFRT_FLOAT32, 2, {5, 7}},
    {LFRT_INT32, LFRT_UINT8, 2, {11, 3}},        {LFRT_INT32, LFRT_INT8, 2, {1, 13}},
    {LFRT_INT32, LFRT_INT16, 1, {17}},           {LFRT_INT32, LFRT_INT64, 3, {2, 3, 7}},
    {LFRT_INT32, LFRT_BOOL, 1, {7}},             {LFRT_UINT8, LFRT_FLOAT32, 3, {3, 3, 7}},
    {LFRT_INT8, LFRT_INT32, 2, {5, 11}},         {LFRT_INT8, LFRT_UINT8, 1, {19}},
    {LFRT_INT16, LFRT_INT32, 2, {5, 3}},         {LFRT_INT64, LFRT_INT32, 2, {7, 3}},
    {LFRT_BOOL, LFRT_FLOAT32, 1, {6}},           {LFRT_BOOL, LFRT_INT32, 2, {3, 3}},
    {LFRT_UINT8, LFRT_INT8, 4, {1, 5, 3, 2}},    {LFRT_INT64, LFRT_FLOAT32, 1, {11}},
};
#define N_CAST ((int)(sizeof casts / sizeof casts[0]))

static void cast_case(lf_zoo *z, int i, lf_u8case *k) {
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int bool_in = casts[i].from == LFRT_BOOL, x0 = act(z, bool_in ? LFRT_FLOAT32 : casts[i].from, casts[i].nd, casts[i].s, 1), x = x0;
  if (bool_in) { /* LiteRT's JS layer cannot feed a BOOL input: FLOAT32 (some exact zeros) -> BOOL first */
    x = act(z, LFRT_BOOL, casts[i].nd, casts[i].s, 0);
    o.cast.in_data_type = LFRT_FLOAT32;
    o.cast.out_data_type = LFRT_BOOL;
    x = lf_zoo_op(z, LFRT_OP_CAST, &x0, 1, x, &o);
  }
  int y = act(z, casts[i].to, casts[i].nd, casts[i].s, 0);
  o.cast.in_data_type = casts[i].from;
  o.cast.out_data_type = casts[i].to;
  k->op = LFRT_OP_CAST;
  k->out = lf_zoo_op(z, LFRT_OP_CAST, &x, 1, y, &o);
  k->ins[0] = x0;
  k->nin = 1;
  k->in_type[0] = bool_in ? LFRT_FLOAT32 : casts[i].from;
  k->out_type = casts[i].to;
  char a[64];
  snprintf(k->desc, sizeof k->desc, "CAST %s -> %s %s%s", lfrt_type_name(casts[i].from), lfrt_type_name(casts[i].to),
           dims(a, sizeof a, casts[i].nd, casts[i].s),
           casts[i].from == LFRT_INT8 || casts[i].from == LFRT_UINT8 ? " (quantized input)"
           : bool_in                                                 ? " (after a FLOAT32 -> BOOL CAST)" : "");
}

/* ---- FLOOR_DIV ------------------------------------------------------------------------- */
static const struct {
  lfrt_type ty;
  int na, nb, b_runtime;
  int32_t sa[5], sb[5];
} fdivs[] = {
    {LFRT_FLOAT32, 3, 3, 0, {3, 5, 7}, {3, 5, 7}},
    {LFRT_FLOAT32, 4, 1, 0, {2, 3, 5, 7}, {7}},
    {LFRT_FLOAT32, 3, 3, 0, {5, 1, 3}, {1, 4, 1}},
    {LFRT_FLOAT32, 5, 3, 0, {2, 1, 3, 1, 5}, {3, 1, 1}},
    {LFRT_INT32, 2, 2, 0, {11, 13}, {11, 13}},
    {LFRT_INT32, 4, 1, 0, {1, 3, 5, 7}, {7}},
    {LFRT_INT32, 5, 2, 0, {3, 1, 2, 1, 5}, {2, 1}},
    {LFRT_INT32, 1, 1, 1, {13}, {13}},
};
#define N_FDIV ((int)(sizeof fdivs / sizeof fdivs[0]))

static void fdiv_case(lf_zoo *z, int i, lf_u8case *k) {
  int na = fdivs[i].na, nb = fdivs[i].nb, ny = na > nb ? na : nb;
  int32_t sy[5];
  for (int d = 0; d < ny; d++) {
    int da = d - (ny - na), db = d - (ny - nb);
    int32_t va = da >= 0 ? fdivs[i].sa[da] : 1, vb = db >= 0 ? fdivs[i].sb[db] : 1;
    sy[d] = va > vb ? va : vb;
  }
  lfrt_type ty = fdivs[i].ty;
  int a = act(z, ty, na, fdivs[i].sa, 0), b;
  if (fdivs[i].b_runtime) {
    b = act(z, ty, nb, fdivs[i].sb, 0); /* random int32 bytes: 0 has odds 2^-32 */
  } else { /* constant nonzero divisors, both signs, some exact (ties of floor) */
    int cnt = 1;
    for (int d = 0; d < nb; d++) cnt *= fdivs[i].sb[d];
    float fv[256];
    int32_t iv[256];
    for (int e = 0; e < cnt && e < 256; e++) {
      int m = lf_zoo_randint(&z->rng, 1, 9) * (lf_zoo_randint(&z->rng, 0, 1) ? 1 : -1);
      iv[e] = e % 5 == 4 ? m * 1000003 : m;
      fv[e] = e % 3 == 2 ? (float)m * 0.25f : lf_zoo_uniform(&z->rng, 0.1f, 3.0f) * (m < 0 ? -1.0f : 1.0f);
    }
    b = lf_zoo_tensor_raw(z, "divisor", ty, nb, fdivs[i].sb, ty == LFRT_FLOAT32 ? (const void *)fv : (const void *)iv,
                          (size_t)cnt * 4, NULL, 0);
  }
  int y = act(z, ty, ny, sy, 0);
  int32_t oi[2] = {a, b};
  k->op = LFRT_OP_FLOOR_DIV;
  k->out = lf_zoo_op(z, LFRT_OP_FLOOR_DIV, oi, 2, y, NULL);
  k->ins[0] = a;
  k->ins[1] = b;
  k->nin = fdivs[i].b_runtime ? 2 : 1;
  k->in_type[0] = k->in_type[1] = k->out_type = ty;
  char s1[64], s2[64];
  snprintf(k->desc, sizeof k->desc, "FLOOR_DIV %s %s by %s%s", lfrt_type_name(ty), dims(s1, 64, na, fdivs[i].sa),
           dims(s2, 64, nb, fdivs[i].sb), fdivs[i].b_runtime ? " (run-time divisor)" : " const");
}

/* ---- GATHER_ND ------------------------------------------------------------------------ */
static const struct {
  lfrt_type ty;
  int np, ni, idx64;
  int32_t sp[6], si[3];
} gnds[] = {
    {LFRT_FLOAT32, 2, 2, 0, {5, 7}, {3, 2}},
    {LFRT_INT8, 3, 2, 0, {2, 3, 5}, {4, 1}},
    {LFRT_UINT8, 4, 3, 0, {3, 1, 5, 2}, {2, 2, 3}},
    {LFRT_INT32, 1, 2, 0, {7}, {5, 1}},
    {LFRT_FLOAT32, 5, 2, 1, {2, 3, 2, 3, 2}, {3, 4}},
    {LFRT_INT8, 6, 2, 0, {2, 1, 3, 1, 2, 3}, {2, 6}},
    {LFRT_FLOAT32, 3, 3, 0, {3, 3, 5}, {2, 2, 2}},
    {LFRT_INT32, 3, 1, 1, {5, 3, 2}, {2}},
};
#define N_GND ((int)(sizeof gnds / sizeof gnds[0]))

static void gnd_case(lf_zoo *z, int i, lf_u8case *k) {
  lfrt_type ty = gnds[i].ty;
  int np = gnds[i].np, ni = gnds[i].ni, nd = gnds[i].si[ni - 1], ns = 1, no = 0;
  int32_t so[8], iv[64];
  int64_t lv[64];
  for (int d = 0; d < ni - 1; d++) {
    so[no++] = gnds[i].si[d];
    ns *= gnds[i].si[d];
  }
  for (int d = nd; d < np; d++) so[no++] = gnds[i].sp[d];
  for (int s = 0; s < ns; s++)
    for (int j = 0; j < nd; j++) {
      iv[s * nd + j] = lf_zoo_randint(&z->rng, 0, gnds[i].sp[j] - 1);
      lv[s * nd + j] = iv[s * nd + j];
    }
  int x = act(z, ty, np, gnds[i].sp, 1);
  int ix = lf_zoo_tensor_raw(z, "indices", gnds[i].idx64 ? LFRT_INT64 : LFRT_INT32, ni, gnds[i].si,
                             gnds[i].idx64 ? (const void *)lv : (const void *)iv, (size_t)(ns * nd) * (gnds[i].idx64 ? 8 : 4),
                             NULL, 0);
  lf_zoo_q q = {1.0f, 0};
  if (!z->failed && (ty == LFRT_INT8 || ty == LFRT_UINT8)) {
    q.scale = z->t[x].scale;
    q.zp = z->t[x].zp;
  }
  int y = lf_zoo_tensor_raw(z, "act", ty, no, so, NULL, 0, ty == LFRT_INT8 || ty == LFRT_UINT8 ? &q : NULL, 1.0f);
  int32_t oi[2] = {x, ix};
  k->op = LFRT_OP_GATHER_ND;
  k->out = lf_zoo_op(z, LFRT_OP_GATHER_ND, oi, 2, y, NULL);
  k->ins[0] = x;
  k->nin = 1;
  k->in_type[0] = k->out_type = ty;
  char s1[64], s2[64];
  snprintf(k->desc, sizeof k->desc, "GATHER_ND %s params %s indices %s%s const", lfrt_type_name(ty),
           dims(s1, 64, np, gnds[i].sp), dims(s2, 64, ni, gnds[i].si), gnds[i].idx64 ? " int64" : "");
}

/* ---- the rest of movenet: SQRT (of x*x: no NaN), int32 ADD/SUB/MUL, PACK int32, and
 * int8 SUB on TFLite's builtin path (movenet subtracts a constant of scale 1e-6 from its
 * scale-1 input: XNNPACK declines the ratio) ---------------------------------------------- */
#define N_REST 8
static void rest_case(lf_zoo *z, int i, lf_u8case *k) {
  char s1[64];
  if (i == 0) { /* SQRT(x * x), FLOAT32 [3,5,7] */
    int32_t s[3] = {3, 5, 7};
    int x = act(z, LFRT_FLOAT32, 3, s, 0), sq = act(z, LFRT_FLOAT32, 3, s, 0), y = act(z, LFRT_FLOAT32, 3, s, 0);
    int32_t mi[2] = {x, x};
    lfrt_options o;
    memset(&o, 0, sizeof o);
    sq = lf_zoo_op(z, LFRT_OP_MUL, mi, 2, sq, &o);
    k->op = LFRT_OP_SQRT;
    k->out = lf_zoo_op(z, LFRT_OP_SQRT, &sq, 1, y, NULL);
    k->ins[0] = x;
    k->nin = 1;
    k->in_type[0] = k->out_type = LFRT_FLOAT32;
    snprintf(k->desc, sizeof k->desc, "SQRT FLOAT32 %s (of x*x)", dims(s1, 64, 3, s));
    return;
  }
  if (i <= 3) { /* int32 MUL by a constant, SUB of two run-time tensors (wraps), ADD with RELU6 */
    static const lfrt_op ops[3] = {LFRT_OP_MUL, LFRT_OP_SUB, LFRT_OP_ADD};
    static const int32_t sa[3][3] = {{1, 5, 7}, {3, 5, 1}, {2, 3, 5}}, sb[3][3] = {{1, 1, 7}, {3, 5, 1}, {1, 1, 5}};
    lfrt_op op = ops[i - 1];
    int32_t cv[7];
    for (int e = 0; e < 7; e++) cv[e] = lf_zoo_randint(&z->rng, -40, 40) * (e == 3 ? 1000 : 1);
    int a = act(z, LFRT_INT32, 3, sa[i - 1], 0);
    int b = op == LFRT_OP_SUB ? act(z, LFRT_INT32, 3, sb[i - 1], 0)
                              : lf_zoo_tensor_raw(z, "const", LFRT_INT32, 3, sb[i - 1], cv, (size_t)sb[i - 1][2] * 4, NULL, 0);
    int y = act(z, LFRT_INT32, 3, sa[i - 1], 0);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    if (op == LFRT_OP_ADD) o.add.activation = LFRT_ACT_RELU6;
    int32_t oi[2] = {a, b};
    k->op = op;
    k->out = lf_zoo_op(z, op, oi, 2, y, &o);
    k->ins[0] = a;
    k->ins[1] = b;
    k->nin = op == LFRT_OP_SUB ? 2 : 1;
    k->in_type[0] = k->in_type[1] = k->out_type = LFRT_INT32;
    snprintf(k->desc, sizeof k->desc, "%s INT32 %s%s", lfrt_op_name(op), dims(s1, 64, 3, sa[i - 1]),
             op == LFRT_OP_SUB ? " - run-time (wraps)" : op == LFRT_OP_ADD ? " + const, RELU6" : " * const");
    return;
  }
  if (i <= 5) { /* PACK of three INT32 [17] along axis 1 (movenet's stack) or 0 */
    int32_t s[1] = {17}, so[2] = {17, 3};
    int axis = i == 4 ? 1 : 0;
    if (!axis) {
      so[0] = 3;
      so[1] = 17;
    }
    int p[3];
    for (int j = 0; j < 3; j++) p[j] = act(z, LFRT_INT32, 1, s, 0);
    int y = act(z, LFRT_INT32, 2, so, 0);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    o.pack.count = 3;
    o.pack.axis = axis;
    k->op = LFRT_OP_PACK;
    k->out = lf_zoo_op(z, LFRT_OP_PACK, p, 3, y, &o);
    for (int j = 0; j < 3; j++) {
      k->ins[j] = p[j];
      k->in_type[j] = LFRT_INT32;
    }
    k->nin = 3;
    k->out_type = LFRT_INT32;
    snprintf(k->desc, sizeof k->desc, "PACK INT32 3 x [17] axis %d", axis);
    return;
  }
  /* int8 SUB, TFLite's builtin path: b/out scale ratio below 2^-10 (movenet's), or a/out >= 2^8 */
  int32_t s[4] = {1, 7, 5, 3}, sb[4] = {1, 1, 1, 3};
  lf_zoo_q qa = {i == 6 ? 1.0f : 0.75f, -128}, qb = {i == 6 ? 1e-6f : 0.02f, 0}, qy = {i == 6 ? 1.0f : 0.0025f, -128};
  if (i == 7) qa.zp = lf_zoo_randint(&z->rng, -20, 20);
  int8_t bv[3];
  for (int e = 0; e < 3; e++) bv[e] = (int8_t)lf_zoo_randint(&z->rng, -128, 127);
  int a = lf_zoo_tensor_raw(z, "act", LFRT_INT8, 4, s, NULL, 0, &qa, 1.0f);
  int b = lf_zoo_tensor_raw(z, "const", LFRT_INT8, 4, sb, bv, 3, &qb, 0);
  int y = lf_zoo_tensor_raw(z, "act", LFRT_INT8, 4, s, NULL, 0, &qy, 1.0f);
  int32_t oi[2] = {a, b};
  lfrt_options o;
  memset(&o, 0, sizeof o);
  k->op = LFRT_OP_SUB;
  k->out = lf_zoo_op(z, LFRT_OP_SUB, oi, 2, y, &o);
  k->ins[0] = a;
  k->nin = 1;
  k->in_type[0] = k->out_type = LFRT_INT8;
  snprintf(k->desc, sizeof k->desc, "SUB INT8 %s - const %s, scales a %g b %g out %g (TFLite's builtin path)",
           dims(s1, 64, 4, s), "[1,1,1,3]", (double)qa.scale, (double)qb.scale, (double)qy.scale);
}

int lf_opzoo_mv_count(void) { return N_CAST + N_FDIV + N_GND + N_REST; }

int lf_opzoo_mv_fp32(int i) {
  if (i < N_CAST) return casts[i].from == LFRT_FLOAT32;
  if ((i -= N_CAST) < N_FDIV) return fdivs[i].ty == LFRT_FLOAT32;
  if ((i -= N_FDIV) < N_GND) return gnds[i].ty == LFRT_FLOAT32;
  return i - N_GND == 0; /* SQRT */
}

int lf_opzoo_mv_case(lf_zoo *z, int i, lf_u8case *k) {
  memset(k, 0, sizeof *k);
  k->out = -1;
  if (i < N_CAST) cast_case(z, i, k);
  else if ((i -= N_CAST) < N_FDIV) fdiv_case(z, i, k);
  else if ((i -= N_FDIV) < N_GND) gnd_case(z, i, k);
  else if ((i -= N_GND) < N_REST) rest_case(z, i, k);
  return z->failed || k->out < 0 ? -1 : 0;
}
