/* Shape ops (data movement): hand-computed results on small shapes, and the
 * refusals: GATHER's out-of-range index at invoke, a shape operand computed at
 * run time, STRIDED_SLICE's new axis with a shrink at one index and two ellipsis
 * bits (ellipsis/new-axis masks themselves run: oracle cases), int8 input/output quantization that
 * differs. LiteRT's bytes on odd shapes: tests/test_oracle_ops.sh. */
#include "test_interp_util.h"

static lfrt_status build(tu_run *r, lfrt_error *err) {
  memset(r, 0, sizeof *r);
  lfrt_status st = lfrt_writer_finish(tu_w, &r->bytes, &r->len, err);
  lfrt_writer_free(tu_w);
  tu_w = NULL;
  if (st) return st;
  st = lfrt_model_load(r->bytes, r->len, "shape_test", &r->m, err);
  if (st) return st;
  lfrt_interp_options o = {.threads = 1};
  return lfrt_interp_create(r->m, &o, &r->it, err);
}

/* GATHER of rows of a [4,3] float table by indices given at run time. */
LF_TEST(gather_runtime_indices) {
  tu_w = lfrt_writer_new();
  int32_t ps[2] = {4, 3}, is[1] = {5}, os[2] = {5, 3};
  int x = tu_f32("params", 2, ps);
  int ix = lfrt_writer_add_tensor(tu_w, "indices", LFRT_INT32, 1, is, NULL, 0, NULL);
  int y = tu_f32("out", 2, os);
  int32_t in[2] = {x, ix};
  lfrt_writer_add_operator(tu_w, LFRT_OP_GATHER, in, 2, &y, 1, NULL);
  lfrt_writer_set_io(tu_w, in, 2, &y, 1);
  tu_run r;
  lfrt_error err = {{0}};
  LF_CHECK_MSG(build(&r, &err) == LFRT_OK, "%s", err.msg);
  if (!r.it) {
    tu_free(&r);
    return;
  }
  float *p = lfrt_interp_input_data(r.it, 0);
  int32_t *ind = lfrt_interp_input_data(r.it, 1);
  for (int i = 0; i < 12; i++) p[i] = (float)i;
  const int32_t good[5] = {3, 0, 0, 2, 1};
  memcpy(ind, good, sizeof good);
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
  const float *o = lfrt_interp_output_data(r.it, 0);
  for (int i = 0; i < 5; i++)
    for (int j = 0; j < 3; j++) LF_CHECK(o[3 * i + j] == (float)(3 * good[i] + j));
  ind[3] = 4; /* one past the end */
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_EINVAL);
  LF_CHECK_MSG(strstr(err.msg, "GATHER") && strstr(err.msg, "index 4") && strstr(err.msg, "outside [0, 4)"), "%s", err.msg);
  ind[3] = -1;
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_EINVAL);
  LF_CHECK_MSG(strstr(err.msg, "index -1"), "%s", err.msg);
  tu_free(&r);
}

/* A constant index out of range is refused at prepare. */
LF_TEST(gather_constant_index_refused) {
  tu_w = lfrt_writer_new();
  int32_t ps[2] = {4, 3}, is[1] = {2}, os[2] = {2, 3}, iv[2] = {1, 7};
  int x = tu_f32("params", 2, ps);
  int ix = tu_const("indices", LFRT_INT32, 1, is, iv, sizeof iv, NULL);
  int y = tu_f32("out", 2, os);
  int32_t in[2] = {x, ix};
  lfrt_writer_add_operator(tu_w, LFRT_OP_GATHER, in, 2, &y, 1, NULL);
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  tu_run r;
  lfrt_error err = {{0}};
  LF_CHECK(build(&r, &err) == LFRT_EINVAL);
  LF_CHECK_MSG(strstr(err.msg, "index 7"), "%s", err.msg);
  tu_free(&r);
}

/* TRANSPOSE's perm computed at run time: a dynamic shape, refused naming it. */
LF_TEST(dynamic_perm_refused) {
  tu_w = lfrt_writer_new();
  int32_t s[2] = {2, 3}, ps[1] = {2}, so[2] = {3, 2};
  int x = tu_f32("x", 2, s);
  int p = lfrt_writer_add_tensor(tu_w, "perm", LFRT_INT32, 1, ps, NULL, 0, NULL);
  int y = tu_f32("y", 2, so);
  int32_t in[2] = {x, p};
  lfrt_writer_add_operator(tu_w, LFRT_OP_TRANSPOSE, in, 2, &y, 1, NULL);
  lfrt_writer_set_io(tu_w, in, 2, &y, 1);
  tu_run r;
  lfrt_error err = {{0}};
  LF_CHECK(build(&r, &err) == LFRT_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(err.msg, "TRANSPOSE") && strstr(err.msg, "perm") && strstr(err.msg, "dynamic shapes"), "%s", err.msg);
  tu_free(&r);
}

/* batch matmul etc. (issue 11): the mask combinations prepare still refuses */
LF_TEST(strided_slice_mask_combinations_refused) {
  for (int k = 0; k < 2; k++) {
    tu_w = lfrt_writer_new();
    int32_t s[2] = {4, 3}, vs[1] = {2}, so[2] = {4, 3}, b[2] = {0, 0}, e[2] = {4, 3}, st[2] = {1, 1};
    int x = tu_f32("x", 2, s);
    int bt = tu_const("b", LFRT_INT32, 1, vs, b, 8, NULL), et = tu_const("e", LFRT_INT32, 1, vs, e, 8, NULL);
    int stt = tu_const("s", LFRT_INT32, 1, vs, st, 8, NULL);
    int y = tu_f32("y", 2, so);
    lfrt_options o;
    memset(&o, 0, sizeof o);
    if (k == 0) {
      o.strided_slice.new_axis_mask = 1;
      o.strided_slice.shrink_axis_mask = 1;
    } else {
      o.strided_slice.ellipsis_mask = 3;
    }
    int32_t in[4] = {x, bt, et, stt};
    lfrt_writer_add_operator(tu_w, LFRT_OP_STRIDED_SLICE, in, 4, &y, 1, &o);
    lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
    tu_run r;
    lfrt_error err = {{0}};
    LF_CHECK(build(&r, &err) == (k == 0 ? LFRT_EUNSUPPORTED : LFRT_EBADFILE));
    LF_CHECK_MSG(strstr(err.msg, "STRIDED_SLICE") && strstr(err.msg, k == 0 ? "new_axis_mask" : "ellipsis_mask"), "%s", err.msg);
    tu_free(&r);
  }
}

LF_TEST(int8_quantization_must_match) {
  tu_w = lfrt_writer_new();
  int32_t s[4] = {1, 2, 2, 4}, so[4] = {1, 4, 4, 1};
  int x = tu_q8("x", 4, s, 0.5f, 3);
  int y = tu_q8("y", 4, so, 0.25f, 3);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.block.block_size = 2;
  lfrt_writer_add_operator(tu_w, LFRT_OP_DEPTH_TO_SPACE, &x, 1, &y, 1, &o);
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  tu_run r;
  lfrt_error err = {{0}};
  LF_CHECK(build(&r, &err) == LFRT_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(err.msg, "DEPTH_TO_SPACE") && strstr(err.msg, "must share quantization"), "%s", err.msg);
  tu_free(&r);
}

/* STRIDED_SLICE x[::-2, 1] of a [5,3] int8 tensor (negative stride, shrink). */
LF_TEST(strided_slice_negative_stride) {
  tu_w = lfrt_writer_new();
  int32_t s[2] = {5, 3}, vs[1] = {2}, so[1] = {3}, b[2] = {-1, 1}, e[2] = {0, 2}, st[2] = {-2, 1};
  int x = tu_q8("x", 2, s, 1.0f, 0);
  int bt = tu_const("b", LFRT_INT32, 1, vs, b, 8, NULL), et = tu_const("e", LFRT_INT32, 1, vs, e, 8, NULL);
  int stt = tu_const("s", LFRT_INT32, 1, vs, st, 8, NULL);
  int y = tu_q8("y", 1, so, 1.0f, 0);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.strided_slice.end_mask = 1;         /* dim 0 runs to the start */
  o.strided_slice.shrink_axis_mask = 2; /* dim 1: the single column 1 */
  int32_t in[4] = {x, bt, et, stt};
  lfrt_writer_add_operator(tu_w, LFRT_OP_STRIDED_SLICE, in, 4, &y, 1, &o);
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  tu_run r;
  lfrt_error err = {{0}};
  LF_CHECK_MSG(build(&r, &err) == LFRT_OK, "%s", err.msg);
  if (r.it) {
    int8_t *d = lfrt_interp_input_data(r.it, 0);
    for (int i = 0; i < 15; i++) d[i] = (int8_t)i;
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
    const int8_t *o8 = lfrt_interp_output_data(r.it, 0);
    LF_CHECK(o8[0] == 13 && o8[1] == 7 && o8[2] == 1); /* rows 4, 2, 0 of column 1 */
  }
  tu_free(&r);
}

/* DEPTH_TO_SPACE then SPACE_TO_DEPTH gives the input back; PACK then UNPACK too. */
LF_TEST(block_and_pack_round_trip) {
  tu_w = lfrt_writer_new();
  int32_t s[4] = {2, 3, 5, 8}, sd[4] = {2, 6, 10, 2};
  int x = tu_f32("x", 4, s), m = tu_f32("m", 4, sd), y = tu_f32("y", 4, s);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.block.block_size = 2;
  lfrt_writer_add_operator(tu_w, LFRT_OP_DEPTH_TO_SPACE, &x, 1, &m, 1, &o);
  lfrt_writer_add_operator(tu_w, LFRT_OP_SPACE_TO_DEPTH, &m, 1, &y, 1, &o);
  int32_t parts[2];
  parts[0] = tu_f32("p0", 4, s);
  parts[1] = tu_f32("p1", 4, s);
  int32_t pk[5] = {2, 2, 3, 5, 8};
  int packed = tu_f32("packed", 5, pk);
  lfrt_options po;
  memset(&po, 0, sizeof po);
  po.pack.count = 2;
  po.pack.axis = 0;
  int32_t pin[2] = {x, y};
  lfrt_writer_add_operator(tu_w, LFRT_OP_PACK, pin, 2, &packed, 1, &po);
  lfrt_writer_add_operator(tu_w, LFRT_OP_UNPACK, &packed, 1, parts, 2, &po);
  lfrt_writer_set_io(tu_w, &x, 1, parts, 2);
  tu_run r;
  lfrt_error err = {{0}};
  LF_CHECK_MSG(build(&r, &err) == LFRT_OK, "%s", err.msg);
  if (r.it) {
    float *d = lfrt_interp_input_data(r.it, 0);
    for (int i = 0; i < 240; i++) d[i] = (float)i;
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
    for (int k = 0; k < 2; k++) LF_CHECK(!memcmp(lfrt_interp_output_data(r.it, k), d, 240 * sizeof(float)));
  }
  tu_free(&r);
}

int main(void) {
  LF_RUN(gather_runtime_indices);
  LF_RUN(gather_constant_index_refused);
  LF_RUN(dynamic_perm_refused);
  LF_RUN(strided_slice_mask_combinations_refused);
  LF_RUN(int8_quantization_must_match);
  LF_RUN(strided_slice_negative_stride);
  LF_RUN(block_and_pack_round_trip);
  return lf_test_summary();
}
