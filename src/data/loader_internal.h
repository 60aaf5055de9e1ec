/* Private to src/data: the per-sample pipeline shared by loader.c and loader_cache.c. */
#ifndef LF_DATA_LOADER_INTERNAL_H
#define LF_DATA_LOADER_INTERNAL_H
#include "leapfrog/lf_loader.h"

/* decode + resize to 8-bit: xu8 H*W*C, mu8 H*W 0/1 (NULL: no mask). */
lf_status lf_loader_prep_u8(const lf_dataset *ds, const lf_sample *s, const lf_loader_opts *o,
                            uint8_t *xu8, uint8_t *mu8);
/* 8-bit -> float x (augmented when `augment`, normalised) and y (labels or mask). */
lf_status lf_loader_finish(const lf_dataset *ds, const lf_sample *s, const lf_loader_opts *o,
                           const uint8_t *xu8, const uint8_t *mu8, int augment, uint64_t aug_seed,
                           float *x, float *y);

/* Cache of the 8-bit images/masks of samples idx[0..n) (see lf_loader.h). */
typedef struct {
  void *map;
  size_t map_len;
  const uint8_t *flags; /* n: 0 ok, 1 unreadable */
  const uint8_t *sums;  /* n x 8 bytes: checksum of each entry's image + mask bytes */
  const uint8_t *x, *m; /* n*H*W*C, n*H*W (m NULL without masks) */
  char *path;
} lf_cache;
lf_status lf_cache_open(lf_cache *c, const char *path, const lf_dataset *ds, const size_t *idx,
                        size_t n, const lf_loader_opts *o, int with_mask, int *rebuilt);
void lf_cache_close(lf_cache *c);
/* LF_EBADFILE naming the cache and the image when entry `pos` (xs image bytes, ms
 * mask bytes) does not match its checksum. */
lf_status lf_cache_verify(const lf_cache *c, size_t pos, const lf_sample *s, size_t xs, size_t ms);
#endif
