/* Trainer state <-> JSON ("leapfrog.train" metadata) and the JSONL epoch log. */
#include "train/train_internal.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_fileio.h"

static void add_num(cJSON *j, const char *k, double v) {
  if (isfinite(v)) cJSON_AddNumberToObject(j, k, v);
  else cJSON_AddNullToObject(j, k);
}

char *lf_train_state_to_json(const lf_train_state *s) {
  cJSON *j = cJSON_CreateObject();
  if (!j) return NULL;
  cJSON_AddNumberToObject(j, "epoch", s->epoch);
  cJSON_AddNumberToObject(j, "batch", s->batch);
  cJSON_AddNumberToObject(j, "step", (double)s->step);
  char hex[20];
  cJSON *r = cJSON_AddArrayToObject(j, "rng");
  for (int i = 0; r && i < 4; i++) {
    snprintf(hex, sizeof hex, "%016" PRIx64, s->rng.s[i]);
    cJSON_AddItemToArray(r, cJSON_CreateString(hex));
  }
  snprintf(hex, sizeof hex, "%016" PRIx64, s->seed);
  cJSON_AddStringToObject(j, "seed", hex);
  add_num(j, "best", s->best);
  cJSON_AddNumberToObject(j, "best_epoch", s->best_epoch);
  add_num(j, "base_lr", s->base_lr);
  add_num(j, "lr", s->lr);
  /* doubles that must round-trip exactly are stored as hex bit patterns */
  uint64_t bits;
  memcpy(&bits, &s->loss_sum, 8);
  snprintf(hex, sizeof hex, "%016" PRIx64, bits);
  cJSON_AddStringToObject(j, "loss_sum_bits", hex);
  cJSON_AddNumberToObject(j, "loss_n", s->loss_n);
  cJSON *p = cJSON_AddObjectToObject(j, "plateau");
  if (p) {
    memcpy(&bits, &s->plateau.best, 8);
    snprintf(hex, sizeof hex, "%016" PRIx64, bits);
    cJSON_AddStringToObject(p, "best_bits", hex);
    cJSON_AddNumberToObject(p, "num_bad_epochs", s->plateau.num_bad_epochs);
    cJSON_AddNumberToObject(p, "cooldown_counter", s->plateau.cooldown_counter);
    cJSON_AddNumberToObject(p, "last_epoch", s->plateau.last_epoch);
  }
  cJSON *e = cJSON_AddObjectToObject(j, "early");
  if (e) {
    memcpy(&bits, &s->early.best, 8);
    snprintf(hex, sizeof hex, "%016" PRIx64, bits);
    cJSON_AddStringToObject(e, "best_bits", hex);
    cJSON_AddNumberToObject(e, "best_epoch", s->early.best_epoch);
    cJSON_AddNumberToObject(e, "bad_epochs", s->early.bad_epochs);
  }
  char *out = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  return out;
}

static int get_hex(const cJSON *j, const char *k, uint64_t *v) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
  if (!cJSON_IsString(x)) return 0;
  char *end;
  *v = strtoull(x->valuestring, &end, 16);
  return *end == 0 && end != x->valuestring;
}

/* A whole number in [INT_MIN, INT_MAX] (a hostile file may hold 3e16 or NaN;
 * converting those to int would be undefined). */
static int get_int(const cJSON *j, const char *k, int *out) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
  if (!cJSON_IsNumber(x)) return 0;
  double v = x->valuedouble;
  if (!(v >= INT_MIN && v <= INT_MAX) || v != floor(v)) return 0;
  *out = (int)v;
  return 1;
}

static int get_num(const cJSON *j, const char *k, double *v) {
  const cJSON *x = cJSON_GetObjectItemCaseSensitive(j, k);
  if (cJSON_IsNull(x)) {
    *v = NAN;
    return 1;
  }
  if (!cJSON_IsNumber(x)) return 0;
  *v = x->valuedouble;
  return 1;
}

lf_status lf_train_state_from_json(const char *json, lf_train_state *s) {
  cJSON *j = cJSON_Parse(json);
  if (!j) return lf_error(LF_EBADFILE, "leapfrog.train: not JSON");
  double st = 0, bl = 0, lr = 0;
  int ep = 0, b = 0, be = 0, ln = 0;
  uint64_t bits = 0;
  int ok = get_int(j, "epoch", &ep) && get_int(j, "batch", &b) && get_num(j, "step", &st) &&
           get_num(j, "best", &s->best) && get_int(j, "best_epoch", &be) && get_num(j, "base_lr", &bl) &&
           get_num(j, "lr", &lr) && get_int(j, "loss_n", &ln) && get_hex(j, "seed", &s->seed) &&
           get_hex(j, "loss_sum_bits", &bits);
  /* step is an int64 count; learning rates must fit a float */
  ok = ok && st >= 0 && st <= 9.0e18 && st == floor(st) && !(fabs(bl) > FLT_MAX) && !(fabs(lr) > FLT_MAX);
  if (ok) memcpy(&s->loss_sum, &bits, 8);
  const cJSON *r = cJSON_GetObjectItemCaseSensitive(j, "rng");
  ok = ok && cJSON_GetArraySize(r) == 4;
  int i = 0;
  for (const cJSON *x = r ? r->child : NULL; ok && x; x = x->next, i++) {
    char *end;
    if (!cJSON_IsString(x)) ok = 0;
    else s->rng.s[i] = strtoull(x->valuestring, &end, 16);
  }
  const cJSON *p = cJSON_GetObjectItemCaseSensitive(j, "plateau");
  if (ok && p) {
    ok = get_hex(p, "best_bits", &bits);
    memcpy(&s->plateau.best, &bits, 8);
    ok = ok && get_int(p, "num_bad_epochs", &s->plateau.num_bad_epochs) &&
         get_int(p, "cooldown_counter", &s->plateau.cooldown_counter) && get_int(p, "last_epoch", &s->plateau.last_epoch);
  }
  const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "early");
  if (ok && e) {
    ok = get_hex(e, "best_bits", &bits);
    memcpy(&s->early.best, &bits, 8);
    ok = ok && get_int(e, "best_epoch", &s->early.best_epoch) && get_int(e, "bad_epochs", &s->early.bad_epochs);
  }
  cJSON_Delete(j);
  if (!ok) return lf_error(LF_EBADFILE, "leapfrog.train: missing or malformed fields");
  /* counters are counts, rates are finite: a hostile state must not steer the
   * resume loop (the trainer also checks batch against its epoch's batches) */
  const char *bad = ep < 0 ? "epoch" : b < 0 ? "batch" : ln < 0 ? "loss_n" : be < -1 ? "best_epoch"
                    : !(isfinite(bl) && bl > 0) ? "base_lr" : !(isfinite(lr) && lr >= 0) ? "lr"
                    : isinf(s->best) ? "best" : NULL;
  if (bad) return lf_error(LF_EBADFILE, "leapfrog.train: \"%s\" is out of range", bad);
  s->epoch = ep;
  s->batch = b;
  s->step = (int64_t)st;
  s->best_epoch = be;
  s->base_lr = (float)bl;
  s->lr = (float)lr;
  s->loss_n = ln;
  return LF_OK;
}

/* ---- JSONL log: kept in memory, rewritten atomically after each epoch ---- */
void lf_train_log_init(lf_train_log *l, const char *path) {
  memset(l, 0, sizeof *l);
  l->path = path;
}

static lf_status log_append_raw(lf_train_log *l, const char *line) {
  size_t n = strlen(line);
  if (l->len + n + 2 > l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 4096;
    while (cap < l->len + n + 2) cap *= 2;
    char *b = realloc(l->buf, cap);
    if (!b) return lf_error(LF_ENOMEM, "%s: out of memory", l->path);
    l->buf = b;
    l->cap = cap;
  }
  memcpy(l->buf + l->len, line, n);
  l->len += n;
  l->buf[l->len++] = '\n';
  l->buf[l->len] = 0;
  return LF_OK;
}

lf_status lf_train_log_load(lf_train_log *l, int max_epoch) {
  unsigned char *data;
  size_t len;
  if (lf_read_file(l->path, 0, &data, &len)) return LF_OK; /* no log yet */
  char *save = NULL;
  lf_status st = LF_OK;
  for (char *line = strtok_r((char *)data, "\n", &save); line && !st; line = strtok_r(NULL, "\n", &save)) {
    cJSON *j = cJSON_Parse(line);
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "epoch");
    if (cJSON_IsNumber(e) && e->valuedouble <= max_epoch) st = log_append_raw(l, line);
    cJSON_Delete(j);
  }
  free(data);
  return st;
}

lf_status lf_train_log_add(lf_train_log *l, const char *json_line) {
  lf_status st = log_append_raw(l, json_line);
  if (st) return st;
  return lf_write_file_atomic(l->path, l->buf, l->len);
}

void lf_train_log_free(lf_train_log *l) {
  free(l->buf);
  memset(l, 0, sizeof *l);
}
