/* The study report (`leapfrog report`, `leapfrog score --report`): what the
 * renderer needs, gathered by report.c from score's metrics and predict's stats.
 * Shared by report.c, report_write.c, report_plot.c and report_png.c. */
#ifndef LF_REPORT_INTERNAL_H
#define LF_REPORT_INTERNAL_H
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_status.h"

#define LF_REPORT_MAX_MODELS 3

typedef struct {
  const char *name;  /* shown: "FP32", "QAT weights in FP32", "INT8" */
  const char *color; /* its colour in every plot */
  char *model_path;  /* .tflite (NULL = unknown) */
  char sha256[65];   /* "" when the file was not read */
  double model_bytes;
  char mtime[32];    /* the model file's modification time, UTC */
  cJSON *m;          /* score's metrics of this model on the test split (owned) */
  const cJSON *stats;/* predict --stats (m's "latency" or `own_stats`); NULL = none */
  cJSON *own_stats;  /* owned */
} lf_report_model;

typedef struct {
  const char *title; /* e.g. "INT8 vs the same weights in FP32" */
  const char *why;   /* one sentence: what the difference measures */
  const char *other; /* name of the model compared with */
  cJSON *m;          /* metrics of INT8 with a "compare" object (owned, or borrowed if !owned) */
  int owned;
} lf_report_cmp;

typedef struct {
  int present;
  int n_models; /* in table order; the last is the one the comparisons are about */
  lf_report_model model[LF_REPORT_MAX_MODELS];
  int n_cmp;
  lf_report_cmp cmp[2];
  int val_thresholds; /* chest: at_threshold uses per-finding thresholds chosen on val */
  char *val_rule;     /* how they were chosen (owned) */
  /* nerve: overlays of best/median/worst, PNG as base64 (owned) */
  int n_overlays;
  char *overlay_b64[3];
  char overlay_caption[3][160];
} lf_report_task;

typedef struct {
  lf_report_task chest, nerve;
  int synthetic;       /* banner: the data are synthetic */
  int min_positives;   /* findings with fewer test positives are flagged, left out of the mean */
  int full;            /* the study page (paper tables, model card) rather than one score */
  const char *run_dir; /* NULL for a score report */
  char created[32];    /* UTC */
  const char *version; /* software version */
  const char *isa;     /* runtime ISA on this machine */
  char split_desc[160];
} lf_report;

/* Writes the page: HTML when path ends in .html/.htm, Markdown for .md. Atomic. */
lf_status lf_report_write(const char *path, const lf_report *r);

/* Plots (HTML only). */
void lf_report_roc_svg(FILE *f, const lf_report_task *t, const char *label, int min_positives);
void lf_report_dice_hist_svg(FILE *f, const lf_report_task *t);

/* Image + true contour + predicted contour as a PNG, base64 (malloc'd) in *b64. */
lf_status lf_report_overlay_png(const char *image_path, const uint8_t *truth, const uint8_t *pred, int w, int h,
                                char **b64);

/* JSON helpers: numbers written by score are raw text items. */
double lf_rj_val(const cJSON *v);
double lf_rj_num(const cJSON *o, const char *key);
const cJSON *lf_rj_get(const cJSON *o, const char *key);
const char *lf_rj_str(const cJSON *o, const char *key);

/* SHA-256 of a file as 64 hex digits (hex[65]). */
lf_status lf_sha256_file(const char *path, char hex[65]);
void lf_sha256(const void *data, size_t len, uint8_t out[32]);

#endif
