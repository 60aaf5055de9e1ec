/* Read-only file mapping for lfrt_model_load_file (internal). */
#ifndef LFRT_TFLITE_MMAP_H
#define LFRT_TFLITE_MMAP_H
#include <stddef.h>

#include "lfrt_status.h"

/* Maps (or, without mmap, reads) all of `path`; *data stays valid until
 * lfrt_unmap_file_. Empty files are refused (LFRT_EBADFILE). */
lfrt_status lfrt_map_file_(const char *path, void **data, size_t *len, lfrt_error *err);
void lfrt_unmap_file_(void *data, size_t len);
/* Drops the whole pages inside [p, p + len) of a mapping from memory (they
 * are read again from the file on the next access); nothing without mmap. */
void lfrt_release_pages_(const void *p, size_t len);

#endif
