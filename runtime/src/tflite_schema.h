/* TFLite schema (schema.fbs, version 3) constants shared by the reader and
 * the writer: field ids (the vtable slot of each table field, in declaration
 * order) and BuiltinOptions union type ids. Internal to the runtime. */
#ifndef LFRT_TFLITE_SCHEMA_H
#define LFRT_TFLITE_SCHEMA_H

#define TFL_FILE_IDENTIFIER "TFL3"
#define TFL_SCHEMA_VERSION 3u

/* table Model */
enum { MODEL_VERSION = 0, MODEL_OPERATOR_CODES, MODEL_SUBGRAPHS, MODEL_DESCRIPTION,
       MODEL_BUFFERS, MODEL_METADATA_BUFFER, MODEL_METADATA, MODEL_SIGNATURE_DEFS };
/* table OperatorCode */
enum { OPCODE_DEPRECATED_BUILTIN_CODE = 0, OPCODE_CUSTOM_CODE, OPCODE_VERSION,
       OPCODE_BUILTIN_CODE };
/* table SubGraph */
enum { SUBGRAPH_TENSORS = 0, SUBGRAPH_INPUTS, SUBGRAPH_OUTPUTS, SUBGRAPH_OPERATORS,
       SUBGRAPH_NAME };
/* table Tensor */
enum { TENSOR_SHAPE = 0, TENSOR_TYPE, TENSOR_BUFFER, TENSOR_NAME, TENSOR_QUANTIZATION,
       TENSOR_IS_VARIABLE, TENSOR_SPARSITY, TENSOR_SHAPE_SIGNATURE, TENSOR_HAS_RANK };
/* table QuantizationParameters */
enum { QUANT_MIN = 0, QUANT_MAX, QUANT_SCALE, QUANT_ZERO_POINT, QUANT_DETAILS_TYPE,
       QUANT_DETAILS, QUANT_QUANTIZED_DIMENSION };
/* table Operator */
enum { OP_OPCODE_INDEX = 0, OP_INPUTS, OP_OUTPUTS, OP_BUILTIN_OPTIONS_TYPE,
       OP_BUILTIN_OPTIONS, OP_CUSTOM_OPTIONS, OP_CUSTOM_OPTIONS_FORMAT,
       OP_MUTATING_VARIABLE_INPUTS, OP_INTERMEDIATES };
/* table Buffer */
enum { BUFFER_DATA = 0, BUFFER_OFFSET, BUFFER_SIZE };
/* table Metadata */
enum { METADATA_NAME = 0, METADATA_BUFFER };

/* BuiltinOptions union type ids used by the supported ops. */
enum {
  OPT_NONE = 0,
  OPT_CONV2D = 1,
  OPT_DEPTHWISE_CONV2D = 2,
  OPT_POOL2D = 5,
  OPT_FULLY_CONNECTED = 8,
  OPT_SOFTMAX = 9,
  OPT_CONCATENATION = 10,
  OPT_ADD = 11,
  OPT_L2NORM = 12, /* math ops (issue 11) */
  OPT_RESIZE_BILINEAR = 15,
  OPT_RESHAPE = 17,
  OPT_MUL = 21,
  OPT_PAD = 22,
  OPT_REDUCER = 27,
  OPT_SUB = 28,
  OPT_DIV = 29,
  OPT_EXP = 33,
  OPT_DEQUANTIZE = 38,
  OPT_MAXIMUM_MINIMUM = 39,
  OPT_ARG_MAX = 40, /* math ops (issue 11) */
  OPT_TRANSPOSE_CONV = 49,
  OPT_ARG_MIN = 57, /* math ops (issue 11) */
  OPT_RESIZE_NEAREST_NEIGHBOR = 74,
  OPT_LEAKY_RELU = 75,
  OPT_SQUARED_DIFFERENCE = 76,
  OPT_QUANTIZE = 89,
  OPT_HARD_SWISH = 91,
  /* shape ops */
  OPT_SPACE_TO_DEPTH = 19,
  OPT_GATHER = 23,
  OPT_TRANSPOSE = 26,
  OPT_STRIDED_SLICE = 32,
  OPT_SPLIT = 35,
  OPT_PADV2 = 43,
  OPT_SLICE = 48,
  OPT_PACK = 59,
  OPT_UNPACK = 64,
  OPT_SPLIT_V = 79,
  OPT_DEPTH_TO_SPACE = 94,
  OPT_DENSIFY = 99, /* mediapipe */
  OPT_BATCH_MATMUL = 101, /* batch matmul etc. */
  OPT_TILE = 51, /* an empty table, as TF's converter writes it */
  OPT_CAST = 37, /* movenet */
  OPT_FLOOR_DIV = 65,
  OPT_GATHER_ND = 83
};

/* Fields of the options tables. */
enum { CONV_PADDING = 0, CONV_STRIDE_W, CONV_STRIDE_H, CONV_ACTIVATION, CONV_DILATION_W,
       CONV_DILATION_H };
enum { DW_PADDING = 0, DW_STRIDE_W, DW_STRIDE_H, DW_DEPTH_MULTIPLIER, DW_ACTIVATION,
       DW_DILATION_W, DW_DILATION_H };
enum { POOL_PADDING = 0, POOL_STRIDE_W, POOL_STRIDE_H, POOL_FILTER_W, POOL_FILTER_H,
       POOL_ACTIVATION };
enum { FC_ACTIVATION = 0, FC_WEIGHTS_FORMAT, FC_KEEP_NUM_DIMS, FC_ASYMMETRIC_QUANTIZE };
enum { SOFTMAX_BETA = 0 };
enum { CONCAT_AXIS = 0, CONCAT_ACTIVATION };
enum { ADD_ACTIVATION = 0, ADD_POT_SCALE_INT16 };
enum { MUL_ACTIVATION = 0 };
enum { SUB_ACTIVATION = 0, SUB_POT_SCALE_INT16 };
enum { DIV_ACTIVATION = 0 };
enum { LEAKY_RELU_ALPHA = 0 };
enum { ARG_MINMAX_OUTPUT_TYPE = 0 }; /* math ops (issue 11) */
enum { L2NORM_ACTIVATION = 0 };
enum { BMM_ADJ_X = 0, BMM_ADJ_Y, BMM_ASYMMETRIC_QUANTIZE_INPUTS }; /* batch matmul etc. */
enum { RESHAPE_NEW_SHAPE = 0 };
enum { RESIZE_BILINEAR_NEW_HEIGHT = 0, RESIZE_BILINEAR_NEW_WIDTH, RESIZE_BILINEAR_ALIGN_CORNERS,
       RESIZE_BILINEAR_HALF_PIXEL };
enum { RESIZE_NN_ALIGN_CORNERS = 0, RESIZE_NN_HALF_PIXEL };
enum { REDUCER_KEEP_DIMS = 0 };
enum { TCONV_PADDING = 0, TCONV_STRIDE_W, TCONV_STRIDE_H, TCONV_ACTIVATION };
/* shape ops */
enum { BLOCK_SIZE = 0 }; /* DepthToSpaceOptions, SpaceToDepthOptions */
enum { GATHER_AXIS = 0, GATHER_BATCH_DIMS };
enum { SSLICE_BEGIN_MASK = 0, SSLICE_END_MASK, SSLICE_ELLIPSIS_MASK, SSLICE_NEW_AXIS_MASK,
       SSLICE_SHRINK_AXIS_MASK, SSLICE_OFFSET };
enum { SPLIT_NUM_SPLITS = 0 }; /* SplitOptions, SplitVOptions */
enum { PACK_VALUES_COUNT = 0, PACK_AXIS };
enum { UNPACK_NUM = 0, UNPACK_AXIS };
enum { CAST_IN_DATA_TYPE = 0, CAST_OUT_DATA_TYPE }; /* movenet */

/* Options union type an op's builtin_options must have (OPT_NONE: none). */
static inline int tfl_options_type_for_op(int op) {
  switch (op) {
    case 0: return OPT_ADD;
    case 1: case 17: return OPT_POOL2D;
    case 2: return OPT_CONCATENATION;
    case 3: return OPT_CONV2D;
    case 4: return OPT_DEPTHWISE_CONV2D;
    case 6: return OPT_DEQUANTIZE;
    case 9: return OPT_FULLY_CONNECTED;
    case 18: return OPT_MUL;
    case 22: return OPT_RESHAPE;
    case 23: return OPT_RESIZE_BILINEAR;
    case 25: return OPT_SOFTMAX;
    case 34: return OPT_PAD;
    case 40: return OPT_REDUCER;
    case 67: return OPT_TRANSPOSE_CONV;
    case 97: return OPT_RESIZE_NEAREST_NEIGHBOR;
    case 114: return OPT_QUANTIZE;
    case 41: return OPT_SUB;
    case 42: return OPT_DIV;
    case 47: return OPT_EXP;
    case 55: case 57: return OPT_MAXIMUM_MINIMUM;
    case 98: return OPT_LEAKY_RELU;
    case 99: return OPT_SQUARED_DIFFERENCE;
    case 117: return OPT_HARD_SWISH;
    /* shape ops */
    case 5: return OPT_DEPTH_TO_SPACE;
    case 26: return OPT_SPACE_TO_DEPTH;
    case 36: return OPT_GATHER;
    case 39: return OPT_TRANSPOSE;
    case 45: return OPT_STRIDED_SLICE;
    case 49: return OPT_SPLIT;
    case 60: return OPT_PADV2;
    case 65: return OPT_SLICE;
    case 83: return OPT_PACK;
    case 88: return OPT_UNPACK;
    case 102: return OPT_SPLIT_V;
    case 124: return OPT_DENSIFY; /* mediapipe */
    case 56: return OPT_ARG_MAX; /* math ops (issue 11) */
    case 79: return OPT_ARG_MIN;
    case 11: return OPT_L2NORM;
    case 126: return OPT_BATCH_MATMUL; /* batch matmul etc. */
    case 69: return OPT_TILE;
    case 53: return OPT_CAST; /* movenet */
    case 90: return OPT_FLOOR_DIV;
    case 107: return OPT_GATHER_ND;
    default: return OPT_NONE; /* LOGISTIC, RELU, RELU6, TANH, RSQRT, PRELU, RELU_N1_TO_1 */
  }
}

#endif
