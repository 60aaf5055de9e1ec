/* Operating points as JSON: {label: threshold} alone, or under
 * "operating_points" (score's metrics.json, a model's "leapfrog" metadata).
 * See lf_oppoints.h. Also in the device build (model_meta.c validates with it). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_oppoints.h"

/* One {label: threshold} object into ops; LF_EBADFILE naming `name` and the key. */
static lf_status parse_object(const cJSON *obj, const char *name, const char *where, lf_oppoints *ops) {
  memset(ops, 0, sizeof *ops);
  if (!cJSON_IsObject(obj))
    return lf_error(LF_EBADFILE, "%s: %s is not a JSON object {label: threshold}", name, where);
  const cJSON *e;
  cJSON_ArrayForEach(e, obj) {
    const char *k = e->string ? e->string : "";
    if (!k[0] || strlen(k) >= sizeof ops->label[0])
      return lf_error(LF_EBADFILE, "%s: %s: label \"%.63s\" is not a name of 1 to %zu bytes", name, where, k,
                      sizeof ops->label[0] - 1);
    if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) || !(e->valuedouble > 0 && e->valuedouble < 1))
      return lf_error(LF_EBADFILE, "%s: %s: \"%s\" must be a threshold in (0, 1) (a probability), not %s", name,
                      where, k, cJSON_IsNumber(e) ? "a number outside it" : "a non-number");
    for (int i = 0; i < ops->n; i++)
      if (!strcmp(ops->label[i], k)) return lf_error(LF_EBADFILE, "%s: %s: \"%s\" appears twice", name, where, k);
    if (ops->n == LF_OPPOINTS_MAX)
      return lf_error(LF_EBADFILE, "%s: %s: more than %d operating points", name, where, LF_OPPOINTS_MAX);
    snprintf(ops->label[ops->n], sizeof ops->label[0], "%s", k);
    ops->threshold[ops->n++] = e->valuedouble;
  }
  return LF_OK;
}

/* Parses json; *root is the document (cJSON_Delete it). */
static lf_status parse_doc(const char *json, size_t len, const char *name, cJSON **root) {
  const char *end = NULL;
  *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
  if (!*root) {
    size_t at = end && end >= json && end <= json + len ? (size_t)(end - json) : 0;
    const char *r = json + at;
    size_t left = len - at; /* the buffer need not end in a NUL: compare only the bytes there */
    int nonnum = (left >= 3 && (!memcmp(r, "NaN", 3) || !memcmp(r, "Inf", 3))) || (left >= 4 && !memcmp(r, "-Inf", 4));
    return lf_error(LF_EBADFILE, "%s: not JSON (error near byte %zu%s)", name, at,
                    nonnum ? ": NaN and Infinity are not JSON numbers" : "");
  }
  if (!cJSON_IsObject(*root)) {
    cJSON_Delete(*root);
    *root = NULL;
    return lf_error(LF_EBADFILE, "%s: not a JSON object", name);
  }
  return LF_OK;
}

/* The first member of obj that is not a number, or NULL. */
static const cJSON *first_non_number(const cJSON *obj) {
  const cJSON *e;
  cJSON_ArrayForEach(e, obj) if (!cJSON_IsNumber(e)) return e;
  return NULL;
}

lf_status lf_oppoints_parse(const char *json, size_t len, const char *name, lf_oppoints *ops) {
  memset(ops, 0, sizeof *ops);
  cJSON *root;
  lf_status st = parse_doc(json, len, name, &root);
  if (st) return st;
  const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "operating_points"), *bad;
  if (op) st = parse_object(op, name, "\"operating_points\"", ops);
  else if ((bad = first_non_number(root)))
    st = lf_error(LF_EBADFILE, "%s: no \"operating_points\" object (`leapfrog score --choose-operating-points "
                  "METHOD --out FILE` writes one), and not a {label: threshold} object (\"%.63s\" is not a number)",
                  name, bad->string ? bad->string : "");
  else st = parse_object(root, name, "the top-level object", ops);
  cJSON_Delete(root);
  if (!st && ops->n == 0) st = lf_error(LF_EBADFILE, "%s: no operating points in it", name);
  return st;
}

lf_status lf_oppoints_read_file(const char *path, lf_oppoints *ops) {
  memset(ops, 0, sizeof *ops);
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(path, (size_t)16 << 20, &data, &len);
  if (st) return st;
  st = lf_oppoints_parse((const char *)data, len, path, ops);
  free(data);
  return st;
}

lf_status lf_oppoints_from_meta(const char *json, size_t len, const char *name, lf_oppoints *ops) {
  memset(ops, 0, sizeof *ops);
  cJSON *root;
  lf_status st = parse_doc(json, len, name, &root);
  if (st) return st;
  const cJSON *op = cJSON_GetObjectItemCaseSensitive(root, "operating_points");
  if (op) st = parse_object(op, name, "metadata \"leapfrog\": \"operating_points\"", ops);
  cJSON_Delete(root);
  return st;
}

lf_status lf_oppoints_check_labels(const lf_oppoints *ops, const char *const *labels, int n_labels, const char *name) {
  for (int i = 0; i < ops->n; i++) {
    int k = 0;
    while (k < n_labels && !(labels[k] && !strcmp(labels[k], ops->label[i]))) k++;
    if (k < n_labels) continue;
    char list[400] = "";
    for (int j = 0; j < n_labels && strlen(list) + 70 < sizeof list; j++)
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", j ? ", " : "", labels[j] ? labels[j] : "");
    return lf_error(LF_EINVAL, "%s: operating point \"%s\" is not one of the model's %d labels (%s%s)", name,
                    ops->label[i], n_labels, list, n_labels && strlen(list) + 70 >= sizeof list ? ", ..." : "");
  }
  return LF_OK;
}
