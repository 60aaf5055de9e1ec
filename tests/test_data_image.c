/* Image decoding vs PIL (every pixel format, files written by PIL), our PNG/TIFF
 * encoders read back by PIL, resize vs numpy (area), PIL BOX and torch (bilinear),
 * corrupt and truncated files.  Oracle: tests/test_data_image_oracle.py. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "leapfrog/lf_fileio.h"
#include "leapfrog/lf_image.h"
#include "lf_test.h"

static char dir[512];
static const char *py, *root;

static char *pth(const char *name) {
  static char b[4][1024];
  static int k;
  k = (k + 1) & 3;
  snprintf(b[k], sizeof b[k], "%s/%s", dir, name);
  return b[k];
}

static unsigned char *slurp(const char *p, size_t *n) {
  unsigned char *d;
  if (lf_read_file(p, 0, &d, n)) return NULL;
  return d;
}

static const char *pil_cases[] = {"png_L",       "png_LA",          "png_RGB",      "png_RGBA",  "png_P",
                                  "png_I16",     "png_1bit",        "png_Ptrns",    "tif_L_raw", "tif_L_lzw",
                                  "tif_L_packbits", "tif_RGB_deflate", "tif_RGBA_raw", "tif_I16", "tif_P",
                                  "tif_kaggle",  "jpg_L",           "jpg_RGB",      "jpg_RGB_prog", "jpg_RGB_444",
                                  "png_RGB16",   "png_RGBA16",      "png_LA16",     "png_G2",    "png_G4",
                                  "png_L_adam7", "png_RGB_adam7",   "png_G4_adam7"};

LF_TEST(decode_matches_pil) {
  for (size_t k = 0; k < sizeof pil_cases / sizeof *pil_cases; k++) {
    const char *nm = pil_cases[k];
    char file[256], sh[256], ex[256];
    snprintf(file, sizeof file, "%s.%s", nm, nm[0] == 'p' ? "png" : nm[0] == 't' ? "tif" : "jpg");
    snprintf(sh, sizeof sh, "%s.shape", nm);
    snprintf(ex, sizeof ex, "%s.expect", nm);
    int w = 0, h = 0, c = 0;
    FILE *f = fopen(pth(sh), "r");
    LF_CHECK_MSG(f && fscanf(f, "%d %d %d", &w, &h, &c) == 3, "%s: no oracle shape", nm);
    if (f) fclose(f);
    size_t n;
    unsigned char *want = slurp(pth(ex), &n);
    lf_image im;
    lf_image_info info;
    lf_status s = lf_image_read(pth(file), &im, &info);
    LF_CHECK_MSG(s == LF_OK, "%s: %s", nm, lf_last_error());
    if (s || !want) { free(want); continue; }
    LF_CHECK_MSG(im.width == w && im.height == h && im.channels == c, "%s: got %dx%dx%d want %dx%dx%d", nm,
                 im.width, im.height, im.channels, w, h, c);
    if (im.width == w && im.height == h && im.channels == c && n == (size_t)w * h * c) {
      size_t bad = 0, first = 0;
      for (size_t i = 0; i < n; i++)
        if (im.data[i] != want[i] && !bad++) first = i;
      LF_CHECK_MSG(bad == 0, "%s: %zu of %zu bytes differ from PIL (first at %zu: %d vs %d)", nm, bad, n,
                   first, im.data[first], want[first]);
    }
    lf_image_info pi;
    LF_CHECK_MSG(lf_image_probe(pth(file), &pi) == LF_OK && pi.width == w && pi.height == h &&
                     !strcmp(pi.format, info.format),
                 "%s: probe disagrees", nm);
    lf_image_free(&im);
    free(want);
  }
}

static void make_ours(void) {
  for (int c = 1; c <= 4; c++) {
    lf_image im;
    lf_image_alloc(&im, 29, 17, c);
    for (size_t i = 0; i < (size_t)29 * 17 * c; i++) im.data[i] = (uint8_t)(i * 37 + c * 11);
    char name[64];
    snprintf(name, sizeof name, "ours_%d.png", c);
    LF_CHECK_MSG(lf_image_write_png(pth(name), &im, c) == LF_OK, "%s", lf_last_error());
    if (c == 1 || c == 3) {
      snprintf(name, sizeof name, "ours_%d.tif", c);
      LF_CHECK_MSG(lf_image_write_tiff(pth(name), &im) == LF_OK, "%s", lf_last_error());
    }
    lf_image_free(&im);
  }
  /* resize input 96x64x3 */
  size_t n = 96 * 64 * 3;
  unsigned char *x = malloc(n);
  uint64_t st = 7;
  for (size_t i = 0; i < n; i++) x[i] = (uint8_t)(lf_sm64_next(&st) >> 56);
  lf_write_file_atomic(pth("rz_in.bin"), x, n);
  free(x);
  const char *shape = "96 64 3\n", *targets = "24 16\n40 28\n7 5\n150 90\n96 64\n";
  lf_write_file_atomic(pth("rz_in.shape"), shape, strlen(shape));
  lf_write_file_atomic(pth("rz_targets.txt"), targets, strlen(targets));
}

LF_TEST(encoders_read_by_pil) {
  for (int c = 1; c <= 4; c++)
    for (int t = 0; t < 2; t++) {
      if (t && (c == 2 || c == 4)) continue;
      char name[64], pil[80];
      snprintf(name, sizeof name, "ours_%d.%s", c, t ? "tif" : "png");
      snprintf(pil, sizeof pil, "%s.pil", name);
      size_t n;
      unsigned char *got = slurp(pth(pil), &n);
      LF_CHECK_MSG(got && n == (size_t)29 * 17 * c, "%s: PIL could not read it (%zu bytes)", name, got ? n : 0);
      if (got && n == (size_t)29 * 17 * c)
        for (size_t i = 0; i < n; i++)
          if (got[i] != (uint8_t)(i * 37 + c * 11)) {
            LF_CHECK_MSG(0, "%s: PIL reads byte %zu as %d", name, i, got[i]);
            break;
          }
      free(got);
      /* and we read our own files back */
      lf_image im;
      LF_CHECK(lf_image_read(pth(name), &im, NULL) == LF_OK);
      LF_CHECK(im.channels == (c >= 3 ? 3 : 1));
      lf_image_free(&im);
    }
}

static float maxdiff(const float *a, const float *b, size_t n) {
  float m = 0;
  for (size_t i = 0; i < n; i++) m = fmaxf(m, fabsf(a[i] - b[i]));
  return m;
}

LF_TEST(resize_vs_oracles) {
  size_t n;
  unsigned char *x = slurp(pth("rz_in.bin"), &n);
  LF_CHECK(x && n == 96 * 64 * 3);
  if (!x) return;
  int tg[][2] = {{24, 16}, {40, 28}, {7, 5}, {150, 90}, {96, 64}};
  for (int k = 0; k < 5; k++) {
    int ow = tg[k][0], oh = tg[k][1];
    size_t m = (size_t)ow * oh * 3;
    float *got = malloc(m * sizeof(float));
    char name[64];
    for (int mode = 0; mode < 2; mode++) {
      LF_CHECK(lf_resize(x, 96, 64, 3, got, ow, oh, mode ? LF_RESIZE_BILINEAR : LF_RESIZE_AREA) == LF_OK);
      if (mode == 0 && ow > 96) continue; /* area falls back to bilinear when enlarging */
      snprintf(name, sizeof name, "rz_%s_%dx%d.ref", mode ? "bilinear" : "area", ow, oh);
      size_t rn;
      float *ref = (float *)(void *)slurp(pth(name), &rn);
      LF_CHECK_MSG(ref && rn == m * 4, "%s missing", name);
      if (ref && rn == m * 4) {
        float d = maxdiff(got, ref, m);
        LF_CHECK_MSG(d < 2e-3f, "%s: max |diff| %g", name, d);
      }
      free(ref);
      if (mode == 0) {
        snprintf(name, sizeof name, "rz_box_%dx%d.ref", ow, oh);
        ref = (float *)(void *)slurp(pth(name), &rn);
        if (ref && rn == m * 4) {
          float d = maxdiff(got, ref, m);
          LF_CHECK_MSG(d < 2e-3f, "%s (PIL BOX): max |diff| %g", name, d);
        } else {
          LF_CHECK_MSG(96 % ow || 64 % oh, "%s: PIL BOX reference missing", name);
        }
        free(ref);
      }
    }
    free(got);
  }
  free(x);
}

static void write_bytes(const char *name, const unsigned char *d, size_t n) {
  LF_CHECK(lf_write_file_atomic(pth(name), d, n) == LF_OK);
}

LF_TEST(corrupt_files_fail_cleanly) {
  const char *srcs[] = {"png_RGB.png", "tif_L_lzw.tif", "jpg_RGB.jpg", "tif_kaggle.tif", "png_I16.png", "tif_RGB_deflate.tif"};
  for (size_t k = 0; k < sizeof srcs / sizeof *srcs; k++) {
    size_t n;
    unsigned char *d = slurp(pth(srcs[k]), &n);
    LF_CHECK(d != NULL);
    if (!d) continue;
    char name[128];
    snprintf(name, sizeof name, "trunc_%s", srcs[k]);
    write_bytes(name, d, n / 2);
    lf_image im;
    lf_status s = lf_image_read(pth(name), &im, NULL);
    LF_CHECK_MSG(s == LF_EBADFILE, "%s: truncated file gave %s", name, lf_status_str(s));
    LF_CHECK_MSG(strstr(lf_last_error(), name) != NULL, "%s: message lacks the path: %s", name, lf_last_error());
    /* every prefix of the first 300 bytes and a sample of longer ones: no crash, no success */
    for (size_t len = 0; len < n; len += len < 300 ? 1 : 97) {
      s = lf_image_decode(d, len, name, &im, NULL);
      LF_CHECK_MSG(s != LF_OK, "%s: prefix of %zu bytes decoded", name, len);
      if (!s) lf_image_free(&im);
    }
    /* flipped bytes in the data: error or (rarely, compressed data) a decode, never a crash */
    for (int t = 0; t < 40; t++) {
      unsigned char *e = malloc(n);
      memcpy(e, d, n);
      uint64_t st = (uint64_t)t * 977 + k;
      for (int j = 0; j < 4; j++) e[lf_sm64_next(&st) % n] ^= (uint8_t)(1 + lf_sm64_next(&st) % 255);
      if (lf_image_decode(e, n, name, &im, NULL) == LF_OK) lf_image_free(&im);
      free(e);
    }
    free(d);
  }
  write_bytes("garbage.png", (const unsigned char *)"hello world, not an image", 25);
  lf_image im;
  LF_CHECK(lf_image_read(pth("garbage.png"), &im, NULL) == LF_EUNSUPPORTED);
  write_bytes("empty.png", (const unsigned char *)"", 0);
  LF_CHECK(lf_image_read(pth("empty.png"), &im, NULL) == LF_EBADFILE);
  LF_CHECK(lf_image_read(pth("does-not-exist.png"), &im, NULL) == LF_ENOTFOUND);
  /* PNG with a broken IDAT CRC */
  size_t n;
  unsigned char *d = slurp(pth("png_L.png"), &n);
  if (d) {
    unsigned char *idat = memmem(d, n, "IDAT", 4);
    LF_CHECK(idat != NULL);
    if (idat) idat[6] ^= 0x5A;
    write_bytes("crc.png", d, n);
    LF_CHECK(lf_image_read(pth("crc.png"), &im, NULL) == LF_EBADFILE);
    free(d);
  }
}

LF_TEST(convert_and_normalise) {
  lf_image im;
  lf_image_alloc(&im, 2, 1, 3);
  uint8_t px[6] = {255, 0, 0, 10, 200, 30};
  memcpy(im.data, px, 6);
  LF_CHECK(lf_image_convert(&im, 1) == LF_OK);
  LF_CHECK(im.data[0] == 76 && im.data[1] == (10 * 299 + 200 * 587 + 30 * 114 + 500) / 1000); /* PIL's L */
  LF_CHECK(lf_image_convert(&im, 3) == LF_OK && im.data[3] == im.data[4] && im.data[4] == im.data[5]);
  lf_image_free(&im);
  float v[3] = {255, 0, 127.5f};
  lf_normalize(v, 1, 3, LF_NORM_IMAGENET, NULL, NULL);
  LF_CHECK(fabsf(v[0] - (1 - 0.485f) / 0.229f) < 1e-5f && fabsf(v[1] + 0.456f / 0.224f) < 1e-5f);
  float z[2] = {51, 204}, mean[3] = {0.2f, 0, 0}, sd[3] = {0.5f, 1, 1};
  lf_normalize(z, 2, 1, LF_NORM_ZSCORE, mean, sd);
  LF_CHECK(fabsf(z[0]) < 1e-6f && fabsf(z[1] - 1.2f) < 1e-5f);
}

LF_TEST(augment_same_for_image_and_mask) {
  int W = 64, H = 48;
  float *img = malloc(sizeof(float) * W * H), *mask = malloc(sizeof(float) * W * H);
  int agree = 0, n = 0;
  for (int t = 0; t < 20; t++) {
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        int in = (x - 40) * (x - 40) + (y - 20) * (y - 20) < 100 || (x > 5 && x < 15 && y > 30);
        img[y * W + x] = in ? 255.0f : 0.0f;
        mask[y * W + x] = (float)in;
      }
    lf_augment_opts o = {0.5f, 10, 0.08f, 0.1f, 0, 0};
    LF_CHECK(lf_augment(img, mask, W, H, 1, &o, 1000 + (uint64_t)t) == LF_OK);
    for (int i = 0; i < W * H; i++) agree += (img[i] > 127.5f) == (mask[i] > 0.5f), n++;
  }
  LF_CHECK_MSG(agree > n * 0.98, "image and mask disagree on %d of %d pixels", n - agree, n);
  /* same seed, same result; flip-only is an exact mirror */
  float a[12], b[12];
  for (int i = 0; i < 12; i++) a[i] = b[i] = (float)i;
  lf_augment_opts f = {1.0f, 0, 0, 0, 0, 0};
  lf_augment(a, NULL, 4, 3, 1, &f, 5);
  for (int y = 0; y < 3; y++)
    for (int x = 0; x < 4; x++) LF_CHECK(fabsf(a[y * 4 + x] - b[y * 4 + 3 - x]) < 1e-5f);
  free(img), free(mask);
}

int main(void) {
  const char *tmp = getenv("LF_TMP");
  py = getenv("LF_PYTHON");
  root = getenv("LF_ROOT");
  if (!tmp) tmp = "/tmp";
  if (!py) py = "/usr/bin/python3";
  if (!root) root = ".";
  snprintf(dir, sizeof dir, "%s/data_image.%d", tmp, (int)getpid());
  lf_mkdirs(dir);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s -c 'import PIL, numpy, torch' 2>/dev/null", py);
  if (system(cmd) != 0) {
    printf("skip: %s lacks PIL/numpy/torch\n", py);
    return 77;
  }
  snprintf(cmd, sizeof cmd, "%s %s/tests/test_data_image_oracle.py write %s", py, root, dir);
  LF_CHECK_MSG(system(cmd) == 0, "oracle write phase failed");
  make_ours();
  snprintf(cmd, sizeof cmd, "%s %s/tests/test_data_image_oracle.py check %s", py, root, dir);
  LF_CHECK_MSG(system(cmd) == 0, "oracle check phase failed");
  LF_RUN(decode_matches_pil);
  LF_RUN(encoders_read_by_pil);
  LF_RUN(resize_vs_oracles);
  LF_RUN(corrupt_files_fail_cleanly);
  LF_RUN(convert_and_normalise);
  LF_RUN(augment_same_for_image_and_mask);
  return lf_test_summary();
}
