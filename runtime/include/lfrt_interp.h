/* The leapfrog runtime interpreter: prepares a loaded model once, then runs it
 * with no allocation.
 *
 *   lfrt_interp *it;
 *   lfrt_interp_create(model, NULL, &it, &err);   // validate, derive params, plan, allocate arena
 *   memcpy(lfrt_interp_input_data(it, 0), img, lfrt_interp_input(it, 0)->bytes);
 *   lfrt_interp_invoke(it, &err);
 *   const int8_t *y = lfrt_interp_output_data(it, 0);
 *   lfrt_interp_free(it);
 *
 * create() ("prepare") checks every node's tensor types, shapes and
 * quantization against the op's constraints, derives output shapes (and
 * refuses a model whose stored shapes disagree), computes every fixed-point
 * multiplier/shift and lookup table, and places every non-constant tensor in
 * ONE arena by lifetime (greedy best fit, largest tensors first, a region is
 * reused once its tensor's last reader has run). Constant tensors are read in
 * place from the model, which must outlive the interpreter.
 *
 * Arena: by default create() mallocs it once. With options.external_arena the
 * caller passes its own (lfrt_interp_set_arena, >= lfrt_interp_arena_bytes(),
 * 16-byte aligned) before invoke. invoke never allocates.
 *
 * Kernels: create() reads the CPU's features once (lfrt_isa.h), picks each
 * node's fastest kernel for options.isa / $LFRT_ISA / the best ISA, and packs
 * its weights into that kernel's layout (releasing the file's pages of the
 * packed weights when the model is file-mapped). Every ISA gives the same
 * bytes as the reference kernels.
 *
 * Threads: options.threads (or lfrt_interp_set_threads) > 1 starts a pthread
 * pool at create/set time; each op's output is split by rows/elements and no
 * reduction is ever split, so results are byte-identical for any thread count.
 *
 * Exactness: int8 ops compute what Google's LiteRT 2.5.3 (default CPU path:
 * XNNPACK + builtin kernels) computes, byte for byte, on every platform;
 * runtime/kernels/ref/README.md lists the arithmetic of each op. Float ops
 * agree with LiteRT to ~1e-6 relative (different summation order).
 *
 * Ops: ADD, AVERAGE_POOL_2D, CONCATENATION, CONV_2D, DEPTHWISE_CONV_2D,
 * DEQUANTIZE, FULLY_CONNECTED, LOGISTIC, MAX_POOL_2D, MEAN, MUL, PAD, QUANTIZE,
 * RELU, RELU6, RESHAPE, RESIZE_BILINEAR, RESIZE_NEAREST_NEIGHBOR, SOFTMAX,
 * TRANSPOSE_CONV in int8 (per-tensor activations, per-channel or per-tensor
 * symmetric weights, int32 bias) and FLOAT32; uint8 only at QUANTIZE /
 * DEQUANTIZE (model interfaces). Anything else is refused at create(). */
#ifndef LFRT_INTERP_H
#define LFRT_INTERP_H
#include <stddef.h>

#include "lfrt_isa.h"
#include "lfrt_model.h"
#include "lfrt_status.h"

typedef struct lfrt_interp lfrt_interp;

typedef struct {
  int threads;        /* <= 1: run on the calling thread only */
  int external_arena; /* 1: do not allocate; caller calls lfrt_interp_set_arena */
  const char *isa;    /* NULL/"auto": $LFRT_ISA, else the best this CPU has (lfrt_isa.h) */
} lfrt_interp_options;

typedef struct {
  size_t arena_bytes;      /* bytes of the planned arena */
  size_t activation_bytes; /* sum of the bytes of all arena tensors (no reuse) */
  size_t weight_bytes;     /* bytes of constant tensors */
  size_t state_bytes;      /* bytes allocated for per-node parameters/tables */
  int ntensors_planned;
} lfrt_interp_stats;

/* opt may be NULL (1 thread, own arena). The model must outlive the interpreter. */
lfrt_status lfrt_interp_create(const lfrt_model *m, const lfrt_interp_options *opt,
                               lfrt_interp **out, lfrt_error *err);
void lfrt_interp_free(lfrt_interp *it); /* NULL is fine */

size_t lfrt_interp_arena_bytes(const lfrt_interp *it);
void lfrt_interp_get_stats(const lfrt_interp *it, lfrt_interp_stats *st);
/* Uses the caller's arena (kept, not freed). bytes >= arena_bytes, 16-aligned. */
lfrt_status lfrt_interp_set_arena(lfrt_interp *it, void *arena, size_t bytes, lfrt_error *err);
/* 1..64; starts/stops pool threads (allocates: call it outside the hot loop). */
lfrt_status lfrt_interp_set_threads(lfrt_interp *it, int threads, lfrt_error *err);

lfrt_status lfrt_interp_invoke(lfrt_interp *it, lfrt_error *err);

int lfrt_interp_input_count(const lfrt_interp *it);
int lfrt_interp_output_count(const lfrt_interp *it);
/* Descriptor (type, shape, quantization, name) of input/output i, NULL if out of range. */
const lfrt_tensor *lfrt_interp_input(const lfrt_interp *it, int i);
const lfrt_tensor *lfrt_interp_output(const lfrt_interp *it, int i);
/* Where input/output i lives (in the arena; NULL without an arena or out of
 * range). Write inputs there before invoke; outputs are valid until the next invoke. */
void *lfrt_interp_input_data(lfrt_interp *it, int i);
const void *lfrt_interp_output_data(const lfrt_interp *it, int i);
/* Index of the input/output tensor named `name`, or -1. */
int lfrt_interp_input_index(const lfrt_interp *it, const char *name);
int lfrt_interp_output_index(const lfrt_interp *it, const char *name);
/* Copying variants: bytes must equal the tensor's byte size. */
lfrt_status lfrt_interp_set_input(lfrt_interp *it, int i, const void *data, size_t bytes, lfrt_error *err);
lfrt_status lfrt_interp_get_output(const lfrt_interp *it, int i, void *data, size_t bytes, lfrt_error *err);

/* Planner introspection (tests, `leapfrog info`): arena offset of tensor t
 * (-1 for constants/unused tensors) and its live range in node indices
 * [first, last] (first = -1 for subgraph inputs, last = nops for outputs). */
long lfrt_interp_tensor_offset(const lfrt_interp *it, int t);
void lfrt_interp_tensor_lifetime(const lfrt_interp *it, int t, int *first, int *last);

/* Kernels and profiling (`leapfrog bench`, `lfrt bench`): the ISA the kernels
 * were chosen for ("avx512vnni", "ref", ...); the kernel node i runs (e.g.
 * "qs8_igemm_8x32c4__avx512vnni", "lfrt_qs8_avgpool__ref"; NULL if i
 * is out of range); its multiply-accumulates per invoke (0 for ops without
 * any); and an invoke that adds each node's wall time in seconds to
 * seconds[i] (nops entries, caller-zeroed). */
const char *lfrt_interp_isa(const lfrt_interp *it);
const char *lfrt_interp_node_kernel(const lfrt_interp *it, int i);
long long lfrt_interp_node_macs(const lfrt_interp *it, int i);
lfrt_status lfrt_interp_invoke_profile(lfrt_interp *it, double *seconds, lfrt_error *err);

/* Calibration (`leapfrog ptq MODEL.tflite`): an invoke that calls
 * after(ctx, it, i) once node i has run. Inside the call the node's outputs
 * (and every tensor still live) are readable through lfrt_interp_tensor_data;
 * a later node may reuse their arena memory. Single-threaded hooks: the call
 * is made on the invoking thread between nodes. */
typedef void (*lfrt_node_hook)(void *ctx, const lfrt_interp *it, int node);
lfrt_status lfrt_interp_invoke_hook(lfrt_interp *it, lfrt_node_hook after, void *ctx, lfrt_error *err);
/* Where tensor t lives now: a constant's data, or its arena slot (NULL for an
 * unused tensor, without an arena, or t out of range). */
const void *lfrt_interp_tensor_data(const lfrt_interp *it, int t);

/* Can the runtime run each node of m, and if not, why: the checks create()
 * makes (the loader's refusals recorded by lfrt_model_describe, then each
 * node's prepare and kernel selection for opt's ISA), continuing past
 * failures. nodes (m->nops entries, may be NULL) get each node's status and
 * message ("" when it passes). Returns what create() would return before
 * planning: LFRT_OK when every node passes, else the model-level refusal
 * (several subgraphs, an unused tensor it cannot hold) or the first node's,
 * whose message goes to err. Nothing is kept: memory is one node's at a time. */
typedef struct {
  lfrt_status status;
  char why[LFRT_ERROR_MSG_SIZE];
} lfrt_node_support;
lfrt_status lfrt_interp_check(const lfrt_model *m, const lfrt_interp_options *opt, lfrt_node_support *nodes,
                              lfrt_error *err);

/* The custom ops this runtime runs (OperatorCode.custom_code), i = 0, 1, ...:
 * the name, and one line on what it is; NULL past the end. */
const char *lfrt_custom_op_name(int i);
const char *lfrt_custom_op_what(int i);

/* Planning alone, for tools: arena bytes the model needs (after full prepare). */
lfrt_status lfrt_interp_plan_bytes(const lfrt_model *m, size_t *arena_bytes, lfrt_error *err);

#endif
