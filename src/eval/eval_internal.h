/* Internal helpers shared by the files of src/eval (not a public header). */
#ifndef LF_EVAL_INTERNAL_H
#define LF_EVAL_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_status.h"

/* Cases grouped by distinct score, groups in DECREASING score order. */
typedef struct {
  size_t n_groups;
  double *score;      /* [n_groups] the distinct scores, decreasing */
  uint64_t *pos, *neg;/* [n_groups] positives / negatives with that score */
  uint32_t *group_of; /* [n] group index of each case (NULL unless asked) */
  uint64_t n_pos, n_neg;
} lf_score_groups;

/* Validates (finite scores, labels 0/1, n < 2^31) and groups. `what` names the
 * caller in error messages. */
lf_status lf_score_groups_build(const double *scores, const uint8_t *labels, size_t n, int want_group_of,
                                const char *what, lf_score_groups *g);
void lf_score_groups_free(lf_score_groups *g);

/* 2 * Mann-Whitney U from per-group weighted counts (exact). */
uint64_t lf_twice_u(size_t n_groups, const uint64_t *pos, const uint64_t *neg, uint64_t n_neg);

/* Deterministic 64-bit generator (splitmix64): same stream on every platform. */
static inline uint64_t lf_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
/* Uniform integer in [0, n), n > 0, without bias (Lemire's multiply-shift
 * with rejection: no division on the common path). */
static inline uint64_t lf_rand_below(uint64_t *state, uint64_t n) {
  unsigned __int128 m = (unsigned __int128)lf_splitmix64(state) * n;
  uint64_t low = (uint64_t)m;
  if (low < n) {
    uint64_t t = (0 - n) % n;
    while (low < t) {
      m = (unsigned __int128)lf_splitmix64(state) * n;
      low = (uint64_t)m;
    }
  }
  return (uint64_t)(m >> 64);
}

#endif
