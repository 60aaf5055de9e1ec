/* movenet's CAST, FLOOR_DIV and GATHER_ND cases of the op zoo (op_zoo.c):
 * odd/prime shapes, every CAST pair of FLOAT32/INT32/INT64/UINT8/INT8/INT16/BOOL
 * the runtime takes (float sources in range: out-of-range casts are refused),
 * quantized sources (the scale is ignored), FLOOR_DIV float and int32 with
 * broadcasting up to 5-D and constant nonzero divisors, GATHER_ND on
 * float/int8/uint8/int32 params with constant int32/int64 indices; and the rest of
 * what movenet needed: SQRT, int32 ADD/SUB/MUL, PACK int32, int8 SUB on TFLite's
 * builtin path (scale ratios XNNPACK declines). */
#ifndef LF_OP_ZOO_MOVENET_H
#define LF_OP_ZOO_MOVENET_H
#include "op_zoo_u8.h" /* lf_u8case: one op's inputs, output and types */

int lf_opzoo_mv_count(void);
/* 1: case i is a float model (its first input is FLOAT32). */
int lf_opzoo_mv_fp32(int i);
/* Builds case i into z (from lf_zoo_init); -1 with z->failed. */
int lf_opzoo_mv_case(lf_zoo *z, int i, lf_u8case *k);
#endif
