/* lf_tensor: aligned FP32 buffers. */
#include "leapfrog/lf_tensor.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *lf_aligned_alloc(size_t bytes) {
  if (bytes == 0) bytes = 64;
  if (bytes > SIZE_MAX - 64) return NULL;
  bytes = (bytes + 63) & ~(size_t)63;
  void *p = NULL;
  if (posix_memalign(&p, 64, bytes) != 0) return NULL;
  return p;
}

void lf_aligned_free(void *p) { free(p); }

lf_status lf_tensor_alloc(lf_tensor *t, int ndim, const int *shape) {
  if (ndim < 0 || ndim > LF_TENSOR_MAX_DIMS) return lf_error(LF_EINVAL, "tensor: %d dims (max 4)", ndim);
  size_t n = 1;
  for (int i = 0; i < ndim; i++) {
    if (shape[i] < 0) return lf_error(LF_EINVAL, "tensor: negative dimension %d", shape[i]);
    if (shape[i] && n > SIZE_MAX / 4 / (size_t)shape[i]) return lf_error(LF_ENOMEM, "tensor: size overflows");
    n *= (size_t)shape[i];
  }
  if (!t->owns || t->cap < n) {
    float *d = lf_aligned_alloc(n * sizeof(float));
    if (!d) return lf_error(LF_ENOMEM, "tensor: cannot allocate %zu floats", n);
    if (t->owns) lf_aligned_free(t->data);
    t->data = d;
    t->cap = n;
    t->owns = 1;
  }
  memset(t->data, 0, n * sizeof(float));
  t->ndim = ndim;
  for (int i = 0; i < LF_TENSOR_MAX_DIMS; i++) t->shape[i] = i < ndim ? shape[i] : 1;
  t->numel = n;
  return LF_OK;
}

lf_status lf_tensor_alloc4(lf_tensor *t, int n, int h, int w, int c) {
  int s[4] = {n, h, w, c};
  return lf_tensor_alloc(t, 4, s);
}

void lf_tensor_view(lf_tensor *t, float *data, int ndim, const int *shape) {
  memset(t, 0, sizeof *t);
  t->data = data;
  t->ndim = ndim;
  t->numel = 1;
  for (int i = 0; i < LF_TENSOR_MAX_DIMS; i++) {
    t->shape[i] = i < ndim ? shape[i] : 1;
    if (i < ndim) t->numel *= (size_t)shape[i];
  }
}

void lf_tensor_free(lf_tensor *t) {
  if (!t) return;
  if (t->owns) lf_aligned_free(t->data);
  memset(t, 0, sizeof *t);
}

void lf_tensor_zero(lf_tensor *t) {
  if (t->data && t->numel) memset(t->data, 0, t->numel * sizeof(float));
}

void lf_tensor_fill(lf_tensor *t, float v) {
  for (size_t i = 0; i < t->numel; i++) t->data[i] = v;
}

lf_status lf_tensor_copy(lf_tensor *dst, const lf_tensor *src) {
  lf_status s = lf_tensor_alloc(dst, src->ndim, src->shape);
  if (s) return s;
  if (src->numel) memcpy(dst->data, src->data, src->numel * sizeof(float));
  return LF_OK;
}

int lf_tensor_same_shape(const lf_tensor *a, const lf_tensor *b) {
  if (a->ndim != b->ndim) return 0;
  for (int i = 0; i < a->ndim; i++)
    if (a->shape[i] != b->shape[i]) return 0;
  return 1;
}

const char *lf_tensor_shape_str(const lf_tensor *t, char *buf, size_t len) {
  size_t o = 0;
  if (!len) return buf;
  buf[0] = 0;
  o += (size_t)snprintf(buf, len, "[");
  for (int i = 0; i < t->ndim && o < len; i++)
    o += (size_t)snprintf(buf + o, len - o, i ? ",%d" : "%d", t->shape[i]);
  if (o < len) snprintf(buf + o, len - o, "]");
  return buf;
}
