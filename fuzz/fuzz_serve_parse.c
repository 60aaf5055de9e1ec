/* libFuzzer target: the request parsing of `leapfrog serve` that is ours
 * (src/serve/serve_parse.c): the multipart/form-data body, the Content-Type's
 * media type and boundary, the bearer token, and the --model / --listen
 * arguments. Input: a first line (the Content-Type or an argument) and the
 * rest (the body). A found part must lie inside the body. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "serve/serve_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nl = memchr(data, '\n', size);
  size_t hl = nl ? (size_t)(nl - data) : size;
  if (hl > 4096) return 0;
  char *head = malloc(hl + 1);
  memcpy(head, data, hl);
  head[hl] = 0;
  const char *body = nl ? (const char *)nl + 1 : "";
  size_t blen = nl ? size - hl - 1 : 0;
  /* the body in its own allocation of exactly its size, so ASan sees over-reads */
  char *b = malloc(blen ? blen : 1);
  memcpy(b, body, blen);
  char boundary[80], ct[64], mt[64], name[64], addr[256];
  const char *part, *path;
  size_t plen;
  lf_serve_media_type(head, mt, sizeof mt);
  if (!lf_serve_multipart_boundary(head, boundary, sizeof boundary)) {
    if (strlen(boundary) == 0 || strlen(boundary) > 70) abort();
    if (!lf_serve_multipart_file(b, blen, boundary, &part, &plen, ct, sizeof ct))
      if (part < b || part + plen > b + blen) abort();
  }
  /* the whole input as a body with a fixed boundary, too */
  if (!lf_serve_multipart_file(b, blen, "XyZ", &part, &plen, ct, sizeof ct))
    if (part < b || part + plen > b + blen) abort();
  (void)lf_serve_bearer_ok(head, "token");
  if (!lf_serve_model_arg(head, name, sizeof name, &path) && (!*name || !*path)) abort();
  int port;
  if (!lf_serve_listen_arg(head, addr, sizeof addr, &port) && (port < 0 || port > 65535)) abort();
  free(head);
  free(b);
  return 0;
}
