/* CONCATENATION and PAD reference (byte-level, any element type). */
#include <string.h>

#include "lfrt_kernels.h"

void lfrt_x8_concat__ref(const lfrt_concat_params *p, const void *const *in, void *out, int begin, int end) {
  for (int o = begin; o < end; o++) {
    unsigned char *dst = (unsigned char *)out + (size_t)o * p->out_inner_bytes;
    for (int i = 0; i < p->n_in; i++) {
      size_t n = p->inner_bytes[i];
      const unsigned char *src = (const unsigned char *)in[i] + (size_t)o * n;
      const uint8_t *t = p->lut ? p->lut[i] : NULL; /* pose / uint8: requantizing table */
      if (t)
        for (size_t j = 0; j < n; j++) dst[j] = t[src[j]];
      else
        memcpy(dst, src, n);
      dst += n;
    }
  }
}

void lfrt_xx_pad__ref(const lfrt_pad_params *p, const void *in, void *out, int begin, int end) {
  size_t es = (size_t)p->elem_size;
  for (int i = begin; i < end; i++) {
    int rest = i, inside = 1;
    size_t off = 0, stride = 1;
    for (int d = p->ndim - 1; d >= 0; d--) {
      int c = rest % p->out_shape[d] - p->before[d];
      rest /= p->out_shape[d];
      if (c < 0 || c >= p->in_shape[d]) inside = 0;
      off += (size_t)c * stride;
      stride *= (size_t)p->in_shape[d];
    }
    unsigned char *dst = (unsigned char *)out + (size_t)i * es;
    if (inside) {
      memcpy(dst, (const unsigned char *)in + off * es, es);
    } else if (es == 1) {
      *dst = (unsigned char)(p->value & 0xff);
    } else {
      memcpy(dst, &p->value, 4); /* value holds the float/int32 bit pattern */
    }
  }
}
