/* Whole int8 models on this platform vs Google's LiteRT (C99, runtime only, so
 * it also runs cross-built under qemu for aarch64 and armv7).
 *
 * Builds the zoo's DenseNet-121-shaped and UNet-shaped int8 models (random
 * weights from fixed seeds, tests/util/model_zoo.c, compiled into this test),
 * runs them in the interpreter on a fixed pseudo-random input and requires the
 * FNV-1a digest of the output bytes to equal the digest of what LiteRT 2.5.3
 * (wasm, tests/oracles/tflite) printed for the same model file and input,
 * recorded below. So on every architecture the output is compared with the
 * oracle's bytes, not just with x86-64. Each model runs again on 3 threads and
 * must give the same bytes.
 *
 * Default: reduced resolution (DenseNet 64x64, UNet 32x48; same topology) to
 * keep qemu runs short; LF_RT_MODELS=full runs 224x224 and 80x112 too.
 * `test_models --write DIR` writes the models and inputs (to re-record the
 * digests: run LiteRT on them, see tests/test_oracle_models.sh).
 * With LF_DIGEST_DIR set, writes $LF_DIGEST_DIR/test_models.txt. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "lfrt.h"
#include "lfrt_interp.h"
#include "util/model_zoo.c"

typedef struct {
  const char *name;
  int kind; /* 0 densenet, 1 unet resize, 2 unet transpose conv */
  int h, w, full;
  uint64_t litert_fnv; /* FNV-1a 64 of LiteRT's output bytes */
} model_case;

static const model_case cases[] = {
    /* digests recorded 2026-11-24 from LiteRT 2.5.3 (run_litert_batch.mjs) */
    {"densenet121_i8_64x64", 0, 64, 64, 0, 0x41915fe7df89bbadull},
    {"unet_i8_32x48", 1, 32, 48, 0, 0x85fe06191066296eull},
    {"unet_tconv_i8_32x48", 2, 32, 48, 0, 0xdef613a63f548fc9ull},
    {"densenet121_i8_224x224", 0, 224, 224, 1, 0x9d81879020e0e89bull},
    {"unet_i8_80x112", 1, 80, 112, 1, 0xc47d944c95865296ull},
    {"unet_tconv_i8_80x112", 2, 80, 112, 1, 0x5074b66b192028a5ull},
};

static uint64_t fnv1a(const void *p, size_t n) {
  const unsigned char *b = p;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}

static int build(const model_case *c, void **bytes, size_t *len) {
  char msg[256] = "";
  int rc = c->kind == 0 ? lf_zoo_densenet121(0, 121, c->h, c->w, 14, bytes, len, msg, sizeof msg)
                        : lf_zoo_unet(0, 80112 + c->kind, c->h, c->w, 32, c->kind == 2, bytes,
                                      len, msg, sizeof msg);
  LF_CHECK_MSG(rc == 0, "%s: %s", c->name, msg);
  return rc;
}

static void make_input(const model_case *c, int8_t *in, size_t n) {
  uint64_t s = 4242 + (uint64_t)c->h * 1000 + (uint64_t)c->kind;
  for (size_t i = 0; i < n; i++) in[i] = (int8_t)(lf_zoo_rand(&s) >> 56);
}

static int write_file(const char *path, const void *p, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f) return -1;
  size_t w = fwrite(p, 1, n, f);
  return fclose(f) == 0 && w == n ? 0 : -1;
}

static FILE *digests;

static void run_case(const model_case *c, const char *write_dir) {
  void *bytes = NULL;
  size_t len = 0;
  if (build(c, &bytes, &len)) return;
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  if (lfrt_model_load(bytes, len, c->name, &m, &err) != LFRT_OK ||
      lfrt_interp_create(m, NULL, &it, &err) != LFRT_OK) {
    LF_CHECK_MSG(0, "%s: %s", c->name, err.msg);
    goto done;
  }
  const lfrt_tensor *ti = lfrt_interp_input(it, 0);
  int8_t *in = lfrt_interp_input_data(it, 0);
  make_input(c, in, ti->bytes);
  if (write_dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s.tflite", write_dir, c->name);
    LF_CHECK(write_file(path, bytes, len) == 0);
    snprintf(path, sizeof path, "%s/%s.in.bin", write_dir, c->name);
    LF_CHECK(write_file(path, in, ti->bytes) == 0);
    goto done;
  }
  LF_CHECK_MSG(lfrt_interp_invoke(it, &err) == LFRT_OK, "%s: %s", c->name, err.msg);
  const lfrt_tensor *to = lfrt_interp_output(it, 0);
  uint64_t h = fnv1a(lfrt_interp_output_data(it, 0), to->bytes);
  printf("%-24s output %zu bytes fnv1a %016llx (LiteRT %016llx), arena %zu bytes\n", c->name,
         to->bytes, (unsigned long long)h, (unsigned long long)c->litert_fnv,
         lfrt_interp_arena_bytes(it));
  LF_CHECK_MSG(h == c->litert_fnv, "%s: output digest %016llx, LiteRT's is %016llx", c->name,
               (unsigned long long)h, (unsigned long long)c->litert_fnv);
  if (digests) fprintf(digests, "%s %016llx\n", c->name, (unsigned long long)h);
  /* the same bytes with a thread pool (rows split across threads) */
  if (lfrt_interp_set_threads(it, 3, &err) == LFRT_OK && lfrt_interp_invoke(it, &err) == LFRT_OK) {
    uint64_t h3 = fnv1a(lfrt_interp_output_data(it, 0), to->bytes);
    LF_CHECK_MSG(h3 == h, "%s: 3 threads give %016llx, 1 thread %016llx", c->name,
                 (unsigned long long)h3, (unsigned long long)h);
  } else {
    LF_CHECK_MSG(0, "%s: 3 threads: %s", c->name, err.msg);
  }
done:
  lfrt_interp_free(it);
  lfrt_model_free(m);
  free(bytes);
}

int main(int argc, char **argv) {
  const char *write_dir = argc == 3 && !strcmp(argv[1], "--write") ? argv[2] : NULL;
  const char *mode = getenv("LF_RT_MODELS");
  int full = write_dir || (mode && !strcmp(mode, "full"));
  const char *dd = getenv("LF_DIGEST_DIR");
  if (dd && !write_dir) {
    char path[1024];
    snprintf(path, sizeof path, "%s/test_models.txt", dd);
    digests = fopen(path, "w");
  }
  lf_test_current = "models";
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    if (!cases[i].full || full) run_case(&cases[i], write_dir);
  if (digests) fclose(digests);
  return lf_test_summary();
}
