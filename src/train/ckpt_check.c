/* The schema of a checkpoint's leapfrog metadata (lf_ckpt_check_meta in
 * lf_checkpoint.h): every known key is checked before anything is built from
 * it, and an error names the key and the field. Tensors (dtype, finite
 * values) are checked as they are loaded (checkpoint.c). */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_convert.h"
#include "train/train_internal.h"

/* Every number anywhere in j finite; returns the first offending member name. */
static const char *first_nonfinite(const cJSON *j) {
  for (const cJSON *e = j ? j->child : NULL; e; e = e->next) {
    if (cJSON_IsNumber(e) && !isfinite(e->valuedouble)) return e->string ? e->string : "(array item)";
    const char *k = first_nonfinite(e);
    if (k) return k;
  }
  return NULL;
}

/* leapfrog.quant: {"method": "qat"|"ptq", "steps": N, "bn_lowering": "depthwise"|"mul-add", ...} */
static lf_status check_quant(const lf_st_file *f, const char *js) {
  cJSON *j = cJSON_Parse(js);
  lf_status st = LF_OK;
  const cJSON *b = cJSON_GetObjectItemCaseSensitive(j, "bn_lowering");
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "method");
  const cJSON *s = cJSON_GetObjectItemCaseSensitive(j, "steps");
  int v;
  if (!cJSON_IsObject(j)) st = lf_error(LF_EBADFILE, "%s: metadata leapfrog.quant is not a JSON object", f->path);
  else if (b && (!cJSON_IsString(b) || lf_bn_lowering_parse(b->valuestring, &v) != LF_OK))
    st = lf_error(LF_EBADFILE, "%s: metadata leapfrog.quant: \"bn_lowering\" is %s%s%s (known: depthwise, mul-add)",
                  f->path, cJSON_IsString(b) ? "\"" : "", cJSON_IsString(b) ? b->valuestring : "not a string",
                  cJSON_IsString(b) ? "\"" : "");
  else if (m && (!cJSON_IsString(m) || (strcmp(m->valuestring, "qat") && strcmp(m->valuestring, "ptq"))))
    st = lf_error(LF_EBADFILE, "%s: metadata leapfrog.quant: \"method\" must be \"qat\" or \"ptq\"", f->path);
  else if (s && (!cJSON_IsNumber(s) || !(s->valuedouble >= 0 && s->valuedouble <= 9e18)))
    st = lf_error(LF_EBADFILE, "%s: metadata leapfrog.quant: \"steps\" is not a count", f->path);
  else {
    const char *k = first_nonfinite(j);
    if (k) st = lf_error(LF_EBADFILE, "%s: metadata leapfrog.quant: \"%s\" is not a finite number", f->path, k);
  }
  cJSON_Delete(j);
  return st;
}

/* leapfrog.optim: kind one of sgd/adam/adamw, hyper-parameters finite and in range. */
static lf_status check_optim(const lf_st_file *f, const char *js) {
  cJSON *j = cJSON_Parse(js);
  lf_status st = LF_OK;
  if (!cJSON_IsObject(j)) {
    cJSON_Delete(j);
    return lf_error(LF_EBADFILE, "%s: metadata leapfrog.optim is not a JSON object", f->path);
  }
  const cJSON *k = cJSON_GetObjectItemCaseSensitive(j, "kind");
  if (!cJSON_IsString(k) || (strcmp(k->valuestring, "sgd") && strcmp(k->valuestring, "adam") &&
                             strcmp(k->valuestring, "adamw")))
    st = lf_error(LF_EBADFILE, "%s: metadata leapfrog.optim: \"kind\" must be \"sgd\", \"adam\" or \"adamw\"", f->path);
  static const struct {
    const char *key;
    double lo, hi;
  } num[] = {{"lr", 0, 1e6}, {"weight_decay", 0, 1e6}, {"momentum", 0, 1}, {"dampening", 0, 1},
             {"beta1", 0, 1}, {"beta2", 0, 1}, {"eps", 0, 1}, {"steps", 0, 9e18}};
  for (size_t i = 0; !st && i < sizeof num / sizeof num[0]; i++) {
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, num[i].key);
    if (x && (!cJSON_IsNumber(x) || !(x->valuedouble >= num[i].lo && x->valuedouble <= num[i].hi)))
      st = lf_error(LF_EBADFILE, "%s: metadata leapfrog.optim: \"%s\" must be a number in [%g, %g]", f->path,
                    num[i].key, num[i].lo, num[i].hi);
  }
  cJSON_Delete(j);
  return st;
}

/* "<path>: metadata <what>: <the callee's message>" (copied out first: the
 * error buffer is never formatted into itself). */
static lf_status wrap(lf_status st, const lf_st_file *f, const char *what) {
  char why[512];
  snprintf(why, sizeof why, "%s", lf_last_error());
  if (!what) return lf_error(st, "%s: metadata %s", f->path, why);
  return lf_error(st, "%s: metadata %s: %s", f->path, what, why);
}

lf_status lf_ckpt_check_meta(const lf_st_file *f) {
  lf_status st;
  const char *js;
  lf_model_config c;
  if ((js = lf_st_meta(f, "leapfrog.config")) && (st = lf_model_config_from_json(js, &c))) return wrap(st, f, "leapfrog.config");
  if ((js = lf_st_meta(f, "leapfrog.arch"))) {
    lf_arch a;
    if (lf_arch_parse(js, &a) != LF_OK)
      return lf_error(LF_EBADFILE, "%s: metadata leapfrog.arch \"%.40s\" is not a known architecture", f->path, js);
    if (lf_st_meta(f, "leapfrog.config") && a != c.arch)
      return lf_error(LF_EBADFILE, "%s: metadata leapfrog.arch \"%s\" disagrees with leapfrog.config (%s)", f->path, js,
                      lf_arch_name(c.arch));
  }
  if ((js = lf_st_meta(f, "leapfrog.quant")) && (st = check_quant(f, js))) return st;
  if ((js = lf_st_meta(f, "leapfrog.qranges"))) {
    lf_qranges r;
    lf_qranges_init(&r);
    st = lf_qranges_from_json(js, &r);
    lf_qranges_free(&r);
    if (st) return wrap(st, f, "leapfrog.qranges");
  }
  if ((js = lf_st_meta(f, "leapfrog.optim")) && (st = check_optim(f, js))) return st;
  if ((js = lf_st_meta(f, "leapfrog.train"))) {
    lf_train_state s;
    memset(&s, 0, sizeof s);
    if ((st = lf_train_state_from_json(js, &s))) return wrap(st, f, NULL); /* names leapfrog.train */
  }
  return LF_OK;
}
