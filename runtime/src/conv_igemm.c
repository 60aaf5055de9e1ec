/* int8 CONV_2D, TRANSPOSE_CONV and FULLY_CONNECTED as an indirect GEMM: per
 * tile of MR output pixels, a table of MR * k_h * k_w pointers (tap-major)
 * into the int8 input, taps outside it pointing at the node's zero-point
 * buffer; then the dispatched igemm microkernel over every NR-column block of
 * the packed weights (lfrt_igemm.h). The input is never copied: the
 * microkernel turns int8 into the GEMM contract's uint8 in its registers. */
#include <stddef.h>

#include "lfrt_conv_igemm.h"

size_t lfrt_qs8_conv_igemm_scratch(const lfrt_conv_params *p, const lfrt_qs8_igemm_config *g) {
  const size_t ks = (size_t)p->k_h * (size_t)p->k_w;
  return (size_t)g->mr * ks * sizeof(const int8_t *) + ks * sizeof(ptrdiff_t);
}

/* Pointers of output pixel (b, oy, ox) at dst[0], dst[mr], ... (one per tap);
 * off[t]: tap t's byte offset from the window's corner (used when the whole
 * window lies inside the input, as for most pixels). */
static void conv_ptrs(const lfrt_conv_params *p, const ptrdiff_t *off, const int8_t *inb, const int8_t *zero, int oy,
                      int ox, const int8_t **dst, int mr) {
  const size_t row_bytes = (size_t)p->in_w * (size_t)p->in_c;
  const int iy0 = oy * p->stride_h - p->pad_top, ix0 = ox * p->stride_w - p->pad_left;
  if (iy0 >= 0 && iy0 + (p->k_h - 1) * p->dil_h < p->in_h && ix0 >= 0 && ix0 + (p->k_w - 1) * p->dil_w < p->in_w) {
    const int8_t *base = inb + (size_t)iy0 * row_bytes + (size_t)ix0 * (size_t)p->in_c;
    const int ks = p->k_h * p->k_w;
    for (int t = 0; t < ks; t++, dst += mr) *dst = base + off[t];
    return;
  }
  for (int ky = 0; ky < p->k_h; ky++) {
    const int iy = iy0 + ky * p->dil_h;
    if (iy < 0 || iy >= p->in_h) {
      for (int kx = 0; kx < p->k_w; kx++, dst += mr) *dst = zero;
      continue;
    }
    const int8_t *row = inb + (size_t)iy * row_bytes;
    for (int kx = 0, ix = ix0; kx < p->k_w; kx++, ix += p->dil_w, dst += mr)
      *dst = ix >= 0 && ix < p->in_w ? row + (size_t)ix * (size_t)p->in_c : zero;
  }
}

/* TRANSPOSE_CONV in gather form: tap (ky, kx) reads input (ty / stride, tx /
 * stride) with ty = oy + pad_top - ky*dil_h, when both divide exactly and lie
 * inside the input. */
static void tconv_ptrs(const lfrt_conv_params *p, const int8_t *inb, const int8_t *zero, int oy, int ox,
                       const int8_t **dst, int mr) {
  for (int ky = 0; ky < p->k_h; ky++) {
    const int ty = oy + p->pad_top - ky * p->dil_h;
    const int iy = ty >= 0 && ty % p->stride_h == 0 ? ty / p->stride_h : -1;
    for (int kx = 0; kx < p->k_w; kx++, dst += mr) {
      const int tx = ox + p->pad_left - kx * p->dil_w;
      const int ix = tx >= 0 && tx % p->stride_w == 0 ? tx / p->stride_w : -1;
      *dst = iy >= 0 && iy < p->in_h && ix >= 0 && ix < p->in_w
                 ? inb + ((size_t)iy * (size_t)p->in_w + (size_t)ix) * (size_t)p->in_c
                 : zero;
    }
  }
}

void lfrt_qs8_conv_igemm_run(const lfrt_conv_params *p, int tconv, const lfrt_qs8_igemm_config *g,
                             const void *packed, const int8_t *zero, const int8_t *in, int8_t *out, int begin,
                             int end, void *scratch) {
  const size_t ks = (size_t)p->k_h * (size_t)p->k_w, kc = (size_t)p->in_c;
  const size_t blk = lfrt_qs8_gemm_block_bytes(g->nr, ks * kc);
  const size_t in_image = (size_t)p->in_h * (size_t)p->in_w * kc;
  const lfrt_qs8_requant rq = {(float)(p->act_min - p->out_zp), (float)(p->act_max - p->out_zp), p->out_zp};
  const int8_t **ind = scratch;
  ptrdiff_t *off = (ptrdiff_t *)(void *)(ind + (size_t)g->mr * ks);
  for (int ky = 0, t = 0; ky < p->k_h; ky++)
    for (int kx = 0; kx < p->k_w; kx++, t++)
      off[t] = ((ptrdiff_t)ky * p->dil_h * p->in_w + (ptrdiff_t)kx * p->dil_w) * p->in_c;
  const int m_end = end * p->out_w;
  /* the next pixel's coordinates, stepped along with m */
  int ox = 0, oy = begin % p->out_h, b = begin / p->out_h;
  for (int m0 = begin * p->out_w; m0 < m_end; m0 += g->mr) {
    const int mr = m_end - m0 < g->mr ? m_end - m0 : g->mr;
    for (int i = 0; i < mr; i++) {
      const int8_t *inb = in + (size_t)b * in_image;
      if (tconv) tconv_ptrs(p, inb, zero, oy, ox, ind + i, mr);
      else conv_ptrs(p, off, inb, zero, oy, ox, ind + i, mr);
      if (++ox == p->out_w) {
        ox = 0;
        if (++oy == p->out_h) {
          oy = 0;
          b++;
        }
      }
    }
    const unsigned char *w = packed;
    int8_t *c = out + (size_t)m0 * (size_t)p->out_c;
    for (int n0 = 0; n0 < p->out_c; n0 += g->nr, w += blk) {
      const int nc = p->out_c - n0 < g->nr ? p->out_c - n0 : g->nr;
      g->fn(mr, nc, kc, ks, ind, w, c + n0, (size_t)p->out_c, &rq);
    }
  }
}
