/* uint8 ADD, MUL, AVERAGE_POOL_2D, MAX_POOL_2D, MEAN, SOFTMAX, RESIZE_BILINEAR
 * references (legacy quantization). Each is the int8 kernel's arithmetic on
 * unsigned values, with what differs for uint8 spelled out where it does. */
#include <math.h>

#include "lfrt_qu8.h"

/* Offsets into a and b of output element i (shapes right-aligned to 6 dims). */
static void offsets(const lfrt_binary_params *p, int i, size_t *oa, size_t *ob) {
  size_t a = 0, b = 0, sa = 1, sb = 1;
  for (int d = 5; d >= 0; d--) {
    int c = i % p->shape_out[d];
    i /= p->shape_out[d];
    if (p->shape_a[d] != 1) a += (size_t)c * sa;
    if (p->shape_b[d] != 1) b += (size_t)c * sb;
    sa *= (size_t)p->shape_a[d];
    sb *= (size_t)p->shape_b[d];
  }
  *oa = a;
  *ob = b;
}

void lfrt_qu8_add__ref(const lfrt_binary_params *p, int tfl, const uint8_t *a, const uint8_t *b, uint8_t *out,
                       int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    int32_t v;
    if (tfl) { /* TFLite builtin: inputs << 20, Q31 multipliers, two roundings each */
      int32_t sa = lfrt_mul_q31_tfl(((int32_t)a[ia] - p->a_zp) * (1 << 20), p->a_mult, p->a_shift);
      int32_t sb = lfrt_mul_q31_tfl(((int32_t)b[ib] - p->b_zp) * (1 << 20), p->b_mult, p->b_shift);
      v = lfrt_mul_q31_tfl(sa + sb, p->out_mult, p->out_shift) + p->out_zp;
    } else { /* XNNPACK qu8 vadd: bias holds the zero points and the rounding */
      int32_t acc = p->bias + (int32_t)a[ia] * p->a_mult + (int32_t)b[ib] * p->b_mult;
      v = (acc >> p->shift) + p->out_zp;
    }
    out[i] = (uint8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}

void lfrt_qu8_mul__ref(const lfrt_binary_params *p, int tfl, const uint8_t *a, const uint8_t *b, uint8_t *out,
                       int begin, int end) {
  for (int i = begin; i < end; i++) {
    size_t ia, ib;
    offsets(p, i, &ia, &ib);
    int32_t prod = ((int32_t)a[ia] - p->a_zp) * ((int32_t)b[ib] - p->b_zp);
    int32_t v = (tfl ? lfrt_mul_q31_tfl(prod, p->out_mult, p->out_shift) : lfrt_requant_fp32(prod, p->out_mult, p->out_shift)) +
                p->out_zp;
    out[i] = (uint8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
  }
}

static void window(const lfrt_pool_params *p, int oy, int ox, int *y0, int *y1, int *x0, int *x1) {
  int iy = oy * p->stride_h - p->pad_top, ix = ox * p->stride_w - p->pad_left;
  *y0 = iy < 0 ? 0 : iy;
  *y1 = iy + p->k_h < p->in_h ? iy + p->k_h : p->in_h;
  *x0 = ix < 0 ? 0 : ix;
  *x1 = ix + p->k_w < p->in_w ? ix + p->k_w : p->in_w;
}

/* avg: TFLite's uint8 average, (sum + count/2) / count: the sum is never
 * negative, so ties round up (int8 rounds them away from zero: not the same
 * as int8 on value - 128). */
void lfrt_qu8_pool__ref(const lfrt_pool_params *p, int is_max, const uint8_t *in, uint8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const uint8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->c;
    for (int ox = 0; ox < p->out_w; ox++) {
      int y0, y1, x0, x1;
      window(p, oy, ox, &y0, &y1, &x0, &x1);
      int32_t count = (y1 - y0) * (x1 - x0);
      for (int c = 0; c < p->c; c++) {
        int32_t acc = 0, m = 0;
        for (int y = y0; y < y1; y++)
          for (int x = x0; x < x1; x++) {
            int32_t v = inb[((size_t)y * p->in_w + x) * p->c + c];
            acc += v;
            if (v > m) m = v;
          }
        int32_t v = is_max ? m : count > 0 ? (acc + count / 2) / count : 0;
        out[((size_t)r * p->out_w + ox) * p->c + c] = (uint8_t)lfrt_clamp_i32(v, p->act_min, p->act_max);
      }
    }
  }
}

static size_t mean_offset(const lfrt_mean_params *p, int i, int j) {
  size_t off = 0, stride = 1;
  for (int d = p->ndim - 1; d >= 0; d--) {
    int coord;
    if (p->reduce[d]) {
      coord = j % p->shape[d];
      j /= p->shape[d];
    } else {
      coord = i % p->shape[d];
      i /= p->shape[d];
    }
    off += (size_t)coord * stride;
    stride *= (size_t)p->shape[d];
  }
  return off;
}

void lfrt_qu8_mean__ref(const lfrt_mean_params *p, const uint8_t *in, uint8_t *out, int begin, int end) {
  for (int i = begin; i < end; i++) {
    int64_t acc = 0;
    for (int j = 0; j < p->n; j++) acc += in[mean_offset(p, i, j)];
    lfrt_sf t = lfrt_sf_mul(lfrt_sf_from_int(acc), p->scale);
    int32_t v = lfrt_sf_to_int_rne(lfrt_sf_add(t, p->zp));
    out[i] = (uint8_t)lfrt_clamp_i32(v, 0, 255);
  }
}

void lfrt_qu8_softmax__ref(const lfrt_softmax_params *p, const uint8_t *in, uint8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    const uint8_t *x = in + (size_t)r * p->depth;
    uint8_t *y = out + (size_t)r * p->depth;
    int32_t mx = 0;
    for (int j = 0; j < p->depth; j++)
      if (x[j] > mx) mx = x[j];
    const float *t = p->exp_lut + 255 - mx; /* t[q] = exp(beta*s*(q - max)), q <= max */
    float sum = 0.0f;
    for (int j = 0; j < p->depth; j++) sum += t[x[j]];
    float inv = 1.0f / (sum * p->out_scale);
    for (int j = 0; j < p->depth; j++) {
      float v = roundf(t[x[j]] * inv);
      if (!(v >= 0.0f)) v = 0.0f; /* NaN from a hostile beta: never convert it */
      if (v > 1000.0f) v = 1000.0f;
      y[j] = (uint8_t)lfrt_clamp_i32((int32_t)v + p->out_zp, 0, 255);
    }
  }
}

/* XNNPACK u8 ibilinear: the int8 kernel's 11-bit weights and rounding shift on
 * unsigned values (the same bytes as int8 on value - 128: the weights sum to 2^22). */
void lfrt_qu8_resize_bilinear__ref(const lfrt_resize_params *p, const uint8_t *in, uint8_t *out, int begin, int end) {
  for (int r = begin; r < end; r++) {
    int b = r / p->out_h, oy = r % p->out_h;
    const int32_t *ty = p->tab_y + 3 * oy;
    const uint8_t *inb = in + (size_t)b * p->in_h * p->in_w * p->c;
    int32_t av = ty[2];
    for (int ox = 0; ox < p->out_w; ox++) {
      const int32_t *tx = p->tab_x + 3 * ox;
      int32_t ah = tx[2];
      const uint8_t *tl = inb + ((size_t)ty[0] * p->in_w + tx[0]) * p->c;
      const uint8_t *tr = inb + ((size_t)ty[0] * p->in_w + tx[1]) * p->c;
      const uint8_t *bl = inb + ((size_t)ty[1] * p->in_w + tx[0]) * p->c;
      const uint8_t *br = inb + ((size_t)ty[1] * p->in_w + tx[1]) * p->c;
      uint8_t *o = out + ((size_t)r * p->out_w + ox) * p->c;
      for (int c = 0; c < p->c; c++) {
        int32_t top = tl[c] * 2048 + (tr[c] - tl[c]) * ah;
        int32_t bot = bl[c] * 2048 + (br[c] - bl[c]) * ah;
        int64_t acc = (int64_t)top * 2048 + (int64_t)(bot - top) * av; /* up to 255 * 2^22: int64 */
        o[c] = (uint8_t)((acc + (1 << 21)) >> 22);
      }
    }
  }
}
