/* libFuzzer target: NIH Data_Entry_2017.csv reader (lf_nih_parse_csv). */
#include <stdint.h>
#include <stdlib.h>

#include "leapfrog/lf_dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_dataset *ds = lf_dataset_new(LF_TASK_CHESTXRAY14, "/nonexistent");
  if (!ds) return 0;
  if (lf_nih_parse_csv(ds, (const char *)data, size, "fuzz.csv") == LF_OK) {
    for (size_t i = 0; i < ds->n; i++) {
      const lf_sample *s = &ds->samples[i];
      if (!s->name || !s->stem || s->patient < 0 || (s->labels >> LF_NIH_NUM_LABELS)) abort();
      if (lf_dataset_find(ds, s->name) != s) abort(); /* names are unique and found */
    }
    lf_split_opts o;
    lf_split_opts_default(&o);
    if (lf_dataset_split(ds, &o, NULL)) abort();
  }
  lf_dataset_free(ds);
  return 0;
}
