/* Several processes working as one: data-parallel training and sharded
 * prediction over MPI (Open MPI), behind this one small interface.
 *
 * Two builds of it, chosen by the Makefile: src/dist/dist_mpi.c when mpicc is
 * present, src/dist/dist_none.c (one process, no MPI) otherwise. Callers never
 * test which: with one process every collective is a no-op.
 *
 * lf_dist_init starts MPI only when the process was launched by mpirun
 * (OMPI_COMM_WORLD_SIZE / PMIX_RANK in the environment); a plain `leapfrog`
 * run never touches MPI. Errors in MPI calls return (MPI_ERRORS_RETURN) and
 * become lf_status LF_EIO; a caller that fails on one rank calls
 * lf_dist_abort so the other ranks do not wait for it forever. A rank killed
 * outright (kill -9) is seen by mpirun, which stops the whole job. */
#ifndef LF_DIST_H
#define LF_DIST_H
#include <stddef.h>

#include "leapfrog/lf_status.h"

typedef enum { LF_DIST_F32 = 0, LF_DIST_F64 } lf_dist_type;
typedef enum { LF_DIST_SUM = 0, LF_DIST_MIN, LF_DIST_MAX } lf_dist_op;

lf_status lf_dist_init(int *argc, char ***argv);
void lf_dist_finalize(void);
int lf_dist_rank(void);  /* 0 .. size-1 */
int lf_dist_size(void);  /* 1 without mpirun */
/* "Open MPI v4.1.4" (the library found at run time) or "none (built without MPI)" */
const char *lf_dist_backend(void);
/* In-place all-reduce of n values over every rank. */
lf_status lf_dist_allreduce(void *buf, size_t n, lf_dist_type t, lf_dist_op op);
/* Non-blocking in-place all-reduce (MPI_Iallreduce) of n <= INT_MAX values:
 * buf must stay untouched until lf_dist_wait. Every rank must start its
 * collectives (blocking or not) in the same order. lf_dist_test makes the
 * library progress (Open MPI moves a non-blocking collective on only inside
 * MPI calls) and sets *done; lf_dist_wait blocks until done and frees *req
 * (setting it NULL; a NULL *req is done). With one process these do nothing.
 * Time inside test and wait counts as communication (lf_dist_comm_seconds). */
typedef struct lf_dist_req lf_dist_req;
lf_status lf_dist_iallreduce(void *buf, size_t n, lf_dist_type t, lf_dist_op op, lf_dist_req **req);
lf_status lf_dist_test(lf_dist_req *req, int *done);
lf_status lf_dist_wait(lf_dist_req **req);
/* Rank 0 receives every rank's bytes, concatenated in rank order into a
 * malloc'ed *all (*all_len bytes); other ranks get *all = NULL. */
lf_status lf_dist_gather(const void *mine, size_t len, void **all, size_t *all_len);
lf_status lf_dist_barrier(void);
/* After a stage that every rank reaches (failed or not): tells every rank
 * whether any failed. Returns st on a rank that failed, an LF_EIO error
 * naming the first failed rank on the others, LF_OK when none did. Once a
 * failure is agreed on, lf_dist_abort ends each rank on its own (MPI_Finalize,
 * exit) instead of killing the job, so the failing rank's message and the
 * other ranks' finished work (predict's journals) are not cut off. */
lf_status lf_dist_agree(lf_status st);
/* Ends every rank of the job with exit code `code` (after printing the
 * caller's message); with one process it just exits. */
void lf_dist_abort(int code);
/* Seconds spent inside collectives since start (communication time). */
double lf_dist_comm_seconds(void);

#endif
