/* Constant PAD, portable and row-wise: for each run of output elements along
 * the innermost dim, the part inside the input is one memcpy and the rest is
 * filled with the pad value, instead of the reference's per-element index
 * arithmetic (DenseNet's stem pads were 42% of an int8 invoke). Same bytes as
 * lfrt_xx_pad__ref for any [begin, end) of output elements. */
#include <string.h>

#include "lfrt_kernels.h"

static void fill(unsigned char *dst, const lfrt_pad_params *p, int n) {
  if (p->elem_size == 1) {
    memset(dst, (int)(p->value & 0xff), (size_t)n);
    return;
  }
  for (int i = 0; i < n; i++) memcpy(dst + (size_t)i * 4, &p->value, 4);
}

void lfrt_xx_pad_rows__scalar(const lfrt_pad_params *p, const void *in, void *out, int begin, int end) {
  size_t es = (size_t)p->elem_size;
  int nd = p->ndim, W = p->out_shape[nd - 1], b = p->before[nd - 1], iw = p->in_shape[nd - 1];
  for (int i = begin; i < end;) {
    /* coordinates of i in the outer dims, and whether that input row exists */
    int rest = i / W, x = i % W, inside = 1;
    size_t off = 0, stride = (size_t)iw;
    for (int d = nd - 2; d >= 0; d--) {
      int c = rest % p->out_shape[d] - p->before[d];
      rest /= p->out_shape[d];
      if (c < 0 || c >= p->in_shape[d]) inside = 0;
      off += (size_t)c * stride;
      stride *= (size_t)p->in_shape[d];
    }
    int n = W - x < end - i ? W - x : end - i; /* elements of this output row in range */
    unsigned char *dst = (unsigned char *)out + (size_t)i * es;
    if (!inside) {
      fill(dst, p, n);
    } else {
      int x0 = x, x1 = x + n;                        /* output columns [x0, x1) */
      int c0 = x0 > b ? x0 : b, c1 = x1 < b + iw ? x1 : b + iw; /* the copied part */
      if (c1 <= c0) {
        fill(dst, p, n);
      } else {
        fill(dst, p, c0 - x0);
        memcpy(dst + (size_t)(c0 - x0) * es, (const unsigned char *)in + (off + (size_t)(c0 - b)) * es,
               (size_t)(c1 - c0) * es);
        fill(dst + (size_t)(c1 - x0) * es, p, x1 - c1);
      }
    }
    i += n;
  }
}
