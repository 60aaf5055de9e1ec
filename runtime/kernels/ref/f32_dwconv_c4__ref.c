/* Portable f32 depthwise microkernel (contract in lfrt_f32_conv.h). */
#include "lfrt_f32_conv.h"

void lfrt_f32_dwconv_c4__ref(const lfrt_f32_conv_tile *t) {
  for (size_t c = 0; c < t->kc; c++) {
    float acc = 0.0f;
    const float *xa = t->x + c, *wa = t->w + c;
    for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky)
      for (int b = 0; b < t->nkx; b++) acc += xa[b * t->x_kx] * wa[b * t->w_kx];
    if (t->bias) acc += t->bias[c];
    if (acc <= t->min) acc = t->min;
    if (acc > t->max) acc = t->max;
    t->y[c] = acc;
  }
}
