/* A parsed, verified TFLite model as plain C structs.
 *
 * lfrt_model_load() reads a .tflite flatbuffer in place (the caller's bytes,
 * or an mmap for lfrt_model_load_file), checks every offset, vtable, vector,
 * string, union, enum, index, shape and quantization field it uses, and
 * refuses anything malformed (LFRT_EBADFILE) or outside what this runtime
 * executes (LFRT_EUNSUPPORTED) with a message naming the file, the node or
 * tensor and the problem. It never crashes on hostile input.
 *
 * What a loaded model guarantees (kernels and planner may rely on it):
 *  - exactly one subgraph (files with several subgraphs are refused);
 *  - every op is one of enum lfrt_op (checked before any tensor, so an
 *    unsupported op is what gets reported; CUSTOM only with a custom_code of the
 *    registration table, runtime/src/custom_ops.c), with the input/output count that op
 *    takes; required inputs are valid tensor indices, optional absent ones are
 *    -1 (only the bias of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED /
 *    TRANSPOSE_CONV and the shape input of RESHAPE may be absent);
 *  - operators are in execution order: every non-constant input of node i is
 *    a subgraph input or an output of a node before i; no tensor is written
 *    twice; no op writes a constant or a subgraph input -- except that
 *    constant folding at load (DEQUANTIZE of a FLOAT16 constant) gives that
 *    node's output its data (folded = 1; the interpreter skips the node, and
 *    a writer rewriting the model must leave folded tensors without data);
 *  - ndim <= LFRT_MAX_DIMS, every dim >= 1, element count and byte size
 *    < 2^31 (so kernels may index with int32); at most 2^20 tensors,
 *    operators, buffers and operator codes;
 *  - constant tensors: data != NULL, bytes == element count * type size, and
 *    data is aligned to 16 bytes (misaligned buffers are copied at load);
 *  - quantization: count 0 (none), 1 (per tensor) or shape[axis] (per axis);
 *    scales finite and > 0; zero points within the tensor type's range.
 *    One leniency: a rank-1 tensor with shape[0] per-axis scales gets axis 0
 *    whatever quantized_dimension says (old TOCO files, e.g. TFLM's
 *    person_detect, copy the weights' axis 3 onto biases; LiteRT refuses them);
 *  - activation functions are NONE, RELU, RELU_N1_TO_1 or RELU6; strides,
 *    dilations and filter sizes are >= 1 (depth_multiplier >= 0); padding is SAME or
 *    VALID; concatenation/softmax axes are NOT range-checked against shapes
 *    (the interpreter's prepare does shape checks).
 *
 * All pointers in a model point into memory owned by the model or into the
 * caller's bytes (which must outlive the model when loaded with
 * lfrt_model_load). lfrt_model_free releases everything the load allocated. */
#ifndef LFRT_MODEL_H
#define LFRT_MODEL_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_status.h"

#define LFRT_MAX_DIMS 6

/* Tensor element types: the values of TFLite's TensorType enum. */
typedef enum {
  LFRT_FLOAT32 = 0,
  LFRT_FLOAT16 = 1,
  LFRT_INT32 = 2,
  LFRT_UINT8 = 3,
  LFRT_INT64 = 4,
  LFRT_STRING = 5, /* refused at load */
  LFRT_BOOL = 6,
  LFRT_INT16 = 7,
  LFRT_COMPLEX64 = 8, /* refused at load */
  LFRT_INT8 = 9,
  LFRT_FLOAT64 = 10
} lfrt_type;

/* Builtin operators this runtime executes: the values of TFLite's
 * BuiltinOperator enum. Any other op is refused at load. */
typedef enum {
  LFRT_OP_ADD = 0,
  LFRT_OP_AVERAGE_POOL_2D = 1,
  LFRT_OP_CONCATENATION = 2,
  LFRT_OP_CONV_2D = 3,
  LFRT_OP_DEPTHWISE_CONV_2D = 4,
  LFRT_OP_DEQUANTIZE = 6,
  LFRT_OP_FULLY_CONNECTED = 9,
  LFRT_OP_CUSTOM = 32, /* custom ops (mediapipe): custom_code names one of runtime/src/custom_ops.c */
  LFRT_OP_L2_NORMALIZATION = 11, /* math ops (issue 11) */
  LFRT_OP_LOGISTIC = 14,
  LFRT_OP_MAX_POOL_2D = 17,
  LFRT_OP_MUL = 18,
  LFRT_OP_RELU = 19,
  LFRT_OP_RELU6 = 21,
  LFRT_OP_RESHAPE = 22,
  LFRT_OP_RESIZE_BILINEAR = 23,
  LFRT_OP_SOFTMAX = 25,
  LFRT_OP_TANH = 28,
  LFRT_OP_PAD = 34,
  LFRT_OP_MEAN = 40,
  LFRT_OP_SUB = 41,
  LFRT_OP_DIV = 42,
  LFRT_OP_EXP = 47,
  LFRT_OP_PRELU = 54,
  LFRT_OP_ARG_MAX = 56, /* math ops (issue 11) */
  LFRT_OP_MAXIMUM = 55,
  LFRT_OP_MINIMUM = 57,
  LFRT_OP_TRANSPOSE_CONV = 67,
  LFRT_OP_RSQRT = 76,
  LFRT_OP_ARG_MIN = 79, /* math ops (issue 11) */
  LFRT_OP_RESIZE_NEAREST_NEIGHBOR = 97,
  LFRT_OP_LEAKY_RELU = 98,
  LFRT_OP_SQUARED_DIFFERENCE = 99,
  LFRT_OP_QUANTIZE = 114,
  LFRT_OP_HARD_SWISH = 117,
  /* shape ops (data movement) */
  LFRT_OP_DEPTH_TO_SPACE = 5,
  LFRT_OP_RELU_N1_TO_1 = 20,
  LFRT_OP_SPACE_TO_DEPTH = 26,
  LFRT_OP_GATHER = 36,
  LFRT_OP_TRANSPOSE = 39,
  LFRT_OP_STRIDED_SLICE = 45,
  LFRT_OP_SPLIT = 49,
  LFRT_OP_PADV2 = 60,
  LFRT_OP_SLICE = 65,
  LFRT_OP_PACK = 83,
  LFRT_OP_UNPACK = 88,
  LFRT_OP_SPLIT_V = 102,
  LFRT_OP_DENSIFY = 124, /* mediapipe: sparse constant -> dense, folded at load */
  LFRT_OP_BATCH_MATMUL = 126, /* batch matmul etc. (issue 11) */
  LFRT_OP_TILE = 69, /* coral */
  LFRT_OP_CAST = 53, /* movenet: CAST, FLOOR_DIV, GATHER_ND */
  LFRT_OP_FLOOR_DIV = 90,
  LFRT_OP_GATHER_ND = 107,
  LFRT_OP_SQRT = 75 /* movenet */
} lfrt_op;

typedef enum { LFRT_PADDING_SAME = 0, LFRT_PADDING_VALID = 1 } lfrt_padding;

/* Fused activation (TFLite ActivationFunctionType). TANH and SIGN_BIT are
 * refused at load. */
typedef enum {
  LFRT_ACT_NONE = 0,
  LFRT_ACT_RELU = 1,
  LFRT_ACT_RELU_N1_TO_1 = 2,
  LFRT_ACT_RELU6 = 3
} lfrt_activation;

/* ---- per-op options (TFLite's *Options tables, decoded, defaults filled) --- */
typedef struct { /* CONV_2D */
  lfrt_padding padding;
  int stride_w, stride_h;     /* >= 1 */
  int dilation_w, dilation_h; /* >= 1, default 1 */
  lfrt_activation activation;
} lfrt_conv_options;

typedef struct { /* DEPTHWISE_CONV_2D */
  lfrt_padding padding;
  int stride_w, stride_h;     /* >= 1 */
  int depth_multiplier;       /* >= 0; 0 = not given: out_channels / in_channels */
  int dilation_w, dilation_h; /* >= 1, default 1 */
  lfrt_activation activation;
} lfrt_depthwise_options;

typedef struct { /* AVERAGE_POOL_2D, MAX_POOL_2D */
  lfrt_padding padding;
  int stride_w, stride_h; /* >= 1 */
  int filter_w, filter_h; /* >= 1 */
  lfrt_activation activation;
} lfrt_pool_options;

typedef struct { /* FULLY_CONNECTED */
  lfrt_activation activation;
  int weights_format; /* 0 = DEFAULT; SHUFFLED4x16INT8 (1) is refused at load */
  int keep_num_dims;  /* 0/1 */
  int asymmetric_quantize_inputs; /* 0/1 (hybrid models only; kept for round trips) */
} lfrt_fc_options;

typedef struct { /* SOFTMAX */
  float beta; /* finite; TFLite's default when absent is 0, converters write 1 */
} lfrt_softmax_options;

typedef struct { /* CONCATENATION */
  int axis; /* may be negative (counts from the end) */
  lfrt_activation activation;
} lfrt_concat_options;

typedef struct { /* ADD, SUB */
  lfrt_activation activation;
  int pot_scale_int16; /* default 1; only meaningful for int16 */
} lfrt_add_options;

typedef struct { /* MUL, DIV, L2_NORMALIZATION */
  lfrt_activation activation;
} lfrt_mul_options;

typedef struct { /* LEAKY_RELU */
  float alpha; /* finite */
} lfrt_leaky_relu_options;

typedef struct { /* ARG_MAX, ARG_MIN (math ops, issue 11) */
  lfrt_type output_type; /* INT32 or INT64 to run */
} lfrt_arg_minmax_options;

typedef struct { /* RESHAPE */
  int num_dims;                      /* -1 = no new_shape in the options */
  int32_t new_shape[LFRT_MAX_DIMS];  /* may hold one -1 */
} lfrt_reshape_options;

typedef struct { /* RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR */
  int align_corners;      /* 0/1 */
  int half_pixel_centers; /* 0/1 */
} lfrt_resize_options;

typedef struct { /* MEAN */
  int keep_dims; /* 0/1 */
} lfrt_reducer_options;

typedef struct { /* TRANSPOSE_CONV */
  lfrt_padding padding;
  int stride_w, stride_h; /* >= 1 */
  lfrt_activation activation; /* newer schema field; default NONE */
} lfrt_transpose_conv_options;

/* shape ops */
typedef struct { /* DEPTH_TO_SPACE, SPACE_TO_DEPTH */
  int block_size; /* >= 1 */
} lfrt_block_options;

typedef struct { /* GATHER */
  int axis;       /* may be negative */
  int batch_dims; /* default 0; may be negative */
} lfrt_gather_options;

typedef struct { /* CAST (movenet): the CastOptions types; the kernel goes by the tensors' types */
  lfrt_type in_data_type, out_data_type; /* FLOAT32 (0) when absent */
} lfrt_cast_options;

typedef struct { /* STRIDED_SLICE */
  int begin_mask, end_mask, ellipsis_mask, new_axis_mask, shrink_axis_mask; /* bit i: dim i */
  int offset; /* 0/1: end is relative to begin */
} lfrt_strided_slice_options;

typedef struct { /* SPLIT, SPLIT_V */
  int num_splits; /* >= 1 */
} lfrt_split_options;

typedef struct { /* PACK (count = values_count), UNPACK (count = num) */
  int count;
  int axis; /* may be negative */
} lfrt_pack_options;

typedef struct { /* BATCH_MATMUL (batch matmul etc.) */
  int adj_x, adj_y;               /* 0/1: lhs / rhs given transposed (last two dims) */
  int asymmetric_quantize_inputs; /* hybrid kernels only; kept for round trips */
} lfrt_batch_matmul_options;

/* Which member is meaningful depends on the op (see each struct's comment);
 * SUB uses `add`, DIV `mul`; PAD, QUANTIZE, DEQUANTIZE, LOGISTIC, RELU, RELU6,
 * TANH, EXP, RSQRT, HARD_SWISH, PRELU, MAXIMUM, MINIMUM, SQUARED_DIFFERENCE have
 * no options; nor do TRANSPOSE, SLICE, PADV2, RELU_N1_TO_1, FLOOR_DIV, GATHER_ND. */
typedef union {
  lfrt_conv_options conv;
  lfrt_depthwise_options depthwise;
  lfrt_pool_options pool;
  lfrt_fc_options fc;
  lfrt_softmax_options softmax;
  lfrt_concat_options concat;
  lfrt_add_options add;
  lfrt_mul_options mul;
  lfrt_reshape_options reshape;
  lfrt_resize_options resize;
  lfrt_reducer_options reducer;
  lfrt_transpose_conv_options transpose_conv;
  lfrt_leaky_relu_options leaky_relu;
  lfrt_block_options block;                 /* DEPTH_TO_SPACE, SPACE_TO_DEPTH */
  lfrt_gather_options gather;
  lfrt_strided_slice_options strided_slice;
  lfrt_split_options split;                 /* SPLIT, SPLIT_V */
  lfrt_pack_options pack;                   /* PACK, UNPACK */
  lfrt_arg_minmax_options arg_minmax; /* math ops (issue 11) */
  lfrt_batch_matmul_options batch_matmul; /* batch matmul etc. */
  lfrt_cast_options cast; /* movenet */
} lfrt_options;

/* Quantization parameters. real = scale * (q - zero_point).
 * count 0: not quantized; 1: per tensor; n > 1: per axis, n == shape[axis]. */
typedef struct {
  int count;
  const float *scale;        /* count entries, finite, > 0 */
  const int32_t *zero_point; /* count entries, within the type's range */
  int axis;                  /* quantized_dimension, in [0, ndim) when count > 1 */
} lfrt_quant;

typedef struct {
  const char *name; /* never NULL ("" when the file has none) */
  lfrt_type type;
  int ndim;                      /* 0..LFRT_MAX_DIMS (0 = scalar) */
  int32_t shape[LFRT_MAX_DIMS];  /* each >= 1 */
  int64_t count;                 /* element count (product of shape; 1 for scalars) */
  size_t bytes;                  /* count * lfrt_type_size(type) */
  const void *data;              /* constant data (16-byte aligned), or NULL */
  uint32_t buffer;               /* buffer index in the file (0 = none) */
  int is_variable;               /* 0/1 */
  int folded;                    /* 1: data computed at load by the node that writes it */
  lfrt_quant quant;
  int dynamic;                   /* 0/1: shape_signature has a -1 (shape holds one instance) */
  const struct lfrt_sparsity *sparsity; /* sparse constant (TFLite sparsity, verified at load,
                                  * tflite_sparse.h): data is NULL, only DENSIFY reads it */
  const char *unsupported;       /* lfrt_model_describe only: why the runtime cannot hold
                                  * this tensor (type, sparsity, rank, a 0 or -1 dim); NULL = fine */
} lfrt_tensor;

typedef struct {
  lfrt_op op;           /* lfrt_model_describe: any builtin code (see `unsupported`) */
  int version;          /* operator_codes[].version (>= 1) */
  const char *custom_code; /* CUSTOM ops: the name in the file; NULL otherwise */
  const uint8_t *custom_options; /* CUSTOM ops: Operator.custom_options bytes in the file (any
                                  * alignment; the op's prepare checks them), NULL when none */
  uint32_t custom_options_bytes;
  const char *unsupported; /* lfrt_model_describe only: why the loader refuses this
                            * op (unknown op, version, options); NULL = accepted */
  int ninputs, noutputs;
  const int32_t *inputs;  /* tensor indices; -1 = optional input absent */
  const int32_t *outputs; /* tensor indices */
  lfrt_options opt;
} lfrt_operator;

typedef struct {
  const char *name; /* never NULL */
  const void *data; /* the metadata buffer's bytes (may be NULL when bytes == 0) */
  size_t bytes;
} lfrt_metadata;

typedef struct lfrt_model {
  const char *source_name;  /* name given at load (copied) */
  uint32_t version;         /* schema version (3 for current files) */
  const char *description;  /* never NULL */
  const char *subgraph_name;/* never NULL */
  int ntensors;
  const lfrt_tensor *tensors;
  int nops;
  const lfrt_operator *ops;
  int ninputs, noutputs;
  const int32_t *inputs;    /* subgraph input tensor indices */
  const int32_t *outputs;   /* subgraph output tensor indices */
  int nmetadata;
  const lfrt_metadata *metadata;
  const void *file;         /* the bytes read (caller's, or the mmap) */
  size_t file_bytes;
  int nsubgraphs;           /* subgraphs in the file (only the first is read) */
  const char *unsupported;  /* lfrt_model_describe only: a model-level refusal (several
                             * subgraphs); NULL = none */
  void *priv_;              /* allocations owned by the model */
} lfrt_model;

/* Parses and verifies `len` bytes. The bytes are read in place and must stay
 * valid (and unchanged) until lfrt_model_free. `name` (may be NULL -> "model")
 * starts every error message. On success *out is a new model. */
lfrt_status lfrt_model_load(const void *bytes, size_t len, const char *name,
                            lfrt_model **out, lfrt_error *err);

/* mmaps `path` (read-only) and loads it; the mapping is released by
 * lfrt_model_free. */
lfrt_status lfrt_model_load_file(const char *path, lfrt_model **out, lfrt_error *err);

void lfrt_model_free(lfrt_model *m); /* NULL is fine */

/* Describe load (`leapfrog info`): the same parse and the same checks, but what
 * is valid TFLite the runtime does not execute (an unknown or custom op, an op
 * version, a fused activation or option, a tensor type, sparsity, rank > 6, a
 * 0 or -1 dimension, several subgraphs: the LFRT_EUNSUPPORTED cases of a load)
 * is recorded, with the message a load would give, in the op's, tensor's or
 * model's `unsupported` field instead of failing; malformed files still fail
 * (LFRT_EBADFILE). An op with an unsupported code keeps its inputs and outputs
 * (any count) and no options. Such a model can be listed and checked
 * (lfrt_interp_check) but lfrt_interp_create refuses it with the first reason. */
lfrt_status lfrt_model_describe(const void *bytes, size_t len, const char *name, lfrt_model **out,
                                lfrt_error *err);
lfrt_status lfrt_model_describe_file(const char *path, lfrt_model **out, lfrt_error *err);

/* Says that the bytes [p, p + bytes) of m's file (a constant tensor's data)
 * will not be read again soon: for a model from lfrt_model_load_file their
 * whole pages leave memory (and come back from the file if read again), so
 * weights that the interpreter packed into its own layout are not held
 * twice. Does nothing (returns 0) for caller-owned bytes or pointers outside
 * the file. Note: a read of one small constant maps back its neighbours too
 * (the kernel's fault-around), so the interpreter also copies the small
 * constants it reads at invoke. */
int lfrt_model_release_data(const lfrt_model *m, const void *p, size_t bytes); /* 1: released */

/* Name of a TFLite builtin operator code ("CONV_2D"), or NULL if unknown to
 * this table (it knows the codes 0..127 and a few later ones). */
const char *lfrt_op_name(int builtin_code);
/* "INT8", "FLOAT32", ... or "UNKNOWN". */
const char *lfrt_type_name(int type);
/* Bytes per element: 1, 2, 4 or 8; 0 for types the runtime does not hold. */
size_t lfrt_type_size(int type);

/* Index of the tensor named `name` in m, or -1. */
int lfrt_model_find_tensor(const lfrt_model *m, const char *name);

#endif
