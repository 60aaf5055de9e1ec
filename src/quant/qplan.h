/* Lowering of an FP32 graph to the ops the int8 runtime executes: shared by
 * the converter, PTQ calibration and the QAT graph builder, so the three agree
 * on where activations are quantised (one value per lowered op output). */
#ifndef LF_QPLAN_H
#define LF_QPLAN_H
#include "leapfrog/lf_nn.h"

typedef enum {
  LQ_INPUT,
  LQ_CONV,     /* conv2d [+ folded BN] [+ relu] */
  LQ_AFFINE,   /* standalone BN (eval) [+ relu] -> depthwise 1x1 */
  LQ_BNMUL,    /* standalone BN, mul-add lowering: x * scale (MUL, value "<bn>.mul") */
  LQ_BNADD,    /* ... then + shift [+ relu] (ADD; in[0] is the LQ_BNMUL op) */
  LQ_TCONV,    /* conv_transpose2d [+ folded BN] [+ relu] */
  LQ_FC,       /* dense [+ relu] */
  LQ_MAXPOOL,
  LQ_AVGPOOL,
  LQ_MEAN,     /* global average pool */
  LQ_CONCAT,
  LQ_RESIZE,
  LQ_ADD,      /* [+ relu] */
  LQ_MUL,      /* [+ relu] */
  LQ_LOGISTIC,
  LQ_RELU
} lq_kind;

typedef struct {
  lq_kind kind;
  int node;     /* main graph node */
  int bn;       /* BN folded into node (LQ_CONV/LQ_TCONV), else -1; LQ_AFFINE/BNMUL/BNADD: == node */
  int relu;     /* 1: fused ReLU */
  int out_node; /* graph node whose output is this op's output */
  int *in;      /* input values (op indices) */
  int n_in;
  int group;    /* quantisation group: ops sharing scale/zero point have one root */
  int nonneg;   /* output is >= 0 (after a ReLU, or a max pool / resize of such) */
  char name[136]; /* value name when it is not out_node's name (LQ_BNMUL), else "" */
} lq_op;

typedef struct {
  lq_op *ops; /* ops[0] is the input */
  int n;
  int output;  /* op index of the model output */
  int *value_of_node; /* graph node id -> op index producing its value, or -1 */
  int n_nodes;
} lq_plan;

/* Lowers nodes input_node..output_node. LF_EUNSUPPORTED names the node that
 * has no int8 lowering. Standalone BNs by lf_convert.h's default lowering. */
lf_status lq_plan_build(lf_graph *g, int input_node, int output_node, lq_plan *p);
/* The same with the standalone-BN lowering chosen (lf_bn_lowering). */
lf_status lq_plan_build_ex(lf_graph *g, int input_node, int output_node, int bn_lowering, lq_plan *p);
/* The lowering that LF_BN_LOWER_DEFAULT stands for; other values unchanged. */
int lq_bn_lowering_resolve(int bn_lowering);
void lq_plan_free(lq_plan *p);
/* The name under which op i's output range is stored (its out_node's name). */
const char *lq_value_name(lf_graph *g, const lq_plan *p, int i);
/* Root of op i's quantisation group. */
int lq_group(const lq_plan *p, int i);

/* Folded per-output-channel weight scale and bias for a conv/tconv/affine:
 * w_fold[o][...] = w[o][...] * mul[o]; b_fold[o] = add[o]. mul/add have
 * `channels` entries (caller allocates). For LQ_AFFINE the weight is 1. */
lf_status lq_fold_factors(lf_graph *g, const lq_op *op, int channels, float *mul, float *add);

#endif
