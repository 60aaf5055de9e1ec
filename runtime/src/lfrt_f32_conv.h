/* The f32 conv microkernel family (CONV_2D incl. 1x1, TRANSPOSE_CONV,
 * FULLY_CONNECTED), bit-exact with the reference kernels.
 *
 * The op drivers (f32_conv_drive.c) walk the output of lfrt_f32_conv2d__ref /
 * lfrt_f32_tconv2d__ref / lfrt_f32_fc__ref and hand the microkernel tiles of
 * up to MR output pixels that share the same valid taps, one NR-channel block
 * of packed weights at a time. For each pixel i < mr and lane n < NR the
 * microkernel computes, in exactly this order, with a separate IEEE multiply
 * and add per step (never FMA; the files are built with -std=c99, so
 * -ffp-contract=off):
 *
 *   acc = 0.0f
 *   for a < nky, b < nkx, k < kc:
 *     acc = acc + x[i*x_pix + a*x_ky + b*x_kx + k] * w[a*w_ky + b*w_kx + k*NR + n]
 *   if (bias) acc = acc + bias[n]
 *   if (acc <= min) acc = min;  if (acc > max) acc = max
 *   if (c0 <= n < c1) y[i*y_pix + n] = acc
 *
 * which is the reference's per-output sequence (taps outside the input are
 * skipped by the driver, not added as zero; taps are visited in increasing
 * ky, kx as the reference does), so every lane gives the reference's bits.
 * Offsets are in floats. nky or nkx may be 0 (acc stays 0).
 *
 * Packed weights (lfrt_f32_conv_pack): ceil(N/NR) blocks, each
 *   float bias[NR] | float w[K][NR]   (w[k][n] = W[n0+n][k], zero past N)
 * where W is [N][K] (TFLite OHWI flattened: k = (ky*k_w + kx)*in_c + ic; FC
 * [out][in]). Blocks are lfrt_f32_conv_block_floats() apart; the buffer is
 * 64-byte aligned, so with NR a multiple of 16 every block is too.
 *
 * DEPTHWISE_CONV_2D (depth multiplier 1) has its own microkernel per ISA in
 * the same table, on the unpacked TFLite weights [k_h][k_w][C]: one output
 * pixel, all kc channels (mr, x_pix, y_pix, c0, c1 unused), for c < kc:
 *
 *   acc = 0.0f
 *   for a < nky, b < nkx: acc = acc + x[a*x_ky + b*x_kx + c] * w[a*w_ky + b*w_kx + c]
 *   if (bias) acc = acc + bias[c];  clamp as above;  y[c] = acc */
#ifndef LFRT_F32_CONV_H
#define LFRT_F32_CONV_H
#include <stddef.h>

#include "lfrt_isa.h"
#include "lfrt_kernels.h"

typedef struct {
  int mr, nky, nkx;
  size_t kc;
  const float *x;
  ptrdiff_t x_pix, x_ky, x_kx;
  const float *w; /* the first tap's row of the block: NR floats per k */
  ptrdiff_t w_ky, w_kx;
  const float *bias; /* NR floats, or NULL: no bias add */
  float *y;          /* channel n0 of pixel 0 */
  ptrdiff_t y_pix;
  int c0, c1; /* lanes written: [c0, c1) */
  float min, max;
} lfrt_f32_conv_tile;

typedef void (*lfrt_f32_conv_ukernel_fn)(const lfrt_f32_conv_tile *t);

typedef struct lfrt_f32_conv_config_s {
  lfrt_isa isa;
  const char *name; /* e.g. "f32_conv_8x32__avx512vnni" */
  lfrt_f32_conv_ukernel_fn fn;
  int mr, nr;
  const char *dw_name; /* e.g. "f32_dwconv_c64__avx512vnni" */
  lfrt_f32_conv_ukernel_fn dw;
} lfrt_f32_conv_config;

/* Floats of one packed block. */
static inline size_t lfrt_f32_conv_block_floats(int nr, size_t K) { return (size_t)nr * (K + 1); }
/* Packs W [N][K] and bias [N] (NULL: zeros) into ceil(N/nr) blocks at out. */
void lfrt_f32_conv_pack(int nr, int N, int K, const float *w, const float *bias, float *out);

/* Op drivers with the reference signatures: they read p->packed_f32 and
 * p->f32_cfg (set at prepare) and ignore w; bias only says whether to add the
 * (packed) bias. Same [begin, end) work units as the reference kernels. */
void lfrt_f32_conv2d_packed(const lfrt_conv_params *p, const float *in, const float *w, const float *bias,
                            float *out, int begin, int end);
void lfrt_f32_tconv2d_packed(const lfrt_conv_params *p, const float *in, const float *w, const float *bias,
                             float *out, int begin, int end);
/* depth multiplier != 1 runs the reference (no variant yet). */
void lfrt_f32_dwconv2d_packed(const lfrt_conv_params *p, const float *in, const float *w, const float *bias,
                              float *out, int begin, int end);
void lfrt_f32_fc_packed(const lfrt_fc_params *p, const float *in, const float *w, const float *bias, float *out,
                        int begin, int end);

/* The microkernels this build may have (config_f32_conv.c names only the
 * ones the Makefile compiles for the target). */
void lfrt_f32_conv_1x4__ref(const lfrt_f32_conv_tile *t);
void lfrt_f32_conv_8x32__avx512vnni(const lfrt_f32_conv_tile *t);
void lfrt_f32_conv_4x16__avx2(const lfrt_f32_conv_tile *t);
void lfrt_f32_conv_4x8__neon(const lfrt_f32_conv_tile *t);
void lfrt_f32_dwconv_c4__ref(const lfrt_f32_conv_tile *t);
void lfrt_f32_dwconv_c64__avx512vnni(const lfrt_f32_conv_tile *t);
void lfrt_f32_dwconv_c32__avx2(const lfrt_f32_conv_tile *t);
void lfrt_f32_dwconv_c16__neon(const lfrt_f32_conv_tile *t);

/* The table, best first, ending with fn == NULL; and the config used for isa
 * (the first whose ISA isa implies; the last real entry is the portable one). */
const lfrt_f32_conv_config *lfrt_f32_conv_configs(void);
const lfrt_f32_conv_config *lfrt_f32_conv_config_for(lfrt_isa isa);

#endif
