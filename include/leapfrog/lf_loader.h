/* Batches of preprocessed images for training and prediction.
 *
 * Each sample: decode -> grey/RGB -> resize to the model size (rounded to 8-bit, so a
 * cached and an uncached run give the same bits) -> [augment] -> normalise.
 * x: float NHWC, n x height x width x channels (grey replicated when channels = 3).
 * y: classification: n x num_labels floats 0/1 (NIH label order);
 *    segmentation: n x height x width floats 0/1 (the mask resized by area, >= 0.5;
 *    all 0 for LF_SPLIT_UNLABELLED frames, which have no ground truth).
 * Decoding runs on `threads` pthreads, `prefetch` batches ahead.  Output bits depend
 * only on (dataset, split, options, seed, epoch), never on the thread count: the
 * shuffle is drawn from (seed, epoch) and each sample's augmentation from (seed, epoch,
 * the sample's index in the dataset), so it does not depend on its batch or thread.
 * Cache (optional): the resized 8-bit images (+ masks) of the selected samples in one
 * file, with a header listing every source path, size and mtime and the resize
 * parameters; reused when it matches, rebuilt (atomically) when anything changed.
 */
#ifndef LF_LOADER_H
#define LF_LOADER_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_status.h"

typedef struct {
  int height, width, channels; /* model input: 224,224,3 (chest) or 80,112,1 (nerve) */
  lf_resize_mode resize;       /* default LF_RESIZE_AREA */
  lf_norm norm;                /* default LF_NORM_UNIT */
  float mean[3], std[3];       /* LF_NORM_ZSCORE: from lf_loader_zscore (values of /255) */
  int augment;                 /* 0/1 */
  lf_augment_opts aug;
  int batch_size;              /* default 16 */
  int shuffle;                 /* 0/1 */
  int drop_last;               /* drop a final partial batch */
  uint64_t seed;
  int threads;                 /* decode threads, >= 1 (default 2) */
  int prefetch;                /* batches decoded ahead, >= 1 (default 2) */
  const char *cache_path;      /* NULL: no cache */
  int skip_unreadable;         /* 1: drop images that fail to decode (listed by
                                  lf_loader_unreadable); 0: lf_loader_next fails */
  int shards, shard;           /* data parallel (shards > 1): batch_size is the global
                                  batch, cut into `shards` equal slices; this loader yields
                                  slice `shard` (0-based) of every global batch, which is
                                  the same order as one loader of batch_size. Needs
                                  batch_size % shards == 0; drops the final partial batch */
  size_t first, count;         /* count > 0: only samples first .. first+count-1 of the
                                  split, in the split's order (a share of `predict` under
                                  mpirun); count 0: the whole split */
} lf_loader_opts;

/* Defaults for a task: chest 224x224x3, nerve 80x112x1; everything else as above. */
void lf_loader_opts_default(lf_loader_opts *o, lf_task task);

typedef struct {
  int n;                   /* samples in this batch (<= batch_size) */
  float *x;                /* n*H*W*C */
  float *y;                /* n*num_labels or n*H*W */
  const lf_sample **samples;
} lf_batch;

typedef struct lf_loader lf_loader;

lf_status lf_loader_create(const lf_dataset *ds, lf_split split, const lf_loader_opts *o,
                           lf_loader **out);
void lf_loader_free(lf_loader *l);
size_t lf_loader_num_samples(const lf_loader *l);
size_t lf_loader_num_batches(const lf_loader *l);
/* Starts an epoch (shuffles with (seed, epoch)); must be called before next. */
lf_status lf_loader_start_epoch(lf_loader *l, int epoch);
/* *out = next batch (valid until the next call) or NULL at the end of the epoch. */
lf_status lf_loader_next(lf_loader *l, lf_batch **out);
/* Samples skipped as unreadable so far (skip_unreadable = 1). */
size_t lf_loader_unreadable(const lf_loader *l, const lf_sample ***list);

/* Per-channel mean/std of the resized /255 images of `split` (z-score statistics;
 * compute on the training split and copy into opts.mean/std). */
lf_status lf_loader_zscore(const lf_dataset *ds, lf_split split, const lf_loader_opts *o,
                           float mean[3], float std[3]);

/* Decodes and preprocesses one sample as the loader does (no augmentation; epoch 0).
 * x: H*W*C floats, y: num_labels or H*W floats (may be NULL). */
lf_status lf_loader_sample(const lf_dataset *ds, const lf_sample *s, const lf_loader_opts *o,
                           float *x, float *y);

#endif
