/* ONNX import internals: the bounded protobuf reader and the graph lowering. */
#ifndef LF_ONNX_INTERNAL_H
#define LF_ONNX_INTERNAL_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_status.h"
#include "onnx.pb-c.h"

/* Nesting of graphs (Node -> Attribute -> Graph) and of types
 * (TypeProto -> Sequence/Map/Optional -> TypeProto) is refused deeper than
 * this, before protobuf-c's recursive unpack sees the bytes. */
#define LF_ONNX_MAX_DEPTH 32

/* A decoded ModelProto whose allocations are counted against a budget. */
typedef struct {
  Onnx__ModelProto *model;
  ProtobufCAllocator alloc;
  size_t used, budget;
  int refused; /* an allocation went over the budget */
} lf_onnx_proto;

/* Checks the wire format (tags, lengths, the nesting above) and unpacks
 * `len` bytes with at most `budget` bytes of allocations. `name` starts
 * every error message. */
lf_status lf_onnx_proto_parse(const uint8_t *data, size_t len, const char *name, size_t budget,
                              lf_onnx_proto *out);
void lf_onnx_proto_free(lf_onnx_proto *p);

#endif
