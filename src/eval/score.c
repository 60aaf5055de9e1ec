/* `leapfrog score`: open the dataset, make the split, match predictions to its
 * images by basename, dispatch to the task's metrics, write metrics.json. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eval/score_internal.h"
#include "leapfrog/lf_fileio.h"

void lf_score_opts_default(lf_score_opts *o) {
  memset(o, 0, sizeof *o);
  o->split = LF_SPLIT_TEST;
  lf_split_opts_default(&o->split_opts);
  o->n_bootstrap = 1000;
  o->seed = 1;
  o->threshold = 0.5;
  o->target_sensitivity = 0.9;
}

cJSON *lf_json_num(double v) {
  if (!isfinite(v)) return cJSON_CreateNull();
  char buf[40];
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  return cJSON_CreateRaw(buf);
}

/* Appends to a bounded message buffer. */
static void cat(char *buf, size_t cap, const char *fmt, const char *a, const char *b) {
  size_t l = strlen(buf);
  if (l + 1 < cap) snprintf(buf + l, cap - l, fmt, a, b);
}

lf_status lf_score_match(const lf_dataset *ds, lf_split split, char *const *keys, size_t n_keys,
                         const char *pred_name, size_t **sel_out, size_t **row_out, size_t *n_sel) {
  *sel_out = *row_out = NULL;
  *n_sel = 0;
  size_t m = lf_dataset_select(ds, split, NULL);
  size_t *sel = malloc((m ? m : 1) * sizeof *sel), *row = malloc((m ? m : 1) * sizeof *row);
  size_t n_unlabelled = 0;
  size_t *pos = malloc((ds->n ? ds->n : 1) * sizeof *pos); /* sample -> slot in sel, or SIZE_MAX */
  size_t *hit = calloc(m ? m : 1, sizeof *hit);            /* how many keys matched each slot (+1 = row) */
  if (!sel || !row || !pos || !hit) {
    free(sel), free(row), free(pos), free(hit);
    return lf_error(LF_ENOMEM, "score: out of memory");
  }
  lf_dataset_select(ds, split, sel);
  if (split == LF_SPLIT_ALL) { /* no ground truth to score: Kaggle's test/ images */
    size_t k = 0;
    for (size_t j = 0; j < m; j++)
      if (ds->samples[sel[j]].split != LF_SPLIT_UNLABELLED) sel[k++] = sel[j];
    n_unlabelled = m - k, m = k;
  }
  for (size_t i = 0; i < ds->n; i++) pos[i] = SIZE_MAX;
  for (size_t j = 0; j < m; j++) pos[sel[j]] = j;
  char extra[640] = "", dup[320] = "";
  size_t n_extra = 0, n_dup = 0;
  for (size_t r = 0; r < n_keys; r++) {
    const lf_sample *s = lf_dataset_find(ds, keys[r]);
    size_t slot = s ? pos[s - ds->samples] : SIZE_MAX;
    if (slot == SIZE_MAX && s && n_unlabelled && s->split == LF_SPLIT_UNLABELLED) continue;
    if (slot == SIZE_MAX) {
      if (n_extra++ < 10)
        cat(extra, sizeof extra, "%s%s", n_extra > 1 ? ", " : "", keys[r]),
            cat(extra, sizeof extra, " (%s%s)", s ? "in split " : "not in the dataset",
                s ? lf_split_name(s->split) : "");
      continue;
    }
    if (hit[slot]++) {
      if (n_dup++ < 5) cat(dup, sizeof dup, "%s%s", n_dup > 1 ? ", " : "", keys[r]);
      continue;
    }
    row[slot] = r;
  }
  char missing[512] = "";
  size_t n_missing = 0;
  for (size_t j = 0; j < m; j++)
    if (!hit[j] && n_missing++ < 10)
      cat(missing, sizeof missing, "%s%s", n_missing > 1 ? ", " : "", ds->samples[sel[j]].name);
  free(pos), free(hit);
  if (n_extra || n_missing || n_dup) {
    free(sel), free(row);
    char msg[1000];
    snprintf(msg, sizeof msg, "%s does not match the %zu images of split %s:", pred_name, m, lf_split_name(split));
    if (n_missing) snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " %zu missing (no prediction): %s%s;",
                            n_missing, missing, n_missing > 10 ? ", ..." : "");
    if (n_extra) snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " %zu extra: %s%s;", n_extra, extra,
                          n_extra > 10 ? ", ..." : "");
    if (n_dup) snprintf(msg + strlen(msg), sizeof msg - strlen(msg), " %zu name an image already predicted: %s;",
                        n_dup, dup);
    size_t l = strlen(msg);
    if (l && msg[l - 1] == ';') msg[l - 1] = '.';
    return lf_error(LF_ENOTFOUND, "%s", msg);
  }
  if (m == 0) {
    free(sel), free(row);
    return lf_error(LF_ENOTFOUND, "%s: split %s of the dataset has no images to score", pred_name,
                    lf_split_name(split));
  }
  *sel_out = sel, *row_out = row, *n_sel = m;
  return LF_OK;
}

lf_status lf_score_parse_latency(const char *json, size_t len, const char *name, cJSON **out) {
  *out = NULL;
  cJSON *j = cJSON_ParseWithLength(json, len);
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "ms_per_image");
  const cJSON *med = cJSON_GetObjectItemCaseSensitive(m, "median"), *mn = cJSON_GetObjectItemCaseSensitive(m, "min"),
              *mx = cJSON_GetObjectItemCaseSensitive(m, "max"), *mb = cJSON_GetObjectItemCaseSensitive(j, "model_bytes");
  if (!cJSON_IsObject(j) || !cJSON_IsNumber(med) || !cJSON_IsNumber(mn) || !cJSON_IsNumber(mx) || !cJSON_IsNumber(mb)) {
    cJSON_Delete(j);
    return lf_error(LF_EBADFILE, "%s: not a `leapfrog predict --stats` file (ms_per_image, model_bytes)", name);
  }
  /* times are finite, >= 0 and ordered; the model size a whole number of bytes */
  double a = mn->valuedouble, b = med->valuedouble, c = mx->valuedouble, z = mb->valuedouble;
  if (!(a >= 0 && a <= b && b <= c && c <= 1e9) || !(z >= 0 && z <= 1e15 && z == floor(z))) {
    cJSON_Delete(j);
    return lf_error(LF_EBADFILE, "%s: %s", name,
                    !(z >= 0 && z <= 1e15 && z == floor(z))
                        ? "model_bytes is not a byte count"
                        : "ms_per_image needs finite times with 0 <= min <= median <= max");
  }
  *out = j;
  return LF_OK;
}

/* Copies predict's --stats JSON under "latency" and prints one line. */
static lf_status add_latency(const lf_score_opts *o, cJSON *out) {
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(o->latency_path, (size_t)1 << 20, &data, &len);
  if (st) return st;
  cJSON *j = NULL;
  st = lf_score_parse_latency((const char *)data, len, o->latency_path, &j);
  free(data);
  if (st) return st;
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "ms_per_image");
  if (o->summary)
    fprintf(o->summary, "latency: %.3f ms/image median (%.3f-%.3f), model %.2f MB (%s)\n",
            cJSON_GetObjectItemCaseSensitive(m, "median")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(m, "min")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(m, "max")->valuedouble,
            cJSON_GetObjectItemCaseSensitive(j, "model_bytes")->valuedouble / 1e6, o->latency_path);
  cJSON_AddItemToObject(out, "latency", j);
  return LF_OK;
}

lf_status lf_score_compute(const lf_score_opts *o, cJSON **result) {
  *result = NULL;
  if (!o || !o->data_dir || !o->pred_path) return lf_error(LF_EINVAL, "score: data folder and predictions needed");
  if (o->split == LF_SPLIT_UNLABELLED)
    return lf_error(LF_EINVAL, "score: split unlabelled has no ground truth to score against");
  lf_dataset *ds = NULL;
  lf_status st = lf_dataset_open(o->task, o->data_dir, 0, &ds);
  if (st) return st;
  const char *warning = NULL;
  if ((st = lf_dataset_split(ds, &o->split_opts, &warning))) {
    lf_dataset_free(ds);
    return st;
  }
  if (warning && o->summary) fprintf(o->summary, "warning: %s\n", warning);
  size_t n_unlabelled = lf_dataset_select(ds, LF_SPLIT_UNLABELLED, NULL);
  if (o->split == LF_SPLIT_ALL && n_unlabelled && o->summary)
    fprintf(o->summary, "note: the %zu unlabelled images (Kaggle test/, no masks) are not scored; their predictions, "
            "if any, are ignored\n", n_unlabelled);
  if ((st = lf_dataset_check_missing(ds, o->split, o->split_opts.strict, stderr))) {
    lf_dataset_free(ds);
    return st;
  }
  cJSON *out = cJSON_CreateObject();
  if (!out) {
    lf_dataset_free(ds);
    return lf_error(LF_ENOMEM, "score: out of memory");
  }
  cJSON_AddStringToObject(out, "task", lf_task_name(o->task));
  cJSON_AddStringToObject(out, "data", o->data_dir);
  cJSON_AddStringToObject(out, "predictions", o->pred_path);
  cJSON_AddStringToObject(out, "split", lf_split_name(o->split));
  static const char *const modes[] = {"patient", "official", "paper"};
  unsigned mode = (unsigned)o->split_opts.mode;
  cJSON_AddStringToObject(out, "split_mode", mode < 3 ? modes[mode] : "?");
  cJSON_AddNumberToObject(out, "split_seed", (double)o->split_opts.seed);
  st = o->task == LF_TASK_NERVE ? lf_score_nerve(o, ds, out) : lf_score_chest(o, ds, out);
  if (!st && o->latency_path) st = add_latency(o, out);
  lf_dataset_free(ds);
  if (st) cJSON_Delete(out);
  else *result = out;
  return st;
}

lf_status lf_score_run(const lf_score_opts *o) {
  cJSON *out = NULL;
  lf_status st = lf_score_compute(o, &out);
  if (!st && o->out_json) {
    char *txt = cJSON_Print(out);
    if (!txt) st = lf_error(LF_ENOMEM, "%s: out of memory printing JSON", o->out_json);
    else {
      size_t l = strlen(txt);
      txt[l] = '\n'; /* replace the NUL: files end with a newline */
      st = lf_write_file_atomic(o->out_json, txt, l + 1);
      free(txt);
    }
  }
  if (!st && o->report_path) st = lf_score_write_report(o->report_path, out);
  cJSON_Delete(out);
  return st;
}
