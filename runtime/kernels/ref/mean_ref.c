/* MEAN reference (int8 and float) over any set of axes. */
#include "lfrt_kernels.h"
#include "lfrt_quant.h"

/* Flat input offset of the j-th reduced element of output element i. */
static size_t in_offset(const lfrt_mean_params *p, int i, int j) {
  size_t off = 0, stride = 1;
  for (int d = p->ndim - 1; d >= 0; d--) {
    int coord;
    if (p->reduce[d]) {
      coord = j % p->shape[d];
      j /= p->shape[d];
    } else {
      coord = i % p->shape[d];
      i /= p->shape[d];
    }
    off += (size_t)coord * stride;
    stride *= (size_t)p->shape[d];
  }
  return off;
}

void lfrt_qs8_mean__ref(const lfrt_mean_params *p, const int8_t *in, int8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    int64_t acc = 0;
    for (int j = 0; j < p->n; j++) acc += in[in_offset(p, i, j)];
    lfrt_sf t = lfrt_sf_mul(lfrt_sf_from_int(acc), p->scale);
    int32_t v = lfrt_sf_to_int_rne(lfrt_sf_add(t, p->zp));
    out[i] = (int8_t)lfrt_clamp_i32(v, -128, 127);
  }
}

void lfrt_f32_mean__ref(const lfrt_mean_params *p, const float *in, float *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    float acc = 0.0f;
    for (int j = 0; j < p->n; j++) acc += in[in_offset(p, i, j)];
    out[i] = p->n > 0 ? acc / (float)p->n : 0.0f;
  }
}
