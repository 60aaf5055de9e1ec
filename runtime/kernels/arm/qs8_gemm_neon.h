/* Shared tail of the ARM qs8 GEMM microkernels (runtime/kernels/arm and arm64):
 * the requantization and the partial store of one row of 8 outputs, exactly as
 * the contract in lfrt_gemm.h says (static inline: no ISA flags of its own; each
 * including file compiles it with its own). Uses only intrinsics armv7 NEON and
 * aarch64 both have, except the aarch64 round-to-nearest-even conversion. */
#ifndef LFRT_QS8_GEMM_NEON_H
#define LFRT_QS8_GEMM_NEON_H
#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lfrt_gemm.h"

/* Rows of one requantization: per-column scales, clamp bounds and zero point. */
typedef struct {
  float32x4_t vmin, vmax;
  int32x4_t zp;
} lfrt_neon_rq;

static inline lfrt_neon_rq lfrt_neon_rq_load(const lfrt_qs8_requant *rq) {
  lfrt_neon_rq r;
  r.vmin = vdupq_n_f32(rq->min);
  r.vmax = vdupq_n_f32(rq->max);
  r.zp = vdupq_n_s32(rq->out_zp);
  return r;
}

/* 4 accumulators -> 4 int32 outputs (zero point added):
 *   v = min(max((float)acc * scale, min), max); rne(v) + out_zp
 * (float)acc and the product round to nearest even (aarch64 FPCR default;
 * armv7 Advanced SIMD always uses round-to-nearest). armv7 NEON also flushes
 * denormals to zero, which never matters here: acc is an integer (|acc| >= 1
 * or 0) and the packed scales are 0 or >= 2^-32 (lfrt_conv_scale_q8), so no
 * operand or product is denormal. The clamp keeps |v| <= 255, inside the
 * magic-number conversion's exact range |v| < 2^22 (armv7 has no NEON
 * float->int conversion that rounds to nearest even: vcvtq_s32_f32 truncates;
 * adding 1.5 * 2^23 rounds the fraction away with the FPU's RNE, and the
 * integer bits of the sum are then 0x4B400000 + rne(v)). */
static inline int32x4_t lfrt_neon_requant4(int32x4_t acc, float32x4_t scale, const lfrt_neon_rq *r) {
  float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc), scale);
  v = vminq_f32(vmaxq_f32(v, r->vmin), r->vmax);
#if defined(__aarch64__)
  int32x4_t q = vcvtnq_s32_f32(v);
#else
  int32x4_t q = vsubq_s32(vreinterpretq_s32_f32(vaddq_f32(v, vdupq_n_f32(12582912.0f))), vdupq_n_s32(0x4B400000));
#endif
  return vaddq_s32(q, r->zp);
}

/* 8 accumulators -> 8 int8 outputs (in range after the clamp; the narrowing
 * truncates like the reference's (int8_t) cast). */
static inline int8x8_t lfrt_neon_requant8(int32x4_t lo, int32x4_t hi, float32x4_t s_lo, float32x4_t s_hi,
                                          const lfrt_neon_rq *r) {
  int16x8_t h = vcombine_s16(vmovn_s32(lfrt_neon_requant4(lo, s_lo, r)), vmovn_s32(lfrt_neon_requant4(hi, s_hi, r)));
  return vmovn_s16(h);
}

/* Stores the first nc (1..8) bytes of v at c (any alignment). */
static inline void lfrt_neon_store8(int8_t *c, int8x8_t v, int nc) {
  if (nc == 8) {
    vst1_s8(c, v);
  } else {
    int8_t t[8];
    vst1_s8(t, v);
    memcpy(c, t, (size_t)nc);
  }
}

/* Loads 4 bytes at p (any alignment) into the low half of a vector. */
static inline uint8x8_t lfrt_neon_load4_u8(const uint8_t *p) {
  uint32_t u;
  memcpy(&u, p, 4);
  return vreinterpret_u8_u32(vdup_n_u32(u));
}

#endif
