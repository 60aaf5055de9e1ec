/* Drawing helpers and thread fan-out shared by the synthetic dataset generators. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "data/synth_util.h"

typedef struct {
  int n, threads, t;
  lf_status (*fn)(int, void *);
  void *arg;
  lf_status st;
  char msg[512];
} job;

static void *worker(void *p) {
  job *j = p;
  for (int i = j->t; i < j->n; i += j->threads) {
    lf_status s = j->fn(i, j->arg);
    if (s) {
      j->st = s;
      snprintf(j->msg, sizeof j->msg, "%s", lf_last_error());
      break;
    }
  }
  return NULL;
}

lf_status lf_synth_parallel(int n, int threads, lf_status (*fn)(int i, void *arg), void *arg) {
  if (threads < 1) threads = 1;
  if (threads > 64) threads = 64;
  job jobs[64];
  pthread_t tid[64];
  int started[64] = {0};
  for (int t = 0; t < threads; t++) jobs[t] = (job){n, threads, t, fn, arg, LF_OK, ""};
  for (int t = 1; t < threads; t++) started[t] = pthread_create(&tid[t], NULL, worker, &jobs[t]) == 0;
  worker(&jobs[0]);
  for (int t = 1; t < threads; t++) {
    if (started[t]) pthread_join(tid[t], NULL);
    else worker(&jobs[t]); /* could not start a thread: do its share here */
  }
  for (int t = 0; t < threads; t++)
    if (jobs[t].st) return lf_error(jobs[t].st, "%s", jobs[t].msg);
  return LF_OK;
}

void lf_synth_blob(float *f, int w, int h, float cx, float cy, float rx, float ry, float ang,
                   float amp, float soft) {
  float r = rx > ry ? rx : ry;
  int x0 = (int)floorf(cx - r - 1), x1 = (int)ceilf(cx + r + 1);
  int y0 = (int)floorf(cy - r - 1), y1 = (int)ceilf(cy + r + 1);
  if (x0 < 0) x0 = 0;
  if (y0 < 0) y0 = 0;
  if (x1 > w) x1 = w;
  if (y1 > h) y1 = h;
  float ca = cosf(ang), sa = sinf(ang);
  for (int y = y0; y < y1; y++)
    for (int x = x0; x < x1; x++) {
      float dx = x - cx, dy = y - cy;
      float u = (ca * dx + sa * dy) / rx, v = (-sa * dx + ca * dy) / ry;
      float d = sqrtf(u * u + v * v);
      if (d >= 1) continue;
      float k = 1;
      if (soft > 0 && d > 1 - soft) k = (1 - d) / soft;
      f[(size_t)y * w + x] += amp * k;
    }
}
