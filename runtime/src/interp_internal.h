/* Internal state of the interpreter (interp.c, interp_prepare.c, planner.c). */
#ifndef LFRT_INTERP_INTERNAL_H
#define LFRT_INTERP_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_interp.h"
#include "lfrt_kernels.h"

typedef enum {
  K_CONV_Q, K_CONV_F, K_DW_Q, K_DW_F, K_TCONV_Q, K_TCONV_F, K_FC_Q, K_FC_F,
  K_AVG_Q, K_AVG_F, K_MAX_Q, K_MAX_F, K_MEAN_Q, K_MEAN_F,
  K_ADD_Q, K_ADD_F, K_MUL_Q, K_MUL_F, K_ADD_TFL_Q, K_MUL_TFL_Q, K_CONCAT, K_PAD, K_COPY,
  K_RNN_Q, K_RNN_F, K_RBL11_Q, K_RBL_F, K_LUT_Q, K_SOFTMAX_Q, K_SOFTMAX_F,
  K_LOGISTIC_F, K_CLAMP_F, K_QUANTIZE_F, K_DEQUANTIZE, K_FOLDED,
  K_TANH_F, K_EXP_F, K_RSQRT_F, K_LRELU_F, K_HSWISH_F,
  K_SUB_F, K_DIV_F, K_MAXIMUM_F, K_MINIMUM_F, K_SQDIFF_F, K_PRELU_F,
  K_MOVE, K_GATHER, /* shape ops */
  K_U8, /* uint8 (legacy quantization): the op is u8op, interp_qu8.h */
  K_ARGMM_F, K_ARGMM_S8, K_ARGMM_U8, K_L2NORM_F, K_L2NORM_Q, K_SUB_Q, K_MAXIMUM_Q, K_MINIMUM_Q, /* math ops (issue 11) */
  K_BMM_F, K_BMM_Q, K_SQDIFF_Q, K_PRELU_Q, /* batch matmul etc. */
  K_CAST, K_FLOORDIV_F, K_FLOORDIV_S32, K_GATHER_ND, /* movenet */
  K_SQRT_F, K_ADD_S32, K_SUB_S32, K_MUL_S32, K_SUB_TFL_Q
} lfrt_kind;

typedef struct {
  lfrt_kind kind;
  int work;         /* work units, split across threads */
  int x, w, b, out; /* tensor indices: main input, weights / 2nd input, bias, output (-1 = none) */
  union {
    lfrt_conv_params conv;
    lfrt_fc_params fc;
    lfrt_pool_params pool;
    lfrt_mean_params mean;
    lfrt_binary_params bin;
    lfrt_concat_params concat;
    lfrt_pad_params pad;
    lfrt_resize_params resize;
    lfrt_softmax_params softmax;
    lfrt_unary_params un;
    lfrt_gather_params gather; /* shape ops */
    lfrt_arg_minmax_params argmm; /* math ops (issue 11) */
    lfrt_l2norm_params l2norm;
    lfrt_bmm_params bmm; /* batch matmul etc. */
    lfrt_cast_params cast; /* movenet */
    lfrt_gather_nd_params gnd;
  } p;
  int32_t *mult, *shift; /* owned, per output channel */
  float *exp_lut;        /* owned, [256] */
  int8_t lut[256];
  size_t copy_bytes;     /* K_COPY */
  int nin;               /* K_CONCAT */
  int *in_tensors;       /* owned [nin] */
  size_t *inner_bytes;   /* owned [nin] */
  const void **in_ptrs;  /* owned [nin], filled at invoke */
  int32_t *tab;          /* owned: resize tables */
  /* dispatch: the kernel chosen at prepare (kernel_select.c), called through
   * the member of its family; n->gemm set = the qs8 GEMM driver instead */
  union {
    lfrt_qs8_conv_fn qs8_conv;
    lfrt_f32_conv_fn f32_conv;
    lfrt_qs8_fc_fn qs8_fc;
    lfrt_f32_fc_fn f32_fc;
    lfrt_qs8_pool_fn qs8_pool;
    lfrt_f32_pool_fn f32_pool;
    lfrt_qs8_mean_fn qs8_mean;
    lfrt_f32_mean_fn f32_mean;
    lfrt_qs8_binary_fn qs8_binary;
    lfrt_f32_binary_fn f32_binary;
    lfrt_x8_concat_fn concat;
    lfrt_xx_pad_fn pad;
    lfrt_qs8_resize_fn qs8_resize;
    lfrt_f32_resize_fn f32_resize;
    lfrt_qs8_lut_fn lut;
    lfrt_qs8_softmax_fn qs8_softmax;
    lfrt_f32_softmax_fn f32_softmax;
    lfrt_f32_unary_fn f32_unary;
    lfrt_f32_qs8_quantize_fn quantize;
    lfrt_qs8_f32_dequantize_fn dequantize;
    lfrt_xx_move_fn move;     /* shape ops */
    lfrt_xx_gather_fn gather;
    lfrt_arg_minmax_fn arg_minmax; /* math ops (issue 11) */
    lfrt_f32_l2norm_fn f32_l2norm;
    lfrt_qs8_l2norm_fn qs8_l2norm;
    lfrt_f32_bmm_fn f32_bmm; /* batch matmul etc. */
    lfrt_qs8_bmm_fn qs8_bmm;
    lfrt_xx_cast_fn cast; /* movenet */
    lfrt_s32_binary_fn s32_binary;
    lfrt_xx_gather_nd_fn gather_nd;
  } fn;
  const char *kernel;    /* name of what runs, for profiles */
  long long macs;        /* multiply-accumulates per invoke (conv/fc) */
  void *packed;          /* owned, 64-byte aligned: weights in the kernel's layout */
  float *scale_f;        /* owned [out_c]: requant scales as floats (mult * 2^shift) */
  size_t scratch_bytes;  /* per-thread scratch the kernel needs */
  const struct lfrt_qs8_gemm_config_s *gemm;
  const struct lfrt_qs8_igemm_config_s *igemm; /* set (with gemm) when the indirect GEMM runs the node */
  int8_t *igemm_zero;    /* in packed: in_c bytes of in_zp, what igemm taps outside the input read */
  void *w_copy, *b_copy; /* owned copies of constant inputs read at invoke (file pages released) */
  lfrt_conv_params geom; /* FULLY_CONNECTED on the GEMM path: as a 1x1 conv */
  /* shape ops: K_MOVE runs nmove strided copies, piece k from tensor
   * move_io[2k] to tensor move_io[2k+1] (prep_shape.c) */
  int nmove;
  lfrt_move_params *moves; /* owned [nmove] */
  int32_t *move_io;        /* owned [2 * nmove] */
  /* uint8 (K_U8, interp_qu8.h) */
  int u8op, u8_mode;     /* lfrt_qu8_op; LFRT_QU8_FP32 or _TFL requantization */
  int32_t u8_wzp;        /* weights' zero point */
  uint8_t *u8_lut;       /* pose / uint8: owned [nin][256] CONCATENATION requantization tables */
  const uint8_t **u8_rows; /* owned [nin]: a table per input, NULL = copied */
} lfrt_node;

typedef struct lfrt_pool lfrt_pool;

struct lfrt_interp {
  const lfrt_model *m;
  lfrt_node *nodes;
  long *offset;      /* per tensor: arena offset, -1 = constant / unused */
  int *first, *last; /* per tensor lifetime in node indices */
  size_t arena_bytes, act_bytes, state_bytes;
  int nplanned;
  unsigned char *arena;
  int own_arena;
  int threads;
  lfrt_pool *pool;
  lfrt_isa isa;             /* kernels chosen for this ISA */
  size_t scratch_stride;    /* per-thread scratch bytes (max over nodes, 64-aligned) */
  unsigned char *scratch;   /* owned: threads * scratch_stride, 64-byte aligned */
  void *scratch_raw;
};

lfrt_status lfrt_interp_prepare_node(lfrt_interp *it, int i, lfrt_error *err);
/* For every prepare: "MODEL: node IDX (OP): message" into err, returning st;
 * and "[d0,d1,...]" of a tensor's shape into buf (both in interp_prepare.c). */
lfrt_status lfrt_node_error(const lfrt_interp *it, int idx, lfrt_error *err, lfrt_status st, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
const char *lfrt_shape_str(const lfrt_tensor *t, char *buf, size_t n);
/* A quantized conv's output stage: zero points, clamp, per-channel multipliers
 * (int8 and uint8 prepare share it). */
static inline void lfrt_conv_set_quant(lfrt_conv_params *p, int32_t in_zp, int32_t out_zp, int32_t act_min,
                                       int32_t act_max, const int32_t *mult, const int32_t *shift) {
  p->in_zp = in_zp;
  p->out_zp = out_zp;
  p->act_min = act_min;
  p->act_max = act_max;
  p->mult = mult;
  p->shift = shift;
}
/* prep_shape.c: TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT, SPLIT_V, PACK, UNPACK,
 * GATHER, DEPTH_TO_SPACE, SPACE_TO_DEPTH; and GATHER's index check at invoke. */
lfrt_status lfrt_prep_shape_op(lfrt_interp *it, int i, lfrt_node *n, lfrt_error *err);
lfrt_status lfrt_gather_check(const lfrt_interp *it, int i, const void *indices, lfrt_error *err);
/* interp_check.c: what create() checks (lfrt_interp_check asks the same). */
lfrt_status lfrt_interp_model_refusal(const lfrt_model *m, lfrt_error *err);
/* Loader marks, then prepare, then kernel selection of node i. */
lfrt_status lfrt_interp_node_ready(lfrt_interp *it, int i, lfrt_error *err);
/* An interpreter with its per-node and per-tensor arrays and ISA, nothing prepared. */
lfrt_status lfrt_interp_alloc(const lfrt_model *m, const lfrt_interp_options *opt, lfrt_interp **out,
                              lfrt_error *err);
void lfrt_interp_free_node(lfrt_node *n);
lfrt_status lfrt_plan_arena(lfrt_interp *it, lfrt_error *err);
/* Runs node i on work units [begin, end) as thread t (its scratch). */
void lfrt_interp_run_node(lfrt_interp *it, int i, int begin, int end, int t);
/* Chooses node i's kernel for it->isa after its params are derived: packs
 * weights, sets kernel, scratch_bytes, macs (kernel_select.c). */
lfrt_status lfrt_interp_select_kernel(lfrt_interp *it, int i, lfrt_error *err);

/* math ops (issue 11), prep_math.c: the int8 table of TANH, EXP, HARD_SWISH,
 * LEAKY_RELU (alpha), RSQRT; -1 where LiteRT would not take the scales. */
lfrt_status lfrt_prep_binary_q8_math(lfrt_interp *it, int idx, lfrt_error *err);
lfrt_status lfrt_prep_l2norm(lfrt_interp *it, int idx, lfrt_error *err);
lfrt_status lfrt_prep_arg_minmax(lfrt_interp *it, int idx, lfrt_error *err);
/* batch matmul etc. (issue 11), prep_bmm.c: BATCH_MATMUL. */
lfrt_status lfrt_prep_batch_matmul(lfrt_interp *it, int idx, lfrt_error *err);
/* int8 SQUARED_DIFFERENCE and PRELU, after prep_binary has set the broadcast shapes */
lfrt_status lfrt_prep_binary_q8_bmm(lfrt_interp *it, int idx, lfrt_error *err);
/* movenet, prep_movenet.c: CAST, FLOOR_DIV, GATHER_ND, SQRT, int32 ADD/SUB/MUL; and the invoke-time checks
 * LiteRT makes (a zero divisor, a gather index outside params; CAST: a float out of the integer's range). */
lfrt_status lfrt_prep_cast(lfrt_interp *it, int idx, lfrt_error *err);
lfrt_status lfrt_prep_floor_div(lfrt_interp *it, int idx, lfrt_error *err);
lfrt_status lfrt_prep_gather_nd(lfrt_interp *it, int idx, lfrt_error *err);
/* SQRT (FLOAT32); int32 ADD, SUB, MUL after prep_binary has set the broadcast shapes */
lfrt_status lfrt_prep_sqrt(lfrt_interp *it, int idx, lfrt_error *err);
lfrt_status lfrt_prep_binary_s32(lfrt_interp *it, int idx, int act, lfrt_error *err);
lfrt_status lfrt_cast_check(const lfrt_interp *it, int idx, const void *in, lfrt_error *err);
lfrt_status lfrt_floor_div_check(const lfrt_interp *it, int idx, const void *divisor, lfrt_error *err);
lfrt_status lfrt_gather_nd_check(const lfrt_interp *it, int idx, const void *indices, lfrt_error *err);
int lfrt_prep_math_lut_q8(int op, float xs, int32_t xz, float ys, int32_t yz, float alpha, int8_t lut[256]);

/* thread pool (interp_pool.c) */
lfrt_status lfrt_pool_create(int threads, lfrt_pool **out);
void lfrt_pool_free(lfrt_pool *p);
/* Runs fn(ctx, t, nthreads) for t = 0..nthreads-1 and waits. */
void lfrt_pool_run(lfrt_pool *p, void (*fn)(void *ctx, int t, int n), void *ctx);

#endif
