/* DENSIFY of sparse constants (TFLite sparsity, tflite_sparse.c): folded at
 * load into the dense tensor, for DENSE / SPARSE_CSR levels, int32 / uint16 /
 * uint8 index vectors, a block map, FLOAT32 / INT8 / FLOAT16 (then the fp16
 * DEQUANTIZE folds too); hostile metadata refused with a clear message, and a
 * sparse tensor read by another op refused. The whole-model check against
 * LiteRT is tests/test_mediapipe.sh (face_detection_full_range_sparse).
 *   test_sparse --write DIR   writes the models (fuzz seeds). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lf_test.h"
#include "lfrt.h"

#define R 5 /* rows */
#define C 6 /* columns */

/* A dense R x C matrix with zeros; block b of a row: columns 2b, 2b+1. */
static float dense_value(int r, int c) {
  return ((r * 7 + c * 3) % 4 == 0 || (r == 3 && c / 2 == 1)) ? (float)(r * C + c + 1) * 0.25f : 0.0f;
}

typedef struct {
  int blocked;      /* 0: levels (row DENSE, col SPARSE_CSR); 1: block map on dim 1, blocks of 2 */
  int width;        /* index width 4 / 2 / 1 */
  lfrt_type type;   /* FLOAT32, INT8 or FLOAT16 (then DEQUANTIZE) */
  int reader;       /* 0: DENSIFY reads the sparse tensor; 1: ADD reads it directly (refused) */
  int bad;          /* hostile edit: BAD_* (0 = none) */
} spec;

enum { BAD_NONE, BAD_SEG_ORDER, BAD_INDEX_RANGE, BAD_INDEX_DUP, BAD_SEG_COUNT, BAD_VALUES, BAD_ORDER,
       BAD_BLOCK_MAP, BAD_BLOCK_SIZE, BAD_DENSE_SIZE, BAD_UNION, BAD_ORDER_BLOCKS, BAD_NLEVELS, BAD_COUNT };

static const char *const bad_needle[BAD_COUNT] = {
    "", "must grow", "must increase, below", "must increase, below", "segment bounds", "values but its structure",
    "not a permutation", "block_map[0]", "does not divide", "dense_size", "union type", "block dimensions must follow",
    "traversal_order"};

/* Encodes the matrix; returns the model bytes (free) or NULL. */
static void *build(const spec *sp, size_t *len) {
  int32_t seg[R * C + 1], ind[R * C];
  unsigned char vals[R * C * 4];
  int nseg = 0, nind = 0, nv = 0;
  size_t es = sp->type == LFRT_FLOAT32 ? 4 : sp->type == LFRT_FLOAT16 ? 2 : 1;
  int nb = sp->blocked ? C / 2 : C; /* columns, or blocks of 2 */
  seg[nseg++] = 0;
  for (int r = 0; r < R; r++) {
    for (int j = 0; j < nb; j++) {
      int any = 0;
      for (int k = 0; k < (sp->blocked ? 2 : 1); k++) any |= dense_value(r, sp->blocked ? 2 * j + k : j) != 0.0f;
      if (!any) continue;
      ind[nind++] = j;
      for (int k = 0; k < (sp->blocked ? 2 : 1); k++) { /* a block stores all its values, zeros too */
        float v = dense_value(r, sp->blocked ? 2 * j + k : j);
        if (es == 4) memcpy(vals + 4 * nv, &v, 4);
        else if (es == 1) vals[nv] = (unsigned char)(int8_t)(int)(v * 4.0f);
        else { /* the value is an exact multiple of 1/4 below 64: fp16 by hand */
          uint16_t h = 0;
          if (v != 0.0f) {
            int e = 0;
            float m = v;
            while (m >= 2.0f) { m /= 2.0f; e++; }
            while (m < 1.0f) { m *= 2.0f; e--; }
            h = (uint16_t)((e + 15) << 10 | (int)((m - 1.0f) * 1024.0f));
          }
          vals[2 * nv] = (unsigned char)(h & 0xff);
          vals[2 * nv + 1] = (unsigned char)(h >> 8);
        }
        nv++;
      }
    }
    seg[nseg++] = nind;
  }
  int32_t order[3] = {0, 1, 2}, bmap[1] = {1};
  int nlevels = sp->blocked ? 3 : 2, nblocks = sp->blocked ? 1 : 0;
  lfrt_writer_sparse_dim dims[3];
  memset(dims, 0, sizeof dims);
  dims[0].dense_size = R;
  dims[1].sparse = 1;
  dims[1].width = sp->width;
  dims[1].segments = seg;
  dims[1].nsegments = nseg;
  dims[1].indices = ind;
  dims[1].nindices = nind;
  dims[2].dense_size = 2;
  switch (sp->bad) {
    case BAD_SEG_ORDER: seg[2] = seg[1] - 1; break;
    case BAD_INDEX_RANGE: ind[0] = 200; break;
    case BAD_INDEX_DUP: ind[1] = ind[0]; break;
    case BAD_SEG_COUNT: dims[1].nsegments--; break;
    case BAD_VALUES: nv--; break;
    case BAD_ORDER: order[1] = 0; break;
    case BAD_BLOCK_MAP: bmap[0] = 7; break;
    case BAD_BLOCK_SIZE: dims[2].dense_size = 4; break;
    case BAD_DENSE_SIZE: dims[0].dense_size = R + 1; break;
    case BAD_UNION: dims[1].union_type = 9; break;
    case BAD_ORDER_BLOCKS: order[0] = 2; order[2] = 0; break;
    case BAD_NLEVELS: nlevels = 1; break;
    default: break;
  }
  lfrt_writer *w = lfrt_writer_new();
  int32_t shp[2] = {R, C};
  lfrt_quant q = {0};
  float s = 0.25f;
  int32_t z = 0;
  if (sp->type == LFRT_INT8) {
    q.count = 1;
    q.scale = &s;
    q.zero_point = &z;
  }
  unsigned char zeros[R * C * 4];
  memset(zeros, 0, sizeof zeros);
  int wsp = lfrt_writer_add_tensor(w, "w_sparse", sp->type, 2, shp, zeros, (size_t)R * C * es, q.count ? &q : NULL);
  lfrt_writer_set_sparsity(w, wsp, order, nlevels, bmap, nblocks, dims, vals, (size_t)nv * es);
  int x = lfrt_writer_add_tensor(w, "x", LFRT_FLOAT32, 2, shp, NULL, 0, NULL);
  int y = lfrt_writer_add_tensor(w, "y", LFRT_FLOAT32, 2, shp, NULL, 0, NULL);
  int wd = wsp;
  if (!sp->reader) {
    wd = lfrt_writer_add_tensor(w, "w_dense", sp->type, 2, shp, NULL, 0, q.count ? &q : NULL);
    lfrt_writer_add_operator(w, LFRT_OP_DENSIFY, &wsp, 1, &wd, 1, NULL);
  }
  if (sp->type != LFRT_FLOAT32) {
    int wf = lfrt_writer_add_tensor(w, "w_float", LFRT_FLOAT32, 2, shp, NULL, 0, NULL);
    lfrt_writer_add_operator(w, LFRT_OP_DEQUANTIZE, &wd, 1, &wf, 1, NULL);
    wd = wf;
  }
  int32_t ins[2] = {x, wd};
  lfrt_writer_add_operator(w, LFRT_OP_ADD, ins, 2, &y, 1, NULL);
  lfrt_writer_set_io(w, &x, 1, &y, 1);
  void *bytes = NULL;
  lfrt_error err;
  if (lfrt_writer_finish(w, &bytes, len, &err) != LFRT_OK) {
    LF_CHECK_MSG(0, "writer: %s", err.msg);
    bytes = NULL;
  }
  lfrt_writer_free(w);
  return bytes;
}

/* Loads, runs y = x + densify(w) with x = 0 and compares with the matrix. */
static void runs(const spec *sp, const char *what) {
  size_t len;
  void *bytes = build(sp, &len);
  if (!bytes) return;
  lfrt_model *m = NULL;
  lfrt_interp *it = NULL;
  lfrt_error err;
  err.msg[0] = 0;
  LF_CHECK_MSG(lfrt_model_load(bytes, len, what, &m, &err) == LFRT_OK, "%s", err.msg);
  if (m) LF_CHECK_MSG(lfrt_interp_create(m, NULL, &it, &err) == LFRT_OK, "%s", err.msg);
  if (it) {
    float x[R * C], y[R * C];
    memset(x, 0, sizeof x);
    LF_CHECK(lfrt_interp_set_input(it, 0, x, sizeof x, &err) == LFRT_OK);
    LF_CHECK(lfrt_interp_invoke(it, &err) == LFRT_OK);
    LF_CHECK(lfrt_interp_get_output(it, 0, y, sizeof y, &err) == LFRT_OK);
    for (int i = 0; i < R * C; i++) {
      float want = dense_value(i / C, i % C);
      if (sp->type == LFRT_INT8) want = (float)(int8_t)(int)(want * 4.0f) * 0.25f;
      LF_CHECK_MSG(y[i] == want, "%s: y[%d] = %g, want %g", what, i, (double)y[i], (double)want);
    }
    LF_CHECK(!strcmp(lfrt_interp_node_kernel(it, 0), "folded at load"));
    lfrt_interp_free(it);
  }
  lfrt_model_free(m);
  free(bytes);
}

LF_TEST(densify_runs) {
  const int widths[3] = {4, 2, 1};
  const lfrt_type types[3] = {LFRT_FLOAT32, LFRT_INT8, LFRT_FLOAT16};
  for (int b = 0; b < 2; b++)
    for (int wi = 0; wi < 3; wi++)
      for (int ti = 0; ti < 3; ti++) {
        spec sp = {b, widths[wi], types[ti], 0, 0};
        char what[64];
        snprintf(what, sizeof what, "sparse_b%d_w%d_%s", b, widths[wi], lfrt_type_name(types[ti]));
        runs(&sp, what);
      }
}

LF_TEST(hostile_metadata_refused) {
  for (int bad = 1; bad < BAD_COUNT; bad++) {
    spec sp = {bad == BAD_BLOCK_MAP || bad == BAD_BLOCK_SIZE || bad == BAD_ORDER_BLOCKS, 4, LFRT_FLOAT32, 0, bad};
    size_t len;
    void *bytes = build(&sp, &len);
    if (!bytes) continue;
    lfrt_model *m = NULL;
    lfrt_error err;
    err.msg[0] = 0;
    lfrt_status want = bad == BAD_ORDER_BLOCKS ? LFRT_EUNSUPPORTED : LFRT_EBADFILE;
    lfrt_status st = lfrt_model_load(bytes, len, "hostile.tflite", &m, &err);
    LF_CHECK_MSG(st == want && strstr(err.msg, "hostile.tflite: tensor 0 'w_sparse'") && strstr(err.msg, bad_needle[bad]),
                 "case %d: status %d: %s", bad, (int)st, err.msg);
    lfrt_model_free(m);
    /* describe: malformed stays malformed; the unsupported layout is described */
    m = NULL;
    st = lfrt_model_describe(bytes, len, "hostile.tflite", &m, &err);
    LF_CHECK_MSG(want == LFRT_EUNSUPPORTED ? st == LFRT_OK : st == LFRT_EBADFILE, "describe case %d: %d", bad, (int)st);
    lfrt_model_free(m);
    free(bytes);
  }
}

LF_TEST(sparse_read_by_other_op_refused) {
  spec sp = {0, 4, LFRT_FLOAT32, 1, 0};
  size_t len;
  void *bytes = build(&sp, &len);
  if (!bytes) return;
  lfrt_model *m = NULL;
  lfrt_error err;
  LF_CHECK(lfrt_model_load(bytes, len, "direct.tflite", &m, &err) == LFRT_EUNSUPPORTED);
  LF_CHECK_MSG(strstr(err.msg, "node 0 (ADD)") && strstr(err.msg, "only DENSIFY reads sparse tensors"), "%s", err.msg);
  lfrt_model_free(m);
  free(bytes);
}

static int write_models(const char *dir) {
  const spec cases[] = {{0, 4, LFRT_FLOAT32, 0, 0}, {1, 1, LFRT_FLOAT16, 0, 0}, {1, 2, LFRT_INT8, 0, 0}};
  const char *const names[] = {"densify_csr_f32", "densify_block_f16", "densify_block_i8"};
  for (int i = 0; i < 3; i++) {
    size_t len;
    void *b = build(&cases[i], &len);
    char path[512];
    snprintf(path, sizeof path, "%s/%s.tflite", dir, names[i]);
    FILE *f = b ? fopen(path, "wb") : NULL;
    int ok = f && fwrite(b, 1, len, f) == len;
    if (f) ok &= fclose(f) == 0;
    free(b);
    if (!ok) return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 3 && !strcmp(argv[1], "--write")) return write_models(argv[2]);
  LF_RUN(densify_runs);
  LF_RUN(hostile_metadata_refused);
  LF_RUN(sparse_read_by_other_op_refused);
  return lf_test_summary();
}
