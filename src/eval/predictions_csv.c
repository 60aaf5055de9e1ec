/* Kaggle submission CSV: "img,pixels" with run-length masks. */
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_csv.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_predictions.h"

void lf_submission_free(lf_submission *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) {
    if (s->img) free(s->img[i]);
    if (s->pixels) free(s->pixels[i]);
  }
  free(s->img);
  free(s->pixels);
  *s = (lf_submission){0};
}

lf_status lf_submission_alloc(lf_submission *s, size_t n) {
  *s = (lf_submission){0};
  s->img = calloc(n ? n : 1, sizeof *s->img);
  s->pixels = calloc(n ? n : 1, sizeof *s->pixels);
  if (!s->img || !s->pixels) {
    free(s->img), free(s->pixels);
    *s = (lf_submission){0};
    return lf_error(LF_ENOMEM, "submission: out of memory for %zu rows", n);
  }
  s->n = n;
  return LF_OK;
}

static const char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) s[--n] = 0;
  return s;
}

typedef struct {
  const char *img;
  size_t line;
} keyline;
static int cmp_keyline(const void *a, const void *b) {
  return strcmp(((const keyline *)a)->img, ((const keyline *)b)->img);
}

lf_status lf_submission_parse_csv(const char *data, size_t len, const char *name, lf_submission *out) {
  if (!out) return lf_error(LF_EINVAL, "submission: NULL output");
  *out = (lf_submission){0};
  if (!name) name = "submission";
  lf_csv *csv;
  lf_status st = lf_csv_parse(data, len, name, &csv);
  if (st) return st;
  size_t rows = lf_csv_rows(csv);
  int ci = rows ? lf_csv_find_col(csv, "img") : -1, cp = rows ? lf_csv_find_col(csv, "pixels") : -1;
  if (ci < 0 || cp < 0) {
    lf_csv_free(csv);
    return lf_error(LF_EBADFILE, "%s:1: header must name the columns img and pixels (Kaggle submission)", name);
  }
  if ((st = lf_submission_alloc(out, rows - 1))) {
    lf_csv_free(csv);
    return st;
  }
  keyline *kl = malloc((rows ? rows : 1) * sizeof *kl);
  if (!kl) {
    st = lf_error(LF_ENOMEM, "%s: out of memory", name);
    goto done;
  }
  size_t ncols = lf_csv_cols(csv, 0);
  for (size_t r = 1; r < rows; r++) {
    size_t line = lf_csv_line(csv, r);
    if (lf_csv_cols(csv, r) != ncols) {
      st = lf_error(LF_EBADFILE, "%s:%zu: %zu fields, the header has %zu", name, line, lf_csv_cols(csv, r), ncols);
      goto done;
    }
    char *img = strdup(lf_csv_field(csv, r, (size_t)ci)), *pix = strdup(lf_csv_field(csv, r, (size_t)cp));
    out->img[r - 1] = img, out->pixels[r - 1] = pix;
    if (!img || !pix) {
      st = lf_error(LF_ENOMEM, "%s: out of memory", name);
      goto done;
    }
    /* trim in place, keeping the malloc'd pointers */
    memmove(img, trim(img), strlen(trim(img)) + 1);
    memmove(pix, trim(pix), strlen(trim(pix)) + 1);
    if (!*img) {
      st = lf_error(LF_EBADFILE, "%s:%zu: empty img", name, line);
      goto done;
    }
    for (const char *c = pix; *c; c++)
      if (!(*c >= '0' && *c <= '9') && *c != ' ') {
        st = lf_error(LF_EBADFILE, "%s:%zu: image \"%.100s\": pixels may hold only digits and spaces (run-length pairs)",
                      name, line, img);
        goto done;
      }
    kl[r - 1] = (keyline){img, line};
  }
  qsort(kl, rows - 1, sizeof *kl, cmp_keyline);
  for (size_t i = 1; i + 1 < rows; i++)
    if (!strcmp(kl[i].img, kl[i - 1].img)) {
      size_t a = kl[i].line < kl[i - 1].line ? kl[i].line : kl[i - 1].line;
      size_t b = kl[i].line < kl[i - 1].line ? kl[i - 1].line : kl[i].line;
      st = lf_error(LF_EBADFILE, "%s:%zu: image \"%.100s\" appears again (first on line %zu)", name, b, kl[i].img, a);
      goto done;
    }
done:
  free(kl);
  lf_csv_free(csv);
  if (st) lf_submission_free(out);
  return st;
}

lf_status lf_submission_read_csv(const char *path, lf_submission *out) {
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(path, LF_SUBMISSION_MAX_BYTES, &data, &len);
  if (st) return st;
  st = lf_submission_parse_csv((const char *)data, len, path, out);
  free(data);
  return st;
}

lf_status lf_submission_write_csv(const char *path, const lf_submission *s) {
  if (!s || (s->n && (!s->img || !s->pixels))) return lf_error(LF_EINVAL, "%s: NULL submission", path);
  for (size_t i = 0; i < s->n; i++) {
    if (!s->img[i] || !*s->img[i] || strpbrk(s->img[i], ",\"\r\n"))
      return lf_error(LF_EINVAL, "%s: row %zu: image id \"%.100s\" is empty or needs quoting", path, i,
                      s->img[i] ? s->img[i] : "");
    if (s->pixels[i] && strspn(s->pixels[i], "0123456789 ") != strlen(s->pixels[i]))
      return lf_error(LF_EINVAL, "%s: image \"%.100s\": pixels is not a run-length string", path, s->img[i]);
  }
  lf_atomic_file af;
  lf_status st = lf_atomic_open(&af, path);
  if (st) return st;
  fputs("img,pixels\n", af.f);
  for (size_t i = 0; i < s->n; i++) fprintf(af.f, "%s,%s\n", s->img[i], s->pixels[i] ? s->pixels[i] : "");
  if (ferror(af.f)) {
    lf_atomic_abort(&af);
    return lf_error(LF_EIO, "%s: write failed", path);
  }
  return lf_atomic_commit(&af);
}
