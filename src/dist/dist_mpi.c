/* lf_dist.h over MPI (Open MPI; any MPI-3 library should do). Built when the
 * Makefile finds mpicc (DIST=mpi); the only file of leapfrog that includes
 * mpi.h. */
#include <limits.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leapfrog/lf_dist.h"

static int inited, rank, size = 1, agreed_failure;
static double comm_s;
static char backend[MPI_MAX_LIBRARY_VERSION_STRING];

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static lf_status mpi_fail(int rc, const char *what) {
  char msg[MPI_MAX_ERROR_STRING] = "";
  int len = 0;
  MPI_Error_string(rc, msg, &len);
  return lf_error(LF_EIO, "dist: %s failed on rank %d of %d: %s", what, rank, size, msg);
}

/* Launched by mpirun (Open MPI sets OMPI_COMM_WORLD_SIZE, PMIx launchers PMIX_RANK)? */
static int under_launcher(void) { return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMIX_RANK"); }

lf_status lf_dist_init(int *argc, char ***argv) {
  if (inited || !under_launcher()) return LF_OK;
  int rc = MPI_Init(argc, argv);
  if (rc != MPI_SUCCESS) return lf_error(LF_EIO, "dist: MPI_Init failed (%d)", rc);
  inited = 1;
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return LF_OK;
}

void lf_dist_finalize(void) {
  if (inited) MPI_Finalize();
  inited = 0;
}
int lf_dist_rank(void) { return rank; }
int lf_dist_size(void) { return size; }

const char *lf_dist_backend(void) {
  if (!backend[0]) {
    int len = 0;
    MPI_Get_library_version(backend, &len); /* callable before MPI_Init */
    backend[strcspn(backend, ",\n")] = 0;   /* "Open MPI v4.1.4, package: ..." -> "Open MPI v4.1.4" */
    if (!backend[0]) strcpy(backend, "MPI");
  }
  return backend;
}

lf_status lf_dist_allreduce(void *buf, size_t n, lf_dist_type t, lf_dist_op op) {
  if (size == 1 || !n) return LF_OK;
  MPI_Datatype dt = t == LF_DIST_F64 ? MPI_DOUBLE : MPI_FLOAT;
  MPI_Op mo = op == LF_DIST_MIN ? MPI_MIN : op == LF_DIST_MAX ? MPI_MAX : MPI_SUM;
  size_t esz = t == LF_DIST_F64 ? sizeof(double) : sizeof(float);
  double t0 = now_s();
  for (size_t off = 0; off < n;) { /* MPI counts are int */
    int cnt = n - off > (size_t)INT_MAX ? INT_MAX : (int)(n - off);
    int rc = MPI_Allreduce(MPI_IN_PLACE, (char *)buf + off * esz, cnt, dt, mo, MPI_COMM_WORLD);
    if (rc != MPI_SUCCESS) return mpi_fail(rc, "MPI_Allreduce");
    off += (size_t)cnt;
  }
  comm_s += now_s() - t0;
  return LF_OK;
}

struct lf_dist_req {
  MPI_Request r;
};

lf_status lf_dist_iallreduce(void *buf, size_t n, lf_dist_type t, lf_dist_op op, lf_dist_req **req) {
  *req = NULL;
  if (size == 1 || !n) return LF_OK;
  if (n > (size_t)INT_MAX) return lf_error(LF_EINVAL, "dist: non-blocking all-reduce of %zu values is too large", n);
  lf_dist_req *q = malloc(sizeof *q);
  if (!q) return lf_error(LF_ENOMEM, "dist: out of memory");
  MPI_Datatype dt = t == LF_DIST_F64 ? MPI_DOUBLE : MPI_FLOAT;
  MPI_Op mo = op == LF_DIST_MIN ? MPI_MIN : op == LF_DIST_MAX ? MPI_MAX : MPI_SUM;
  double t0 = now_s();
  int rc = MPI_Iallreduce(MPI_IN_PLACE, buf, (int)n, dt, mo, MPI_COMM_WORLD, &q->r);
  comm_s += now_s() - t0;
  if (rc != MPI_SUCCESS) {
    free(q);
    return mpi_fail(rc, "MPI_Iallreduce");
  }
  *req = q;
  return LF_OK;
}

lf_status lf_dist_test(lf_dist_req *req, int *done) {
  *done = 1;
  if (!req) return LF_OK;
  double t0 = now_s();
  int rc = MPI_Test(&req->r, done, MPI_STATUS_IGNORE);
  comm_s += now_s() - t0;
  return rc == MPI_SUCCESS ? LF_OK : mpi_fail(rc, "MPI_Test");
}

lf_status lf_dist_wait(lf_dist_req **req) {
  if (!*req) return LF_OK;
  double t0 = now_s();
  int rc = MPI_Wait(&(*req)->r, MPI_STATUS_IGNORE);
  comm_s += now_s() - t0;
  free(*req);
  *req = NULL;
  return rc == MPI_SUCCESS ? LF_OK : mpi_fail(rc, "MPI_Wait");
}

lf_status lf_dist_gather(const void *mine, size_t len, void **all, size_t *all_len) {
  *all = NULL;
  *all_len = 0;
  if (len > (size_t)INT_MAX) return lf_error(LF_EINVAL, "dist: gather of %zu bytes is too large", len);
  double t0 = now_s();
  int *counts = NULL, *displs = NULL, me = (int)len, rc;
  if (rank == 0 && (!(counts = calloc((size_t)size, sizeof *counts)) || !(displs = calloc((size_t)size, sizeof *displs)))) {
    free(counts);
    return lf_error(LF_ENOMEM, "dist: out of memory");
  }
  if ((rc = MPI_Gather(&me, 1, MPI_INT, counts, 1, MPI_INT, 0, MPI_COMM_WORLD)) != MPI_SUCCESS) {
    free(counts), free(displs);
    return mpi_fail(rc, "MPI_Gather");
  }
  size_t total = 0;
  if (rank == 0)
    for (int r = 0; r < size; r++) displs[r] = (int)total, total += (size_t)counts[r];
  if (rank == 0 && (total > (size_t)INT_MAX || !(*all = malloc(total ? total : 1)))) {
    /* the other ranks are already in MPI_Gatherv: stop them all */
    fprintf(stderr, "leapfrog: rank 0 cannot hold the %zu gathered bytes\n", total);
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  rc = MPI_Gatherv(mine, me, MPI_BYTE, *all, counts, displs, MPI_BYTE, 0, MPI_COMM_WORLD);
  free(counts), free(displs);
  if (rc != MPI_SUCCESS) {
    free(*all);
    *all = NULL;
    return mpi_fail(rc, "MPI_Gatherv");
  }
  *all_len = total;
  comm_s += now_s() - t0;
  return LF_OK;
}

lf_status lf_dist_barrier(void) {
  if (size == 1) return LF_OK;
  int rc = MPI_Barrier(MPI_COMM_WORLD);
  return rc == MPI_SUCCESS ? LF_OK : mpi_fail(rc, "MPI_Barrier");
}

lf_status lf_dist_agree(lf_status st) {
  if (size == 1) return st;
  int mine = st ? rank : size, first = size;
  int rc = MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  if (rc != MPI_SUCCESS) return st ? st : mpi_fail(rc, "MPI_Allreduce");
  if (first == size) return LF_OK;
  agreed_failure = 1;
  return st ? st : lf_error(LF_EIO, "stopped because rank %d of %d failed (its message comes from it)", first, size);
}

void lf_dist_abort(int code) {
  fflush(stdout);
  fflush(stderr);
  if (inited && size > 1 && agreed_failure) { /* every rank knows and is on its way out */
    MPI_Finalize();
    exit(code);
  }
  if (inited && size > 1) MPI_Abort(MPI_COMM_WORLD, code);
  exit(code);
}

double lf_dist_comm_seconds(void) { return comm_s; }
