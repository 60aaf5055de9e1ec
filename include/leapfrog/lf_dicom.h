/* DICOM images in, 8-bit lf_image out (through DCMTK, Debian's libdcmtk-dev).
 *
 * One image per frame.  Supported: MONOCHROME1, MONOCHROME2 (1 channel out),
 * RGB, YBR_FULL and, after JPEG decompression, YBR_FULL_422 (3 channels out,
 * 8 bits); 1..16 bits stored in 8- or 16-bit words, unsigned or signed; the
 * transfer syntaxes DCMTK decodes: native (implicit/explicit little, explicit
 * big endian), JPEG baseline/extended/lossless, JPEG-LS and RLE.
 *
 * Grey values, per pixel (x = stored value * Rescale Slope + Rescale Intercept,
 * in double precision; round(v) = floor(v + 0.5), results clipped to 0..255):
 *   1. the VOI transform, chosen by lf_dicom_opts.voi:
 *      LF_DICOM_VOI_FILE (default): the file's first VOI LUT (VOI LUT Sequence,
 *        item 1; as pydicom's apply_voi_lut), else its first Window Center/Width
 *        (with its VOI LUT Function: LINEAR, LINEAR_EXACT or SIGMOID), else FULL.
 *      LF_DICOM_VOI_WINDOW: opts.center / opts.width with the LINEAR function.
 *      LF_DICOM_VOI_MINMAX: the frame's smallest and largest x map to 0 and 255.
 *      LF_DICOM_VOI_FULL: the whole range the stored bits can hold (through the
 *        rescale) maps to 0..255: 8-bit unsigned data is kept as it is, so a
 *        DICOM made from an 8-bit PNG decodes to the PNG's bytes, and every frame
 *        of a file gets the same mapping (a 16-bit PNG is also taken whole: v>>8).
 *      LINEAR (DICOM PS3.3 C.11.2.1.2.1), c = center, w = width >= 1:
 *        x <= c - 0.5 - (w-1)/2 -> 0;  x > c - 0.5 + (w-1)/2 -> 255;
 *        else round(((x - (c - 0.5)) / (w - 1) + 0.5) * 255)
 *      LINEAR_EXACT: x <= c - w/2 -> 0; x > c + w/2 -> 255; else round(((x - c) / w + 0.5) * 255)
 *      SIGMOID: round(255 / (1 + exp(-4 * (x - c) / w)))
 *      MINMAX / FULL with range lo..hi: round((x - lo) / (hi - lo) * 255) (0 when hi == lo)
 *      VOI LUT: entry LUT[clip(floor(x) - first_mapped, 0, entries-1)], scaled
 *        round(entry * 255 / (2^bits_per_entry - 1)).
 *   2. MONOCHROME1 is inverted last (255 - v), so bright is always dense.
 * Colour frames are taken as they are (no VOI).
 *
 * Never read: patient name, ID or any other patient attribute; the only text
 * taken from the file is the SOP Instance UID (digits and dots only).
 * Hostile files: the header is checked before any pixel is decoded (rows x
 * columns <= 2^25, frames <= 65536, native pixel data at least as long as the
 * frames need, encapsulated data with a fragment per frame); errors say
 * "name: problem" (LF_EBADFILE / LF_EUNSUPPORTED); DCMTK's own log is silenced.
 */
#ifndef LF_DICOM_H
#define LF_DICOM_H
#include <stddef.h>

#include "leapfrog/lf_image.h"
#include "leapfrog/lf_status.h"

typedef enum {
  LF_DICOM_VOI_FILE = 0, /* the file's VOI LUT, else its first window, else FULL */
  LF_DICOM_VOI_WINDOW,   /* center/width below (LINEAR) */
  LF_DICOM_VOI_MINMAX,   /* per frame min..max */
  LF_DICOM_VOI_FULL,     /* the range of the stored bits */
} lf_dicom_voi;

typedef struct {
  lf_dicom_voi voi;
  double center, width; /* LF_DICOM_VOI_WINDOW only; width >= 1 */
} lf_dicom_opts;

typedef struct {
  int rows, cols, frames;  /* frames: Number of Frames (1 when absent) */
  int samples;             /* 1 grey, 3 colour */
  int bits_allocated, bits_stored, pixel_signed;
  char photometric[20];    /* e.g. "MONOCHROME2" */
  char transfer_syntax[68]; /* UID of the file's transfer syntax */
  double pixel_spacing[2]; /* mm between rows, between columns (Pixel Spacing, else Imager
                            * Pixel Spacing); 0, 0 when absent */
  char sop_instance_uid[68]; /* "" when absent or not a UID */
  double rescale_slope, rescale_intercept;
  char voi_used[16];       /* "lut", "window", "window-exact", "sigmoid", "minmax", "full",
                            * "none" (colour) */
  double center, width;    /* the window applied (window kinds only) */
} lf_dicom_info;

/* True when `data` looks like DICOM: "DICM" at offset 128 (Part 10 file), or a
 * preamble-less dataset starting with a group 0x0002/0x0008 element whose VR
 * (explicit) or length (implicit) is plausible.  Cheap; no DCMTK needed. */
int lf_dicom_sniff(const void *data, size_t len);

/* Opens a DICOM file held in memory (copied: `data` may be freed after). Checks
 * the header (see above); decodes no pixels.  `opts` may be NULL (defaults). */
typedef struct lf_dicom lf_dicom;
lf_status lf_dicom_open(const void *data, size_t len, const char *name, const lf_dicom_opts *opts,
                        lf_dicom **out);
const lf_dicom_info *lf_dicom_get_info(const lf_dicom *d);
/* Decodes frame `frame` (0-based, < frames) into an 8-bit image. Frames read in
 * order are cheapest (the compressed stream is walked once). */
lf_status lf_dicom_frame(lf_dicom *d, int frame, lf_image *out);
void lf_dicom_close(lf_dicom *d);

/* One call: read `path`, decode frame `frame`; `info` may be NULL. */
lf_status lf_dicom_read(const char *path, const lf_dicom_opts *opts, int frame, lf_image *out,
                        lf_dicom_info *info);

/* The options lf_image_read / lf_image_decode use for DICOM files (the CLI's
 * --dicom-window).  Set once, before threads start; NULL restores the default. */
void lf_dicom_set_defaults(const lf_dicom_opts *opts);
void lf_dicom_get_defaults(lf_dicom_opts *opts);

/* Parses "C,W" (a window) or "file", "minmax", "full" into opts. */
lf_status lf_dicom_parse_voi(const char *text, lf_dicom_opts *opts);

#endif
