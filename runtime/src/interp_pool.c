/* A small pthread pool: lfrt_pool_run hands one job to n threads (the caller
 * is thread 0) and returns when all are done. No allocation per run.
 * Build with -DLFRT_NO_PTHREADS for targets without pthreads: the runtime then
 * runs single-threaded and lfrt_interp_set_threads(n > 1) is refused. */
#include <stdlib.h>

#include "interp_internal.h"

#ifdef LFRT_NO_PTHREADS
lfrt_status lfrt_pool_create(int threads, lfrt_pool **out) {
  (void)threads;
  *out = NULL;
  return LFRT_EUNSUPPORTED;
}
void lfrt_pool_free(lfrt_pool *p) { (void)p; }
void lfrt_pool_run(lfrt_pool *p, void (*fn)(void *ctx, int t, int n), void *ctx) {
  (void)p;
  fn(ctx, 0, 1);
}
#else
#include <pthread.h>

struct lfrt_pool {
  int n; /* threads including the caller */
  pthread_t *tid;
  pthread_mutex_t mu;
  pthread_cond_t go, done;
  unsigned gen;    /* incremented per job */
  int pending;     /* workers still running the current job */
  int quit;
  void (*fn)(void *, int, int);
  void *ctx;
  int started;
};

typedef struct {
  lfrt_pool *p;
  int t;
} worker_arg;

static void *worker(void *arg) {
  worker_arg a = *(worker_arg *)arg;
  free(arg);
  lfrt_pool *p = a.p;
  unsigned seen = 0;
  pthread_mutex_lock(&p->mu);
  for (;;) {
    while (!p->quit && p->gen == seen) pthread_cond_wait(&p->go, &p->mu);
    if (p->quit) break;
    seen = p->gen;
    void (*fn)(void *, int, int) = p->fn;
    void *ctx = p->ctx;
    pthread_mutex_unlock(&p->mu);
    fn(ctx, a.t, p->n);
    pthread_mutex_lock(&p->mu);
    if (--p->pending == 0) pthread_cond_signal(&p->done);
  }
  pthread_mutex_unlock(&p->mu);
  return NULL;
}

lfrt_status lfrt_pool_create(int threads, lfrt_pool **out) {
  *out = NULL;
  lfrt_pool *p = calloc(1, sizeof *p);
  if (!p) return LFRT_ENOMEM;
  p->n = threads;
  p->tid = calloc((size_t)threads, sizeof(pthread_t));
  if (!p->tid) {
    free(p);
    return LFRT_ENOMEM;
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->go, NULL);
  pthread_cond_init(&p->done, NULL);
  for (int t = 1; t < threads; t++) {
    worker_arg *a = malloc(sizeof *a);
    if (!a || (a->p = p, a->t = t, pthread_create(&p->tid[t], NULL, worker, a))) {
      free(a);
      p->n = t; /* threads started so far */
      lfrt_pool_free(p);
      return LFRT_ENOMEM;
    }
    p->started = t;
  }
  *out = p;
  return LFRT_OK;
}

void lfrt_pool_free(lfrt_pool *p) {
  if (!p) return;
  pthread_mutex_lock(&p->mu);
  p->quit = 1;
  pthread_cond_broadcast(&p->go);
  pthread_mutex_unlock(&p->mu);
  for (int t = 1; t <= p->started; t++) pthread_join(p->tid[t], NULL);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->go);
  pthread_cond_destroy(&p->done);
  free(p->tid);
  free(p);
}

void lfrt_pool_run(lfrt_pool *p, void (*fn)(void *ctx, int t, int n), void *ctx) {
  pthread_mutex_lock(&p->mu);
  p->fn = fn;
  p->ctx = ctx;
  p->pending = p->n - 1;
  p->gen++;
  pthread_cond_broadcast(&p->go);
  pthread_mutex_unlock(&p->mu);
  fn(ctx, 0, p->n);
  pthread_mutex_lock(&p->mu);
  while (p->pending > 0) pthread_cond_wait(&p->done, &p->mu);
  pthread_mutex_unlock(&p->mu);
}
#endif
