/* xoshiro256** (Blackman & Vigna) seeded by splitmix64. */
#include "leapfrog/lf_rng.h"

#include <math.h>

uint64_t lf_splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void lf_rng_seed(lf_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++) r->s[i] = lf_splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t lf_rng_u64(lf_rng *r) {
  uint64_t *s = r->s;
  uint64_t res = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return res;
}

float lf_rng_uniform(lf_rng *r) { return (float)(lf_rng_u64(r) >> 40) * (1.0f / 16777216.0f); }

float lf_rng_range(lf_rng *r, float lo, float hi) { return lo + (hi - lo) * lf_rng_uniform(r); }

float lf_rng_normal(lf_rng *r) {
  double u1 = ((double)(lf_rng_u64(r) >> 11) + 1.0) * (1.0 / 9007199254740993.0); /* (0,1] */
  double u2 = (double)(lf_rng_u64(r) >> 11) * (1.0 / 9007199254740992.0);
  return (float)(sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2));
}

uint64_t lf_rng_below(lf_rng *r, uint64_t n) {
  if (n <= 1) return 0;
  uint64_t lim = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do x = lf_rng_u64(r);
  while (x >= lim);
  return x % n;
}

void lf_rng_shuffle(lf_rng *r, int *idx, size_t n) {
  for (size_t i = n; i > 1; i--) {
    size_t j = (size_t)lf_rng_below(r, i);
    int t = idx[i - 1];
    idx[i - 1] = idx[j];
    idx[j] = t;
  }
}

float lf_hash_uniform(uint64_t key, uint64_t i) {
  uint64_t x = key ^ (i * 0xd1b54a32d192ed03ULL);
  return (float)(lf_splitmix64(&x) >> 40) * (1.0f / 16777216.0f);
}
