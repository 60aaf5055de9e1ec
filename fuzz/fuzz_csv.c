/* libFuzzer target: RFC-4180 CSV reader (lf_csv_parse). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_csv *c = NULL;
  if (lf_csv_parse((const char *)data, size, "fuzz.csv", &c) == LF_OK) {
    size_t total = 0;
    for (size_t r = 0; r < lf_csv_rows(c); r++) {
      if (lf_csv_cols(c, r) == 0 || lf_csv_line(c, r) == 0) abort();
      for (size_t f = 0; f < lf_csv_cols(c, r); f++) total += strlen(lf_csv_field(c, r, f)); /* NUL-terminated */
      if (lf_csv_field(c, r, lf_csv_cols(c, r)) != NULL) abort();
    }
    if (total > size) abort(); /* unquoting never grows the text */
    lf_csv_find_col(c, "pixels");
    lf_csv_free(c);
  } else if (c) {
    abort();
  }
  return 0;
}
