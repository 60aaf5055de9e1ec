/* One random int8 CONV_2D / TRANSPOSE_CONV / FULLY_CONNECTED case with its
 * reference output, shared by the GEMM-path testers (test_conv_gemm.c,
 * test_conv_igemm.c): odd and prime sizes, kernels, strides, dilations, SAME
 * and VALID paddings, zero points, activation ranges, per-channel scales as
 * the converter makes them (fl(fl(xs*ws)/ys) = mult * 2^shift), with and
 * without bias, random [begin, end) row slices. A tester packs c->w, runs its
 * path into c->got and calls qconv_case_check. */
#ifndef QCONV_CASE_H
#define QCONV_CASE_H
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lfrt_kernels.h"
#include "lfrt_quant.h"
#include "test_interp_util.h"

enum { QC_CONV, QC_TCONV, QC_FC };

typedef struct {
  int kind, K, N, begin, end; /* rows [begin, end): one output row (batch * out_h) each */
  lfrt_conv_params p;
  int8_t *in, *w, *want, *got; /* w: [N][K] (OHWI); got pre-filled with 0x5a like want */
  int32_t *bias, *mult, *shift; /* bias NULL when the case has none */
  float *scale;                 /* [N]: mult * 2^shift as floats */
  size_t out_n;
} qconv_case;

static int qc_conv_out(int same, int in, int k, int s, int d, int *pad) {
  int eff = (k - 1) * d + 1;
  int out = same ? (in + s - 1) / s : (in + s - eff) / s;
  int total = (out - 1) * s + eff - in;
  *pad = total > 0 ? total / 2 : 0;
  return out;
}

/* in_c4: input channels a multiple of 4 (the indirect GEMM's condition).
 * Returns 0 when the drawn geometry has no output (nothing allocated). */
static int qconv_case_make(qconv_case *c, int kind, int idx, int in_c4) {
  static const int dims[] = {1, 2, 3, 5, 7, 11, 13, 17};
  static const int chans[] = {1, 3, 4, 5, 8, 13, 16, 17, 31, 33, 64, 67};
  static const int chans4[] = {4, 8, 12, 20, 28, 44, 64, 68, 124, 4, 8, 132};
  memset(c, 0, sizeof *c);
  lfrt_conv_params *p = &c->p;
  c->kind = kind;
  p->batch = 1 + idx % 2;
  p->in_h = dims[tu_randint(0, 7)];
  p->in_w = dims[tu_randint(0, 7)];
  p->in_c = (in_c4 ? chans4 : chans)[tu_randint(0, 11)];
  p->out_c = chans[tu_randint(0, 11)];
  p->k_h = (int[]){1, 2, 3, 5}[tu_randint(0, 3)];
  p->k_w = (int[]){1, 2, 3, 5}[tu_randint(0, 3)];
  p->stride_h = tu_randint(1, 3);
  p->stride_w = tu_randint(1, 3);
  p->dil_h = p->dil_w = 1;
  int same = tu_randint(0, 1);
  if (kind == QC_FC) {
    p->in_h = p->in_w = p->out_h = p->out_w = p->k_h = p->k_w = p->stride_h = p->stride_w = 1;
    p->batch = tu_randint(1, 5);
    p->in_c = in_c4 ? 4 * tu_randint(1, 75) : tu_randint(1, 300);
  } else if (kind == QC_TCONV) {
    p->stride_h = p->stride_w = tu_randint(1, 2);
    p->out_h = same ? p->in_h * p->stride_h : (p->in_h - 1) * p->stride_h + p->k_h;
    p->out_w = same ? p->in_w * p->stride_w : (p->in_w - 1) * p->stride_w + p->k_w;
    qc_conv_out(same, p->out_h, p->k_h, p->stride_h, 1, &p->pad_top);
    qc_conv_out(same, p->out_w, p->k_w, p->stride_w, 1, &p->pad_left);
  } else {
    p->dil_h = tu_randint(1, 2);
    p->dil_w = tu_randint(1, 2);
    p->out_h = qc_conv_out(same, p->in_h, p->k_h, p->stride_h, p->dil_h, &p->pad_top);
    p->out_w = qc_conv_out(same, p->in_w, p->k_w, p->stride_w, p->dil_w, &p->pad_left);
    if (p->out_h < 1 || p->out_w < 1) return 0;
  }
  p->in_zp = tu_randint(-128, 127);
  p->out_zp = tu_randint(-128, 127);
  p->act_min = tu_randint(0, 3) ? -128 : tu_randint(-128, 0);
  p->act_max = tu_randint(0, 3) ? 127 : tu_randint(p->act_min, 127);
  int K = c->K = p->k_h * p->k_w * p->in_c, N = c->N = p->out_c;
  size_t in_n = (size_t)p->batch * p->in_h * p->in_w * p->in_c;
  c->out_n = (size_t)p->batch * p->out_h * p->out_w * N;
  c->in = malloc(in_n), c->w = malloc((size_t)N * K), c->want = malloc(c->out_n), c->got = malloc(c->out_n);
  c->bias = malloc((size_t)N * 4), c->mult = malloc((size_t)N * 4), c->shift = malloc((size_t)N * 4);
  c->scale = malloc((size_t)N * 4);
  for (size_t i = 0; i < in_n; i++) c->in[i] = (int8_t)tu_randint(-128, 127);
  for (int i = 0; i < N * K; i++) c->w[i] = (int8_t)tu_randint(-127, 127);
  int has_bias = tu_randint(0, 3) != 0;
  for (int k = 0; k < N; k++) {
    c->bias[k] = tu_randint(-20000, 20000);
    float s = ldexpf(tu_randf(0.5f, 1.0f), -tu_randint(6, 16));
    int32_t m;
    int e;
    lfrt_fp32_scale_split(s, &m, &e);
    c->mult[k] = m;
    c->shift[k] = e;
    c->scale[k] = ldexpf((float)m, e);
  }
  if (!has_bias) {
    free(c->bias);
    c->bias = NULL;
  }
  p->mult = c->mult;
  p->shift = c->shift;
  int rows = p->batch * p->out_h;
  c->begin = 0, c->end = rows;
  if (rows > 1 && tu_randint(0, 1)) {
    c->begin = tu_randint(0, rows - 1);
    c->end = tu_randint(c->begin + 1, rows);
  }
  memset(c->want, 0x5a, c->out_n);
  memset(c->got, 0x5a, c->out_n);
  if (kind == QC_CONV) lfrt_qs8_conv2d__ref(p, c->in, c->w, c->bias, c->want, c->begin, c->end);
  else if (kind == QC_TCONV) lfrt_qs8_tconv2d__ref(p, c->in, c->w, c->bias, c->want, c->begin, c->end);
  else {
    lfrt_fc_params f;
    memset(&f, 0, sizeof f);
    f.batch = p->batch, f.in_c = p->in_c, f.out_c = p->out_c;
    f.in_zp = p->in_zp, f.out_zp = p->out_zp, f.act_min = p->act_min, f.act_max = p->act_max;
    f.mult = c->mult, f.shift = c->shift;
    lfrt_qs8_fc__ref(&f, c->in, c->w, c->bias, c->want, c->begin * N, c->end * N);
  }
  return 1;
}

/* 1 (and a check failure naming the path, case and first differing byte) if
 * c->got differs from the reference anywhere, inside or outside the slice. */
static int qconv_case_check(const qconv_case *c, const char *name, int idx) {
  if (!memcmp(c->want, c->got, c->out_n)) return 0;
  size_t i = 0;
  while (c->want[i] == c->got[i]) i++;
  const lfrt_conv_params *p = &c->p;
  LF_CHECK_MSG(0, "%s %s case %d: in %dx%dx%dx%d k %dx%d s %d,%d d %d,%d pad %d,%d out %dx%dx%d rows [%d,%d): byte %zu got %d want %d",
               name, c->kind == QC_CONV ? "conv" : c->kind == QC_TCONV ? "tconv" : "fc", idx, p->batch, p->in_h, p->in_w,
               p->in_c, p->k_h, p->k_w, p->stride_h, p->stride_w, p->dil_h, p->dil_w, p->pad_top, p->pad_left, p->out_h,
               p->out_w, c->N, c->begin, c->end, i, c->got[i], c->want[i]);
  return 1;
}

static void qconv_case_free(qconv_case *c) {
  free(c->in), free(c->w), free(c->want), free(c->got);
  free(c->bias), free(c->mult), free(c->shift), free(c->scale);
}

#endif
