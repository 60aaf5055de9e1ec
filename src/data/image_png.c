/* PNG decode/encode with libpng.  Errors longjmp back to us with the message kept;
 * nothing is printed. */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "data/image_internal.h"
#include "leapfrog/lf_fileio.h"

typedef struct {
  const unsigned char *d;
  size_t n, pos;
  char msg[160];
} png_src;

static void png_err_fn(png_structp p, png_const_charp msg) {
  png_src *s = png_get_error_ptr(p);
  if (s) snprintf(s->msg, sizeof s->msg, "%s", msg);
  png_longjmp(p, 1);
}
static void png_warn_fn(png_structp p, png_const_charp msg) { (void)p, (void)msg; }

static void png_read_fn(png_structp p, png_bytep out, size_t len) {
  png_src *s = png_get_io_ptr(p);
  if (len > s->n - s->pos) png_error(p, "truncated file");
  memcpy(out, s->d + s->pos, len);
  s->pos += len;
}

lf_status lf_png_decode(const unsigned char *d, size_t n, const char *name, lf_image *out,
                        lf_image_info *info, int probe_only) {
  png_src src = {d, n, 0, "error"};
  png_structp p = png_create_read_struct(PNG_LIBPNG_VER_STRING, &src, png_err_fn, png_warn_fn);
  if (!p) return lf_error(LF_ENOMEM, "%s: libpng init failed", name);
  png_infop pi = png_create_info_struct(p);
  png_bytep *volatile rows = NULL;
  lf_image *volatile img = out;
  if (!pi || setjmp(png_jmpbuf(p))) {
    free(rows);
    lf_image_free(img);
    png_destroy_read_struct(&p, pi ? &pi : NULL, NULL);
    return lf_error(LF_EBADFILE, "%s: bad PNG: %s", name, src.msg);
  }
  png_set_user_limits(p, 1 << 16, 1 << 16);
  png_set_chunk_malloc_max(p, (png_alloc_size_t)64 << 20);
  png_set_read_fn(p, &src, png_read_fn);
  png_read_info(p, pi);
  png_uint_32 w, h;
  int depth, ctype, ilace;
  png_get_IHDR(p, pi, &w, &h, &depth, &ctype, &ilace, NULL, NULL);
  strcpy(info->format, "png");
  info->width = (int)w;
  info->height = (int)h;
  info->bit_depth = depth;
  int has_trns = png_get_valid(p, pi, PNG_INFO_tRNS) != 0;
  switch (ctype) {
  case PNG_COLOR_TYPE_GRAY: info->channels = 1; strcpy(info->color, depth == 16 ? "I;16" : "L"); break;
  case PNG_COLOR_TYPE_GRAY_ALPHA: info->channels = 2; strcpy(info->color, "LA"); break;
  case PNG_COLOR_TYPE_RGB: info->channels = 3; strcpy(info->color, "RGB"); break;
  case PNG_COLOR_TYPE_RGB_ALPHA: info->channels = 4; strcpy(info->color, "RGBA"); break;
  case PNG_COLOR_TYPE_PALETTE: info->channels = has_trns ? 4 : 3; strcpy(info->color, "P"); break;
  default: png_error(p, "unknown colour type");
  }
  if ((uint64_t)w * h > LF_IMAGE_MAX_PIXELS) {
    png_destroy_read_struct(&p, &pi, NULL);
    return lf_error(LF_EUNSUPPORTED, "%s: %ux%u PNG is larger than allowed", name, (unsigned)w, (unsigned)h);
  }
  if (probe_only) {
    png_destroy_read_struct(&p, &pi, NULL);
    return LF_OK;
  }
  /* To 8-bit grey or RGB: expand palettes and low bit depths, high byte of 16-bit
   * samples, drop alpha (tRNS is not expanded, so it is dropped too). */
  if (ctype == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(p);
  if (ctype == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(p);
  if (depth == 16) png_set_strip_16(p);
  if ((ctype & PNG_COLOR_MASK_ALPHA) || (ctype == PNG_COLOR_TYPE_PALETTE && has_trns)) png_set_strip_alpha(p);
  if (ilace != PNG_INTERLACE_NONE) png_set_interlace_handling(p);
  png_read_update_info(p, pi);
  int ch = png_get_channels(p, pi);
  if ((ch != 1 && ch != 3) || png_get_rowbytes(p, pi) != (size_t)w * (size_t)ch)
    png_error(p, "unexpected layout after conversion");
  if (lf_image_alloc(img, (int)w, (int)h, ch)) png_error(p, "out of memory");
  rows = malloc(sizeof(png_bytep) * h);
  if (!rows) png_error(p, "out of memory");
  for (png_uint_32 y = 0; y < h; y++) rows[y] = img->data + (size_t)y * w * (size_t)ch;
  png_read_image(p, rows);
  png_read_end(p, NULL);
  free(rows);
  png_destroy_read_struct(&p, &pi, NULL);
  return LF_OK;
}

typedef struct {
  unsigned char *d;
  size_t n, cap;
  int oom;
} png_sink;

static void png_write_fn(png_structp p, png_bytep data, size_t len) {
  png_sink *s = png_get_io_ptr(p);
  if (s->n + len > s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 65536;
    while (cap < s->n + len) cap *= 2;
    unsigned char *nd = realloc(s->d, cap);
    if (!nd) {
      s->oom = 1;
      png_error(p, "out of memory");
    }
    s->d = nd;
    s->cap = cap;
  }
  memcpy(s->d + s->n, data, len);
  s->n += len;
}
static void png_flush_fn(png_structp p) { (void)p; }

lf_status lf_image_write_png(const char *path, const lf_image *img, int level) {
  if (!img || !img->data || img->channels < 1 || img->channels > 4)
    return lf_error(LF_EINVAL, "%s: no image to write", path);
  static const int ctypes[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA,
                                PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA};
  png_src err = {NULL, 0, 0, "error"};
  png_sink sink = {NULL, 0, 0, 0};
  png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, &err, png_err_fn, png_warn_fn);
  if (!p) return lf_error(LF_ENOMEM, "%s: libpng init failed", path);
  png_infop pi = png_create_info_struct(p);
  png_sink *volatile sk = &sink;
  if (!pi || setjmp(png_jmpbuf(p))) {
    free(sk->d);
    png_destroy_write_struct(&p, pi ? &pi : NULL);
    return lf_error(LF_EIO, "%s: PNG encode failed: %s", path, err.msg);
  }
  png_set_write_fn(p, &sink, png_write_fn, png_flush_fn);
  png_set_compression_level(p, level < 0 ? 6 : level > 9 ? 9 : level);
  if (level <= 2) png_set_filter(p, 0, PNG_FILTER_SUB);
  png_set_IHDR(p, pi, (png_uint_32)img->width, (png_uint_32)img->height, 8,
               ctypes[img->channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
               PNG_FILTER_TYPE_DEFAULT);
  png_write_info(p, pi);
  size_t stride = (size_t)img->width * (size_t)img->channels;
  for (int y = 0; y < img->height; y++) png_write_row(p, img->data + (size_t)y * stride);
  png_write_end(p, NULL);
  png_destroy_write_struct(&p, &pi);
  lf_status s = lf_write_file_atomic(path, sink.d, sink.n);
  free(sink.d);
  return s;
}
