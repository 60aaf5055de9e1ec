/* Bounds-checked flatbuffer access (see tflite_fb.h). */
#include "tflite_fb.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lfrt_fb_fail(fb_ctx *c, lfrt_status s, const char *fmt, ...) {
  if (c->bad) return;
  c->bad = s;
  if (c->err) {
    char problem[320];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, sizeof problem, fmt, ap);
    va_end(ap);
    if (c->where[0])
      snprintf(c->err->msg, sizeof c->err->msg, "%s: %s: %s", c->name, c->where, problem);
    else
      snprintf(c->err->msg, sizeof c->err->msg, "%s: %s", c->name, problem);
  }
}

/* Callers check bounds first; these only assemble little-endian values. */
uint8_t lfrt_fb_u8(const fb_ctx *c, uint64_t pos) { return c->p[pos]; }
uint16_t lfrt_fb_u16(const fb_ctx *c, uint64_t pos) {
  return (uint16_t)(c->p[pos] | (c->p[pos + 1] << 8));
}
uint32_t lfrt_fb_u32(const fb_ctx *c, uint64_t pos) {
  const uint8_t *b = c->p + pos;
  return (uint32_t)b[0] | ((uint32_t)b[1] << 8) | ((uint32_t)b[2] << 16) | ((uint32_t)b[3] << 24);
}
uint64_t lfrt_fb_u64(const fb_ctx *c, uint64_t pos) {
  return (uint64_t)lfrt_fb_u32(c, pos) | ((uint64_t)lfrt_fb_u32(c, pos + 4) << 32);
}

static int in_bounds(const fb_ctx *c, uint64_t pos, uint64_t len) {
  return pos <= c->n && len <= c->n - pos;
}

static fb_table absent_table(void) {
  fb_table t;
  memset(&t, 0, sizeof t);
  return t;
}

fb_table lfrt_fb_table_at(fb_ctx *c, uint64_t pos, const char *what) {
  fb_table t = absent_table();
  if (c->bad) return t;
  if (pos % 4 || !in_bounds(c, pos, 4)) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "%s table at offset %llu is outside the file or misaligned", what,
            (unsigned long long)pos);
    return t;
  }
  int32_t soff = (int32_t)lfrt_fb_u32(c, pos);
  int64_t vt = (int64_t)pos - (int64_t)soff;
  if (vt < 0 || vt % 2 || !in_bounds(c, (uint64_t)vt, 4)) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "%s table at offset %llu has its vtable outside the file", what,
            (unsigned long long)pos);
    return t;
  }
  uint16_t vsize = lfrt_fb_u16(c, (uint64_t)vt), tsize = lfrt_fb_u16(c, (uint64_t)vt + 2);
  if (vsize < 4 || vsize % 2 || !in_bounds(c, (uint64_t)vt, vsize) || tsize < 4 ||
      !in_bounds(c, pos, tsize)) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "%s table at offset %llu has a bad vtable (size %u, table size %u)",
            what, (unsigned long long)pos, vsize, tsize);
    return t;
  }
  t.pos = pos;
  t.vt = (uint64_t)vt;
  t.nslots = (uint32_t)(vsize - 4) / 2;
  t.size = tsize;
  t.present = 1;
  return t;
}

fb_table lfrt_fb_root(fb_ctx *c, const char *identifier) {
  if (c->n < 8) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "file is %llu bytes, too short for a TFLite model",
            (unsigned long long)c->n);
    return absent_table();
  }
  if (identifier && memcmp(c->p + 4, identifier, 4) != 0) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "not a TFLite model (file identifier is not \"%s\")", identifier);
    return absent_table();
  }
  return lfrt_fb_table_at(c, lfrt_fb_u32(c, 0), "Model");
}

/* Absolute position of a field's inline value, or 0 when absent. */
static uint64_t field_pos(fb_ctx *c, const fb_table *t, int field, uint32_t size,
                          const char *what) {
  if (c->bad || !t->present || (uint32_t)field >= t->nslots) return 0;
  uint16_t off = lfrt_fb_u16(c, t->vt + 4 + 2 * (uint64_t)field);
  if (off == 0) return 0;
  if (off < 4 || (uint64_t)off + size > t->size) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "field %s lies outside its table (offset %u, table size %u)", what,
            off, t->size);
    return 0;
  }
  return t->pos + off;
}

int64_t lfrt_fb_int(fb_ctx *c, const fb_table *t, int field, int size, int is_signed, int64_t def,
               const char *what) {
  uint64_t p = field_pos(c, t, field, (uint32_t)size, what);
  if (!p) return def;
  switch (size) {
    case 1: return is_signed ? (int64_t)(int8_t)lfrt_fb_u8(c, p) : (int64_t)lfrt_fb_u8(c, p);
    case 2: return is_signed ? (int64_t)(int16_t)lfrt_fb_u16(c, p) : (int64_t)lfrt_fb_u16(c, p);
    case 4: return is_signed ? (int64_t)(int32_t)lfrt_fb_u32(c, p) : (int64_t)lfrt_fb_u32(c, p);
    default: return (int64_t)lfrt_fb_u64(c, p);
  }
}

float lfrt_fb_float(fb_ctx *c, const fb_table *t, int field, float def, const char *what) {
  uint64_t p = field_pos(c, t, field, 4, what);
  if (!p) return def;
  uint32_t u = lfrt_fb_u32(c, p);
  float f;
  memcpy(&f, &u, 4);
  return f;
}

/* Follows the uoffset stored at field position p; 0 on failure. */
static uint64_t follow(fb_ctx *c, uint64_t p, const char *what) {
  uint64_t target = p + lfrt_fb_u32(c, p);
  if (target >= c->n) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "%s points outside the file (offset %llu, file %llu bytes)", what,
            (unsigned long long)target, (unsigned long long)c->n);
    return 0;
  }
  return target;
}

fb_table lfrt_fb_sub_table(fb_ctx *c, const fb_table *t, int field, const char *what) {
  uint64_t p = field_pos(c, t, field, 4, what);
  if (!p) return absent_table();
  uint64_t target = follow(c, p, what);
  if (!target) return absent_table();
  return lfrt_fb_table_at(c, target, what);
}

static fb_vec vector_at(fb_ctx *c, uint64_t v, uint32_t elem_size, const char *what) {
  fb_vec r = {0, 0};
  if (v % 4 || !in_bounds(c, v, 4)) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "%s vector at offset %llu is outside the file or misaligned", what,
            (unsigned long long)v);
    return r;
  }
  uint32_t len = lfrt_fb_u32(c, v);
  if (!in_bounds(c, v + 4, (uint64_t)len * elem_size)) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "%s vector of %u elements runs past the end of the file", what, len);
    return r;
  }
  r.pos = v + 4;
  r.len = len;
  return r;
}

fb_vec lfrt_fb_vector(fb_ctx *c, const fb_table *t, int field, uint32_t elem_size, const char *what) {
  fb_vec r = {0, 0};
  uint64_t p = field_pos(c, t, field, 4, what);
  if (!p) return r;
  uint64_t v = follow(c, p, what);
  if (!v) return r;
  return vector_at(c, v, elem_size, what);
}

const char *lfrt_fb_string(fb_ctx *c, const fb_table *t, int field, const char *what) {
  uint64_t p = field_pos(c, t, field, 4, what);
  if (!p) return "";
  uint64_t v = follow(c, p, what);
  if (!v) return "";
  fb_vec s = vector_at(c, v, 1, what);
  if (c->bad) return "";
  if (!in_bounds(c, s.pos + s.len, 1) || c->p[s.pos + s.len] != 0) {
    lfrt_fb_fail(c, LFRT_EBADFILE, "string %s is not NUL-terminated", what);
    return "";
  }
  return (const char *)(c->p + s.pos);
}

fb_table lfrt_fb_vec_table(fb_ctx *c, fb_vec v, uint32_t i, const char *what) {
  if (c->bad || i >= v.len) return absent_table();
  uint64_t p = v.pos + 4 * (uint64_t)i;
  uint64_t target = follow(c, p, what);
  if (!target) return absent_table();
  return lfrt_fb_table_at(c, target, what);
}
