/* The custom-op registration table: see custom_ops.h. */
#include "custom_ops.h"

#include <stdio.h>
#include <string.h>

#include "interp_internal.h"
#include "prep_custom.h"

static const lfrt_custom_op table[] = {
    {"Convolution2DTransposeBias", 3, 3, 1,
     "MediaPipe's transposed convolution with bias (float32; options: padding, stride_w, stride_h)",
     lfrt_prep_tconv_bias},
};
#define NTABLE ((int)(sizeof table / sizeof table[0]))

const lfrt_custom_op *lfrt_custom_op_find(const char *name) {
  for (int i = 0; name && i < NTABLE; i++)
    if (!strcmp(table[i].name, name)) return &table[i];
  return NULL;
}

void lfrt_custom_op_list(char *buf, size_t n) {
  size_t k = 0;
  if (n) buf[0] = 0;
  for (int i = 0; i < NTABLE && k < n; i++) k += (size_t)snprintf(buf + k, n - k, "%s%s", i ? ", " : "", table[i].name);
}

const char *lfrt_custom_op_name(int i) { return i >= 0 && i < NTABLE ? table[i].name : NULL; }
const char *lfrt_custom_op_what(int i) { return i >= 0 && i < NTABLE ? table[i].what : NULL; }

lfrt_status lfrt_prepare_custom(lfrt_interp *it, int idx, lfrt_error *err) {
  const lfrt_operator *op = &it->m->ops[idx];
  const lfrt_custom_op *c = lfrt_custom_op_find(op->custom_code);
  if (!c) { /* the loader refuses these; a hand-made lfrt_model may not have been loaded */
    char known[256];
    lfrt_custom_op_list(known, sizeof known);
    return lfrt_set_error(err, LFRT_EUNSUPPORTED, "%s: node %d: custom op '%.60s' is not supported (known custom ops: %s)",
                          it->m->source_name, idx, op->custom_code ? op->custom_code : "", known);
  }
  return c->prepare(it, idx, err);
}
