/* FP32 conv2d / transposed conv2d through oneDNN (internal, not installed).
 *
 * Layouts (all row-major, contiguous):
 *   activations  NHWC  x [n][h][w][c], y [n][oh][ow][o]
 *   conv2d       weights [o][kh][kw][c/groups]     (leapfrog OHWI)
 *   transposed   weights [c][kh][kw][o/groups]     (leapfrog IHWO)
 *   bias         [o]
 * The caller keeps one lf_conv_engine per node (zero-initialised, e.g. in
 * node->state); primitives are created on first use and again only when the
 * shape changes, then reused; blocked weight copies, oneDNN's scratchpad and
 * staging buffers are shared by all engines and grow, never shrink.
 *
 * Backends: LF_CONV=ref in the environment (or lf_conv_set_backend) selects
 * the im2col + sgemm reference everywhere; otherwise oneDNN is used and a
 * shape oneDNN refuses returns LF_EUNSUPPORTED so the caller can run the
 * reference (also when libdnnl.so.2 cannot be loaded). Results are
 * deterministic for a given thread count (oneDNN splits reductions by
 * thread count), not across thread counts.
 * Weights: oneDNN 2.6 has only its naive reference kernel for plain OHWI
 * weights (LF_CONV_WEIGHTS=plain shows it: >10x slower), so each call
 * reorders them into the blocked layout its JIT kernels choose.
 * Threads: oneDNN runs on OpenMP with lf_get_threads() threads; libdnnl is
 * dlopen'ed with OMP_WAIT_POLICY=passive unless the user chose a policy
 * (conv_dnnl.c says why).
 *
 * To use from another op (e.g. QAT's fake-quantised conv): fill an
 * lf_conv_shape, keep an lf_conv_engine in the node state, call
 * lf_conv_dnnl_forward / _backward with the (fake-quantised) weights, and
 * lf_conv_engine_release from the op's free_state. */
#ifndef LF_CONV_DNNL_H
#define LF_CONV_DNNL_H
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_status.h"

typedef struct {
  int transposed;         /* 0: conv2d, 1: transposed conv (torch ConvTranspose2d) */
  int n, h, w, c;         /* input [n][h][w][c] */
  int oh, ow, o;          /* output [n][oh][ow][o] */
  int kh, kw, sh, sw;     /* kernel, stride (>= 1) */
  int dh, dw;             /* dilation (>= 1, torch convention) */
  /* conv2d: zero padding of the input (may be asymmetric).
   * transposed: torch's crop of the full output; pb/pr include
   * -output_padding (may then be negative). */
  int pt, pl, pb, pr;
  int groups;             /* divides c and o */
  int bias;               /* 1: forward adds b, backward accumulates db */
} lf_conv_shape;

typedef struct lf_conv_engine lf_conv_engine;

typedef enum { LF_CONV_DNNL = 0, LF_CONV_REF = 1 } lf_conv_backend;
/* Default from $LF_CONV ("ref" selects the reference); tests may switch. */
lf_conv_backend lf_conv_get_backend(void);
void lf_conv_set_backend(lf_conv_backend b);

/* y = conv(x, w) (+ b). `name` names the node in error messages.
 * LF_EUNSUPPORTED: the backend is the reference, or oneDNN has no
 * implementation for this shape (nothing was written; run the reference);
 * other errors are real failures. The same for _backward. */
lf_status lf_conv_dnnl_forward(lf_conv_engine **e, const char *name, const lf_conv_shape *s, const float *x,
                               const float *w, const float *b, float *y);
/* Gradients from dy: dw += dL/dw, db += dL/db (if s->bias and db), and if dx
 * is not NULL: dx = dL/dx (dx_add 0) or dx += dL/dx (dx_add 1). */
lf_status lf_conv_dnnl_backward(lf_conv_engine **e, const char *name, const lf_conv_shape *s, const float *x,
                                const float *w, const float *dy, float *dx, int dx_add, float *dw, float *db);
/* Backward of graph node n (input 0 is x) through lf_conv_dnnl_backward, with
 * dx taken from lf_node_input_grad_assign (overwritten when n writes it
 * first, else added to). LF_EUNSUPPORTED when the backend is the reference or
 * oneDNN refuses the shape: nothing was computed, and a dx that n writes first
 * has been zeroed so the caller's reference can add into it. */
lf_status lf_conv_node_backward(lf_graph *g, lf_node *n, lf_conv_engine **e, const lf_conv_shape *s, const float *x,
                                const float *w, const float *dy, float *dw, float *db);
/* Destroys the primitives of *e and frees it; *e = NULL. */
void lf_conv_engine_free(lf_conv_engine **e);
/* Name of the oneDNN implementations chosen ("fwd / bwd_d / bwd_w"), for
 * benchmarks; "" before first use. */
const char *lf_conv_engine_impl(const lf_conv_engine *e);

#endif
