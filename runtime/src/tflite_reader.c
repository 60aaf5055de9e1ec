/* TFLite reader + verifier: flatbuffer bytes -> lfrt_model (see lfrt_model.h).
 * Every offset, length, enum, index, shape and quantization field used is
 * checked through tflite_fb.c before use; the graph-level rules (op arity,
 * execution order) are checked here. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_model.h"
#include "tflite_fb.h"
#include "custom_ops.h"
#include "tflite_fold.h"
#include "tflite_mmap.h"
#include "tflite_schema.h"
#include "tflite_sparse.h"

/* Per-tensor limit: elements and bytes below 2^31, so kernels may use int32. */
#define MAX_TENSOR_BYTES ((uint64_t)INT32_MAX)
/* Tensors, operators, buffers, operator codes: far above any real model
 * (DenseNet-121 has 677 tensors), low enough that a hostile file cannot make
 * the loader allocate gigabytes of descriptors. */
#define MAX_GRAPH_ITEMS (1u << 20)

typedef struct {
  void **ptrs;
  size_t n, cap;
  void *map; /* mmap'd file (lfrt_model_load_file), or NULL */
  size_t map_len;
} model_priv;

typedef struct {
  const uint8_t *data; /* NULL when the buffer is empty */
  uint64_t size;
} buf_ref;

typedef struct {
  int code;     /* builtin code (max of deprecated and new field) */
  int version;
  const char *custom;
} opcode_ref;

typedef struct {
  fb_ctx c;
  lfrt_model *m;
  model_priv *pv;
  buf_ref *bufs;
  uint32_t nbufs;
  opcode_ref *codes;
  uint32_t ncodes;
  int describe;     /* lfrt_model_describe: record LFRT_EUNSUPPORTED reasons, go on */
  lfrt_error local; /* describe mode: where a refusal's message is formed */
} loader;

/* Allocation owned by the model (zeroed); NULL + ENOMEM failure on error. */
static void *m_alloc(loader *L, size_t count, size_t size) {
  if (L->c.bad) return NULL;
  if (count == 0) count = 1;
  if (size && count > SIZE_MAX / size) {
    lfrt_fb_fail(&L->c, LFRT_ENOMEM, "allocation of %zu x %zu bytes overflows", count, size);
    return NULL;
  }
  model_priv *pv = L->pv;
  if (pv->n == pv->cap) {
    size_t cap = pv->cap ? pv->cap * 2 : 16;
    void **np = realloc(pv->ptrs, cap * sizeof *np);
    if (!np) {
      lfrt_fb_fail(&L->c, LFRT_ENOMEM, "out of memory");
      return NULL;
    }
    pv->ptrs = np;
    pv->cap = cap;
  }
  void *p = calloc(count, size);
  if (!p) {
    lfrt_fb_fail(&L->c, LFRT_ENOMEM, "out of memory (%zu x %zu bytes)", count, size);
    return NULL;
  }
  pv->ptrs[pv->n++] = p;
  return p;
}

/* A model-owned copy of the text s (NULL on failure, with c->bad set). */
static const char *m_strdup(loader *L, const char *s) {
  size_t n = strlen(s) + 1;
  char *d = m_alloc(L, n, 1);
  if (d) memcpy(d, s, n);
  return d;
}

/* Valid TFLite that the runtime does not execute. A load fails with
 * LFRT_EUNSUPPORTED; a describe load keeps the same message in *slot (its
 * first reason only) and goes on. Returns 1 when the load must stop. */
static int unsupported(loader *L, const char **slot, const char *fmt, ...) {
  fb_ctx *c = &L->c;
  char problem[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(problem, sizeof problem, fmt, ap);
  va_end(ap);
  if (!L->describe) {
    lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "%s", problem);
    return 1;
  }
  if (*slot || c->bad) return c->bad != 0;
  char msg[LFRT_ERROR_MSG_SIZE];
  if (c->where[0]) snprintf(msg, sizeof msg, "%s: %s: %s", c->name, c->where, problem);
  else snprintf(msg, sizeof msg, "%s: %s", c->name, problem);
  *slot = m_strdup(L, msg);
  return c->bad != 0;
}

/* Describe mode: an LFRT_EUNSUPPORTED failure raised deeper down (options,
 * quantization details) becomes the reason in *slot and the parse goes on. */
static void keep_unsupported(loader *L, const char **slot) {
  fb_ctx *c = &L->c;
  if (!L->describe || c->bad != LFRT_EUNSUPPORTED) return;
  c->bad = LFRT_OK;
  if (!*slot) *slot = m_strdup(L, L->local.msg);
}

static int is_supported_op(int code) {
  switch (code) {
    case LFRT_OP_ADD: case LFRT_OP_AVERAGE_POOL_2D: case LFRT_OP_CONCATENATION:
    case LFRT_OP_CONV_2D: case LFRT_OP_DEPTHWISE_CONV_2D: case LFRT_OP_DEQUANTIZE:
    case LFRT_OP_FULLY_CONNECTED: case LFRT_OP_LOGISTIC: case LFRT_OP_MAX_POOL_2D:
    case LFRT_OP_MUL: case LFRT_OP_RELU: case LFRT_OP_RELU6: case LFRT_OP_RESHAPE:
    case LFRT_OP_RESIZE_BILINEAR: case LFRT_OP_SOFTMAX: case LFRT_OP_PAD: case LFRT_OP_MEAN:
    case LFRT_OP_TRANSPOSE_CONV: case LFRT_OP_RESIZE_NEAREST_NEIGHBOR: case LFRT_OP_QUANTIZE:
    case LFRT_OP_TANH: case LFRT_OP_SUB: case LFRT_OP_DIV: case LFRT_OP_EXP: case LFRT_OP_PRELU:
    case LFRT_OP_MAXIMUM: case LFRT_OP_MINIMUM: case LFRT_OP_RSQRT: case LFRT_OP_LEAKY_RELU:
    case LFRT_OP_SQUARED_DIFFERENCE: case LFRT_OP_HARD_SWISH:
    /* shape ops */
    case LFRT_OP_TRANSPOSE: case LFRT_OP_SLICE: case LFRT_OP_STRIDED_SLICE: case LFRT_OP_SPLIT:
    case LFRT_OP_SPLIT_V: case LFRT_OP_PACK: case LFRT_OP_UNPACK: case LFRT_OP_GATHER:
    case LFRT_OP_DEPTH_TO_SPACE: case LFRT_OP_SPACE_TO_DEPTH: case LFRT_OP_PADV2: case LFRT_OP_RELU_N1_TO_1:
    case LFRT_OP_DENSIFY: /* mediapipe */
    case LFRT_OP_ARG_MAX: case LFRT_OP_ARG_MIN: /* math ops (issue 11) */
    case LFRT_OP_L2_NORMALIZATION:
    case LFRT_OP_BATCH_MATMUL: /* batch matmul etc. */
    case LFRT_OP_TILE: /* coral */
    case LFRT_OP_CAST: case LFRT_OP_FLOOR_DIV: case LFRT_OP_GATHER_ND: case LFRT_OP_SQRT: /* movenet */
      return 1;
    default:
      return 0;
  }
}

/* The highest operator version this runtime implements, per supported op: the
 * versions TFLite's builtin op resolver registers for these ops (a version
 * adds options or types; a file from a newer converter that needs them must be
 * refused, not run with the older semantics). */
static int max_op_version(int code) {
  switch (code) {
    case LFRT_OP_CONV_2D: return 8;
    case LFRT_OP_DEPTHWISE_CONV_2D: return 7;
    case LFRT_OP_FULLY_CONNECTED: return 12;
    case LFRT_OP_MUL: return 7;
    case LFRT_OP_DEQUANTIZE: return 6;
    case LFRT_OP_ADD: case LFRT_OP_TRANSPOSE_CONV: return 5;
    case LFRT_OP_CONCATENATION: case LFRT_OP_PAD: case LFRT_OP_RESIZE_BILINEAR:
    case LFRT_OP_RESIZE_NEAREST_NEIGHBOR: return 4;
    case LFRT_OP_AVERAGE_POOL_2D: case LFRT_OP_MAX_POOL_2D: case LFRT_OP_LOGISTIC: case LFRT_OP_SOFTMAX:
    case LFRT_OP_MEAN: case LFRT_OP_RELU: case LFRT_OP_RELU6: case LFRT_OP_QUANTIZE: return 3;
    case LFRT_OP_RESHAPE: return 1;
    case LFRT_OP_SUB: return 5;
    case LFRT_OP_MAXIMUM: case LFRT_OP_MINIMUM: return 4;
    case LFRT_OP_TANH: case LFRT_OP_RSQRT: return 3;
    case LFRT_OP_DIV: case LFRT_OP_EXP: case LFRT_OP_LEAKY_RELU: case LFRT_OP_SQUARED_DIFFERENCE: return 2;
    case LFRT_OP_PRELU: case LFRT_OP_HARD_SWISH: return 1;
    /* shape ops (prepare checks the types and ranks each version adds) */
    case LFRT_OP_STRIDED_SLICE: return 8;
    case LFRT_OP_GATHER: return 7;
    case LFRT_OP_TRANSPOSE: case LFRT_OP_SLICE: return 6;
    case LFRT_OP_SPLIT: case LFRT_OP_PACK: case LFRT_OP_UNPACK: case LFRT_OP_PADV2: return 4;
    case LFRT_OP_SPLIT_V: return 3;
    case LFRT_OP_DEPTH_TO_SPACE: case LFRT_OP_SPACE_TO_DEPTH: return 2;
    case LFRT_OP_RELU_N1_TO_1: return 1;
    case LFRT_OP_DENSIFY: return 1; /* mediapipe */
    case LFRT_OP_ARG_MAX: case LFRT_OP_ARG_MIN: return 2; /* math ops (issue 11) */
    case LFRT_OP_L2_NORMALIZATION: return 2;
    case LFRT_OP_BATCH_MATMUL: return 4; /* batch matmul etc.; prepare takes FLOAT32 and int8 */
    case LFRT_OP_TILE: return 3; /* coral; prepare takes FLOAT32, INT8 and UINT8 */
    /* movenet; prepare checks the types (CAST v2-7 add types, FLOOR_DIV v2 float, v3 int16,
     * GATHER_ND v2 int8, v3 string, v4 int16, v5 bool) */
    case LFRT_OP_CAST: return 7;
    case LFRT_OP_FLOOR_DIV: return 3;
    case LFRT_OP_GATHER_ND: return 5;
    case LFRT_OP_SQRT: return 1; /* FLOAT32 only (later versions add int8/int16) */
    default: return 0;
  }
}

/* Input counts: [min, max], and which input positions may be -1. */
static void op_arity(int op, int *min_in, int *max_in, unsigned *optional_mask) {
  *optional_mask = 0;
  switch (op) {
    case LFRT_OP_ADD: case LFRT_OP_MUL: case LFRT_OP_PAD: case LFRT_OP_MEAN:
    case LFRT_OP_RESIZE_BILINEAR: case LFRT_OP_RESIZE_NEAREST_NEIGHBOR:
    case LFRT_OP_SUB: case LFRT_OP_DIV: case LFRT_OP_PRELU: case LFRT_OP_MAXIMUM:
    case LFRT_OP_MINIMUM: case LFRT_OP_SQUARED_DIFFERENCE:
    case LFRT_OP_ARG_MAX: case LFRT_OP_ARG_MIN: /* math ops (issue 11) */
    case LFRT_OP_BATCH_MATMUL: /* batch matmul etc. */
    case LFRT_OP_FLOOR_DIV: case LFRT_OP_GATHER_ND: /* movenet */
      *min_in = *max_in = 2;
      break;
    case LFRT_OP_CONCATENATION:
      *min_in = 1;
      *max_in = 1 << 16;
      break;
    case LFRT_OP_CONV_2D: case LFRT_OP_DEPTHWISE_CONV_2D: case LFRT_OP_FULLY_CONNECTED:
      *min_in = 2;
      *max_in = 3;
      *optional_mask = 1u << 2; /* bias */
      break;
    case LFRT_OP_TRANSPOSE_CONV: /* output_shape, weights, input, [bias] */
      *min_in = 3;
      *max_in = 4;
      *optional_mask = 1u << 3;
      break;
    case LFRT_OP_RESHAPE: /* input, [shape] */
      *min_in = 1;
      *max_in = 2;
      *optional_mask = 1u << 1;
      break;
    /* shape ops */
    case LFRT_OP_TRANSPOSE: case LFRT_OP_SPLIT: case LFRT_OP_GATHER:
    case LFRT_OP_TILE: /* coral */
      *min_in = *max_in = 2;
      break;
    case LFRT_OP_SLICE: case LFRT_OP_SPLIT_V:
      *min_in = *max_in = 3;
      break;
    case LFRT_OP_STRIDED_SLICE:
      *min_in = *max_in = 4;
      break;
    case LFRT_OP_PACK:
      *min_in = 1;
      *max_in = 1 << 16;
      break;
    case LFRT_OP_PADV2: /* input, paddings, [constant_values] */
      *min_in = 2;
      *max_in = 3;
      *optional_mask = 1u << 2;
      break;
    default: /* unary: pools, activations, softmax, (de)quantize */
      *min_in = *max_in = 1;
      break;
  }
}

/* Is the op of operator code r one this runtime runs? Custom ops: by name,
 * through the registration table (custom_ops.c). */
static int op_known(const opcode_ref *r) {
  if (r->code == LFRT_OP_CUSTOM) return lfrt_custom_op_find(r->custom) != NULL;
  return is_supported_op(r->code);
}
static int op_max_version(const opcode_ref *r) {
  const lfrt_custom_op *c = r->code == LFRT_OP_CUSTOM ? lfrt_custom_op_find(r->custom) : NULL;
  return c ? c->max_version : max_op_version(r->code);
}

static void where(loader *L, const char *fmt, int i, const char *extra) {
  snprintf(L->c.where, sizeof L->c.where, fmt, i, extra);
}

/* ---- buffers and operator codes --------------------------------------- */
static void read_buffers(loader *L, const fb_table *model) {
  fb_ctx *c = &L->c;
  fb_vec v = lfrt_fb_vector(c, model, MODEL_BUFFERS, 4, "Model.buffers");
  if (c->bad) return;
  if (v.len > MAX_GRAPH_ITEMS) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "absurd model: %u buffers (limit %u)", v.len, MAX_GRAPH_ITEMS);
    return;
  }
  L->nbufs = v.len;
  L->bufs = m_alloc(L, v.len, sizeof *L->bufs);
  for (uint32_t i = 0; i < v.len && !c->bad; i++) {
    where(L, "buffer %d%s", (int)i, "");
    fb_table b = lfrt_fb_vec_table(c, v, i, "Buffer");
    fb_vec d = lfrt_fb_vector(c, &b, BUFFER_DATA, 1, "Buffer.data");
    uint64_t off = (uint64_t)lfrt_fb_int(c, &b, BUFFER_OFFSET, 8, 0, 0, "Buffer.offset");
    uint64_t size = (uint64_t)lfrt_fb_int(c, &b, BUFFER_SIZE, 8, 0, 0, "Buffer.size");
    if (c->bad) break;
    if (off > 1) { /* data stored after the flatbuffer, offset from file start */
      if (off > c->n || size > c->n - off) {
        lfrt_fb_fail(c, LFRT_EBADFILE, "external data [%llu, +%llu) lies outside the file (%llu bytes)",
                (unsigned long long)off, (unsigned long long)size, (unsigned long long)c->n);
        break;
      }
      L->bufs[i].data = size ? c->p + off : NULL;
      L->bufs[i].size = size;
    } else {
      L->bufs[i].data = d.len ? c->p + d.pos : NULL;
      L->bufs[i].size = d.len;
    }
  }
  c->where[0] = 0;
}

static void read_opcodes(loader *L, const fb_table *model) {
  fb_ctx *c = &L->c;
  fb_vec v = lfrt_fb_vector(c, model, MODEL_OPERATOR_CODES, 4, "Model.operator_codes");
  if (c->bad) return;
  if (v.len > MAX_GRAPH_ITEMS) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "absurd model: %u operator codes (limit %u)", v.len,
                 MAX_GRAPH_ITEMS);
    return;
  }
  L->ncodes = v.len;
  L->codes = m_alloc(L, v.len, sizeof *L->codes);
  for (uint32_t i = 0; i < v.len && !c->bad; i++) {
    where(L, "operator code %d%s", (int)i, "");
    fb_table t = lfrt_fb_vec_table(c, v, i, "OperatorCode");
    int dep = (int)lfrt_fb_int(c, &t, OPCODE_DEPRECATED_BUILTIN_CODE, 1, 1, 0, "deprecated_builtin_code");
    int code = (int)lfrt_fb_int(c, &t, OPCODE_BUILTIN_CODE, 4, 1, 0, "builtin_code");
    int version = (int)lfrt_fb_int(c, &t, OPCODE_VERSION, 4, 1, 1, "version");
    const char *custom = lfrt_fb_string(c, &t, OPCODE_CUSTOM_CODE, "custom_code");
    if (c->bad) break;
    if (dep < 0 || code < 0) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "negative builtin code (%d, %d)", dep, code);
      break;
    }
    if (version < 1) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "version %d (must be >= 1)", version);
      break;
    }
    L->codes[i].code = dep > code ? dep : code; /* files before 2.4 only set the old field */
    L->codes[i].version = version;
    L->codes[i].custom = custom;
  }
  c->where[0] = 0;
}

/* ---- tensors ----------------------------------------------------------- */
static int64_t type_min(int type) {
  switch (type) {
    case LFRT_INT8: return -128;
    case LFRT_UINT8: return 0;
    case LFRT_INT16: return -32768;
    default: return INT32_MIN;
  }
}
static int64_t type_max(int type) {
  switch (type) {
    case LFRT_INT8: return 127;
    case LFRT_UINT8: return 255;
    case LFRT_INT16: return 32767;
    default: return INT32_MAX;
  }
}

static void read_quant(loader *L, const fb_table *tt, lfrt_tensor *t) {
  fb_ctx *c = &L->c;
  fb_table q = lfrt_fb_sub_table(c, tt, TENSOR_QUANTIZATION, "Tensor.quantization");
  if (c->bad || !q.present) return;
  fb_vec mn = lfrt_fb_vector(c, &q, QUANT_MIN, 4, "quantization.min");
  fb_vec mx = lfrt_fb_vector(c, &q, QUANT_MAX, 4, "quantization.max");
  fb_vec sc = lfrt_fb_vector(c, &q, QUANT_SCALE, 4, "quantization.scale");
  fb_vec zp = lfrt_fb_vector(c, &q, QUANT_ZERO_POINT, 8, "quantization.zero_point");
  int details = (int)lfrt_fb_int(c, &q, QUANT_DETAILS_TYPE, 1, 0, 0, "quantization.details_type");
  int64_t axis = lfrt_fb_int(c, &q, QUANT_QUANTIZED_DIMENSION, 4, 1, 0, "quantized_dimension");
  (void)mn;
  (void)mx;
  if (c->bad) return;
  if (details != 0) {
    lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "custom quantization details (type %d) are not supported",
            details);
    return;
  }
  if (sc.len == 0) {
    if (zp.len != 0) lfrt_fb_fail(c, LFRT_EBADFILE, "%u zero points but no scales", zp.len);
    return; /* min/max only, or empty: not quantized */
  }
  if (zp.len != sc.len) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "%u scales but %u zero points", sc.len, zp.len);
    return;
  }
  if (sc.len > 1 && t->ndim == 1 && t->shape[0] == (int32_t)sc.len && axis != 0)
    axis = 0; /* old converters copied the weights' axis (3) onto per-channel biases */
  if (axis < 0 || (sc.len > 1 && axis >= t->ndim)) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "quantized_dimension %lld is out of range for rank %d",
            (long long)axis, t->ndim);
    return;
  }
  if (sc.len > 1 && (int64_t)sc.len != t->shape[axis]) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "%u per-axis scales but dimension %lld has size %d", sc.len,
            (long long)axis, (int)t->shape[axis]);
    return;
  }
  float *s = m_alloc(L, sc.len, sizeof *s);
  int32_t *z = m_alloc(L, sc.len, sizeof *z);
  if (c->bad) return;
  for (uint32_t i = 0; i < sc.len; i++) {
    uint32_t u = lfrt_fb_u32(c, sc.pos + 4 * (uint64_t)i);
    memcpy(&s[i], &u, 4);
    if (!(s[i] > 0.0f) || !isfinite(s[i])) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "scale[%u] = %g (must be finite and > 0)", i, (double)s[i]);
      return;
    }
    int64_t zv = (int64_t)lfrt_fb_u64(c, zp.pos + 8 * (uint64_t)i);
    if (zv < type_min(t->type) || zv > type_max(t->type)) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "zero_point[%u] = %lld is out of range for %s", i, (long long)zv,
              lfrt_type_name(t->type));
      return;
    }
    z[i] = (int32_t)zv;
  }
  t->quant.count = (int)sc.len;
  t->quant.scale = s;
  t->quant.zero_point = z;
  t->quant.axis = (int)axis;
}

static void read_tensor(loader *L, fb_table tt, lfrt_tensor *t) {
  fb_ctx *c = &L->c;
  fb_vec shp = lfrt_fb_vector(c, &tt, TENSOR_SHAPE, 4, "Tensor.shape");
  int type = (int)lfrt_fb_int(c, &tt, TENSOR_TYPE, 1, 1, 0, "Tensor.type");
  uint32_t buffer = (uint32_t)lfrt_fb_int(c, &tt, TENSOR_BUFFER, 4, 0, 0, "Tensor.buffer");
  int is_var = (int)lfrt_fb_int(c, &tt, TENSOR_IS_VARIABLE, 1, 0, 0, "Tensor.is_variable");
  fb_table sparsity = lfrt_fb_sub_table(c, &tt, TENSOR_SPARSITY, "Tensor.sparsity");
  fb_vec sig = lfrt_fb_vector(c, &tt, TENSOR_SHAPE_SIGNATURE, 4, "Tensor.shape_signature");
  if (c->bad) return;
  t->type = (lfrt_type)type;
  t->buffer = buffer;
  t->is_variable = is_var != 0;
  for (uint32_t d = 0; d < sig.len; d++)
    if ((int32_t)lfrt_fb_u32(c, sig.pos + 4 * (uint64_t)d) == -1) t->dynamic = 1;
  size_t es = lfrt_type_size(type);
  if (es == 0 && unsupported(L, &t->unsupported, "type %d (%s) is not supported", type, lfrt_type_name(type)))
    return;
  if (shp.len > LFRT_MAX_DIMS) {
    unsupported(L, &t->unsupported, "rank %u is above the supported %d", shp.len, LFRT_MAX_DIMS);
    return; /* describe: listed as rank 0, no data */
  }
  t->ndim = (int)shp.len;
  uint64_t count = 1;
  for (uint32_t d = 0; d < shp.len; d++) {
    int32_t dim = (int32_t)lfrt_fb_u32(c, shp.pos + 4 * (uint64_t)d);
    t->shape[d] = dim;
    if (dim == -1 && L->describe) t->dynamic = 1; /* a dynamic size written into the shape */
    if (dim < 1) {
      if (dim < -1 || !L->describe) {
        lfrt_fb_fail(c, dim < 0 ? LFRT_EBADFILE : LFRT_EUNSUPPORTED, "dimension %u is %d (must be >= 1)",
                d, (int)dim);
        return;
      }
      unsupported(L, &t->unsupported, "dimension %u is %d (must be >= 1)", d, (int)dim);
      count = 0;
      continue;
    }
    count *= (uint64_t)dim; /* < 2^31 * 2^31: no wrap; the check below divides */
    if (count > MAX_TENSOR_BYTES / (es ? es : 1)) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "shape is absurd: more than 2^31 bytes at dimension %u", d);
      return;
    }
  }
  t->count = (int64_t)count;
  t->bytes = (size_t)(count * es);
  if (buffer >= L->nbufs) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "buffer index %u is out of range (%u buffers)", buffer, L->nbufs);
    return;
  }
  const buf_ref *b = &L->bufs[buffer];
  if (sparsity.present && !t->unsupported) { /* mediapipe: a sparse constant, densified at load */
    lfrt_sparsity *sp = m_alloc(L, 1, sizeof *sp);
    if (c->bad) return;
    lfrt_sparse_read_(c, &sparsity, t, b->data, b->size, sp);
    if (c->bad) return;
    t->sparsity = sp;
  } else if (t->unsupported) {
    /* describe: a tensor the runtime cannot hold has no data view (its bytes
     * need not match the shape: sparse, string, ...) */
  } else if (b->data) {
    if (b->size != t->bytes) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "constant data is %llu bytes but the shape and type need %zu",
              (unsigned long long)b->size, t->bytes);
      return;
    }
    if ((uintptr_t)b->data % 16 == 0) {
      t->data = b->data;
    } else { /* kernels may read int32/float directly: give them an aligned copy
              * (malloc itself is only 8-aligned on some 32-bit targets) */
      unsigned char *raw = m_alloc(L, t->bytes + 15, 1);
      if (c->bad) return;
      unsigned char *copy = raw + (16 - (uintptr_t)raw % 16) % 16;
      memcpy(copy, b->data, t->bytes);
      t->data = copy;
    }
  }
  read_quant(L, &tt, t);
}

/* ---- operators ----------------------------------------------------------- */
static int get_padding(fb_ctx *c, const fb_table *o, int field) {
  int p = (int)lfrt_fb_int(c, o, field, 1, 1, 0, "padding");
  if (!c->bad && p != LFRT_PADDING_SAME && p != LFRT_PADDING_VALID)
    lfrt_fb_fail(c, LFRT_EBADFILE, "padding %d is not SAME (0) or VALID (1)", p);
  return p;
}
static lfrt_activation get_act(fb_ctx *c, const fb_table *o, int field) {
  int a = (int)lfrt_fb_int(c, o, field, 1, 1, 0, "fused_activation_function");
  if (!c->bad && (a < 0 || a > 5))
    lfrt_fb_fail(c, LFRT_EBADFILE, "fused activation %d is not a TFLite activation", a);
  else if (!c->bad && a > LFRT_ACT_RELU6)
    lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "fused activation %s is not supported",
            a == 4 ? "TANH" : "SIGN_BIT");
  return (lfrt_activation)a;
}
static int get_pos(fb_ctx *c, const fb_table *o, int field, int def, const char *what) {
  int64_t v = lfrt_fb_int(c, o, field, 4, 1, def, what);
  if (!c->bad && v < 1) lfrt_fb_fail(c, LFRT_EBADFILE, "%s is %lld (must be >= 1)", what, (long long)v);
  return (int)v;
}
static int get_bool(fb_ctx *c, const fb_table *o, int field, int def, const char *what) {
  return lfrt_fb_int(c, o, field, 1, 0, def, what) != 0;
}

static void read_options(loader *L, lfrt_operator *op, const fb_table *ot) {
  fb_ctx *c = &L->c;
  int want = tfl_options_type_for_op(op->op);
  int type = (int)lfrt_fb_int(c, ot, OP_BUILTIN_OPTIONS_TYPE, 1, 0, 0, "builtin_options_type");
  fb_table o = lfrt_fb_sub_table(c, ot, OP_BUILTIN_OPTIONS, "builtin_options");
  if (c->bad) return;
  if (type != OPT_NONE && type != want) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "builtin_options has union type %d, expected %d", type, want);
    return;
  }
  if (type == OPT_NONE && o.present) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "builtin_options is set but its union type is NONE");
    return;
  }
  lfrt_options *x = &op->opt;
  switch (op->op) {
    case LFRT_OP_CONV_2D:
      x->conv.padding = (lfrt_padding)get_padding(c, &o, CONV_PADDING);
      x->conv.stride_w = get_pos(c, &o, CONV_STRIDE_W, 0, "stride_w");
      x->conv.stride_h = get_pos(c, &o, CONV_STRIDE_H, 0, "stride_h");
      x->conv.activation = get_act(c, &o, CONV_ACTIVATION);
      x->conv.dilation_w = get_pos(c, &o, CONV_DILATION_W, 1, "dilation_w_factor");
      x->conv.dilation_h = get_pos(c, &o, CONV_DILATION_H, 1, "dilation_h_factor");
      break;
    case LFRT_OP_DEPTHWISE_CONV_2D: {
      x->depthwise.padding = (lfrt_padding)get_padding(c, &o, DW_PADDING);
      x->depthwise.stride_w = get_pos(c, &o, DW_STRIDE_W, 0, "stride_w");
      x->depthwise.stride_h = get_pos(c, &o, DW_STRIDE_H, 0, "stride_h");
      int64_t dm = lfrt_fb_int(c, &o, DW_DEPTH_MULTIPLIER, 4, 1, 0, "depth_multiplier");
      if (!c->bad && dm < 0) lfrt_fb_fail(c, LFRT_EBADFILE, "depth_multiplier is %lld", (long long)dm);
      x->depthwise.depth_multiplier = (int)dm;
      x->depthwise.activation = get_act(c, &o, DW_ACTIVATION);
      x->depthwise.dilation_w = get_pos(c, &o, DW_DILATION_W, 1, "dilation_w_factor");
      x->depthwise.dilation_h = get_pos(c, &o, DW_DILATION_H, 1, "dilation_h_factor");
      break;
    }
    case LFRT_OP_AVERAGE_POOL_2D: case LFRT_OP_MAX_POOL_2D:
      x->pool.padding = (lfrt_padding)get_padding(c, &o, POOL_PADDING);
      x->pool.stride_w = get_pos(c, &o, POOL_STRIDE_W, 0, "stride_w");
      x->pool.stride_h = get_pos(c, &o, POOL_STRIDE_H, 0, "stride_h");
      x->pool.filter_w = get_pos(c, &o, POOL_FILTER_W, 0, "filter_width");
      x->pool.filter_h = get_pos(c, &o, POOL_FILTER_H, 0, "filter_height");
      x->pool.activation = get_act(c, &o, POOL_ACTIVATION);
      break;
    case LFRT_OP_FULLY_CONNECTED:
      x->fc.activation = get_act(c, &o, FC_ACTIVATION);
      x->fc.weights_format = (int)lfrt_fb_int(c, &o, FC_WEIGHTS_FORMAT, 1, 1, 0, "weights_format");
      x->fc.keep_num_dims = get_bool(c, &o, FC_KEEP_NUM_DIMS, 0, "keep_num_dims");
      x->fc.asymmetric_quantize_inputs =
          get_bool(c, &o, FC_ASYMMETRIC_QUANTIZE, 0, "asymmetric_quantize_inputs");
      if (!c->bad && x->fc.weights_format != 0)
        lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "weights_format %d (shuffled weights) is not supported",
                x->fc.weights_format);
      break;
    case LFRT_OP_SOFTMAX:
      x->softmax.beta = lfrt_fb_float(c, &o, SOFTMAX_BETA, 0.0f, "beta");
      if (!c->bad && !isfinite(x->softmax.beta))
        lfrt_fb_fail(c, LFRT_EBADFILE, "softmax beta is not finite");
      break;
    case LFRT_OP_CONCATENATION:
      x->concat.axis = (int)lfrt_fb_int(c, &o, CONCAT_AXIS, 4, 1, 0, "axis");
      x->concat.activation = get_act(c, &o, CONCAT_ACTIVATION);
      if (!c->bad && (x->concat.axis < -LFRT_MAX_DIMS || x->concat.axis >= LFRT_MAX_DIMS))
        lfrt_fb_fail(c, LFRT_EBADFILE, "concatenation axis %d is out of range", x->concat.axis);
      break;
    case LFRT_OP_ADD:
      x->add.activation = get_act(c, &o, ADD_ACTIVATION);
      x->add.pot_scale_int16 = get_bool(c, &o, ADD_POT_SCALE_INT16, 1, "pot_scale_int16");
      break;
    case LFRT_OP_MUL:
      x->mul.activation = get_act(c, &o, MUL_ACTIVATION);
      break;
    case LFRT_OP_SUB:
      x->add.activation = get_act(c, &o, SUB_ACTIVATION);
      x->add.pot_scale_int16 = get_bool(c, &o, SUB_POT_SCALE_INT16, 1, "pot_scale_int16");
      break;
    case LFRT_OP_DIV:
      x->mul.activation = get_act(c, &o, DIV_ACTIVATION);
      break;
    case LFRT_OP_L2_NORMALIZATION: /* math ops (issue 11) */
      x->mul.activation = get_act(c, &o, L2NORM_ACTIVATION);
      break;
    case LFRT_OP_BATCH_MATMUL: /* batch matmul etc. */
      x->batch_matmul.adj_x = get_bool(c, &o, BMM_ADJ_X, 0, "adj_x");
      x->batch_matmul.adj_y = get_bool(c, &o, BMM_ADJ_Y, 0, "adj_y");
      x->batch_matmul.asymmetric_quantize_inputs = get_bool(c, &o, BMM_ASYMMETRIC_QUANTIZE_INPUTS, 0, "asymmetric_quantize_inputs");
      break;
    case LFRT_OP_CAST: /* movenet: recorded for round trips; prepare goes by the tensors */
      x->cast.in_data_type = (lfrt_type)lfrt_fb_int(c, &o, CAST_IN_DATA_TYPE, 1, 1, 0, "in_data_type");
      x->cast.out_data_type = (lfrt_type)lfrt_fb_int(c, &o, CAST_OUT_DATA_TYPE, 1, 1, 0, "out_data_type");
      break;
    case LFRT_OP_ARG_MAX: case LFRT_OP_ARG_MIN: /* math ops (issue 11) */
      x->arg_minmax.output_type = (lfrt_type)lfrt_fb_int(c, &o, ARG_MINMAX_OUTPUT_TYPE, 1, 1, 0, "output_type");
      break;
    case LFRT_OP_LEAKY_RELU:
      x->leaky_relu.alpha = lfrt_fb_float(c, &o, LEAKY_RELU_ALPHA, 0.0f, "alpha");
      if (!c->bad && !isfinite(x->leaky_relu.alpha)) lfrt_fb_fail(c, LFRT_EBADFILE, "leaky_relu alpha is not finite");
      break;
    case LFRT_OP_RESHAPE: {
      fb_vec ns = lfrt_fb_vector(c, &o, RESHAPE_NEW_SHAPE, 4, "new_shape");
      x->reshape.num_dims = -1;
      if (c->bad || !o.present || lfrt_fb_int(c, &o, RESHAPE_NEW_SHAPE, 4, 0, 0, "new_shape") == 0)
        break; /* field absent: the shape comes from the second input */
      if (ns.len > LFRT_MAX_DIMS) {
        lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "new_shape has rank %u", ns.len);
        break;
      }
      x->reshape.num_dims = (int)ns.len;
      for (uint32_t i = 0; i < ns.len; i++) {
        int32_t d = (int32_t)lfrt_fb_u32(c, ns.pos + 4 * (uint64_t)i);
        if (d < -1) lfrt_fb_fail(c, LFRT_EBADFILE, "new_shape[%u] is %d", i, (int)d);
        x->reshape.new_shape[i] = d;
      }
      break;
    }
    case LFRT_OP_RESIZE_BILINEAR:
      x->resize.align_corners = get_bool(c, &o, RESIZE_BILINEAR_ALIGN_CORNERS, 0, "align_corners");
      x->resize.half_pixel_centers =
          get_bool(c, &o, RESIZE_BILINEAR_HALF_PIXEL, 0, "half_pixel_centers");
      break;
    case LFRT_OP_RESIZE_NEAREST_NEIGHBOR:
      x->resize.align_corners = get_bool(c, &o, RESIZE_NN_ALIGN_CORNERS, 0, "align_corners");
      x->resize.half_pixel_centers = get_bool(c, &o, RESIZE_NN_HALF_PIXEL, 0, "half_pixel_centers");
      break;
    case LFRT_OP_MEAN:
      x->reducer.keep_dims = get_bool(c, &o, REDUCER_KEEP_DIMS, 0, "keep_dims");
      break;
    case LFRT_OP_TRANSPOSE_CONV:
      x->transpose_conv.padding = (lfrt_padding)get_padding(c, &o, TCONV_PADDING);
      x->transpose_conv.stride_w = get_pos(c, &o, TCONV_STRIDE_W, 0, "stride_w");
      x->transpose_conv.stride_h = get_pos(c, &o, TCONV_STRIDE_H, 0, "stride_h");
      x->transpose_conv.activation = get_act(c, &o, TCONV_ACTIVATION);
      break;
    /* shape ops */
    case LFRT_OP_DEPTH_TO_SPACE: case LFRT_OP_SPACE_TO_DEPTH:
      x->block.block_size = get_pos(c, &o, BLOCK_SIZE, 0, "block_size");
      break;
    case LFRT_OP_GATHER:
      x->gather.axis = (int)lfrt_fb_int(c, &o, GATHER_AXIS, 4, 1, 0, "axis");
      x->gather.batch_dims = (int)lfrt_fb_int(c, &o, GATHER_BATCH_DIMS, 4, 1, 0, "batch_dims");
      if (!c->bad && (x->gather.axis < -LFRT_MAX_DIMS || x->gather.axis >= LFRT_MAX_DIMS ||
                      x->gather.batch_dims < -LFRT_MAX_DIMS || x->gather.batch_dims >= LFRT_MAX_DIMS))
        lfrt_fb_fail(c, LFRT_EBADFILE, "gather axis %d or batch_dims %d is out of range", x->gather.axis,
                     x->gather.batch_dims);
      break;
    case LFRT_OP_STRIDED_SLICE: {
      lfrt_strided_slice_options *s = &x->strided_slice;
      s->begin_mask = (int)lfrt_fb_int(c, &o, SSLICE_BEGIN_MASK, 4, 1, 0, "begin_mask");
      s->end_mask = (int)lfrt_fb_int(c, &o, SSLICE_END_MASK, 4, 1, 0, "end_mask");
      s->ellipsis_mask = (int)lfrt_fb_int(c, &o, SSLICE_ELLIPSIS_MASK, 4, 1, 0, "ellipsis_mask");
      s->new_axis_mask = (int)lfrt_fb_int(c, &o, SSLICE_NEW_AXIS_MASK, 4, 1, 0, "new_axis_mask");
      s->shrink_axis_mask = (int)lfrt_fb_int(c, &o, SSLICE_SHRINK_AXIS_MASK, 4, 1, 0, "shrink_axis_mask");
      s->offset = get_bool(c, &o, SSLICE_OFFSET, 0, "offset");
      break;
    }
    case LFRT_OP_SPLIT:
      x->split.num_splits = get_pos(c, &o, SPLIT_NUM_SPLITS, 0, "num_splits");
      break;
    case LFRT_OP_SPLIT_V:
      x->split.num_splits = get_pos(c, &o, SPLIT_NUM_SPLITS, 0, "num_splits");
      break;
    case LFRT_OP_PACK: case LFRT_OP_UNPACK:
      x->pack.count = (int)lfrt_fb_int(c, &o, op->op == LFRT_OP_PACK ? PACK_VALUES_COUNT : UNPACK_NUM, 4, 1, 0,
                                       op->op == LFRT_OP_PACK ? "values_count" : "num");
      x->pack.axis = (int)lfrt_fb_int(c, &o, op->op == LFRT_OP_PACK ? PACK_AXIS : UNPACK_AXIS, 4, 1, 0, "axis");
      if (!c->bad && (x->pack.axis < -LFRT_MAX_DIMS || x->pack.axis > LFRT_MAX_DIMS))
        lfrt_fb_fail(c, LFRT_EBADFILE, "axis %d is out of range", x->pack.axis);
      break;
    default: /* no options */
      break;
  }
}

static const char *op_label(int code, const char *custom, char *buf, size_t n) {
  const char *nm = lfrt_op_name(code);
  if (code == LFRT_OP_CUSTOM) snprintf(buf, n, "custom op '%.60s'", custom);
  else if (nm) snprintf(buf, n, "op %d (%s)", code, nm);
  else snprintf(buf, n, "op %d (unknown builtin)", code);
  return buf;
}

/* For an unknown custom op: the names that are known. */
static const char *custom_hint(const opcode_ref *r, char *buf, size_t n) {
  if (r->code != LFRT_OP_CUSTOM) return "";
  char known[256];
  lfrt_custom_op_list(known, sizeof known);
  snprintf(buf, n, " (known custom ops: %s)", known);
  return buf;
}

static void read_operator(loader *L, int index, fb_table ot, lfrt_operator *op, int ntensors) {
  fb_ctx *c = &L->c;
  uint32_t oc = (uint32_t)lfrt_fb_int(c, &ot, OP_OPCODE_INDEX, 4, 0, 0, "opcode_index");
  if (c->bad) return;
  if (oc >= L->ncodes) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "opcode_index %u is out of range (%u operator codes)", oc, L->ncodes);
    return;
  }
  const opcode_ref *r = &L->codes[oc];
  char label[96], hint[300];
  op->op = (lfrt_op)r->code;
  op->version = r->version;
  op->custom_code = r->code == 32 ? r->custom : NULL;
  if (!op_known(r)) {
    if (unsupported(L, &op->unsupported, "%s is not supported by leapfrog's runtime%s",
                    op_label(r->code, r->custom, label, sizeof label), custom_hint(r, hint, sizeof hint)))
      return;
  } else if (r->version > op_max_version(r)) {
    if (unsupported(L, &op->unsupported, "%s version %d is not supported (leapfrog's runtime implements versions 1..%d)",
                    op_label(r->code, r->custom, label, sizeof label), r->version, op_max_version(r)))
      return;
  }
  /* describe: an op refused by code or version keeps any inputs and outputs */
  int generic = op->unsupported != NULL;
  const char *nm = lfrt_op_name(r->code);
  where(L, "node %d (%s)", index, nm ? nm : "?");

  fb_vec in = lfrt_fb_vector(c, &ot, OP_INPUTS, 4, "Operator.inputs");
  fb_vec out = lfrt_fb_vector(c, &ot, OP_OUTPUTS, 4, "Operator.outputs");
  fb_vec cust = lfrt_fb_vector(c, &ot, OP_CUSTOM_OPTIONS, 1, "Operator.custom_options");
  fb_vec mut = lfrt_fb_vector(c, &ot, OP_MUTATING_VARIABLE_INPUTS, 1, "mutating_variable_inputs");
  fb_vec inter = lfrt_fb_vector(c, &ot, OP_INTERMEDIATES, 4, "Operator.intermediates");
  if (op->custom_code && !c->bad) {
    op->custom_options = cust.len ? c->p + cust.pos : NULL;
    op->custom_options_bytes = cust.len;
  }
  (void)mut;
  (void)inter;
  if (c->bad) return;
  int min_in, max_in;
  unsigned optional;
  op_arity(op->op, &min_in, &max_in, &optional);
  if (!generic && op->op == LFRT_OP_CUSTOM) {
    const lfrt_custom_op *cop = lfrt_custom_op_find(op->custom_code);
    min_in = cop->min_inputs;
    max_in = cop->max_inputs;
  }
  if (generic) {
    min_in = 0;
    max_in = 1 << 16;
    optional = ~0u;
  }
  if ((int64_t)in.len < min_in || (int64_t)in.len > max_in) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "has %u inputs, expected %d..%d", in.len, min_in,
            max_in > 100 ? 65536 : max_in);
    return;
  }
  if (generic && out.len > (1u << 16)) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "has %u outputs", out.len);
    return;
  }
  int multi_out = op->op == LFRT_OP_SPLIT || op->op == LFRT_OP_SPLIT_V || op->op == LFRT_OP_UNPACK; /* shape ops */
  if (!generic && multi_out && (out.len < 1 || out.len > (1u << 16))) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "has %u outputs, expected 1..65536", out.len);
    return;
  }
  if (!generic && !multi_out && out.len != 1) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "has %u outputs, expected 1", out.len);
    return;
  }
  int32_t *ins = m_alloc(L, in.len, sizeof *ins);
  int32_t *outs = m_alloc(L, out.len, sizeof *outs);
  if (c->bad) return;
  for (uint32_t i = 0; i < in.len; i++) {
    int32_t t = (int32_t)lfrt_fb_u32(c, in.pos + 4 * (uint64_t)i);
    int may_be_absent = generic || (i < 32 && (optional >> i) & 1u);
    if (t == -1 && may_be_absent) {
      ins[i] = -1;
      continue;
    }
    if (t < 0 || t >= ntensors) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "input %u is tensor %d, but the model has %d tensors", i, (int)t,
              ntensors);
      return;
    }
    ins[i] = t;
  }
  for (uint32_t i = 0; i < out.len; i++) {
    int32_t t = (int32_t)lfrt_fb_u32(c, out.pos + 4 * (uint64_t)i);
    if (t < 0 || t >= ntensors) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "output %u is tensor %d, but the model has %d tensors", i, (int)t,
              ntensors);
      return;
    }
    outs[i] = t;
  }
  op->inputs = ins;
  op->outputs = outs;
  op->ninputs = (int)in.len;
  op->noutputs = (int)out.len;
  if (generic) return;
  read_options(L, op, &ot);
  keep_unsupported(L, &op->unsupported);
}

/* Execution order: inputs computed before use, each tensor written once. */
static void check_order(loader *L) {
  lfrt_model *m = L->m;
  fb_ctx *c = &L->c;
  unsigned char *ready = m_alloc(L, (size_t)m->ntensors, 1);
  if (c->bad) return;
  /* constants; describe mode: also constants the runtime cannot hold (their reason is kept) */
  for (int i = 0; i < m->ntensors; i++) {
    const lfrt_tensor *t = &m->tensors[i];
    ready[i] = t->data || t->sparsity || (t->unsupported && t->buffer < L->nbufs && L->bufs[t->buffer].data);
    /* coral: a variable (state) tensor, e.g. an LSTM's output and cell state:
     * it holds a value before any node writes it (zeros, then the last invoke's) */
    if (t->is_variable) ready[i] = 1;
  }
  for (int i = 0; i < m->ninputs; i++) {
    if (ready[m->inputs[i]]) {
      where(L, "subgraph input %d%s", i, "");
      lfrt_fb_fail(c, LFRT_EBADFILE, "tensor %d is constant or listed twice", (int)m->inputs[i]);
      return;
    }
    ready[m->inputs[i]] = 1;
  }
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    where(L, "node %d (%s)", n, lfrt_op_name(op->op));
    for (int i = 0; i < op->ninputs; i++) {
      int32_t t = op->inputs[i];
      if (t >= 0 && !ready[t]) {
        lfrt_fb_fail(c, LFRT_EBADFILE, "input %d (tensor %d '%.60s') is not computed before this node",
                i, (int)t, m->tensors[t].name);
        return;
      }
      if (t >= 0 && m->tensors[t].is_variable && !m->tensors[t].data && /* coral */
          unsupported(L, (const char **)&L->m->ops[n].unsupported,
                      "input %d (tensor %d '%.60s') is a variable (state) tensor: the runtime keeps no state between invokes",
                      i, (int)t, m->tensors[t].name))
        return;
      if (t >= 0 && m->tensors[t].sparsity && op->op != LFRT_OP_DENSIFY &&
          unsupported(L, (const char **)&L->m->ops[n].unsupported, "input %d (tensor %d '%.60s') is sparse: only DENSIFY reads sparse tensors",
                      i, (int)t, m->tensors[t].name))
        return;
    }
    for (int i = 0; i < op->noutputs; i++) {
      int32_t t = op->outputs[i];
      if (ready[t]) {
        lfrt_fb_fail(c, LFRT_EBADFILE,
                "output tensor %d '%.60s' is a constant, a model input or already written",
                (int)t, m->tensors[t].name);
        return;
      }
      ready[t] = 1;
    }
  }
  c->where[0] = 0;
  for (int i = 0; i < m->noutputs; i++)
    if (!ready[m->outputs[i]]) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "model output %d (tensor %d) is never computed", i,
              (int)m->outputs[i]);
      return;
    }
}

static const int32_t *read_io(loader *L, const fb_table *sg, int field, const char *what, int *n) {
  fb_ctx *c = &L->c;
  fb_vec v = lfrt_fb_vector(c, sg, field, 4, what);
  int32_t *r = m_alloc(L, v.len, sizeof *r);
  if (c->bad) return NULL;
  for (uint32_t i = 0; i < v.len; i++) {
    int32_t t = (int32_t)lfrt_fb_u32(c, v.pos + 4 * (uint64_t)i);
    if (t < 0 || t >= L->m->ntensors) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "%s[%u] is tensor %d, but the model has %d tensors", what, i,
              (int)t, L->m->ntensors);
      return NULL;
    }
    r[i] = t;
  }
  *n = (int)v.len;
  return r;
}

static void read_metadata(loader *L, const fb_table *model) {
  fb_ctx *c = &L->c;
  fb_vec mb = lfrt_fb_vector(c, model, MODEL_METADATA_BUFFER, 4, "Model.metadata_buffer");
  for (uint32_t i = 0; i < mb.len && !c->bad; i++) {
    uint32_t b = lfrt_fb_u32(c, mb.pos + 4 * (uint64_t)i);
    if (b >= L->nbufs) lfrt_fb_fail(c, LFRT_EBADFILE, "metadata_buffer[%u] = %u is out of range", i, b);
  }
  fb_vec v = lfrt_fb_vector(c, model, MODEL_METADATA, 4, "Model.metadata");
  if (c->bad) return;
  lfrt_metadata *md = m_alloc(L, v.len, sizeof *md);
  if (c->bad) return;
  for (uint32_t i = 0; i < v.len && !c->bad; i++) {
    where(L, "metadata %d%s", (int)i, "");
    fb_table t = lfrt_fb_vec_table(c, v, i, "Metadata");
    md[i].name = lfrt_fb_string(c, &t, METADATA_NAME, "Metadata.name");
    uint32_t b = (uint32_t)lfrt_fb_int(c, &t, METADATA_BUFFER, 4, 0, 0, "Metadata.buffer");
    if (c->bad) break;
    if (b >= L->nbufs) {
      lfrt_fb_fail(c, LFRT_EBADFILE, "'%.60s' refers to buffer %u of %u", md[i].name, b, L->nbufs);
      break;
    }
    md[i].data = L->bufs[b].data;
    md[i].bytes = (size_t)L->bufs[b].size;
  }
  c->where[0] = 0;
  L->m->nmetadata = (int)v.len;
  L->m->metadata = md;
}

/* 16-byte-aligned model-owned bytes for folded constants. */
static void *fold_alloc(void *ctx, size_t bytes) {
  loader *L = ctx;
  unsigned char *raw = m_alloc(L, bytes + 15, 1);
  return raw ? raw + (16 - (uintptr_t)raw % 16) % 16 : NULL;
}

static void parse(loader *L) {
  fb_ctx *c = &L->c;
  lfrt_model *m = L->m;
  fb_table model = lfrt_fb_root(c, TFL_FILE_IDENTIFIER);
  m->version = (uint32_t)lfrt_fb_int(c, &model, MODEL_VERSION, 4, 0, 0, "Model.version");
  if (c->bad) return;
  if (m->version != TFL_SCHEMA_VERSION) {
    lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "schema version %u (only version 3 is supported)", m->version);
    return;
  }
  m->description = lfrt_fb_string(c, &model, MODEL_DESCRIPTION, "Model.description");
  read_buffers(L, &model);
  read_opcodes(L, &model);
  fb_vec sgs = lfrt_fb_vector(c, &model, MODEL_SUBGRAPHS, 4, "Model.subgraphs");
  if (c->bad) return;
  m->nsubgraphs = (int)sgs.len;
  if (sgs.len == 0) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "0 subgraphs (leapfrog runs models with exactly one)");
    return;
  }
  if (sgs.len != 1 && unsupported(L, &m->unsupported, "%u subgraphs (leapfrog runs models with exactly one)", sgs.len))
    return;
  fb_table sg = lfrt_fb_vec_table(c, sgs, 0, "SubGraph");
  m->subgraph_name = lfrt_fb_string(c, &sg, SUBGRAPH_NAME, "SubGraph.name");
  fb_vec tv = lfrt_fb_vector(c, &sg, SUBGRAPH_TENSORS, 4, "SubGraph.tensors");
  fb_vec ov = lfrt_fb_vector(c, &sg, SUBGRAPH_OPERATORS, 4, "SubGraph.operators");
  if (c->bad) return;
  if (tv.len > MAX_GRAPH_ITEMS || ov.len > MAX_GRAPH_ITEMS) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "absurd graph: %u tensors, %u operators (limit %u)", tv.len,
                 ov.len, MAX_GRAPH_ITEMS);
    return;
  }
  /* unsupported ops first: their message is more useful than a tensor's */
  for (uint32_t i = 0; i < ov.len && !c->bad && !L->describe; i++) {
    where(L, "node %d%s", (int)i, "");
    fb_table ot = lfrt_fb_vec_table(c, ov, i, "Operator");
    uint32_t oc = (uint32_t)lfrt_fb_int(c, &ot, OP_OPCODE_INDEX, 4, 0, 0, "opcode_index");
    char label[96], hint[300];
    if (!c->bad && oc < L->ncodes && !op_known(&L->codes[oc]))
      lfrt_fb_fail(c, LFRT_EUNSUPPORTED, "%s is not supported by leapfrog's runtime%s",
                   op_label(L->codes[oc].code, L->codes[oc].custom, label, sizeof label), custom_hint(&L->codes[oc], hint, sizeof hint));
  }
  c->where[0] = 0;
  if (c->bad) return;
  lfrt_tensor *ts = m_alloc(L, tv.len, sizeof *ts);
  lfrt_operator *ops = m_alloc(L, ov.len, sizeof *ops);
  if (c->bad) return;
  m->tensors = ts;
  m->ntensors = (int)tv.len;
  for (uint32_t i = 0; i < tv.len && !c->bad; i++) {
    where(L, "tensor %d%s", (int)i, "");
    fb_table tt = lfrt_fb_vec_table(c, tv, i, "Tensor");
    ts[i].name = lfrt_fb_string(c, &tt, TENSOR_NAME, "Tensor.name");
    if (c->bad) break;
    snprintf(c->where, sizeof c->where, "tensor %d '%.80s'", (int)i, ts[i].name);
    read_tensor(L, tt, &ts[i]);
    keep_unsupported(L, &ts[i].unsupported);
  }
  c->where[0] = 0;
  m->inputs = read_io(L, &sg, SUBGRAPH_INPUTS, "SubGraph.inputs", &m->ninputs);
  m->outputs = read_io(L, &sg, SUBGRAPH_OUTPUTS, "SubGraph.outputs", &m->noutputs);
  m->ops = ops;
  m->nops = (int)ov.len;
  for (uint32_t i = 0; i < ov.len && !c->bad; i++) {
    where(L, "node %d%s", (int)i, "");
    fb_table ot = lfrt_fb_vec_table(c, ov, i, "Operator");
    read_operator(L, (int)i, ot, &ops[i], m->ntensors);
  }
  c->where[0] = 0;
  if (!c->bad) check_order(L);
  if (!c->bad) (void)lfrt_fold_constants_(m, ts, fold_alloc, L); /* m_alloc records a failure */
  if (!c->bad) read_metadata(L, &model);
}

void lfrt_model_free(lfrt_model *m) {
  if (!m) return;
  model_priv *pv = m->priv_;
  if (pv) {
    for (size_t i = 0; i < pv->n; i++) free(pv->ptrs[i]);
    free(pv->ptrs);
    if (pv->map) lfrt_unmap_file_(pv->map, pv->map_len);
    free(pv);
  }
  free((void *)m->source_name);
  free(m);
}

static lfrt_status load(const void *bytes, size_t len, const char *name, int describe, lfrt_model **out,
                        lfrt_error *err) {
  if (!name) name = "model";
  if (!out || (!bytes && len)) return lfrt_set_error(err, LFRT_EINVAL, "%s: bad arguments", name);
  *out = NULL;
  lfrt_model *m = calloc(1, sizeof *m);
  model_priv *pv = calloc(1, sizeof *pv);
  size_t nlen = strlen(name);
  char *nm = malloc(nlen + 1);
  if (!m || !pv || !nm) {
    free(m);
    free(pv);
    free(nm);
    return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory", name);
  }
  memcpy(nm, name, nlen + 1);
  m->priv_ = pv;
  m->source_name = nm;
  m->file = bytes;
  m->file_bytes = len;
  m->description = m->subgraph_name = "";
  loader L;
  memset(&L, 0, sizeof L);
  L.c.p = bytes;
  L.c.n = len;
  L.c.name = nm;
  L.c.err = describe ? &L.local : err;
  L.describe = describe;
  L.m = m;
  L.pv = pv;
  parse(&L);
  if (L.c.bad && describe && err) memcpy(err->msg, L.local.msg, sizeof err->msg);
  if (L.c.bad) {
    lfrt_model_free(m);
    return L.c.bad;
  }
  *out = m;
  return LFRT_OK;
}

lfrt_status lfrt_model_load(const void *bytes, size_t len, const char *name, lfrt_model **out,
                            lfrt_error *err) {
  return load(bytes, len, name, 0, out, err);
}

lfrt_status lfrt_model_describe(const void *bytes, size_t len, const char *name, lfrt_model **out,
                                lfrt_error *err) {
  return load(bytes, len, name, 1, out, err);
}

int lfrt_model_release_data(const lfrt_model *m, const void *p, size_t bytes) {
  const model_priv *pv = m ? m->priv_ : NULL;
  if (!pv || !pv->map || !p) return 0;
  const unsigned char *lo = pv->map, *q = p;
  if (q < lo || bytes > pv->map_len || (size_t)(q - lo) > pv->map_len - bytes) return 0; /* not in the mapping */
  lfrt_release_pages_(p, bytes);
  return 1;
}

int lfrt_model_find_tensor(const lfrt_model *m, const char *name) {
  if (!m || !name) return -1;
  for (int i = 0; i < m->ntensors; i++)
    if (!strcmp(m->tensors[i].name, name)) return i;
  return -1;
}

static lfrt_status load_file(const char *path, int describe, lfrt_model **out, lfrt_error *err) {
  if (!path || !out) return lfrt_set_error(err, LFRT_EINVAL, "lfrt_model_load_file: bad arguments");
  *out = NULL;
  void *data;
  size_t len;
  lfrt_status s = lfrt_map_file_(path, &data, &len, err);
  if (s != LFRT_OK) return s;
  s = load(data, len, path, describe, out, err);
  if (s != LFRT_OK) {
    lfrt_unmap_file_(data, len);
    return s;
  }
  model_priv *pv = (*out)->priv_;
  pv->map = data;
  pv->map_len = len;
  return LFRT_OK;
}

lfrt_status lfrt_model_load_file(const char *path, lfrt_model **out, lfrt_error *err) {
  return load_file(path, 0, out, err);
}

lfrt_status lfrt_model_describe_file(const char *path, lfrt_model **out, lfrt_error *err) {
  return load_file(path, 1, out, err);
}
