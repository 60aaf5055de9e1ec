/* safetensors writer: tensors sorted by name, JSON header padded with spaces
 * to a multiple of 8, written atomically. See lf_safetensors.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_safetensors.h"

typedef struct {
  char *name;
  lf_st_dtype dtype;
  int ndim;
  int64_t shape[LF_ST_MAX_DIMS];
  size_t nbytes;
  void *data;
} st_entry;

struct lf_st_writer {
  st_entry *e;
  size_t n, cap;
  char **mk, **mv;
  size_t nm, capm;
};

lf_status lf_st_writer_new(lf_st_writer **w) {
  *w = calloc(1, sizeof **w);
  return *w ? LF_OK : lf_error(LF_ENOMEM, "safetensors writer: out of memory");
}

void lf_st_writer_free(lf_st_writer *w) {
  if (!w) return;
  for (size_t i = 0; i < w->n; i++) {
    free(w->e[i].name);
    free(w->e[i].data);
  }
  for (size_t i = 0; i < w->nm; i++) {
    free(w->mk[i]);
    free(w->mv[i]);
  }
  free(w->e);
  free(w->mk);
  free(w->mv);
  free(w);
}

lf_status lf_st_writer_add(lf_st_writer *w, const char *name, lf_st_dtype dtype, int ndim,
                           const int64_t *shape, const void *data) {
  if (!name || !name[0] || !strcmp(name, "__metadata__"))
    return lf_error(LF_EINVAL, "safetensors writer: bad tensor name '%s'", name ? name : "(null)");
  if ((unsigned)dtype >= LF_ST_NDTYPES || ndim < 0 || ndim > LF_ST_MAX_DIMS)
    return lf_error(LF_EINVAL, "safetensors writer: tensor '%s': bad dtype or rank", name);
  for (size_t i = 0; i < w->n; i++)
    if (!strcmp(w->e[i].name, name)) return lf_error(LF_EINVAL, "safetensors writer: tensor '%s' added twice", name);
  size_t numel = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) return lf_error(LF_EINVAL, "safetensors writer: tensor '%s': negative dim", name);
    if (shape[i] && numel > ((size_t)1 << 62) / (size_t)shape[i])
      return lf_error(LF_ENOMEM, "safetensors writer: tensor '%s': too large", name);
    numel *= (size_t)shape[i];
  }
  if (w->n == w->cap) {
    size_t cap = w->cap ? w->cap * 2 : 64;
    st_entry *e = realloc(w->e, cap * sizeof *e);
    if (!e) return lf_error(LF_ENOMEM, "safetensors writer: out of memory");
    w->e = e;
    w->cap = cap;
  }
  st_entry *e = &w->e[w->n];
  memset(e, 0, sizeof *e);
  e->nbytes = numel * lf_st_dtype_size(dtype);
  e->name = strdup(name);
  e->data = malloc(e->nbytes ? e->nbytes : 1);
  if (!e->name || !e->data) {
    free(e->name);
    free(e->data);
    return lf_error(LF_ENOMEM, "safetensors writer: tensor '%s': out of memory", name);
  }
  if (e->nbytes) memcpy(e->data, data, e->nbytes);
  e->dtype = dtype;
  e->ndim = ndim;
  for (int i = 0; i < ndim; i++) e->shape[i] = shape[i];
  w->n++;
  return LF_OK;
}

lf_status lf_st_writer_meta(lf_st_writer *w, const char *key, const char *value) {
  if (!key || !value) return lf_error(LF_EINVAL, "safetensors writer: null metadata key or value");
  for (size_t i = 0; i < w->nm; i++)
    if (!strcmp(w->mk[i], key)) {
      char *v = strdup(value);
      if (!v) return lf_error(LF_ENOMEM, "safetensors writer: out of memory");
      free(w->mv[i]);
      w->mv[i] = v;
      return LF_OK;
    }
  if (w->nm == w->capm) {
    size_t cap = w->capm ? w->capm * 2 : 16;
    char **k = realloc(w->mk, cap * sizeof *k);
    if (!k) return lf_error(LF_ENOMEM, "safetensors writer: out of memory");
    w->mk = k;
    char **v = realloc(w->mv, cap * sizeof *v);
    if (!v) return lf_error(LF_ENOMEM, "safetensors writer: out of memory");
    w->mv = v;
    w->capm = cap;
  }
  w->mk[w->nm] = strdup(key);
  w->mv[w->nm] = strdup(value);
  if (!w->mk[w->nm] || !w->mv[w->nm]) {
    free(w->mk[w->nm]);
    free(w->mv[w->nm]);
    return lf_error(LF_ENOMEM, "safetensors writer: out of memory");
  }
  w->nm++;
  return LF_OK;
}

/* Growable string. */
typedef struct {
  char *s;
  size_t n, cap;
  int oom;
} st_buf;

static void sb_put(st_buf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n + 1) cap *= 2;
    char *p = realloc(b->s, cap);
    if (!p) {
      b->oom = 1;
      return;
    }
    b->s = p;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = 0;
}
static void sb_str(st_buf *b, const char *s) { sb_put(b, s, strlen(s)); }

/* JSON string literal: escape quote, backslash and control characters. */
static void sb_json_str(st_buf *b, const char *s) {
  sb_put(b, "\"", 1);
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    char tmp[8];
    if (*p == '"' || *p == '\\') {
      tmp[0] = '\\';
      tmp[1] = (char)*p;
      sb_put(b, tmp, 2);
    } else if (*p < 0x20) {
      snprintf(tmp, sizeof tmp, "\\u%04x", *p);
      sb_put(b, tmp, 6);
    } else {
      sb_put(b, (const char *)p, 1);
    }
  }
  sb_put(b, "\"", 1);
}

static int cmp_entry(const void *a, const void *b) {
  return strcmp(((const st_entry *)a)->name, ((const st_entry *)b)->name);
}

lf_status lf_st_writer_save(lf_st_writer *w, const char *path) {
  qsort(w->e, w->n, sizeof *w->e, cmp_entry);
  /* metadata keys sorted too (insertion sort; few keys) */
  for (size_t i = 1; i < w->nm; i++)
    for (size_t j = i; j > 0 && strcmp(w->mk[j - 1], w->mk[j]) > 0; j--) {
      char *t = w->mk[j]; w->mk[j] = w->mk[j - 1]; w->mk[j - 1] = t;
      t = w->mv[j]; w->mv[j] = w->mv[j - 1]; w->mv[j - 1] = t;
    }
  st_buf b = {0};
  sb_str(&b, "{");
  int first = 1;
  if (w->nm) {
    sb_str(&b, "\"__metadata__\":{");
    for (size_t i = 0; i < w->nm; i++) {
      if (i) sb_str(&b, ",");
      sb_json_str(&b, w->mk[i]);
      sb_str(&b, ":");
      sb_json_str(&b, w->mv[i]);
    }
    sb_str(&b, "}");
    first = 0;
  }
  unsigned long long off = 0;
  for (size_t i = 0; i < w->n; i++) {
    const st_entry *e = &w->e[i];
    char tmp[96];
    if (!first) sb_str(&b, ",");
    first = 0;
    sb_json_str(&b, e->name);
    sb_str(&b, ":{\"dtype\":\"");
    sb_str(&b, lf_st_dtype_name(e->dtype));
    sb_str(&b, "\",\"shape\":[");
    for (int d = 0; d < e->ndim; d++) {
      snprintf(tmp, sizeof tmp, "%s%lld", d ? "," : "", (long long)e->shape[d]);
      sb_str(&b, tmp);
    }
    snprintf(tmp, sizeof tmp, "],\"data_offsets\":[%llu,%llu]}", off, off + e->nbytes);
    sb_str(&b, tmp);
    off += e->nbytes;
  }
  sb_str(&b, "}");
  while (!b.oom && b.n % 8) sb_str(&b, " ");
  if (b.oom) {
    free(b.s);
    return lf_error(LF_ENOMEM, "%s: out of memory building the header", path);
  }
  lf_atomic_file af;
  lf_status st = lf_atomic_open(&af, path);
  if (st) {
    free(b.s);
    return st;
  }
  unsigned char hl[8];
  for (int i = 0; i < 8; i++) hl[i] = (unsigned char)((unsigned long long)b.n >> (8 * i));
  int ok = fwrite(hl, 1, 8, af.f) == 8 && fwrite(b.s, 1, b.n, af.f) == b.n;
  free(b.s);
  for (size_t i = 0; ok && i < w->n; i++)
    if (w->e[i].nbytes) ok = fwrite(w->e[i].data, 1, w->e[i].nbytes, af.f) == w->e[i].nbytes;
  if (!ok) {
    lf_atomic_abort(&af);
    return lf_error(LF_EIO, "%s: write failed", path);
  }
  return lf_atomic_commit(&af);
}
