/* Sparse constants: read, verify, densify (see tflite_sparse.h). */
#include "tflite_sparse.h"

#include <string.h>

/* schema.fbs: table SparsityParameters, table DimensionMetadata, union
 * SparseIndexVector (Int32Vector = 1, Uint16Vector = 2, Uint8Vector = 3; each a
 * table with one vector field `values`) */
enum { SPARSITY_TRAVERSAL_ORDER = 0, SPARSITY_BLOCK_MAP, SPARSITY_DIM_METADATA };
enum { DIMMETA_FORMAT = 0, DIMMETA_DENSE_SIZE, DIMMETA_SEGMENTS_TYPE, DIMMETA_SEGMENTS,
       DIMMETA_INDICES_TYPE, DIMMETA_INDICES };
enum { DIM_DENSE = 0, DIM_SPARSE_CSR = 1 };

static uint32_t vec_at(const lfrt_sparsity *s, const lfrt_sparse_vec *v, uint32_t i) {
  const uint8_t *p = s->file + v->pos + (uint64_t)i * (uint64_t)v->width;
  if (v->width == 1) return p[0];
  if (v->width == 2) return (uint32_t)p[0] | (uint32_t)p[1] << 8;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One SparseIndexVector union (type field, value field) of level k. */
static lfrt_sparse_vec read_index_vec(fb_ctx *c, const fb_table *dm, int type_field, int field, int k,
                                      const char *what) {
  lfrt_sparse_vec v = {0, 0, 0};
  int type = (int)lfrt_fb_int(c, dm, type_field, 1, 0, 0, what);
  fb_table t = lfrt_fb_sub_table(c, dm, field, what);
  if (c->bad) return v;
  if (type < 1 || type > 3 || !t.present) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity level %d: %s has union type %d%s (want Int32Vector, Uint16Vector "
                 "or Uint8Vector)", k, what, type, t.present ? "" : " and no table");
    return v;
  }
  v.width = type == 1 ? 4 : type == 2 ? 2 : 1;
  fb_vec values = lfrt_fb_vector(c, &t, 0, (uint32_t)v.width, what);
  v.pos = values.pos;
  v.n = values.len;
  return v;
}

static int read_ints(fb_ctx *c, const fb_table *sp, int field, int *out, int max, const char *what) {
  fb_vec v = lfrt_fb_vector(c, sp, field, 4, what);
  if (c->bad) return -1;
  if ((int64_t)v.len > max) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity %s has %u entries (at most %d)", what, v.len, max);
    return -1;
  }
  for (uint32_t i = 0; i < v.len; i++) out[i] = (int32_t)lfrt_fb_u32(c, v.pos + 4 * (uint64_t)i);
  return (int)v.len;
}

/* Per level: how many nodes it has (the parents of the next), checking every
 * segment and index against the level's size. The count of the last level is
 * the number of values the structure stores. Each level has at most the
 * product of the sizes so far (indices strictly increase within a segment), so
 * every count stays below the dense element count (< 2^31). */
static void check_levels(fb_ctx *c, const lfrt_sparsity *s) {
  int64_t parents = 1;
  for (int k = 0; k < s->nlevels && !c->bad; k++) {
    int64_t size = s->level_size[k];
    if (!s->is_sparse[k]) {
      parents *= size;
      continue;
    }
    const lfrt_sparse_vec *seg = &s->seg[k], *idx = &s->idx[k];
    if ((int64_t)seg->n != parents + 1) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity level %d: %u segment bounds, the level above has %lld nodes (want %lld)",
                   k, seg->n, (long long)parents, (long long)parents + 1);
      return;
    }
    if (vec_at(s, seg, 0) != 0 || vec_at(s, seg, seg->n - 1) != idx->n) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity level %d: segments run from %u to %u, want 0 to %u (the indices)", k,
                   vec_at(s, seg, 0), vec_at(s, seg, seg->n - 1), idx->n);
      return;
    }
    for (uint32_t p = 0; p + 1 < seg->n; p++) {
      uint32_t lo = vec_at(s, seg, p), hi = vec_at(s, seg, p + 1);
      if (hi < lo || hi > idx->n) {
        lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity level %d: segment %u is [%u, %u) (must grow, within %u indices)", k, p,
                     lo, hi, idx->n);
        return;
      }
      for (uint32_t j = lo; j < hi; j++) {
        uint32_t v = vec_at(s, idx, j);
        if (v >= (uint32_t)size || (j > lo && v <= vec_at(s, idx, j - 1))) {
          lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity level %d: index %u of segment %u is %u (must increase, below %lld)", k,
                       j, p, v, (long long)size);
          return;
        }
      }
    }
    parents = idx->n;
  }
  if (!c->bad && parents != s->nvalues)
    lfrt_fb_fail(c, LFRT_EBADFILE, "sparse data holds %lld values but its structure stores %lld", (long long)s->nvalues,
                 (long long)parents);
}

void lfrt_sparse_read_(fb_ctx *c, const fb_table *sp, const lfrt_tensor *t, const uint8_t *data, uint64_t size,
                       lfrt_sparsity *s) {
  memset(s, 0, sizeof *s);
  s->file = c->p;
  int n = t->ndim;
  size_t es = lfrt_type_size(t->type);
  int nl = read_ints(c, sp, SPARSITY_TRAVERSAL_ORDER, s->order, LFRT_SPARSE_LEVELS, "traversal_order");
  int nb = read_ints(c, sp, SPARSITY_BLOCK_MAP, s->block_map, LFRT_MAX_DIMS, "block_map");
  fb_vec dm = lfrt_fb_vector(c, sp, SPARSITY_DIM_METADATA, 4, "dim_metadata");
  if (c->bad) return;
  if (n < 1 || es == 0 || nl != n + nb || (int64_t)dm.len != nl) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity of a rank-%d tensor has %d traversal_order, %d block_map and %u dim_metadata "
                 "entries (want rank + blocks each)", n, nl, nb, dm.len);
    return;
  }
  s->ndim = n;
  s->nlevels = nl;
  s->nblocks = nb;
  /* traversal order: a permutation, the dense dims first; blocks after, in order
   * (how TFLite's converter writes them, and what its densifier assumes) */
  unsigned seen = 0;
  for (int k = 0; k < nl; k++) {
    int d = s->order[k];
    if (d < 0 || d >= nl || (seen >> d) & 1u) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity traversal_order[%d] = %d is not a permutation of 0..%d", k, d, nl - 1);
      return;
    }
    seen |= 1u << d;
    if ((k < n) != (d < n) || (k >= n && d != k)) {
      lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "sparsity traversal_order[%d] = %d: block dimensions must follow the dense ones "
                   "in order", k, d);
      return;
    }
  }
  unsigned blocked = 0;
  for (int i = 0; i < nb; i++) {
    int d = s->block_map[i];
    if (d < 0 || d >= n || (blocked >> d) & 1u) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity block_map[%d] = %d (must name distinct dims of 0..%d)", i, d, n - 1);
      return;
    }
    blocked |= 1u << d;
  }
  int64_t dense_dims[LFRT_SPARSE_LEVELS]; /* size of each expanded dim */
  for (int d = 0; d < n; d++) dense_dims[d] = t->shape[d];
  for (int k = 0; k < nl && !c->bad; k++) {
    fb_table m = lfrt_fb_vec_table(c, dm, (uint32_t)k, "DimensionMetadata");
    int fmt = (int)lfrt_fb_int(c, &m, DIMMETA_FORMAT, 1, 0, 0, "format");
    int64_t ds = lfrt_fb_int(c, &m, DIMMETA_DENSE_SIZE, 4, 1, 0, "dense_size");
    if (c->bad) return;
    if (fmt != DIM_DENSE && fmt != DIM_SPARSE_CSR) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity level %d: format %d is not DENSE (0) or SPARSE_CSR (1)", k, fmt);
      return;
    }
    s->is_sparse[k] = fmt == DIM_SPARSE_CSR;
    if (k >= n) { /* block i = k - n: its size is this level's dense_size */
      int i = k - n, d = s->block_map[i];
      if (s->is_sparse[k]) {
        lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "sparsity level %d: a sparse block dimension is not supported", k);
        return;
      }
      if (ds < 1 || t->shape[d] % ds) {
        lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity block %d: size %lld does not divide dim %d (%d)", i, (long long)ds, d,
                     (int)t->shape[d]);
        return;
      }
      s->block_size[i] = (int)ds;
      dense_dims[d] = t->shape[d] / ds;
      dense_dims[k] = ds;
    }
    if (s->is_sparse[k]) {
      s->seg[k] = read_index_vec(c, &m, DIMMETA_SEGMENTS_TYPE, DIMMETA_SEGMENTS, k, "array_segments");
      s->idx[k] = read_index_vec(c, &m, DIMMETA_INDICES_TYPE, DIMMETA_INDICES, k, "array_indices");
    } /* a DENSE level's dense_size is checked below, once every block size is known */
  }
  if (c->bad) return;
  for (int k = 0; k < nl; k++) {
    s->level_size[k] = (int)dense_dims[s->order[k]];
    if (!s->is_sparse[k]) {
      fb_table m = lfrt_fb_vec_table(c, dm, (uint32_t)k, "DimensionMetadata");
      int64_t ds = lfrt_fb_int(c, &m, DIMMETA_DENSE_SIZE, 4, 1, 0, "dense_size");
      if (c->bad) return;
      if (ds != s->level_size[k]) {
        lfrt_fb_fail(c, LFRT_EBADFILE, "sparsity level %d: dense_size %lld, but its dimension has %d", k, (long long)ds,
                     s->level_size[k]);
        return;
      }
    }
  }
  if (!data) size = 0; /* no buffer: no stored values */
  if (size % es) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "sparse tensor has %llu bytes of data, not a whole number of %zu-byte values",
                 (unsigned long long)size, es);
    return;
  }
  s->values = data;
  s->nvalues = (int64_t)(size / es);
  check_levels(c, s);
}

typedef struct {
  const lfrt_sparsity *s;
  const lfrt_tensor *t;
  size_t es;
  unsigned char *out;
  int64_t next; /* the next stored value */
  int at[LFRT_SPARSE_LEVELS];
} walk_ctx;

static void leaf(walk_ctx *w) {
  const lfrt_sparsity *s = w->s;
  int64_t idx[LFRT_MAX_DIMS];
  for (int k = 0; k < s->ndim; k++) idx[s->order[k]] = w->at[k];
  for (int i = 0; i < s->nblocks; i++) idx[s->block_map[i]] = idx[s->block_map[i]] * s->block_size[i] + w->at[s->ndim + i];
  int64_t off = 0;
  for (int d = 0; d < s->ndim; d++) off = off * w->t->shape[d] + idx[d];
  memcpy(w->out + (size_t)off * w->es, s->values + (size_t)w->next * w->es, w->es);
  w->next++;
}

/* Visits level k under the node at position `pos` of level k - 1. */
static void walk(walk_ctx *w, int k, int64_t pos) {
  const lfrt_sparsity *s = w->s;
  if (k == s->nlevels) {
    leaf(w);
    return;
  }
  if (!s->is_sparse[k]) {
    for (int i = 0; i < s->level_size[k]; i++) {
      w->at[k] = i;
      walk(w, k + 1, pos * s->level_size[k] + i);
    }
    return;
  }
  uint32_t lo = vec_at(s, &s->seg[k], (uint32_t)pos), hi = vec_at(s, &s->seg[k], (uint32_t)pos + 1);
  for (uint32_t j = lo; j < hi; j++) {
    w->at[k] = (int)vec_at(s, &s->idx[k], j);
    walk(w, k + 1, j);
  }
}

void lfrt_sparse_densify_(const lfrt_sparsity *s, const lfrt_tensor *t, size_t elem_size, void *out) {
  walk_ctx w;
  memset(&w, 0, sizeof w);
  w.s = s;
  w.t = t;
  w.es = elem_size;
  w.out = out;
  walk(&w, 0, 0);
}
