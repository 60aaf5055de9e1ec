/* Writer -> reader round trip of every op's options, tensors, per-axis
 * quantization, metadata and description (runtime only, C99).
 *   test_tflite_roundtrip              run the tests
 *   test_tflite_roundtrip --write DIR  also write every model of
 *       tflite_test_models.h as DIR/NAME.tflite with random inputs
 *       DIR/NAME.in0.bin [, .in1.bin] (for the LiteRT test and fuzz seeds) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "lfrt.h"
#include "rt/tflite_test_models.h"

static lfrt_model *finish_and_load(lfrt_writer *w, void **bytes) {
  size_t len = 0;
  lfrt_error err;
  err.msg[0] = 0;
  *bytes = NULL;
  lfrt_status s = lfrt_writer_finish(w, bytes, &len, &err);
  LF_CHECK_MSG(s == LFRT_OK, "finish: %s", err.msg);
  if (s != LFRT_OK) return NULL;
  lfrt_model *m = NULL;
  s = lfrt_model_load(*bytes, len, "roundtrip.tflite", &m, &err);
  LF_CHECK_MSG(s == LFRT_OK, "load: %s (%s)", err.msg, lfrt_status_str(s));
  return s == LFRT_OK ? m : NULL;
}

/* One op with the given options on dummy tensors; returns the options read back. */
static int roundtrip_options(lfrt_op op, const lfrt_options *in, lfrt_options *out, int nin) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t shp[4] = {1, 2, 2, 2};
  int32_t ins[4];
  int x = lfrt_writer_add_tensor(w, "x", LFRT_FLOAT32, 4, shp, NULL, 0, NULL);
  ins[0] = x;
  float c[16] = {0};
  for (int i = 1; i < nin; i++) ins[i] = lfrt_writer_add_tensor(w, "c", LFRT_FLOAT32, 4, shp, c, 32, NULL);
  int y = lfrt_writer_add_tensor(w, "y", LFRT_FLOAT32, 4, shp, NULL, 0, NULL);
  lfrt_writer_add_operator(w, op, ins, nin, &y, 1, in);
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  void *bytes;
  lfrt_model *m = finish_and_load(w, &bytes);
  int ok = m && m->nops == 1 && m->ops[0].op == op;
  LF_CHECK_MSG(ok, "op %s did not come back", lfrt_op_name(op));
  if (ok) *out = m->ops[0].opt;
  lfrt_model_free(m);
  free(bytes);
  lfrt_writer_free(w);
  return ok;
}

LF_TEST(options_roundtrip) {
  for (int trial = 0; trial < 20; trial++) {
    lfrt_options a, b;
    memset(&a, 0, sizeof a);
    a.conv.padding = (lfrt_padding)(trial & 1);
    a.conv.stride_w = 1 + trial % 3;
    a.conv.stride_h = 1 + trial % 4;
    a.conv.dilation_w = 1 + trial % 2;
    a.conv.dilation_h = 1 + trial % 5;
    a.conv.activation = (lfrt_activation)(trial % 4);
    if (roundtrip_options(LFRT_OP_CONV_2D, &a, &b, 3))
      LF_CHECK(!memcmp(&a.conv, &b.conv, sizeof a.conv));

    memset(&a, 0, sizeof a);
    a.depthwise.padding = (lfrt_padding)((trial + 1) & 1);
    a.depthwise.stride_w = 1 + trial % 2;
    a.depthwise.stride_h = 2;
    a.depthwise.depth_multiplier = 1 + trial % 3;
    a.depthwise.dilation_w = 1 + trial % 3;
    a.depthwise.dilation_h = 1;
    a.depthwise.activation = (lfrt_activation)((trial + 2) % 4);
    if (roundtrip_options(LFRT_OP_DEPTHWISE_CONV_2D, &a, &b, 3))
      LF_CHECK(!memcmp(&a.depthwise, &b.depthwise, sizeof a.depthwise));

    for (int mx = 0; mx < 2; mx++) {
      memset(&a, 0, sizeof a);
      a.pool.padding = (lfrt_padding)(trial & 1);
      a.pool.stride_w = 1 + trial % 3;
      a.pool.stride_h = 1 + mx;
      a.pool.filter_w = 2 + trial % 4;
      a.pool.filter_h = 3;
      a.pool.activation = (lfrt_activation)(trial % 4);
      if (roundtrip_options(mx ? LFRT_OP_MAX_POOL_2D : LFRT_OP_AVERAGE_POOL_2D, &a, &b, 1))
        LF_CHECK(!memcmp(&a.pool, &b.pool, sizeof a.pool));
    }

    memset(&a, 0, sizeof a);
    a.fc.activation = (lfrt_activation)(trial % 4);
    a.fc.keep_num_dims = trial & 1;
    a.fc.asymmetric_quantize_inputs = (trial >> 1) & 1;
    if (roundtrip_options(LFRT_OP_FULLY_CONNECTED, &a, &b, 2))
      LF_CHECK(!memcmp(&a.fc, &b.fc, sizeof a.fc));

    memset(&a, 0, sizeof a);
    a.softmax.beta = 0.25f * (float)(trial + 1);
    if (roundtrip_options(LFRT_OP_SOFTMAX, &a, &b, 1)) LF_CHECK(a.softmax.beta == b.softmax.beta);

    memset(&a, 0, sizeof a);
    a.concat.axis = trial % 7 - 3;
    a.concat.activation = (lfrt_activation)(trial % 4);
    if (roundtrip_options(LFRT_OP_CONCATENATION, &a, &b, 3))
      LF_CHECK(a.concat.axis == b.concat.axis && a.concat.activation == b.concat.activation);

    memset(&a, 0, sizeof a);
    a.add.activation = (lfrt_activation)(trial % 4);
    if (roundtrip_options(LFRT_OP_ADD, &a, &b, 2))
      LF_CHECK(b.add.activation == a.add.activation && b.add.pot_scale_int16 == 1);
    memset(&a, 0, sizeof a);
    a.mul.activation = (lfrt_activation)((trial + 1) % 4);
    if (roundtrip_options(LFRT_OP_MUL, &a, &b, 2)) LF_CHECK(b.mul.activation == a.mul.activation);
    memset(&a, 0, sizeof a);
    a.add.activation = (lfrt_activation)((trial + 2) % 4);
    if (roundtrip_options(LFRT_OP_SUB, &a, &b, 2))
      LF_CHECK(b.add.activation == a.add.activation && b.add.pot_scale_int16 == 1);
    memset(&a, 0, sizeof a);
    a.mul.activation = (lfrt_activation)((trial + 3) % 4);
    if (roundtrip_options(LFRT_OP_DIV, &a, &b, 2)) LF_CHECK(b.mul.activation == a.mul.activation);
    memset(&a, 0, sizeof a);
    a.leaky_relu.alpha = 0.01f * (float)trial;
    if (roundtrip_options(LFRT_OP_LEAKY_RELU, &a, &b, 1)) LF_CHECK(b.leaky_relu.alpha == a.leaky_relu.alpha);

    memset(&a, 0, sizeof a);
    a.reshape.num_dims = trial % 5; /* 0..4, 0 = scalar */
    for (int d = 0; d < a.reshape.num_dims; d++) a.reshape.new_shape[d] = d == 1 ? -1 : d + trial;
    if (roundtrip_options(LFRT_OP_RESHAPE, &a, &b, 1)) {
      LF_CHECK(b.reshape.num_dims == a.reshape.num_dims);
      LF_CHECK(!memcmp(a.reshape.new_shape, b.reshape.new_shape,
                       sizeof(int32_t) * (size_t)a.reshape.num_dims));
    }
    memset(&a, 0, sizeof a);
    a.reshape.num_dims = -1; /* no new_shape: comes from input 1 */
    if (roundtrip_options(LFRT_OP_RESHAPE, &a, &b, 2)) LF_CHECK(b.reshape.num_dims == -1);

    for (int nn = 0; nn < 2; nn++) {
      memset(&a, 0, sizeof a);
      a.resize.align_corners = trial & 1;
      a.resize.half_pixel_centers = (trial >> 1) & 1;
      if (roundtrip_options(nn ? LFRT_OP_RESIZE_NEAREST_NEIGHBOR : LFRT_OP_RESIZE_BILINEAR, &a,
                            &b, 2))
        LF_CHECK(!memcmp(&a.resize, &b.resize, sizeof a.resize));
    }

    memset(&a, 0, sizeof a);
    a.reducer.keep_dims = trial & 1;
    if (roundtrip_options(LFRT_OP_MEAN, &a, &b, 2)) LF_CHECK(a.reducer.keep_dims == b.reducer.keep_dims);

    memset(&a, 0, sizeof a);
    a.transpose_conv.padding = (lfrt_padding)(trial & 1);
    a.transpose_conv.stride_w = 1 + trial % 3;
    a.transpose_conv.stride_h = 1 + trial % 2;
    a.transpose_conv.activation = (lfrt_activation)(trial % 4);
    if (roundtrip_options(LFRT_OP_TRANSPOSE_CONV, &a, &b, 4))
      LF_CHECK(!memcmp(&a.transpose_conv, &b.transpose_conv, sizeof a.transpose_conv));
  }
  /* ops without options, and the PAD/QUANTIZE/DEQUANTIZE empty tables */
  const lfrt_op plain[] = {LFRT_OP_LOGISTIC, LFRT_OP_RELU, LFRT_OP_RELU6, LFRT_OP_QUANTIZE,
                           LFRT_OP_DEQUANTIZE};
  lfrt_options b;
  for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) roundtrip_options(plain[i], NULL, &b, 1);
  roundtrip_options(LFRT_OP_PAD, NULL, &b, 2);
  /* float elementwise ops: no options (TANH, RSQRT, PRELU) or empty tables */
  const lfrt_op plain1[] = {LFRT_OP_TANH, LFRT_OP_EXP, LFRT_OP_RSQRT, LFRT_OP_HARD_SWISH};
  const lfrt_op plain2[] = {LFRT_OP_MAXIMUM, LFRT_OP_MINIMUM, LFRT_OP_SQUARED_DIFFERENCE, LFRT_OP_PRELU};
  for (size_t i = 0; i < 4; i++) roundtrip_options(plain1[i], NULL, &b, 1);
  for (size_t i = 0; i < 4; i++) roundtrip_options(plain2[i], NULL, &b, 2);
}

/* shape ops: their options come back as written */
LF_TEST(shape_options_roundtrip) {
  for (int trial = 0; trial < 8; trial++) {
    lfrt_options a, b;
    memset(&a, 0, sizeof a);
    a.block.block_size = 1 + trial;
    if (roundtrip_options(trial % 2 ? LFRT_OP_DEPTH_TO_SPACE : LFRT_OP_SPACE_TO_DEPTH, &a, &b, 1))
      LF_CHECK(b.block.block_size == a.block.block_size);
    memset(&a, 0, sizeof a);
    a.gather.axis = trial % 5 - 2;
    a.gather.batch_dims = trial % 3 - 1;
    if (roundtrip_options(LFRT_OP_GATHER, &a, &b, 2))
      LF_CHECK(b.gather.axis == a.gather.axis && b.gather.batch_dims == a.gather.batch_dims);
    memset(&a, 0, sizeof a);
    a.strided_slice.begin_mask = trial;
    a.strided_slice.end_mask = 7 - trial;
    a.strided_slice.ellipsis_mask = trial & 2;
    a.strided_slice.new_axis_mask = trial & 4;
    a.strided_slice.shrink_axis_mask = trial & 1;
    a.strided_slice.offset = trial == 5;
    if (roundtrip_options(LFRT_OP_STRIDED_SLICE, &a, &b, 4))
      LF_CHECK(!memcmp(&a.strided_slice, &b.strided_slice, sizeof a.strided_slice));
    memset(&a, 0, sizeof a);
    a.split.num_splits = 1;
    if (roundtrip_options(trial % 2 ? LFRT_OP_SPLIT : LFRT_OP_SPLIT_V, &a, &b, trial % 2 ? 2 : 3))
      LF_CHECK(b.split.num_splits == 1);
    memset(&a, 0, sizeof a);
    a.pack.count = 1 + trial % 3;
    a.pack.axis = trial % 4 - 2;
    if (roundtrip_options(LFRT_OP_PACK, &a, &b, a.pack.count))
      LF_CHECK(b.pack.count == a.pack.count && b.pack.axis == a.pack.axis);
    if (roundtrip_options(LFRT_OP_UNPACK, &a, &b, 1)) LF_CHECK(b.pack.count == a.pack.count && b.pack.axis == a.pack.axis);
  }
  lfrt_options b;
  roundtrip_options(LFRT_OP_TRANSPOSE, NULL, &b, 2);
  roundtrip_options(LFRT_OP_SLICE, NULL, &b, 3);
  roundtrip_options(LFRT_OP_PADV2, NULL, &b, 3);
  roundtrip_options(LFRT_OP_RELU_N1_TO_1, NULL, &b, 1);
}

/* batch matmul etc. (issue 11): BATCH_MATMUL's three flags come back as written */
LF_TEST(batch_matmul_options_roundtrip) {
  for (int trial = 0; trial < 8; trial++) {
    lfrt_options a, b;
    memset(&a, 0, sizeof a);
    a.batch_matmul.adj_x = trial & 1;
    a.batch_matmul.adj_y = (trial >> 1) & 1;
    a.batch_matmul.asymmetric_quantize_inputs = (trial >> 2) & 1;
    if (roundtrip_options(LFRT_OP_BATCH_MATMUL, &a, &b, 2))
      LF_CHECK(!memcmp(&a.batch_matmul, &b.batch_matmul, sizeof a.batch_matmul));
  }
}

LF_TEST(tensors_quant_metadata) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t ws[4] = {5, 3, 3, 2}, xs[4] = {1, 8, 8, 2}, ys[4] = {1, 8, 8, 5}, bsh[1] = {5};
  float wsc[5] = {0.1f, 0.2f, 0.3f, 0.4f, 0.5f}, bsc[5];
  int32_t wz[5] = {0, 0, 0, 0, 0}, xz = -7;
  int8_t wd[90];
  int32_t bd[5] = {1, -2, 3, -4, 2147483647};
  for (int i = 0; i < 90; i++) wd[i] = (int8_t)(i * 7 - 128);
  for (int i = 0; i < 5; i++) bsc[i] = wsc[i] * 0.5f;
  float xs_scale = 0.5f;
  lfrt_quant xq = {1, &xs_scale, &xz, 0};
  lfrt_quant wq = {5, wsc, wz, 0};
  lfrt_quant bq = {5, bsc, wz, 0};
  int x = lfrt_writer_add_tensor(w, "images:0", LFRT_INT8, 4, xs, NULL, 0, &xq);
  int k = lfrt_writer_add_tensor(w, "conv/weights", LFRT_INT8, 4, ws, wd, sizeof wd, &wq);
  int b = lfrt_writer_add_tensor(w, "conv/bias", LFRT_INT32, 1, bsh, bd, sizeof bd, &bq);
  int y = lfrt_writer_add_tensor(w, "", LFRT_INT8, 4, ys, NULL, 0, &xq);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t ins[3] = {x, k, b};
  LF_CHECK(lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, ins, 3, &y, 1, &o) == 0);
  LF_CHECK(lfrt_writer_set_io(w, &x, 1, &y, 1) == LFRT_OK);
  const char meta[] = "{\"labels\": 14}";
  LF_CHECK(lfrt_writer_add_metadata(w, "leapfrog", meta, sizeof meta - 1) == LFRT_OK);
  LF_CHECK(lfrt_writer_add_metadata(w, "empty", "", 0) == LFRT_OK);
  lfrt_writer_set_description(w, "round trip");
  void *bytes;
  lfrt_model *m = finish_and_load(w, &bytes);
  if (m) {
    LF_CHECK(m->version == 3);
    LF_CHECK(!strcmp(m->description, "round trip"));
    LF_CHECK(m->ntensors == 4 && m->nops == 1 && m->ninputs == 1 && m->noutputs == 1);
    LF_CHECK(m->inputs[0] == x && m->outputs[0] == y);
    const lfrt_tensor *t = &m->tensors[k];
    LF_CHECK(!strcmp(t->name, "conv/weights") && t->type == LFRT_INT8 && t->ndim == 4);
    LF_CHECK(t->shape[0] == 5 && t->shape[3] == 2 && t->count == 90 && t->bytes == 90);
    LF_CHECK(t->data && !memcmp(t->data, wd, 90) && (size_t)t->data % 16 == 0);
    LF_CHECK(t->quant.count == 5 && t->quant.axis == 0);
    for (int i = 0; i < 5; i++) LF_CHECK(t->quant.scale[i] == wsc[i] && t->quant.zero_point[i] == 0);
    t = &m->tensors[b];
    LF_CHECK(t->type == LFRT_INT32 && t->data && !memcmp(t->data, bd, sizeof bd));
    t = &m->tensors[x];
    LF_CHECK(!strcmp(t->name, "images:0") && t->data == NULL && t->quant.count == 1);
    LF_CHECK(t->quant.scale[0] == 0.5f && t->quant.zero_point[0] == -7);
    LF_CHECK(!strcmp(m->tensors[y].name, ""));
    LF_CHECK(lfrt_model_find_tensor(m, "conv/bias") == b && lfrt_model_find_tensor(m, "zz") == -1);
    LF_CHECK(m->ops[0].ninputs == 3 && m->ops[0].inputs[2] == b && m->ops[0].version == 3);
    LF_CHECK(m->nmetadata == 2);
    if (m->nmetadata == 2) {
      LF_CHECK(!strcmp(m->metadata[0].name, "leapfrog") && m->metadata[0].bytes == sizeof meta - 1);
      LF_CHECK(m->metadata[0].data && !memcmp(m->metadata[0].data, meta, sizeof meta - 1));
      LF_CHECK(!strcmp(m->metadata[1].name, "empty") && m->metadata[1].bytes == 0);
    }
  }
  /* finishing twice gives the same bytes */
  void *again;
  size_t l1 = 0, l2 = 0;
  lfrt_writer_finish(w, &again, &l2, NULL);
  if (m) l1 = m->file_bytes;
  LF_CHECK(l1 == l2 && again && bytes && !memcmp(again, bytes, l1));
  free(again);
  lfrt_model_free(m);
  free(bytes);
  lfrt_writer_free(w);
}

LF_TEST(per_axis_last_dim_and_bad_inputs) {
  /* per-axis along the last axis (depthwise weights) */
  lfrt_writer *w = lfrt_writer_new();
  int32_t s[4] = {1, 3, 3, 4};
  float sc[4] = {1, 2, 3, 4};
  int32_t zp[4] = {0, 1, -1, 0};
  lfrt_quant q = {4, sc, zp, 3};
  int8_t d[36] = {0};
  LF_CHECK(lfrt_writer_add_tensor(w, "w", LFRT_INT8, 4, s, d, 36, &q) == 0);
  /* writer refuses mismatched data and scales, and keeps the first error */
  LF_CHECK(lfrt_writer_add_tensor(w, "bad", LFRT_INT8, 4, s, d, 35, NULL) == -1);
  LF_CHECK(strstr(lfrt_writer_error(w), "bad") != NULL);
  void *bytes = NULL;
  size_t len;
  lfrt_error err;
  LF_CHECK(lfrt_writer_finish(w, &bytes, &len, &err) != LFRT_OK && bytes == NULL);
  lfrt_writer_free(w);

  w = lfrt_writer_new();
  q.axis = 2; /* shape[2] = 3 but 4 scales */
  LF_CHECK(lfrt_writer_add_tensor(w, "w", LFRT_INT8, 4, s, d, 36, &q) == -1);
  lfrt_writer_free(w);

  w = lfrt_writer_new();
  q.axis = 3;
  int t = lfrt_writer_add_tensor(w, "w", LFRT_INT8, 4, s, d, 36, &q);
  int x = lfrt_writer_add_tensor(w, "x", LFRT_INT8, 4, s, NULL, 0, NULL);
  int y = lfrt_writer_add_tensor(w, "y", LFRT_INT8, 4, s, NULL, 0, NULL);
  int32_t ins[2] = {x, t};
  lfrt_writer_add_operator(w, LFRT_OP_MUL, ins, 2, &y, 1, NULL);
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  lfrt_model *m = finish_and_load(w, &bytes);
  if (m) {
    LF_CHECK(m->tensors[t].quant.count == 4 && m->tensors[t].quant.axis == 3);
    LF_CHECK(m->tensors[t].quant.zero_point[2] == -1 && m->tensors[t].quant.scale[3] == 4.0f);
  }
  lfrt_model_free(m);
  free(bytes);
  lfrt_writer_free(w);
}

/* Every shared test model loads and has the op it is named after. */
LF_TEST(test_models_load) {
  for (int k = 0; k < TM_NMODELS; k++) {
    lfrt_writer *w = tm_build(k);
    void *bytes;
    lfrt_model *m = w ? finish_and_load(w, &bytes) : NULL;
    LF_CHECK_MSG(m && m->nops == 1 && m->ops[0].op == tm_models[k].op, "model %s",
                 tm_models[k].name);
    lfrt_model_free(m);
    if (w) free(bytes);
    lfrt_writer_free(w);
  }
}

static int write_bytes(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t wr = fwrite(p, 1, n, f);
  return (fclose(f) == 0 && wr == n) ? 0 : -1;
}

/* --write DIR: every test model plus random input tensors. */
static int write_models(const char *dir) {
  char path[1024];
  for (int k = 0; k < TM_NMODELS; k++) {
    lfrt_writer *w = tm_build(k);
    snprintf(path, sizeof path, "%s/%s.tflite", dir, tm_models[k].name);
    lfrt_error err;
    if (!w || lfrt_writer_write_file(w, path, &err) != LFRT_OK) {
      fprintf(stderr, "%s: %s\n", path, w ? err.msg : "out of memory");
      lfrt_writer_free(w);
      return 1;
    }
    lfrt_writer_free(w);
    lfrt_model *m;
    if (lfrt_model_load_file(path, &m, &err) != LFRT_OK) {
      fprintf(stderr, "%s\n", err.msg);
      return 1;
    }
    for (int i = 0; i < m->ninputs; i++) {
      const lfrt_tensor *t = &m->tensors[m->inputs[i]];
      unsigned char *buf = malloc(t->bytes);
      for (size_t j = 0; j < t->bytes; j++) buf[j] = (unsigned char)tm_rand(0, 255);
      if (t->type == LFRT_FLOAT32)
        for (int64_t j = 0; j < t->count; j++) {
          float f = (float)tm_rand(-300, 300) / 100.0f;
          memcpy(buf + 4 * j, &f, 4);
        }
      snprintf(path, sizeof path, "%s/%s.in%d.bin", dir, tm_models[k].name, i);
      int rc = write_bytes(path, buf, t->bytes);
      free(buf);
      if (rc) {
        fprintf(stderr, "%s: cannot write\n", path);
        lfrt_model_free(m);
        return 1;
      }
    }
    lfrt_model_free(m);
  }
  return 0;
}

/* movenet: CastOptions come back as written; FLOOR_DIV carries an empty table */
LF_TEST(cast_options_roundtrip) {
  static const lfrt_type ty[7] = {LFRT_FLOAT32, LFRT_INT32, LFRT_INT64, LFRT_UINT8, LFRT_INT8, LFRT_INT16, LFRT_BOOL};
  for (int trial = 0; trial < 7; trial++) {
    lfrt_options a, b;
    memset(&a, 0, sizeof a);
    a.cast.in_data_type = ty[trial];
    a.cast.out_data_type = ty[(trial + 3) % 7];
    if (roundtrip_options(LFRT_OP_CAST, &a, &b, 1))
      LF_CHECK(b.cast.in_data_type == a.cast.in_data_type && b.cast.out_data_type == a.cast.out_data_type);
  }
  lfrt_options a, b;
  memset(&a, 0, sizeof a);
  LF_CHECK(roundtrip_options(LFRT_OP_FLOOR_DIV, &a, &b, 2));
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--write")) return write_models(argv[2]);
  LF_RUN(options_roundtrip);
  LF_RUN(shape_options_roundtrip);
  LF_RUN(batch_matmul_options_roundtrip); /* batch matmul etc. */
  LF_RUN(cast_options_roundtrip); /* movenet */
  LF_RUN(tensors_quant_metadata);
  LF_RUN(per_axis_last_dim_and_bad_inputs);
  LF_RUN(test_models_load);
  return lf_test_summary();
}
