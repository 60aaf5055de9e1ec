/* JPEG decode with libjpeg(-turbo): errors longjmp back here, nothing printed.
 * Default decoder settings (ISLOW DCT, fancy upsampling), as PIL uses. */
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h> /* needs stddef.h and stdio.h first */
#include <jerror.h>

#include "data/image_internal.h"

typedef struct {
  struct jpeg_error_mgr pub;
  jmp_buf jb;
  char msg[JMSG_LENGTH_MAX];
  int truncated; /* libjpeg only warns on a premature end and pads with grey */
} jerr_t;

static void j_error_exit(j_common_ptr c) {
  jerr_t *e = (jerr_t *)c->err;
  (*c->err->format_message)(c, e->msg);
  longjmp(e->jb, 1);
}

/* A hostile progressive JPEG can hold thousands of tiny scans (very slow): cap them. */
static void j_progress(j_common_ptr c) {
  j_decompress_ptr d = (j_decompress_ptr)c;
  if (d->input_scan_number > 500) {
    jerr_t *e = (jerr_t *)c->err;
    snprintf(e->msg, sizeof e->msg, "more than 500 scans");
    longjmp(e->jb, 1);
  }
}

static void j_output_message(j_common_ptr c) { (void)c; }
static void j_emit_message(j_common_ptr c, int level) {
  if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) ((jerr_t *)c->err)->truncated = 1;
}

lf_status lf_jpeg_decode(const unsigned char *d, size_t n, const char *name, lf_image *out,
                         lf_image_info *info, int probe_only) {
  struct jpeg_decompress_struct ci;
  jerr_t je;
  memset(&je, 0, sizeof je);
  ci.err = jpeg_std_error(&je.pub);
  je.pub.error_exit = j_error_exit;
  je.pub.output_message = j_output_message;
  je.pub.emit_message = j_emit_message;
  lf_image *volatile img = out;
  if (setjmp(je.jb)) {
    jpeg_destroy_decompress(&ci);
    lf_image_free(img);
    return lf_error(LF_EBADFILE, "%s: bad JPEG: %s", name, je.msg);
  }
  jpeg_create_decompress(&ci);
  struct jpeg_progress_mgr prog = {j_progress, 0, 0, 0, 0};
  ci.progress = &prog;
  jpeg_mem_src(&ci, d, (unsigned long)n);
  jpeg_read_header(&ci, TRUE);
  strcpy(info->format, "jpeg");
  info->width = (int)ci.image_width;
  info->height = (int)ci.image_height;
  info->bit_depth = ci.data_precision;
  info->channels = ci.num_components;
  const char *color = ci.jpeg_color_space == JCS_GRAYSCALE ? "L"
                      : ci.jpeg_color_space == JCS_YCbCr   ? "YCbCr"
                      : ci.jpeg_color_space == JCS_RGB     ? "RGB"
                      : ci.jpeg_color_space == JCS_CMYK    ? "CMYK"
                      : ci.jpeg_color_space == JCS_YCCK    ? "YCCK" : "?";
  snprintf(info->color, sizeof info->color, "%s", color);
  if ((uint64_t)ci.image_width * ci.image_height > LF_IMAGE_MAX_PIXELS) {
    jpeg_destroy_decompress(&ci);
    return lf_error(LF_EUNSUPPORTED, "%s: %ux%u JPEG is larger than allowed", name,
                    (unsigned)ci.image_width, (unsigned)ci.image_height);
  }
  if (probe_only) {
    jpeg_destroy_decompress(&ci);
    return LF_OK;
  }
  if (ci.jpeg_color_space == JCS_CMYK || ci.jpeg_color_space == JCS_YCCK) {
    jpeg_destroy_decompress(&ci);
    return lf_error(LF_EUNSUPPORTED, "%s: CMYK JPEG is not supported", name);
  }
  ci.out_color_space = ci.jpeg_color_space == JCS_GRAYSCALE ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_start_decompress(&ci);
  int ch = ci.output_components;
  if (ch != 1 && ch != 3) {
    jpeg_destroy_decompress(&ci);
    return lf_error(LF_EUNSUPPORTED, "%s: JPEG with %d output components", name, ch);
  }
  if (lf_image_alloc(img, (int)ci.output_width, (int)ci.output_height, ch)) {
    jpeg_destroy_decompress(&ci);
    return lf_error(LF_ENOMEM, "%s: out of memory", name);
  }
  size_t stride = (size_t)ci.output_width * (size_t)ch;
  while (ci.output_scanline < ci.output_height) {
    JSAMPROW row = img->data + (size_t)ci.output_scanline * stride;
    jpeg_read_scanlines(&ci, &row, 1);
  }
  jpeg_finish_decompress(&ci);
  jpeg_destroy_decompress(&ci);
  if (je.truncated) {
    lf_image_free(img);
    return lf_error(LF_EBADFILE, "%s: bad JPEG: truncated (premature end of data)", name);
  }
  return LF_OK;
}
