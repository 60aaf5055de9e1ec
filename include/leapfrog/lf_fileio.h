/* Whole-file reading and atomic writing (temp file + fsync + rename), so a
 * killed process never leaves a half-written checkpoint, model or report. */
#ifndef LF_FILEIO_H
#define LF_FILEIO_H
#include <stddef.h>
#include <stdio.h>
#include "leapfrog/lf_status.h"

/* Reads all of `path` into a malloc'd buffer (NUL-terminated; *len excludes
 * the NUL). Refuses files larger than max_bytes (0 = 4 GiB). */
lf_status lf_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len);

/* Writes `len` bytes to `path` atomically. */
lf_status lf_write_file_atomic(const char *path, const void *data, size_t len);

/* Streaming atomic writer: open gives a FILE* on "<path>.tmp.<pid>"; commit
 * flushes, fsyncs, renames over `path` (and fsyncs the directory); abort
 * removes the temp file. Both close the stream. */
typedef struct {
  FILE *f;
  char *final_path;
  char *tmp_path;
} lf_atomic_file;
lf_status lf_atomic_open(lf_atomic_file *af, const char *path);
lf_status lf_atomic_commit(lf_atomic_file *af);
void lf_atomic_abort(lf_atomic_file *af);

/* mkdir -p */
lf_status lf_mkdirs(const char *path);

#endif
