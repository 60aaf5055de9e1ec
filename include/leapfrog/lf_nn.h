/* The FP32 training graph: a static DAG of nodes with forward and backward.
 *
 * Build: create a graph, add an input, then ops. Each builder returns the new
 * node's id (>= 0) or -1 on error; an error also latches in the graph (the
 * first message is kept, read it with lf_graph_status / lf_last_error) and
 * any builder given a negative input id returns -1 at once, so a model
 * builder can add hundreds of layers and check once at the end.
 *
 *   lf_graph *g; lf_graph_create(&g, 42);
 *   int x = lf_nn_input(g, "input", 224, 224, 3);
 *   int y = lf_nn_conv2d(g, x, "features.conv0",
 *                        lf_conv_params(64, 7, 2, 3, 0));
 *   y = lf_nn_batchnorm(g, y, "features.norm0", 1e-5f, 0.1f);
 *   ...
 *   if (lf_graph_status(g)) fail(lf_last_error());
 *
 * Run: lf_graph_set_input (a view: the caller's tensor must stay alive until
 * backward is done), lf_graph_forward(g, train), read lf_graph_output; then
 * lf_graph_zero_grad, lf_graph_backward(g, node, dL/dout) which ACCUMULATES
 * parameter gradients (+=), then an optimiser step (lf_optim.h). The batch
 * size may change between forward calls (buffers grow, never shrink).
 *
 * Shapes: every activation is NHWC 4-D [n][h][w][c]; per-sample vectors are
 * [n][1][1][c]. Builders fix the per-sample shape (h, w, c); n comes from the
 * input at forward time.
 *
 * Parameters (trainable) and buffers (BN running stats, not trainable) are
 * named "<node name>.<suffix>" exactly as torch's state_dict does:
 *   conv2d            .weight [out][kh][kw][in/groups]  (OHWI, torch: OIHW)
 *                     .bias   [out]                     (if bias)
 *   conv_transpose2d  .weight [in][kh][kw][out/groups]  (IHWO, torch: [in][out][kh][kw])
 *                     .bias   [out]
 *   dense             .weight [out][in]  (same as torch nn.Linear), .bias [out]
 *                     (input [n][h][w][c] is flattened NHWC-order: in = h*w*c)
 *   batchnorm         .weight [c] .bias [c]  (trainable, gamma/beta)
 *                     .running_mean [c] .running_var [c] (buffers)
 *                     .num_batches_tracked [] (buffer, scalar; stored as float,
 *                     flagged is_int so checkpoints write it as int64)
 * Checkpoint code converts OIHW <-> OHWI (and the transposed-conv layout) at
 * I/O; the engine never sees torch's layout.
 * Initialisation at build time (graph RNG): weights and biases
 * U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (torch's default for Conv/Linear), BN
 * gamma 1, beta 0, running mean 0, var 1. Model builders may overwrite.
 */
#ifndef LF_NN_H
#define LF_NN_H
#include <stdint.h>
#include "leapfrog/lf_rng.h"
#include "leapfrog/lf_status.h"
#include "leapfrog/lf_tensor.h"

typedef struct lf_graph lf_graph;
typedef struct lf_node lf_node;

/* ---- op kinds -------------------------------------------------------------- */
typedef enum {
  LF_OP_INPUT = 0,
  LF_OP_CONV2D,
  LF_OP_CONV_TRANSPOSE2D,
  LF_OP_DENSE,
  LF_OP_BATCHNORM,
  LF_OP_RELU,
  LF_OP_LEAKY_RELU,
  LF_OP_SIGMOID,
  LF_OP_MAXPOOL,
  LF_OP_AVGPOOL,
  LF_OP_GLOBAL_AVGPOOL,
  LF_OP_CONCAT,
  LF_OP_UPSAMPLE,
  LF_OP_DROPOUT,
  LF_OP_ADD,
  LF_OP_MUL,
  LF_OP_BUILTIN_COUNT,
  /* Kinds LF_OP_EXT_FIRST .. LF_OP_MAX-1 are free for extensions (QAT's
   * fake-quant, folded conv+BN...), registered with lf_nn_register_op. */
  LF_OP_EXT_FIRST = 32,
  LF_OP_MAX = 64
} lf_op_kind;

/* ---- op parameters ----------------------------------------------------------- */
typedef struct {
  int out_channels;
  int kh, kw;
  int stride_h, stride_w;
  /* Explicit padding (zeros). With pad_same=1 the pads are computed as
   * TFLite/TF "SAME" (out = ceil(in/stride), extra pad at bottom/right). */
  int pad_top, pad_left, pad_bottom, pad_right;
  int pad_same;
  int dil_h, dil_w;   /* >= 1 */
  int groups;         /* >= 1, divides in and out channels */
  int bias;           /* 1: has .bias */
} lf_conv2d_params;
/* Square kernel k, stride s, symmetric pad p, dilation 1, groups 1. */
lf_conv2d_params lf_conv_params(int out_channels, int k, int s, int p, int bias);

typedef struct {
  int out_channels;
  int kh, kw, stride_h, stride_w;
  /* torch ConvTranspose2d semantics: out = (in-1)*stride - pad_begin - pad_end
   * + dil*(k-1) + output_padding + 1 (pads crop the full output). */
  int pad_top, pad_left, pad_bottom, pad_right;
  int out_pad_h, out_pad_w;
  int dil_h, dil_w;
  int groups;
  int bias;
} lf_conv_transpose2d_params;

typedef struct {
  int kh, kw, stride_h, stride_w;
  int pad_top, pad_left, pad_bottom, pad_right;
  /* avg pool only: 1 counts padded zeros in the divisor (torch default). */
  int count_include_pad;
} lf_pool_params;

typedef enum { LF_UPSAMPLE_NEAREST = 0, LF_UPSAMPLE_BILINEAR = 1 } lf_upsample_mode;
typedef struct {
  lf_upsample_mode mode;
  int out_h, out_w;     /* output size (e.g. 2*h, 2*w for x2) */
  int align_corners;    /* bilinear only; torch nn.Upsample default 0 */
} lf_upsample_params;

/* ---- graph lifetime ------------------------------------------------------------- */
/* `seed` seeds the graph RNG used for parameter initialisation and dropout. */
lf_status lf_graph_create(lf_graph **g, uint64_t seed);
void lf_graph_free(lf_graph *g);
/* LF_OK or the first builder error (message via lf_last_error at the time;
 * also kept in the graph: lf_graph_error). */
lf_status lf_graph_status(const lf_graph *g);
const char *lf_graph_error(const lf_graph *g);
lf_rng *lf_graph_rng(lf_graph *g);

/* ---- builders (return node id or -1) ------------------------------------------- */
int lf_nn_input(lf_graph *g, const char *name, int h, int w, int c);
int lf_nn_conv2d(lf_graph *g, int x, const char *name, lf_conv2d_params p);
int lf_nn_conv_transpose2d(lf_graph *g, int x, const char *name, lf_conv_transpose2d_params p);
int lf_nn_dense(lf_graph *g, int x, const char *name, int out_features, int bias);
/* torch BatchNorm2d: eps 1e-5, momentum 0.1 by default; affine. */
int lf_nn_batchnorm(lf_graph *g, int x, const char *name, float eps, float momentum);
int lf_nn_relu(lf_graph *g, int x, const char *name);
int lf_nn_leaky_relu(lf_graph *g, int x, const char *name, float negative_slope);
int lf_nn_sigmoid(lf_graph *g, int x, const char *name);
int lf_nn_maxpool(lf_graph *g, int x, const char *name, lf_pool_params p);
int lf_nn_avgpool(lf_graph *g, int x, const char *name, lf_pool_params p);
/* Square pool helper: kernel k, stride s, symmetric pad p, count_include_pad 1. */
lf_pool_params lf_pool_square(int k, int s, int p);
/* [n][h][w][c] -> [n][1][1][c], mean over h,w. */
int lf_nn_global_avgpool(lf_graph *g, int x, const char *name);
/* Channel concatenation of n inputs with equal n,h,w (input order kept). */
int lf_nn_concat(lf_graph *g, const int *xs, int n, const char *name);
int lf_nn_upsample(lf_graph *g, int x, const char *name, lf_upsample_params p);
/* Inverted dropout: train: y = x * mask / (1-p), mask ~ Bernoulli(1-p) drawn
 * from the graph RNG (one key per forward call); eval: identity. */
int lf_nn_dropout(lf_graph *g, int x, const char *name, float p);
/* Elementwise, equal shapes. */
int lf_nn_add(lf_graph *g, int a, int b, const char *name);
int lf_nn_mul(lf_graph *g, int a, int b, const char *name);

/* ---- running ------------------------------------------------------------------ */
/* x must be [n][h][w][c] with h,w,c as declared; kept as a view. */
lf_status lf_graph_set_input(lf_graph *g, int input_id, const lf_tensor *x);
/* Forward of every node (train=1: batch-stat BN + running-stat update,
 * dropout on). */
lf_status lf_graph_forward(lf_graph *g, int train);
/* Output of node id after forward (NULL if id invalid).
 * Fusion (on by default): a batchnorm whose only consumer is a ReLU writes
 * max(0, bn(x)) and the ReLU node shares its buffers, which saves a pass
 * and a buffer per pair; then the batchnorm node's own output reads as the
 * ReLU's, and backward cannot start at that batchnorm (LF_EINVAL). Turn it
 * off (before a forward) to read pre-activation batchnorm outputs. */
const lf_tensor *lf_graph_output(const lf_graph *g, int id);
void lf_graph_set_fusion(lf_graph *g, int on);

/* Batch statistics over several processes (data-parallel training, lf_dist.h).
 * With fn set, a training-mode batchnorm (when sync_bn) sums its per-channel
 * statistics (forward: sum x, sum x^2, count; backward: sum dy, sum
 * dy*(x-mean)) over every process, so N processes at B/N images each
 * normalise exactly as one process at B (parameter gradients stay local:
 * the caller's gradient all-reduce sums them); QAT observers (always, with fn
 * set) take each batch's min/max over every process, so all keep the same
 * ranges. fn reduces n values in place: doubles summed, or floats min / max.
 * NULL fn: this process alone (the default). */
typedef enum { LF_GRAPH_SUM_F64 = 0, LF_GRAPH_MIN_F32, LF_GRAPH_MAX_F32 } lf_graph_reduce_op;
typedef lf_status (*lf_graph_reduce_fn)(void *ctx, void *buf, size_t n, lf_graph_reduce_op op);
void lf_graph_set_reduce(lf_graph *g, lf_graph_reduce_fn fn, void *ctx, int sync_bn);
/* For ops: reduces buf through the graph's fn (LF_OK doing nothing without one). */
lf_status lf_graph_reduce(lf_graph *g, void *buf, size_t n, lf_graph_reduce_op op);
/* 1 when batchnorm statistics are summed over processes. */
int lf_graph_sync_bn(const lf_graph *g);
/* Ghost batch norm: one process doing what n processes without sync BN do
 * (shards > 1; 1 = off, the default). A training-mode batchnorm cuts the
 * batch into n equal contiguous slices of images (as the ranks' loaders cut
 * the global batch), normalises each with its own statistics (forward and
 * backward), and sets the running statistics to the mean over the slices of
 * each slice's update, in double, as the ranks' average after every step.
 * The batch must be a multiple of n (else the forward fails: LF_EINVAL).
 * Ignored when batch statistics are summed over processes (sync BN). */
void lf_graph_set_bn_shards(lf_graph *g, int shards);
int lf_graph_bn_shards(const lf_graph *g);
/* Data parallel: this process's slice starts `images` images into the global
 * batch (default 0). Dropout numbers its mask elements from there, so N
 * processes with the same graph seed draw exactly one process's masks for
 * the global batch (not the same mask on every slice). */
void lf_graph_set_batch_offset(lf_graph *g, size_t images);
size_t lf_graph_batch_offset(const lf_graph *g);
/* Sets every parameter gradient (and input gradients) to zero. */
void lf_graph_zero_grad(lf_graph *g);
/* Backpropagates dL/d(output of `id`) (same shape as that output) through
 * the nodes `id` depends on, in reverse order, accumulating into parameter
 * gradients. Must follow a forward. Several seeds: call once per seed
 * node, in any order (each call recomputes activation gradients only). */
lf_status lf_graph_backward(lf_graph *g, int id, const lf_tensor *dout);
/* Called by lf_graph_backward after each node's backward has run, with its
 * id (decreasing): from then on the node has added its share to its own
 * parameters' gradients (a parameter is written only by the node that owns
 * it, lf_param.node), so in a single-seed backward every parameter of nodes
 * >= id is final. Data parallel training starts each gradient bucket's
 * all-reduce there. A non-zero status stops the backward. NULL: none. */
typedef lf_status (*lf_graph_backward_hook)(void *ctx, int node);
void lf_graph_set_backward_hook(lf_graph *g, lf_graph_backward_hook fn, void *ctx);
/* Input gradients are computed only when requested (tests). */
void lf_graph_set_input_requires_grad(lf_graph *g, int input_id, int on);
const lf_tensor *lf_graph_input_grad(const lf_graph *g, int input_id);

/* ---- parameters ---------------------------------------------------------------- */
typedef struct {
  char name[128];   /* torch state_dict name */
  lf_tensor value;
  lf_tensor grad;   /* same shape as value; empty (numel 0) for buffers */
  int trainable;    /* 0: buffer (running stats, num_batches_tracked) */
  int is_int;       /* 1: integral value kept as float (num_batches_tracked) */
  int node;         /* owning node id */
} lf_param;

int lf_graph_param_count(const lf_graph *g);          /* params + buffers */
lf_param *lf_graph_param(lf_graph *g, int i);          /* in creation order */
lf_param *lf_graph_find_param(lf_graph *g, const char *name); /* NULL if none */
size_t lf_graph_trainable_numel(const lf_graph *g);

/* ---- introspection ---------------------------------------------------------------- */
int lf_graph_node_count(const lf_graph *g);
lf_node *lf_graph_node(lf_graph *g, int id);
int lf_graph_find_node(const lf_graph *g, const char *name);  /* -1 if none */
/* Multiply-accumulates per sample of the whole graph (conv, dense). */
uint64_t lf_graph_macs(const lf_graph *g);
/* Bytes held by activations, gradients and scratch now. */
size_t lf_graph_memory_bytes(const lf_graph *g);
/* Wall time per op kind of forward and backward (off by default; turning it
 * on resets the counters). The report goes to stderr-like `f` (a FILE*). */
void lf_graph_set_profile(lf_graph *g, int on);
void lf_graph_profile_print(const lf_graph *g, void *f);

/* ---- extension API (QAT ops etc.) ---------------------------------------------------
 * An op is a table of functions; builtin ops live in src/nn/op_<name>.c, one
 * file each. To add one from outside src/nn (QAT's fake-quant ops do so: see
 * src/quant/qat_fq.c and their registration in src/quant/qat_build.c):
 *   static const lf_op_vtable fq_vt = {"fake_quant", fq_build, fq_forward, fq_backward, fq_free};
 *   lf_nn_register_op(LF_OP_EXT_FIRST + 0, &fq_vt);      (once, before use)
 *   int id = lf_nn_add_node(g, LF_OP_EXT_FIRST + 0, name, &x, 1, &attrs, sizeof attrs);
 * build() checks inputs, sets node->h/w/c (per-sample output shape), adds
 * parameters with lf_node_add_param; forward() fills node->out (use
 * lf_node_prepare_output); backward() reads node->grad (dL/dout) and
 * ACCUMULATES into lf_node_input_grad(g, node, i) (may be NULL: that input
 * needs no gradient; or assigns, see lf_node_input_grad_assign) and into its
 * parameters' .grad. Activation gradients are engine buffers valid only
 * during the backward that uses them. */
struct lf_node {
  int id;
  int kind;
  char name[96];
  int *inputs;          /* node ids, all < id */
  int n_inputs;
  void *attrs;          /* copy of the params struct given at build */
  int h, w, c;          /* per-sample output shape */
  lf_tensor out;        /* [n][h][w][c] after forward */
  lf_tensor grad;       /* dL/dout during backward */
  int *params;          /* indices into the graph's parameter list */
  int n_params;
  void *state;          /* op-private (saved for backward), freed by free_state */
  int needs_grad;       /* set by the engine: some gradient flows through */
  int train;            /* mode of the last forward */
  uint64_t macs;        /* per sample, set by build */
};

typedef struct {
  const char *name;
  lf_status (*build)(lf_graph *g, lf_node *n);
  lf_status (*forward)(lf_graph *g, lf_node *n);
  lf_status (*backward)(lf_graph *g, lf_node *n);
  void (*free_state)(lf_node *n);   /* may be NULL */
} lf_op_vtable;

lf_status lf_nn_register_op(int kind, const lf_op_vtable *vt);
const lf_op_vtable *lf_nn_op(int kind);
int lf_nn_add_node(lf_graph *g, int kind, const char *name, const int *inputs, int n_inputs,
                   const void *attrs, size_t attrs_size);
/* Adds "<node>.<suffix>" with `ndim`/`shape`; returns its parameter index or -1. */
int lf_node_add_param(lf_graph *g, lf_node *n, const char *suffix, int ndim, const int *shape,
                      int trainable);
lf_param *lf_node_param(lf_graph *g, lf_node *n, int k);   /* k-th param of the node */
const lf_tensor *lf_node_input(lf_graph *g, lf_node *n, int i);   /* output of input i */
lf_tensor *lf_node_input_grad(lf_graph *g, lf_node *n, int i);    /* NULL: not needed */
/* The same, for a backward that can ASSIGN instead of accumulate: *assign is
 * set to 1 when no other consumer has written that gradient yet in this
 * backward (its contents are then garbage, not zeros, and the caller must
 * write every element), else 0 (accumulate as usual). lf_node_input_grad
 * zeroes a not-yet-written gradient on first use. */
lf_tensor *lf_node_input_grad_assign(lf_graph *g, lf_node *n, int i, int *assign);
/* Allocates node->out as [batch][h][w][c] (batch of input 0). */
lf_status lf_node_prepare_output(lf_graph *g, lf_node *n);
/* Shared scratch buffer `slot` (0..LF_NN_SCRATCH_SLOTS-1), grown as needed,
 * contents valid until the next call for the same slot; NULL if out of memory. */
#define LF_NN_SCRATCH_SLOTS 4
float *lf_graph_scratch(lf_graph *g, int slot, size_t floats);

#endif
