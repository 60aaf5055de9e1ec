/* OUT.dicom.json beside predict's output: for every DICOM input that gave
 * predictions, its SOP Instance UID, pixel spacing and frame count, so that a
 * finding can be traced back to the study instance (and a mask measured in
 * mm). The predictions file keeps its format ({key: scores} / Kaggle CSV);
 * the keys here are the input paths (a multi-frame file's rows are PATH#N).
 * Patient name and ID are never read (lf_dicom.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "eval/predict_images_internal.h"
#include "leapfrog/lf_dicom.h"
#include "leapfrog/lf_fileio.h"

/* {uid, spacing, frames} of one file, or NULL when it is not a DICOM we read. */
static cJSON *describe(const char *path) {
  unsigned char *d = NULL;
  size_t n = 0;
  cJSON *j = NULL;
  lf_dicom *dc = NULL;
  if (lf_read_file(path, (size_t)1 << 30, &d, &n) == LF_OK && lf_dicom_sniff(d, n) &&
      lf_dicom_open(d, n, path, NULL, &dc) == LF_OK) {
    const lf_dicom_info *in = lf_dicom_get_info(dc);
    j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "sop_instance_uid", in->sop_instance_uid);
    if (in->pixel_spacing[0] > 0 && in->pixel_spacing[1] > 0) {
      const double sp[2] = {in->pixel_spacing[0], in->pixel_spacing[1]};
      cJSON_AddItemToObject(j, "pixel_spacing_mm", cJSON_CreateDoubleArray(sp, 2));
    } else {
      cJSON_AddNullToObject(j, "pixel_spacing_mm");
    }
    cJSON_AddNumberToObject(j, "frames", in->frames);
    lf_dicom_close(dc);
  }
  free(d);
  return j;
}

lf_status lf_predict_write_dicom_meta(const char *out_path, char *const *paths, const unsigned char *used, size_t n) {
  if (!strcmp(out_path, "-")) return LF_OK; /* stdout: no file to sit beside */
  cJSON *root = cJSON_CreateObject();
  int any = 0;
  for (size_t i = 0; root && i < n; i++) {
    cJSON *j = used[i] ? describe(paths[i]) : NULL;
    if (j) cJSON_AddItemToObject(root, paths[i], j), any = 1;
  }
  lf_status st = LF_OK;
  if (!root) st = lf_error(LF_ENOMEM, "predict: out of memory");
  else if (any) {
    char *txt = cJSON_Print(root);
    size_t len = strlen(out_path) + 12;
    char *p = malloc(len);
    if (!txt || !p) st = lf_error(LF_ENOMEM, "predict: out of memory");
    else {
      snprintf(p, len, "%s.dicom.json", out_path);
      st = lf_write_file_atomic(p, txt, strlen(txt));
    }
    free(p);
    free(txt);
  }
  cJSON_Delete(root);
  return st;
}
