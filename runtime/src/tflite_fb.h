/* Bounds-checked flatbuffer access for the TFLite reader (internal).
 *
 * Every read goes through these helpers: positions are byte offsets into the
 * file, arithmetic is done in uint64 so nothing wraps, and scalars are
 * assembled byte by byte (little-endian, any alignment, any host). The first
 * failure sets ctx->bad and a message "<file>: <where>: <problem>"; later
 * calls on a bad context return defaults, so the parser checks ctx->bad once
 * per item instead of after every field. */
#ifndef LFRT_TFLITE_FB_H
#define LFRT_TFLITE_FB_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt_status.h"

typedef struct {
  const uint8_t *p;
  uint64_t n;
  const char *name;   /* file name for messages */
  char where[160];    /* "node 3 (CONV_2D)", "tensor 5 'x'", ... */
  lfrt_error *err;
  lfrt_status bad;    /* LFRT_OK until the first failure */
} fb_ctx;

typedef struct {
  uint64_t pos;    /* table start (its soffset to the vtable) */
  uint64_t vt;     /* vtable start */
  uint32_t nslots; /* fields described by the vtable */
  uint32_t size;   /* table inline size */
  int present;     /* 0: absent table (all fields default) */
} fb_table;

typedef struct {
  uint64_t pos; /* first element */
  uint32_t len; /* element count */
} fb_vec;

/* Records the first failure (printf-style problem text). */
void lfrt_fb_fail(fb_ctx *c, lfrt_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

uint8_t lfrt_fb_u8(const fb_ctx *c, uint64_t pos);
uint16_t lfrt_fb_u16(const fb_ctx *c, uint64_t pos);
uint32_t lfrt_fb_u32(const fb_ctx *c, uint64_t pos);
uint64_t lfrt_fb_u64(const fb_ctx *c, uint64_t pos);

/* Opens the table at `pos` (checks soffset, vtable and inline size). */
fb_table lfrt_fb_table_at(fb_ctx *c, uint64_t pos, const char *what);
/* Root table of the buffer (checks size, identifier). */
fb_table lfrt_fb_root(fb_ctx *c, const char *identifier);

/* Field accessors: `def` when the field (or the table) is absent. */
int64_t lfrt_fb_int(fb_ctx *c, const fb_table *t, int field, int size, int is_signed, int64_t def,
               const char *what);
float lfrt_fb_float(fb_ctx *c, const fb_table *t, int field, float def, const char *what);
/* Offset fields: *present = 0 when absent. */
fb_table lfrt_fb_sub_table(fb_ctx *c, const fb_table *t, int field, const char *what);
fb_vec lfrt_fb_vector(fb_ctx *c, const fb_table *t, int field, uint32_t elem_size, const char *what);
/* NUL-terminated string in place ("" when absent). */
const char *lfrt_fb_string(fb_ctx *c, const fb_table *t, int field, const char *what);
/* Element i of a vector of tables. */
fb_table lfrt_fb_vec_table(fb_ctx *c, fb_vec v, uint32_t i, const char *what);

#endif
