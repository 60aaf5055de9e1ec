/* The invoke command: `PROG MODEL.tflite --input IN.bin[,IN2.bin...] --output
 * OUT.bin [--repeat N] [--threads N] [--isa NAME] [--json]` behind both
 * `leapfrog invoke` and `lfrt invoke`, so their options, messages, exit codes
 * and bytes are the same. Raw tensor bytes in and out, the contract of
 * tests/oracles/tflite/run_tflite.sh: OUT.bin holds all outputs concatenated
 * (and OUT.bin.N each when there are several); "-" is stdout.
 *
 * File access goes through lfrt_invoke_io so that the toolkit can use its own
 * bounded reader, atomic writer and output guard; NULL gives the runtime's
 * POSIX versions (lfrt_file.c). C99 + POSIX. */
#ifndef LFRT_INVOKE_H
#define LFRT_INVOKE_H
#include <stddef.h>

typedef struct {
  /* The whole regular file at path, malloc'd (*data). 0 on success; else
   * nonzero with the reason in msg. */
  int (*read_file)(const char *path, unsigned char **data, size_t *len, char *msg, size_t msg_len);
  /* Writes path atomically ("-": stdout). 0 on success; else the reason in msg. */
  int (*write_file)(const char *path, const void *data, size_t len, char *msg, size_t msg_len);
  /* 0 when `output` may be written: it is neither the model nor one of the
   * comma-separated inputs; else prints why (prefixed by prog) and returns
   * the exit code (2). */
  int (*guard)(const char *prog, const char *output, const char *model, const char *inputs);
} lfrt_invoke_io;

/* The runtime's own file access (POSIX; lfrt_file.c). */
extern const lfrt_invoke_io lfrt_invoke_posix_io;

/* argv[0] is the command's own name; prog prefixes messages ("lfrt invoke").
 * Returns the exit code: 0 ok, 1 failure (model refused, unreadable input,
 * wrong input size, invoke or write failed), 2 usage (bad option, wrong input
 * count, an ISA this CPU lacks, output onto an input). */
int lfrt_invoke_main(const char *prog, int argc, char **argv, const lfrt_invoke_io *io);

#endif
