/* libFuzzer target: DICOM through DCMTK (lf_dicom_open / lf_dicom_frame, each
 * VOI choice) and lf_image_decode's DICOM sniffing. Only leapfrog's side is
 * instrumented for coverage (Debian's DCMTK is not), but ASan still checks
 * every byte leapfrog reads from DCMTK's buffers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_dicom.h"
#include "leapfrog/lf_image.h"

static void touch(const lf_image *im) {
  volatile unsigned sum = 0; /* ASan checks the size */
  for (size_t i = 0; i < (size_t)im->width * im->height * im->channels; i++) sum += im->data[i];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_dicom_opts o;
  memset(&o, 0, sizeof o);
  o.voi = (lf_dicom_voi)(size % 4); /* file, window, minmax, full */
  o.center = 100;
  o.width = 1 + (double)(size % 7);
  lf_dicom *d;
  if (lf_dicom_open(data, size, "fuzz.dcm", &o, &d) == LF_OK) {
    const lf_dicom_info *in = lf_dicom_get_info(d);
    if (in->frames < 1 || in->rows < 1 || in->cols < 1) abort();
    for (int f = 0; f < in->frames && f < 3; f++) {
      lf_image im;
      if (lf_dicom_frame(d, f, &im) == LF_OK) {
        if (im.width != in->cols || im.height != in->rows || im.channels != in->samples) abort();
        touch(&im);
        lf_image_free(&im);
      } else if (im.data) {
        abort();
      }
    }
    lf_dicom_close(d);
  }
  lf_image im;
  if (lf_image_decode(data, size, "fuzz.dcm", &im, NULL) == LF_OK) {
    touch(&im);
    lf_image_free(&im);
  } else if (im.data) {
    abort();
  }
  return 0;
}
