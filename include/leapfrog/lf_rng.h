/* Seeded random numbers: xoshiro256** seeded through splitmix64. The whole
 * state is four uint64 words, so a checkpoint saves and restores it exactly
 * (e.g. as 4 strings of 16 hex digits in safetensors __metadata__). */
#ifndef LF_RNG_H
#define LF_RNG_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint64_t s[4];
} lf_rng;

void lf_rng_seed(lf_rng *r, uint64_t seed);
uint64_t lf_rng_u64(lf_rng *r);
/* Uniform in [0, 1) with 24 random bits. */
float lf_rng_uniform(lf_rng *r);
/* Uniform in [lo, hi). */
float lf_rng_range(lf_rng *r, float lo, float hi);
/* Standard normal (Box-Muller, one value per call, no cached pair). */
float lf_rng_normal(lf_rng *r);
/* Uniform integer in [0, n) (n > 0), unbiased. */
uint64_t lf_rng_below(lf_rng *r, uint64_t n);
/* Fisher-Yates shuffle of idx[0..n). */
void lf_rng_shuffle(lf_rng *r, int *idx, size_t n);

/* Stateless counter-based uniform in [0,1): a pure function of (key, i), used
 * where values are drawn in parallel (dropout masks) so results do not depend
 * on the number of threads. */
float lf_hash_uniform(uint64_t key, uint64_t i);
uint64_t lf_splitmix64(uint64_t *x);

#endif
