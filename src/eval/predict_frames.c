/* One input file -> the frames `predict` runs. A single-image format (PNG,
 * JPEG, TIFF, a one-frame DICOM) is one frame keyed by the path; a multi-frame
 * DICOM (an ultrasound cine loop) gives one frame per DICOM frame, keyed
 * "PATH#N" (N from 1), in frame order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/predict_images_internal.h"
#include "leapfrog/lf_dicom.h"
#include "leapfrog/lf_fileio.h"

static lf_status oom(void) { return lf_error(LF_ENOMEM, "predict: out of memory"); }

/* Every frame of a multi-frame DICOM held in d[0..n). */
static lf_status dicom_frames(const char *path, const unsigned char *d, size_t n, lf_predict_frames *out) {
  lf_dicom_opts opts;
  lf_dicom_get_defaults(&opts);
  lf_dicom *dc = NULL;
  lf_status st = lf_dicom_open(d, n, path, &opts, &dc);
  if (st) return st;
  int frames = lf_dicom_get_info(dc)->frames;
  if (!(out->f = calloc((size_t)frames, sizeof *out->f))) st = oom();
  for (int k = 0; !st && k < frames; k++, out->n++) {
    size_t len = strlen(path) + 16;
    if (!(out->f[k].key = malloc(len))) st = oom();
    else snprintf(out->f[k].key, len, "%s#%d", path, k + 1);
    if (!st) st = lf_dicom_frame(dc, k, &out->f[k].img);
  }
  lf_dicom_close(dc);
  return st;
}

lf_status lf_predict_frames_read(const char *path, lf_predict_frames *out) {
  memset(out, 0, sizeof *out);
  unsigned char *d = NULL;
  size_t n = 0;
  lf_image_info info;
  lf_status st = lf_read_file(path, (size_t)1 << 30, &d, &n);
  if (!st && lf_dicom_sniff(d, n) && !(st = lf_image_probe_mem(d, n, path, &info)) && info.frames > 1) {
    st = dicom_frames(path, d, n, out);
  } else if (!st) {
    if (!(out->f = calloc(1, sizeof *out->f))) st = oom();
    if (!st) st = lf_image_decode(d, n, path, &out->f[0].img, NULL);
    if (!st && !(out->f[0].key = strdup(path))) st = oom();
    out->n = 1;
  }
  free(d);
  if (st) lf_predict_frames_free(out);
  return st;
}

void lf_predict_frames_free(lf_predict_frames *fr) {
  for (int i = 0; fr->f && i < fr->n; i++) {
    lf_image_free(&fr->f[i].img);
    free(fr->f[i].key);
  }
  free(fr->f);
  memset(fr, 0, sizeof *fr);
}
