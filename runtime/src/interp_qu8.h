/* uint8 nodes of the interpreter (legacy quantization, prep_qu8.c): prepare
 * hooks called from interp_prepare.c when a node's tensors are UINT8, and the
 * dispatch of kind K_U8. */
#ifndef LFRT_INTERP_QU8_H
#define LFRT_INTERP_QU8_H
#include "interp_internal.h"
#include "lfrt_qu8.h"

typedef enum { U8_CONV, U8_DW, U8_FC, U8_ADD, U8_MUL, U8_AVG, U8_MAX, U8_MEAN, U8_SOFTMAX, U8_RBL,
               U8_TCONV /* pose / uint8 */ } lfrt_qu8_op;

/* CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED with uint8 input: called by
 * conv_quant with n->kind K_CONV_Q, K_DW_Q or K_FC_Q and n->p.conv's geometry
 * set; fills n->p.conv's quantization fields as conv_quant does. */
lfrt_status lfrt_qu8_prep_conv(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x,
                               const lfrt_tensor *w, const lfrt_tensor *b, const lfrt_tensor *y,
                               int act, lfrt_error *err);

/* The other hooks: called where the int8 path would check int8 quantization,
 * with the node's shapes/geometry already in n->p. */
lfrt_status lfrt_qu8_same_q(lfrt_interp *it, int idx, const lfrt_tensor *x, const lfrt_tensor *y, lfrt_error *err);
/* CONCATENATION input i of n->nin: an input quantized unlike the output gets a
 * requantizing byte table in n->u8_lut / n->u8_rows (TFLite's float formula). */
lfrt_status lfrt_qu8_prep_concat_input(lfrt_interp *it, int idx, lfrt_node *n, int i, const lfrt_tensor *x,
                                       const lfrt_tensor *y, lfrt_error *err);
lfrt_status lfrt_qu8_prep_pool(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                               int is_max, int act, lfrt_error *err);
lfrt_status lfrt_qu8_prep_mean(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                               lfrt_error *err);
lfrt_status lfrt_qu8_prep_binary(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *a, const lfrt_tensor *b,
                                 const lfrt_tensor *y, int mul, int act, lfrt_error *err);
lfrt_status lfrt_qu8_prep_softmax(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                                  lfrt_error *err);
/* LOGISTIC, RELU, RELU6, QUANTIZE with uint8 input and output: a byte table (kind K_LUT_Q). */
lfrt_status lfrt_qu8_prep_lut(lfrt_interp *it, int idx, lfrt_node *n, const lfrt_tensor *x, const lfrt_tensor *y,
                              lfrt_error *err);

void lfrt_qu8_run_node(const lfrt_node *n, const void *x, const void *w, const void *b, void *y,
                       int begin, int end);
#endif
