/* The "leapfrog" metadata entry of a converted .tflite, validated (see
 * predict_internal.h): a malformed entry is an error naming the field, never
 * silently ignored or truncated. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "eval/predict_internal.h"
#include "leapfrog/lf_oppoints.h"

/* "operating_points": {label: threshold in (0, 1)}, each key one of "labels" (when the metadata has them). */
static lf_status check_oppoints(const char *json, size_t len, const char *name, lf_model_meta *meta) {
  lf_oppoints ops;
  lf_status st = lf_oppoints_from_meta(json, len, name, &ops);
  if (st || !ops.n || !meta->n_labels) {
    meta->n_oppoints = st ? 0 : ops.n;
    return st;
  }
  const char *labels[LF_PREDICT_MAX_LABELS];
  for (int k = 0; k < meta->n_labels; k++) labels[k] = meta->labels[k];
  char where[320];
  snprintf(where, sizeof where, "%s: metadata \"leapfrog\"", name);
  if (lf_oppoints_check_labels(&ops, labels, meta->n_labels, where)) return LF_EBADFILE; /* message set */
  meta->n_oppoints = ops.n;
  return LF_OK;
}

lf_status lf_model_meta_parse(const char *json, size_t len, const char *name, lf_model_meta *meta) {
  memset(meta, 0, sizeof *meta);
  if (!name) name = "(model)";
  cJSON *j = cJSON_ParseWithLength(json, len);
  lf_status st = LF_OK;
  if (!cJSON_IsObject(j)) {
    cJSON_Delete(j);
    return lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\" is not a JSON object", name);
  }
  const cJSON *labels = cJSON_GetObjectItemCaseSensitive(j, "labels"), *l;
  if (labels && !cJSON_IsArray(labels))
    st = lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\": \"labels\" is not an array", name);
  else if (cJSON_GetArraySize(labels) > LF_PREDICT_MAX_LABELS)
    st = lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\": %d labels (at most %d)", name, cJSON_GetArraySize(labels),
                  LF_PREDICT_MAX_LABELS);
  int i = 0;
  cJSON_ArrayForEach(l, labels) {
    if (st) break;
    if (!cJSON_IsString(l) || !l->valuestring[0] || strlen(l->valuestring) >= sizeof meta->labels[0])
      st = lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\": label %d is not a name (a string of 1 to %zu bytes)",
                    name, i, sizeof meta->labels[0] - 1);
    for (int k = 0; !st && k < meta->n_labels; k++)
      if (!strcmp(meta->labels[k], l->valuestring))
        st = lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\": label \"%s\" appears twice (%d and %d)", name,
                      l->valuestring, k, i);
    if (!st) snprintf(meta->labels[meta->n_labels++], sizeof meta->labels[0], "%s", l->valuestring);
    i++;
  }
  const cJSON *nz = cJSON_GetObjectItemCaseSensitive(j, "normalization");
  if (!st && nz) {
    const cJSON *mean = cJSON_GetObjectItemCaseSensitive(nz, "mean"), *std = cJSON_GetObjectItemCaseSensitive(nz, "std");
    int c = cJSON_GetArraySize(mean);
    if (!cJSON_IsObject(nz) || !cJSON_IsArray(mean) || !cJSON_IsArray(std) || c < 1 || c > 3 ||
        cJSON_GetArraySize(std) != c)
      st = lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\": \"normalization\" needs \"mean\" and \"std\" arrays of "
                    "1 to 3 numbers each, the same count", name);
    for (int k = 0; !st && k < c; k++) {
      const cJSON *a = cJSON_GetArrayItem(mean, k), *b = cJSON_GetArrayItem(std, k);
      if (!cJSON_IsNumber(a) || !isfinite(a->valuedouble) || fabs(a->valuedouble) > 1e6 || !cJSON_IsNumber(b) ||
          !(b->valuedouble > 1e-12 && b->valuedouble <= 1e6))
        st = lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\": normalization channel %d: mean must be finite and "
                      "std in (0, 1e6]", name, k);
      else meta->mean[k] = (float)a->valuedouble, meta->std[k] = (float)b->valuedouble;
    }
    if (!st) {
      for (int k = c; k < 3; k++) meta->mean[k] = meta->mean[c - 1], meta->std[k] = meta->std[c - 1];
      meta->has_norm = 1;
    }
  }
  cJSON_Delete(j);
  if (!st) st = check_oppoints(json, len, name, meta);
  if (st) memset(meta, 0, sizeof *meta);
  return st;
}

lf_status lf_model_meta_read(const lfrt_model *m, const char *name, lf_model_meta *meta) {
  memset(meta, 0, sizeof *meta);
  for (int i = 0; i < m->nmetadata; i++) {
    if (strcmp(m->metadata[i].name, "leapfrog")) continue;
    if (!m->metadata[i].data) return lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\" has no data", name);
    lf_status st = lf_model_meta_parse(m->metadata[i].data, m->metadata[i].bytes, name, meta);
    if (!st) meta->present = 1;
    return st;
  }
  return LF_OK;
}
