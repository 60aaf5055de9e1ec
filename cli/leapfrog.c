/* leapfrog: train, quantise, convert, run and score medical imaging models. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "leapfrog/lf_dist.h"

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
    {"report", cmd_report, "the study report of a run: FP32 vs INT8 beside the paper's tables"},
    {"train", cmd_train, "train a model in FP32"},
    {"qat", cmd_qat, "fine-tune a checkpoint with INT8 quantization-aware training"},
    {"ptq", cmd_ptq, "post-training INT8 quantization: a checkpoint, or any FP32 .tflite"},
    {"convert", cmd_convert, "write a checkpoint as a .tflite model (int8 or fp32)"},
    {"import", cmd_import, "convert an FP32 ONNX model to an FP32 .tflite (NCHW -> NHWC)"},
    {"predict", cmd_predict, "run a .tflite model over a dataset split, write predictions"},
    {"paper", cmd_paper, "the paper's study end to end on the real datasets (resumable)"},
    {"serve", cmd_serve, "serve models over HTTP: a page and a JSON API for a clinic's network"},
};

static void usage(FILE *f) {
  fprintf(f, "usage: leapfrog COMMAND [ARGS]   (leapfrog COMMAND --help for details; leapfrog --version)\n\n");
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
}

int main(int argc, char **argv) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
    usage(argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
  }
  if (!strcmp(argv[1], "--version")) {
    printf("leapfrog %s; multi-process: %s\n", LF_GIT_VERSION, lf_dist_backend());
    return 0;
  }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) {
      /* under mpirun: one rank of several (train, qat, predict use them; lf_dist.h) */
      if (lf_dist_init(&argc, &argv)) {
        fprintf(stderr, "leapfrog: %s\n", lf_last_error());
        return 1;
      }
      int rc = commands[i].fn(argc - 1, argv + 1);
      if (rc && lf_dist_size() > 1) lf_dist_abort(rc); /* the other ranks may be waiting for this one */
      lf_dist_finalize();
      return rc;
    }
  fprintf(stderr, "leapfrog: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
