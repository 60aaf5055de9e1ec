/* libFuzzer target: predictions JSON parser (lf_predictions_parse_json). */
#include <stdint.h>
#include <stdlib.h>

#include "leapfrog/lf_predictions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_predictions p;
  if (lf_predictions_parse_json((const char *)data, size, "fuzz.json", &p) == LF_OK) {
    /* a parse that succeeded must be internally consistent */
    if (p.n == 0 || p.k <= 0 || !p.keys || !p.scores) abort();
    for (size_t i = 0; i < p.n * (size_t)p.k; i++)
      if (!(p.scores[i] >= 0 && p.scores[i] <= 1)) abort();
    lf_predictions_free(&p);
  } else if (p.keys || p.scores || p.n) {
    abort(); /* failure leaves nothing behind */
  }
  return 0;
}
