/* Edge TPU pre-flight (lf_edgetpu_check) on small models written by the
 * runtime's tflite writer: each of Coral's rules that the table checks is
 * broken once and must be named, the single cut and the CPU/Edge TPU counts,
 * the leading-QUANTIZE exception, the parameter-memory estimate, and the table
 * itself (names match TFLite's, codes sorted and unique).
 *   test_edgetpu --write DIR   writes float_op.tflite for tests/test_edgetpu.sh (and
 *   coral_leading_cast.tflite, coral_lstm.tflite: fuzz seeds) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_edgetpu.h"
#include "lf_test.h"
#include "lfrt.h"

static int act(lfrt_writer *w, const char *name, lfrt_type type, int nd, const int32_t *shape, float scale, int zp) {
  lfrt_quant q;
  q.count = type == LFRT_FLOAT32 ? 0 : 1;
  q.scale = &scale;
  q.zero_point = &zp;
  q.axis = 0;
  return lfrt_writer_add_tensor(w, name, type, nd, shape, NULL, 0, &q);
}

/* int8 per-channel weights [cout, kh, kw, cin] (all 1) and an int32 bias. */
static void weights(lfrt_writer *w, int cout, int kh, int kw, int cin, int *wt, int *bt) {
  int32_t s[4] = {cout, kh, kw, cin}, bs[1] = {cout};
  size_t n = (size_t)cout * kh * kw * cin;
  int8_t *d = malloc(n);
  int32_t *b = calloc((size_t)cout, 4);
  float sc[64], bsc[64];
  int32_t zp[64] = {0};
  for (size_t i = 0; i < n; i++) d[i] = 1;
  for (int c = 0; c < cout; c++) sc[c] = 0.01f, bsc[c] = 0.001f;
  lfrt_quant q = {cout, sc, zp, 0};
  *wt = lfrt_writer_add_tensor(w, "w", LFRT_INT8, 4, s, d, n, &q);
  q.scale = bsc;
  *bt = lfrt_writer_add_tensor(w, "b", LFRT_INT32, 1, bs, b, (size_t)cout * 4, &q);
  free(d);
  free(b);
}

static int conv(lfrt_writer *w, int x, int cin, int cout, const int32_t *oshape, int dil_h, int dil_w, const char *name) {
  int wt, bt;
  weights(w, cout, 3, 3, cin, &wt, &bt);
  int y = act(w, name, LFRT_INT8, 4, oshape, 0.1f, 0);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.conv.padding = LFRT_PADDING_SAME;
  o.conv.dilation_h = dil_h;
  o.conv.dilation_w = dil_w;
  int32_t in[3] = {x, wt, bt}, out[1] = {y};
  lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, in, 3, out, 1, &o);
  return y;
}

/* Checks the finished model; returns the describe-loaded model (caller frees). */
static lfrt_model *check(lfrt_writer *w, lf_edgetpu_report *r, void **bytes) {
  size_t len = 0;
  lfrt_model *m = NULL;
  lfrt_error e;
  memset(r, 0, sizeof *r);
  *bytes = NULL;
  LF_CHECK_MSG(lfrt_writer_finish(w, bytes, &len, &e) == LFRT_OK, "writer: %s", lfrt_writer_error(w));
  lfrt_writer_free(w);
  if (!*bytes) return NULL;
  LF_CHECK_MSG(lfrt_model_describe(*bytes, len, "m.tflite", &m, &e) == LFRT_OK, "describe: %s", e.msg);
  if (m) LF_CHECK(lf_edgetpu_check(m, r) == LF_OK);
  return m;
}
static void done(lfrt_model *m, lf_edgetpu_report *r, void *bytes) {
  lf_edgetpu_report_free(r);
  lfrt_model_free(m);
  free(bytes);
}
static int has(const lf_edgetpu_report *r, int n, const char *s) {
  return r->nodes && n < r->nops && strstr(r->nodes[n].reason, s) != NULL;
}

/* int8 [1,6,6,3] -> CONV -> DEQUANTIZE -> LOGISTIC (float32) -> QUANTIZE -> CONV */
static lfrt_writer *float_op_model(void) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[4] = {1, 6, 6, 3}, hs[4] = {1, 6, 6, 4}, ys[4] = {1, 6, 6, 2};
  int x = act(w, "input", LFRT_INT8, 4, xs, 0.05f, 0);
  int h = conv(w, x, 3, 4, hs, 1, 1, "h");
  int hf = act(w, "h_float", LFRT_FLOAT32, 4, hs, 0, 0), gf = act(w, "g_float", LFRT_FLOAT32, 4, hs, 0, 0);
  int g = act(w, "g", LFRT_INT8, 4, hs, 1.0f / 256, -128);
  int32_t i1[1] = {h}, o1[1] = {hf}, i2[1] = {hf}, o2[1] = {gf}, i3[1] = {gf}, o3[1] = {g};
  lfrt_writer_add_operator(w, LFRT_OP_DEQUANTIZE, i1, 1, o1, 1, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_LOGISTIC, i2, 1, o2, 1, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_QUANTIZE, i3, 1, o3, 1, NULL);
  int y = conv(w, g, 4, 2, ys, 1, 1, "output");
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  return w;
}

LF_TEST(float_op) {
  lf_edgetpu_report r;
  void *b;
  lfrt_model *m = check(float_op_model(), &r, &b);
  LF_CHECK(m && r.nops == 5);
  if (m && r.nops == 5) {
    LF_CHECK(r.nodes[0].on_edgetpu && r.split_node == 1 && r.mapped_ops == 1 && r.cpu_ops == 4);
    LF_CHECK_MSG(has(&r, 1, "DEQUANTIZE is not in Coral's supported-op table"), "%s", r.nodes[1].reason);
    LF_CHECK_MSG(has(&r, 2, "tensor 'h_float' is FLOAT32"), "%s", r.nodes[2].reason);
    LF_CHECK(!r.nodes[3].mappable && has(&r, 3, "'g_float' is FLOAT32"));
    LF_CHECK(r.nodes[4].mappable && !r.nodes[4].on_edgetpu && has(&r, 4, "after the cut at node 1 (DEQUANTIZE)"));
    /* node 0's weights (4*3*3*3 int8) and bias (4 int32) */
    LF_CHECK_MSG(r.param_bytes == 4 * 27 + 4 * 4, "%lld", (long long)r.param_bytes);
  }
  done(m, &r, b);
}

/* float32 input -> QUANTIZE -> CONV: the leading QUANTIZE runs on the CPU, no cut */
LF_TEST(leading_quantize) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[4] = {1, 5, 5, 3}, ys[4] = {1, 5, 5, 4};
  int xf = act(w, "input", LFRT_FLOAT32, 4, xs, 0, 0), x = act(w, "x", LFRT_UINT8, 4, xs, 0.05f, 128);
  int32_t i0[1] = {xf}, o0[1] = {x};
  lfrt_writer_add_operator(w, LFRT_OP_QUANTIZE, i0, 1, o0, 1, NULL);
  int y = conv(w, x, 3, 4, ys, 1, 1, "output");
  lfrt_writer_set_io(w, &xf, 1, &y, 1);
  lf_edgetpu_report r;
  void *b;
  lfrt_model *m = check(w, &r, &b);
  LF_CHECK(m && r.nops == 2);
  if (m && r.nops == 2) {
    LF_CHECK(!r.nodes[0].on_edgetpu && has(&r, 0, "FLOAT32") && has(&r, 0, "before the Edge TPU part"));
    LF_CHECK(r.nodes[1].on_edgetpu && r.split_node == -1 && r.mapped_ops == 1 && r.cpu_ops == 1);
    LF_CHECK(r.min_runtime == 0);
  }
  done(m, &r, b);
}

/* One-op models that break one limit each. */
LF_TEST(limits) {
  lf_edgetpu_report r;
  void *b;
  lfrt_model *m;
  { /* batch 2: 4 dims larger than 1 */
    lfrt_writer *w = lfrt_writer_new();
    int32_t xs[4] = {2, 5, 5, 3}, ys[4] = {2, 5, 5, 4};
    int x = act(w, "input", LFRT_INT8, 4, xs, 0.05f, 0), y = conv(w, x, 3, 4, ys, 1, 1, "output");
    lfrt_writer_set_io(w, &x, 1, &y, 1);
    m = check(w, &r, &b);
    LF_CHECK(m && !r.nodes[0].mappable && has(&r, 0, "[2,5,5,3] has more than 3 dimensions larger than 1"));
    done(m, &r, b);
  }
  { /* dilation 2x1, and an op version newer than the table's */
    lfrt_writer *w = lfrt_writer_new();
    int32_t xs[4] = {1, 7, 7, 3}, ys[4] = {1, 7, 7, 4};
    int x = act(w, "input", LFRT_INT8, 4, xs, 0.05f, 0), y = conv(w, x, 3, 4, ys, 2, 1, "output");
    lfrt_writer_set_op_version(w, 0, 5);
    lfrt_writer_set_io(w, &x, 1, &y, 1);
    m = check(w, &r, &b);
    LF_CHECK(m && has(&r, 0, "op version 5 is newer than the 8-bit version 3"));
    /* the runtime accepts CONV_2D v5? if not, options are not decoded and dilation is not judged */
    if (m && !m->ops[0].unsupported) LF_CHECK_MSG(has(&r, 0, "dilation 2x1"), "%s", r.nodes[0].reason);
    done(m, &r, b);
  }
  { /* MEAN over 3 channels; PAD of the batch; SOFTMAX of 20000; concat with a non-zero constant */
    lfrt_writer *w = lfrt_writer_new();
    int32_t xs[4] = {1, 4, 4, 3}, ms[4] = {1, 4, 4, 1}, ps[4] = {3, 4, 4, 3}, ss[2] = {1, 20000}, cs[4] = {1, 4, 4, 6};
    int x = act(w, "input", LFRT_INT8, 4, xs, 0.05f, 0);
    int32_t axv[1] = {3}, padv[8] = {1, 1, 0, 0, 0, 0, 0, 0}, shp1[1] = {1}, shp2[2] = {4, 2};
    int ax = lfrt_writer_add_tensor(w, "axes", LFRT_INT32, 1, shp1, axv, 4, NULL);
    int pd = lfrt_writer_add_tensor(w, "paddings", LFRT_INT32, 2, shp2, padv, 32, NULL);
    int mo = act(w, "mean", LFRT_INT8, 4, ms, 0.05f, 0), po = act(w, "pad", LFRT_INT8, 4, ps, 0.05f, 0);
    int sx = act(w, "logits", LFRT_INT8, 2, ss, 0.1f, 0), so = act(w, "probs", LFRT_INT8, 2, ss, 1.0f / 256, -128);
    int8_t ones[48];
    memset(ones, 1, sizeof ones);
    float cq = 0.05f;
    int32_t cz = 0;
    lfrt_quant q = {1, &cq, &cz, 0};
    int k = lfrt_writer_add_tensor(w, "const", LFRT_INT8, 4, xs, ones, 48, &q);
    int co = act(w, "cat", LFRT_INT8, 4, cs, 0.05f, 0);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    o.reducer.keep_dims = 1;
    int32_t i0[2] = {x, ax}, o0[1] = {mo}, i1[2] = {x, pd}, o1[1] = {po}, i2[1] = {sx}, o2[1] = {so};
    int32_t i3[2] = {x, k}, o3[1] = {co};
    lfrt_writer_add_operator(w, LFRT_OP_MEAN, i0, 2, o0, 1, &o);
    lfrt_writer_add_operator(w, LFRT_OP_PAD, i1, 2, o1, 1, NULL);
    o.softmax.beta = 1.0f;
    lfrt_writer_add_operator(w, LFRT_OP_SOFTMAX, i2, 1, o2, 1, &o);
    memset(&o, 0, sizeof o);
    o.concat.axis = 3;
    lfrt_writer_add_operator(w, LFRT_OP_CONCATENATION, i3, 2, o3, 1, &o);
    int32_t ins[2] = {x, sx}, outs[4] = {mo, po, so, co};
    lfrt_writer_set_io(w, ins, 2, outs, 4);
    m = check(w, &r, &b);
    LF_CHECK(m && r.nops == 4);
    if (m && r.nops == 4) {
      LF_CHECK_MSG(has(&r, 0, "reduces 3 channels, not a multiple of 4"), "%s", r.nodes[0].reason);
      LF_CHECK_MSG(has(&r, 1, "pads the batch dimension"), "%s", r.nodes[1].reason);
      LF_CHECK_MSG(has(&r, 2, "20000 elements"), "%s", r.nodes[2].reason);
      LF_CHECK_MSG(has(&r, 3, "constant input 'const' is not all zeros"), "%s", r.nodes[3].reason);
      LF_CHECK(r.split_node == 0 && r.mapped_ops == 0 && r.cpu_ops == 4);
    }
    done(m, &r, b);
  }
}

/* uint8 output via QUANTIZE: mapped, needs runtime 13 */
LF_TEST(runtime_version) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[4] = {1, 5, 5, 3}, ys[4] = {1, 5, 5, 4};
  int x = act(w, "input", LFRT_INT8, 4, xs, 0.05f, 0), y = conv(w, x, 3, 4, ys, 1, 1, "y");
  int u = act(w, "output", LFRT_UINT8, 4, ys, 0.1f, 128);
  int32_t i1[1] = {y}, o1[1] = {u};
  lfrt_writer_add_operator(w, LFRT_OP_QUANTIZE, i1, 1, o1, 1, NULL);
  lfrt_writer_set_io(w, &x, 1, &u, 1);
  lf_edgetpu_report r;
  void *b;
  lfrt_model *m = check(w, &r, &b);
  LF_CHECK(m && r.cpu_ops == 0 && r.mapped_ops == 2 && r.min_runtime == 13 && r.split_node == -1);
  done(m, &r, b);
}

/* coral: structures from Coral's test_data whose compiled _edgetpu.tflite shows
 * what the real edgetpu_compiler did (see edgetpu_check.c, edgetpu_rules.c). */
#define OP_CAST ((lfrt_op)53)
#define OP_TILE ((lfrt_op)69)

static int u8(lfrt_writer *w, const char *name, int nd, const int32_t *shape) {
  return act(w, name, LFRT_UINT8, nd, shape, 0.05f, 128);
}
static int resize(lfrt_writer *w, int x, int oh, int ow, int c, int align, const char *name) {
  int32_t ys[4] = {1, oh, ow, c}, ss[1] = {2}, sv[2] = {oh, ow};
  int sz = lfrt_writer_add_tensor(w, "size", LFRT_INT32, 1, ss, sv, 8, NULL), y = u8(w, name, 4, ys);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.resize.align_corners = align;
  o.resize.half_pixel_centers = !align;
  int32_t in[2] = {x, sz}, out[1] = {y};
  lfrt_writer_add_operator(w, LFRT_OP_RESIZE_BILINEAR, in, 2, out, 1, &o);
  return y;
}
static int argmax(lfrt_writer *w, int x, int nd, const int32_t *shape) {
  int32_t as[1] = {1}, av[1] = {nd - 1};
  int ax = lfrt_writer_add_tensor(w, "axis", LFRT_INT32, 0, as, av, 4, NULL);
  int y = lfrt_writer_add_tensor(w, "labels", LFRT_INT32, nd - 1, shape, NULL, 0, NULL);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.arg_minmax.output_type = LFRT_INT32;
  int32_t in[2] = {x, ax}, out[1] = {y};
  lfrt_writer_add_operator(w, LFRT_OP_ARG_MAX, in, 2, out, 1, &o);
  return y;
}

/* movenet_single_pose_lightning_ptq: uint8 input -> CAST (float) -> QUANTIZE
 * (int8) -> the network. The compiler left CAST and QUANTIZE on the CPU ahead of
 * the Edge TPU part and mapped the rest: no cut at node 0. */
static lfrt_writer *leading_cast_model(void) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[4] = {1, 5, 5, 3}, ys[4] = {1, 5, 5, 4};
  int x = u8(w, "image", 4, xs), xf = act(w, "image_f", LFRT_FLOAT32, 4, xs, 0, 0);
  int xq = act(w, "image_q", LFRT_INT8, 4, xs, 1.0f, 0);
  int32_t i0[1] = {x}, o0[1] = {xf}, i1[1] = {xf}, o1[1] = {xq};
  lfrt_writer_add_operator(w, OP_CAST, i0, 1, o0, 1, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_QUANTIZE, i1, 1, o1, 1, NULL);
  int y = conv(w, xq, 3, 4, ys, 1, 1, "heatmap");
  int32_t ls[3] = {1, 5, 5};
  int l = argmax(w, y, 4, ls);
  int y2 = conv(w, xq, 3, 4, ys, 1, 1, "offsets");
  int32_t outs[2] = {l, y2};
  lfrt_writer_set_io(w, &x, 1, outs, 2);
  return w;
}
LF_TEST(coral_leading_cast) {
  lf_edgetpu_report r;
  void *b;
  lfrt_model *m = check(leading_cast_model(), &r, &b);
  LF_CHECK(m && r.nops == 5);
  if (m && r.nops == 5) {
    LF_CHECK_MSG(has(&r, 0, "CAST is not in Coral's supported-op table") && has(&r, 0, "before the Edge TPU part"),
                 "%s", r.nodes[0].reason);
    LF_CHECK_MSG(has(&r, 1, "FLOAT32") && has(&r, 1, "before the Edge TPU part"), "%s", r.nodes[1].reason);
    LF_CHECK(r.nodes[2].on_edgetpu && r.split_node == 3 && !r.nodes[3].on_edgetpu);
    /* a mappable op after the cut that does not depend on it stays in the Edge TPU part
     * (movenet's other heads are mapped after its first ARG_MAX) */
    LF_CHECK_MSG(r.nodes[4].on_edgetpu && r.mapped_ops == 2 && r.cpu_ops == 3, "%s", r.nodes[4].reason);
  }
  done(m, &r, b);
}

/* deeplab_mobilenet_edgetpu_slim_cityscapes_quant: image pooling by TILE of a
 * [1,1,1,C] vector, concatenation, an align_corners resize of the logits to
 * the same size (mapped), then a 33x33 -> 513x513 align_corners resize and
 * ARG_MAX: the compiler mapped TILE and left only the big resize and ARG_MAX on
 * the CPU. Here 4x4 -> 61x61 (15.25x; the observed one is 15.5x) is refused and
 * 4x4 -> 60x60 (15x) is not. */
static lfrt_model *tile_model(int out_hw, lf_edgetpu_report *r, void **b) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[4] = {1, 4, 4, 3}, ps[4] = {1, 1, 1, 3}, cs[4] = {1, 4, 4, 6}, ms[1] = {4}, mv[4] = {1, 4, 4, 1};
  int x = u8(w, "features", 4, xs), p = u8(w, "pooled", 4, ps), t = u8(w, "tiled", 4, xs), c = u8(w, "cat", 4, cs);
  int mult = lfrt_writer_add_tensor(w, "multiples", LFRT_INT32, 1, ms, mv, 16, NULL);
  int32_t i0[2] = {p, mult}, o0[1] = {t}, i1[2] = {t, x}, o1[1] = {c};
  lfrt_writer_add_operator(w, OP_TILE, i0, 2, o0, 1, NULL);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.concat.axis = 3;
  lfrt_writer_add_operator(w, LFRT_OP_CONCATENATION, i1, 2, o1, 1, &o);
  int same = resize(w, c, 4, 4, 6, 1, "logits");
  int big = resize(w, same, out_hw, out_hw, 6, 1, "upsampled");
  int32_t ls[3] = {1, out_hw, out_hw};
  int y = argmax(w, big, 4, ls);
  int32_t ins[2] = {x, p};
  lfrt_writer_set_io(w, ins, 2, &y, 1);
  return check(w, r, b);
}
LF_TEST(coral_tile_resize) {
  lf_edgetpu_report r;
  void *b;
  lfrt_model *m = tile_model(61, &r, &b);
  LF_CHECK(m && r.nops == 5);
  if (m && r.nops == 5) {
    LF_CHECK_MSG(r.nodes[0].on_edgetpu && r.nodes[1].on_edgetpu, "TILE: %s", r.nodes[0].reason);
    LF_CHECK_MSG(r.nodes[2].on_edgetpu, "4x4 -> 4x4 align_corners: %s", r.nodes[2].reason);
    LF_CHECK_MSG(r.split_node == 3 && has(&r, 3, "align_corners resize 4x4 -> 61x61") &&
                 has(&r, 3, "observed behaviour of the edgetpu_compiler"), "%d: %s", r.split_node, r.nodes[3].reason);
    LF_CHECK(r.mapped_ops == 3 && r.cpu_ops == 2 && has(&r, 4, "ARG_MAX is not in Coral's supported-op table"));
  }
  done(m, &r, b);
  m = tile_model(60, &r, &b);
  LF_CHECK(m && r.nops == 5 && r.split_node == 4 && r.mapped_ops == 4);
  done(m, &r, b);
}

/* deeplabv3_mnv2_pascal_quant (and _dm05_): the image-pooling branch resizes a
 * [1,1,1,C] vector to 33x33 with align_corners=1; the compiler cut there and
 * left it and everything after on the CPU. A 2x half-pixel resize (movenet's
 * decoder) stays mapped. */
LF_TEST(coral_pool_resize) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[4] = {1, 33, 33, 2}, ps[4] = {1, 1, 1, 2}, cs[4] = {1, 33, 33, 4};
  int x = u8(w, "features", 4, xs), p = u8(w, "pooled", 4, ps), c = u8(w, "cat", 4, cs);
  int32_t as[1] = {2}, av[2] = {1, 2};
  int axes = lfrt_writer_add_tensor(w, "axes", LFRT_INT32, 1, as, av, 8, NULL);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.reducer.keep_dims = 1;
  int32_t i0[2] = {x, axes}, o0[1] = {p};
  lfrt_writer_add_operator(w, LFRT_OP_MEAN, i0, 2, o0, 1, &o);
  int up = resize(w, p, 33, 33, 2, 1, "pool_up");
  int32_t i1[2] = {up, x}, o1[1] = {c};
  memset(&o, 0, sizeof o);
  o.concat.axis = 3;
  lfrt_writer_add_operator(w, LFRT_OP_CONCATENATION, i1, 2, o1, 1, &o);
  int y = resize(w, c, 66, 66, 4, 0, "output");
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  lf_edgetpu_report r;
  void *b;
  lfrt_model *m = check(w, &r, &b);
  LF_CHECK(m && r.nops == 4);
  if (m && r.nops == 4) {
    LF_CHECK_MSG(r.split_node == 1 && has(&r, 1, "align_corners resize 1x1 -> 33x33"), "%s", r.nodes[1].reason);
    LF_CHECK(r.mapped_ops == 1 && r.cpu_ops == 3 && r.nodes[3].mappable);
  }
  done(m, &r, b);
  w = lfrt_writer_new(); /* the 2x half-pixel resize alone maps */
  x = u8(w, "features", 4, cs);
  y = resize(w, x, 66, 66, 4, 0, "output");
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  m = check(w, &r, &b);
  LF_CHECK_MSG(m && r.nops == 1 && r.nodes[0].on_edgetpu, "%s", m && r.nops ? r.nodes[0].reason : "");
  done(m, &r, b);
}

/* keras_lstm_mnist_ptq: an int8 UNIDIRECTIONAL_SEQUENCE_LSTM with int32 gate
 * biases and an int16 cell state (both states variable tensors); the compiler
 * mapped the whole model. */
static lfrt_writer *lstm_model(void) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[3] = {1, 4, 3}, ws[2] = {2, 3}, rs[2] = {2, 2}, bs[1] = {2}, ss[2] = {1, 2}, ys[3] = {1, 4, 2};
  int x = act(w, "input", LFRT_INT8, 3, xs, 0.05f, 0);
  int8_t wv[6] = {1, 2, 3, 4, 5, 6};
  int32_t bv[2] = {1, 2};
  float sc = 0.01f, bsc = 0.0005f, hs = 0.0078f, cs = 1.0f / 4096;
  int32_t z = 0;
  lfrt_quant q = {1, &sc, &z, 0}, bq = {1, &bsc, &z, 0}, cq = {1, &cs, &z, 0};
  int32_t in[24];
  for (int i = 0; i < 24; i++) in[i] = -1;
  in[0] = x;
  for (int g = 0; g < 4; g++) {
    in[1 + g] = lfrt_writer_add_tensor(w, "w_in", LFRT_INT8, 2, ws, wv, 6, &q);
    in[5 + g] = lfrt_writer_add_tensor(w, "w_rec", LFRT_INT8, 2, rs, wv, 4, &q);
    in[12 + g] = lfrt_writer_add_tensor(w, "bias", LFRT_INT32, 1, bs, bv, 8, &bq);
  }
  in[18] = act(w, "output_state", LFRT_INT8, 2, ss, hs, -1);
  in[19] = lfrt_writer_add_tensor(w, "cell_state", LFRT_INT16, 2, ss, NULL, 0, &cq);
  lfrt_writer_set_variable(w, in[18]);
  lfrt_writer_set_variable(w, in[19]);
  int y = act(w, "output", LFRT_INT8, 3, ys, hs, -1);
  int32_t out[1] = {y};
  lfrt_writer_add_operator(w, (lfrt_op)44, in, 24, out, 1, NULL);
  lfrt_writer_set_op_version(w, 0, 1);
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  return w;
}
LF_TEST(coral_lstm) {
  lf_edgetpu_report r;
  void *b;
  lfrt_model *m = check(lstm_model(), &r, &b);
  LF_CHECK(m && r.nops == 1);
  if (m && r.nops == 1) LF_CHECK_MSG(r.nodes[0].on_edgetpu && r.min_runtime == 14, "%s", r.nodes[0].reason);
  done(m, &r, b);
}

LF_TEST(table) {
  int n = lf_edgetpu_rule_count(), prev = -1;
  LF_CHECK(n > 30);
  for (int i = 0; i < n; i++) {
    lf_edgetpu_rule_info x = lf_edgetpu_rule(i);
    const char *name = lfrt_op_name(x.code);
    LF_CHECK_MSG(name && !strcmp(name, x.name), "row %d: code %d is %s, table says %s", i, x.code, name ? name : "?",
                 x.name);
    LF_CHECK_MSG(x.code > prev, "row %d: codes not sorted/unique", i);
    LF_CHECK(x.max_version >= 1 && (x.min_runtime == 0 || x.min_runtime >= 13) && x.limits);
    prev = x.code;
  }
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--write")) {
    static const char *names[3] = {"float_op", "coral_leading_cast", "coral_lstm"}; /* coral: fuzz seeds */
    lfrt_writer *(*make[3])(void) = {float_op_model, leading_cast_model, lstm_model};
    int rc = 0;
    for (int i = 0; i < 3; i++) {
      char path[1024];
      lfrt_error e;
      snprintf(path, sizeof path, "%s/%s.tflite", argv[2], names[i]);
      lfrt_writer *w = make[i]();
      if (lfrt_writer_write_file(w, path, &e) != LFRT_OK) {
        fprintf(stderr, "%s: %s\n", path, e.msg);
        rc = 1;
      }
      lfrt_writer_free(w);
    }
    return rc;
  }
  LF_RUN(float_op);
  LF_RUN(leading_quantize);
  LF_RUN(limits);
  LF_RUN(runtime_version);
  LF_RUN(coral_leading_cast); /* coral */
  LF_RUN(coral_tile_resize);
  LF_RUN(coral_pool_resize);
  LF_RUN(coral_lstm);
  LF_RUN(table);
  return lf_test_summary();
}
