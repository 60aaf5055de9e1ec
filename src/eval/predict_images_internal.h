/* Pieces of `predict IMAGE|DIR|@LIST...` (predict_images.c): the input list,
 * the frames of one file, and the resume journal. Not a public header. */
#ifndef LF_PREDICT_IMAGES_INTERNAL_H
#define LF_PREDICT_IMAGES_INTERNAL_H
#include <stdio.h>

#include "eval/predict_internal.h"

/* ---- the files to run, in order (predict_inputs.c) ---- */
typedef struct {
  char **paths;
  unsigned char *named; /* 1: named on the command line or in a list (an unreadable one is reported) */
  size_t n, cap;
  size_t not_images;    /* files under folders skipped because their content is no image format */
} lf_predict_inputs;
lf_status lf_predict_inputs_collect(lf_predict_inputs *in, const char *const *args, size_t n);
void lf_predict_inputs_free(lf_predict_inputs *in);

/* ---- one file -> the images to predict (predict_frames.c) ----
 * A file may hold several frames (a multi-frame DICOM): each is predicted and
 * written under its own key. Today every format gives one frame keyed by the
 * path. */
typedef struct {
  lf_image img;
  char *key;
} lf_predict_frame;
typedef struct {
  lf_predict_frame *f;
  int n;
} lf_predict_frames;
lf_status lf_predict_frames_read(const char *path, lf_predict_frames *out);
/* OUT.dicom.json: SOP Instance UID, pixel spacing and frames of each DICOM among
 * paths[i] with used[i] set (predict_dicom_meta.c); nothing when there is none. */
lf_status lf_predict_write_dicom_meta(const char *out_path, char *const *paths, const unsigned char *used, size_t n);
void lf_predict_frames_free(lf_predict_frames *fr);

/* ---- one result row ---- */
typedef struct {
  size_t file; /* index in the input list */
  int frame;
  char *key;
  float *scores; /* classification: n_labels */
  char *rle;     /* segmentation */
} lf_predict_row;

/* ---- the journal OUT.partial (predict_journal.c) ----
 * Line 1: a header naming the model (path, bytes) and what shapes the output
 * (task, labels, normalisation, threshold); then per result
 *   {"file": PATH, "frame": F, "key": KEY, "scores": [..]} or {..., "rle": ".."}
 * and {"done": PATH} once all of a file's frames are in. Each line is written
 * whole and flushed after every invoke; a kill leaves at most a torn last
 * line, which resuming drops (and truncates away). */
typedef struct {
  FILE *f;
  char *path;
  double last_sync;
} lf_predict_journal;
/* Header line for this run (malloc'd). */
char *lf_predict_journal_header(const char *model_path, const lf_predictor_info *in);
/* Starts a fresh journal at path (an old one replaced). */
lf_status lf_predict_journal_create(lf_predict_journal *j, const char *path, const char *header);
/* Reads the journal at path (nothing when missing: *found = 0): checks its
 * header equals `header`, calls done(file path, rows, nrows, ctx) for every
 * file marked done (rows owned by the callee after the call: it frees them
 * or keeps them); a torn tail is ignored. */
typedef lf_status (*lf_predict_journal_done_fn)(const char *path, lf_predict_row *rows, size_t nrows, void *ctx);
lf_status lf_predict_journal_read(const char *path, const char *header, lf_predict_journal_done_fn done, void *ctx,
                                  int *found);
/* Every journal of OUT in its folder, of one process (OUT.partial) or of any
 * number (OUT.partial.RofN), sorted by name; free with ..._list_free. */
lf_status lf_predict_journal_list(const char *out_path, char ***paths, size_t *n);
void lf_predict_journal_list_free(char **paths, size_t n);
/* Flushes and renames the open journal to path (a resumed run's journal is
 * written beside the old ones, then takes its name). */
lf_status lf_predict_journal_rename(lf_predict_journal *j, const char *path);
lf_status lf_predict_journal_add_row(lf_predict_journal *j, const char *file_path, const lf_predict_row *r,
                                     int n_scores);
lf_status lf_predict_journal_add_done(lf_predict_journal *j, const char *file_path);
/* fflush (and fsync at most every few seconds). */
lf_status lf_predict_journal_flush(lf_predict_journal *j);
/* Closes; remove = 1 also deletes the file (the output is written). */
void lf_predict_journal_close(lf_predict_journal *j, int remove);
void lf_predict_row_free(lf_predict_row *r);

/* ---- several processes under mpirun (predict_shard.c) ----
 * This rank's contiguous share [*lo, *hi) of n items (all of them for one
 * process); rank r's share comes before rank r+1's. */
void lf_predict_shard(size_t n, size_t *lo, size_t *hi);
/* Rank 0 receives every rank's rows (copies, in rank order: *all, *nall;
 * freed by the caller); other ranks get *all = NULL. n_scores 0: rows hold
 * run-length masks. A collective: every rank calls it. */
lf_status lf_predict_rows_gather(const lf_predict_row *mine, size_t n, int n_scores, lf_predict_row **all,
                                 size_t *nall);
/* Rank 0's timing becomes every rank's invoke times; others keep theirs. */
lf_status lf_predict_timing_gather(lf_predict_timing *t);
/* v[0..n) (n <= 4) summed over the ranks, on every rank. */
lf_status lf_predict_count_sum(size_t *v, int n);

#endif
