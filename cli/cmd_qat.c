/* leapfrog qat: fine-tune a checkpoint with INT8 quantization-aware training
 * (T2's trainer drives the QAT graph of lf_qat.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_model_opts.h"
#include "cli_train_opts.h"
#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_qat.h"
#include "leapfrog/lf_trainer.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog qat --from CKPT --data DIR [--task chestxray14|nerve] [options]\n"
          "Fine-tunes a trained checkpoint with INT8 quantization-aware training: weights\n"
          "fake-quantised int8 per output channel (BN folded), activations int8 per tensor\n"
          "with moving-average observers, straight-through gradients. Checkpoints in OUT\n"
          "(last/best.safetensors) carry the activation ranges for `leapfrog convert`.\n"
          "  --from CKPT               trained FP32 (or QAT) checkpoint\n"
          "  --freeze-bn-after N       steps with live BN statistics, then frozen (folded) BN (0: never)\n"
          "  --freeze-observers-after N  steps of observer updates, then fixed ranges (0: never)\n"
          "  --averaging F             observer moving-average constant (0.01)\n"
          "  --bn-lowering depthwise|mul-add  int8 form of BNs that cannot be folded (DenseNet's\n"
          "                            pre-activation norms; default depthwise): QAT simulates it,\n"
          "                            the checkpoint records it and `convert` uses it\n"
          "  --eval exact|float        validation forward: integer-exact, the converted model's\n"
          "                            int8 outputs (default), or float fake quantisation (the\n"
          "                            training forward's arithmetic; drifts a step per layer)\n"
          "defaults: --out runs/qat --epochs 1 --lr 1e-4; --resume also restores the observers\n");
  lf_cli_train_opts_help(f);
  lf_cli_model_opts_help(f);
}

typedef struct {
  lf_qat *q;
} qat_ctx;

static lf_status save_hook(void *vctx, lf_st_writer *w) {
  /* leapfrog.quant: {"method":"qat","steps":N,"bn_lowering":"..."} (convert reads the lowering) */
  qat_ctx *c = vctx;
  lf_qranges r;
  lf_qranges_init(&r);
  lf_status st = lf_qat_ranges(c->q, &r);
  if (st != LF_OK) { /* nothing observed yet: a checkpoint without ranges */
    lf_qranges_free(&r);
    return LF_OK;
  }
  char *js = NULL;
  st = lf_qranges_to_json(&r, &js);
  if (st == LF_OK) st = lf_st_writer_meta(w, "leapfrog.qranges", js);
  char info[160];
  snprintf(info, sizeof info, "{\"method\":\"qat\",\"steps\":%ld,\"bn_lowering\":\"%s\"}", lf_qat_steps(c->q),
           lf_bn_lowering_name(lf_qat_bn_lowering(c->q)));
  if (st == LF_OK) st = lf_st_writer_meta(w, "leapfrog.quant", info);
  free(js);
  lf_qranges_free(&r);
  return st;
}

static lf_status before_step(void *vctx, lf_model *m, int64_t step) {
  (void)m;
  lf_qat_set_step(((qat_ctx *)vctx)->q, (long)step);
  return LF_OK;
}

int cmd_qat(int argc, char **argv) {
  lf_model_config mc;
  memset(&mc, 0, sizeof mc);
  int have_arch = lf_cli_model_arch(argc, argv, &mc);
  if (have_arch == 2) return 2;
  const char *from = NULL;
  lf_task task = LF_TASK_CHESTXRAY14;
  int have_task = lf_cli_task("qat", argc, argv, &task);
  if (have_task == 2) return 2;
  lf_train_opts o;
  lf_train_opts_default(&o, task);
  o.out_dir = "runs/qat";
  o.epochs = 1;
  o.lr = 1e-4f;
  lf_qat_opts qo = {0.01f, 0, 0, 1};
  int bn_lowering = LF_BN_LOWER_DEFAULT;
  int eval_exact = 1;
  for (int i = 1; i < argc; i++) {
    int r = lf_cli_model_opt(argc, argv, &i, &mc);
    if (r == 2) return 2;
    if (r == 1) continue;
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!strcmp(a, "--from") || !strcmp(a, "--freeze-bn-after") || !strcmp(a, "--freeze-observers-after") ||
        !strcmp(a, "--averaging") || !strcmp(a, "--bn-lowering") || !strcmp(a, "--eval")) {
      if (i + 1 >= argc) {
        fprintf(stderr, "leapfrog qat: %s needs a value\n", a);
        return 2;
      }
      const char *v = argv[++i];
      double x;
      if (!strcmp(a, "--from")) from = v;
      else if (!strcmp(a, "--eval")) {
        if (strcmp(v, "exact") && strcmp(v, "float")) {
          fprintf(stderr, "leapfrog qat: --eval must be exact or float, not '%s'\n", v);
          return 2;
        }
        eval_exact = !strcmp(v, "exact");
      } else if (!strcmp(a, "--bn-lowering")) {
        if (lf_bn_lowering_parse(v, &bn_lowering)) {
          fprintf(stderr, "leapfrog qat: %s\n", lf_last_error());
          return 2;
        }
      } else if (!strcmp(a, "--averaging")) {
        if (!lf_cli_num("qat", a, v, 1e-6, 1, &x)) return 2;
        qo.averaging = (float)x;
      } else {
        if (!lf_cli_num("qat", a, v, 0, 1e15, &x)) return 2;
        if (!strcmp(a, "--freeze-bn-after")) qo.freeze_bn_after = (long)x;
        else qo.freeze_observers_after = (long)x;
      }
      continue;
    }
    if (!strcmp(a, "--seed") && i + 1 < argc) qo.seed = strtoull(argv[i + 1], NULL, 10) + 1; /* QAT graph RNG */
    r = lf_cli_train_opt("qat", argc, argv, &i, &o);
    if (r == 2) return 2;
    if (r == 1) continue;
    fprintf(stderr, "leapfrog qat: unknown option '%s'\n", a);
    usage(stderr);
    return 2;
  }
  if (o.bn_shards > 1) { /* the QAT batch norm (folded, fake-quantised) has no ghost form */
    fprintf(stderr, "leapfrog qat: --bn-shards is for train only\n");
    return 2;
  }
  if (!from || !o.data_dir) {
    fprintf(stderr, "leapfrog qat: --from CKPT and --data DIR are required\n");
    usage(stderr);
    return 2;
  }
  if (lf_train_check_out(&o)) {
    fprintf(stderr, "leapfrog qat: %s\n", lf_last_error());
    return 2;
  }
  lf_model fp;
  memset(&fp, 0, sizeof fp);
  if (lf_ckpt_load(from, have_arch ? &mc : NULL, &fp, NULL)) {
    fprintf(stderr, "leapfrog qat: %s\n", lf_last_error());
    return 1;
  }
  if (!have_task) {
    task = fp.cfg.arch == LF_ARCH_UNET ? LF_TASK_NERVE : LF_TASK_CHESTXRAY14;
    lf_train_opts d;
    lf_train_opts_default(&d, task);
    o.task = task;
    o.loss = d.loss;
  }
  if ((task == LF_TASK_NERVE) != (fp.cfg.arch == LF_ARCH_UNET)) {
    fprintf(stderr, "leapfrog qat: --task %s does not fit a %s checkpoint\n", lf_task_name(task),
            lf_arch_name(fp.cfg.arch));
    lf_model_free(&fp);
    return 2;
  }
  lf_qat *q = NULL;
  if (lf_qat_create_ex(fp.g, fp.input, fp.probs, &qo, bn_lowering, &q)) {
    fprintf(stderr, "leapfrog qat: %s\n", lf_last_error());
    lf_model_free(&fp);
    return 1;
  }
  lf_qat_set_exact(q, eval_exact);
  /* the QAT graph as a model for the trainer (the graph stays owned by q) */
  lf_model qm = fp;
  qm.g = lf_qat_graph(q);
  qm.input = lf_qat_input(q);
  qm.probs = lf_qat_output(q);
  qm.logits = lf_qat_value_node(q, lf_graph_node(fp.g, fp.logits)->name);
  int rc = 1;
  if (qm.logits < 0) {
    fprintf(stderr, "leapfrog qat: the logits node %s has no QAT value\n", lf_graph_node(fp.g, fp.logits)->name);
    goto done;
  }
  if (o.resume) { /* the trainer restores weights and optimiser; the observers are ours */
    char path[4096];
    snprintf(path, sizeof path, "%s/last.safetensors", o.out_dir);
    int n = 0;
    if (lf_qat_load_observers(q, path, &n)) {
      fprintf(stderr, "leapfrog qat: %s\n", lf_last_error());
      goto done;
    }
  }
  qat_ctx ctx = {q};
  o.save_hook = save_hook;
  o.before_step = before_step;
  o.hook_ctx = &ctx;
  lf_train_result r;
  if (lf_train_run(&qm, &o, &r)) {
    fprintf(stderr, "leapfrog qat: %s\n", lf_last_error());
    goto done;
  }
  if (lf_cli_train_report(&r)) {
    printf("qat: %d epochs, %lld steps; last train loss %.4f, val %s %.4f; best %.4f (epoch %d)\n", r.epochs_done,
           (long long)r.steps, r.last_train_loss, task == LF_TASK_NERVE ? "dice" : "mean AUC", r.last_metric,
           r.best_metric, r.best_epoch);
    printf("checkpoints in %s (last.safetensors, best.safetensors): convert with `leapfrog convert %s/best.safetensors -o model.tflite`\n",
           o.out_dir, o.out_dir);
  }
  rc = 0;
done:
  lf_qat_free(q);
  lf_model_free(&fp);
  return rc;
}
