/* Converter: an FP32 training graph (lf_nn.h) -> .tflite, FP32 or fully int8.
 *
 * The graph is first lowered to the ops the int8 runtime executes (one
 * lowered op = one TFLite op, plus PAD / QUANTIZE where needed):
 *   conv2d [+ batchnorm] [+ relu]   -> CONV_2D (BN folded: w*gamma/sigma,
 *                                      bias (b-mean)*gamma/sigma+beta; fused RELU);
 *                                      groups == input channels: DEPTHWISE_CONV_2D
 *                                      (depth multiplier out/in); other groupings
 *                                      are refused (LF_EUNSUPPORTED naming the node)
 *   batchnorm not after a conv       -> DEPTHWISE_CONV_2D 1x1 with the per-channel
 *      [+ relu]                        scale gamma/sigma as weights and the shift
 *                                      as bias, fused RELU (default), or MUL +
 *                                      ADD with fused RELU (lf_bn_lowering below)
 *   dense [+ relu]                   -> FULLY_CONNECTED (output [N, out])
 *   conv_transpose2d [+ bn] [+ relu] -> TRANSPOSE_CONV (BN folded as for conv)
 *   maxpool / avgpool                -> MAX_POOL_2D / AVERAGE_POOL_2D (PAD first
 *                                      when torch's explicit padding is not SAME)
 *   global_avgpool                   -> MEAN over H,W (keep_dims)
 *   concat / upsample / add / mul    -> CONCATENATION / RESIZE_* / ADD / MUL
 *   sigmoid / relu                   -> LOGISTIC / RELU;  dropout: removed (identity)
 * Explicit conv padding that is not TFLite's SAME becomes PAD + VALID.
 *
 * INT8 (TFLite int8 spec): weights int8 symmetric per output channel, bias
 * int32 (scale in_scale*w_scale), activations int8 asymmetric per tensor from
 * the ranges given (QAT observers or PTQ calibration), keyed by the name of
 * the graph node whose output is the lowered op's output (lf_qat_value_names
 * lists them). Tensors that TFLite requires to share quantisation (every
 * CONCATENATION input and output; pooling and resize input and output) get
 * the union of their ranges. LOGISTIC outputs use scale 1/256, zero point -128.
 */
#ifndef LF_CONVERT_H
#define LF_CONVERT_H
#include <stddef.h>
#include "leapfrog/lf_models.h"
#include "leapfrog/lf_nn.h"
#include "leapfrog/lf_oppoints.h"
#include "leapfrog/lf_status.h"

/* Activation ranges by value name. */
typedef struct {
  char name[128];
  float min, max;
} lf_qrange;
typedef struct {
  lf_qrange *v;
  int n, cap;
} lf_qranges;

void lf_qranges_init(lf_qranges *r);
void lf_qranges_free(lf_qranges *r);
/* Sets (or replaces) the range of `name`. */
lf_status lf_qranges_set(lf_qranges *r, const char *name, float min, float max);
const lf_qrange *lf_qranges_find(const lf_qranges *r, const char *name);
/* JSON object {"name": [min, max], ...} (malloc'd string) and back. */
lf_status lf_qranges_to_json(const lf_qranges *r, char **json);
lf_status lf_qranges_from_json(const char *json, lf_qranges *r);

/* Lowering of a BatchNorm that cannot be folded into a conv (DenseNet's
 * pre-activation norms), int8 only (FP32 models always use the depthwise form):
 *  - DEPTHWISE: DEPTHWISE_CONV_2D 1x1, weights gamma/sigma int8 per channel,
 *    bias beta - mean*gamma/sigma int32, fused ReLU: one requantisation.
 *  - MULADD: what TF's converters emit: MUL by the per-channel scale, then ADD
 *    of the per-channel shift with fused ReLU. Both constants are [1,1,1,C]
 *    int8 tensors quantised per tensor (asymmetric over [min(v,0), max(v,0)]:
 *    with a per-axis constant LiteRT's MUL outputs only the zero point and its
 *    ADD fails, checked with the oracle); the MUL output is a quantised
 *    value of its own (range name "<bn>.mul"): two requantisations.
 * QAT simulates the chosen one and records it in the checkpoint (metadata
 * leapfrog.quant "bn_lowering"), which convert then uses; the .tflite records
 * it in its leapfrog metadata. DEFAULT is DEPTHWISE, chosen by measurement:
 * on a trained DenseNet it keeps int8 closer to the same weights in FP32
 * (scripts/measure_bn_lowering.sh reproduces it; the figures live in the
 * README, "INT8", not here, where they would go stale). */
typedef enum {
  LF_BN_LOWER_DEFAULT = 0,
  LF_BN_LOWER_DEPTHWISE = 1,
  LF_BN_LOWER_MULADD = 2
} lf_bn_lowering;
#define LF_BN_LOWER_DEFAULT_IS LF_BN_LOWER_DEPTHWISE
/* "depthwise" | "mul-add" (and the default's name for LF_BN_LOWER_DEFAULT). */
const char *lf_bn_lowering_name(int bn_lowering);
/* "depthwise" | "mul-add" -> value; LF_EINVAL otherwise. */
lf_status lf_bn_lowering_parse(const char *s, int *bn_lowering);

/* The lowering a checkpoint's "leapfrog.quant" metadata JSON records (what QAT
 * simulated or PTQ calibrated); LF_BN_LOWER_DEFAULT when absent or unknown. */
int lf_bn_lowering_recorded(const char *quant_json);

typedef struct {
  int int8;                 /* 0: FP32 model; 1: fully int8 */
  int io_uint8;             /* int8 only: uint8 input/output with QUANTIZE at the edges */
  const char *const *labels; /* n_labels class names for the metadata (may be NULL) */
  int n_labels;
  /* Input normalisation the model expects (metadata): x = (pixel/255 - mean)/std. */
  int norm_channels;        /* 0 = not recorded */
  float norm_mean[4], norm_std[4];
  const char *arch_json;    /* architecture/config JSON for the metadata (may be NULL) */
  const char *description;  /* may be NULL */
  int bn_lowering;          /* lf_bn_lowering (0: default) */
  int batch;                /* N, dim 0 of the input and of every activation (NHWC; the
                               FC output [N, out], TRANSPOSE_CONV output_shape too);
                               weights unchanged; 0 = 1. Recorded as "batch" in the
                               metadata. Each image's bytes equal the batch-1 model's. */
  const lf_oppoints *oppoints; /* operating points, recorded as "operating_points" {label:
                               threshold} for `leapfrog serve`: every label one of `labels`,
                               thresholds in (0, 1); NULL = none */
} lf_convert_opts;

/* The class names of a built-in architecture's outputs, for the metadata when
 * none are given: the 14 NIH findings for a 14-class DenseNet, "nerve" for the
 * UNet; none (0) otherwise. Fills at most `max`; returns the count. */
int lf_convert_default_labels(const lf_model_config *cfg, const char **labels, int max);

/* Converts the sub-graph from `input_node` to `output_node` (batch
 * opts->batch; the graph's parameters as they are now; BN running statistics
 * used). `ranges` is required for int8 and must name every value (missing ->
 * LF_EINVAL naming it). *bytes is malloc'd. */
lf_status lf_convert_graph(lf_graph *g, int input_node, int output_node, const lf_qranges *ranges,
                           const lf_convert_opts *opts, void **bytes, size_t *len);
/* The same, written atomically to `path`. */
lf_status lf_convert_graph_file(lf_graph *g, int input_node, int output_node,
                                const lf_qranges *ranges, const lf_convert_opts *opts,
                                const char *path);

/* Names of the values whose ranges an int8 conversion needs, in graph order
 * (the model input first), by the default BN lowering. *names is one malloc'd
 * block (pointers and strings); free(*names) only. */
lf_status lf_convert_value_names(lf_graph *g, int input_node, int output_node,
                                 const char ***names, int *count);
/* The same for a given BN lowering. */
lf_status lf_convert_value_names_ex(lf_graph *g, int input_node, int output_node, int bn_lowering,
                                    const char ***names, int *count);

#endif
