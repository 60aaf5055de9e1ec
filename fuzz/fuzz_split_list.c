/* libFuzzer target: NIH split lists (train_val_list.txt, test_list.txt) read
 * by lf_dataset_split in "official" mode. The input up to the first 0xff byte
 * is train_val_list.txt, the rest test_list.txt, over a fixed 6-row
 * Data_Entry_2017.csv in a temp folder. Whatever passes puts every listed
 * image in exactly one split. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_dataset.h"

static const char csv[] =
    "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,View Position,"
    "OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n"
    "00000001_000.png,Cardiomegaly,0,1,58,M,PA,2682,2749,0.143,0.143,\n"
    "00000001_001.png,No Finding,1,1,58,M,PA,2894,2729,0.143,0.143,\n"
    "00000002_000.png,Effusion|Mass,0,2,81,M,PA,2500,2048,0.171,0.171,\n"
    "00000003_000.png,Hernia,0,3,74,F,PA,2500,2048,0.168,0.168,\n"
    "00000004_000.png,No Finding,0,4,82,M,AP,2048,2500,0.168,0.168,\n"
    "00000005_000.png,Infiltration,0,5,69,F,PA,2048,2500,0.168,0.168,\n";

static char dir[64];

static int put(const char *name, const uint8_t *d, size_t n) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = n ? fwrite(d, 1, n, f) : 0;
  return fclose(f) == 0 && w == n ? 0 : -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/tmp/lf-fuzz-split.XXXXXX");
    if (!mkdtemp(dir)) abort();
  }
  const uint8_t *cut = memchr(data, 0xff, size);
  size_t n1 = cut ? (size_t)(cut - data) : size;
  if (put("train_val_list.txt", data, n1) || put("test_list.txt", cut ? cut + 1 : data, cut ? size - n1 - 1 : 0))
    return 0;
  lf_dataset *ds = lf_dataset_new(LF_TASK_CHESTXRAY14, dir);
  if (!ds) return 0;
  if (lf_nih_parse_csv(ds, csv, sizeof csv - 1, "Data_Entry_2017.csv") != LF_OK) abort();
  lf_split_opts o;
  lf_split_opts_default(&o);
  o.mode = LF_SPLITMODE_OFFICIAL;
  if (lf_dataset_split(ds, &o, NULL) == LF_OK) {
    for (size_t i = 0; i < ds->n; i++) {
      lf_split s = ds->samples[i].split;
      if (s != LF_SPLIT_TRAIN && s != LF_SPLIT_VAL && s != LF_SPLIT_TEST && s != LF_SPLIT_NONE) abort();
    }
  }
  lf_dataset_free(ds);
  return 0;
}
