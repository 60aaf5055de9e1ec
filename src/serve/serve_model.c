/* Served models: description and per-worker predictors (see serve_model.h). */
#include "serve/serve_model.h"

#include <cjson/cJSON.h>
#include <gnutls/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_fileio.h"
#include "lfrt_model.h"

static lf_status file_sha256(const char *path, char hex[65], size_t *bytes) {
  unsigned char *d;
  size_t n;
  lf_status st = lf_read_file(path, (size_t)1 << 31, &d, &n);
  if (st) return st;
  unsigned char h[32];
  int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, d, n, h);
  free(d);
  if (rc < 0) return lf_error(LF_EIO, "%s: cannot hash (gnutls %d)", path, rc);
  for (int i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", h[i]);
  *bytes = n;
  return LF_OK;
}

/* Optional operating points in the "leapfrog" metadata: "operating_points":
 * {label: p} (any subset) or "threshold": p; numbers in (0, 1). */
static lf_status read_operating_points(lf_serve_model *m, double default_threshold) {
  lfrt_model *md = NULL;
  lfrt_error err = {{0}};
  if (lfrt_model_load_file(m->path, &md, &err)) return lf_error(LF_EBADFILE, "%s", err.msg);
  lf_status st = LF_OK;
  for (int i = 0; i < md->nmetadata && !st; i++) {
    if (strcmp(md->metadata[i].name, "leapfrog") || !md->metadata[i].data) continue;
    cJSON *j = cJSON_ParseWithLength(md->metadata[i].data, md->metadata[i].bytes);
    const cJSON *ops = cJSON_GetObjectItemCaseSensitive(j, "operating_points"), *e;
    const cJSON *thr = cJSON_GetObjectItemCaseSensitive(j, "threshold");
    int found = 0, n_points = 0, all = 0; /* all: "threshold" sets every finding */
    if (cJSON_IsNumber(thr) && thr->valuedouble > 0 && thr->valuedouble < 1) {
      for (int k = 0; k < LF_SERVE_MAX_LABELS; k++) m->threshold[k] = (float)thr->valuedouble;
      found = all = 1;
    }
    const cJSON *opsobj = cJSON_IsObject(ops) ? ops : NULL;
    cJSON_ArrayForEach(e, opsobj) {
      int k = 0;
      while (k < m->n_out && k < LF_SERVE_MAX_LABELS && strcmp(m->labels[k], e->string)) k++;
      if (m->task != LF_SERVE_CLASSIFY || k == m->n_out || k == LF_SERVE_MAX_LABELS || !cJSON_IsNumber(e) ||
          !(e->valuedouble > 0 && e->valuedouble < 1)) {
        st = lf_error(LF_EBADFILE, "%s: metadata \"leapfrog\": operating point \"%s\" is not a finding with a "
                      "probability in (0, 1)", m->path, e->string);
        break;
      }
      m->threshold[k] = (float)e->valuedouble;
      found = 1, n_points++;
    }
    cJSON_Delete(j);
    if (found && !st && (all || n_points == m->n_out))
      snprintf(m->threshold_source, sizeof m->threshold_source, "the model's metadata");
    else if (found && !st) /* some findings only: the others keep the default */
      snprintf(m->threshold_source, sizeof m->threshold_source,
               "the model's metadata (operating points of %d of %d findings; the others default %g)", n_points,
               m->n_out, default_threshold);
  }
  lfrt_model_free(md);
  return st;
}

static void predictor_opts(lf_predictor_opts *po, int threads, double threshold) {
  lf_predictor_opts_default(po);
  po->threads = threads;
  po->nih_labels = 1; /* a 14-output classifier without names: the NIH findings, as `predict --task chestxray14` */
  po->threshold = threshold;
}

lf_status lf_serve_model_load(lf_serve_model *m, const char *name, const char *path, double default_threshold) {
  memset(m, 0, sizeof *m);
  snprintf(m->name, sizeof m->name, "%s", name);
  m->path = path;
  lf_status st = file_sha256(path, m->sha256, &m->file_bytes);
  if (st) return st;
  lf_predictor_opts po;
  predictor_opts(&po, 1, default_threshold);
  lf_predictor *p = NULL;
  if ((st = lf_predictor_open(path, &po, &p))) return st;
  const lf_predictor_info *in = lf_predictor_get_info(p);
  m->task = in->task == LF_PREDICT_SEGMENT ? LF_SERVE_SEGMENT : LF_SERVE_CLASSIFY;
  m->batch = in->batch, m->in_h = in->height, m->in_w = in->width, m->in_c = in->channels;
  snprintf(m->input_type, sizeof m->input_type, "%s", in->input_type);
  snprintf(m->norm, sizeof m->norm, "%s (from %s)",
           in->norm == LF_NORM_ZSCORE ? "(pixel/255 - mean) / std" : in->norm == LF_NORM_IMAGENET ? "ImageNet mean/std"
                                                                     : in->norm == LF_NORM_UNIT ? "pixel/255" : "none",
           in->norm_source);
  if (m->task == LF_SERVE_CLASSIFY) {
    m->n_out = in->n_labels;
    if (m->n_out > LF_SERVE_MAX_LABELS) {
      lf_predictor_free(p);
      return lf_error(LF_EUNSUPPORTED, "%s: %d findings (at most %d)", path, m->n_out, LF_SERVE_MAX_LABELS);
    }
    for (int k = 0; k < m->n_out; k++) snprintf(m->labels[k], sizeof m->labels[k], "%s", in->labels[k]);
  } else {
    m->out_h = in->mask_height, m->out_w = in->mask_width;
    m->n_out = m->out_h * m->out_w;
    snprintf(m->labels[0], sizeof m->labels[0], "mask");
  }
  lf_predictor_free(p);
  for (int k = 0; k < LF_SERVE_MAX_LABELS; k++) m->threshold[k] = (float)default_threshold;
  snprintf(m->threshold_source, sizeof m->threshold_source,
           "default %g (the model's metadata records no operating point; --threshold sets it)", default_threshold);
  return read_operating_points(m, default_threshold);
}

lf_status lf_serve_runner_create(lf_serve_runner *r, const lf_serve_model *m, int threads) {
  memset(r, 0, sizeof *r);
  r->m = m;
  lf_predictor_opts po;
  predictor_opts(&po, threads, m->task == LF_SERVE_SEGMENT ? m->threshold[0] : 0.5);
  return lf_predictor_open(m->path, &po, &r->p);
}

void lf_serve_runner_free(lf_serve_runner *r) {
  if (!r) return;
  lf_predictor_free(r->p);
  memset(r, 0, sizeof *r);
}
