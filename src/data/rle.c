/* Kaggle RLE (1-based starts, column-major) encode/decode. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_rle.h"

lf_status lf_rle_encode(const uint8_t *mask, int width, int height, char **out) {
  *out = NULL;
  if (!mask || width <= 0 || height <= 0) return lf_error(LF_EINVAL, "rle encode: bad mask");
  size_t cap = 256, n = 0;
  char *s = malloc(cap);
  if (!s) return lf_error(LF_ENOMEM, "rle encode: out of memory");
  s[0] = 0;
  size_t total = (size_t)width * height, run_start = 0, run_len = 0;
  for (size_t k = 0; k <= total; k++) {
    int on = 0;
    if (k < total) {
      size_t x = k / (size_t)height, y = k % (size_t)height;
      on = mask[y * (size_t)width + x] != 0;
    }
    if (on) {
      if (!run_len) run_start = k;
      run_len++;
    } else if (run_len) {
      if (n + 48 > cap) {
        char *ns = realloc(s, cap *= 2);
        if (!ns) {
          free(s);
          return lf_error(LF_ENOMEM, "rle encode: out of memory");
        }
        s = ns;
      }
      n += (size_t)snprintf(s + n, cap - n, "%s%zu %zu", n ? " " : "", run_start + 1, run_len);
      run_len = 0;
    }
  }
  *out = s;
  return LF_OK;
}

static int read_num(const char **p, unsigned long long *v) {
  while (**p == ' ' || **p == '\t') (*p)++;
  if (**p < '0' || **p > '9') return 0;
  unsigned long long x = 0;
  while (**p >= '0' && **p <= '9') {
    if (x > 1000000000000ull) return -1;
    x = x * 10 + (unsigned)(**p - '0');
    (*p)++;
  }
  *v = x;
  return 1;
}

lf_status lf_rle_decode(const char *rle, int width, int height, uint8_t *mask, const char *name) {
  if (!name) name = "rle";
  if (!rle || !mask || width <= 0 || height <= 0) return lf_error(LF_EINVAL, "%s: bad arguments", name);
  size_t total = (size_t)width * height;
  memset(mask, 0, total);
  const char *p = rle;
  unsigned long long prev_end = 0; /* 1-based index after the last run */
  for (int pair = 0;; pair++) {
    unsigned long long start, len;
    int r = read_num(&p, &start);
    if (r == 0) {
      while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') p++;
      if (*p) return lf_error(LF_EBADFILE, "%s: unexpected '%c' in run-length pairs", name, *p);
      break;
    }
    if (r < 0 || read_num(&p, &len) != 1)
      return lf_error(LF_EBADFILE, "%s: run %d: %s", name, pair + 1,
                      r < 0 ? "number too large" : "start without a length (odd count)");
    if (start < 1 || len < 1) return lf_error(LF_EBADFILE, "%s: run %d: start and length must be >= 1", name, pair + 1);
    if (start < prev_end)
      return lf_error(LF_EBADFILE, "%s: run %d (start %llu) overlaps or is before the previous run", name, pair + 1, start);
    if (start - 1 + len > total)
      return lf_error(LF_EBADFILE, "%s: run %d (%llu %llu) goes past the %dx%d image", name, pair + 1, start, len, width, height);
    for (unsigned long long k = start - 1; k < start - 1 + len; k++) {
      size_t x = (size_t)k / (size_t)height, y = (size_t)k % (size_t)height;
      mask[y * (size_t)width + x] = 1;
    }
    prev_end = start + len;
    if (*p && *p != ' ' && *p != '\t' && *p != '\r' && *p != '\n')
      return lf_error(LF_EBADFILE, "%s: unexpected '%c' in run-length pairs", name, *p);
  }
  return LF_OK;
}
