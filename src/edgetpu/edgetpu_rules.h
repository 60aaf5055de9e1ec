/* The Edge TPU rule table (edgetpu_rules.c) as the checker (edgetpu_check.c)
 * reads it: one row per op of Coral's supported-op table. */
#ifndef LF_EDGETPU_RULES_H
#define LF_EDGETPU_RULES_H
#include <stddef.h>
#include <stdint.h>

#include "lfrt.h"

/* Checks an op's known limitations; returns 1 when they hold, else 0 with the
 * reason in why[n]. opts_known: the reader decoded the op's options (0 for ops
 * the runtime does not run: only their tensors can be checked). */
typedef int (*etpu_limit_fn)(const lfrt_model *m, const lfrt_operator *op, int opts_known, char *why, size_t n);

typedef struct {
  int code;             /* TFLite BuiltinOperator */
  const char *name;     /* its name in the schema */
  int min_runtime;      /* Coral's minimum Edge TPU runtime version (0: all) */
  int max_version;      /* highest op version accepted (see edgetpu_rules.c) */
  uint32_t i32_inputs;  /* bit i: input i may be an INT32 constant (bias, shape, axes) */
  uint32_t const_inputs;/* bit i: input i must be constant (weights, bias, alpha, axes) */
  etpu_limit_fn limit;  /* NULL: no known limitation */
  const char *limits;   /* the limitation(s) `limit` checks, in words ("" none) */
  const char *unchecked;/* stated limits not checked here, or NULL */
} etpu_rule;

const etpu_rule *etpu_rule_find(int code); /* NULL: not in the table */
/* coral: 1 when input i of the row's op may be INT16 (an LSTM's cell state) */
int etpu_int16_input(const etpu_rule *r, int i);
int etpu_rule_count(void);
const etpu_rule *etpu_rule_at(int i);

/* 1 when at most the innermost 3 dimensions of t are larger than 1. */
int etpu_innermost3(const lfrt_tensor *t);

#endif
