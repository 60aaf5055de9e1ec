/* Atomic writes and whole-file reads; what each kind of output path gets
 * (regular file, symlink, device, FIFO, "-"), long names, stale temp files,
 * and the output guards. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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


static int file_is(const char *path, const char *want) {
  unsigned char *d;
  size_t n;
  if (lf_read_file(path, 0, &d, &n) != LF_OK) return 0;
  int ok = n == strlen(want) && !memcmp(d, want, n);
  free(d);
  return ok;
}

/* entries of `sub` whose name contains ".tmp." */
static int count_tmp(const char *sub) {
  DIR *dd = opendir(sub);
  int n = 0;
  struct dirent *e;
  while (dd && (e = readdir(dd))) n += strstr(e->d_name, ".tmp.") != NULL;
  if (dd) closedir(dd);
  return n;
}

LF_TEST(keeps_mode) {
  char path[300];
  snprintf(path, sizeof path, "%s/mode.txt", dir);
  LF_CHECK(lf_write_file_atomic(path, "a", 1) == LF_OK);
  LF_CHECK(chmod(path, 0640) == 0);
  LF_CHECK(lf_write_file_atomic(path, "bb", 2) == LF_OK);
  struct stat st;
  LF_CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0640);
  LF_CHECK(st.st_uid == geteuid());
  LF_CHECK(file_is(path, "bb"));
  LF_CHECK(chmod(path, 0600) == 0);
  LF_CHECK(lf_write_file_atomic(path, "c", 1) == LF_OK);
  LF_CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600);
  if (geteuid() == 0) { /* root keeps another user's file theirs */
    LF_CHECK(chown(path, 65534, 65534) == 0);
    LF_CHECK(lf_write_file_atomic(path, "d", 1) == LF_OK);
    LF_CHECK(stat(path, &st) == 0 && st.st_uid == 65534 && st.st_gid == 65534 && (st.st_mode & 07777) == 0600);
    LF_CHECK(file_is(path, "d"));
  }
}

LF_TEST(symlink_writes_target) {
  char target[300], link1[300], link2[300];
  snprintf(target, sizeof target, "%s/real.json", dir);
  snprintf(link1, sizeof link1, "%s/link.json", dir);
  snprintf(link2, sizeof link2, "%s/link2.json", dir);
  LF_CHECK(lf_write_file_atomic(target, "old", 3) == LF_OK);
  LF_CHECK(symlink("real.json", link1) == 0); /* relative */
  LF_CHECK(symlink(link1, link2) == 0);       /* a chain, absolute */
  LF_CHECK(lf_write_file_atomic(link2, "new", 3) == LF_OK);
  struct stat st;
  LF_CHECK(lstat(link1, &st) == 0 && S_ISLNK(st.st_mode));
  LF_CHECK(lstat(link2, &st) == 0 && S_ISLNK(st.st_mode));
  LF_CHECK(file_is(target, "new"));
  /* a dangling link creates its target */
  char dangling[300], made[300];
  snprintf(dangling, sizeof dangling, "%s/dangling", dir);
  snprintf(made, sizeof made, "%s/made.txt", dir);
  LF_CHECK(symlink("made.txt", dangling) == 0);
  LF_CHECK(lf_write_file_atomic(dangling, "x", 1) == LF_OK);
  LF_CHECK(lstat(dangling, &st) == 0 && S_ISLNK(st.st_mode));
  LF_CHECK(file_is(made, "x"));
}

LF_TEST(dev_null_written_in_place) {
  LF_CHECK(lf_write_file_atomic("/dev/null", "discarded", 9) == LF_OK);
  struct stat st;
  LF_CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
  LF_CHECK(access("/dev/null.tmp.0", F_OK) != 0);
  /* /dev/full: the write error is reported, the node stays */
  if (access("/dev/full", W_OK) == 0) {
    LF_CHECK(lf_write_file_atomic("/dev/full", "x", 1) == LF_EIO);
    LF_CHECK(strstr(lf_last_error(), "/dev/full") != NULL);
    LF_CHECK(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));
  }
}

typedef struct {
  const char *path;
  char got[64];
} fifo_reader;

static void *read_fifo(void *arg) {
  fifo_reader *r = arg;
  FILE *f = fopen(r->path, "rb");
  if (!f) return NULL;
  size_t n = fread(r->got, 1, sizeof r->got - 1, f);
  r->got[n] = 0;
  fclose(f);
  return NULL;
}

LF_TEST(fifo_written_in_place) {
  char path[300];
  snprintf(path, sizeof path, "%s/pipe", dir);
  LF_CHECK(mkfifo(path, 0600) == 0);
  fifo_reader r = {path, ""};
  pthread_t t;
  LF_CHECK(pthread_create(&t, NULL, read_fifo, &r) == 0);
  LF_CHECK(lf_write_file_atomic(path, "through the pipe", 16) == LF_OK);
  pthread_join(t, NULL);
  LF_CHECK(!strcmp(r.got, "through the pipe"));
  struct stat st;
  LF_CHECK(lstat(path, &st) == 0 && S_ISFIFO(st.st_mode));
}

LF_TEST(dash_is_stdout) {
  char cap[300];
  snprintf(cap, sizeof cap, "%s/stdout.txt", dir);
  fflush(stdout);
  int saved = dup(1), fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  LF_CHECK(saved >= 0 && fd >= 0 && dup2(fd, 1) == 1);
  close(fd);
  lf_status s = lf_write_file_atomic("-", "to stdout\n", 10);
  fflush(stdout);
  dup2(saved, 1);
  close(saved);
  LF_CHECK(s == LF_OK);
  LF_CHECK(file_is(cap, "to stdout\n"));
  LF_CHECK(access("-", F_OK) != 0); /* no file named "-" */
}

LF_TEST(directory_refused) {
  char sub[300];
  snprintf(sub, sizeof sub, "%s/adir", dir);
  LF_CHECK(lf_mkdirs(sub) == LF_OK);
  LF_CHECK(lf_write_file_atomic(sub, "x", 1) != LF_OK);
  LF_CHECK(strstr(lf_last_error(), sub) != NULL && strstr(lf_last_error(), "directory") != NULL);
}

LF_TEST(long_names) {
  char sub[300];
  snprintf(sub, sizeof sub, "%s/long", dir);
  LF_CHECK(lf_mkdirs(sub) == LF_OK);
  long nm = pathconf(sub, _PC_NAME_MAX);
  if (nm <= 0 || nm > 1000) nm = 255;
  for (long len = nm - 10; len <= nm; len += 5) { /* 245, 250, 255 bytes */
    char name[1024], path[1400];
    memset(name, 'n', (size_t)len);
    memcpy(name + len - 5, ".json", 5);
    name[len] = 0;
    snprintf(path, sizeof path, "%s/%s", sub, name);
    LF_CHECK_MSG(lf_write_file_atomic(path, "long", 4) == LF_OK, "%ld-byte name: %s", len, lf_last_error());
    LF_CHECK(file_is(path, "long"));
    LF_CHECK(lf_write_file_atomic(path, "again", 5) == LF_OK);
    LF_CHECK(file_is(path, "again"));
  }
  LF_CHECK(count_tmp(sub) == 0);
}

LF_TEST(stale_temp_removed) {
  char sub[300], path[400], stale[500], live[500], other[500];
  snprintf(sub, sizeof sub, "%s/stale", dir);
  LF_CHECK(lf_mkdirs(sub) == LF_OK);
  snprintf(path, sizeof path, "%s/model.tflite", sub);
  pid_t child = fork(); /* a pid that has surely ended */
  if (child == 0) _exit(0);
  waitpid(child, NULL, 0);
  snprintf(stale, sizeof stale, "%s.tmp.%ld", path, (long)child);
  snprintf(live, sizeof live, "%s.tmp.%ld", path, (long)getppid()); /* alive: kept */
  snprintf(other, sizeof other, "%s/other.bin.tmp.%ld", sub, (long)child); /* another path's: kept */
  /* left by other processes before this one writes anything there */
  const char *const made[3] = {stale, live, other};
  for (int i = 0; i < 3; i++) {
    FILE *f = fopen(made[i], "wb");
    LF_CHECK(f && fputs("left", f) >= 0 && fclose(f) == 0);
  }
  LF_CHECK(lf_write_file_atomic(path, "model", 5) == LF_OK);
  LF_CHECK_MSG(access(stale, F_OK) != 0, "%s is still there", stale);
  LF_CHECK(access(live, F_OK) == 0);
  LF_CHECK(access(other, F_OK) == 0);
  LF_CHECK(file_is(path, "model"));
  char other_final[500]; /* ... until its own path is written */
  snprintf(other_final, sizeof other_final, "%s/other.bin", sub);
  LF_CHECK(lf_write_file_atomic(other_final, "y", 1) == LF_OK);
  LF_CHECK(access(other, F_OK) != 0);
}

LF_TEST(output_guards) {
  char a[300], b[300], ln[300], fresh[300], sub[300], inside[400];
  snprintf(a, sizeof a, "%s/in.tflite", dir);
  snprintf(b, sizeof b, "%s/other.tflite", dir);
  snprintf(ln, sizeof ln, "%s/in-link.tflite", dir);
  snprintf(fresh, sizeof fresh, "%s/../%s/fresh.json", dir, strrchr(dir, '/') + 1);
  LF_CHECK(lf_write_file_atomic(a, "model", 5) == LF_OK);
  LF_CHECK(lf_write_file_atomic(b, "model", 5) == LF_OK);
  LF_CHECK(symlink(a, ln) == 0);
  LF_CHECK(lf_same_file(a, a) && lf_same_file(a, ln) && !lf_same_file(a, b));
  char fresh2[300];
  snprintf(fresh2, sizeof fresh2, "%s/fresh.json", dir);
  LF_CHECK(lf_same_file(fresh, fresh2)); /* neither exists: by path */
  LF_CHECK(!lf_same_file("-", "-"));
  LF_CHECK(lf_guard_output("--out", ln, "MODEL", a) == LF_EINVAL);
  LF_CHECK(strstr(lf_last_error(), ln) && strstr(lf_last_error(), "MODEL") && strstr(lf_last_error(), a));
  LF_CHECK(lf_guard_output("--out", b, "MODEL", a) == LF_OK);
  LF_CHECK(lf_guard_output("--out", NULL, "MODEL", a) == LF_OK);
  snprintf(sub, sizeof sub, "%s/data", dir);
  snprintf(inside, sizeof inside, "%s/data/list.csv", dir);
  LF_CHECK(lf_mkdirs(sub) == LF_OK && lf_write_file_atomic(inside, "x", 1) == LF_OK);
  LF_CHECK(lf_guard_output_dir("--out", inside, "--data", sub) == LF_EINVAL);
  LF_CHECK(lf_guard_output_dir("--out", b, "--data", sub) == LF_OK);
}

int main(void) {
  const char *t = getenv("LF_TMP");
  snprintf(dir, sizeof dir, "%s/fileio.%d", t ? t : "/tmp", (int)getpid());
  LF_RUN(write_then_read);
  LF_RUN(abort_leaves_old_file);
  LF_RUN(keeps_mode);
  LF_RUN(symlink_writes_target);
  LF_RUN(dev_null_written_in_place);
  LF_RUN(fifo_written_in_place);
  LF_RUN(dash_is_stdout);
  LF_RUN(directory_refused);
  LF_RUN(long_names);
  LF_RUN(stale_temp_removed);
  LF_RUN(output_guards);
  return lf_test_summary();
}
