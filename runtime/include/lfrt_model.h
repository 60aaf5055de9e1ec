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
 *    unsupported op is what gets reported), with the input/output count that op
 *    takes; required inputs are valid tensor indices, optional absent ones are
 *    -1 (only the bias of CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED /
 *    TRANSPOSE_CONV and the shape input of RESHAPE may be absent);
 *  - operators are in execution order: every non-constant input of node i is
 *    a subgraph input or an output of a node before i; no tensor is written
 *    twice; no op writes a constant or a subgraph input;
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
  LFRT_OP_LOGISTIC = 14,
  LFRT_OP_MAX_POOL_2D = 17,
  LFRT_OP_MUL = 18,
  LFRT_OP_RELU = 19,
  LFRT_OP_RELU6 = 21,
  LFRT_OP_RESHAPE = 22,
  LFRT_OP_RESIZE_BILINEAR = 23,
  LFRT_OP_SOFTMAX = 25,
  LFRT_OP_PAD = 34,
  LFRT_OP_MEAN = 40,
  LFRT_OP_TRANSPOSE_CONV = 67,
  LFRT_OP_RESIZE_NEAREST_NEIGHBOR = 97,
  LFRT_OP_QUANTIZE = 114
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

typedef struct { /* ADD */
  lfrt_activation activation;
  int pot_scale_int16; /* default 1; only meaningful for int16 */
} lfrt_add_options;

typedef struct { /* MUL */
  lfrt_activation activation;
} lfrt_mul_options;

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

/* Which member is meaningful depends on the op (see each struct's comment);
 * PAD, QUANTIZE, DEQUANTIZE, LOGISTIC, RELU, RELU6 have no options. */
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
  lfrt_quant quant;
} lfrt_tensor;

typedef struct {
  lfrt_op op;
  int version;          /* operator_codes[].version (>= 1) */
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
