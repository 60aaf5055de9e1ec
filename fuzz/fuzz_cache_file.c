/* libFuzzer target: a corrupted --cache file (lf_cache_open + lf_cache_verify,
 * src/data/loader_cache.c). A 3-image synthetic NIH folder and its cache are
 * made once; each input overwrites bytes of a copy of that cache (4-byte
 * little-endian offset, then the bytes; repeated) or, when it starts with
 * 0xff, replaces the whole file. Whatever the loader would use must be what
 * the images give: an entry that verifies equals the good cache's entry, and
 * a cache that opens without a rebuild has the good header. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/loader_internal.h"
#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_synth.h"

static char dir[64], cpath[128];
static lf_dataset *ds;
static lf_loader_opts lo;
static size_t idx[3], n, xs;
static unsigned char *good;
static size_t good_len;

static void init(void) {
  snprintf(dir, sizeof dir, "/tmp/lf-fuzz-cache.XXXXXX");
  if (!mkdtemp(dir)) abort();
  lf_synth_opts so;
  lf_synth_opts_default(&so);
  so.n = 3, so.size = 32, so.threads = 1;
  if (lf_synth_chestxray14(dir, &so) != LF_OK || lf_dataset_open(LF_TASK_CHESTXRAY14, dir, 0, &ds) != LF_OK) abort();
  n = ds->n < 3 ? ds->n : 3;
  for (size_t i = 0; i < n; i++) idx[i] = i;
  lf_loader_opts_default(&lo, LF_TASK_CHESTXRAY14);
  lo.height = lo.width = 8, lo.channels = 1, lo.threads = 1;
  xs = (size_t)lo.height * lo.width * lo.channels;
  snprintf(cpath, sizeof cpath, "%s/cache.bin", dir);
  lf_cache c;
  if (lf_cache_open(&c, cpath, ds, idx, n, &lo, 0, NULL) != LF_OK) abort();
  lf_cache_close(&c);
  FILE *f = fopen(cpath, "rb");
  if (!f) abort();
  fseek(f, 0, SEEK_END);
  good_len = (size_t)ftell(f);
  rewind(f);
  good = malloc(good_len);
  if (!good || fread(good, 1, good_len, f) != good_len) abort();
  fclose(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!ds) init();
  unsigned char *b = malloc(good_len + size + 1);
  if (!b) return 0;
  size_t len = good_len;
  if (size && data[0] == 0xff) {
    memcpy(b, data + 1, size - 1);
    len = size - 1;
  } else {
    memcpy(b, good, good_len);
    for (size_t p = 0; p + 5 <= size;) {
      size_t off = ((size_t)data[p] | (size_t)data[p + 1] << 8 | (size_t)data[p + 2] << 16) % good_len;
      size_t k = data[p + 3] % 16 + 1;
      p += 4;
      for (size_t i = 0; i < k && p < size; i++, p++) b[(off + i) % good_len] = data[p];
    }
  }
  FILE *f = fopen(cpath, "wb");
  if (!f) abort();
  if (len && fwrite(b, 1, len, f) != len) abort();
  fclose(f);
  free(b);
  lf_cache c;
  int rebuilt = 0;
  if (lf_cache_open(&c, cpath, ds, idx, n, &lo, 0, &rebuilt) == LF_OK) {
    const uint8_t *x0 = (const uint8_t *)c.x, *base = c.map;
    size_t xoff = (size_t)(x0 - base);
    for (size_t i = 0; i < n; i++) {
      if (c.flags[i]) continue;
      if (lf_cache_verify(&c, i, &ds->samples[idx[i]], xs, 0) == LF_OK &&
          memcmp(c.x + i * xs, good + xoff + i * xs, xs))
        abort(); /* a corrupted entry passed its checksum */
    }
    if (!rebuilt && memcmp(c.map, good, xoff - n - 8 * n)) abort(); /* header reused only when equal */
    lf_cache_close(&c);
  }
  return 0;
}
