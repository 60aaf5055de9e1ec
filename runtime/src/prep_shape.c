/* Prepare of the shape ops (data movement): TRANSPOSE, SLICE, STRIDED_SLICE,
 * SPLIT, SPLIT_V, PACK, UNPACK, DEPTH_TO_SPACE, SPACE_TO_DEPTH become strided
 * copies (lfrt_move_params, one per input/output pair), GATHER a row gather.
 * Types: FLOAT32, INT8, UINT8, INT32 (movenet), byte for byte; a quantized output must have
 * its input's scale and zero point, as LiteRT requires. Every shape operand
 * (perm, begin, size, strides, axis, size_splits) must be a constant: a shape
 * computed at run time is refused here. Semantics follow TFLite's kernels. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"

#define T(i) (&it->m->tensors[(i)])
#define FAIL(st, ...) return lfrt_node_error(it, idx, err, st, __VA_ARGS__)

/* Element type the data may move as, and the quantization LiteRT wants kept. */
static lfrt_status check_pair(const lfrt_interp *it, int idx, const lfrt_tensor *x, const lfrt_tensor *y,
                              lfrt_error *err) {
  if (x->type != LFRT_FLOAT32 && x->type != LFRT_INT8 && x->type != LFRT_UINT8 && x->type != LFRT_INT32) /* movenet: INT32 */
    FAIL(LFRT_EUNSUPPORTED, "type %s of '%s' (FLOAT32, INT8, UINT8 and INT32 are supported)", lfrt_type_name(x->type), x->name);
  if (y->type != x->type)
    FAIL(LFRT_EBADFILE, "output '%s' is %s, input '%s' %s", y->name, lfrt_type_name(y->type), x->name, lfrt_type_name(x->type));
  if (x->type == LFRT_FLOAT32 || x->type == LFRT_INT32) return LFRT_OK;
  if (x->quant.count > 1 || y->quant.count > 1)
    FAIL(LFRT_EUNSUPPORTED, "'%s' or '%s' has per-axis quantization (per-tensor is supported)", x->name, y->name);
  if (x->quant.count != y->quant.count ||
      (x->quant.count && (x->quant.scale[0] != y->quant.scale[0] || x->quant.zero_point[0] != y->quant.zero_point[0])))
    FAIL(LFRT_EUNSUPPORTED, "input '%s' (scale %g, zp %d) and output '%s' (scale %g, zp %d) must share quantization",
         x->name, x->quant.count ? (double)x->quant.scale[0] : 0.0, x->quant.count ? (int)x->quant.zero_point[0] : 0,
         y->name, y->quant.count ? (double)y->quant.scale[0] : 0.0, y->quant.count ? (int)y->quant.zero_point[0] : 0);
  return LFRT_OK;
}

/* The values of a constant int32/int64 shape operand (at most `max`) and their count. */
static lfrt_status const_ints(const lfrt_interp *it, int idx, int t, const char *what, int64_t *v, int max, int *count,
                              lfrt_error *err) {
  const lfrt_tensor *s = T(t);
  if (!s->data)
    FAIL(LFRT_EUNSUPPORTED, "%s '%s' is computed at run time (dynamic shapes are not supported; it must be a constant)", what,
         s->name);
  if (s->type != LFRT_INT32 && s->type != LFRT_INT64)
    FAIL(LFRT_EUNSUPPORTED, "%s '%s' is %s (int32 or int64 expected)", what, s->name, lfrt_type_name(s->type));
  if (s->ndim > 1 || s->count > max)
    FAIL(LFRT_EBADFILE, "%s '%s' is %d-D with %lld values (at most %d, in one dim)", what, s->name, s->ndim, (long long)s->count, max);
  for (int64_t i = 0; i < s->count; i++)
    v[i] = s->type == LFRT_INT32 ? ((const int32_t *)s->data)[i] : ((const int64_t *)s->data)[i];
  *count = (int)s->count;
  return LFRT_OK;
}

static void strides_of(const lfrt_tensor *t, int64_t *st) {
  int64_t s = 1;
  for (int d = t->ndim - 1; d >= 0; d--) {
    st[d] = s;
    s *= t->shape[d];
  }
}

/* Piece k of a K_MOVE node: drops dims of 1, merges dims that stay contiguous
 * in both source and destination, counts the rows. */
static void set_move(lfrt_node *n, int k, int src, int dst, int ndim, const int32_t *count, const int64_t *ss,
                     const int64_t *ds, int64_t so, int64_t dso, int elem) {
  lfrt_move_params *p = &n->moves[k];
  memset(p, 0, sizeof *p);
  p->elem = elem;
  p->src_offset = so;
  p->dst_offset = dso;
  int m = 0;
  for (int d = 0; d < ndim; d++) {
    if (count[d] == 1) continue;
    if (m > 0 && p->src_stride[m - 1] == ss[d] * count[d] && p->dst_stride[m - 1] == ds[d] * count[d]) {
      p->count[m - 1] *= count[d];
      p->src_stride[m - 1] = ss[d];
      p->dst_stride[m - 1] = ds[d];
      continue;
    }
    p->count[m] = count[d];
    p->src_stride[m] = ss[d];
    p->dst_stride[m] = ds[d];
    m++;
  }
  if (m == 0) { /* one element */
    p->count[0] = 1;
    p->src_stride[0] = p->dst_stride[0] = 1;
    m = 1;
  }
  p->ndim = m;
  p->rows = 1;
  for (int d = 0; d < m - 1; d++) p->rows *= p->count[d];
  n->move_io[2 * k] = src;
  n->move_io[2 * k + 1] = dst;
  if (p->rows > n->work) n->work = p->rows;
}

static lfrt_status alloc_moves(lfrt_interp *it, int idx, lfrt_node *n, int count, lfrt_error *err) {
  n->moves = calloc((size_t)count, sizeof *n->moves);
  n->move_io = calloc((size_t)count * 2, sizeof *n->move_io);
  if (!n->moves || !n->move_io) FAIL(LFRT_ENOMEM, "out of memory");
  it->state_bytes += (size_t)count * (sizeof *n->moves + 2 * sizeof *n->move_io);
  n->nmove = count;
  n->kind = K_MOVE;
  n->work = 0;
  return LFRT_OK;
}

static lfrt_status want_shape(const lfrt_interp *it, int idx, const lfrt_tensor *y, int nd, const int32_t *shape,
                              lfrt_error *err) {
  int ok = y->ndim == nd;
  for (int d = 0; ok && d < nd; d++) ok = y->shape[d] == shape[d];
  if (ok) return LFRT_OK;
  char s1[80], s2[80];
  lfrt_tensor want;
  memset(&want, 0, sizeof want);
  want.ndim = nd;
  memcpy(want.shape, shape, (size_t)nd * sizeof *shape);
  FAIL(LFRT_EBADFILE, "output '%s' is %s; the op gives %s", y->name, lfrt_shape_str(y, s1, sizeof s1), lfrt_shape_str(&want, s2, sizeof s2));
}

/* ---- one input, one output ---------------------------------------------------------- */
static lfrt_status prep_transpose(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                                  lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  int64_t perm[LFRT_MAX_DIMS];
  int np;
  lfrt_status np_st = const_ints(it, idx, op->inputs[1], "perm", perm, LFRT_MAX_DIMS, &np, err);
  if (np_st) return np_st;
  if (np != x->ndim) FAIL(LFRT_EBADFILE, "perm has %d entries for a %d-D input", np, x->ndim);
  if (T(op->inputs[1])->type != LFRT_INT32) FAIL(LFRT_EUNSUPPORTED, "perm must be int32 (LiteRT refuses an int64 perm)");
  int32_t shape[LFRT_MAX_DIMS];
  int64_t xs[LFRT_MAX_DIMS], ss[LFRT_MAX_DIMS], ds[LFRT_MAX_DIMS];
  unsigned seen = 0;
  strides_of(x, xs);
  for (int d = 0; d < np; d++) {
    if (perm[d] < 0 || perm[d] >= np || (seen >> perm[d] & 1u))
      FAIL(LFRT_EBADFILE, "perm[%d] = %lld: not a permutation of 0..%d", d, (long long)perm[d], np - 1);
    seen |= 1u << perm[d];
    shape[d] = x->shape[perm[d]];
    ss[d] = xs[perm[d]];
  }
  lfrt_status st = want_shape(it, idx, y, np, shape, err);
  if (st) return st;
  strides_of(y, ds);
  if ((st = alloc_moves(it, idx, n, 1, err))) return st;
  set_move(n, 0, op->inputs[0], op->outputs[0], np, shape, ss, ds, 0, 0, (int)lfrt_type_size(x->type));
  return LFRT_OK;
}

static lfrt_status prep_slice(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                              lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  int64_t b[LFRT_MAX_DIMS], sz[LFRT_MAX_DIMS], xs[LFRT_MAX_DIMS], ds[LFRT_MAX_DIMS];
  int nb;
  lfrt_status nb_st = const_ints(it, idx, op->inputs[1], "begin", b, LFRT_MAX_DIMS, &nb, err);
  if (nb_st) return nb_st;
  int ns;
  lfrt_status ns_st = const_ints(it, idx, op->inputs[2], "size", sz, LFRT_MAX_DIMS, &ns, err);
  if (ns_st) return ns_st;
  if (nb != x->ndim || ns != x->ndim) FAIL(LFRT_EBADFILE, "begin (%d) and size (%d) must have one entry per input dim (%d)", nb, ns, x->ndim);
  int32_t shape[LFRT_MAX_DIMS];
  int64_t off = 0;
  strides_of(x, xs);
  for (int d = 0; d < nb; d++) {
    int64_t s = sz[d] == -1 ? x->shape[d] - b[d] : sz[d];
    if (b[d] < 0 || s < 1 || b[d] > x->shape[d] - s)
      FAIL(LFRT_EBADFILE, "dim %d: begin %lld size %lld is outside the input's %d", d, (long long)b[d], (long long)sz[d], (int)x->shape[d]);
    shape[d] = (int32_t)s;
    off += b[d] * xs[d];
  }
  lfrt_status st = want_shape(it, idx, y, nb, shape, err);
  if (st) return st;
  strides_of(y, ds);
  if ((st = alloc_moves(it, idx, n, 1, err))) return st;
  set_move(n, 0, op->inputs[0], op->outputs[0], nb, shape, xs, ds, off, 0, (int)lfrt_type_size(x->type));
  return LFRT_OK;
}

/* TFLite's StartForAxis / StopForAxis: masks, negative indices, clamping. */
static int64_t clamp64(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : v > hi ? hi : v; }

static lfrt_status prep_strided_slice(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                                      lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_strided_slice_options *o = &op->opt.strided_slice;
  if (o->offset) FAIL(LFRT_EUNSUPPORTED, "offset=true (end relative to begin) is not supported");
  if (x->ndim > 5) FAIL(LFRT_EUNSUPPORTED, "%d-D input (LiteRT's STRIDED_SLICE takes up to 5-D)", x->ndim);
  int64_t b[LFRT_MAX_DIMS], e[LFRT_MAX_DIMS], s[LFRT_MAX_DIMS], xs[LFRT_MAX_DIMS], ds[LFRT_MAX_DIMS], ss[LFRT_MAX_DIMS];
  int nb;
  lfrt_status nb_st = const_ints(it, idx, op->inputs[1], "begin", b, LFRT_MAX_DIMS, &nb, err);
  if (nb_st) return nb_st;
  int ne;
  lfrt_status ne_st = const_ints(it, idx, op->inputs[2], "end", e, LFRT_MAX_DIMS, &ne, err);
  if (ne_st) return ne_st;
  int nst;
  lfrt_status nst_st = const_ints(it, idx, op->inputs[3], "strides", s, LFRT_MAX_DIMS, &nst, err);
  if (nst_st) return nst_st;
  if (nb != ne || nb != nst)
    FAIL(LFRT_EBADFILE, "begin, end and strides have %d, %d and %d entries", nb, ne, nst);
  /* batch matmul etc. (issue 11): ellipsis_mask and new_axis_mask. The spec is
   * rewritten per input dim (an ellipsis = full ranges over the dims the other
   * entries leave; a new axis consumes no input dim and puts a 1 in the output
   * shape, and is ignored where the ellipsis bit is set too, as TFLite); seq
   * lists the output's dims in order (-1: a new axis). */
  int ell = -1, nreal = 0, nnew = 0, seq[2 * LFRT_MAX_DIMS], nseq = 0;
  for (int i = 0; i < nb; i++) {
    if (o->ellipsis_mask >> i & 1) {
      if (ell >= 0) FAIL(LFRT_EBADFILE, "ellipsis_mask %d has more than one bit set", o->ellipsis_mask);
      ell = i;
    } else if (o->new_axis_mask >> i & 1) {
      if (o->shrink_axis_mask >> i & 1) FAIL(LFRT_EUNSUPPORTED, "new_axis_mask and shrink_axis_mask both set at index %d", i);
      nnew++;
    } else {
      nreal++;
    }
  }
  if (nreal > x->ndim) FAIL(LFRT_EBADFILE, "%d slice entries for a %d-D input", nreal, x->ndim);
  if (x->ndim + nnew > 5) FAIL(LFRT_EUNSUPPORTED, "%d-D with the new axes (LiteRT's STRIDED_SLICE takes up to 5-D)", x->ndim + nnew);
  int64_t cb[LFRT_MAX_DIMS], ce[LFRT_MAX_DIMS], cs[LFRT_MAX_DIMS];
  int bmask = 0, emask = 0, smask = 0, dim = 0;
  for (int i = 0; i <= nb && dim <= x->ndim; i++) {
    int fill = i == ell ? x->ndim - nreal : i == nb && ell < 0 ? x->ndim - dim : 0;
    for (int k = 0; k < fill; k++, dim++) { /* full range */
      cb[dim] = ce[dim] = 0;
      cs[dim] = 1;
      bmask |= 1 << dim;
      emask |= 1 << dim;
      seq[nseq++] = dim;
    }
    if (i == nb || i == ell) continue;
    if (o->new_axis_mask >> i & 1) {
      seq[nseq++] = -1;
      continue;
    }
    cb[dim] = b[i];
    ce[dim] = e[i];
    cs[dim] = s[i];
    bmask |= (o->begin_mask >> i & 1) << dim;
    emask |= (o->end_mask >> i & 1) << dim;
    smask |= (o->shrink_axis_mask >> i & 1) << dim;
    seq[nseq++] = dim++;
  }
  for (int d = 0; d < x->ndim; d++) {
    b[d] = cb[d];
    e[d] = ce[d];
    s[d] = cs[d];
  }
  nb = x->ndim;
  lfrt_strided_slice_options canon = *o;
  canon.begin_mask = bmask;
  canon.end_mask = emask;
  canon.shrink_axis_mask = smask;
  o = &canon;
  strides_of(x, xs);
  int32_t count[LFRT_MAX_DIMS], oshape[LFRT_MAX_DIMS];
  int no = 0;
  int64_t off = 0;
  for (int d = 0; d < x->ndim; d++) {
    int64_t size = x->shape[d], stride = d < nb ? s[d] : 1, start, stop;
    int shrink = d < nb && (o->shrink_axis_mask >> d & 1);
    if (stride == 0) FAIL(LFRT_EBADFILE, "stride of dim %d is 0", d);
    if (d >= nb || (o->begin_mask >> d & 1)) start = stride > 0 ? 0 : size - 1;
    else {
      start = b[d] < 0 ? b[d] + size : b[d];
      start = stride > 0 ? clamp64(start, 0, size) : clamp64(start, -1, size - 1);
    }
    if (shrink && stride < 0) /* TFLite's loop then runs zero times and leaves the output unwritten */
      FAIL(LFRT_EUNSUPPORTED, "shrink_axis_mask on dim %d with a negative stride (LiteRT leaves that output unwritten)", d);
    if (shrink) {
      if (start < 0 || start >= size) FAIL(LFRT_EBADFILE, "shrink_axis dim %d: index %lld outside [0, %lld)", d, (long long)b[d], (long long)size);
      stop = start + 1;
      stride = 1;
    } else if (d >= nb || (o->end_mask >> d & 1)) {
      stop = stride > 0 ? size : -1;
    } else {
      stop = e[d] < 0 ? e[d] + size : e[d];
      stop = stride > 0 ? clamp64(stop, 0, size) : clamp64(stop, -1, size - 1);
    }
    int64_t cnt = stride > 0 ? (stop - start + stride - 1) / stride : (start - stop + (-stride) - 1) / (-stride);
    if (cnt < 1) FAIL(LFRT_EUNSUPPORTED, "dim %d is empty (begin %lld, end %lld, stride %lld): empty tensors are not supported", d,
                      (long long)(d < nb ? b[d] : 0), (long long)(d < nb ? e[d] : 0), (long long)stride);
    count[d] = (int32_t)cnt;
    ss[d] = stride * xs[d];
    off += start * xs[d];
  }
  for (int k = 0; k < nseq; k++) /* batch matmul etc.: output dims in spec order, new axes as 1 */
    if (seq[k] < 0) oshape[no++] = 1;
    else if (!(o->shrink_axis_mask >> seq[k] & 1)) oshape[no++] = count[seq[k]];
  lfrt_status st = want_shape(it, idx, y, no, oshape, err);
  if (st) return st;
  /* destination strides over the input's dims: a shrunk dim has count 1 */
  int64_t sdst = 1;
  for (int d = x->ndim - 1; d >= 0; d--) {
    ds[d] = sdst;
    sdst *= count[d];
  }
  if ((st = alloc_moves(it, idx, n, 1, err))) return st;
  set_move(n, 0, op->inputs[0], op->outputs[0], x->ndim, count, ss, ds, off, 0, (int)lfrt_type_size(x->type));
  return LFRT_OK;
}

/* DEPTH_TO_SPACE (TFLite's DCR order): y[b, h*s+i, w*s+j, c] = x[b, h, w, (i*s+j)*C + c];
 * SPACE_TO_DEPTH is its inverse. Both as a 6-D copy in the output's order. */
static lfrt_status prep_block(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                              lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  int d2s = op->op == LFRT_OP_DEPTH_TO_SPACE;
  int64_t bs = op->opt.block.block_size;
  char s1[64];
  if (x->ndim != 4) FAIL(LFRT_EUNSUPPORTED, "input %s must be 4-D (NHWC)", lfrt_shape_str(x, s1, sizeof s1));
  if (bs < 1 || bs > 4096) FAIL(LFRT_EBADFILE, "block_size %lld", (long long)bs);
  int32_t N = x->shape[0], H = x->shape[1], W = x->shape[2], C = x->shape[3];
  int64_t xs[4];
  strides_of(x, xs);
  int32_t want[4], count[6];
  int64_t ss[6], ds[6];
  if (d2s) {
    if (C % (bs * bs)) FAIL(LFRT_EBADFILE, "channels %d are not a multiple of block_size^2 = %lld", (int)C, (long long)(bs * bs));
    int32_t co = (int32_t)(C / (bs * bs));
    int32_t w4[4] = {N, (int32_t)(H * bs), (int32_t)(W * bs), co};
    memcpy(want, w4, sizeof want);
    int32_t c6[6] = {N, H, (int32_t)bs, W, (int32_t)bs, co};
    int64_t s6[6] = {xs[0], xs[1], bs * co, xs[2], co, 1};
    memcpy(count, c6, sizeof count);
    memcpy(ss, s6, sizeof ss);
  } else {
    if (H % bs || W % bs) FAIL(LFRT_EBADFILE, "height %d and width %d must be multiples of block_size %lld", (int)H, (int)W, (long long)bs);
    int32_t w4[4] = {N, (int32_t)(H / bs), (int32_t)(W / bs), (int32_t)(C * bs * bs)};
    memcpy(want, w4, sizeof want);
    int32_t c6[6] = {N, (int32_t)(H / bs), (int32_t)(W / bs), (int32_t)bs, (int32_t)bs, C};
    int64_t s6[6] = {xs[0], bs * xs[1], bs * xs[2], xs[1], xs[2], 1};
    memcpy(count, c6, sizeof count);
    memcpy(ss, s6, sizeof ss);
  }
  lfrt_status st = want_shape(it, idx, y, 4, want, err);
  if (st) return st;
  int64_t s = 1;
  for (int d = 5; d >= 0; d--) {
    ds[d] = s;
    s *= count[d];
  }
  if ((st = alloc_moves(it, idx, n, 1, err))) return st;
  set_move(n, 0, op->inputs[0], op->outputs[0], 6, count, ss, ds, 0, 0, (int)lfrt_type_size(x->type));
  return LFRT_OK;
}

/* ---- several outputs: SPLIT, SPLIT_V, UNPACK; several inputs: PACK ------------------ */
static int norm_axis(int64_t axis, int rank) { return (int)(axis < 0 ? axis + rank : axis); }

static lfrt_status prep_split(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  int v = op->op == LFRT_OP_SPLIT_V;
  int xi = v ? op->inputs[0] : op->inputs[1];
  const lfrt_tensor *x = T(xi);
  int64_t a[1], sizes[64];
  int na;
  lfrt_status na_st = const_ints(it, idx, v ? op->inputs[2] : op->inputs[0], "axis", a, 1, &na, err);
  if (na_st) return na_st;
  if (na != 1) FAIL(LFRT_EBADFILE, "axis must hold one value");
  int axis = norm_axis(a[0], x->ndim);
  if (axis < 0 || axis >= x->ndim) FAIL(LFRT_EBADFILE, "axis %lld is out of range for a %d-D input", (long long)a[0], x->ndim);
  int nout = op->noutputs;
  if (op->opt.split.num_splits != nout) FAIL(LFRT_EBADFILE, "num_splits %d but %d outputs", op->opt.split.num_splits, nout);
  int64_t dim = x->shape[axis];
  if (v) {
    if (nout > 64) FAIL(LFRT_EUNSUPPORTED, "%d outputs (at most 64)", nout);
    int ns;
    lfrt_status ns_st = const_ints(it, idx, op->inputs[1], "size_splits", sizes, 64, &ns, err);
    if (ns_st) return ns_st;
    if (ns != nout) FAIL(LFRT_EBADFILE, "size_splits has %d entries for %d outputs", ns, nout);
    int64_t sum = 0;
    int unknown = -1;
    for (int k = 0; k < ns; k++) {
      if (sizes[k] == -1 && unknown < 0) unknown = k;
      else if (sizes[k] < 1) FAIL(LFRT_EBADFILE, "size_splits[%d] = %lld", k, (long long)sizes[k]);
      else sum += sizes[k];
    }
    if (unknown >= 0) sizes[unknown] = dim - sum;
    if (unknown >= 0 ? sizes[unknown] < 1 : sum != dim)
      FAIL(LFRT_EBADFILE, "size_splits do not add up to dim %d of %lld", axis, (long long)dim);
  } else if (dim % nout) {
    FAIL(LFRT_EBADFILE, "dim %d of size %lld does not split into %d equal parts", axis, (long long)dim, nout);
  }
  lfrt_status st = alloc_moves(it, idx, n, nout, err);
  if (st) return st;
  int64_t xs[LFRT_MAX_DIMS], ds[LFRT_MAX_DIMS], at = 0;
  strides_of(x, xs);
  for (int k = 0; k < nout; k++) {
    const lfrt_tensor *y = T(op->outputs[k]);
    if ((st = check_pair(it, idx, x, y, err))) return st;
    int32_t shape[LFRT_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[axis] = (int32_t)(v ? sizes[k] : dim / nout);
    if ((st = want_shape(it, idx, y, x->ndim, shape, err))) return st;
    strides_of(y, ds);
    set_move(n, k, xi, op->outputs[k], x->ndim, shape, xs, ds, at * xs[axis], 0, (int)lfrt_type_size(x->type));
    at += shape[axis];
  }
  return LFRT_OK;
}

static lfrt_status prep_pack(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  int pack = op->op == LFRT_OP_PACK;
  const lfrt_tensor *big = pack ? T(op->outputs[0]) : T(op->inputs[0]);
  int pieces = pack ? op->ninputs : op->noutputs;
  int axis = norm_axis(op->opt.pack.axis, big->ndim);
  char s1[64];
  if (axis < 0 || axis >= big->ndim) FAIL(LFRT_EBADFILE, "axis %d is out of range for %s", op->opt.pack.axis, lfrt_shape_str(big, s1, sizeof s1));
  if (op->opt.pack.count != pieces || big->shape[axis] != pieces)
    FAIL(LFRT_EBADFILE, "%s %d, %d %s, and dim %d of %s must agree", pack ? "values_count" : "num", op->opt.pack.count, pieces,
         pack ? "inputs" : "outputs", axis, lfrt_shape_str(big, s1, sizeof s1));
  lfrt_status st = alloc_moves(it, idx, n, pieces, err);
  if (st) return st;
  int64_t bs[LFRT_MAX_DIMS], ps[LFRT_MAX_DIMS], bsub[LFRT_MAX_DIMS];
  int32_t shape[LFRT_MAX_DIMS];
  strides_of(big, bs);
  for (int d = 0, m = 0; d < big->ndim; d++)
    if (d != axis) {
      shape[m] = big->shape[d];
      bsub[m++] = bs[d];
    }
  for (int k = 0; k < pieces; k++) {
    int ti = pack ? op->inputs[k] : op->outputs[k];
    const lfrt_tensor *p = T(ti);
    if ((st = pack ? check_pair(it, idx, p, big, err) : check_pair(it, idx, big, p, err))) return st;
    if ((st = want_shape(it, idx, p, big->ndim - 1, shape, err))) return st;
    strides_of(p, ps);
    if (pack) set_move(n, k, ti, op->outputs[0], p->ndim, shape, ps, bsub, 0, k * bs[axis], (int)lfrt_type_size(p->type));
    else set_move(n, k, op->inputs[0], ti, p->ndim, shape, bsub, ps, k * bs[axis], 0, (int)lfrt_type_size(p->type));
  }
  return LFRT_OK;
}

/* ---- GATHER ------------------------------------------------------------------------ */
static lfrt_status prep_gather(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                               lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_tensor *ix = T(op->inputs[1]);
  char s1[64], s2[64];
  if (ix->type != LFRT_INT32 && ix->type != LFRT_INT64)
    FAIL(LFRT_EUNSUPPORTED, "indices '%s' are %s (int32 or int64 are supported)", ix->name, lfrt_type_name(ix->type));
  int axis = norm_axis(op->opt.gather.axis, x->ndim), bd = norm_axis(op->opt.gather.batch_dims, ix->ndim);
  if (axis < 0 || axis >= x->ndim) FAIL(LFRT_EBADFILE, "axis %d is out of range for params %s", op->opt.gather.axis, lfrt_shape_str(x, s1, 64));
  if (bd < 0 || bd > ix->ndim || bd > axis)
    FAIL(LFRT_EBADFILE, "batch_dims %d must be in [0, min(indices rank %d, axis %d)]", op->opt.gather.batch_dims, ix->ndim, axis);
  int32_t shape[2 * LFRT_MAX_DIMS];
  int no = 0;
  lfrt_gather_params *p = &n->p.gather;
  memset(p, 0, sizeof *p);
  p->batch = p->outer = p->nidx = 1;
  p->inner_bytes = lfrt_type_size(x->type);
  for (int d = 0; d < bd; d++) {
    if (x->shape[d] != ix->shape[d])
      FAIL(LFRT_EBADFILE, "batch dim %d differs: params %s, indices %s", d, lfrt_shape_str(x, s1, 64), lfrt_shape_str(ix, s2, 64));
    p->batch *= x->shape[d];
    shape[no++] = x->shape[d];
  }
  for (int d = bd; d < axis; d++) {
    p->outer *= x->shape[d];
    shape[no++] = x->shape[d];
  }
  for (int d = bd; d < ix->ndim; d++) {
    p->nidx *= ix->shape[d];
    shape[no++] = ix->shape[d];
  }
  for (int d = axis + 1; d < x->ndim; d++) {
    p->inner_bytes *= (size_t)x->shape[d];
    shape[no++] = x->shape[d];
  }
  if (no > LFRT_MAX_DIMS) FAIL(LFRT_EUNSUPPORTED, "output of rank %d (at most %d)", no, LFRT_MAX_DIMS);
  lfrt_status st = want_shape(it, idx, y, no, shape, err);
  if (st) return st;
  p->axis_size = x->shape[axis];
  p->idx64 = ix->type == LFRT_INT64;
  n->kind = K_GATHER;
  n->x = op->inputs[0];
  n->w = op->inputs[1];
  n->out = op->outputs[0];
  n->work = p->batch * p->outer;
  if (ix->data) return lfrt_gather_check(it, idx, ix->data, err); /* constant indices: refused now */
  return LFRT_OK;
}

lfrt_status lfrt_gather_check(const lfrt_interp *it, int idx, const void *indices, lfrt_error *err) {
  const lfrt_gather_params *p = &it->nodes[idx].p.gather;
  int64_t count = (int64_t)p->batch * p->nidx;
  for (int64_t k = 0; k < count; k++) {
    int64_t j = p->idx64 ? ((const int64_t *)indices)[k] : ((const int32_t *)indices)[k];
    if (j < 0 || j >= p->axis_size)
      FAIL(LFRT_EINVAL, "index %lld (element %lld of '%s') is outside [0, %d)", (long long)j, (long long)k,
           T(it->m->ops[idx].inputs[1])->name, p->axis_size);
  }
  return LFRT_OK;
}

/* coral: TILE (Coral's deeplab cityscapes model tiles its image-pooling vector).
 * Output dim d is multiples[d] copies of input dim d: a box of (m_d, i_d)
 * pairs whose copies read the input with stride 0; pairs of 1 drop out, and
 * when more than 6 remain the outermost are peeled into separate moves. */
static lfrt_status prep_tile(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                             lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  int64_t mult[LFRT_MAX_DIMS], xs[LFRT_MAX_DIMS], ys[LFRT_MAX_DIMS];
  int nm;
  lfrt_status st = const_ints(it, idx, op->inputs[1], "multiples", mult, LFRT_MAX_DIMS, &nm, err);
  if (st) return st;
  if (nm != x->ndim) FAIL(LFRT_EBADFILE, "multiples has %d entries for a %d-D input", nm, x->ndim);
  int32_t shape[LFRT_MAX_DIMS];
  for (int d = 0; d < nm; d++) {
    if (mult[d] < 1 || mult[d] * x->shape[d] > INT32_MAX)
      FAIL(LFRT_EBADFILE, "multiples[%d] = %lld is out of range", d, (long long)mult[d]);
    shape[d] = (int32_t)(mult[d] * x->shape[d]);
  }
  if ((st = want_shape(it, idx, y, nm, shape, err))) return st;
  strides_of(x, xs);
  strides_of(y, ys);
  int32_t cnt[2 * LFRT_MAX_DIMS];
  int64_t ss[2 * LFRT_MAX_DIMS], ds[2 * LFRT_MAX_DIMS];
  int ne = 0;
  for (int d = 0; d < nm; d++) {
    if (mult[d] > 1) {
      cnt[ne] = (int32_t)mult[d];
      ss[ne] = 0;
      ds[ne++] = (int64_t)x->shape[d] * ys[d];
    }
    if (x->shape[d] > 1) {
      cnt[ne] = x->shape[d];
      ss[ne] = xs[d];
      ds[ne++] = ys[d];
    }
  }
  int peel = ne > 6 ? ne - 6 : 0, moves = 1;
  for (int e = 0; e < peel; e++) {
    if (moves > 65536 / cnt[e]) FAIL(LFRT_EUNSUPPORTED, "a tiling into more than 65536 pieces");
    moves *= cnt[e];
  }
  if ((st = alloc_moves(it, idx, n, moves, err))) return st;
  for (int k = 0; k < moves; k++) {
    int64_t so = 0, dso = 0;
    for (int e = peel - 1, r = k; e >= 0; e--) {
      so += (int64_t)(r % cnt[e]) * ss[e];
      dso += (int64_t)(r % cnt[e]) * ds[e];
      r /= cnt[e];
    }
    set_move(n, k, op->inputs[0], op->outputs[0], ne - peel, cnt + peel, ss + peel, ds + peel, so, dso,
             (int)lfrt_type_size(x->type));
  }
  return LFRT_OK;
}

lfrt_status lfrt_prep_shape_op(lfrt_interp *it, int idx, lfrt_node *n, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  n->x = n->w = n->b = n->out = -1;
  switch (op->op) {
  case LFRT_OP_SPLIT: case LFRT_OP_SPLIT_V: return prep_split(it, idx, n, err);
  case LFRT_OP_PACK: case LFRT_OP_UNPACK: return prep_pack(it, idx, n, err);
  default: break;
  }
  const lfrt_tensor *x = T(op->inputs[0]), *y = T(op->outputs[0]);
  lfrt_status st = check_pair(it, idx, x, y, err);
  if (st) return st;
  switch (op->op) {
  case LFRT_OP_TRANSPOSE: return prep_transpose(it, idx, n, x, y, err);
  case LFRT_OP_SLICE: return prep_slice(it, idx, n, x, y, err);
  case LFRT_OP_STRIDED_SLICE: return prep_strided_slice(it, idx, n, x, y, err);
  case LFRT_OP_GATHER: return prep_gather(it, idx, n, x, y, err);
  case LFRT_OP_DEPTH_TO_SPACE: case LFRT_OP_SPACE_TO_DEPTH: return prep_block(it, idx, n, x, y, err);
  case LFRT_OP_TILE: return prep_tile(it, idx, n, x, y, err); /* coral */
  default: break;
  }
  FAIL(LFRT_EUNSUPPORTED, "not a shape op");
}
