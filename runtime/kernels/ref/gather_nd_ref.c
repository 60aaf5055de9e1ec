/* GATHER_ND (movenet): slice copies (lfrt_kernels.h). Positions are checked
 * before the call (lfrt_gather_nd_check); the kernel never reads outside params. */
#include <string.h>

#include "lfrt_kernels.h"

int64_t lfrt_gather_nd_pos(const lfrt_gather_nd_params *p, const void *idx, int k) {
  int64_t pos = 0;
  for (int j = 0; j < p->index_nd; j++) {
    size_t at = (size_t)k * (size_t)p->index_nd + (size_t)j;
    int64_t v = p->idx64 ? ((const int64_t *)idx)[at] : ((const int32_t *)idx)[at];
    if (v < 0 || v >= p->dim[j]) return -1;
    pos += v * p->stride[j];
  }
  return pos;
}

void lfrt_xx_gather_nd__ref(const lfrt_gather_nd_params *p, const void *in, const void *idx, void *out, int begin,
                            int end) {
  size_t bytes = (size_t)p->slice * p->elem;
  for (int k = begin; k < end; k++) {
    int64_t pos = lfrt_gather_nd_pos(p, idx, k);
    unsigned char *dst = (unsigned char *)out + (size_t)k * bytes;
    if (pos < 0) memset(dst, 0, bytes);
    else memcpy(dst, (const unsigned char *)in + (size_t)pos * p->elem, bytes);
  }
}
