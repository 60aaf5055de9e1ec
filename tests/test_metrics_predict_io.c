/* predict's tensor edges: quantizing the preprocessed image to int8/uint8 as
 * TFLite's QUANTIZE does (x / scale, round half away from zero, + zero point,
 * clamp), dequantizing outputs, and the bilinear upsampling of masks. The
 * end-to-end comparison with LiteRT is tests/test_predict.sh. */
#include <math.h>
#include <string.h>

#include "eval/predict_internal.h"
#include "lf_test.h"

static lfrt_tensor tensor(lfrt_type type, int64_t count, const float *scale, const int32_t *zp) {
  lfrt_tensor t;
  memset(&t, 0, sizeof t);
  t.name = "t";
  t.type = type;
  t.ndim = 1;
  t.shape[0] = (int32_t)count;
  t.count = count;
  t.quant.count = scale ? 1 : 0;
  t.quant.scale = scale;
  t.quant.zero_point = zp;
  return t;
}

LF_TEST(quantize_int8_uint8) {
  float scale = 0.5f;
  int32_t zp8 = -3, zpu = 128;
  /* x/scale = 0.5 -> 1 (away from zero), -0.5 -> -1, 1.25 -> 3 (2.5 -> 3), huge -> clamp */
  float x[7] = {0.25f, -0.25f, 1.25f, -1.25f, 0.0f, 1e9f, -1e9f};
  int8_t q8[7];
  uint8_t qu[7];
  lfrt_tensor t8 = tensor(LFRT_INT8, 7, &scale, &zp8), tu = tensor(LFRT_UINT8, 7, &scale, &zpu);
  LF_CHECK(lf_predict_quantize_input(&t8, x, q8) == LF_OK);
  int8_t want8[7] = {1 - 3, -1 - 3, 3 - 3, -3 - 3, -3, 127, -128};
  for (int i = 0; i < 7; i++) LF_CHECK_MSG(q8[i] == want8[i], "int8 %d: %d vs %d", i, q8[i], want8[i]);
  LF_CHECK(lf_predict_quantize_input(&tu, x, qu) == LF_OK);
  uint8_t wantu[7] = {129, 127, 131, 125, 128, 255, 0};
  for (int i = 0; i < 7; i++) LF_CHECK_MSG(qu[i] == wantu[i], "uint8 %d: %d vs %d", i, qu[i], wantu[i]);
  float y[7];
  LF_CHECK(lf_predict_dequantize_output(&t8, q8, y) == LF_OK);
  LF_CHECK(y[0] == 0.5f && y[4] == 0.0f && y[5] == 0.5f * 130);
  LF_CHECK(lf_predict_dequantize_output(&tu, qu, y) == LF_OK);
  LF_CHECK(y[0] == 0.5f && y[6] == -64.0f);
  /* float32 passes through; unquantized int8 and other types are refused */
  lfrt_tensor tf = tensor(LFRT_FLOAT32, 7, NULL, NULL), tn = tensor(LFRT_INT8, 7, NULL, NULL);
  float xf[7];
  LF_CHECK(lf_predict_quantize_input(&tf, x, xf) == LF_OK && !memcmp(x, xf, sizeof x));
  LF_CHECK(lf_predict_quantize_input(&tn, x, q8) == LF_EUNSUPPORTED);
  lfrt_tensor ti = tensor(LFRT_INT32, 7, &scale, &zp8);
  LF_CHECK(lf_predict_quantize_input(&ti, x, q8) == LF_EUNSUPPORTED);
  LF_CHECK(lf_predict_dequantize_output(&tn, q8, y) == LF_EUNSUPPORTED);
}

LF_TEST(bilinear_upsample) {
  /* 2x1 -> 4x1: half-pixel centres give 0, 0.25, 0.75, 1 of the way (edges clamped) */
  float src[2] = {0, 1}, dst[4];
  lf_predict_resize_bilinear(src, 2, 1, dst, 4, 1);
  float want[4] = {0, 0.25f, 0.75f, 1};
  for (int i = 0; i < 4; i++) LF_CHECK_MSG(fabsf(dst[i] - want[i]) < 1e-6f, "x %d: %g vs %g", i, dst[i], want[i]);
  /* constant maps stay constant at any size; identity size copies */
  float c[6] = {0.3f, 0.3f, 0.3f, 0.3f, 0.3f, 0.3f}, big[35];
  lf_predict_resize_bilinear(c, 3, 2, big, 7, 5);
  for (int i = 0; i < 35; i++) LF_CHECK(fabsf(big[i] - 0.3f) < 1e-6f);
  float v[6] = {1, 2, 3, 4, 5, 6}, same[6];
  lf_predict_resize_bilinear(v, 3, 2, same, 3, 2);
  LF_CHECK(!memcmp(v, same, sizeof v));
}

int main(void) {
  LF_RUN(quantize_int8_uint8);
  LF_RUN(bilinear_upsample);
  return lf_test_summary();
}
