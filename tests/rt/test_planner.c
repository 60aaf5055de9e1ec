/* Memory planner: no two tensors that are alive at the same time overlap,
 * every tensor lies inside the arena, the arena is no larger than the sum of
 * all activations, reuse actually happens (a chain needs 3 buffers: the input,
 * which is kept, plus ping-pong), and a planned graph still computes the same
 * bytes as with more threads (tested in test_interp). */
#include "test_interp_graph.h"

static void check_plan(const char *what, lfrt_interp *it, const lfrt_model *m) {
  size_t arena = lfrt_interp_arena_bytes(it), sum = 0;
  int planned = 0, overlaps = 0;
  for (int t = 0; t < m->ntensors; t++) {
    long off = lfrt_interp_tensor_offset(it, t);
    if (off < 0) continue; /* constant or unused */
    LF_CHECK_MSG(m->tensors[t].data == NULL, "%s: constant tensor %d planned", what, t);
    LF_CHECK_MSG(off % 16 == 0, "%s: tensor %d misaligned", what, t);
    LF_CHECK_MSG((size_t)off + m->tensors[t].bytes <= arena, "%s: tensor %d outside the arena", what, t);
    sum += m->tensors[t].bytes;
    planned++;
    int f1, l1;
    lfrt_interp_tensor_lifetime(it, t, &f1, &l1);
    LF_CHECK(f1 <= l1);
    for (int u = t + 1; u < m->ntensors; u++) {
      long ou = lfrt_interp_tensor_offset(it, u);
      if (ou < 0) continue;
      int f2, l2;
      lfrt_interp_tensor_lifetime(it, u, &f2, &l2);
      if (f2 > l1 || f1 > l2) continue; /* never alive together */
      size_t a0 = (size_t)off, a1 = a0 + m->tensors[t].bytes, b0 = (size_t)ou, b1 = b0 + m->tensors[u].bytes;
      if (a0 < b1 && b0 < a1 && overlaps++ < 3)
        LF_CHECK_MSG(0, "%s: tensors %d [%d,%d] and %d [%d,%d] overlap", what, t, f1, l1, u, f2, l2);
    }
  }
  LF_CHECK_MSG(overlaps == 0, "%s: %d overlapping pairs", what, overlaps);
  LF_CHECK_MSG(arena <= sum + 16 * (size_t)planned, "%s: arena %zu > sum %zu", what, arena, sum);
  printf("%-28s %3d tensors: arena %8zu bytes, sum of activations %8zu (%.0f%%)\n", what, planned, arena, sum,
         100.0 * arena / (sum ? sum : 1));
}

LF_TEST(graph_plans) {
  for (int fp32 = 0; fp32 < 2; fp32++) {
    build_graph(fp32, 30, 26);
    tu_run r;
    if (tu_prepare(&r, 1)) { tu_free(&r); continue; }
    check_plan(fp32 ? "densenet-ish graph f32" : "densenet-ish graph i8", r.it, r.m);
    lfrt_interp_stats st;
    lfrt_interp_get_stats(r.it, &st);
    LF_CHECK_MSG(st.arena_bytes < st.activation_bytes, "no reuse: arena %zu, activations %zu", st.arena_bytes, st.activation_bytes);
    tu_free(&r);
  }
}

/* x -> relu -> relu -> ... (n ops, all [1,h,w,c] int8): the input stays, the
 * rest ping-pongs between two regions. */
LF_TEST(chain_ping_pong) {
  int32_t s[4] = {1, 9, 7, 5};
  size_t bytes = 9 * 7 * 5, aligned = (bytes + 15) / 16 * 16;
  tu_w = lfrt_writer_new();
  int prev = tu_q8("x", 4, s, 0.1f, 0), first = prev;
  char nm[16];
  for (int i = 0; i < 12; i++) {
    snprintf(nm, sizeof nm, "r%d", i);
    int y = tu_q8(nm, 4, s, 0.1f, 0);
    int32_t ins[1] = {prev}, outs[1] = {y};
    lfrt_writer_add_operator(tu_w, LFRT_OP_RELU, ins, 1, outs, 1, NULL);
    prev = y;
  }
  lfrt_writer_set_io(tu_w, &first, 1, &prev, 1);
  tu_run r;
  if (tu_prepare(&r, 1)) { tu_free(&r); return; }
  check_plan("relu chain x12", r.it, r.m);
  LF_CHECK_MSG(lfrt_interp_arena_bytes(r.it) == 3 * aligned, "arena %zu, want %zu", lfrt_interp_arena_bytes(r.it), 3 * aligned);
  tu_fill_inputs(&r);
  tu_invoke(&r);
  /* relu with equal quantization is max(x, zp) */
  const int8_t *x = lfrt_interp_input_data(r.it, 0), *y = lfrt_interp_output_data(r.it, 0);
  int bad = 0;
  for (size_t i = 0; i < bytes; i++) bad += y[i] != (x[i] > 0 ? x[i] : 0);
  LF_CHECK(bad == 0);
  tu_free(&r);
}

/* Random DAGs of ADDs over earlier tensors (fan-out, long lifetimes, sizes vary). */
LF_TEST(random_dags) {
  for (int g = 0; g < 20; g++) {
    tu_w = lfrt_writer_new();
    int n = tu_randint(3, 25), C = 8;
    int tens[32], sizes[32];
    int32_t s0[4] = {1, 1, tu_randint(1, 40), C};
    tens[0] = tu_q8("x", 4, s0, 0.1f, 0);
    sizes[0] = s0[2];
    char nm[16];
    for (int i = 1; i <= n; i++) {
      int a = tu_randint(0, i - 1), b = tu_randint(0, i - 1);
      /* broadcast [1,1,w,C] + [1,1,1,C] keeps the larger width */
      int wa = sizes[a], wb = sizes[b];
      if (wa != wb && wa != 1 && wb != 1) b = a, wb = wa;
      int w = wa > wb ? wa : wb;
      int32_t s[4] = {1, 1, w, C};
      snprintf(nm, sizeof nm, "t%d", i);
      tens[i] = tu_q8(nm, 4, s, 0.1f, 0);
      sizes[i] = w;
      int32_t ins[2] = {tens[a], tens[b]}, outs[1] = {tens[i]};
      lfrt_options o;
      memset(&o, 0, sizeof o);
      lfrt_writer_add_operator(tu_w, LFRT_OP_ADD, ins, 2, outs, 1, &o);
    }
    int32_t outs[2] = {tens[n], tens[n / 2 + 1]};
    lfrt_writer_set_io(tu_w, &tens[0], 1, outs, n / 2 + 1 == n ? 1 : 2);
    tu_run r;
    if (tu_prepare(&r, 1)) { tu_free(&r); continue; }
    char what[32];
    snprintf(what, sizeof what, "random dag %d (%d ops)", g, n);
    check_plan(what, r.it, r.m);
    tu_free(&r);
  }
}

int main(void) {
  LF_RUN(graph_plans);
  LF_RUN(chain_ping_pong);
  LF_RUN(random_dags);
  return lf_test_summary();
}
