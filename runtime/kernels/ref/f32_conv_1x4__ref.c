/* Portable f32 conv microkernel (contract in lfrt_f32_conv.h): NR = 4, any mr.
 * The tester runs every driver path through it on every architecture. */
#include "lfrt_f32_conv.h"

void lfrt_f32_conv_1x4__ref(const lfrt_f32_conv_tile *t) {
  for (int i = 0; i < t->mr; i++) {
    float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const float *xa = t->x + i * t->x_pix, *wa = t->w;
    for (int a = 0; a < t->nky; a++, xa += t->x_ky, wa += t->w_ky) {
      const float *xb = xa, *wb = wa;
      for (int b = 0; b < t->nkx; b++, xb += t->x_kx, wb += t->w_kx)
        for (size_t k = 0; k < t->kc; k++)
          for (int n = 0; n < 4; n++) acc[n] += xb[k] * wb[k * 4 + n];
    }
    for (int n = t->c0; n < t->c1; n++) {
      float v = acc[n];
      if (t->bias) v += t->bias[n];
      if (v <= t->min) v = t->min;
      if (v > t->max) v = t->max;
      t->y[i * t->y_pix + n] = v;
    }
  }
}
