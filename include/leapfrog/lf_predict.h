/* Running a .tflite model over a dataset split and saving predictions
 * (`leapfrog predict`, the device-side step of the paper).
 *
 * Each image is preprocessed as for training (lf_loader_sample: decode,
 * resize to the model's input H x W x C, normalise), quantized to the input
 * type (int8/uint8: q = clamp(round(x / scale) + zero_point); float32 as is),
 * run through libleapfrog-rt, and the output dequantized.
 *  - normalisation: the model's "leapfrog" metadata (written by `leapfrog
 *    convert`) when it records one, else opts.norm (default /255, the paper's).
 *  - outputs are probabilities when the output comes from LOGISTIC (possibly
 *    via DEQUANTIZE/RESHAPE); otherwise a sigmoid is applied (and said).
 *  - batch: a model with input [N, H, W, C] (`leapfrog convert --batch N`) gets N
 *    images per invoke; the last partial batch is filled by repeating its last
 *    image, whose outputs are ignored. The files written are the same bytes as
 *    with the batch-1 model (every kernel computes each image on its own).
 *  - chest: output [N, 14] -> predictions JSON {path relative to DIR: {label: p}}
 *    with the metadata's labels or the 14 NIH findings.
 *  - nerve: output [N, h, w(, 1)] probability map, resized bilinearly (half-pixel
 *    centres) to the image's own size (580x420), foreground where p >= threshold
 *    (0.5) -> Kaggle submission CSV (img = Kaggle id, pixels = RLE).
 * Timing: milliseconds per image of quantize + invoke + dequantize (decoding
 * excluded; each invoke's time divided by the batch N), median and range over
 * the invokes; with stats_path also written as JSON:
 *   {"model", "model_bytes", "arena_bytes", "input_type", "threads", "images",
 *    "batch", "ms_per_image": {"median", "min", "max"}, "seconds_total"} */
#ifndef LF_PREDICT_H
#define LF_PREDICT_H
#include <stddef.h>
#include <stdio.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_status.h"

typedef struct {
  const char *model_path, *data_dir, *out_path;
  lf_task task;
  lf_split split;           /* default LF_SPLIT_TEST */
  lf_split_opts split_opts; /* default lf_split_opts_default */
  lf_norm norm;             /* used when the model has no normalisation metadata */
  int norm_given;           /* 1: opts.norm overrides the metadata */
  int threads;              /* runtime threads, default 1 */
  double threshold;         /* nerve mask threshold, default 0.5 */
  size_t limit;             /* 0 = all images of the split, else the first `limit` */
  int batch;                /* images per invoke: 0 = the model's batch (dim 0 of its input);
                               else it must equal it (LF_EINVAL otherwise) */
  const char *stats_path;   /* JSON with latency and sizes (for `score --latency`); NULL = none */
  FILE *log;                /* progress and notes; NULL = quiet */
} lf_predict_opts;

typedef struct {
  size_t n;                       /* images predicted */
  int batch;                      /* images per invoke (the model's batch) */
  double ms_median, ms_min, ms_max; /* per image, model only */
  double seconds_total;           /* wall time including decoding */
  size_t model_bytes, arena_bytes;
} lf_predict_stats;

void lf_predict_opts_default(lf_predict_opts *o);
lf_status lf_predict_run(const lf_predict_opts *o, lf_predict_stats *stats);

#endif
