/* Model options shared by `info --arch`, `train` (and others that build a model). */
#ifndef LF_CLI_MODEL_OPTS_H
#define LF_CLI_MODEL_OPTS_H
#include <stdio.h>

#include "leapfrog/lf_models.h"

/* Scans argv for --arch NAME (or --arch=NAME) and sets *c to its defaults.
 * Returns 1 found, 0 absent, 2 usage error (message printed). */
int lf_cli_model_arch(int argc, char **argv, lf_model_config *c);
/* If argv[*i] is a model option (--arch, --classes, --size, --channels,
 * --growth, --blocks, --init-features, --bn-size, --compression, --width,
 * --depth, --transposed, --dropout), applies it to *c (call
 * lf_cli_model_arch first), advances *i past its value and returns 1; returns
 * 0 if it is not one, 2 on a usage error (message printed). */
int lf_cli_model_opt(int argc, char **argv, int *i, lf_model_config *c);
void lf_cli_model_opts_help(FILE *f);

#endif
