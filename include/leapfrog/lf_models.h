/* Model builders on the training graph (lf_nn.h): DenseNet-121 as torchvision
 * builds it, and the paper's UNet. Parameter names are torch state_dict names.
 *
 * DenseNet (torchvision.models.DenseNet; densenet121 = growth 32, blocks
 * 6-12-24-16, bn_size 4, 64 init features, compression 0.5; 14 classes gives
 * 6,968,206 trainable parameters). Input [n][H][W][3] (H, W multiples of 32
 * are natural; >= 32). Names:
 *   features.conv0 (7x7 s2 p3, no bias)  features.norm0  relu  features.pool0 (max 3x3 s2 p1)
 *   features.denseblock{b}.denselayer{l}.{norm1, conv1 (1x1 -> bn_size*growth),
 *                                         norm2, conv2 (3x3 p1 -> growth)}  (no biases)
 *     (layer l sees the concatenation [block input, layer1 out, ..., layer l-1 out])
 *   features.transition{b}.{norm, conv (1x1 -> floor(c*compression))} + avg pool 2x2 s2
 *   features.norm5  relu  global average pool  classifier (Linear, bias)
 * Output: `logits` [n][1][1][classes]; `probs` = sigmoid(logits).
 * Init as torchvision: conv kaiming-normal (fan_in, gain sqrt 2), BN 1/0,
 * classifier bias 0 (weight torch's default uniform).
 *
 * UNet (the paper's Kaggle-nerve model; torch has no standard one, so this is
 * the definition; F = width * {32, 64, 128, 256}, bottom width * 512, depth
 * 4 levels). Input [n][80][112][1] (H, W divisible by 2^depth). Names:
 *   enc{l}.conv1 (3x3 p1, no bias) enc{l}.bn1 relu enc{l}.conv2 enc{l}.bn2 relu,
 *     then max pool 2x2 s2                                      (l = 1..depth)
 *   bottom.conv1 bottom.bn1 relu bottom.conv2 bottom.bn2 relu, dropout(p)
 *   dec{l} (l = depth..1), input x from below (C channels), skip = enc{l} output:
 *     upsample (default): nearest x2, dec{l}.up (3x3 p1 -> F_l, no bias),
 *                         dec{l}.upbn, relu
 *     transposed (option): dec{l}.up = ConvTranspose2d(C -> F_l, k 2, s 2, bias)
 *     concat [skip, up] -> dec{l}.conv1 dec{l}.bn1 relu dec{l}.conv2 dec{l}.bn2 relu
 *   head (1x1 conv -> classes (1), bias); `probs` = sigmoid.
 *   BN: eps 1e-5, momentum 0.1 (torch defaults). */
#ifndef LF_MODELS_H
#define LF_MODELS_H
#include <stdint.h>
#include "leapfrog/lf_nn.h"

typedef enum { LF_ARCH_DENSENET = 0, LF_ARCH_UNET = 1 } lf_arch;

#define LF_MAX_BLOCKS 8

typedef struct {
  lf_arch arch;
  int in_h, in_w, in_c;      /* densenet 224x224x3; unet 80x112x1 */
  int classes;               /* densenet 14; unet 1 (mask channels) */
  /* DenseNet */
  int growth;                /* 32 */
  int n_blocks;              /* 4 */
  int blocks[LF_MAX_BLOCKS]; /* 6, 12, 24, 16 */
  int init_features;         /* 64 */
  int bn_size;               /* 4 */
  float compression;         /* 0.5 */
  /* UNet */
  int width;                 /* base filters (32) */
  int depth;                 /* 4 */
  int transposed;            /* 0: upsample + conv, 1: transposed conv */
  float dropout;             /* bottom dropout p (0.5); DenseNet: unused */
} lf_model_config;

/* "densenet121" (also "densenet") / "unet". */
lf_status lf_arch_parse(const char *s, lf_arch *out);
const char *lf_arch_name(lf_arch a);
/* Defaults of the arch (densenet121 / the paper's UNet). */
lf_model_config lf_model_defaults(lf_arch a);
/* "6,12,24,16" -> blocks. */
lf_status lf_parse_blocks(const char *s, lf_model_config *c);
/* Checks ranges (sizes, knobs) and returns LF_EINVAL with a message. */
lf_status lf_model_config_check(const lf_model_config *c);

/* JSON of every field ({"arch":"densenet121","in_h":224,...}); malloc'd. */
char *lf_model_config_to_json(const lf_model_config *c);
/* Fields missing from the JSON keep the arch's defaults. */
lf_status lf_model_config_from_json(const char *json, lf_model_config *c);

typedef struct {
  lf_graph *g;
  lf_model_config cfg;
  int input;    /* input node */
  int logits;   /* last node before the sigmoid (train on this with *_with_logits losses) */
  int probs;    /* sigmoid(logits) */
} lf_model;

/* Builds the graph (parameters initialised from `seed`). */
lf_status lf_model_build(lf_model *m, const lf_model_config *c, uint64_t seed);
void lf_model_free(lf_model *m);

/* One row per layer with parameters or a shape change, for `info --arch`. */
typedef struct {
  char name[96];
  const char *op;
  int h, w, c;          /* output per sample */
  uint64_t params;      /* trainable */
  uint64_t macs;        /* per sample */
} lf_layer_info;
/* Fills up to `max` rows (rows may be NULL); returns the number of nodes. */
int lf_model_layers(lf_model *m, lf_layer_info *rows, int max);

#endif
