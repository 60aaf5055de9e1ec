/* DICOM decoding (lf_dicom.h, lf_image_read's sniffing) against files written
 * by pydicom and DCMTK's own tools (tests/dicom_make.py): the pixels numpy
 * computes with lf_dicom.h's formulas (checked there against pydicom's
 * apply_voi_lut), the same bytes as the PNG/JPEG a file was made from, every
 * frame of multi-frame files (uncompressed, RLE, JPEG-LS, preamble-less), and
 * broken or hostile files refused with their name in the message.
 * Exit 77 when pydicom or the DCMTK tools are missing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leapfrog/lf_dicom.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"
#include "lf_test.h"

static char dir[1024];

static void path_of(char *buf, size_t cap, const char *name) { snprintf(buf, cap, "%s/%s", dir, name); }

/* pixels FILE EXPECT FRAMES W H C [ROWSP COLSP UID] */
static void check_pixels(char *args) {
  char file[256], bin[256], uid[128] = "";
  int frames, w, h, c;
  double sp0 = 0, sp1 = 0;
  int n = sscanf(args, "%255s %255s %d %d %d %d %lf %lf %127s", file, bin, &frames, &w, &h, &c, &sp0, &sp1, uid);
  LF_CHECK_MSG(n == 6 || n == 9, "manifest line: %s", args);
  if (n != 6 && n != 9) return;
  char fp[1400], bp[1400];
  path_of(fp, sizeof fp, file);
  path_of(bp, sizeof bp, bin);
  unsigned char *want;
  size_t want_n;
  LF_CHECK(lf_read_file(bp, (size_t)1 << 26, &want, &want_n) == LF_OK);
  size_t fsz = (size_t)w * h * c;
  LF_CHECK_MSG(want_n == fsz * (size_t)frames, "%s: %zu expected bytes", bin, want_n);
  unsigned char *data;
  size_t len;
  LF_CHECK(lf_read_file(fp, (size_t)1 << 26, &data, &len) == LF_OK);
  lf_dicom *d = NULL;
  lf_status s = lf_dicom_open(data, len, fp, NULL, &d);
  free(data);
  LF_CHECK_MSG(s == LF_OK, "%s: %s", file, lf_last_error());
  if (s) { free(want); return; }
  const lf_dicom_info *in = lf_dicom_get_info(d);
  LF_CHECK_MSG(in->frames == frames && in->cols == w && in->rows == h && in->samples == c,
               "%s: %d frames %dx%dx%d", file, in->frames, in->cols, in->rows, in->samples);
  if (n == 9) {
    LF_CHECK_MSG(in->pixel_spacing[0] == sp0 && in->pixel_spacing[1] == sp1, "%s: spacing %g %g", file,
                 in->pixel_spacing[0], in->pixel_spacing[1]);
    LF_CHECK_MSG(!strcmp(in->sop_instance_uid, uid), "%s: uid %s", file, in->sop_instance_uid);
  }
  /* frames in order, then out of order (the fragment walk restarts) */
  int order[16], k = 0;
  for (int f = 0; f < frames && k < 8; f++) order[k++] = f;
  for (int f = frames - 1; f >= 0 && k < 16; f -= 2) order[k++] = f;
  for (int i = 0; i < k && in->frames == frames; i++) {
    int f = order[i];
    lf_image im;
    s = lf_dicom_frame(d, f, &im);
    LF_CHECK_MSG(s == LF_OK, "%s frame %d: %s", file, f, lf_last_error());
    if (s) continue;
    int diff = 0, first = -1;
    for (size_t j = 0; j < fsz; j++)
      if (im.data[j] != want[(size_t)f * fsz + j]) {
        if (first < 0) first = (int)j;
        diff++;
      }
    LF_CHECK_MSG(diff == 0, "%s frame %d: %d of %zu bytes differ (first at %d: %u, want %u)", file, f, diff,
                 fsz, first, first >= 0 ? im.data[first] : 0, first >= 0 ? want[(size_t)f * fsz + first] : 0);
    lf_image_free(&im);
  }
  lf_dicom_close(d);
  /* lf_image_read sniffs it and gives frame 1 */
  lf_image im;
  lf_image_info info;
  s = lf_image_read(fp, &im, &info);
  LF_CHECK_MSG(s == LF_OK && !strcmp(info.format, "dicom") && info.frames == frames &&
                   !memcmp(im.data, want, fsz),
               "%s via lf_image_read: %s", file, s ? lf_last_error() : "pixels or info differ");
  lf_image_free(&im);
  LF_CHECK(lf_image_probe(fp, &info) == LF_OK && info.width == w && info.frames == frames);
  unsigned char *bytes;
  size_t nbytes;
  if (lf_read_file(fp, (size_t)1 << 26, &bytes, &nbytes) == LF_OK) {
    LF_CHECK(lf_image_probe_mem(bytes, nbytes, fp, &info) == LF_OK && info.height == h && info.frames == frames);
    free(bytes);
  }
  free(want);
}

/* same FILE.dcm IMAGE: frame 1 equals the image read as PNG/JPEG */
static void check_same(char *args) {
  char file[256], img[256], fp[1400], ip[1400];
  if (sscanf(args, "%255s %255s", file, img) != 2) {
    LF_CHECK_MSG(0, "manifest: %s", args);
    return;
  }
  path_of(fp, sizeof fp, file);
  path_of(ip, sizeof ip, img);
  lf_image a, b;
  lf_image_info ia, ib;
  lf_status s = lf_image_read(fp, &a, &ia);
  LF_CHECK_MSG(s == LF_OK, "%s: %s", file, lf_last_error());
  LF_CHECK(lf_image_read(ip, &b, &ib) == LF_OK);
  if (!s) {
    LF_CHECK_MSG(!strcmp(ia.format, "dicom"), "%s read as %s", file, ia.format);
    LF_CHECK_MSG(a.width == b.width && a.height == b.height && a.channels == b.channels,
                 "%s %dx%dx%d vs %s %dx%dx%d", file, a.width, a.height, a.channels, img, b.width, b.height,
                 b.channels);
    if (a.width == b.width && a.height == b.height && a.channels == b.channels) {
      size_t n = (size_t)a.width * a.height * a.channels, diff = 0;
      for (size_t i = 0; i < n; i++) diff += a.data[i] != b.data[i];
      LF_CHECK_MSG(diff == 0, "%s vs %s: %zu of %zu bytes differ", file, img, diff, n);
    }
  }
  lf_image_free(&a);
  lf_image_free(&b);
}

/* bad FILE: refused (at open or at some frame), the message naming the file */
static void check_bad(char *args) {
  char file[256], fp[1400];
  if (sscanf(args, "%255s", file) != 1) return;
  path_of(fp, sizeof fp, file);
  unsigned char *data;
  size_t len;
  LF_CHECK(lf_read_file(fp, (size_t)1 << 26, &data, &len) == LF_OK);
  lf_dicom *d = NULL;
  lf_status s = lf_dicom_open(data, len, fp, NULL, &d);
  free(data);
  for (int f = 0; !s && f < lf_dicom_get_info(d)->frames; f++) {
    lf_image im;
    s = lf_dicom_frame(d, f, &im);
    LF_CHECK(s != LF_OK || im.data);
    if (s) LF_CHECK(!im.data);
    lf_image_free(&im);
  }
  lf_dicom_close(d);
  LF_CHECK_MSG(s == LF_EBADFILE || s == LF_EUNSUPPORTED, "%s: accepted (status %d)", file, (int)s);
  LF_CHECK_MSG(strstr(lf_last_error(), fp) != NULL, "%s: message does not name it: %s", file, lf_last_error());
  printf("  %s -> %s\n", file, lf_last_error());
}

LF_TEST(manifest_cases) {
  char mp[1400];
  path_of(mp, sizeof mp, "manifest.txt");
  FILE *f = fopen(mp, "r");
  LF_CHECK_MSG(f != NULL, "no %s", mp);
  if (!f) return;
  char line[512];
  int cases = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (!strncmp(line, "pixels ", 7)) check_pixels(line + 7), cases++;
    else if (!strncmp(line, "same ", 5)) check_same(line + 5), cases++;
    else if (!strncmp(line, "bad ", 4)) check_bad(line + 4), cases++;
  }
  fclose(f);
  LF_CHECK_MSG(cases >= 20, "only %d cases", cases);
}

/* The window override and the other VOI choices on the 12-bit file. */
LF_TEST(voi_options) {
  char fp[1400];
  path_of(fp, sizeof fp, "mono2_16.dcm");
  lf_dicom_opts o;
  LF_CHECK(lf_dicom_parse_voi("900,1", &o) == LF_OK && o.voi == LF_DICOM_VOI_WINDOW);
  LF_CHECK(lf_dicom_parse_voi("900,0.5", &o) == LF_EINVAL);
  LF_CHECK(lf_dicom_parse_voi("abc", &o) == LF_EINVAL);
  LF_CHECK(lf_dicom_parse_voi("minmax", &o) == LF_OK && o.voi == LF_DICOM_VOI_MINMAX);
  /* width 1 thresholds at center - 0.5: stored 0 -> x = -100 */
  lf_dicom_parse_voi("-99.5,1", &o);
  lf_image im;
  lf_dicom_info in;
  LF_CHECK(lf_dicom_read(fp, &o, 0, &im, &in) == LF_OK && !strcmp(in.voi_used, "window"));
  LF_CHECK_MSG(im.data[0] == 0 && im.data[1] == 255, "%u %u", im.data[0], im.data[1]);
  lf_image_free(&im);
  lf_dicom_parse_voi("minmax", &o);
  LF_CHECK(lf_dicom_read(fp, &o, 0, &im, &in) == LF_OK && !strcmp(in.voi_used, "minmax"));
  LF_CHECK(im.data[0] == 0 && im.data[2] == 255); /* stored 0 and 4095 are in row 0 */
  lf_image_free(&im);
  /* process defaults reach lf_image_read */
  lf_dicom_parse_voi("full", &o);
  lf_dicom_set_defaults(&o);
  LF_CHECK(lf_image_read(fp, &im, NULL) == LF_OK && im.data[0] == 0 && im.data[2] == 255 && im.data[3] == 128);
  lf_image_free(&im);
  lf_dicom_set_defaults(NULL);
  LF_CHECK(lf_dicom_read(fp, NULL, 1, &im, NULL) == LF_EINVAL && !im.data); /* one frame only */
}

LF_TEST(sniffing) {
  unsigned char buf[200] = {0};
  LF_CHECK(!lf_dicom_sniff(buf, sizeof buf));
  memcpy(buf + 128, "DICM", 4);
  LF_CHECK(lf_dicom_sniff(buf, sizeof buf));
  LF_CHECK(!lf_dicom_sniff(buf, 131));
  unsigned char ex[16] = {0x08, 0, 0x05, 0, 'C', 'S', 10, 0};
  LF_CHECK(lf_dicom_sniff(ex, sizeof ex));
  ex[4] = 'Q';
  LF_CHECK(!lf_dicom_sniff(ex, sizeof ex)); /* no VR, and 0x0a51 bytes implicit does not fit */
  lf_image im;
  LF_CHECK(lf_image_decode(buf, sizeof buf, "zeros.dcm", &im, NULL) == LF_EBADFILE && !im.data);
  LF_CHECK(strstr(lf_last_error(), "zeros.dcm") != NULL);
}

int main(void) {
  const char *tmp = getenv("LF_TMP"), *py = getenv("LF_PYTHON"), *root = getenv("LF_ROOT");
  if (!tmp) tmp = "/tmp";
  if (!py) py = "/usr/bin/python3";
  if (!root) root = ".";
  char cmd[3072];
  snprintf(cmd, sizeof cmd, "%s -c 'import pydicom, numpy, PIL' 2>/dev/null && command -v img2dcm >/dev/null "
           "&& command -v dcmcjpls >/dev/null && command -v dcmcrle >/dev/null", py);
  if (system(cmd) != 0) {
    printf("skip: needs python3-pydicom, numpy, PIL and the dcmtk tools\n");
    return 77;
  }
  snprintf(dir, sizeof dir, "%s/data_dicom.%d", tmp, (int)getpid());
  snprintf(cmd, sizeof cmd, "%s %s/tests/dicom_make.py %s", py, root, dir);
  LF_CHECK_MSG(system(cmd) == 0, "tests/dicom_make.py failed");
  LF_RUN(manifest_cases);
  LF_RUN(voi_options);
  LF_RUN(sniffing);
  return lf_test_summary();
}
