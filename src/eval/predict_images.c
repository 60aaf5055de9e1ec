/* `leapfrog predict MODEL IMAGE|DIR|@LIST...`: any image files through the
 * predictor, no dataset layout or labels; results journaled so a killed run
 * resumes (see lf_predict.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval/predict_images_internal.h"
#include "leapfrog/lf_dist.h"
#include "leapfrog/lf_rle.h"

void lf_predict_images_opts_default(lf_predict_images_opts *o) {
  memset(o, 0, sizeof *o);
  lf_predictor_opts_default(&o->pred);
  o->pred.require_meta = 1;
}

static double now_s(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

typedef struct {
  const lf_predict_images_opts *o;
  lf_predictor *pr;
  const lf_predictor_info *in;
  lf_predict_inputs files;
  size_t lo, hi; /* this process's files (all but under mpirun -np N: predict_shard.c) */
  size_t *by_path;     /* file indices sorted by path (resume lookups) */
  unsigned char *done; /* per file: its results are in */
  lf_predict_row *rows;
  size_t nrows, caprows;
  lf_predict_journal journal;
  int journaling;
  lf_predict_timing tm;
  size_t n_done, n_resumed, n_skipped, n_files_run;
  /* the batch being filled: slot -> file, frame, image size, last frame of its file */
  struct slot {
    size_t file;
    int frame, w, h, last;
    char *key;
  } *slots;
  int nslots;
  double t_start, t_progress;
} run;

static lf_status add_row(run *r, lf_predict_row *row) {
  if (r->nrows == r->caprows) {
    size_t nc = r->caprows ? 2 * r->caprows : 256;
    lf_predict_row *p = realloc(r->rows, nc * sizeof *p);
    if (!p) return lf_error(LF_ENOMEM, "predict: out of memory");
    r->rows = p, r->caprows = nc;
  }
  r->rows[r->nrows++] = *row;
  memset(row, 0, sizeof *row);
  return LF_OK;
}

static const char *const *g_paths; /* qsort has no context argument */
static int cmp_by_path(const void *a, const void *b) {
  return strcmp(g_paths[*(const size_t *)a], g_paths[*(const size_t *)b]);
}

static size_t find_file(const run *r, const char *path) {
  size_t lo = 0, hi = r->files.n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    int c = strcmp(r->files.paths[r->by_path[mid]], path);
    if (!c) return r->by_path[mid];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return (size_t)-1;
}

/* A file the journal of the killed run finished: keep its rows, skip it now. */
static lf_status resumed_file(const char *path, lf_predict_row *rows, size_t nrows, void *ctx) {
  run *r = ctx;
  size_t f = find_file(r, path);
  lf_status st = LF_OK;
  int bad = 0;
  for (size_t i = 0; i < nrows; i++)
    if (r->in->task == LF_PREDICT_SEGMENT ? !rows[i].rle : !rows[i].scores) bad = 1;
  if (f == (size_t)-1 || f < r->lo || f >= r->hi || r->done[f] || bad) { /* not asked for (or twice): dropped */
    for (size_t i = 0; i < nrows; i++) lf_predict_row_free(&rows[i]);
    free(rows);
    return LF_OK;
  }
  for (size_t i = 0; !st && i < nrows; i++) { /* into this run's journal too: a later resume keeps them */
    rows[i].file = f;
    if (r->journaling) st = lf_predict_journal_add_row(&r->journal, path, &rows[i], r->in->n_labels);
    if (!st) st = add_row(r, &rows[i]);
  }
  if (!st && r->journaling) st = lf_predict_journal_add_done(&r->journal, path);
  for (size_t i = 0; i < nrows; i++) lf_predict_row_free(&rows[i]);
  free(rows);
  r->done[f] = 1;
  r->n_resumed++, r->n_done++;
  return st;
}

/* Removes the journals of OUT other than this run's (an earlier run's with
 * another process count, already merged); a missing one is fine (another
 * rank on the same folder got there first). */
static void remove_other_journals(const char *out_path) {
  char **paths;
  size_t n;
  if (lf_predict_journal_list(out_path, &paths, &n)) return;
  for (size_t i = 0; i < n; i++) {
    const char *tail = paths[i] + strlen(out_path) + strlen(".partial");
    unsigned rr, nn;
    int used = 0, ours = lf_dist_size() == 1 ? !*tail
                                              : sscanf(tail, ".%uof%u%n", &rr, &nn, &used) == 2 && !tail[used] &&
                                                    (int)nn == lf_dist_size();
    if (!ours) unlink(paths[i]);
  }
  lf_predict_journal_list_free(paths, n);
}

/* The journal: OUT.partial (one process) or OUT.partial.RofN (rank R of N).
 * --resume reads every journal of OUT, whatever number of processes wrote
 * it, keeps the finished files of this rank's share, and writes them into
 * its own new journal (made beside them, then renamed over this rank's old
 * one); once every rank has read them all, the other counts' journals go. */
static lf_status open_journal(run *r) {
  const lf_predict_images_opts *o = r->o;
  if (!strcmp(o->out_path, "-")) {
    if (o->resume) return lf_error(LF_EINVAL, "--resume needs --out FILE (a journal is kept next to it)");
    return LF_OK;
  }
  char *jpath = malloc(strlen(o->out_path) + 48), *header = lf_predict_journal_header(o->model_path, r->in);
  char *tmp = malloc(strlen(o->out_path) + 56);
  lf_status st = LF_OK;
  if (!jpath || !header || !tmp) st = lf_error(LF_ENOMEM, "predict: out of memory");
  if (!st) {
    if (lf_dist_size() == 1) sprintf(jpath, "%s.partial", o->out_path);
    else sprintf(jpath, "%s.partial.%dof%d", o->out_path, lf_dist_rank() + 1, lf_dist_size()); /* one per rank */
    sprintf(tmp, "%s.resuming", jpath);
  }
  if (!st && !o->resume) {
    remove_other_journals(o->out_path);
    st = lf_predict_journal_create(&r->journal, jpath, header);
    r->journaling = !st;
  } else if (!st) {
    char **old = NULL;
    size_t nold = 0, found_n = 0;
    st = lf_predict_journal_create(&r->journal, tmp, header);
    r->journaling = !st;
    if (!st) st = lf_predict_journal_list(o->out_path, &old, &nold);
    for (size_t i = 0; !st && i < nold; i++) {
      int found = 0;
      st = lf_predict_journal_read(old[i], header, resumed_file, r, &found);
      found_n += (size_t)found;
    }
    lf_predict_journal_list_free(old, nold);
    if (!st) st = lf_dist_barrier(); /* every rank has read every journal */
    if (!st) st = lf_predict_journal_rename(&r->journal, jpath);
    if (!st) remove_other_journals(o->out_path);
    if (!st && o->log && found_n)
      fprintf(o->log, "resuming from %zu journal%s of %s: %zu of %zu images done\n", found_n, found_n == 1 ? "" : "s",
              o->out_path, r->n_resumed, r->hi - r->lo);
    if (!st && o->log && !found_n) fprintf(o->log, "resuming: no journal of %s, starting from the first image\n", o->out_path);
  }
  free(jpath), free(header), free(tmp);
  return st;
}

static void progress(run *r, int final) {
  if (!r->o->progress) return;
  double t = now_s();
  if (!final && t - r->t_progress < 0.25) return;
  r->t_progress = t;
  double el = t - r->t_start, rate = el > 0 ? (double)(r->n_done - r->n_resumed) / el : 0;
  size_t left = r->hi - r->lo - r->n_done;
  long eta = rate > 0 ? (long)((double)left / rate + 0.5) : -1;
  if (lf_dist_size() > 1) fprintf(stderr, "\rrank %d of %d: ", lf_dist_rank(), lf_dist_size());
  else fputc('\r', stderr);
  fprintf(stderr, "%zu/%zu images  %.1f images/s  ETA ", r->n_done, r->hi - r->lo, rate);
  if (eta >= 0) fprintf(stderr, "%ld:%02ld:%02ld  ", eta / 3600, eta / 60 % 60, eta % 60);
  else fputs("?  ", stderr);
  if (final) fputc('\n', stderr);
  fflush(stderr);
}

static lf_status lf_rle_encode_row(const lf_prediction *p, lf_predict_row *row) {
  return lf_rle_encode(p->mask, p->width, p->height, &row->rle);
}

/* Runs the filled slots and records their results. */
static lf_status flush_batch(run *r) {
  if (!r->nslots) return LF_OK;
  double ms = 0;
  lf_status st = lf_predictor_invoke(r->pr, r->nslots, &ms);
  if (!st) st = lf_predict_timing_add(&r->tm, ms);
  for (int b = 0; !st && b < r->nslots; b++) {
    struct slot *s = &r->slots[b];
    lf_prediction p;
    if ((st = lf_predictor_result(r->pr, b, s->w, s->h, &p))) break;
    lf_predict_row row = {.file = s->file, .frame = s->frame, .key = s->key};
    s->key = NULL;
    if (r->in->task == LF_PREDICT_SEGMENT) st = lf_rle_encode_row(&p, &row);
    else row.scores = p.scores, p.scores = NULL;
    lf_prediction_free(&p);
    if (!st && r->journaling) st = lf_predict_journal_add_row(&r->journal, r->files.paths[s->file], &row, r->in->n_labels);
    if (!st) st = add_row(r, &row);
    lf_predict_row_free(&row);
    if (!st && s->last) {
      r->done[s->file] = 1, r->n_done++;
      if (r->journaling) st = lf_predict_journal_add_done(&r->journal, r->files.paths[s->file]);
    }
  }
  for (int b = 0; b < r->nslots; b++) free(r->slots[b].key), r->slots[b].key = NULL;
  r->nslots = 0;
  if (!st && r->journaling) st = lf_predict_journal_flush(&r->journal);
  progress(r, 0);
  return st;
}

/* One file: its frames into slots (a full batch is run on the way). */
static lf_status run_file(run *r, size_t f) {
  const char *path = r->files.paths[f];
  lf_predict_frames fr;
  lf_status st = lf_predict_frames_read(path, &fr);
  if (st == LF_ENOMEM) return st;
  if (st) {
    if (r->o->strict) return lf_error_prefix(st, "--strict: ");
    fprintf(stderr, "leapfrog predict: skipping %s\n", lf_last_error()); /* the message starts with the path */
    r->n_skipped++, r->n_done++;
    return LF_OK;
  }
  r->n_files_run++;
  for (int i = 0; !st && i < fr.n; i++) {
    if ((st = lf_predictor_set_image(r->pr, r->nslots, &fr.f[i].img))) {
      st = lf_error_prefix(st, "%s: ", path);
      break;
    }
    struct slot *s = &r->slots[r->nslots++];
    s->file = f, s->frame = i, s->w = fr.f[i].img.width, s->h = fr.f[i].img.height, s->last = i == fr.n - 1;
    s->key = fr.f[i].key, fr.f[i].key = NULL;
    if (r->nslots == r->in->batch) st = flush_batch(r);
  }
  lf_predict_frames_free(&fr);
  return st;
}

static int cmp_row(const void *a, const void *b) {
  const lf_predict_row *x = a, *y = b;
  if (x->file != y->file) return x->file < y->file ? -1 : 1;
  return (x->frame > y->frame) - (x->frame < y->frame);
}

/* Rows in input order -> the output file (keys unique: a path listed twice ran once). */
static lf_status write_output(run *r) {
  qsort(r->rows, r->nrows, sizeof *r->rows, cmp_row);
  lf_predict_results res;
  lf_status st = lf_predict_results_alloc(&res, r->in, r->nrows);
  for (size_t i = 0; !st && i < r->nrows; i++)
    st = lf_predict_results_set_raw(&res, i, r->rows[i].key, r->rows[i].scores, r->rows[i].rle);
  if (!st) st = lf_predict_results_write(&res, r->nrows, r->o->out_path);
  lf_predict_results_free(&res);
  unsigned char *used = st ? NULL : calloc(r->files.n, 1); /* the files that gave rows */
  if (!st && !used) st = lf_error(LF_ENOMEM, "predict: out of memory");
  for (size_t i = 0; !st && i < r->nrows; i++) used[r->rows[i].file] = 1;
  if (!st) st = lf_predict_write_dicom_meta(r->o->out_path, r->files.paths, used, r->files.n);
  free(used);
  return st;
}

/* mpirun -np N: rank 0 takes every rank's rows and times, and the counts are summed. */
static lf_status gather(run *r) {
  lf_predict_row *all = NULL;
  size_t nall = 0, counts[2] = {r->n_skipped, r->n_resumed};
  int n_scores = r->in->task == LF_PREDICT_SEGMENT ? 0 : r->in->n_labels;
  lf_status st = lf_predict_rows_gather(r->rows, r->nrows, n_scores, &all, &nall);
  if (!st) st = lf_predict_timing_gather(&r->tm);
  if (!st) st = lf_predict_count_sum(counts, 2);
  if (!st) r->n_skipped = counts[0], r->n_resumed = counts[1];
  if (st || !all) return st;
  for (size_t i = 0; i < r->nrows; i++) lf_predict_row_free(&r->rows[i]);
  free(r->rows);
  r->rows = all, r->nrows = r->caprows = nall;
  return LF_OK;
}

static lf_status prepare(run *r) {
  const lf_predict_images_opts *o = r->o;
  lf_status st;
  if ((st = lf_predictor_open(o->model_path, &o->pred, &r->pr))) return st;
  r->in = lf_predictor_get_info(r->pr);
  if ((st = lf_predict_inputs_collect(&r->files, o->inputs, o->n_inputs))) return st;
  if (!r->files.n)
    return lf_error(LF_ENOTFOUND, "no images in the inputs (%zu file%s under the folders are not PNG, JPEG or TIFF)",
                    r->files.not_images, r->files.not_images == 1 ? "" : "s");
  r->by_path = malloc(r->files.n * sizeof *r->by_path);
  r->done = calloc(r->files.n, 1);
  r->slots = calloc((size_t)r->in->batch, sizeof *r->slots);
  if (!r->by_path || !r->done || !r->slots) return lf_error(LF_ENOMEM, "predict: out of memory");
  for (size_t i = 0; i < r->files.n; i++) r->by_path[i] = i;
  g_paths = (const char *const *)r->files.paths;
  qsort(r->by_path, r->files.n, sizeof *r->by_path, cmp_by_path);
  lf_predict_shard(r->files.n, &r->lo, &r->hi);
  /* a path named twice runs once (n_done counts this process's files) */
  for (size_t i = 1; i < r->files.n; i++)
    if (!strcmp(r->files.paths[r->by_path[i]], r->files.paths[r->by_path[i - 1]])) {
      size_t later = r->by_path[i] > r->by_path[i - 1] ? r->by_path[i] : r->by_path[i - 1];
      r->done[later] = 2;
      if (later >= r->lo && later < r->hi) r->n_done++;
    }
  char what[160];
  snprintf(what, sizeof what, "%s, %zu images%s", r->in->task == LF_PREDICT_SEGMENT ? "segmentation" : "classification",
           r->files.n, r->in->has_meta ? "" : " (no metadata: options used)");
  lf_predict_log_setup(o->log, o->model_path, r->in, what);
  if (o->log && r->files.not_images)
    fprintf(o->log, "%zu files under the folders are not images (by content): left out\n", r->files.not_images);
  return open_journal(r);
}

static void run_free(run *r) {
  for (size_t i = 0; i < r->nrows; i++) lf_predict_row_free(&r->rows[i]);
  free(r->rows);
  for (int b = 0; r->slots && b < r->in->batch; b++) free(r->slots[b].key);
  free(r->slots), free(r->by_path), free(r->done);
  lf_predict_inputs_free(&r->files);
  lf_predict_timing_free(&r->tm);
  lf_predictor_free(r->pr);
}

lf_status lf_predict_images(const lf_predict_images_opts *o, lf_predict_stats *stats) {
  lf_predict_stats s = {0};
  if (stats) *stats = s;
  if (!o || !o->model_path || !o->out_path || !o->inputs || !o->n_inputs)
    return lf_error(LF_EINVAL, "predict: model, images and output needed");
  run r;
  memset(&r, 0, sizeof r);
  r.o = o;
  r.t_start = now_s();
  lf_status st = prepare(&r);
  const int prepared = !st, ranks = lf_dist_size(), writer = lf_dist_rank() == 0;
  for (size_t f = r.lo; !st && f < r.hi; f++)
    if (!r.done[f]) st = run_file(&r, f);
  if (!st) st = flush_batch(&r);
  if (r.in) progress(&r, 1);
  /* a rank that failed on an image waits for the others to finish (and journal)
   * their shares, so --resume redoes only what is left */
  if (prepared && ranks > 1) st = lf_dist_agree(st);
  if (!st && ranks > 1) st = gather(&r);
  if (!st && writer && !r.nrows) st = lf_error(LF_EBADFILE, "none of the %zu images could be read", r.files.n);
  if (!st && writer) st = write_output(&r);
  /* the other ranks keep their journals until rank 0 has written (a failure there ends the job) */
  if (!st && ranks > 1) st = lf_dist_barrier();
  if (r.journaling) lf_predict_journal_close(&r.journal, !st);
  if (!st) {
    lf_predict_timing_stats(&r.tm, r.in, r.nrows, now_s() - r.t_start, &s);
    s.n_skipped = r.n_skipped, s.n_resumed = r.n_resumed;
    if (o->stats_path && writer) st = lf_predict_write_stats(o->stats_path, o->model_path, r.in, o->pred.threads, &s);
    if (stats) *stats = s;
  }
  run_free(&r);
  return st;
}
