/* Read-only file mapping (see tflite_mmap.h). POSIX mmap where available,
 * otherwise a malloc'd copy read with stdio. */
#include "tflite_mmap.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define LFRT_HAVE_MMAP 1
#ifdef O_CLOEXEC
#define LFRT_O_CLOEXEC O_CLOEXEC
#else
#define LFRT_O_CLOEXEC 0
#endif
#endif

#ifdef LFRT_HAVE_MMAP
lfrt_status lfrt_map_file_(const char *path, void **data, size_t *len, lfrt_error *err) {
  *data = NULL;
  *len = 0;
  /* O_NONBLOCK: a FIFO or a device given as the model must not hang the open */
  int fd = open(path, O_RDONLY | O_NONBLOCK | LFRT_O_CLOEXEC);
  if (fd < 0) return lfrt_set_error(err, LFRT_EIO, "%s: cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    close(fd);
    return lfrt_set_error(err, LFRT_EIO, "%s: cannot stat: %s", path, strerror(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    const char *kind = S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISDIR(st.st_mode) ? "a directory"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "not a regular file";
    close(fd);
    return lfrt_set_error(err, LFRT_EIO, "%s: is %s, not a regular file (models are read from regular files only)",
                          path, kind);
  }
  if (st.st_size == 0) {
    close(fd);
    return lfrt_set_error(err, LFRT_EBADFILE, "%s: file is empty", path);
  }
  if ((unsigned long long)st.st_size > (unsigned long long)(SIZE_MAX / 2)) {
    close(fd);
    return lfrt_set_error(err, LFRT_EBADFILE, "%s: file is too large to map", path);
  }
  void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  int e = errno;
  close(fd);
  if (p == MAP_FAILED) return lfrt_set_error(err, LFRT_EIO, "%s: mmap failed: %s", path, strerror(e));
  /* No fault-around: kernels read small constants (biases, per-channel
   * operands) scattered between weights that prepare packed and released
   * (lfrt_release_pages_); with the default fault-around each such read would
   * map ~64 KiB of neighbours back in (+4 MB RSS on DenseNet-121). */
  madvise(p, (size_t)st.st_size, MADV_RANDOM);
  *data = p;
  *len = (size_t)st.st_size;
  return LFRT_OK;
}

void lfrt_unmap_file_(void *data, size_t len) {
  if (data) munmap(data, len);
}

void lfrt_release_pages_(const void *p, size_t len) {
  long pg = sysconf(_SC_PAGESIZE);
  if (pg <= 0) return;
  uintptr_t a = ((uintptr_t)p + (uintptr_t)pg - 1) & ~((uintptr_t)pg - 1), e = ((uintptr_t)p + len) & ~((uintptr_t)pg - 1);
  if (e > a) madvise((void *)a, e - a, MADV_DONTNEED); /* a private read-only file mapping: dropping is safe */
}
#else
lfrt_status lfrt_map_file_(const char *path, void **data, size_t *len, lfrt_error *err) {
  *data = NULL;
  *len = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return lfrt_set_error(err, LFRT_EIO, "%s: cannot open: %s", path, strerror(errno));
  size_t cap = 1 << 16, n = 0;
  unsigned char *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    unsigned char *nb = cap <= SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
    if (!nb) { free(buf); buf = NULL; break; }
    buf = nb;
    cap *= 2;
  }
  int bad = ferror(f);
  fclose(f);
  if (!buf) return lfrt_set_error(err, LFRT_ENOMEM, "%s: out of memory", path);
  if (bad) { free(buf); return lfrt_set_error(err, LFRT_EIO, "%s: read failed", path); }
  if (n == 0) { free(buf); return lfrt_set_error(err, LFRT_EBADFILE, "%s: file is empty", path); }
  *data = buf;
  *len = n;
  return LFRT_OK;
}

void lfrt_unmap_file_(void *data, size_t len) {
  (void)len;
  free(data);
}

void lfrt_release_pages_(const void *p, size_t len) {
  (void)p;
  (void)len;
}
#endif
