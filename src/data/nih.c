/* NIH ChestX-ray14 reader: Data_Entry_2017.csv + images/ or images_NNN/images/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "data/dataset_internal.h"
#include "leapfrog/lf_csv.h"
#include "leapfrog/lf_fileio.h"

const char *const lf_nih_labels[LF_NIH_NUM_LABELS] = {
    "Atelectasis", "Cardiomegaly", "Consolidation", "Edema",  "Effusion",
    "Emphysema",   "Fibrosis",     "Hernia",        "Infiltration", "Mass",
    "Nodule",      "Pleural_Thickening", "Pneumonia", "Pneumothorax"};

int lf_nih_label_index(const char *name) {
  for (int i = 0; i < LF_NIH_NUM_LABELS; i++)
    if (!strcmp(name, lf_nih_labels[i])) return i;
  return -1;
}

static int parse_int(const char *s, int *v) {
  while (*s == ' ') s++;
  char *end;
  long x = strtol(s, &end, 10);
  if (end == s || x < -1000000000L || x > 1000000000L) return 0;
  *v = (int)x;
  return 1;
}

static char *dup_trim(const char *s) {
  while (*s == ' ') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\r')) n--;
  char *r = malloc(n + 1);
  if (r) memcpy(r, s, n), r[n] = 0;
  return r;
}

/* Columns by position (the real header's bracketed names split into extra fields):
 * 0 Image Index, 1 Finding Labels, 2 Follow-up #, 3 Patient ID, 4 Age, 5 Gender,
 * 6 View Position, 7 OriginalImage Width, 8 Height, ... */
lf_status lf_nih_parse_csv(lf_dataset *ds, const char *data, size_t len, const char *name) {
  lf_csv *c;
  lf_status st = lf_csv_parse(data, len, name, &c);
  if (st) return st;
  size_t r0 = 0;
  const char *h0 = lf_csv_field(c, 0, 0);
  if (h0 && strstr(h0, "Image Index")) r0 = 1;
  for (size_t r = r0; r < lf_csv_rows(c); r++) {
    size_t line = lf_csv_line(c, r);
    if (lf_csv_cols(c, r) < 4) {
      st = lf_error(LF_EBADFILE, "%s:%zu: %zu fields, need at least 4 (Image Index, Finding Labels, Follow-up #, Patient ID)",
                    name, line, lf_csv_cols(c, r));
      goto out;
    }
    const char *img = lf_csv_field(c, r, 0), *labels = lf_csv_field(c, r, 1);
    int follow = 0, pid = 0;
    if (!img[0] || strchr(img, '/')) {
      st = lf_error(LF_EBADFILE, "%s:%zu: bad image name '%s'", name, line, img);
      goto out;
    }
    if (!parse_int(lf_csv_field(c, r, 2), &follow) || !parse_int(lf_csv_field(c, r, 3), &pid) || pid < 0) {
      st = lf_error(LF_EBADFILE, "%s:%zu: Follow-up # and Patient ID must be integers", name, line);
      goto out;
    }
    uint32_t bits = 0;
    int nofinding = 0, nlab = 0;
    const char *p = labels;
    while (1) {
      const char *e = strchr(p, '|');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      while (n && *p == ' ') p++, n--;
      while (n && p[n - 1] == ' ') n--;
      char tok[64];
      if (n == 0 || n >= sizeof tok) {
        st = lf_error(LF_EBADFILE, "%s:%zu: bad Finding Labels '%s'", name, line, labels);
        goto out;
      }
      memcpy(tok, p, n), tok[n] = 0;
      if (!strcmp(tok, "No Finding")) nofinding = 1;
      else {
        int k = lf_nih_label_index(tok);
        if (k < 0) {
          st = lf_error(LF_EBADFILE, "%s:%zu: unknown finding '%s'", name, line, tok);
          goto out;
        }
        bits |= 1u << k;
      }
      nlab++;
      if (!e) break;
      p = e + 1;
    }
    if (nofinding && nlab > 1) {
      st = lf_error(LF_EBADFILE, "%s:%zu: 'No Finding' together with findings: '%s'", name, line, labels);
      goto out;
    }
    lf_sample *s = lf_ds_add(ds);
    if (!s) { st = lf_error(LF_ENOMEM, "%s: out of memory", name); goto out; }
    s->name = dup_trim(img);
    s->stem = s->name ? strdup(s->name) : NULL;
    if (!s->name || !s->stem) { st = lf_error(LF_ENOMEM, "%s: out of memory", name); goto out; }
    char *dot = strrchr(s->stem, '.');
    if (dot) *dot = 0;
    s->labels = bits;
    s->index = follow;
    s->patient = pid;
    const char *f;
    if ((f = lf_csv_field(c, r, 4))) parse_int(f, &s->age);
    if ((f = lf_csv_field(c, r, 5))) snprintf(s->gender, sizeof s->gender, "%s", f);
    if ((f = lf_csv_field(c, r, 6))) snprintf(s->view, sizeof s->view, "%s", f);
    if ((f = lf_csv_field(c, r, 7))) parse_int(f, &s->orig_width);
    if ((f = lf_csv_field(c, r, 8))) parse_int(f, &s->orig_height);
  }
  /* duplicates would make lookups ambiguous */
  if ((st = lf_ds_index(ds))) goto out;
  for (size_t i = 0; i < ds->n; i++)
    if (lf_dataset_find(ds, ds->samples[i].name) != &ds->samples[i]) {
      st = lf_error(LF_EBADFILE, "%s: image '%s' is listed twice", name, ds->samples[i].name);
      goto out;
    }
out:
  lf_csv_free(c);
  return st;
}

static int is_dir(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static lf_status scan_images(lf_dataset *ds, const char *dir) {
  char **names;
  size_t n;
  lf_status st = lf_list_dir(dir, &names, &n);
  if (st) return st;
  for (size_t i = 0; i < n && !st; i++) {
    const lf_sample *cs = lf_dataset_find(ds, names[i]);
    if (!cs || strcmp(cs->name, names[i])) { ds->n_unlisted_images++; continue; }
    lf_sample *s = (lf_sample *)cs;
    if (s->path) continue; /* first folder wins */
    if (!(s->path = lf_path_join(dir, names[i]))) st = lf_error(LF_ENOMEM, "%s: out of memory", dir);
  }
  lf_free_names(names, n);
  return st;
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(((const lf_sample *)a)->name, ((const lf_sample *)b)->name);
}

lf_status lf_nih_open(lf_dataset *ds) {
  char *csv = lf_path_join(ds->root, "Data_Entry_2017.csv");
  if (!csv) return lf_error(LF_ENOMEM, "out of memory");
  unsigned char *d;
  size_t n;
  lf_status st = lf_read_file(csv, (size_t)1 << 30, &d, &n);
  if (st) {
    free(csv);
    return st;
  }
  st = lf_nih_parse_csv(ds, (const char *)d, n, csv);
  free(d);
  free(csv);
  if (st) return st;
  int found = 0;
  char *dir = lf_path_join(ds->root, "images");
  if (!dir) return lf_error(LF_ENOMEM, "out of memory");
  if (is_dir(dir)) {
    found = 1;
    st = scan_images(ds, dir);
  }
  free(dir);
  for (int k = 1; k <= 99 && !st; k++) {
    char sub[64];
    snprintf(sub, sizeof sub, "images_%03d/images", k);
    if (!(dir = lf_path_join(ds->root, sub))) return lf_error(LF_ENOMEM, "out of memory");
    if (is_dir(dir)) {
      found = 1;
      st = scan_images(ds, dir);
    }
    free(dir);
  }
  if (st) return st;
  if (!found)
    return lf_error(LF_ENOTFOUND, "%s: no images/ or images_001/images/ folder", ds->root);
  if (ds->n) qsort(ds->samples, ds->n, sizeof *ds->samples, cmp_name);
  return LF_OK;
}
