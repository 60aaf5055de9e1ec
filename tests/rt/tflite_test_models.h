/* Small TFLite models, one per supported op, built with lfrt_writer (C99).
 * Shared by test_tflite_roundtrip.c (which also writes them out for the
 * LiteRT acceptance test and the fuzz seed corpus) and test_tflite_malformed.c.
 * int8 models follow the TFLite int8 spec (per-channel symmetric weights,
 * int32 bias with scale in_scale * w_scale); a few float32 ones as well. */
#ifndef LF_TFLITE_TEST_MODELS_H
#define LF_TFLITE_TEST_MODELS_H
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt.h"

typedef struct {
  const char *name; /* file stem: "conv_2d" */
  lfrt_op op;
} tm_info;

static uint32_t tm_rng = 12345u;
static int tm_rand(int lo, int hi) { /* inclusive */
  tm_rng = tm_rng * 1664525u + 1013904223u;
  return lo + (int)((tm_rng >> 8) % (uint32_t)(hi - lo + 1));
}

static lfrt_quant tm_q(const float *s, const int32_t *z) {
  lfrt_quant q;
  q.count = 1;
  q.scale = s;
  q.zero_point = z;
  q.axis = 0;
  return q;
}

/* int8 activation with one scale/zero point. */
static int tm_act(lfrt_writer *w, const char *name, int nd, const int32_t *shape, float scale,
                  int32_t zp) {
  lfrt_quant q = tm_q(&scale, &zp);
  return lfrt_writer_add_tensor(w, name, LFRT_INT8, nd, shape, NULL, 0, &q);
}

static int tm_i32_const(lfrt_writer *w, const char *name, int n, const int32_t *v) {
  int32_t shp[1];
  shp[0] = n;
  return lfrt_writer_add_tensor(w, name, LFRT_INT32, 1, shp, v, (size_t)n * 4, NULL);
}

/* Per-channel int8 weights along `axis` plus the matching int32 bias. */
static void tm_weights(lfrt_writer *w, const char *wname, int nd, const int32_t *shape, int axis,
                       float in_scale, int *wt, int *bt) {
  int64_t count = 1;
  for (int d = 0; d < nd; d++) count *= shape[d];
  int nch = shape[axis];
  int8_t *wd = malloc((size_t)count);
  float ws[64], bs[64];
  int32_t zz[64], bd[64];
  for (int64_t i = 0; i < count; i++) wd[i] = (int8_t)tm_rand(-127, 127);
  for (int c = 0; c < nch; c++) {
    ws[c] = 0.002f * (float)(c + 1);
    bs[c] = in_scale * ws[c];
    zz[c] = 0;
    bd[c] = tm_rand(-500, 500);
  }
  lfrt_quant q;
  q.count = nch;
  q.scale = ws;
  q.zero_point = zz;
  q.axis = axis;
  *wt = lfrt_writer_add_tensor(w, wname, LFRT_INT8, nd, shape, wd, (size_t)count, &q);
  free(wd);
  int32_t bshape[1];
  bshape[0] = nch;
  q.scale = bs;
  q.axis = 0;
  *bt = lfrt_writer_add_tensor(w, "bias", LFRT_INT32, 1, bshape, bd, (size_t)nch * 4, &q);
}

static const tm_info tm_models[] = {
    {"conv_2d", LFRT_OP_CONV_2D},
    {"conv_2d_valid_dilated", LFRT_OP_CONV_2D},
    {"conv_2d_f32", LFRT_OP_CONV_2D},
    {"depthwise_conv_2d", LFRT_OP_DEPTHWISE_CONV_2D},
    {"fully_connected", LFRT_OP_FULLY_CONNECTED},
    {"fully_connected_f32", LFRT_OP_FULLY_CONNECTED},
    {"average_pool_2d", LFRT_OP_AVERAGE_POOL_2D},
    {"max_pool_2d", LFRT_OP_MAX_POOL_2D},
    {"mean", LFRT_OP_MEAN},
    {"concatenation", LFRT_OP_CONCATENATION},
    {"add", LFRT_OP_ADD},
    {"mul", LFRT_OP_MUL},
    {"pad", LFRT_OP_PAD},
    {"reshape", LFRT_OP_RESHAPE},
    {"resize_bilinear", LFRT_OP_RESIZE_BILINEAR},
    {"resize_nearest_neighbor", LFRT_OP_RESIZE_NEAREST_NEIGHBOR},
    {"transpose_conv", LFRT_OP_TRANSPOSE_CONV},
    {"logistic", LFRT_OP_LOGISTIC},
    {"softmax", LFRT_OP_SOFTMAX},
    {"relu", LFRT_OP_RELU},
    {"relu6", LFRT_OP_RELU6},
    {"quantize", LFRT_OP_QUANTIZE},
    {"dequantize", LFRT_OP_DEQUANTIZE},
};
#define TM_NMODELS ((int)(sizeof tm_models / sizeof tm_models[0]))

/* Builds model k into a new writer (NULL on failure). */
static lfrt_writer *tm_build(int k) {
  lfrt_writer *w = lfrt_writer_new();
  if (!w) return NULL;
  tm_rng = 12345u + (uint32_t)k;
  const float s = 0.05f;
  const int32_t z = -3;
  int x, y, x2 = -1, wt, bt;
  lfrt_options o;
  memset(&o, 0, sizeof o);
  const char *nm = tm_models[k].name;
  lfrt_writer_set_description(w, nm);
  if (!strcmp(nm, "conv_2d")) {
    int32_t is[4] = {1, 5, 5, 3}, ws[4] = {4, 3, 3, 3}, os[4] = {1, 3, 3, 4};
    x = tm_act(w, "input", 4, is, s, z);
    tm_weights(w, "weights", 4, ws, 0, s, &wt, &bt);
    y = tm_act(w, "output", 4, os, 0.1f, 5);
    o.conv.padding = LFRT_PADDING_SAME;
    o.conv.stride_w = o.conv.stride_h = 2;
    o.conv.activation = LFRT_ACT_RELU;
    int32_t in[3] = {x, wt, bt};
    lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, in, 3, &y, 1, &o);
  } else if (!strcmp(nm, "conv_2d_valid_dilated")) {
    int32_t is[4] = {1, 7, 6, 2}, ws[4] = {3, 3, 2, 2}, os[4] = {1, 3, 4, 3};
    x = tm_act(w, "input", 4, is, s, z);
    tm_weights(w, "weights", 4, ws, 0, s, &wt, &bt);
    y = tm_act(w, "output", 4, os, 0.1f, -2);
    o.conv.padding = LFRT_PADDING_VALID;
    o.conv.stride_w = 1;
    o.conv.stride_h = 1;
    o.conv.dilation_w = 2;
    o.conv.dilation_h = 2;
    o.conv.activation = LFRT_ACT_RELU6;
    int32_t in[3] = {x, wt, bt};
    lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, in, 3, &y, 1, &o);
  } else if (!strcmp(nm, "conv_2d_f32")) {
    int32_t is[4] = {1, 4, 4, 2}, ws[4] = {3, 2, 2, 2}, bs[1] = {3}, os[4] = {1, 4, 4, 3};
    float wd[24], bd[3] = {0.1f, -0.2f, 0.3f};
    for (int i = 0; i < 24; i++) wd[i] = (float)tm_rand(-100, 100) / 100.0f;
    x = lfrt_writer_add_tensor(w, "input", LFRT_FLOAT32, 4, is, NULL, 0, NULL);
    wt = lfrt_writer_add_tensor(w, "weights", LFRT_FLOAT32, 4, ws, wd, sizeof wd, NULL);
    bt = lfrt_writer_add_tensor(w, "bias", LFRT_FLOAT32, 1, bs, bd, sizeof bd, NULL);
    y = lfrt_writer_add_tensor(w, "output", LFRT_FLOAT32, 4, os, NULL, 0, NULL);
    o.conv.padding = LFRT_PADDING_SAME;
    o.conv.stride_w = o.conv.stride_h = 1;
    int32_t in[3] = {x, wt, bt};
    lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, in, 3, &y, 1, &o);
  } else if (!strcmp(nm, "depthwise_conv_2d")) {
    int32_t is[4] = {1, 5, 5, 3}, ws[4] = {1, 3, 3, 6}, os[4] = {1, 5, 5, 6};
    x = tm_act(w, "input", 4, is, s, z);
    tm_weights(w, "weights", 4, ws, 3, s, &wt, &bt);
    y = tm_act(w, "output", 4, os, 0.08f, 1);
    o.depthwise.padding = LFRT_PADDING_SAME;
    o.depthwise.stride_w = o.depthwise.stride_h = 1;
    o.depthwise.depth_multiplier = 2;
    o.depthwise.activation = LFRT_ACT_RELU6;
    int32_t in[3] = {x, wt, bt};
    lfrt_writer_add_operator(w, LFRT_OP_DEPTHWISE_CONV_2D, in, 3, &y, 1, &o);
  } else if (!strcmp(nm, "fully_connected")) {
    int32_t is[2] = {1, 10}, ws[2] = {4, 10}, os[2] = {1, 4};
    x = tm_act(w, "input", 2, is, s, z);
    int8_t wd[40];
    for (int i = 0; i < 40; i++) wd[i] = (int8_t)tm_rand(-127, 127);
    float wsc = 0.01f, bsc = s * 0.01f;
    int32_t zero = 0, bd[4] = {10, -20, 30, -40}, bshape[1] = {4};
    lfrt_quant wq = tm_q(&wsc, &zero), bq = tm_q(&bsc, &zero);
    wt = lfrt_writer_add_tensor(w, "weights", LFRT_INT8, 2, ws, wd, 40, &wq);
    bt = lfrt_writer_add_tensor(w, "bias", LFRT_INT32, 1, bshape, bd, 16, &bq);
    y = tm_act(w, "output", 2, os, 0.2f, 0);
    int32_t in[3] = {x, wt, bt};
    lfrt_writer_add_operator(w, LFRT_OP_FULLY_CONNECTED, in, 3, &y, 1, &o);
  } else if (!strcmp(nm, "fully_connected_f32")) {
    int32_t is[2] = {2, 6}, ws[2] = {3, 6}, os[2] = {2, 3};
    float wd[18];
    for (int i = 0; i < 18; i++) wd[i] = (float)tm_rand(-100, 100) / 50.0f;
    x = lfrt_writer_add_tensor(w, "input", LFRT_FLOAT32, 2, is, NULL, 0, NULL);
    wt = lfrt_writer_add_tensor(w, "weights", LFRT_FLOAT32, 2, ws, wd, sizeof wd, NULL);
    y = lfrt_writer_add_tensor(w, "output", LFRT_FLOAT32, 2, os, NULL, 0, NULL);
    o.fc.activation = LFRT_ACT_RELU;
    int32_t in[3] = {x, wt, -1}; /* no bias */
    lfrt_writer_add_operator(w, LFRT_OP_FULLY_CONNECTED, in, 3, &y, 1, &o);
  } else if (!strcmp(nm, "average_pool_2d") || !strcmp(nm, "max_pool_2d")) {
    int avg = nm[0] == 'a';
    int32_t is[4] = {1, 6, 7, 3}, os[4] = {1, 3, avg ? 3 : 4, 3};
    x = tm_act(w, "input", 4, is, s, z);
    y = tm_act(w, "output", 4, os, s, z);
    o.pool.padding = avg ? LFRT_PADDING_VALID : LFRT_PADDING_SAME;
    o.pool.stride_w = o.pool.stride_h = 2;
    o.pool.filter_w = o.pool.filter_h = avg ? 2 : 3;
    lfrt_writer_add_operator(w, avg ? LFRT_OP_AVERAGE_POOL_2D : LFRT_OP_MAX_POOL_2D, &x, 1, &y, 1,
                             &o);
  } else if (!strcmp(nm, "mean")) {
    int32_t is[4] = {1, 4, 4, 3}, os[4] = {1, 1, 1, 3}, axes[2] = {1, 2};
    x = tm_act(w, "input", 4, is, s, z);
    int ax = tm_i32_const(w, "axes", 2, axes);
    y = tm_act(w, "output", 4, os, s, z);
    o.reducer.keep_dims = 1;
    int32_t in[2] = {x, ax};
    lfrt_writer_add_operator(w, LFRT_OP_MEAN, in, 2, &y, 1, &o);
  } else if (!strcmp(nm, "concatenation")) {
    int32_t as[4] = {1, 2, 2, 3}, bs[4] = {1, 2, 2, 2}, os[4] = {1, 2, 2, 5};
    x = tm_act(w, "a", 4, as, s, z);
    x2 = tm_act(w, "b", 4, bs, s, z);
    y = tm_act(w, "output", 4, os, s, z);
    o.concat.axis = 3;
    int32_t in[2] = {x, x2};
    lfrt_writer_add_operator(w, LFRT_OP_CONCATENATION, in, 2, &y, 1, &o);
  } else if (!strcmp(nm, "add") || !strcmp(nm, "mul")) {
    int add = nm[0] == 'a';
    int32_t as[4] = {1, 3, 3, 2}, bs[4] = {1, 1, 1, 2};
    int8_t bd[2] = {40, -17};
    float bsc = 0.03f;
    int32_t bz = 2;
    lfrt_quant bq = tm_q(&bsc, &bz);
    x = tm_act(w, "input", 4, as, s, z);
    int b = lfrt_writer_add_tensor(w, "per_channel", LFRT_INT8, 4, bs, bd, 2, &bq);
    y = tm_act(w, "output", 4, as, 0.07f, -1);
    if (add) o.add.activation = LFRT_ACT_RELU;
    int32_t in[2] = {x, b};
    lfrt_writer_add_operator(w, add ? LFRT_OP_ADD : LFRT_OP_MUL, in, 2, &y, 1, &o);
  } else if (!strcmp(nm, "pad")) {
    int32_t is[4] = {1, 2, 3, 2}, os[4] = {1, 4, 5, 2}, ps[2] = {4, 2};
    int32_t pads[8] = {0, 0, 1, 1, 2, 0, 0, 0};
    x = tm_act(w, "input", 4, is, s, z);
    int p = lfrt_writer_add_tensor(w, "paddings", LFRT_INT32, 2, ps, pads, sizeof pads, NULL);
    y = tm_act(w, "output", 4, os, s, z);
    int32_t in[2] = {x, p};
    lfrt_writer_add_operator(w, LFRT_OP_PAD, in, 2, &y, 1, NULL);
  } else if (!strcmp(nm, "reshape")) {
    int32_t is[4] = {1, 2, 3, 4}, os[2] = {1, 24}, shp[2] = {1, 24};
    x = tm_act(w, "input", 4, is, s, z);
    int sh = tm_i32_const(w, "shape", 2, shp);
    y = tm_act(w, "output", 2, os, s, z);
    o.reshape.num_dims = 2;
    o.reshape.new_shape[0] = 1;
    o.reshape.new_shape[1] = 24;
    int32_t in[2] = {x, sh};
    lfrt_writer_add_operator(w, LFRT_OP_RESHAPE, in, 2, &y, 1, &o);
  } else if (!strcmp(nm, "resize_bilinear") || !strcmp(nm, "resize_nearest_neighbor")) {
    int bil = !strcmp(nm, "resize_bilinear");
    int32_t is[4] = {1, 3, 4, 2}, os[4] = {1, 6, 8, 2}, size[2] = {6, 8};
    x = tm_act(w, "input", 4, is, s, z);
    int sz = tm_i32_const(w, "size", 2, size);
    y = tm_act(w, "output", 4, os, s, z);
    o.resize.half_pixel_centers = bil;
    int32_t in[2] = {x, sz};
    lfrt_writer_add_operator(w, bil ? LFRT_OP_RESIZE_BILINEAR : LFRT_OP_RESIZE_NEAREST_NEIGHBOR,
                             in, 2, &y, 1, &o);
  } else if (!strcmp(nm, "transpose_conv")) {
    int32_t is[4] = {1, 3, 3, 3}, ws[4] = {2, 3, 3, 3}, os[4] = {1, 6, 6, 2}, oshape[4] = {1, 6, 6, 2};
    int osh = tm_i32_const(w, "output_shape", 4, oshape);
    tm_weights(w, "weights", 4, ws, 0, s, &wt, &bt);
    x = tm_act(w, "input", 4, is, s, z);
    y = tm_act(w, "output", 4, os, 0.1f, 0);
    o.transpose_conv.padding = LFRT_PADDING_SAME;
    o.transpose_conv.stride_w = o.transpose_conv.stride_h = 2;
    int32_t in[4] = {osh, wt, x, bt};
    lfrt_writer_add_operator(w, LFRT_OP_TRANSPOSE_CONV, in, 4, &y, 1, &o);
  } else if (!strcmp(nm, "logistic") || !strcmp(nm, "softmax")) {
    int32_t is[2] = {1, 10};
    x = tm_act(w, "input", 2, is, 0.1f, z);
    y = tm_act(w, "output", 2, is, 1.0f / 256.0f, -128);
    o.softmax.beta = 1.0f;
    lfrt_writer_add_operator(w, nm[0] == 'l' ? LFRT_OP_LOGISTIC : LFRT_OP_SOFTMAX, &x, 1, &y, 1,
                             nm[0] == 'l' ? NULL : &o);
  } else if (!strcmp(nm, "relu") || !strcmp(nm, "relu6")) {
    int32_t is[3] = {1, 3, 5};
    x = tm_act(w, "input", 3, is, 0.05f, 10);
    y = tm_act(w, "output", 3, is, 0.05f, nm[4] ? -128 : -128);
    lfrt_writer_add_operator(w, nm[4] ? LFRT_OP_RELU6 : LFRT_OP_RELU, &x, 1, &y, 1, NULL);
  } else if (!strcmp(nm, "quantize")) {
    int32_t is[2] = {1, 8};
    x = lfrt_writer_add_tensor(w, "input", LFRT_FLOAT32, 2, is, NULL, 0, NULL);
    y = tm_act(w, "output", 2, is, 0.02f, 4);
    lfrt_writer_add_operator(w, LFRT_OP_QUANTIZE, &x, 1, &y, 1, NULL);
  } else { /* dequantize */
    int32_t is[2] = {1, 8};
    x = tm_act(w, "input", 2, is, 0.02f, 4);
    y = lfrt_writer_add_tensor(w, "output", LFRT_FLOAT32, 2, is, NULL, 0, NULL);
    lfrt_writer_add_operator(w, LFRT_OP_DEQUANTIZE, &x, 1, &y, 1, NULL);
  }
  if (x2 >= 0) {
    int32_t ins[2] = {x, x2};
    lfrt_writer_set_io(w, ins, 2, &y, 1);
  } else {
    lfrt_writer_set_io(w, &x, 1, &y, 1);
  }
  return w;
}

#endif
