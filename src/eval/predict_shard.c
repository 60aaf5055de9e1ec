/* `mpirun -np N leapfrog predict`: each process runs a contiguous shard of
 * the images, rank 0 gathers the result rows and timings (lf_dist.h) and
 * writes the one output. Shards are contiguous and gathered in rank order, so
 * the gathered rows are in input order; results do not depend on the batch a
 * row was run in, so the bytes equal one process's.
 *
 * The rows travel as bytes: per row file (u64), frame (i32), the key's length
 * (u32) and bytes, then the scores (n_scores floats) or the run-length mask's
 * length (u32) and bytes. All ranks run the same build on machines of one
 * byte order (MPI_BYTE is not converted). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval/predict_images_internal.h"
#include "leapfrog/lf_dist.h"

void lf_predict_shard(size_t n, size_t *lo, size_t *hi) {
  size_t r = (size_t)lf_dist_rank(), p = (size_t)lf_dist_size();
  /* n * r / p without overflow for any n that fits in memory */
  *lo = n / p * r + n % p * r / p;
  *hi = n / p * (r + 1) + n % p * (r + 1) / p;
}

typedef struct {
  unsigned char *b;
  size_t n, cap;
} bytes;

static int put(bytes *o, const void *p, size_t len) {
  if (o->cap - o->n < len) {
    size_t nc = o->cap ? o->cap : 4096;
    while (nc - o->n < len) nc *= 2;
    unsigned char *q = realloc(o->b, nc);
    if (!q) return -1;
    o->b = q, o->cap = nc;
  }
  memcpy(o->b + o->n, p, len);
  o->n += len;
  return 0;
}

static int put_str(bytes *o, const char *s) {
  uint32_t l = (uint32_t)strlen(s);
  return put(o, &l, sizeof l) || put(o, s, l);
}

static int get(const unsigned char **p, const unsigned char *end, void *dst, size_t len) {
  if ((size_t)(end - *p) < len) return -1;
  memcpy(dst, *p, len);
  *p += len;
  return 0;
}

static char *get_str(const unsigned char **p, const unsigned char *end) {
  uint32_t l;
  if (get(p, end, &l, sizeof l) || (size_t)(end - *p) < l) return NULL;
  char *s = malloc((size_t)l + 1);
  if (!s) return NULL;
  memcpy(s, *p, l);
  s[l] = 0;
  *p += l;
  return s;
}

lf_status lf_predict_rows_gather(const lf_predict_row *mine, size_t n, int n_scores, lf_predict_row **all,
                                 size_t *nall) {
  *all = NULL, *nall = 0;
  bytes o = {0};
  int bad = 0;
  for (size_t i = 0; i < n && !bad; i++) {
    uint64_t f = mine[i].file;
    int32_t fr = mine[i].frame;
    bad = put(&o, &f, sizeof f) || put(&o, &fr, sizeof fr) || put_str(&o, mine[i].key) ||
          (n_scores ? put(&o, mine[i].scores, (size_t)n_scores * sizeof(float)) : put_str(&o, mine[i].rle));
  }
  if (bad) {
    free(o.b);
    return lf_error(LF_ENOMEM, "predict: out of memory for the results of rank %d", lf_dist_rank());
  }
  void *got = NULL;
  size_t len = 0;
  lf_status st = lf_dist_gather(o.b ? o.b : (void *)"", o.n, &got, &len);
  free(o.b);
  if (st || !got) return st; /* not rank 0: nothing more to do */
  const unsigned char *p = got, *end = p + len;
  lf_predict_row *rows = NULL;
  size_t nr = 0, cap = 0;
  while (!st && p < end) {
    if (nr == cap) {
      size_t nc = cap ? 2 * cap : 256;
      lf_predict_row *q = realloc(rows, nc * sizeof *q);
      if (!q) {
        st = lf_error(LF_ENOMEM, "predict: out of memory for the gathered results");
        break;
      }
      rows = q, cap = nc;
    }
    lf_predict_row *r = &rows[nr];
    memset(r, 0, sizeof *r);
    uint64_t f = 0;
    int32_t fr = 0;
    if (get(&p, end, &f, sizeof f) || get(&p, end, &fr, sizeof fr) || !(r->key = get_str(&p, end))) bad = 1;
    else if (n_scores) {
      bad = !(r->scores = malloc((size_t)n_scores * sizeof(float))) ||
            get(&p, end, r->scores, (size_t)n_scores * sizeof(float));
    } else
      bad = !(r->rle = get_str(&p, end));
    r->file = (size_t)f, r->frame = fr;
    nr++;
    if (bad) st = lf_error(LF_EIO, "predict: the gathered results are cut short (row %zu)", nr);
  }
  free(got);
  if (st) {
    for (size_t i = 0; i < nr; i++) lf_predict_row_free(&rows[i]);
    free(rows);
    return st;
  }
  *all = rows, *nall = nr;
  return LF_OK;
}

lf_status lf_predict_timing_gather(lf_predict_timing *t) {
  void *got = NULL;
  size_t len = 0;
  lf_status st = lf_dist_gather(t->ms ? (void *)t->ms : (void *)"", t->n * sizeof *t->ms, &got, &len);
  if (st || !got) return st;
  free(t->ms);
  t->ms = got, t->n = t->cap = len / sizeof *t->ms;
  return LF_OK;
}

lf_status lf_predict_count_sum(size_t *v, int n) {
  double d[4];
  if (n > 4) return lf_error(LF_EINVAL, "predict: at most 4 counts");
  for (int i = 0; i < n; i++) d[i] = (double)v[i];
  lf_status st = lf_dist_allreduce(d, (size_t)n, LF_DIST_F64, LF_DIST_SUM);
  for (int i = 0; !st && i < n; i++) v[i] = (size_t)d[i];
  return st;
}
