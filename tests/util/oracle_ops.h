/* Files for the LiteRT op oracle test (tests/test_oracle_ops.sh).
 *
 * lf_oracle_write_ops(dir, seed, runs) writes every lf_opzoo case:
 *   dir/<case>.tflite, dir/<case>.r<j>.in<k>.bin (random inputs, j < runs),
 *   dir/cases.tsv   name  op  class(i8|f32)  out_type  runs  description
 *   dir/litert.tsv  model  in0[,in1]  dir/<case>.r<j>.litert.bin   (run_litert_batch.mjs)
 *   dir/invoke.tsv  model  in0[,in1]  dir/<case>.r<j>.lf.bin       (leapfrog invoke)
 * lf_oracle_check_ops(dir, report) compares every .lf.bin with its .litert.bin
 * and prints one line per op (cases, runs, byte-exact runs, worst difference)
 * to `report`; returns the number of failing runs (0 = all pass), -1 on I/O error.
 *
 * What passes:
 *   int8 outputs: byte-identical, always.
 *   a model LiteRT refuses (e.g. XNNPACK cannot take a requantization scale >= 256)
 *     has no oracle: reported ("refused" column), not counted as a failure.
 *   float outputs of data-movement ops (PAD, RESHAPE, CONCATENATION,
 *     MAX_POOL_2D, RESIZE_NEAREST_NEIGHBOR, RELU, RELU6, QUANTIZE/DEQUANTIZE):
 *     byte-identical (no arithmetic that could round differently).
 *   float outputs of arithmetic ops: |ours - litert| <= 2^-17 * max(1, |litert|)
 *     (about 64 ulp at 1.0): LiteRT runs float through XNNPACK, whose SIMD
 *     kernels sum in a different order and with FMA, and use polynomial
 *     exp/sigmoid; the bound is far below any quantization step. */
#ifndef LF_ORACLE_OPS_H
#define LF_ORACLE_OPS_H
#include <stdint.h>
#include <stdio.h>

int lf_oracle_write_ops(const char *dir, uint64_t seed, int runs, FILE *log);
int lf_oracle_check_ops(const char *dir, FILE *report);
/* Per op and type: how many runs of dir/<case>.r<j>.<a>.bin and .<b>.bin are
 * byte-identical (e.g. a = "litert", b = "tfjs" or "lf"). Returns 0, -1 on I/O error. */
int lf_oracle_agree_ops(const char *dir, const char *a, const char *b, FILE *report);

#endif
