/* Request parsing that is ours (not libmicrohttpd's), free of any server
 * state so fuzz/fuzz_serve_parse.c can drive it: the multipart/form-data
 * body, the media type of a Content-Type header, the bearer token, and the
 * --model NAME=PATH and --listen ADDR:PORT arguments. Every function reads
 * only within the lengths it is given and never allocates. */
#ifndef LF_SERVE_PARSE_H
#define LF_SERVE_PARSE_H
#include <stddef.h>

/* "multipart/form-data; boundary=X" (X possibly quoted, at most 70 bytes per
 * RFC 2046) -> boundary copied to out (NUL-terminated); 0 ok, -1 not multipart
 * or no usable boundary. */
int lf_serve_multipart_boundary(const char *content_type, char *out, size_t cap);

/* The first part of a multipart body that carries a file (a filename= in its
 * Content-Disposition), else the first part named "image" or "file": its bytes
 * (pointing into body) and its Content-Type (copied, "" when absent).
 * 0 found, -1 malformed or no such part. */
int lf_serve_multipart_file(const char *body, size_t len, const char *boundary, const char **data,
                            size_t *data_len, char *ctype, size_t ctype_cap);

/* The media type of a Content-Type value, lower-cased, parameters dropped
 * ("Image/PNG; x=y" -> "image/png"); "" when absent. */
void lf_serve_media_type(const char *content_type, char *out, size_t cap);

/* "Bearer TOKEN" (scheme case-insensitive) equal to token, compared in time
 * independent of where they differ. 1 yes, 0 no. */
int lf_serve_bearer_ok(const char *authorization, const char *token);

/* "NAME=PATH" or "PATH" (NAME = the file name without folders and its last
 * extension). Name: 1-63 bytes of [A-Za-z0-9._-]. 0 ok, -1 bad name. */
int lf_serve_model_arg(const char *arg, char *name, size_t name_cap, const char **path);

/* "ADDR:PORT", "[ADDR6]:PORT" or ":PORT"/"PORT" (address 127.0.0.1). 0 ok, -1 bad. */
int lf_serve_listen_arg(const char *arg, char *addr, size_t addr_cap, int *port);

#endif
