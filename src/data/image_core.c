/* Image buffers, format dispatch by magic bytes, channel conversion, RNG. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "data/image_internal.h"
#include "leapfrog/lf_dicom.h"
#include "leapfrog/lf_fileio.h"

void lf_image_free(lf_image *img) {
  if (!img) return;
  free(img->data);
  memset(img, 0, sizeof *img);
}

lf_status lf_image_alloc(lf_image *img, int width, int height, int channels) {
  memset(img, 0, sizeof *img);
  if (width <= 0 || height <= 0 || channels < 1 || channels > 4)
    return lf_error(LF_EINVAL, "image: bad size %dx%dx%d", width, height, channels);
  if ((uint64_t)width * (uint64_t)height > LF_IMAGE_MAX_PIXELS)
    return lf_error(LF_EUNSUPPORTED, "image: %dx%d is larger than allowed", width, height);
  size_t n = (size_t)width * (size_t)height * (size_t)channels;
  img->data = calloc(n, 1);
  if (!img->data) return lf_error(LF_ENOMEM, "image: cannot allocate %zu bytes", n);
  img->width = width;
  img->height = height;
  img->channels = channels;
  return LF_OK;
}

static int lf_magic(const unsigned char *d, size_t len) {
  if (len >= 8 && !memcmp(d, "\x89PNG\r\n\x1a\n", 8)) return 1;
  if (len >= 4 && (!memcmp(d, "II*\0", 4) || !memcmp(d, "MM\0*", 4))) return 2;
  if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) return 3;
  if (lf_dicom_sniff(d, len)) return 4;
  return 0;
}

const char *lf_image_sniff(const void *head, size_t len) {
  static const char *const names[] = {NULL, "png", "tiff", "jpeg", "dicom"}; /* by lf_magic */
  return head ? names[lf_magic(head, len)] : NULL;
}

lf_status lf_image_decode(const void *data, size_t len, const char *name, lf_image *out,
                          lf_image_info *info) {
  lf_image_info tmp;
  if (!info) info = &tmp;
  memset(info, 0, sizeof *info);
  memset(out, 0, sizeof *out);
  if (!name) name = "(memory)";
  if (!data && len) return lf_error(LF_EINVAL, "%s: no data", name);
  switch (lf_magic(data, len)) {
  case 1: return lf_png_decode(data, len, name, out, info, 0);
  case 2: return lf_tiff_decode(data, len, name, out, info, 0);
  case 3: return lf_jpeg_decode(data, len, name, out, info, 0);
  case 4: return lf_dicom_image_decode(data, len, name, out, info, 0);
  default:
    if (len == 0) return lf_error(LF_EBADFILE, "%s: empty file", name);
    return lf_error(LF_EUNSUPPORTED, "%s: not a PNG, TIFF, JPEG or DICOM file (unknown magic bytes)",
                    name);
  }
}

lf_status lf_image_read(const char *path, lf_image *out, lf_image_info *info) {
  unsigned char *d;
  size_t n;
  memset(out, 0, sizeof *out);
  lf_status s = lf_read_file(path, (size_t)1 << 30, &d, &n);
  if (s) return s;
  s = lf_image_decode(d, n, path, out, info);
  free(d);
  return s;
}

lf_status lf_image_probe(const char *path, lf_image_info *info) {
  unsigned char *d = NULL;
  size_t n = 0;
  memset(info, 0, sizeof *info);
  /* PNG keeps its header in the first bytes: read 4 KiB only; others: the whole file */
  int fd;
  uint64_t size;
  lf_status s = lf_open_regular(path, &fd, &size);
  if (s) return s;
  {
    unsigned char head[4096];
    size_t k = size < sizeof head ? (size_t)size : sizeof head;
    s = lf_read_fd(fd, head, k, path);
    close(fd);
    if (s) return s;
    if (lf_magic(head, k) == 1) {
      lf_image dummy;
      memset(&dummy, 0, sizeof dummy);
      return lf_png_decode(head, k, path, &dummy, info, 1);
    }
  }
  s = lf_read_file(path, (size_t)1 << 30, &d, &n);
  if (s) return s;
  lf_image dummy;
  memset(&dummy, 0, sizeof dummy);
  switch (lf_magic(d, n)) {
  case 1: s = lf_png_decode(d, n, path, &dummy, info, 1); break;
  case 2: s = lf_tiff_decode(d, n, path, &dummy, info, 1); break;
  case 3: s = lf_jpeg_decode(d, n, path, &dummy, info, 1); break;
  case 4: s = lf_dicom_image_decode(d, n, path, &dummy, info, 1); break;
  default:
    s = n ? lf_error(LF_EUNSUPPORTED, "%s: not a PNG, TIFF, JPEG or DICOM file (unknown magic bytes)", path)
          : lf_error(LF_EBADFILE, "%s: empty file", path);
  }
  free(d);
  lf_image_free(&dummy);
  return s;
}

lf_status lf_image_probe_mem(const void *data, size_t len, const char *name, lf_image_info *info) {
  lf_image dummy;
  memset(&dummy, 0, sizeof dummy);
  memset(info, 0, sizeof *info);
  if (!name) name = "(memory)";
  if (!data && len) return lf_error(LF_EINVAL, "%s: no data", name);
  lf_status s;
  switch (lf_magic(data, len)) {
  case 1: s = lf_png_decode(data, len, name, &dummy, info, 1); break;
  case 2: s = lf_tiff_decode(data, len, name, &dummy, info, 1); break;
  case 3: s = lf_jpeg_decode(data, len, name, &dummy, info, 1); break;
  case 4: s = lf_dicom_image_decode(data, len, name, &dummy, info, 1); break;
  default:
    s = len ? lf_error(LF_EUNSUPPORTED, "%s: not a PNG, TIFF, JPEG or DICOM file (unknown magic bytes)", name)
            : lf_error(LF_EBADFILE, "%s: empty file", name);
  }
  lf_image_free(&dummy);
  return s;
}

lf_status lf_image_convert(lf_image *img, int channels) {
  if (!img || !img->data) return lf_error(LF_EINVAL, "image convert: no image");
  if (channels != 1 && channels != 3) return lf_error(LF_EINVAL, "image convert: %d channels", channels);
  int c = img->channels;
  if (c == channels) return LF_OK;
  size_t np = (size_t)img->width * (size_t)img->height;
  uint8_t *o = malloc(np * (size_t)channels);
  if (!o) return lf_error(LF_ENOMEM, "image convert: out of memory");
  const uint8_t *p = img->data;
  for (size_t i = 0; i < np; i++, p += c) {
    if (channels == 1) {
      o[i] = c >= 3 ? (uint8_t)((p[0] * 299u + p[1] * 587u + p[2] * 114u + 500u) / 1000u) : p[0];
    } else {
      if (c >= 3) memcpy(o + 3 * i, p, 3);
      else o[3 * i] = o[3 * i + 1] = o[3 * i + 2] = p[0];
    }
  }
  free(img->data);
  img->data = o;
  img->channels = channels;
  return LF_OK;
}

/* splitmix64 */
uint64_t lf_sm64_next(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

double lf_sm64_uniform(uint64_t *state) { return (double)(lf_sm64_next(state) >> 11) * 0x1.0p-53; }

uint64_t lf_sm64_mix(uint64_t a, uint64_t b) {
  uint64_t s = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);
  lf_sm64_next(&s);
  return lf_sm64_next(&s);
}
