/* `leapfrog train`: FP32 training with checkpoints, validation and exact resume. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model_opts.h"
#include "leapfrog/lf_trainer.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog train --task chestxray14|nerve --data DIR [--arch densenet121|unet] [options]\n"
          "Trains a model in FP32. Writes OUT/last.safetensors (every epoch), OUT/best.safetensors\n"
          "(best validation metric: mean AUC or Dice) and OUT/train_log.jsonl (one line per epoch).\n"
          "  --out DIR            output folder (default runs/train)\n"
          "  --epochs N (10)  --batch N (16)  --lr F (1e-3)  --optim sgd|adam|adamw (adam)\n"
          "  --weight-decay F  --momentum F (sgd, 0.9)  --clip F (global grad norm, off)\n"
          "  --schedule plateau|cosine|none (plateau: x0.1 after 1 validation without gain)\n"
          "  --plateau-patience N  --plateau-factor F  --warmup N (cosine, steps)  --min-lr F\n"
          "  --loss bce|dice|bce+dice   (chest: bce; nerve: dice as the paper)\n"
          "  --split SPEC         patient (default) | patient:70,10,20 | official | paper\n"
          "  --val-every N (1, 0 = never)  --early-stop N (validations without gain, off)\n"
          "  --threads N (2)  --seed N (1)  --augment  --cache DIR (preprocessed image cache)\n"
          "  --resume             continue exactly from OUT/last.safetensors\n"
          "  --max-steps N        stop after N optimiser steps in total (checkpoint kept; resume later)\n"
          "  --save-every N       also checkpoint every N steps inside an epoch\n"
          "  --max-batches N      at most N training batches per epoch (quick runs)\n"
          "  --quiet              no progress output\n");
  lf_cli_model_opts_help(f);
}

static int num_arg(const char *name, const char *v, double lo, double hi, double *out) {
  char *end;
  double x = strtod(v, &end);
  if (!*v || *end || !(x >= lo && x <= hi)) {
    fprintf(stderr, "leapfrog train: %s needs a number in [%g, %g], got '%s'\n", name, lo, hi, v);
    return 0;
  }
  *out = x;
  return 1;
}

int cmd_train(int argc, char **argv) {
  lf_model_config mc;
  int have_arch = lf_cli_model_arch(argc, argv, &mc);
  if (have_arch == 2) return 2;
  lf_train_opts o;
  lf_task task = LF_TASK_CHESTXRAY14;
  int have_task = 0;
  /* first pass: the task sets the defaults */
  for (int i = 1; i + 1 < argc; i++)
    if (!strcmp(argv[i], "--task")) {
      if (lf_task_parse(argv[i + 1], &task)) {
        fprintf(stderr, "leapfrog train: %s\n", lf_last_error());
        return 2;
      }
      have_task = 1;
    }
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
    /* flags without a value */
    if (!strcmp(a, "--resume")) { o.resume = 1; continue; }
    if (!strcmp(a, "--augment")) { o.augment = 1; continue; }
    if (!strcmp(a, "--quiet")) { o.progress = 0; continue; }
    if (i + 1 >= argc || strncmp(a, "--", 2)) {
      fprintf(stderr, "leapfrog train: unknown option or missing value: '%s'\n", a);
      usage(stderr);
      return 2;
    }
    const char *v = argv[++i];
    double x;
    lf_status st = LF_OK;
    int ok = 1;
    if (!strcmp(a, "--task")) continue;
    else if (!strcmp(a, "--data")) o.data_dir = v;
    else if (!strcmp(a, "--out")) o.out_dir = v;
    else if (!strcmp(a, "--split")) o.split = v;
    else if (!strcmp(a, "--cache")) o.cache_dir = v;
    else if (!strcmp(a, "--epochs")) { ok = num_arg(a, v, 1, 1e6, &x); o.epochs = (int)x; }
    else if (!strcmp(a, "--batch")) { ok = num_arg(a, v, 1, 65536, &x); o.batch = (int)x; }
    else if (!strcmp(a, "--lr")) { ok = num_arg(a, v, 1e-12, 100, &x); o.lr = (float)x; }
    else if (!strcmp(a, "--weight-decay")) { ok = num_arg(a, v, 0, 10, &x); o.weight_decay = (float)x; }
    else if (!strcmp(a, "--momentum")) { ok = num_arg(a, v, 0, 1, &x); o.momentum = (float)x; }
    else if (!strcmp(a, "--clip")) { ok = num_arg(a, v, 0, 1e9, &x); o.clip_norm = (float)x; }
    else if (!strcmp(a, "--plateau-patience")) { ok = num_arg(a, v, 0, 1e6, &x); o.plateau_patience = (int)x; }
    else if (!strcmp(a, "--plateau-factor")) { ok = num_arg(a, v, 1e-6, 1, &x); o.plateau_factor = (float)x; }
    else if (!strcmp(a, "--warmup")) { ok = num_arg(a, v, 0, 1e9, &x); o.warmup_steps = (int)x; }
    else if (!strcmp(a, "--min-lr")) { ok = num_arg(a, v, 0, 100, &x); o.min_lr = (float)x; }
    else if (!strcmp(a, "--threads")) { ok = num_arg(a, v, 1, 1024, &x); o.threads = (int)x; }
    else if (!strcmp(a, "--seed")) { ok = num_arg(a, v, 0, 1e18, &x); o.seed = (uint64_t)x; }
    else if (!strcmp(a, "--val-every")) { ok = num_arg(a, v, 0, 1e6, &x); o.val_every = (int)x; }
    else if (!strcmp(a, "--early-stop")) { ok = num_arg(a, v, 0, 1e6, &x); o.early_stop = (int)x; }
    else if (!strcmp(a, "--max-steps")) { ok = num_arg(a, v, 0, 1e15, &x); o.max_steps = (int64_t)x; }
    else if (!strcmp(a, "--save-every")) { ok = num_arg(a, v, 0, 1e15, &x); o.save_every_steps = (int64_t)x; }
    else if (!strcmp(a, "--max-batches")) { ok = num_arg(a, v, 0, 1e9, &x); o.max_train_batches = (int)x; }
    else if (!strcmp(a, "--optim")) st = lf_optim_parse(v, &o.optim);
    else if (!strcmp(a, "--schedule")) st = lf_schedule_parse(v, &o.schedule);
    else if (!strcmp(a, "--loss")) st = lf_loss_parse(v, &o.loss);
    else {
      fprintf(stderr, "leapfrog train: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
    if (st) {
      fprintf(stderr, "leapfrog train: %s\n", lf_last_error());
      return 2;
    }
    if (!ok) return 2;
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
  printf("trained %d epochs, %lld steps; last train loss %.4f", r.epochs_done, (long long)r.steps, r.last_train_loss);
  const char *mname = task == LF_TASK_NERVE ? "dice" : "mean AUC";
  if (r.last_metric == r.last_metric) printf(", val %s %.4f", mname, r.last_metric);
  if (r.best_epoch > 0) printf("; best %.4f (epoch %d)", r.best_metric, r.best_epoch);
  printf("%s%s\n", r.stopped_early ? "; stopped early" : "", r.stopped_max_steps ? "; stopped at --max-steps" : "");
  printf("checkpoints: %s/last.safetensors%s%s; log %s/train_log.jsonl\n", o.out_dir, r.best_epoch > 0 ? ", " : "",
         r.best_epoch > 0 ? "best.safetensors" : "", o.out_dir);
  return 0;
}
