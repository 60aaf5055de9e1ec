/* Packs int8 weights for the qs8 GEMM microkernels (layout in lfrt_gemm.h). */
#include <string.h>

#include "lfrt_gemm.h"

void lfrt_qs8_gemm_pack(int nr, int N, int K, const int8_t *w, const int32_t *bias, int32_t in_zp,
                        const float *scale, void *out) {
  size_t kc = ((size_t)K + 3) & ~(size_t)3;
  unsigned char *blk = out;
  for (int n0 = 0; n0 < N; n0 += nr) {
    int32_t *b = (int32_t *)(void *)blk; /* blocks are 4-byte aligned: nr*8 + kc*nr, kc % 4 == 0 */
    float *s = (float *)(void *)(blk + 4 * (size_t)nr);
    int8_t *wk = (int8_t *)(blk + 8 * (size_t)nr);
    memset(blk, 0, lfrt_qs8_gemm_block_bytes(nr, kc));
    for (int j = 0; j < nr && n0 + j < N; j++) {
      int n = n0 + j;
      const int8_t *row = w + (size_t)n * K;
      uint32_t sum = 0;
      for (int k = 0; k < K; k++) {
        sum += (uint32_t)(int32_t)row[k];
        wk[(size_t)(k / 4) * nr * 4 + (size_t)j * 4 + k % 4] = row[k];
      }
      /* the uint8 input is x + 128, and (x - in_zp) = (x + 128) - (128 + in_zp) */
      b[j] = (int32_t)((bias ? (uint32_t)bias[n] : 0u) - (uint32_t)(128 + in_zp) * sum);
      s[j] = scale[n];
    }
    blk += lfrt_qs8_gemm_block_bytes(nr, kc);
  }
}
