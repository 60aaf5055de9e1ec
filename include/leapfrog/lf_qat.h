/* Quantization-aware training: the FP32 graph rebuilt with fake quantisation
 * exactly where the int8 runtime quantises (the converter's lowering,
 * lf_convert.h).
 *
 * What holds between the QAT graph and the int8 model lf_convert_graph writes
 * from its parameters and lf_qat_ranges (same input, quantised as the
 * runtime's QUANTIZE):
 *  - eval mode (lf_graph_forward(g, 0)), exact (the default): every fake-quant
 *    node's output is exactly (q - zp) * scale of the int8 value q the
 *    converted model computes for that tensor in leapfrog's runtime (and so in
 *    LiteRT, whose bytes the runtime reproduces): each quantised op is
 *    computed from the int8 values of its inputs with the runtime's own
 *    kernels and parameter derivations and the converter's weight/bias
 *    quantisation (src/quant/qat_exact.c); every op of the lowering has an
 *    exact path (the input's fake quant is the runtime's QUANTIZE already).
 *    Tested on trained DenseNet (both BN lowerings), UNet (nearest and
 *    transposed-conv decoders) and nets with bilinear resize, padded pools,
 *    depthwise conv, ADD/MUL/RELU: every layer, vs our runtime and LiteRT
 *    (tests/test_qat_exact.c). A value that cannot be computed exactly (a
 *    scale the runtime refuses) makes the forward fail with a message.
 *  - eval mode, lf_qat_set_exact(q, 0), and train mode: float fake
 *    quantisation (torch semantics, straight-through gradients). Each op is
 *    within one step of the runtime given the same int8 inputs, but the
 *    differences compound with depth (the demo's trained 23-conv nerve UNet,
 *    100 test frames: 9.5% of the logits differ, by up to 6 steps, and 121 of
 *    896000 mask pixels; exact eval: none). Exact eval costs ~1.1-1.7x the float eval (LF_QAT_EXACT_BENCH=only
 *    build/tests/test_qat_exact: UNet 80x112 width 8, DenseNet-121 224x224).
 *
 * What the QAT graph holds (parameter names unchanged, so checkpoints and the
 * converter read the same tensors):
 *  - conv2d [+ BN]: weights folded with the BN running statistics
 *    (w*gamma/sigma), fake-quantised int8 symmetric per output channel. While
 *    BN is live (train, not frozen) the conv output is divided back by
 *    gamma/sigma and BN normalises with the batch statistics (Jacob et al.
 *    2018 / torch's ConvBn QAT); once BN is frozen (freeze_bn_after steps, or
 *    eval) the node computes the folded conv with the int32-quantised folded
 *    bias, as the runtime does, and the BN node passes values through.
 *  - standalone BN (DenseNet's pre-activation norm): batch statistics while
 *    live; frozen/eval: the per-channel scale (int8 per channel) and shift
 *    (int32), as the runtime's depthwise 1x1; or, with the mul-add lowering
 *    (lf_qat_create_ex), x * scale (int8 per tensor), fake-quant "qat.<bn>.mul",
 *    + shift (int8 per tensor), as the runtime's MUL and ADD.
 *  - dense, transposed conv: int8 per-output-channel weights, int32 bias in
 *    eval (a BN after a transposed conv is folded into it as for conv).
 *  - after every lowered op output (and the input): a fake-quant node
 *    "qat.<value>" with a moving-average min/max observer (buffers
 *    qat.<value>.min/.max/.steps, which checkpoint loaders skip); values that TFLite makes share quantisation (concat
 *    inputs and output, pool/resize input and output) share one observer
 *    (the first member's). Sigmoid outputs use scale 1/256, zero point -128.
 *  - pools, concat, upsample, add, mul, relu, sigmoid: the engine's own ops.
 *    Dropout stays where the FP32 graph has it (same p; after the fake quant
 *    of its input): it drops in train mode and is the identity in eval, as in
 *    the converted model (where it is removed).
 * Observers update in train mode until frozen; the same observer is updated
 * by every member of a shared group. Gradients: straight-through estimator. */
#ifndef LF_QAT_H
#define LF_QAT_H
#include "leapfrog/lf_convert.h"
#include "leapfrog/lf_nn.h"

typedef struct {
  float averaging;              /* observer EMA constant (0 -> 0.01) */
  long freeze_observers_after;  /* lf_qat_step calls; 0 = never */
  long freeze_bn_after;         /* lf_qat_step calls; 0 = never */
  uint64_t seed;                /* QAT graph RNG */
} lf_qat_opts;

typedef struct lf_qat lf_qat;

/* Builds the QAT graph of fp32's nodes input_node..output_node and copies
 * fp32's parameter values into it. */
lf_status lf_qat_create(lf_graph *fp32, int input_node, int output_node, const lf_qat_opts *opts,
                        lf_qat **out);
/* The same with the lowering of unfoldable BNs chosen (lf_bn_lowering in
 * lf_convert.h; LF_BN_LOWER_DEFAULT = the default). */
lf_status lf_qat_create_ex(lf_graph *fp32, int input_node, int output_node, const lf_qat_opts *opts,
                           int bn_lowering, lf_qat **out);
void lf_qat_free(lf_qat *q);
lf_graph *lf_qat_graph(lf_qat *q);
int lf_qat_input(const lf_qat *q);  /* QAT graph input node */
int lf_qat_output(const lf_qat *q); /* QAT graph output node (fake-quantised) */
/* Advances the step counter (call after each optimiser step) and applies the
 * freezes when their step is reached. */
void lf_qat_step(lf_qat *q);
long lf_qat_steps(const lf_qat *q);
/* Sets the step counter (e.g. the trainer's step) and applies the freezes. */
void lf_qat_set_step(lf_qat *q, long step);
/* The fake-quant node holding the value `value_name` (a node name of the
 * FP32 graph whose output is quantised), or -1. */
int lf_qat_value_node(const lf_qat *q, const char *value_name);
/* Restores the observer buffers (qat.* tensors) saved in a QAT checkpoint
 * (checkpoint loaders skip them); *loaded (may be NULL) gets the count. */
lf_status lf_qat_load_observers(lf_qat *q, const char *path, int *loaded);
/* The BN lowering this QAT graph simulates (resolved, never DEFAULT). */
int lf_qat_bn_lowering(const lf_qat *q);
/* Eval-mode forward (lf_graph_forward(g, 0)) is integer-exact by default
 * (see above). mode 0: eval uses float fake quantisation (as training always
 * does); 1: exact (default; convolutions by SGEMM on the integer values in
 * chunks that stay exact in float); 2: exact with every convolution through
 * the runtime's reference kernel (slower; a cross-check). */
void lf_qat_set_exact(lf_qat *q, int mode);
int lf_qat_exact(const lf_qat *q);
/* Exact eval with ONE value (its fake-quant node, lf_qat_value_node; -1 =
 * none) computed by float fake quantisation from the exact int8 values of its
 * inputs: the per-op error of the float form (tests). */
void lf_qat_set_float_value(lf_qat *q, int fq_node);
/* Freezes observers and/or BN now. */
void lf_qat_freeze(lf_qat *q, int observers, int bn);
/* The observed ranges, one per value the converter quantises. */
lf_status lf_qat_ranges(lf_qat *q, lf_qranges *out);
/* Copies values of parameters present in both graphs with equal shapes
 * (by name) from src to dst; *copied (may be NULL) gets the count. */
lf_status lf_graph_copy_params(lf_graph *dst, lf_graph *src, int *copied);

#endif
