/* libFuzzer target: PNG / TIFF / JPEG decoders (lf_image_decode) and the resizer on
 * whatever decodes. */
#include <stdint.h>
#include <stdlib.h>

#include "leapfrog/lf_image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_image im;
  lf_image_info info;
  if (lf_image_decode(data, size, "fuzz.img", &im, &info) == LF_OK) {
    if (im.width <= 0 || im.height <= 0 || (im.channels != 1 && im.channels != 3) || !im.data) abort();
    volatile unsigned sum = 0; /* touch every byte: ASan checks the size */
    for (size_t i = 0; i < (size_t)im.width * im.height * im.channels; i++) sum += im.data[i];
    float out[8 * 6 * 3];
    if (lf_resize(im.data, im.width, im.height, im.channels, out, 8, 6, LF_RESIZE_AREA)) abort();
    lf_image_free(&im);
  } else if (im.data) {
    abort();
  }
  return 0;
}
