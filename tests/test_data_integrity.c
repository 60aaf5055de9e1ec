/* Issue 9, "stable splits" and "nothing silent": a patient's split depends only on
 * that patient (removing another patient's images moves no one), missing images are
 * reported per split, split lists are validated, Kaggle masks are read as nonzero =
 * nerve and checked against their image and train_masks.csv, RLE runs are checked
 * when the folder is opened, and two files with one image id are refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_synth.h"
#include "lf_test.h"

static char dir[512];

static char *P(const char *a, const char *b) {
  static char buf[8][1024];
  static int k;
  k = (k + 1) & 7;
  snprintf(buf[k], sizeof buf[k], "%s/%s", a, b);
  return buf[k];
}

static void put(const char *path, const char *text, size_t n) {
  LF_CHECK(lf_write_file_atomic(path, text, n) == LF_OK);
}
static void puts_(const char *path, const char *text) { put(path, text, strlen(text)); }

/* name -> split of every sample, for one mode */
typedef struct {
  char name[64];
  lf_split split;
} entry;

static size_t splits_of(const char *root, const char *mode, entry *out) {
  lf_dataset *ds;
  lf_split_opts o;
  lf_split_opts_default(&o);
  LF_CHECK(lf_split_opts_parse(mode, &o) == LF_OK);
  o.seed = 3;
  LF_CHECK_MSG(lf_dataset_open(LF_TASK_CHESTXRAY14, root, 0, &ds) == LF_OK, "%s", lf_last_error());
  if (!ds) return 0;
  LF_CHECK_MSG(lf_dataset_split(ds, &o, NULL) == LF_OK, "%s", lf_last_error());
  for (size_t i = 0; i < ds->n; i++) {
    snprintf(out[i].name, sizeof out[i].name, "%s", ds->samples[i].name);
    out[i].split = ds->samples[i].split;
  }
  size_t n = ds->n;
  lf_dataset_free(ds);
  return n;
}

LF_TEST(split_stable_when_a_patient_is_removed) {
  char *root = P(dir, "chest");
  lf_synth_opts so;
  lf_synth_opts_default(&so);
  so.n = 240, so.size = 32, so.seed = 11;
  LF_CHECK_MSG(lf_synth_chestxray14(root, &so) == LF_OK, "%s", lf_last_error());
  static entry before[3][240], after[3][240];
  const char *modes[3] = {"patient", "official", "paper"};
  size_t nb[3];
  for (int m = 0; m < 3; m++) nb[m] = splits_of(root, modes[m], before[m]);
  LF_CHECK(nb[0] == 240);
  /* remove every image of the patient of the 7th image */
  lf_dataset *ds;
  LF_CHECK(lf_dataset_open(LF_TASK_CHESTXRAY14, root, 0, &ds) == LF_OK);
  if (!ds) return;
  int pid = ds->samples[7].patient, removed = 0;
  for (size_t i = 0; i < ds->n; i++)
    if (ds->samples[i].patient == pid) {
      LF_CHECK(unlink(ds->samples[i].path) == 0);
      removed++;
    }
  lf_dataset_free(ds);
  LF_CHECK(removed >= 1);
  for (int m = 0; m < 3; m++) {
    size_t na = splits_of(root, modes[m], after[m]), moved = 0, j = 0;
    LF_CHECK_MSG(na == nb[m] - (size_t)removed, "%s: %zu images after removing %d of %zu", modes[m], na, removed, nb[m]);
    for (size_t i = 0; i < na; i++) {
      while (j < nb[m] && strcmp(before[m][j].name, after[m][i].name)) j++;
      LF_CHECK(j < nb[m]);
      if (j < nb[m]) moved += before[m][j].split != after[m][i].split;
    }
    LF_CHECK_MSG(moved == 0, "split %s: %zu of %zu images changed split when patient %d's %d images went", modes[m],
                 moved, na, pid, removed);
  }
  /* the missing images are named with the split they belong to */
  LF_CHECK(lf_dataset_open(LF_TASK_CHESTXRAY14, root, 0, &ds) == LF_OK);
  if (!ds) return;
  lf_split_opts o;
  lf_split_opts_default(&o);
  o.seed = 3;
  LF_CHECK(lf_dataset_split(ds, &o, NULL) == LF_OK);
  LF_CHECK(ds->n_missing_images == (size_t)removed && ds->n_missing_kept == (size_t)removed);
  lf_split ps = ds->missing[0].split, other = ps == LF_SPLIT_TEST ? LF_SPLIT_TRAIN : LF_SPLIT_TEST;
  LF_CHECK(ps == LF_SPLIT_TRAIN || ps == LF_SPLIT_VAL || ps == LF_SPLIT_TEST);
  LF_CHECK(lf_dataset_check_missing(ds, other, 1, NULL) == LF_OK);
  LF_CHECK(lf_dataset_check_missing(ds, ps, 0, NULL) == LF_OK);
  LF_CHECK(lf_dataset_check_missing(ds, ps, 1, NULL) == LF_ENOTFOUND);
  char want[64];
  snprintf(want, sizeof want, "%d %s", removed, lf_split_name(ps));
  LF_CHECK_MSG(strstr(lf_last_error(), ds->missing[0].name) && strstr(lf_last_error(), want), "%s", lf_last_error());
  LF_CHECK(lf_dataset_check_missing(ds, LF_SPLIT_ALL, 1, NULL) == LF_ENOTFOUND);
  lf_dataset_free(ds);
}

/* test_list.txt variants: each refused naming the file and the line */
LF_TEST(split_lists_validated) {
  char *root = P(dir, "chest");
  char *tl = P(root, "test_list.txt");
  unsigned char *orig;
  size_t on;
  LF_CHECK(lf_read_file(tl, 0, &orig, &on) == LF_OK);
  if (!orig) return;
  char first[64] = "";
  sscanf((char *)orig, "%63s", first);
  unsigned char *tv;
  size_t tvn;
  LF_CHECK(lf_read_file(P(root, "train_val_list.txt"), 0, &tv, &tvn) == LF_OK);
  char tv_first[64] = "";
  if (tv) sscanf((char *)tv, "%63s", tv_first);
  free(tv);
  struct {
    const char *what, *want;
    char text[256];
    size_t n;
  } c[4];
  memset(c, 0, sizeof c);
  c[0].what = "NUL byte", c[0].want = "test_list.txt:2: NUL byte";
  c[0].n = (size_t)snprintf(c[0].text, sizeof c[0].text, "%s\nx", first) + 1;
  c[0].text[c[0].n - 2] = 0, c[0].text[c[0].n - 1] = 'y';
  c[1].what = "unknown name", c[1].want = "test_list.txt:2: image '99999999_999.png' is not in";
  c[1].n = (size_t)snprintf(c[1].text, sizeof c[1].text, "%s\n99999999_999.png\n", first);
  c[2].what = "listed twice", c[2].want = "test_list.txt:3: image";
  c[2].n = (size_t)snprintf(c[2].text, sizeof c[2].text, "%s\n\n%s\n", first, first);
  c[3].what = "in both lists", c[3].want = "(first in train_val_list.txt line 1)";
  c[3].n = (size_t)snprintf(c[3].text, sizeof c[3].text, "%s\n", tv_first);
  for (int k = 0; k < 4; k++) {
    put(tl, c[k].text, c[k].n);
    lf_dataset *ds;
    LF_CHECK(lf_dataset_open(LF_TASK_CHESTXRAY14, root, 0, &ds) == LF_OK);
    if (!ds) continue;
    lf_split_opts o;
    lf_split_opts_default(&o);
    o.mode = LF_SPLITMODE_OFFICIAL;
    LF_CHECK_MSG(lf_dataset_split(ds, &o, NULL) == LF_EBADFILE && strstr(lf_last_error(), c[k].want),
                 "%s: want '%s', got '%s'", c[k].what, c[k].want, lf_last_error());
    lf_dataset_free(ds);
  }
  put(tl, (const char *)orig, on);
  free(orig);
}

/* a w x h grey TIFF with the given pixels set to v */
static void tif(const char *path, int w, int h, const int *on, int n_on, int v) {
  lf_image im;
  LF_CHECK(lf_image_alloc(&im, w, h, 1) == LF_OK);
  memset(im.data, 0, (size_t)w * h);
  for (int i = 0; i < n_on; i++) im.data[on[i]] = (uint8_t)v;
  LF_CHECK(lf_image_write_tiff(path, &im) == LF_OK);
  lf_image_free(&im);
}

static lf_status open_nerve(const char *root, lf_dataset **ds) {
  lf_status st = lf_dataset_open(LF_TASK_NERVE, root, 0, ds);
  return st;
}

LF_TEST(mask_nonzero_is_nerve) {
  char *root = P(dir, "n01");
  lf_mkdirs(P(root, "train"));
  int on[2] = {5, 6};
  tif(P(root, "train/1_1.tif"), 6, 4, NULL, 0, 0);
  tif(P(root, "train/1_1_mask.tif"), 6, 4, on, 2, 1); /* a 0/1 mask */
  tif(P(root, "train/1_2.tif"), 6, 4, NULL, 0, 0);
  tif(P(root, "train/1_2_mask.tif"), 6, 4, on, 1, 255);
  lf_dataset *ds;
  LF_CHECK_MSG(open_nerve(root, &ds) == LF_OK, "%s", lf_last_error());
  if (!ds) return;
  LF_CHECK(ds->n == 2 && ds->samples[0].labels == 1 && ds->samples[1].labels == 1);
  uint8_t *m;
  int w, h;
  LF_CHECK(lf_dataset_load_mask(ds, &ds->samples[0], &m, &w, &h) == LF_OK);
  if (m) LF_CHECK(w == 6 && h == 4 && m[5] == 1 && m[6] == 1 && m[0] == 0);
  free(m);
  lf_dataset_free(ds);
  /* with a train_masks.csv that agrees: fine; one that disagrees: refused by image */
  puts_(P(root, "train_masks.csv"), "subject,img,pixels\n1,1,2 1 21 1\n1,2,21 1\n"); /* (x5,y0) -> 21, (x0,y1) -> 2 */
  LF_CHECK_MSG(open_nerve(root, &ds) == LF_OK, "%s", lf_last_error());
  lf_dataset_free(ds);
  puts_(P(root, "train_masks.csv"), "subject,img,pixels\n1,1,21 1\n1,2,21 1\n");
  LF_CHECK_MSG(open_nerve(root, &ds) == LF_EBADFILE && strstr(lf_last_error(), "disagree on 1 image") &&
                   strstr(lf_last_error(), "1_1 (mask file 2 pixels, CSV 1, 1 differ)"),
               "%s", lf_last_error());
}

LF_TEST(mask_wrong_size_refused) {
  char *root = P(dir, "nsize");
  lf_mkdirs(P(root, "train"));
  tif(P(root, "train/2_3.tif"), 6, 4, NULL, 0, 0);
  tif(P(root, "train/2_3_mask.tif"), 5, 4, NULL, 0, 0);
  lf_dataset *ds;
  LF_CHECK_MSG(open_nerve(root, &ds) == LF_EBADFILE && strstr(lf_last_error(), "2_3.tif") &&
                   strstr(lf_last_error(), "5x4") && strstr(lf_last_error(), "6x4"),
               "%s", lf_last_error());
}

LF_TEST(rle_runs_checked_at_open) {
  char *root = P(dir, "nrle");
  lf_mkdirs(P(root, "train"));
  tif(P(root, "train/1_1.tif"), 6, 4, NULL, 0, 0);
  const char *bad[3][2] = {{"1 3 2 1", "run 2"}, {"5 1 1 1", "run 2"}, {"20 10", "goes past the 6x4 image"}};
  for (int k = 0; k < 3; k++) {
    char csv[128];
    snprintf(csv, sizeof csv, "subject,img,pixels\n1,1,%s\n", bad[k][0]);
    puts_(P(root, "train_masks.csv"), csv);
    lf_dataset *ds;
    LF_CHECK_MSG(open_nerve(root, &ds) == LF_EBADFILE && strstr(lf_last_error(), "1_1") &&
                     strstr(lf_last_error(), bad[k][1]),
                 "'%s': %s", bad[k][0], lf_last_error());
  }
}

LF_TEST(duplicate_image_ids_refused) {
  char *root = P(dir, "ndup");
  lf_mkdirs(P(root, "train"));
  lf_mkdirs(P(root, "test"));
  tif(P(root, "train/1_1.tif"), 6, 4, NULL, 0, 0);
  tif(P(root, "train/1_1_mask.tif"), 6, 4, NULL, 0, 0);
  tif(P(root, "test/7.tif"), 6, 4, NULL, 0, 0);
  lf_dataset *ds;
  LF_CHECK_MSG(open_nerve(root, &ds) == LF_OK, "%s", lf_last_error());
  lf_dataset_free(ds);
  tif(P(root, "test/007.tif"), 6, 4, NULL, 0, 0);
  LF_CHECK_MSG(open_nerve(root, &ds) == LF_EBADFILE && strstr(lf_last_error(), "test/007.tif") &&
                   strstr(lf_last_error(), "test/7.tif"),
               "%s", lf_last_error());
}

int main(void) {
  const char *tmp = getenv("LF_TMP");
  if (!tmp) tmp = "/tmp";
  snprintf(dir, sizeof dir, "%s/data_integrity.%d", tmp, (int)getpid());
  lf_mkdirs(dir);
  LF_RUN(split_stable_when_a_patient_is_removed);
  LF_RUN(split_lists_validated);
  LF_RUN(mask_nonzero_is_nerve);
  LF_RUN(mask_wrong_size_refused);
  LF_RUN(rle_runs_checked_at_open);
  LF_RUN(duplicate_image_ids_refused);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd)) {}
  return lf_test_summary();
}
