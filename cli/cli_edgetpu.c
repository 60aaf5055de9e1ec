/* The Edge TPU pre-flight report as text and JSON (cli_edgetpu.h). */
#include <stdio.h>
#include <string.h>

#include "cli_edgetpu.h"

#define CHECKER_NOTE \
  "leapfrog's pre-flight from Coral's published model requirements; not edgetpu_compiler"

static const char *op_label(const lfrt_operator *op, char *buf, size_t n) {
  const char *s = lfrt_op_name((int)op->op);
  if (s) return s;
  snprintf(buf, n, "BUILTIN_%d", (int)op->op);
  return buf;
}

/* The first node with the same op code before n carries the same note. */
static int first_of_code(const lfrt_model *m, int n) {
  for (int k = 0; k < n; k++)
    if (m->ops[k].op == m->ops[n].op) return 0;
  return 1;
}

void lf_cli_edgetpu_text(FILE *f, const lfrt_model *m, const char *path, const lf_edgetpu_report *r) {
  char lb[32];
  fprintf(f, "Edge TPU pre-flight: %s (%s)\n", path, CHECKER_NOTE);
  if (r->nsubgraphs > 1) fprintf(f, "subgraphs: %d, only the first is checked\n", r->nsubgraphs);
  fprintf(f, "nodes:\n");
  for (int n = 0; n < r->nops; n++) {
    const lf_edgetpu_node *nd = &r->nodes[n];
    const char *st = nd->on_edgetpu ? "mapped" : nd->mappable ? "cpu" : "NOT MAPPED";
    char line[480];
    int k = snprintf(line, sizeof line, "  %4d %-24s %-10s", n, op_label(&m->ops[n], lb, sizeof lb), st);
    if (nd->min_runtime > 0 && k > 0 && (size_t)k < sizeof line)
      k += snprintf(line + k, sizeof line - (size_t)k, " runtime>=%d", nd->min_runtime);
    if (nd->reason[0] && k > 0 && (size_t)k < sizeof line) snprintf(line + k, sizeof line - (size_t)k, " %s", nd->reason);
    size_t e = strlen(line);
    while (e > 0 && line[e - 1] == ' ') line[--e] = 0;
    fprintf(f, "%s\n", line);
  }
  fprintf(f, "mapped: %d of %d ops on the Edge TPU, %d on the CPU\n", r->mapped_ops, r->nops, r->cpu_ops);
  if (r->split_node >= 0) {
    int after = 0;
    for (int n = r->split_node + 1; n < r->nops; n++) after += !r->nodes[n].on_edgetpu && !r->nodes[n].before_edgetpu;
    fprintf(f, "cut: node %d (%s) is the first op the Edge TPU cannot run: it and the %d op%s after it that "
            "depend on it run on the CPU\n", r->split_node, op_label(&m->ops[r->split_node], lb, sizeof lb), after,
            after == 1 ? "" : "s");
  } else if (r->cpu_ops == 0) {
    fprintf(f, "cut: none, every op maps\n");
  } else {
    fprintf(f, "cut: none after the leading CPU ops\n");
  }
  double pct = 100.0 * (double)r->param_bytes / LF_EDGETPU_ONCHIP_BYTES;
  fprintf(f, "parameter memory (estimate: the mapped ops' constant tensors): %lld bytes, %.1f%% of the %d-byte "
          "(8 MiB) on-chip memory: %s\n", (long long)r->param_bytes, pct, LF_EDGETPU_ONCHIP_BYTES,
          r->param_bytes <= LF_EDGETPU_ONCHIP_BYTES ? "fits" : "does not fit (the rest streams from host memory)");
  if (r->min_runtime > 0) fprintf(f, "Edge TPU runtime: version %d or later (the mapped ops' minimum)\n", r->min_runtime);
  int header = 0;
  for (int n = 0; n < r->nops; n++) {
    const lf_edgetpu_node *nd = &r->nodes[n];
    if (!nd->unchecked || !first_of_code(m, n)) continue;
    if (!header) fprintf(f, "not checked here:\n");
    header = 1;
    fprintf(f, "  %s: %s\n", op_label(&m->ops[n], lb, sizeof lb), nd->unchecked);
  }
}

cJSON *lf_cli_edgetpu_json(const lfrt_model *m, const lf_edgetpu_report *r) {
  char lb[32];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "checker", CHECKER_NOTE);
  cJSON_AddBoolToObject(o, "fully_mapped", r->cpu_ops == 0);
  cJSON_AddNumberToObject(o, "mapped_ops", r->mapped_ops);
  cJSON_AddNumberToObject(o, "cpu_ops", r->cpu_ops);
  if (r->split_node >= 0) {
    cJSON_AddNumberToObject(o, "split_node", r->split_node);
    cJSON_AddStringToObject(o, "split_op", op_label(&m->ops[r->split_node], lb, sizeof lb));
    cJSON_AddStringToObject(o, "split_reason", r->nodes[r->split_node].reason);
  } else {
    cJSON_AddNullToObject(o, "split_node");
    cJSON_AddNullToObject(o, "split_op");
    cJSON_AddNullToObject(o, "split_reason");
  }
  cJSON_AddNumberToObject(o, "min_runtime_version", r->min_runtime);
  cJSON_AddNumberToObject(o, "parameter_bytes_estimate", (double)r->param_bytes);
  cJSON_AddNumberToObject(o, "onchip_bytes", LF_EDGETPU_ONCHIP_BYTES);
  cJSON_AddBoolToObject(o, "fits_on_chip", r->param_bytes <= LF_EDGETPU_ONCHIP_BYTES);
  cJSON_AddNumberToObject(o, "subgraphs", r->nsubgraphs);
  cJSON *nodes = cJSON_AddArrayToObject(o, "nodes");
  for (int n = 0; n < r->nops; n++) {
    const lf_edgetpu_node *nd = &r->nodes[n];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "index", n);
    cJSON_AddStringToObject(j, "op", op_label(&m->ops[n], lb, sizeof lb));
    cJSON_AddBoolToObject(j, "mappable", nd->mappable);
    cJSON_AddBoolToObject(j, "on_edgetpu", nd->on_edgetpu);
    if (nd->min_runtime >= 0) cJSON_AddNumberToObject(j, "min_runtime", nd->min_runtime);
    else cJSON_AddNullToObject(j, "min_runtime");
    if (nd->reason[0]) cJSON_AddStringToObject(j, "reason", nd->reason);
    else cJSON_AddNullToObject(j, "reason");
    if (nd->unchecked) cJSON_AddStringToObject(j, "unchecked", nd->unchecked);
    else cJSON_AddNullToObject(j, "unchecked");
    cJSON_AddItemToArray(nodes, j);
  }
  return o;
}
