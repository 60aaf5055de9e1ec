/* The runtime's own file access for the invoke command (lfrt_invoke.h):
 * a bounded whole-file read, an atomic write that keeps what the path is, and
 * the guard that keeps the output off the command's inputs. POSIX. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lfrt_invoke.h"

/* The whole regular file at path (malloc'd), as lf_read_file. 0 on success. */
static int read_file(const char *path, unsigned char **data, size_t *len, char *msg, size_t msg_len) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) {
    snprintf(msg, msg_len, "%s: %s", path, strerror(errno));
    return -1;
  }
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    snprintf(msg, msg_len, "%s: not a regular file", path);
    return -1;
  }
  size_t n = (size_t)st.st_size;
  unsigned char *buf = malloc(n + 1);
  if (!buf) {
    fclose(f);
    snprintf(msg, msg_len, "%s: out of memory", path);
    return -1;
  }
  size_t got = fread(buf, 1, n, f);
  int bad = ferror(f);
  fclose(f);
  if (got != n || bad) {
    free(buf);
    snprintf(msg, msg_len, "%s: read failed", path);
    return -1;
  }
  *data = buf;
  *len = n;
  return 0;
}

static int write_stream(FILE *f, const void *data, size_t len) {
  return (len && fwrite(data, 1, len, f) != len) || fflush(f) != 0 || ferror(f) ? -1 : 0;
}

/* Writes `path` as lf_write_file_atomic does: "-" is stdout; a device node or
 * FIFO is written in place; a symlink writes its target (the link stays); a
 * regular file is replaced through TARGET.tmp.PID + fsync + rename, keeping its
 * mode (and owner, as root); a directory is refused. 0 on success. */
static int write_atomic(const char *path, const void *data, size_t len) {
  if (!strcmp(path, "-")) return write_stream(stdout, data, len);
  char *real = realpath(path, NULL); /* an existing path with its symlinks resolved */
  const char *target = real ? real : path;
  struct stat st;
  int exists = stat(target, &st) == 0, ok;
  if (exists && S_ISDIR(st.st_mode)) {
    free(real);
    errno = EISDIR;
    return -1;
  }
  if (exists && !S_ISREG(st.st_mode)) { /* a rename would replace the node itself */
    FILE *f = fopen(target, "wb");
    ok = f && write_stream(f, data, len) == 0;
    if (f && fclose(f) != 0) ok = 0;
    free(real);
    return ok ? 0 : -1;
  }
  size_t n = strlen(target) + 32;
  char *tmp = malloc(n);
  if (!tmp) {
    free(real);
    return -1;
  }
  snprintf(tmp, n, "%s.tmp.%ld", target, (long)getpid());
  FILE *f = fopen(tmp, "wb");
  ok = f != NULL;
  if (ok && exists) {
    if (geteuid() == 0 && fchown(fileno(f), st.st_uid, st.st_gid) != 0) { /* keep ours */ }
    if (fchmod(fileno(f), st.st_mode & 07777) != 0) ok = 0;
  }
  if (ok && len && fwrite(data, 1, len, f) != len) ok = 0;
  if (ok && (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0)) ok = 0;
  if (f && fclose(f) != 0) ok = 0;
  if (ok && rename(tmp, target) != 0) ok = 0;
  if (!ok && f) unlink(tmp);
  free(tmp);
  free(real);
  return ok ? 0 : -1;
}

static int write_file(const char *path, const void *data, size_t len, char *msg, size_t msg_len) {
  if (write_atomic(path, data, len) == 0) return 0;
  snprintf(msg, msg_len, "cannot write %s: %s", path, strerror(errno));
  return -1;
}

/* 1 when a and b are the same existing file (device + inode) or the same path. */
static int same_file(const char *a, const char *b) {
  struct stat sa, sb;
  if (!strcmp(a, "-") || !strcmp(b, "-")) return 0;
  if (stat(a, &sa) == 0 && stat(b, &sb) == 0) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  return !strcmp(a, b);
}

static int guard(const char *prog, const char *output, const char *model_path, const char *inputs) {
  const char *clash = same_file(output, model_path) ? model_path : NULL;
  for (const char *s = inputs; !clash && *s;) {
    size_t k = strcspn(s, ",");
    char in[4096];
    snprintf(in, sizeof in, "%.*s", (int)(k < sizeof in ? k : sizeof in - 1), s);
    if (same_file(output, in)) clash = s;
    s += k + (s[k] == ',');
  }
  if (clash) {
    fprintf(stderr, "%s: --output %s is the same file as %s (%.*s): refusing to overwrite an input of this command\n",
            prog, output, clash == model_path ? "MODEL" : "--input", (int)strcspn(clash, ","), clash);
    return 2;
  }
  return 0;
}

const lfrt_invoke_io lfrt_invoke_posix_io = {read_file, write_file, guard};
