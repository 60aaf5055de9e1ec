/* QAT extension ops (fake quant, folded conv, BN, dense) shared between
 * their files and the QAT graph builder. */
#ifndef LF_QAT_INTERNAL_H
#define LF_QAT_INTERNAL_H
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_quant.h"
#include "nn/nn_internal.h"
#include "quant/qplan.h"

enum {
  LQK_FQ = LF_OP_EXT_FIRST + 0,
  LQK_CONV = LF_OP_EXT_FIRST + 1,
  LQK_BN = LF_OP_EXT_FIRST + 2,
  LQK_DENSE = LF_OP_EXT_FIRST + 3,
  LQK_TCONV = LF_OP_EXT_FIRST + 4,
  LQK_BNADD = LF_OP_EXT_FIRST + 12, /* mul-add BN lowering: the ADD of the shift */
};

typedef struct lq_exact lq_exact; /* qat_exact.c */

/* Shared by every QAT node of one graph (attrs hold a pointer to it). */
typedef struct {
  long step;
  long freeze_obs_after, freeze_bn_after;
  int obs_frozen, bn_frozen;
  float averaging;
  lq_exact *exact;  /* eval-mode integer-exact forward (NULL: none) */
  int exact_off;    /* 1: eval uses float fake quantisation instead */
  int exact_ref;    /* 1: exact conv through the runtime's reference kernel (tests) */
  int float_fq;     /* exact eval: this fq node (and its op) in float fake quant; -1 none */
} lq_ctx;

typedef struct {
  lq_ctx *ctx;
  int leader;      /* fq node owning the observer buffers; -1 = this node */
  int fixed;       /* 1: fixed qparams (sigmoid output) */
  int round_away;  /* 1: ties round away from zero on the integer grid, as the
                      runtime's int8 AVERAGE_POOL_2D does (else half to even) */
  lf_qparams fq;   /* when fixed */
} lq_fq_attrs;

typedef struct {
  lq_ctx *ctx;
  lf_conv2d_params p;
  int in_fq;       /* fq node producing the input (its qparams quantise the bias) */
  int bn;          /* qat BN node folded into this conv, or -1 (filled after the BN is added) */
} lq_conv_attrs;

typedef struct {
  lq_ctx *ctx;
  int out_features, bias;
  int in_fq;
} lq_dense_attrs;

typedef struct {
  lq_ctx *ctx;
  lf_conv_transpose2d_params p;
  int in_fq;
  int bn;          /* qat BN node folded into this transposed conv, or -1 */
} lq_tconv_attrs;

typedef struct {
  lq_ctx *ctx;
  float eps, momentum;
  int conv;        /* folded: the LQK_CONV node before it; -1 = standalone */
  int in_fq;       /* standalone: fq node producing the input */
  int muladd;      /* standalone, mul-add lowering: outputs x * scale only (the
                      LQK_BNADD node after its fq adds the shift) */
} lq_bn_attrs;

typedef struct {
  lq_ctx *ctx;
  int bn;          /* the LQK_BN node (muladd) whose shift this node adds */
} lq_bnadd_attrs;

lf_status lq_register_ops(void);
/* Current qparams of an fq node; 0 if it has not observed anything yet. */
int lq_fq_qparams(lf_graph *g, int fq_node, lf_qparams *qp);
/* Marks an fq node as having observed (restored observers). */
void lq_fq_mark_seen(lf_graph *g, int fq_node);
/* BN statistics used for folding: scale s[c] = gamma/sqrt(running_var+eps),
 * and the parameters (gamma, beta, mean, var), from the BN node `bn`. */
void lq_bn_fold_scale(lf_graph *g, int bn, float *s);
/* 1 if BN is frozen or the node runs in eval mode. */
int lq_bn_uses_running(const lq_ctx *ctx, const lf_node *n);

/* Integer-exact eval (qat_exact.c): the op of each fq node, from the plan. */
lf_status lq_exact_build(lf_graph *fp, const lq_plan *p, lf_graph *g, const int *fq_of, lq_exact **out);
void lq_exact_free(lq_exact *x);
/* Computes fq node n's value as the int8 runtime does from the int8 values of
 * the op's inputs, the int8 values into y (numel bytes): 1; 0 if this op has
 * no exact path (caller fake-quantises); -1 (lf_error set) if it has one that
 * failed (out of memory, a requantisation scale the runtime refuses). */
int lq_exact_forward(lf_graph *g, lf_node *n, const lq_exact *x, int8_t *y);
/* 1 if eval mode computes the value of conv node `node` exactly (in the fake-
 * quant node after it), so its float forward can be skipped. */
int lq_exact_covers(lf_graph *g, const lq_ctx *ctx, int node);
/* The int8 values fq node id computed exactly in this forward, or NULL. */
const int8_t *lq_fq_cached_q8(lf_graph *g, int id);

/* oneDNN implementations the last step of a QAT conv / transposed conv node
 * used ("fwd / bwd_d / bwd_w", lf_conv_engine_impl); "" when it ran the
 * reference (LF_CONV=ref, a refused shape) or has not run (tests). */
const char *lq_conv_impl(const lf_node *n);
const char *lq_tconv_impl(const lf_node *n);

extern const lf_op_vtable lq_fq_vt, lq_conv_vt, lq_bn_vt, lq_dense_vt, lq_tconv_vt, lq_bnadd_vt;
#endif
