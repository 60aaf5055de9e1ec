/* Edge TPU pre-flight: would `edgetpu_compiler` map each op of a .tflite
 * model to the Edge TPU? (`leapfrog info --edgetpu`, `leapfrog convert --edgetpu`)
 *
 * The answer comes from Coral's published model requirements ("TensorFlow
 * models on the Edge TPU", coral.ai/docs/edgetpu/models-intro), encoded as one
 * table in src/edgetpu/edgetpu_rules.c: 8-bit quantized tensors (int8 or
 * uint8; int32 only for biases and constant shape/axis inputs), sizes fixed at
 * compile time (no -1 in a shape_signature), constant weights and biases,
 * tensors with at most 3 dimensions larger than 1 (the innermost ones), only
 * the ops of the supported-op table with their listed limits and minimum
 * Edge TPU runtime versions. This is NOT the compiler: limits Coral states but
 * does not define ("may not be mapped depending on size") are reported as
 * notes, not checked, and the compiler may refuse what passes here.
 *
 * Placement follows what the real compiler did with Coral's test_data models
 * (edgetpu_check.c: place_nodes): one Edge TPU part holding every mappable op
 * that does not depend on a CPU op computed after the part; unmappable ops
 * that read only model inputs and constants (a leading CAST or QUANTIZE of a
 * float input) run on the CPU ahead of it; the first unmappable op that
 * depends on the part is the cut, and every op depending on it runs on the
 * CPU. Without any mappable op (a float model), the first unmappable op after
 * the leading QUANTIZEs cuts and everything after it runs on the CPU. */
#ifndef LF_EDGETPU_H
#define LF_EDGETPU_H
#include <stdint.h>

#include "leapfrog/lf_status.h"
#include "lfrt.h"

/* The Edge TPU's on-chip memory for model parameters (Coral: "roughly 8 MB"
 * of SRAM; the compiler keeps some of it for itself). */
#define LF_EDGETPU_ONCHIP_BYTES (8 * 1024 * 1024)

typedef struct {
  int mappable;     /* 1: the op passes every checked rule on its own */
  int on_edgetpu;   /* 1: placed in the Edge TPU part (mappable and not after the cut) */
  int before_edgetpu; /* 1: unmappable, runs on the CPU ahead of the Edge TPU part */
  int min_runtime;  /* Coral's minimum Edge TPU runtime version of the op (0: every
                     * version; -1: the op is not in the table) */
  char reason[320]; /* not mappable: why; mappable but on the CPU: where the cut is;
                     * "" when on the Edge TPU */
  const char *unchecked; /* limits of the op's row not checked here (NULL: none) */
} lf_edgetpu_node;

typedef struct {
  int nops;
  lf_edgetpu_node *nodes; /* nops entries */
  int mapped_ops, cpu_ops;
  int split_node;         /* the op that cuts the graph (-1: none, every op but the
                           * leading CPU ops is mapped) */
  int min_runtime;        /* the highest min_runtime over the mapped ops (0: any) */
  int64_t param_bytes;    /* estimate: bytes of the constant tensors the mapped ops read */
  int nsubgraphs;         /* subgraphs in the file (only the first is checked) */
} lf_edgetpu_report;

/* Checks every op of m (a model from lfrt_model_describe or lfrt_model_load).
 * On success *r holds the per-op answers (free with lf_edgetpu_report_free);
 * fails only when out of memory. */
lf_status lf_edgetpu_check(const lfrt_model *m, lf_edgetpu_report *r);
void lf_edgetpu_report_free(lf_edgetpu_report *r);

/* The same check on a .tflite file: a malformed file fails (LF_EBADFILE, the
 * message names it). */
lf_status lf_edgetpu_check_file(const char *path, lf_edgetpu_report *r);

/* One rule row, for listing the table (docs, tests): i in [0, count). */
typedef struct {
  int code;                /* TFLite BuiltinOperator */
  const char *name;        /* "CONV_2D" */
  int min_runtime;         /* 0: every runtime version */
  int max_version;         /* highest op version accepted here */
  const char *limits;      /* Coral's known limitations, as checked here ("" none) */
  const char *unchecked;   /* limits stated by Coral and not checked here, or NULL */
} lf_edgetpu_rule_info;
int lf_edgetpu_rule_count(void);
lf_edgetpu_rule_info lf_edgetpu_rule(int i);

#endif
