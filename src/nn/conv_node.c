/* The oneDNN backward of a conv-like graph node, with the dx bookkeeping
 * that its reference fallback needs (shared by the FP32 and QAT convs). */
#include <string.h>

#include "nn/conv_dnnl.h"

lf_status lf_conv_node_backward(lf_graph *g, lf_node *n, lf_conv_engine **e, const lf_conv_shape *s, const float *x,
                                const float *w, const float *dy, float *dw, float *db) {
  if (lf_conv_get_backend() != LF_CONV_DNNL) return LF_EUNSUPPORTED; /* leave dx untouched */
  int assign = 0; /* first writer of dx: overwrite (its contents are garbage) */
  lf_tensor *dxt = lf_node_input_grad_assign(g, n, 0, &assign);
  lf_status st = lf_conv_dnnl_backward(e, n->name, s, x, w, dy, dxt ? dxt->data : NULL, !assign, dw, db);
  /* refused: the caller's reference adds into dx, so a dx this node owns now must start at zero */
  if (st == LF_EUNSUPPORTED && dxt && assign) memset(dxt->data, 0, dxt->numel * sizeof(float));
  return st;
}
