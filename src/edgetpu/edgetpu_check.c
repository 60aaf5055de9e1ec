/* Edge TPU pre-flight over a whole model: the rules every op shares (Coral's
 * "model requirements"), the op's row of the table (edgetpu_rules.c), where
 * the compiler's single cut falls, and an estimate of the parameter memory.
 * Not the compiler: see include/leapfrog/lf_edgetpu.h for what is checked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "edgetpu/edgetpu_rules.h"
#include "leapfrog/lf_edgetpu.h"

/* Appends "; "-separated text to a reason buffer (truncated, never overflowed). */
static void add_reason(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_reason(char *buf, size_t n, const char *fmt, ...) {
  size_t k = strlen(buf);
  if (k + 3 >= n) return;
  if (k) {
    memcpy(buf + k, "; ", 3);
    k += 2;
  }
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf + k, n - k, fmt, ap);
  va_end(ap);
}

static void shape_text(const lfrt_tensor *t, char *buf, size_t n) {
  size_t k = (size_t)snprintf(buf, n, "[");
  for (int d = 0; d < t->ndim && k < n; d++)
    k += (size_t)snprintf(buf + k, n - k, "%s%d", d ? "," : "", (int)t->shape[d]);
  if (k < n) snprintf(buf + k, n - k, "]");
}

static const char *op_name(const lfrt_operator *op, char *buf, size_t n) {
  const char *s = lfrt_op_name((int)op->op);
  if (s) return s;
  snprintf(buf, n, "BUILTIN_%d", (int)op->op);
  return buf;
}

/* The shared tensor rules for tensor t, input (is_input) number i of op; a
 * tensor that is not 8-bit is named in types[nt] (one reason for them all). */
static void check_tensor(const lfrt_tensor *t, int is_input, int i, const etpu_rule *r, char *why, size_t n,
                         char *types, size_t nt) {
  char shp[64];
  if (t->unsupported) {
    add_reason(why, n, "tensor '%s' cannot be read here (%s)", t->name, t->unsupported);
    return;
  }
  uint32_t bit = is_input && i < 32 ? 1u << i : 0;
  if (r && (r->const_inputs & bit) && !t->data)
    add_reason(why, n, "input %d '%s' is not constant (Coral: model parameters such as weights and biases are "
               "constant at compile time)", i, t->name);
  int q8 = t->type == LFRT_INT8 || t->type == LFRT_UINT8;
  if (t->type == LFRT_INT32 && r && (r->i32_inputs & bit) && t->data) {
    /* a bias, shape or axes: int32 constants are fine */
  } else if (t->type == LFRT_INT16 && r && is_input && etpu_int16_input(r, i)) {
    /* coral: an LSTM's int16 cell state */
  } else if (!q8) {
    /* whole entries only; ", ..." once when the next one does not fit */
    size_t k = strlen(types), need = strlen(t->name) + strlen(lfrt_type_name(t->type)) + 10;
    if (k == 0) snprintf(types, nt, "'%.100s' is %s", t->name, lfrt_type_name(t->type)); /* never empty */
    else if (k + need < nt - 6) snprintf(types + k, nt - k, "%s'%s' is %s", k ? ", " : "", t->name, lfrt_type_name(t->type));
    else if (k && strcmp(types + k - 3, "...") != 0) snprintf(types + k, nt - k, ", ...");
  } else if (t->quant.count == 0) {
    add_reason(why, n, "tensor '%s' is %s without quantization parameters (Coral: 8-bit fixed-point numbers)",
               t->name, lfrt_type_name(t->type));
  }
  if (t->dynamic)
    add_reason(why, n, "tensor '%s' has a dynamic size (a -1 in its shape_signature; Coral: tensor sizes are "
               "constant at compile time)", t->name);
  if (!t->data && !etpu_innermost3(t)) {
    shape_text(t, shp, sizeof shp);
    add_reason(why, n, "tensor '%s' %s has more than 3 dimensions larger than 1 (Coral: only the innermost 3 "
               "may be larger than 1)", t->name, shp);
  }
}

static void check_node(const lfrt_model *m, const lfrt_operator *op, lf_edgetpu_node *nd) {
  char nb[32];
  const etpu_rule *r = etpu_rule_find((int)op->op);
  nd->min_runtime = r ? r->min_runtime : -1;
  nd->unchecked = r ? r->unchecked : NULL;
  if (!r) {
    if (op->custom_code)
      add_reason(nd->reason, sizeof nd->reason, "custom op '%s' is not in Coral's supported-op table", op->custom_code);
    else
      add_reason(nd->reason, sizeof nd->reason, "%s is not in Coral's supported-op table", op_name(op, nb, sizeof nb));
  } else if (op->version > r->max_version) {
    add_reason(nd->reason, sizeof nd->reason, "op version %d is newer than the 8-bit version %d accepted here "
               "(the compiler says \"Operation version not supported\")", op->version, r->max_version);
  }
  char types[200] = "";
  for (int i = 0; i < op->ninputs; i++)
    if (op->inputs[i] >= 0 && op->inputs[i] < m->ntensors)
      check_tensor(&m->tensors[op->inputs[i]], 1, i, r, nd->reason, sizeof nd->reason, types, sizeof types);
  for (int i = 0; i < op->noutputs; i++)
    if (op->outputs[i] >= 0 && op->outputs[i] < m->ntensors)
      check_tensor(&m->tensors[op->outputs[i]], 0, i, r, nd->reason, sizeof nd->reason, types, sizeof types);
  if (types[0]) add_reason(nd->reason, sizeof nd->reason, "tensor %s (Coral: tensors are 8-bit quantized, int8 or uint8)", types);
  if (r && r->limit) {
    char why[256] = "";
    /* options are decoded only for ops the runtime's reader accepts */
    if (!r->limit(m, op, op->unsupported == NULL, why, sizeof why)) add_reason(nd->reason, sizeof nd->reason, "%s", why);
  }
  nd->mappable = nd->reason[0] == 0;
}

/* coral: where each node runs. Observed in Coral's test_data (the edgetpu_compiler
 * of release "Grouper", July 2021), e.g. movenet_single_pose_lightning_ptq_edgetpu.tflite:
 * the Edge TPU part is one custom op holding every mappable op whose inputs
 * come from model inputs, constants, other ops of the part, or unmappable ops
 * that themselves read only those (a leading CAST + QUANTIZE of the input run
 * on the CPU ahead of the part); an op that depends on a CPU op computed after
 * the part runs on the CPU, mappable or not, and mappable ops after the first
 * unmappable one that do not depend on it stay in the part. On movenet this
 * gives the compiler's exact split (98 mapped, 59 on the CPU, the same ops).
 * Without any mappable op in the part (e.g. a float model) the older rule is
 * kept: leading QUANTIZEs ahead, the first unmappable op cuts. An op with a
 * dynamic size never goes ahead (the compiler refuses those models). */
enum { PLACE_AFTER = 0, PLACE_BEFORE = 1, PLACE_TPU = 2 };
/* A dynamic size is refused by the compiler outright: such an op never goes ahead. */
static int has_dynamic(const lfrt_model *m, const lfrt_operator *op) {
  for (int i = 0; i < op->ninputs; i++)
    if (op->inputs[i] >= 0 && op->inputs[i] < m->ntensors && m->tensors[op->inputs[i]].dynamic) return 1;
  for (int i = 0; i < op->noutputs; i++)
    if (op->outputs[i] >= 0 && op->outputs[i] < m->ntensors && m->tensors[op->outputs[i]].dynamic) return 1;
  return 0;
}
static int place_nodes(const lfrt_model *m, lf_edgetpu_report *r, unsigned char *place) {
  unsigned char *src = calloc((size_t)m->ntensors + 1, 1); /* tensor: 1 before/input, 2 tpu, 3 after */
  if (!src) return -1;
  for (int i = 0; i < m->ninputs; i++) src[m->inputs[i]] = 1;
  int ntpu = 0;
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    int worst = 1;
    for (int i = 0; i < op->ninputs; i++) {
      int t = op->inputs[i];
      if (t < 0 || t >= m->ntensors || m->tensors[t].data) continue;
      int s = src[t] ? src[t] : 1; /* a variable (state) tensor or other unwritten one: available at the start */
      if (s > worst) worst = s;
    }
    place[n] = !r->nodes[n].mappable ? (worst == 1 && !has_dynamic(m, op) ? PLACE_BEFORE : PLACE_AFTER)
                                     : (worst <= 2 ? PLACE_TPU : PLACE_AFTER);
    ntpu += place[n] == PLACE_TPU;
    for (int i = 0; i < op->noutputs; i++)
      if (op->outputs[i] >= 0 && op->outputs[i] < m->ntensors)
        src[op->outputs[i]] = place[n] == PLACE_BEFORE ? 1 : place[n] == PLACE_TPU ? 2 : 3;
  }
  free(src);
  if (ntpu == 0) { /* no Edge TPU part: the single cut after the leading QUANTIZEs */
    int lead = 0;
    while (lead < m->nops && !r->nodes[lead].mappable && (int)m->ops[lead].op == LFRT_OP_QUANTIZE &&
           !has_dynamic(m, &m->ops[lead]))
      lead++;
    for (int n = 0; n < m->nops; n++) place[n] = n < lead ? PLACE_BEFORE : PLACE_AFTER;
  }
  return 0;
}

lf_status lf_edgetpu_check(const lfrt_model *m, lf_edgetpu_report *r) {
  memset(r, 0, sizeof *r);
  r->split_node = -1;
  r->nsubgraphs = m->nsubgraphs;
  r->nops = m->nops;
  r->nodes = calloc((size_t)(m->nops > 0 ? m->nops : 1), sizeof *r->nodes);
  unsigned char *seen = calloc((size_t)m->ntensors + 1, 1);
  if (!r->nodes || !seen) {
    free(seen);
    lf_edgetpu_report_free(r);
    return lf_error(LF_ENOMEM, "%s: edgetpu check: out of memory", m->source_name);
  }
  for (int n = 0; n < m->nops; n++) check_node(m, &m->ops[n], &r->nodes[n]);
  unsigned char *place = calloc((size_t)(m->nops > 0 ? m->nops : 1), 1);
  if (!place || place_nodes(m, r, place)) {
    free(place);
    free(seen);
    lf_edgetpu_report_free(r);
    return lf_error(LF_ENOMEM, "%s: edgetpu check: out of memory", m->source_name);
  }
  for (int n = 0; n < m->nops; n++) {
    lf_edgetpu_node *nd = &r->nodes[n];
    nd->on_edgetpu = place[n] == PLACE_TPU;
    nd->before_edgetpu = place[n] == PLACE_BEFORE;
    if (nd->before_edgetpu) {
      size_t k = strlen(nd->reason);
      snprintf(nd->reason + k, sizeof nd->reason - k, " (runs on the CPU before the Edge TPU part)");
    } else if (place[n] == PLACE_AFTER && r->split_node < 0) {
      r->split_node = n; /* the first op after the part: unmappable (a mappable one needs a CPU input) */
    } else if (place[n] == PLACE_AFTER && nd->mappable) {
      char nb[32];
      snprintf(nd->reason, sizeof nd->reason,
               "mappable, but after the cut at node %d (%s): it depends on the CPU part, so runs on the CPU",
               r->split_node, op_name(&m->ops[r->split_node], nb, sizeof nb));
    }
  }
  free(place);
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    if (!r->nodes[n].on_edgetpu) {
      r->cpu_ops++;
      continue;
    }
    r->mapped_ops++;
    if (r->nodes[n].min_runtime > r->min_runtime) r->min_runtime = r->nodes[n].min_runtime;
    for (int i = 0; i < op->ninputs; i++) {
      int t = op->inputs[i];
      if (t < 0 || t >= m->ntensors || !m->tensors[t].data || seen[t]) continue;
      seen[t] = 1;
      r->param_bytes += (int64_t)m->tensors[t].bytes;
    }
  }
  free(seen);
  return LF_OK;
}

void lf_edgetpu_report_free(lf_edgetpu_report *r) {
  if (!r) return;
  free(r->nodes);
  r->nodes = NULL;
  r->nops = 0;
}

lf_status lf_edgetpu_check_file(const char *path, lf_edgetpu_report *r) {
  memset(r, 0, sizeof *r);
  lfrt_model *m = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  lfrt_status st = lfrt_model_describe_file(path, &m, &err);
  if (st != LFRT_OK)
    return lf_error(st == LFRT_ENOMEM ? LF_ENOMEM : st == LFRT_EIO ? LF_EIO : LF_EBADFILE, "%s", err.msg);
  lf_status s = lf_edgetpu_check(m, r);
  lfrt_model_free(m);
  return s;
}

int lf_edgetpu_rule_count(void) { return etpu_rule_count(); }

lf_edgetpu_rule_info lf_edgetpu_rule(int i) {
  lf_edgetpu_rule_info x;
  memset(&x, 0, sizeof x);
  const etpu_rule *r = etpu_rule_at(i);
  if (!r) return x;
  x.code = r->code;
  x.name = r->name;
  x.min_runtime = r->min_runtime;
  x.max_version = r->max_version;
  x.limits = r->limits;
  x.unchecked = r->unchecked;
  return x;
}
