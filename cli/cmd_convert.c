/* leapfrog convert: checkpoint -> .tflite (fully int8 or FP32). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_edgetpu.h"
#include "cli_guard.h"
#include "cli_model_opts.h"
#include "leapfrog/lf_checkpoint.h"
#include "leapfrog/lf_convert.h"
#include "leapfrog/lf_image.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_oppoints.h"

static void help(FILE *f) {
  fprintf(f,
          "usage: leapfrog convert CKPT.safetensors -o MODEL.tflite [options]\n"
          "Writes the model of a checkpoint as a TFLite flatbuffer: fully int8 (default;\n"
          "needs activation ranges from `leapfrog qat` or `leapfrog ptq`) or FP32.\n"
          "  -o, --output PATH     the .tflite to write (atomically)\n"
          "  --fp32                FP32 model (no ranges needed)\n"
          "  --io int8|uint8       int8 model input/output type (uint8 adds QUANTIZE ops at\n"
          "                        the edges, as edgetpu_compiler wants; default int8)\n"
          "  --ranges FILE.json    activation ranges {\"name\": [min, max]} (default: the\n"
          "                        checkpoint's leapfrog.qranges metadata)\n"
          "  --edgetpu             for edgetpu_compiler: uint8 input/output (unless --io int8)\n"
          "                        and 8-bit op versions; the written model is then checked\n"
          "                        against Coral's published requirements (`leapfrog info\n"
          "                        --edgetpu`) and, if an op would not map, nothing is written\n"
          "                        and the reasons are printed (exit 1)\n"
          "  --logits              end at the logits (default: the sigmoid probabilities)\n"
          "  --labels a,b,...      class names for the metadata (default: the 14 NIH\n"
          "                        findings for 14-class DenseNets, \"nerve\" for the UNet)\n"
          "  --norm unit|imagenet  input normalisation recorded in the metadata (default unit: x/255)\n"
          "  --bn-lowering depthwise|mul-add  int8 form of BNs that cannot be folded (default:\n"
          "                        what the checkpoint's qat/ptq recorded, else depthwise)\n"
          "  --operating-points FILE  thresholds per finding for the metadata (\"operating_points\",\n"
          "                        what `leapfrog serve` flags at): `leapfrog score --choose-operating-points\n"
          "                        METHOD --split val --out FILE`'s metrics, or a JSON {finding: threshold};\n"
          "                        every finding one of the model's labels, thresholds in (0, 1).\n"
          "                        Choose them on a validation split, not the test split you report\n"
          "  --batch N             batch size, dim 0 of the input and every activation (default 1;\n"
          "                        each image gives the batch-1 model's bytes)\n"
          "Model options (needed when CKPT is a bare torch state_dict without leapfrog metadata,\n"
          "e.g. torchvision's densenet121 weights: --arch densenet121 --classes 14):\n");
  lf_cli_model_opts_help(f);
}

/* The Edge TPU pre-flight on the model just written at tmp (a scratch file):
 * copied to out with lf_write_file_atomic when every op maps (so out gets the
 * guarantees of every other output: atomic, mode kept, symlinks followed);
 * else the report on stderr and out untouched. tmp is always removed.
 * Returns 0 ok. */
static int convert_edgetpu_check(const char *tmp, const char *out) {
  lfrt_model *m = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  lf_edgetpu_report r;
  memset(&r, 0, sizeof r);
  int ok = 0;
  if (lfrt_model_describe_file(tmp, &m, &err) != LFRT_OK) fprintf(stderr, "leapfrog convert: %s\n", err.msg);
  else if (lf_edgetpu_check(m, &r) != LF_OK) fprintf(stderr, "leapfrog convert: %s\n", lf_last_error());
  else if (r.cpu_ops > 0) {
    fprintf(stderr, "leapfrog convert: --edgetpu: %d of %d ops would not run on the Edge TPU; %s not written:\n",
            r.cpu_ops, r.nops, out);
    for (int n = 0; n < r.nops; n++)
      if (!r.nodes[n].on_edgetpu)
        fprintf(stderr, "  node %d (%s): %s\n", n, lfrt_op_name((int)m->ops[n].op) ? lfrt_op_name((int)m->ops[n].op) : "?",
                r.nodes[n].reason);
  } else {
    unsigned char *bytes = NULL;
    size_t len = 0;
    if (lf_read_file(tmp, 0, &bytes, &len) != LF_OK || lf_write_file_atomic(out, bytes, len) != LF_OK) {
      fprintf(stderr, "leapfrog convert: %s\n", lf_last_error());
      free(bytes);
      goto done;
    }
    free(bytes);
    char rt[48] = "any Edge TPU runtime";
    if (r.min_runtime > 0) snprintf(rt, sizeof rt, "Edge TPU runtime %d or later", r.min_runtime);
    fprintf(stderr, "leapfrog convert: --edgetpu: all %d ops pass the Edge TPU pre-flight (%s; parameters ~%lld "
            "bytes of the 8 MiB on-chip memory, an estimate; this is not edgetpu_compiler)\n", r.nops, rt,
            (long long)r.param_bytes);
    ok = 1;
  }
done:
  unlink(tmp);
  lf_edgetpu_report_free(&r);
  lfrt_model_free(m);
  return !ok;
}

int cmd_convert(int argc, char **argv) {
  const char *in = NULL, *out = NULL, *io = "int8", *ranges_path = NULL, *labels_arg = NULL, *norm = "unit";
  const char *ops_path = NULL;
  int fp32 = 0, logits = 0, edgetpu = 0, io_given = 0, bn_lowering = LF_BN_LOWER_DEFAULT, batch = 1;
  lf_model_config cfg;
  memset(&cfg, 0, sizeof cfg);
  int have_arch = lf_cli_model_arch(argc, argv, &cfg);
  if (have_arch == 2) return 2;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      help(stdout);
      return 0;
    }
    int r = lf_cli_model_opt(argc, argv, &i, &cfg);
    if (r == 2) return 2;
    if (r == 1) continue;
    if ((!strcmp(a, "-o") || !strcmp(a, "--output")) && i + 1 < argc) out = argv[++i];
    else if (!strcmp(a, "--fp32")) fp32 = 1;
    else if (!strcmp(a, "--logits")) logits = 1;
    else if (!strcmp(a, "--io") && i + 1 < argc) io = argv[++i], io_given = 1;
    else if (!strcmp(a, "--edgetpu")) edgetpu = 1;
    else if (!strcmp(a, "--ranges") && i + 1 < argc) ranges_path = argv[++i];
    else if (!strcmp(a, "--labels") && i + 1 < argc) labels_arg = argv[++i];
    else if (!strcmp(a, "--operating-points") && i + 1 < argc) ops_path = argv[++i];
    else if (!strcmp(a, "--norm") && i + 1 < argc) norm = argv[++i];
    else if (!strcmp(a, "--batch") && i + 1 < argc) {
      char *end;
      long b = strtol(argv[++i], &end, 10);
      if (end == argv[i] || *end || b < 1 || b > 4096) {
        fprintf(stderr, "leapfrog convert: --batch '%s': want an integer in [1, 4096]\n", argv[i]);
        return 2;
      }
      batch = (int)b;
    }
    else if (!strcmp(a, "--bn-lowering") && i + 1 < argc) {
      if (lf_bn_lowering_parse(argv[++i], &bn_lowering)) {
        fprintf(stderr, "leapfrog convert: %s\n", lf_last_error());
        return 2;
      }
    }
    else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "leapfrog convert: unknown or incomplete option '%s'\n", a);
      help(stderr);
      return 2;
    } else if (!in) in = a;
    else {
      fprintf(stderr, "leapfrog convert: unexpected argument '%s'\n", a);
      return 2;
    }
  }
  if (!in || !out) {
    fprintf(stderr, "leapfrog convert: need a checkpoint and -o MODEL.tflite\n");
    help(stderr);
    return 2;
  }
  if (edgetpu && fp32) {
    fprintf(stderr, "leapfrog convert: --edgetpu needs an int8 model, not --fp32 (the Edge TPU runs 8-bit tensors only)\n");
    return 2;
  }
  if (edgetpu && !io_given) io = "uint8"; /* what Coral's examples feed edgetpu_compiler */
  if (strcmp(io, "int8") && strcmp(io, "uint8")) {
    fprintf(stderr, "leapfrog convert: --io must be int8 or uint8\n");
    return 2;
  }
  if (strcmp(norm, "unit") && strcmp(norm, "imagenet")) {
    fprintf(stderr, "leapfrog convert: --norm must be unit or imagenet\n");
    return 2;
  }

  if (ops_path && logits) {
    fprintf(stderr, "leapfrog convert: --operating-points are probability thresholds; with --logits the model "
            "outputs logits\n");
    return 2;
  }

  const lf_cli_path outs[] = {{"-o", out}, {NULL, NULL}};
  const lf_cli_path ins[] = {{"CHECKPOINT", in}, {"--ranges", ranges_path}, {"--operating-points", ops_path},
                             {NULL, NULL}};
  if (lf_cli_guard_outputs("convert", outs, ins, NULL)) return 2;
  lf_oppoints ops;
  if (ops_path && lf_oppoints_read_file(ops_path, &ops)) {
    fprintf(stderr, "leapfrog convert: --operating-points: %s\n", lf_last_error());
    return 1;
  }
  lf_model m;
  memset(&m, 0, sizeof m);
  lf_st_file f;
  memset(&f, 0, sizeof f);
  lf_status st = lf_ckpt_load(in, have_arch ? &cfg : NULL, &m, &f);
  if (st != LF_OK) {
    fprintf(stderr, "leapfrog convert: %s\n", lf_last_error());
    return 1;
  }
  int rc = 1;
  lf_qranges r;
  lf_qranges_init(&r);
  char *labels_buf = NULL, *arch_json = NULL;
  const char *labels[256];
  int n_labels = 0;
  if (!fp32) {
    if (ranges_path) {
      unsigned char *buf = NULL;
      size_t len = 0;
      st = lf_read_file(ranges_path, 64u << 20, &buf, &len);
      if (st == LF_OK) st = lf_qranges_from_json((const char *)buf, &r);
      free(buf);
    } else {
      const char *js = lf_st_meta(&f, "leapfrog.qranges");
      if (!js) {
        fprintf(stderr,
                "leapfrog convert: %s has no activation ranges (leapfrog.qranges): run `leapfrog qat` or "
                "`leapfrog ptq` first, pass --ranges, or use --fp32\n", in);
        goto done;
      }
      st = lf_qranges_from_json(js, &r);
    }
    if (st != LF_OK) {
      fprintf(stderr, "leapfrog convert: ranges: %s\n", lf_last_error());
      goto done;
    }
  }
  if (labels_arg) {
    labels_buf = strdup(labels_arg);
    for (char *p = labels_buf, *tok; labels_buf && (tok = strsep(&p, ","));) {
      if (n_labels == 256) {
        fprintf(stderr, "leapfrog convert: --labels: more than 256 labels\n");
        goto done;
      }
      labels[n_labels++] = tok;
    }
  } else {
    n_labels = lf_convert_default_labels(&m.cfg, labels, 256);
  }
  /* the lowering QAT simulated / PTQ calibrated, unless overridden */
  int recorded = lf_bn_lowering_recorded(lf_st_meta(&f, "leapfrog.quant"));
  if (bn_lowering == LF_BN_LOWER_DEFAULT) bn_lowering = recorded;
  else if (!fp32 && recorded != LF_BN_LOWER_DEFAULT && recorded != bn_lowering)
    fprintf(stderr, "leapfrog convert: warning: %s was quantised for --bn-lowering %s, converting with %s\n", in,
            lf_bn_lowering_name(recorded), lf_bn_lowering_name(bn_lowering));
  if (ops_path && lf_oppoints_check_labels(&ops, labels, n_labels, ops_path)) {
    fprintf(stderr, "leapfrog convert: --operating-points: %s\n", lf_last_error());
    goto done;
  }
  arch_json = lf_model_config_to_json(&m.cfg);
  lf_convert_opts o;
  memset(&o, 0, sizeof o);
  o.int8 = !fp32;
  o.io_uint8 = !strcmp(io, "uint8");
  o.labels = labels;
  o.n_labels = n_labels;
  o.arch_json = arch_json;
  o.description = fp32 ? "leapfrog fp32" : "leapfrog int8";
  o.bn_lowering = bn_lowering;
  o.batch = batch;
  o.oppoints = ops_path ? &ops : NULL;
  o.norm_channels = m.cfg.in_c > 4 ? 4 : m.cfg.in_c;
  lf_norm_values(!strcmp(norm, "imagenet") ? LF_NORM_IMAGENET : LF_NORM_UNIT, o.norm_channels, o.norm_mean, o.norm_std);
  /* --edgetpu: write a scratch copy in the temp folder, check it, then write the output (or not) */
  char tmp[4096];
  const char *dest = out;
  if (edgetpu) {
    const char *td = getenv("TMPDIR");
    int fd = -1;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/leapfrog-edgetpu-check.XXXXXX", td && *td ? td : "/tmp") >= sizeof tmp ||
        (fd = mkstemp(tmp)) < 0) {
      fprintf(stderr, "leapfrog convert: --edgetpu: cannot make a scratch file in %s\n", td && *td ? td : "/tmp");
      goto done;
    }
    close(fd);
    dest = tmp;
  }
  st = lf_convert_graph_file(m.g, m.input, logits ? m.logits : m.probs, fp32 ? NULL : &r, &o, dest);
  if (st != LF_OK) {
    fprintf(stderr, "leapfrog convert: %s\n", lf_last_error());
    if (edgetpu) unlink(tmp);
    goto done;
  }
  if (edgetpu && convert_edgetpu_check(tmp, out)) goto done;
  fprintf(stderr, "leapfrog convert: wrote %s (%s, %s io, batch %d", out, fp32 ? "fp32" : "int8",
          fp32 ? "float32" : io, batch);
  if (ops_path) fprintf(stderr, "; operating points of %d of %d findings from %s", ops.n, n_labels, ops_path);
  fprintf(stderr, ")\n");
  rc = 0;
done:
  free(labels_buf);
  free(arch_json);
  lf_qranges_free(&r);
  lf_st_close(&f);
  lf_model_free(&m);
  return rc;
}
