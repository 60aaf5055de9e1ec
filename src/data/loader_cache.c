/* Preprocessed cache: header (magic, resize parameters, every source path with its
 * size and mtime, the RLE hash) + flags + per-entry checksums + 8-bit images + masks.
 * Reused only when the header matches byte for byte and the file has the expected
 * length; otherwise rebuilt with threads and written atomically.  Read back with
 * mmap; each entry is checked against its checksum when used (lf_cache_verify). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "data/loader_internal.h"
#include "data/synth_util.h"
#include "leapfrog/lf_fileio.h"

typedef struct {
  unsigned char *d;
  size_t n, cap;
  int oom;
} buf_t;

static void put(buf_t *b, const void *p, size_t n) {
  if (b->oom) return;
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n) cap *= 2;
    unsigned char *nd = realloc(b->d, cap);
    if (!nd) { b->oom = 1; return; }
    b->d = nd, b->cap = cap;
  }
  memcpy(b->d + b->n, p, n);
  b->n += n;
}
static void put64(buf_t *b, uint64_t v) { put(b, &v, 8); }

static void put_file(buf_t *b, const char *path) {
  struct stat st;
  uint64_t len = path ? strlen(path) : 0;
  put64(b, len);
  if (len) put(b, path, len);
  if (path && stat(path, &st) == 0) {
    put64(b, (uint64_t)st.st_size);
    put64(b, (uint64_t)st.st_mtim.tv_sec * 1000000000ull + (uint64_t)st.st_mtim.tv_nsec);
  } else {
    put64(b, ~0ull), put64(b, ~0ull);
  }
}

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; s && *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return s ? h : 0;
}

/* Checksum of an entry's bytes (8 at a time, multiply-xorshift mixing). */
static uint64_t sum_bytes(uint64_t h, const uint8_t *p, size_t n) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    h = (h ^ w) * 0x9E3779B97F4A7C15ull;
    h ^= h >> 29;
  }
  for (; i < n; i++) h = (h ^ p[i]) * 0x100000001B3ull;
  return h ^ n;
}

static lf_status make_header(buf_t *b, const lf_dataset *ds, const size_t *idx, size_t n,
                             const lf_loader_opts *o, int with_mask) {
  put(b, "LFCACHE2", 8);
  put64(b, (uint64_t)o->height), put64(b, (uint64_t)o->width), put64(b, (uint64_t)o->channels);
  put64(b, (uint64_t)o->resize), put64(b, (uint64_t)with_mask), put64(b, n);
  for (size_t i = 0; i < n; i++) {
    const lf_sample *s = &ds->samples[idx[i]];
    put_file(b, s->path);
    if (with_mask) {
      put_file(b, s->mask_path);
      put64(b, hash_str(s->rle));
    }
  }
  put64(b, 0x454E44484452ull); /* "ENDHDR" */
  return b->oom ? lf_error(LF_ENOMEM, "cache: out of memory") : LF_OK;
}

typedef struct {
  const lf_dataset *ds;
  const size_t *idx;
  const lf_loader_opts *o;
  size_t first;
  uint8_t *flags, *x, *m;
  uint64_t *sums;
  size_t xs, ms;
} build_job;

static lf_status build_one(int i, void *arg) {
  build_job *J = arg;
  const lf_sample *s = &J->ds->samples[J->idx[J->first + (size_t)i]];
  lf_status st = lf_loader_prep_u8(J->ds, s, J->o, J->x + (size_t)i * J->xs, J->m ? J->m + (size_t)i * J->ms : NULL);
  J->flags[i] = st != LF_OK;
  uint64_t h = sum_bytes(0x4C4643ull, J->x + (size_t)i * J->xs, J->xs);
  if (J->m) h = sum_bytes(h, J->m + (size_t)i * J->ms, J->ms);
  J->sums[i] = h;
  if (st && !J->o->skip_unreadable) return st;
  return LF_OK;
}

static lf_status build(const char *path, const buf_t *hdr, const lf_dataset *ds, const size_t *idx,
                       size_t n, const lf_loader_opts *o, int with_mask) {
  lf_atomic_file af;
  lf_status st = lf_atomic_open(&af, path);
  if (st) return st;
  size_t xs = (size_t)o->height * o->width * o->channels, ms = (size_t)o->height * o->width;
  enum { CHUNK = 128 };
  uint8_t *flags = calloc(n + 1, 1), *x = malloc(CHUNK * xs), *m = with_mask ? malloc(CHUNK * ms) : NULL;
  uint64_t *sums = calloc(n + 1, sizeof *sums);
  FILE *fx = tmpfile(), *fm = with_mask ? tmpfile() : NULL;
  if (!flags || !sums || !x || (with_mask && !m)) st = lf_error(LF_ENOMEM, "cache: out of memory");
  else if (!fx || (with_mask && !fm)) st = lf_error(LF_EIO, "cache: cannot create a temporary file");
  for (size_t first = 0; !st && first < n; first += CHUNK) {
    size_t k = n - first < CHUNK ? n - first : CHUNK;
    build_job J = {ds, idx, o, first, flags + first, x, m, sums + first, xs, ms};
    memset(x, 0, k * xs);
    if (m) memset(m, 0, k * ms);
    st = lf_synth_parallel((int)k, o->threads, build_one, &J);
    if (!st && (fwrite(x, xs, k, fx) != k || (m && fwrite(m, ms, k, fm) != k)))
      st = lf_error(LF_EIO, "cache: write failed");
  }
  /* layout: header, flags, images, masks */
  if (!st && (fwrite(hdr->d, 1, hdr->n, af.f) != hdr->n || fwrite(flags, 1, n, af.f) != n ||
              fwrite(sums, 8, n, af.f) != n))
    st = lf_error(LF_EIO, "%s: write failed", path);
  for (int pass = 0; pass < 2 && !st; pass++) {
    FILE *f = pass ? fm : fx;
    if (!f) continue;
    rewind(f);
    size_t got;
    while ((got = fread(x, 1, CHUNK * xs, f)) > 0)
      if (fwrite(x, 1, got, af.f) != got) { st = lf_error(LF_EIO, "%s: write failed", path); break; }
  }
  if (fx) fclose(fx);
  if (fm) fclose(fm);
  free(flags), free(sums), free(x), free(m);
  if (st) { lf_atomic_abort(&af); return st; }
  return lf_atomic_commit(&af);
}

/* 1: mapped and verified; 0: absent or stale (rebuild); -1: the path exists
 * but is not a regular file (error set: never map, rebuild or block on it). */
static int try_map(lf_cache *c, const char *path, const buf_t *hdr, size_t total) {
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return 0;
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return 0;
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    lf_error(LF_EIO, "%s: --cache is not a regular file", path);
    return -1;
  }
  int ok = (uint64_t)st.st_size == total;
  if (ok) {
    void *p = mmap(NULL, total, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) ok = 0;
    else if (memcmp(p, hdr->d, hdr->n)) { munmap(p, total); ok = 0; }
    else c->map = p, c->map_len = total;
  }
  close(fd);
  return ok;
}

lf_status lf_cache_open(lf_cache *c, const char *path, const lf_dataset *ds, const size_t *idx,
                        size_t n, const lf_loader_opts *o, int with_mask, int *rebuilt) {
  memset(c, 0, sizeof *c);
  if (rebuilt) *rebuilt = 0;
  buf_t hdr = {0};
  lf_status st = make_header(&hdr, ds, idx, n, o, with_mask);
  if (st) { free(hdr.d); return st; }
  size_t xs = (size_t)o->height * o->width * o->channels, ms = (size_t)o->height * o->width;
  size_t total = hdr.n + n + 8 * n + n * xs + (with_mask ? n * ms : 0);
  int mapped = try_map(c, path, &hdr, total);
  if (mapped < 0) { free(hdr.d); return LF_EIO; }
  if (!mapped) {
    if (rebuilt) *rebuilt = 1;
    if ((st = build(path, &hdr, ds, idx, n, o, with_mask))) { free(hdr.d); return st; }
    if (try_map(c, path, &hdr, total) != 1) {
      free(hdr.d);
      return lf_error(LF_EIO, "%s: cache written but does not verify (did a source change meanwhile?)", path);
    }
  }
  const uint8_t *p = c->map;
  c->flags = p + hdr.n;
  c->sums = c->flags + n;
  c->x = c->sums + 8 * n;
  c->m = with_mask ? c->x + n * xs : NULL;
  free(hdr.d);
  if (!(c->path = strdup(path))) {
    lf_cache_close(c);
    return lf_error(LF_ENOMEM, "cache: out of memory");
  }
  return LF_OK;
}

lf_status lf_cache_verify(const lf_cache *c, size_t pos, const lf_sample *s, size_t xs, size_t ms) {
  uint64_t want, h = sum_bytes(0x4C4643ull, c->x + pos * xs, xs);
  if (c->m) h = sum_bytes(h, c->m + pos * ms, ms);
  memcpy(&want, c->sums + 8 * pos, 8);
  if (h == want) return LF_OK;
  return lf_error(LF_EBADFILE, "%s: the cached entry of %s does not match its checksum (the cache file is corrupt; "
                  "delete it and it is rebuilt from the images)", c->path ? c->path : "cache", s->name);
}

void lf_cache_close(lf_cache *c) {
  if (c->map) munmap(c->map, c->map_len);
  free(c->path);
  memset(c, 0, sizeof *c);
}
