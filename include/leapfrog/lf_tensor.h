/* FP32 tensors for the training engine, plus the engine's thread pool.
 *
 * Layout: activations are NHWC, always 4-D ([n][h][w][c], c fastest); a
 * vector per sample (dense / global-pool outputs, logits) is [n][1][1][c].
 * Parameters use the shapes documented in lf_nn.h (conv weights OHWI).
 * Data is 64-byte aligned, contiguous, row-major; numel = product of shape. */
#ifndef LF_TENSOR_H
#define LF_TENSOR_H
#include <stddef.h>
#include "leapfrog/lf_status.h"

#define LF_TENSOR_MAX_DIMS 4

typedef struct {
  float *data;                    /* numel floats, 64-byte aligned */
  int ndim;                       /* 0..4 (0 = scalar, numel 1) */
  int shape[LF_TENSOR_MAX_DIMS];  /* unused dims are 1 */
  size_t numel;
  size_t cap;                     /* floats allocated (>= numel); 0 for a view */
  int owns;                       /* 1: data freed by lf_tensor_free */
} lf_tensor;

/* Allocates (zero-filled) a tensor of `ndim` dims. A tensor that already owns
 * enough capacity is reshaped in place (contents then unspecified). */
lf_status lf_tensor_alloc(lf_tensor *t, int ndim, const int *shape);
lf_status lf_tensor_alloc4(lf_tensor *t, int n, int h, int w, int c);
/* A non-owning view of caller memory. */
void lf_tensor_view(lf_tensor *t, float *data, int ndim, const int *shape);
void lf_tensor_free(lf_tensor *t);   /* safe on a zeroed / freed tensor */
void lf_tensor_zero(lf_tensor *t);
void lf_tensor_fill(lf_tensor *t, float v);
/* dst gets src's shape and a copy of its data. */
lf_status lf_tensor_copy(lf_tensor *dst, const lf_tensor *src);
int lf_tensor_same_shape(const lf_tensor *a, const lf_tensor *b);
/* "[16,224,224,3]" into buf; returns buf. */
const char *lf_tensor_shape_str(const lf_tensor *t, char *buf, size_t len);

/* 64-byte aligned allocation of `bytes` (NULL on failure / overflow). */
void *lf_aligned_alloc(size_t bytes);
void lf_aligned_free(void *p);

/* ---- threads ---------------------------------------------------------------
 * lf_set_threads(n) sets the engine's pthread pool and OpenBLAS's threads
 * (n <= 0: number of CPUs). Work is split in fixed chunks and every reduction
 * has a fixed order, so results do not depend on n except through OpenBLAS's
 * own GEMM blocking (same n -> same bits). */
void lf_set_threads(int n);
int lf_get_threads(void);
/* Runs fn(ctx, begin, end) over [0, count) in contiguous chunks on the pool;
 * chunk boundaries depend only on count and the thread count. fn must not
 * call lf_parallel_for itself (it then runs serially). */
typedef void (*lf_range_fn)(void *ctx, size_t begin, size_t end);
void lf_parallel_for(size_t count, lf_range_fn fn, void *ctx);

#endif
