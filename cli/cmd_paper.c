/* leapfrog paper --chestxray14 DIR --nerve DIR [--out DIR]: the paper's study end to
 * end on the real datasets (DenseNet-121 224x224 on NIH ChestX-ray14, UNet 80x112 on the
 * Kaggle nerve data): train FP32 -> QAT -> convert (int8, fp32, QAT weights in fp32) ->
 * predict on the test and validation splits -> score -> report. Each stage runs the same code as its command (the
 * cmd_* functions, in this process) and, when it succeeds, leaves OUT/stages/NAME.done;
 * a stage with its marker is skipped, so a stopped run continues where it stopped (a
 * training stage without its marker resumes from its last checkpoint). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "leapfrog/lf_fileio.h"

enum { MAX_ARGS = 48 };

typedef struct {
  const char *out, *chest, *nerve, *split, *threads, *chest_model, *nerve_model, *max_batches, *stop_after;
  int fp32_epochs_chest, fp32_epochs_nerve, qat_epochs, dry_run;
} paper_opts;

typedef struct {
  char *v[MAX_ARGS];
  int n;
} argl;

static void add(argl *a, const char *fmt, ...) {
  if (a->n >= MAX_ARGS - 1) return; /* the stage tables below stay far under the limit */
  va_list ap;
  va_start(ap, fmt);
  char buf[4096];
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  a->v[a->n++] = strdup(buf);
  a->v[a->n] = NULL;
}

/* Each space-separated word of `words` as one argument. */
static void add_words(argl *a, const char *words) {
  char buf[1024];
  snprintf(buf, sizeof buf, "%s", words);
  for (char *save = NULL, *t = strtok_r(buf, " ", &save); t; t = strtok_r(NULL, " ", &save)) add(a, "%s", t);
}

static void argl_free(argl *a) {
  for (int i = 0; i < a->n; i++) free(a->v[i]);
  a->n = 0;
}

static int exists(const char *fmt, const char *dir, const char *name) {
  char p[8192];
  snprintf(p, sizeof p, fmt, dir, name);
  struct stat st;
  return stat(p, &st) == 0;
}

/* The checkpoint a stage takes from a finished run: the best on validation, or the last
 * one when the run had no validation split (a tiny dataset). */
static const char *best_or_last(const char *run) {
  return exists("%s/%s", run, "best.safetensors") || !exists("%s/%s", run, "last.safetensors") ? "best.safetensors"
                                                                                               : "last.safetensors";
}

/* Runs one stage unless OUT/stages/NAME.done exists; records it when it succeeds. */
static int stage(const paper_opts *o, const char *name, lf_cmd_fn fn, argl *a, const char *product) {
  int rc = 0;
  if (exists("%s/stages/%s.done", o->out, name)) {
    fprintf(stderr, "leapfrog paper: %-18s done before, skipped\n", name);
    goto out;
  }
  /* convert and predict write their one output atomically: present means whole (e.g.
   * predictions made on the device and copied back) */
  if (product && exists("%s%s", product, "")) {
    fprintf(stderr, "leapfrog paper: %-18s %s exists, skipped\n", name, product);
    goto out;
  }
  fprintf(stderr, "\nleapfrog paper: %-18s leapfrog", name);
  for (int i = 0; i < a->n; i++) fprintf(stderr, " %s", a->v[i]);
  fprintf(stderr, "\n");
  if (o->dry_run) goto out;
  time_t t0 = time(NULL);
  rc = fn(a->n, a->v);
  fflush(stdout); /* the stage's report before the next stage's header */
  if (rc) {
    fprintf(stderr, "leapfrog paper: stage %s failed (exit %d); fix the cause and run the same command again: "
                    "finished stages are kept\n", name, rc);
    goto out;
  }
  char path[4096], body[256];
  snprintf(path, sizeof path, "%s/stages/%s.done", o->out, name);
  int n = snprintf(body, sizeof body, "{\"stage\":\"%s\",\"seconds\":%lld,\"finished\":%lld}\n", name,
                   (long long)(time(NULL) - t0), (long long)time(NULL));
  if (lf_write_file_atomic(path, body, (size_t)n) != LF_OK) {
    fprintf(stderr, "leapfrog paper: %s\n", lf_last_error());
    rc = 1;
  }
out:
  argl_free(a);
  return rc;
}

static int task_is_chest(const char *task) { return !strcmp(task, "chestxray14"); }

/* One study: FP32 training, QAT, the three models, predictions and scores. */
static int study(const paper_opts *o, const char *task, const char *data, const char *tag, const char *model,
                 int fp32_epochs, const char *loss) {
  argl a;
  memset(&a, 0, sizeof a);
  char run[4096], name[64];
  int rc;
#define RUN(stage_name, fn, product)                          \
  do {                                                       \
    snprintf(name, sizeof name, "%s-%s", tag, stage_name);   \
    if ((rc = stage(o, name, fn, &a, product))) return rc;   \
  } while (0)
#define STOP_AFTER(kind) \
  if (o->stop_after && !strcmp(o->stop_after, kind)) return 0

  snprintf(run, sizeof run, "%s/%s-fp32", o->out, tag);
  add(&a, "train"), add(&a, "--task"), add(&a, "%s", task), add(&a, "--data"), add(&a, "%s", data);
  add_words(&a, model);
  add(&a, "--epochs"), add(&a, "%d", fp32_epochs), add(&a, "--loss"), add(&a, "%s", loss);
  add(&a, "--split"), add(&a, "%s", o->split), add(&a, "--threads"), add(&a, "%s", o->threads);
  add(&a, "--augment"), add(&a, "--out"), add(&a, "%s", run);
  if (o->max_batches) add(&a, "--max-batches"), add(&a, "%s", o->max_batches);
  if (exists("%s/%s", run, "last.safetensors")) add(&a, "--resume"); /* stopped mid-way: continue it */
  RUN("train-fp32", cmd_train, NULL);
  STOP_AFTER("train");

  char qrun[4096];
  snprintf(qrun, sizeof qrun, "%s/%s-qat", o->out, tag);
  add(&a, "qat"), add(&a, "--from"), add(&a, "%s/%s", run, best_or_last(run)), add(&a, "--task"), add(&a, "%s", task);
  add(&a, "--data"), add(&a, "%s", data);
  add_words(&a, model);
  add(&a, "--epochs"), add(&a, "%d", o->qat_epochs), add(&a, "--lr"), add(&a, "1e-4"), add(&a, "--loss");
  add(&a, "%s", loss), add(&a, "--split"), add(&a, "%s", o->split), add(&a, "--threads"), add(&a, "%s", o->threads);
  add(&a, "--out"), add(&a, "%s", qrun);
  if (o->max_batches) add(&a, "--max-batches"), add(&a, "%s", o->max_batches);
  if (exists("%s/%s", qrun, "last.safetensors")) add(&a, "--resume");
  RUN("qat", cmd_qat, NULL);
  STOP_AFTER("qat");

  /* int8; the FP32 model; the QAT weights in FP32 (int8 vs it isolates what quantisation costs) */
  static const struct {
    const char *model, *from, *flag;
  } models[] = {{"int8", "qat", NULL}, {"fp32", "fp32", "--fp32"}, {"qat-fp32", "qat", "--fp32"}};
  for (int i = 0; i < 3; i++) {
    char from[4200];
    snprintf(from, sizeof from, "%s/%s-%s", o->out, tag, models[i].from);
    add(&a, "convert"), add(&a, "%s/%s", from, best_or_last(from));
    if (models[i].flag) add(&a, "%s", models[i].flag);
    char sn[32], product[4200];
    snprintf(product, sizeof product, "%s/%s-%s.tflite", o->out, tag, models[i].model);
    add(&a, "-o"), add(&a, "%s", product);
    snprintf(sn, sizeof sn, "convert-%s", models[i].model);
    RUN(sn, cmd_convert, product);
  }
  STOP_AFTER("convert");
  const char *ext = strcmp(task, "nerve") ? "predictions.json" : "masks.csv";
  for (int i = 0; i < 3; i++) {
    add(&a, "predict"), add(&a, "%s/%s-%s.tflite", o->out, tag, models[i].model), add(&a, "--task"), add(&a, "%s", task);
    add(&a, "--data"), add(&a, "%s", data), add(&a, "--split-mode"), add(&a, "%s", o->split);
    add(&a, "--threads"), add(&a, "%s", o->threads);
    char sn[32], product[4200];
    snprintf(product, sizeof product, "%s/%s-%s-%s", o->out, tag, models[i].model, ext);
    add(&a, "--out"), add(&a, "%s", product);
    add(&a, "--stats"), add(&a, "%s/%s-%s-stats.json", o->out, tag, models[i].model);
    snprintf(sn, sizeof sn, "predict-%s", models[i].model);
    RUN(sn, cmd_predict, product);
  }
  /* the validation split too (chest): the report picks each finding's operating point there */
  for (int i = 0; task_is_chest(task) && i < 3; i++) {
    add(&a, "predict"), add(&a, "%s/%s-%s.tflite", o->out, tag, models[i].model), add(&a, "--task"), add(&a, "%s", task);
    add(&a, "--data"), add(&a, "%s", data), add(&a, "--split"), add(&a, "val"), add(&a, "--split-mode");
    add(&a, "%s", o->split), add(&a, "--threads"), add(&a, "%s", o->threads);
    char sn[40], product[4200];
    snprintf(product, sizeof product, "%s/%s-%s-val-%s", o->out, tag, models[i].model, ext);
    add(&a, "--out"), add(&a, "%s", product);
    snprintf(sn, sizeof sn, "predict-val-%s", models[i].model);
    RUN(sn, cmd_predict, product);
  }
  STOP_AFTER("predict");
  /* INT8 against the FP32 model (what the whole QAT step costs), then against the same
   * weights in FP32 (what quantisation alone costs) */
  static const char *const against[] = {"fp32", "qat-fp32"};
  for (int i = 0; i < 2; i++) {
    add(&a, "score"), add(&a, "--task"), add(&a, "%s", task), add(&a, "--data"), add(&a, "%s", data);
    add(&a, "--split-mode"), add(&a, "%s", o->split), add(&a, "--pred"), add(&a, "%s/%s-int8-%s", o->out, tag, ext);
    add(&a, "--compare"), add(&a, "%s/%s-%s-%s", o->out, tag, against[i], ext);
    add(&a, "--latency"), add(&a, "%s/%s-int8-stats.json", o->out, tag);
    add(&a, "--out"), add(&a, "%s/%s-int8-vs-%s-metrics.json", o->out, tag, against[i]);
    add(&a, "--report"), add(&a, "%s/%s-int8-vs-%s-report.html", o->out, tag, against[i]);
    char sn[40];
    snprintf(sn, sizeof sn, "score-vs-%s", against[i]);
    RUN(sn, cmd_score, NULL);
  }
#undef RUN
#undef STOP_AFTER
  return 0;
}

/* the paper's DenseNet-121 at 224x224 and its UNet at 80x112 */
#define CHEST_MODEL "--arch densenet121 --size 224"
#define NERVE_MODEL "--arch unet --size 80x112"

/* `leapfrog report` reads the datasets at OUT/chest and OUT/nerve: links to the user's
 * folders (an existing OUT/chest or OUT/nerve is used as it is). */
static int link_dataset(const char *out, const char *name, const char *dir) {
  char link[4200];
  snprintf(link, sizeof link, "%s/%s", out, name);
  struct stat st;
  if (lstat(link, &st) == 0) return 0;
  char *abs = realpath(dir, NULL);
  int bad = !abs || symlink(abs, link) != 0;
  if (bad) fprintf(stderr, "leapfrog paper: cannot link %s to %s: %s\n", link, dir, strerror(errno));
  free(abs);
  return bad;
}

static int report(const paper_opts *o) {
  if (!o->dry_run && ((o->chest && link_dataset(o->out, "chest", o->chest)) ||
                      (o->nerve && link_dataset(o->out, "nerve", o->nerve))))
    return 1;
  argl a;
  memset(&a, 0, sizeof a);
  add(&a, "report"), add(&a, "%s", o->out), add(&a, "--split-mode"), add(&a, "%s", o->split);
  return stage(o, "report", cmd_report, &a, NULL);
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog paper --chestxray14 DIR --nerve DIR [--out DIR] [options]\n"
          "Runs the paper's study on the real datasets: DenseNet-121 (224x224, 14 findings) on NIH\n"
          "ChestX-ray14 and the UNet (80x112) on the Kaggle ultrasound nerve data, each trained in\n"
          "FP32, fine-tuned with INT8 QAT, converted (int8, fp32, and the QAT weights in fp32),\n"
          "run on the test split and scored (per-finding AUC with 95%% CIs, Dice, ms/image, sizes).\n"
          "A finished stage leaves OUT/stages/NAME.done and is skipped when the command is run\n"
          "again; a stopped training stage resumes from its last checkpoint.\n"
          "  --out DIR            where everything goes (default paper-out)\n"
          "  --chestxray14 DIR    NIH ChestX-ray14 folder (Data_Entry_2017.csv, images/...)\n"
          "  --nerve DIR          Kaggle nerve folder (train/, train_masks.csv)\n"
          "                       (at least one of the two)\n"
          "  --split SPEC         official (default: NIH's test_list.txt; nerve: by subject),\n"
          "                       patient[:TR,VA,TE], or paper (image-level, as the paper's code)\n"
          "  --epochs N           FP32 epochs for both studies (default: chest 10, nerve 20)\n"
          "  --qat-epochs N       QAT epochs (default 2)\n"
          "  --threads N          threads for every stage (default 2)\n"
          "  --chest-model ARGS   the DenseNet's model options (default \"%s\")\n"
          "  --nerve-model ARGS   the UNet's model options (default \"%s\")\n"
          "  --max-batches N      at most N training batches per epoch (quick trial runs)\n"
          "  --stop-after KIND    stop each study after its train, qat, convert or predict stages\n"
          "                       (e.g. convert here, predict on the device, copy the predictions\n"
          "                       back into OUT and run again: stages whose output exists are skipped)\n"
          "  --dry-run            print the stages and their commands, run nothing\n"
          "Stages and outputs: OUT/{chest,nerve}-fp32/ and -qat/ (checkpoints), OUT/*-{int8,fp32,\n"
          "qat-fp32}.tflite, predictions (test; chest also val, for the operating points),\n"
          "OUT/*-int8-vs-{fp32,qat-fp32}-metrics.json, and OUT/report.html + report.md\n"
          "(`leapfrog report`, reading the datasets through the links OUT/chest and OUT/nerve).\n",
          CHEST_MODEL, NERVE_MODEL);
}

static int parse_epochs(const char *s, int *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (!*s || *end || v < 1 || v > 1000) return -1;
  *out = (int)v;
  return 0;
}

int cmd_paper(int argc, char **argv) {
  paper_opts o = {.out = "paper-out", .split = "official", .threads = "2", .chest_model = CHEST_MODEL,
                  .nerve_model = NERVE_MODEL, .fp32_epochs_chest = 10,
                  .fp32_epochs_nerve = 20, .qat_epochs = 2};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    int epochs;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    } else if (!strcmp(a, "--dry-run")) {
      o.dry_run = 1;
      continue;
    } else if (!v) {
      fprintf(stderr, "leapfrog paper: unexpected argument '%s'\n\n", a);
      usage(stderr);
      return 2;
    }
    if (!strcmp(a, "--out")) o.out = v;
    else if (!strcmp(a, "--chestxray14")) o.chest = v;
    else if (!strcmp(a, "--nerve")) o.nerve = v;
    else if (!strcmp(a, "--split")) o.split = v;
    else if (!strcmp(a, "--threads")) o.threads = v;
    else if (!strcmp(a, "--chest-model")) o.chest_model = v;
    else if (!strcmp(a, "--nerve-model")) o.nerve_model = v;
    else if (!strcmp(a, "--max-batches")) o.max_batches = v;
    else if (!strcmp(a, "--stop-after")) {
      if (strcmp(v, "train") && strcmp(v, "qat") && strcmp(v, "convert") && strcmp(v, "predict")) {
        fprintf(stderr, "leapfrog paper: --stop-after wants train, qat, convert or predict, got '%s'\n", v);
        return 2;
      }
      o.stop_after = v;
    }
    else if (!strcmp(a, "--epochs") || !strcmp(a, "--qat-epochs")) {
      if (parse_epochs(v, &epochs)) {
        fprintf(stderr, "leapfrog paper: %s wants 1..1000, got '%s'\n", a, v);
        return 2;
      }
      if (!strcmp(a, "--qat-epochs")) o.qat_epochs = epochs;
      else o.fp32_epochs_chest = o.fp32_epochs_nerve = epochs;
    } else {
      fprintf(stderr, "leapfrog paper: unexpected argument '%s'\n\n", a);
      usage(stderr);
      return 2;
    }
    i++;
  }
  if (!o.chest && !o.nerve) {
    fprintf(stderr, "leapfrog paper: give --chestxray14 DIR and/or --nerve DIR\n\n");
    usage(stderr);
    return 2;
  }
  char dir[4096];
  snprintf(dir, sizeof dir, "%s/stages", o.out);
  if (!o.dry_run && (lf_mkdirs(dir) != LF_OK)) {
    fprintf(stderr, "leapfrog paper: %s\n", lf_last_error());
    return 1;
  }
  int rc = 0;
  if (o.chest) rc = study(&o, "chestxray14", o.chest, "chest", o.chest_model, o.fp32_epochs_chest, "bce");
  /* (the Kaggle data has no official split: "official" splits it by subject) */
  if (!rc && o.nerve) rc = study(&o, "nerve", o.nerve, "nerve", o.nerve_model, o.fp32_epochs_nerve, "dice");
  if (!rc && !o.stop_after) rc = report(&o);
  if (!rc && !o.dry_run) fprintf(stderr, "\nleapfrog paper: done; metrics and reports in %s/\n", o.out);
  return rc;
}
