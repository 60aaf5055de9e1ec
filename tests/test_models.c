/* Model builders: DenseNet-121's parameter count and torchvision names, small
 * variants, the UNet, config JSON round trip, checkpoint save/load round trip
 * (torch layouts). The numerical comparison with torch is tests/test_models_torch.sh. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_models.h"
#include "lf_test.h"

static char tmpdir[512];

LF_TEST(densenet121_count_and_names) {
  lf_model_config c = lf_model_defaults(LF_ARCH_DENSENET);
  lf_model m;
  LF_CHECK_MSG(lf_model_build(&m, &c, 1) == LF_OK, "%s", lf_last_error());
  if (!m.g) return;
  LF_CHECK_MSG(lf_graph_trainable_numel(m.g) == 6968206, "params %zu", lf_graph_trainable_numel(m.g));
  /* torchvision densenet121 state_dict: 727 trainable+buffer... count entries */
  int n = lf_graph_param_count(m.g), bufs = 0;
  for (int i = 0; i < n; i++) bufs += !lf_graph_param(m.g, i)->trainable;
  /* 121 BN layers x (weight, bias, running_mean, running_var, num_batches_tracked)
   * + 120 conv weights + classifier weight/bias = 727 entries (torchvision: len(state_dict())) */
  LF_CHECK_MSG(n == 727, "state_dict entries %d", n);
  LF_CHECK(bufs == 121 * 3);
  const char *names[] = {"features.conv0.weight", "features.norm0.running_var",
                         "features.denseblock1.denselayer1.norm1.num_batches_tracked",
                         "features.denseblock3.denselayer24.conv2.weight", "features.transition3.conv.weight",
                         "features.norm5.bias", "classifier.weight", "classifier.bias"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    LF_CHECK_MSG(lf_graph_find_param(m.g, names[i]) != NULL, "missing %s", names[i]);
  lf_param *p = lf_graph_find_param(m.g, "features.transition3.conv.weight");
  LF_CHECK(p && p->value.shape[0] == 512 && p->value.shape[3] == 1024);
  p = lf_graph_find_param(m.g, "classifier.weight");
  LF_CHECK(p && p->value.shape[0] == 14 && p->value.shape[1] == 1024);
  /* MACs of densenet121 at 224: about 2.87 G (torchvision lists 2.83 GFLOPS as MACs) */
  uint64_t macs = lf_graph_macs(m.g);
  LF_CHECK_MSG(macs > 2.7e9 && macs < 3.0e9, "macs %llu", (unsigned long long)macs);
  lf_model_free(&m);
}

LF_TEST(small_variants) {
  lf_model_config c = lf_model_defaults(LF_ARCH_DENSENET);
  c.growth = 8, c.init_features = 16, c.n_blocks = 2, c.blocks[0] = 2, c.blocks[1] = 3, c.in_h = c.in_w = 32;
  c.classes = 3;
  lf_model m;
  LF_CHECK_MSG(lf_model_build(&m, &c, 1) == LF_OK, "%s", lf_last_error());
  /* by hand: conv0 3*16*49=2352; norm0 32; block1: l1 (16->32->8): 32+512+64+2304 = 2912,
   * l2 (24): 48+768+64+2304 = 3184; trans1 (32->16): 64+512; block2: 16,24,32 inputs:
   * each 2*c_in + 32*c_in + 64 + 2304 -> (34*16+2368)+(34*24+2368)+(34*32+2368)=9552;
   * norm5 (40): 80; classifier 40*3+3 = 123 */
  size_t expect = 2352 + 32 + 2912 + 3184 + 64 + 512 + 9552 + 80 + 123;
  if (m.g) LF_CHECK_MSG(lf_graph_trainable_numel(m.g) == expect, "%zu vs %zu", lf_graph_trainable_numel(m.g), expect);
  lf_model_free(&m);
  c.in_h = 4; /* smaller than the total stride 8 */
  LF_CHECK(lf_model_build(&m, &c, 1) == LF_EINVAL);
  lf_model_config u = lf_model_defaults(LF_ARCH_UNET);
  LF_CHECK_MSG(lf_model_build(&m, &u, 1) == LF_OK, "%s", lf_last_error());
  if (m.g) {
    LF_CHECK(lf_graph_find_param(m.g, "dec1.conv2.weight") && lf_graph_find_param(m.g, "head.bias"));
    lf_node *o = lf_graph_node(m.g, m.probs);
    LF_CHECK(o && o->h == 80 && o->w == 112 && o->c == 1);
  }
  lf_model_free(&m);
  u.in_h = 84;
  LF_CHECK(lf_model_build(&m, &u, 1) == LF_EINVAL);
}

LF_TEST(config_json) {
  lf_model_config c = lf_model_defaults(LF_ARCH_DENSENET), d;
  c.growth = 12, c.n_blocks = 3, c.blocks[2] = 5, c.in_h = 64;
  char *s = lf_model_config_to_json(&c);
  LF_CHECK(s && lf_model_config_from_json(s, &d) == LF_OK);
  LF_CHECK(d.growth == 12 && d.n_blocks == 3 && d.blocks[2] == 5 && d.in_h == 64 && d.in_w == 224 && d.classes == 14);
  free(s);
  lf_model_config u = lf_model_defaults(LF_ARCH_UNET);
  u.transposed = 1, u.width = 8, u.dropout = 0.25f;
  s = lf_model_config_to_json(&u);
  LF_CHECK(s && lf_model_config_from_json(s, &d) == LF_OK);
  LF_CHECK(d.arch == LF_ARCH_UNET && d.transposed == 1 && d.width == 8 && d.dropout == 0.25f && d.in_w == 112);
  free(s);
  LF_CHECK(lf_model_config_from_json("{\"arch\":\"vgg\"}", &d) == LF_EBADFILE);
  LF_CHECK(lf_model_config_from_json("{\"arch\":\"unet\",\"width\":\"x\"}", &d) == LF_EBADFILE);
  LF_CHECK(lf_model_config_from_json("nope", &d) == LF_EBADFILE);
}

/* A whole trainer state: checkpoints' leapfrog.train is validated on load. */
static const char train_json[] =
    "{\"epoch\":3,\"batch\":0,\"step\":30,\"best\":0.5,\"best_epoch\":2,\"base_lr\":0.001,\"lr\":0.001,"
    "\"loss_n\":0,\"seed\":\"2a\",\"loss_sum_bits\":\"0\",\"rng\":[\"1\",\"2\",\"3\",\"4\"]}";

LF_TEST(checkpoint_round_trip) {
  lf_model_config c = lf_model_defaults(LF_ARCH_UNET);
  c.width = 4, c.depth = 2, c.in_h = 8, c.in_w = 12, c.transposed = 1;
  lf_model a, b;
  LF_CHECK(lf_model_build(&a, &c, 1) == LF_OK);
  if (!a.g) return;
  lf_param *nbt = lf_graph_find_param(a.g, "enc1.bn1.num_batches_tracked");
  LF_CHECK(nbt && nbt->is_int);
  if (nbt) nbt->value.data[0] = 42;
  char path[600];
  snprintf(path, sizeof path, "%s/ck.safetensors", tmpdir);
  LF_CHECK_MSG(lf_ckpt_save(path, &a, NULL, train_json, NULL, NULL) == LF_OK, "%s", lf_last_error());
  lf_st_file f;
  LF_CHECK_MSG(lf_ckpt_load(path, NULL, &b, &f) == LF_OK, "%s", lf_last_error());
  if (!b.g) return;
  /* torch layouts on disk: conv OIHW, transposed conv [in][out][kh][kw] */
  const lf_st_tensor *t = lf_st_find(&f, "enc2.conv1.weight");
  LF_CHECK(t && t->ndim == 4 && t->shape[0] == 8 && t->shape[1] == 4 && t->shape[2] == 3);
  lf_param *w = lf_graph_find_param(a.g, "enc2.conv1.weight");
  if (t && w) { /* element [o=1][i=2][kh=0][kw=1] */
    float v;
    memcpy(&v, t->data + 4 * (((1 * 4 + 2) * 3 + 0) * 3 + 1), 4);
    LF_CHECK(v == w->value.data[((1 * 3 + 0) * 3 + 1) * 4 + 2]);
  }
  t = lf_st_find(&f, "dec2.up.weight"); /* bottom 16 channels -> 8 */
  LF_CHECK(t && t->shape[0] == 16 && t->shape[1] == 8 && t->shape[2] == 2);
  t = lf_st_find(&f, "enc1.bn1.num_batches_tracked");
  int64_t k = 0;
  LF_CHECK(t && t->dtype == LF_ST_I64 && t->ndim == 0 && lf_st_to_i64(&f, t, &k) == LF_OK && k == 42);
  LF_CHECK(lf_st_meta(&f, "leapfrog.train") && !strcmp(lf_st_meta(&f, "leapfrog.train"), train_json));
  for (int i = 0; i < lf_graph_param_count(a.g); i++) {
    lf_param *p = lf_graph_param(a.g, i), *q = lf_graph_find_param(b.g, p->name);
    LF_CHECK_MSG(q && q->value.numel == p->value.numel &&
                     !memcmp(q->value.data, p->value.data, p->value.numel * sizeof(float)),
                 "%s differs", p->name);
  }
  lf_st_close(&f);
  lf_model_free(&b);
  /* loading into the wrong config fails with the tensor's name */
  lf_model_config d = c;
  d.width = 8;
  LF_CHECK(lf_ckpt_load(path, NULL, &b, NULL) == LF_OK);
  lf_model_free(&b);
  lf_model wrong;
  LF_CHECK(lf_model_build(&wrong, &d, 1) == LF_OK);
  LF_CHECK(lf_st_open(&f, path) == LF_OK);
  LF_CHECK(lf_ckpt_load_model(&f, &wrong) == LF_EBADFILE);
  LF_CHECK(strstr(lf_last_error(), "ck.safetensors") && strstr(lf_last_error(), "weight"));
  lf_st_close(&f);
  lf_model_free(&wrong);
  lf_model_free(&a);
}

int main(void) {
  const char *t = getenv("LF_TMP");
  snprintf(tmpdir, sizeof tmpdir, "%s", t && *t ? t : "/tmp");
  LF_RUN(config_json);
  LF_RUN(small_variants);
  LF_RUN(densenet121_count_and_names);
  LF_RUN(checkpoint_round_trip);
  return lf_test_summary();
}
