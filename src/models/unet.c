/* The paper's UNet (definition and names in lf_models.h). */
#include <stdio.h>

#include "leapfrog/lf_models.h"
#include "models/models_internal.h"

static int conv_bn_relu(lf_graph *g, int x, const char *pre, const char *conv, const char *bn, int out) {
  char a[160], b[160], r[160];
  snprintf(a, sizeof a, "%s.%s", pre, conv);
  snprintf(b, sizeof b, "%s.%s", pre, bn);
  snprintf(r, sizeof r, "%s.%s_relu", pre, conv);
  int id = lf_nn_conv2d(g, x, a, lf_conv_params(out, 3, 1, 1, 0));
  if (id >= 0) lf_models_kaiming_conv(g, id);
  return lf_nn_relu(g, lf_nn_batchnorm(g, id, b, 1e-5f, 0.1f), r);
}

static int double_conv(lf_graph *g, int x, const char *pre, int out) {
  x = conv_bn_relu(g, x, pre, "conv1", "bn1", out);
  return conv_bn_relu(g, x, pre, "conv2", "bn2", out);
}

lf_status lf_models_build_unet(lf_model *m) {
  const lf_model_config *c = &m->cfg;
  lf_graph *g = m->g;
  char pre[64], nm[128];
  int skips[8], filt[8];
  int x = lf_nn_input(g, "input", c->in_h, c->in_w, c->in_c);
  m->input = x;
  for (int l = 1; l <= c->depth; l++) {
    filt[l] = c->width << (l - 1);
    snprintf(pre, sizeof pre, "enc%d", l);
    x = double_conv(g, x, pre, filt[l]);
    skips[l] = x;
    snprintf(nm, sizeof nm, "pool%d", l);
    x = lf_nn_maxpool(g, x, nm, lf_pool_square(2, 2, 0));
  }
  x = double_conv(g, x, "bottom", c->width << c->depth);
  if (c->dropout > 0) x = lf_nn_dropout(g, x, "bottom.dropout", c->dropout);
  for (int l = c->depth; l >= 1; l--) {
    snprintf(pre, sizeof pre, "dec%d", l);
    snprintf(nm, sizeof nm, "%s.up", pre);
    int h = c->in_h >> (l - 1), w = c->in_w >> (l - 1);
    if (c->transposed) {
      lf_conv_transpose2d_params p = {0};
      p.out_channels = filt[l];
      p.kh = p.kw = p.stride_h = p.stride_w = 2;
      p.dil_h = p.dil_w = 1;
      p.groups = 1;
      p.bias = 1;
      x = lf_nn_conv_transpose2d(g, x, nm, p);
    } else {
      lf_upsample_params up = {LF_UPSAMPLE_NEAREST, h, w, 0};
      snprintf(nm, sizeof nm, "%s.upsample", pre);
      x = lf_nn_upsample(g, x, nm, up);
      x = conv_bn_relu(g, x, pre, "up", "upbn", filt[l]);
    }
    int parts[2] = {skips[l], x};
    snprintf(nm, sizeof nm, "%s.cat", pre);
    x = lf_nn_concat(g, parts, 2, nm);
    x = double_conv(g, x, pre, filt[l]);
  }
  x = lf_nn_conv2d(g, x, "head", lf_conv_params(c->classes, 1, 1, 0, 1));
  m->logits = x;
  m->probs = lf_nn_sigmoid(g, x, "sigmoid");
  return lf_graph_status(g);
}
