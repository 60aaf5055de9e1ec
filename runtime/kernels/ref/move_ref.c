/* Data movement of the shape ops (TRANSPOSE, SLICE, STRIDED_SLICE, SPLIT,
 * SPLIT_V, PACK, UNPACK, DEPTH_TO_SPACE, SPACE_TO_DEPTH; GATHER): byte copies,
 * so every element type gives LiteRT's bytes. */
#include <string.h>

#include "lfrt_kernels.h"

void lfrt_xx_move__ref(const lfrt_move_params *p, const void *in, void *out, int begin, int end) {
  const unsigned char *src = in;
  unsigned char *dst = out;
  const int last = p->ndim - 1, es = p->elem;
  const int32_t n = p->count[last];
  const int64_t ss = p->src_stride[last], ds = p->dst_stride[last];
  if (end > p->rows) end = p->rows;
  for (int r = begin; r < end; r++) {
    /* the row's index in every dim but the last, from the innermost out */
    int64_t so = p->src_offset, dof = p->dst_offset;
    int rem = r;
    for (int d = last - 1; d >= 0; d--) {
      int i = rem % p->count[d];
      rem /= p->count[d];
      so += (int64_t)i * p->src_stride[d];
      dof += (int64_t)i * p->dst_stride[d];
    }
    if (ss == 1 && ds == 1) {
      memcpy(dst + dof * es, src + so * es, (size_t)n * (size_t)es);
    } else if (es == 4) {
      for (int32_t i = 0; i < n; i++) memcpy(dst + (dof + i * ds) * 4, src + (so + i * ss) * 4, 4);
    } else if (es == 1) {
      for (int32_t i = 0; i < n; i++) dst[dof + i * ds] = src[so + i * ss];
    } else {
      for (int32_t i = 0; i < n; i++) memcpy(dst + (dof + i * ds) * es, src + (so + i * ss) * es, (size_t)es);
    }
  }
}

void lfrt_xx_gather__ref(const lfrt_gather_params *p, const void *in, const void *idx, void *out, int begin, int end) {
  const unsigned char *src = in;
  unsigned char *dst = out;
  const size_t inner = p->inner_bytes;
  for (int u = begin; u < end; u++) {
    int b = u / p->outer;
    for (int i = 0; i < p->nidx; i++) {
      size_t k = (size_t)b * (size_t)p->nidx + (size_t)i;
      int64_t j = p->idx64 ? ((const int64_t *)idx)[k] : ((const int32_t *)idx)[k];
      unsigned char *o = dst + ((size_t)u * (size_t)p->nidx + (size_t)i) * inner;
      if (j < 0 || j >= p->axis_size) memset(o, 0, inner);
      else memcpy(o, src + ((size_t)u * (size_t)p->axis_size + (size_t)j) * inner, inner);
    }
  }
}
