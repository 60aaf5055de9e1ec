/* What `convert` takes from a checkpoint when the user does not say: the class
 * names of a built-in architecture's outputs and the BN lowering that QAT
 * simulated (or PTQ calibrated) for it. */
#include <string.h>

#include <cjson/cJSON.h>

#include "leapfrog/lf_convert.h"
#include "leapfrog/lf_dataset.h"

int lf_convert_default_labels(const lf_model_config *cfg, const char **labels, int max) {
  int n = 0;
  if (cfg->arch == LF_ARCH_DENSENET && cfg->classes == LF_NIH_NUM_LABELS && max >= LF_NIH_NUM_LABELS)
    for (; n < LF_NIH_NUM_LABELS; n++) labels[n] = lf_nih_labels[n];
  else if (cfg->arch == LF_ARCH_UNET && max >= 1)
    labels[n++] = "nerve";
  return n;
}

int lf_bn_lowering_recorded(const char *quant_json) {
  int v = LF_BN_LOWER_DEFAULT;
  cJSON *j = quant_json ? cJSON_Parse(quant_json) : NULL;
  const cJSON *b = j ? cJSON_GetObjectItemCaseSensitive(j, "bn_lowering") : NULL;
  if (cJSON_IsString(b) && lf_bn_lowering_parse(b->valuestring, &v) != LF_OK) v = LF_BN_LOWER_DEFAULT;
  cJSON_Delete(j);
  return v;
}
