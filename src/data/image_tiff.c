/* TIFF decode (libtiff, from memory) and a minimal baseline TIFF encoder.
 * Strip images with 8/16-bit grey or RGB(A) contiguous samples are read directly;
 * anything else libtiff understands goes through TIFFReadRGBAImage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

#include "data/image_internal.h"
#include "leapfrog/lf_fileio.h"

typedef struct {
  const unsigned char *d;
  size_t n, pos;
  char msg[160];
} tiff_src;

static tmsize_t t_read(thandle_t h, void *buf, tmsize_t len) {
  tiff_src *s = h;
  if (len < 0) return -1;
  size_t k = (size_t)len;
  if (s->pos >= s->n) return 0;
  if (k > s->n - s->pos) k = s->n - s->pos;
  memcpy(buf, s->d + s->pos, k);
  s->pos += k;
  return (tmsize_t)k;
}
static tmsize_t t_write(thandle_t h, void *buf, tmsize_t len) { (void)h, (void)buf, (void)len; return -1; }
static toff_t t_seek(thandle_t h, toff_t off, int whence) {
  tiff_src *s = h;
  uint64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? s->pos : s->n;
  uint64_t np = base + off;
  if (np > ((uint64_t)1 << 40)) return (toff_t)-1;
  s->pos = (size_t)np;
  return np;
}
static int t_close(thandle_t h) { (void)h; return 0; }
static toff_t t_size(thandle_t h) { return ((tiff_src *)h)->n; }
static int t_map(thandle_t h, void **base, toff_t *size) {
  tiff_src *s = h;
  *base = (void *)s->d;
  *size = s->n;
  return 1;
}
static void t_unmap(thandle_t h, void *base, toff_t size) { (void)h, (void)base, (void)size; }

static int t_err(TIFF *t, void *user, const char *module, const char *fmt, va_list ap) {
  (void)t, (void)module;
  tiff_src *s = user;
  if (s && !s->msg[0]) vsnprintf(s->msg, sizeof s->msg, fmt, ap);
  return 1; /* handled: nothing printed */
}
static int t_warn(TIFF *t, void *user, const char *module, const char *fmt, va_list ap) {
  (void)t, (void)user, (void)module, (void)fmt, (void)ap;
  return 1;
}

lf_status lf_tiff_decode(const unsigned char *d, size_t n, const char *name, lf_image *out,
                         lf_image_info *info, int probe_only) {
  tiff_src src = {d, n, 0, ""};
  TIFFOpenOptions *oo = TIFFOpenOptionsAlloc();
  if (!oo) return lf_error(LF_ENOMEM, "%s: libtiff init failed", name);
  TIFFOpenOptionsSetErrorHandlerExtR(oo, t_err, &src);
  TIFFOpenOptionsSetWarningHandlerExtR(oo, t_warn, &src);
  TIFFOpenOptionsSetMaxSingleMemAlloc(oo, (tmsize_t)256 << 20);
  TIFF *t = TIFFClientOpenExt(name, "r", &src, t_read, t_write, t_seek, t_close, t_size, t_map,
                              t_unmap, oo);
  TIFFOpenOptionsFree(oo);
  if (!t) return lf_error(LF_EBADFILE, "%s: bad TIFF: %s", name, src.msg[0] ? src.msg : "cannot open");
  lf_status st = LF_OK;
  uint32_t w = 0, h = 0;
  uint16_t bps = 1, spp = 1, photo = PHOTOMETRIC_MINISBLACK, planar = PLANARCONFIG_CONTIG;
  uint16_t sfmt = SAMPLEFORMAT_UINT;
  TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
  TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
  TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
  TIFFGetFieldDefaulted(t, TIFFTAG_PLANARCONFIG, &planar);
  TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLEFORMAT, &sfmt);
  if (!TIFFGetField(t, TIFFTAG_PHOTOMETRIC, &photo)) photo = spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  strcpy(info->format, "tiff");
  info->width = (int)w;
  info->height = (int)h;
  info->bit_depth = bps;
  info->channels = spp;
  const char *color = "?";
  switch (photo) {
  case PHOTOMETRIC_MINISBLACK: case PHOTOMETRIC_MINISWHITE:
    color = spp >= 2 ? "LA" : bps == 16 ? "I;16" : bps == 1 ? "1" : "L"; break;
  case PHOTOMETRIC_RGB: color = spp >= 4 ? "RGBA" : "RGB"; break;
  case PHOTOMETRIC_PALETTE: color = "P"; info->channels = 3; break;
  case PHOTOMETRIC_YCBCR: color = "YCbCr"; info->channels = 3; break;
  case PHOTOMETRIC_SEPARATED: color = "CMYK"; break;
  default: break;
  }
  snprintf(info->color, sizeof info->color, "%s", color);
  if (w == 0 || h == 0) {
    st = lf_error(LF_EBADFILE, "%s: bad TIFF: zero size", name);
    goto done;
  }
  if ((uint64_t)w * h > LF_IMAGE_MAX_PIXELS) {
    st = lf_error(LF_EUNSUPPORTED, "%s: %ux%u TIFF is larger than allowed", name, (unsigned)w, (unsigned)h);
    goto done;
  }
  if (probe_only) goto done;
  int grey = photo == PHOTOMETRIC_MINISBLACK || photo == PHOTOMETRIC_MINISWHITE;
  int direct = !TIFFIsTiled(t) && planar == PLANARCONFIG_CONTIG && sfmt == SAMPLEFORMAT_UINT &&
               (bps == 8 || bps == 16) && spp >= 1 && spp <= 4 &&
               ((grey && spp <= 2) || (photo == PHOTOMETRIC_RGB && spp >= 3));
  int och = grey ? 1 : 3;
  if ((st = lf_image_alloc(out, (int)w, (int)h, och))) goto done;
  if (direct) {
    tmsize_t sl = TIFFScanlineSize(t);
    size_t need = (size_t)w * spp * (bps / 8);
    if (sl <= 0 || (size_t)sl < need) {
      st = lf_error(LF_EBADFILE, "%s: bad TIFF: scanline size %lld", name, (long long)sl);
      goto done;
    }
    unsigned char *line = malloc((size_t)sl);
    if (!line) { st = lf_error(LF_ENOMEM, "%s: out of memory", name); goto done; }
    for (uint32_t y = 0; y < h; y++) {
      if (TIFFReadScanline(t, line, y, 0) < 0) {
        st = lf_error(LF_EBADFILE, "%s: bad TIFF: row %u: %s", name, (unsigned)y, src.msg[0] ? src.msg : "read failed");
        break;
      }
      uint8_t *o = out->data + (size_t)y * w * och;
      for (uint32_t x = 0; x < w; x++)
        for (int c = 0; c < och; c++) {
          size_t k = (size_t)x * spp + (size_t)c;
          uint8_t v = bps == 8 ? line[k] : (uint8_t)(((const uint16_t *)(const void *)line)[k] >> 8);
          o[(size_t)x * och + c] = photo == PHOTOMETRIC_MINISWHITE ? (uint8_t)(255 - v) : v;
        }
    }
    free(line);
  } else {
    uint32_t *rgba = malloc((size_t)w * h * 4);
    if (!rgba) { st = lf_error(LF_ENOMEM, "%s: out of memory", name); goto done; }
    if (!TIFFReadRGBAImageOriented(t, w, h, rgba, ORIENTATION_TOPLEFT, 0)) {
      st = lf_error(src.msg[0] ? LF_EBADFILE : LF_EUNSUPPORTED, "%s: TIFF not readable: %s", name,
                    src.msg[0] ? src.msg : "unsupported layout");
    } else {
      for (size_t i = 0; i < (size_t)w * h; i++) {
        uint32_t px = rgba[i];
        if (och == 1) out->data[i] = (uint8_t)TIFFGetR(px);
        else {
          out->data[3 * i] = (uint8_t)TIFFGetR(px);
          out->data[3 * i + 1] = (uint8_t)TIFFGetG(px);
          out->data[3 * i + 2] = (uint8_t)TIFFGetB(px);
        }
      }
    }
    free(rgba);
  }
done:
  if (st) lf_image_free(out);
  TIFFClose(t);
  return st;
}

/* ---- baseline TIFF writer: little-endian, uncompressed, one strip ---- */
static void put16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void put32(unsigned char *p, uint32_t v) {
  for (int i = 0; i < 4; i++) p[i] = (unsigned char)(v >> (8 * i));
}

lf_status lf_image_write_tiff(const char *path, const lf_image *img) {
  if (!img || !img->data || (img->channels != 1 && img->channels != 3))
    return lf_error(LF_EINVAL, "%s: TIFF writer takes 1 or 3 channel 8-bit images", path);
  size_t npix = (size_t)img->width * (size_t)img->height * (size_t)img->channels;
  if (npix > 0xFFFFFF00u - 512) return lf_error(LF_EUNSUPPORTED, "%s: image too large for TIFF", path);
  enum { NTAGS = 10 };
  size_t ifd = 8, extra = ifd + 2 + NTAGS * 12 + 4; /* BitsPerSample array for RGB */
  size_t data_off = extra + 8;
  size_t total = data_off + npix;
  unsigned char *b = calloc(total, 1);
  if (!b) return lf_error(LF_ENOMEM, "%s: out of memory", path);
  memcpy(b, "II*\0", 4);
  put32(b + 4, (uint32_t)ifd);
  put16(b + ifd, NTAGS);
  unsigned char *e = b + ifd + 2;
  int rgb = img->channels == 3;
  struct { unsigned tag, type; uint32_t count, value; } tags[NTAGS] = {
      {256, 4, 1, (uint32_t)img->width},
      {257, 4, 1, (uint32_t)img->height},
      {258, 3, rgb ? 3u : 1u, rgb ? (uint32_t)extra : 8u},
      {259, 3, 1, 1},                      /* no compression */
      {262, 3, 1, rgb ? 2u : 1u},          /* RGB / min-is-black */
      {273, 4, 1, (uint32_t)data_off},     /* strip offset */
      {277, 3, 1, (uint32_t)img->channels},
      {278, 4, 1, (uint32_t)img->height},  /* rows per strip */
      {279, 4, 1, (uint32_t)npix},         /* strip bytes */
      {284, 3, 1, 1},                      /* contiguous */
  };
  for (int i = 0; i < NTAGS; i++, e += 12) {
    put16(e, tags[i].tag);
    put16(e + 2, tags[i].type);
    put32(e + 4, tags[i].count);
    if (tags[i].type == 3 && tags[i].count == 1) put16(e + 8, tags[i].value);
    else put32(e + 8, tags[i].value);
  }
  put32(e, 0); /* no next IFD */
  put16(b + extra, 8), put16(b + extra + 2, 8), put16(b + extra + 4, 8);
  memcpy(b + data_off, img->data, npix);
  lf_status s = lf_write_file_atomic(path, b, total);
  free(b);
  return s;
}
