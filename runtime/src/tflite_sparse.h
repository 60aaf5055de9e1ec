/* TFLite sparse constants (Tensor.sparsity): the metadata read and verified at
 * load (tflite_reader.c), and the dense tensor rebuilt from it when a DENSIFY
 * node is folded (tflite_fold.c). Format (TFLite's sparsity spec): the dense
 * shape's n dims, of which nblocks are also cut into blocks (block_map), give
 * n + nblocks "levels" visited in traversal_order; each level is DENSE (every
 * index) or SPARSE_CSR (per parent, a segment [seg[p], seg[p+1]) of
 * array_indices); the values are stored in visiting order. Internal. */
#ifndef LFRT_TFLITE_SPARSE_H
#define LFRT_TFLITE_SPARSE_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_model.h"
#include "tflite_fb.h"

#define LFRT_SPARSE_LEVELS (2 * LFRT_MAX_DIMS)

typedef struct {
  uint64_t pos; /* first element in the file */
  uint32_t n;   /* element count */
  int width;    /* bytes per element: 4 (int32), 2 (uint16), 1 (uint8) */
} lfrt_sparse_vec;

typedef struct lfrt_sparsity {
  const uint8_t *file;               /* the file's bytes (vectors are read in place) */
  int ndim;                          /* dense rank n */
  int nlevels;                       /* n + nblocks */
  int order[LFRT_SPARSE_LEVELS];     /* traversal_order: the expanded dim of each level */
  int nblocks;
  int block_map[LFRT_MAX_DIMS];      /* dense dim of block i */
  int block_size[LFRT_MAX_DIMS];
  int level_size[LFRT_SPARSE_LEVELS];/* size of the expanded dim visited at each level */
  int is_sparse[LFRT_SPARSE_LEVELS]; /* 1: SPARSE_CSR, 0: DENSE */
  lfrt_sparse_vec seg[LFRT_SPARSE_LEVELS], idx[LFRT_SPARSE_LEVELS];
  const uint8_t *values;             /* stored values, in visiting order */
  int64_t nvalues;
} lfrt_sparsity;

/* Reads Tensor.sparsity `sp` of tensor t (its dense shape and type already read;
 * `data`, `size`: its buffer) into *s and verifies all of it: ranks, the
 * traversal order, block map and sizes, each level's size, segment and index
 * bounds and order, and that the values are exactly as many as the structure
 * visits. Failures go to c (LFRT_EBADFILE; LFRT_EUNSUPPORTED for valid layouts
 * this runtime does not rebuild). */
void lfrt_sparse_read_(fb_ctx *c, const fb_table *sp, const lfrt_tensor *t, const uint8_t *data, uint64_t size,
                       lfrt_sparsity *s);

/* Writes the dense tensor (t's shape, elem_size bytes per element, zeros where
 * nothing is stored) into out (t->bytes, zeroed by the caller). s verified. */
void lfrt_sparse_densify_(const lfrt_sparsity *s, const lfrt_tensor *t, size_t elem_size, void *out);

#endif
