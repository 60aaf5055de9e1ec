/* The engine's thread pool: persistent workers and the calling thread claim
 * fixed chunks of a range under one lock. Chunk k of n covers
 * [count*k/n, count*(k+1)/n), so the split depends only on count and the
 * thread count (never on which thread runs which chunk). A caller never
 * waits for a worker that has not started: it runs unclaimed chunks itself,
 * which keeps a busy or oversubscribed machine from stalling every call. A
 * nested or concurrent call runs serially. Wake-ups are sent only to threads
 * that sleep (a step makes thousands of calls). */
#include "leapfrog/lf_tensor.h"

#include <cblas.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#define MAX_THREADS 64
#define CHUNKS_PER_THREAD 4

static struct {
  pthread_mutex_t mu;
  pthread_cond_t wake, done_cv;
  pthread_mutex_t call; /* one parallel_for at a time */
  pthread_t th[MAX_THREADS];
  int nthreads;         /* including the caller */
  int started;          /* threads running (incl. caller slot 0) */
  int quit;
  int active;           /* a job is posted */
  lf_range_fn fn;
  void *ctx;
  size_t count;
  int nchunks, next, done;
  int sleepers; /* workers in cond_wait */
  int waiting;  /* the caller sleeps on done_cv */
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_MUTEX_INITIALIZER, {0}, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};

static _Thread_local int in_pool;

/* Claims and runs chunks until none is left; called and returns with mu held. */
static void run_chunks(void) {
  while (pool.active && pool.next < pool.nchunks) {
    int k = pool.next++, n = pool.nchunks;
    lf_range_fn fn = pool.fn;
    void *ctx = pool.ctx;
    size_t count = pool.count;
    pthread_mutex_unlock(&pool.mu);
    size_t b = count * (size_t)k / (size_t)n, e = count * (size_t)(k + 1) / (size_t)n;
    if (b < e) fn(ctx, b, e);
    pthread_mutex_lock(&pool.mu);
    if (++pool.done == pool.nchunks && pool.waiting) pthread_cond_signal(&pool.done_cv);
  }
}

static void *worker(void *arg) {
  (void)arg;
  in_pool = 1;
  pthread_mutex_lock(&pool.mu);
  for (;;) {
    while (!pool.quit && !(pool.active && pool.next < pool.nchunks)) {
      pool.sleepers++;
      pthread_cond_wait(&pool.wake, &pool.mu);
      pool.sleepers--;
    }
    if (pool.quit) break;
    run_chunks();
  }
  pthread_mutex_unlock(&pool.mu);
  return NULL;
}

static void stop_workers(void) {
  pthread_mutex_lock(&pool.mu);
  pool.quit = 1;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  for (int i = 1; i < pool.started; i++) pthread_join(pool.th[i], NULL);
  pool.started = 0;
  pool.quit = 0;
}

void lf_set_threads(int n) {
  if (n <= 0) {
    long p = sysconf(_SC_NPROCESSORS_ONLN);
    n = p > 0 ? (int)p : 1;
  }
  if (n > MAX_THREADS) n = MAX_THREADS;
  pthread_mutex_lock(&pool.call);
  if (pool.started) stop_workers();
  pool.nthreads = n;
  for (int i = 1; i < n; i++)
    if (pthread_create(&pool.th[i], NULL, worker, NULL) != 0) {
      pool.nthreads = i; /* fewer threads: the split changes, results do not */
      break;
    }
  pool.started = pool.nthreads;
  pthread_mutex_unlock(&pool.call);
  openblas_set_num_threads(n);
}

int lf_get_threads(void) {
  if (pool.nthreads == 0) lf_set_threads(0);
  return pool.nthreads;
}

void lf_parallel_for(size_t count, lf_range_fn fn, void *ctx) {
  if (count == 0) return;
  int n = lf_get_threads();
  if (n <= 1 || count == 1 || in_pool || pthread_mutex_trylock(&pool.call) != 0) {
    fn(ctx, 0, count);
    return;
  }
  size_t chunks = (size_t)pool.nthreads * CHUNKS_PER_THREAD;
  if (chunks > count) chunks = count;
  pthread_mutex_lock(&pool.mu);
  pool.fn = fn;
  pool.ctx = ctx;
  pool.count = count;
  pool.nchunks = (int)chunks;
  pool.next = pool.done = 0;
  pool.active = 1;
  if (pool.sleepers) pthread_cond_broadcast(&pool.wake);
  in_pool = 1;
  run_chunks();
  in_pool = 0;
  pool.waiting = 1;
  while (pool.done < pool.nchunks) pthread_cond_wait(&pool.done_cv, &pool.mu);
  pool.waiting = 0;
  pool.active = 0;
  pthread_mutex_unlock(&pool.mu);
  pthread_mutex_unlock(&pool.call);
}
