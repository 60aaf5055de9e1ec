/* Scoring nerve segmentation submissions: Dice and IoU per image. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval/score_internal.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_predictions.h"
#include "leapfrog/lf_rle.h"

lf_status lf_score_nerve(const lf_score_opts *o, const lf_dataset *ds, cJSON *out) {
  unsigned char *data;
  size_t len;
  lf_status st = lf_read_file(o->pred_path, (size_t)1 << 30, &data, &len);
  if (st) return st;
  if (lf_predictions_sniff((const char *)data, len) != 'c') {
    free(data);
    return lf_error(LF_EBADFILE, "%s: nerve needs a Kaggle submission CSV (img,pixels), this is not one",
                    o->pred_path);
  }
  lf_submission sub;
  st = lf_submission_parse_csv((const char *)data, len, o->pred_path, &sub);
  free(data);
  if (st) return st;
  size_t *sel = NULL, *row = NULL, n = 0;
  if ((st = lf_score_match(ds, o->split, sub.img, sub.n, o->pred_path, &sel, &row, &n))) {
    lf_submission_free(&sub);
    return st;
  }
  double *dice = malloc(n * sizeof *dice), *iou = malloc(n * sizeof *iou);
  uint8_t *truth_present = malloc(n), *pred_present = malloc(n);
  if (!dice || !iou || !truth_present || !pred_present) {
    st = lf_error(LF_ENOMEM, "score: out of memory");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    const lf_sample *s = &ds->samples[sel[i]];
    uint8_t *truth = NULL, *pred = NULL;
    int w = 0, h = 0;
    if ((st = lf_dataset_load_mask(ds, s, &truth, &w, &h))) goto done;
    if (!(pred = malloc((size_t)w * (size_t)h))) {
      free(truth);
      st = lf_error(LF_ENOMEM, "score: out of memory");
      goto done;
    }
    char what[300];
    snprintf(what, sizeof what, "%s: image %s", o->pred_path, sub.img[row[i]]);
    if ((st = lf_rle_decode(sub.pixels[row[i]], w, h, pred, what))) {
      free(truth), free(pred);
      goto done;
    }
    size_t np = (size_t)w * (size_t)h, t = 0, q = 0;
    for (size_t k = 0; k < np; k++) t += truth[k] != 0, q += pred[k] != 0;
    dice[i] = lf_dice(truth, pred, np);
    iou[i] = lf_iou(truth, pred, np);
    truth_present[i] = t > 0, pred_present[i] = q > 0;
    free(truth), free(pred);
  }
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
    fprintf(f, "mean Dice %.4f (Kaggle convention: both masks empty = 1), mean IoU %.4f\n", dmean, imean);
    if (n_pos) fprintf(f, "mean Dice on images with a nerve: %.4f\n", dpos);
    fprintf(f, "nerve present (non-empty mask): sensitivity %.3f, specificity %.3f (tp %zu fp %zu tn %zu fn %zu)\n",
            det.sensitivity, det.specificity, det.tp, det.fp, det.tn, det.fn);
  }
done:
  free(dice), free(iou), free(truth_present), free(pred_present), free(sel), free(row);
  lf_submission_free(&sub);
  return st;
}
