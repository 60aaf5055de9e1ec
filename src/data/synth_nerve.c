/* `leapfrog synth nerve`: Kaggle ultrasound nerve segmentation layout.
 *   train/<subject>_<n>.tif, train/<subject>_<n>_mask.tif (580x420 8-bit grey; mask 0/255),
 *   test/<k>.tif (other subjects, no masks), train_masks.csv (subject,img,pixels; the RLE of
 *   each mask file).  Speckled tissue layers, an artery (dark, always there: a distractor) and,
 *   in about half the frames, the nerve: a bright-rimmed oval with a fascicular texture. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset_internal.h"
#include "data/synth_util.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_rle.h"
#include "leapfrog/lf_synth.h"

typedef struct {
  int subject, frame, test_no; /* test_no > 0: test/<test_no>.tif */
  char *rle;
} nerve_meta;

typedef struct {
  const char *dir;
  nerve_meta *m;
  int W, H;
  uint64_t seed;
} nerve_job;

static float ur(uint64_t *st, float a, float b) { return a + (b - a) * (float)lf_sm64_uniform(st); }

static lf_status nerve_one(int i, void *arg) {
  nerve_job *J = arg;
  nerve_meta *m = &J->m[i];
  int W = J->W, H = J->H;
  float sc = W / 580.0f;
  /* subject anatomy (same for all its frames) */
  uint64_t ss = lf_sm64_mix(J->seed, 0xA11CE000u + (uint64_t)m->subject);
  float ncx = ur(&ss, 0.3f, 0.7f) * W, ncy = ur(&ss, 0.35f, 0.65f) * H;
  float nrx = ur(&ss, 35, 55) * sc, nry = ur(&ss, 22, 34) * sc, nang = ur(&ss, -0.4f, 0.4f);
  float aang = ur(&ss, 0, 6.28f), adist = ur(&ss, 70, 100) * sc, ar = ur(&ss, 16, 24) * sc;
  float acx = ncx + cosf(aang) * adist, acy = ncy + sinf(aang) * adist * 0.6f;
  float layer_f = ur(&ss, 0.25f, 0.45f) * H, layer_ph = ur(&ss, 0, 6.28f), base = ur(&ss, 60, 85);
  /* this frame */
  uint64_t st = lf_sm64_mix(J->seed, 0xF4A3E000u + (uint64_t)i);
  int present = lf_sm64_uniform(&st) < 0.5;
  float jx = ur(&st, -8, 8) * sc, jy = ur(&st, -6, 6) * sc;
  ncx += jx, ncy += jy, acx += jx, acy += jy;
  uint64_t ns = lf_sm64_next(&st);
  lf_image img, mask;
  lf_status s = lf_image_alloc(&img, W, H, 1);
  if (s) return s;
  if ((s = lf_image_alloc(&mask, W, H, 1))) { lf_image_free(&img); return s; }
  float ca = cosf(nang), sa = sinf(nang);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      float v = base + 28 * sinf(y * 6.28f / layer_f + 0.8f * sinf(x * 3.0f / W + layer_ph));
      if (y < 0.06f * H) v += 80; /* skin */
      v *= 1 - 0.45f * y / H;     /* attenuation with depth */
      float adx = (x - acx) / ar, ady = (y - acy) / ar, ad = adx * adx + ady * ady;
      if (ad < 1) v = 12;
      else if (ad < 1.3f) v += 45;
      if (present) {
        float dx = x - ncx, dy = y - ncy;
        float u = (ca * dx + sa * dy) / nrx, w = (-sa * dx + ca * dy) / nry, d = sqrtf(u * u + w * w);
        if (d < 1) {
          mask.data[(size_t)y * W + x] = 255;
          v += d > 0.82f ? 60 : (sinf(x * 0.45f / sc) * sinf(y * 0.45f / sc) > 0.3f ? 26 : -6);
        }
      }
      /* multiplicative speckle on 2x2 cells plus fine noise */
      float sp = 0.55f + 0.9f * synth_noise(ns, x >> 1, y >> 1);
      v = v * sp + (synth_noise(ns ^ 0x55, x, y) - 0.5f) * 10;
      img.data[(size_t)y * W + x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
    }
  char name[80], *path;
  if (m->test_no > 0) snprintf(name, sizeof name, "test/%d.tif", m->test_no);
  else snprintf(name, sizeof name, "train/%d_%d.tif", m->subject, m->frame);
  if (!(path = lf_path_join(J->dir, name))) { s = lf_error(LF_ENOMEM, "synth: out of memory"); goto out; }
  s = lf_image_write_tiff(path, &img);
  free(path);
  if (s || m->test_no > 0) goto out;
  snprintf(name, sizeof name, "train/%d_%d_mask.tif", m->subject, m->frame);
  if (!(path = lf_path_join(J->dir, name))) { s = lf_error(LF_ENOMEM, "synth: out of memory"); goto out; }
  s = lf_image_write_tiff(path, &mask);
  free(path);
  if (!s) s = lf_rle_encode(mask.data, W, H, &m->rle);
out:
  lf_image_free(&img);
  lf_image_free(&mask);
  return s;
}

lf_status lf_synth_nerve(const char *out, const lf_synth_opts *o) {
  lf_synth_opts def;
  if (!o) lf_synth_opts_default(&def), o = &def;
  int N = o->n, W = o->size > 0 ? o->size : 580;
  int H = (int)(W * 420.0 / 580.0 + 0.5);
  int NT = o->n_test >= 0 ? o->n_test : N / 4;
  if (N < 1 || N > 10000000 || NT > 10000000) return lf_error(LF_EINVAL, "synth: bad --n");
  if (W < 32 || W > 4096) return lf_error(LF_EINVAL, "synth: --size must be in 32..4096");
  lf_status s;
  char *d1 = lf_path_join(out, "train"), *d2 = lf_path_join(out, "test");
  if (!d1 || !d2) s = lf_error(LF_ENOMEM, "synth: out of memory");
  else if (!(s = lf_mkdirs(d1))) s = lf_mkdirs(d2);
  free(d1), free(d2);
  if (s) return s;
  nerve_meta *m = calloc((size_t)(N + NT), sizeof *m);
  if (!m) return lf_error(LF_ENOMEM, "synth: out of memory");
  uint64_t st = lf_sm64_mix(o->seed, 0x4E4E);
  int subject = 0, i = 0;
  while (i < N + NT) {
    subject++;
    int k = 8 + (int)(lf_sm64_next(&st) % 13);
    int test = i >= N; /* test subjects are never in train */
    for (int f = 1; f <= k && (test ? i < N + NT : i < N); f++, i++) {
      m[i].subject = subject;
      m[i].frame = f;
      m[i].test_no = test ? i - N + 1 : 0;
    }
  }
  nerve_job J = {out, m, W, H, o->seed};
  s = lf_synth_parallel(N + NT, o->threads, nerve_one, &J);
  if (!s) {
    char *csvp = lf_path_join(out, "train_masks.csv");
    lf_atomic_file af;
    if (!csvp) s = lf_error(LF_ENOMEM, "synth: out of memory");
    else if (!(s = lf_atomic_open(&af, csvp))) {
      fprintf(af.f, "subject,img,pixels\n");
      for (int j = 0; j < N; j++) fprintf(af.f, "%d,%d,%s\n", m[j].subject, m[j].frame, m[j].rle ? m[j].rle : "");
      s = lf_atomic_commit(&af);
    }
    free(csvp);
  }
  for (int j = 0; j < N + NT; j++) free(m[j].rle);
  free(m);
  return s;
}
