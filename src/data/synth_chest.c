/* `leapfrog synth chestxray14`: NIH ChestX-ray14 layout with learnable findings.
 *   images/<patient 8 digits>_<follow-up 3 digits>.png  (1024x1024 8-bit grey; ~2% RGBA
 *   like some real NIH files), Data_Entry_2017.csv (the real header and columns),
 *   train_val_list.txt / test_list.txt (by patient, ~77/23 like the official lists).
 * Each finding has a visual signature (see draw_findings); prevalences follow the
 * real dataset, with correlated findings and chronic findings kept across follow-ups. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "data/dataset_internal.h"
#include "data/synth_util.h"
#include "leapfrog/lf_dataset.h"
#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_synth.h"

enum { ATEL, CARDIO, CONSOL, EDEMA, EFFUS, EMPHY, FIBRO, HERNIA, INFIL, MASS, NODULE, PLEUR, PNEUMONIA, PTX };

/* Share of all images with each finding in the real data (Wang et al. 2017). */
static const double prevalence[LF_NIH_NUM_LABELS] = {
    0.103, 0.025, 0.042, 0.021, 0.119, 0.022, 0.015, 0.002, 0.177, 0.052, 0.056, 0.030, 0.013, 0.047};

void lf_synth_opts_default(lf_synth_opts *o) {
  memset(o, 0, sizeof *o);
  o->n = 100;
  o->seed = 1;
  o->threads = 2;
  o->png_level = 1;
  o->n_test = -1;
}

typedef struct {
  int patient, follow, age, rgba;
  char gender, view[3];
  uint32_t labels;
} chest_meta;

typedef struct {
  const char *dir;
  const chest_meta *m;
  int size, level;
  uint64_t seed;
} chest_job;

static uint32_t draw_labels(uint64_t *st, uint32_t chronic) {
  if (lf_sm64_uniform(st) < 0.54 && !chronic) return 0; /* No Finding */
  uint32_t b = chronic;
  for (int k = 0; k < LF_NIH_NUM_LABELS; k++)
    if (lf_sm64_uniform(st) < prevalence[k] / 0.46 * 0.62) b |= 1u << k;
  /* co-occurrence seen in the real data */
  if ((b >> EFFUS & 1) && lf_sm64_uniform(st) < 0.30) b |= 1u << ATEL;
  if ((b >> EDEMA & 1) && lf_sm64_uniform(st) < 0.40) b |= 1u << EFFUS;
  if ((b >> CARDIO & 1) && lf_sm64_uniform(st) < 0.35) b |= 1u << EFFUS;
  if ((b >> PNEUMONIA & 1) && lf_sm64_uniform(st) < 0.45) b |= 1u << INFIL;
  if ((b >> CONSOL & 1) && lf_sm64_uniform(st) < 0.30) b |= 1u << INFIL;
  if ((b >> MASS & 1) && lf_sm64_uniform(st) < 0.25) b |= 1u << NODULE;
  if (!b) { /* at least one: pick by prevalence */
    double u = lf_sm64_uniform(st) * 0.734, acc = 0;
    for (int k = 0; k < LF_NIH_NUM_LABELS; k++)
      if ((acc += prevalence[k]) >= u || k == LF_NIH_NUM_LABELS - 1) { b = 1u << k; break; }
  }
  return b;
}

static float urange(uint64_t *st, float a, float b) { return a + (b - a) * (float)lf_sm64_uniform(st); }

/* Geometry of one image, in pixels. */
typedef struct {
  int S;
  float lx[2], ly, lrx, lry; /* lung centres (image left, right), radii */
  float hx, hy, hrx, hry;    /* heart */
} chest_geom;

static void draw_findings(float *f, const chest_geom *g, uint32_t lab, uint64_t *st) {
  int S = g->S;
  int side = lf_sm64_next(st) & 1;
  float cl = g->lx[side];
  /* Nodule: 1-3 small round opacities; Mass: one large one */
  if (lab >> NODULE & 1) {
    int k = 1 + (int)(lf_sm64_next(st) % 3);
    for (int i = 0; i < k; i++) {
      int sd = lf_sm64_next(st) & 1;
      float r = urange(st, 0.012f, 0.022f) * S;
      lf_synth_blob(f, S, S, g->lx[sd] + urange(st, -0.6f, 0.6f) * g->lrx, g->ly + urange(st, -0.6f, 0.5f) * g->lry,
                    r, r, 0, 60, 0.35f);
    }
  }
  if (lab >> MASS & 1) {
    float r = urange(st, 0.045f, 0.075f) * S;
    lf_synth_blob(f, S, S, cl + urange(st, -0.4f, 0.4f) * g->lrx, g->ly + urange(st, -0.5f, 0.4f) * g->lry, r,
                  r * urange(st, 0.8f, 1.1f), urange(st, 0, 3.1f), 70, 0.25f);
  }
  if (lab >> INFIL & 1) {
    int k = 1 + (int)(lf_sm64_next(st) & 1);
    for (int i = 0; i < k; i++) {
      int sd = lf_sm64_next(st) & 1;
      float r = urange(st, 0.07f, 0.11f) * S;
      lf_synth_blob(f, S, S, g->lx[sd] + urange(st, -0.4f, 0.4f) * g->lrx, g->ly + urange(st, -0.4f, 0.5f) * g->lry,
                    r, r * 0.8f, urange(st, 0, 3.1f), 32, 1.0f);
    }
  }
  if (lab >> CONSOL & 1) {
    float r = urange(st, 0.06f, 0.09f) * S;
    lf_synth_blob(f, S, S, cl + urange(st, -0.3f, 0.3f) * g->lrx, g->ly + 0.45f * g->lry, r * 1.2f, r, 0, 55, 0.4f);
  }
  if (lab >> PNEUMONIA & 1) {
    for (int i = 0; i < 5; i++) {
      float r = urange(st, 0.03f, 0.05f) * S;
      lf_synth_blob(f, S, S, cl + urange(st, -0.5f, 0.5f) * g->lrx, g->ly + urange(st, 0.2f, 0.7f) * g->lry, r, r,
                    0, 30, 0.8f);
    }
  }
  if (lab >> ATEL & 1) { /* plate-like lines in a lower lung */
    int k = 2 + (int)(lf_sm64_next(st) & 1);
    for (int i = 0; i < k; i++)
      lf_synth_blob(f, S, S, cl + urange(st, -0.3f, 0.3f) * g->lrx, g->ly + urange(st, 0.3f, 0.7f) * g->lry,
                    0.07f * S, 0.006f * S, urange(st, -0.35f, 0.35f), 50, 0.3f);
  }
  if (lab >> EDEMA & 1) { /* bilateral perihilar haze + Kerley lines */
    for (int sd = 0; sd < 2; sd++) {
      lf_synth_blob(f, S, S, g->lx[sd] + (sd ? -0.35f : 0.35f) * g->lrx, g->ly, 0.12f * S, 0.16f * S, 0, 30, 1.0f);
      for (int i = 0; i < 4; i++)
        lf_synth_blob(f, S, S, g->lx[sd] + (sd ? 0.8f : -0.8f) * g->lrx, g->ly + (0.4f + 0.08f * i) * g->lry,
                      0.025f * S, 0.003f * S, 0, 40, 0.2f);
    }
  }
  if (lab >> HERNIA & 1) { /* retrocardiac mass with an air bubble */
    lf_synth_blob(f, S, S, 0.5f * S, g->hy + 0.6f * g->hry, 0.06f * S, 0.05f * S, 0, 40, 0.3f);
    lf_synth_blob(f, S, S, 0.5f * S, g->hy + 0.6f * g->hry, 0.02f * S, 0.015f * S, 0, -60, 0.3f);
  }
  /* per-pixel findings inside one lung's bounding box */
  int fib = lab >> FIBRO & 1, pleur = lab >> PLEUR & 1, eff = lab >> EFFUS & 1, ptx = lab >> PTX & 1;
  if (!(fib | pleur | eff | ptx)) return;
  float level = g->ly + urange(st, 0.35f, 0.6f) * g->lry;
  int eff_both = lf_sm64_uniform(st) < 0.3;
  for (int sd = 0; sd < 2; sd++) {
    float cx = g->lx[sd];
    int x0 = (int)(cx - g->lrx * 1.05f), x1 = (int)(cx + g->lrx * 1.05f);
    int y0 = (int)(g->ly - g->lry * 1.05f), y1 = (int)(g->ly + g->lry * 1.05f);
    if (x0 < 0) x0 = 0;
    if (y0 < 0) y0 = 0;
    if (x1 > S) x1 = S;
    if (y1 > S) y1 = S;
    float lateral = sd ? 1.0f : -1.0f;
    for (int y = y0; y < y1; y++)
      for (int x = x0; x < x1; x++) {
        float u = (x - cx) / g->lrx, v = (y - g->ly) / g->lry;
        float d = sqrtf(u * u + v * v);
        if (d >= 1) continue;
        float *p = &f[(size_t)y * S + x];
        if (fib && sd == side && v > 0) /* reticular lower-zone pattern */
          *p += (sinf(x * 0.35f) * sinf(y * 0.35f) > 0.55f) ? 22 : 0;
        if (pleur && sd == side && d > 0.88f && u * lateral > 0.2f) *p += 45;
        if (eff && (sd == side || eff_both)) { /* fluid level with a meniscus */
          float lv = level - 0.08f * g->lry * (u * lateral > 0 ? u * lateral : 0);
          if (y > lv) *p += 65;
        }
        if (ptx && sd == side && v < 0.1f) { /* dark apex, no lung markings, pleural line */
          float iu = u / 0.72f, iv = (v - 0.12f) / 0.85f;
          float di = sqrtf(iu * iu + iv * iv);
          if (di > 1.04f) *p = 8;
          else if (di > 0.98f) *p += 35;
        }
      }
  }
}

static lf_status chest_one(int i, void *arg) {
  const chest_job *J = arg;
  const chest_meta *m = &J->m[i];
  int S = J->size;
  uint64_t st = lf_sm64_mix(J->seed, 0xC4E57000u + (uint64_t)i);
  float *f = malloc((size_t)S * S * sizeof(float));
  if (!f) return lf_error(LF_ENOMEM, "synth: out of memory");
  uint32_t lab = m->labels;
  float scale = urange(&st, 0.94f, 1.06f), ox = urange(&st, -0.03f, 0.03f), oy = urange(&st, -0.03f, 0.03f);
  chest_geom g;
  g.S = S;
  int emph = lab >> EMPHY & 1, cardio = lab >> CARDIO & 1;
  g.lx[0] = (0.5f + ox - 0.185f * scale) * S;
  g.lx[1] = (0.5f + ox + 0.185f * scale) * S;
  g.ly = (0.47f + oy) * S;
  g.lrx = 0.15f * scale * S * (emph ? 1.08f : 1.0f);
  g.lry = 0.29f * scale * S * (emph ? 1.12f : 1.0f);
  g.hx = (0.54f + ox) * S;
  g.hy = (0.63f + oy) * S;
  g.hrx = (cardio ? urange(&st, 0.17f, 0.2f) : urange(&st, 0.11f, 0.13f)) * scale * S;
  g.hry = (cardio ? 0.14f : 0.11f) * scale * S;
  float lung_val = emph ? 28 : 45, rib_phase = urange(&st, 0, 6.28f);
  float bx = (0.5f + ox) * S, by = (0.56f + oy) * S, brx = 0.47f * scale * S, bry = 0.56f * scale * S;
  for (int y = 0; y < S; y++) {
    for (int x = 0; x < S; x++) {
      float u = (x - bx) / brx, v = (y - by) / bry;
      float val = (u * u + v * v < 1) ? 100 : 18;
      float sx = fabsf(x - bx) / (0.05f * S);
      if (sx < 1 && val > 50) val += 60 * (1 - sx * sx); /* mediastinum / spine */
      for (int sd = 0; sd < 2; sd++) {
        float lu = (x - g.lx[sd]) / g.lrx, lv = (y - g.ly) / g.lry;
        float d2 = lu * lu + lv * lv;
        if (d2 < 1) {
          float d = sqrtf(d2), k = d > 0.9f ? (1 - d) * 10 : 1;
          float rib = sinf((y * 6.28f / (0.075f * S)) + 2.5f * lu * lu + rib_phase) > 0.55f ? 14 : 0;
          val = val * (1 - k) + (lung_val + rib) * k;
        }
      }
      f[(size_t)y * S + x] = val;
    }
  }
  lf_synth_blob(f, S, S, g.hx, g.hy, g.hrx, g.hry, 0.25f, 70, 0.15f); /* heart shadow */
  draw_findings(f, &g, lab, &st);
  float gain = urange(&st, 0.85f, 1.15f), bias = urange(&st, -12, 12);
  uint64_t ns = lf_sm64_next(&st);
  lf_image img;
  lf_status s = lf_image_alloc(&img, S, S, m->rgba ? 4 : 1);
  if (s) { free(f); return s; }
  for (int y = 0; y < S; y++)
    for (int x = 0; x < S; x++) {
      float v = f[(size_t)y * S + x] * gain + bias + (synth_noise(ns, x >> 1, y >> 1) - 0.5f) * 8;
      uint8_t b = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v + 0.5f);
      if (m->rgba) {
        uint8_t *p = &img.data[((size_t)y * S + x) * 4];
        p[0] = p[1] = p[2] = b, p[3] = 255;
      } else {
        img.data[(size_t)y * S + x] = b;
      }
    }
  free(f);
  char name[64], *path;
  snprintf(name, sizeof name, "images/%08d_%03d.png", m->patient, m->follow);
  if (!(path = lf_path_join(J->dir, name))) { lf_image_free(&img); return lf_error(LF_ENOMEM, "synth: out of memory"); }
  s = lf_image_write_png(path, &img, J->level);
  free(path);
  lf_image_free(&img);
  return s;
}

static const char *label_str(uint32_t b, char *buf, size_t cap) {
  if (!b) return "No Finding";
  buf[0] = 0;
  size_t n = 0;
  for (int k = 0; k < LF_NIH_NUM_LABELS; k++)
    if (b >> k & 1) n += (size_t)snprintf(buf + n, cap - n, "%s%s", n ? "|" : "", lf_nih_labels[k]);
  return buf;
}

lf_status lf_synth_chestxray14(const char *out, const lf_synth_opts *o) {
  lf_synth_opts def;
  if (!o) lf_synth_opts_default(&def), o = &def;
  int N = o->n, S = o->size > 0 ? o->size : 1024;
  if (N < 1 || N > 10000000) return lf_error(LF_EINVAL, "synth: --n must be >= 1");
  if (S < 32 || S > 4096) return lf_error(LF_EINVAL, "synth: --size must be in 32..4096");
  char *imdir = lf_path_join(out, "images");
  if (!imdir) return lf_error(LF_ENOMEM, "synth: out of memory");
  lf_status s = lf_mkdirs(imdir);
  free(imdir);
  if (s) return s;
  chest_meta *m = calloc((size_t)N, sizeof *m);
  if (!m) return lf_error(LF_ENOMEM, "synth: out of memory");
  /* patients with 1..8 follow-ups (mean ~3), chronic findings kept across them */
  uint64_t st = lf_sm64_mix(o->seed, 0xC4E57);
  int i = 0, patient = 0;
  while (i < N) {
    patient++;
    int k = 1 + (int)(-log(1 - lf_sm64_uniform(&st)) * 2.2);
    if (k > 8) k = 8;
    uint32_t chronic = 0;
    static const int chron[] = {CARDIO, EMPHY, FIBRO, HERNIA, PLEUR};
    for (int c = 0; c < 5; c++)
      if (lf_sm64_uniform(&st) < prevalence[chron[c]] * 0.5) chronic |= 1u << chron[c];
    int age = 20 + (int)(lf_sm64_uniform(&st) * 65);
    char gender = lf_sm64_uniform(&st) < 0.56 ? 'M' : 'F';
    for (int f = 0; f < k && i < N; f++, i++) {
      m[i].patient = patient;
      m[i].follow = f;
      m[i].age = age + f / 3;
      m[i].gender = gender;
      strcpy(m[i].view, lf_sm64_uniform(&st) < 0.6 ? "PA" : "AP");
      m[i].labels = draw_labels(&st, chronic);
      m[i].rgba = lf_sm64_uniform(&st) < 0.02;
    }
  }
  /* Data_Entry_2017.csv with the real header (unquoted brackets, trailing comma) */
  char *csvp = lf_path_join(out, "Data_Entry_2017.csv");
  lf_atomic_file af;
  if (!csvp || (s = lf_atomic_open(&af, csvp))) {
    free(csvp), free(m);
    return s ? s : lf_error(LF_ENOMEM, "synth: out of memory");
  }
  fprintf(af.f, "Image Index,Finding Labels,Follow-up #,Patient ID,Patient Age,Patient Gender,"
                "View Position,OriginalImage[Width,Height],OriginalImagePixelSpacing[x,y],\n");
  for (int j = 0; j < N; j++) {
    char lb[256];
    uint64_t r = lf_sm64_mix(o->seed, 0x5123 + (uint64_t)j);
    int ow = 2500 + (int)(lf_sm64_next(&r) % 521), oh = 2048 + (int)(lf_sm64_next(&r) % 1000);
    fprintf(af.f, "%08d_%03d.png,%s,%d,%d,%d,%c,%s,%d,%d,0.143,0.143,\n", m[j].patient, m[j].follow,
            label_str(m[j].labels, lb, sizeof lb), m[j].follow, m[j].patient, m[j].age, m[j].gender,
            m[j].view, ow, oh);
  }
  s = lf_atomic_commit(&af);
  free(csvp);
  /* official lists: by patient, about 23% of patients in test */
  for (int t = 0; t < 2 && !s; t++) {
    char *lp = lf_path_join(out, t ? "test_list.txt" : "train_val_list.txt");
    if (!lp || (s = lf_atomic_open(&af, lp))) {
      free(lp);
      if (!s) s = lf_error(LF_ENOMEM, "synth: out of memory");
      break;
    }
    for (int j = 0; j < N; j++) {
      uint64_t r = lf_sm64_mix(o->seed ^ 0x7E57, (uint64_t)m[j].patient);
      int is_test = lf_sm64_uniform(&r) < 0.23;
      if (is_test == t) fprintf(af.f, "%08d_%03d.png\n", m[j].patient, m[j].follow);
    }
    s = lf_atomic_commit(&af);
    free(lp);
  }
  if (!s) {
    chest_job J = {out, m, S, o->png_level, o->seed};
    s = lf_synth_parallel(N, o->threads, chest_one, &J);
  }
  free(m);
  return s;
}
