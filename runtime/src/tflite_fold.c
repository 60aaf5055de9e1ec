/* Constant folding at load: see tflite_fold.h. */
#include "tflite_fold.h"

#include <math.h>
#include <string.h>

#include "tflite_sparse.h"

float lfrt_half_to_float(uint16_t h) {
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0) v = ldexpf((float)mant, -24); /* zero and subnormals */
  else if (exp == 31) v = mant ? NAN : INFINITY;
  else v = ldexpf((float)(mant | 0x400), exp - 25);
  return sign ? -v : v;
}

/* DEQUANTIZE FLOAT16 -> FLOAT32 of a constant (fp16-weight models). */
static int foldable(const lfrt_model *m, const lfrt_operator *op) {
  if (op->op != LFRT_OP_DEQUANTIZE || op->ninputs != 1 || op->noutputs != 1) return 0;
  const lfrt_tensor *x = &m->tensors[op->inputs[0]], *y = &m->tensors[op->outputs[0]];
  return x->data && x->type == LFRT_FLOAT16 && y->type == LFRT_FLOAT32 && x->count == y->count && !y->data;
}

/* DENSIFY of a sparse constant (verified at load, tflite_sparse.c) of the
 * output's type and shape. */
static int densifiable(const lfrt_model *m, const lfrt_operator *op) {
  if (op->op != LFRT_OP_DENSIFY || op->ninputs != 1 || op->noutputs != 1 || op->unsupported) return 0;
  const lfrt_tensor *x = &m->tensors[op->inputs[0]], *y = &m->tensors[op->outputs[0]];
  if (!x->sparsity || x->type != y->type || x->ndim != y->ndim || y->data) return 0;
  for (int d = 0; d < x->ndim; d++)
    if (x->shape[d] != y->shape[d]) return 0;
  return 1;
}

int lfrt_fold_constants_(const lfrt_model *m, lfrt_tensor *tensors, lfrt_fold_alloc_fn alloc, void *ctx) {
  for (int i = 0; i < m->nops; i++) {
    const lfrt_operator *op = &m->ops[i];
    if (densifiable(m, op)) {
      lfrt_tensor *y = &tensors[op->outputs[0]];
      void *out = alloc(ctx, y->bytes); /* zeroed: what the sparse tensor does not store */
      if (!out) return -1;
      lfrt_sparse_densify_(m->tensors[op->inputs[0]].sparsity, y, lfrt_type_size(y->type), out);
      y->data = out;
      y->folded = 1;
      continue;
    }
    if (!foldable(m, op)) continue;
    const lfrt_tensor *x = &tensors[op->inputs[0]];
    lfrt_tensor *y = &tensors[op->outputs[0]];
    float *out = alloc(ctx, y->bytes);
    if (!out) return -1;
    const unsigned char *src = x->data;
    for (int64_t k = 0; k < x->count; k++) {
      out[k] = lfrt_half_to_float((uint16_t)(src[2 * k] | src[2 * k + 1] << 8)); /* little-endian in the file */
    }
    y->data = out;
    y->folded = 1;
  }
  return 0;
}
