/* Private to src/data: drawing helpers and a thread fan-out for the generators. */
#ifndef LF_DATA_SYNTH_UTIL_H
#define LF_DATA_SYNTH_UTIL_H
#include <math.h>
#include <stdint.h>

#include "leapfrog/lf_image.h"
#include "leapfrog/lf_status.h"

/* Per-pixel noise in [0, 1) from a hash of (seed, x, y). */
static inline float synth_noise(uint64_t seed, int x, int y) {
  uint64_t z = seed ^ ((uint64_t)(uint32_t)x << 32 | (uint32_t)y);
  z = (z ^ (z >> 33)) * 0xff51afd7ed558ccdull;
  z = (z ^ (z >> 33)) * 0xc4ceb9fe1a85ec53ull;
  z ^= z >> 33;
  return (float)(z >> 40) * (1.0f / 16777216.0f);
}

/* Runs fn(i, arg) for i in [0, n) on `threads` pthreads (interleaved); returns the
 * first failure. */
lf_status lf_synth_parallel(int n, int threads, lf_status (*fn)(int i, void *arg), void *arg);

/* Adds amp * profile(d) inside an ellipse centred (cx, cy) with radii (rx, ry), rotated by
 * ang radians; d = normalised radius in [0, 1]; soft edge of relative width `soft`
 * (0 = hard).  f: float canvas w x h. */
void lf_synth_blob(float *f, int w, int h, float cx, float cy, float rx, float ry, float ang,
                   float amp, float soft);
#endif
