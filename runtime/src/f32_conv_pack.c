/* Weight packing of the f32 conv microkernels (layout in lfrt_f32_conv.h). */
#include <string.h>

#include "lfrt_f32_conv.h"

void lfrt_f32_conv_pack(int nr, int N, int K, const float *w, const float *bias, float *out) {
  size_t bf = lfrt_f32_conv_block_floats(nr, (size_t)K);
  for (int n0 = 0; n0 < N; n0 += nr) {
    float *blk = out + (size_t)(n0 / nr) * bf;
    memset(blk, 0, bf * sizeof *blk);
    int nc = N - n0 < nr ? N - n0 : nr;
    for (int n = 0; n < nc; n++) {
      if (bias) blk[n] = bias[n0 + n];
      const float *row = w + (size_t)(n0 + n) * K;
      for (int k = 0; k < K; k++) blk[nr + (size_t)k * nr + n] = row[k];
    }
  }
}
