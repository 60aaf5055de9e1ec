/* TFLite writer: collects tensors/operators, then serialises a schema-v3
 * flatbuffer front to back (see lfrt_writer.h).
 *
 * Layout: every object is written after the object that refers to it, since
 * flatbuffer uoffsets point forward. A table is written as its vtable
 * followed by the table (so its soffset is positive), fields sorted by size
 * so each is naturally aligned; positions are aligned relative to the start
 * of the buffer, which is what the flatbuffers verifier checks. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_writer.h"
#include "tflite_schema.h"

#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#endif

typedef struct {
  char *name;
  lfrt_type type;
  int ndim;
  int32_t shape[LFRT_MAX_DIMS];
  void *data;
  size_t bytes;
  int qcount, qaxis;
  float *scale;
  int64_t *zp;
  int has_sig;                  /* shape_signature written (lfrt_writer_set_shape_signature) */
  int32_t sig[LFRT_MAX_DIMS];
  struct wsparse *sparse;       /* lfrt_writer_set_sparsity (mediapipe tests), or NULL */
  int is_variable;              /* coral: lfrt_writer_set_variable */
} wtensor;

/* A sparse constant's metadata (lfrt_writer_set_sparsity), owned. */
struct wsparse {
  int nlevels, nblocks;
  int32_t order[2 * LFRT_MAX_DIMS], block_map[LFRT_MAX_DIMS];
  lfrt_writer_sparse_dim dim[2 * LFRT_MAX_DIMS]; /* segments/indices: owned copies */
};

typedef struct {
  lfrt_op op;
  int32_t *in;
  int nin;
  int32_t *out; /* nout >= 1 (several: SPLIT, SPLIT_V, UNPACK) */
  int nout;
  lfrt_options opt;
  int version; /* 0 = automatic */
} wop;

typedef struct {
  char *name;
  void *data;
  size_t bytes;
} wmeta;

struct lfrt_writer {
  wtensor *t;
  int nt, ct;
  wop *o;
  int no, co;
  wmeta *md;
  int nmd, cmd;
  int32_t *in, *out;
  int nin, nout;
  char *desc, *sgname;
  char err[LFRT_ERROR_MSG_SIZE];
};

static int wfail(lfrt_writer *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
static int wfail(lfrt_writer *w, const char *fmt, ...) {
  if (!w->err[0]) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof w->err, fmt, ap);
    va_end(ap);
    if (!w->err[0]) snprintf(w->err, sizeof w->err, "writer error");
  }
  return -1;
}

static char *dupstr(const char *s) {
  if (!s) s = "";
  size_t n = strlen(s) + 1;
  char *r = malloc(n);
  if (r) memcpy(r, s, n);
  return r;
}

static void *dupmem(const void *p, size_t n) {
  void *r = malloc(n ? n : 1);
  if (r && n) memcpy(r, p, n);
  return r;
}

/* Grows *arr (element size es) so it holds at least n+1 elements. */
static int grow(void **arr, int *cap, int n, size_t es) {
  if (n < *cap) return 0;
  int nc = *cap ? *cap * 2 : 16;
  void *p = realloc(*arr, (size_t)nc * es);
  if (!p) return -1;
  *arr = p;
  *cap = nc;
  return 0;
}

lfrt_writer *lfrt_writer_new(void) { return calloc(1, sizeof(lfrt_writer)); }

void lfrt_writer_free(lfrt_writer *w) {
  if (!w) return;
  for (int i = 0; i < w->nt; i++) {
    free(w->t[i].name);
    free(w->t[i].data);
    free(w->t[i].scale);
    free(w->t[i].zp);
    if (w->t[i].sparse)
      for (int k = 0; k < w->t[i].sparse->nlevels; k++) {
        free((void *)w->t[i].sparse->dim[k].segments);
        free((void *)w->t[i].sparse->dim[k].indices);
      }
    free(w->t[i].sparse);
  }
  for (int i = 0; i < w->no; i++) {
    free(w->o[i].in);
    free(w->o[i].out);
  }
  for (int i = 0; i < w->nmd; i++) {
    free(w->md[i].name);
    free(w->md[i].data);
  }
  free(w->t);
  free(w->o);
  free(w->md);
  free(w->in);
  free(w->out);
  free(w->desc);
  free(w->sgname);
  free(w);
}

/* coral */
lfrt_status lfrt_writer_set_variable(lfrt_writer *w, int tensor) {
  if (!w || w->err[0]) return LFRT_EINVAL;
  if (tensor < 0 || tensor >= w->nt) {
    wfail(w, "variable: no tensor %d", tensor);
    return LFRT_EINVAL;
  }
  w->t[tensor].is_variable = 1;
  return LFRT_OK;
}

lfrt_status lfrt_writer_set_shape_signature(lfrt_writer *w, int tensor, const int32_t *sig) {
  if (!w || w->err[0]) return LFRT_EINVAL;
  if (tensor < 0 || tensor >= w->nt || !sig) {
    wfail(w, "shape signature: no tensor %d", tensor);
    return LFRT_EINVAL;
  }
  wtensor *t = &w->t[tensor];
  for (int d = 0; d < t->ndim; d++)
    if (sig[d] != -1 && sig[d] != t->shape[d]) {
      wfail(w, "tensor '%s': shape signature dim %d is %d (want -1 or %d)", t->name, d, (int)sig[d], (int)t->shape[d]);
      return LFRT_EINVAL;
    }
  for (int d = 0; d < t->ndim; d++) t->sig[d] = sig[d];
  t->has_sig = 1;
  return LFRT_OK;
}

lfrt_status lfrt_writer_set_sparsity(lfrt_writer *w, int tensor, const int32_t *order, int nlevels,
                                     const int32_t *block_map, int nblocks, const lfrt_writer_sparse_dim *dims,
                                     const void *values, size_t bytes) {
  if (!w || w->err[0]) return LFRT_EINVAL;
  if (tensor < 0 || tensor >= w->nt || w->t[tensor].sparse || nlevels < 0 || nlevels > 2 * LFRT_MAX_DIMS ||
      nblocks < 0 || nblocks > LFRT_MAX_DIMS || (nlevels && (!order || !dims)) || (nblocks && !block_map) ||
      (bytes && !values)) {
    wfail(w, "sparsity of tensor %d: bad arguments", tensor);
    return LFRT_EINVAL;
  }
  struct wsparse *s = calloc(1, sizeof *s);
  void *v = bytes ? dupmem(values, bytes) : NULL;
  if (!s || (bytes && !v)) {
    free(s);
    free(v);
    wfail(w, "out of memory");
    return LFRT_ENOMEM;
  }
  s->nlevels = nlevels;
  s->nblocks = nblocks;
  for (int k = 0; k < nlevels; k++) s->order[k] = order[k];
  for (int i = 0; i < nblocks; i++) s->block_map[i] = block_map[i];
  int oom = 0;
  for (int k = 0; k < nlevels; k++) {
    s->dim[k] = dims[k];
    s->dim[k].segments = dims[k].nsegments > 0 ? dupmem(dims[k].segments, (size_t)dims[k].nsegments * 4) : NULL;
    s->dim[k].indices = dims[k].nindices > 0 ? dupmem(dims[k].indices, (size_t)dims[k].nindices * 4) : NULL;
    if (!s->dim[k].segments) s->dim[k].nsegments = 0;
    if (!s->dim[k].indices) s->dim[k].nindices = 0;
    oom |= (dims[k].nsegments > 0 && !s->dim[k].segments) || (dims[k].nindices > 0 && !s->dim[k].indices);
  }
  wtensor *t = &w->t[tensor];
  t->sparse = s; /* freed with the tensor, also on the out-of-memory path */
  if (oom) {
    free(v);
    wfail(w, "out of memory");
    return LFRT_ENOMEM;
  }
  free(t->data);
  t->data = v;
  t->bytes = bytes;
  return LFRT_OK;
}

const char *lfrt_writer_error(const lfrt_writer *w) { return w ? w->err : "no writer"; }

int lfrt_writer_add_tensor(lfrt_writer *w, const char *name, lfrt_type type, int ndim,
                           const int32_t *shape, const void *data, size_t bytes,
                           const lfrt_quant *q) {
  if (!w) return -1;
  if (w->err[0]) return -1;
  if (!name) name = "";
  size_t es = lfrt_type_size(type);
  if (es == 0) return wfail(w, "tensor '%s': type %d is not supported", name, (int)type);
  if (ndim < 0 || ndim > LFRT_MAX_DIMS || (ndim && !shape))
    return wfail(w, "tensor '%s': rank %d is out of range", name, ndim);
  uint64_t count = 1;
  for (int d = 0; d < ndim; d++) {
    if (shape[d] < 1) return wfail(w, "tensor '%s': dimension %d is %d", name, d, (int)shape[d]);
    count *= (uint64_t)shape[d];
    if (count * es > (uint64_t)INT32_MAX)
      return wfail(w, "tensor '%s': more than 2^31 bytes", name);
  }
  if (data && bytes != count * es)
    return wfail(w, "tensor '%s': %zu bytes of data, shape and type need %llu", name, bytes,
                 (unsigned long long)(count * es));
  if (!data && bytes) return wfail(w, "tensor '%s': bytes given without data", name);
  int qc = q ? q->count : 0;
  if (qc < 0 || (qc > 0 && !q->scale)) return wfail(w, "tensor '%s': bad quantization", name);
  if (qc > 1 && (q->axis < 0 || q->axis >= ndim || shape[q->axis] != qc))
    return wfail(w, "tensor '%s': %d per-axis scales do not match axis %d", name, qc, q->axis);
  if (grow((void **)&w->t, &w->ct, w->nt, sizeof *w->t)) return wfail(w, "out of memory");
  wtensor *t = &w->t[w->nt];
  memset(t, 0, sizeof *t);
  t->name = dupstr(name);
  t->type = type;
  t->ndim = ndim;
  for (int d = 0; d < ndim; d++) t->shape[d] = shape[d];
  if (data) {
    t->data = dupmem(data, bytes);
    t->bytes = bytes;
  }
  if (qc > 0) {
    t->qcount = qc;
    t->qaxis = qc > 1 ? q->axis : 0;
    t->scale = dupmem(q->scale, (size_t)qc * sizeof(float));
    t->zp = calloc((size_t)qc, sizeof(int64_t));
    if (t->zp && q->zero_point)
      for (int i = 0; i < qc; i++) t->zp[i] = q->zero_point[i];
  }
  if (!t->name || (data && !t->data) || (qc > 0 && (!t->scale || !t->zp))) {
    free(t->name);
    free(t->data);
    free(t->scale);
    free(t->zp);
    return wfail(w, "out of memory");
  }
  return w->nt++;
}

int lfrt_writer_add_operator(lfrt_writer *w, lfrt_op op, const int32_t *inputs, int ninputs,
                             const int32_t *outputs, int noutputs, const lfrt_options *opt) {
  if (!w || w->err[0]) return -1;
  const char *nm = lfrt_op_name((int)op);
  if (!nm) return wfail(w, "node %d: unknown op %d", w->no, (int)op);
  if (ninputs < 0 || ninputs > 65536 || (ninputs && !inputs))
    return wfail(w, "node %d (%s): bad input list", w->no, nm);
  int multi = op == LFRT_OP_SPLIT || op == LFRT_OP_SPLIT_V || op == LFRT_OP_UNPACK; /* shape ops */
  if (!outputs || noutputs < 1 || (noutputs != 1 && !multi) || noutputs > 65536)
    return wfail(w, "node %d (%s): needs exactly 1 output", w->no, nm);
  for (int i = 0; i < ninputs; i++)
    if (inputs[i] < -1 || inputs[i] >= w->nt)
      return wfail(w, "node %d (%s): input %d is tensor %d of %d", w->no, nm, i, (int)inputs[i],
                   w->nt);
  for (int i = 0; i < noutputs; i++)
    if (outputs[i] < 0 || outputs[i] >= w->nt)
      return wfail(w, "node %d (%s): output is tensor %d of %d", w->no, nm, (int)outputs[i], w->nt);
  if (grow((void **)&w->o, &w->co, w->no, sizeof *w->o)) return wfail(w, "out of memory");
  wop *o = &w->o[w->no];
  memset(o, 0, sizeof *o);
  o->op = op;
  o->in = dupmem(inputs, (size_t)ninputs * sizeof(int32_t));
  o->out = dupmem(outputs, (size_t)noutputs * sizeof(int32_t));
  if (!o->in || !o->out) {
    free(o->in);
    free(o->out);
    return wfail(w, "out of memory");
  }
  o->nin = ninputs;
  o->nout = noutputs;
  if (opt) o->opt = *opt;
  else if (op == LFRT_OP_RESHAPE) o->opt.reshape.num_dims = -1;
  return w->no++;
}

lfrt_status lfrt_writer_set_op_version(lfrt_writer *w, int node, int version) {
  if (!w || node < 0 || node >= w->no || version < 0) return LFRT_EINVAL;
  w->o[node].version = version;
  return LFRT_OK;
}

static int32_t *copy_io(lfrt_writer *w, const int32_t *v, int n, const char *what) {
  if (n < 0 || (n && !v)) {
    wfail(w, "subgraph %s: bad list", what);
    return NULL;
  }
  for (int i = 0; i < n; i++)
    if (v[i] < 0 || v[i] >= w->nt) {
      wfail(w, "subgraph %s[%d] is tensor %d of %d", what, i, (int)v[i], w->nt);
      return NULL;
    }
  int32_t *r = dupmem(v, (size_t)n * sizeof *v);
  if (!r) wfail(w, "out of memory");
  return r;
}

lfrt_status lfrt_writer_set_io(lfrt_writer *w, const int32_t *inputs, int ninputs,
                               const int32_t *outputs, int noutputs) {
  if (!w) return LFRT_EINVAL;
  int32_t *a = copy_io(w, inputs, ninputs, "inputs");
  int32_t *b = a ? copy_io(w, outputs, noutputs, "outputs") : NULL;
  if (!a || !b) {
    free(a);
    return LFRT_EINVAL;
  }
  free(w->in);
  free(w->out);
  w->in = a;
  w->out = b;
  w->nin = ninputs;
  w->nout = noutputs;
  return LFRT_OK;
}

lfrt_status lfrt_writer_add_metadata(lfrt_writer *w, const char *name, const void *data,
                                     size_t bytes) {
  if (!w || !name || (bytes && !data)) return LFRT_EINVAL;
  if (grow((void **)&w->md, &w->cmd, w->nmd, sizeof *w->md)) {
    wfail(w, "out of memory");
    return LFRT_ENOMEM;
  }
  wmeta *m = &w->md[w->nmd];
  m->name = dupstr(name);
  m->data = dupmem(data, bytes);
  m->bytes = bytes;
  if (!m->name || !m->data) {
    free(m->name);
    free(m->data);
    wfail(w, "out of memory");
    return LFRT_ENOMEM;
  }
  w->nmd++;
  return LFRT_OK;
}

static lfrt_status set_str(lfrt_writer *w, char **dst, const char *s) {
  if (!w) return LFRT_EINVAL;
  char *d = dupstr(s);
  if (!d) {
    wfail(w, "out of memory");
    return LFRT_ENOMEM;
  }
  free(*dst);
  *dst = d;
  return LFRT_OK;
}
lfrt_status lfrt_writer_set_description(lfrt_writer *w, const char *d) {
  return w ? set_str(w, &w->desc, d) : LFRT_EINVAL;
}
lfrt_status lfrt_writer_set_subgraph_name(lfrt_writer *w, const char *n) {
  return w ? set_str(w, &w->sgname, n) : LFRT_EINVAL;
}

/* ---- byte builder ----------------------------------------------------------- */
typedef struct {
  uint8_t *p;
  size_t n, cap;
  int oom;
} bb;

static void bb_reserve(bb *b, size_t more) {
  if (b->oom) return;
  if (more > SIZE_MAX - b->n) {
    b->oom = 1;
    return;
  }
  if (b->n + more <= b->cap) return;
  size_t nc = b->cap ? b->cap : 4096;
  while (nc < b->n + more) {
    if (nc > SIZE_MAX / 2) {
      b->oom = 1;
      return;
    }
    nc *= 2;
  }
  uint8_t *np = realloc(b->p, nc);
  if (!np) {
    b->oom = 1;
    return;
  }
  b->p = np;
  b->cap = nc;
}
static void bb_put(bb *b, const void *src, size_t n) {
  bb_reserve(b, n);
  if (b->oom) return;
  if (n) memcpy(b->p + b->n, src, n);
  b->n += n;
}
static void bb_zero(bb *b, size_t n) {
  bb_reserve(b, n);
  if (b->oom) return;
  memset(b->p + b->n, 0, n);
  b->n += n;
}
/* Pads so that (n + phase) % align == 0. */
static void bb_align(bb *b, size_t align, size_t phase) {
  size_t r = (b->n + phase) % align;
  if (r) bb_zero(b, align - r);
}
static void put_le(uint8_t *d, uint64_t v, int size) {
  for (int i = 0; i < size; i++) d[i] = (uint8_t)(v >> (8 * i));
}
static void bb_u32(bb *b, uint32_t v) {
  uint8_t d[4];
  put_le(d, v, 4);
  bb_put(b, d, 4);
}
static void patch_off(bb *b, size_t field, size_t target) {
  if (b->oom || !field) return;
  put_le(b->p + field, (uint32_t)(target - field), 4);
}

/* ---- tables ------------------------------------------------------------------- */
#define MAX_FIELDS 16
typedef struct {
  int n;
  struct {
    int id, size, is_off;
    uint64_t val;
  } f[MAX_FIELDS];
  size_t off_pos[MAX_FIELDS]; /* after tb_end: position of offset field by id */
} tbl;

static void tb_scalar(tbl *t, int id, int size, uint64_t v) {
  t->f[t->n].id = id;
  t->f[t->n].size = size;
  t->f[t->n].is_off = 0;
  t->f[t->n].val = v;
  t->n++;
}
static void tb_offset(tbl *t, int id) {
  t->f[t->n].id = id;
  t->f[t->n].size = 4;
  t->f[t->n].is_off = 1;
  t->f[t->n].val = 0;
  t->n++;
}

/* Writes vtable + table; returns the table position. */
static size_t tb_end(bb *b, tbl *t) {
  int nslots = 0, inl = 4;
  for (int i = 0; i < t->n; i++) {
    if (t->f[i].id + 1 > nslots) nslots = t->f[i].id + 1;
    inl += t->f[i].size;
  }
  size_t vsize = 4 + 2 * (size_t)nslots;
  bb_align(b, 4, vsize); /* the table after the vtable starts 4-aligned */
  size_t vt = b->n;
  bb_zero(b, vsize);
  size_t tp = b->n;
  bb_zero(b, (size_t)inl);
  if (b->oom) return 0;
  put_le(b->p + vt, vsize, 2);
  put_le(b->p + vt + 2, (uint64_t)inl, 2);
  put_le(b->p + tp, (uint32_t)(tp - vt), 4);
  memset(t->off_pos, 0, sizeof t->off_pos);
  size_t at = 4;
  for (int size = 8; size >= 1; size /= 2)
    for (int i = 0; i < t->n; i++) {
      if (t->f[i].size != size) continue;
      put_le(b->p + vt + 4 + 2 * (size_t)t->f[i].id, at, 2);
      put_le(b->p + tp + at, t->f[i].val, size);
      if (t->f[i].is_off) t->off_pos[t->f[i].id] = tp + at;
      at += (size_t)size;
    }
  return tp;
}

/* Vector of scalars: elements aligned to `align`; returns vector position. */
static size_t put_vec(bb *b, const void *elems, uint32_t n, size_t es, size_t align) {
  bb_align(b, align < 4 ? 4 : align, 4);
  size_t pos = b->n;
  bb_u32(b, n);
  bb_put(b, elems, (size_t)n * es);
  return pos;
}
static size_t put_vec_i32(bb *b, const int32_t *v, int n) {
  bb_align(b, 4, 0);
  size_t pos = b->n;
  bb_u32(b, (uint32_t)n);
  for (int i = 0; i < n; i++) bb_u32(b, (uint32_t)v[i]);
  return pos;
}
static size_t put_string(bb *b, const char *s) {
  size_t n = strlen(s);
  bb_align(b, 4, 0);
  size_t pos = b->n;
  bb_u32(b, (uint32_t)n);
  bb_put(b, s, n);
  bb_zero(b, 1);
  return pos;
}
/* Vector of n table offsets; returns position of the length, slots follow. */
static size_t put_table_vec(bb *b, int n) {
  bb_align(b, 4, 0);
  size_t pos = b->n;
  bb_u32(b, (uint32_t)n);
  bb_zero(b, 4 * (size_t)n);
  return pos;
}
static void patch_slot(bb *b, size_t vec, int i, size_t target) { patch_off(b, vec + 4 + 4 * (size_t)i, target); }

/* ---- sparsity (lfrt_writer_set_sparsity) -------------------------------------------------- */
/* An Int32Vector / Uint16Vector / Uint8Vector table: { values: [width-byte ints] }. */
static size_t put_index_vec(bb *b, const int32_t *v, int n, int width) {
  tbl vt;
  vt.n = 0;
  tb_offset(&vt, 0);
  size_t tp = tb_end(b, &vt);
  bb_align(b, 4, 0);
  size_t pos = b->n;
  bb_u32(b, (uint32_t)n);
  uint8_t tmp[4];
  for (int i = 0; i < n; i++) {
    put_le(tmp, (uint32_t)v[i], width);
    bb_put(b, tmp, (size_t)width);
  }
  patch_off(b, vt.off_pos[0], pos);
  return tp;
}
static size_t put_sparsity(bb *b, const struct wsparse *s) {
  tbl st;
  st.n = 0;
  tb_offset(&st, 0); /* traversal_order */
  tb_offset(&st, 1); /* block_map */
  tb_offset(&st, 2); /* dim_metadata */
  size_t sp = tb_end(b, &st);
  patch_off(b, st.off_pos[0], put_vec_i32(b, s->order, s->nlevels));
  patch_off(b, st.off_pos[1], put_vec_i32(b, s->block_map, s->nblocks));
  size_t dv = put_table_vec(b, s->nlevels);
  patch_off(b, st.off_pos[2], dv);
  for (int k = 0; k < s->nlevels && !b->oom; k++) {
    const lfrt_writer_sparse_dim *d = &s->dim[k];
    int width = d->width == 1 || d->width == 2 ? d->width : 4;
    int type = d->union_type ? d->union_type : width == 4 ? 1 : width == 2 ? 2 : 3;
    tbl dt;
    dt.n = 0;
    tb_scalar(&dt, 0, 1, (uint64_t)d->sparse);
    tb_scalar(&dt, 1, 4, (uint64_t)(uint32_t)d->dense_size);
    if (d->sparse) {
      tb_scalar(&dt, 2, 1, (uint64_t)type);
      tb_offset(&dt, 3);
      tb_scalar(&dt, 4, 1, (uint64_t)type);
      tb_offset(&dt, 5);
    }
    patch_slot(b, dv, k, tb_end(b, &dt));
    if (d->sparse) {
      patch_off(b, dt.off_pos[3], put_index_vec(b, d->segments, d->nsegments, width));
      patch_off(b, dt.off_pos[5], put_index_vec(b, d->indices, d->nindices, width));
    }
  }
  return sp;
}

/* ---- op versions and options ------------------------------------------------------------ */
static int pos1(int v) { return v < 1 ? 1 : v; }

static int op_version(const lfrt_writer *w, const wop *o) {
  if (o->version > 0) return o->version;
  int in_t = o->nin > 0 && o->in[0] >= 0 ? (int)w->t[o->in[0]].type : LFRT_FLOAT32;
  int out_t = (int)w->t[o->out[0]].type;
  int q8 = in_t == LFRT_INT8;
  switch (o->op) {
    case LFRT_OP_CONV_2D:
      if (q8) return 3;
      return (pos1(o->opt.conv.dilation_w) > 1 || pos1(o->opt.conv.dilation_h) > 1) ? 2 : 1;
    case LFRT_OP_DEPTHWISE_CONV_2D:
      if (q8) return 3;
      return (pos1(o->opt.depthwise.dilation_w) > 1 || pos1(o->opt.depthwise.dilation_h) > 1) ? 2 : 1;
    case LFRT_OP_FULLY_CONNECTED:
      if (o->opt.fc.keep_num_dims) return 5;
      return q8 ? 4 : 1;
    case LFRT_OP_TRANSPOSE_CONV:
      if (o->nin == 4 && o->in[3] >= 0) return 3;
      return (o->nin > 2 && o->in[2] >= 0 && w->t[o->in[2]].type == LFRT_INT8) ? 2 : 1;
    case LFRT_OP_RESIZE_BILINEAR:
      if (o->opt.resize.half_pixel_centers) return 3;
      return q8 ? 2 : 1;
    case LFRT_OP_RESIZE_NEAREST_NEIGHBOR:
      if (o->opt.resize.half_pixel_centers || o->opt.resize.align_corners) return 3;
      return q8 ? 2 : 1;
    case LFRT_OP_QUANTIZE:
      return out_t == LFRT_INT8 ? 2 : 1;
    case LFRT_OP_RESHAPE:
    case LFRT_OP_DENSIFY: /* mediapipe */
      return 1;
    /* math ops (issue 11): TFLite registers only version 1 of these, int8 included */
    case LFRT_OP_HARD_SWISH:
      return 1;
    case LFRT_OP_PRELU: /* batch matmul etc.: TFLite registers PRELU version 1 only (int8 too) */
      return 1;
    case LFRT_OP_DEQUANTIZE:
      if (in_t == LFRT_FLOAT16) return 3;
      return q8 ? 2 : 1;
    case LFRT_OP_RELU_N1_TO_1: /* shape ops: one version for every type */
      return 1;
    default:
      return q8 ? 2 : 1;
  }
}

/* Writes the options table of `o`; returns its position (0 when none). */
static size_t put_options(bb *b, const wop *o) {
  tbl t;
  t.n = 0;
  const lfrt_options *x = &o->opt;
  size_t ns_field = 0;
  switch (o->op) {
    case LFRT_OP_CONV_2D:
      tb_scalar(&t, CONV_PADDING, 1, (uint64_t)x->conv.padding);
      tb_scalar(&t, CONV_STRIDE_W, 4, (uint64_t)pos1(x->conv.stride_w));
      tb_scalar(&t, CONV_STRIDE_H, 4, (uint64_t)pos1(x->conv.stride_h));
      tb_scalar(&t, CONV_ACTIVATION, 1, (uint64_t)x->conv.activation);
      tb_scalar(&t, CONV_DILATION_W, 4, (uint64_t)pos1(x->conv.dilation_w));
      tb_scalar(&t, CONV_DILATION_H, 4, (uint64_t)pos1(x->conv.dilation_h));
      break;
    case LFRT_OP_DEPTHWISE_CONV_2D:
      tb_scalar(&t, DW_PADDING, 1, (uint64_t)x->depthwise.padding);
      tb_scalar(&t, DW_STRIDE_W, 4, (uint64_t)pos1(x->depthwise.stride_w));
      tb_scalar(&t, DW_STRIDE_H, 4, (uint64_t)pos1(x->depthwise.stride_h));
      tb_scalar(&t, DW_DEPTH_MULTIPLIER, 4, (uint64_t)pos1(x->depthwise.depth_multiplier));
      tb_scalar(&t, DW_ACTIVATION, 1, (uint64_t)x->depthwise.activation);
      tb_scalar(&t, DW_DILATION_W, 4, (uint64_t)pos1(x->depthwise.dilation_w));
      tb_scalar(&t, DW_DILATION_H, 4, (uint64_t)pos1(x->depthwise.dilation_h));
      break;
    case LFRT_OP_AVERAGE_POOL_2D: case LFRT_OP_MAX_POOL_2D:
      tb_scalar(&t, POOL_PADDING, 1, (uint64_t)x->pool.padding);
      tb_scalar(&t, POOL_STRIDE_W, 4, (uint64_t)pos1(x->pool.stride_w));
      tb_scalar(&t, POOL_STRIDE_H, 4, (uint64_t)pos1(x->pool.stride_h));
      tb_scalar(&t, POOL_FILTER_W, 4, (uint64_t)pos1(x->pool.filter_w));
      tb_scalar(&t, POOL_FILTER_H, 4, (uint64_t)pos1(x->pool.filter_h));
      tb_scalar(&t, POOL_ACTIVATION, 1, (uint64_t)x->pool.activation);
      break;
    case LFRT_OP_FULLY_CONNECTED:
      tb_scalar(&t, FC_ACTIVATION, 1, (uint64_t)x->fc.activation);
      tb_scalar(&t, FC_WEIGHTS_FORMAT, 1, (uint64_t)x->fc.weights_format);
      tb_scalar(&t, FC_KEEP_NUM_DIMS, 1, (uint64_t)(x->fc.keep_num_dims != 0));
      tb_scalar(&t, FC_ASYMMETRIC_QUANTIZE, 1, (uint64_t)(x->fc.asymmetric_quantize_inputs != 0));
      break;
    case LFRT_OP_SOFTMAX: {
      uint32_t u;
      memcpy(&u, &x->softmax.beta, 4);
      tb_scalar(&t, SOFTMAX_BETA, 4, u);
      break;
    }
    case LFRT_OP_CONCATENATION:
      tb_scalar(&t, CONCAT_AXIS, 4, (uint32_t)x->concat.axis);
      tb_scalar(&t, CONCAT_ACTIVATION, 1, (uint64_t)x->concat.activation);
      break;
    case LFRT_OP_ADD:
      tb_scalar(&t, ADD_ACTIVATION, 1, (uint64_t)x->add.activation);
      break;
    case LFRT_OP_MUL:
      tb_scalar(&t, MUL_ACTIVATION, 1, (uint64_t)x->mul.activation);
      break;
    case LFRT_OP_SUB:
      tb_scalar(&t, SUB_ACTIVATION, 1, (uint64_t)x->add.activation);
      break;
    case LFRT_OP_DIV:
      tb_scalar(&t, DIV_ACTIVATION, 1, (uint64_t)x->mul.activation);
      break;
    case LFRT_OP_L2_NORMALIZATION: /* math ops (issue 11) */
      tb_scalar(&t, L2NORM_ACTIVATION, 1, (uint64_t)x->mul.activation);
      break;
    case LFRT_OP_BATCH_MATMUL: /* batch matmul etc. */
      tb_scalar(&t, BMM_ADJ_X, 1, (uint64_t)(x->batch_matmul.adj_x != 0));
      tb_scalar(&t, BMM_ADJ_Y, 1, (uint64_t)(x->batch_matmul.adj_y != 0));
      tb_scalar(&t, BMM_ASYMMETRIC_QUANTIZE_INPUTS, 1, (uint64_t)(x->batch_matmul.asymmetric_quantize_inputs != 0));
      break;
    case LFRT_OP_CAST: /* movenet */
      tb_scalar(&t, CAST_IN_DATA_TYPE, 1, (uint64_t)(uint8_t)x->cast.in_data_type);
      tb_scalar(&t, CAST_OUT_DATA_TYPE, 1, (uint64_t)(uint8_t)x->cast.out_data_type);
      break;
    case LFRT_OP_ARG_MAX: case LFRT_OP_ARG_MIN: /* math ops (issue 11) */
      tb_scalar(&t, ARG_MINMAX_OUTPUT_TYPE, 1, (uint64_t)x->arg_minmax.output_type);
      break;
    case LFRT_OP_LEAKY_RELU: {
      uint32_t u;
      memcpy(&u, &x->leaky_relu.alpha, 4);
      tb_scalar(&t, LEAKY_RELU_ALPHA, 4, u);
      break;
    }
    case LFRT_OP_RESHAPE:
      if (x->reshape.num_dims >= 0) tb_offset(&t, RESHAPE_NEW_SHAPE);
      break;
    case LFRT_OP_RESIZE_BILINEAR:
      tb_scalar(&t, RESIZE_BILINEAR_ALIGN_CORNERS, 1, (uint64_t)(x->resize.align_corners != 0));
      tb_scalar(&t, RESIZE_BILINEAR_HALF_PIXEL, 1, (uint64_t)(x->resize.half_pixel_centers != 0));
      break;
    case LFRT_OP_RESIZE_NEAREST_NEIGHBOR:
      tb_scalar(&t, RESIZE_NN_ALIGN_CORNERS, 1, (uint64_t)(x->resize.align_corners != 0));
      tb_scalar(&t, RESIZE_NN_HALF_PIXEL, 1, (uint64_t)(x->resize.half_pixel_centers != 0));
      break;
    case LFRT_OP_MEAN:
      tb_scalar(&t, REDUCER_KEEP_DIMS, 1, (uint64_t)(x->reducer.keep_dims != 0));
      break;
    case LFRT_OP_TRANSPOSE_CONV:
      tb_scalar(&t, TCONV_PADDING, 1, (uint64_t)x->transpose_conv.padding);
      tb_scalar(&t, TCONV_STRIDE_W, 4, (uint64_t)pos1(x->transpose_conv.stride_w));
      tb_scalar(&t, TCONV_STRIDE_H, 4, (uint64_t)pos1(x->transpose_conv.stride_h));
      if (x->transpose_conv.activation != LFRT_ACT_NONE)
        tb_scalar(&t, TCONV_ACTIVATION, 1, (uint64_t)x->transpose_conv.activation);
      break;
    /* shape ops */
    case LFRT_OP_DEPTH_TO_SPACE: case LFRT_OP_SPACE_TO_DEPTH:
      tb_scalar(&t, BLOCK_SIZE, 4, (uint64_t)(uint32_t)x->block.block_size);
      break;
    case LFRT_OP_GATHER:
      tb_scalar(&t, GATHER_AXIS, 4, (uint64_t)(uint32_t)x->gather.axis);
      tb_scalar(&t, GATHER_BATCH_DIMS, 4, (uint64_t)(uint32_t)x->gather.batch_dims);
      break;
    case LFRT_OP_STRIDED_SLICE:
      tb_scalar(&t, SSLICE_BEGIN_MASK, 4, (uint64_t)(uint32_t)x->strided_slice.begin_mask);
      tb_scalar(&t, SSLICE_END_MASK, 4, (uint64_t)(uint32_t)x->strided_slice.end_mask);
      tb_scalar(&t, SSLICE_ELLIPSIS_MASK, 4, (uint64_t)(uint32_t)x->strided_slice.ellipsis_mask);
      tb_scalar(&t, SSLICE_NEW_AXIS_MASK, 4, (uint64_t)(uint32_t)x->strided_slice.new_axis_mask);
      tb_scalar(&t, SSLICE_SHRINK_AXIS_MASK, 4, (uint64_t)(uint32_t)x->strided_slice.shrink_axis_mask);
      if (x->strided_slice.offset) tb_scalar(&t, SSLICE_OFFSET, 1, 1);
      break;
    case LFRT_OP_SPLIT: case LFRT_OP_SPLIT_V:
      tb_scalar(&t, SPLIT_NUM_SPLITS, 4, (uint64_t)(uint32_t)x->split.num_splits);
      break;
    case LFRT_OP_PACK: case LFRT_OP_UNPACK:
      tb_scalar(&t, PACK_VALUES_COUNT, 4, (uint64_t)(uint32_t)x->pack.count); /* UNPACK_NUM: same slot */
      tb_scalar(&t, PACK_AXIS, 4, (uint64_t)(uint32_t)x->pack.axis);
      break;
    case LFRT_OP_TRANSPOSE: case LFRT_OP_SLICE: case LFRT_OP_PADV2:
    case LFRT_OP_FLOOR_DIV: case LFRT_OP_GATHER_ND: /* movenet */
    case LFRT_OP_TILE:
      break; /* empty options table */
    case LFRT_OP_DENSIFY: /* mediapipe */
    case LFRT_OP_PAD: case LFRT_OP_QUANTIZE: case LFRT_OP_DEQUANTIZE: case LFRT_OP_EXP:
    case LFRT_OP_MAXIMUM: case LFRT_OP_MINIMUM: case LFRT_OP_SQUARED_DIFFERENCE: case LFRT_OP_HARD_SWISH:
      break; /* empty options table */
    default:
      return 0;
  }
  size_t pos = tb_end(b, &t);
  ns_field = t.off_pos[RESHAPE_NEW_SHAPE];
  if (o->op == LFRT_OP_RESHAPE && x->reshape.num_dims >= 0) {
    int nd = x->reshape.num_dims > LFRT_MAX_DIMS ? LFRT_MAX_DIMS : x->reshape.num_dims;
    patch_off(b, ns_field, put_vec_i32(b, x->reshape.new_shape, nd));
  }
  return pos;
}

/* ---- serialisation ---------------------------------------------------------------------- */
typedef struct {
  int code, version;
} opkey;

static lfrt_status serialise(lfrt_writer *w, bb *b, lfrt_error *err) {
  /* operator codes, deduplicated by (code, version) */
  opkey *keys = calloc((size_t)(w->no ? w->no : 1), sizeof *keys);
  int *op_code_index = calloc((size_t)(w->no ? w->no : 1), sizeof(int));
  int *tensor_buffer = calloc((size_t)(w->nt ? w->nt : 1), sizeof(int));
  if (!keys || !op_code_index || !tensor_buffer) {
    free(keys);
    free(op_code_index);
    free(tensor_buffer);
    return lfrt_set_error(err, LFRT_ENOMEM, "tflite writer: out of memory");
  }
  int nkeys = 0;
  for (int i = 0; i < w->no; i++) {
    int code = (int)w->o[i].op, ver = op_version(w, &w->o[i]), k;
    for (k = 0; k < nkeys; k++)
      if (keys[k].code == code && keys[k].version == ver) break;
    if (k == nkeys) {
      keys[k].code = code;
      keys[k].version = ver;
      nkeys++;
    }
    op_code_index[i] = k;
  }
  int nbuffers = 1;
  for (int i = 0; i < w->nt; i++) tensor_buffer[i] = w->t[i].data ? nbuffers++ : 0;
  int meta_buffer0 = nbuffers;
  nbuffers += w->nmd;

  /* header: root offset + identifier */
  bb_u32(b, 0);
  bb_put(b, TFL_FILE_IDENTIFIER, 4);
  tbl mt;
  mt.n = 0;
  tb_scalar(&mt, MODEL_VERSION, 4, TFL_SCHEMA_VERSION);
  tb_offset(&mt, MODEL_OPERATOR_CODES);
  tb_offset(&mt, MODEL_SUBGRAPHS);
  tb_offset(&mt, MODEL_DESCRIPTION);
  tb_offset(&mt, MODEL_BUFFERS);
  if (w->nmd) tb_offset(&mt, MODEL_METADATA);
  size_t model = tb_end(b, &mt);
  if (!b->oom) put_le(b->p, (uint32_t)model, 4);

  /* operator codes */
  size_t v = put_table_vec(b, nkeys);
  patch_off(b, mt.off_pos[MODEL_OPERATOR_CODES], v);
  for (int k = 0; k < nkeys; k++) {
    tbl t;
    t.n = 0;
    tb_scalar(&t, OPCODE_DEPRECATED_BUILTIN_CODE, 1, (uint64_t)(keys[k].code < 127 ? keys[k].code : 127));
    tb_scalar(&t, OPCODE_VERSION, 4, (uint64_t)keys[k].version);
    tb_scalar(&t, OPCODE_BUILTIN_CODE, 4, (uint64_t)keys[k].code);
    patch_slot(b, v, k, tb_end(b, &t));
  }

  /* the one subgraph */
  v = put_table_vec(b, 1);
  patch_off(b, mt.off_pos[MODEL_SUBGRAPHS], v);
  tbl sg;
  sg.n = 0;
  tb_offset(&sg, SUBGRAPH_TENSORS);
  tb_offset(&sg, SUBGRAPH_INPUTS);
  tb_offset(&sg, SUBGRAPH_OUTPUTS);
  tb_offset(&sg, SUBGRAPH_OPERATORS);
  tb_offset(&sg, SUBGRAPH_NAME);
  size_t sgp = tb_end(b, &sg);
  patch_slot(b, v, 0, sgp);

  size_t tv = put_table_vec(b, w->nt);
  patch_off(b, sg.off_pos[SUBGRAPH_TENSORS], tv);
  for (int i = 0; i < w->nt && !b->oom; i++) {
    const wtensor *t = &w->t[i];
    tbl tt;
    tt.n = 0;
    tb_offset(&tt, TENSOR_SHAPE);
    tb_scalar(&tt, TENSOR_TYPE, 1, (uint64_t)t->type);
    tb_scalar(&tt, TENSOR_BUFFER, 4, (uint64_t)tensor_buffer[i]);
    if (t->is_variable) tb_scalar(&tt, TENSOR_IS_VARIABLE, 1, 1); /* coral */
    tb_offset(&tt, TENSOR_NAME);
    if (t->qcount) tb_offset(&tt, TENSOR_QUANTIZATION);
    if (t->has_sig) tb_offset(&tt, TENSOR_SHAPE_SIGNATURE);
    if (t->sparse) tb_offset(&tt, TENSOR_SPARSITY);
    patch_slot(b, tv, i, tb_end(b, &tt));
    if (t->sparse) patch_off(b, tt.off_pos[TENSOR_SPARSITY], put_sparsity(b, t->sparse));
    if (t->has_sig) patch_off(b, tt.off_pos[TENSOR_SHAPE_SIGNATURE], put_vec_i32(b, t->sig, t->ndim));
    patch_off(b, tt.off_pos[TENSOR_SHAPE], put_vec_i32(b, t->shape, t->ndim));
    patch_off(b, tt.off_pos[TENSOR_NAME], put_string(b, t->name));
    if (t->qcount) {
      tbl qt;
      qt.n = 0;
      tb_offset(&qt, QUANT_SCALE);
      tb_offset(&qt, QUANT_ZERO_POINT);
      tb_scalar(&qt, QUANT_QUANTIZED_DIMENSION, 4, (uint64_t)t->qaxis);
      patch_off(b, tt.off_pos[TENSOR_QUANTIZATION], tb_end(b, &qt));
      uint8_t tmp[8];
      bb_align(b, 4, 0); /* scales, little-endian floats */
      size_t sv = b->n;
      bb_u32(b, (uint32_t)t->qcount);
      for (int k = 0; k < t->qcount; k++) {
        uint32_t u;
        memcpy(&u, &t->scale[k], 4);
        put_le(tmp, u, 4);
        bb_put(b, tmp, 4);
      }
      patch_off(b, qt.off_pos[QUANT_SCALE], sv);
      bb_align(b, 8, 4); /* int64 zero points 8-aligned */
      size_t zv = b->n;
      bb_u32(b, (uint32_t)t->qcount);
      for (int k = 0; k < t->qcount; k++) {
        put_le(tmp, (uint64_t)t->zp[k], 8);
        bb_put(b, tmp, 8);
      }
      patch_off(b, qt.off_pos[QUANT_ZERO_POINT], zv);
    }
  }
  patch_off(b, sg.off_pos[SUBGRAPH_INPUTS], put_vec_i32(b, w->in, w->nin));
  patch_off(b, sg.off_pos[SUBGRAPH_OUTPUTS], put_vec_i32(b, w->out, w->nout));
  size_t ov = put_table_vec(b, w->no);
  patch_off(b, sg.off_pos[SUBGRAPH_OPERATORS], ov);
  for (int i = 0; i < w->no && !b->oom; i++) {
    const wop *o = &w->o[i];
    int otype = tfl_options_type_for_op((int)o->op);
    tbl ot;
    ot.n = 0;
    tb_scalar(&ot, OP_OPCODE_INDEX, 4, (uint64_t)op_code_index[i]);
    tb_offset(&ot, OP_INPUTS);
    tb_offset(&ot, OP_OUTPUTS);
    if (otype != OPT_NONE) {
      tb_scalar(&ot, OP_BUILTIN_OPTIONS_TYPE, 1, (uint64_t)otype);
      tb_offset(&ot, OP_BUILTIN_OPTIONS);
    }
    patch_slot(b, ov, i, tb_end(b, &ot));
    patch_off(b, ot.off_pos[OP_INPUTS], put_vec_i32(b, o->in, o->nin));
    patch_off(b, ot.off_pos[OP_OUTPUTS], put_vec_i32(b, o->out, o->nout));
    if (otype != OPT_NONE) patch_off(b, ot.off_pos[OP_BUILTIN_OPTIONS], put_options(b, o));
  }
  patch_off(b, sg.off_pos[SUBGRAPH_NAME], put_string(b, w->sgname ? w->sgname : "main"));

  patch_off(b, mt.off_pos[MODEL_DESCRIPTION], put_string(b, w->desc ? w->desc : "leapfrog"));

  /* metadata entries (before the buffers, which are the bulk) */
  if (w->nmd) {
    size_t mv = put_table_vec(b, w->nmd);
    patch_off(b, mt.off_pos[MODEL_METADATA], mv);
    for (int i = 0; i < w->nmd; i++) {
      tbl m;
      m.n = 0;
      tb_offset(&m, METADATA_NAME);
      tb_scalar(&m, METADATA_BUFFER, 4, (uint64_t)(meta_buffer0 + i));
      patch_slot(b, mv, i, tb_end(b, &m));
      patch_off(b, m.off_pos[METADATA_NAME], put_string(b, w->md[i].name));
    }
  }

  /* buffers: 0 empty, then constants, then metadata */
  size_t bv = put_table_vec(b, nbuffers);
  int next_const = 0;
  patch_off(b, mt.off_pos[MODEL_BUFFERS], bv);
  for (int i = 0; i < nbuffers && !b->oom; i++) {
    const void *data = NULL;
    size_t bytes = 0;
    if (i >= meta_buffer0) {
      data = w->md[i - meta_buffer0].data;
      bytes = w->md[i - meta_buffer0].bytes;
    } else if (i > 0) {
      while (next_const < w->nt && tensor_buffer[next_const] != i) next_const++;
      if (next_const < w->nt) { /* buffers were numbered in tensor order */
        data = w->t[next_const].data;
        bytes = w->t[next_const].bytes;
      }
    }
    tbl bt;
    bt.n = 0;
    if (data && bytes) tb_offset(&bt, BUFFER_DATA);
    patch_slot(b, bv, i, tb_end(b, &bt));
    if (data && bytes) patch_off(b, bt.off_pos[BUFFER_DATA], put_vec(b, data, (uint32_t)bytes, 1, 16));
  }
  bb_align(b, 16, 0);
  free(keys);
  free(op_code_index);
  free(tensor_buffer);
  if (b->oom) return lfrt_set_error(err, LFRT_ENOMEM, "tflite writer: out of memory");
  if (b->n > (size_t)INT32_MAX)
    return lfrt_set_error(err, LFRT_EUNSUPPORTED, "tflite writer: model is over 2 GiB");
  return LFRT_OK;
}

lfrt_status lfrt_writer_finish(lfrt_writer *w, void **bytes, size_t *len, lfrt_error *err) {
  if (!w || !bytes || !len) return lfrt_set_error(err, LFRT_EINVAL, "tflite writer: bad arguments");
  *bytes = NULL;
  *len = 0;
  if (w->err[0]) return lfrt_set_error(err, LFRT_EINVAL, "tflite writer: %s", w->err);
  bb b;
  memset(&b, 0, sizeof b);
  lfrt_status s = serialise(w, &b, err);
  if (s != LFRT_OK) {
    free(b.p);
    return s;
  }
  *bytes = b.p;
  *len = b.n;
  return LFRT_OK;
}

lfrt_status lfrt_writer_write_file(lfrt_writer *w, const char *path, lfrt_error *err) {
  if (!path) return lfrt_set_error(err, LFRT_EINVAL, "tflite writer: no path");
  void *bytes;
  size_t len;
  lfrt_status s = lfrt_writer_finish(w, &bytes, &len, err);
  if (s != LFRT_OK) return s;
  size_t pl = strlen(path);
  char *tmp = malloc(pl + 32);
  if (!tmp) {
    free(bytes);
    return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory", path);
  }
#if defined(__unix__) || defined(__APPLE__)
  snprintf(tmp, pl + 32, "%s.tmp.%ld", path, (long)getpid());
#else
  snprintf(tmp, pl + 32, "%s.tmp", path);
#endif
  FILE *f = fopen(tmp, "wb");
  int ok = f != NULL;
  if (ok) ok = fwrite(bytes, 1, len, f) == len;
  if (ok) ok = fflush(f) == 0;
#if defined(__unix__) || defined(__APPLE__)
  if (ok) ok = fsync(fileno(f)) == 0;
#endif
  if (f && fclose(f) != 0) ok = 0;
  if (ok) ok = rename(tmp, path) == 0;
  if (!ok) {
    remove(tmp);
    s = lfrt_set_error(err, LFRT_EIO, "%s: cannot write the model", path);
  }
  free(tmp);
  free(bytes);
  return s;
}
