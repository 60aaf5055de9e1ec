/* Whole-file reading and atomic writing (temp file + fsync + rename), so a
 * killed process never leaves a half-written checkpoint, model or report;
 * and the guards that keep a command from writing over its own inputs. */
#ifndef LF_FILEIO_H
#define LF_FILEIO_H
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "leapfrog/lf_status.h"

/* Reads all of `path` into a malloc'd buffer (NUL-terminated; *len excludes
 * the NUL). Refuses files larger than max_bytes (0 = 4 GiB) before allocating,
 * and anything that is not a regular file (lf_open_regular). */
lf_status lf_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len);

/* Every reader's door: opens `path` read-only with O_NONBLOCK (a FIFO, tty or
 * device cannot hang the open), refuses anything that is not a regular file
 * (FIFO, directory, device, socket) with a message naming the path and what it
 * is, then restores blocking reads. *fd (close it) and *size (from fstat) on
 * success. No leapfrog input is read from stdin or a FIFO. */
lf_status lf_open_regular(const char *path, int *fd, uint64_t *size);
/* Reads exactly n bytes from fd (EINTR retried); a short read is LF_EIO naming path. */
lf_status lf_read_fd(int fd, void *buf, size_t n, const char *path);

/* Writes `len` bytes to `path` as lf_atomic_open describes. */
lf_status lf_write_file_atomic(const char *path, const void *data, size_t len);

/* Streaming writer. What `path` is decides how it is written:
 *  - a regular file, or nothing yet: a temp file next to it
 *    ("<name>.tmp.<pid>", the name part shortened with a hash when that would
 *    pass NAME_MAX) that commit flushes, fsyncs and renames over `path`
 *    (then fsyncs the directory); an existing file's mode is kept, its
 *    group where the user may set it, and its owner when running as root;
 *  - a symlink: its final target is written the same way (the link stays);
 *  - "-": standard output; a device node or FIFO: opened and written in
 *    place (no temp file, no rename);
 *  - a directory or socket: refused (LF_EINVAL, naming the path).
 * A temp file of `path` left by a process that is gone (a killed run) is
 * removed when `path` is written (the folder is listed once per process).
 * Commit and abort close the stream (stdout is flushed, not closed); abort
 * removes the temp file (a direct write cannot be undone). */
typedef struct {
  FILE *f;
  char *final_path; /* the path written (a symlink resolved) */
  char *tmp_path;   /* NULL when written in place */
  int direct;       /* 1: device/FIFO, 2: stdout */
} lf_atomic_file;
lf_status lf_atomic_open(lf_atomic_file *af, const char *path);
lf_status lf_atomic_commit(lf_atomic_file *af);
void lf_atomic_abort(lf_atomic_file *af);

/* The temp name lf_atomic_open uses for `path` in process `pid` (malloc'd;
 * NULL when out of memory). For tests and tools that clean up. */
char *lf_atomic_tmp_name(const char *path, long pid);

/* 1 when `a` and `b` name the same file: the same device and inode when both
 * exist, else the same path (after resolving the directory part). "-" is
 * never the same as anything. */
int lf_same_file(const char *a, const char *b);

/* An output must not be an input of the same command: LF_EINVAL with
 * "OUT_FLAG PATH is the same file as IN_FLAG (PATH): refusing to overwrite
 * an input" when lf_same_file(out, in); LF_OK otherwise (or if either is
 * NULL). */
lf_status lf_guard_output(const char *out_flag, const char *out, const char *in_flag, const char *in);

/* The same for an input folder: refuses when `out` exists inside `dir`
 * (it would replace one of the folder's files). */
lf_status lf_guard_output_dir(const char *out_flag, const char *out, const char *in_flag, const char *dir);

/* mkdir -p */
lf_status lf_mkdirs(const char *path);

#endif
