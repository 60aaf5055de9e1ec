/* Exact-tie and edge-case oracle test: single-op int8 models crafted so the
 * requantization hits exact .5 ties (conv/FC with scale 0.5 or 0.25, MEAN over
 * 8 elements, QUANTIZE of multiples of 0.25) or leaves XNNPACK's range (ADD/MUL
 * with tiny scale ratios -> TFLite builtin, two roundings), plus one model per
 * op and uint8 interface ops, run in Google's LiteRT (LF_TFLITE_ORACLE) and in
 * the runtime: every int8/uint8 output byte must match, float outputs within
 * 1e-4 relative. Exit 77 when the oracle is not installed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include "lfrt.h"
#include "lfrt_interp.h"
#include "lf_test.h"

static uint64_t rs = 88172645463325252ull;
static uint32_t rnd(void) { rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17; return (uint32_t)(rs >> 11); }
static float frand(float lo, float hi) { return lo + (hi - lo) * (rnd() % 1000000) / 1e6f; }

static lfrt_writer *W;
#define DO0(nm, call) if (strstr(nm, only)) call
static int act_q(const char *nm, int nd, const int32_t *shp, float s, int zp) {
  lfrt_quant q = {1, &s, &zp, 0};
  return lfrt_writer_add_tensor(W, nm, LFRT_INT8, nd, shp, NULL, 0, &q);
}
static int act_f(const char *nm, int nd, const int32_t *shp) {
  return lfrt_writer_add_tensor(W, nm, LFRT_FLOAT32, nd, shp, NULL, 0, NULL);
}

static const char *tmpdir(void) {
  const char *t = getenv("LF_TMP");
  return t && *t ? t : "/tmp";
}
static int ncases, nbytes;

/* Phase 1 (per case): write the model and inputs, run the runtime, keep its
 * output, add a manifest line. Phase 2 (compare_all): one LiteRT process for
 * every model (run_litert_batch.mjs), then byte comparison. */
typedef struct {
  char name[48];
  lfrt_type type;
  int64_t count;
  size_t bytes;
  unsigned char *out;
} result;
static result results[128];
static FILE *manifest;

static int run_case(const char *name, int nin) {
  char path[512];
  lfrt_error err = {{0}};
  void *bytes;
  size_t len;
  if (lfrt_writer_finish(W, &bytes, &len, &err)) { LF_CHECK_MSG(0, "%s: writer: %s", name, err.msg); return -1; }
  snprintf(path, sizeof path, "%s/ties_%s.tflite", tmpdir(), name);
  FILE *f = fopen(path, "wb");
  if (!f) { LF_CHECK_MSG(0, "cannot write %s", path); free(bytes); return -1; }
  fwrite(bytes, 1, len, f);
  fclose(f);
  lfrt_model *m;
  lfrt_interp *it;
  if (lfrt_model_load(bytes, len, name, &m, &err)) { LF_CHECK_MSG(0, "%s: load: %s", name, err.msg); free(bytes); return -1; }
  if (lfrt_interp_create(m, NULL, &it, &err)) { LF_CHECK_MSG(0, "%s: prepare: %s", name, err.msg); lfrt_model_free(m); free(bytes); return -1; }
  char inlist[1200] = "";
  for (int i = 0; i < nin; i++) {
    const lfrt_tensor *t = lfrt_interp_input(it, i);
    unsigned char *d = lfrt_interp_input_data(it, i);
    if (t->type == LFRT_FLOAT32) for (int64_t k = 0; k < t->count; k++) ((float *)d)[k] = strstr(name, "tie") ? (float)((int)(rnd() % 64) - 32) * 0.25f : frand(-4, 4);
    else for (size_t k = 0; k < t->bytes; k++) d[k] = (unsigned char)rnd();
    char ip[512]; snprintf(ip, sizeof ip, "%s/ties_%s.in%d", tmpdir(), name, i);
    f = fopen(ip, "wb"); fwrite(d, 1, t->bytes, f); fclose(f);
    if (i) strcat(inlist, ",");
    strcat(inlist, ip);
  }
  LF_CHECK(lfrt_interp_invoke(it, &err) == LFRT_OK);
  const lfrt_tensor *o = lfrt_interp_output(it, 0);
  if (ncases < 128) {
    result *r = &results[ncases++];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->type = o->type;
    r->count = o->count;
    r->bytes = o->bytes;
    r->out = malloc(o->bytes);
    memcpy(r->out, lfrt_interp_output_data(it, 0), o->bytes);
    fprintf(manifest, "%s\t%s\t%s/ties_%s.out\n", path, inlist, tmpdir(), name);
  }
  free(bytes);
  lfrt_interp_free(it);
  lfrt_model_free(m);
  return 0;
}

static void compare_all(const char *oracle) {
  char cmd[2048], path[1400];
  fclose(manifest);
  snprintf(cmd, sizeof cmd, "node \"$(dirname '%s')/run_litert_batch.mjs\" '%s/ties_manifest.tsv' >/dev/null 2>'%s/ties_batch.err'",
           oracle, tmpdir(), tmpdir());
  int rc = system(cmd);
  LF_CHECK_MSG(rc == 0, "LiteRT batch runner failed (rc %d), see %s/ties_batch.err", rc, tmpdir());
  for (int c = 0; c < ncases; c++) {
    result *r = &results[c];
    snprintf(path, sizeof path, "%.1000s/ties_%.47s.out", tmpdir(), r->name);
    FILE *f = fopen(path, "rb");
    LF_CHECK_MSG(f != NULL, "%s: LiteRT wrote no output (see %s.err)", r->name, path);
    if (!f) continue;
    unsigned char *ref = malloc(r->bytes + 1);
    size_t got = fread(ref, 1, r->bytes + 1, f);
    fclose(f);
    int diff = 0, first = -1;
    for (size_t k = 0; k < r->bytes && k < got; k++) {
      int bad;
      if (r->type == LFRT_FLOAT32) {
        if (k % 4) continue;
        float a, b;
        memcpy(&a, r->out + k, 4);
        memcpy(&b, ref + k, 4);
        bad = fabsf(a - b) > 1e-4f * (1 + fabsf(b));
      } else {
        bad = r->out[k] != ref[k];
      }
      if (bad && first < 0) first = (int)k;
      diff += bad;
    }
    LF_CHECK_MSG(got == r->bytes, "%s: LiteRT wrote %zu bytes, want %zu", r->name, got, r->bytes);
    LF_CHECK_MSG(diff == 0, "%s: %d of %lld outputs differ from LiteRT (first at byte %d)", r->name, diff, (long long)r->count, first);
    printf("%-24s %6lld outputs, %s\n", r->name, (long long)r->count, diff ? "DIFFERENT" : "identical");
    nbytes += (int)r->bytes;
    free(ref);
    free(r->out);
  }
}

static void conv_case(const char *name, int op, int H, int Wd, int C, int OC, int k, int stride, int pad, int dil, int act, int perch) {
  W = lfrt_writer_new();
  int32_t xs[4] = {1, H, Wd, C};
  int x = act_q("x", 4, xs, 0.05f, 3);
  int dw = op == LFRT_OP_DEPTHWISE_CONV_2D;
  int32_t ws[4] = {dw ? 1 : OC, k, k, dw ? OC : C};
  int nw = ws[0]*ws[1]*ws[2]*ws[3];
  int8_t *wd = malloc(nw);
  for (int i = 0; i < nw; i++) wd[i] = (int8_t)(rnd() % 255 - 127);
  float wsc[512]; int32_t wz[512] = {0};
  for (int c = 0; c < OC; c++) wsc[c] = frand(0.002f, 0.02f);
  lfrt_quant wq = {perch ? OC : 1, wsc, wz, dw ? 3 : 0};
  int w = lfrt_writer_add_tensor(W, "w", LFRT_INT8, 4, ws, wd, nw, &wq);
  int32_t bd[512]; for (int c = 0; c < OC; c++) bd[c] = (int32_t)(rnd() % 2001) - 1000;
  float bsc[512]; for (int c = 0; c < OC; c++) bsc[c] = 0.05f * wsc[perch ? c : 0];
  lfrt_quant bq = {perch ? OC : 1, bsc, wz, 0};
  int32_t bs[1] = {OC};
  int b = lfrt_writer_add_tensor(W, "b", LFRT_INT32, 1, bs, bd, OC * 4, &bq);
  int eff = (k - 1) * dil + 1;
  int oh = pad == LFRT_PADDING_SAME ? (H + stride - 1) / stride : (H - eff + stride) / stride;
  int ow = pad == LFRT_PADDING_SAME ? (Wd + stride - 1) / stride : (Wd - eff + stride) / stride;
  int32_t ys[4] = {1, oh, ow, OC};
  int y = act_q("y", 4, ys, 0.1f, -5);
  lfrt_options o; memset(&o, 0, sizeof o);
  if (dw) { o.depthwise.padding = pad; o.depthwise.stride_w = o.depthwise.stride_h = stride; o.depthwise.dilation_w = o.depthwise.dilation_h = dil; o.depthwise.activation = act; o.depthwise.depth_multiplier = OC / C; }
  else { o.conv.padding = pad; o.conv.stride_w = o.conv.stride_h = stride; o.conv.dilation_w = o.conv.dilation_h = dil; o.conv.activation = act; }
  int32_t ins[3] = {x, w, b}, outs[1] = {y};
  lfrt_writer_add_operator(W, op, ins, 3, outs, 1, &o);
  lfrt_writer_set_io(W, &x, 1, &y, 1);
  run_case(name, 1);
  lfrt_writer_free(W); free(wd);
}

static void unary_case(const char *name, int op, int n, float xs, int xz, float ys, int yz, int yf32) {
  W = lfrt_writer_new();
  int32_t sh[2] = {1, n};
  int x = (op == LFRT_OP_QUANTIZE && xs == 0) ? act_f("x", 2, sh) : act_q("x", 2, sh, xs, xz);
  int y = yf32 ? act_f("y", 2, sh) : act_q("y", 2, sh, ys, yz);
  int32_t ins[1] = {x}, outs[1] = {y};
  lfrt_options o; memset(&o, 0, sizeof o); o.softmax.beta = 1.0f;
  lfrt_writer_add_operator(W, op, ins, 1, outs, 1, op == LFRT_OP_SOFTMAX ? &o : NULL);
  lfrt_writer_set_io(W, &x, 1, &y, 1);
  run_case(name, 1);
  lfrt_writer_free(W);
}

static void u8_case(const char *name, int op, int xt, int yt, float xs, int xz, float ys, int yz) {
  W = lfrt_writer_new();
  int32_t sh[2] = {4, 250};
  lfrt_quant qx = {1, &xs, &xz, 0}, qy = {1, &ys, &yz, 0};
  int x = lfrt_writer_add_tensor(W, "x", xt, 2, sh, NULL, 0, xt == LFRT_FLOAT32 ? NULL : &qx);
  int y = lfrt_writer_add_tensor(W, "y", yt, 2, sh, NULL, 0, yt == LFRT_FLOAT32 ? NULL : &qy);
  int32_t ins[1] = {x}, outs[1] = {y};
  lfrt_writer_add_operator(W, op, ins, 1, outs, 1, NULL);
  lfrt_writer_set_io(W, &x, 1, &y, 1);
  run_case(name, 1);
  lfrt_writer_free(W);
}

static void binary_case(const char *name, int op, int H, int C, float as, int az, float bs, int bz, float ys, int yz, int bconst, int act) {
  W = lfrt_writer_new();
  int32_t sh[4] = {1, H, H, C}, cs[1] = {C};
  int a = act_q("a", 4, sh, as, az);
  int b;
  if (bconst) {
    int8_t bd[256]; for (int i = 0; i < C; i++) bd[i] = (int8_t)rnd();
    lfrt_quant q = {1, &bs, &bz, 0};
    b = lfrt_writer_add_tensor(W, "b", LFRT_INT8, 1, cs, bd, C, &q);
  } else b = act_q("b", 4, sh, bs, bz);
  int y = act_q("y", 4, sh, ys, yz);
  int32_t ins[2] = {a, b}, outs[1] = {y};
  lfrt_options o; memset(&o, 0, sizeof o);
  if (op == LFRT_OP_ADD) o.add.activation = act; else o.mul.activation = act;
  lfrt_writer_add_operator(W, op, ins, 2, outs, 1, &o);
  int io[2] = {a, b};
  lfrt_writer_set_io(W, io, bconst ? 1 : 2, &y, 1);
  run_case(name, bconst ? 1 : 2);
  lfrt_writer_free(W);
}

static void pool_case(const char *name, int op, int H, int C, int k, int s, int pad) {
  W = lfrt_writer_new();
  int32_t sh[4] = {1, H, H, C};
  int oh = pad == LFRT_PADDING_SAME ? (H + s - 1) / s : (H - k + s) / s;
  int32_t os[4] = {1, oh, oh, C};
  int x = act_q("x", 4, sh, 0.03f, -7), y = act_q("y", 4, os, 0.03f, -7);
  lfrt_options o; memset(&o, 0, sizeof o);
  o.pool.padding = pad; o.pool.stride_h = o.pool.stride_w = s; o.pool.filter_h = o.pool.filter_w = k;
  int32_t ins[1] = {x}, outs[1] = {y};
  lfrt_writer_add_operator(W, op, ins, 1, outs, 1, &o);
  lfrt_writer_set_io(W, &x, 1, &y, 1);
  run_case(name, 1);
  lfrt_writer_free(W);
}

static void mean_case(const char *name, int H, int C, float xs, int xz, float ys, int yz, int keep) {
  W = lfrt_writer_new();
  int32_t sh[4] = {1, H, H + 2, C}, os[4] = {1, 1, 1, C}, os2[2] = {1, C}, as[1] = {2};
  int x = act_q("x", 4, sh, xs, xz);
  int32_t axd[2] = {1, 2};
  int ax = lfrt_writer_add_tensor(W, "axis", LFRT_INT32, 1, as, axd, 8, NULL);
  int y = keep ? act_q("y", 4, os, ys, yz) : act_q("y", 2, os2, ys, yz);
  lfrt_options o; memset(&o, 0, sizeof o); o.reducer.keep_dims = keep;
  int32_t ins[2] = {x, ax}, outs[1] = {y};
  lfrt_writer_add_operator(W, LFRT_OP_MEAN, ins, 2, outs, 1, &o);
  lfrt_writer_set_io(W, &x, 1, &y, 1);
  run_case(name, 1);
  lfrt_writer_free(W);
}

static void resize_case(const char *name, int op, int H, int C, int OH, int OW, int ac, int hp) {
  W = lfrt_writer_new();
  int32_t sh[4] = {1, H, H + 1, C}, os[4] = {1, OH, OW, C}, ss[1] = {2};
  int x = act_q("x", 4, sh, 0.02f, 1), y = act_q("y", 4, os, 0.02f, 1);
  int32_t szd[2] = {OH, OW};
  int sz = lfrt_writer_add_tensor(W, "size", LFRT_INT32, 1, ss, szd, 8, NULL);
  lfrt_options o; memset(&o, 0, sizeof o); o.resize.align_corners = ac; o.resize.half_pixel_centers = hp;
  int32_t ins[2] = {x, sz}, outs[1] = {y};
  lfrt_writer_add_operator(W, op, ins, 2, outs, 1, &o);
  lfrt_writer_set_io(W, &x, 1, &y, 1);
  run_case(name, 1);
  lfrt_writer_free(W);
}

static void tconv_case(const char *name, int H, int C, int OC, int k, int s, int pad) {
  W = lfrt_writer_new();
  int32_t xs[4] = {1, H, H, C};
  int x = act_q("x", 4, xs, 0.05f, 3);
  int oh = pad == LFRT_PADDING_SAME ? H * s : (H - 1) * s + k;
  int32_t osd[4] = {1, oh, oh, OC}, oss[1] = {4};
  int os = lfrt_writer_add_tensor(W, "oshape", LFRT_INT32, 1, oss, osd, 16, NULL);
  int32_t ws[4] = {OC, k, k, C};
  int nw = OC * k * k * C;
  int8_t *wd = malloc(nw);
  for (int i = 0; i < nw; i++) wd[i] = (int8_t)(rnd() % 255 - 127);
  float wsc[256]; int32_t wz[256] = {0};
  for (int c = 0; c < OC; c++) wsc[c] = frand(0.002f, 0.02f);
  lfrt_quant wq = {OC, wsc, wz, 0};
  int w = lfrt_writer_add_tensor(W, "w", LFRT_INT8, 4, ws, wd, nw, &wq);
  int y = act_q("y", 4, osd, 0.1f, -5);
  lfrt_options o; memset(&o, 0, sizeof o);
  o.transpose_conv.padding = pad; o.transpose_conv.stride_h = o.transpose_conv.stride_w = s;
  int32_t ins[3] = {os, w, x}, outs[1] = {y};
  lfrt_writer_add_operator(W, LFRT_OP_TRANSPOSE_CONV, ins, 3, outs, 1, &o);
  lfrt_writer_set_io(W, &x, 1, &y, 1);
  run_case(name, 1);
  lfrt_writer_free(W); free(wd);
}

static void tie_case(const char *name, int op, float ws_, int nb) {
  /* 1x1 conv / FC with weight 1 and in_scale*w_scale/out_scale = ws_: exact ties */
  W = lfrt_writer_new();
  int fc = op == LFRT_OP_FULLY_CONNECTED;
  int32_t xs[4] = {1, 16, 16, 1};
  int32_t xs2[2] = {256, 1};
  float one = 1.0f; int32_t z = 0;
  lfrt_quant q1 = {1, &one, &z, 0};
  int x = fc ? lfrt_writer_add_tensor(W, "x", LFRT_INT8, 2, xs2, NULL, 0, &q1) : lfrt_writer_add_tensor(W, "x", LFRT_INT8, 4, xs, NULL, 0, &q1);
  int32_t ws[4] = {1, 1, 1, 1}, ws2[2] = {1, 1};
  int8_t wd[1] = {1};
  lfrt_quant wq = {1, &ws_, &z, 0};
  int w = fc ? lfrt_writer_add_tensor(W, "w", LFRT_INT8, 2, ws2, wd, 1, &wq) : lfrt_writer_add_tensor(W, "w", LFRT_INT8, 4, ws, wd, 1, &wq);
  int32_t bd[1] = {nb}, bs[1] = {1};
  lfrt_quant bq = {1, &ws_, &z, 0};
  int b = lfrt_writer_add_tensor(W, "b", LFRT_INT32, 1, bs, bd, 4, &bq);
  int y = fc ? lfrt_writer_add_tensor(W, "y", LFRT_INT8, 2, xs2, NULL, 0, &q1) : lfrt_writer_add_tensor(W, "y", LFRT_INT8, 4, xs, NULL, 0, &q1);
  lfrt_options o; memset(&o, 0, sizeof o);
  if (!fc) { o.conv.padding = LFRT_PADDING_VALID; o.conv.stride_w = o.conv.stride_h = 1; o.conv.dilation_w = o.conv.dilation_h = 1; }
  int32_t ins[3] = {x, w, b}, outs[1] = {y};
  lfrt_writer_add_operator(W, op, ins, 3, outs, 1, &o);
  lfrt_writer_set_io(W, &x, 1, &y, 1);
  run_case(name, 1);
  lfrt_writer_free(W);
}

int main(int argc, char **argv) {
  const char *only = argc > 1 ? argv[1] : "";
  const char *oracle = getenv("LF_TFLITE_ORACLE");
  char probe[1200];
  snprintf(probe, sizeof probe, "command -v node >/dev/null 2>&1 && test -x '%s' && test -d \"$(dirname '%s')/node_modules/@litertjs/core\"",
           oracle ? oracle : "/nonexistent", oracle ? oracle : "/nonexistent");
  if (!oracle || system(probe) != 0) {
    printf("LiteRT oracle missing (LF_TFLITE_ORACLE, node, npm install in tests/oracles/tflite)\n");
    return 77;
  }
  char mpath[512];
  snprintf(mpath, sizeof mpath, "%s/ties_manifest.tsv", tmpdir());
  manifest = fopen(mpath, "w");
  if (!manifest) { fprintf(stderr, "cannot write %s\n", mpath); return 1; }
  DO0("tie_conv_half", tie_case("tie_conv_half", LFRT_OP_CONV_2D, 0.5f, 0));
  DO0("tie_conv_quarter", tie_case("tie_conv_quarter", LFRT_OP_CONV_2D, 0.25f, 0));
  DO0("tie_fc_half", tie_case("tie_fc_half", LFRT_OP_FULLY_CONNECTED, 0.5f, 0));
  DO0("tie_fc_quarter", tie_case("tie_fc_quarter", LFRT_OP_FULLY_CONNECTED, 0.25f, 0));
#define DO(nm, call) if (strstr(nm, only)) call
  DO("conv_3x3_same", conv_case("conv_3x3_same", LFRT_OP_CONV_2D, 13, 11, 7, 9, 3, 1, LFRT_PADDING_SAME, 1, 0, 1));
  DO("conv_5x5_s2_valid_relu", conv_case("conv_5x5_s2_valid_relu", LFRT_OP_CONV_2D, 17, 19, 5, 16, 5, 2, LFRT_PADDING_VALID, 1, 1, 1));
  DO("conv_big", conv_case("conv_big", LFRT_OP_CONV_2D, 16, 16, 64, 32, 3, 1, LFRT_PADDING_SAME, 1, 0, 1));
  DO("conv_dil2_relu6", conv_case("conv_dil2_relu6", LFRT_OP_CONV_2D, 15, 15, 3, 8, 3, 1, LFRT_PADDING_SAME, 2, 3, 1));
  DO("conv_pertensor", conv_case("conv_pertensor", LFRT_OP_CONV_2D, 9, 9, 8, 8, 1, 1, LFRT_PADDING_VALID, 1, 0, 0));
  DO("dw_3x3", conv_case("dw_3x3", LFRT_OP_DEPTHWISE_CONV_2D, 13, 13, 8, 8, 3, 1, LFRT_PADDING_SAME, 1, 0, 1));
  DO("dw_mult2_s2", conv_case("dw_mult2_s2", LFRT_OP_DEPTHWISE_CONV_2D, 12, 12, 5, 10, 3, 2, LFRT_PADDING_SAME, 1, 1, 1));
  DO("tconv_s2_same", tconv_case("tconv_s2_same", 7, 8, 6, 3, 2, LFRT_PADDING_SAME));
  DO("tconv_s2_valid", tconv_case("tconv_s2_valid", 5, 4, 3, 2, 2, LFRT_PADDING_VALID));
  DO("add_same", binary_case("add_same", LFRT_OP_ADD, 9, 16, 0.05f, 3, 0.07f, -10, 0.1f, 2, 0, 0));
  DO("add_bcast_relu", binary_case("add_bcast_relu", LFRT_OP_ADD, 7, 13, 0.05f, 3, 0.02f, -1, 0.06f, -20, 1, 1));
  DO("mul_same", binary_case("mul_same", LFRT_OP_MUL, 9, 16, 0.05f, 3, 0.07f, -10, 0.1f, 2, 0, 0));
  DO("mul_bcast_relu", binary_case("mul_bcast_relu", LFRT_OP_MUL, 7, 13, 0.05f, 3, 0.02f, -1, 0.01f, -20, 1, 1));
  DO("avgpool_3_s2_same", pool_case("avgpool_3_s2_same", LFRT_OP_AVERAGE_POOL_2D, 15, 9, 3, 2, LFRT_PADDING_SAME));
  DO("avgpool_2_valid", pool_case("avgpool_2_valid", LFRT_OP_AVERAGE_POOL_2D, 16, 24, 2, 2, LFRT_PADDING_VALID));
  DO("maxpool_3_s2_same", pool_case("maxpool_3_s2_same", LFRT_OP_MAX_POOL_2D, 15, 9, 3, 2, LFRT_PADDING_SAME));
  DO("mean_keep", mean_case("mean_keep", 7, 33, 0.04f, 5, 0.02f, -3, 1));
  DO("mean_same_q", mean_case("mean_same_q", 7, 33, 0.04f, 5, 0.04f, 5, 1));
  DO("mean_nokeep", mean_case("mean_nokeep", 7, 20, 0.04f, 5, 0.01f, -3, 0));
  DO("logistic", unary_case("logistic", LFRT_OP_LOGISTIC, 256, 0.06f, -3, 1.0f / 256, -128, 0));
  DO("softmax", unary_case("softmax", LFRT_OP_SOFTMAX, 37, 0.1f, -3, 1.0f / 256, -128, 0));
  DO("relu", unary_case("relu", LFRT_OP_RELU, 256, 0.06f, -3, 0.05f, -128, 0));
  DO("relu6", unary_case("relu6", LFRT_OP_RELU6, 256, 0.06f, -3, 0.03f, -128, 0));
  DO("requant", unary_case("requant", LFRT_OP_QUANTIZE, 256, 0.06f, -3, 0.07f, 9, 0));
  DO("quantize_f32", unary_case("quantize_f32", LFRT_OP_QUANTIZE, 1000, 0, 0, 0.031f, 4, 0));
  DO("dequantize", unary_case("dequantize", LFRT_OP_DEQUANTIZE, 256, 0.031f, 4, 0, 0, 1));
  DO("resize_bl", resize_case("resize_bl", LFRT_OP_RESIZE_BILINEAR, 5, 3, 11, 13, 0, 0));
  DO("resize_bl_half", resize_case("resize_bl_half", LFRT_OP_RESIZE_BILINEAR, 5, 3, 10, 12, 0, 1));
  DO("resize_bl_align", resize_case("resize_bl_align", LFRT_OP_RESIZE_BILINEAR, 5, 3, 9, 11, 1, 0));
  DO("resize_nn", resize_case("resize_nn", LFRT_OP_RESIZE_NEAREST_NEIGHBOR, 5, 3, 10, 12, 0, 0));
  DO("resize_nn_half", resize_case("resize_nn_half", LFRT_OP_RESIZE_NEAREST_NEIGHBOR, 5, 3, 11, 7, 0, 1));
  DO("resize_nn_align", resize_case("resize_nn_align", LFRT_OP_RESIZE_NEAREST_NEIGHBOR, 5, 3, 11, 7, 1, 0));
  DO("mean_tie_sameq", mean_case("mean_tie_sameq", 2, 64, 0.04f, 0, 0.04f, 0, 1));
  DO("mean_tie_diffq", mean_case("mean_tie_diffq", 2, 64, 0.04f, 0, 0.02f, 0, 1));
  DO("mean_big_diffq", mean_case("mean_big_diffq", 14, 64, 0.04f, 7, 0.013f, -9, 1));
  DO("mean_big_sameq", mean_case("mean_big_sameq", 14, 64, 0.04f, 7, 0.04f, 7, 0));
  DO("avgpool_7_valid", pool_case("avgpool_7_valid", LFRT_OP_AVERAGE_POOL_2D, 7, 64, 7, 1, LFRT_PADDING_VALID));
  DO("softmax2", unary_case("softmax2", LFRT_OP_SOFTMAX, 1000, 0.05f, 10, 1.0f / 256, -128, 0));
  DO("logistic2", unary_case("logistic2", LFRT_OP_LOGISTIC, 256, 0.2f, 40, 1.0f / 256, -128, 0));
  DO("logistic3", unary_case("logistic3", LFRT_OP_LOGISTIC, 256, 0.011f, -100, 1.0f / 256, -128, 0));
  DO("relu_b", unary_case("relu_b", LFRT_OP_RELU, 256, 0.06f, -3, 0.06f, -3, 0));
  DO("relu6_b", unary_case("relu6_b", LFRT_OP_RELU6, 256, 0.06f, 5, 0.011f, -128, 0));
  DO("requant2", unary_case("requant2", LFRT_OP_QUANTIZE, 256, 0.5f, 20, 0.011f, -7, 0));
  DO("add_big_ratio", binary_case("add_big_ratio", LFRT_OP_ADD, 9, 16, 0.5f, 3, 0.01f, -10, 0.1f, 2, 0, 0));
  DO("add_relu6", binary_case("add_relu6", LFRT_OP_ADD, 9, 16, 0.05f, 3, 0.01f, -10, 0.03f, -128, 0, 3));
  DO("mul_relu6", binary_case("mul_relu6", LFRT_OP_MUL, 9, 16, 0.05f, 3, 0.05f, -10, 0.03f, -128, 0, 3));
  DO("conv_relu6_lowscale", conv_case("conv_relu6_lowscale", LFRT_OP_CONV_2D, 12, 12, 16, 16, 3, 1, LFRT_PADDING_SAME, 1, 3, 1));
  DO("fc_perch", tie_case("fc_perch", LFRT_OP_FULLY_CONNECTED, 0.37f, 5));
  DO("add_tiny_ratio", binary_case("add_tiny_ratio", LFRT_OP_ADD, 9, 16, 0.05f, 3, 0.00002f, -10, 0.1f, 2, 0, 0));
  DO("add_tiny_ratio2", binary_case("add_tiny_ratio2", LFRT_OP_ADD, 9, 16, 0.05f, 3, 0.00001f, -10, 0.1f, 2, 1, 1));
  DO("mul_tiny_ratio", binary_case("mul_tiny_ratio", LFRT_OP_MUL, 9, 16, 0.005f, 3, 0.0001f, -10, 0.1f, 2, 0, 0));
  DO("conv_huge_ratio", conv_case("conv_huge_ratio", LFRT_OP_CONV_2D, 5, 5, 3, 4, 1, 1, LFRT_PADDING_SAME, 1, 0, 1));
  DO("quantize_f32_tie", unary_case("quantize_f32_tie", LFRT_OP_QUANTIZE, 1000, 0, 0, 0.5f, 0, 0));
  DO("quantize_f32_tie3", unary_case("quantize_f32_tie3", LFRT_OP_QUANTIZE, 1000, 0, 0, 0.1f, 3, 0));
  DO("u8_to_i8", u8_case("u8_to_i8", LFRT_OP_QUANTIZE, LFRT_UINT8, LFRT_INT8, 0.02f, 128, 0.02f, 0));
  DO("u8_to_i8_rs", u8_case("u8_to_i8_rs", LFRT_OP_QUANTIZE, LFRT_UINT8, LFRT_INT8, 0.02f, 100, 0.03f, -5));
  DO("i8_to_u8", u8_case("i8_to_u8", LFRT_OP_QUANTIZE, LFRT_INT8, LFRT_UINT8, 0.02f, 0, 0.02f, 128));
  DO("i8_to_u8_rs", u8_case("i8_to_u8_rs", LFRT_OP_QUANTIZE, LFRT_INT8, LFRT_UINT8, 0.02f, 3, 0.04f, 120));
  DO("f32_to_u8", u8_case("f32_to_u8", LFRT_OP_QUANTIZE, LFRT_FLOAT32, LFRT_UINT8, 0, 0, 0.03f, 128));
  DO("deq_u8", u8_case("deq_u8", LFRT_OP_DEQUANTIZE, LFRT_UINT8, LFRT_FLOAT32, 0.03f, 120, 0, 0));
  compare_all(oracle);
  printf("%d models, %d output bytes compared with LiteRT\n", ncases, nbytes);
  LF_CHECK(only[0] || ncases >= 60);
  return lf_test_summary();
}
