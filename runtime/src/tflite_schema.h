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
  OPT_RESIZE_BILINEAR = 15,
  OPT_RESHAPE = 17,
  OPT_MUL = 21,
  OPT_PAD = 22,
  OPT_REDUCER = 27,
  OPT_DEQUANTIZE = 38,
  OPT_TRANSPOSE_CONV = 49,
  OPT_RESIZE_NEAREST_NEIGHBOR = 74,
  OPT_QUANTIZE = 89
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
enum { RESHAPE_NEW_SHAPE = 0 };
enum { RESIZE_BILINEAR_NEW_HEIGHT = 0, RESIZE_BILINEAR_NEW_WIDTH, RESIZE_BILINEAR_ALIGN_CORNERS,
       RESIZE_BILINEAR_HALF_PIXEL };
enum { RESIZE_NN_ALIGN_CORNERS = 0, RESIZE_NN_HALF_PIXEL };
enum { REDUCER_KEEP_DIMS = 0 };
enum { TCONV_PADDING = 0, TCONV_STRIDE_W, TCONV_STRIDE_H, TCONV_ACTIVATION };

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
    default: return OPT_NONE; /* LOGISTIC, RELU, RELU6 */
  }
}

#endif
