/* RFC-4180 CSV reader.  All fields live in one buffer (NUL-separated); rows index it. */
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_csv.h"
#include "leapfrog/lf_fileio.h"

struct lf_csv {
  char *name;
  char *buf;        /* unquoted fields, each NUL-terminated */
  size_t *fields;   /* offsets of fields into buf */
  size_t *row_first, *row_count, *row_line;
  size_t nrows, nfields;
};

void lf_csv_free(lf_csv *c) {
  if (!c) return;
  free(c->name), free(c->buf), free(c->fields);
  free(c->row_first), free(c->row_count), free(c->row_line);
  free(c);
}

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap * 2 : 64;
  while (nc < need) nc *= 2;
  void *np = realloc(*p, nc * elem);
  if (!np) return -1;
  *p = np;
  *cap = nc;
  return 0;
}

lf_status lf_csv_parse(const char *data, size_t len, const char *name, lf_csv **out) {
  *out = NULL;
  if (!name) name = "(csv)";
  lf_csv *c = calloc(1, sizeof *c);
  if (!c || !(c->name = strdup(name)) || !(c->buf = malloc(len + len / 2 + 2))) {
    lf_csv_free(c);
    return lf_error(LF_ENOMEM, "%s: out of memory", name);
  }
  /* each field adds at most its bytes + 1 NUL; an empty field costs 1 byte for >= 1
   * source byte (its comma) except the last of a line, so len*1.5+2 is enough */
  size_t fcap = 0, rcap = 0, bpos = 0;
  size_t i = 0, line = 1;
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) i = 3;
  lf_status st = LF_OK;
  while (i < len) {
    /* skip blank lines */
    if (data[i] == '\n') { i++, line++; continue; }
    if (data[i] == '\r' && (i + 1 >= len || data[i + 1] == '\n')) { i += (i + 1 < len) ? 2 : 1, line++; continue; }
    if (grow((void **)&c->row_first, &rcap, c->nrows + 1, sizeof(size_t)) ||
        !(c->row_count = realloc(c->row_count, rcap * sizeof(size_t))) ||
        !(c->row_line = realloc(c->row_line, rcap * sizeof(size_t)))) {
      st = lf_error(LF_ENOMEM, "%s: out of memory", name);
      goto fail;
    }
    c->row_first[c->nrows] = c->nfields;
    c->row_line[c->nrows] = line;
    size_t nf = 0;
    for (;;) { /* one field */
      if (grow((void **)&c->fields, &fcap, c->nfields + 1, sizeof(size_t))) {
        st = lf_error(LF_ENOMEM, "%s: out of memory", name);
        goto fail;
      }
      c->fields[c->nfields++] = bpos;
      nf++;
      if (i < len && data[i] == '"') {
        size_t qline = line;
        i++;
        for (;;) {
          if (i >= len) {
            st = lf_error(LF_EBADFILE, "%s:%zu: unterminated quoted field", name, qline);
            goto fail;
          }
          char ch = data[i];
          if (ch == '"') {
            if (i + 1 < len && data[i + 1] == '"') { c->buf[bpos++] = '"'; i += 2; continue; }
            i++;
            break;
          }
          if (ch == '\0') {
            st = lf_error(LF_EBADFILE, "%s:%zu: NUL byte", name, line);
            goto fail;
          }
          if (ch == '\n') line++;
          c->buf[bpos++] = ch;
          i++;
        }
        if (i < len && data[i] != ',' && data[i] != '\n' && data[i] != '\r') {
          st = lf_error(LF_EBADFILE, "%s:%zu: text after a closing quote", name, line);
          goto fail;
        }
      } else {
        while (i < len && data[i] != ',' && data[i] != '\n' &&
               !(data[i] == '\r' && (i + 1 >= len || data[i + 1] == '\n'))) {
          if (data[i] == '\0') {
            st = lf_error(LF_EBADFILE, "%s:%zu: NUL byte", name, line);
            goto fail;
          }
          c->buf[bpos++] = data[i++];
        }
      }
      c->buf[bpos++] = 0;
      if (i < len && data[i] == ',') { i++; continue; }
      /* end of row */
      if (i < len && data[i] == '\r') i++;
      if (i < len && data[i] == '\n') i++, line++;
      break;
    }
    c->row_count[c->nrows++] = nf;
  }
  *out = c;
  return LF_OK;
fail:
  lf_csv_free(c);
  return st;
}

lf_status lf_csv_read(const char *path, lf_csv **out) {
  unsigned char *d;
  size_t n;
  *out = NULL;
  lf_status s = lf_read_file(path, (size_t)1 << 30, &d, &n);
  if (s) return s;
  s = lf_csv_parse((const char *)d, n, path, out);
  free(d);
  return s;
}

size_t lf_csv_rows(const lf_csv *c) { return c ? c->nrows : 0; }
size_t lf_csv_cols(const lf_csv *c, size_t row) { return c && row < c->nrows ? c->row_count[row] : 0; }
const char *lf_csv_field(const lf_csv *c, size_t row, size_t col) {
  if (!c || row >= c->nrows || col >= c->row_count[row]) return NULL;
  return c->buf + c->fields[c->row_first[row] + col];
}
size_t lf_csv_line(const lf_csv *c, size_t row) { return c && row < c->nrows ? c->row_line[row] : 0; }
const char *lf_csv_name(const lf_csv *c) { return c ? c->name : ""; }

int lf_csv_find_col(const lf_csv *c, const char *header) {
  size_t hl = strlen(header);
  for (size_t j = 0; j < lf_csv_cols(c, 0); j++) {
    const char *f = lf_csv_field(c, 0, j);
    while (*f == ' ') f++;
    size_t fl = strlen(f);
    while (fl && f[fl - 1] == ' ') fl--;
    if (fl == hl && !memcmp(f, header, hl)) return (int)j;
  }
  return -1;
}
