/* Builds .tflite files (TFLite schema v3 flatbuffers) that Google's LiteRT
 * and lfrt_model_load accept.
 *
 *   lfrt_writer *w = lfrt_writer_new();
 *   int32_t shp[4] = {1, 8, 8, 3};
 *   int x = lfrt_writer_add_tensor(w, "input", LFRT_INT8, 4, shp, NULL, 0, &q);
 *   int k = lfrt_writer_add_tensor(w, "w", LFRT_INT8, 4, wshape, wdata, wbytes, &wq);
 *   ...
 *   lfrt_options o = {0}; o.conv.stride_w = o.conv.stride_h = 1; ...
 *   int32_t ins[3] = {x, k, b}, outs[1] = {y};
 *   lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, ins, 3, outs, 1, &o);
 *   lfrt_writer_set_io(w, &x, 1, &y, 1);
 *   lfrt_writer_finish(w, &bytes, &len, &err);   or lfrt_writer_write_file(w, path, &err)
 *   lfrt_writer_free(w);
 *
 * Errors are sticky: an add_* call that fails returns -1 (or a status) and
 * records the first error; finish/write_file then fail with that message.
 * The writer copies names, shapes, data and quantization arrays, so the
 * caller's memory may be freed right after each call.
 *
 * What is written: buffer 0 empty; one buffer per constant tensor, data
 * aligned to 16 bytes in the file; operator codes with deprecated_builtin_code
 * = min(code, 127) and builtin_code; op versions chosen from the op, its
 * options and input types as TFLite's converter does (lfrt_writer_set_op_version
 * overrides); the op's BuiltinOptions table (PAD/QUANTIZE/DEQUANTIZE get their
 * empty tables; LOGISTIC/RELU/RELU6 none) with every field of the matching
 * lfrt_options member written explicitly, except newer fields left at their
 * schema defaults (ADD pot_scale_int16, TRANSPOSE_CONV activation NONE,
 * quantized_bias_type); schema version 3 and the "TFL3" identifier; metadata entries
 * pointing at their own buffers. Options fields of an lfrt_options member
 * left 0 by a caller that zero-initialised the union are written as given,
 * except: strides/dilations/filter sizes/depth_multiplier 0 are written as 1,
 * and softmax beta 0 is written as 0 (set 1.0f for the usual softmax). */
#ifndef LFRT_WRITER_H
#define LFRT_WRITER_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_model.h"
#include "lfrt_status.h"

typedef struct lfrt_writer lfrt_writer;

lfrt_writer *lfrt_writer_new(void); /* NULL when out of memory */
void lfrt_writer_free(lfrt_writer *w);

/* Adds a tensor; returns its index (>= 0) or -1 on error.
 * shape: ndim (0..LFRT_MAX_DIMS) dims, each >= 1.
 * data/bytes: constant contents (bytes must equal element count * type
 *   size), or NULL/0 for an activation/input tensor.
 * q: NULL or count 0 for none; count 1 per tensor; count == shape[q->axis]
 *   per axis. zero_point may be NULL (all zero). */
int lfrt_writer_add_tensor(lfrt_writer *w, const char *name, lfrt_type type, int ndim,
                           const int32_t *shape, const void *data, size_t bytes,
                           const lfrt_quant *q);

/* Adds an operator (appended in execution order); returns its index or -1.
 * inputs may hold -1 for an absent optional input. opt may be NULL for ops
 * without options (and is then all defaults for the others). */
int lfrt_writer_add_operator(lfrt_writer *w, lfrt_op op, const int32_t *inputs, int ninputs,
                             const int32_t *outputs, int noutputs, const lfrt_options *opt);

/* Makes constant `tensor` sparse (TFLite sparsity, as DENSIFY reads it; for
 * tests, so nothing is checked but sizes: hostile metadata can be written):
 * its buffer becomes `values` (the stored values, `bytes`), with traversal
 * order `order` (nlevels = rank + nblocks entries), `block_map` (nblocks) and
 * one lfrt_writer_sparse_dim per level. */
typedef struct {
  int sparse;     /* 0 DENSE (dense_size), 1 SPARSE_CSR (segments, indices) */
  int dense_size;
  int width;      /* index vectors as Int32Vector (4), Uint16Vector (2) or Uint8Vector (1) */
  int union_type; /* 0: from width; else written as is (hostile files) */
  const int32_t *segments;
  int nsegments;
  const int32_t *indices;
  int nindices;
} lfrt_writer_sparse_dim;
lfrt_status lfrt_writer_set_sparsity(lfrt_writer *w, int tensor, const int32_t *order, int nlevels,
                                     const int32_t *block_map, int nblocks, const lfrt_writer_sparse_dim *dims,
                                     const void *values, size_t bytes);

/* Writes tensor `tensor`'s shape_signature: its ndim dims, each -1 (a
 * dynamic size, as converters write a free batch) or the shape's own. */
lfrt_status lfrt_writer_set_shape_signature(lfrt_writer *w, int tensor, const int32_t *sig);

/* Marks tensor `tensor` as a variable (is_variable: state kept between
 * invokes, such as an LSTM's output and cell state). */
lfrt_status lfrt_writer_set_variable(lfrt_writer *w, int tensor);

/* Overrides the operator code version of node `node` (0 = automatic). */
lfrt_status lfrt_writer_set_op_version(lfrt_writer *w, int node, int version);

lfrt_status lfrt_writer_set_io(lfrt_writer *w, const int32_t *inputs, int ninputs,
                               const int32_t *outputs, int noutputs);
lfrt_status lfrt_writer_add_metadata(lfrt_writer *w, const char *name, const void *data,
                                     size_t bytes);
lfrt_status lfrt_writer_set_description(lfrt_writer *w, const char *description);
lfrt_status lfrt_writer_set_subgraph_name(lfrt_writer *w, const char *name);

/* The first error recorded ("" if none). */
const char *lfrt_writer_error(const lfrt_writer *w);

/* Serialises the model: *bytes is malloc'd (caller frees), *len its size.
 * The writer stays usable (more tensors/ops may be added and finish called
 * again). */
lfrt_status lfrt_writer_finish(lfrt_writer *w, void **bytes, size_t *len, lfrt_error *err);

/* finish + write to `path` atomically (path.tmp.PID, fsync, rename). */
lfrt_status lfrt_writer_write_file(lfrt_writer *w, const char *path, lfrt_error *err);

#endif
