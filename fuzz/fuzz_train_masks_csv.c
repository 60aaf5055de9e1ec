/* libFuzzer target: Kaggle train_masks.csv reader (lf_nerve_parse_masks_csv) and the
 * RLE decoder on every row it accepts. */
#include <stdint.h>
#include <stdlib.h>

#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_rle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_dataset *ds = lf_dataset_new(LF_TASK_NERVE, "/nonexistent");
  if (!ds) return 0;
  static uint8_t mask[580 * 420];
  if (lf_nerve_parse_masks_csv(ds, (const char *)data, size, "fuzz.csv") == LF_OK) {
    for (size_t i = 0; i < ds->n; i++) {
      const lf_sample *s = &ds->samples[i];
      if (!s->rle || s->patient < 0) abort();
      if (lf_rle_decode(s->rle, 580, 420, mask, s->name) == LF_OK) {
        char *back;
        if (lf_rle_encode(mask, 580, 420, &back) == LF_OK) free(back);
      }
    }
  }
  lf_dataset_free(ds);
  return 0;
}
