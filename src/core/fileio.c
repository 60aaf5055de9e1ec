#include "leapfrog/lf_fileio.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *lf_file_kind(mode_t m) {
  if (S_ISFIFO(m)) return "a FIFO";
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISSOCK(m)) return "a socket";
  return "not a regular file";
}

lf_status lf_open_regular(const char *path, int *fd, uint64_t *size) {
  *fd = -1;
  *size = 0;
  /* O_NONBLOCK: opening a FIFO (or a tty, a device) must not wait for a writer */
  int f = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (f < 0) return lf_error(errno == ENOENT ? LF_ENOTFOUND : LF_EIO, "%s: %s", path, strerror(errno));
  struct stat st;
  if (fstat(f, &st) != 0) {
    lf_status s = lf_error(LF_EIO, "%s: %s", path, strerror(errno));
    close(f);
    return s;
  }
  if (!S_ISREG(st.st_mode)) {
    close(f);
    return lf_error(LF_EIO, "%s: is %s, not a regular file (leapfrog reads inputs from regular files only)",
                    path, lf_file_kind(st.st_mode));
  }
  int fl = fcntl(f, F_GETFL);
  if (fl >= 0) fcntl(f, F_SETFL, fl & ~O_NONBLOCK);
  *fd = f;
  *size = (uint64_t)st.st_size;
  return LF_OK;
}

lf_status lf_read_fd(int fd, void *buf, size_t n, const char *path) {
  size_t got = 0;
  while (got < n) {
    ssize_t r = read(fd, (unsigned char *)buf + got, n - got);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return lf_error(LF_EIO, "%s: read failed: %s", path, strerror(errno));
    if (r == 0) return lf_error(LF_EIO, "%s: short read (%zu of %zu bytes; did the file shrink?)", path, got, n);
    got += (size_t)r;
  }
  return LF_OK;
}

lf_status lf_read_file(const char *path, size_t max_bytes, unsigned char **data, size_t *len) {
  *data = NULL;
  *len = 0;
  if (!max_bytes) max_bytes = (size_t)4 << 30;
  int fd;
  uint64_t size;
  lf_status s = lf_open_regular(path, &fd, &size);
  if (s) return s;
  if (size > max_bytes) {
    close(fd);
    return lf_error(LF_EBADFILE, "%s: %llu bytes is larger than the %zu allowed", path, (unsigned long long)size,
                    max_bytes);
  }
  size_t n = (size_t)size;
  unsigned char *buf = malloc(n + 1);
  if (!buf) {
    close(fd);
    return lf_error(LF_ENOMEM, "%s: cannot allocate %zu bytes", path, n + 1);
  }
  s = lf_read_fd(fd, buf, n, path);
  close(fd);
  if (s) {
    free(buf);
    return s;
  }
  buf[n] = 0;
  *data = buf;
  *len = n;
  return LF_OK;
}

/* ---- atomic writes ---------------------------------------------------------- */

static char *dir_of(const char *path) { /* malloc'd; "." when there is none */
  const char *slash = strrchr(path, '/');
  if (!slash) return strdup(".");
  size_t n = slash == path ? 1 : (size_t)(slash - path);
  char *d = malloc(n + 1);
  if (d) memcpy(d, path, n), d[n] = 0;
  return d;
}

static const char *base_of(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static char *join(const char *dir, const char *name) {
  size_t n = strlen(dir) + strlen(name) + 2;
  char *s = malloc(n);
  if (s) snprintf(s, n, "%s%s%s", dir, dir[0] && dir[strlen(dir) - 1] != '/' ? "/" : "", name);
  return s;
}

/* The final target of a chain of symlinks (the path itself when it is not a
 * link or does not exist). malloc'd; NULL with errno set on failure. */
static char *resolve_links(const char *path) {
  char *p = strdup(path);
  for (int hops = 0; p && hops < 40; hops++) {
    struct stat st;
    if (lstat(p, &st) != 0 || !S_ISLNK(st.st_mode)) return p;
    char t[4096];
    ssize_t n = readlink(p, t, sizeof t - 1);
    if (n < 0) { free(p); return NULL; }
    t[n] = 0;
    char *next;
    if (t[0] == '/') next = strdup(t);
    else {
      char *d = dir_of(p);
      next = d ? join(d, t) : NULL;
      free(d);
    }
    free(p);
    p = next;
  }
  if (p) free(p), errno = ELOOP;
  return NULL;
}

/* The temp file's name part for `base` ("<base>.tmp." before the pid), cut
 * to fit `name_max` with the pid: a long name keeps its first bytes and a hash
 * of the whole, so the same path always gets the same stem. */
static char *tmp_stem(const char *base, long name_max) {
  const size_t room = 5 + 20; /* ".tmp." + a pid */
  size_t n = strlen(base), keep = n;
  char hash[24] = "";
  if (n + room > (size_t)name_max) {
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)base; *c; c++) h = (h ^ *c) * 1099511628211ull;
    snprintf(hash, sizeof hash, "~%08llx", (unsigned long long)(h & 0xffffffffu));
    keep = (size_t)name_max > room + 9 + 1 ? (size_t)name_max - room - 9 : 1;
  }
  char *s = malloc(keep + strlen(hash) + 6);
  if (s) {
    memcpy(s, base, keep);
    snprintf(s + keep, strlen(hash) + 6, "%s.tmp.", hash);
  }
  return s;
}

static long name_max_of(const char *dir) {
  long nm = pathconf(dir, _PC_NAME_MAX);
  return nm > 0 ? nm : 255;
}

char *lf_atomic_tmp_name(const char *path, long pid) {
  char *dir = dir_of(path), *stem = dir ? tmp_stem(base_of(path), name_max_of(dir)) : NULL, *out = NULL;
  if (stem) {
    char name[4096];
    snprintf(name, sizeof name, "%s%ld", stem, pid);
    out = strchr(path, '/') ? join(dir, name) : strdup(name);
  }
  free(dir);
  free(stem);
  return out;
}

/* The pid of a temp name "<anything>.tmp.<pid>" (0 if it is not one). */
static long tmp_pid(const char *name) {
  const char *t = strstr(name, ".tmp."), *last = NULL;
  for (; t; t = strstr(t + 1, ".tmp.")) last = t;
  if (!last || !last[5]) return 0;
  char *endp;
  errno = 0;
  long pid = strtol(last + 5, &endp, 10);
  return *endp || errno || pid <= 0 ? 0 : pid;
}

static int dead(long pid) { return pid != (long)getpid() && kill((pid_t)pid, 0) != 0 && errno == ESRCH; }

/* Stale temp files (the scheme's names whose process is gone) are listed once
 * per directory and process, and each is removed when this process next
 * writes the path it belongs to: writing many files into one folder reads the
 * folder once, not once per file. */
typedef struct {
  char *dir;
  char **names; /* NULL entries: removed */
  size_t n;
} stale_dir;
static pthread_mutex_t stale_mu = PTHREAD_MUTEX_INITIALIZER;
static stale_dir stale_dirs[64];
static int n_stale_dirs;

static void list_stale(const char *dir, stale_dir *sd) {
  sd->dir = strdup(dir);
  DIR *d = opendir(dir);
  struct dirent *e;
  size_t cap = 0;
  while (sd->dir && d && (e = readdir(d))) {
    long pid = tmp_pid(e->d_name);
    if (!pid || !dead(pid)) continue;
    if (sd->n == cap) {
      char **nn = realloc(sd->names, (cap = cap ? 2 * cap : 8) * sizeof *nn);
      if (!nn) break;
      sd->names = nn;
    }
    if ((sd->names[sd->n] = strdup(e->d_name))) sd->n++;
  }
  if (d) closedir(d);
}

/* Removes "<stem><pid>" files in `dir` whose process no longer exists. */
static void remove_stale(const char *dir, const char *stem) {
  size_t sl = strlen(stem);
  pthread_mutex_lock(&stale_mu);
  stale_dir *sd = NULL, one = {0};
  for (int i = 0; i < n_stale_dirs && !sd; i++)
    if (!strcmp(stale_dirs[i].dir, dir)) sd = &stale_dirs[i];
  if (!sd) {
    sd = n_stale_dirs < 64 ? &stale_dirs[n_stale_dirs] : &one; /* table full: list this time only */
    list_stale(dir, sd);
    if (sd != &one && sd->dir) n_stale_dirs++;
  }
  for (size_t i = 0; i < sd->n; i++) {
    const char *nm = sd->names[i];
    if (!nm || strncmp(nm, stem, sl) != 0 || !nm[sl] || strspn(nm + sl, "0123456789") != strlen(nm + sl)) continue;
    char *f = join(dir, sd->names[i]);
    struct stat st;
    if (f && lstat(f, &st) == 0 && S_ISREG(st.st_mode)) unlink(f);
    free(f);
    free(sd->names[i]);
    sd->names[i] = NULL;
  }
  if (sd == &one) {
    for (size_t i = 0; i < one.n; i++) free(one.names[i]);
    free(one.names);
    free(one.dir);
  }
  pthread_mutex_unlock(&stale_mu);
}

lf_status lf_atomic_open(lf_atomic_file *af, const char *path) {
  memset(af, 0, sizeof *af);
  if (!path || !path[0]) return lf_error(LF_EINVAL, "output path is empty");
  if (!strcmp(path, "-")) {
    af->f = stdout;
    af->direct = 2;
    af->final_path = strdup("-");
    if (!af->final_path) return lf_error(LF_ENOMEM, "-: out of memory");
    return LF_OK;
  }
  af->final_path = resolve_links(path);
  if (!af->final_path) {
    lf_status s = errno == ENOMEM ? LF_ENOMEM : LF_EIO;
    return lf_error(s, "%s: cannot resolve the symlink: %s", path, strerror(errno));
  }
  struct stat st;
  int exists = stat(af->final_path, &st) == 0;
  if (exists && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode))) {
    af->direct = 1; /* written in place: a rename would replace the node itself */
    af->f = fopen(af->final_path, "wb");
    if (!af->f) {
      lf_status s = lf_error(LF_EIO, "%s: cannot open for writing: %s", af->final_path, strerror(errno));
      lf_atomic_abort(af);
      return s;
    }
    return LF_OK;
  }
  if (exists && !S_ISREG(st.st_mode)) {
    lf_status s = lf_error(LF_EINVAL, "%s: is a %s, not a file that can be written", path,
                           S_ISDIR(st.st_mode) ? "directory" : "socket or other special file");
    lf_atomic_abort(af);
    return s;
  }
  char *dir = dir_of(af->final_path);
  char *stem = dir ? tmp_stem(base_of(af->final_path), name_max_of(dir)) : NULL;
  if (stem) remove_stale(dir, stem);
  if (stem) {
    size_t n = strlen(stem) + 24;
    char *name = malloc(n);
    if (name) {
      snprintf(name, n, "%s%ld", stem, (long)getpid());
      af->tmp_path = strchr(af->final_path, '/') ? join(dir, name) : strdup(name);
      free(name);
    }
  }
  free(dir);
  free(stem);
  if (!af->tmp_path) {
    lf_atomic_abort(af);
    return lf_error(LF_ENOMEM, "%s: out of memory", path);
  }
  int fd = -1;
  for (int tries = 0; fd < 0 && tries < 2; tries++) {
    fd = open(af->tmp_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno == EEXIST) unlink(af->tmp_path); /* our pid's: left by a dead process */
    else break;
  }
  if (fd < 0) {
    lf_status s = lf_error(LF_EIO, "%s: cannot create the temp file %s: %s", path, af->tmp_path, strerror(errno));
    lf_atomic_abort(af);
    return s;
  }
  if (exists) { /* keep the replaced file's owner (root only), group (where we may) and mode */
    if (fchown(fd, geteuid() == 0 ? st.st_uid : (uid_t)-1, st.st_gid) != 0) { /* keep ours */ }
    if (fchmod(fd, st.st_mode & 07777) != 0) {
      lf_status s = lf_error(LF_EIO, "%s: cannot set mode %o: %s", af->tmp_path, (unsigned)(st.st_mode & 07777),
                             strerror(errno));
      close(fd);
      lf_atomic_abort(af);
      return s;
    }
  }
  af->f = fdopen(fd, "wb");
  if (!af->f) {
    lf_status s = lf_error(LF_EIO, "%s: cannot create: %s", af->tmp_path, strerror(errno));
    close(fd);
    lf_atomic_abort(af);
    return s;
  }
  return LF_OK;
}

static void lf_fsync_parent_dir(const char *path) {
  char *dir = dir_of(path);
  if (!dir) return;
  int fd = open(dir, O_RDONLY);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  free(dir);
}

lf_status lf_atomic_commit(lf_atomic_file *af) {
  lf_status s = LF_OK;
  if (fflush(af->f) != 0 || ferror(af->f) || (!af->direct && fsync(fileno(af->f)) != 0))
    s = lf_error(LF_EIO, "%s: write failed: %s", af->final_path, strerror(errno));
  if (af->direct == 2) {
    af->f = NULL; /* stdout stays open */
  } else {
    if (fclose(af->f) != 0 && s == LF_OK)
      s = lf_error(LF_EIO, "%s: close failed: %s", af->final_path, strerror(errno));
    af->f = NULL;
  }
  if (s == LF_OK && af->tmp_path && rename(af->tmp_path, af->final_path) != 0)
    s = lf_error(LF_EIO, "%s: rename failed: %s", af->final_path, strerror(errno));
  if (s == LF_OK && af->tmp_path) lf_fsync_parent_dir(af->final_path);
  lf_atomic_abort(af);
  return s;
}

void lf_atomic_abort(lf_atomic_file *af) {
  if (af->f) {
    if (af->direct == 2) fflush(af->f);
    else fclose(af->f);
  }
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

/* ---- output guards ------------------------------------------------------------ */

/* `path` with its directory part resolved (realpath of the directory + the
 * name), or a copy of `path` when the directory does not exist. */
static char *canon(const char *path) {
  char *d = dir_of(path), *rd = d ? realpath(d, NULL) : NULL, *out;
  out = rd ? join(rd, base_of(path)) : strdup(path);
  free(d);
  free(rd);
  return out;
}

int lf_same_file(const char *a, const char *b) {
  if (!a || !b || !strcmp(a, "-") || !strcmp(b, "-")) return 0;
  struct stat sa, sb;
  int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
  if (ea && eb) return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  if (ea != eb) return 0;
  char *ca = canon(a), *cb = canon(b);
  int same = ca && cb ? !strcmp(ca, cb) : !strcmp(a, b);
  free(ca);
  free(cb);
  return same;
}

lf_status lf_guard_output(const char *out_flag, const char *out, const char *in_flag, const char *in) {
  if (!lf_same_file(out, in)) return LF_OK;
  return lf_error(LF_EINVAL, "%s %s is the same file as %s (%s): refusing to overwrite an input of this command",
                  out_flag, out, in_flag, in);
}

lf_status lf_guard_output_dir(const char *out_flag, const char *out, const char *in_flag, const char *dir) {
  if (!out || !dir || !strcmp(out, "-")) return LF_OK;
  struct stat st;
  if (stat(out, &st) != 0) return LF_OK; /* nothing there to overwrite */
  char *ro = realpath(out, NULL), *rd = realpath(dir, NULL);
  size_t n = rd ? strlen(rd) : 0;
  int inside = ro && rd && !strncmp(ro, rd, n) && (ro[n] == '/' || ro[n] == 0 || (n == 1 && rd[0] == '/'));
  free(ro);
  free(rd);
  if (!inside) return LF_OK;
  return lf_error(LF_EINVAL, "%s %s is a file inside %s (%s): refusing to overwrite an input of this command",
                  out_flag, out, in_flag, dir);
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
