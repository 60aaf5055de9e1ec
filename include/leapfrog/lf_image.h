/* Image decoding, encoding, resizing, normalisation and augmentation.
 *
 * Pixels are 8-bit, interleaved HWC, row-major, no padding (NHWC with N=1):
 * data[(y * width + x) * channels + c].  Decoders return channels = 1 (grey)
 * or 3 (RGB): alpha is dropped (not composited), palette images are expanded,
 * 16-bit samples become 8-bit by taking the high byte (v >> 8, not clipping).
 * The format is found from the magic bytes (PNG, TIFF II/MM, JPEG FFD8FF,
 * DICOM "DICM" at 128 or a preamble-less dataset: see lf_dicom.h; its first
 * frame, 8-bit after the VOI transform), not the file name.  A corrupt, truncated or unsupported file gives
 * LF_EBADFILE / LF_EUNSUPPORTED with "path: reason"; never a crash or a print.
 */
#ifndef LF_IMAGE_H
#define LF_IMAGE_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_status.h"

typedef struct {
  int width, height; /* pixels */
  int channels;      /* 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (decoders give 1 or 3) */
  uint8_t *data;     /* malloc'd, width*height*channels bytes; lf_image_free */
} lf_image;

/* What the file holds, before conversion (for `leapfrog dataset`). */
typedef struct {
  char format[8];    /* "png", "tiff", "jpeg", "dicom" */
  int width, height;
  int channels;      /* in the file: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (palette: 3 or 4) */
  int bit_depth;     /* bits per sample in the file: 1,2,4,8,16 */
  char color[16];    /* "L", "LA", "RGB", "RGBA", "P", "I;16", "YCbCr", "CMYK" ... */
  int frames;        /* DICOM: Number of Frames (lf_dicom.h reads each); 0 for the others */
} lf_image_info;

void lf_image_free(lf_image *img);
/* Allocates img->data for w x h x c (zeroed). */
lf_status lf_image_alloc(lf_image *img, int width, int height, int channels);

/* Decode a file / a memory buffer (`name` is used in messages).  `info` may be NULL. */
lf_status lf_image_read(const char *path, lf_image *out, lf_image_info *info);
lf_status lf_image_decode(const void *data, size_t len, const char *name, lf_image *out,
                          lf_image_info *info);
/* The format of a file from its first bytes (at least LF_IMAGE_SNIFF_BYTES when
 * the file has them): "png", "tiff", "jpeg", "dicom", or NULL when no decoder knows it. */
#define LF_IMAGE_SNIFF_BYTES 132
const char *lf_image_sniff(const void *head, size_t len);
/* Header only (fast): fills info without decoding pixels. */
lf_status lf_image_probe(const char *path, lf_image_info *info);
/* The same from bytes in memory (`name` in messages): a server checks the
 * pixel count of an upload before decoding it. */
lf_status lf_image_probe_mem(const void *data, size_t len, const char *name, lf_image_info *info);

/* Converts in place to 1 (grey: ITU-R 601 luma, L = (R*299 + G*587 + B*114 + 500) / 1000,
 * PIL's convert("L") rule) or 3 channels (grey replicated). */
lf_status lf_image_convert(lf_image *img, int channels);

/* Encoders (written atomically).  PNG: 1,2,3,4 channels, 8-bit; level 0..9 zlib
 * compression.  TIFF: 1 or 3 channels, 8-bit, uncompressed, one strip per 16 rows. */
lf_status lf_image_write_png(const char *path, const lf_image *img, int level);
lf_status lf_image_write_tiff(const char *path, const lf_image *img);

/* ---- resizing (8-bit HWC in -> float HWC out, values in the source range 0..255) ----
 * LF_RESIZE_AREA: exact area averaging: output pixel (ox,oy) averages the source
 *   over [ox*sx, (ox+1)*sx) x [oy*sy, (oy+1)*sy), sx = in_w/out_w, with fractional
 *   coverage weights at the borders (for integer factors equal to PIL's BOX filter).
 *   When enlarging along an axis it falls back to bilinear along that axis.
 * LF_RESIZE_BILINEAR: half-pixel centres (align_corners = false): source
 *   coordinate x = (ox + 0.5) * sx - 0.5, clamped to the edge; no antialiasing
 *   (= torch.nn.functional.interpolate(mode="bilinear", align_corners=False)).
 * LF_RESIZE_NEAREST: source x = floor((ox + 0.5) * sx) (for masks). */
typedef enum { LF_RESIZE_AREA = 0, LF_RESIZE_BILINEAR, LF_RESIZE_NEAREST } lf_resize_mode;
lf_status lf_resize(const uint8_t *src, int in_w, int in_h, int channels, float *dst, int out_w,
                    int out_h, lf_resize_mode mode);

/* A decoded image (any size, 1 or 3 channels) -> xu8, W x H x C 8-bit HWC, as
 * training's loader prepares it: RGB -> grey by lf_image_convert when C = 1,
 * resized with `mode` (rounded to 8 bits), grey replicated when C = 3. */
lf_status lf_image_to_input_u8(const lf_image *im, int W, int H, int C, lf_resize_mode mode, uint8_t *xu8);

/* ---- normalisation (float HWC in place) ----
 * LF_NORM_UNIT: v / 255 (the paper).  LF_NORM_IMAGENET: (v/255 - mean) / std with
 * mean (0.485,0.456,0.406), std (0.229,0.224,0.225) (grey: channel 0's values).
 * LF_NORM_ZSCORE: (v/255 - mean[c]) / std[c] with the dataset's statistics (see
 * lf_loader_zscore).  LF_NORM_NONE: leaves 0..255. */
typedef enum { LF_NORM_UNIT = 0, LF_NORM_IMAGENET, LF_NORM_ZSCORE, LF_NORM_NONE } lf_norm;
/* The per-channel mean and std (of pixel/255) that lf_normalize applies for
 * LF_NORM_IMAGENET (ImageNet's; channels past 2 use channel 2's) or
 * LF_NORM_UNIT (0 and 1): one place for the constants (the converter records
 * them in a model's metadata). */
void lf_norm_values(lf_norm norm, int channels, float *mean, float *std);
void lf_normalize(float *x, size_t pixels, int channels, lf_norm norm, const float mean[3],
                  const float std[3]);

/* ---- seeded augmentation ----
 * One random affine (flip, rotation, shift, zoom) drawn from `seed` and applied to
 * the image (bilinear, edge pixels replicated) and identically to the mask
 * (nearest, outside = 0); then brightness/contrast on the image only:
 * v' = (v - 0.5) * contrast + 0.5 + brightness on /255-scaled values, i.e. the
 * image must be in 0..255 (apply before lf_normalize).  Zero fields disable a part. */
typedef struct {
  float hflip_prob;   /* probability of a horizontal flip, e.g. 0.5 */
  float max_rot_deg;  /* rotation uniform in [-max, max] degrees, e.g. 7 */
  float max_shift;    /* shift uniform in [-max, max] x size, e.g. 0.05 */
  float max_zoom;     /* scale uniform in [1-max, 1+max], e.g. 0.1 */
  float max_brightness; /* additive, uniform in [-max, max] (fraction of 255), e.g. 0.1 */
  float max_contrast;   /* factor uniform in [1-max, 1+max], e.g. 0.1 */
} lf_augment_opts;
/* img: float HWC 0..255 (w x h x channels); mask: float HW (1 channel) or NULL. */
lf_status lf_augment(float *img, float *mask, int w, int h, int channels,
                     const lf_augment_opts *opts, uint64_t seed);

/* Small deterministic RNG (splitmix64) shared by shuffling, splits, augmentation, synth. */
uint64_t lf_sm64_next(uint64_t *state);
double lf_sm64_uniform(uint64_t *state); /* [0, 1) */
uint64_t lf_sm64_mix(uint64_t a, uint64_t b); /* hash two words: per-sample seeds */

#endif
