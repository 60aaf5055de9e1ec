/* The DICOM parts that need no DCMTK: content sniffing, the process-wide
 * options lf_image_read uses, "C,W" parsing, and stand-ins for a build
 * without DCMTK (make LF_DICOM=0, e.g. a cross build without its libraries). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/image_internal.h"
#include "leapfrog/lf_dicom.h"
#include "leapfrog/lf_fileio.h"

static int lf_is_vr(const unsigned char *v) {
  static const char vrs[] = "AEASATCSDADSDTFLFDISLOLTOBODOFOLOVPNSHSLSQSSSTSVTMUCUIULUNURUSUTUV";
  for (size_t i = 0; i + 1 < sizeof vrs; i += 2)
    if (v[0] == (unsigned char)vrs[i] && v[1] == (unsigned char)vrs[i + 1]) return 1;
  return 0;
}

int lf_dicom_sniff(const void *data, size_t len) {
  const unsigned char *d = data;
  if (!d) return 0;
  if (len >= 132 && !memcmp(d + 128, "DICM", 4)) return 1;
  /* no preamble: the first element is (0002,xxxx) meta or (0008,xxxx) identification,
   * little endian, with an explicit VR or an implicit length inside the file */
  if (len < 12) return 0;
  unsigned group = d[0] | d[1] << 8, elem = d[2] | d[3] << 8;
  if ((group != 0x0002 && group != 0x0008) || elem > 0x0100) return 0;
  if (lf_is_vr(d + 4)) return 1;
  uint32_t ilen = (uint32_t)d[4] | (uint32_t)d[5] << 8 | (uint32_t)d[6] << 16 | (uint32_t)d[7] << 24;
  return ilen <= 64 && ilen + 8 <= len;
}

static lf_dicom_opts lf_dicom_defaults; /* zero: LF_DICOM_VOI_FILE */

void lf_dicom_set_defaults(const lf_dicom_opts *opts) {
  if (opts) lf_dicom_defaults = *opts;
  else memset(&lf_dicom_defaults, 0, sizeof lf_dicom_defaults);
}

void lf_dicom_get_defaults(lf_dicom_opts *opts) { *opts = lf_dicom_defaults; }

lf_status lf_dicom_parse_voi(const char *text, lf_dicom_opts *opts) {
  memset(opts, 0, sizeof *opts);
  if (!text) return lf_error(LF_EINVAL, "--dicom-window: missing value");
  if (!strcmp(text, "file")) return LF_OK;
  if (!strcmp(text, "minmax")) { opts->voi = LF_DICOM_VOI_MINMAX; return LF_OK; }
  if (!strcmp(text, "full")) { opts->voi = LF_DICOM_VOI_FULL; return LF_OK; }
  char *end;
  double c = strtod(text, &end);
  if (end == text || *end != ',')
    return lf_error(LF_EINVAL, "--dicom-window %s: want CENTER,WIDTH or file|minmax|full", text);
  const char *w0 = end + 1;
  double w = strtod(w0, &end);
  if (end == w0 || *end || !isfinite(c) || !(w >= 1) || !isfinite(w))
    return lf_error(LF_EINVAL, "--dicom-window %s: want CENTER,WIDTH with WIDTH >= 1", text);
  opts->voi = LF_DICOM_VOI_WINDOW;
  opts->center = c;
  opts->width = w;
  return LF_OK;
}

lf_status lf_dicom_read(const char *path, const lf_dicom_opts *opts, int frame, lf_image *out,
                        lf_dicom_info *info) {
  unsigned char *data;
  size_t n;
  memset(out, 0, sizeof *out);
  lf_status s = lf_read_file(path, (size_t)1 << 30, &data, &n);
  if (s) return s;
  lf_dicom *d;
  s = lf_dicom_open(data, n, path, opts, &d);
  free(data);
  if (s) return s;
  if (info) *info = *lf_dicom_get_info(d);
  s = lf_dicom_frame(d, frame, out);
  lf_dicom_close(d);
  return s;
}

#ifndef LF_HAVE_DICOM
static lf_status lf_no_dicom(const char *name) {
  return lf_error(LF_EUNSUPPORTED, "%s: DICOM, but this leapfrog was built without DCMTK (LF_DICOM=0)",
                  name ? name : "(memory)");
}
lf_status lf_dicom_open(const void *data, size_t len, const char *name, const lf_dicom_opts *opts,
                        lf_dicom **out) {
  (void)data, (void)len, (void)opts;
  *out = NULL;
  return lf_no_dicom(name);
}
const lf_dicom_info *lf_dicom_get_info(const lf_dicom *d) { (void)d; return NULL; }
lf_status lf_dicom_frame(lf_dicom *d, int frame, lf_image *out) {
  (void)d, (void)frame;
  memset(out, 0, sizeof *out);
  return lf_no_dicom(NULL);
}
void lf_dicom_close(lf_dicom *d) { (void)d; }
lf_status lf_dicom_image_decode(const unsigned char *data, size_t len, const char *name,
                                lf_image *out, lf_image_info *info, int probe_only) {
  (void)data, (void)len, (void)out, (void)info, (void)probe_only;
  return lf_no_dicom(name);
}
#endif
