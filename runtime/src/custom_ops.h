/* Custom ops (BuiltinOperator CUSTOM, named by OperatorCode.custom_code): one
 * registration table (custom_ops.c) that the loader, the interpreter's
 * prepare and `leapfrog info` all read, so a name is either known everywhere
 * or refused everywhere. Each entry's prepare checks the node (arity, types,
 * shapes, its custom_options bytes) and picks the kernel family that runs it
 * (n->kind); Eval is that family's kernel. Internal to the runtime. */
#ifndef LFRT_CUSTOM_OPS_H
#define LFRT_CUSTOM_OPS_H
#include <stddef.h>

#include "lfrt_interp.h"

typedef struct {
  const char *name;           /* custom_code, exact match */
  int min_inputs, max_inputs; /* checked at load */
  int max_version;            /* highest OperatorCode.version implemented */
  const char *what;           /* one line for `leapfrog info` */
  /* checks node idx of it->m and fills it->nodes[idx] */
  lfrt_status (*prepare)(lfrt_interp *it, int idx, lfrt_error *err);
} lfrt_custom_op;

/* The entry for custom_code `name`, or NULL (NULL name too). */
const lfrt_custom_op *lfrt_custom_op_find(const char *name);

/* "A, B" : the known names, for refusals of unknown ones. */
void lfrt_custom_op_list(char *buf, size_t n);

/* prepare of node idx, a CUSTOM op: through the table (interp_prepare.c) */
lfrt_status lfrt_prepare_custom(lfrt_interp *it, int idx, lfrt_error *err);

#endif
