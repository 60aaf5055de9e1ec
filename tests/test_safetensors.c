/* safetensors reader/writer: round trip, dtype conversion, and hostile headers.
 * `test_safetensors dump FILE` prints every tensor (name dtype shape values as
 * float) and the metadata, for tests/test_safetensors.sh (numpy interop). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "leapfrog/lf_safetensors.h"
#include "lf_test.h"

static char tmpdir[512];

static int dump(const char *path) {
  lf_st_file f;
  if (lf_st_open(&f, path)) {
    fprintf(stderr, "%s\n", lf_last_error());
    return 1;
  }
  for (size_t i = 0; i < f.n_meta; i++) printf("meta %s=%s\n", f.meta_keys[i], f.meta_vals[i]);
  for (size_t i = 0; i < f.n_tensors; i++) {
    const lf_st_tensor *t = &f.tensors[i];
    printf("tensor %s %s [", t->name, lf_st_dtype_name(t->dtype));
    for (int d = 0; d < t->ndim; d++) printf("%s%lld", d ? "," : "", (long long)t->shape[d]);
    printf("]");
    float *v = malloc((t->numel ? t->numel : 1) * sizeof *v);
    if (!v || lf_st_to_f32(&f, t, v, t->numel)) return 1;
    for (size_t k = 0; k < t->numel; k++) printf(" %.9g", v[k]);
    printf("\n");
    free(v);
  }
  lf_st_close(&f);
  return 0;
}

/* Builds a file from a header string and data bytes. */
static size_t make_file(unsigned char *out, const char *hdr, const void *data, size_t dlen) {
  uint64_t n = strlen(hdr);
  for (int i = 0; i < 8; i++) out[i] = (unsigned char)(n >> (8 * i));
  memcpy(out + 8, hdr, n);
  if (dlen) memcpy(out + 8 + n, data, dlen);
  return 8 + n + dlen;
}

static lf_status parse_hdr(const char *hdr, size_t dlen) {
  static unsigned char buf[4096];
  unsigned char zeros[256] = {0};
  size_t n = make_file(buf, hdr, zeros, dlen);
  lf_st_file f;
  lf_status st = lf_st_parse(&f, buf, n, "bad.safetensors");
  lf_st_close(&f);
  return st;
}

LF_TEST(round_trip) {
  lf_st_writer *w;
  LF_CHECK(lf_st_writer_new(&w) == LF_OK);
  float a[6] = {1, -2.5f, 3e-8f, 1e30f, 0, -0.0f};
  int64_t sa[2] = {2, 3};
  int64_t steps = 1234567890123LL;
  uint8_t u[3] = {0, 128, 255};
  int64_t su[1] = {3};
  LF_CHECK(lf_st_writer_add(w, "z.weight", LF_ST_F32, 2, sa, a) == LF_OK);
  LF_CHECK(lf_st_writer_add(w, "a.steps", LF_ST_I64, 0, NULL, &steps) == LF_OK);
  LF_CHECK(lf_st_writer_add(w, "m.bytes", LF_ST_U8, 1, su, u) == LF_OK);
  LF_CHECK(lf_st_writer_add(w, "m.bytes", LF_ST_U8, 1, su, u) == LF_EINVAL);
  LF_CHECK(lf_st_writer_add(w, "__metadata__", LF_ST_U8, 1, su, u) == LF_EINVAL);
  LF_CHECK(lf_st_writer_meta(w, "arch", "densenet121") == LF_OK);
  LF_CHECK(lf_st_writer_meta(w, "config", "{\"a\": \"q\\\"\n\"}") == LF_OK);
  LF_CHECK(lf_st_writer_meta(w, "arch", "unet") == LF_OK); /* replaces */
  char path[600];
  snprintf(path, sizeof path, "%s/rt.safetensors", tmpdir);
  LF_CHECK(lf_st_writer_save(w, path) == LF_OK);
  lf_st_writer_free(w);

  lf_st_file f;
  LF_CHECK_MSG(lf_st_open(&f, path) == LF_OK, "%s", lf_last_error());
  LF_CHECK(f.n_tensors == 3 && f.n_meta == 2);
  LF_CHECK(f.meta_keys && lf_st_meta(&f, "arch") && !strcmp(lf_st_meta(&f, "arch"), "unet"));
  LF_CHECK(lf_st_meta(&f, "config") && !strcmp(lf_st_meta(&f, "config"), "{\"a\": \"q\\\"\n\"}"));
  LF_CHECK((8 + (f.len - 8 - 6 * 4 - 8 - 3)) % 8 == 0); /* header padded to 8 */
  /* data laid out in name order */
  LF_CHECK(f.n_tensors == 3 && !strcmp(f.tensors[0].name, "a.steps") && !strcmp(f.tensors[2].name, "z.weight"));
  const lf_st_tensor *t = lf_st_find(&f, "z.weight");
  LF_CHECK(t && t->dtype == LF_ST_F32 && t->ndim == 2 && t->shape[0] == 2 && t->shape[1] == 3);
  float b[6];
  LF_CHECK(t && lf_st_to_f32(&f, t, b, 6) == LF_OK && !memcmp(a, b, sizeof a));
  LF_CHECK(t && lf_st_to_f32(&f, t, b, 5) == LF_EINVAL);
  int64_t s2 = 0;
  t = lf_st_find(&f, "a.steps");
  LF_CHECK(t && t->ndim == 0 && lf_st_to_i64(&f, t, &s2) == LF_OK && s2 == steps);
  t = lf_st_find(&f, "m.bytes");
  LF_CHECK(t && lf_st_to_f32(&f, t, b, 3) == LF_OK && b[0] == 0 && b[1] == 128 && b[2] == 255);
  LF_CHECK(lf_st_find(&f, "nope") == NULL);
  lf_st_close(&f);
  lf_st_close(&f); /* twice is safe */
}

LF_TEST(half_types) {
  /* F16: 1.0 = 0x3c00, -2 = 0xc000, 65504 = 0x7bff, smallest subnormal 0x0001;
   * BF16: 1.0 = 0x3f80, -3.0 = 0xc040 */
  uint16_t d[6] = {0x3c00, 0xc000, 0x7bff, 0x0001, 0x3f80, 0xc040};
  unsigned char buf[512];
  size_t n = make_file(buf,
                       "{\"h\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]},"
                       "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[8,12]}}",
                       d, sizeof d);
  lf_st_file f;
  LF_CHECK_MSG(lf_st_parse(&f, buf, n, "half") == LF_OK, "%s", lf_last_error());
  float v[4];
  const lf_st_tensor *t = lf_st_find(&f, "h");
  LF_CHECK(t && lf_st_to_f32(&f, t, v, 4) == LF_OK);
  LF_CHECK(v[0] == 1.0f && v[1] == -2.0f && v[2] == 65504.0f && v[3] == ldexpf(1, -24));
  t = lf_st_find(&f, "b");
  LF_CHECK(t && lf_st_to_f32(&f, t, v, 2) == LF_OK && v[0] == 1.0f && v[1] == -3.0f);
  lf_st_close(&f);
}

LF_TEST(hostile_headers) {
  const char *ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  LF_CHECK(parse_hdr(ok, 8) == LF_OK);
  LF_CHECK(parse_hdr("{}", 0) == LF_OK);                 /* empty file is valid */
  LF_CHECK(parse_hdr(ok, 12) == LF_EBADFILE);            /* unindexed trailing bytes */
  LF_CHECK(parse_hdr(ok, 4) == LF_EBADFILE);             /* data past the end */
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}", 8) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[2.5],\"data_offsets\":[0,8]}}", 8) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"Q7\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8) == LF_EUNSUPPORTED);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}", 8) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":[1,2]}", 0) == LF_EBADFILE);
  LF_CHECK(parse_hdr("[1,2]", 0) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":", 0) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{} x", 0) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{}    ", 0) == LF_OK);
  /* overflow of prod(shape) * 4 */
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}}", 0) ==
           LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[1e300],\"data_offsets\":[0,8]}}", 8) == LF_EBADFILE);
  /* overlap, gap, duplicate */
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                     "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                     "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8) == LF_EBADFILE);
  /* metadata must be strings */
  LF_CHECK(parse_hdr("{\"__metadata__\":{\"k\":1}}", 0) == LF_EBADFILE);
  LF_CHECK(parse_hdr("{\"__metadata__\":{\"k\":\"v\"}}", 0) == LF_OK);
  LF_CHECK(parse_hdr("{\"__metadata__\":[]}", 0) == LF_EBADFILE);
  /* header length larger than the file / tiny files */
  unsigned char b[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'};
  lf_st_file f;
  LF_CHECK(lf_st_parse(&f, b, 10, "huge") == LF_EBADFILE);
  LF_CHECK(strstr(lf_last_error(), "huge") != NULL);
  LF_CHECK(lf_st_parse(&f, b, 3, "tiny") == LF_EBADFILE);
  /* the message names the file and the tensor */
  LF_CHECK(parse_hdr("{\"conv1.weight\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8) == LF_EBADFILE);
  LF_CHECK(strstr(lf_last_error(), "bad.safetensors") && strstr(lf_last_error(), "conv1.weight"));
  char path[600];
  snprintf(path, sizeof path, "%s/missing.safetensors", tmpdir);
  LF_CHECK(lf_st_open(&f, path) == LF_ENOTFOUND);
}

/* Writes a fixed file for the numpy side of tests/test_safetensors.sh. */
static int write_sample(const char *path) {
  lf_st_writer *w;
  float a[24];
  for (int i = 0; i < 24; i++) a[i] = (float)i * 0.25f - 3.0f;
  int64_t sa[4] = {2, 3, 2, 2}, one = 7, sb[1] = {0};
  int32_t c[3] = {-1, 0, 2147483647};
  int64_t sc[1] = {3};
  if (lf_st_writer_new(&w) || lf_st_writer_add(w, "features.conv0.weight", LF_ST_F32, 4, sa, a) ||
      lf_st_writer_add(w, "features.norm0.num_batches_tracked", LF_ST_I64, 0, NULL, &one) ||
      lf_st_writer_add(w, "empty", LF_ST_F32, 1, sb, a) || lf_st_writer_add(w, "b.ints", LF_ST_I32, 1, sc, c) ||
      lf_st_writer_meta(w, "arch", "densenet121") || lf_st_writer_meta(w, "note", "quote\" \\ tab\t") ||
      lf_st_writer_save(w, path)) {
    fprintf(stderr, "%s\n", lf_last_error());
    return 1;
  }
  lf_st_writer_free(w);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "dump")) return dump(argv[2]);
  if (argc == 3 && !strcmp(argv[1], "write")) return write_sample(argv[2]);
  const char *t = getenv("LF_TMP");
  snprintf(tmpdir, sizeof tmpdir, "%s", t && *t ? t : "/tmp");
  LF_RUN(round_trip);
  LF_RUN(half_types);
  LF_RUN(hostile_headers);
  return lf_test_summary();
}
