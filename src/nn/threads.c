/* The engine's thread pool: persistent workers woken per lf_parallel_for.
 * Chunk k of n covers [count*k/n, count*(k+1)/n), so the split depends only on
 * count and the thread count. A nested or concurrent call runs serially. */
#include "leapfrog/lf_tensor.h"

#include <cblas.h>
#include <pthread.h>
#include <stdint.h>
#include <unistd.h>

#define MAX_THREADS 64

static struct {
  pthread_mutex_t mu;
  pthread_cond_t wake, done;
  pthread_mutex_t call; /* one parallel_for at a time */
  pthread_t th[MAX_THREADS];
  int nthreads;         /* including the caller */
  int started;          /* workers running */
  int quit;
  uint64_t gen;
  uint64_t base_gen;    /* gen when the workers were (re)started */
  int pending;
  lf_range_fn fn;
  void *ctx;
  size_t count;
} pool = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, PTHREAD_COND_INITIALIZER,
          PTHREAD_MUTEX_INITIALIZER, {0}, 0, 0, 0, 0, 0, 0, 0, 0, 0};

static _Thread_local int in_pool;

static void run_chunk(int k, int n) {
  size_t b = pool.count * (size_t)k / (size_t)n, e = pool.count * (size_t)(k + 1) / (size_t)n;
  if (b < e) pool.fn(pool.ctx, b, e);
}

static void *worker(void *arg) {
  int k = (int)(intptr_t)arg;
  in_pool = 1;
  pthread_mutex_lock(&pool.mu);
  /* the generation when this worker was created: a job posted before the
   * worker reached this line still counts as new */
  uint64_t seen = pool.base_gen;
  for (;;) {
    while (!pool.quit && pool.gen == seen) pthread_cond_wait(&pool.wake, &pool.mu);
    if (pool.quit) break;
    seen = pool.gen;
    int n = pool.nthreads;
    pthread_mutex_unlock(&pool.mu);
    run_chunk(k, n);
    pthread_mutex_lock(&pool.mu);
    if (--pool.pending == 0) pthread_cond_signal(&pool.done);
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
  pthread_mutex_lock(&pool.mu);
  pool.base_gen = pool.gen;
  pthread_mutex_unlock(&pool.mu);
  int ok = 1;
  for (int i = 1; i < n; i++)
    if (pthread_create(&pool.th[i], NULL, worker, (void *)(intptr_t)i) != 0) {
      pool.nthreads = i; /* fewer threads, still correct */
      ok = 0;
      break;
    }
  (void)ok;
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
  n = pool.nthreads;
  pthread_mutex_lock(&pool.mu);
  pool.fn = fn;
  pool.ctx = ctx;
  pool.count = count;
  pool.pending = n - 1;
  pool.gen++;
  pthread_cond_broadcast(&pool.wake);
  pthread_mutex_unlock(&pool.mu);
  in_pool = 1;
  run_chunk(0, n);
  in_pool = 0;
  pthread_mutex_lock(&pool.mu);
  while (pool.pending > 0) pthread_cond_wait(&pool.done, &pool.mu);
  pthread_mutex_unlock(&pool.mu);
  pthread_mutex_unlock(&pool.call);
}
