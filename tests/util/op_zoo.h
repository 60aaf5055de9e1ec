/* Single-op models for the LiteRT oracle tests (C99, runtime only).
 * lf_opzoo_build() makes, from a seed, one small .tflite per case: every op
 * the runtime executes, int8 and FLOAT32, over a sweep of odd/prime shapes,
 * strides, SAME/VALID, dilations, fused activations, broadcast shapes, concat
 * axes, pad amounts, resize modes, with random weights and quantization. */
#ifndef LF_OP_ZOO_H
#define LF_OP_ZOO_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_model.h"

#define LF_OPZOO_MAX_IN 4

typedef struct {
  char name[64];   /* unique file-safe name: "<op>_<i8|f32>_<nn>" */
  char desc[160];  /* the parameters, human-readable */
  lfrt_op op;
  int fp32;        /* the op's arithmetic is float (inputs may still be int8: DEQUANTIZE) */
  void *bytes;     /* the .tflite (malloc'd) */
  size_t len;
  int ninputs;
  lfrt_type in_type[LF_OPZOO_MAX_IN];
  size_t in_bytes[LF_OPZOO_MAX_IN];
  lfrt_type out_type;
} lf_opcase;

/* 0 ok (*cases malloc'd, *n entries), -1 with msg. */
int lf_opzoo_build(uint64_t seed, lf_opcase **cases, int *n, char *msg, size_t msgsz);
void lf_opzoo_free(lf_opcase *cases, int n);

/* Fills `bytes` of random input for a tensor of `type`: int8 uniform over
 * [-128, 127]; float32 uniform in [-3, 3) (with a few exact ties and zeros);
 * BOOL 0 or 1; other types random bytes. */
void lf_opzoo_random_input(uint64_t *rng, lfrt_type type, void *data, size_t bytes);

#endif
