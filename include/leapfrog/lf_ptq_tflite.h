/* Post-training quantisation of any FP32 .tflite (`leapfrog ptq MODEL.tflite`):
 * a model leapfrog did not build (imported from ONNX, a third-party float
 * TFLite) becomes a fully int8 .tflite that leapfrog's runtime and LiteRT run
 * with the same bytes.
 *
 * Calibration: each image (PNG/JPEG/TIFF/DICOM, each frame of a multi-frame
 * DICOM) is prepared as `leapfrog predict` prepares it (resized by area
 * averaging to the model's input H x W, grey or RGB to its C channels,
 * (pixel/255 - mean[c]) / std[c]) and run through the FP32 model in leapfrog's
 * float runtime; a hook after every node adds each FLOAT32 activation to its
 * histogram (lf_quant.h). Ranges by min/max, percentile or minimum expected
 * quantisation MSE, as `leapfrog ptq --from CKPT` chooses them.
 *
 * The int8 model follows the TFLite int8 spec: activations int8 asymmetric per
 * tensor; CONV_2D / DEPTHWISE_CONV_2D / TRANSPOSE_CONV / FULLY_CONNECTED
 * weights int8 symmetric per output channel, bias int32 at input_scale *
 * weight_scale[c]; constant operands of ADD/MUL int8 per tensor; the inputs
 * and output of CONCATENATION, MAX/AVERAGE_POOL_2D, PAD, RESHAPE and RESIZE_*
 * share one scale and zero point (the union of their ranges); SOFTMAX and
 * LOGISTIC outputs scale 1/256, zero point -128. Ops quantized: those and
 * ADD, MUL, MEAN, RELU, RELU6 (fused activations kept). Any other op is
 * refused naming it, or with allow_float kept FLOAT32 between a DEQUANTIZE
 * and a QUANTIZE. A DEQUANTIZE of an fp16 constant (folded at load) is
 * dropped: the weights it gave are quantized directly.
 *
 * Model interface: int8 (default), uint8 (a QUANTIZE at each end, the same
 * scale, zero point + 128) or float (QUANTIZE in, DEQUANTIZE out). The
 * "leapfrog" metadata records precision, io, the normalisation and the
 * calibration (labels of the float model's metadata kept, its operating
 * points not: opts.oppoints gives the int8 model's); other metadata entries
 * (e.g. "onnx_import") are copied. */
#ifndef LF_PTQ_TFLITE_H
#define LF_PTQ_TFLITE_H
#include <stddef.h>
#include <stdio.h>

#include "leapfrog/lf_oppoints.h"
#include "leapfrog/lf_quant.h"
#include "leapfrog/lf_status.h"

typedef enum { LF_PTQ_IO_INT8 = 0, LF_PTQ_IO_UINT8, LF_PTQ_IO_FLOAT } lf_ptq_io;

typedef struct {
  lf_calib_method method;   /* default LF_CALIB_MSE */
  double percentile;        /* LF_CALIB_PERCENTILE: default 99.99 */
  lf_ptq_io io;             /* default int8 */
  int allow_float;          /* 1: ops without an int8 form stay FLOAT32; 0 (default): refused */
  int norm_given;           /* 1: mean/std below; 0: the model's "leapfrog" metadata, else 0 and 1 */
  float mean[3], std[3];    /* of pixel/255, per channel */
  int width, height;        /* 0: the model's input; else must equal it */
  size_t limit;             /* at most this many images (frames); 0 = all */
  int threads;              /* runtime threads for calibration (results do not depend on it) */
  FILE *progress;           /* calibration progress lines; NULL = quiet */
  const char *const *labels; /* n_labels output names for the metadata (one per score of the
                                output's last dimension); NULL = the float model's, if any */
  int n_labels;
  const lf_oppoints *oppoints; /* recorded as "operating_points" (every label one of the model's,
                                thresholds in (0, 1)); the float model's are never carried over:
                                they were chosen on its outputs, not the int8 model's. NULL = none */
  const char *oppoints_from;  /* where they came from (a file name), for messages; may be NULL */
} lf_ptq_tflite_opts;

typedef struct {
  size_t images;            /* images (frames) calibrated on */
  size_t skipped;           /* unreadable files skipped (named on `progress`) */
  int ops_int8, ops_float;  /* operators of the written model computing in int8 / float */
  int activations;          /* FLOAT32 activations observed */
  const char *norm_source;  /* "option", "metadata" or "default" */
  float mean[3], std[3];
  int channels;
} lf_ptq_tflite_stats;

void lf_ptq_tflite_opts_default(lf_ptq_tflite_opts *o);
lf_status lf_ptq_io_parse(const char *s, lf_ptq_io *io);
const char *lf_ptq_io_name(lf_ptq_io io);

/* Calibrates model_path on the images of `calib` (files, folders walked
 * sorted, @LIST files; n_calib entries) and writes the int8 model to out_path
 * atomically. Errors name the file and the problem: a model that is not
 * FP32, an input that is not one [N,H,W,1|3] image, a width/height that
 * differs from the model's, no image found, an op that cannot be quantized. */
lf_status lf_ptq_tflite_file(const char *model_path, const char *const *calib, size_t n_calib, const char *out_path,
                             const lf_ptq_tflite_opts *o, lf_ptq_tflite_stats *stats);

#endif
