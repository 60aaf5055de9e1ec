/* Kaggle ultrasound nerve reader: train/<s>_<n>.tif (+ _mask.tif), test/<n>.tif,
 * train_masks.csv (subject,img,pixels). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset_internal.h"
#include "leapfrog/lf_csv.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_rle.h"

/* Parses a non-negative decimal of at most 9 digits filling [s, e); -1 if not. */
static int num(const char *s, const char *e) {
  if (e <= s || e - s > 9) return -1;
  int v = 0;
  for (; s < e; s++) {
    if (*s < '0' || *s > '9') return -1;
    v = v * 10 + (*s - '0');
  }
  return v;
}

/* subject, then frame; test/ images (subject -1) last */
static int cmp_frame(const void *pa, const void *pb) {
  const lf_sample *a = pa, *b = pb;
  int sa = a->patient < 0 ? 0x7fffffff : a->patient, sb = b->patient < 0 ? 0x7fffffff : b->patient;
  if (sa != sb) return sa < sb ? -1 : 1;
  return a->index < b->index ? -1 : a->index > b->index;
}

static lf_sample *add_frame(lf_dataset *ds, int subject, int n) {
  char stem[32], name[40];
  if (subject >= 0) snprintf(stem, sizeof stem, "%d_%d", subject, n);
  else snprintf(stem, sizeof stem, "%d", n);
  snprintf(name, sizeof name, "%s.tif", stem);
  lf_sample *s = lf_ds_add(ds);
  if (!s) return NULL;
  s->patient = subject;
  s->index = n;
  s->name = strdup(name);
  s->stem = strdup(stem);
  if (!s->name || !s->stem) return NULL;
  return s;
}

lf_status lf_nerve_parse_masks_csv(lf_dataset *ds, const char *data, size_t len, const char *name) {
  lf_csv *c;
  lf_status st = lf_csv_parse(data, len, name, &c);
  if (st) return st;
  int cs = lf_csv_find_col(c, "subject"), ci = lf_csv_find_col(c, "img"), cp = lf_csv_find_col(c, "pixels");
  if (cs < 0 || ci < 0 || cp < 0) {
    st = lf_error(LF_EBADFILE, "%s:1: header must name subject, img and pixels", name);
    goto out;
  }
  size_t first = ds->n;
  for (size_t r = 1; r < lf_csv_rows(c); r++) {
    size_t line = lf_csv_line(c, r);
    const char *fs = lf_csv_field(c, r, (size_t)cs), *fi = lf_csv_field(c, r, (size_t)ci),
               *fp = lf_csv_field(c, r, (size_t)cp);
    if (!fs || !fi || !fp) {
      st = lf_error(LF_EBADFILE, "%s:%zu: %zu fields, need subject, img, pixels", name, line, lf_csv_cols(c, r));
      goto out;
    }
    int subj = num(fs, fs + strlen(fs)), n = num(fi, fi + strlen(fi));
    if (subj < 0 || n < 0) {
      st = lf_error(LF_EBADFILE, "%s:%zu: subject and img must be non-negative integers", name, line);
      goto out;
    }
    /* the runs are checked against the image size when the folder is opened (check_masks) */
    if (strspn(fp, "0123456789 \t") != strlen(fp)) {
      st = lf_error(LF_EBADFILE, "%s:%zu: pixels must be run-length pairs of numbers", name, line);
      goto out;
    }
    lf_sample *s = add_frame(ds, subj, n);
    if (!s || !(s->rle = strdup(fp))) { st = lf_error(LF_ENOMEM, "%s: out of memory", name); goto out; }
    s->labels = fp[strspn(fp, " \t")] != 0;
  }
  if (ds->n > first) qsort(ds->samples + first, ds->n - first, sizeof *ds->samples, cmp_frame);
  for (size_t i = first + 1; i < ds->n; i++)
    if (!cmp_frame(&ds->samples[i - 1], &ds->samples[i])) {
      st = lf_error(LF_EBADFILE, "%s: image %s is listed twice", name, ds->samples[i].stem);
      goto out;
    }
out:
  lf_csv_free(c);
  return st;
}

/* train/ file name: "<s>_<n>.tif" (*is_mask = 0) or "<s>_<n>_mask.tif" (1); 0 if neither. */
static int parse_train_name(const char *f, int *subj, int *n, int *is_mask) {
  size_t L = strlen(f);
  if (L < 5 || strcmp(f + L - 4, ".tif")) return 0;
  const char *end = f + L - 4;
  *is_mask = 0;
  if (end - f > 5 && !memcmp(end - 5, "_mask", 5)) end -= 5, *is_mask = 1;
  const char *us = memchr(f, '_', (size_t)(end - f));
  if (!us) return 0;
  *subj = num(f, us);
  *n = num(us + 1, end);
  return *subj >= 0 && *n >= 0;
}

/* Every train/ frame's ground truth, read once: mask files (label from the file),
 * RLE runs (validated against the image size: off-image, overlapping, unsorted runs
 * name the image and run), and, where both exist, the two compared pixel by pixel. */
static lf_status check_masks(lf_dataset *ds) {
  char list[600] = "";
  size_t n_bad = 0;
  for (size_t i = 0; i < ds->n; i++) {
    lf_sample *s = &ds->samples[i];
    if (!s->mask_path && !(s->rle && s->path)) continue;
    uint8_t *m, *r = NULL;
    int w, h;
    lf_status st = lf_dataset_load_mask(ds, s, &m, &w, &h);
    if (st) return st;
    size_t np = (size_t)w * h, n_file = 0, n_rle = 0, n_diff = 0;
    for (size_t k = 0; k < np; k++) n_file += m[k];
    s->labels = n_file != 0;
    if (s->mask_path && s->rle) {
      if (!(r = malloc(np ? np : 1))) { free(m); return lf_error(LF_ENOMEM, "%s: out of memory", s->name); }
      char where[300];
      snprintf(where, sizeof where, "train_masks.csv: image %s", s->stem);
      if ((st = lf_rle_decode(s->rle, w, h, r, where))) { free(m), free(r); return st; }
      for (size_t k = 0; k < np; k++) n_rle += r[k], n_diff += r[k] != m[k];
      if (n_diff && n_bad++ < 5) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s (mask file %zu pixels, CSV %zu, %zu differ)", l ? "; " : "",
                 s->stem, n_file, n_rle, n_diff);
      }
    }
    free(m), free(r);
  }
  if (n_bad)
    return lf_error(LF_EBADFILE, "%s: train_masks.csv and the train/*_mask.tif files disagree on %zu image%s: %s%s "
                    "(fix or remove one of the two)", ds->root, n_bad, n_bad == 1 ? "" : "s", list,
                    n_bad > 5 ? "; ..." : "");
  return LF_OK;
}

/* Two test/ files with one image id ("007.tif" and "7.tif") are refused. */
static lf_status check_duplicate_ids(const lf_dataset *ds) {
  for (size_t i = 1; i < ds->n; i++) {
    const lf_sample *a = &ds->samples[i - 1], *b = &ds->samples[i];
    if (!cmp_frame(a, b))
      return lf_error(LF_EBADFILE, "%s and %s are both image %s (one image id, two files)",
                      a->path ? a->path : a->name, b->path ? b->path : b->name, b->stem);
  }
  return LF_OK;
}

lf_status lf_nerve_open(lf_dataset *ds) {
  lf_status st;
  char *csv = lf_path_join(ds->root, "train_masks.csv");
  char *train = lf_path_join(ds->root, "train"), *test = lf_path_join(ds->root, "test");
  char **names = NULL;
  size_t nn = 0;
  if (!csv || !train || !test) { st = lf_error(LF_ENOMEM, "out of memory"); goto out; }
  unsigned char *d;
  size_t len;
  st = lf_read_file(csv, (size_t)1 << 30, &d, &len);
  if (st == LF_OK) {
    st = lf_nerve_parse_masks_csv(ds, (const char *)d, len, csv);
    free(d);
    if (st) goto out;
  } else if (st != LF_ENOTFOUND) {
    goto out;
  }
  if ((st = lf_ds_index(ds))) goto out;
  st = lf_list_dir(train, &names, &nn);
  if (st == LF_ENOTFOUND && ds->n) st = LF_OK; /* CSV only */
  if (st) goto out;
  /* images first, then masks (a mask needs its frame).  The index stores sample
   * numbers, so it stays valid while samples are appended (new frames are only
   * looked up in pass 1, after the reindex). */
  for (int pass = 0; pass < 2; pass++) {
    for (size_t i = 0; i < nn; i++) {
      int subj, n, is_mask;
      if (!parse_train_name(names[i], &subj, &n, &is_mask) || is_mask != pass) continue;
      char stem[32], canon[48];
      snprintf(stem, sizeof stem, "%d_%d", subj, n);
      snprintf(canon, sizeof canon, "%s%s.tif", stem, is_mask ? "_mask" : "");
      if (strcmp(canon, names[i])) continue; /* "1_01.tif": not the Kaggle naming */
      lf_sample *s = (lf_sample *)lf_dataset_find(ds, stem);
      if (!s) {
        if (is_mask) continue; /* a mask without its image */
        if (!(s = add_frame(ds, subj, n))) { st = lf_error(LF_ENOMEM, "out of memory"); goto out; }
      }
      char **dst = is_mask ? &s->mask_path : &s->path;
      if (!*dst && !(*dst = lf_path_join(train, names[i]))) { st = lf_error(LF_ENOMEM, "out of memory"); goto out; }
    }
    if ((st = lf_ds_index(ds))) goto out;
  }
  lf_free_names(names, nn);
  names = NULL, nn = 0;
  if ((st = check_masks(ds))) goto out;
  if (lf_list_dir(test, &names, &nn) == LF_OK) {
    for (size_t i = 0; i < nn; i++) {
      size_t L = strlen(names[i]);
      if (L < 5 || strcmp(names[i] + L - 4, ".tif")) continue;
      int n = num(names[i], names[i] + L - 4);
      if (n < 0) continue;
      lf_sample *s = add_frame(ds, -1, n);
      if (!s || !(s->path = lf_path_join(test, names[i]))) { st = lf_error(LF_ENOMEM, "out of memory"); goto out; }
      s->split = LF_SPLIT_UNLABELLED;
    }
  }
  lf_clear_error();
  st = LF_OK;
  if (!ds->n) st = lf_error(LF_ENOTFOUND, "%s: no train/ images, test/ images or train_masks.csv", ds->root);
  if (ds->n) qsort(ds->samples, ds->n, sizeof *ds->samples, cmp_frame);
  if (!st) st = check_duplicate_ids(ds);
out:
  lf_free_names(names, nn);
  free(csv), free(train), free(test);
  return st;
}
