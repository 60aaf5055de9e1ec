/* The resume journal of `predict IMAGE...` (see predict_images_internal.h):
 * append-only JSON lines, so a killed run loses at most the invoke in flight
 * and the final output is still written in one atomic step. */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval/predict_images_internal.h"
#include "leapfrog/lf_fileio.h"

#define JOURNAL_MAX_BYTES ((size_t)1 << 30)

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void lf_predict_row_free(lf_predict_row *r) {
  free(r->key), free(r->scores), free(r->rle);
  memset(r, 0, sizeof *r);
}

char *lf_predict_journal_header(const char *model_path, const lf_predictor_info *in) {
  cJSON *j = cJSON_CreateObject();
  if (!j) return NULL;
  cJSON_AddStringToObject(j, "journal", "leapfrog predict 1");
  cJSON_AddStringToObject(j, "model", model_path);
  cJSON_AddNumberToObject(j, "model_bytes", (double)in->model_bytes);
  cJSON_AddStringToObject(j, "task", in->task == LF_PREDICT_SEGMENT ? "segment" : "classify");
  if (in->task == LF_PREDICT_SEGMENT) cJSON_AddNumberToObject(j, "threshold", in->threshold);
  else cJSON_AddItemToObject(j, "labels", cJSON_CreateStringArray(in->labels, in->n_labels));
  cJSON_AddNumberToObject(j, "norm", in->norm);
  cJSON_AddItemToObject(j, "mean", cJSON_CreateFloatArray(in->mean, 3));
  cJSON_AddItemToObject(j, "std", cJSON_CreateFloatArray(in->std, 3));
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return s;
}

static lf_status write_line(lf_predict_journal *j, const char *s) {
  if (fputs(s, j->f) < 0 || fputc('\n', j->f) == EOF) return lf_error(LF_EIO, "%s: write failed", j->path);
  return LF_OK;
}

lf_status lf_predict_journal_create(lf_predict_journal *j, const char *path, const char *header) {
  memset(j, 0, sizeof *j);
  if (!(j->path = strdup(path))) return lf_error(LF_ENOMEM, "predict: out of memory");
  if (!(j->f = fopen(path, "w"))) {
    lf_status st = lf_error(LF_EIO, "%s: %s", path, strerror(errno));
    free(j->path), j->path = NULL;
    return st;
  }
  lf_status st = write_line(j, header);
  if (!st) st = lf_predict_journal_flush(j);
  return st;
}

/* One result line -> row (file path returned in *file, pointing into the cJSON). */
static lf_status parse_row(const cJSON *o, const char *jpath, size_t line, const char **file, lf_predict_row *r) {
  memset(r, 0, sizeof *r);
  const cJSON *f = cJSON_GetObjectItemCaseSensitive(o, "file"), *fr = cJSON_GetObjectItemCaseSensitive(o, "frame"),
              *k = cJSON_GetObjectItemCaseSensitive(o, "key"), *sc = cJSON_GetObjectItemCaseSensitive(o, "scores"),
              *rle = cJSON_GetObjectItemCaseSensitive(o, "rle");
  if (!cJSON_IsString(f) || !cJSON_IsNumber(fr) || !cJSON_IsString(k) || (!cJSON_IsArray(sc) && !cJSON_IsString(rle)) ||
      fr->valuedouble < 0 || fr->valuedouble > 1e6)
    return lf_error(LF_EBADFILE, "%s:%zu: not a result line", jpath, line);
  *file = f->valuestring;
  r->frame = (int)fr->valuedouble;
  if (!(r->key = strdup(k->valuestring))) return lf_error(LF_ENOMEM, "predict: out of memory");
  if (cJSON_IsString(rle)) {
    if (!(r->rle = strdup(rle->valuestring))) return lf_error(LF_ENOMEM, "predict: out of memory");
    return LF_OK;
  }
  int n = cJSON_GetArraySize(sc), i = 0;
  if (!(r->scores = malloc((size_t)(n ? n : 1) * sizeof *r->scores))) return lf_error(LF_ENOMEM, "predict: out of memory");
  const cJSON *v;
  cJSON_ArrayForEach(v, sc) {
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= 1))
      return lf_error(LF_EBADFILE, "%s:%zu: a score is not a probability", jpath, line);
    r->scores[i++] = (float)v->valuedouble;
  }
  return LF_OK;
}

typedef struct {
  lf_predict_row *rows;
  size_t n, cap;
  char *file; /* the file whose rows are pending */
} pending;

static void pending_clear(pending *p) {
  for (size_t i = 0; i < p->n; i++) lf_predict_row_free(&p->rows[i]);
  p->n = 0;
  free(p->file), p->file = NULL;
}

/* Reads the complete lines of the journal; returns in *good the bytes up to the
 * end of the last complete line. */
static lf_status replay(const char *path, const char *data, size_t len, const char *header,
                        lf_predict_journal_done_fn done, void *ctx, size_t *good) {
  const char *s = data, *end = data + len;
  size_t line = 0;
  pending p = {0};
  lf_status st = LF_OK;
  *good = 0;
  while (!st && s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    if (!nl) break; /* torn tail of a killed write */
    line++;
    if (line == 1) {
      if ((size_t)(nl - s) != strlen(header) || memcmp(s, header, (size_t)(nl - s)))
        st = lf_error(LF_EINVAL, "%s: left by a run of another model or other options; remove it or run without --resume",
                      path);
    } else {
      cJSON *o = cJSON_ParseWithLength(s, (size_t)(nl - s));
      const cJSON *d = cJSON_GetObjectItemCaseSensitive(o, "done");
      if (!cJSON_IsObject(o)) {
        st = lf_error(LF_EBADFILE, "%s:%zu: not a JSON line", path, line);
      } else if (cJSON_IsString(d)) {
        if (p.file && !strcmp(p.file, d->valuestring)) {
          st = done(d->valuestring, p.rows, p.n, ctx);
          p.rows = NULL, p.n = p.cap = 0; /* the rows now belong to the callee */
        }
        pending_clear(&p);
      } else {
        const char *file = NULL;
        lf_predict_row r;
        st = parse_row(o, path, line, &file, &r);
        if (!st && p.file && strcmp(p.file, file)) pending_clear(&p); /* an unfinished file: run again */
        if (!st && !p.file && !(p.file = strdup(file))) st = lf_error(LF_ENOMEM, "predict: out of memory");
        if (!st && p.n == p.cap) {
          lf_predict_row *nr = realloc(p.rows, (p.cap = p.cap ? 2 * p.cap : 8) * sizeof *nr);
          if (!nr) st = lf_error(LF_ENOMEM, "predict: out of memory");
          else p.rows = nr;
        }
        if (!st) p.rows[p.n++] = r;
        else lf_predict_row_free(&r);
      }
      cJSON_Delete(o);
    }
    s = nl + 1;
    if (!st) *good = (size_t)(s - data);
  }
  if (!st && line == 0) *good = 0; /* not even a header: start over */
  pending_clear(&p);
  free(p.rows);
  return st;
}

lf_status lf_predict_journal_read(const char *path, const char *header, lf_predict_journal_done_fn done, void *ctx,
                                  int *found) {
  *found = 0;
  if (access(path, F_OK) != 0) return LF_OK;
  unsigned char *data;
  size_t len, good = 0;
  lf_status st = lf_read_file(path, JOURNAL_MAX_BYTES, &data, &len);
  if (st) return st;
  st = replay(path, (const char *)data, len, header, done, ctx, &good);
  free(data);
  *found = !st && good > 0;
  return st;
}

/* "NAME.partial" or "NAME.partial.RofN" (R, N > 0): a journal of NAME (1 or N processes). */
static int is_journal_of(const char *file, const char *base) {
  size_t n = strlen(base);
  if (strncmp(file, base, n) || strncmp(file + n, ".partial", 8)) return 0;
  const char *s = file + n + 8;
  if (!*s) return 1;
  unsigned r, m;
  int used = 0;
  return sscanf(s, ".%uof%u%n", &r, &m, &used) == 2 && !s[used] && r >= 1 && r <= m && isdigit((unsigned char)s[1]);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

lf_status lf_predict_journal_list(const char *out_path, char ***paths, size_t *n) {
  *paths = NULL;
  *n = 0;
  const char *slash = strrchr(out_path, '/');
  size_t dlen = slash ? (size_t)(slash - out_path) + 1 : 0;
  char *dir = strndup(out_path, dlen ? dlen : 0);
  if (!dir) return lf_error(LF_ENOMEM, "predict: out of memory");
  DIR *d = opendir(dlen ? dir : ".");
  if (!d) {
    free(dir);
    return LF_OK; /* no folder: no journals (writing OUT will say why) */
  }
  lf_status st = LF_OK;
  size_t cap = 0;
  struct dirent *e;
  while (!st && (e = readdir(d))) {
    if (!is_journal_of(e->d_name, out_path + dlen)) continue;
    if (*n == cap) {
      char **np = realloc(*paths, (cap = cap ? 2 * cap : 8) * sizeof *np);
      if (!np) {
        st = lf_error(LF_ENOMEM, "predict: out of memory");
        break;
      }
      *paths = np;
    }
    char *full = malloc(dlen + strlen(e->d_name) + 1);
    if (!full) {
      st = lf_error(LF_ENOMEM, "predict: out of memory");
      break;
    }
    memcpy(full, dir, dlen);
    strcpy(full + dlen, e->d_name);
    (*paths)[(*n)++] = full;
  }
  closedir(d);
  free(dir);
  if (st) {
    lf_predict_journal_list_free(*paths, *n);
    *paths = NULL, *n = 0;
    return st;
  }
  if (*n) qsort(*paths, *n, sizeof **paths, cmp_str);
  return LF_OK;
}

void lf_predict_journal_list_free(char **paths, size_t n) {
  for (size_t i = 0; i < n; i++) free(paths[i]);
  free(paths);
}

lf_status lf_predict_journal_rename(lf_predict_journal *j, const char *path) {
  lf_status st = lf_predict_journal_flush(j);
  if (st) return st;
  if (rename(j->path, path)) return lf_error(LF_EIO, "%s: cannot rename to %s: %s", j->path, path, strerror(errno));
  char *p = strdup(path);
  if (!p) return lf_error(LF_ENOMEM, "predict: out of memory");
  free(j->path);
  j->path = p;
  return LF_OK;
}

lf_status lf_predict_journal_add_row(lf_predict_journal *j, const char *file_path, const lf_predict_row *r,
                                     int n_scores) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return lf_error(LF_ENOMEM, "predict: out of memory");
  cJSON_AddStringToObject(o, "file", file_path);
  cJSON_AddNumberToObject(o, "frame", r->frame);
  cJSON_AddStringToObject(o, "key", r->key);
  if (r->rle) cJSON_AddStringToObject(o, "rle", r->rle);
  else cJSON_AddItemToObject(o, "scores", cJSON_CreateFloatArray(r->scores, n_scores));
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  if (!s) return lf_error(LF_ENOMEM, "predict: out of memory");
  lf_status st = write_line(j, s);
  free(s);
  return st;
}

lf_status lf_predict_journal_add_done(lf_predict_journal *j, const char *file_path) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return lf_error(LF_ENOMEM, "predict: out of memory");
  cJSON_AddStringToObject(o, "done", file_path);
  char *s = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  if (!s) return lf_error(LF_ENOMEM, "predict: out of memory");
  lf_status st = write_line(j, s);
  free(s);
  return st;
}

lf_status lf_predict_journal_flush(lf_predict_journal *j) {
  if (fflush(j->f)) return lf_error(LF_EIO, "%s: write failed: %s", j->path, strerror(errno));
  double t = now_s();
  if (t - j->last_sync > 5) { /* a kill loses nothing flushed; fsync bounds what a power cut loses */
    fsync(fileno(j->f));
    j->last_sync = t;
  }
  return LF_OK;
}

void lf_predict_journal_close(lf_predict_journal *j, int remove) {
  if (j->f) fclose(j->f);
  if (remove && j->path) unlink(j->path);
  free(j->path);
  memset(j, 0, sizeof *j);
}
