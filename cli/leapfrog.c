/* leapfrog: train, quantise, convert, run and score medical imaging models. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const struct {
  const char *name;
  lf_cmd_fn fn;
  const char *help;
} commands[] = {
    {"info", cmd_info, "describe a .tflite model or a built-in architecture"},
    {"invoke", cmd_invoke, "run a .tflite model on raw input tensors"},
    {"bench", cmd_bench, "time a .tflite model: ms/image, GMAC/s, memory, per-op profile"},
    {"synth", cmd_synth, "generate a synthetic dataset in the NIH or Kaggle layout"},
    {"dataset", cmd_dataset, "list, split and check a dataset folder"},
    {"score", cmd_score, "score predictions: AUC-ROC, Dice"},
    {"train", cmd_train, "train a model in FP32"},
    {"qat", cmd_qat, "fine-tune a checkpoint with INT8 quantization-aware training"},
    {"ptq", cmd_ptq, "calibrate a trained checkpoint for INT8 (post-training quantization)"},
    {"convert", cmd_convert, "write a checkpoint as a .tflite model (int8 or fp32)"},
    {"predict", cmd_predict, "run a .tflite model over a dataset split, write predictions"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: leapfrog COMMAND [ARGS]   (leapfrog COMMAND --help for details)\n\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "leapfrog: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
