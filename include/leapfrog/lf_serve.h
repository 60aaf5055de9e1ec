/* `leapfrog serve`: a small offline HTTP service (libmicrohttpd) that runs
 * .tflite models on uploaded images, and the page that talks to it.
 *
 * Routes: POST /api/v1/predict (body image/png, image/jpeg, application/dicom
 * or multipart/form-data; ?model=NAME, ?explain=FINDING), GET /api/v1/models,
 * GET /healthz, GET /metrics (Prometheus text), GET / (the page).
 * Models are loaded once; each worker thread has its own interpreter per
 * model. Requests wait in a bounded queue (full: 503 + Retry-After). Nothing
 * is written to disk or logged unless keep_dir is given. */
#ifndef LF_SERVE_H
#define LF_SERVE_H
#include <stddef.h>

#include "leapfrog/lf_status.h"

#define LF_SERVE_MAX_MODELS 8

typedef struct {
  const char *names[LF_SERVE_MAX_MODELS]; /* served as ?model=NAME */
  const char *paths[LF_SERVE_MAX_MODELS];
  int n_models;
  const char *listen;        /* "ADDR:PORT", default "127.0.0.1:8080"; port 0 = any free port */
  int workers;               /* worker threads (each with its own interpreters), default 2 */
  int threads;               /* runtime threads per interpreter, default 1 */
  int queue;                 /* requests waiting beyond the workers' before 503, default 16 */
  size_t max_upload;         /* bytes, default 32 MiB (413 above) */
  unsigned long max_pixels;  /* width*height from the header, default and most 2^25, the image readers' limit (413 above) */
  int timeout_s;             /* a request's whole life (upload, queue, run), default 30 */
  int idle_timeout_s;        /* a connection idle this long is closed (slow clients), default 10 */
  int max_connections;       /* default 64; half of them per client address */
  double threshold;          /* operating point when a model's metadata records none, default 0.5 */
  int explain_grid;          /* occlusion grid cells per side, default 8 */
  const char *keep_dir;      /* NULL: nothing written (default) */
  const char *token_file;    /* NULL: no auth; else "Authorization: Bearer TOKEN" on the API and /metrics */
  const char *tls_cert, *tls_key; /* PEM files; both or neither */
  const char *port_file;     /* when set, the bound port is written there once listening (tests) */
  int quiet;                 /* no startup lines on stderr */
} lf_serve_opts;

void lf_serve_opts_default(lf_serve_opts *o);
/* Loads the models, listens, serves until SIGTERM or SIGINT, then stops
 * accepting, lets in-flight requests finish and returns LF_OK. The signals
 * are blocked in the calling thread (and so in the threads it starts). */
lf_status lf_serve_run(const lf_serve_opts *o);

#endif
