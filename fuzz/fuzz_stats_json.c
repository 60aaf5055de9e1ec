/* libFuzzer target: predict's --stats JSON as score --latency reads it
 * (lf_score_parse_latency). Whatever passes has finite ordered times and a
 * whole byte count. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "eval/score_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cJSON *j = NULL;
  if (lf_score_parse_latency((const char *)data, size, "fuzz.json", &j) != LF_OK) {
    if (j) abort();
    return 0;
  }
  const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "ms_per_image");
  double a = cJSON_GetObjectItemCaseSensitive(m, "min")->valuedouble;
  double b = cJSON_GetObjectItemCaseSensitive(m, "median")->valuedouble;
  double c = cJSON_GetObjectItemCaseSensitive(m, "max")->valuedouble;
  double z = cJSON_GetObjectItemCaseSensitive(j, "model_bytes")->valuedouble;
  if (!isfinite(a) || !isfinite(c) || a < 0 || a > b || b > c || z < 0 || z != floor(z)) abort();
  cJSON_Delete(j);
  return 0;
}
