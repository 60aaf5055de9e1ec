/* Hostile and malformed .tflite files: every truncation, every single bit
 * flip, wrong magic, huge/negative dimensions, overflowing vector lengths,
 * out-of-range indices, absurd offsets, bad quantization, unsupported ops.
 * Each must give LFRT_EBADFILE or LFRT_EUNSUPPORTED with a message naming
 * the file, never a crash (run under ASan/UBSan: no overread, no leak). Any
 * mutated file that still loads must satisfy lfrt_model.h's guarantees. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "lfrt.h"
#include "rt/tflite_test_models.h"

static unsigned char *model_bytes(int k, size_t *len) {
  lfrt_writer *w = tm_build(k);
  void *b = NULL;
  *len = 0;
  if (w) lfrt_writer_finish(w, &b, len, NULL);
  lfrt_writer_free(w);
  return b;
}

static int find_model(const char *name) {
  for (int k = 0; k < TM_NMODELS; k++)
    if (!strcmp(tm_models[k].name, name)) return k;
  return 0;
}

/* The guarantees of lfrt_model.h, checked on any model that loads. */
static int invariants_hold(const lfrt_model *m) {
  if (m->ntensors < 0 || m->nops < 0 || !m->description || !m->subgraph_name) return 0;
  for (int i = 0; i < m->ntensors; i++) {
    const lfrt_tensor *t = &m->tensors[i];
    if (!t->name || t->ndim < 0 || t->ndim > LFRT_MAX_DIMS) return 0;
    int64_t c = 1;
    for (int d = 0; d < t->ndim; d++) {
      if (t->shape[d] < 1) return 0;
      c *= t->shape[d];
    }
    if (c != t->count || t->bytes != (size_t)c * lfrt_type_size(t->type) || t->bytes > 0x7fffffffu)
      return 0;
    if (t->data && (size_t)t->data % 16) return 0;
    if (t->quant.count < 0 || (t->quant.count > 1 && (t->quant.axis < 0 || t->quant.axis >= t->ndim ||
                                                       t->shape[t->quant.axis] != t->quant.count)))
      return 0;
    for (int q = 0; q < t->quant.count; q++)
      if (!(t->quant.scale[q] > 0)) return 0;
  }
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    if (!lfrt_op_name(op->op) || op->noutputs != 1) return 0;
    for (int i = 0; i < op->ninputs; i++)
      if (op->inputs[i] < -1 || op->inputs[i] >= m->ntensors) return 0;
    if (op->outputs[0] < 0 || op->outputs[0] >= m->ntensors) return 0;
  }
  for (int i = 0; i < m->ninputs; i++)
    if (m->inputs[i] < 0 || m->inputs[i] >= m->ntensors) return 0;
  for (int i = 0; i < m->noutputs; i++)
    if (m->outputs[i] < 0 || m->outputs[i] >= m->ntensors) return 0;
  return 1;
}

/* Loads a private copy of exactly `len` bytes (so ASan sees any overread).
 * Returns the status; checks message and invariants. */
static lfrt_status try_load(const unsigned char *bytes, size_t len, const char *what) {
  unsigned char *copy = malloc(len ? len : 1);
  if (len) memcpy(copy, bytes, len);
  lfrt_model *m = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  lfrt_status s = lfrt_model_load(copy, len, "hostile.tflite", &m, &err);
  if (s == LFRT_OK) {
    LF_CHECK_MSG(m != NULL && invariants_hold(m), "%s: loaded model breaks the invariants", what);
    lfrt_model_free(m);
  } else {
    LF_CHECK_MSG(m == NULL, "%s: model returned on failure", what);
    LF_CHECK_MSG(s == LFRT_EBADFILE || s == LFRT_EUNSUPPORTED, "%s: status %s (%s)", what,
                 lfrt_status_str(s), err.msg);
    LF_CHECK_MSG(strstr(err.msg, "hostile.tflite") != NULL, "%s: message '%s' does not name the file",
                 what, err.msg);
  }
  /* a describe load of the same bytes: fails only on malformed files (never
   * where the load succeeded), and the check of what it read never crashes */
  err.msg[0] = 0;
  lfrt_status ds = lfrt_model_describe(copy, len, "hostile.tflite", &m, &err);
  /* (another schema version cannot be read at all: refused by both) */
  int schema = ds == LFRT_EUNSUPPORTED && strstr(err.msg, "schema version") != NULL;
  LF_CHECK_MSG(ds == LFRT_OK || ds == LFRT_EBADFILE || schema || (ds == LFRT_ENOMEM && s), "%s: describe %s (%s), load %s", what,
               lfrt_status_str(ds), err.msg, lfrt_status_str(s));
  if (s == LFRT_OK) LF_CHECK_MSG(ds == LFRT_OK, "%s: loads but describe fails: %s", what, err.msg);
  if (ds == LFRT_OK) {
    lfrt_node_support *sup = calloc((size_t)m->nops + 1, sizeof *sup);
    lfrt_interp_options o = {.threads = 1, .external_arena = 1, .isa = "ref"};
    lfrt_status cs = lfrt_interp_check(m, &o, sup, &err);
    if (s == LFRT_EUNSUPPORTED) LF_CHECK_MSG(cs == LFRT_EUNSUPPORTED, "%s: load refused, check %s", what, lfrt_status_str(cs));
    free(sup);
    lfrt_model_free(m);
  }
  free(copy);
  return s;
}

/* Expects failure with status s and a message containing `needle`. */
static void expect_fail(const unsigned char *b, size_t len, lfrt_status want, const char *needle,
                        const char *what) {
  lfrt_model *m = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  lfrt_status s = lfrt_model_load(b, len, "hostile.tflite", &m, &err);
  LF_CHECK_MSG(s == want, "%s: got %s (%s), want %s", what, lfrt_status_str(s), err.msg,
               lfrt_status_str(want));
  LF_CHECK_MSG(strstr(err.msg, needle) != NULL, "%s: message '%s' lacks '%s'", what, err.msg, needle);
  lfrt_model_free(m);
}

/* ---- tiny flatbuffer navigation for targeted patches (test-side) ----- */
static uint32_t rd32(const unsigned char *b, size_t p) {
  return (uint32_t)b[p] | (uint32_t)b[p + 1] << 8 | (uint32_t)b[p + 2] << 16 | (uint32_t)b[p + 3] << 24;
}
static void wr32(unsigned char *b, size_t p, uint32_t v) {
  for (int i = 0; i < 4; i++) b[p + (size_t)i] = (unsigned char)(v >> (8 * i));
}
static size_t field(const unsigned char *b, size_t table, int id) {
  size_t vt = table - (size_t)(int32_t)rd32(b, table);
  unsigned vsize = (unsigned)(b[vt] | b[vt + 1] << 8);
  if (4 + 2 * (unsigned)id >= vsize) return 0;
  unsigned off = (unsigned)(b[vt + 4 + 2 * (size_t)id] | b[vt + 5 + 2 * (size_t)id] << 8);
  return off ? table + off : 0;
}
static size_t deref(const unsigned char *b, size_t fieldpos) { return fieldpos + rd32(b, fieldpos); }
static size_t elem_table(const unsigned char *b, size_t vec, int i) {
  return deref(b, vec + 4 + 4 * (size_t)i);
}
static size_t subgraph(const unsigned char *b) {
  return elem_table(b, deref(b, field(b, rd32(b, 0), 2)), 0);
}
static size_t tensor_table(const unsigned char *b, int k) {
  return elem_table(b, deref(b, field(b, subgraph(b), 0)), k);
}
static size_t op_table(const unsigned char *b, int k) {
  return elem_table(b, deref(b, field(b, subgraph(b), 3)), k);
}

/* A three-node graph with metadata, description and a subgraph name, so
 * truncations and flips also land in those tables. */
static unsigned char *composite_bytes(size_t *len) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t is[4] = {1, 4, 4, 2}, ws[4] = {3, 1, 1, 2}, cs[4] = {1, 4, 4, 3}, rs[2] = {1, 48};
  float sc = 0.1f, wsc[3] = {0.01f, 0.02f, 0.03f}, bsc[3] = {0.001f, 0.002f, 0.003f};
  int32_t zp = 1, wz[3] = {0, 0, 0}, bd[3] = {5, -5, 7}, bshape[1] = {3}, shp[2] = {1, 48};
  int8_t wd[6] = {1, -2, 3, -4, 5, -6};
  lfrt_quant q = {1, &sc, &zp, 0}, wq = {3, wsc, wz, 0}, bq = {3, bsc, wz, 0};
  int x = lfrt_writer_add_tensor(w, "x", LFRT_INT8, 4, is, NULL, 0, &q);
  int k = lfrt_writer_add_tensor(w, "k", LFRT_INT8, 4, ws, wd, 6, &wq);
  int b = lfrt_writer_add_tensor(w, "b", LFRT_INT32, 1, bshape, bd, 12, &bq);
  int c = lfrt_writer_add_tensor(w, "c", LFRT_INT8, 4, cs, NULL, 0, &q);
  int r = lfrt_writer_add_tensor(w, "r", LFRT_INT8, 4, cs, NULL, 0, &q);
  int32_t two[1] = {2};
  int sh = lfrt_writer_add_tensor(w, "shape2", LFRT_INT32, 1, two, shp, 8, NULL);
  int y = lfrt_writer_add_tensor(w, "y", LFRT_INT8, 2, rs, NULL, 0, &q);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t ci[3] = {x, k, b}, ri[2] = {r, sh};
  lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, ci, 3, &c, 1, &o);
  lfrt_writer_add_operator(w, LFRT_OP_RELU, &c, 1, &r, 1, NULL);
  o.reshape.num_dims = 2;
  o.reshape.new_shape[0] = 1;
  o.reshape.new_shape[1] = 48;
  lfrt_writer_add_operator(w, LFRT_OP_RESHAPE, ri, 2, &y, 1, &o);
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  lfrt_writer_add_metadata(w, "min_runtime_version", "1.14.0", 6);
  lfrt_writer_add_metadata(w, "leapfrog", "{\"labels\":[\"a\"]}", 16);
  lfrt_writer_set_description(w, "composite test graph");
  lfrt_writer_set_subgraph_name(w, "serving_default");
  void *bytes = NULL;
  *len = 0;
  lfrt_status st = lfrt_writer_finish(w, &bytes, len, NULL);
  LF_CHECK_MSG(st == LFRT_OK, "composite: %s", lfrt_writer_error(w));
  lfrt_writer_free(w);
  return bytes;
}

LF_TEST(every_truncation) {
  {
    size_t len;
    unsigned char *b = composite_bytes(&len);
    LF_CHECK(b != NULL && try_load(b, len, "composite") == LFRT_OK);
    size_t pad = 0;
    while (b && pad < len && b[len - 1 - pad] == 0) pad++;
    for (size_t cut = 0; b && cut < len; cut++) {
      lfrt_status s = try_load(b, cut, "composite truncated");
      if (cut < len - pad) LF_CHECK_MSG(s != LFRT_OK, "composite cut at %zu of %zu loaded", cut, len);
    }
    for (size_t i = 0; b && i < len; i++)
      for (int bit = 0; bit < 8; bit++) {
        b[i] ^= (unsigned char)(1u << bit);
        (void)try_load(b, len, "composite bit flip");
        b[i] ^= (unsigned char)(1u << bit);
      }
    free(b);
  }
  const char *names[] = {"conv_2d", "concatenation", "reshape", "transpose_conv"};
  for (int n = 0; n < 4; n++) {
    size_t len;
    unsigned char *b = model_bytes(find_model(names[n]), &len);
    LF_CHECK(b != NULL && try_load(b, len, "full") == LFRT_OK);
    size_t pad = 0;
    while (pad < len && b[len - 1 - pad] == 0) pad++;
    for (size_t cut = 0; cut < len; cut++) {
      lfrt_status s = try_load(b, cut, "truncated");
      if (cut < len - pad) LF_CHECK_MSG(s != LFRT_OK, "%s cut at %zu of %zu loaded", names[n], cut, len);
    }
    free(b);
  }
}

LF_TEST(every_bit_flip) {
  const char *names[] = {"conv_2d", "depthwise_conv_2d", "mean"};
  for (int n = 0; n < 3; n++) {
    size_t len;
    unsigned char *b = model_bytes(find_model(names[n]), &len);
    int failed = 0, loaded = 0;
    for (size_t i = 0; b && i < len; i++)
      for (int bit = 0; bit < 8; bit++) {
        b[i] ^= (unsigned char)(1u << bit);
        if (try_load(b, len, "bit flip") == LFRT_OK) loaded++;
        else failed++;
        b[i] ^= (unsigned char)(1u << bit);
      }
    /* most flips hit structure and must be refused; data/padding flips load */
    LF_CHECK_MSG(failed > 0 && loaded > 0, "%s: %d refused, %d loaded", names[n], failed, loaded);
    printf("  %s: %zu bytes, %d flips refused, %d loaded\n", names[n], len, failed, loaded);
    free(b);
  }
}

LF_TEST(magic_and_tiny_files) {
  size_t len;
  unsigned char *b = model_bytes(find_model("conv_2d"), &len);
  b[4] = 'X';
  expect_fail(b, len, LFRT_EBADFILE, "identifier", "wrong magic");
  b[4] = 'T';
  expect_fail(b, 0, LFRT_EBADFILE, "too short", "empty");
  expect_fail(b, 7, LFRT_EBADFILE, "too short", "7 bytes");
  unsigned char junk[64];
  memset(junk, 0xff, sizeof junk);
  memcpy(junk + 4, "TFL3", 4);
  expect_fail(junk, sizeof junk, LFRT_EBADFILE, "outside", "root offset past the end");
  free(b);
  lfrt_model *m = NULL;
  lfrt_error err;
  LF_CHECK(lfrt_model_load_file("/nonexistent/x.tflite", &m, &err) == LFRT_EIO && m == NULL);
  LF_CHECK(strstr(err.msg, "/nonexistent/x.tflite") != NULL);
  LF_CHECK(lfrt_model_load(NULL, 5, "x", &m, &err) == LFRT_EINVAL);
}

LF_TEST(shapes_and_sizes) {
  size_t len;
  unsigned char *orig = model_bytes(find_model("conv_2d"), &len);
  unsigned char *b = malloc(len);
  /* tensor 0 'input' [1,5,5,3]: dims patched */
  size_t shape = deref(orig, field(orig, tensor_table(orig, 0), 0));
  const struct {
    uint32_t dim1, dim2;
    lfrt_status want;
    const char *needle;
  } cases[] = {
      {0x7fffffffu, 0x7fffffffu, LFRT_EBADFILE, "absurd"},
      {65536, 65536, LFRT_EBADFILE, "absurd"},
      {0xffffffffu, 5, LFRT_EBADFILE, "dimension 1 is -1"},
      {0, 5, LFRT_EUNSUPPORTED, "dimension 1 is 0"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    memcpy(b, orig, len);
    wr32(b, shape + 8, cases[c].dim1);
    wr32(b, shape + 12, cases[c].dim2);
    expect_fail(b, len, cases[c].want, cases[c].needle, "dims");
    expect_fail(b, len, cases[c].want, "tensor 0 'input'", "dims: message names the tensor");
  }
  /* int64 [2^31-1, 2^31-1, 3]: count * 8 would wrap a uint64 */
  memcpy(b, orig, len);
  b[field(b, tensor_table(b, 0), 1)] = LFRT_INT64;
  wr32(b, shape + 4, 0x7fffffffu);
  wr32(b, shape + 8, 0x7fffffffu);
  wr32(b, shape + 12, 0x7fffffffu);
  expect_fail(b, len, LFRT_EBADFILE, "absurd", "int64 overflow");
  /* rank 7 */
  memcpy(b, orig, len);
  wr32(b, shape, 7);
  expect_fail(b, len, LFRT_EUNSUPPORTED, "rank 7", "rank");
  /* vector lengths that overflow: shape, tensors, operators, buffers */
  memcpy(b, orig, len);
  wr32(b, shape, 0xffffffffu);
  expect_fail(b, len, LFRT_EBADFILE, "past the end", "shape length");
  memcpy(b, orig, len);
  wr32(b, deref(b, field(b, subgraph(b), 0)), 0x40000000u);
  expect_fail(b, len, LFRT_EBADFILE, "past the end", "tensors length");
  /* weights (tensor 1) data shorter than its shape needs */
  memcpy(b, orig, len);
  size_t tt = tensor_table(b, 1);
  size_t buffers = deref(b, field(b, rd32(b, 0), 4));
  uint32_t bi = rd32(b, field(b, tt, 2));
  size_t data = deref(b, field(b, elem_table(b, buffers, (int)bi), 0));
  wr32(b, data, rd32(b, data) - 1);
  expect_fail(b, len, LFRT_EBADFILE, "constant data", "short data");
  free(b);
  free(orig);
}

LF_TEST(indices_and_offsets) {
  size_t len;
  unsigned char *orig = model_bytes(find_model("conv_2d"), &len);
  unsigned char *b = malloc(len);
  /* tensor buffer index */
  memcpy(b, orig, len);
  wr32(b, field(b, tensor_table(b, 0), 2), 1000);
  expect_fail(b, len, LFRT_EBADFILE, "buffer index 1000", "buffer index");
  /* op input / output / opcode indices */
  memcpy(b, orig, len);
  size_t ins = deref(b, field(b, op_table(b, 0), 1));
  wr32(b, ins + 8, 99);
  expect_fail(b, len, LFRT_EBADFILE, "input 1 is tensor 99", "input index");
  memcpy(b, orig, len);
  wr32(b, ins + 4, 0xfffffffeu);
  expect_fail(b, len, LFRT_EBADFILE, "input 0 is tensor -2", "negative input index");
  memcpy(b, orig, len);
  wr32(b, ins + 4, 0xffffffffu); /* -1 only allowed for the optional bias */
  expect_fail(b, len, LFRT_EBADFILE, "input 0 is tensor -1", "absent required input");
  memcpy(b, orig, len);
  wr32(b, ins + 12, 0xffffffffu); /* bias absent: fine */
  LF_CHECK(try_load(b, len, "absent bias") == LFRT_OK);
  memcpy(b, orig, len);
  wr32(b, deref(b, field(b, op_table(b, 0), 2)) + 4, 7);
  expect_fail(b, len, LFRT_EBADFILE, "output 0 is tensor 7", "output index");
  memcpy(b, orig, len);
  wr32(b, field(b, op_table(b, 0), 0), 3);
  expect_fail(b, len, LFRT_EBADFILE, "opcode_index 3", "opcode index");
  memcpy(b, orig, len);
  wr32(b, deref(b, field(b, subgraph(b), 1)) + 4, 12345);
  expect_fail(b, len, LFRT_EBADFILE, "inputs[0] is tensor 12345", "subgraph input");
  /* writing a constant / an input: output = weights tensor */
  memcpy(b, orig, len);
  wr32(b, deref(b, field(b, op_table(b, 0), 2)) + 4, 1);
  expect_fail(b, len, LFRT_EBADFILE, "already written", "output is a constant");
  /* absurd offsets: root, a uoffset past the end, a vtable before the file */
  memcpy(b, orig, len);
  wr32(b, 0, (uint32_t)len + 100);
  expect_fail(b, len, LFRT_EBADFILE, "outside", "root past end");
  memcpy(b, orig, len);
  wr32(b, field(b, rd32(b, 0), 2), 0x7ffffff0u);
  expect_fail(b, len, LFRT_EBADFILE, "outside the file", "subgraphs offset");
  memcpy(b, orig, len);
  wr32(b, rd32(b, 0), 0x7ffffff0u); /* soffset -> vtable at a negative position */
  expect_fail(b, len, LFRT_EBADFILE, "vtable", "vtable offset");
  memcpy(b, orig, len);
  wr32(b, rd32(b, 0), (uint32_t)-(int32_t)8); /* vtable points forward into garbage */
  (void)try_load(b, len, "forward vtable"); /* fields read as a vtable: no crash */
  /* a uoffset of 0 points at itself: read as a vector of length = offset = 0 */
  memcpy(b, orig, len);
  wr32(b, field(b, tensor_table(b, 0), 0), 0);
  (void)try_load(b, len, "self offset");
  /* subgraph count 2 */
  memcpy(b, orig, len);
  wr32(b, deref(b, field(b, rd32(b, 0), 2)), 2);
  expect_fail(b, len, LFRT_EUNSUPPORTED, "2 subgraphs", "two subgraphs");
  /* schema version */
  memcpy(b, orig, len);
  wr32(b, field(b, rd32(b, 0), 0), 2);
  expect_fail(b, len, LFRT_EUNSUPPORTED, "schema version 2", "version");
  free(b);
  free(orig);
}

LF_TEST(quantization_fields) {
  size_t len;
  unsigned char *orig = model_bytes(find_model("conv_2d"), &len);
  unsigned char *b = malloc(len);
  /* tensor 1: per-axis weights (4 scales, axis 0) */
  size_t q = deref(orig, field(orig, tensor_table(orig, 1), 4));
  size_t scales = deref(orig, field(orig, q, 2)), zps = deref(orig, field(orig, q, 3));
  memcpy(b, orig, len);
  wr32(b, field(b, q, 6), 9);
  expect_fail(b, len, LFRT_EBADFILE, "quantized_dimension 9", "axis");
  memcpy(b, orig, len);
  wr32(b, field(b, q, 6), 1); /* dim 1 has size 3, not 4 */
  expect_fail(b, len, LFRT_EBADFILE, "per-axis", "axis size");
  memcpy(b, orig, len);
  wr32(b, scales + 8, 0x7fc00000u); /* NaN */
  expect_fail(b, len, LFRT_EBADFILE, "scale[1]", "nan scale");
  memcpy(b, orig, len);
  wr32(b, scales + 4, 0xbf800000u); /* -1 */
  expect_fail(b, len, LFRT_EBADFILE, "scale[0]", "negative scale");
  memcpy(b, orig, len);
  wr32(b, zps + 4 + 8 * 2, 300); /* int8 zero point 300 */
  expect_fail(b, len, LFRT_EBADFILE, "zero_point[2] = 300", "zero point range");
  memcpy(b, orig, len);
  wr32(b, zps, 3);
  expect_fail(b, len, LFRT_EBADFILE, "4 scales but 3 zero points", "zp count");
  free(b);
  free(orig);
}

LF_TEST(unsupported_and_order) {
  /* an op outside the list, by builtin code */
  lfrt_writer *w = lfrt_writer_new();
  int32_t s[2] = {1, 4};
  int x = lfrt_writer_add_tensor(w, "x", LFRT_FLOAT32, 2, s, NULL, 0, NULL);
  int y = lfrt_writer_add_tensor(w, "y", LFRT_FLOAT32, 2, s, NULL, 0, NULL);
  int z = lfrt_writer_add_tensor(w, "z", LFRT_FLOAT32, 2, s, NULL, 0, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_RELU, &x, 1, &y, 1, NULL);
  int32_t in2[2] = {y, x};
  lfrt_writer_add_operator(w, (lfrt_op)78, in2, 2, &z, 1, NULL); /* POW */
  lfrt_writer_set_io(w, &x, 1, &z, 1);
  void *bytes;
  size_t len;
  LF_CHECK(lfrt_writer_finish(w, &bytes, &len, NULL) == LFRT_OK);
  expect_fail(bytes, len, LFRT_EUNSUPPORTED, "node 1: op 78 (POW) is not supported", "POW");
  /* the same as a custom op */
  unsigned char *b = bytes;
  size_t codes = deref(b, field(b, rd32(b, 0), 1));
  size_t oc = elem_table(b, codes, 1);
  b[field(b, oc, 0)] = 32;
  wr32(b, field(b, oc, 3), 32);
  expect_fail(b, len, LFRT_EUNSUPPORTED, "custom op", "custom");
  expect_fail(b, len, LFRT_EUNSUPPORTED, "known custom ops: Convolution2DTransposeBias", "custom list");
  /* a code beyond the name table */
  b[field(b, oc, 0)] = 127;
  wr32(b, field(b, oc, 3), 4000);
  expect_fail(b, len, LFRT_EUNSUPPORTED, "op 4000 (unknown builtin)", "unknown code");
  free(bytes);
  lfrt_writer_free(w);

  /* nodes out of order: the consumer comes first */
  w = lfrt_writer_new();
  x = lfrt_writer_add_tensor(w, "x", LFRT_FLOAT32, 2, s, NULL, 0, NULL);
  y = lfrt_writer_add_tensor(w, "y", LFRT_FLOAT32, 2, s, NULL, 0, NULL);
  z = lfrt_writer_add_tensor(w, "z", LFRT_FLOAT32, 2, s, NULL, 0, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_RELU, &y, 1, &z, 1, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_RELU6, &x, 1, &y, 1, NULL);
  lfrt_writer_set_io(w, &x, 1, &z, 1);
  LF_CHECK(lfrt_writer_finish(w, &bytes, &len, NULL) == LFRT_OK);
  expect_fail(bytes, len, LFRT_EBADFILE, "node 0 (RELU): input 0 (tensor 1 'y') is not computed", "order");
  free(bytes);
  lfrt_writer_free(w);

  /* wrong arity: CONV_2D with one input */
  w = lfrt_writer_new();
  x = lfrt_writer_add_tensor(w, "x", LFRT_FLOAT32, 2, s, NULL, 0, NULL);
  y = lfrt_writer_add_tensor(w, "y", LFRT_FLOAT32, 2, s, NULL, 0, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, &x, 1, &y, 1, NULL);
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  LF_CHECK(lfrt_writer_finish(w, &bytes, &len, NULL) == LFRT_OK);
  expect_fail(bytes, len, LFRT_EBADFILE, "has 1 inputs, expected 2..3", "arity");
  free(bytes);
  lfrt_writer_free(w);

  /* options of the wrong union type, TANH activation */
  size_t l2;
  unsigned char *c = model_bytes(find_model("conv_2d"), &l2);
  size_t ot = op_table(c, 0);
  c[field(c, ot, 3)] = 5; /* Pool2DOptions */
  expect_fail(c, l2, LFRT_EBADFILE, "union type 5", "union type");
  c[field(c, ot, 3)] = 1;
  size_t opts = deref(c, field(c, ot, 4));
  c[field(c, opts, 3)] = 4; /* TANH */
  expect_fail(c, l2, LFRT_EUNSUPPORTED, "TANH", "tanh");
  c[field(c, opts, 3)] = 9;
  expect_fail(c, l2, LFRT_EBADFILE, "fused activation 9", "activation 9");
  c[field(c, opts, 3)] = 0;
  wr32(c, field(c, opts, 1), 0); /* stride 0 */
  expect_fail(c, l2, LFRT_EBADFILE, "stride_w is 0", "stride");
  free(c);
}

/* Operator versions beyond what the runtime implements (a newer converter's
 * semantics) are refused at load, naming op and version; known versions load. */
static void op_versions(void) {
  const int k = find_model("conv_2d");
  int cases[][2] = {{999, LFRT_EUNSUPPORTED}, {9, LFRT_EUNSUPPORTED}, {8, LFRT_OK}, {1, LFRT_OK}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    lfrt_writer *w = tm_build(k);
    LF_CHECK(w != NULL);
    if (!w) return;
    LF_CHECK(lfrt_writer_set_op_version(w, 0, cases[i][0]) == LFRT_OK);
    void *b = NULL;
    size_t len = 0;
    LF_CHECK(lfrt_writer_finish(w, &b, &len, NULL) == LFRT_OK);
    lfrt_writer_free(w);
    char what[64];
    snprintf(what, sizeof what, "(CONV_2D) version %d", cases[i][0]);
    if (cases[i][1] == LFRT_OK) LF_CHECK_MSG(try_load(b, len, what) == LFRT_OK, "%s must load", what);
    else expect_fail(b, len, LFRT_EUNSUPPORTED, what, what);
    free(b);
  }
}

/* --write DIR: models the loader accepts or refuses for `leapfrog info` to
 * check (tests/test_cli_info.sh): unpreparable.tflite loads but its
 * CONCATENATION output is one channel too wide (prepare refuses it, as invoke
 * would); opversion999.tflite has CONV_2D version 999. */
static int write_models(const char *dir) {
  char path[512];
  lfrt_writer *w = lfrt_writer_new();
  if (!w) return 1;
  int32_t as[4] = {1, 2, 2, 3}, bs[4] = {1, 2, 2, 2}, os[4] = {1, 2, 2, 6};
  int32_t in[2] = {tm_act(w, "a", 4, as, 0.05f, -3), tm_act(w, "b", 4, bs, 0.05f, -3)};
  int32_t y = tm_act(w, "output", 4, os, 0.05f, -3);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.concat.axis = 3;
  lfrt_writer_add_operator(w, LFRT_OP_CONCATENATION, in, 2, &y, 1, &o);
  lfrt_writer_set_io(w, in, 2, &y, 1);
  snprintf(path, sizeof path, "%s/unpreparable.tflite", dir);
  lfrt_status s1 = lfrt_writer_write_file(w, path, NULL);
  lfrt_writer_free(w);
  w = tm_build(find_model("conv_2d"));
  if (!w) return 1;
  lfrt_writer_set_op_version(w, 0, 999);
  snprintf(path, sizeof path, "%s/opversion999.tflite", dir);
  lfrt_status s2 = lfrt_writer_write_file(w, path, NULL);
  lfrt_writer_free(w);
  return s1 != LFRT_OK || s2 != LFRT_OK;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--write")) return write_models(argv[2]);
  LF_RUN(op_versions);
  LF_RUN(every_truncation);
  LF_RUN(every_bit_flip);
  LF_RUN(magic_and_tiny_files);
  LF_RUN(shapes_and_sizes);
  LF_RUN(indices_and_offsets);
  LF_RUN(quantization_fields);
  LF_RUN(unsupported_and_order);
  return lf_test_summary();
}
