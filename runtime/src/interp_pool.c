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
#include <sched.h>

/* A job is published by bumping `gen`; workers spin on it for a short while
 * (an int8 op is often tens of microseconds: a condition-variable wake-up per
 * op cost more than the op) and only then sleep on the condition variable.
 * The caller runs its share, then spins (yielding) until `pending` is 0.
 * __atomic builtins (GCC, clang) keep the runtime C99. */
#define SPIN_WORKER 20000 /* polls before a worker sleeps */
#define SPIN_CALLER 2000  /* polls before the caller starts yielding */

struct lfrt_pool {
  int n; /* threads including the caller */
  pthread_t *tid;
  pthread_mutex_t mu;
  pthread_cond_t go;
  unsigned gen;    /* incremented per job (atomic) */
  int pending;     /* workers still running the current job (atomic) */
  int sleepers;    /* workers waiting on `go` (under mu) */
  int quit;        /* atomic */
  void (*fn)(void *, int, int);
  void *ctx;
  int started;
};

typedef struct {
  lfrt_pool *p;
  int t;
} worker_arg;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  __asm__ volatile("yield");
#endif
}

static void *worker(void *arg) {
  worker_arg a = *(worker_arg *)arg;
  free(arg);
  lfrt_pool *p = a.p;
  unsigned seen = 0;
  for (;;) {
    unsigned g = __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE);
    for (int i = 0; g == seen && i < SPIN_WORKER && !__atomic_load_n(&p->quit, __ATOMIC_ACQUIRE); i++) {
      cpu_relax();
      g = __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE);
    }
    if (g == seen) {
      pthread_mutex_lock(&p->mu);
      p->sleepers++;
      while (!__atomic_load_n(&p->quit, __ATOMIC_ACQUIRE) && (g = __atomic_load_n(&p->gen, __ATOMIC_ACQUIRE)) == seen)
        pthread_cond_wait(&p->go, &p->mu);
      p->sleepers--;
      pthread_mutex_unlock(&p->mu);
    }
    if (__atomic_load_n(&p->quit, __ATOMIC_ACQUIRE)) break;
    seen = g;
    p->fn(p->ctx, a.t, p->n); /* fn/ctx were written before gen (release) */
    __atomic_sub_fetch(&p->pending, 1, __ATOMIC_ACQ_REL);
  }
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
  __atomic_store_n(&p->quit, 1, __ATOMIC_RELEASE);
  pthread_cond_broadcast(&p->go);
  pthread_mutex_unlock(&p->mu);
  for (int t = 1; t <= p->started; t++) pthread_join(p->tid[t], NULL);
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->go);
  free(p->tid);
  free(p);
}

void lfrt_pool_run(lfrt_pool *p, void (*fn)(void *ctx, int t, int n), void *ctx) {
  p->fn = fn;
  p->ctx = ctx;
  __atomic_store_n(&p->pending, p->n - 1, __ATOMIC_RELAXED);
  __atomic_add_fetch(&p->gen, 1, __ATOMIC_SEQ_CST); /* publishes fn, ctx, pending */
  pthread_mutex_lock(&p->mu); /* a worker that saw the old gen under mu is waiting by now */
  if (p->sleepers) pthread_cond_broadcast(&p->go);
  pthread_mutex_unlock(&p->mu);
  fn(ctx, 0, p->n);
  for (int i = 0; __atomic_load_n(&p->pending, __ATOMIC_ACQUIRE) > 0; i++) {
    if (i < SPIN_CALLER) cpu_relax();
    else sched_yield(); /* an oversubscribed machine: let the worker run */
  }
}
#endif
