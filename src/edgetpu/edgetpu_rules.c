/* The Edge TPU rule table: one row per op that Coral's supported-op table
 * lists ("TensorFlow models on the Edge TPU", coral.ai/docs/edgetpu/models-intro,
 * "Supported operations"), with Coral's minimum Edge TPU runtime version and
 * its "known limitations", each checked by the row's function where the model
 * holds what it needs.
 *
 * What a row does NOT say, and why:
 *  - Coral publishes no op-version table. max_version is the version TFLite's
 *    converter writes for the 8-bit form of the op (its op_version rules as of
 *    TF 2.5, the TensorFlow of edgetpu_compiler 16); a higher version means a
 *    later feature (int16 activations, 5-D broadcasting, ...), which the
 *    compiler reports as "Operation version not supported". uint8 (legacy)
 *    ops are version 1 and always pass.
 *  - Limits Coral states without a rule ("depending on input/output size, this
 *    operation may not be mapped to avoid loss in precision", "certain reshapes
 *    might not be mapped for large tensor sizes") are in `unchecked`.
 *  - UNIDIRECTIONAL_SEQUENCE_LSTM (Coral: runtime 14+, unidirectional only):
 *    its int32 gate biases are allowed by the row's i32_inputs, its int16
 *    cell state (input 19) by etpu_int16_input; the accepted version is the one observed mapped
 *    (keras_lstm_mnist_ptq_edgetpu.tflite in Coral's test_data: every op of
 *    the model, the LSTM included, inside the Edge TPU part).
 *  - CAST, FLOOR_DIV, GATHER_ND (movenet) have no row: Coral's table does not
 *    list them, and the compiler left all 11 of them on the CPU in Coral's
 *    movenet_single_pose_lightning_ptq_edgetpu.tflite (test_data), so the check
 *    reports them as not in Coral's supported-op table.
 * The rules every op shares (8-bit tensors, fixed sizes, constant parameters,
 * at most 3 dimensions larger than 1) are applied by edgetpu_check.c. */
#include <stdio.h>
#include <string.h>

#include "edgetpu/edgetpu_rules.h"

#define IN(i) (1u << (i))

int etpu_innermost3(const lfrt_tensor *t) {
  for (int d = 0; d + 3 < t->ndim; d++)
    if (t->shape[d] > 1) return 0;
  return 1;
}

static const lfrt_tensor *input(const lfrt_model *m, const lfrt_operator *op, int i) {
  if (i >= op->ninputs || op->inputs[i] < 0 || op->inputs[i] >= m->ntensors) return NULL;
  return &m->tensors[op->inputs[i]];
}
static const lfrt_tensor *output(const lfrt_model *m, const lfrt_operator *op, int i) {
  if (i >= op->noutputs || op->outputs[i] < 0 || op->outputs[i] >= m->ntensors) return NULL;
  return &m->tensors[op->outputs[i]];
}

/* The values of a constant INT32/INT64 tensor (at most max); -1 when it is not one. */
static int const_ints(const lfrt_tensor *t, int64_t *v, int max) {
  if (!t || !t->data || (t->type != LFRT_INT32 && t->type != LFRT_INT64) || t->count > max) return -1;
  for (int64_t i = 0; i < t->count; i++) {
    if (t->type == LFRT_INT32) {
      int32_t x;
      memcpy(&x, (const char *)t->data + 4 * i, 4);
      v[i] = x;
    } else {
      memcpy(&v[i], (const char *)t->data + 8 * i, 8);
    }
  }
  return (int)t->count;
}

/* All dimensions but the innermost are 1 (a "one-dimensional" tensor). */
static int innermost1(const lfrt_tensor *t) {
  for (int d = 0; d + 1 < t->ndim; d++)
    if (t->shape[d] > 1) return 0;
  return 1;
}

static int no_fused_act(lfrt_activation a, int opts_known, char *why, size_t n) {
  if (!opts_known || a == LFRT_ACT_NONE) return 1;
  snprintf(why, n, "has a fused activation (Coral: no fused activation function)");
  return 0;
}

static int lim_pool(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)m;
  return no_fused_act(op->opt.pool.activation, ok, why, n);
}

/* Concatenation: no fused activation; a constant input only when there are
 * exactly 2 inputs, and all zeros (the concatenation is a zero padding). */
static int lim_concat(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  if (!no_fused_act(op->opt.concat.activation, ok, why, n)) return 0;
  for (int i = 0; i < op->ninputs; i++) {
    const lfrt_tensor *t = input(m, op, i);
    if (!t || !t->data) continue;
    if (op->ninputs != 2) {
      snprintf(why, n, "constant input '%s' among %d inputs (Coral: a constant input needs exactly 2 inputs)",
               t->name, op->ninputs);
      return 0;
    }
    int zp = t->quant.count > 0 ? t->quant.zero_point[0] : 0;
    for (int64_t k = 0; k < t->count; k++) {
      int v = t->type == LFRT_INT8 ? ((const int8_t *)t->data)[k]
            : t->type == LFRT_UINT8 ? ((const uint8_t *)t->data)[k] : zp + 1;
      if (v != zp) {
        snprintf(why, n, "constant input '%s' is not all zeros (Coral: only a zero-padding concatenation)", t->name);
        return 0;
      }
    }
  }
  return 1;
}

static int same_dilation(int dh, int dw, char *why, size_t n) {
  if (dh == dw) return 1;
  snprintf(why, n, "dilation %dx%d differs in y and x (Coral: the same dilation in x and y)", dh, dw);
  return 0;
}
static int lim_conv(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)m;
  return !ok || same_dilation(op->opt.conv.dilation_h, op->opt.conv.dilation_w, why, n);
}
static int lim_dwconv(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)m;
  return !ok || same_dilation(op->opt.depthwise.dilation_h, op->opt.depthwise.dilation_w, why, n);
}

static int lim_fc(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  if (ok && op->opt.fc.weights_format != 0) {
    snprintf(why, n, "weights format %d (Coral: only the default format)", op->opt.fc.weights_format);
    return 0;
  }
  const lfrt_tensor *y = output(m, op, 0);
  if (y && !innermost1(y)) {
    snprintf(why, n, "output '%s' is not one-dimensional (Coral: the output tensor is one-dimensional)", y->name);
    return 0;
  }
  return 1;
}

static int lim_softmax(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)ok;
  const lfrt_tensor *x = input(m, op, 0);
  if (x && !innermost1(x)) {
    snprintf(why, n, "input '%s' is not one-dimensional (Coral: 1-D input only)", x->name);
    return 0;
  }
  if (x && x->count > 16000) {
    snprintf(why, n, "input '%s' has %lld elements (Coral: at most 16,000)", x->name, (long long)x->count);
    return 0;
  }
  return 1;
}

/* A 3-dimensional tensor: rank <= 3, or rank 4 with a batch of 1. */
static int lim_resize(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)ok;
  const lfrt_tensor *t[2] = {input(m, op, 0), output(m, op, 0)};
  for (int i = 0; i < 2; i++) {
    if (t[i] && (t[i]->ndim > 4 || (t[i]->ndim == 4 && t[i]->shape[0] != 1))) {
      snprintf(why, n, "%s '%s' is not 3-dimensional (Coral: input/output is a 3-dimensional tensor)",
               i ? "output" : "input", t[i]->name);
      return 0;
    }
  }
  return 1;
}

/* coral: Coral says only "depending on input/output size it may not be mapped".
 * Observed in Coral's test_data (commit 104342d, release "Grouper", July 2021:
 * the edgetpu_compiler of that release): with align_corners=1 it left on the
 * CPU a 1x1 -> 33x33 resize (deeplabv3_mnv2_pascal_quant and _dm05_) and a
 * 33x33 -> 513x513 one (deeplab_mobilenet_edgetpu_slim_cityscapes_quant), and
 * mapped a 33x33 -> 33x33 one (align_corners=1, the same cityscapes file) and
 * 2x upsamplings with half_pixel_centers (movenet_single_pose_lightning_ptq).
 * The narrowest rule that explains all of them: align_corners=1 and an output
 * height or width more than 15 times the input's. Smaller align_corners
 * factors were not observed either way. */
enum { ETPU_RESIZE_OBSERVED_MAX = 15 };
static int lim_resize_bilinear(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  if (!lim_resize(m, op, ok, why, n)) return 0;
  const lfrt_tensor *x = input(m, op, 0), *y = output(m, op, 0);
  if (!ok || !op->opt.resize.align_corners || !x || !y || x->ndim != 4 || y->ndim != 4) return 1;
  for (int d = 1; d <= 2; d++)
    if (y->shape[d] > ETPU_RESIZE_OBSERVED_MAX * x->shape[d]) {
      snprintf(why, n, "align_corners resize %dx%d -> %dx%d, more than %dx in %s (observed behaviour of the "
               "edgetpu_compiler that built Coral's test_data, July 2021: such resizes stay on the CPU)",
               (int)x->shape[1], (int)x->shape[2], (int)y->shape[1], (int)y->shape[2], ETPU_RESIZE_OBSERVED_MAX,
               d == 1 ? "height" : "width");
      return 0;
    }
  return 1;
}

/* Axes of a reduction (input 1, constant) may not include the batch (axis 0
 * of a 4-D input); MEAN over the channels (z) needs channels % 4 == 0. */
static int reduction(const lfrt_model *m, const lfrt_operator *op, int z_multiple_of_4, char *why, size_t n) {
  const lfrt_tensor *x = input(m, op, 0);
  int64_t ax[8];
  int na = const_ints(input(m, op, 1), ax, 8);
  if (!x) return 1;
  if (na < 0) {
    snprintf(why, n, "reduction axes are not a small constant int32 tensor");
    return 0;
  }
  for (int i = 0; i < na; i++) {
    int64_t a = ax[i] < 0 ? ax[i] + x->ndim : ax[i];
    if (a == 0 && x->ndim == 4) {
      snprintf(why, n, "reduces the batch dimension (Coral: no reduction in the batch dimension)");
      return 0;
    }
    if (z_multiple_of_4 && a == x->ndim - 1 && x->ndim > 1 && x->shape[a] % 4 != 0) {
      snprintf(why, n, "reduces %d channels, not a multiple of 4 (Coral: a z-reduction needs z %% 4 == 0)",
               (int)x->shape[a]);
      return 0;
    }
  }
  return 1;
}
static int lim_mean(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)ok;
  return reduction(m, op, 1, why, n);
}
static int lim_reduce(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)ok;
  return reduction(m, op, 0, why, n);
}

static int lim_pad(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)ok;
  const lfrt_tensor *x = input(m, op, 0);
  int64_t p[2 * LFRT_MAX_DIMS];
  int np = const_ints(input(m, op, 1), p, 2 * LFRT_MAX_DIMS);
  if (!x) return 1;
  if (np < 0) {
    snprintf(why, n, "paddings are not a constant int32 tensor");
    return 0;
  }
  if (x->ndim == 4 && np >= 2 && (p[0] || p[1])) {
    snprintf(why, n, "pads the batch dimension (Coral: no padding in the batch dimension)");
    return 0;
  }
  return 1;
}

static int lim_prelu(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)ok;
  const lfrt_tensor *a = input(m, op, 1);
  if (a && !innermost1(a)) {
    snprintf(why, n, "alpha '%s' is not 1-dimensional (Coral: only the innermost dimension of alpha may be > 1)",
             a->name);
    return 0;
  }
  return 1;
}

/* SPLIT: inputs (axis, value); the axis may not be the batch of a 4-D value. */
static int lim_split(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)ok;
  const lfrt_tensor *x = input(m, op, 1);
  int64_t ax[1];
  if (!x) return 1;
  if (const_ints(input(m, op, 0), ax, 1) != 1) {
    snprintf(why, n, "the split axis is not a constant int32 scalar");
    return 0;
  }
  if ((ax[0] == 0 || ax[0] == -x->ndim) && x->ndim == 4) {
    snprintf(why, n, "splits the batch dimension (Coral: no splitting in the batch dimension)");
    return 0;
  }
  return 1;
}

/* STRIDED_SLICE: every stride (input 3, constant) is 1. */
static int lim_strided_slice(const lfrt_model *m, const lfrt_operator *op, int ok, char *why, size_t n) {
  (void)ok;
  int64_t s[LFRT_MAX_DIMS];
  int ns = const_ints(input(m, op, 3), s, LFRT_MAX_DIMS);
  if (ns < 0) {
    snprintf(why, n, "strides are not a constant int32 tensor");
    return 0;
  }
  for (int i = 0; i < ns; i++)
    if (s[i] != 1) {
      snprintf(why, n, "stride %lld on axis %d (Coral: all strides equal to 1)", (long long)s[i], i);
      return 0;
    }
  return 1;
}

/* Sorted by code. Inputs by TFLite's order: CONV_2D/DEPTHWISE/FULLY_CONNECTED
 * (input, weights, bias), TRANSPOSE_CONV (output_shape, weights, input, bias). */
static const etpu_rule rules[] = {
    {0, "ADD", 0, 2, 0, 0, NULL, "", NULL},
    {1, "AVERAGE_POOL_2D", 0, 2, 0, 0, lim_pool, "no fused activation", NULL},
    {2, "CONCATENATION", 0, 2, 0, 0, lim_concat,
     "no fused activation; a constant input only with 2 inputs and all zeros", NULL},
    {3, "CONV_2D", 0, 3, IN(2), IN(1) | IN(2), lim_conv, "the same dilation in x and y", NULL},
    {4, "DEPTHWISE_CONV_2D", 0, 3, IN(2), IN(1) | IN(2), lim_dwconv,
     "the same dilation in x and y (runtime <= 12: no dilation)", NULL},
    {9, "FULLY_CONNECTED", 0, 4, IN(2), IN(1) | IN(2), lim_fc,
     "default weights format; the output tensor is one-dimensional", NULL},
    {11, "L2_NORMALIZATION", 0, 2, 0, 0, NULL, "", NULL},
    {14, "LOGISTIC", 0, 2, 0, 0, NULL, "", NULL},
    {17, "MAX_POOL_2D", 0, 2, 0, 0, lim_pool, "no fused activation", NULL},
    {18, "MUL", 0, 2, 0, 0, NULL, "", NULL},
    {19, "RELU", 0, 2, 0, 0, NULL, "", NULL},
    {20, "RELU_N1_TO_1", 0, 1, 0, 0, NULL, "", NULL},
    {21, "RELU6", 0, 2, 0, 0, NULL, "", NULL},
    {22, "RESHAPE", 0, 1, IN(1), 0, NULL, "", "Coral: certain reshapes might not be mapped for large tensor sizes"},
    {23, "RESIZE_BILINEAR", 0, 3, IN(1), IN(1), lim_resize_bilinear,
     "input/output is a 3-dimensional tensor; observed: align_corners with an output more than 15x the input "
     "stays on the CPU",
     "Coral: depending on input/output size it may not be mapped, to avoid a loss in precision (only the "
     "observed align_corners case is checked)"},
    {25, "SOFTMAX", 0, 2, 0, 0, lim_softmax, "1-D input of at most 16,000 elements", NULL},
    {26, "SPACE_TO_DEPTH", 0, 2, 0, 0, NULL, "", NULL},
    {28, "TANH", 0, 2, 0, 0, NULL, "", NULL},
    {34, "PAD", 0, 2, IN(1), IN(1), lim_pad, "no padding in the batch dimension (runtime <= 12: x and y only)",
     NULL},
    {39, "TRANSPOSE", 14, 2, IN(1), IN(1), NULL, "", NULL},
    {40, "MEAN", 0, 2, IN(1), IN(1), lim_mean,
     "no reduction in the batch dimension; a z-reduction needs z % 4 == 0 (runtime <= 12: x and y only)", NULL},
    {41, "SUB", 0, 2, 0, 0, NULL, "", NULL},
    {43, "SQUEEZE", 13, 1, 0, 0, NULL, "", NULL},
    /* coral: inputs 1-8 weights, 12-15 gate biases (int32), 19 the cell state (int16, a variable) */
    {44, "UNIDIRECTIONAL_SEQUENCE_LSTM", 14, 1, IN(12) | IN(13) | IN(14) | IN(15),
     IN(1) | IN(2) | IN(3) | IN(4) | IN(5) | IN(6) | IN(7) | IN(8) | IN(12) | IN(13) | IN(14) | IN(15), NULL,
     "int8 weights, int32 gate biases, int16 cell state", "observed mapped (version 1) by the compiler that built "
     "Coral's test_data"},
    {45, "STRIDED_SLICE", 0, 2, IN(1) | IN(2) | IN(3), IN(1) | IN(2) | IN(3), lim_strided_slice,
     "all strides equal to 1", "Coral: ellipsis_mask == 0 and new_axis_mask == 0 (options not read here)"},
    {49, "SPLIT", 0, 2, IN(0), IN(0), lim_split, "no splitting in the batch dimension", NULL},
    {54, "PRELU", 13, 1, 0, IN(1), lim_prelu, "alpha is 1-dimensional (only its innermost dimension > 1)", NULL},
    {55, "MAXIMUM", 0, 2, 0, 0, NULL, "", NULL},
    {57, "MINIMUM", 0, 2, 0, 0, NULL, "", NULL},
    {65, "SLICE", 0, 2, IN(1) | IN(2), IN(1) | IN(2), NULL, "", NULL},
    {67, "TRANSPOSE_CONV", 13, 3, IN(0) | IN(3), IN(0) | IN(1) | IN(3), NULL, "", NULL},
    /* coral: not in Coral's table, but mapped by the compiler (deeplab_mobilenet_edgetpu_slim_cityscapes_quant:
     * a uint8 version-1 TILE of [1,1,1,128] by constant [1,33,33,1] inside the Edge TPU part) */
    {69, "TILE", 0, 1, IN(1), IN(1), NULL, "",
     "not in Coral's table: observed mapped (uint8, version 1) by the compiler that built Coral's test_data"},
    {70, "EXPAND_DIMS", 13, 1, IN(1), IN(1), NULL, "", NULL},
    {74, "SUM", 13, 2, IN(1), IN(1), lim_reduce, "no reduction in the batch dimension", NULL},
    {76, "RSQRT", 14, 2, 0, 0, NULL, "", NULL},
    {82, "REDUCE_MAX", 14, 2, IN(1), IN(1), lim_reduce, "no reduction in the batch dimension", NULL},
    {83, "PACK", 13, 2, 0, 0, NULL, "", "Coral: no packing in the batch dimension (the axis option is not read here)"},
    {89, "REDUCE_MIN", 14, 2, IN(1), IN(1), lim_reduce, "no reduction in the batch dimension", NULL},
    {97, "RESIZE_NEAREST_NEIGHBOR", 0, 3, IN(1), IN(1), lim_resize, "input/output is a 3-dimensional tensor",
     "Coral: depending on input/output size it may not be mapped, to avoid a loss in precision"},
    {99, "SQUARED_DIFFERENCE", 14, 2, 0, 0, NULL, "", NULL},
    {114, "QUANTIZE", 13, 2, 0, 0, NULL, "", NULL},
};

const etpu_rule *etpu_rule_find(int code) {
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++)
    if (rules[i].code == code) return &rules[i];
  return NULL;
}
int etpu_int16_input(const etpu_rule *r, int i) { return r && r->code == 44 && i == 19; }
int etpu_rule_count(void) { return (int)(sizeof rules / sizeof rules[0]); }
const etpu_rule *etpu_rule_at(int i) { return i >= 0 && i < etpu_rule_count() ? &rules[i] : NULL; }
