/* Single int8 ops through the dispatched kernels (lfrt_exec.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "interp_internal.h"
#include "lfrt_conv_gemm.h"
#include "lfrt_conv_igemm.h"
#include "lfrt_exec.h"

struct lfrt_exec {
  int threads;
  lfrt_isa isa;
  lfrt_pool *pool;
  void *packed, *scratch;
  size_t packed_bytes, scratch_stride, scratch_threads;
  float *scale;
  int scale_n;
  int8_t *zero; /* igemm: in_c bytes of the zero point */
  size_t zero_bytes;
};

lfrt_status lfrt_exec_create(int threads, const char *isa, lfrt_exec **out, lfrt_error *err) {
  *out = NULL;
  if (threads < 1 || threads > 64) return lfrt_set_error(err, LFRT_EINVAL, "lfrt_exec: %d threads (want 1..64)", threads);
  lfrt_exec *ex = calloc(1, sizeof *ex);
  if (!ex) return lfrt_set_error(err, LFRT_ENOMEM, "lfrt_exec: out of memory");
  lfrt_status st = lfrt_isa_resolve(isa, &ex->isa, err);
  if (!st && threads > 1) {
    st = lfrt_pool_create(threads, &ex->pool);
    if (st) lfrt_set_error(err, st, "lfrt_exec: cannot start %d threads", threads);
  }
  if (st) {
    free(ex);
    return st;
  }
  ex->threads = threads;
  *out = ex;
  return LFRT_OK;
}

void lfrt_exec_free(lfrt_exec *ex) {
  if (!ex) return;
  if (ex->pool) lfrt_pool_free(ex->pool);
  free(ex->packed);
  free(ex->scratch);
  free(ex->scale);
  free(ex->zero);
  free(ex);
}

const char *lfrt_exec_isa(const lfrt_exec *ex) { return lfrt_isa_name(ex->isa); }

static int grow(void **buf, size_t *have, size_t want) {
  if (*have >= want) return 0;
  void *p = NULL;
  if (posix_memalign(&p, 64, want)) return -1;
  free(*buf);
  *buf = p;
  *have = want;
  return 0;
}

typedef struct {
  lfrt_exec *ex;
  const lfrt_conv_params *p;
  const lfrt_qs8_gemm_config *g;
  const lfrt_qs8_igemm_config *ig; /* set: the indirect GEMM (in_c % 4 == 0) */
  int tconv;
  const int8_t *in;
  int8_t *out;
} conv_job;

static void conv_slice(void *ctx, int t, int n) {
  conv_job *j = ctx;
  int rows = j->p->batch * j->p->out_h;
  int begin = (int)((int64_t)rows * t / n), end = (int)((int64_t)rows * (t + 1) / n);
  void *scratch = (unsigned char *)j->ex->scratch + (size_t)t * j->ex->scratch_stride;
  if (begin < end && j->ig)
    lfrt_qs8_conv_igemm_run(j->p, j->tconv, j->ig, j->ex->packed, j->ex->zero, j->in, j->out, begin, end, scratch);
  else if (begin < end)
    lfrt_qs8_conv_gemm_run(j->p, j->tconv, j->g, j->ex->packed, j->in, j->out, begin, end, scratch);
}

lfrt_status lfrt_exec_qs8_conv(lfrt_exec *ex, const lfrt_conv_params *p, int tconv, const int8_t *in, const int8_t *w,
                               const int32_t *bias, int8_t *out, lfrt_error *err) {
  const lfrt_qs8_gemm_config *g = lfrt_qs8_gemm_config_for(ex->isa);
  int rows = p->batch * p->out_h;
  if (g->isa == LFRT_ISA_REF) { /* the reference op kernel is the fastest portable path */
    (tconv ? lfrt_qs8_tconv2d__ref : lfrt_qs8_conv2d__ref)(p, in, w, bias, out, 0, rows);
    return LFRT_OK;
  }
  /* as the interpreter chooses (kernel_select.c): the indirect GEMM when in_c % 4 == 0 */
  const lfrt_qs8_igemm_config *ig = lfrt_qs8_conv_igemm_ok(p) ? lfrt_qs8_igemm_config_for(ex->isa) : NULL;
  int N = p->out_c, K = p->k_h * p->k_w * p->in_c, nr = ig ? ig->nr : g->nr;
  size_t kc = ((size_t)K + 3) & ~(size_t)3, blocks = ((size_t)N + (size_t)nr - 1) / (size_t)nr;
  size_t need = ig ? lfrt_qs8_conv_igemm_scratch(p, ig) : lfrt_qs8_conv_gemm_scratch(p, g);
  size_t stride = (need + 63) & ~(size_t)63, sbytes = ex->scratch_stride * ex->scratch_threads;
  if (grow(&ex->packed, &ex->packed_bytes, blocks * lfrt_qs8_gemm_block_bytes(nr, kc)) ||
      grow(&ex->scratch, &sbytes, stride * (size_t)ex->threads) ||
      (ig && grow((void **)&ex->zero, &ex->zero_bytes, (size_t)p->in_c)))
    return lfrt_set_error(err, LFRT_ENOMEM, "lfrt_exec: out of memory for a %dx%d conv", N, K);
  if (ig) memset(ex->zero, (unsigned char)(int8_t)p->in_zp, (size_t)p->in_c);
  if (stride > ex->scratch_stride || ex->scratch_threads != (size_t)ex->threads) {
    ex->scratch_stride = sbytes / (size_t)ex->threads;
    ex->scratch_threads = (size_t)ex->threads;
  }
  if (ex->scale_n < N) {
    float *s = realloc(ex->scale, sizeof(float) * (size_t)N);
    if (!s) return lfrt_set_error(err, LFRT_ENOMEM, "lfrt_exec: out of memory");
    ex->scale = s;
    ex->scale_n = N;
  }
  for (int c = 0; c < N; c++) ex->scale[c] = ldexpf((float)p->mult[c], p->shift[c]);
  lfrt_qs8_gemm_pack(nr, N, K, w, bias, p->in_zp, ex->scale, ex->packed);
  conv_job j = {ex, p, g, ig, tconv, in, out};
  if (ex->pool && rows > 1) lfrt_pool_run(ex->pool, conv_slice, &j);
  else conv_slice(&j, 0, 1);
  return LFRT_OK;
}
