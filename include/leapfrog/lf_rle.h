/* Kaggle run-length encoding of binary masks (ultrasound nerve challenge):
 * "start length start length ..." with 1-based starts in column-major order
 * (top to bottom, then left to right: pixel (x, y) of a W x H image has number
 * x * H + y + 1).  Runs are sorted, non-overlapping; "" is an empty mask. */
#ifndef LF_RLE_H
#define LF_RLE_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_status.h"

/* mask: row-major H x W bytes, nonzero = set.  *out: malloc'd NUL-terminated string. */
lf_status lf_rle_encode(const uint8_t *mask, int width, int height, char **out);
/* Writes 0/1 into mask (row-major H x W).  Rejects bad numbers, runs past the end,
 * overlapping or unsorted runs, an odd count, with LF_EBADFILE naming `name`. */
lf_status lf_rle_decode(const char *rle, int width, int height, uint8_t *mask, const char *name);

#endif
