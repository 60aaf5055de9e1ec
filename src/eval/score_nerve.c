/* Scoring nerve segmentation submissions: Dice and IoU per image. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/score_internal.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_predictions.h"
#include "leapfrog/lf_rle.h"

/* Dice/IoU per image of one submission, in split order (sel). */
typedef struct {
  size_t *sel, *row, n;
  double *dice, *iou;
  uint8_t *truth_present, *pred_present;
} nerve_scores;

static void nerve_scores_free(nerve_scores *r) {
  free(r->sel), free(r->row), free(r->dice), free(r->iou), free(r->truth_present), free(r->pred_present);
  memset(r, 0, sizeof *r);
}

static lf_status nerve_scores_compute(const lf_score_opts *o, const lf_dataset *ds, const char *path, nerve_scores *r) {
  memset(r, 0, sizeof *r);
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(path, LF_SUBMISSION_MAX_BYTES, &data, &len); /* refused before reading when larger */
  if (st) return st;
  if (lf_predictions_sniff((const char *)data, len) != 'c') {
    free(data);
    return lf_error(LF_EBADFILE, "%s: nerve needs a Kaggle submission CSV (img,pixels), this is not one", path);
  }
  lf_submission sub;
  st = lf_submission_parse_csv((const char *)data, len, path, &sub);
  free(data);
  if (st) return st;
  if ((st = lf_score_match(ds, o->split, sub.img, sub.n, path, &r->sel, &r->row, &r->n))) {
    lf_submission_free(&sub);
    return st;
  }
  size_t n = r->n;
  r->dice = malloc(n * sizeof *r->dice), r->iou = malloc(n * sizeof *r->iou);
  r->truth_present = malloc(n), r->pred_present = malloc(n);
  if (!r->dice || !r->iou || !r->truth_present || !r->pred_present) {
    st = lf_error(LF_ENOMEM, "score: out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    const lf_sample *s = &ds->samples[r->sel[i]];
    uint8_t *truth = NULL, *pred = NULL;
    int w = 0, h = 0;
    if ((st = lf_dataset_load_mask(ds, s, &truth, &w, &h))) goto done;
    if (!(pred = malloc((size_t)w * (size_t)h))) {
      free(truth);
      st = lf_error(LF_ENOMEM, "score: out of memory");
      goto done;
    }
    char what[300];
    snprintf(what, sizeof what, "%s: image %s", path, sub.img[r->row[i]]);
    if ((st = lf_rle_decode(sub.pixels[r->row[i]], w, h, pred, what))) {
      free(truth), free(pred);
      goto done;
    }
    size_t np = (size_t)w * (size_t)h, t = 0, q = 0;
    for (size_t k = 0; k < np; k++) t += truth[k] != 0, q += pred[k] != 0;
    r->dice[i] = lf_dice(truth, pred, np);
    r->iou[i] = lf_iou(truth, pred, np);
    r->truth_present[i] = t > 0, r->pred_present[i] = q > 0;
    free(truth), free(pred);
  }
done:
  lf_submission_free(&sub);
  if (st) nerve_scores_free(r);
  return st;
}

lf_status lf_score_nerve(const lf_score_opts *o, const lf_dataset *ds, cJSON *out) {
  nerve_scores A, B;
  int have_b = 0;
  lf_status st = nerve_scores_compute(o, ds, o->pred_path, &A);
  if (st) return st;
  if (o->compare_path) {
    if ((st = nerve_scores_compute(o, ds, o->compare_path, &B))) {
      nerve_scores_free(&A);
      return st;
    }
    have_b = 1;
  }
  size_t n = A.n, *sel = A.sel;
  double *dice = A.dice, *iou = A.iou;
  uint8_t *truth_present = A.truth_present, *pred_present = A.pred_present;
  double dsum = 0, isum = 0, dsum_pos = 0;
  size_t n_pos = 0;
  for (size_t i = 0; i < n; i++) {
    dsum += dice[i], isum += iou[i];
    if (truth_present[i]) dsum_pos += dice[i], n_pos++;
  }
  double dmean = dsum / (double)n, imean = isum / (double)n, dpos = n_pos ? dsum_pos / (double)n_pos : NAN;
  double *ps = malloc(n * sizeof *ps);
  lf_oppoint det;
  if (!ps) {
    st = lf_error(LF_ENOMEM, "score: out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) ps[i] = pred_present[i];
  st = lf_operating_point(ps, truth_present, n, 0.5, &det);
  free(ps);
  if (st) goto done;

  lf_json_add_num(out, "n", (double)n);
  lf_json_add_num(out, "dice_mean", dmean);
  double dlo, dhi;
  if ((st = lf_mean_bootstrap_ci(dice, n, o->n_bootstrap, o->seed, 0.05, &dlo, &dhi))) goto done;
  cJSON *dci = cJSON_AddArrayToObject(out, "dice_mean_ci95");
  cJSON_AddItemToArray(dci, lf_json_num(dlo));
  cJSON_AddItemToArray(dci, lf_json_num(dhi));
  cJSON *boot = cJSON_AddObjectToObject(out, "bootstrap");
  lf_json_add_num(boot, "resamples", o->n_bootstrap);
  lf_json_add_num(boot, "seed", (double)o->seed);
  lf_json_add_num(out, "iou_mean", imean);
  lf_json_add_num(out, "dice_mean_nerve_present", dpos);
  lf_json_add_num(out, "nerve_present", (double)n_pos);
  cJSON *dj = cJSON_AddObjectToObject(out, "dice"), *ij = cJSON_AddObjectToObject(out, "iou");
  for (size_t i = 0; i < n; i++) {
    const char *stem = ds->samples[sel[i]].stem;
    lf_json_add_num(dj, stem, dice[i]);
    lf_json_add_num(ij, stem, iou[i]);
  }
  cJSON *dt = cJSON_AddObjectToObject(out, "detection");
  lf_json_add_num(dt, "tp", (double)det.tp);
  lf_json_add_num(dt, "fp", (double)det.fp);
  lf_json_add_num(dt, "tn", (double)det.tn);
  lf_json_add_num(dt, "fn", (double)det.fn);
  lf_json_add_num(dt, "sensitivity", det.sensitivity);
  lf_json_add_num(dt, "specificity", det.specificity);
  if (o->summary) {
    FILE *f = o->summary;
    fprintf(f, "Ultrasound nerve, split %s: %zu images, %zu with a nerve (%.1f%%)\n", lf_split_name(o->split), n,
            n_pos, 100.0 * (double)n_pos / (double)n);
    fprintf(f, "mean Dice %.4f, 95%% CI [%.4f, %.4f] (Kaggle convention: both masks empty = 1), mean IoU %.4f\n",
            dmean, dlo, dhi, imean);
    if (n_pos) fprintf(f, "mean Dice on images with a nerve: %.4f\n", dpos);
    fprintf(f, "nerve present (non-empty mask): sensitivity %.3f, specificity %.3f (tp %zu fp %zu tn %zu fn %zu)\n",
            det.sensitivity, det.specificity, det.tp, det.fp, det.tn, det.fn);
  }
  if (have_b) {
    double *diff = malloc(n * sizeof *diff), sb = 0, sd = 0, lo = NAN, hi = NAN;
    if (!diff) {
      st = lf_error(LF_ENOMEM, "score: out of memory");
      goto done;
    }
    for (size_t i = 0; i < n; i++) diff[i] = dice[i] - B.dice[i], sb += B.dice[i], sd += diff[i];
    st = lf_mean_bootstrap_ci(diff, n, o->n_bootstrap, o->seed, 0.05, &lo, &hi);
    free(diff);
    if (st) goto done;
    cJSON *c = cJSON_AddObjectToObject(out, "compare");
    cJSON_AddStringToObject(c, "predictions", o->compare_path);
    cJSON_AddStringToObject(c, "difference", "dice(predictions) - dice(compare), per image");
    lf_json_add_num(c, "dice_mean", sb / (double)n);
    lf_json_add_num(c, "dice_mean_diff", sd / (double)n);
    cJSON *ci = cJSON_AddArrayToObject(c, "dice_mean_diff_ci95");
    cJSON_AddItemToArray(ci, lf_json_num(lo));
    cJSON_AddItemToArray(ci, lf_json_num(hi));
    if (o->summary)
      fprintf(o->summary, "compared with %s: mean Dice %.4f vs %.4f, difference %+.4f [%+.4f, %+.4f] (paired bootstrap)\n",
              o->compare_path, dmean, sb / (double)n, sd / (double)n, lo, hi);
  }
done:
  nerve_scores_free(&A);
  if (have_b) nerve_scores_free(&B);
  return st;
}
