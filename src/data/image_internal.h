/* Private to src/data: per-format decoders (probe_only: fill info, no pixels). */
#ifndef LF_DATA_IMAGE_INTERNAL_H
#define LF_DATA_IMAGE_INTERNAL_H
#include <stddef.h>

#include "leapfrog/lf_image.h"

/* Refuse images above this many pixels (a hostile header must not make us allocate GiBs). */
#define LF_IMAGE_MAX_PIXELS ((uint64_t)1 << 25) /* 33.5 Mpixel, e.g. 5792x5792 */

lf_status lf_png_decode(const unsigned char *d, size_t n, const char *name, lf_image *out,
                        lf_image_info *info, int probe_only);
lf_status lf_tiff_decode(const unsigned char *d, size_t n, const char *name, lf_image *out,
                         lf_image_info *info, int probe_only);
lf_status lf_jpeg_decode(const unsigned char *d, size_t n, const char *name, lf_image *out,
                         lf_image_info *info, int probe_only);
/* DICOM (image_dicom.cc through DCMTK; dicom_common.c without it): frame 1 with
 * lf_dicom_set_defaults' options; info->frames is the file's frame count. */
/* Checks every declared length in a DICOM file fits (dicom_scan.c) before DCMTK
 * allocates them; LF_EBADFILE naming the element otherwise. */
lf_status lf_dicom_scan(const unsigned char *d, size_t n, const char *name);
lf_status lf_dicom_image_decode(const unsigned char *d, size_t n, const char *name, lf_image *out,
                                lf_image_info *info, int probe_only);
#endif
