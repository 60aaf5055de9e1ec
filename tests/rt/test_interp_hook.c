/* lfrt_interp_invoke_hook / lfrt_interp_tensor_data (what `leapfrog ptq
 * MODEL.tflite` calibrates with): the hook runs once per node, in order, on
 * the invoking thread's schedule, and sees each node's output before a later
 * node reuses its memory; with threads too. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "lfrt.h"

#define N 37 /* odd, so thread slices are uneven */

typedef struct {
  int calls, order_ok;
  int t_add, t_mul, t_out;
  float add[N], mul[N];
  int mismatch;
} seen;

static void hook(void *ctx, const lfrt_interp *it, int node) {
  seen *s = ctx;
  if (node != s->calls) s->order_ok = 0;
  s->calls++;
  const float *y = lfrt_interp_tensor_data(it, node == 0 ? s->t_add : node == 1 ? s->t_mul : s->t_out);
  if (!y) {
    s->mismatch++;
    return;
  }
  if (node == 0) memcpy(s->add, y, sizeof s->add);
  if (node == 1) memcpy(s->mul, y, sizeof s->mul);
}

/* x -> ADD(x, c) -> MUL(., c) -> ADD(., x): three float nodes, the first two outputs dead at the end. */
static void build(void **bytes, size_t *len, int *ta, int *tm, int *to) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t shp[2] = {1, N};
  float c[N];
  for (int i = 0; i < N; i++) c[i] = 0.25f * (float)(i % 7) - 0.5f;
  int x = lfrt_writer_add_tensor(w, "x", LFRT_FLOAT32, 2, shp, NULL, 0, NULL);
  int k = lfrt_writer_add_tensor(w, "c", LFRT_FLOAT32, 2, shp, c, sizeof c, NULL);
  *ta = lfrt_writer_add_tensor(w, "a", LFRT_FLOAT32, 2, shp, NULL, 0, NULL);
  *tm = lfrt_writer_add_tensor(w, "m", LFRT_FLOAT32, 2, shp, NULL, 0, NULL);
  *to = lfrt_writer_add_tensor(w, "y", LFRT_FLOAT32, 2, shp, NULL, 0, NULL);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t i0[2] = {x, k}, o0[1] = {*ta}, i1[2] = {*ta, k}, o1[1] = {*tm}, i2[2] = {*tm, x}, o2[1] = {*to};
  lfrt_writer_add_operator(w, LFRT_OP_ADD, i0, 2, o0, 1, &o);
  lfrt_writer_add_operator(w, LFRT_OP_MUL, i1, 2, o1, 1, &o);
  lfrt_writer_add_operator(w, LFRT_OP_ADD, i2, 2, o2, 1, &o);
  int32_t in[1] = {x}, out[1] = {*to};
  lfrt_writer_set_io(w, in, 1, out, 1);
  lfrt_error e;
  LF_CHECK(lfrt_writer_finish(w, bytes, len, &e) == LFRT_OK);
  lfrt_writer_free(w);
}

static void run(int threads) {
  void *bytes = NULL;
  size_t len = 0;
  seen s;
  memset(&s, 0, sizeof s);
  s.order_ok = 1;
  build(&bytes, &len, &s.t_add, &s.t_mul, &s.t_out);
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  lfrt_error e;
  lfrt_interp_options o = {.threads = threads};
  LF_CHECK(lfrt_model_load(bytes, len, "hook", &m, &e) == LFRT_OK);
  LF_CHECK(m && lfrt_interp_create(m, &o, &it, &e) == LFRT_OK);
  if (!it) {
    lfrt_model_free(m);
    free(bytes);
    return;
  }
  float *x = lfrt_interp_input_data(it, 0), c[N];
  for (int i = 0; i < N; i++) x[i] = (float)i - 11.0f, c[i] = 0.25f * (float)(i % 7) - 0.5f;
  LF_CHECK(lfrt_interp_invoke_hook(it, hook, &s, &e) == LFRT_OK);
  LF_CHECK_MSG(s.calls == 3 && s.order_ok, "calls %d, in order %d", s.calls, s.order_ok);
  LF_CHECK(s.mismatch == 0);
  int bad = 0;
  const float *y = lfrt_interp_output_data(it, 0);
  for (int i = 0; i < N; i++) {
    float a = x[i] + c[i], mm = a * c[i];
    bad += s.add[i] != a || s.mul[i] != mm || y[i] != mm + x[i];
  }
  LF_CHECK_MSG(bad == 0, "%d values differ (threads %d)", bad, threads);
  /* constants and out-of-range indices */
  int kc = lfrt_model_find_tensor(m, "c");
  LF_CHECK(kc >= 0 && lfrt_interp_tensor_data(it, kc) == m->tensors[kc].data);
  LF_CHECK(lfrt_interp_tensor_data(it, -1) == NULL && lfrt_interp_tensor_data(it, m->ntensors) == NULL);
  /* a NULL hook is a plain invoke */
  LF_CHECK(lfrt_interp_invoke_hook(it, NULL, NULL, &e) == LFRT_OK);
  lfrt_interp_free(it);
  lfrt_model_free(m);
  free(bytes);
}

LF_TEST(hook_single_thread) { run(1); }
LF_TEST(hook_threads) { run(3); }

int main(void) {
  LF_RUN(hook_single_thread);
  LF_RUN(hook_threads);
  return lf_test_summary();
}
