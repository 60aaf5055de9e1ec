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

/* A point in [0, 1) that depends only on (seed, kind, key): a keyed hash (splitmix64
 * mixing), so a sample's split never depends on which other samples exist. */
static double unit_hash(uint64_t seed, uint64_t kind, uint64_t key) {
  uint64_t h = lf_sm64_mix(lf_sm64_mix(seed, kind), key);
  return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t hash_name(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static lf_split bucket(double u, double tr, double va, double te) {
  double sum = tr + va + te;
  if (u < tr / sum) return LF_SPLIT_TRAIN;
  if (u < (tr + va) / sum) return LF_SPLIT_VAL;
  return LF_SPLIT_TEST;
}

/* Samples with split == from (and patient >= 0) go to train/val/test by a keyed hash
 * of (seed, patient ID): every image of a patient lands in the same split, and
 * adding or removing other patients' images moves no one. */
static void split_by_patient(lf_sample *v, size_t n, lf_split from, double tr, double va, double te,
                             uint64_t seed) {
  for (size_t i = 0; i < n; i++)
    if (v[i].split == from && v[i].patient >= 0)
      v[i].split = bucket(unit_hash(seed, 0x50415449454E54ull /* "PATIENT" */, (uint64_t)v[i].patient), tr, va, te);
}

/* Image-level (paper): test with probability 0.3, then 30% of the rest to val, by a
 * keyed hash of the image name. */
static void split_by_image(lf_sample *v, size_t n, uint64_t seed) {
  for (size_t i = 0; i < n; i++)
    if (v[i].split == LF_SPLIT_NONE)
      v[i].split = bucket(unit_hash(seed, 0x494D414745ull /* "IMAGE" */, hash_name(v[i].name)), 0.7 * 0.7,
                          0.7 * 0.3, 0.3);
}

static int cmp_name_key(const void *k, const void *e) { return strcmp(k, ((const lf_sample *)e)->name); }

/* The sample named `name` (basename or stem) among ds's samples or its missing rows. */
static lf_sample *find_any(lf_dataset *ds, const char *name) {
  lf_sample *s = (lf_sample *)lf_dataset_find(ds, name);
  if (s || !ds->n_missing_kept) return s;
  return bsearch(name, ds->missing, ds->n_missing_kept, sizeof *ds->missing, cmp_name_key);
}

/* Marks the images named in list file `file` (one per line) with split `to`.  Refused
 * with the file and line named: a NUL byte, a name not in the dataset's CSV, a name
 * listed twice (in this list or the other one).  line_of[] (n + n_missing_kept
 * entries, zeroed by the caller) records where each sample was listed. */
static lf_status apply_list(lf_dataset *ds, const char *file, lf_split to, size_t *line_of,
                            const char **file_of) {
  char *path = lf_path_join(ds->root, file);
  if (!path) return lf_error(LF_ENOMEM, "out of memory");
  unsigned char *d;
  size_t len;
  lf_status st = lf_read_file(path, (size_t)1 << 28, &d, &len);
  if (st) { free(path); return st; }
  const unsigned char *nul = memchr(d, 0, len);
  if (nul) {
    size_t line = 1;
    for (const unsigned char *q = d; q < nul; q++) line += *q == '\n';
    st = lf_error(LF_EBADFILE, "%s:%zu: NUL byte (a split list is text, one image name per line)", path, line);
    goto out;
  }
  char *p = (char *)d;
  for (size_t line = 1; *p; line++) {
    char *e = p + strcspn(p, "\n");
    char c = *e;
    char *q = p, *t = e;
    while (*q == ' ' || *q == '\t') q++;
    while (t > q && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r')) t--;
    *t = 0;
    if (*q) {
      lf_sample *s = find_any(ds, q);
      if (!s) {
        st = lf_error(LF_EBADFILE, "%s:%zu: image '%.200s' is not in Data_Entry_2017.csv", path, line, q);
        goto out;
      }
      size_t k = s >= ds->samples && s < ds->samples + ds->n ? (size_t)(s - ds->samples)
                                                            : ds->n + (size_t)(s - ds->missing);
      if (line_of[k]) {
        st = lf_error(LF_EBADFILE, "%s:%zu: image '%.200s' is listed twice (first in %s line %zu)", path, line, q,
                      file_of[k], line_of[k]);
        goto out;
      }
      line_of[k] = line, file_of[k] = file;
      s->split = to;
    }
    if (!c) break;
    p = e + 1;
  }
out:
  free(d);
  free(path);
  return st;
}

lf_status lf_dataset_split(lf_dataset *ds, const lf_split_opts *o, const char **warning) {
  if (warning) *warning = NULL;
  lf_split_opts def;
  if (!o) lf_split_opts_default(&def), o = &def;
  for (int part = 0; part < 2; part++) {
    lf_sample *v = part ? ds->missing : ds->samples;
    size_t n = part ? ds->n_missing_kept : ds->n;
    for (size_t i = 0; i < n; i++)
      if (v[i].split != LF_SPLIT_UNLABELLED) v[i].split = LF_SPLIT_NONE;
  }
  if (o->mode == LF_SPLITMODE_OFFICIAL && ds->task == LF_TASK_CHESTXRAY14) {
    size_t nt = ds->n + ds->n_missing_kept;
    size_t *line_of = calloc(nt + 1, sizeof *line_of);
    const char **file_of = calloc(nt + 1, sizeof *file_of);
    lf_status st = line_of && file_of ? LF_OK : lf_error(LF_ENOMEM, "split: out of memory");
    if (!st) st = apply_list(ds, "train_val_list.txt", LF_SPLIT_TRAIN, line_of, file_of);
    if (!st) st = apply_list(ds, "test_list.txt", LF_SPLIT_TEST, line_of, file_of);
    free(line_of), free(file_of);
    if (st) return st;
    double tv = o->train + o->val;
    for (int part = 0; part < 2; part++)
      split_by_patient(part ? ds->missing : ds->samples, part ? ds->n_missing_kept : ds->n, LF_SPLIT_TRAIN,
                       tv > 0 ? o->train : 1, tv > 0 ? o->val : 0, 0, o->seed);
    return LF_OK;
  }
  for (int part = 0; part < 2; part++) {
    lf_sample *v = part ? ds->missing : ds->samples;
    size_t n = part ? ds->n_missing_kept : ds->n;
    if (o->mode == LF_SPLITMODE_PAPER) split_by_image(v, n, o->seed);
    else split_by_patient(v, n, LF_SPLIT_NONE, o->train, o->val, o->test, o->seed);
  }
  if (o->mode == LF_SPLITMODE_PAPER && warning)
    *warning = "split 'paper' is image-level (about 30% test, then 30% of the rest for validation), as "
               "the paper's code did: images of one patient can be in train and test (leakage)";
  return LF_OK;
}

lf_status lf_dataset_check_missing(const lf_dataset *ds, lf_split split, int strict, FILE *log) {
  size_t cnt[LF_SPLIT_ALL + 1] = {0}, total = 0;
  char names[400] = "";
  for (int part = 0; part < 2; part++) {
    const lf_sample *v = part ? ds->missing : ds->samples;
    size_t n = part ? ds->n_missing_kept : ds->n;
    for (size_t i = 0; i < n; i++) {
      const lf_sample *s = &v[i];
      if (s->path || (unsigned)s->split > LF_SPLIT_ALL) continue;
      cnt[s->split]++;
      if (split != LF_SPLIT_ALL && s->split != split) continue;
      if (total++ < 5) {
        size_t l = strlen(names);
        snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", s->name);
      }
    }
  }
  if (!total) return LF_OK;
  char by[200] = "";
  for (int k = 0; k <= LF_SPLIT_ALL; k++) {
    if (!cnt[k]) continue;
    size_t l = strlen(by);
    snprintf(by + l, sizeof by - l, "%s%zu %s", l ? ", " : "", cnt[k], lf_split_name((lf_split)k));
  }
  lf_status st = lf_error(LF_ENOTFOUND,
                          "%s: %zu image%s of split %s listed in the dataset's CSV %s missing on disk (%s%s); "
                          "missing in all splits: %s",
                          ds->root, total, total == 1 ? "" : "s", lf_split_name(split), total == 1 ? "is" : "are",
                          names, total > 5 ? ", ..." : "", by);
  if (strict) return st;
  if (log) fprintf(log, "warning: %s\n", lf_last_error());
  lf_clear_error();
  return LF_OK;
}
