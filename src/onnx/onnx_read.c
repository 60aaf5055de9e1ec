/* Bounded reading of an ONNX ModelProto: a pre-scan of the protobuf wire
 * format that refuses deep nesting (protobuf-c unpacks nested messages by
 * recursion), then protobuf-c's unpack with a counting allocator so a small
 * hostile file cannot make it allocate without limit. */
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx_internal.h"

/* The message kinds that can nest without bound, and which fields lead from
 * one to another (field numbers of onnx.proto). Everything else is skipped
 * as opaque bytes by the scan (protobuf-c bounds those by their schema). */
enum { K_OPAQUE, K_MODEL, K_TRAINING, K_FUNCTION, K_GRAPH, K_NODE, K_ATTR, K_VALUEINFO, K_TYPE,
       K_TYPE_ELEM, K_TYPE_MAP };

static int child_kind(int kind, uint32_t field) {
  switch (kind) {
    case K_MODEL: return field == 7 ? K_GRAPH : field == 20 ? K_TRAINING : field == 25 ? K_FUNCTION : K_OPAQUE;
    case K_TRAINING: return field == 1 || field == 2 ? K_GRAPH : K_OPAQUE;
    case K_FUNCTION: return field == 7 ? K_NODE : K_OPAQUE;
    case K_GRAPH: return field == 1 ? K_NODE : (field >= 11 && field <= 13) ? K_VALUEINFO : K_OPAQUE;
    case K_NODE: return field == 5 ? K_ATTR : K_OPAQUE;
    case K_ATTR: return field == 6 || field == 11 ? K_GRAPH : field == 14 || field == 15 ? K_TYPE : K_OPAQUE;
    case K_VALUEINFO: return field == 2 ? K_TYPE : K_OPAQUE;
    case K_TYPE: return field == 4 || field == 9 ? K_TYPE_ELEM : field == 5 ? K_TYPE_MAP : K_OPAQUE;
    case K_TYPE_ELEM: return field == 1 ? K_TYPE : K_OPAQUE;
    case K_TYPE_MAP: return field == 2 ? K_TYPE : K_OPAQUE;
    default: return K_OPAQUE;
  }
}

static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
  uint64_t r = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*p >= end) return -1;
    uint8_t b = *(*p)++;
    r |= (uint64_t)(b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *v = r;
      return 0;
    }
  }
  return -1;
}

/* Walks one message of `kind`; returns NULL or a static description of the
 * problem. Recursion depth is bounded by LF_ONNX_MAX_DEPTH. */
static const char *scan(const uint8_t *p, const uint8_t *end, int kind, int depth) {
  if (depth > LF_ONNX_MAX_DEPTH) return "graphs or types nested too deeply";
  while (p < end) {
    uint64_t key, n;
    if (varint(&p, end, &key)) return "truncated field key";
    uint32_t field = (uint32_t)(key >> 3);
    if (field == 0 || key >> 32) return "invalid field number";
    switch (key & 7) {
      case 0:
        if (varint(&p, end, &n)) return "truncated varint";
        break;
      case 1:
        if (end - p < 8) return "truncated fixed64";
        p += 8;
        break;
      case 5:
        if (end - p < 4) return "truncated fixed32";
        p += 4;
        break;
      case 2: {
        if (varint(&p, end, &n)) return "truncated length";
        if (n > (uint64_t)(end - p)) return "a field's length runs past the end of the file";
        int ck = child_kind(kind, field);
        if (ck != K_OPAQUE) {
          const char *e = scan(p, p + n, ck, depth + 1);
          if (e) return e;
        }
        p += n;
        break;
      }
      default: return "unsupported wire type (groups or invalid)";
    }
  }
  return NULL;
}

/* protobuf-c allocator that refuses once the budget is spent; each block
 * carries its size in front so free can give it back. */
static void *budget_alloc(void *ctx, size_t size) {
  lf_onnx_proto *p = ctx;
  if (size > p->budget - p->used || size > SIZE_MAX - 16) {
    p->refused = 1;
    return NULL;
  }
  size_t *b = malloc(size + 16);
  if (!b) return NULL;
  b[0] = size;
  p->used += size;
  return (char *)b + 16;
}
static void budget_free(void *ctx, void *ptr) {
  if (!ptr) return;
  lf_onnx_proto *p = ctx;
  size_t *b = (size_t *)((char *)ptr - 16);
  p->used -= b[0];
  free(b);
}

lf_status lf_onnx_proto_parse(const uint8_t *data, size_t len, const char *name, size_t budget,
                              lf_onnx_proto *out) {
  memset(out, 0, sizeof *out);
  if (!len) return lf_error(LF_EBADFILE, "%s: empty file (not an ONNX model)", name);
  const char *e = scan(data, data + len, K_MODEL, 0);
  if (e) return lf_error(LF_EBADFILE, "%s: not a valid ONNX protobuf: %s", name, e);
  out->budget = budget;
  out->alloc.alloc = budget_alloc;
  out->alloc.free = budget_free;
  out->alloc.allocator_data = out;
  out->model = onnx__model_proto__unpack(&out->alloc, len, data);
  if (!out->model) {
    if (out->refused)
      return lf_error(LF_ENOMEM, "%s: decoding needs more than %zu bytes of memory (hostile or too large)", name,
                      budget);
    return lf_error(LF_EBADFILE, "%s: not a valid ONNX ModelProto (protobuf-c refused it)", name);
  }
  return LF_OK;
}

void lf_onnx_proto_free(lf_onnx_proto *p) {
  if (p->model) onnx__model_proto__free_unpacked(p->model, &p->alloc);
  p->model = NULL;
}
