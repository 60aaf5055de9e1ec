/* DenseNet (torchvision.models.DenseNet layout and names); see lf_models.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "leapfrog/lf_models.h"
#include "models/models_internal.h"

/* torchvision: nn.init.kaiming_normal_(conv.weight) -> N(0, 2 / fan_in). */
void lf_models_kaiming_conv(lf_graph *g, int id) {
  lf_node *n = lf_graph_node(g, id);
  if (!n || n->n_params < 1) return;
  lf_param *w = lf_node_param(g, n, 0);
  size_t fan_in = w->value.numel / (size_t)w->value.shape[0]; /* OHWI: kh*kw*in */
  float sd = sqrtf(2.0f / (float)fan_in);
  lf_rng *r = lf_graph_rng(g);
  for (size_t i = 0; i < w->value.numel; i++) w->value.data[i] = sd * lf_rng_normal(r);
}

static int conv(lf_graph *g, int x, const char *name, int out, int k, int s, int p) {
  int id = lf_nn_conv2d(g, x, name, lf_conv_params(out, k, s, p, 0));
  if (id >= 0) lf_models_kaiming_conv(g, id);
  return id;
}

/* norm -> relu, named "<prefix>.<norm>" and "<prefix>.<relu>". */
static int bn_relu(lf_graph *g, int x, const char *prefix, const char *norm, const char *relu) {
  char nb[160], rb[160];
  snprintf(nb, sizeof nb, "%s.%s", prefix, norm);
  snprintf(rb, sizeof rb, "%s.%s", prefix, relu);
  return lf_nn_relu(g, lf_nn_batchnorm(g, x, nb, 1e-5f, 0.1f), rb);
}

lf_status lf_models_build_densenet(lf_model *m) {
  const lf_model_config *c = &m->cfg;
  lf_graph *g = m->g;
  char nm[128], pre[64];
  int x = lf_nn_input(g, "input", c->in_h, c->in_w, c->in_c);
  m->input = x;
  x = conv(g, x, "features.conv0", c->init_features, 7, 2, 3);
  x = bn_relu(g, x, "features", "norm0", "relu0");
  x = lf_nn_maxpool(g, x, "features.pool0", lf_pool_square(3, 2, 1));
  int ch = c->init_features;
  int *parts = malloc(sizeof(int) * 300);
  if (!parts) return lf_error(LF_ENOMEM, "densenet: out of memory");
  for (int b = 0; b < c->n_blocks; b++) {
    int np = 0;
    parts[np++] = x;
    for (int l = 1; l <= c->blocks[b]; l++) {
      snprintf(pre, sizeof pre, "features.denseblock%d.denselayer%d", b + 1, l);
      int in = x;
      if (np > 1) {
        snprintf(nm, sizeof nm, "%s.cat", pre);
        in = lf_nn_concat(g, parts, np, nm);
      }
      int y = bn_relu(g, in, pre, "norm1", "relu1");
      snprintf(nm, sizeof nm, "%s.conv1", pre);
      y = conv(g, y, nm, c->bn_size * c->growth, 1, 1, 0);
      y = bn_relu(g, y, pre, "norm2", "relu2");
      snprintf(nm, sizeof nm, "%s.conv2", pre);
      y = conv(g, y, nm, c->growth, 3, 1, 1);
      parts[np++] = y;
    }
    snprintf(nm, sizeof nm, "features.denseblock%d", b + 1);
    x = lf_nn_concat(g, parts, np, nm);
    ch += c->blocks[b] * c->growth;
    if (b != c->n_blocks - 1) {
      snprintf(pre, sizeof pre, "features.transition%d", b + 1);
      x = bn_relu(g, x, pre, "norm", "relu");
      ch = (int)floor(ch * (double)c->compression);
      snprintf(nm, sizeof nm, "%s.conv", pre);
      x = conv(g, x, nm, ch, 1, 1, 0);
      snprintf(nm, sizeof nm, "%s.pool", pre);
      x = lf_nn_avgpool(g, x, nm, lf_pool_square(2, 2, 0));
    }
  }
  free(parts);
  x = bn_relu(g, x, "features", "norm5", "relu5");
  x = lf_nn_global_avgpool(g, x, "avgpool");
  x = lf_nn_dense(g, x, "classifier", c->classes, 1);
  m->logits = x;
  if (x >= 0) {
    lf_param *bias = lf_graph_find_param(g, "classifier.bias");
    if (bias) lf_tensor_zero(&bias->value);
  }
  m->probs = lf_nn_sigmoid(g, x, "sigmoid");
  return lf_graph_status(g);
}
