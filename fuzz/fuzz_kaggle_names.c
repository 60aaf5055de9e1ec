/* libFuzzer target: Kaggle nerve file names (lf_dataset_open on a train/ +
 * test/ folder whose (empty) files are named by the input: one name per
 * line, a leading '#' puts it in test/). Whatever opens has one sample per
 * image id: no two test/ images with the same number ("007.tif", "7.tif"),
 * no two train/ frames with the same subject and frame. */
#include <dirent.h>
#include <sys/stat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_dataset.h"

static char dir[64];

static void clear(const char *sub) {
  char path[320];
  snprintf(path, sizeof path, "%s/%s", dir, sub);
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2]))) continue;
    char f[640];
    snprintf(f, sizeof f, "%s/%s", path, e->d_name);
    unlink(f);
  }
  closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/tmp/lf-fuzz-kaggle.XXXXXX");
    if (!mkdtemp(dir)) abort();
    char p[128];
    snprintf(p, sizeof p, "%s/train", dir);
    mkdir(p, 0700);
    snprintf(p, sizeof p, "%s/test", dir);
    mkdir(p, 0700);
  }
  clear("train");
  clear("test");
  const char *s = (const char *)data, *end = s + size;
  for (int k = 0; k < 32 && s < end; k++) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    size_t l = nl ? (size_t)(nl - s) : (size_t)(end - s);
    int test = l && s[0] == '#';
    char name[201];
    size_t nlen = l - (size_t)test;
    if (nlen && nlen < sizeof name) {
      memcpy(name, s + test, nlen);
      name[nlen] = 0;
      if (!memchr(name, '/', nlen) && !memchr(name, 0, nlen) && strcmp(name, ".") && strcmp(name, "..")) {
        char path[320];
        snprintf(path, sizeof path, "%s/%s/%s", dir, test ? "test" : "train", name);
        FILE *f = fopen(path, "wb");
        if (f) fclose(f);
      }
    }
    s += l + 1;
  }
  lf_dataset *ds = NULL;
  if (lf_dataset_open(LF_TASK_NERVE, dir, 0, &ds) == LF_OK) {
    for (size_t i = 0; i < ds->n; i++) {
      const lf_sample *a = &ds->samples[i];
      if (!a->name || !a->stem) abort();
      for (size_t j = 0; j < i; j++) {
        const lf_sample *b = &ds->samples[j];
        int a_test = a->patient < 0, b_test = b->patient < 0;
        if (a_test == b_test && a->patient == b->patient && a->index == b->index) abort();
      }
    }
  }
  lf_dataset_free(ds);
  return 0;
}
