/* Shared between the model builders (src/models/). */
#ifndef LF_MODELS_INTERNAL_H
#define LF_MODELS_INTERNAL_H
#include "leapfrog/lf_models.h"

void lf_models_kaiming_conv(lf_graph *g, int id);
lf_status lf_models_build_densenet(lf_model *m);
lf_status lf_models_build_unet(lf_model *m);

#endif
