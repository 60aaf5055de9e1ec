/* The image files `predict IMAGE|DIR|@LIST...` names: files as given, folders
 * walked (sorted, hidden names skipped, only files whose first bytes are an
 * image format), list files read line by line. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eval/predict_images_internal.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"

#define MAX_DEPTH 32
#define MAX_LIST_BYTES ((size_t)256 << 20)

static lf_status add(lf_predict_inputs *in, const char *path, size_t len, int named) {
  if (in->n == in->cap) {
    size_t nc = in->cap ? 2 * in->cap : 256;
    char **p = realloc(in->paths, nc * sizeof *p);
    unsigned char *e = p ? realloc(in->named, nc) : NULL;
    if (p) in->paths = p;
    if (!p || !e) return lf_error(LF_ENOMEM, "predict: out of memory listing images");
    in->named = e, in->cap = nc;
  }
  if (!(in->paths[in->n] = strndup(path, len))) return lf_error(LF_ENOMEM, "predict: out of memory listing images");
  in->named[in->n++] = (unsigned char)named;
  return LF_OK;
}

/* 1 when the file's first bytes are a format lf_image_decode reads. */
static int looks_like_image(const char *path) {
  int fd;
  uint64_t size;
  if (lf_open_regular(path, &fd, &size)) return 0;
  unsigned char head[LF_IMAGE_SNIFF_BYTES];
  size_t k = size < sizeof head ? (size_t)size : sizeof head;
  int ok = !lf_read_fd(fd, head, k, path) && lf_image_sniff(head, k);
  close(fd);
  return ok;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static lf_status walk(lf_predict_inputs *in, const char *dir, int depth) {
  if (depth > MAX_DEPTH) return lf_error(LF_EINVAL, "%s: folders nested deeper than %d", dir, MAX_DEPTH);
  DIR *d = opendir(dir);
  if (!d) return lf_error(LF_EIO, "%s: %s", dir, strerror(errno));
  char **names = NULL;
  size_t n = 0, cap = 0;
  lf_status st = LF_OK;
  for (struct dirent *e; !st && (e = readdir(d));) {
    if (e->d_name[0] == '.') continue; /* ., .., hidden files and our own temp files */
    if (n == cap) {
      char **p = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *p);
      if (!p) st = lf_error(LF_ENOMEM, "predict: out of memory listing %s", dir);
      else names = p;
    }
    if (!st && !(names[n++] = strdup(e->d_name))) st = lf_error(LF_ENOMEM, "predict: out of memory listing %s", dir);
  }
  closedir(d);
  if (!st && n) qsort(names, n, sizeof *names, cmp_str);
  size_t dl = strlen(dir);
  while (dl > 1 && dir[dl - 1] == '/') dl--;
  for (size_t i = 0; !st && i < n; i++) {
    char *p = malloc(dl + strlen(names[i]) + 2);
    if (!p) {
      st = lf_error(LF_ENOMEM, "predict: out of memory listing %s", dir);
      break;
    }
    sprintf(p, "%.*s/%s", (int)dl, dir, names[i]);
    struct stat sb;
    if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode)) st = walk(in, p, depth + 1);
    else if (stat(p, &sb) == 0 && S_ISREG(sb.st_mode) && looks_like_image(p)) st = add(in, p, strlen(p), 0);
    else in->not_images++;
    free(p);
  }
  for (size_t i = 0; i < n; i++) free(names[i]);
  free(names);
  return st;
}

static lf_status read_list(lf_predict_inputs *in, const char *list) {
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(list, MAX_LIST_BYTES, &data, &len);
  if (st) return st;
  const char *s = (const char *)data, *end = s + len;
  size_t line = 0;
  while (!st && s < end) {
    const char *nl = memchr(s, '\n', (size_t)(end - s));
    const char *e = nl ? nl : end;
    line++;
    size_t l = (size_t)(e - s);
    if (l && s[l - 1] == '\r') l--;
    if (memchr(s, 0, l)) st = lf_error(LF_EBADFILE, "%s:%zu: a NUL byte in the path", list, line);
    else if (l && s[0] != '#') st = add(in, s, l, 1);
    s = nl ? nl + 1 : end;
  }
  free(data);
  return st;
}

lf_status lf_predict_inputs_collect(lf_predict_inputs *in, const char *const *args, size_t n) {
  memset(in, 0, sizeof *in);
  lf_status st = LF_OK;
  for (size_t i = 0; !st && i < n; i++) {
    const char *a = args[i];
    struct stat sb;
    if (a[0] == '@') st = read_list(in, a + 1);
    else if (stat(a, &sb) == 0 && S_ISDIR(sb.st_mode)) st = walk(in, a, 0);
    else st = add(in, a, strlen(a), 1); /* a missing or unreadable file is reported when it is read */
  }
  return st;
}

void lf_predict_inputs_free(lf_predict_inputs *in) {
  for (size_t i = 0; i < in->n; i++) free(in->paths[i]);
  free(in->paths);
  free(in->named);
  memset(in, 0, sizeof *in);
}
