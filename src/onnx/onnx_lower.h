/* ONNX -> TFLite lowering state, shared by onnx_import.c (values, tensors,
 * layout) and onnx_ops.c (one function per ONNX op). */
#ifndef LF_ONNX_LOWER_H
#define LF_ONNX_LOWER_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_onnx.h"
#include "lfrt_writer.h"
#include "onnx/onnx_internal.h"

#define OX_MAX_RANK 6

/* TFLite builtin codes the runtime's lfrt_op enum does not name (yet); the
 * writer writes them without options, which LiteRT reads as the defaults. */
enum {
  OX_TFL_RELU_N1_TO_1 = 20,
  OX_TFL_TANH = 28,
  OX_TFL_TRANSPOSE = 39,
  OX_TFL_SUB = 41,
  OX_TFL_PRELU = 54,
  OX_TFL_MAXIMUM = 55,
  OX_TFL_MINIMUM = 57,
  OX_TFL_PADV2 = 60,
  OX_TFL_HARD_SWISH = 117
};

/* One ONNX value: a constant known at import time, or an activation held in
 * a TFLite tensor. Rank-4 activations are stored NHWC. */
typedef struct {
  const char *name;
  int ndim;
  int64_t dims[OX_MAX_RANK]; /* ONNX (logical) shape */
  int is_const, is_int;      /* constants: int64 values in i, else floats in f */
  float *f;
  int64_t *i;
  int64_t count;
  int tid;       /* activation: the TFLite tensor (NHWC when ndim == 4) */
  int plain_tid; /* activation: a tensor with the ONNX shape and order, or -1 */
  int nonneg;    /* activation known to be >= 0 */
} ox_val;

typedef struct {
  const char *file;
  lfrt_writer *w;
  const Onnx__GraphProto *g;
  int64_t opset;
  ox_val *v;
  int nv, cv;
  int *hash; /* open addressing over v by name, -1 empty */
  size_t hcap;
  int *uses;      /* per value: how many nodes read it (graph outputs count) */
  int *consumer;  /* per value: the last node reading it */
  char *skip;     /* per node: folded into an earlier one */
  int node;       /* the node being lowered (for messages) */
  int tmp;        /* counter for helper tensor names */
  int64_t const_budget; /* elements constants may still take (initializers and folding) */
  const lf_onnx_import_opts *opts; /* NULL: defaults */
} ox_ctx;

/* Error naming the file and the current node. */
lf_status ox_err(ox_ctx *c, lf_status s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const Onnx__NodeProto *ox_cur(ox_ctx *c);

int ox_find(ox_ctx *c, const char *name);                        /* value index or -1 */
ox_val *ox_new(ox_ctx *c, const char *name);                     /* NULL when out of memory */
lf_status ox_in(ox_ctx *c, const Onnx__NodeProto *n, int k, ox_val **out); /* defined input k */
int ox_has_in(const Onnx__NodeProto *n, int k);

/* attributes */
const Onnx__AttributeProto *ox_attr(const Onnx__NodeProto *n, const char *name);
int64_t ox_attr_i(const Onnx__NodeProto *n, const char *name, int64_t def);
float ox_attr_f(const Onnx__NodeProto *n, const char *name, float def);
const char *ox_attr_s(const Onnx__NodeProto *n, const char *name, const char *def, char *buf, size_t cap);
/* ints attribute: count into *n (0 when absent), values into out (up to cap). */
lf_status ox_attr_ints(ox_ctx *c, const Onnx__NodeProto *n, const char *name, int64_t *out, int cap, int *cnt);

/* tensors */
lf_status ox_tensor_to_val(ox_ctx *c, const Onnx__TensorProto *t, const char *what, ox_val *v);
lf_status ox_set_const(ox_ctx *c, ox_val *v, int ndim, const int64_t *dims, int is_int);
int64_t ox_numel(int ndim, const int64_t *dims); /* -1 on overflow past 2^31 */

/* TFLite tensors */
int ox_phys_shape(const ox_val *v, int32_t *shape); /* returns ndim */
lf_status ox_new_act(ox_ctx *c, ox_val *v, int ndim, const int64_t *dims); /* adds v's TFLite tensor */
int ox_const_f32(ox_ctx *c, const char *name, int ndim, const int32_t *shape, const float *data);
int ox_const_i32(ox_ctx *c, const char *name, int n, const int32_t *data);
/* A constant operand broadcast against an activation of rank `ndim` (stored
 * NHWC when ndim == 4): shape padded with leading 1s, permuted, as float. */
int ox_bcast_const(ox_ctx *c, const ox_val *k, int ndim);
int ox_plain(ox_ctx *c, ox_val *v);                 /* tensor in ONNX order and shape */
lf_status ox_store_plain(ox_ctx *c, ox_val *out, int plain_tid); /* out from an ONNX-order tensor */
int ox_op(ox_ctx *c, int op, const int32_t *ins, int nin, int out, const lfrt_options *o);
int ox_tmp_act(ox_ctx *c, const char *base, int ndim, const int32_t *shape);

/* lowering of one node (onnx_ops.c); returns LF_OK or an error via ox_err */
lf_status ox_lower_node(ox_ctx *c, const Onnx__NodeProto *n);

#endif
