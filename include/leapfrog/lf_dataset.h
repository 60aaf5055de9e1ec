/* Dataset readers for the two layouts of the paper, and splits.
 *
 * NIH ChestX-ray14 (LF_TASK_CHESTXRAY14), root folder with:
 *   images/<name>.png  or  images_001/images/<name>.png ... images_012/images/
 *   Data_Entry_2017.csv   Image Index, Finding Labels ('|'-separated or "No Finding"),
 *                         Follow-up #, Patient ID, Patient Age, Patient Gender,
 *                         View Position, OriginalImage[Width,Height],
 *                         OriginalImagePixelSpacing[x,y]  (columns read by position;
 *                         the unquoted bracketed headers split into extra fields)
 *   train_val_list.txt, test_list.txt  (optional; one image name per line)
 * Kaggle ultrasound nerve (LF_TASK_NERVE), root folder with:
 *   train/<subject>_<n>.tif, train/<subject>_<n>_mask.tif (580x420 8-bit grey),
 *   test/<n>.tif (no masks), train_masks.csv (subject,img,pixels; RLE in lf_rle.h;
 *   optional when the mask TIFFs are there).
 *
 * Samples are sorted by name (NIH: Image Index; nerve: subject, then n; test/ last).
 */
#ifndef LF_DATASET_H
#define LF_DATASET_H
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>

#include "leapfrog/lf_status.h"

typedef enum { LF_TASK_CHESTXRAY14 = 0, LF_TASK_NERVE = 1 } lf_task;
lf_status lf_task_parse(const char *s, lf_task *out); /* "chestxray14" | "nerve" */
const char *lf_task_name(lf_task t);

/* Split membership.  LF_SPLIT_UNLABELLED: Kaggle's test/ images (no masks). */
typedef enum {
  LF_SPLIT_NONE = 0, LF_SPLIT_TRAIN, LF_SPLIT_VAL, LF_SPLIT_TEST, LF_SPLIT_UNLABELLED,
  LF_SPLIT_ALL /* selector only: every sample */
} lf_split;
lf_status lf_split_parse(const char *s, lf_split *out); /* train|val|test|unlabelled|all */
const char *lf_split_name(lf_split s);

#define LF_NIH_NUM_LABELS 14
/* The paper's (alphabetical) order: bit i of lf_sample.labels is lf_nih_labels[i]. */
extern const char *const lf_nih_labels[LF_NIH_NUM_LABELS];
/* Index of a finding name in lf_nih_labels, or -1 ("No Finding" is -1 too). */
int lf_nih_label_index(const char *name);

typedef struct {
  char *path;      /* image path (root joined); NULL when the image file is missing */
  char *name;      /* basename, e.g. "00000001_000.png", "10_104.tif", "5.tif" */
  char *stem;      /* basename without extension, e.g. "10_104" (Kaggle's img key) */
  int patient;     /* NIH Patient ID / nerve subject; test/ images: -1 */
  int index;       /* NIH Follow-up #; nerve frame n (test/: the image number) */
  uint32_t labels; /* NIH: bit i = lf_nih_labels[i]; nerve: 1 if the mask is non-empty */
  char *mask_path; /* nerve train/: the _mask.tif path, NULL if absent */
  char *rle;       /* nerve: train_masks.csv pixels ("" = empty mask), NULL if absent */
  lf_split split;
  /* NIH metadata (0 / "" when unknown) */
  int age, orig_width, orig_height;
  char gender[4], view[4];
} lf_sample;

typedef struct lf_dataset {
  lf_task task;
  char *root;
  int num_labels;             /* 14 (NIH) or 1 (nerve) */
  const char *const *label_names;
  lf_sample *samples;
  size_t n;
  size_t n_missing_images;    /* CSV rows whose image is not on disk (dropped) */
  lf_sample *missing;         /* the dropped rows (path NULL, sorted as samples); they get
                                 a split too, so lf_dataset_check_missing can name them */
  size_t n_missing_kept;      /* entries of missing (0 with keep_missing) */
  size_t n_unlisted_images;   /* NIH: images on disk without a CSV row (ignored) */
  struct lf_name_index *index; /* private: lookup by name */
} lf_dataset;

/* Reads the folder.  Samples start in LF_SPLIT_NONE (except nerve test/ images:
 * LF_SPLIT_UNLABELLED); call lf_dataset_split.  NIH rows whose image is missing
 * are dropped (kept in ds->missing) and counted; set keep_missing to keep them
 * (path NULL), e.g. to score predictions against labels only.  Nerve: every train/
 * frame's ground truth is read and checked here (lf_dataset_load_mask's rules, RLE
 * runs, mask file vs train_masks.csv row), and two files with one image id
 * ("test/007.tif", "test/7.tif") are refused; LF_EBADFILE names the image(s). */
lf_status lf_dataset_open(lf_task task, const char *root, int keep_missing, lf_dataset **out);
void lf_dataset_free(lf_dataset *ds);

/* Parsers over memory (also the fuzz targets' entry points): fill ds->samples from
 * the CSV without looking at the disk (path = NULL).  ds must come from
 * lf_dataset_new. */
lf_dataset *lf_dataset_new(lf_task task, const char *root);
lf_status lf_nih_parse_csv(lf_dataset *ds, const char *data, size_t len, const char *name);
lf_status lf_nerve_parse_masks_csv(lf_dataset *ds, const char *data, size_t len, const char *name);

/* Lookup by basename, stem or any path ending in it ("a/b/00000001_000.png",
 * "10_104", "10_104.tif").  NULL if unknown. */
const lf_sample *lf_dataset_find(const lf_dataset *ds, const char *name_or_path);

/* ---- splits ----
 * A sample's split depends only on its patient (or, for paper, its name), the seed
 * and the ratios: a keyed hash (splitmix64 of seed and patient ID) gives each patient
 * a point u in [0,1), and u < train/sum is train, u < (train+val)/sum val, else test.
 * Adding or removing other images never moves anyone; the split sizes follow the
 * ratios only on average (a small dataset may have an empty val split).
 * LF_SPLITMODE_PATIENT (default): as above, so no patient is in two splits.
 * LF_SPLITMODE_OFFICIAL: NIH test_list.txt -> test; train_val_list.txt -> train/val
 *   by patient hash with ratio val/(train+val); unlisted images stay LF_SPLIT_NONE.
 *   The lists are checked: a NUL byte, a name not in Data_Entry_2017.csv, a name
 *   listed twice (in one list or both) -> LF_EBADFILE naming the file and line.
 *   Nerve: as PATIENT (Kaggle's test/ has no masks; it stays LF_SPLIT_UNLABELLED).
 * LF_SPLITMODE_PAPER: image-level, by a keyed hash of the image name: 30% test, then
 *   30% of the rest val, as the paper's code did; leaks patients across splits (a
 *   warning goes to *warning).
 * Rows whose image is missing (ds->missing) are split the same way. */
typedef enum { LF_SPLITMODE_PATIENT = 0, LF_SPLITMODE_OFFICIAL, LF_SPLITMODE_PAPER } lf_split_mode;
typedef struct {
  lf_split_mode mode;
  double train, val, test; /* ratios for PATIENT / OFFICIAL (val/(train+val)); default .7 .1 .2 */
  uint64_t seed;           /* default 1 */
  int strict;              /* predict/score: images of the split missing on disk are an
                              error, not a warning (lf_dataset_check_missing); default 0 */
} lf_split_opts;
void lf_split_opts_default(lf_split_opts *o);
/* "patient", "patient:70,10,20", "official", "paper" */
lf_status lf_split_opts_parse(const char *spec, lf_split_opts *o);
/* warning: set to a static string when the split leaks patients, else NULL (may be NULL). */
lf_status lf_dataset_split(lf_dataset *ds, const lf_split_opts *o, const char **warning);

/* Images of `split` (LF_SPLIT_ALL = every split) that the dataset's CSV lists but
 * that are not on disk (call after lf_dataset_split): none -> LF_OK; else the message
 * names how many, the first few and the counts per split; strict -> LF_ENOTFOUND
 * with it, otherwise "warning: ..." goes to log (may be NULL) and LF_OK. */
lf_status lf_dataset_check_missing(const lf_dataset *ds, lf_split split, int strict, FILE *log);

/* Indices of the samples in `split` (LF_SPLIT_ALL = all) with an image on disk;
 * returns the count; idx may be NULL to only count. */
size_t lf_dataset_select(const lf_dataset *ds, lf_split split, size_t *idx);

/* Ground-truth mask of a nerve sample (0/1 bytes, row-major, *w x *h, malloc'd):
 * from the _mask.tif when present (any nonzero pixel is nerve, so 0/255 and 0/1
 * masks read the same; a mask whose size differs from its image's is refused,
 * LF_EBADFILE naming both), else from the RLE (580x420 unless the image is
 * readable and says otherwise).  LF_ENOTFOUND when the sample has neither. */
lf_status lf_dataset_load_mask(const lf_dataset *ds, const lf_sample *s, uint8_t **mask, int *w,
                               int *h);

#endif
