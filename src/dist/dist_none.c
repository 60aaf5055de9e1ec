/* lf_dist.h without MPI: one process, every collective a no-op. Built when
 * the Makefile finds no mpicc (DIST=none). */
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_dist.h"

lf_status lf_dist_init(int *argc, char ***argv) {
  (void)argc, (void)argv;
  return LF_OK;
}
void lf_dist_finalize(void) {}
int lf_dist_rank(void) { return 0; }
int lf_dist_size(void) { return 1; }
const char *lf_dist_backend(void) { return "none (built without MPI)"; }
lf_status lf_dist_allreduce(void *buf, size_t n, lf_dist_type t, lf_dist_op op) {
  (void)buf, (void)n, (void)t, (void)op;
  return LF_OK;
}
lf_status lf_dist_iallreduce(void *buf, size_t n, lf_dist_type t, lf_dist_op op, lf_dist_req **req) {
  (void)buf, (void)n, (void)t, (void)op;
  *req = NULL;
  return LF_OK;
}
lf_status lf_dist_test(lf_dist_req *req, int *done) {
  (void)req;
  *done = 1;
  return LF_OK;
}
lf_status lf_dist_wait(lf_dist_req **req) {
  *req = NULL;
  return LF_OK;
}
lf_status lf_dist_gather(const void *mine, size_t len, void **all, size_t *all_len) {
  *all = malloc(len ? len : 1);
  if (!*all) return lf_error(LF_ENOMEM, "dist: out of memory");
  if (len) memcpy(*all, mine, len);
  *all_len = len;
  return LF_OK;
}
lf_status lf_dist_barrier(void) { return LF_OK; }
lf_status lf_dist_agree(lf_status st) { return st; }
void lf_dist_abort(int code) { exit(code); }
double lf_dist_comm_seconds(void) { return 0; }
