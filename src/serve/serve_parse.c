/* Parsing of what clients and the command line send us (see serve_parse.h). */
#include "serve/serve_parse.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int lower(int c) { return tolower((unsigned char)c); }

static int starts_ci(const char *s, const char *prefix) {
  for (; *prefix; s++, prefix++)
    if (lower(*s) != lower(*prefix)) return 0;
  return 1;
}

void lf_serve_media_type(const char *ct, char *out, size_t cap) {
  size_t n = 0;
  if (!cap) return;
  if (ct) {
    while (*ct == ' ' || *ct == '\t') ct++;
    for (; *ct && *ct != ';' && *ct != ' ' && *ct != '\t' && n + 1 < cap; ct++) out[n++] = (char)lower(*ct);
  }
  out[n] = 0;
}

int lf_serve_multipart_boundary(const char *ct, char *out, size_t cap) {
  char mt[32];
  lf_serve_media_type(ct, mt, sizeof mt);
  if (strcmp(mt, "multipart/form-data") || !cap) return -1;
  for (const char *p = strchr(ct, ';'); p; p = strchr(p + 1, ';')) {
    const char *q = p + 1;
    while (*q == ' ' || *q == '\t') q++;
    if (!starts_ci(q, "boundary=")) continue;
    q += 9;
    int quoted = *q == '"';
    if (quoted) q++;
    size_t n = 0;
    for (; *q && n < 70 && n + 1 < cap; q++) {
      if (quoted ? *q == '"' : (*q == ';' || *q == ' ' || *q == '\t')) break;
      if ((unsigned char)*q < 0x20 || (unsigned char)*q > 0x7e) return -1;
      out[n++] = *q;
    }
    if (quoted && *q != '"') return -1;
    if (!quoted && *q && *q != ';' && *q != ' ' && *q != '\t') return -1; /* over 70 bytes */
    out[n] = 0;
    return n ? 0 : -1;
  }
  return -1;
}

static const char *find(const char *h, size_t hl, const char *n, size_t nl) {
  if (nl == 0 || hl < nl) return NULL;
  return memmem(h, hl, n, nl);
}

/* value of a header line "Name: value" within [p, e); NULL when it is another header */
static const char *header_value(const char *p, const char *e, const char *name) {
  size_t nl = strlen(name);
  if ((size_t)(e - p) <= nl || p[nl] != ':') return NULL;
  for (size_t i = 0; i < nl; i++)
    if (lower(p[i]) != lower(name[i])) return NULL;
  p += nl + 1;
  while (p < e && (*p == ' ' || *p == '\t')) p++;
  return p;
}

/* Is there a parameter key="..." or key=... in [p, e)?  (name="image": wants that value) */
static int disposition_has(const char *p, const char *e, const char *key, const char *want) {
  size_t kl = strlen(key);
  for (; p < e; p++) {
    if ((size_t)(e - p) <= kl + 1 || (p[-1] != ';' && p[-1] != ' ' && p[-1] != '\t' && p[-1] != ':')) continue;
    if (!starts_ci(p, key) || p[kl] != '=') continue;
    const char *v = p + kl + 1;
    if (!want) return 1;
    int q = v < e && *v == '"';
    v += q;
    size_t wl = strlen(want);
    if ((size_t)(e - v) >= wl && !memcmp(v, want, wl) &&
        (v + wl == e || (q ? v[wl] == '"' : (v[wl] == ';' || v[wl] == ' '))))
      return 1;
  }
  return 0;
}

int lf_serve_multipart_file(const char *body, size_t len, const char *boundary, const char **data,
                            size_t *data_len, char *ctype, size_t ctype_cap) {
  char delim[80];
  size_t bl = strlen(boundary);
  if (bl == 0 || bl > 70 || ctype_cap == 0) return -1;
  delim[0] = '\r', delim[1] = '\n', delim[2] = '-', delim[3] = '-';
  memcpy(delim + 4, boundary, bl);
  const size_t dl = bl + 4;
  const char *end = body + len, *p;
  /* the first delimiter may open the body without the CRLF before it */
  if (len >= dl - 2 && !memcmp(body, delim + 2, dl - 2)) p = body + dl - 2;
  else if ((p = find(body, len, delim, dl))) p += dl;
  else return -1;
  const char *fallback = NULL, *fallback_ct = NULL;
  size_t fallback_len = 0, fallback_ct_len = 0;
  for (;;) {
    if (end - p >= 2 && p[0] == '-' && p[1] == '-') break; /* closing delimiter */
    /* rest of the delimiter line (transport padding), then CRLF */
    const char *eol = find(p, (size_t)(end - p), "\r\n", 2);
    if (!eol) return -1;
    const char *h = eol + 2, *hend = find(h - 2, (size_t)(end - (h - 2)), "\r\n\r\n", 4);
    if (!hend) return -1;
    const char *content = hend + 4;
    const char *next = find(content, (size_t)(end - content), delim, dl);
    if (!next) return -1;
    int has_file = 0, named = 0;
    const char *ct = NULL;
    size_t ct_len = 0;
    for (const char *l = h; l < hend;) {
      const char *le = find(l, (size_t)(hend + 2 - l), "\r\n", 2);
      if (!le) le = hend;
      const char *v;
      if ((v = header_value(l, le, "Content-Disposition"))) {
        has_file = disposition_has(v, le, "filename", NULL);
        named = disposition_has(v, le, "name", "image") || disposition_has(v, le, "name", "file");
      } else if ((v = header_value(l, le, "Content-Type"))) {
        ct = v, ct_len = (size_t)(le - v);
      }
      l = le + 2;
    }
    if (has_file || (named && !fallback)) {
      const char *pick_ct = ct;
      size_t pick_ct_len = ct_len;
      if (has_file) {
        *data = content, *data_len = (size_t)(next - content);
      } else {
        fallback = content, fallback_len = (size_t)(next - content);
        fallback_ct = ct, fallback_ct_len = ct_len;
        p = next + dl;
        continue;
      }
      size_t n = pick_ct_len < ctype_cap - 1 ? pick_ct_len : ctype_cap - 1;
      if (pick_ct) memcpy(ctype, pick_ct, n);
      ctype[pick_ct ? n : 0] = 0;
      return 0;
    }
    p = next + dl;
  }
  if (!fallback) return -1;
  *data = fallback, *data_len = fallback_len;
  size_t n = fallback_ct_len < ctype_cap - 1 ? fallback_ct_len : ctype_cap - 1;
  if (fallback_ct) memcpy(ctype, fallback_ct, n);
  ctype[fallback_ct ? n : 0] = 0;
  return 0;
}

int lf_serve_bearer_ok(const char *auth, const char *token) {
  if (!auth || !token || !starts_ci(auth, "Bearer ")) return 0;
  auth += 7;
  while (*auth == ' ') auth++;
  size_t a = strlen(auth), t = strlen(token);
  unsigned diff = (unsigned)(a != t);
  for (size_t i = 0; i < t; i++) diff |= (unsigned char)token[i] ^ (unsigned char)(i < a ? auth[i] : 0);
  return diff == 0 && t > 0;
}

static int name_ok(const char *s, size_t n) {
  if (n == 0 || n > 63) return 0;
  for (size_t i = 0; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-') return 0;
  return 1;
}

int lf_serve_model_arg(const char *arg, char *name, size_t cap, const char **path) {
  const char *eq = strchr(arg, '='), *slash = strchr(arg, '/');
  const char *nb, *ne;
  if (eq && (!slash || eq < slash)) {
    nb = arg, ne = eq, *path = eq + 1;
  } else {
    *path = arg;
    nb = strrchr(arg, '/') ? strrchr(arg, '/') + 1 : arg;
    const char *dot = strrchr(nb, '.');
    ne = dot && dot > nb ? dot : nb + strlen(nb);
  }
  size_t n = (size_t)(ne - nb);
  if (!**path || !name_ok(nb, n) || n + 1 > cap) return -1;
  memcpy(name, nb, n);
  name[n] = 0;
  return 0;
}

int lf_serve_listen_arg(const char *arg, char *addr, size_t cap, int *port) {
  const char *colon, *a = arg;
  size_t al;
  if (*arg == '[') {
    const char *rb = strchr(arg, ']');
    if (!rb || rb[1] != ':') return -1;
    a = arg + 1, al = (size_t)(rb - a), colon = rb + 1;
  } else if ((colon = strrchr(arg, ':'))) {
    al = (size_t)(colon - arg);
  } else {
    colon = arg - 1, al = 0; /* "PORT" */
  }
  if (al == 0) a = "127.0.0.1", al = 9;
  if (al + 1 > cap) return -1;
  char *end;
  long p = strtol(colon + 1, &end, 10);
  if (end == colon + 1 || *end || p < 0 || p > 65535) return -1;
  memcpy(addr, a, al);
  addr[al] = 0;
  *port = (int)p;
  return 0;
}
