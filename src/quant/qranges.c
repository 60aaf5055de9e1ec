/* Named activation ranges (QAT / PTQ -> converter), with JSON I/O for the
 * checkpoint metadata. */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_convert.h"

/* Ranges read from a file beyond this magnitude are refused (an activation of
 * a normalised image network beyond 1e6 is a corrupt or hostile file). */
#define LF_QRANGE_MAX 1e6

void lf_qranges_init(lf_qranges *r) { memset(r, 0, sizeof *r); }
void lf_qranges_free(lf_qranges *r) {
  if (!r) return;
  free(r->v);
  memset(r, 0, sizeof *r);
}

const lf_qrange *lf_qranges_find(const lf_qranges *r, const char *name) {
  for (int i = 0; i < r->n; i++)
    if (!strcmp(r->v[i].name, name)) return &r->v[i];
  return NULL;
}

lf_status lf_qranges_set(lf_qranges *r, const char *name, float min, float max) {
  if (!name || strlen(name) >= sizeof r->v[0].name)
    return lf_error(LF_EINVAL, "qranges: bad name");
  if (!isfinite(min) || !isfinite(max) || min > max)
    return lf_error(LF_EINVAL, "qranges: %s: bad range [%g,%g]", name, (double)min, (double)max);
  lf_qrange *e = (lf_qrange *)lf_qranges_find(r, name);
  if (!e) {
    if (r->n == r->cap) {
      int nc = r->cap ? r->cap * 2 : 64;
      lf_qrange *v = realloc(r->v, sizeof *v * (size_t)nc);
      if (!v) return lf_error(LF_ENOMEM, "qranges: out of memory");
      r->v = v;
      r->cap = nc;
    }
    e = &r->v[r->n++];
    snprintf(e->name, sizeof e->name, "%s", name);
  }
  e->min = min;
  e->max = max;
  return LF_OK;
}

lf_status lf_qranges_to_json(const lf_qranges *r, char **json) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return lf_error(LF_ENOMEM, "qranges: out of memory");
  for (int i = 0; i < r->n; i++) {
    cJSON *a = cJSON_CreateArray();
    if (!a || !cJSON_AddItemToObject(o, r->v[i].name, a)) {
      cJSON_Delete(a);
      cJSON_Delete(o);
      return lf_error(LF_ENOMEM, "qranges: out of memory");
    }
    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)r->v[i].min));
    cJSON_AddItemToArray(a, cJSON_CreateNumber((double)r->v[i].max));
  }
  *json = cJSON_PrintUnformatted(o);
  cJSON_Delete(o);
  return *json ? LF_OK : lf_error(LF_ENOMEM, "qranges: out of memory");
}

lf_status lf_qranges_from_json(const char *json, lf_qranges *r) {
  cJSON *o = cJSON_Parse(json ? json : "");
  if (!o || !cJSON_IsObject(o)) {
    cJSON_Delete(o);
    return lf_error(LF_EBADFILE, "qranges: not a JSON object");
  }
  lf_status st = LF_OK;
  for (cJSON *it = o->child; it && st == LF_OK; it = it->next) {
    if (!cJSON_IsArray(it) || cJSON_GetArraySize(it) != 2 || !cJSON_IsNumber(cJSON_GetArrayItem(it, 0)) ||
        !cJSON_IsNumber(cJSON_GetArrayItem(it, 1))) {
      st = lf_error(LF_EBADFILE, "qranges: entry '%s' is not [min, max]", it->string ? it->string : "");
      break;
    }
    /* a file's range must be usable for int8: finite, min < max, within
     * +-LF_QRANGE_MAX (wider gives scales no requantization can express) */
    double mn = cJSON_GetArrayItem(it, 0)->valuedouble, mx = cJSON_GetArrayItem(it, 1)->valuedouble;
    int wide = !(mn >= -LF_QRANGE_MAX && mn <= LF_QRANGE_MAX && mx >= -LF_QRANGE_MAX && mx <= LF_QRANGE_MAX);
    if (wide || !((float)mn < (float)mx)) { /* compared as the floats kept */
      st = lf_error(LF_EBADFILE, "qranges: entry '%s': range [%g, %g] is %s", it->string ? it->string : "", mn, mx,
                    wide ? "beyond +-1e6 (not an activation range)" : "empty or reversed (min must be < max)");
      break;
    }
    st = lf_qranges_set(r, it->string, (float)mn, (float)mx);
  }
  cJSON_Delete(o);
  return st;
}
