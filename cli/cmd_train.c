/* `leapfrog train`: FP32 training with checkpoints, validation and exact resume. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model_opts.h"
#include "cli_train_opts.h"
#include "leapfrog/lf_trainer.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog train --task chestxray14|nerve --data DIR [--arch densenet121|unet] [options]\n"
          "Trains a model in FP32. Writes OUT/last.safetensors (every epoch), OUT/best.safetensors\n"
          "(best validation metric: mean AUC or Dice) and OUT/train_log.jsonl (one line per epoch).\n"
          "defaults: --out runs/train --epochs 10 --lr 1e-3\n");
  lf_cli_train_opts_help(f);
  lf_cli_model_opts_help(f);
}

int cmd_train(int argc, char **argv) {
  lf_model_config mc;
  int have_arch = lf_cli_model_arch(argc, argv, &mc);
  if (have_arch == 2) return 2;
  lf_train_opts o;
  lf_task task = LF_TASK_CHESTXRAY14;
  int have_task = lf_cli_task("train", argc, argv, &task);
  if (have_task == 2) return 2;
  if (!have_task && have_arch) task = mc.arch == LF_ARCH_UNET ? LF_TASK_NERVE : LF_TASK_CHESTXRAY14;
  if (!have_arch) mc = lf_model_defaults(task == LF_TASK_NERVE ? LF_ARCH_UNET : LF_ARCH_DENSENET);
  lf_train_opts_default(&o, task);
  o.out_dir = "runs/train";
  for (int i = 1; i < argc; i++) {
    int r = lf_cli_model_opt(argc, argv, &i, &mc);
    if (r == 2) return 2;
    if (r == 1) continue;
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    r = lf_cli_train_opt("train", argc, argv, &i, &o);
    if (r == 2) return 2;
    if (r == 1) continue;
    fprintf(stderr, "leapfrog train: unknown option '%s'\n", a);
    usage(stderr);
    return 2;
  }
  if (!o.data_dir) {
    fprintf(stderr, "leapfrog train: --data DIR is required\n");
    usage(stderr);
    return 2;
  }
  if ((task == LF_TASK_NERVE) != (mc.arch == LF_ARCH_UNET)) {
    fprintf(stderr, "leapfrog train: --task %s needs --arch %s\n", lf_task_name(task),
            task == LF_TASK_NERVE ? "unet" : "densenet121");
    return 2;
  }
  if (lf_train_check_out(&o)) {
    fprintf(stderr, "leapfrog train: %s\n", lf_last_error());
    return 2;
  }
  lf_model m;
  if (lf_model_build(&m, &mc, o.seed)) {
    fprintf(stderr, "leapfrog train: %s\n", lf_last_error());
    return 1;
  }
  lf_train_result r;
  lf_status st = lf_train_run(&m, &o, &r);
  lf_model_free(&m);
  if (st) {
    fprintf(stderr, "leapfrog train: %s\n", lf_last_error());
    return 1;
  }
  if (!lf_cli_train_report(&r)) return 0;
  printf("trained %d epochs, %lld steps; last train loss %.4f", r.epochs_done, (long long)r.steps, r.last_train_loss);
  const char *mname = task == LF_TASK_NERVE ? "dice" : "mean AUC";
  if (r.last_metric == r.last_metric) printf(", val %s %.4f", mname, r.last_metric);
  if (r.best_epoch > 0) printf("; best %.4f (epoch %d)", r.best_metric, r.best_epoch);
  printf("%s%s\n", r.stopped_early ? "; stopped early" : "", r.stopped_max_steps ? "; stopped at --max-steps" : "");
  printf("checkpoints: %s/last.safetensors%s%s; log %s/train_log.jsonl\n", o.out_dir, r.best_epoch > 0 ? ", " : "",
         r.best_epoch > 0 ? "best.safetensors" : "", o.out_dir);
  return 0;
}
