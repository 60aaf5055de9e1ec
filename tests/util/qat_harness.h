/* Shared helpers of the QAT tests (test_qat_convert, test_qat_lowering,
 * test_qat_exact, test_qat_dnnl): a seeded RNG, random BN statistics, running
 * a .tflite in leapfrog's runtime and in Google's LiteRT ($LF_TFLITE_ORACLE),
 * scratch files and the common end of main(). Test code only. */
#ifndef LF_QAT_HARNESS_H
#define LF_QAT_HARNESS_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_nn.h"

/* xorshift64: uniform in [0, 1) from the top 24 bits; state must be nonzero. */
float lf_qh_urand(uint64_t *state);
/* Box-Muller N(0, 1) from two lf_qh_urand draws (u first, then v). */
float lf_qh_nrand(uint64_t *state);

/* Random statistics for every BATCHNORM node's parameters so folding is not
 * trivial: weight 0.5 + U, bias 0.3 N, running_mean 0.2 N, running_var 0.5 + U
 * (draws in parameter, then element order). */
void lf_qh_randomise_bn(lf_graph *g, uint64_t *state);

/* Over every parameter gradient of g: *finite = 1 if all are finite,
 * *nonzero = how many are nonzero (a QAT backward that reached the weights). */
void lf_qh_grad_stats(lf_graph *g, int *finite, int *nonzero);

/* Loads bytes[len] in lfrt, sets input 0 from in[in_bytes], invokes and copies
 * output 0 into out[out_bytes]. Returns 1 on success, 0 on failure (the
 * failing stage and lfrt's message on stderr). */
int lf_qh_run_runtime(const void *bytes, size_t len, const void *in, size_t in_bytes, void *out, size_t out_bytes);

/* Runs the model in LiteRT on n inputs (contiguous, in_bytes each) in one
 * oracle process; outputs contiguous, out_bytes each. Scratch files go to
 * dir/tag.*. Returns 1 ran, 0 failed, -1 oracle missing (LF_TFLITE_ORACLE
 * unset/empty, or the command not found / not executable: rc 127/126). */
int lf_qh_run_litert(const char *dir, const char *tag, const void *bytes, size_t len, int n, const void *in,
                     size_t in_bytes, void *out, size_t out_bytes);

/* Whole-file write / exact-size read; 1 ok, 0 failed. */
int lf_qh_write_file(const char *path, const void *b, size_t n);
int lf_qh_read_file(const char *path, void *b, size_t n);

/* dir[cap] = a fresh $LF_TMP (or /tmp)/<name>.XXXXXX directory; 1 ok, 0 failed. */
int lf_qh_mkdtemp(char *dir, size_t cap, const char *name);
/* End of main(): removes dir, and turns a passing run whose LiteRT checks all
 * skipped (litert_missing && !litert_ran) into 77 with a "skip:" line. */
int lf_qh_finish(const char *dir, int rc, int litert_missing, int litert_ran);

#endif
