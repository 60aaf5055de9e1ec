/* Segmentation overlays for the report: the image in grey, the true mask's
 * contour in green and the predicted mask's in magenta, as a PNG in base64
 * (embedded in the page as a data: URI, so the page stays one file). */
#include <png.h>
#include <stdlib.h>
#include <string.h>

#include "eval/report_internal.h"
#include "leapfrog/lf_image.h"

typedef struct {
  unsigned char *p;
  size_t n, cap;
  int oom;
} membuf;

static void put(png_structp png, png_bytep data, png_size_t len) {
  membuf *b = png_get_io_ptr(png);
  if (b->oom) return;
  if (b->n + len > b->cap) {
    size_t cap = (b->cap ? b->cap * 2 : 65536) + len;
    unsigned char *q = realloc(b->p, cap);
    if (!q) {
      b->oom = 1;
      return;
    }
    b->p = q, b->cap = cap;
  }
  memcpy(b->p + b->n, data, len);
  b->n += len;
}
static void flush(png_structp png) { (void)png; }

static char *base64(const unsigned char *p, size_t n) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *o = malloc(4 * ((n + 2) / 3) + 1), *q = o;
  if (!o) return NULL;
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
    *q++ = A[v >> 18 & 63], *q++ = A[v >> 12 & 63];
    *q++ = i + 1 < n ? A[v >> 6 & 63] : '=';
    *q++ = i + 2 < n ? A[v & 63] : '=';
  }
  *q = 0;
  return o;
}

/* A mask pixel is on the contour when a pixel within 1 (a 2-pixel-wide line
 * on each side of the edge, visible when the page shows the image halved) is
 * background or outside the image. */
static int on_contour(const uint8_t *m, int w, int h, int x, int y) {
  if (!m[(size_t)y * w + x]) return 0;
  for (int dy = -1; dy <= 1; dy++)
    for (int dx = -1; dx <= 1; dx++) {
      int u = x + dx, v = y + dy;
      if (u < 0 || v < 0 || u >= w || v >= h || !m[(size_t)v * w + u]) return 1;
    }
  return 0;
}

static lf_status encode(const uint8_t *rgb, int w, int h, char **b64) {
  membuf b = {0};
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png ? png_create_info_struct(png) : NULL;
  if (!png || !info) {
    png_destroy_write_struct(&png, &info);
    return lf_error(LF_ENOMEM, "report: out of memory encoding a PNG");
  }
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    free(b.p);
    return lf_error(LF_EIO, "report: PNG encoding failed");
  }
  png_set_write_fn(png, &b, put, flush);
  png_set_IHDR(png, info, (png_uint_32)w, (png_uint_32)h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_set_compression_level(png, 6);
  png_write_info(png, info);
  for (int y = 0; y < h; y++) png_write_row(png, (png_const_bytep)(rgb + (size_t)y * w * 3));
  png_write_end(png, info);
  png_destroy_write_struct(&png, &info);
  if (b.oom) {
    free(b.p);
    return lf_error(LF_ENOMEM, "report: out of memory encoding a PNG");
  }
  *b64 = base64(b.p, b.n);
  free(b.p);
  return *b64 ? LF_OK : lf_error(LF_ENOMEM, "report: out of memory encoding a PNG");
}

lf_status lf_report_overlay_png(const char *image_path, const uint8_t *truth, const uint8_t *pred, int w, int h,
                                char **b64) {
  *b64 = NULL;
  lf_image img = {0};
  lf_status st = lf_image_read(image_path, &img, NULL);
  if (st) return st;
  if (img.width != w || img.height != h) {
    lf_image_free(&img);
    return lf_error(LF_EBADFILE, "%s: %dx%d, its masks are %dx%d", image_path, img.width, img.height, w, h);
  }
  if ((st = lf_image_convert(&img, 3))) {
    lf_image_free(&img);
    return st;
  }
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      uint8_t *p = img.data + ((size_t)y * w + x) * 3;
      if (on_contour(truth, w, h, x, y)) p[0] = 0, p[1] = 220, p[2] = 0;
      if (on_contour(pred, w, h, x, y)) p[0] = 255, p[1] = 0, p[2] = 255;
    }
  st = encode(img.data, w, h, b64);
  lf_image_free(&img);
  return st;
}
