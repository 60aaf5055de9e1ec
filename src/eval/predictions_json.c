/* Predictions JSON: {image: {label: p}} or the paper's {image: [[p, ...]]}. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_predictions.h"

void lf_predictions_free(lf_predictions *p) {
  if (!p) return;
  if (p->keys)
    for (size_t i = 0; i < p->n; i++) free(p->keys[i]);
  if (p->labels)
    for (int j = 0; j < p->k; j++) free(p->labels[j]);
  free(p->keys);
  free(p->labels);
  free(p->scores);
  *p = (lf_predictions){0};
}

lf_status lf_predictions_alloc(lf_predictions *p, size_t n, int k) {
  *p = (lf_predictions){0};
  /* (uint64_t): the bound must not shift past a 32-bit size_t (armv7) */
  if (k <= 0 || k > 4096 || (uint64_t)n > ((uint64_t)1 << 40) / (uint64_t)k || n > SIZE_MAX / sizeof(double) / (size_t)k)
    return lf_error(LF_EINVAL, "predictions: bad size %zu images x %d labels", n, k);
  p->n = n, p->k = k;
  p->keys = calloc(n ? n : 1, sizeof *p->keys);
  p->labels = calloc((size_t)k, sizeof *p->labels);
  p->scores = calloc(n * (size_t)k + 1, sizeof *p->scores);
  if (!p->keys || !p->labels || !p->scores) {
    lf_predictions_free(p);
    return lf_error(LF_ENOMEM, "predictions: out of memory for %zu images", n);
  }
  return LF_OK;
}

static size_t line_of(const char *data, const char *at) {
  size_t line = 1;
  for (const char *c = data; c < at; c++) line += *c == '\n';
  return line;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* One score: a JSON number that is finite and in [0, 1]. */
static lf_status get_score(const cJSON *v, const char *name, const char *key, const char *label, int j,
                           double *out) {
  char where[96];
  if (label) snprintf(where, sizeof where, "label \"%.60s\"", label);
  else snprintf(where, sizeof where, "score %d", j);
  if (!cJSON_IsNumber(v))
    return lf_error(LF_EBADFILE, "%s: image \"%.200s\": %s is not a number", name, key, where);
  double d = v->valuedouble;
  if (!isfinite(d)) return lf_error(LF_EBADFILE, "%s: image \"%.200s\": %s is not finite", name, key, where);
  if (d < 0 || d > 1)
    return lf_error(LF_EBADFILE, "%s: image \"%.200s\": %s = %g is not a probability in [0, 1]", name, key,
                    where, d);
  *out = d;
  return LF_OK;
}

static lf_status parse_tree(const cJSON *root, const char *name, lf_predictions *out) {
  if (!cJSON_IsObject(root))
    return lf_error(LF_EBADFILE, "%s: top level is not a JSON object {image: scores}", name);
  size_t n = 0;
  for (const cJSON *it = root->child; it; it = it->next) n++;
  if (n == 0) return lf_error(LF_EBADFILE, "%s: no images", name);
  /* the first image fixes the shape: named labels or an array of k scores */
  const cJSON *first = root->child;
  int named = cJSON_IsObject(first), k = 0;
  const cJSON *arr0 = first;
  if (!named) {
    if (!cJSON_IsArray(first))
      return lf_error(LF_EBADFILE, "%s: image \"%.200s\": scores are neither {label: p} nor [p, ...]", name,
                      first->string);
    if (cJSON_GetArraySize(first) == 1 && cJSON_IsArray(first->child)) arr0 = first->child;
  }
  for (const cJSON *c = named ? first->child : arr0->child; c; c = c->next) k++;
  if (k == 0) return lf_error(LF_EBADFILE, "%s: image \"%.200s\" has no scores", name, first->string);
  lf_status st = lf_predictions_alloc(out, n, k);
  if (st) return st;
  if (named) {
    int j = 0;
    for (const cJSON *c = first->child; c; c = c->next, j++)
      if (!(out->labels[j] = strdup(c->string))) goto oom;
    char **sorted = malloc((size_t)k * sizeof *sorted);
    if (!sorted) goto oom;
    memcpy(sorted, out->labels, (size_t)k * sizeof *sorted);
    qsort(sorted, (size_t)k, sizeof *sorted, cmp_str);
    for (int i = 1; i < k; i++)
      if (!strcmp(sorted[i], sorted[i - 1])) {
        st = lf_error(LF_EBADFILE, "%s: image \"%.200s\": label \"%.60s\" appears twice", name, first->string,
                      sorted[i]);
        free(sorted);
        goto fail;
      }
    free(sorted);
  } else {
    free(out->labels);
    out->labels = NULL;
  }
  size_t i = 0;
  for (const cJSON *it = root->child; it; it = it->next, i++) {
    const char *key = it->string;
    if (!(out->keys[i] = strdup(key))) goto oom;
    double *row = out->scores + i * (size_t)k;
    if (named) {
      if (!cJSON_IsObject(it)) {
        st = lf_error(LF_EBADFILE, "%s: image \"%.200s\": expected {label: p} like the first image", name, key);
        goto fail;
      }
      int cnt = 0;
      for (const cJSON *c = it->child; c; c = c->next) cnt++;
      for (int j = 0; j < k; j++) {
        const cJSON *v = NULL;
        for (const cJSON *c = it->child; c; c = c->next)
          if (!strcmp(c->string, out->labels[j])) {
            v = c;
            break;
          }
        if (!v) {
          st = lf_error(LF_EBADFILE, "%s: image \"%.200s\": label \"%.60s\" is missing", name, key, out->labels[j]);
          goto fail;
        }
        if ((st = get_score(v, name, key, out->labels[j], j, &row[j]))) goto fail;
      }
      if (cnt != k) {
        st = lf_error(LF_EBADFILE, "%s: image \"%.200s\": %d labels, the first image has %d (extra or repeated)",
                      name, key, cnt, k);
        goto fail;
      }
    } else {
      const cJSON *a = it;
      if (cJSON_IsArray(a) && cJSON_GetArraySize(a) == 1 && cJSON_IsArray(a->child)) a = a->child;
      if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != k) {
        st = lf_error(LF_EBADFILE, "%s: image \"%.200s\": expected an array of %d scores like the first image", name,
                      key, k);
        goto fail;
      }
      int j = 0;
      for (const cJSON *c = a->child; c; c = c->next, j++)
        if ((st = get_score(c, name, key, NULL, j, &row[j]))) goto fail;
    }
  }
  /* duplicate image keys (cJSON keeps both) */
  char **sorted = malloc(n * sizeof *sorted);
  if (!sorted) goto oom;
  memcpy(sorted, out->keys, n * sizeof *sorted);
  qsort(sorted, n, sizeof *sorted, cmp_str);
  for (size_t a = 1; a < n; a++)
    if (!strcmp(sorted[a], sorted[a - 1])) {
      st = lf_error(LF_EBADFILE, "%s: image \"%.200s\" appears more than once", name, sorted[a]);
      free(sorted);
      goto fail;
    }
  free(sorted);
  return LF_OK;
oom:
  st = lf_error(LF_ENOMEM, "%s: out of memory", name);
fail:
  lf_predictions_free(out);
  return st;
}

lf_status lf_predictions_parse_json(const char *data, size_t len, const char *name, lf_predictions *out) {
  if (!out) return lf_error(LF_EINVAL, "predictions: NULL output");
  *out = (lf_predictions){0};
  if (!name) name = "predictions";
  if (!data) return lf_error(LF_EINVAL, "%s: NULL data", name);
  if (memchr(data, 0, len)) return lf_error(LF_EBADFILE, "%s: contains a NUL byte (not a JSON text)", name);
  size_t skip = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0; /* UTF-8 BOM */
  const char *end = NULL;
  cJSON *root = cJSON_ParseWithLengthOpts(data + skip, len - skip, &end, 0);
  if (!root) {
    const char *at = end && end >= data && end <= data + len ? end : data + skip;
    size_t left = (size_t)(data + len - at);
    const char *why = "malformed JSON";
    /* Python's json.dump writes NaN/Infinity, which JSON does not have */
    for (const char *w = at; w < data + len && w < at + 16; w++)
      if ((size_t)(data + len - w) >= 3 && (!strncmp(w, "NaN", 3) || !strncmp(w, "Inf", 3) || !strncmp(w, "nan", 3))) {
        why = "NaN/Infinity is not a valid score (and not JSON)";
        break;
      }
    return lf_error(LF_EBADFILE, "%s:%zu: %s near \"%.*s\"", name, line_of(data, at), why, (int)(left < 24 ? left : 24),
                    at);
  }
  for (const char *c = end; c && c < data + len; c++)
    if (*c != ' ' && *c != '\n' && *c != '\r' && *c != '\t') {
      cJSON_Delete(root);
      return lf_error(LF_EBADFILE, "%s:%zu: text after the JSON object", name, line_of(data, c));
    }
  lf_status st = parse_tree(root, name, out);
  cJSON_Delete(root);
  return st;
}

lf_status lf_predictions_read_json(const char *path, lf_predictions *out) {
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(path, (size_t)1 << 30, &data, &len);
  if (st) return st;
  st = lf_predictions_parse_json((const char *)data, len, path, out);
  free(data);
  return st;
}

/* JSON string literal of s (UTF-8 passed through). */
static void put_json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
    if (*c == '"' || *c == '\\') fputc('\\', f), fputc(*c, f);
    else if (*c == '\n') fputs("\\n", f);
    else if (*c == '\t') fputs("\\t", f);
    else if (*c < 0x20) fprintf(f, "\\u%04x", *c);
    else fputc(*c, f);
  }
  fputc('"', f);
}

lf_status lf_predictions_write_json(const char *path, const lf_predictions *p) {
  if (!p || !p->labels || p->k <= 0 || (p->n && (!p->keys || !p->scores)))
    return lf_error(LF_EINVAL, "%s: predictions need keys, labels and scores", path);
  for (size_t i = 0; i < p->n * (size_t)p->k; i++)
    if (!(p->scores[i] >= 0 && p->scores[i] <= 1))
      return lf_error(LF_EINVAL, "%s: image \"%.200s\": score %d = %g is not a probability", path,
                      p->keys[i / (size_t)p->k], (int)(i % (size_t)p->k), p->scores[i]);
  lf_atomic_file af;
  lf_status st = lf_atomic_open(&af, path);
  if (st) return st;
  fputs("{\n", af.f);
  for (size_t i = 0; i < p->n; i++) {
    fputs("  ", af.f);
    put_json_string(af.f, p->keys[i] ? p->keys[i] : "");
    fputs(": {", af.f);
    for (int j = 0; j < p->k; j++) {
      if (j) fputs(", ", af.f);
      put_json_string(af.f, p->labels[j] ? p->labels[j] : "");
      fprintf(af.f, ": %.9g", p->scores[i * (size_t)p->k + (size_t)j]);
    }
    fputs(i + 1 < p->n ? "},\n" : "}\n", af.f);
  }
  fputs("}\n", af.f);
  if (ferror(af.f)) {
    lf_atomic_abort(&af);
    return lf_error(LF_EIO, "%s: write failed", path);
  }
  return lf_atomic_commit(&af);
}

int lf_predictions_sniff(const char *data, size_t len) {
  size_t i = len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3) ? 3 : 0;
  while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t')) i++;
  if (i == len) return 0;
  return data[i] == '{' ? 'j' : 'c';
}
