/* Interpreter behaviour on a multi-op graph (test_interp_graph.h): results
 * byte-identical for 1, 2, 3 and 5 threads and across repeated invokes; I/O by
 * index and name; caller-owned arena; clear errors for bad arguments and for
 * models that break an op's constraints. */
#include "test_interp_graph.h"

static unsigned char *outputs_of(lfrt_interp *it, size_t *len) {
  size_t n = 0;
  for (int o = 0; o < lfrt_interp_output_count(it); o++) n += lfrt_interp_output(it, o)->bytes;
  unsigned char *buf = malloc(n), *p = buf;
  for (int o = 0; o < lfrt_interp_output_count(it); o++) {
    const lfrt_tensor *t = lfrt_interp_output(it, o);
    memcpy(p, lfrt_interp_output_data(it, o), t->bytes);
    p += t->bytes;
  }
  *len = n;
  return buf;
}

static void thread_invariance(int fp32) {
  build_graph(fp32, 22, 18);
  tu_run r;
  if (tu_prepare(&r, 1)) { tu_free(&r); return; }
  const lfrt_tensor *in = lfrt_interp_input(r.it, 0);
  unsigned char *img = malloc(in->bytes);
  tu_fill_inputs(&r);
  memcpy(img, lfrt_interp_input_data(r.it, 0), in->bytes);
  tu_invoke(&r);
  size_t n0;
  unsigned char *ref = outputs_of(r.it, &n0);
  if (!fp32) tu_digest_add(ref, n0);
  /* the softmax output is a distribution: its int8 values sum to about 256 - 128*5 */
  const lfrt_tensor *pt = lfrt_interp_output(r.it, 0);
  if (!fp32) {
    int sum = 0;
    for (int i = 0; i < 5; i++) sum += ((const int8_t *)lfrt_interp_output_data(r.it, 0))[i] + 128;
    LF_CHECK_MSG(abs(sum - 256) <= 3, "softmax probabilities sum to %d/256", sum);
  }
  LF_CHECK(pt->count == 5);
  lfrt_error err = {{0}};
  static const int threads[] = {1, 2, 3, 5};
  for (int k = 0; k < 4; k++) {
    LF_CHECK(lfrt_interp_set_threads(r.it, threads[k], &err) == LFRT_OK);
    for (int rep = 0; rep < 2; rep++) {
      LF_CHECK(lfrt_interp_invoke(r.it, &err) == LFRT_OK);
      size_t n;
      unsigned char *got = outputs_of(r.it, &n);
      LF_CHECK_MSG(n == n0 && !memcmp(got, ref, n), "%s: %d threads, run %d differs from 1 thread", fp32 ? "f32" : "i8", threads[k], rep);
      LF_CHECK_MSG(!memcmp(lfrt_interp_input_data(r.it, 0), img, in->bytes), "input changed by invoke");
      free(got);
    }
  }
  /* a fresh interpreter created with 3 threads agrees as well */
  lfrt_interp *it3;
  lfrt_interp_options o3 = {.threads = 3};
  LF_CHECK(lfrt_interp_create(r.m, &o3, &it3, &err) == LFRT_OK);
  LF_CHECK(lfrt_interp_set_input(it3, 0, img, in->bytes, &err) == LFRT_OK);
  LF_CHECK(lfrt_interp_invoke(it3, &err) == LFRT_OK);
  size_t n3;
  unsigned char *got3 = outputs_of(it3, &n3);
  LF_CHECK(n3 == n0 && !memcmp(got3, ref, n3));
  free(got3);
  lfrt_interp_free(it3);
  free(ref);
  free(img);
  tu_free(&r);
}

LF_TEST(threads_int8) { thread_invariance(0); }
LF_TEST(threads_f32) { thread_invariance(1); }

LF_TEST(io_and_arena) {
  build_graph(0, 10, 14);
  tu_run r;
  if (tu_prepare(&r, 1)) { tu_free(&r); return; }
  lfrt_interp *it = r.it;
  lfrt_error err = {{0}};
  LF_CHECK(lfrt_interp_input_count(it) == 1 && lfrt_interp_output_count(it) == 3);
  LF_CHECK(lfrt_interp_input_index(it, "image") == 0);
  LF_CHECK(lfrt_interp_output_index(it, "sigmoid") == 1);
  LF_CHECK(lfrt_interp_output_index(it, "nope") == -1 && lfrt_interp_input_index(it, NULL) == -1);
  LF_CHECK(lfrt_interp_input(it, 1) == NULL && lfrt_interp_output(it, -1) == NULL);
  const lfrt_tensor *in = lfrt_interp_input(it, 0);
  LF_CHECK(in->type == LFRT_INT8 && in->bytes == 10 * 14 * 3);
  unsigned char *img = malloc(in->bytes);
  for (size_t i = 0; i < in->bytes; i++) img[i] = (unsigned char)tu_rand();
  LF_CHECK(lfrt_interp_set_input(it, 0, img, in->bytes - 1, &err) == LFRT_EINVAL);
  LF_CHECK_MSG(strstr(err.msg, "image") != NULL, "error names the input: %s", err.msg);
  LF_CHECK(lfrt_interp_set_input(it, 0, img, in->bytes, &err) == LFRT_OK);
  LF_CHECK(lfrt_interp_invoke(it, &err) == LFRT_OK);
  int8_t probs[5], small[4];
  LF_CHECK(lfrt_interp_get_output(it, 0, probs, 5, &err) == LFRT_OK);
  LF_CHECK(!memcmp(probs, lfrt_interp_output_data(it, 0), 5));
  LF_CHECK(lfrt_interp_get_output(it, 0, small, 4, &err) == LFRT_EINVAL);
  size_t nref;
  unsigned char *ref = outputs_of(it, &nref);

  /* caller-owned arena */
  lfrt_interp_stats st;
  lfrt_interp_get_stats(it, &st);
  LF_CHECK(st.arena_bytes == lfrt_interp_arena_bytes(it));
  LF_CHECK(st.arena_bytes > 0 && st.arena_bytes <= st.activation_bytes + 16 * (size_t)st.ntensors_planned);
  LF_CHECK(st.weight_bytes > 0);
  lfrt_interp *ext;
  lfrt_interp_options eo = {.threads = 2, .external_arena = 1};
  LF_CHECK(lfrt_interp_create(r.m, &eo, &ext, &err) == LFRT_OK);
  LF_CHECK(lfrt_interp_input_data(ext, 0) == NULL);
  LF_CHECK(lfrt_interp_invoke(ext, &err) == LFRT_EINVAL); /* no arena yet */
  size_t need = lfrt_interp_arena_bytes(ext);
  size_t planned = 0;
  LF_CHECK(lfrt_interp_plan_bytes(r.m, &planned, &err) == LFRT_OK && planned == need);
  unsigned char *mem = malloc(need + 32);
  unsigned char *aligned = mem + ((16 - ((uintptr_t)mem & 15)) & 15);
  LF_CHECK(lfrt_interp_set_arena(ext, aligned, need - 1, &err) == LFRT_EINVAL);
  LF_CHECK(lfrt_interp_set_arena(ext, aligned + 1, need, &err) == LFRT_EINVAL);
  LF_CHECK(lfrt_interp_set_arena(ext, aligned, need, &err) == LFRT_OK);
  LF_CHECK(lfrt_interp_input_data(ext, 0) != NULL);
  LF_CHECK(lfrt_interp_set_input(ext, 0, img, in->bytes, &err) == LFRT_OK);
  LF_CHECK(lfrt_interp_invoke(ext, &err) == LFRT_OK);
  size_t n2;
  unsigned char *got = outputs_of(ext, &n2);
  LF_CHECK(n2 == nref && !memcmp(got, ref, n2));
  LF_CHECK(lfrt_interp_set_threads(ext, 0, &err) == LFRT_EINVAL);
  LF_CHECK(lfrt_interp_set_threads(ext, 65, &err) == LFRT_EINVAL);
  free(got);
  lfrt_interp_free(ext);
  free(mem);
  free(ref);
  free(img);
  tu_free(&r);
}

/* Models that break an op's constraints are refused at prepare, naming the node. */
static void expect_refused(const char *what, const char *needle) {
  lfrt_error err = {{0}};
  void *bytes;
  size_t len;
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  LF_CHECK(lfrt_writer_finish(tu_w, &bytes, &len, &err) == LFRT_OK);
  lfrt_writer_free(tu_w);
  tu_w = NULL;
  lfrt_status st = lfrt_model_load(bytes, len, "bad.tflite", &m, &err);
  if (st == LFRT_OK) st = lfrt_interp_create(m, NULL, &it, &err);
  LF_CHECK_MSG(st != LFRT_OK, "%s: accepted", what);
  LF_CHECK_MSG(strstr(err.msg, needle) != NULL, "%s: message '%s' lacks '%s'", what, err.msg, needle);
  lfrt_interp_free(it);
  lfrt_model_free(m);
  free(bytes);
}

LF_TEST(refuses_bad_models) {
  lfrt_options o;
  int32_t xs[4] = {1, 5, 5, 2}, ys[4] = {1, 5, 5, 4}, ws[4] = {4, 3, 3, 2}, bs[1] = {4};
  int8_t w[72] = {0};
  int32_t b[4] = {0};
  float wsc = 0.01f, bsc = 0.001f;
  int32_t wz = 3, z0 = 0;
  /* conv weights with a non-zero zero point */
  tu_w = lfrt_writer_new();
  int x = tu_q8("x", 4, xs, 0.1f, 0), y = tu_q8("y", 4, ys, 0.1f, 0);
  lfrt_quant wq = {1, &wsc, &wz, 0}, bq = {1, &bsc, &z0, 0};
  int wt = tu_const("w", LFRT_INT8, 4, ws, w, 72, &wq), bt = tu_const("b", LFRT_INT32, 1, bs, b, 16, &bq);
  memset(&o, 0, sizeof o);
  o.conv.padding = LFRT_PADDING_SAME; o.conv.stride_h = o.conv.stride_w = 1;
  g_op(LFRT_OP_CONV_2D, (int32_t[]){x, wt, bt}, 3, y, &o);
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  expect_refused("weight zero point", "node 0 (CONV_2D)");
  /* conv output shape that disagrees with the op */
  tu_w = lfrt_writer_new();
  int32_t wrong[4] = {1, 4, 5, 4};
  x = tu_q8("x", 4, xs, 0.1f, 0);
  y = tu_q8("y", 4, wrong, 0.1f, 0);
  wz = 0;
  wt = tu_const("w", LFRT_INT8, 4, ws, w, 72, &wq);
  bt = tu_const("b", LFRT_INT32, 1, bs, b, 16, &bq);
  g_op(LFRT_OP_CONV_2D, (int32_t[]){x, wt, bt}, 3, y, &o);
  lfrt_writer_set_io(tu_w, &x, 1, &y, 1);
  expect_refused("conv output shape", "the op gives [1,5,5,4]");
  /* ADD of shapes that do not broadcast */
  tu_w = lfrt_writer_new();
  int32_t as[4] = {1, 5, 5, 2}, bsh[2] = {3, 2};
  int a = tu_q8("a", 4, as, 0.1f, 0), bb = tu_q8("b", 2, bsh, 0.1f, 0), s = tu_q8("s", 4, as, 0.1f, 0);
  memset(&o, 0, sizeof o);
  g_op(LFRT_OP_ADD, (int32_t[]){a, bb}, 2, s, &o);
  lfrt_writer_set_io(tu_w, (int32_t[]){a, bb}, 2, &s, 1);
  expect_refused("add broadcast", "do not broadcast");
  /* CONCATENATION with different quantization */
  tu_w = lfrt_writer_new();
  int32_t cs[4] = {1, 5, 5, 4};
  a = tu_q8("a", 4, as, 0.1f, 0);
  bb = tu_q8("b", 4, as, 0.2f, 0);
  s = tu_q8("cat", 4, cs, 0.1f, 0);
  memset(&o, 0, sizeof o);
  o.concat.axis = 3;
  g_op(LFRT_OP_CONCATENATION, (int32_t[]){a, bb}, 2, s, &o);
  lfrt_writer_set_io(tu_w, (int32_t[]){a, bb}, 2, &s, 1);
  expect_refused("concat quantization", "must share quantization");
  /* int8 SOFTMAX whose output is not scale 1/256, zero point -128 */
  tu_w = lfrt_writer_new();
  int32_t ls[2] = {1, 7};
  a = tu_q8("a", 2, ls, 0.1f, 0);
  s = tu_q8("p", 2, ls, 0.1f, 0);
  memset(&o, 0, sizeof o);
  o.softmax.beta = 1;
  g_op(LFRT_OP_SOFTMAX, (int32_t[]){a}, 1, s, &o);
  lfrt_writer_set_io(tu_w, &a, 1, &s, 1);
  expect_refused("softmax output quantization", "scale 1/256");
}

int main(void) {
  /* LF_INTERP_WRITE_MODEL=PATH: write the int8 graph (input [1,22,18,3]) for
   * tests/test_cli_invoke.sh and exit */
  const char *wm = getenv("LF_INTERP_WRITE_MODEL");
  if (wm && *wm) {
    lfrt_error err = {{0}};
    build_graph(0, 22, 18);
    lfrt_status st = lfrt_writer_write_file(tu_w, wm, &err);
    lfrt_writer_free(tu_w);
    if (st != LFRT_OK) fprintf(stderr, "%s\n", err.msg);
    return st == LFRT_OK ? 0 : 1;
  }
  LF_RUN(threads_int8);
  LF_RUN(threads_f32);
  LF_RUN(io_and_arena);
  LF_RUN(refuses_bad_models);
  tu_digest_write("test_interp");
  return lf_test_summary();
}
