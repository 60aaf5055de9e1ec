/* uint8 (legacy TOCO / Edge TPU quantization) cases of the op zoo (op_zoo.c):
 * per-tensor asymmetric uint8 weights with a zero point, uint8 activations with
 * asymmetric zero points, odd/prime shapes, all-zero weight channels, and
 * degenerate (tiny) scales, int8 per-channel included. */
#ifndef LF_OP_ZOO_U8_H
#define LF_OP_ZOO_U8_H
#include "model_zoo.h"
#include "op_zoo.h"

typedef struct {
  lfrt_op op;
  int32_t ins[LF_OPZOO_MAX_IN]; /* the model's inputs */
  int nin, out;
  lfrt_type in_type[LF_OPZOO_MAX_IN], out_type;
  char desc[160];
} lf_u8case;

int lf_opzoo_u8_count(void);
/* Builds case i into z (an int8 builder from lf_zoo_init); -1 with z->failed. */
int lf_opzoo_u8_case(lf_zoo *z, int i, lf_u8case *k);
#endif
