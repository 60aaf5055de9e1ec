/* libFuzzer target: a checkpoint's leapfrog metadata schema
 * (lf_ckpt_check_meta). The input is split at NUL bytes into the values of
 * leapfrog.config, .arch, .quant, .qranges, .optim, .train (an empty chunk:
 * key absent). Whatever passes must give a config lf_model_config_check
 * accepts and ranges that are finite with min < max. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_convert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char *keys[] = {"leapfrog.config", "leapfrog.arch", "leapfrog.quant",
                         "leapfrog.qranges", "leapfrog.optim", "leapfrog.train"};
  char *buf = malloc(size + 1);
  if (!buf) return 0;
  memcpy(buf, data, size);
  buf[size] = 0;
  char *vals[6];
  char *ks[6];
  size_t n = 0;
  const char *p = buf, *end = buf + size;
  for (int k = 0; k < 6 && p <= end; k++) {
    size_t l = strlen(p);
    if (l) ks[n] = keys[k], vals[n++] = (char *)p;
    p += l + 1;
  }
  lf_st_file f;
  memset(&f, 0, sizeof f);
  f.path = "fuzz.safetensors";
  f.meta_keys = ks;
  f.meta_vals = vals;
  f.n_meta = n;
  if (lf_ckpt_check_meta(&f) == LF_OK) {
    const char *js = lf_st_meta(&f, "leapfrog.config");
    lf_model_config c;
    if (js && (lf_model_config_from_json(js, &c) != LF_OK || lf_model_config_check(&c) != LF_OK)) abort();
    js = lf_st_meta(&f, "leapfrog.qranges");
    if (js) {
      lf_qranges r;
      lf_qranges_init(&r);
      if (lf_qranges_from_json(js, &r) != LF_OK) abort();
      for (int i = 0; i < r.n; i++)
        if (!isfinite(r.v[i].min) || !isfinite(r.v[i].max) || !(r.v[i].min < r.v[i].max)) abort();
      lf_qranges_free(&r);
    }
  }
  free(buf);
  return 0;
}
