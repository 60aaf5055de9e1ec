#include "leapfrog/lf_fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

lf_status lf_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len) {
  *data = NULL;
  *len = 0;
  if (!max_bytes) max_bytes = (size_t)4 << 30;
  FILE *f = fopen(path, "rb");
  if (!f) return lf_error(errno == ENOENT ? LF_ENOTFOUND : LF_EIO, "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return lf_error(LF_EIO, "%s: not a regular file", path);
  }
  if ((uint64_t)st.st_size > max_bytes) {
    fclose(f);
    return lf_error(LF_EBADFILE, "%s: %lld bytes is larger than the %zu allowed", path,
                    (long long)st.st_size, max_bytes);
  }
  size_t n = (size_t)st.st_size;
  unsigned char *buf = malloc(n + 1);
  if (!buf) {
    fclose(f);
    return lf_error(LF_ENOMEM, "%s: cannot allocate %zu bytes", path, n + 1);
  }
  size_t got = fread(buf, 1, n, f);
  int err = ferror(f);
  fclose(f);
  if (got != n || err) {
    free(buf);
    return lf_error(LF_EIO, "%s: short read (%zu of %zu bytes)", path, got, n);
  }
  buf[n] = 0;
  *data = buf;
  *len = n;
  return LF_OK;
}

static char *lf_strdup_printf_tmp(const char *path) {
  size_t n = strlen(path) + 32;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s.tmp.%ld", path, (long)getpid());
  return s;
}

lf_status lf_atomic_open(lf_atomic_file *af, const char *path) {
  memset(af, 0, sizeof *af);
  af->final_path = strdup(path);
  af->tmp_path = lf_strdup_printf_tmp(path);
  if (!af->final_path || !af->tmp_path) {
    lf_atomic_abort(af);
    return lf_error(LF_ENOMEM, "%s: out of memory", path);
  }
  af->f = fopen(af->tmp_path, "wb");
  if (!af->f) {
    lf_status s = lf_error(LF_EIO, "%s: cannot create: %s", af->tmp_path, strerror(errno));
    lf_atomic_abort(af);
    return s;
  }
  return LF_OK;
}

static void lf_fsync_parent_dir(const char *path) {
  char *dir = strdup(path);
  if (!dir) return;
  char *slash = strrchr(dir, '/');
  if (slash == dir) slash[1] = 0;
  else if (slash) *slash = 0;
  else strcpy(dir, ".");
  int fd = open(dir, O_RDONLY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  free(dir);
}

lf_status lf_atomic_commit(lf_atomic_file *af) {
  lf_status s = LF_OK;
  if (fflush(af->f) != 0 || ferror(af->f) || fsync(fileno(af->f)) != 0)
    s = lf_error(LF_EIO, "%s: write failed: %s", af->final_path, strerror(errno));
  if (fclose(af->f) != 0 && s == LF_OK)
    s = lf_error(LF_EIO, "%s: close failed: %s", af->final_path, strerror(errno));
  af->f = NULL;
  if (s == LF_OK && rename(af->tmp_path, af->final_path) != 0)
    s = lf_error(LF_EIO, "%s: rename failed: %s", af->final_path, strerror(errno));
  if (s == LF_OK) lf_fsync_parent_dir(af->final_path);
  lf_atomic_abort(af);
  return s;
}

void lf_atomic_abort(lf_atomic_file *af) {
  if (af->f) fclose(af->f);
  if (af->tmp_path) unlink(af->tmp_path); /* no-op after a successful rename */
  free(af->tmp_path);
  free(af->final_path);
  memset(af, 0, sizeof *af);
}

lf_status lf_write_file_atomic(const char *path, const void *data, size_t len) {
  lf_atomic_file af;
  lf_status s = lf_atomic_open(&af, path);
  if (s != LF_OK) return s;
  if (len && fwrite(data, 1, len, af.f) != len) {
    s = lf_error(LF_EIO, "%s: write failed: %s", path, strerror(errno));
    lf_atomic_abort(&af);
    return s;
  }
  return lf_atomic_commit(&af);
}

lf_status lf_mkdirs(const char *path) {
  char *p = strdup(path);
  if (!p) return lf_error(LF_ENOMEM, "out of memory");
  for (char *q = p + 1;; q++) {
    if (*q == '/' || *q == 0) {
      char c = *q;
      *q = 0;
      if (mkdir(p, 0777) != 0 && errno != EEXIST) {
        lf_status s = lf_error(LF_EIO, "%s: cannot create directory: %s", p, strerror(errno));
        free(p);
        return s;
      }
      *q = c;
      if (!c) break;
    }
  }
  free(p);
  return LF_OK;
}
