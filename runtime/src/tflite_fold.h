/* Constant folding at load (tflite_reader.c): ops whose inputs are all
 * constants and that only change the storage of weights (DEQUANTIZE of
 * FLOAT16 constants) get their output computed once; the output tensor
 * becomes a constant (data set, folded = 1) and the interpreter skips the
 * node. Internal to the runtime. */
#ifndef LFRT_TFLITE_FOLD_H
#define LFRT_TFLITE_FOLD_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_model.h"

/* Zeroed, 16-byte-aligned bytes owned by the model; NULL when out of memory. */
typedef void *(*lfrt_fold_alloc_fn)(void *ctx, size_t bytes);

/* Folds, in execution order, every foldable node of m (whose tensor array is
 * `tensors`). Returns 0, or -1 when an allocation failed. */
int lfrt_fold_constants_(const lfrt_model *m, lfrt_tensor *tensors, lfrt_fold_alloc_fn alloc, void *ctx);

/* IEEE binary16 bits -> float (exact: every half is a float). */
float lfrt_half_to_float(uint16_t h);

#endif
