/* NIH and Kaggle nerve readers on synth output and hand-written tricky folders; splits
 * (no patient in two sets); labels checked against Python's csv reading of the CSV. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_rle.h"
#include "leapfrog/lf_synth.h"
#include "lf_test.h"

static char dir[512];
static const char *py;

static char *P(const char *a, const char *b) {
  static char buf[8][1024];
  static int k;
  k = (k + 1) & 7;
  snprintf(buf[k], sizeof buf[k], "%s/%s", a, b);
  return buf[k];
}

static void put(const char *path, const char *text) { LF_CHECK(lf_write_file_atomic(path, text, strlen(text)) == LF_OK); }

/* no patient/subject in two of train/val/test */
static int patient_leaks(const lf_dataset *ds) {
  int leaks = 0;
  for (size_t i = 0; i < ds->n; i++)
    for (size_t j = i + 1; j < ds->n; j++) {
      const lf_sample *a = &ds->samples[i], *b = &ds->samples[j];
      if (a->patient >= 0 && a->patient == b->patient && a->split != b->split) leaks++;
    }
  return leaks;
}

static void count_splits(const lf_dataset *ds, size_t c[6]) {
  memset(c, 0, 6 * sizeof *c);
  for (size_t i = 0; i < ds->n; i++) c[ds->samples[i].split]++;
}

LF_TEST(nih_synth) {
  char *root = P(dir, "chest");
  lf_synth_opts so;
  lf_synth_opts_default(&so);
  so.n = 150, so.size = 64, so.seed = 5;
  LF_CHECK_MSG(lf_synth_chestxray14(root, &so) == LF_OK, "%s", lf_last_error());
  lf_dataset *ds;
  LF_CHECK_MSG(lf_dataset_open(LF_TASK_CHESTXRAY14, root, 0, &ds) == LF_OK, "%s", lf_last_error());
  if (!ds) return;
  LF_CHECK(ds->n == 150 && ds->n_missing_images == 0 && ds->num_labels == 14);
  /* labels vs Python's reading of the CSV */
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "%s -c \"import csv\n"
           "L=['Atelectasis','Cardiomegaly','Consolidation','Edema','Effusion','Emphysema','Fibrosis','Hernia',"
           "'Infiltration','Mass','Nodule','Pleural_Thickening','Pneumonia','Pneumothorax']\n"
           "r=list(csv.reader(open('%s/Data_Entry_2017.csv')))\n"
           "o=open('%s/labels.txt','w')\n"
           "for row in r[1:]:\n"
           "  b=sum(1<<L.index(x) for x in row[1].split('|') if x!='No Finding')\n"
           "  o.write('%%s %%d %%s\\n'%%(row[0],b,row[3]))\n\"",
           py, root, dir);
  LF_CHECK(system(cmd) == 0);
  FILE *f = fopen(P(dir, "labels.txt"), "r");
  char name[128];
  unsigned bits;
  int pid, rows = 0, any_label = 0;
  while (f && fscanf(f, "%127s %u %d", name, &bits, &pid) == 3) {
    const lf_sample *s = lf_dataset_find(ds, name);
    LF_CHECK_MSG(s && s->labels == bits && s->patient == pid, "%s: labels %u vs python %u", name, s ? s->labels : 0, bits);
    any_label |= bits != 0;
    rows++;
  }
  if (f) fclose(f);
  LF_CHECK(rows == 150 && any_label);
  /* lookups */
  const lf_sample *s0 = &ds->samples[0];
  char pathlike[300];
  snprintf(pathlike, sizeof pathlike, "/some/where/images/%s", s0->name);
  LF_CHECK(lf_dataset_find(ds, pathlike) == s0 && lf_dataset_find(ds, s0->stem) == s0);
  LF_CHECK(lf_dataset_find(ds, "99999999_999.png") == NULL);
  /* splits */
  lf_split_opts o;
  lf_split_opts_default(&o);
  const char *warn;
  size_t c[6], c2[6];
  LF_CHECK(lf_dataset_split(ds, &o, &warn) == LF_OK && warn == NULL);
  LF_CHECK(patient_leaks(ds) == 0);
  count_splits(ds, c);
  LF_CHECK_MSG(c[LF_SPLIT_TRAIN] > 70 && c[LF_SPLIT_VAL] > 3 && c[LF_SPLIT_TEST] > 10 && c[LF_SPLIT_NONE] == 0,
               "split %zu/%zu/%zu", c[1], c[2], c[3]);
  LF_CHECK(lf_dataset_split(ds, &o, NULL) == LF_OK);
  count_splits(ds, c2);
  LF_CHECK(!memcmp(c, c2, sizeof c)); /* deterministic */
  LF_CHECK(lf_split_opts_parse("patient:50,0,50", &o) == LF_OK && o.train == 50);
  LF_CHECK(lf_dataset_split(ds, &o, NULL) == LF_OK && patient_leaks(ds) == 0);
  count_splits(ds, c);
  LF_CHECK(c[LF_SPLIT_VAL] == 0 && c[LF_SPLIT_TRAIN] > 40 && c[LF_SPLIT_TEST] > 40);
  LF_CHECK(lf_split_opts_parse("patient:1,2", &o) == LF_EINVAL && lf_split_opts_parse("bogus", &o) == LF_EINVAL);
  /* official lists */
  LF_CHECK(lf_split_opts_parse("official", &o) == LF_OK);
  LF_CHECK_MSG(lf_dataset_split(ds, &o, NULL) == LF_OK, "%s", lf_last_error());
  LF_CHECK(patient_leaks(ds) == 0);
  unsigned char *tl;
  size_t tn, n_test = 0;
  LF_CHECK(lf_read_file(P(root, "test_list.txt"), 0, &tl, &tn) == LF_OK);
  for (size_t i = 0; i < ds->n; i++) {
    int listed = strstr((char *)tl, ds->samples[i].name) != NULL;
    LF_CHECK(listed == (ds->samples[i].split == LF_SPLIT_TEST));
    n_test += listed;
  }
  free(tl);
  LF_CHECK(n_test > 0);
  /* paper: image-level, warns */
  LF_CHECK(lf_split_opts_parse("paper", &o) == LF_OK);
  LF_CHECK(lf_dataset_split(ds, &o, &warn) == LF_OK && warn && strstr(warn, "leak"));
  count_splits(ds, c);
  /* image-level by a keyed hash of the name: about 30% test, 21% val, 49% train of 150 */
  LF_CHECK_MSG(c[LF_SPLIT_TEST] >= 30 && c[LF_SPLIT_TEST] <= 60 && c[LF_SPLIT_VAL] >= 18 && c[LF_SPLIT_VAL] <= 46 &&
                   c[LF_SPLIT_TRAIN] >= 55 && c[LF_SPLIT_TRAIN] <= 95,
               "paper %zu/%zu/%zu", c[1], c[2], c[3]);
  lf_dataset_free(ds);
}

LF_TEST(nih_tricky_folder) {
  char *root = P(dir, "nih_tricky");
  lf_mkdirs(P(root, "images_001/images"));
  lf_mkdirs(P(root, "images_002/images"));
  lf_image im;
  lf_image_alloc(&im, 8, 8, 1);
  const char *names[] = {"images_001/images/00000001_000.png", "images_001/images/00000001_001.png",
                         "images_002/images/00000002_000.png", "images_002/images/00000099_000.png"};
  for (int k = 0; k < 4; k++) LF_CHECK(lf_image_write_png(P(root, names[k]), &im, 1) == LF_OK);
  lf_image_free(&im);
  /* BOM, CRLF, quoted bracket headers, a row whose image is missing, an unlisted image */
  put(P(root, "Data_Entry_2017.csv"),
      "\xEF\xBB\xBFImage Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
      "\"OriginalImage[Width,Height]\",\"OriginalImagePixelSpacing[x,y]\"\r\n"
      "00000001_000.png,Cardiomegaly|Effusion,0,1,58,M,PA,2682,2749,0.143,0.143\r\n"
      "00000001_001.png,No Finding,1,1,58,M,PA,2894,2729,0.143,0.143\r\n"
      "00000002_000.png,Pleural_Thickening|Pneumothorax|Hernia,0,2,81,F,AP,2500,2048,0.168,0.168\r\n"
      "00000003_000.png,Mass,0,3,81,F,AP,2500,2048,0.168,0.168\r\n");
  lf_dataset *ds;
  LF_CHECK_MSG(lf_dataset_open(LF_TASK_CHESTXRAY14, root, 0, &ds) == LF_OK, "%s", lf_last_error());
  if (!ds) return;
  LF_CHECK(ds->n == 3 && ds->n_missing_images == 1 && ds->n_unlisted_images == 1);
  const lf_sample *s = lf_dataset_find(ds, "00000002_000.png");
  LF_CHECK(s && s->labels == ((1u << 11) | (1u << 13) | (1u << 7)) && s->patient == 2 && s->age == 81 &&
           !strcmp(s->view, "AP") && s->orig_width == 2500);
  LF_CHECK(s && strstr(s->path, "images_002/images/00000002_000.png"));
  s = lf_dataset_find(ds, "00000001_000");
  LF_CHECK(s && s->labels == ((1u << 1) | (1u << 4)));
  LF_CHECK(lf_dataset_find(ds, "00000001_001.png")->labels == 0);
  lf_dataset_free(ds);
  LF_CHECK(lf_dataset_open(LF_TASK_CHESTXRAY14, root, 1, &ds) == LF_OK && ds->n == 4 &&
           lf_dataset_find(ds, "00000003_000.png")->path == NULL);
  lf_dataset_free(ds);
  /* bad CSVs: errors name file:line, never a silent wrong label */
  const char *bad[] = {"Image Index,Finding Labels,Follow-up #,Patient ID\nx.png,Cardiomegally,0,1\n",
                       "Image Index,Finding Labels,Follow-up #,Patient ID\nx.png,No Finding|Mass,0,1\n",
                       "Image Index,Finding Labels,Follow-up #,Patient ID\nx.png,Mass,0,one\n",
                       "Image Index,Finding Labels,Follow-up #,Patient ID\nx.png,Mass,0,1\nx.png,Mass,0,1\n",
                       "Image Index,Finding Labels,Follow-up #,Patient ID\nx.png,Mass\n",
                       "Image Index,Finding Labels,Follow-up #,Patient ID\nx.png,,0,1\n"};
  for (int k = 0; k < 6; k++) {
    lf_dataset *d = lf_dataset_new(LF_TASK_CHESTXRAY14, ".");
    LF_CHECK_MSG(lf_nih_parse_csv(d, bad[k], strlen(bad[k]), "D.csv") == LF_EBADFILE, "bad csv %d accepted", k);
    LF_CHECK_MSG(strstr(lf_last_error(), "D.csv"), "message: %s", lf_last_error());
    lf_dataset_free(d);
  }
  LF_CHECK(lf_dataset_open(LF_TASK_CHESTXRAY14, P(dir, "nope"), 0, &ds) == LF_ENOTFOUND);
}

LF_TEST(nerve_synth) {
  char *root = P(dir, "nerve");
  lf_synth_opts so;
  lf_synth_opts_default(&so);
  so.n = 60, so.size = 116, so.seed = 9, so.n_test = 12;
  LF_CHECK_MSG(lf_synth_nerve(root, &so) == LF_OK, "%s", lf_last_error());
  lf_dataset *ds;
  LF_CHECK_MSG(lf_dataset_open(LF_TASK_NERVE, root, 0, &ds) == LF_OK, "%s", lf_last_error());
  if (!ds) return;
  LF_CHECK(lf_dataset_select(ds, LF_SPLIT_ALL, NULL) == 72 && lf_dataset_select(ds, LF_SPLIT_UNLABELLED, NULL) == 12);
  int nonempty = 0;
  for (size_t i = 0; i < ds->n; i++) {
    lf_sample *s = &ds->samples[i];
    if (s->split == LF_SPLIT_UNLABELLED) {
      LF_CHECK(s->patient == -1 && !s->mask_path && !s->rle);
      continue;
    }
    LF_CHECK(s->mask_path && s->rle && s->path);
    /* the CSV's RLE and the mask file agree */
    uint8_t *m1, *m2;
    int w, h;
    LF_CHECK(lf_dataset_load_mask(ds, s, &m1, &w, &h) == LF_OK);
    LF_CHECK(w == 116 && h == 84);
    m2 = malloc((size_t)w * h);
    LF_CHECK(lf_rle_decode(s->rle, w, h, m2, s->name) == LF_OK);
    LF_CHECK_MSG(!memcmp(m1, m2, (size_t)w * h), "%s: mask file and RLE differ", s->name);
    LF_CHECK(s->labels == (memchr(m1, 1, (size_t)w * h) != NULL));
    nonempty += (int)s->labels;
    free(m1), free(m2);
  }
  LF_CHECK_MSG(nonempty > 15 && nonempty < 45, "%d of 60 frames have a nerve", nonempty);
  lf_split_opts o;
  lf_split_opts_default(&o);
  LF_CHECK(lf_split_opts_parse("patient:60,20,20", &o) == LF_OK);
  LF_CHECK(lf_dataset_split(ds, &o, NULL) == LF_OK && patient_leaks(ds) == 0);
  size_t c[6];
  count_splits(ds, c);
  LF_CHECK(c[LF_SPLIT_UNLABELLED] == 12 && c[LF_SPLIT_TRAIN] > 0 && c[LF_SPLIT_TEST] > 0);
  LF_CHECK(lf_dataset_find(ds, "1_1") && lf_dataset_find(ds, "1_1.tif") && lf_dataset_find(ds, "train/1_1.tif"));
  lf_dataset_free(ds);
}

LF_TEST(nerve_tricky_folder) {
  char *root = P(dir, "nerve_tricky");
  lf_mkdirs(P(root, "train"));
  lf_image im;
  lf_image_alloc(&im, 6, 4, 1);
  LF_CHECK(lf_image_write_tiff(P(root, "train/1_1.tif"), &im) == LF_OK);
  LF_CHECK(lf_image_write_tiff(P(root, "train/1_2.tif"), &im) == LF_OK);
  LF_CHECK(lf_image_write_tiff(P(root, "train/2_1.tif"), &im) == LF_OK);
  LF_CHECK(lf_image_write_tiff(P(root, "train/1_01.tif"), &im) == LF_OK); /* not Kaggle naming: ignored */
  im.data[5] = 255; /* (x=5, y=0) -> RLE start 5*4+0+1 = 21 */
  LF_CHECK(lf_image_write_tiff(P(root, "train/2_1_mask.tif"), &im) == LF_OK);
  lf_image_free(&im);
  put(P(root, "train_masks.csv"), "subject,img,pixels\r\n1,1,\r\n1,2,\"21 1\"\r\n3,7,1 2\r\n");
  lf_dataset *ds;
  LF_CHECK_MSG(lf_dataset_open(LF_TASK_NERVE, root, 0, &ds) == LF_OK, "%s", lf_last_error());
  if (!ds) return;
  LF_CHECK(ds->n == 3 && ds->n_missing_images == 1); /* 3_7 has a row but no image */
  const lf_sample *s = lf_dataset_find(ds, "2_1");
  LF_CHECK(s && s->labels == 1 && !s->rle && s->mask_path); /* labelled from the mask file */
  s = lf_dataset_find(ds, "1_2");
  LF_CHECK(s && s->labels == 1);
  uint8_t *m;
  int w, h;
  LF_CHECK(s && lf_dataset_load_mask(ds, s, &m, &w, &h) == LF_OK && w == 6 && h == 4 && m[5] == 1);
  if (s) free(m);
  LF_CHECK(lf_dataset_find(ds, "1_1")->labels == 0);
  lf_dataset_free(ds);
  const char *bad[] = {"subject,img\n1,1\n", "subject,img,pixels\n1,x,\n", "subject,img,pixels\n1,1,1 2\n1,1,\n",
                       "subject,img,pixels\n1,1,1 a\n"};
  for (int k = 0; k < 4; k++) {
    lf_dataset *d = lf_dataset_new(LF_TASK_NERVE, ".");
    LF_CHECK_MSG(lf_nerve_parse_masks_csv(d, bad[k], strlen(bad[k]), "M.csv") == LF_EBADFILE, "bad %d accepted", k);
    lf_dataset_free(d);
  }
}

int main(void) {
  const char *tmp = getenv("LF_TMP");
  py = getenv("LF_PYTHON");
  if (!tmp) tmp = "/tmp";
  if (!py) py = "/usr/bin/python3";
  snprintf(dir, sizeof dir, "%s/data_ds.%d", tmp, (int)getpid());
  lf_mkdirs(dir);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "%s -c 'import csv' 2>/dev/null", py);
  if (system(cmd) != 0) {
    printf("skip: no python at %s\n", py);
    return 77;
  }
  LF_RUN(nih_synth);
  LF_RUN(nih_tricky_folder);
  LF_RUN(nerve_synth);
  LF_RUN(nerve_tricky_folder);
  return lf_test_summary();
}
