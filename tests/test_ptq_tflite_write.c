/* ptq of an FP32 .tflite, the rewrite alone (no images, no LiteRT): a float
 * model x -> DEPTHWISE_CONV_2D (multiplier 2) -> CONCATENATION(a, x) -> TANH
 * -> MEAN -> RESHAPE -> SOFTMAX written with given ranges, --io uint8. Checks
 * TFLite's int8 rules on the result: per-channel weights along axis 3, bias
 * scale = input scale x weight scale, one quantisation for the concatenation's
 * inputs and output (the union of their ranges) and for RESHAPE, 1/256 and
 * -128 after SOFTMAX, TANH kept float between DEQUANTIZE and QUANTIZE, uint8
 * ends; the runtime prepares it. Without allow_float TANH is refused by name. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "leapfrog/lf_quant.h"
#include "lfrt.h"
#include "quant/ptq_tflite_internal.h"

static void *float_model(size_t *len) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t sx[4] = {1, 5, 5, 3}, sw[4] = {1, 3, 3, 6}, sb[1] = {6}, sa[4] = {1, 5, 5, 6}, sc[4] = {1, 5, 5, 9},
          sm[4] = {1, 1, 1, 9}, sr[2] = {1, 9}, s1[1] = {2};
  float wt[54], b[6];
  for (int i = 0; i < 54; i++) wt[i] = 0.05f * (float)((i * 7) % 13 - 6) * (float)(1 + i % 6);
  for (int i = 0; i < 6; i++) b[i] = 0.1f * (float)i - 0.2f;
  int32_t axes[2] = {1, 2}, shape[2] = {1, 9};
  int x = lfrt_writer_add_tensor(w, "x", LFRT_FLOAT32, 4, sx, NULL, 0, NULL);
  int kw = lfrt_writer_add_tensor(w, "w", LFRT_FLOAT32, 4, sw, wt, sizeof wt, NULL);
  int kb = lfrt_writer_add_tensor(w, "b", LFRT_FLOAT32, 1, sb, b, sizeof b, NULL);
  int a = lfrt_writer_add_tensor(w, "a", LFRT_FLOAT32, 4, sa, NULL, 0, NULL);
  int c = lfrt_writer_add_tensor(w, "c", LFRT_FLOAT32, 4, sc, NULL, 0, NULL);
  int t = lfrt_writer_add_tensor(w, "t", LFRT_FLOAT32, 4, sc, NULL, 0, NULL);
  int ka = lfrt_writer_add_tensor(w, "axes", LFRT_INT32, 1, s1, axes, sizeof axes, NULL);
  int m = lfrt_writer_add_tensor(w, "m", LFRT_FLOAT32, 4, sm, NULL, 0, NULL);
  int ks = lfrt_writer_add_tensor(w, "shape", LFRT_INT32, 1, s1, shape, sizeof shape, NULL);
  int r = lfrt_writer_add_tensor(w, "r", LFRT_FLOAT32, 2, sr, NULL, 0, NULL);
  int y = lfrt_writer_add_tensor(w, "y", LFRT_FLOAT32, 2, sr, NULL, 0, NULL);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.depthwise.padding = LFRT_PADDING_SAME;
  o.depthwise.depth_multiplier = 2;
  int32_t i0[3] = {x, kw, kb}, o0[1] = {a};
  lfrt_writer_add_operator(w, LFRT_OP_DEPTHWISE_CONV_2D, i0, 3, o0, 1, &o);
  memset(&o, 0, sizeof o);
  o.concat.axis = 3;
  int32_t i1[2] = {a, x}, o1[1] = {c};
  lfrt_writer_add_operator(w, LFRT_OP_CONCATENATION, i1, 2, o1, 1, &o);
  int32_t i2[1] = {c}, o2[1] = {t};
  lfrt_writer_add_operator(w, LFRT_OP_TANH, i2, 1, o2, 1, NULL);
  memset(&o, 0, sizeof o);
  o.reducer.keep_dims = 1;
  int32_t i3[2] = {t, ka}, o3[1] = {m};
  lfrt_writer_add_operator(w, LFRT_OP_MEAN, i3, 2, o3, 1, &o);
  memset(&o, 0, sizeof o);
  o.reshape.num_dims = 2;
  o.reshape.new_shape[0] = 1;
  o.reshape.new_shape[1] = 9;
  int32_t i4[2] = {m, ks}, o4[1] = {r};
  lfrt_writer_add_operator(w, LFRT_OP_RESHAPE, i4, 2, o4, 1, &o);
  memset(&o, 0, sizeof o);
  o.softmax.beta = 1.0f;
  int32_t i5[1] = {r}, o5[1] = {y};
  lfrt_writer_add_operator(w, LFRT_OP_SOFTMAX, i5, 1, o5, 1, &o);
  int32_t in[1] = {x}, out[1] = {y};
  lfrt_writer_set_io(w, in, 1, out, 1);
  void *bytes = NULL;
  lfrt_error e;
  if (lfrt_writer_finish(w, &bytes, len, &e) != LFRT_OK) bytes = NULL;
  lfrt_writer_free(w);
  return bytes;
}

static const lfrt_tensor *named(const lfrt_model *m, const char *name) {
  int t = lfrt_model_find_tensor(m, name);
  return t >= 0 ? &m->tensors[t] : NULL;
}

static int same_q(const lfrt_tensor *a, const lfrt_tensor *b) {
  return a && b && a->quant.count == 1 && b->quant.count == 1 && a->quant.scale[0] == b->quant.scale[0] &&
         a->quant.zero_point[0] == b->quant.zero_point[0];
}

LF_TEST(rewrite_follows_the_int8_rules) {
  size_t len = 0;
  void *fb = float_model(&len);
  LF_CHECK(fb != NULL);
  lfrt_model *m = NULL, *q = NULL;
  lfrt_error e;
  LF_CHECK(fb && lfrt_model_load(fb, len, "float", &m, &e) == LFRT_OK);
  if (!m) {
    free(fb);
    return;
  }
  signed char mode[6];
  LF_CHECK(lq_tfl_plan(m, 0, "float", mode) != LF_OK);
  LF_CHECK_MSG(strstr(lf_last_error(), "TANH") && strstr(lf_last_error(), "--allow-float"), "%s", lf_last_error());
  LF_CHECK(lq_tfl_plan(m, 1, "float", mode) == LF_OK);
  LF_CHECK(mode[0] == LQ_TFL_INT8 && mode[1] == LQ_TFL_INT8 && mode[2] == LQ_TFL_FLOAT && mode[3] == LQ_TFL_INT8);
  float lo[16], hi[16];
  for (int t = 0; t < 16; t++) lo[t] = hi[t] = 0;
  struct { const char *n; float lo, hi; } r[] = {{"x", -1, 2}, {"a", -3, 4}, {"c", -2, 1}, {"t", -1, 1},
                                                  {"m", -0.25f, 0.5f}, {"r", -1, 0.25f}, {"y", 0, 1}};
  for (size_t k = 0; k < sizeof r / sizeof *r; k++) {
    int t = lfrt_model_find_tensor(m, r[k].n);
    LF_CHECK(t >= 0 && t < 16);
    if (t >= 0 && t < 16) lo[t] = r[k].lo, hi[t] = r[k].hi;
  }
  void *qb = NULL;
  size_t qlen = 0;
  int n8 = 0, nf = 0;
  LF_CHECK(lq_tfl_write(m, mode, lo, hi, LF_PTQ_IO_UINT8, "{\"precision\":\"int8\"}", &qb, &qlen, &n8, &nf) == LF_OK);
  LF_CHECK_MSG(n8 == 5 && nf == 1, "int8 ops %d, float ops %d", n8, nf);
  LF_CHECK(qb && lfrt_model_load(qb, qlen, "int8", &q, &e) == LFRT_OK);
  if (q) {
    lf_qparams want;
    LF_CHECK(lf_qparams_asym(-3, 4, -128, 127, &want, NULL, NULL) == LF_OK); /* x, a, c: one group */
    const lfrt_tensor *x = named(q, "x"), *a = named(q, "a"), *c = named(q, "c"), *w = named(q, "w"), *b = named(q, "b");
    LF_CHECK(x && x->type == LFRT_INT8 && x->quant.scale[0] == want.scale && x->quant.zero_point[0] == want.zero_point);
    LF_CHECK(same_q(x, a) && same_q(a, c));
    LF_CHECK(same_q(named(q, "m"), named(q, "r")));
    const lfrt_tensor *y = named(q, "y"), *xu = named(q, "x_uint8"), *yu = named(q, "y_uint8");
    LF_CHECK(y && y->type == LFRT_INT8 && y->quant.scale[0] == 1.0f / 256 && y->quant.zero_point[0] == -128);
    LF_CHECK(xu && xu->type == LFRT_UINT8 && xu->quant.zero_point[0] == want.zero_point + 128 && q->inputs[0] == xu - q->tensors);
    LF_CHECK(yu && yu->type == LFRT_UINT8 && yu->quant.zero_point[0] == 0 && q->outputs[0] == yu - q->tensors);
    LF_CHECK(w && w->type == LFRT_INT8 && w->quant.count == 6 && w->quant.axis == 3);
    LF_CHECK(b && b->type == LFRT_INT32 && b->quant.count == 6);
    const float *wf = named(m, "w")->data;
    for (int ch = 0; w && b && ch < 6; ch++) {
      float mx = 0;
      for (int k = 0; k < 9; k++) mx = fmaxf(mx, fabsf(wf[k * 6 + ch]));
      LF_CHECK_MSG(w->quant.scale[ch] == mx / 127.0f, "channel %d weight scale %g, want %g", ch, w->quant.scale[ch], mx / 127.0f);
      LF_CHECK(b->quant.scale[ch] == x->quant.scale[0] * w->quant.scale[ch]);
    }
    /* TANH: FLOAT32 in and out, from a DEQUANTIZE and into a QUANTIZE */
    int tanh_ops = 0, deq = 0, qnt = 0;
    for (int i = 0; i < q->nops; i++) {
      const lfrt_operator *op = &q->ops[i];
      if (op->op == LFRT_OP_TANH) {
        tanh_ops++;
        LF_CHECK(q->tensors[op->inputs[0]].type == LFRT_FLOAT32 && q->tensors[op->outputs[0]].type == LFRT_FLOAT32);
      }
      deq += op->op == LFRT_OP_DEQUANTIZE;
      qnt += op->op == LFRT_OP_QUANTIZE;
    }
    LF_CHECK_MSG(tanh_ops == 1 && deq == 1 && qnt == 3, "TANH %d, DEQUANTIZE %d, QUANTIZE %d", tanh_ops, deq, qnt);
    lfrt_interp *it = NULL;
    LF_CHECK_MSG(lfrt_interp_create(q, NULL, &it, &e) == LFRT_OK, "%s", e.msg);
    if (it) LF_CHECK(lfrt_interp_invoke(it, &e) == LFRT_OK);
    lfrt_interp_free(it);
  }
  lfrt_model_free(q);
  lfrt_model_free(m);
  free(qb);
  free(fb);
}

int main(void) {
  LF_RUN(rewrite_follows_the_int8_rules);
  return lf_test_summary();
}
