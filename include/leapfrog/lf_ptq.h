/* Post-training quantisation: calibrate the activation ranges of a trained
 * FP32 graph on a few batches, for lf_convert_graph (lf_convert.h).
 *
 *   lf_ptq *c; lf_ptq_create(g, input, output, &c);
 *   for each calibration batch: lf_graph_set_input(...); lf_graph_forward(g, 0);
 *                               lf_ptq_observe(c);
 *   lf_ptq_ranges(c, LF_CALIB_MSE, 99.99, &ranges);  lf_ptq_free(c);
 *
 * One histogram (lf_quant.h) per value the converter quantises (outputs of
 * the lowered ops, keyed by node name); ranges are chosen per value by
 * min/max, percentile or minimum expected quantisation MSE. */
#ifndef LF_PTQ_H
#define LF_PTQ_H
#include "leapfrog/lf_convert.h"
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_quant.h"

typedef struct lf_ptq lf_ptq;

lf_status lf_ptq_create(lf_graph *g, int input_node, int output_node, lf_ptq **out);
/* The same for a BN lowering (lf_bn_lowering in lf_convert.h): mul-add also
 * calibrates each unfoldable BN's MUL output ("<bn>.mul"). */
lf_status lf_ptq_create_ex(lf_graph *g, int input_node, int output_node, int bn_lowering, lf_ptq **out);
/* Observes the values of the last forward (all samples of the batch). */
lf_status lf_ptq_observe(lf_ptq *c);
/* Number of batches observed. */
long lf_ptq_batches(const lf_ptq *c);
/* Adds a range per value to `out` (percentile used by LF_CALIB_PERCENTILE). */
lf_status lf_ptq_ranges(const lf_ptq *c, lf_calib_method method, double percentile, lf_qranges *out);
void lf_ptq_free(lf_ptq *c);

#endif
