/* leapfrog info MODEL.tflite [--json]: what a .tflite model holds (ops,
 * tensors, parameters, MACs, file size, planned arena, inputs/outputs with
 * shapes, dtypes, scales, zero points) and, per op, whether the runtime runs
 * it and why not (lfrt_interp_check: the checks invoke makes), for any valid
 * model, even one the runtime cannot run. `leapfrog info --arch NAME`
 * describes a built-in architecture instead (cmd_info_arch.c). */
#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_edgetpu.h"
#include "lfrt.h"
#include "leapfrog/lf_oppoints.h"
#include "lfrt_interp.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog info MODEL.tflite [--json] [--edgetpu]\n"
          "       leapfrog info --arch NAME [...]   (a built-in architecture)\n\n"
          "Reads and verifies a TFLite model and prints its ops (count per type and\n"
          "every node, each with whether leapfrog's runtime runs it and, if not, why:\n"
          "unknown op, version, types, options, shapes; the same checks as `leapfrog\n"
          "invoke`), tensors, parameter count, MACs, file size, planned arena bytes,\n"
          "and inputs/outputs with shapes, dtypes, scales and zero points. Models the\n"
          "runtime cannot run (other ops, several subgraphs, dynamic shapes) are\n"
          "described too, and the operating points (threshold per finding) its\n"
          "\"leapfrog\" metadata records for `leapfrog serve` (`convert --operating-points`).\n"
          "  --json   one JSON object on stdout instead of text\n"
          "  --edgetpu  Edge TPU pre-flight: per op, would edgetpu_compiler map it (from\n"
          "           Coral's published requirements: 8-bit tensors, fixed sizes, constant\n"
          "           parameters, <= 3 dims larger than 1, the supported-op table with its\n"
          "           limits and runtime versions), where the cut falls (the first\n"
          "           unmappable op and all that depend on it run on the CPU, as the real\n"
          "           compiler did with Coral's test models), and an estimate of the\n"
          "           parameter memory vs the 8 MiB on-chip memory. Text: only that report;\n"
          "           --json: the description plus an \"edgetpu\" object. Not the compiler:\n"
          "           it may still refuse what passes here.\n"
          "Exit: 0 ok, 1 the model cannot be read, or it is described but the runtime\n"
          "cannot run it (first reason on stderr; with --edgetpu: 0, it only describes),\n"
          "2 usage.\n");
}

/* Constant inputs that are shapes/axes/paddings, not learned parameters. */
static int is_shape_input(const lfrt_operator *op, int i) {
  switch (op->op) {
    case LFRT_OP_RESHAPE: case LFRT_OP_PAD: case LFRT_OP_MEAN: case LFRT_OP_RESIZE_BILINEAR:
    case LFRT_OP_RESIZE_NEAREST_NEIGHBOR:
      return i == 1;
    case LFRT_OP_TRANSPOSE_CONV:
      return i == 0;
    default:
      return 0;
  }
}

/* "CONV_2D", "CUSTOM", or "BUILTIN_150" for codes the name table lacks. */
static const char *op_label(int code, char *buf, size_t n) {
  const char *nm = lfrt_op_name(code);
  if (nm) return nm;
  snprintf(buf, n, "BUILTIN_%d", code);
  return buf;
}

/* A refusal without the "<file>: node N (OP): " that the listing already shows. */
static const char *short_reason(const lfrt_model *m, const char *why) {
  size_t k = strlen(m->source_name);
  if (!strncmp(why, m->source_name, k) && !strncmp(why + k, ": ", 2)) why += k + 2;
  if (!strncmp(why, "node ", 5)) {
    const char *e = strstr(why, ": ");
    if (e) why = e + 2;
  }
  return why;
}

/* Multiply-accumulates of one node (0 for ops without a dot product). */
static int64_t node_macs(const lfrt_model *m, const lfrt_operator *op) {
  if (op->unsupported || op->noutputs < 1 || op->ninputs < 2 || op->inputs[1] < 0) return 0;
  const lfrt_tensor *out = &m->tensors[op->outputs[0]];
  const lfrt_tensor *w = &m->tensors[op->inputs[1]];
  switch (op->op) {
    case LFRT_OP_CONV_2D: /* weights [cout, kh, kw, cin] */
      if (w->ndim != 4) return 0;
      return out->count * (int64_t)w->shape[1] * w->shape[2] * w->shape[3];
    case LFRT_OP_DEPTHWISE_CONV_2D: /* weights [1, kh, kw, cout] */
      if (w->ndim != 4) return 0;
      return out->count * (int64_t)w->shape[1] * w->shape[2];
    case LFRT_OP_FULLY_CONNECTED: /* weights [units, depth] */
      if (w->ndim < 1) return 0;
      return out->count * (int64_t)w->shape[w->ndim - 1];
    case LFRT_OP_TRANSPOSE_CONV: { /* weights [cout, kh, kw, cin], input 2 */
      if (w->ndim != 4 || op->ninputs < 3 || op->inputs[2] < 0) return 0;
      const lfrt_tensor *in = &m->tensors[op->inputs[2]];
      return in->count * (int64_t)w->shape[0] * w->shape[1] * w->shape[2];
    }
    default:
      return 0;
  }
}

static void shape_str(const lfrt_tensor *t, char *buf, size_t n) {
  size_t k = (size_t)snprintf(buf, n, "[");
  for (int d = 0; d < t->ndim && k < n; d++)
    k += (size_t)snprintf(buf + k, n - k, "%s%d", d ? "," : "", (int)t->shape[d]);
  if (k < n) snprintf(buf + k, n - k, "]");
}

static void quant_str(const lfrt_tensor *t, char *buf, size_t n) {
  if (t->quant.count == 0) snprintf(buf, n, "-");
  else if (t->quant.count == 1)
    snprintf(buf, n, "scale %.9g zero_point %d", (double)t->quant.scale[0], (int)t->quant.zero_point[0]);
  else
    snprintf(buf, n, "per-axis %d: %d scales [%.6g .. ], zero_point [%d .. ]", t->quant.axis,
             t->quant.count, (double)t->quant.scale[0], (int)t->quant.zero_point[0]);
}

static cJSON *int_array(const int32_t *v, int n) {
  cJSON *a = cJSON_CreateArray();
  for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
  return a;
}

static const char *pad_name(lfrt_padding p) { return p == LFRT_PADDING_SAME ? "SAME" : "VALID"; }
static const char *act_name(lfrt_activation a) {
  static const char *const n[] = {"NONE", "RELU", "RELU_N1_TO_1", "RELU6"};
  return (unsigned)a < 4 ? n[a] : "?";
}

/* Decoded options of a node, added to the JSON object j. */
static void node_options(const lfrt_operator *op, cJSON *j) {
  const lfrt_options *o = &op->opt;
  if (op->unsupported) return; /* options of a refused op are not (all) read */
  switch (op->op) {
    case LFRT_OP_CONV_2D:
      cJSON_AddStringToObject(j, "padding", pad_name(o->conv.padding));
      cJSON_AddNumberToObject(j, "stride_h", o->conv.stride_h);
      cJSON_AddNumberToObject(j, "stride_w", o->conv.stride_w);
      cJSON_AddNumberToObject(j, "dilation_h", o->conv.dilation_h);
      cJSON_AddNumberToObject(j, "dilation_w", o->conv.dilation_w);
      cJSON_AddStringToObject(j, "activation", act_name(o->conv.activation));
      break;
    case LFRT_OP_DEPTHWISE_CONV_2D:
      cJSON_AddStringToObject(j, "padding", pad_name(o->depthwise.padding));
      cJSON_AddNumberToObject(j, "stride_h", o->depthwise.stride_h);
      cJSON_AddNumberToObject(j, "stride_w", o->depthwise.stride_w);
      cJSON_AddNumberToObject(j, "dilation_h", o->depthwise.dilation_h);
      cJSON_AddNumberToObject(j, "dilation_w", o->depthwise.dilation_w);
      cJSON_AddNumberToObject(j, "depth_multiplier", o->depthwise.depth_multiplier);
      cJSON_AddStringToObject(j, "activation", act_name(o->depthwise.activation));
      break;
    case LFRT_OP_AVERAGE_POOL_2D: case LFRT_OP_MAX_POOL_2D:
      cJSON_AddStringToObject(j, "padding", pad_name(o->pool.padding));
      cJSON_AddNumberToObject(j, "stride_h", o->pool.stride_h);
      cJSON_AddNumberToObject(j, "stride_w", o->pool.stride_w);
      cJSON_AddNumberToObject(j, "filter_h", o->pool.filter_h);
      cJSON_AddNumberToObject(j, "filter_w", o->pool.filter_w);
      cJSON_AddStringToObject(j, "activation", act_name(o->pool.activation));
      break;
    case LFRT_OP_FULLY_CONNECTED:
      cJSON_AddStringToObject(j, "activation", act_name(o->fc.activation));
      cJSON_AddBoolToObject(j, "keep_num_dims", o->fc.keep_num_dims);
      break;
    case LFRT_OP_SOFTMAX:
      cJSON_AddNumberToObject(j, "beta", (double)o->softmax.beta);
      break;
    case LFRT_OP_CONCATENATION:
      cJSON_AddNumberToObject(j, "axis", o->concat.axis);
      cJSON_AddStringToObject(j, "activation", act_name(o->concat.activation));
      break;
    case LFRT_OP_ADD: case LFRT_OP_MUL: {
      lfrt_activation a = op->op == LFRT_OP_ADD ? o->add.activation : o->mul.activation;
      cJSON_AddStringToObject(j, "activation", act_name(a));
      break;
    }
    case LFRT_OP_RESHAPE:
      if (o->reshape.num_dims >= 0) {
        cJSON_AddItemToObject(j, "new_shape", int_array(o->reshape.new_shape, o->reshape.num_dims));
      }
      break;
    case LFRT_OP_RESIZE_BILINEAR: case LFRT_OP_RESIZE_NEAREST_NEIGHBOR:
      cJSON_AddBoolToObject(j, "align_corners", o->resize.align_corners);
      cJSON_AddBoolToObject(j, "half_pixel_centers", o->resize.half_pixel_centers);
      break;
    case LFRT_OP_MEAN:
      cJSON_AddBoolToObject(j, "keep_dims", o->reducer.keep_dims);
      break;
    case LFRT_OP_TRANSPOSE_CONV:
      cJSON_AddStringToObject(j, "padding", pad_name(o->transpose_conv.padding));
      cJSON_AddNumberToObject(j, "stride_h", o->transpose_conv.stride_h);
      cJSON_AddNumberToObject(j, "stride_w", o->transpose_conv.stride_w);
      cJSON_AddStringToObject(j, "activation", act_name(o->transpose_conv.activation));
      break;
    default:
      break;
  }
}

/* The same options as "key=value ..." text (arrays as [a,b]) for the listing. */
static void options_text(const cJSON *j, char *buf, size_t n) {
  size_t k = 0;
  buf[0] = 0;
  for (const cJSON *it = j->child; it && k < n; it = it->next) {
    k += (size_t)snprintf(buf + k, n - k, "%s%s=", k ? " " : "", it->string);
    if (k >= n) break;
    if (cJSON_IsString(it)) k += (size_t)snprintf(buf + k, n - k, "%s", it->valuestring);
    else if (cJSON_IsBool(it)) k += (size_t)snprintf(buf + k, n - k, "%d", cJSON_IsTrue(it));
    else if (cJSON_IsNumber(it)) k += (size_t)snprintf(buf + k, n - k, "%g", it->valuedouble);
    else if (cJSON_IsArray(it)) {
      k += (size_t)snprintf(buf + k, n - k, "[");
      for (const cJSON *e = it->child; e && k < n; e = e->next)
        k += (size_t)snprintf(buf + k, n - k, "%s%g", e == it->child ? "" : ",", e->valuedouble);
      if (k < n) k += (size_t)snprintf(buf + k, n - k, "]");
    }
  }
}

static cJSON *tensor_json(const lfrt_model *m, int idx) {
  const lfrt_tensor *t = &m->tensors[idx];
  cJSON *o = cJSON_CreateObject();
  cJSON_AddNumberToObject(o, "index", idx);
  cJSON_AddStringToObject(o, "name", t->name);
  cJSON_AddStringToObject(o, "dtype", lfrt_type_name(t->type));
  cJSON_AddItemToObject(o, "shape", int_array(t->shape, t->ndim));
  cJSON_AddNumberToObject(o, "bytes", (double)t->bytes);
  cJSON_AddBoolToObject(o, "constant", t->data != NULL);
  cJSON_AddBoolToObject(o, "dynamic", t->dynamic);
  if (t->unsupported) cJSON_AddStringToObject(o, "unsupported", short_reason(m, t->unsupported));
  if (t->quant.count > 0) {
    cJSON *q = cJSON_CreateObject();
    cJSON *s = cJSON_CreateArray();
    for (int i = 0; i < t->quant.count; i++)
      cJSON_AddItemToArray(s, cJSON_CreateNumber((double)t->quant.scale[i]));
    cJSON_AddItemToObject(q, "scale", s);
    cJSON_AddItemToObject(q, "zero_point", int_array(t->quant.zero_point, t->quant.count));
    cJSON_AddNumberToObject(q, "axis", t->quant.axis);
    cJSON_AddItemToObject(o, "quantization", q);
  } else {
    cJSON_AddNullToObject(o, "quantization");
  }
  return o;
}

typedef struct {
  int64_t params, param_bytes, macs;
  int op_count[256];
  int has_arena;
  size_t arena;
  char arena_err[LFRT_ERROR_MSG_SIZE];
  lfrt_node_support *support; /* per node: does the runtime run it, why not */
  int unsupported_ops;
} summary;

static void summarise(const lfrt_model *m, summary *s) {
  memset(s, 0, sizeof *s);
  /* per node: the runtime's own checks, past the first failure */
  s->support = calloc((size_t)(m->nops > 0 ? m->nops : 1), sizeof *s->support);
  lfrt_interp_options co = {.threads = 1, .external_arena = 1};
  lfrt_error cerr;
  cerr.msg[0] = 0;
  if (!s->support) snprintf(s->arena_err, sizeof s->arena_err, "out of memory");
  else if (lfrt_interp_check(m, &co, s->support, &cerr) != LFRT_OK) snprintf(s->arena_err, sizeof s->arena_err, "%s", cerr.msg);
  for (int n = 0; s->support && n < m->nops; n++) s->unsupported_ops += s->support[n].status != LFRT_OK;
  unsigned char *seen = calloc((size_t)m->ntensors + 1, 1);
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    if ((int)op->op < 256) s->op_count[op->op]++;
    s->macs += node_macs(m, op);
    for (int i = 0; i < op->ninputs; i++) {
      int t = op->inputs[i];
      /* folded tensors (fp16 DEQUANTIZE, DENSIFY) are derived from a stored constant
       * that is counted itself: count each weight once, in the form stored */
      if (t < 0 || m->tensors[t].folded || is_shape_input(op, i) || !seen || seen[t]) continue;
      if (!m->tensors[t].data && !m->tensors[t].sparsity) continue;
      seen[t] = 1;
      s->params += m->tensors[t].count;
      s->param_bytes += (int64_t)m->tensors[t].bytes;
    }
  }
  free(seen);
  if (s->arena_err[0]) return;
  /* arena bytes from the interpreter's planner (no arena is allocated) */
  lfrt_interp_options io = {.threads = 1, .external_arena = 1};
  lfrt_interp *it = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  if (lfrt_interp_create(m, &io, &it, &err) == LFRT_OK) {
    s->has_arena = 1;
    s->arena = lfrt_interp_arena_bytes(it);
    lfrt_interp_free(it);
  } else {
    snprintf(s->arena_err, sizeof s->arena_err, "%s", err.msg);
  }
}

/* The "leapfrog" metadata's operating points: 1 with *ops filled, 0 none, -1 malformed (message set). */
static int model_oppoints(const lfrt_model *m, const char *path, lf_oppoints *ops) {
  for (int i = 0; i < m->nmetadata; i++)
    if (!strcmp(m->metadata[i].name, "leapfrog") && m->metadata[i].data)
      return lf_oppoints_from_meta(m->metadata[i].data, m->metadata[i].bytes, path, ops) ? -1 : ops->n > 0;
  return 0;
}

/* "operating_points": {label: threshold}, or {"error": why} when malformed; nothing when none. */
static void oppoints_json(const lfrt_model *m, const char *path, cJSON *o) {
  lf_oppoints ops;
  int r = model_oppoints(m, path, &ops);
  if (!r) return;
  cJSON *j = cJSON_AddObjectToObject(o, "operating_points");
  if (r < 0) cJSON_AddStringToObject(j, "error", lf_last_error());
  for (int i = 0; r > 0 && i < ops.n; i++) cJSON_AddNumberToObject(j, ops.label[i], ops.threshold[i]);
}

static void oppoints_text(const lfrt_model *m, const char *path) {
  lf_oppoints ops;
  int r = model_oppoints(m, path, &ops);
  if (r < 0) printf("operating points: malformed: %s\n", lf_last_error());
  if (r <= 0) return;
  printf("operating points (metadata \"leapfrog\"; `leapfrog serve` flags probability >= threshold):\n");
  for (int i = 0; i < ops.n; i++) printf("  %-24s %.6g\n", ops.label[i], ops.threshold[i]);
}

static int print_json(const lfrt_model *m, const char *path, const summary *s, cJSON *edgetpu) {
  cJSON *o = cJSON_CreateObject();
  cJSON_AddStringToObject(o, "file", path);
  cJSON_AddNumberToObject(o, "file_bytes", (double)m->file_bytes);
  cJSON_AddNumberToObject(o, "schema_version", m->version);
  cJSON_AddStringToObject(o, "description", m->description);
  cJSON_AddStringToObject(o, "subgraph", m->subgraph_name);
  cJSON_AddNumberToObject(o, "subgraphs", m->nsubgraphs);
  cJSON *rt = cJSON_CreateObject();
  cJSON_AddBoolToObject(rt, "supported", s->has_arena);
  cJSON_AddNumberToObject(rt, "unsupported_ops", s->unsupported_ops);
  if (m->unsupported) cJSON_AddStringToObject(rt, "model_reason", short_reason(m, m->unsupported));
  if (s->has_arena) cJSON_AddNullToObject(rt, "reason");
  else cJSON_AddStringToObject(rt, "reason", s->arena_err);
  cJSON_AddItemToObject(o, "runtime", rt);
  cJSON_AddNumberToObject(o, "parameters", (double)s->params);
  cJSON_AddNumberToObject(o, "parameter_bytes", (double)s->param_bytes);
  cJSON_AddNumberToObject(o, "macs", (double)s->macs);
  if (s->has_arena) cJSON_AddNumberToObject(o, "arena_bytes", (double)s->arena);
  else {
    cJSON_AddNullToObject(o, "arena_bytes");
    cJSON_AddStringToObject(o, "prepare_error", s->arena_err);
  }
  cJSON *ins = cJSON_CreateArray(), *outs = cJSON_CreateArray();
  for (int i = 0; i < m->ninputs; i++) cJSON_AddItemToArray(ins, tensor_json(m, m->inputs[i]));
  for (int i = 0; i < m->noutputs; i++) cJSON_AddItemToArray(outs, tensor_json(m, m->outputs[i]));
  cJSON_AddItemToObject(o, "inputs", ins);
  cJSON_AddItemToObject(o, "outputs", outs);
  cJSON *counts = cJSON_CreateObject();
  char lb[32];
  for (int c = 0; c < 256; c++)
    if (s->op_count[c]) cJSON_AddNumberToObject(counts, op_label(c, lb, sizeof lb), s->op_count[c]);
  cJSON_AddItemToObject(o, "op_counts", counts);
  cJSON *nodes = cJSON_CreateArray();
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "index", n);
    cJSON_AddStringToObject(j, "op", op_label((int)op->op, lb, sizeof lb));
    if (op->custom_code) cJSON_AddStringToObject(j, "custom_code", op->custom_code);
    cJSON_AddNumberToObject(j, "version", op->version);
    int ok = s->support && s->support[n].status == LFRT_OK;
    cJSON_AddBoolToObject(j, "supported", ok);
    if (ok) cJSON_AddNullToObject(j, "reason");
    else cJSON_AddStringToObject(j, "reason", s->support ? short_reason(m, s->support[n].why) : "out of memory");
    cJSON_AddItemToObject(j, "inputs", int_array(op->inputs, op->ninputs));
    cJSON_AddItemToObject(j, "outputs", int_array(op->outputs, op->noutputs));
    cJSON_AddNumberToObject(j, "macs", (double)node_macs(m, op));
    cJSON *opts = cJSON_CreateObject();
    node_options(op, opts);
    cJSON_AddItemToObject(j, "options", opts);
    cJSON_AddItemToArray(nodes, j);
  }
  cJSON_AddItemToObject(o, "nodes", nodes);
  cJSON *ts = cJSON_CreateArray();
  for (int i = 0; i < m->ntensors; i++) cJSON_AddItemToArray(ts, tensor_json(m, i));
  cJSON_AddItemToObject(o, "tensors", ts);
  cJSON *md = cJSON_CreateArray();
  for (int i = 0; i < m->nmetadata; i++) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "name", m->metadata[i].name);
    cJSON_AddNumberToObject(j, "bytes", (double)m->metadata[i].bytes);
    cJSON_AddItemToArray(md, j);
  }
  cJSON_AddItemToObject(o, "metadata", md);
  oppoints_json(m, path, o);
  if (edgetpu) cJSON_AddItemToObject(o, "edgetpu", edgetpu);
  char *txt = cJSON_Print(o);
  cJSON_Delete(o);
  if (!txt) {
    fprintf(stderr, "leapfrog info: out of memory\n");
    return 1;
  }
  puts(txt);
  free(txt);
  return 0;
}

static void print_io(const lfrt_model *m, const char *what, const int32_t *idx, int n) {
  char shp[96], q[160];
  printf("%s:\n", what);
  for (int i = 0; i < n; i++) {
    const lfrt_tensor *t = &m->tensors[idx[i]];
    shape_str(t, shp, sizeof shp);
    quant_str(t, q, sizeof q);
    printf("  %d: tensor %d '%s' %s %s %s\n", i, (int)idx[i], t->name, lfrt_type_name(t->type), shp, q);
  }
}

static void print_text(const lfrt_model *m, const char *path, const summary *s) {
  char shp[96], q[160];
  printf("model: %s (%zu bytes, schema v%u)\n", path, m->file_bytes, m->version);
  if (m->description[0]) printf("description: %s\n", m->description);
  printf("subgraph '%s': %d tensors, %d ops\n", m->subgraph_name, m->ntensors, m->nops);
  if (m->nsubgraphs > 1) printf("subgraphs: %d (only the first is listed)\n", m->nsubgraphs);
  if (s->has_arena) printf("runtime: runs this model\n");
  else printf("runtime: cannot run this model (%d of %d ops unsupported): %s\n", s->unsupported_ops, m->nops,
              short_reason(m, s->arena_err));
  printf("parameters: %lld (%lld bytes)\n", (long long)s->params, (long long)s->param_bytes);
  printf("MACs: %lld\n", (long long)s->macs);
  if (s->has_arena) printf("arena bytes: %zu\n", s->arena);
  else printf("arena bytes: unknown (prepare failed: %s)\n", s->arena_err);
  print_io(m, "inputs", m->inputs, m->ninputs);
  print_io(m, "outputs", m->outputs, m->noutputs);
  printf("ops:\n");
  char lb[32];
  for (int c = 0; c < 256; c++)
    if (s->op_count[c]) printf("  %-24s %d\n", op_label(c, lb, sizeof lb), s->op_count[c]);
  printf("nodes:\n");
  for (int n = 0; n < m->nops; n++) {
    const lfrt_operator *op = &m->ops[n];
    printf("  %4d %-24s v%d in [", n, op_label((int)op->op, lb, sizeof lb), op->version);
    for (int i = 0; i < op->ninputs; i++) printf("%s%d", i ? "," : "", (int)op->inputs[i]);
    printf("] out [");
    for (int i = 0; i < op->noutputs; i++) printf("%s%d", i ? "," : "", (int)op->outputs[i]);
    printf("]");
    if (op->custom_code) printf(" custom '%s'", op->custom_code);
    int64_t macs = node_macs(m, op);
    if (macs) printf(" macs %lld", (long long)macs);
    char opts[256];
    cJSON *oj = cJSON_CreateObject();
    node_options(op, oj);
    options_text(oj, opts, sizeof opts);
    cJSON_Delete(oj);
    printf("%s%s\n", opts[0] ? "  " : "", opts);
    if (s->support && s->support[n].status != LFRT_OK)
      printf("       unsupported: %s\n", short_reason(m, s->support[n].why));
  }
  printf("tensors:\n");
  for (int i = 0; i < m->ntensors; i++) {
    const lfrt_tensor *t = &m->tensors[i];
    shape_str(t, shp, sizeof shp);
    quant_str(t, q, sizeof q);
    printf("  %4d '%s' %s %s %s%s%s\n", i, t->name, lfrt_type_name(t->type), shp,
           t->data ? "const " : "", t->dynamic ? "dynamic " : "", q);
    if (t->unsupported) printf("       unsupported: %s\n", short_reason(m, t->unsupported));
  }
  for (int i = 0; i < m->nmetadata; i++)
    printf("metadata '%s': %zu bytes\n", m->metadata[i].name, m->metadata[i].bytes);
  oppoints_text(m, path);
}

static int print_json_or_text(const lfrt_model *m, const char *path, const summary *s, int json, cJSON *edgetpu) {
  if (json) return print_json(m, path, s, edgetpu);
  print_text(m, path, s);
  return 0;
}

int cmd_info(int argc, char **argv) {
  const char *path = NULL;
  int json = 0, edgetpu = 0;
  for (int i = 1; i < argc; i++)
    if (!strcmp(argv[i], "--arch") || !strncmp(argv[i], "--arch=", 7)) return cmd_info_arch(argc, argv);
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(argv[i], "--json")) {
      json = 1;
    } else if (!strcmp(argv[i], "--edgetpu")) {
      edgetpu = 1;
    } else if (argv[i][0] == '-' && argv[i][1]) {
      fprintf(stderr, "leapfrog info: unknown option '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    } else if (path) {
      fprintf(stderr, "leapfrog info: one model at a time\n");
      usage(stderr);
      return 2;
    } else {
      path = argv[i];
    }
  }
  if (!path) {
    usage(stderr);
    return 2;
  }
  lfrt_model *m = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  lfrt_status st = lfrt_model_describe_file(path, &m, &err);
  if (st != LFRT_OK) {
    fprintf(stderr, "leapfrog info: %s (%s)\n", err.msg, lfrt_status_str(st));
    return 1;
  }
  summary s;
  summarise(m, &s);
  int rc = 0;
  lf_edgetpu_report er;
  memset(&er, 0, sizeof er);
  if (edgetpu && lf_edgetpu_check(m, &er) != LF_OK) {
    fprintf(stderr, "leapfrog info: %s\n", lf_last_error());
    rc = 1;
  } else if (edgetpu && !json) {
    lf_cli_edgetpu_text(stdout, m, path, &er);
  } else {
    rc = print_json_or_text(m, path, &s, json, edgetpu ? lf_cli_edgetpu_json(m, &er) : NULL);
  }
  lf_edgetpu_report_free(&er);
  free(s.support);
  lfrt_model_free(m);
  if (edgetpu) return rc; /* the Edge TPU question is answered whatever the runtime can run */
  /* info runs the same prepare as invoke: a model invoke would reject is
   * reported (after the description, which helps to see why) and exits 1 */
  if (!s.has_arena) {
    fprintf(stderr, "leapfrog info: the runtime cannot run this model: %s\n", s.arena_err);
    return 1;
  }
  return rc;
}
