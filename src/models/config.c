/* Model configurations: defaults, range checks, JSON (for checkpoint metadata). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_models.h"

lf_status lf_arch_parse(const char *s, lf_arch *out) {
  if (s && (!strcmp(s, "densenet121") || !strcmp(s, "densenet"))) *out = LF_ARCH_DENSENET;
  else if (s && !strcmp(s, "unet")) *out = LF_ARCH_UNET;
  else return lf_error(LF_EINVAL, "unknown architecture '%s' (densenet121 or unet)", s ? s : "");
  return LF_OK;
}

const char *lf_arch_name(lf_arch a) { return a == LF_ARCH_UNET ? "unet" : "densenet121"; }

lf_model_config lf_model_defaults(lf_arch a) {
  lf_model_config c;
  memset(&c, 0, sizeof c);
  c.arch = a;
  c.growth = 32;
  c.n_blocks = 4;
  c.blocks[0] = 6, c.blocks[1] = 12, c.blocks[2] = 24, c.blocks[3] = 16;
  c.init_features = 64;
  c.bn_size = 4;
  c.compression = 0.5f;
  c.width = 32;
  c.depth = 4;
  c.transposed = 0;
  if (a == LF_ARCH_DENSENET) {
    c.in_h = c.in_w = 224;
    c.in_c = 3;
    c.classes = 14;
    c.dropout = 0;
  } else {
    c.in_h = 80;
    c.in_w = 112;
    c.in_c = 1;
    c.classes = 1;
    c.dropout = 0.5f;
  }
  return c;
}

lf_status lf_parse_blocks(const char *s, lf_model_config *c) {
  int n = 0;
  const char *p = s;
  while (p && *p) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p || v < 1 || v > 256 || n == LF_MAX_BLOCKS)
      return lf_error(LF_EINVAL, "bad --blocks '%s' (1 to %d comma-separated counts, each 1..256)", s, LF_MAX_BLOCKS);
    c->blocks[n++] = (int)v;
    p = *end == ',' ? end + 1 : end;
    if (*end && *end != ',') return lf_error(LF_EINVAL, "bad --blocks '%s'", s);
  }
  if (!n) return lf_error(LF_EINVAL, "empty --blocks");
  c->n_blocks = n;
  return LF_OK;
}

lf_status lf_model_config_check(const lf_model_config *c) {
  if (c->in_h < 1 || c->in_w < 1 || c->in_h > 4096 || c->in_w > 4096 || c->in_c < 1 || c->in_c > 64)
    return lf_error(LF_EINVAL, "model: input size %dx%dx%d out of range", c->in_h, c->in_w, c->in_c);
  if (c->classes < 1 || c->classes > 4096) return lf_error(LF_EINVAL, "model: %d classes out of range", c->classes);
  if (c->arch == LF_ARCH_DENSENET) {
    if (c->growth < 1 || c->growth > 512 || c->init_features < 1 || c->init_features > 2048 || c->bn_size < 1 ||
        c->bn_size > 16 || c->n_blocks < 1 || c->n_blocks > LF_MAX_BLOCKS || !(c->compression > 0 && c->compression <= 1))
      return lf_error(LF_EINVAL, "model: densenet knobs out of range");
    int div = 4 << (c->n_blocks - 1); /* stem /4, then a /2 transition between blocks */
    if (c->in_h < div || c->in_w < div)
      return lf_error(LF_EINVAL, "model: densenet input %dx%d is smaller than its total stride %d", c->in_h, c->in_w, div);
    for (int b = 0; b < c->n_blocks; b++)
      if (c->blocks[b] < 1 || c->blocks[b] > 256) return lf_error(LF_EINVAL, "model: block %d has %d layers", b + 1, c->blocks[b]);
  } else if (c->arch == LF_ARCH_UNET) {
    if (c->width < 1 || c->width > 256 || c->depth < 1 || c->depth > 6 || !(c->dropout >= 0 && c->dropout < 1))
      return lf_error(LF_EINVAL, "model: unet knobs out of range (width 1..256, depth 1..6, dropout [0,1))");
    int div = 1 << c->depth;
    if (c->in_h % div || c->in_w % div)
      return lf_error(LF_EINVAL, "model: unet input %dx%d must be divisible by 2^depth = %d", c->in_h, c->in_w, div);
  } else {
    return lf_error(LF_EINVAL, "model: unknown arch %d", (int)c->arch);
  }
  return LF_OK;
}

char *lf_model_config_to_json(const lf_model_config *c) {
  cJSON *j = cJSON_CreateObject();
  if (!j) return NULL;
  cJSON_AddStringToObject(j, "arch", lf_arch_name(c->arch));
  cJSON_AddNumberToObject(j, "in_h", c->in_h);
  cJSON_AddNumberToObject(j, "in_w", c->in_w);
  cJSON_AddNumberToObject(j, "in_c", c->in_c);
  cJSON_AddNumberToObject(j, "classes", c->classes);
  if (c->arch == LF_ARCH_DENSENET) {
    cJSON_AddNumberToObject(j, "growth", c->growth);
    cJSON *b = cJSON_AddArrayToObject(j, "blocks");
    for (int i = 0; b && i < c->n_blocks; i++) cJSON_AddItemToArray(b, cJSON_CreateNumber(c->blocks[i]));
    cJSON_AddNumberToObject(j, "init_features", c->init_features);
    cJSON_AddNumberToObject(j, "bn_size", c->bn_size);
    cJSON_AddNumberToObject(j, "compression", c->compression);
  } else {
    cJSON_AddNumberToObject(j, "width", c->width);
    cJSON_AddNumberToObject(j, "depth", c->depth);
    cJSON_AddBoolToObject(j, "transposed", c->transposed);
    cJSON_AddNumberToObject(j, "dropout", c->dropout);
  }
  char *s = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return s;
}

/* An optional whole number within +-1e6 (lf_model_config_check then applies
 * the real ranges); *bad names the first offending key. */
static int get_int(const cJSON *j, const char *k, int *v, const char **bad) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
  if (!x) return 1;
  if (!cJSON_IsNumber(x) || !(x->valuedouble >= -1e6 && x->valuedouble <= 1e6) || x->valuedouble != floor(x->valuedouble)) {
    if (!*bad) *bad = k;
    return 0;
  }
  *v = (int)x->valuedouble;
  return 1;
}

static int get_float(const cJSON *j, const char *k, float *v, const char **bad) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
  if (!x) return 1;
  if (!cJSON_IsNumber(x) || !isfinite(x->valuedouble) || fabs(x->valuedouble) > 1e6) {
    if (!*bad) *bad = k;
    return 0;
  }
  *v = (float)x->valuedouble;
  return 1;
}

lf_status lf_model_config_from_json(const char *json, lf_model_config *c) {
  cJSON *j = cJSON_Parse(json);
  if (!j || !cJSON_IsObject(j)) {
    cJSON_Delete(j);
    return lf_error(LF_EBADFILE, "model config: not a JSON object");
  }
  lf_status st = LF_OK;
  const cJSON *a = cJSON_GetObjectItemCaseSensitive(j, "arch");
  lf_arch arch;
  if (!cJSON_IsString(a) || lf_arch_parse(a->valuestring, &arch)) {
    cJSON_Delete(j);
    return lf_error(LF_EBADFILE, "model config: missing or unknown \"arch\"");
  }
  *c = lf_model_defaults(arch);
  const char *bad = NULL;
  int ok = get_int(j, "in_h", &c->in_h, &bad) & get_int(j, "in_w", &c->in_w, &bad) &
           get_int(j, "in_c", &c->in_c, &bad) & get_int(j, "classes", &c->classes, &bad) &
           get_int(j, "growth", &c->growth, &bad) & get_int(j, "init_features", &c->init_features, &bad) &
           get_int(j, "bn_size", &c->bn_size, &bad) & get_int(j, "width", &c->width, &bad) &
           get_int(j, "depth", &c->depth, &bad) & get_float(j, "compression", &c->compression, &bad) &
           get_float(j, "dropout", &c->dropout, &bad);
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, "transposed");
  if (x && !cJSON_IsBool(x)) ok = 0, bad = bad ? bad : "transposed";
  if (x) c->transposed = cJSON_IsTrue(x);
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "blocks");
  if (b) {
    int n = cJSON_GetArraySize(b);
    if (!cJSON_IsArray(b) || n < 1 || n > LF_MAX_BLOCKS) ok = 0, bad = bad ? bad : "blocks";
    else {
      c->n_blocks = n;
      int i = 0;
      for (const cJSON *e = b->child; e; e = e->next, i++) {
        if (!cJSON_IsNumber(e) || !(e->valuedouble >= 1 && e->valuedouble <= 256) || e->valuedouble != floor(e->valuedouble))
          ok = 0, bad = bad ? bad : "blocks";
        else c->blocks[i] = (int)e->valuedouble;
      }
    }
  }
  cJSON_Delete(j);
  if (!ok) return lf_error(LF_EBADFILE, "model config: \"%s\" has the wrong type or range", bad ? bad : "?");
  st = lf_model_config_check(c);
  return st;
}
