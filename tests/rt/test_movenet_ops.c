/* movenet's CAST, FLOOR_DIV and GATHER_ND: hand-computed results on small
 * shapes and the invoke-time refusals LiteRT makes too (a zero divisor, a
 * GATHER_ND index outside its dim, negative included; constant operands at
 * prepare) plus leapfrog's own: a float CAST to an integer type it cannot hold
 * (undefined in TFLite; LiteRT's builds disagree). LiteRT's bytes on odd
 * shapes: tests/test_oracle_ops.sh (tests/util/op_zoo_movenet.c). */
#include "test_interp_util.h"

static lfrt_status build(tu_run *r, lfrt_error *err) {
  memset(r, 0, sizeof *r);
  lfrt_status st = lfrt_writer_finish(tu_w, &r->bytes, &r->len, err);
  lfrt_writer_free(tu_w);
  tu_w = NULL;
  if (st) return st;
  st = lfrt_model_load(r->bytes, r->len, "movenet_test", &r->m, err);
  if (st) return st;
  lfrt_interp_options o = {.threads = 1};
  return lfrt_interp_create(r->m, &o, &r->it, err);
}

static int cast_model(lfrt_type from, lfrt_type to, int n) {
  tu_w = lfrt_writer_new();
  int32_t s[1] = {n};
  int x = lfrt_writer_add_tensor(tu_w, "x", from, 1, s, NULL, 0, NULL);
  int y = lfrt_writer_add_tensor(tu_w, "y", to, 1, s, NULL, 0, NULL);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.cast.in_data_type = from;
  o.cast.out_data_type = to;
  lfrt_writer_add_operator(tu_w, LFRT_OP_CAST, &x, 1, &y, 1, &o);
  return lfrt_writer_set_io(tu_w, &x, 1, &y, 1) == LFRT_OK;
}

LF_TEST(cast_values) {
  static const float f[8] = {2.7f, -2.7f, 0.0f, -0.0f, 127.9f, -128.9f, 0.5f, -0.99f};
  static const int8_t want_i8[8] = {2, -2, 0, 0, 127, -128, 0, 0};
  static const uint8_t want_b[8] = {1, 1, 0, 0, 1, 1, 1, 1};
  lfrt_error err = {{0}};
  tu_run r;
  cast_model(LFRT_FLOAT32, LFRT_INT8, 8);
  LF_CHECK_MSG(build(&r, &err) == LFRT_OK, "%s", err.msg);
  if (r.it) {
    memcpy(lfrt_interp_input_data(r.it, 0), f, sizeof f);
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
    LF_CHECK(!memcmp(lfrt_interp_output_data(r.it, 0), want_i8, 8));
    float *x = lfrt_interp_input_data(r.it, 0);
    x[5] = -129.0f; /* truncates to -129: not an int8 */
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_EINVAL);
    LF_CHECK_MSG(strstr(err.msg, "CAST") && strstr(err.msg, "element 5") && strstr(err.msg, "INT8"), "%s", err.msg);
    x[5] = NAN;
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_EINVAL);
  }
  tu_free(&r);
  cast_model(LFRT_FLOAT32, LFRT_BOOL, 8);
  LF_CHECK_MSG(build(&r, &err) == LFRT_OK, "%s", err.msg);
  if (r.it) {
    memcpy(lfrt_interp_input_data(r.it, 0), f, sizeof f);
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
    LF_CHECK(!memcmp(lfrt_interp_output_data(r.it, 0), want_b, 8));
  }
  tu_free(&r);
  /* integers wrap, INT64 -> FLOAT32 rounds to nearest */
  static const int64_t l[4] = {300, -1, INT64_C(1) << 40, -(INT64_C(1) << 33) - 1};
  static const uint8_t want_u8[4] = {44, 255, 0, 255};
  cast_model(LFRT_INT64, LFRT_UINT8, 4);
  LF_CHECK_MSG(build(&r, &err) == LFRT_OK, "%s", err.msg);
  if (r.it) {
    memcpy(lfrt_interp_input_data(r.it, 0), l, sizeof l);
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
    LF_CHECK(!memcmp(lfrt_interp_output_data(r.it, 0), want_u8, 4));
  }
  tu_free(&r);
  cast_model(LFRT_INT64, LFRT_FLOAT32, 4);
  LF_CHECK_MSG(build(&r, &err) == LFRT_OK, "%s", err.msg);
  if (r.it) {
    memcpy(lfrt_interp_input_data(r.it, 0), l, sizeof l);
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
    const float *o = lfrt_interp_output_data(r.it, 0);
    LF_CHECK(o[0] == 300.0f && o[1] == -1.0f && o[2] == 1099511627776.0f && o[3] == -8589934592.0f);
  }
  tu_free(&r);
  /* a FLOAT16 output is refused naming the type */
  cast_model(LFRT_FLOAT32, LFRT_FLOAT16, 4);
  LF_CHECK(build(&r, &err) == LFRT_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(err.msg, "CAST") && strstr(err.msg, "FLOAT16"), "%s", err.msg);
  tu_free(&r);
}

/* FLOOR_DIV of int32 [2,3] by [3] (broadcast), run-time divisor. */
LF_TEST(floor_div_int32) {
  tu_w = lfrt_writer_new();
  int32_t sa[2] = {2, 3}, sb[1] = {3};
  int a = lfrt_writer_add_tensor(tu_w, "a", LFRT_INT32, 2, sa, NULL, 0, NULL);
  int b = lfrt_writer_add_tensor(tu_w, "b", LFRT_INT32, 1, sb, NULL, 0, NULL);
  int y = lfrt_writer_add_tensor(tu_w, "y", LFRT_INT32, 2, sa, NULL, 0, NULL);
  int32_t in[2] = {a, b};
  lfrt_writer_add_operator(tu_w, LFRT_OP_FLOOR_DIV, in, 2, &y, 1, NULL);
  lfrt_writer_set_io(tu_w, in, 2, &y, 1);
  tu_run r;
  lfrt_error err = {{0}};
  LF_CHECK_MSG(build(&r, &err) == LFRT_OK, "%s", err.msg);
  if (!r.it) {
    tu_free(&r);
    return;
  }
  static const int32_t av[6] = {7, -7, 7, -7, INT32_MIN, 0}, bv[3] = {2, 2, -2};
  static const int32_t want[6] = {3, -4, -4, -4, INT32_MIN / 2, 0}; /* floor, not C's truncation */
  memcpy(lfrt_interp_input_data(r.it, 0), av, sizeof av);
  int32_t *d = lfrt_interp_input_data(r.it, 1);
  memcpy(d, bv, sizeof bv);
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
  LF_CHECK(!memcmp(lfrt_interp_output_data(r.it, 0), want, sizeof want));
  d[1] = -1; /* INT32_MIN / -1: LiteRT gives INT32_MAX */
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
  LF_CHECK(((const int32_t *)lfrt_interp_output_data(r.it, 0))[4] == INT32_MAX);
  d[2] = 0;
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_EINVAL);
  LF_CHECK_MSG(strstr(err.msg, "FLOOR_DIV") && strstr(err.msg, "division by zero") && strstr(err.msg, "element 2"), "%s", err.msg);
  tu_free(&r);
}

/* A constant float divisor with a zero (-0.0 too) is refused at prepare. */
LF_TEST(floor_div_constant_zero_refused) {
  tu_w = lfrt_writer_new();
  int32_t s[1] = {3};
  float bv[3] = {1.5f, -0.0f, 2.0f};
  int a = tu_f32("a", 1, s);
  int b = tu_const("b", LFRT_FLOAT32, 1, s, bv, sizeof bv, NULL);
  int y = tu_f32("y", 1, s);
  int32_t in[2] = {a, b};
  lfrt_writer_add_operator(tu_w, LFRT_OP_FLOOR_DIV, in, 2, &y, 1, NULL);
  lfrt_writer_set_io(tu_w, &a, 1, &y, 1);
  tu_run r;
  lfrt_error err = {{0}};
  LF_CHECK(build(&r, &err) == LFRT_EINVAL);
  LF_CHECK_MSG(strstr(err.msg, "element 1"), "%s", err.msg);
  tu_free(&r);
}

/* GATHER_ND of a [3,4] float table by [2,2] indices given at run time. */
LF_TEST(gather_nd_runtime_indices) {
  tu_w = lfrt_writer_new();
  int32_t ps[2] = {3, 4}, is[2] = {2, 2}, os[1] = {2};
  int x = tu_f32("params", 2, ps);
  int ix = lfrt_writer_add_tensor(tu_w, "indices", LFRT_INT32, 2, is, NULL, 0, NULL);
  int y = tu_f32("out", 1, os);
  int32_t in[2] = {x, ix};
  lfrt_writer_add_operator(tu_w, LFRT_OP_GATHER_ND, in, 2, &y, 1, NULL);
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
  const int32_t good[4] = {2, 3, 1, 0};
  memcpy(ind, good, sizeof good);
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
  const float *o = lfrt_interp_output_data(r.it, 0);
  LF_CHECK(o[0] == 11.0f && o[1] == 4.0f);
  ind[3] = 4; /* [1,4]: flat position 8 is inside params, the index is not (LiteRT refuses it) */
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_EINVAL);
  LF_CHECK_MSG(strstr(err.msg, "GATHER_ND") && strstr(err.msg, "[1,4]") && strstr(err.msg, "slice 1"), "%s", err.msg);
  ind[3] = -1;
  LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_EINVAL);
  LF_CHECK_MSG(strstr(err.msg, "[1,-1]"), "%s", err.msg);
  tu_free(&r);
}

/* GATHER_ND slices (indices [2,1] into [3,2,2] int8 params), and constant indices out of range. */
LF_TEST(gather_nd_slices_and_constant_refused) {
  for (int bad = 0; bad < 2; bad++) {
    tu_w = lfrt_writer_new();
    int32_t ps[3] = {3, 2, 2}, is[2] = {2, 1}, os[3] = {2, 2, 2};
    int64_t iv[2] = {2, bad ? 3 : 0};
    lfrt_quant q = {1, (const float[]){0.5f}, (const int32_t[]){-3}, 0};
    int x = lfrt_writer_add_tensor(tu_w, "params", LFRT_INT8, 3, ps, NULL, 0, &q);
    int ix = tu_const("indices", LFRT_INT64, 2, is, iv, sizeof iv, NULL);
    int y = lfrt_writer_add_tensor(tu_w, "out", LFRT_INT8, 3, os, NULL, 0, &q);
    int32_t in[2] = {x, ix};
    lfrt_writer_add_operator(tu_w, LFRT_OP_GATHER_ND, in, 2, &y, 1, NULL);
    lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
    tu_run r;
    lfrt_error err = {{0}};
    lfrt_status st = build(&r, &err);
    if (bad) {
      LF_CHECK(st == LFRT_EINVAL);
      LF_CHECK_MSG(strstr(err.msg, "index [3]"), "%s", err.msg);
    } else {
      LF_CHECK_MSG(st == LFRT_OK, "%s", err.msg);
      if (r.it) {
        int8_t *p = lfrt_interp_input_data(r.it, 0);
        for (int i = 0; i < 12; i++) p[i] = (int8_t)(i - 6);
        LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
        const int8_t *o = lfrt_interp_output_data(r.it, 0);
        static const int8_t want[8] = {2, 3, 4, 5, -6, -5, -4, -3};
        LF_CHECK(!memcmp(o, want, 8));
      }
    }
    tu_free(&r);
  }
}

/* movenet's pattern: int32 positions (ARG_MAX there) -> FLOOR_DIV by the grid width ->
 * CAST to FLOAT32 and on to INT64 -> GATHER_ND indices: `leapfrog info`'s describe +
 * check mark every node supported, and the chain runs (2 threads). */
LF_TEST(chain_described_supported) {
  tu_w = lfrt_writer_new();
  int32_t s1[2] = {2, 1}, s3[1] = {3}, so[1] = {2}, one[1] = {1}, width[1] = {5};
  int pos = lfrt_writer_add_tensor(tu_w, "pos", LFRT_INT32, 2, s1, NULL, 0, NULL);
  int w = tu_const("width", LFRT_INT32, 1, one, width, sizeof width, NULL);
  int row = lfrt_writer_add_tensor(tu_w, "row", LFRT_INT32, 2, s1, NULL, 0, NULL);
  int rowf = lfrt_writer_add_tensor(tu_w, "rowf", LFRT_FLOAT32, 2, s1, NULL, 0, NULL);
  int rowi = lfrt_writer_add_tensor(tu_w, "rowi", LFRT_INT64, 2, s1, NULL, 0, NULL);
  int col = tu_f32("col", 1, s3);
  int y = tu_f32("y", 1, so);
  int32_t fd[2] = {pos, w}, gn[2] = {col, rowi}, ins[2] = {pos, col};
  lfrt_options o;
  memset(&o, 0, sizeof o);
  lfrt_writer_add_operator(tu_w, LFRT_OP_FLOOR_DIV, fd, 2, &row, 1, NULL);
  o.cast.in_data_type = LFRT_INT32;
  o.cast.out_data_type = LFRT_FLOAT32;
  lfrt_writer_add_operator(tu_w, LFRT_OP_CAST, &row, 1, &rowf, 1, &o);
  o.cast.in_data_type = LFRT_FLOAT32;
  o.cast.out_data_type = LFRT_INT64;
  lfrt_writer_add_operator(tu_w, LFRT_OP_CAST, &rowf, 1, &rowi, 1, &o);
  lfrt_writer_add_operator(tu_w, LFRT_OP_GATHER_ND, gn, 2, &y, 1, NULL);
  lfrt_writer_set_io(tu_w, ins, 2, &y, 1);
  tu_run r;
  memset(&r, 0, sizeof r);
  lfrt_error err = {{0}};
  LF_CHECK(lfrt_writer_finish(tu_w, &r.bytes, &r.len, &err) == LFRT_OK);
  lfrt_writer_free(tu_w);
  tu_w = NULL;
  lfrt_model *m = NULL;
  LF_CHECK_MSG(lfrt_model_describe(r.bytes, r.len, "chain", &m, &err) == LFRT_OK, "%s", err.msg);
  if (m) {
    lfrt_node_support sup[4];
    LF_CHECK_MSG(m->nops == 4 && lfrt_interp_check(m, NULL, sup, &err) == LFRT_OK, "%s", err.msg);
    for (int i = 0; i < m->nops && i < 4; i++)
      LF_CHECK_MSG(!m->ops[i].unsupported && sup[i].status == LFRT_OK, "node %d: %s", i, sup[i].why);
    lfrt_model_free(m);
  }
  LF_CHECK(lfrt_model_load(r.bytes, r.len, "chain", &r.m, &err) == LFRT_OK);
  lfrt_interp_options io = {.threads = 2};
  if (r.m && lfrt_interp_create(r.m, &io, &r.it, &err) == LFRT_OK) {
    int32_t *p = lfrt_interp_input_data(r.it, 0);
    float *c = lfrt_interp_input_data(r.it, 1);
    p[0] = 12; /* row 2 of a width-5 grid */
    p[1] = 4;  /* row 0 */
    c[0] = 10.0f;
    c[1] = 11.0f;
    c[2] = 12.0f;
    LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
    const float *out = lfrt_interp_output_data(r.it, 0);
    LF_CHECK(out[0] == 12.0f && out[1] == 10.0f);
  }
  tu_free(&r);
}

int main(void) {
  LF_RUN(cast_values);
  LF_RUN(floor_div_int32);
  LF_RUN(floor_div_constant_zero_refused);
  LF_RUN(gather_nd_runtime_indices);
  LF_RUN(gather_nd_slices_and_constant_refused);
  LF_RUN(chain_described_supported);
  return lf_test_summary();
}
