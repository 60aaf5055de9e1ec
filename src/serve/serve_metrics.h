/* Counters and latency histograms for GET /metrics (Prometheus text format). */
#ifndef LF_SERVE_METRICS_H
#define LF_SERVE_METRICS_H
#include <pthread.h>
#include <stddef.h>

#define LF_SERVE_ROUTES 6 /* page, predict, models, healthz, metrics, other */
#define LF_SERVE_BUCKETS 12

typedef struct {
  pthread_mutex_t mu;
  unsigned long long by_code[LF_SERVE_ROUTES][6]; /* status / 100: 1xx..5xx (index 1..5) */
  unsigned long long codes[LF_SERVE_ROUTES][600];  /* exact status (100..599) */
  unsigned long long lat_count, lat_bucket[LF_SERVE_BUCKETS];
  double lat_sum;
  unsigned long long inf_count, inf_bucket[LF_SERVE_BUCKETS];
  double inf_sum;
  unsigned long long rejected_full; /* 503 because the queue was full */
} lf_serve_metrics;

const char *lf_serve_route_name(int route);
void lf_serve_metrics_init(lf_serve_metrics *m);
void lf_serve_metrics_destroy(lf_serve_metrics *m);
/* one answered request: route, status, seconds since its headers; infer_s < 0: no model run */
void lf_serve_metrics_add(lf_serve_metrics *m, int route, int status, double seconds, double infer_s);
/* Prometheus text (malloc'd); gauges given by the caller */
char *lf_serve_metrics_text(lf_serve_metrics *m, int queue_depth, int queue_cap, int busy, int workers,
                            int models);

#endif
