/* Model builders for tests and benchmarks (C99, runtime only: lfrt_writer.h).
 *
 * A small graph builder (lf_zoo) over lfrt_writer that creates layers with
 * random weights and plausible quantization from a seed, plus whole models:
 *   - DenseNet-121-shaped classifier, 224x224x3 -> 14 sigmoid outputs, the
 *     real topology (stem 7x7/2 conv + 3x3/2 max pool; dense blocks 6-12-24-16,
 *     growth 32, bottleneck 1x1 conv to 128 + 3x3 conv to 32, CONCATENATION;
 *     pre-activation BatchNorm as per-channel MUL + ADD with fused RELU;
 *     transitions BN + 1x1 conv (x0.5) + 2x2 average pool; final BN + RELU,
 *     MEAN over H,W, FULLY_CONNECTED 1024->14, LOGISTIC);
 *   - UNet-shaped segmenter, 80x112x1 -> 80x112x1 sigmoid (32-64-128-256-512
 *     filters, two 3x3 convs per level, 2x2 max pool, upsampling by
 *     RESIZE_NEAREST_NEIGHBOR + 3x3 conv or by TRANSPOSE_CONV 2x2/2,
 *     concatenated skips, 1x1 conv + LOGISTIC).
 * int8 models follow the TFLite int8 spec (weights symmetric per output
 * channel, activations asymmetric per tensor, int32 bias at in*w scale;
 * CONCATENATION inputs share the output's scale/zero point; LOGISTIC output
 * 1/256, zp -128). FLOAT32 models use the same weights, dequantized.
 * Everything is a deterministic function of the seed on every platform
 * (integer RNG; only + - * / and sqrt on floats). */
#ifndef LF_MODEL_ZOO_H
#define LF_MODEL_ZOO_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_writer.h"

/* splitmix64 */
uint64_t lf_zoo_rand(uint64_t *state);
/* uniform in [lo, hi) with 24 random bits */
float lf_zoo_uniform(uint64_t *state, float lo, float hi);
/* uniform integer in [lo, hi] */
int lf_zoo_randint(uint64_t *state, int lo, int hi);

/* What the builder remembers of each tensor it made. */
typedef struct {
  int ndim;
  int32_t shape[LFRT_MAX_DIMS]; /* up to 6-D (shape ops) */
  float scale; /* int8 activations: per-tensor quantization */
  int32_t zp;
  float std;   /* rough real-valued spread, used to pick output quantization */
  int is_act;  /* made by lf_zoo_act (not a constant) */
} lf_zoo_tensor;

typedef struct {
  lfrt_writer *w;
  uint64_t rng;
  int fp32;          /* 1: FLOAT32 model, 0: int8 */
  int ntensors, cap;
  lf_zoo_tensor *t;  /* indexed by writer tensor index (constants too) */
  int counter;       /* for generated names */
  int failed;        /* a call failed: see lfrt_writer_error / msg */
  char msg[256];
} lf_zoo;

/* Output quantization request: NULL = pick from the estimated spread and the
 * fused activation; else use scale/zp (int8 only). */
typedef struct {
  float scale;
  int32_t zp;
} lf_zoo_q;

int lf_zoo_init(lf_zoo *z, int fp32, uint64_t seed); /* 0 ok, -1 out of memory */
void lf_zoo_free(lf_zoo *z);

/* Activation tensor (model input or op output). NHWC shape, ndim 1..4. */
int lf_zoo_act(lf_zoo *z, const char *name, int ndim, const int32_t *shape, float std,
               const lf_zoo_q *q);
/* The quantization an activation with spread `std` and fused activation `act`
 * would get (random jitter drawn from the builder's rng). */
lf_zoo_q lf_zoo_pick_q(lf_zoo *z, float std, int act);

/* Layers: each returns the output tensor index, or -1 (z->failed set).
 * conv/depthwise/tconv weights are He-scaled with per-channel jitter; gain
 * scales the real weights. */
int lf_zoo_conv(lf_zoo *z, int x, int out_c, int kh, int kw, int sh, int sw, int dh, int dw,
                int padding, int act, float gain, const lf_zoo_q *oq);
int lf_zoo_dwconv(lf_zoo *z, int x, int mult, int kh, int kw, int sh, int sw, int dh, int dw,
                  int padding, int act, const lf_zoo_q *oq);
/* TRANSPOSE_CONV to out_h x out_w x out_c; with_bias adds the 4th input. */
int lf_zoo_tconv(lf_zoo *z, int x, int out_c, int kh, int kw, int sh, int sw, int padding,
                 int out_h, int out_w, int with_bias, const lf_zoo_q *oq);
/* FULLY_CONNECTED on [batch, in] (or any tensor whose last dim is in). */
int lf_zoo_fc(lf_zoo *z, int x, int out_c, int per_channel, int keep_num_dims, int act,
              const lf_zoo_q *oq);
/* per_channel MUL then ADD with constant [C] operands (pre-activation BN). */
int lf_zoo_bn(lf_zoo *z, int x, int act);
int lf_zoo_pool(lf_zoo *z, int x, int is_max, int kh, int kw, int sh, int sw, int padding,
                int act);
int lf_zoo_concat(lf_zoo *z, const int *xs, int n, int axis, const lf_zoo_q *oq);
/* MEAN over the axes given (const int32 axis tensor). */
int lf_zoo_mean(lf_zoo *z, int x, const int32_t *axes, int naxes, int keep_dims,
                const lf_zoo_q *oq);
int lf_zoo_resize(lf_zoo *z, int x, int bilinear, int out_h, int out_w, int align_corners,
                  int half_pixel);
/* LOGISTIC (int8 output 1/256, -128). */
int lf_zoo_logistic(lf_zoo *z, int x);
int lf_zoo_set_io(lf_zoo *z, const int32_t *ins, int nin, const int32_t *outs, int nout);
/* Generic: any tensor (q NULL = not quantized) and any operator with one output. */
int lf_zoo_tensor_raw(lf_zoo *z, const char *kind, lfrt_type type, int ndim,
                      const int32_t *shape, const void *data, size_t bytes, const lf_zoo_q *q,
                      float std);
int lf_zoo_op(lf_zoo *z, lfrt_op op, const int32_t *ins, int nin, int out,
              const lfrt_options *o);
/* Serialises (malloc'd *bytes) and frees the builder. 0 ok, -1 with msg. */
int lf_zoo_finish(lf_zoo *z, void **bytes, size_t *len, char *msg, size_t msgsz);

/* When set, the whole-model builders below make EVERY activation after the input
 * a model output too (in creation order), to locate a mismatch layer by layer. */
extern int lf_zoo_debug_outputs;

/* Whole models. *bytes is malloc'd (caller frees). Return 0 ok, -1 with msg. */
int lf_zoo_densenet121(int fp32, uint64_t seed, int height, int width, int classes,
                       void **bytes, size_t *len, char *msg, size_t msgsz);
/* up: 0 = RESIZE_NEAREST_NEIGHBOR + 3x3 conv, 1 = TRANSPOSE_CONV 2x2/2. */
int lf_zoo_unet(int fp32, uint64_t seed, int height, int width, int base_filters, int up,
                void **bytes, size_t *len, char *msg, size_t msgsz);
/* The same with batch N: input [N, H, W, C] and every activation's dim 0 N
 * (the DenseNet's FC output [N, classes], the TRANSPOSE_CONV output_shape too);
 * the weights and quantization are those of batch 1 for the same seed, so each
 * image's output bytes equal the batch-1 model's. */
int lf_zoo_densenet121_batch(int fp32, uint64_t seed, int batch, int height, int width, int classes,
                             void **bytes, size_t *len, char *msg, size_t msgsz);
int lf_zoo_unet_batch(int fp32, uint64_t seed, int batch, int height, int width, int base_filters,
                      int up, void **bytes, size_t *len, char *msg, size_t msgsz);

#endif
