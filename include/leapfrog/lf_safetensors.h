/* safetensors reader and writer (https://github.com/huggingface/safetensors).
 *
 * File layout: 8-byte little-endian u64 N, then N bytes of UTF-8 JSON
 *   {"name": {"dtype": "F32", "shape": [d0, ...], "data_offsets": [begin, end]}, ...,
 *    "__metadata__": {"key": "string value", ...}}
 * then the data buffer; offsets are relative to the start of the data buffer.
 * Tensors are row-major, little-endian.
 *
 * The reader verifies everything before handing a tensor out: header length
 * within the file, JSON an object of objects, known dtype, non-negative integer
 * shape and offsets, end - begin == prod(shape) * dtype size (no overflow),
 * tensors in range and the buffer covered exactly once (sorted by offset, no
 * gaps, no overlap, as the format requires), no duplicate names, metadata a map
 * of strings. Errors (lf_last_error) name the file and the tensor.
 *
 * The writer sorts tensors by name, lays data out in that order and pads the
 * JSON header with spaces to a multiple of 8 bytes; the file is written
 * atomically (lf_fileio.h). */
#ifndef LF_SAFETENSORS_H
#define LF_SAFETENSORS_H
#include <stddef.h>
#include <stdint.h>
#include "leapfrog/lf_status.h"

#define LF_ST_MAX_DIMS 8

typedef enum {
  LF_ST_BOOL, LF_ST_U8, LF_ST_I8, LF_ST_I16, LF_ST_U16, LF_ST_F16, LF_ST_BF16,
  LF_ST_I32, LF_ST_U32, LF_ST_F32, LF_ST_F64, LF_ST_I64, LF_ST_U64,
  LF_ST_NDTYPES
} lf_st_dtype;

/* "F32" etc. / bytes per element. */
const char *lf_st_dtype_name(lf_st_dtype d);
size_t lf_st_dtype_size(lf_st_dtype d);

typedef struct {
  char *name;
  lf_st_dtype dtype;
  int ndim;                        /* 0 = scalar */
  int64_t shape[LF_ST_MAX_DIMS];
  size_t numel;
  size_t nbytes;
  const unsigned char *data;       /* into the file buffer; not aligned */
} lf_st_tensor;

typedef struct {
  char *path;                      /* for messages */
  unsigned char *buf;              /* whole file (owned) */
  size_t len;
  lf_st_tensor *tensors;           /* sorted by data offset */
  size_t n_tensors;
  char **meta_keys, **meta_vals;   /* __metadata__, n_meta pairs */
  size_t n_meta;
} lf_st_file;

/* Reads and verifies `path` (files up to 16 GiB). */
lf_status lf_st_open(lf_st_file *f, const char *path);
/* Verifies an in-memory file; the bytes are copied. `name` is used in messages. */
lf_status lf_st_parse(lf_st_file *f, const void *data, size_t len, const char *name);
void lf_st_close(lf_st_file *f);   /* safe on a zeroed or closed file */

/* NULL if absent. */
const lf_st_tensor *lf_st_find(const lf_st_file *f, const char *name);
const char *lf_st_meta(const lf_st_file *f, const char *key);

/* Converts a float tensor (F32, F16, BF16, F64) or an integer tensor to float.
 * `n` must equal t->numel. */
lf_status lf_st_to_f32(const lf_st_file *f, const lf_st_tensor *t, float *out, size_t n);
/* Reads an integer (I64/I32/...) scalar or 1-element tensor. */
lf_status lf_st_to_i64(const lf_st_file *f, const lf_st_tensor *t, int64_t *out);

/* ---- writer ---------------------------------------------------------------- */
typedef struct lf_st_writer lf_st_writer;

lf_status lf_st_writer_new(lf_st_writer **w);
void lf_st_writer_free(lf_st_writer *w);
/* Adds a tensor; the data (prod(shape) * dtype size bytes) is copied.
 * Names must be unique, non-empty and not "__metadata__". */
lf_status lf_st_writer_add(lf_st_writer *w, const char *name, lf_st_dtype dtype, int ndim,
                           const int64_t *shape, const void *data);
/* Sets (or replaces) a __metadata__ string. */
lf_status lf_st_writer_meta(lf_st_writer *w, const char *key, const char *value);
/* Writes the file atomically. The writer stays usable. */
lf_status lf_st_writer_save(lf_st_writer *w, const char *path);

#endif
