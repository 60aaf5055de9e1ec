/* leapfrog ptq: calibrate a trained FP32 checkpoint for int8 (post-training
 * quantisation); writes a checkpoint with the ranges for `leapfrog convert`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_guard.h"
#include "cli_model_opts.h"
#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_loader.h"
#include "leapfrog/lf_ptq.h"

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog ptq --from CKPT --data DIR --calib N -o OUT.safetensors [options]\n"
          "       leapfrog ptq MODEL.tflite --calib DIR -o OUT.tflite [options]  (any FP32 .tflite;\n"
          "                                   `leapfrog ptq MODEL.tflite --help` for its options)\n"
          "Runs N calibration images of the training split through the FP32 model, records a\n"
          "histogram of every activation the int8 model quantises, and writes the checkpoint\n"
          "again with the chosen ranges (metadata leapfrog.qranges) for `leapfrog convert`.\n"
          "  --method minmax|percentile|mse   range choice (default mse: minimum expected\n"
          "                                   int8 quantisation error)\n"
          "  --percentile P                   for --method percentile (default 99.99)\n"
          "  --bn-lowering depthwise|mul-add  int8 form of unfoldable BNs (default depthwise);\n"
          "                                   recorded in the checkpoint for `convert`\n"
          "  --task chestxray14|nerve         (default from the checkpoint's arch)\n"
          "  --split SPEC                     dataset split spec (default patient, as train)\n"
          "  --batch N (16)  --threads N (2)\n");
  lf_cli_model_opts_help(f);
}

typedef struct {
  const char *json, *info;
} ptq_meta;
static lf_status hook(void *vctx, lf_st_writer *w) {
  ptq_meta *m = vctx;
  lf_status st = lf_st_writer_meta(w, "leapfrog.qranges", m->json);
  if (st == LF_OK) st = lf_st_writer_meta(w, "leapfrog.quant", m->info);
  return st;
}

int cmd_ptq(int argc, char **argv) {
  if (argc > 1 && argv[1][0] != '-') return cmd_ptq_tflite(argc, argv); /* a model file first: any FP32 .tflite */
  lf_model_config mc;
  memset(&mc, 0, sizeof mc);
  int have_arch = lf_cli_model_arch(argc, argv, &mc);
  if (have_arch == 2) return 2;
  const char *from = NULL, *data = NULL, *out = NULL, *split = "patient", *task_s = NULL;
  lf_calib_method method = LF_CALIB_MSE;
  double pct = 99.99;
  long calib = 0;
  int batch = 16, threads = 2, bn_lowering = LF_BN_LOWER_DEFAULT;
  for (int i = 1; i < argc; i++) {
    int r = lf_cli_model_opt(argc, argv, &i, &mc);
    if (r == 2) return 2;
    if (r == 1) continue;
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (i + 1 >= argc || a[0] != '-') {
      fprintf(stderr, "leapfrog ptq: unknown option or missing value: '%s'\n", a);
      usage(stderr);
      return 2;
    }
    const char *v = argv[++i];
    char *end = NULL;
    if (!strcmp(a, "--from")) from = v;
    else if (!strcmp(a, "--data")) data = v;
    else if (!strcmp(a, "-o") || !strcmp(a, "--output")) out = v;
    else if (!strcmp(a, "--split")) split = v;
    else if (!strcmp(a, "--task")) task_s = v;
    else if (!strcmp(a, "--bn-lowering")) {
      if (lf_bn_lowering_parse(v, &bn_lowering)) {
        fprintf(stderr, "leapfrog ptq: %s\n", lf_last_error());
        return 2;
      }
    }
    else if (!strcmp(a, "--method")) {
      if (lf_calib_method_parse(v, &method)) {
        fprintf(stderr, "leapfrog ptq: %s\n", lf_last_error());
        return 2;
      }
    } else if (!strcmp(a, "--percentile")) {
      pct = strtod(v, &end);
      if (*end || !(pct > 50 && pct <= 100)) {
        fprintf(stderr, "leapfrog ptq: --percentile needs a number in (50, 100]\n");
        return 2;
      }
    } else if (!strcmp(a, "--calib") || !strcmp(a, "--batch") || !strcmp(a, "--threads")) {
      long n = strtol(v, &end, 10);
      if (*end || n < 1 || n > 100000000) {
        fprintf(stderr, "leapfrog ptq: %s needs a positive integer, got '%s'\n", a, v);
        return 2;
      }
      if (!strcmp(a, "--calib")) calib = n;
      else if (!strcmp(a, "--batch")) batch = (int)n;
      else threads = (int)n;
    } else {
      fprintf(stderr, "leapfrog ptq: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (!from || !data || !out || calib <= 0) {
    fprintf(stderr, "leapfrog ptq: --from, --data, --calib N and -o are required\n");
    usage(stderr);
    return 2;
  }
  const lf_cli_path outs[] = {{"-o", out}, {NULL, NULL}}, ins[] = {{"--from", from}, {NULL, NULL}},
                    dirs[] = {{"--data", data}, {NULL, NULL}};
  if (lf_cli_guard_outputs("ptq", outs, ins, dirs)) return 2;
  lf_model m;
  memset(&m, 0, sizeof m);
  if (lf_ckpt_load(from, have_arch ? &mc : NULL, &m, NULL)) {
    fprintf(stderr, "leapfrog ptq: %s\n", lf_last_error());
    return 1;
  }
  lf_task task = m.cfg.arch == LF_ARCH_UNET ? LF_TASK_NERVE : LF_TASK_CHESTXRAY14;
  if (task_s && lf_task_parse(task_s, &task)) {
    fprintf(stderr, "leapfrog ptq: %s\n", lf_last_error());
    lf_model_free(&m);
    return 2;
  }
  int rc = 1;
  lf_dataset *ds = NULL;
  lf_loader *ld = NULL;
  lf_ptq *pc = NULL;
  lf_qranges r;
  lf_qranges_init(&r);
  char *json = NULL;
  lf_split_opts so;
  lf_split_opts_default(&so);
  lf_tensor x = {0};
  lf_status st = lf_split_opts_parse(split, &so);
  if (!st) st = lf_dataset_open(task, data, 0, &ds);
  if (!st) st = lf_dataset_split(ds, &so, NULL);
  lf_loader_opts lo;
  lf_loader_opts_default(&lo, task);
  lo.height = m.cfg.in_h;
  lo.width = m.cfg.in_w;
  lo.channels = m.cfg.in_c;
  lo.batch_size = batch;
  lo.threads = threads;
  lo.shuffle = 0;
  lo.augment = 0;
  lf_set_threads(threads);
  if (!st) st = lf_loader_create(ds, LF_SPLIT_TRAIN, &lo, &ld);
  if (!st) st = lf_loader_start_epoch(ld, 0);
  if (!st) st = lf_ptq_create_ex(m.g, m.input, m.probs, bn_lowering, &pc);
  long seen = 0;
  while (!st && seen < calib) {
    lf_batch *b = NULL;
    st = lf_loader_next(ld, &b);
    if (st || !b) break;
    int n = b->n;
    if (seen + n > calib) n = (int)(calib - seen);
    lf_tensor_view(&x, b->x, 4, (int[]){n, m.cfg.in_h, m.cfg.in_w, m.cfg.in_c});
    st = lf_graph_set_input(m.g, m.input, &x);
    if (!st) st = lf_graph_forward(m.g, 0);
    if (!st) st = lf_ptq_observe(pc);
    seen += n;
  }
  if (!st && seen == 0) st = lf_error(LF_ENOTFOUND, "no calibration image in the training split of %s", data);
  if (!st) st = lf_ptq_ranges(pc, method, pct, &r);
  if (!st) st = lf_qranges_to_json(&r, &json);
  if (!st) {
    char info[200];
    snprintf(info, sizeof info,
             "{\"method\":\"ptq\",\"calibration\":\"%s\",\"percentile\":%g,\"images\":%ld,\"bn_lowering\":\"%s\"}",
             lf_calib_method_name(method), pct, seen, lf_bn_lowering_name(bn_lowering));
    ptq_meta pm = {json, info};
    st = lf_ckpt_save(out, &m, NULL, NULL, hook, &pm);
  }
  if (st) fprintf(stderr, "leapfrog ptq: %s\n", lf_last_error());
  else {
    printf("ptq: calibrated %d activations on %ld images (%s); wrote %s\n", r.n, seen, lf_calib_method_name(method), out);
    rc = 0;
  }
  free(json);
  lf_qranges_free(&r);
  lf_ptq_free(pc);
  lf_loader_free(ld);
  lf_dataset_free(ds);
  lf_model_free(&m);
  return rc;
}
