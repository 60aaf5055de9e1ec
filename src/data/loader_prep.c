/* One sample through the pipeline: decode -> channels -> resize (rounded to 8-bit)
 * [-> cache] -> float -> augment -> normalise.  Shared by the loader and its cache. */
#include <stdlib.h>
#include <string.h>

#include "data/loader_internal.h"

void lf_loader_opts_default(lf_loader_opts *o, lf_task task) {
  memset(o, 0, sizeof *o);
  if (task == LF_TASK_NERVE) o->height = 80, o->width = 112, o->channels = 1;
  else o->height = 224, o->width = 224, o->channels = 3;
  o->resize = LF_RESIZE_AREA;
  o->norm = LF_NORM_UNIT;
  for (int c = 0; c < 3; c++) o->mean[c] = 0, o->std[c] = 1;
  o->aug.hflip_prob = 0.5f, o->aug.max_rot_deg = 7, o->aug.max_shift = 0.05f;
  o->aug.max_zoom = 0.1f, o->aug.max_brightness = 0.1f, o->aug.max_contrast = 0.1f;
  o->batch_size = 16;
  o->seed = 1;
  o->threads = 2;
  o->prefetch = 2;
}

lf_status lf_loader_prep_u8(const lf_dataset *ds, const lf_sample *s, const lf_loader_opts *o,
                            uint8_t *xu8, uint8_t *mu8) {
  const int H = o->height, W = o->width;
  if (!s->path) return lf_error(LF_ENOTFOUND, "%s: image file missing", s->name);
  lf_image im;
  lf_status st = lf_image_read(s->path, &im, NULL);
  if (st) return st;
  if ((st = lf_image_to_input_u8(&im, W, H, o->channels, o->resize, xu8))) goto out;
  if (mu8 && s->split == LF_SPLIT_UNLABELLED) {
    memset(mu8, 0, (size_t)W * H); /* Kaggle test/ frames: no ground truth (y is all 0) */
  } else if (mu8) {
    uint8_t *m;
    int mw, mh;
    if ((st = lf_dataset_load_mask(ds, s, &m, &mw, &mh))) goto out;
    float *t = malloc((size_t)W * H * sizeof(float));
    if (!t) st = lf_error(LF_ENOMEM, "mask: out of memory");
    else {
      /* area-resize the 0/1 mask; a pixel is set when at least half its area is */
      for (size_t i = 0; i < (size_t)mw * mh; i++) m[i] = m[i] ? 255 : 0;
      st = lf_resize(m, mw, mh, 1, t, W, H, LF_RESIZE_AREA);
      for (size_t i = 0; !st && i < (size_t)W * H; i++) mu8[i] = t[i] >= 127.5f;
      free(t);
    }
    free(m);
  }
out:
  lf_image_free(&im);
  return st;
}

lf_status lf_loader_finish(const lf_dataset *ds, const lf_sample *s, const lf_loader_opts *o,
                           const uint8_t *xu8, const uint8_t *mu8, int augment, uint64_t aug_seed,
                           float *x, float *y) {
  const size_t np = (size_t)o->width * o->height;
  const int C = o->channels;
  for (size_t i = 0; i < np * C; i++) x[i] = xu8[i];
  float *mf = NULL;
  if (ds->task == LF_TASK_NERVE && y) {
    for (size_t i = 0; i < np; i++) y[i] = mu8 ? mu8[i] : 0.0f;
    mf = y;
  }
  if (augment) {
    lf_status st = lf_augment(x, mf, o->width, o->height, C, &o->aug, aug_seed);
    if (st) return st;
  }
  lf_normalize(x, np, C, o->norm, o->mean, o->std);
  if (ds->task != LF_TASK_NERVE && y)
    for (int k = 0; k < ds->num_labels; k++) y[k] = (float)(s->labels >> k & 1);
  return LF_OK;
}

lf_status lf_loader_sample(const lf_dataset *ds, const lf_sample *s, const lf_loader_opts *o,
                           float *x, float *y) {
  size_t np = (size_t)o->width * o->height;
  int want_mask = ds->task == LF_TASK_NERVE && y && s->split != LF_SPLIT_UNLABELLED;
  uint8_t *xu8 = malloc(np * o->channels), *mu8 = want_mask ? malloc(np) : NULL;
  lf_status st;
  if (!xu8 || (want_mask && !mu8)) st = lf_error(LF_ENOMEM, "loader: out of memory");
  else if (!(st = lf_loader_prep_u8(ds, s, o, xu8, mu8)))
    st = lf_loader_finish(ds, s, o, xu8, mu8, 0, 0, x, y);
  free(xu8), free(mu8);
  return st;
}
