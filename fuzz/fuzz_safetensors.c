/* libFuzzer target: the safetensors reader must reject or accept any bytes
 * without crashing, and every accepted tensor must lie inside the buffer; the
 * checkpoint metadata (leapfrog.config, leapfrog.train) goes through its parsers. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "leapfrog/lf_models.h"
#include "leapfrog/lf_safetensors.h"
#include "train/train_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  lf_st_file f;
  if (lf_st_parse(&f, data, size, "fuzz") != LF_OK) return 0;
  for (size_t i = 0; i < f.n_tensors; i++) {
    const lf_st_tensor *t = &f.tensors[i];
    if (t->data < f.buf || t->data + t->nbytes > f.buf + f.len) abort();
    if (t->numel <= (1u << 20)) {
      float *v = malloc((t->numel ? t->numel : 1) * sizeof *v);
      if (v) lf_st_to_f32(&f, t, v, t->numel);
      free(v);
    }
    int64_t x;
    lf_st_to_i64(&f, t, &x);
    (void)lf_st_find(&f, t->name);
  }
  /* the checkpoint metadata parsers: model config and trainer state JSON */
  const char *cfg = lf_st_meta(&f, "leapfrog.config");
  lf_model_config c;
  if (cfg) (void)lf_model_config_from_json(cfg, &c);
  const char *tr = lf_st_meta(&f, "leapfrog.train");
  lf_train_state s;
  if (tr) (void)lf_train_state_from_json(tr, &s);
  lf_st_close(&f);
  return 0;
}
