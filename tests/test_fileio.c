/* Atomic writes and whole-file reads. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leapfrog/lf_fileio.h"
#include "lf_test.h"

static char dir[256];

LF_TEST(write_then_read) {
  char path[300];
  snprintf(path, sizeof path, "%s/a/b/file.bin", dir);
  char sub[300];
  snprintf(sub, sizeof sub, "%s/a/b", dir);
  LF_CHECK(lf_mkdirs(sub) == LF_OK);
  LF_CHECK(lf_write_file_atomic(path, "hello", 5) == LF_OK);
  unsigned char *d;
  size_t n;
  LF_CHECK(lf_read_file(path, 0, &d, &n) == LF_OK);
  LF_CHECK(n == 5 && !memcmp(d, "hello", 5) && d[5] == 0);
  free(d);
  LF_CHECK(lf_read_file(path, 4, &d, &n) == LF_EBADFILE);
  LF_CHECK(strstr(lf_last_error(), path) != NULL);
}

LF_TEST(abort_leaves_old_file) {
  char path[300];
  snprintf(path, sizeof path, "%s/keep.txt", dir);
  LF_CHECK(lf_write_file_atomic(path, "old", 3) == LF_OK);
  lf_atomic_file af;
  LF_CHECK(lf_atomic_open(&af, path) == LF_OK);
  fputs("new but unfinished", af.f);
  lf_atomic_abort(&af);
  unsigned char *d;
  size_t n;
  LF_CHECK(lf_read_file(path, 0, &d, &n) == LF_OK);
  LF_CHECK(n == 3 && !memcmp(d, "old", 3));
  free(d);
  LF_CHECK(lf_read_file("/nonexistent/x", 0, &d, &n) == LF_ENOTFOUND);
}

int main(void) {
  const char *t = getenv("LF_TMP");
  snprintf(dir, sizeof dir, "%s/fileio.%d", t ? t : "/tmp", (int)getpid());
  LF_RUN(write_then_read);
  LF_RUN(abort_leaves_old_file);
  return lf_test_summary();
}
