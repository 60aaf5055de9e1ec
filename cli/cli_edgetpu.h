/* Printing an Edge TPU pre-flight report (lf_edgetpu_check): the text of
 * `leapfrog info --edgetpu`, the "edgetpu" object of its --json, and the
 * reasons `leapfrog convert --edgetpu` gives when a model would not map. */
#ifndef LF_CLI_EDGETPU_H
#define LF_CLI_EDGETPU_H
#include <cjson/cJSON.h>
#include <stdio.h>

#include "leapfrog/lf_edgetpu.h"

void lf_cli_edgetpu_text(FILE *f, const lfrt_model *m, const char *path, const lf_edgetpu_report *r);
cJSON *lf_cli_edgetpu_json(const lfrt_model *m, const lf_edgetpu_report *r);

#endif
