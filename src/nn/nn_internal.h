/* Internals shared by the graph and the builtin ops (not installed). */
#ifndef LF_NN_INTERNAL_H
#define LF_NN_INTERNAL_H
#include "leapfrog/lf_nn.h"

/* Activation-gradient buffers shared over a backward (gradpool.c): a node's
 * gradient lives from its first consumer's backward to its own. */
typedef struct {
  float *p;
  size_t cap; /* floats */
  int used;
} lf_gbuf;
typedef struct {
  lf_gbuf *bufs;
  int n, cap;
  int *of; /* per node: buffer index or -1 */
  int nodes_cap;
  int poison; /* tests: fill each buffer with NaN when handed out */
} lf_gradpool;

struct lf_graph {
  lf_node **nodes;
  int n_nodes, cap_nodes;
  lf_param *params;
  int n_params, cap_params;
  lf_rng rng;
  lf_status status;
  char error[512];
  float *scratch[LF_NN_SCRATCH_SLOTS];
  size_t scratch_cap[LF_NN_SCRATCH_SLOTS];
  unsigned char *input_rg;   /* per node: input requires grad */
  unsigned char *reach;      /* per node: on the path of the current backward */
  unsigned char *ginit;      /* per node: its gradient holds values this backward (else garbage) */
  lf_gradpool gpool;
  unsigned char *fuse;        /* per node: 1 BN that applies the next ReLU, 2 that ReLU (an alias) */
  int fuse_planned;           /* node count when fusion was planned (-1: never) */
  int fusion_off;
  int profile;
  lf_graph_reduce_fn reduce; /* lf_graph_set_reduce */
  void *reduce_ctx;
  int sync_bn;
  int bn_shards;             /* lf_graph_set_bn_shards (0/1: off) */
  size_t batch_offset;       /* lf_graph_set_batch_offset */
  lf_graph_backward_hook bw_hook; /* lf_graph_set_backward_hook */
  void *bw_hook_ctx;
  double prof_s[2][LF_OP_MAX];   /* [fwd/bwd][kind] wall seconds */
  double prof_cpu[2][LF_OP_MAX]; /* process CPU seconds */
};

/* Builtin op tables, one per file op_<name>.c. */
extern const lf_op_vtable lf_op_input_vt, lf_op_conv2d_vt, lf_op_conv_transpose2d_vt,
    lf_op_dense_vt, lf_op_batchnorm_vt, lf_op_relu_vt, lf_op_leaky_relu_vt, lf_op_sigmoid_vt,
    lf_op_maxpool_vt, lf_op_avgpool_vt, lf_op_global_avgpool_vt, lf_op_concat_vt,
    lf_op_upsample_vt, lf_op_dropout_vt, lf_op_add_vt, lf_op_mul_vt;

/* 1 if node n (a batchnorm) also applies the ReLU that is its only consumer. */
int lf_nn_fused_relu(const lf_graph *g, const lf_node *n);

/* gradpool.c: plan marks every buffer free at the start of a backward;
 * acquire gives node id (a fused ReLU: its BN, viewed) a gradient buffer
 * shaped like its output, if it holds none; release returns it. */
lf_status lf_gradpool_plan(lf_graph *g);
lf_status lf_gradpool_acquire(lf_graph *g, int id);
void lf_gradpool_release(lf_graph *g, int id);
void lf_gradpool_free(lf_gradpool *p);
size_t lf_gradpool_bytes(const lf_gradpool *p);

/* Attrs for ops whose public builder takes scalars. */
typedef struct { int out_features, bias; } lf_dense_attrs;
typedef struct { float eps, momentum; } lf_bn_attrs;
typedef struct { float slope; } lf_leaky_attrs;
typedef struct { float p; } lf_dropout_attrs;

/* Latches an error in the graph (first wins) and returns -1. */
int lf_graph_fail(lf_graph *g, lf_status s, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Column sums of a row-major [rows][c] matrix in double, accumulated into
 * out[c] (set, not added). Fixed blocking: independent of threads. If x2 is not
 * NULL, sums x[i]*x2[i] instead. */
void lf_nn_colsum(const float *x, const float *x2, size_t rows, int c, double *out);

/* im2col geometry: source image [H][W][C], channel slice [c0, c0+cg),
 * kernel kh x kw, stride, dilation, top/left pad, output grid OH x OW.
 * cols is [OH*OW][kh][kw][cg]. */
typedef struct {
  int H, W, C, c0, cg, kh, kw, sh, sw, dh, dw, pt, pl, OH, OW;
} lf_im2col_geom;
void lf_im2col(const lf_im2col_geom *g, const float *img, float *cols);
/* Only output rows [oy0, oy1): cols holds (oy1-oy0)*OW rows. */
void lf_im2col_rows(const lf_im2col_geom *g, const float *img, float *cols, int oy0, int oy1);
/* Inverse (adjoint) of im2col: img[...][c0..c0+cg) += scattered cols,
 * computed as a gather (deterministic, parallel over image rows). */
void lf_col2im_add(const lf_im2col_geom *g, const float *cols, float *img);

/* Fills t with U(-1/sqrt(fan_in), 1/sqrt(fan_in)) from the graph RNG. */
void lf_nn_init_uniform(lf_graph *g, lf_tensor *t, int fan_in);
/* y[r][k] += b[k] for r < rows. */
void lf_nn_add_bias(float *y, size_t rows, int c, const float *b);
/* torch BatchNorm2d parameters/buffers (weight, bias, running_mean, running_var,
 * num_batches_tracked) on node n, initialised as torch does. */
lf_status lf_nn_add_bn_params(lf_graph *g, lf_node *n, int c);
/* db[k] += sum_r dy[r][k] for r < rows (fixed order). */
void lf_nn_bias_grad(const float *dy, size_t rows, int c, float *db);
/* C = alpha op(A) op(B) + beta C, row-major, ta/tb: transpose A/B; split over
 * the engine's threads (deterministic for a given thread count). */
void lf_nn_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                 float beta, float *C, int ldc);

#endif
