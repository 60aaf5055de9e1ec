/* lf_dataset common parts: samples, lookup by name, selection, task/split names. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset_internal.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_rle.h"

struct lf_name_index {
  size_t cap;     /* power of two */
  size_t *slots;  /* sample index + 1, 0 = empty; keys: name and stem */
};

lf_status lf_task_parse(const char *s, lf_task *out) {
  if (s && (!strcmp(s, "chestxray14") || !strcmp(s, "chest"))) { *out = LF_TASK_CHESTXRAY14; return LF_OK; }
  if (s && !strcmp(s, "nerve")) { *out = LF_TASK_NERVE; return LF_OK; }
  return lf_error(LF_EINVAL, "unknown task '%s' (chestxray14 or nerve)", s ? s : "");
}
const char *lf_task_name(lf_task t) { return t == LF_TASK_NERVE ? "nerve" : "chestxray14"; }

static const char *split_names[] = {"none", "train", "val", "test", "unlabelled", "all"};
lf_status lf_split_parse(const char *s, lf_split *out) {
  for (int i = 1; i < 6; i++)
    if (s && !strcmp(s, split_names[i])) { *out = (lf_split)i; return LF_OK; }
  if (s && !strcmp(s, "valid")) { *out = LF_SPLIT_VAL; return LF_OK; }
  return lf_error(LF_EINVAL, "unknown split '%s' (train, val, test, unlabelled, all)", s ? s : "");
}
const char *lf_split_name(lf_split s) { return (unsigned)s < 6 ? split_names[s] : "?"; }

static const char *const nerve_labels[1] = {"nerve"};

lf_dataset *lf_dataset_new(lf_task task, const char *root) {
  lf_dataset *ds = calloc(1, sizeof *ds);
  if (!ds) return NULL;
  ds->task = task;
  ds->root = strdup(root ? root : ".");
  if (!ds->root) { free(ds); return NULL; }
  ds->num_labels = task == LF_TASK_NERVE ? 1 : LF_NIH_NUM_LABELS;
  ds->label_names = task == LF_TASK_NERVE ? nerve_labels : lf_nih_labels;
  return ds;
}

static void sample_free(lf_sample *s) {
  free(s->path), free(s->name), free(s->stem), free(s->mask_path), free(s->rle);
}

void lf_dataset_free(lf_dataset *ds) {
  if (!ds) return;
  for (size_t i = 0; i < ds->n; i++) sample_free(&ds->samples[i]);
  for (size_t i = 0; i < ds->n_missing_kept; i++) sample_free(&ds->missing[i]);
  free(ds->samples);
  free(ds->missing);
  if (ds->index) free(ds->index->slots);
  free(ds->index);
  free(ds->root);
  free(ds);
}

lf_sample *lf_ds_add(lf_dataset *ds) {
  if ((ds->n & (ds->n - 1)) == 0) { /* capacity is the next power of two: grow at n = 2^k */
    size_t cap = ds->n ? ds->n * 2 : 16;
    lf_sample *ns = realloc(ds->samples, cap * sizeof *ns);
    if (!ns) return NULL;
    ds->samples = ns;
  }
  lf_sample *s = &ds->samples[ds->n++];
  memset(s, 0, sizeof *s);
  s->patient = -1;
  return s;
}

static uint64_t hash_str(const char *s, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
  return h;
}

static void index_put(struct lf_name_index *ix, const char *key, size_t v) {
  size_t m = ix->cap - 1, h = (size_t)hash_str(key, strlen(key)) & m;
  while (ix->slots[h]) h = (h + 1) & m;
  ix->slots[h] = v + 1;
}

lf_status lf_ds_index(lf_dataset *ds) {
  if (ds->index) free(ds->index->slots);
  free(ds->index);
  ds->index = calloc(1, sizeof *ds->index);
  if (!ds->index) return lf_error(LF_ENOMEM, "dataset index: out of memory");
  size_t cap = 64;
  while (cap < ds->n * 4 + 8) cap *= 2;
  ds->index->cap = cap;
  ds->index->slots = calloc(cap, sizeof(size_t));
  if (!ds->index->slots) return lf_error(LF_ENOMEM, "dataset index: out of memory");
  for (size_t i = 0; i < ds->n; i++) {
    index_put(ds->index, ds->samples[i].name, i);
    if (strcmp(ds->samples[i].stem, ds->samples[i].name)) index_put(ds->index, ds->samples[i].stem, i);
  }
  return LF_OK;
}

static const lf_sample *index_get(const lf_dataset *ds, const char *key, size_t n) {
  const struct lf_name_index *ix = ds->index;
  if (!ix || !ix->slots) return NULL;
  size_t m = ix->cap - 1, h = (size_t)hash_str(key, n) & m;
  while (ix->slots[h]) {
    const lf_sample *s = &ds->samples[ix->slots[h] - 1];
    if ((strlen(s->name) == n && !memcmp(s->name, key, n)) ||
        (strlen(s->stem) == n && !memcmp(s->stem, key, n)))
      return s;
    h = (h + 1) & m;
  }
  return NULL;
}

const lf_sample *lf_dataset_find(const lf_dataset *ds, const char *p) {
  if (!ds || !p) return NULL;
  const char *b = strrchr(p, '/');
  b = b ? b + 1 : p;
  return index_get(ds, b, strlen(b));
}

lf_status lf_ds_drop_missing(lf_dataset *ds, int keep) {
  size_t j = 0, nm = 0;
  for (size_t i = 0; i < ds->n; i++) nm += !ds->samples[i].path;
  if (nm && !keep && !(ds->missing = malloc(nm * sizeof *ds->missing)))
    return lf_error(LF_ENOMEM, "dataset: out of memory");
  for (size_t i = 0; i < ds->n; i++) {
    if (!ds->samples[i].path) {
      ds->n_missing_images++;
      if (!keep) { ds->missing[ds->n_missing_kept++] = ds->samples[i]; continue; }
    }
    ds->samples[j++] = ds->samples[i];
  }
  ds->n = j;
  return LF_OK;
}

size_t lf_dataset_select(const lf_dataset *ds, lf_split split, size_t *idx) {
  size_t k = 0;
  for (size_t i = 0; i < ds->n; i++) {
    const lf_sample *s = &ds->samples[i];
    if (!s->path || (split != LF_SPLIT_ALL && s->split != split)) continue;
    if (idx) idx[k] = i;
    k++;
  }
  return k;
}

char *lf_path_join(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  char *s = malloc(la + lb + 2);
  if (!s) return NULL;
  memcpy(s, a, la);
  size_t k = la;
  if (la && a[la - 1] != '/') s[k++] = '/';
  memcpy(s + k, b, lb + 1);
  return s;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

lf_status lf_list_dir(const char *dir, char ***names, size_t *n) {
  *names = NULL;
  *n = 0;
  DIR *d = opendir(dir);
  if (!d) return lf_error(LF_ENOTFOUND, "%s: cannot open directory", dir);
  size_t cap = 0, k = 0;
  char **v = NULL;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (k == cap) {
      cap = cap ? cap * 2 : 256;
      char **nv = realloc(v, cap * sizeof *nv);
      if (!nv) { closedir(d); lf_free_names(v, k); return lf_error(LF_ENOMEM, "%s: out of memory", dir); }
      v = nv;
    }
    if (!(v[k] = strdup(e->d_name))) { closedir(d); lf_free_names(v, k); return lf_error(LF_ENOMEM, "%s: out of memory", dir); }
    k++;
  }
  closedir(d);
  if (k) qsort(v, k, sizeof *v, cmp_str);
  *names = v;
  *n = k;
  return LF_OK;
}

void lf_free_names(char **names, size_t n) {
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
}

lf_status lf_dataset_open(lf_task task, const char *root, int keep_missing, lf_dataset **out) {
  *out = NULL;
  lf_dataset *ds = lf_dataset_new(task, root);
  if (!ds) return lf_error(LF_ENOMEM, "dataset: out of memory");
  lf_status s = task == LF_TASK_NERVE ? lf_nerve_open(ds) : lf_nih_open(ds);
  if (!s) s = lf_ds_drop_missing(ds, keep_missing);
  if (!s) s = lf_ds_index(ds);
  if (s) { lf_dataset_free(ds); return s; }
  *out = ds;
  return LF_OK;
}

lf_status lf_dataset_load_mask(const lf_dataset *ds, const lf_sample *s, uint8_t **mask, int *w,
                               int *h) {
  (void)ds;
  *mask = NULL;
  if (s->mask_path) {
    lf_image im;
    lf_status st = lf_image_read(s->mask_path, &im, NULL);
    if (st) return st;
    if (im.channels != 1 && (st = lf_image_convert(&im, 1))) { lf_image_free(&im); return st; }
    lf_image_info info;
    if (s->path && lf_image_probe(s->path, &info) == LF_OK && (info.width != im.width || info.height != im.height)) {
      st = lf_error(LF_EBADFILE, "%s: mask %s is %dx%d but the image is %dx%d", s->name, s->mask_path, im.width,
                    im.height, info.width, info.height);
      lf_image_free(&im);
      return st;
    }
    /* nonzero = nerve: Kaggle's masks are 0/255, but 0/1 masks must not read as empty */
    size_t np = (size_t)im.width * im.height;
    for (size_t i = 0; i < np; i++) im.data[i] = im.data[i] != 0;
    *mask = im.data, *w = im.width, *h = im.height;
    return LF_OK;
  }
  if (!s->rle) return lf_error(LF_ENOTFOUND, "%s: no mask file and no train_masks.csv row", s->name);
  int W = 580, H = 420;
  if (s->path) {
    lf_image_info info;
    if (lf_image_probe(s->path, &info) == LF_OK) W = info.width, H = info.height;
  }
  uint8_t *m = malloc((size_t)W * H);
  if (!m) return lf_error(LF_ENOMEM, "%s: out of memory", s->name);
  lf_status st = lf_rle_decode(s->rle, W, H, m, s->name);
  if (st) { free(m); return st; }
  *mask = m, *w = W, *h = H;
  return LF_OK;
}
