/* A decoded image -> the model's input size in 8 bits: the one preprocessing
 * step shared by training's loader and predict on any image, so both see the
 * same pixels. */
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_image.h"

static lf_status resize_u8(const uint8_t *src, int w, int h, int c, uint8_t *dst, int ow, int oh,
                           lf_resize_mode mode) {
  size_t n = (size_t)ow * oh * c;
  float *t = malloc(n * sizeof(float));
  if (!t) return lf_error(LF_ENOMEM, "resize: out of memory");
  lf_status s = lf_resize(src, w, h, c, t, ow, oh, mode);
  if (!s)
    for (size_t i = 0; i < n; i++) {
      float v = t[i] + 0.5f;
      dst[i] = (uint8_t)(v < 0 ? 0 : v >= 255 ? 255 : v);
    }
  free(t);
  return s;
}

lf_status lf_image_to_input_u8(const lf_image *im, int W, int H, int C, lf_resize_mode mode, uint8_t *xu8) {
  if (!im || !im->data || im->width < 1 || im->height < 1 || (C != 1 && C != 3))
    return lf_error(LF_EINVAL, "image to input: no image or channels %d (want 1 or 3)", C);
  int rc = (C == 1 || im->channels == 1) ? 1 : 3; /* grey is resized once, then replicated */
  lf_image conv = {0};
  const lf_image *src = im;
  lf_status st;
  if (im->channels != rc) {
    size_t n = (size_t)im->width * im->height * im->channels;
    if ((st = lf_image_alloc(&conv, im->width, im->height, im->channels))) return st;
    memcpy(conv.data, im->data, n);
    if ((st = lf_image_convert(&conv, rc))) goto out;
    src = &conv;
  }
  if ((st = resize_u8(src->data, src->width, src->height, rc, xu8, W, H, mode))) goto out;
  if (rc == 1 && C == 3)
    for (size_t i = (size_t)W * H; i-- > 0;) xu8[3 * i] = xu8[3 * i + 1] = xu8[3 * i + 2] = xu8[i];
out:
  lf_image_free(&conv);
  return st;
}
