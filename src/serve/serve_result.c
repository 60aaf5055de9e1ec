/* A predict request on a worker: decode, run, describe (see serve_result.h). */
#include "serve/serve_result.h"

#include <math.h>
#include <png.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "leapfrog/lf_rle.h"

#define OVERLAY_MAX_SIDE 1024 /* overlays larger images are scaled to; the page stretches them */

double lf_serve_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

cJSON *lf_serve_error_json(int status, const char *fmt, ...) {
  char msg[600];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  cJSON *j = cJSON_CreateObject(), *e = cJSON_AddObjectToObject(j, "error");
  cJSON_AddNumberToObject(e, "status", status);
  cJSON_AddStringToObject(e, "message", msg);
  return j;
}

int lf_serve_png(const uint8_t *rgba, int w, int h, int channels, void **png, size_t *len) {
  png_image im;
  memset(&im, 0, sizeof im);
  im.version = PNG_IMAGE_VERSION;
  im.width = (png_uint_32)w, im.height = (png_uint_32)h;
  im.format = channels == 1 ? PNG_FORMAT_GRAY : channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_RGBA;
  png_alloc_size_t n = 0;
  if (!png_image_write_to_memory(&im, NULL, &n, 0, rgba, 0, NULL)) return -1;
  void *buf = malloc(n);
  if (!buf) return -1;
  if (!png_image_write_to_memory(&im, buf, &n, 0, rgba, 0, NULL)) {
    free(buf);
    return -1;
  }
  *png = buf, *len = n;
  return 0;
}

char *lf_serve_base64(const void *data, size_t len) {
  static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const uint8_t *d = data;
  char *o = malloc((len + 2) / 3 * 4 + 1), *p = o;
  if (!o) return NULL;
  for (size_t i = 0; i < len; i += 3) {
    uint32_t v = (uint32_t)d[i] << 16 | (i + 1 < len ? (uint32_t)d[i + 1] << 8 : 0) | (i + 2 < len ? d[i + 2] : 0);
    *p++ = tab[v >> 18 & 63], *p++ = tab[v >> 12 & 63];
    *p++ = i + 1 < len ? tab[v >> 6 & 63] : '=';
    *p++ = i + 2 < len ? tab[v & 63] : '=';
  }
  *p = 0;
  return o;
}

static void overlay_size(int w, int h, int *ow, int *oh) {
  int side = w > h ? w : h;
  if (side <= OVERLAY_MAX_SIDE) {
    *ow = w, *oh = h;
    return;
  }
  *ow = (int)((long)w * OVERLAY_MAX_SIDE / side), *oh = (int)((long)h * OVERLAY_MAX_SIDE / side);
  if (*ow < 1) *ow = 1;
  if (*oh < 1) *oh = 1;
}

/* RGBA PNG (base64) added to obj under key, with its size. */
static int add_png_c(cJSON *obj, const char *key, const uint8_t *rgba, int w, int h, int channels) {
  void *png;
  size_t n;
  if (lf_serve_png(rgba, w, h, channels, &png, &n)) return -1;
  char *b = lf_serve_base64(png, n);
  free(png);
  if (!b) return -1;
  cJSON *o = cJSON_AddObjectToObject(obj, key);
  cJSON_AddNumberToObject(o, "width", w);
  cJSON_AddNumberToObject(o, "height", h);
  cJSON_AddStringToObject(o, "png_base64", b);
  free(b);
  return 0;
}

static int add_png(cJSON *obj, const char *key, const uint8_t *rgba, int w, int h) {
  return add_png_c(obj, key, rgba, w, h, 4);
}

/* The decoded image at the overlay size (nearest pixel), for the page to show. */
static int add_preview(cJSON *obj, const lf_image *im) {
  int ow, oh;
  overlay_size(im->width, im->height, &ow, &oh);
  const int c = im->channels;
  uint8_t *px = malloc((size_t)ow * oh * c);
  if (!px) return -1;
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++)
      memcpy(px + ((size_t)y * ow + x) * c,
             im->data + ((size_t)((long)y * im->height / oh) * im->width + (size_t)((long)x * im->width / ow)) * c, c);
  int rc = add_png_c(obj, "preview", px, ow, oh, c);
  free(px);
  return rc;
}

/* heat (gw x gh, >= 0, scaled so max = 1) -> RGBA colour map (blue -> red, alpha grows with heat) */
static uint8_t *heat_rgba(const float *heat, int gw, int gh, int ow, int oh) {
  float *up = malloc((size_t)ow * oh * sizeof *up);
  uint8_t *rgba = malloc((size_t)ow * oh * 4);
  if (!up || !rgba) {
    free(up), free(rgba);
    return NULL;
  }
  /* the heat as 8-bit grey, upsampled bilinearly (lf_resize) */
  uint8_t h8[64 * 64];
  for (int i = 0; i < gw * gh; i++) h8[i] = (uint8_t)(255 * (heat[i] < 0 ? 0 : heat[i] > 1 ? 1 : heat[i]) + 0.5f);
  if (lf_resize(h8, gw, gh, 1, up, ow, oh, LF_RESIZE_BILINEAR)) {
    free(up), free(rgba);
    return NULL;
  }
  for (size_t i = 0; i < (size_t)ow * oh; i++) {
    float v = up[i] / 255.0f;
    v = v < 0 ? 0 : v > 1 ? 1 : v;
    float r = 1.5f - fabsf(4 * v - 3), g = 1.5f - fabsf(4 * v - 2), b = 1.5f - fabsf(4 * v - 1);
    rgba[4 * i + 0] = (uint8_t)(255 * (r < 0 ? 0 : r > 1 ? 1 : r));
    rgba[4 * i + 1] = (uint8_t)(255 * (g < 0 ? 0 : g > 1 ? 1 : g));
    rgba[4 * i + 2] = (uint8_t)(255 * (b < 0 ? 0 : b > 1 ? 1 : b));
    rgba[4 * i + 3] = (uint8_t)(40 + 215 * v);
  }
  free(up);
  return rgba;
}

/* Occlusion sensitivity for finding k: each of grid x grid cells of the
 * model's input is filled with the image's mean value in turn; the drop of
 * p[k] from p0 is that cell's heat. Cells go through the model batch at a time. */
static int explain(lf_serve_runner *r, const lf_image *im, int k, float p0, int grid, cJSON *root,
                   lf_serve_job_out *out) {
  const lf_serve_model *m = r->m;
  const int H = m->in_h, W = m->in_w, C = m->in_c, B = m->batch;
  const size_t per = (size_t)H * W * C;
  if (grid > H) grid = H;
  if (grid > W) grid = W;
  const int cells = grid * grid;
  double t0 = lf_serve_now();
  uint8_t *u8 = malloc(per), *buf = malloc(per * (size_t)B);
  float *heat = malloc((size_t)cells * sizeof *heat);
  int rc = -1, invokes = 0;
  if (!u8 || !buf || !heat) goto done;
  /* the image as the model sees it (before normalisation), then occluded copies of it */
  if (lf_image_to_input_u8(im, W, H, C, LF_RESIZE_AREA, u8)) goto done;
  double mean[3] = {0, 0, 0};
  for (size_t i = 0; i < per; i++) mean[i % C] += u8[i];
  for (int c = 0; c < C; c++) mean[c] /= (double)(per / C);
  float maxdrop = 0;
  for (int c0 = 0; c0 < cells; c0 += B) {
    int n = cells - c0 < B ? cells - c0 : B;
    for (int b = 0; b < n; b++) {
      int cell = c0 + b, gy = cell / grid, gx = cell % grid;
      int y0 = gy * H / grid, y1 = (gy + 1) * H / grid, x0 = gx * W / grid, x1 = (gx + 1) * W / grid;
      uint8_t *d = buf + (size_t)b * per;
      memcpy(d, u8, per);
      for (int yy = y0; yy < y1; yy++)
        for (int xx = x0; xx < x1; xx++)
          for (int c = 0; c < C; c++) d[((size_t)yy * W + xx) * C + c] = (uint8_t)(mean[c] + 0.5);
      lf_image oi = {W, H, C, d};
      if (lf_predictor_set_image(r->p, b, &oi)) goto done;
    }
    double ms;
    if (lf_predictor_invoke(r->p, n, &ms)) goto done;
    invokes++;
    for (int b = 0; b < n; b++) {
      float drop = p0 - lf_predictor_probs(r->p, b)[k];
      heat[c0 + b] = drop > 0 ? drop : 0;
      if (heat[c0 + b] > maxdrop) maxdrop = heat[c0 + b];
    }
  }
  for (int i = 0; i < cells; i++) heat[i] = maxdrop > 0 ? heat[i] / maxdrop : 0;
  double ms = 1e3 * (lf_serve_now() - t0);
  out->infer_ms += ms;
  int ow, oh;
  overlay_size(im->width, im->height, &ow, &oh);
  uint8_t *rgba = heat_rgba(heat, grid, grid, ow, oh);
  if (!rgba) goto done;
  cJSON *e = cJSON_AddObjectToObject(root, "explanation");
  cJSON_AddStringToObject(e, "finding", m->labels[k]);
  cJSON_AddStringToObject(e, "method", "occlusion sensitivity: each grid cell of the model's input is replaced by "
                                       "the image's mean and the drop in the finding's probability is its heat");
  cJSON_AddNumberToObject(e, "grid", grid);
  cJSON_AddNumberToObject(e, "max_drop", maxdrop);
  cJSON_AddNumberToObject(e, "extra_model_runs", cells);
  cJSON_AddNumberToObject(e, "extra_invokes", invokes);
  cJSON_AddNumberToObject(e, "batch", B);
  cJSON_AddNumberToObject(e, "extra_ms", ms);
  rc = add_png(e, "overlay", rgba, ow, oh);
  free(rgba);
done:
  free(u8), free(buf), free(heat);
  return rc;
}

/* The predictor's mask (at the image's size) as RLE, plus a red RGBA overlay at the overlay size. */
static int segment_reply(const lf_serve_model *m, const lf_prediction *pr, const float *prob, cJSON *root) {
  const int w = pr->width, h = pr->height;
  const size_t np = (size_t)w * h;
  char *rle = NULL;
  size_t fg = 0;
  float pmax = 0;
  for (size_t i = 0; i < np; i++) fg += pr->mask[i] != 0;
  for (int i = 0; i < m->n_out; i++)
    if (prob[i] > pmax) pmax = prob[i];
  if (lf_rle_encode(pr->mask, w, h, &rle)) return -1;
  cJSON *mj = cJSON_AddObjectToObject(root, "mask");
  cJSON_AddNumberToObject(mj, "width", w);
  cJSON_AddNumberToObject(mj, "height", h);
  cJSON_AddNumberToObject(mj, "threshold", m->threshold[0]);
  cJSON_AddStringToObject(mj, "threshold_source", m->threshold_source);
  cJSON_AddNumberToObject(mj, "foreground_pixels", (double)fg);
  cJSON_AddNumberToObject(mj, "foreground_fraction", (double)fg / (double)np);
  cJSON_AddNumberToObject(mj, "max_probability", pmax);
  cJSON_AddBoolToObject(mj, "flag", fg > 0);
  cJSON_AddStringToObject(mj, "rle", rle);
  cJSON_AddStringToObject(mj, "rle_format", "Kaggle: 1-based start and run length pairs, column-major (top to bottom, "
                                            "then left to right)");
  free(rle);
  int ow, oh;
  overlay_size(w, h, &ow, &oh);
  uint8_t *rgba = calloc((size_t)ow * oh, 4);
  if (!rgba) return -1;
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++) {
      size_t s = (size_t)((long)y * h / oh) * w + (size_t)((long)x * w / ow);
      uint8_t *p = rgba + 4 * ((size_t)y * ow + x);
      if (pr->mask[s]) p[0] = 255, p[1] = 40, p[2] = 40, p[3] = 255;
    }
  int rc = add_png(mj, "overlay", rgba, ow, oh);
  free(rgba);
  return rc;
}

static int decode_status(lf_status st) { return st == LF_EUNSUPPORTED ? 415 : st == LF_ENOMEM ? 503 : 422; }

void lf_serve_predict(lf_serve_runner *r, const lf_serve_job_in *in, lf_serve_job_out *out) {
  const lf_serve_model *m = r->m;
  memset(out, 0, sizeof *out);
  const char *mt = in->media_type ? in->media_type : "";
  if (*mt && strcmp(mt, "image/png") && strcmp(mt, "image/jpeg") && strcmp(mt, "image/jpg") &&
      strcmp(mt, "application/dicom") && strcmp(mt, "image/tiff") && strcmp(mt, "application/octet-stream")) {
    out->status = 415;
    out->json = lf_serve_error_json(415, "unsupported media type \"%s\": send image/png, image/jpeg, "
                                         "application/dicom or a multipart/form-data upload", mt);
    return;
  }
  int k_explain = -1;
  if (in->explain) {
    if (m->task != LF_SERVE_CLASSIFY) {
      out->status = 400;
      out->json = lf_serve_error_json(400, "model %s segments: its answer is the mask (explain is for findings)", m->name);
      return;
    }
    if (strcmp(in->explain, "top")) {
      for (int k = 0; k < m->n_out; k++)
        if (!strcmp(m->labels[k], in->explain)) k_explain = k;
      if (k_explain < 0) {
        out->status = 400;
        out->json = lf_serve_error_json(400, "explain: model %s has no finding \"%.80s\" (GET /api/v1/models lists "
                                             "them; \"top\" explains the most probable)", m->name, in->explain);
        return;
      }
    }
  }
  lf_image_info info;
  lf_status st = lf_image_probe_mem(in->data, in->len, "upload", &info);
  /* the size is known from the header even when the decoder's own limit refused it */
  if ((unsigned long long)info.width * (unsigned long long)info.height > in->max_pixels) {
    out->status = 413;
    out->json = lf_serve_error_json(413, "image is %dx%d = %llu pixels (at most %lu; --max-pixels)", info.width,
                                    info.height, (unsigned long long)info.width * info.height, in->max_pixels);
    return;
  }
  if (st == LF_EBADFILE) {
    out->status = 422;
    out->json = lf_serve_error_json(422, "%s", lf_last_error());
    return;
  }
  lf_image im;
  double t_dec = lf_serve_now();
  if ((st = lf_image_decode(in->data, in->len, "upload", &im, &info))) {
    out->status = decode_status(st);
    out->json = lf_serve_error_json(out->status, "%s", lf_last_error());
    return;
  }
  if ((unsigned long long)im.width * (unsigned long long)im.height > in->max_pixels) {
    out->status = 413;
    out->json = lf_serve_error_json(413, "image is %dx%d (at most %lu pixels; --max-pixels)", im.width, im.height,
                                    in->max_pixels);
    lf_image_free(&im);
    return;
  }
  double decode_ms = 1e3 * (lf_serve_now() - t_dec);
  lf_prediction pr = {0};
  cJSON *root = NULL;
  double t0 = lf_serve_now();
  if ((st = lf_predictor_run_image(r->p, &im, &pr))) goto fail;
  out->infer_ms = 1e3 * (lf_serve_now() - t0);
  root = cJSON_CreateObject();
  cJSON_AddStringToObject(root, "model", m->name);
  cJSON_AddStringToObject(root, "sha256", m->sha256);
  cJSON_AddStringToObject(root, "task", m->task == LF_SERVE_CLASSIFY ? "classification" : "segmentation");
  cJSON *ij = cJSON_AddObjectToObject(root, "image");
  cJSON_AddStringToObject(ij, "format", info.format);
  cJSON_AddNumberToObject(ij, "width", im.width);
  cJSON_AddNumberToObject(ij, "height", im.height);
  cJSON_AddNumberToObject(ij, "channels", info.channels);
  if (in->preview && add_preview(ij, &im)) {
    st = lf_error(LF_ENOMEM, "preview: out of memory");
    goto fail;
  }
  if (m->task == LF_SERVE_CLASSIFY) {
    const float *y = pr.scores;
    cJSON *f = cJSON_AddArrayToObject(root, "findings");
    int top = 0;
    for (int k = 0; k < m->n_out; k++) {
      cJSON *e = cJSON_CreateObject();
      cJSON_AddStringToObject(e, "label", m->labels[k]);
      cJSON_AddNumberToObject(e, "probability", y[k]);
      cJSON_AddNumberToObject(e, "threshold", m->threshold[k]);
      cJSON_AddBoolToObject(e, "flag", y[k] >= m->threshold[k]);
      cJSON_AddItemToArray(f, e);
      if (y[k] > y[top]) top = k;
    }
    cJSON_AddStringToObject(root, "threshold_source", m->threshold_source);
    if (in->explain && k_explain < 0) k_explain = top;
    if (k_explain >= 0 && explain(r, &im, k_explain, y[k_explain], in->explain_grid, root, out)) {
      st = lf_error(LF_ENOMEM, "explain: %s", lf_last_error());
      goto fail;
    }
  } else if (segment_reply(m, &pr, lf_predictor_probs(r->p, 0), root)) {
    st = lf_error(LF_ENOMEM, "mask: out of memory");
    goto fail;
  }
  cJSON *t = cJSON_AddObjectToObject(root, "timing_ms");
  cJSON_AddNumberToObject(t, "decode", decode_ms);
  cJSON_AddNumberToObject(t, "inference", out->infer_ms);
  cJSON_AddNumberToObject(t, "total", 1e3 * (lf_serve_now() - in->t_start));
  cJSON_AddStringToObject(root, "notice", "Decision support, not a diagnosis: a clinician reads the image.");
  out->status = 200;
  out->json = root;
  lf_prediction_free(&pr);
  lf_image_free(&im);
  return;
fail:
  cJSON_Delete(root);
  out->status = st == LF_ENOMEM ? 503 : 500;
  out->json = lf_serve_error_json(out->status, "%s", lf_last_error());
  lf_prediction_free(&pr);
  lf_image_free(&im);
}
