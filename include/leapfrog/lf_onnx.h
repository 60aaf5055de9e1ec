/* ONNX import: an FP32 ONNX model (PyTorch's torch.onnx.export, opsets 7..18)
 * becomes an FP32 .tflite that leapfrog's runtime and LiteRT run.
 *
 * Layout: ONNX is NCHW, TFLite NHWC. Every rank-4 tensor of the ONNX graph
 * (activations, the graph's inputs and outputs included) is stored NHWC in
 * the .tflite: an input declared [N,C,H,W] becomes [N,H,W,C], a rank-4 output
 * too. Tensors of other ranks keep ONNX's order. The change is recorded in
 * the model's "onnx_import" metadata (JSON: source, producer, opset and, per
 * input and output, its ONNX shape and its TFLite layout).
 *
 * Ops: Conv (groups 1 or depthwise), ConvTranspose, BatchNormalization
 * (folded into the Conv before it, else a per-channel MUL+ADD), Relu,
 * LeakyRelu, PRelu, Clip, Sigmoid, Tanh, HardSwish, MaxPool, AveragePool,
 * GlobalAveragePool, Concat, Add, Mul, Sub, Gemm, MatMul (constant B),
 * Flatten, Reshape, Squeeze, Unsqueeze, Transpose, Pad (constant mode),
 * Resize/Upsample (nearest asymmetric-floor, linear), Softmax, Identity,
 * Dropout; shape arithmetic on constants (Shape, Gather, Unsqueeze, Concat,
 * Cast, Slice, Squeeze, Reshape, arithmetic, ConstantOfShape) is folded.
 * Relu/Clip(0,6) after a Conv, ConvTranspose or Gemm becomes its fused
 * activation (Constant nodes are read first, so Clip bounds written after the
 * Conv count). Anything else is refused naming the node.
 *
 * Hostile files: at most LF_ONNX_MAX_FILE_BYTES read, nesting checked before
 * decoding, decoding memory bounded, every tensor's data checked against its
 * shape, at most LF_ONNX_MAX_NODES nodes; errors name the file and node. */
#ifndef LF_ONNX_H
#define LF_ONNX_H
#include <stddef.h>

#include "leapfrog/lf_status.h"

#define LF_ONNX_MAX_FILE_BYTES ((size_t)1 << 30)
#define LF_ONNX_MAX_NODES 100000

/* What the importer records besides the graph. norm_channels 1 or 3: the
 * input normalisation the model was trained with, x = (v/255 - mean) / std
 * per channel, written as the "leapfrog" metadata's "normalization" (as
 * leapfrog's own models carry it), so `ptq` and `predict` apply it without
 * --norm; 0: none recorded. 3 values need a 3-channel first input. */
typedef struct {
  int norm_channels;
  float mean[3], std[3];
} lf_onnx_import_opts;

/* Converts the ONNX bytes `data` (named `name` in messages) to a .tflite
 * held in *tflite (malloc'd, caller frees) of *tflite_len bytes. */
lf_status lf_onnx_import_bytes(const void *data, size_t len, const char *name, void **tflite,
                               size_t *tflite_len);
/* The same with options (NULL = lf_onnx_import_bytes). */
lf_status lf_onnx_import_bytes_opts(const void *data, size_t len, const char *name, const lf_onnx_import_opts *o,
                                    void **tflite, size_t *tflite_len);

/* Reads `onnx_path`, converts, writes `tflite_path` atomically (o may be NULL). */
lf_status lf_onnx_import_file(const char *onnx_path, const char *tflite_path);
lf_status lf_onnx_import_file_opts(const char *onnx_path, const char *tflite_path, const lf_onnx_import_opts *o);

#endif
