/* libFuzzer target: an operating-points file as `convert --operating-points`
 * reads it (lf_oppoints_parse). Whatever passes has 1 to LF_OPPOINTS_MAX
 * distinct labels of 1-63 bytes and finite thresholds in (0, 1). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_oppoints.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_oppoints ops;
  if (lf_oppoints_parse((const char *)data, size, "fuzz.json", &ops) != LF_OK) return 0;
  if (ops.n < 1 || ops.n > LF_OPPOINTS_MAX) abort();
  for (int i = 0; i < ops.n; i++) {
    size_t l = strlen(ops.label[i]);
    if (l < 1 || l > 63 || !isfinite(ops.threshold[i]) || !(ops.threshold[i] > 0 && ops.threshold[i] < 1)) abort();
    for (int k = 0; k < i; k++)
      if (!strcmp(ops.label[k], ops.label[i])) abort();
  }
  return 0;
}
