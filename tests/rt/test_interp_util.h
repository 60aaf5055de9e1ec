/* Shared helpers of the runtime kernel/interpreter tests (C99, runtime only):
 * a seeded RNG, tensor builders on top of lfrt_writer, a one-call
 * build->load->prepare->invoke runner, and the LF_DIGEST_DIR digest (FNV-1a
 * of every int8 output byte a test computed, compared across x86-64 and qemu
 * aarch64/armv7 by CI). Included by one .c each; everything is static. */
#ifndef LF_TEST_INTERP_UTIL_H
#define LF_TEST_INTERP_UTIL_H
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "lfrt.h"
#include "lfrt_interp.h"

#if defined(__GNUC__)
#pragma GCC diagnostic ignored "-Wunused-function" /* not every test uses every helper */
#endif

static uint64_t tu_rng = 0x9E3779B97F4A7C15ull;
static uint32_t tu_rand(void) {
  tu_rng ^= tu_rng << 13;
  tu_rng ^= tu_rng >> 7;
  tu_rng ^= tu_rng << 17;
  return (uint32_t)(tu_rng >> 16);
}
static int tu_randint(int lo, int hi) { return lo + (int)(tu_rand() % (uint32_t)(hi - lo + 1)); }
static float tu_randf(float lo, float hi) { return lo + (hi - lo) * (float)(tu_rand() % 1000003) / 1000003.0f; }

/* ---- digest ---------------------------------------------------------------------- */
static uint64_t tu_digest = 1469598103934665603ull;
static long tu_digest_bytes;
static void tu_digest_add(const void *p, size_t n) {
  const unsigned char *b = p;
  for (size_t i = 0; i < n; i++) {
    tu_digest ^= b[i];
    tu_digest *= 1099511628211ull;
  }
  tu_digest_bytes += (long)n;
}
/* Writes $LF_DIGEST_DIR/<name>.txt when the variable is set. */
static void tu_digest_write(const char *name) {
  const char *dir = getenv("LF_DIGEST_DIR");
  if (!dir || !*dir) return;
  char path[1024];
  snprintf(path, sizeof path, "%s/%s.txt", dir, name);
  FILE *f = fopen(path, "w");
  if (!f) {
    fprintf(stderr, "cannot write %s\n", path);
    return;
  }
  fprintf(f, "%s fnv1a64 %016llx bytes %ld\n", name, (unsigned long long)tu_digest, tu_digest_bytes);
  fclose(f);
}

/* ---- model building ---------------------------------------------------------------- */
static lfrt_writer *tu_w;
static int tu_q8(const char *name, int ndim, const int32_t *shape, float scale, int zp) {
  lfrt_quant q = {1, &scale, &zp, 0};
  return lfrt_writer_add_tensor(tu_w, name, LFRT_INT8, ndim, shape, NULL, 0, &q);
}
static int tu_f32(const char *name, int ndim, const int32_t *shape) {
  return lfrt_writer_add_tensor(tu_w, name, LFRT_FLOAT32, ndim, shape, NULL, 0, NULL);
}
static int tu_const(const char *name, lfrt_type type, int ndim, const int32_t *shape, const void *data,
                    size_t bytes, const lfrt_quant *q) {
  return lfrt_writer_add_tensor(tu_w, name, type, ndim, shape, data, bytes, q);
}

/* A finished model, its interpreter and raw I/O. */
typedef struct {
  void *bytes;
  size_t len;
  lfrt_model *m;
  lfrt_interp *it;
} tu_run;

/* Finishes tu_w (freeing it), loads and prepares with `threads`. 0 on success. */
static int tu_prepare(tu_run *r, int threads) {
  lfrt_error err = {{0}};
  memset(r, 0, sizeof *r);
  if (lfrt_writer_finish(tu_w, &r->bytes, &r->len, &err) != LFRT_OK) {
    LF_CHECK_MSG(0, "writer: %s", err.msg);
    lfrt_writer_free(tu_w);
    return -1;
  }
  lfrt_writer_free(tu_w);
  tu_w = NULL;
  if (lfrt_model_load(r->bytes, r->len, "test", &r->m, &err) != LFRT_OK) {
    LF_CHECK_MSG(0, "load: %s", err.msg);
    return -1;
  }
  lfrt_interp_options o = {.threads = threads};
  if (lfrt_interp_create(r->m, &o, &r->it, &err) != LFRT_OK) {
    LF_CHECK_MSG(0, "prepare: %s", err.msg);
    return -1;
  }
  return 0;
}
static void tu_free(tu_run *r) {
  lfrt_interp_free(r->it);
  lfrt_model_free(r->m);
  free(r->bytes);
  memset(r, 0, sizeof *r);
}
/* Random input data for every model input (int8 uniform, float in [-4, 4)). */
static void tu_fill_inputs(tu_run *r) {
  for (int i = 0; i < lfrt_interp_input_count(r->it); i++) {
    const lfrt_tensor *t = lfrt_interp_input(r->it, i);
    void *d = lfrt_interp_input_data(r->it, i);
    if (t->type == LFRT_FLOAT32)
      for (int64_t k = 0; k < t->count; k++) ((float *)d)[k] = tu_randf(-4.0f, 4.0f);
    else
      for (size_t k = 0; k < t->bytes; k++) ((unsigned char *)d)[k] = (unsigned char)tu_rand();
  }
}
static int tu_invoke(tu_run *r) {
  lfrt_error err = {{0}};
  if (lfrt_interp_invoke(r->it, &err) != LFRT_OK) {
    LF_CHECK_MSG(0, "invoke: %s", err.msg);
    return -1;
  }
  const lfrt_tensor *o = lfrt_interp_output(r->it, 0);
  if (o->type == LFRT_INT8) tu_digest_add(lfrt_interp_output_data(r->it, 0), o->bytes);
  return 0;
}

/* Quantizes a real value like the spec: round(x/scale) + zp, clamped to [lo, hi]. */
static int tu_quant(double x, float scale, int zp, int lo, int hi) {
  double q = floor(x / scale + 0.5) + zp;
  if (q < lo) q = lo;
  if (q > hi) q = hi;
  return (int)q;
}
#endif
