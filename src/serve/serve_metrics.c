/* Prometheus text exposition of the server's counters (see serve_metrics.h). */
#include "serve/serve_metrics.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const double bucket_s[LF_SERVE_BUCKETS] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30};
static const char *const route_names[LF_SERVE_ROUTES] = {"page", "predict", "models", "healthz", "metrics", "other"};

const char *lf_serve_route_name(int route) {
  return route >= 0 && route < LF_SERVE_ROUTES ? route_names[route] : "other";
}

void lf_serve_metrics_init(lf_serve_metrics *m) {
  memset(m, 0, sizeof *m);
  pthread_mutex_init(&m->mu, NULL);
}

void lf_serve_metrics_destroy(lf_serve_metrics *m) { pthread_mutex_destroy(&m->mu); }

static void observe(unsigned long long *bucket, unsigned long long *count, double *sum, double v) {
  for (int i = 0; i < LF_SERVE_BUCKETS; i++)
    if (v <= bucket_s[i]) bucket[i]++;
  (*count)++;
  *sum += v;
}

void lf_serve_metrics_add(lf_serve_metrics *m, int route, int status, double seconds, double infer_s) {
  if (route < 0 || route >= LF_SERVE_ROUTES) route = LF_SERVE_ROUTES - 1;
  if (status < 100 || status > 599) status = 500;
  pthread_mutex_lock(&m->mu);
  m->codes[route][status]++;
  m->by_code[route][status / 100]++;
  if (route == 1) {
    observe(m->lat_bucket, &m->lat_count, &m->lat_sum, seconds);
    if (infer_s >= 0) observe(m->inf_bucket, &m->inf_count, &m->inf_sum, infer_s);
  }
  pthread_mutex_unlock(&m->mu);
}

typedef struct {
  char *s;
  size_t n, cap;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(buf *b, const char *fmt, ...) {
  if (!b->s) return;
  for (;;) {
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    if (k < 0) return;
    if ((size_t)k < b->cap - b->n) {
      b->n += (size_t)k;
      return;
    }
    char *t = realloc(b->s, b->cap * 2 + (size_t)k);
    if (!t) {
      free(b->s);
      b->s = NULL;
      return;
    }
    b->s = t, b->cap = b->cap * 2 + (size_t)k;
  }
}

static void histogram(buf *b, const char *name, const char *help, const unsigned long long *bucket,
                      unsigned long long count, double sum) {
  put(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name);
  for (int i = 0; i < LF_SERVE_BUCKETS; i++) put(b, "%s_bucket{le=\"%g\"} %llu\n", name, bucket_s[i], bucket[i]);
  put(b, "%s_bucket{le=\"+Inf\"} %llu\n%s_sum %.6f\n%s_count %llu\n", name, count, name, sum, name, count);
}

char *lf_serve_metrics_text(lf_serve_metrics *m, int queue_depth, int queue_cap, int busy, int workers, int models) {
  buf b = {malloc(4096), 0, 4096};
  pthread_mutex_lock(&m->mu);
  put(&b, "# HELP leapfrog_requests_total Requests answered, by route and HTTP status.\n"
          "# TYPE leapfrog_requests_total counter\n");
  for (int r = 0; r < LF_SERVE_ROUTES; r++)
    for (int c = 100; c < 600; c++)
      if (m->codes[r][c]) put(&b, "leapfrog_requests_total{route=\"%s\",code=\"%d\"} %llu\n", route_names[r], c, m->codes[r][c]);
  put(&b, "# HELP leapfrog_request_errors_total Requests answered with a 4xx or 5xx status, by route.\n"
          "# TYPE leapfrog_request_errors_total counter\n");
  for (int r = 0; r < LF_SERVE_ROUTES; r++)
    put(&b, "leapfrog_request_errors_total{route=\"%s\"} %llu\n", route_names[r], m->by_code[r][4] + m->by_code[r][5]);
  put(&b, "# HELP leapfrog_rejected_queue_full_total Predict requests refused with 503 because the queue was full.\n"
          "# TYPE leapfrog_rejected_queue_full_total counter\nleapfrog_rejected_queue_full_total %llu\n",
      m->rejected_full);
  histogram(&b, "leapfrog_predict_duration_seconds",
            "Predict requests from their headers to the answer (upload, queue, decode, model).", m->lat_bucket,
            m->lat_count, m->lat_sum);
  histogram(&b, "leapfrog_inference_duration_seconds", "Model time of a predict request (with its explanation).",
            m->inf_bucket, m->inf_count, m->inf_sum);
  pthread_mutex_unlock(&m->mu);
  put(&b, "# HELP leapfrog_queue_depth Predict requests waiting for a worker.\n# TYPE leapfrog_queue_depth gauge\n"
          "leapfrog_queue_depth %d\n# HELP leapfrog_queue_capacity Waiting requests allowed before 503.\n"
          "# TYPE leapfrog_queue_capacity gauge\nleapfrog_queue_capacity %d\n"
          "# HELP leapfrog_workers_busy Workers running a model.\n# TYPE leapfrog_workers_busy gauge\n"
          "leapfrog_workers_busy %d\n# HELP leapfrog_workers Worker threads.\n# TYPE leapfrog_workers gauge\n"
          "leapfrog_workers %d\n# HELP leapfrog_models Models served.\n# TYPE leapfrog_models gauge\n"
          "leapfrog_models %d\n",
      queue_depth, queue_cap, busy, workers, models);
  return b.s;
}
