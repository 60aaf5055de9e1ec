/* Read-only file mapping for lfrt_model_load_file (internal). */
#ifndef LFRT_TFLITE_MMAP_H
#define LFRT_TFLITE_MMAP_H
#include <stddef.h>

#include "lfrt_status.h"

/* Maps (or, without mmap, reads) all of `path`; *data stays valid until
 * lfrt_unmap_file_. Empty files are refused (LFRT_EBADFILE). */
lfrt_status lfrt_map_file_(const char *path, void **data, size_t *len, lfrt_error *err);
void lfrt_unmap_file_(void *data, size_t len);

#endif
