/* The study report (`leapfrog report`): FP32, QAT-weights-in-FP32 and INT8
 * runs of the paper's two tasks, scored and laid out side by side with the
 * paper's figures, as one self-contained HTML page and its Markdown twin.
 *
 * Input: a run folder as `make demo` and `leapfrog paper` leave it, files
 * found by name (MODEL = fp32, qat-fp32, int8; each task optional, INT8 needed):
 *   chest/                          ChestX-ray14 dataset (NIH layout)
 *   chest-MODEL.tflite              the converted models (sizes, SHA-256)
 *   chest-MODEL-predictions.json    `leapfrog predict` on the test split
 *   chest-MODEL-val-predictions.json  on the validation split (optional: the
 *                                   per-finding operating points are chosen there)
 *   chest-MODEL-stats.json          `leapfrog predict --stats` (optional)
 *   nerve/, nerve-MODEL.tflite, nerve-MODEL-masks.csv, nerve-MODEL-stats.json
 * Scores are computed as `leapfrog score` computes them (lf_score_compute). */
#ifndef LF_REPORT_H
#define LF_REPORT_H
#include <stdint.h>
#include <stdio.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_status.h"

typedef struct {
  const char *run_dir;      /* the run folder (above) */
  const char *html_path;    /* report.html (written atomically); NULL = none */
  const char *md_path;      /* report.md; NULL = none */
  const char *chest_data;   /* the ChestX-ray14 folder; NULL = RUN_DIR/chest */
  const char *nerve_data;   /* the nerve folder; NULL = RUN_DIR/nerve */
  lf_split_opts chest_split, nerve_split; /* as used by predict (default: patient split, seed 1) */
  int min_positives;        /* findings with fewer test positives: flagged, out of the mean (default 10) */
  int n_bootstrap;          /* default 1000 */
  uint64_t seed;            /* default 1 */
  int synthetic;            /* 1: say the data are synthetic (also found from the dataset's SYNTHETIC file) */
  FILE *log;                /* progress lines; NULL = none */
} lf_report_opts;

void lf_report_opts_default(lf_report_opts *o);
lf_status lf_report_run(const lf_report_opts *o);

#endif
