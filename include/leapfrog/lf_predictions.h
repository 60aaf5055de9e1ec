/* Prediction files exchanged between the device and the scorer.
 *
 * Classification (predictions JSON), two accepted shapes:
 *   {"images/00000001_000.png": {"Atelectasis": 0.12, "Cardiomegaly": 0.03, ...}, ...}
 *   {"images/00000001_000.png": [[0.12, 0.03, ...]], ...}   (the paper's; [..] too)
 * Every image must carry the same labels (named form: the same names in any
 * order; array form: the same count). Scores are probabilities: finite, in
 * [0, 1]. Keys must be unique. The writer emits the named form.
 *
 * Segmentation (Kaggle submission CSV): header "img,pixels", one row per image;
 * img is Kaggle's image id ("5" for test/5.tif, "10_104" for train/10_104.tif),
 * pixels the run-length mask of lf_rle.h ("" = empty). ids must be unique;
 * pixels may contain only digits and spaces (lf_rle_decode checks the runs).
 *
 * Errors name the file and the key/line (LF_EBADFILE). */
#ifndef LF_PREDICTIONS_H
#define LF_PREDICTIONS_H
#include <stddef.h>

#include "leapfrog/lf_status.h"

typedef struct {
  size_t n;       /* images */
  int k;          /* scores per image */
  char **keys;    /* [n] image paths as written in the file */
  char **labels;  /* [k] label names; NULL for the array form (positional) */
  double *scores; /* [n * k] row-major: image i, label j at scores[i * k + j] */
} lf_predictions;

/* Parses a predictions JSON held in memory; `name` is used in messages. */
lf_status lf_predictions_parse_json(const char *data, size_t len, const char *name, lf_predictions *out);
lf_status lf_predictions_read_json(const char *path, lf_predictions *out); /* refuses > 1 GiB */
/* Writes the named form atomically (labels required; scores printed with
 * 9 significant digits, exact for float32 values). */
lf_status lf_predictions_write_json(const char *path, const lf_predictions *p);
/* Allocates keys/labels/scores for n images and k labels (zeroed), for writers. */
lf_status lf_predictions_alloc(lf_predictions *p, size_t n, int k);
void lf_predictions_free(lf_predictions *p);

typedef struct {
  size_t n;
  char **img;    /* [n] image ids */
  char **pixels; /* [n] RLE strings ("" = empty mask) */
} lf_submission;

/* Submission files larger than this are refused before they are read: the
 * whole Kaggle nerve test set (5,508 images) takes a few MB, and parsing
 * costs ~13x the file in memory (a 200 MB file took 2.7 GB). */
#define LF_SUBMISSION_MAX_BYTES ((size_t)64 << 20)
lf_status lf_submission_parse_csv(const char *data, size_t len, const char *name, lf_submission *out);
/* Reads `path` (at most LF_SUBMISSION_MAX_BYTES) and parses it. */
lf_status lf_submission_read_csv(const char *path, lf_submission *out);
lf_status lf_submission_write_csv(const char *path, const lf_submission *s);
lf_status lf_submission_alloc(lf_submission *s, size_t n);
void lf_submission_free(lf_submission *s);

/* Kind of prediction file by its content: 'j' (JSON: starts with '{' after
 * whitespace/BOM), 'c' (CSV), 0 when empty. */
int lf_predictions_sniff(const char *data, size_t len);

#endif
