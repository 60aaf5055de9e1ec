/* Train/val/test splits: by patient (default), NIH official lists, or the paper's
 * image-level split (which leaks patients). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset_internal.h"
#include "leapfrog/lf_csv.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"

void lf_split_opts_default(lf_split_opts *o) {
  memset(o, 0, sizeof *o);
  o->mode = LF_SPLITMODE_PATIENT;
  o->train = 0.7, o->val = 0.1, o->test = 0.2;
  o->seed = 1;
}

lf_status lf_split_opts_parse(const char *spec, lf_split_opts *o) {
  if (!spec) return lf_error(LF_EINVAL, "split: empty");
  if (!strcmp(spec, "official")) { o->mode = LF_SPLITMODE_OFFICIAL; return LF_OK; }
  if (!strcmp(spec, "paper")) { o->mode = LF_SPLITMODE_PAPER; return LF_OK; }
  if (!strncmp(spec, "patient", 7) && (spec[7] == 0 || spec[7] == ':')) {
    o->mode = LF_SPLITMODE_PATIENT;
    if (!spec[7]) return LF_OK;
    double a, b, c;
    int used = 0;
    if (sscanf(spec + 8, "%lf,%lf,%lf%n", &a, &b, &c, &used) != 3 || spec[8 + used] || a < 0 ||
        b < 0 || c < 0 || a + b + c <= 0)
      return lf_error(LF_EINVAL, "split '%s': want patient:TRAIN,VAL,TEST (e.g. patient:70,10,20)", spec);
    o->train = a, o->val = b, o->test = c;
    return LF_OK;
  }
  return lf_error(LF_EINVAL, "unknown split mode '%s' (patient[:TR,VA,TE], official, paper)", spec);
}

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return x < y ? -1 : x > y;
}

static void shuffle_ints(int *v, size_t n, uint64_t seed) {
  uint64_t st = lf_sm64_mix(seed, 0x5EED5EED);
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)(lf_sm64_next(&st) % i);
    int t = v[i - 1];
    v[i - 1] = v[j];
    v[j] = t;
  }
}

/* Assigns samples with split == from (and patient >= 0) to train/val/test by patient. */
static lf_status split_by_patient(lf_dataset *ds, lf_split from, double tr, double va, double te,
                                  uint64_t seed) {
  int *pid = malloc((ds->n + 1) * sizeof(int));
  if (!pid) return lf_error(LF_ENOMEM, "split: out of memory");
  size_t np = 0;
  for (size_t i = 0; i < ds->n; i++)
    if (ds->samples[i].split == from && ds->samples[i].patient >= 0) pid[np++] = ds->samples[i].patient;
  qsort(pid, np, sizeof(int), cmp_int);
  size_t u = 0;
  for (size_t i = 0; i < np; i++)
    if (!u || pid[u - 1] != pid[i]) pid[u++] = pid[i];
  shuffle_ints(pid, u, seed);
  double sum = tr + va + te;
  size_t n_tr = (size_t)(u * (tr / sum) + 0.5), n_va = (size_t)(u * (va / sum) + 0.5);
  if (n_tr > u) n_tr = u;
  if (n_va > u - n_tr) n_va = u - n_tr;
  /* rank of each patient in the shuffled order -> split; look up by binary search */
  typedef struct { int pid; lf_split s; } ps;
  ps *tab = malloc((u + 1) * sizeof *tab);
  if (!tab) { free(pid); return lf_error(LF_ENOMEM, "split: out of memory"); }
  for (size_t i = 0; i < u; i++) {
    tab[i].pid = pid[i];
    tab[i].s = i < n_tr ? LF_SPLIT_TRAIN : i < n_tr + n_va ? LF_SPLIT_VAL : LF_SPLIT_TEST;
  }
  qsort(tab, u, sizeof *tab, cmp_int); /* pid is the first member */
  for (size_t i = 0; i < ds->n; i++) {
    lf_sample *s = &ds->samples[i];
    if (s->split != from || s->patient < 0) continue;
    ps key = {s->patient, LF_SPLIT_NONE};
    ps *hit = bsearch(&key, tab, u, sizeof *tab, cmp_int);
    s->split = hit ? hit->s : LF_SPLIT_TRAIN;
  }
  free(tab);
  free(pid);
  return LF_OK;
}

/* Marks the images named in list file `file` (one per line) with split `to`. */
static lf_status apply_list(lf_dataset *ds, const char *file, lf_split to, size_t *n_listed) {
  char *path = lf_path_join(ds->root, file);
  if (!path) return lf_error(LF_ENOMEM, "out of memory");
  unsigned char *d;
  size_t len;
  lf_status st = lf_read_file(path, (size_t)1 << 28, &d, &len);
  if (st) { free(path); return st; }
  char *p = (char *)d;
  while (*p) {
    char *e = p + strcspn(p, "\r\n");
    char c = *e;
    *e = 0;
    char *q = p;
    while (*q == ' ') q++;
    if (*q) {
      lf_sample *s = (lf_sample *)lf_dataset_find(ds, q);
      if (s) s->split = to, (*n_listed)++;
    }
    if (!c) break;
    p = e + 1;
  }
  free(d);
  free(path);
  return LF_OK;
}

lf_status lf_dataset_split(lf_dataset *ds, const lf_split_opts *o, const char **warning) {
  if (warning) *warning = NULL;
  lf_split_opts def;
  if (!o) lf_split_opts_default(&def), o = &def;
  for (size_t i = 0; i < ds->n; i++)
    if (ds->samples[i].split != LF_SPLIT_UNLABELLED) ds->samples[i].split = LF_SPLIT_NONE;
  if (o->mode == LF_SPLITMODE_PAPER) {
    size_t m = 0;
    int *ix = malloc((ds->n + 1) * sizeof(int));
    if (!ix) return lf_error(LF_ENOMEM, "split: out of memory");
    for (size_t i = 0; i < ds->n; i++)
      if (ds->samples[i].split == LF_SPLIT_NONE) ix[m++] = (int)i;
    shuffle_ints(ix, m, o->seed);
    size_t n_test = (size_t)(m * 0.3 + 0.5), rest = m - n_test, n_val = (size_t)(rest * 0.3 + 0.5);
    for (size_t k = 0; k < m; k++)
      ds->samples[ix[k]].split = k < n_test ? LF_SPLIT_TEST : k < n_test + n_val ? LF_SPLIT_VAL : LF_SPLIT_TRAIN;
    free(ix);
    if (warning)
      *warning = "split 'paper' is image-level (70/30, then 30% of train for validation), as the "
                 "paper's code did: images of one patient can be in train and test (leakage)";
    return LF_OK;
  }
  if (o->mode == LF_SPLITMODE_OFFICIAL && ds->task == LF_TASK_CHESTXRAY14) {
    size_t n_tv = 0, n_te = 0;
    lf_status st = apply_list(ds, "train_val_list.txt", LF_SPLIT_TRAIN, &n_tv);
    if (!st) st = apply_list(ds, "test_list.txt", LF_SPLIT_TEST, &n_te);
    if (st) return st;
    double tv = o->train + o->val;
    return split_by_patient(ds, LF_SPLIT_TRAIN, tv > 0 ? o->train / tv : 1, tv > 0 ? o->val / tv : 0, 0,
                            o->seed);
  }
  return split_by_patient(ds, LF_SPLIT_NONE, o->train, o->val, o->test, o->seed);
}
