/* fp16 weights: DEQUANTIZE of a FLOAT16 constant is folded at load
 * (tflite_fold.c) and its node skipped; a non-constant FLOAT16 input is
 * refused at prepare with a message naming it. LiteRT's bytes for models
 * using it: tests/test_oracle_ops.sh ("fp16 weights" cases). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "lfrt.h"
#include "tflite_fold.h"

LF_TEST(half_values) {
  LF_CHECK(lfrt_half_to_float(0x3c00) == 1.0f);
  LF_CHECK(lfrt_half_to_float(0xc000) == -2.0f);
  LF_CHECK(lfrt_half_to_float(0x0001) == ldexpf(1.0f, -24)); /* smallest subnormal */
  LF_CHECK(lfrt_half_to_float(0x03ff) == ldexpf(1023.0f, -24)); /* largest subnormal */
  LF_CHECK(lfrt_half_to_float(0x0400) == ldexpf(1.0f, -14));   /* smallest normal */
  LF_CHECK(lfrt_half_to_float(0x7bff) == 65504.0f);
  LF_CHECK(isinf(lfrt_half_to_float(0xfc00)) && lfrt_half_to_float(0xfc00) < 0);
  LF_CHECK(isnan(lfrt_half_to_float(0x7e00)));
  float z = lfrt_half_to_float(0x8000);
  LF_CHECK(z == 0.0f && signbit(z));
}

/* x [1,2,2,3] + DEQUANTIZE(fp16 const c [3]) -> y; const_input: c is an input instead. */
static void *build(int const_input, size_t *len) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[4] = {1, 2, 2, 3}, cs[1] = {3};
  uint16_t c16[3] = {0x3c00, 0xb800, 0x0001}; /* 1, -0.5, 2^-24 */
  int x = lfrt_writer_add_tensor(w, "x", LFRT_FLOAT32, 4, xs, NULL, 0, NULL);
  int c = lfrt_writer_add_tensor(w, "c16", LFRT_FLOAT16, 1, cs, const_input ? NULL : c16, const_input ? 0 : 6, NULL);
  int c32 = lfrt_writer_add_tensor(w, "c32", LFRT_FLOAT32, 1, cs, NULL, 0, NULL);
  int y = lfrt_writer_add_tensor(w, "y", LFRT_FLOAT32, 4, xs, NULL, 0, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_DEQUANTIZE, &c, 1, &c32, 1, NULL);
  int32_t ins[2] = {x, c32};
  lfrt_writer_add_operator(w, LFRT_OP_ADD, ins, 2, &y, 1, NULL);
  int32_t in2[2] = {x, c};
  lfrt_writer_set_io(w, in2, const_input ? 2 : 1, &y, 1);
  void *bytes = NULL;
  lfrt_error err;
  LF_CHECK(lfrt_writer_finish(w, &bytes, len, &err) == LFRT_OK);
  lfrt_writer_free(w);
  return bytes;
}

LF_TEST(folded_at_load) {
  size_t len;
  void *bytes = build(0, &len);
  lfrt_model *m = NULL;
  lfrt_error err;
  LF_CHECK(lfrt_model_load(bytes, len, "fp16.tflite", &m, &err) == LFRT_OK);
  if (!m) return;
  const lfrt_tensor *c32 = &m->tensors[2];
  LF_CHECK(c32->folded == 1 && c32->data != NULL && (uintptr_t)c32->data % 16 == 0);
  lfrt_interp *it = NULL;
  LF_CHECK_MSG(lfrt_interp_create(m, NULL, &it, &err) == LFRT_OK, "%s", err.msg);
  if (it) {
    LF_CHECK(!strcmp(lfrt_interp_node_kernel(it, 0), "folded at load"));
    float x[12], y[12];
    for (int i = 0; i < 12; i++) x[i] = (float)i;
    LF_CHECK(lfrt_interp_set_input(it, 0, x, sizeof x, &err) == LFRT_OK);
    LF_CHECK(lfrt_interp_invoke(it, &err) == LFRT_OK);
    LF_CHECK(lfrt_interp_get_output(it, 0, y, sizeof y, &err) == LFRT_OK);
    const float c[3] = {1.0f, -0.5f, ldexpf(1.0f, -24)};
    for (int i = 0; i < 12; i++) LF_CHECK_MSG(y[i] == x[i] + c[i % 3], "y[%d] = %g", i, (double)y[i]);
    lfrt_interp_free(it);
  }
  lfrt_model_free(m);
  free(bytes);
}

LF_TEST(fp16_activation_refused) {
  size_t len;
  void *bytes = build(1, &len);
  lfrt_model *m = NULL;
  lfrt_error err;
  LF_CHECK(lfrt_model_load(bytes, len, "fp16in.tflite", &m, &err) == LFRT_OK);
  if (!m) return;
  lfrt_interp *it = NULL;
  err.msg[0] = 0;
  LF_CHECK(lfrt_interp_create(m, NULL, &it, &err) == LFRT_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(err.msg, "node 0 (DEQUANTIZE)") && strstr(err.msg, "'c16' is not a constant"), "%s", err.msg);
  lfrt_model_free(m);
  free(bytes);
}

int main(void) {
  LF_RUN(half_values);
  LF_RUN(folded_at_load);
  LF_RUN(fp16_activation_refused);
  return lf_test_summary();
}
