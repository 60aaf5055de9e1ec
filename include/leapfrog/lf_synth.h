/* Synthetic datasets in the exact NIH ChestX-ray14 and Kaggle nerve layouts, with
 * learnable label-dependent signatures.  Deterministic for a seed (any thread count). */
#ifndef LF_SYNTH_H
#define LF_SYNTH_H
#include <stdint.h>

#include "leapfrog/lf_status.h"

typedef struct {
  int n;          /* images (chest) / labelled train frames (nerve) */
  uint64_t seed;
  int size;       /* chest: image side (default 1024); nerve: width (default 580,
                     height = width*420/580) */
  int threads;    /* default 2 */
  int png_level;  /* chest PNG zlib level (default 1) */
  int n_test;     /* nerve: test/ images (default n/4) */
} lf_synth_opts;

void lf_synth_opts_default(lf_synth_opts *o);
lf_status lf_synth_chestxray14(const char *out_dir, const lf_synth_opts *o);
lf_status lf_synth_nerve(const char *out_dir, const lf_synth_opts *o);

#endif
