/* Running a .tflite model on images and saving predictions (`leapfrog
 * predict`, the device-side step of the paper): the predictor (one loaded
 * model, its preprocessing and output decoding; for any caller, e.g. a
 * server), and two drivers over it: a dataset split (lf_predict_run) and any
 * image files (lf_predict_images).
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
#include <stdint.h>
#include <stdio.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_status.h"

/* ---- the predictor: a model plus what its outputs mean ------------------
 * Task, labels and normalisation come from the model's "leapfrog" metadata
 * (written by `leapfrog convert`); options override them. The task is
 * classification when the output is [N, K], segmentation when it is a mask
 * [N, h, w(, 1)]. Input size and batch are the model's input [N, H, W, C]. */
typedef enum { LF_PREDICT_AUTO = 0, LF_PREDICT_CLASSIFY, LF_PREDICT_SEGMENT } lf_predict_task;

typedef struct {
  int threads;                 /* runtime threads, default 1 (results do not depend on it) */
  lf_predict_task task;        /* default AUTO: from the output shape (needs metadata when require_meta) */
  int norm_given;              /* 1: `norm` overrides the metadata */
  lf_norm norm;                /* without metadata and norm_given: LF_NORM_UNIT unless require_meta */
  const char *const *labels;   /* n_labels names overriding the metadata's; NULL = none */
  int n_labels;
  int nih_labels;              /* 1: a 14-output classifier without label names gets the NIH findings */
  double threshold;            /* segmentation: foreground where p >= threshold (default 0.5) */
  int batch;                   /* 0 = the model's; else must equal it (LF_EINVAL naming convert --batch) */
  int require_meta;            /* 1: what the metadata lacks must come from options: else LF_EINVAL
                                  naming the options (--task, --labels, --norm) */
} lf_predictor_opts;

typedef struct {
  lf_predict_task task;        /* CLASSIFY or SEGMENT */
  int batch, height, width, channels; /* the model's input [batch, height, width, channels] */
  int n_labels;                /* classification: scores per image */
  const char *const *labels;   /* [n_labels] (valid while the predictor lives) */
  int mask_height, mask_width; /* segmentation: the model's output map */
  lf_norm norm;                /* applied to pixel values 0..255, with mean/std for LF_NORM_ZSCORE */
  float mean[3], std[3];
  const char *norm_source;     /* "metadata", "option" or "default" */
  int has_meta;                /* the model carries leapfrog's metadata */
  int output_is_prob;          /* the output comes from LOGISTIC; else a sigmoid is applied */
  const char *input_name, *input_type, *output_name, *output_type;
  size_t model_bytes, arena_bytes;
  double threshold;
} lf_predictor_info;

/* One image's result: classification: n_scores probabilities (labels of the
 * info); segmentation: the mask at width x height (the image's own size),
 * 0/1 bytes, from the probability map resized bilinearly (half-pixel centres)
 * and thresholded. */
typedef struct {
  int n_scores;
  float *scores;
  int width, height;
  uint8_t *mask;
} lf_prediction;
void lf_prediction_free(lf_prediction *r);

typedef struct lf_predictor lf_predictor;
void lf_predictor_opts_default(lf_predictor_opts *o);
/* Loads and checks the model (one NHWC input with 1 or 3 channels, an output of
 * the input's batch) and resolves task, labels and normalisation. */
lf_status lf_predictor_open(const char *model_path, const lf_predictor_opts *o, lf_predictor **out);
void lf_predictor_free(lf_predictor *p); /* NULL is fine */
const lf_predictor_info *lf_predictor_get_info(const lf_predictor *p);

/* The whole step for one decoded image (grey or RGB, any size): resize +
 * normalise + quantize + invoke + decode the output into *out (free it with
 * lf_prediction_free). No file I/O; not thread-safe on one predictor. */
lf_status lf_predictor_run_image(lf_predictor *p, const lf_image *img, lf_prediction *out);

/* The same in pieces, for batches: fill slots 0..n-1 of the model's batch
 * (from an image, or from a ready input of height*width*channels floats,
 * already normalised), invoke over n slots (the rest repeat slot n-1; *ms_per_image
 * = the invoke's model time / batch), then read each slot's result. */
lf_status lf_predictor_set_image(lf_predictor *p, int slot, const lf_image *img);
lf_status lf_predictor_set_input(lf_predictor *p, int slot, const float *x);
lf_status lf_predictor_invoke(lf_predictor *p, int n, double *ms_per_image);
/* Probabilities of slot: n_labels (classification) or mask_height*mask_width values in [0, 1]. */
const float *lf_predictor_probs(const lf_predictor *p, int slot);
/* Slot's result; for segmentation the mask at image_w x image_h. */
lf_status lf_predictor_result(const lf_predictor *p, int slot, int image_w, int image_h, lf_prediction *out);

/* ---- predictions of a dataset split --------------------------------------- */
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
  size_t n_skipped;               /* lf_predict_images: unreadable images skipped */
  size_t n_resumed;               /* lf_predict_images: images taken from the journal of a killed run */
} lf_predict_stats;

void lf_predict_opts_default(lf_predict_opts *o);
lf_status lf_predict_run(const lf_predict_opts *o, lf_predict_stats *stats);

/* ---- predictions of any image files ----------------------------------------
 * inputs: image files, folders (every file under them, recursively, in byte
 * order of the path, whose first bytes are an image format lf_image_sniff
 * knows; hidden names skipped) and @LIST files (one path per line; blank lines
 * and lines starting with # ignored). Keys in the outputs are the paths as
 * named (a folder's files: FOLDER/relative/path). The format is found from
 * the content, never the extension. An explicitly named file (or a listed one)
 * that cannot be decoded is named on stderr and skipped (strict: an
 * error). Same files as lf_predict_run: predictions JSON for classification,
 * submission CSV (img = the key) for segmentation.
 * Resume: while running, each finished image is appended to the journal
 * OUT.partial (one JSON line per result, then a line marking the file done;
 * flushed after every invoke); OUT is written atomically at the end and the
 * journal removed. With resume, a journal left by a killed run of the same
 * model and options is read (a torn last line dropped) and its images are
 * not run again; the output bytes are those of an uninterrupted run. */
typedef struct {
  const char *model_path, *out_path;
  const char *const *inputs;
  size_t n_inputs;
  lf_predictor_opts pred;
  int resume;                 /* continue from OUT.partial */
  int strict;                 /* an unreadable image is an error */
  const char *stats_path;     /* as lf_predict_opts */
  FILE *log;                  /* notes; NULL = quiet (skipped images are always named on stderr) */
  int progress;               /* 1: a progress line (images/s, ETA) redrawn on stderr */
} lf_predict_images_opts;
void lf_predict_images_opts_default(lf_predict_images_opts *o);
lf_status lf_predict_images(const lf_predict_images_opts *o, lf_predict_stats *stats);

#endif
