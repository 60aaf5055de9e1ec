/* The engine's fast paths against simple references:
 *  - max/avg pool forward (vectorised over channels) against a scalar
 *    per-channel loop written here, bit for bit, on odd shapes with ties,
 *    NaN and -inf, and the max pool's argmax through its backward;
 *  - lazily zeroed, pooled activation gradients (a consumer may assign
 *    instead of accumulating): a backward whose gradient buffers were filled
 *    with NaN first must give bit-identical parameter and input gradients,
 *    on a graph where nodes have several consumers of every kind;
 *  - the gradient pool holds less than one buffer per node;
 *  - the optimisers' blocked, threaded, vectorised updates against the
 *    scalar torch.optim formulas written here, bit for bit. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_loss.h"
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_optim.h"
#include "lf_test.h"
#include "nn/nn_internal.h"

/* ---- pools ----------------------------------------------------------------- */

/* The scalar reference: per output pixel and channel, the window in order;
 * max keeps the first maximum (a NaN wins), avg sums in window order. */
static void ref_pool(const float *x, int N, int H, int W, int C, const lf_pool_params *p, int max, int OH, int OW,
                     float *y, int *am) {
  for (int n = 0; n < N; n++)
    for (int oy = 0; oy < OH; oy++)
      for (int ox = 0; ox < OW; ox++) {
        int hs = oy * p->stride_h - p->pad_top, ws = ox * p->stride_w - p->pad_left;
        int he = hs + p->kh, we = ws + p->kw;
        if (he > H + p->pad_bottom) he = H + p->pad_bottom;
        if (we > W + p->pad_right) we = W + p->pad_right;
        int padded = (he - hs) * (we - ws);
        hs = hs < 0 ? 0 : hs, ws = ws < 0 ? 0 : ws, he = he > H ? H : he, we = we > W ? W : we;
        int div = p->count_include_pad ? padded : (he - hs) * (we - ws);
        for (int c = 0; c < C; c++) {
          size_t o = (((size_t)n * OH + oy) * OW + ox) * C + c;
          float m = 0, s = 0;
          int mi = -1;
          for (int iy = hs; iy < he; iy++)
            for (int ix = ws; ix < we; ix++) {
              float v = x[(((size_t)n * H + iy) * W + ix) * C + c];
              s += v;
              if (mi < 0 || v > m || v != v) m = v, mi = iy * W + ix;
            }
          y[o] = max ? m : s / (float)div;
          if (am) am[o] = mi;
        }
      }
}

static void pool_case(int N, int H, int W, int C, lf_pool_params p, int max, unsigned seed) {
  lf_graph *g = NULL;
  LF_CHECK(lf_graph_create(&g, seed) == LF_OK);
  int xi = lf_nn_input(g, "x", H, W, C);
  int yi = max ? lf_nn_maxpool(g, xi, "pool", p) : lf_nn_avgpool(g, xi, "pool", p);
  LF_CHECK_MSG(yi >= 0, "%s", lf_graph_error(g));
  if (yi < 0) {
    lf_graph_free(g);
    return;
  }
  lf_graph_set_input_requires_grad(g, xi, 1);
  lf_tensor x = {0};
  lf_tensor_alloc4(&x, N, H, W, C);
  lf_rng r;
  lf_rng_seed(&r, seed);
  for (size_t i = 0; i < x.numel; i++) { /* few distinct values: many ties */
    uint64_t u = lf_rng_u64(&r);
    x.data[i] = (float)(int)(u % 5) - 2.0f;
    if (u % 97 == 0) x.data[i] = NAN;
    if (u % 89 == 0) x.data[i] = -INFINITY;
  }
  lf_graph_set_input(g, xi, &x);
  LF_CHECK(lf_graph_forward(g, 1) == LF_OK);
  const lf_tensor *y = lf_graph_output(g, yi);
  int OH = y->shape[1], OW = y->shape[2];
  float *ry = malloc(y->numel * sizeof(float));
  int *am = malloc(y->numel * sizeof(int));
  ref_pool(x.data, N, H, W, C, &p, max, OH, OW, ry, am);
  size_t diff = 0;
  for (size_t i = 0; i < y->numel; i++) diff += memcmp(&ry[i], &y->data[i], sizeof(float)) != 0;
  LF_CHECK_MSG(diff == 0, "%s %dx%dx%dx%d k%dx%d s%d,%d pad %d,%d,%d,%d inc %d: %zu of %zu outputs differ",
               max ? "maxpool" : "avgpool", N, H, W, C, p.kh, p.kw, p.stride_h, p.stride_w, p.pad_top, p.pad_left,
               p.pad_bottom, p.pad_right, p.count_include_pad, diff, y->numel);
  if (max) { /* dy = output index + 1: each input gets the sum over outputs whose argmax it is */
    lf_tensor dy = {0};
    lf_tensor_alloc(&dy, y->ndim, y->shape);
    for (size_t i = 0; i < dy.numel; i++) dy.data[i] = (float)(i % 7) + 1.0f;
    float *rdx = calloc(x.numel, sizeof(float));
    for (size_t i = 0; i < dy.numel; i++) {
      size_t n = i / ((size_t)OH * OW * C), c = i % (size_t)C;
      if (am[i] >= 0) rdx[(n * (size_t)H * W + (size_t)am[i]) * C + c] += dy.data[i];
    }
    lf_graph_zero_grad(g);
    LF_CHECK(lf_graph_backward(g, yi, &dy) == LF_OK);
    const lf_tensor *dx = lf_graph_input_grad(g, xi);
    size_t dd = 0;
    for (size_t i = 0; i < x.numel; i++) dd += rdx[i] != dx->data[i];
    LF_CHECK_MSG(dd == 0, "maxpool backward %dx%dx%dx%d: %zu of %zu input gradients differ", N, H, W, C, dd, x.numel);
    free(rdx);
    lf_tensor_free(&dy);
  }
  free(ry);
  free(am);
  lf_tensor_free(&x);
  lf_graph_free(g);
}

LF_TEST(pool_forward_vs_scalar) {
  static const int shapes[][4] = {{1, 7, 9, 1}, {2, 5, 7, 3}, {3, 11, 6, 17}, {2, 9, 9, 64}, {1, 13, 10, 33}};
  static const int kinds[][5] = {/* k, stride, pad, include_pad, asymmetric */
                                 {2, 2, 0, 1, 0}, {3, 2, 1, 1, 0}, {3, 2, 1, 0, 0}, {3, 1, 1, 1, 0},
                                 {3, 3, 0, 1, 0}, {2, 1, 0, 0, 0}, {3, 2, 1, 0, 1}};
  unsigned seed = 1;
  for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
      lf_pool_params p = lf_pool_square(kinds[k][0], kinds[k][1], kinds[k][2]);
      p.count_include_pad = kinds[k][3];
      if (kinds[k][4]) p.pad_bottom = 0, p.pad_left = 0; /* asymmetric padding */
      for (int max = 0; max < 2; max++) pool_case(shapes[s][0], shapes[s][1], shapes[s][2], shapes[s][3], p, max, seed++);
    }
}

/* ---- lazy, pooled activation gradients ----------------------------------- */

/* Every node below has several consumers, some of which assign (BN, concat)
 * and some accumulate (conv, pool, add, ...); x is listed twice in a concat. */
static int build_multi(lf_graph *g, int *input) {
  int x = lf_nn_input(g, "x", 9, 7, 3);
  *input = x;
  int c1 = lf_nn_conv2d(g, x, "c1", lf_conv_params(6, 3, 1, 1, 1));
  int b1 = lf_nn_batchnorm(g, c1, "b1", 1e-5f, 0.1f);
  int r1 = lf_nn_relu(g, b1, "r1"); /* fused into b1 */
  int mp = lf_nn_maxpool(g, r1, "mp", lf_pool_square(3, 1, 1));
  int xs[4] = {r1, mp, c1, r1};
  int cat = lf_nn_concat(g, xs, 4, "cat");
  int b2 = lf_nn_batchnorm(g, cat, "b2", 1e-5f, 0.1f); /* not fused: sigmoid follows */
  int s2 = lf_nn_sigmoid(g, b2, "s2");
  int c2 = lf_nn_conv2d(g, s2, "c2", lf_conv_params(6, 1, 1, 0, 0));
  int ad = lf_nn_add(g, c2, r1, "add");
  int mu = lf_nn_mul(g, ad, c1, "mul");
  int dr = lf_nn_dropout(g, mu, "drop", 0.2f);
  int rl = lf_nn_relu(g, dr, "r_drop"); /* not fused: after a dropout */
  int ap = lf_nn_avgpool(g, rl, "ap", lf_pool_square(2, 2, 0));
  lf_upsample_params up = {LF_UPSAMPLE_BILINEAR, 9, 7, 0};
  int us = lf_nn_upsample(g, ap, "up", up);
  int ys[3] = {us, ad, x};
  int cat2 = lf_nn_concat(g, ys, 3, "cat2");
  int b3 = lf_nn_batchnorm(g, cat2, "b3", 1e-5f, 0.1f);
  int r3 = lf_nn_relu(g, b3, "r3");
  int gp = lf_nn_global_avgpool(g, r3, "gap");
  return lf_nn_dense(g, gp, "fc", 4, 1);
}

/* Param + input gradients after a forward/backward; poison: the gradient pool
 * fills each buffer with NaN as it hands it out. */
static float *grads(lf_graph *g, int xi, int y, const lf_tensor *in, const lf_tensor *t, int poison, size_t *n_out) {
  float loss;
  lf_tensor gr = {0};
  lf_graph_set_input(g, xi, in);
  LF_CHECK(lf_graph_forward(g, 1) == LF_OK);
  lf_bce_with_logits(lf_graph_output(g, y), t, NULL, &loss, &gr);
  g->gpool.poison = poison;
  lf_graph_zero_grad(g);
  LF_CHECK_MSG(lf_graph_backward(g, y, &gr) == LF_OK, "%s", lf_last_error());
  size_t n = lf_graph_input_grad(g, xi)->numel;
  for (int i = 0; i < lf_graph_param_count(g); i++)
    if (lf_graph_param(g, i)->trainable) n += lf_graph_param(g, i)->grad.numel;
  float *all = malloc(n * sizeof(float)), *p = all;
  memcpy(p, lf_graph_input_grad(g, xi)->data, lf_graph_input_grad(g, xi)->numel * sizeof(float));
  p += lf_graph_input_grad(g, xi)->numel;
  for (int i = 0; i < lf_graph_param_count(g); i++) {
    lf_param *pp = lf_graph_param(g, i);
    if (!pp->trainable) continue;
    memcpy(p, pp->grad.data, pp->grad.numel * sizeof(float));
    p += pp->grad.numel;
  }
  *n_out = n;
  lf_tensor_free(&gr);
  return all;
}

LF_TEST(pooled_gradients_fully_written) {
  for (int threads = 1; threads <= 2; threads++) {
    lf_set_threads(threads);
    lf_graph *g = NULL;
    lf_graph_create(&g, 7);
    int xi, y = build_multi(g, &xi);
    LF_CHECK_MSG(y >= 0, "%s", lf_graph_error(g));
    if (y < 0) {
      lf_graph_free(g);
      return;
    }
    lf_graph_set_input_requires_grad(g, xi, 1);
    lf_tensor in = {0}, t = {0};
    lf_tensor_alloc4(&in, 3, 9, 7, 3);
    lf_tensor_alloc4(&t, 3, 1, 1, 4);
    lf_rng r;
    lf_rng_seed(&r, 11);
    for (size_t i = 0; i < in.numel; i++) in.data[i] = lf_rng_normal(&r);
    for (size_t i = 0; i < t.numel; i++) t.data[i] = (float)(lf_rng_u64(&r) & 1);
    /* the RNG key of dropout changes per forward: reseed so both passes match */
    size_t n1, n2;
    lf_rng_seed(lf_graph_rng(g), 5);
    float *a = grads(g, xi, y, &in, &t, 0, &n1);
    lf_rng_seed(lf_graph_rng(g), 5);
    float *b = grads(g, xi, y, &in, &t, 1, &n2);
    LF_CHECK(n1 == n2 && n1 > 0);
    size_t diff = 0, nan = 0;
    for (size_t i = 0; i < n1 && n1 == n2; i++) diff += memcmp(&a[i], &b[i], 4) != 0, nan += a[i] != a[i];
    LF_CHECK_MSG(nan == 0, "%zu NaN gradients", nan);
    LF_CHECK_MSG(diff == 0, "threads %d: NaN-filled gradient buffers change %zu of %zu gradients", threads, diff, n1);
    /* fewer pooled buffers than nodes with a gradient */
    LF_CHECK_MSG(g->gpool.n > 0 && g->gpool.n < lf_graph_node_count(g) - 4, "%d gradient buffers for %d nodes",
                 g->gpool.n, lf_graph_node_count(g));
    free(a);
    free(b);
    lf_tensor_free(&in);
    lf_tensor_free(&t);
    lf_graph_free(g);
  }
}

/* ---- optimisers ------------------------------------------------------------ */

static void ref_update(const lf_optim_config *c, float *w, const float *g, float *m, float *v, size_t n, int64_t step) {
  if (c->kind == LF_OPT_SGD) {
    for (size_t i = 0; i < n; i++) {
      float d = g[i];
      if (c->weight_decay != 0) d += c->weight_decay * w[i];
      if (c->momentum > 0) {
        m[i] = step == 1 ? d : c->momentum * m[i] + (1 - c->dampening) * d;
        d = c->nesterov ? d + c->momentum * m[i] : m[i];
      }
      w[i] -= c->lr * d;
    }
    return;
  }
  double bc1 = 1.0 - pow(c->beta1, (double)step), bc2 = 1.0 - pow(c->beta2, (double)step);
  float step_size = (float)(c->lr / bc1), bc2s = (float)sqrt(bc2);
  for (size_t i = 0; i < n; i++) {
    float d = g[i];
    if (c->kind == LF_OPT_ADAMW)
      w[i] *= 1.0f - c->lr * c->weight_decay;
    else if (c->weight_decay != 0)
      d += c->weight_decay * w[i];
    m[i] += (d - m[i]) * (1.0f - c->beta1);
    v[i] = v[i] * c->beta2 + (1.0f - c->beta2) * d * d;
    float denom = sqrtf(v[i]) / bc2s + c->eps;
    w[i] -= step_size * m[i] / denom;
  }
}

LF_TEST(optimisers_vs_scalar) {
  lf_optim_config cfgs[5];
  cfgs[0] = lf_optim_defaults(LF_OPT_SGD, 0.05f);
  cfgs[1] = cfgs[0], cfgs[1].momentum = 0.9f, cfgs[1].weight_decay = 1e-3f, cfgs[1].dampening = 0.1f;
  cfgs[2] = cfgs[0], cfgs[2].momentum = 0.8f, cfgs[2].nesterov = 1;
  cfgs[3] = lf_optim_defaults(LF_OPT_ADAM, 1e-3f), cfgs[3].weight_decay = 1e-2f;
  cfgs[4] = lf_optim_defaults(LF_OPT_ADAMW, 1e-3f);
  for (int threads = 1; threads <= 2; threads++)
    for (int k = 0; k < 5; k++) {
      lf_set_threads(threads);
      lf_graph *g = NULL;
      lf_graph_create(&g, 3);
      int x = lf_nn_input(g, "x", 1, 1, 301);
      int y = lf_nn_dense(g, x, "fc", 133, 1); /* 40033 + 133 parameters: blocks and tails */
      LF_CHECK(y >= 0);
      lf_optim *o = NULL;
      LF_CHECK(lf_optim_create(&o, &cfgs[k], g) == LF_OK);
      lf_rng r;
      lf_rng_seed(&r, 40 + k);
      size_t n[2];
      float *w[2], *m[2], *v[2];
      for (int p = 0; p < 2; p++) {
        lf_param *pp = lf_graph_param(g, p);
        n[p] = pp->value.numel;
        for (size_t i = 0; i < n[p]; i++) pp->value.data[i] = lf_rng_normal(&r);
        w[p] = malloc(n[p] * 4), m[p] = calloc(n[p], 4), v[p] = calloc(n[p], 4);
        memcpy(w[p], pp->value.data, n[p] * 4);
      }
      for (int64_t step = 1; step <= 3; step++)
        for (int p = 0; p < 2; p++) {
          lf_param *pp = lf_graph_param(g, p);
          for (size_t i = 0; i < n[p]; i++) pp->grad.data[i] = lf_rng_normal(&r);
          ref_update(&cfgs[k], w[p], pp->grad.data, m[p], v[p], n[p], step);
          if (p == 1) LF_CHECK(lf_optim_step(o) == LF_OK);
        }
      size_t diff = 0;
      for (int p = 0; p < 2; p++) {
        diff += memcmp(w[p], lf_graph_param(g, p)->value.data, n[p] * 4) != 0;
        free(w[p]), free(m[p]), free(v[p]);
      }
      LF_CHECK_MSG(diff == 0, "optimiser %d (kind %d), %d threads: parameters differ from the scalar update", k,
                   cfgs[k].kind, threads);
      lf_optim_free(o);
      lf_graph_free(g);
    }
}

int main(void) {
  LF_RUN(pool_forward_vs_scalar);
  LF_RUN(pooled_gradients_fully_written);
  LF_RUN(optimisers_vs_scalar);
  return lf_test_summary();
}
