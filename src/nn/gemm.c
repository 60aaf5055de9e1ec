/* Row-major sgemm split across the engine's thread pool, each piece a
 * single-threaded OpenBLAS call. OpenBLAS's own threads would otherwise run
 * beside the pool's workers and spin (sched_yield) between calls, which on a
 * small machine oversubscribes the cores. The split (the larger of M and N
 * into lf_get_threads() pieces) depends only on the shape and the thread
 * count, and no piece splits the reduction dimension, so results are
 * deterministic for a given thread count. */
#include <cblas.h>

#include "nn/nn_internal.h"

typedef struct {
  int ta, tb, M, N, K, by_rows, pieces;
  float alpha, beta;
  const float *A, *B;
  float *C;
  int lda, ldb, ldc;
} gemm_job;

/* piece i of n covers [len*i/n, len*(i+1)/n) rounded to multiples of 8 */
static int cut(int len, int i, int n) {
  if (i >= n) return len;
  int v = (int)((long long)len * i / n);
  v &= ~7;
  return v;
}

static void run_piece(void *vctx, size_t b, size_t e) {
  const gemm_job *j = vctx;
  for (size_t i = b; i < e; i++) {
    int lo = cut(j->by_rows ? j->M : j->N, (int)i, j->pieces);
    int hi = cut(j->by_rows ? j->M : j->N, (int)i + 1, j->pieces);
    if (hi <= lo) continue;
    const float *A = j->A, *B = j->B;
    float *C = j->C;
    int M = j->M, N = j->N;
    if (j->by_rows) {
      A += j->ta ? (size_t)lo : (size_t)lo * j->lda;
      C += (size_t)lo * j->ldc;
      M = hi - lo;
    } else {
      B += j->tb ? (size_t)lo * j->ldb : (size_t)lo;
      C += lo;
      N = hi - lo;
    }
    cblas_sgemm(CblasRowMajor, j->ta ? CblasTrans : CblasNoTrans, j->tb ? CblasTrans : CblasNoTrans, M, N, j->K,
                j->alpha, A, j->lda, B, j->ldb, j->beta, C, j->ldc);
  }
}

void lf_nn_sgemm(int ta, int tb, int M, int N, int K, float alpha, const float *A, int lda, const float *B, int ldb,
                 float beta, float *C, int ldc) {
  if (M <= 0 || N <= 0) return;
  int nt = lf_get_threads();
  gemm_job j = {ta, tb, M, N, K, M >= N, 1, alpha, beta, A, B, C, lda, ldb, ldc};
  int len = j.by_rows ? M : N;
  double work = (double)M * N * (K > 0 ? K : 1);
  if (nt > 1 && len >= 16 && work >= 1 << 18) j.pieces = len / 8 < nt ? len / 8 : nt;
  int saved = openblas_get_num_threads();
  if (saved != 1) openblas_set_num_threads(1);
  lf_parallel_for((size_t)j.pieces, run_piece, &j);
  if (saved != 1) openblas_set_num_threads(saved);
}
