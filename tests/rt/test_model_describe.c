/* lfrt_model_describe + lfrt_interp_check (what `leapfrog info` reports):
 * models the runtime cannot run are read and every node gets the reason
 * lfrt_interp_create / lfrt_model_load would give, past the first failure;
 * on every test model, check and create agree.
 *   test_model_describe --write DIR   writes the odd models (unsupported op,
 *   op version, dynamic shape, float op, bad prepare) for the shell tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "lfrt.h"
#include "rt/tflite_test_models.h"

/* SIN (66): valid TFLite without options that the runtime does not run
 * (a later runtime may: then pick another op the runtime lacks). */
#define LFRT_OP_SIN_TEST 66

/* int8 [1,6,6,3] -> CONV 3x3 (4 ch) -> `mid` -> CONV 1x1 (2 ch); mid < 0: none. */
static lfrt_writer *three_node(int mid, int mid_version, int dyn_batch) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t xs[4] = {1, 6, 6, 3}, ws[4] = {4, 3, 3, 3}, hs[4] = {1, 6, 6, 4}, w2s[4] = {2, 1, 1, 4}, ys[4] = {1, 6, 6, 2};
  int x = tm_act(w, "input", 4, xs, 0.05f, -3), wt, bt, w2, b2;
  tm_weights(w, "w1", 4, ws, 0, 0.05f, &wt, &bt);
  int h = tm_act(w, "h", 4, hs, 0.1f, 0);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.conv.padding = LFRT_PADDING_SAME;
  int32_t in1[3] = {x, wt, bt}, out1[1] = {h};
  lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, in1, 3, out1, 1, &o);
  int last = h;
  if (mid >= 0) {
    int g = tm_act(w, "g", 4, hs, 1.0f / 128, 0);
    int32_t in2[1] = {h}, out2[1] = {g};
    lfrt_writer_add_operator(w, (lfrt_op)mid, in2, 1, out2, 1, NULL);
    if (mid_version) lfrt_writer_set_op_version(w, 1, mid_version);
    last = g;
  }
  tm_weights(w, "w2", 4, w2s, 0, mid >= 0 ? 1.0f / 128 : 0.1f, &w2, &b2);
  int y = tm_act(w, "output", 4, ys, 0.2f, 5);
  int32_t in3[3] = {last, w2, b2}, out3[1] = {y};
  lfrt_writer_add_operator(w, LFRT_OP_CONV_2D, in3, 3, out3, 1, &o);
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  if (dyn_batch) {
    int32_t sig[4] = {-1, 6, 6, 3};
    lfrt_writer_set_shape_signature(w, x, sig);
  }
  return w;
}

/* int8 softmax whose output quantization is not 1/256, -128 (prepare refuses
 * it), twice, with a good RELU between them: check reports both. */
static lfrt_writer *bad_prepare(void) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t s[2] = {1, 10};
  int x = tm_act(w, "input", 2, s, 0.1f, 0), a = tm_act(w, "a", 2, s, 0.5f, 0);
  int b = tm_act(w, "b", 2, s, 0.5f, 0), c = tm_act(w, "c", 2, s, 0.5f, 0);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  o.softmax.beta = 1.0f;
  int32_t i0[1] = {x}, o0[1] = {a}, i1[1] = {a}, o1[1] = {b}, i2[1] = {b}, o2[1] = {c};
  lfrt_writer_add_operator(w, LFRT_OP_SOFTMAX, i0, 1, o0, 1, &o);
  lfrt_writer_add_operator(w, LFRT_OP_RELU, i1, 1, o1, 1, NULL);
  lfrt_writer_add_operator(w, LFRT_OP_SOFTMAX, i2, 1, o2, 1, &o);
  lfrt_writer_set_io(w, &x, 1, &c, 1);
  return w;
}

static void *finish(lfrt_writer *w, size_t *len) {
  void *b = NULL;
  *len = 0;
  LF_CHECK_MSG(w && lfrt_writer_finish(w, &b, len, NULL) == LFRT_OK, "writer: %s", lfrt_writer_error(w));
  lfrt_writer_free(w);
  return b;
}

/* Both loads, check and create; they must agree. Returns the described model
 * (caller frees) and the per-node answers in *sup (caller frees). */
static lfrt_model *agree(const void *b, size_t len, const char *what, lfrt_node_support **sup, lfrt_status *check_st) {
  lfrt_model *strict = NULL, *desc = NULL;
  lfrt_error e1, e2, e3, e4;
  e1.msg[0] = e2.msg[0] = e3.msg[0] = e4.msg[0] = 0;
  lfrt_status ls = lfrt_model_load(b, len, "m.tflite", &strict, &e1);
  LF_CHECK_MSG(lfrt_model_describe(b, len, "m.tflite", &desc, &e2) == LFRT_OK, "%s: describe: %s", what, e2.msg);
  *sup = calloc((size_t)(desc ? desc->nops : 0) + 1, sizeof **sup);
  if (!desc) return NULL;
  lfrt_status cs = lfrt_interp_check(desc, NULL, *sup, &e3);
  *check_st = cs;
  lfrt_interp *it = NULL;
  lfrt_status is = lfrt_interp_create(desc, NULL, &it, &e4);
  /* create on the described model fails exactly as check says, same message */
  LF_CHECK_MSG(is == cs, "%s: create %s, check %s", what, lfrt_status_str(is), lfrt_status_str(cs));
  if (is && cs) LF_CHECK_MSG(!strcmp(e3.msg, e4.msg), "%s: check '%s' vs create '%s'", what, e3.msg, e4.msg);
  int bad = 0;
  for (int i = 0; i < desc->nops; i++) bad += (*sup)[i].status != LFRT_OK;
  LF_CHECK_MSG((bad == 0) == (cs == LFRT_OK), "%s: %d bad nodes but check %s", what, bad, lfrt_status_str(cs));
  if (ls == LFRT_OK) { /* a strict load: create gives the same answer as on the described model */
    lfrt_interp *it2 = NULL;
    lfrt_error e5;
    lfrt_status s2 = lfrt_interp_create(strict, NULL, &it2, &e5);
    LF_CHECK_MSG(s2 == is, "%s: strict create %s, described %s", what, lfrt_status_str(s2), lfrt_status_str(is));
    lfrt_interp_free(it2);
  } else { /* a load refusal is the check's first reason, word for word */
    LF_CHECK_MSG(cs == ls && !strcmp(e1.msg, e3.msg), "%s: load '%s' (%s) vs check '%s' (%s)", what, e1.msg,
                 lfrt_status_str(ls), e3.msg, lfrt_status_str(cs));
  }
  lfrt_interp_free(it);
  lfrt_model_free(strict);
  return desc;
}

static void unsupported_op(void) {
  size_t len;
  void *b = finish(three_node(LFRT_OP_SIN_TEST, 0, 0), &len);
  lfrt_node_support *sup;
  lfrt_status cs;
  lfrt_model *m = agree(b, len, "sin", &sup, &cs);
  LF_CHECK(m && m->nops == 3 && cs == LFRT_EUNSUPPORTED);
  if (m) {
    LF_CHECK(sup[0].status == LFRT_OK && sup[2].status == LFRT_OK && sup[1].status == LFRT_EUNSUPPORTED);
    LF_CHECK_MSG(strstr(sup[1].why, "node 1") && strstr(sup[1].why, "SIN) is not supported"), "%s", sup[1].why);
    LF_CHECK(m->ops[1].unsupported && !m->ops[0].unsupported && (int)m->ops[1].op == LFRT_OP_SIN_TEST);
  }
  free(sup);
  lfrt_model_free(m);
  free(b);
}

static void op_version(void) {
  size_t len;
  void *b = finish(three_node(LFRT_OP_RELU, 9, 0), &len);
  lfrt_node_support *sup;
  lfrt_status cs;
  lfrt_model *m = agree(b, len, "relu v9", &sup, &cs);
  LF_CHECK(m && cs == LFRT_EUNSUPPORTED && sup[1].status == LFRT_EUNSUPPORTED);
  if (m) LF_CHECK_MSG(strstr(sup[1].why, "version 9 is not supported"), "%s", sup[1].why);
  free(sup);
  lfrt_model_free(m);
  free(b);
}

static void dynamic_shape(void) {
  size_t len;
  void *b = finish(three_node(-1, 0, 1), &len);
  lfrt_node_support *sup;
  lfrt_status cs;
  lfrt_model *m = agree(b, len, "dynamic", &sup, &cs);
  /* the runtime runs the stored shape (as LiteRT does before a resize) */
  LF_CHECK(m && cs == LFRT_OK && m->tensors[m->inputs[0]].dynamic == 1 && m->tensors[m->outputs[0]].dynamic == 0);
  free(sup);
  lfrt_model_free(m);
  free(b);
}

static void prepare_refusals(void) {
  size_t len;
  void *b = finish(bad_prepare(), &len);
  lfrt_node_support *sup;
  lfrt_status cs;
  lfrt_model *m = agree(b, len, "bad softmax", &sup, &cs);
  LF_CHECK(m && cs == LFRT_EUNSUPPORTED);
  if (m) {
    LF_CHECK(sup[0].status && !sup[1].status && sup[2].status);
    LF_CHECK_MSG(strstr(sup[2].why, "node 2 (SOFTMAX)") && strstr(sup[2].why, "1/256"), "%s", sup[2].why);
  }
  free(sup);
  lfrt_model_free(m);
  free(b);
}

/* Every test model: check and create agree, and the loads agree. */
static void all_test_models(void) {
  for (int k = 0; k < TM_NMODELS; k++) {
    size_t len;
    void *b = finish(tm_build(k), &len);
    lfrt_node_support *sup;
    lfrt_status cs = LFRT_OK;
    lfrt_model *m = agree(b, len, tm_models[k].name, &sup, &cs);
    LF_CHECK_MSG(cs == LFRT_OK, "%s: %s", tm_models[k].name, sup ? sup[0].why : "");
    free(sup);
    lfrt_model_free(m);
    free(b);
  }
}

static int write_one(lfrt_writer *w, const char *dir, const char *name) {
  char path[1024];
  lfrt_error err;
  snprintf(path, sizeof path, "%s/%s.tflite", dir, name);
  int rc = !w || lfrt_writer_write_file(w, path, &err) != LFRT_OK;
  if (rc) fprintf(stderr, "%s: %s\n", path, w ? err.msg : "out of memory");
  lfrt_writer_free(w);
  return rc;
}

/* coral: a variable (state) tensor is valid input to a node before any node
 * writes it (Coral's keras_lstm_mnist_ptq: the LSTM's output and cell state);
 * describe lists the model, the reader refuses the node clearly (the runtime
 * keeps no state). The same tensor without is_variable is a bad file. */
static void *state_model(int variable, size_t *len) {
  lfrt_writer *w = lfrt_writer_new();
  int32_t s[2] = {1, 4};
  int x = tm_act(w, "input", 2, s, 0.1f, 0), st = tm_act(w, "state", 2, s, 0.1f, 0), y = tm_act(w, "output", 2, s, 0.2f, 0);
  if (variable) lfrt_writer_set_variable(w, st);
  lfrt_options o;
  memset(&o, 0, sizeof o);
  int32_t in[2] = {x, st}, out[1] = {y};
  lfrt_writer_add_operator(w, LFRT_OP_ADD, in, 2, out, 1, &o);
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  return finish(w, len);
}
static void variable_state(void) {
  size_t len;
  void *b = state_model(1, &len);
  lfrt_node_support *sup;
  lfrt_status cs;
  lfrt_model *m = agree(b, len, "variable", &sup, &cs);
  LF_CHECK(m && m->nops == 1 && cs == LFRT_EUNSUPPORTED && m->tensors[1].is_variable);
  if (m) LF_CHECK_MSG(strstr(sup[0].why, "input 1 (tensor 1 'state') is a variable (state) tensor"), "%s", sup[0].why);
  free(sup);
  lfrt_model_free(m);
  free(b);
  b = state_model(0, &len);
  lfrt_error e;
  e.msg[0] = 0;
  m = NULL;
  LF_CHECK(lfrt_model_describe(b, len, "m.tflite", &m, &e) == LFRT_EBADFILE && strstr(e.msg, "is not computed before"));
  lfrt_model_free(m);
  free(b);
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--write")) {
    return write_one(three_node(LFRT_OP_SIN_TEST, 0, 0), argv[2], "unsupported_op") ||
           write_one(three_node(LFRT_OP_RELU, 9, 0), argv[2], "op_version") ||
           write_one(three_node(-1, 0, 1), argv[2], "dynamic_shape") ||
           write_one(three_node(LFRT_OP_LOGISTIC, 0, 0), argv[2], "int8_three_node") ||
           write_one(bad_prepare(), argv[2], "bad_prepare");
  }
  LF_RUN(unsupported_op);
  LF_RUN(op_version);
  LF_RUN(dynamic_shape);
  LF_RUN(prepare_refusals);
  LF_RUN(variable_state); /* coral */
  LF_RUN(all_test_models);
  return lf_test_summary();
}
