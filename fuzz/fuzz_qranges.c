/* libFuzzer target: the activation-range JSON that `leapfrog convert --ranges`
 * and checkpoint metadata (leapfrog.qranges) hold. Parse, then a round trip
 * must parse again to the same ranges. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) return 0;
  memcpy(s, data, size);
  s[size] = 0;
  lf_qranges r;
  lf_qranges_init(&r);
  if (lf_qranges_from_json(s, &r) == LF_OK) {
    char *js = NULL;
    if (lf_qranges_to_json(&r, &js) == LF_OK) {
      lf_qranges r2;
      lf_qranges_init(&r2);
      if (lf_qranges_from_json(js, &r2) != LF_OK || r2.n != r.n) abort();
      for (int i = 0; i < r.n; i++) {
        const lf_qrange *e = lf_qranges_find(&r2, r.v[i].name);
        if (!e || e->min != r.v[i].min || e->max != r.v[i].max) abort();
      }
      lf_qranges_free(&r2);
      free(js);
    }
  }
  lf_qranges_free(&r);
  free(s);
  return 0;
}
