/* libFuzzer target: Kaggle submission CSV parser (lf_submission_parse_csv). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_predictions.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_submission s;
  if (lf_submission_parse_csv((const char *)data, size, "fuzz.csv", &s) == LF_OK) {
    for (size_t i = 0; i < s.n; i++) {
      if (!s.img[i] || !*s.img[i] || !s.pixels[i]) abort();
      if (strspn(s.pixels[i], "0123456789 ") != strlen(s.pixels[i])) abort();
      for (size_t j = 0; j < i && j < 64; j++)
        if (!strcmp(s.img[i], s.img[j])) abort(); /* duplicates must be refused */
    }
    lf_submission_free(&s);
  } else if (s.img || s.n) {
    abort();
  }
  return 0;
}
