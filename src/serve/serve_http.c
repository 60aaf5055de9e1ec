/* `leapfrog serve`: libmicrohttpd daemon, routing, the bounded queue and the
 * worker threads (see include/leapfrog/lf_serve.h).
 *
 * A predict request's life: headers (auth, model, Content-Length checked) ->
 * body collected up to --max-upload -> multipart unpacked -> queued (full:
 * 503 + Retry-After) with its connection suspended -> a worker decodes and
 * runs it on its own interpreter -> the connection is resumed and answered.
 * The daemon's thread never decodes or runs a model. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_serve.h"
#include "serve/serve_metrics.h"
#include "serve/serve_model.h"
#include "serve/serve_page.h"
#include "serve/serve_parse.h"
#include "serve/serve_result.h"

enum { R_PAGE, R_PREDICT, R_MODELS, R_HEALTHZ, R_METRICS, R_OTHER };
enum { S_RECEIVING, S_QUEUED, S_DONE };

typedef struct server server;

typedef struct {
  server *s;
  struct MHD_Connection *conn;
  int route, state;
  double t_start;
  char *body;
  size_t len, cap;
  int too_large;
  char media[64];
  int model;
  char explain[80];
  int has_explain;
  int preview;
  int status;
  char *reply;
  size_t reply_len;
  double infer_ms;
  int answered; /* a response was queued */
} request;

struct server {
  lf_serve_opts o;
  lf_serve_model models[LF_SERVE_MAX_MODELS];
  int n_models;
  lf_serve_runner *runners; /* workers * n_models */
  pthread_t *threads;
  int n_threads;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  request **queue;
  int qcap, qhead, qlen, busy, stop_workers;
  int ready;              /* workers that have built their interpreters */
  lf_status init_status;  /* the first worker's failure, and its message */
  char init_msg[512];
  atomic_int stopping, in_flight;
  atomic_ulong kept;
  char token[512];
  int has_token;
  struct MHD_Daemon *d;
  lf_serve_metrics metrics;
  char *cert, *key;
};

void lf_serve_opts_default(lf_serve_opts *o) {
  memset(o, 0, sizeof *o);
  o->listen = "127.0.0.1:8080";
  o->workers = 2;
  o->threads = 1;
  o->queue = 16;
  o->max_upload = (size_t)32 << 20;
  o->max_pixels = 1UL << 25; /* the image readers' own limit (LF_IMAGE_MAX_PIXELS): more cannot be decoded */
  o->timeout_s = 30;
  o->idle_timeout_s = 10;
  o->max_connections = 64;
  o->threshold = 0.5;
  o->explain_grid = 8;
}

/* ---- responses ---- */

static enum MHD_Result send_bytes(struct MHD_Connection *c, int status, const char *ctype, void *data, size_t len,
                                  int must_free, int retry_after) {
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, data, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
  if (!r) {
    if (must_free) free(data);
    return MHD_NO;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (retry_after) MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
  if (status == 401) MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ok;
}

static enum MHD_Result send_json(request *q, int status, cJSON *j, int retry_after) {
  char *txt = cJSON_PrintUnformatted(j);
  cJSON_Delete(j);
  q->status = status;
  q->answered = 1;
  if (!txt) return MHD_NO;
  return send_bytes(q->conn, status, "application/json", txt, strlen(txt), 1, retry_after);
}

static enum MHD_Result send_error(request *q, int status, const char *msg) {
  return send_json(q, status, lf_serve_error_json(status, "%s", msg), status == 503);
}

static cJSON *models_json(server *s) {
  cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "models");
  for (int i = 0; i < s->n_models; i++) {
    const lf_serve_model *m = &s->models[i];
    cJSON *e = cJSON_CreateObject();
    cJSON_AddStringToObject(e, "name", m->name);
    cJSON_AddStringToObject(e, "sha256", m->sha256);
    cJSON_AddNumberToObject(e, "bytes", (double)m->file_bytes);
    cJSON_AddStringToObject(e, "task", m->task == LF_SERVE_CLASSIFY ? "classification" : "segmentation");
    cJSON *in = cJSON_AddObjectToObject(e, "input");
    int shape[4] = {m->batch, m->in_h, m->in_w, m->in_c};
    cJSON_AddItemToObject(in, "shape", cJSON_CreateIntArray(shape, 4));
    cJSON_AddStringToObject(in, "type", m->input_type);
    cJSON_AddStringToObject(in, "normalization", m->norm);
    if (m->task == LF_SERVE_CLASSIFY) {
      cJSON *l = cJSON_AddArrayToObject(e, "labels"), *t = cJSON_AddArrayToObject(e, "thresholds");
      for (int k = 0; k < m->n_out; k++) {
        cJSON_AddItemToArray(l, cJSON_CreateString(m->labels[k]));
        cJSON_AddItemToArray(t, cJSON_CreateNumber(m->threshold[k]));
      }
    } else {
      int ms[2] = {m->out_h, m->out_w};
      cJSON_AddItemToObject(e, "mask_shape", cJSON_CreateIntArray(ms, 2));
      cJSON_AddNumberToObject(e, "threshold", m->threshold[0]);
    }
    cJSON_AddStringToObject(e, "threshold_source", m->threshold_source);
    cJSON_AddItemToArray(arr, e);
  }
  return root;
}

/* ---- workers ---- */

static void keep_request(server *s, const request *q) {
  char path[4096];
  unsigned long n = atomic_fetch_add(&s->kept, 1);
  long t = (long)time(NULL);
  snprintf(path, sizeof path, "%s/%ld-%lu-upload.bin", s->o.keep_dir, t, n);
  if (lf_write_file_atomic(path, q->body, q->len) && !s->o.quiet)
    fprintf(stderr, "leapfrog serve: --keep: %s\n", lf_last_error());
  snprintf(path, sizeof path, "%s/%ld-%lu-reply.json", s->o.keep_dir, t, n);
  if (lf_write_file_atomic(path, q->reply, q->reply_len) && !s->o.quiet)
    fprintf(stderr, "leapfrog serve: --keep: %s\n", lf_last_error());
}

static void *worker_main(void *arg) {
  server *s = ((void **)arg)[0];
  int w = (int)(long)((void **)arg)[1];
  free(arg);
  /* each worker builds its own interpreters (in parallel: startup is one worker's time) */
  lf_status st = LF_OK;
  for (int i = 0; i < s->n_models && !st; i++) st = lf_serve_runner_create(&s->runners[w * s->n_models + i], &s->models[i], s->o.threads);
  pthread_mutex_lock(&s->mu);
  if (st && !s->init_status) {
    s->init_status = st;
    snprintf(s->init_msg, sizeof s->init_msg, "%s", lf_last_error());
  }
  s->ready++;
  pthread_cond_broadcast(&s->cv);
  pthread_mutex_unlock(&s->mu);
  for (;;) {
    pthread_mutex_lock(&s->mu);
    while (!s->qlen && !s->stop_workers) pthread_cond_wait(&s->cv, &s->mu);
    if (!s->qlen) {
      pthread_mutex_unlock(&s->mu);
      return NULL;
    }
    request *q = s->queue[s->qhead];
    s->qhead = (s->qhead + 1) % s->qcap;
    s->qlen--;
    s->busy++;
    pthread_mutex_unlock(&s->mu);
    cJSON *j;
    if (lf_serve_now() - q->t_start > s->o.timeout_s) {
      q->status = 503;
      j = lf_serve_error_json(503, "timed out after %d s waiting for a worker (--timeout): the server is busy",
                              s->o.timeout_s);
      q->infer_ms = -1;
    } else {
      lf_serve_job_in in = {(const uint8_t *)q->body, q->len, q->media, q->has_explain ? q->explain : NULL,
                            s->o.explain_grid, q->preview, s->o.max_pixels, q->t_start};
      lf_serve_job_out out;
      lf_serve_predict(&s->runners[w * s->n_models + q->model], &in, &out);
      q->status = out.status;
      q->infer_ms = out.status == 200 ? out.infer_ms : -1;
      j = out.json;
    }
    q->reply = j ? cJSON_PrintUnformatted(j) : NULL;
    q->reply_len = q->reply ? strlen(q->reply) : 0;
    cJSON_Delete(j);
    if (s->o.keep_dir && q->reply) keep_request(s, q);
    pthread_mutex_lock(&s->mu);
    s->busy--;
    q->state = S_DONE;
    pthread_mutex_unlock(&s->mu);
    MHD_resume_connection(q->conn);
  }
}

/* ---- the access handler ---- */

static int authorized(server *s, struct MHD_Connection *c) {
  if (!s->has_token) return 1;
  return lf_serve_bearer_ok(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION), s->token);
}

static enum MHD_Result start_predict(server *s, request *q) {
  struct MHD_Connection *c = q->conn;
  if (atomic_load(&s->stopping)) return send_error(q, 503, "shutting down");
  const char *name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "model");
  q->model = -1;
  if (!name && s->n_models == 1) q->model = 0;
  for (int i = 0; name && i < s->n_models; i++)
    if (!strcmp(name, s->models[i].name)) q->model = i;
  if (q->model < 0) {
    char msg[LF_SERVE_MAX_MODELS * 70 + 100];
    int n = snprintf(msg, sizeof msg, name ? "no model named \"%.64s\"; served:" : "several models are served: "
                                                                                  "choose one with ?model=NAME:", name);
    for (int i = 0; i < s->n_models && n > 0 && (size_t)n < sizeof msg; i++)
      n += snprintf(msg + n, sizeof msg - (size_t)n, " %s", s->models[i].name);
    return send_error(q, name ? 404 : 400, msg);
  }
  const char *ex = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "explain");
  if (ex) {
    if (strlen(ex) >= sizeof q->explain) return send_error(q, 400, "explain: finding name too long");
    snprintf(q->explain, sizeof q->explain, "%s", *ex ? ex : "top");
    q->has_explain = 1;
  }
  const char *pv = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "preview");
  q->preview = pv && strcmp(pv, "0");
  const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
  if (cl) {
    char *end;
    errno = 0;
    unsigned long long n = strtoull(cl, &end, 10);
    if (errno || end == cl || n > s->o.max_upload) {
      char msg[200];
      snprintf(msg, sizeof msg, "upload of %.30s bytes is larger than allowed (%zu; --max-upload)", cl, s->o.max_upload);
      return send_error(q, 413, msg);
    }
    if (n && !(q->body = malloc((size_t)n))) return send_error(q, 503, "out of memory for the upload");
    q->cap = (size_t)n;
  }
  const char *ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
  lf_serve_media_type(ct, q->media, sizeof q->media);
  return MHD_YES;
}

static int append(server *s, request *q, const char *data, size_t n) {
  if (q->too_large || q->len + n > s->o.max_upload) {
    q->too_large = 1;
    free(q->body);
    q->body = NULL, q->len = q->cap = 0;
    return 0;
  }
  if (q->len + n > q->cap) {
    size_t cap = q->cap ? q->cap * 2 : 65536;
    while (cap < q->len + n) cap *= 2;
    if (cap > s->o.max_upload) cap = s->o.max_upload;
    char *b = realloc(q->body, cap);
    if (!b) return -1;
    q->body = b, q->cap = cap;
  }
  memcpy(q->body + q->len, data, n);
  q->len += n;
  return 0;
}

/* The body is complete: unpack a multipart upload, then queue or refuse. */
static enum MHD_Result finish_upload(server *s, request *q) {
  if (q->too_large) {
    char msg[120];
    snprintf(msg, sizeof msg, "upload larger than allowed (%zu bytes; --max-upload)", s->o.max_upload);
    return send_error(q, 413, msg);
  }
  if (!strcmp(q->media, "multipart/form-data")) {
    char boundary[80], ct[128];
    const char *data;
    size_t n;
    const char *hdr = MHD_lookup_connection_value(q->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (lf_serve_multipart_boundary(hdr, boundary, sizeof boundary))
      return send_error(q, 400, "multipart/form-data without a usable boundary");
    if (lf_serve_multipart_file(q->body ? q->body : "", q->len, boundary, &data, &n, ct, sizeof ct))
      return send_error(q, 400, "multipart upload without a file part (send the image as a file, field \"image\")");
    memmove(q->body, data, n);
    q->len = n;
    lf_serve_media_type(ct, q->media, sizeof q->media);
  }
  if (q->len == 0) return send_error(q, 422, "empty upload: send the image as the request body");
  pthread_mutex_lock(&s->mu);
  if (s->qlen == s->qcap) {
    pthread_mutex_unlock(&s->mu);
    pthread_mutex_lock(&s->metrics.mu);
    s->metrics.rejected_full++;
    pthread_mutex_unlock(&s->metrics.mu);
    return send_error(q, 503, "busy: the queue is full, retry shortly");
  }
  q->state = S_QUEUED;
  MHD_suspend_connection(q->conn);
  s->queue[(s->qhead + s->qlen) % s->qcap] = q;
  s->qlen++;
  pthread_cond_signal(&s->cv);
  pthread_mutex_unlock(&s->mu);
  return MHD_YES;
}

static int route_of(const char *method, const char *url, int *method_ok) {
  int get = !strcmp(method, "GET") || !strcmp(method, "HEAD"), post = !strcmp(method, "POST");
  int r = !strcmp(url, "/") || !strcmp(url, "/index.html") ? R_PAGE
          : !strcmp(url, "/api/v1/predict")                 ? R_PREDICT
          : !strcmp(url, "/api/v1/models")                  ? R_MODELS
          : !strcmp(url, "/healthz")                        ? R_HEALTHZ
          : !strcmp(url, "/metrics")                        ? R_METRICS
                                                            : R_OTHER;
  *method_ok = r == R_OTHER || (r == R_PREDICT ? post : get);
  return r;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                               const char *version, const char *upload, size_t *upload_size, void **con_cls) {
  (void)version;
  server *s = cls;
  request *q = *con_cls;
  if (!q) {
    if (!(q = calloc(1, sizeof *q))) return MHD_NO;
    q->s = s, q->conn = c, q->t_start = lf_serve_now(), q->infer_ms = -1;
    *con_cls = q;
    atomic_fetch_add(&s->in_flight, 1);
    int method_ok;
    q->route = route_of(method, url, &method_ok);
    if (q->route == R_OTHER) return send_error(q, 404, "not found");
    if (!method_ok) return send_error(q, 405, "method not allowed");
    if ((q->route == R_PREDICT || q->route == R_MODELS || q->route == R_METRICS) && !authorized(s, c))
      return send_error(q, 401, "a bearer token is required (Authorization: Bearer TOKEN)");
    switch (q->route) {
    case R_PAGE:
      q->status = 200, q->answered = 1;
      return send_bytes(c, 200, "text/html; charset=utf-8", (void *)lf_serve_page_html, lf_serve_page_html_len, 0, 0);
    case R_HEALTHZ: {
      cJSON *j = cJSON_CreateObject();
      cJSON_AddStringToObject(j, "status", atomic_load(&s->stopping) ? "stopping" : "ok");
      cJSON_AddNumberToObject(j, "models", s->n_models);
      return send_json(q, atomic_load(&s->stopping) ? 503 : 200, j, 0);
    }
    case R_MODELS: return send_json(q, 200, models_json(s), 0);
    case R_METRICS: {
      pthread_mutex_lock(&s->mu);
      int depth = s->qlen, busy = s->busy;
      pthread_mutex_unlock(&s->mu);
      char *t = lf_serve_metrics_text(&s->metrics, depth, s->qcap, busy, s->n_threads, s->n_models);
      if (!t) return MHD_NO;
      q->status = 200, q->answered = 1;
      return send_bytes(c, 200, "text/plain; version=0.0.4", t, strlen(t), 1, 0);
    }
    default: return start_predict(s, q);
    }
  }
  if (q->answered) { /* answered early (413, 401...): drop what the client still sends */
    *upload_size = 0;
    return MHD_YES;
  }
  if (q->state == S_RECEIVING) {
    if (*upload_size) {
      if (lf_serve_now() - q->t_start > s->o.timeout_s) return MHD_NO; /* a trickling upload: close it */
      if (append(s, q, upload, *upload_size)) return MHD_NO;
      *upload_size = 0;
      return MHD_YES;
    }
    return finish_upload(s, q);
  }
  if (q->state == S_DONE) {
    char *r = q->reply;
    q->reply = NULL;
    q->answered = 1;
    if (!r) return MHD_NO;
    return send_bytes(c, q->status, "application/json", r, q->reply_len, 1, q->status == 503);
  }
  return MHD_YES;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode tc) {
  (void)c;
  server *s = cls;
  request *q = *con_cls;
  if (!q) return;
  int status = q->answered ? q->status : tc == MHD_REQUEST_TERMINATED_TIMEOUT_REACHED ? 408 : 499;
  lf_serve_metrics_add(&s->metrics, q->route, status, lf_serve_now() - q->t_start,
                       q->infer_ms >= 0 ? q->infer_ms / 1e3 : -1);
  free(q->body), free(q->reply), free(q);
  *con_cls = NULL;
  atomic_fetch_sub(&s->in_flight, 1);
}

/* ---- start and stop ---- */

static lf_status read_small(const char *path, const char *what, char **out) {
  unsigned char *d;
  size_t n;
  lf_status st = lf_read_file(path, 1 << 20, &d, &n);
  if (st) return lf_error(st, "%s: %s", what, lf_last_error());
  char *t = realloc(d, n + 1);
  if (!t) {
    free(d);
    return lf_error(LF_ENOMEM, "%s: out of memory", what);
  }
  t[n] = 0;
  *out = t;
  return LF_OK;
}

static void server_free(server *s) {
  if (s->threads) {
    pthread_mutex_lock(&s->mu);
    s->stop_workers = 1;
    pthread_cond_broadcast(&s->cv);
    pthread_mutex_unlock(&s->mu);
    for (int i = 0; i < s->n_threads; i++) pthread_join(s->threads[i], NULL);
  }
  for (int i = 0; s->runners && i < s->o.workers * s->n_models; i++) lf_serve_runner_free(&s->runners[i]);
  free(s->runners), free(s->threads), free(s->queue), free(s->cert), free(s->key);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
  lf_serve_metrics_destroy(&s->metrics);
  memset(s->token, 0, sizeof s->token);
}

lf_status lf_serve_run(const lf_serve_opts *opts) {
  double t0 = lf_serve_now();
  server *s = calloc(1, sizeof *s);
  if (!s) return lf_error(LF_ENOMEM, "serve: out of memory");
  s->o = *opts;
  lf_status st = LF_OK;
  /* signals: handled by sigwait below, blocked in every thread started from here */
  sigset_t sigs, old;
  sigemptyset(&sigs);
  sigaddset(&sigs, SIGTERM);
  sigaddset(&sigs, SIGINT);
  sigaddset(&sigs, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &sigs, &old);
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  lf_serve_metrics_init(&s->metrics);
  const lf_serve_opts *o = &s->o;
  if (o->n_models < 1 || o->n_models > LF_SERVE_MAX_MODELS || o->workers < 1 || o->workers > 256 || o->queue < 0 ||
      o->explain_grid < 1 || o->explain_grid > 64 || (!o->tls_cert != !o->tls_key)) {
    st = lf_error(LF_EINVAL, "serve: bad options (1-%d models, 1-256 workers, queue >= 0, grid 1-64, TLS needs "
                  "both --tls-cert and --tls-key)", LF_SERVE_MAX_MODELS);
    goto out;
  }
  for (int i = 0; i < o->n_models; i++) {
    for (int k = 0; k < i; k++)
      if (!strcmp(o->names[i], o->names[k])) {
        st = lf_error(LF_EINVAL, "serve: two models named \"%s\" (give NAME=PATH)", o->names[i]);
        goto out;
      }
    if ((st = lf_serve_model_load(&s->models[i], o->names[i], o->paths[i], o->threshold))) goto out;
    s->n_models++;
  }
  if (o->token_file) {
    char *t;
    if ((st = read_small(o->token_file, "--token-file", &t))) goto out;
    size_t n = strlen(t);
    while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' ')) t[--n] = 0;
    if (n == 0 || n >= sizeof s->token || strchr(t, '\n')) {
      free(t);
      st = lf_error(LF_EINVAL, "--token-file %s: want one line of 1-%zu bytes", o->token_file, sizeof s->token - 1);
      goto out;
    }
    memcpy(s->token, t, n + 1);
    memset(t, 0, n);
    free(t);
    s->has_token = 1;
  }
  if (o->tls_cert) {
    if (!MHD_is_feature_supported(MHD_FEATURE_TLS)) {
      st = lf_error(LF_EUNSUPPORTED, "serve: this libmicrohttpd has no TLS support");
      goto out;
    }
    if ((st = read_small(o->tls_cert, "--tls-cert", &s->cert)) || (st = read_small(o->tls_key, "--tls-key", &s->key)))
      goto out;
  }
  s->runners = calloc((size_t)o->workers * (size_t)s->n_models, sizeof *s->runners);
  s->threads = calloc((size_t)o->workers, sizeof *s->threads);
  s->qcap = o->queue > 0 ? o->queue : 1;
  s->queue = calloc((size_t)s->qcap, sizeof *s->queue);
  if (!s->runners || !s->threads || !s->queue) {
    st = lf_error(LF_ENOMEM, "serve: out of memory");
    goto out;
  }
  if (o->queue == 0) s->qcap = 1; /* at least one waiting slot: the hand-over to a worker */
  for (int w = 0; w < o->workers; w++) {
    void **arg = malloc(2 * sizeof *arg);
    if (!arg) {
      st = lf_error(LF_ENOMEM, "serve: out of memory");
      goto out;
    }
    arg[0] = s, arg[1] = (void *)(long)w;
    if (pthread_create(&s->threads[w], NULL, worker_main, arg)) {
      free(arg);
      st = lf_error(LF_EIO, "serve: cannot start a worker thread");
      goto out;
    }
    s->n_threads++;
  }
  pthread_mutex_lock(&s->mu);
  while (s->ready < s->n_threads) pthread_cond_wait(&s->cv, &s->mu);
  pthread_mutex_unlock(&s->mu);
  if (s->init_status) {
    st = lf_error(s->init_status, "%s", s->init_msg);
    goto out;
  }
  /* the address */
  char host[256];
  int port;
  if (lf_serve_listen_arg(o->listen, host, sizeof host, &port)) {
    st = lf_error(LF_EINVAL, "--listen '%s': want ADDR:PORT, [IPV6]:PORT or PORT", o->listen);
    goto out;
  }
  struct addrinfo hints = {.ai_flags = AI_PASSIVE, .ai_socktype = SOCK_STREAM}, *ai = NULL;
  char portstr[16];
  snprintf(portstr, sizeof portstr, "%d", port);
  int gai = getaddrinfo(host, portstr, &hints, &ai);
  if (gai || !ai) {
    st = lf_error(LF_EINVAL, "--listen '%s': %s", o->listen, gai_strerror(gai));
    goto out;
  }
  unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC;
  if (ai->ai_family == AF_INET6) flags |= MHD_USE_IPv6;
  if (o->tls_cert) flags |= MHD_USE_TLS;
  struct MHD_OptionItem tls[3] = {{MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}, {MHD_OPTION_END, 0, NULL}};
  if (o->tls_cert) {
    tls[0] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, s->cert};
    tls[1] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, s->key};
  }
  s->d = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
                          MHD_OPTION_NOTIFY_COMPLETED, completed, s, MHD_OPTION_CONNECTION_TIMEOUT,
                          (unsigned)o->idle_timeout_s, MHD_OPTION_CONNECTION_LIMIT, (unsigned)o->max_connections,
                          MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)(o->max_connections > 4 ? o->max_connections / 2 : o->max_connections),
                          MHD_OPTION_ARRAY, tls, MHD_OPTION_END);
  freeaddrinfo(ai);
  if (!s->d) {
    st = lf_error(LF_EIO, "serve: cannot listen on %s (address in use, not this machine's, or a bad TLS "
                  "certificate/key)", o->listen);
    goto out;
  }
  const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
  int bound = di ? di->port : port;
  if (!o->quiet) {
    fprintf(stderr, "leapfrog serve: %d model%s (", s->n_models, s->n_models > 1 ? "s" : "");
    for (int i = 0; i < s->n_models; i++) fprintf(stderr, "%s%s", i ? ", " : "", s->models[i].name);
    fprintf(stderr, "), %d worker%s, queue %d; listening on %s://%s:%d/ (ready in %.0f ms)\n", o->workers,
            o->workers > 1 ? "s" : "", o->queue, o->tls_cert ? "https" : "http", host, bound,
            1e3 * (lf_serve_now() - t0));
  }
  if (o->port_file) {
    char b[16];
    int n = snprintf(b, sizeof b, "%d\n", bound);
    lf_write_file_atomic(o->port_file, b, (size_t)n);
  }
  for (;;) {
    int sig = 0;
    if (sigwait(&sigs, &sig) == 0 && sig != SIGPIPE) break;
  }
  /* drain: refuse new work, stop listening, let queued and running requests finish */
  atomic_store(&s->stopping, 1);
  MHD_socket lsock = MHD_quiesce_daemon(s->d);
  if (lsock != MHD_INVALID_SOCKET) close(lsock);
  double until = lf_serve_now() + o->timeout_s + 5;
  while (atomic_load(&s->in_flight) > 0 && lf_serve_now() < until) {
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  if (!o->quiet) fprintf(stderr, "leapfrog serve: stopped (%d requests unfinished)\n", atomic_load(&s->in_flight));
  MHD_stop_daemon(s->d);
  s->d = NULL;
out:
  if (s->d) MHD_stop_daemon(s->d);
  server_free(s);
  free(s);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return st;
}
