/* leapfrog dataset --task chestxray14|nerve --data DIR [--split MODE] [--seed S]
 *                  [--decode] [--json] [--threads T] */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "data/synth_util.h" /* lf_synth_parallel: thread fan-out */
#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_image.h"

static void ds_usage(FILE *f) {
  fprintf(f,
          "usage: leapfrog dataset --task chestxray14|nerve --data DIR [--split MODE] [--seed S]\n"
          "                        [--decode] [--json] [--threads T]\n"
          "Lists a dataset folder (NIH ChestX-ray14 or Kaggle nerve layout): images per split,\n"
          "positives per class (nerve: empty-mask share), patients, image sizes and formats.\n"
          "  --split MODE  patient[:TR,VA,TE] (default patient:70,10,20), official, paper\n"
          "  --seed S      split seed (default 1)\n"
          "  --decode      decode every image and list the unreadable ones (exit 1 if any)\n"
          "  --json        print JSON (keys: images, unreadable, per_class, splits, formats, ...)\n");
}

typedef struct {
  const lf_dataset *ds;
  int decode;
  lf_image_info *info;
  char **err;
} probe_job;

static lf_status probe_one(int i, void *arg) {
  probe_job *J = arg;
  const lf_sample *s = &J->ds->samples[i];
  if (!s->path) return LF_OK;
  lf_status st;
  if (J->decode) {
    lf_image im;
    st = lf_image_read(s->path, &im, &J->info[i]);
    lf_image_free(&im);
    if (!st && s->mask_path) {
      lf_image_info mi;
      st = lf_image_read(s->mask_path, &im, &mi);
      lf_image_free(&im);
    }
  } else {
    st = lf_image_probe(s->path, &J->info[i]);
  }
  if (st) J->err[i] = strdup(lf_last_error());
  return LF_OK;
}

int cmd_dataset(int argc, char **argv) {
  const char *task_s = NULL, *data = NULL, *split_s = "patient";
  int decode = 0, json = 0, threads = 2;
  long seed = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) { ds_usage(stdout); return 0; }
    if (!strcmp(a, "--decode")) { decode = 1; continue; }
    if (!strcmp(a, "--json")) { json = 1; continue; }
    if (!v) { fprintf(stderr, "leapfrog dataset: %s needs a value\n", a); ds_usage(stderr); return 2; }
    if (!strcmp(a, "--task")) task_s = v;
    else if (!strcmp(a, "--data")) data = v;
    else if (!strcmp(a, "--split")) split_s = v;
    else if (!strcmp(a, "--seed") || !strcmp(a, "--threads")) {
      char *end;
      long x = strtol(v, &end, 10);
      if (*end || x < (a[2] == 's' ? 0 : 1) || x > 0x7fffffff) { fprintf(stderr, "leapfrog dataset: bad %s '%s'\n", a, v); return 2; }
      if (a[2] == 's') seed = x;
      else threads = (int)(x > 64 ? 64 : x);
    } else {
      fprintf(stderr, "leapfrog dataset: unknown option '%s'\n", a);
      ds_usage(stderr);
      return 2;
    }
    i++;
  }
  lf_task task;
  lf_split_opts so;
  lf_split_opts_default(&so);
  so.seed = (uint64_t)seed;
  if (!task_s || !data) { fprintf(stderr, "leapfrog dataset: --task and --data are required\n"); ds_usage(stderr); return 2; }
  if (lf_task_parse(task_s, &task) || lf_split_opts_parse(split_s, &so)) {
    fprintf(stderr, "leapfrog dataset: %s\n", lf_last_error());
    return 2;
  }
  lf_dataset *ds;
  if (lf_dataset_open(task, data, 0, &ds)) { fprintf(stderr, "leapfrog dataset: %s\n", lf_last_error()); return 1; }
  const char *warn = NULL;
  if (lf_dataset_split(ds, &so, &warn)) {
    fprintf(stderr, "leapfrog dataset: %s\n", lf_last_error());
    lf_dataset_free(ds);
    return 1;
  }
  if (warn) fprintf(stderr, "leapfrog dataset: warning: %s\n", warn);
  lf_image_info *info = calloc(ds->n + 1, sizeof *info);
  char **err = calloc(ds->n + 1, sizeof *err);
  if (!info || !err) { fprintf(stderr, "leapfrog dataset: out of memory\n"); return 1; }
  probe_job J = {ds, decode, info, err};
  lf_synth_parallel((int)ds->n, threads, probe_one, &J);

  cJSON *root = cJSON_CreateObject(), *splits = cJSON_AddObjectToObject(root, "splits");
  cJSON_AddStringToObject(root, "task", lf_task_name(task));
  cJSON_AddStringToObject(root, "data", data);
  cJSON_AddStringToObject(root, "split_mode", split_s);
  cJSON_AddNumberToObject(root, "images", (double)ds->n);
  cJSON_AddNumberToObject(root, "missing_images", (double)ds->n_missing_images);
  cJSON_AddNumberToObject(root, "unlisted_images", (double)ds->n_unlisted_images);
  if (warn) cJSON_AddStringToObject(root, "warning", warn);
  static const lf_split order[] = {LF_SPLIT_TRAIN, LF_SPLIT_VAL, LF_SPLIT_TEST, LF_SPLIT_UNLABELLED, LF_SPLIT_NONE, LF_SPLIT_ALL};
  for (int k = 0; k < 6; k++) {
    lf_split sp = order[k];
    size_t n = 0, pos[32] = {0}, npat = 0;
    int *pids = malloc((ds->n + 1) * sizeof(int));
    for (size_t i = 0; i < ds->n; i++) {
      const lf_sample *s = &ds->samples[i];
      if (sp != LF_SPLIT_ALL && s->split != sp) continue;
      n++;
      if (s->split != LF_SPLIT_UNLABELLED) /* Kaggle test/: no labels */
        for (int c = 0; c < ds->num_labels; c++) pos[c] += s->labels >> c & 1;
      if (pids && s->patient >= 0) {
        int seen = 0; /* samples are sorted by patient for nerve, by name (= patient) for NIH */
        if (npat && pids[npat - 1] == s->patient) seen = 1;
        if (!seen) pids[npat++] = s->patient;
      }
    }
    free(pids);
    if (!n && sp != LF_SPLIT_ALL) continue;
    cJSON *o = sp == LF_SPLIT_ALL ? root : cJSON_AddObjectToObject(splits, lf_split_name(sp));
    if (sp != LF_SPLIT_ALL) cJSON_AddNumberToObject(o, "images", (double)n);
    cJSON_AddNumberToObject(o, "patients", (double)npat);
    cJSON *pc = cJSON_AddObjectToObject(o, "per_class");
    for (int c = 0; c < ds->num_labels; c++) cJSON_AddNumberToObject(pc, ds->label_names[c], (double)pos[c]);
    if (task == LF_TASK_NERVE && sp != LF_SPLIT_UNLABELLED)
      cJSON_AddNumberToObject(o, "empty_mask_share", n ? (double)(n - pos[0]) / (double)n : 0);
  }
  /* formats histogram */
  cJSON *fm = cJSON_AddObjectToObject(root, "formats");
  for (size_t i = 0; i < ds->n; i++) {
    if (err[i] || !info[i].format[0]) continue;
    char key[96];
    snprintf(key, sizeof key, "%dx%d %s %s %d-bit", info[i].width, info[i].height, info[i].format,
             info[i].color, info[i].bit_depth);
    cJSON *it = cJSON_GetObjectItemCaseSensitive(fm, key);
    if (it) cJSON_SetNumberValue(it, it->valuedouble + 1);
    else cJSON_AddNumberToObject(fm, key, 1);
  }
  cJSON *un = cJSON_AddArrayToObject(root, "unreadable");
  size_t nbad = 0;
  for (size_t i = 0; i < ds->n; i++)
    if (err[i]) {
      cJSON *e = cJSON_CreateObject();
      cJSON_AddStringToObject(e, "image", ds->samples[i].name);
      cJSON_AddStringToObject(e, "error", err[i]);
      cJSON_AddItemToArray(un, e);
      nbad++;
    }
  cJSON_AddBoolToObject(root, "decoded", decode);
  if (json) {
    char *s = cJSON_Print(root);
    if (s) puts(s);
    free(s);
  } else {
    printf("%s dataset in %s: %zu images", lf_task_name(task), data, ds->n);
    if (ds->n_missing_images) printf(" (%zu listed but missing on disk)", ds->n_missing_images);
    if (ds->n_unlisted_images) printf(" (%zu on disk but not in the CSV, ignored)", ds->n_unlisted_images);
    printf("\nsplit %s, seed %ld\n", split_s, seed);
    cJSON *sp;
    cJSON_ArrayForEach(sp, splits) {
      printf("  %-10s %6d images %6d patients", sp->string,
             (int)cJSON_GetObjectItem(sp, "images")->valuedouble, (int)cJSON_GetObjectItem(sp, "patients")->valuedouble);
      cJSON *e = cJSON_GetObjectItem(sp, "empty_mask_share");
      if (e) printf("  empty masks %.1f%%", 100 * e->valuedouble);
      printf("\n");
    }
    printf("positives per class (all images):\n");
    cJSON *pc = cJSON_GetObjectItem(root, "per_class"), *c;
    cJSON_ArrayForEach(c, pc) printf("  %-20s %6d\n", c->string, (int)c->valuedouble);
    printf("image sizes and formats%s:\n", decode ? " (decoded)" : " (headers)");
    cJSON_ArrayForEach(c, fm) printf("  %-36s %6d\n", c->string, (int)c->valuedouble);
    printf("unreadable: %zu\n", nbad);
    cJSON_ArrayForEach(c, un) printf("  %s\n", cJSON_GetObjectItem(c, "error")->valuestring);
  }
  cJSON_Delete(root);
  for (size_t i = 0; i < ds->n; i++) free(err[i]);
  free(err), free(info);
  lf_dataset_free(ds);
  return nbad ? 1 : 0;
}
