/* Overlap metrics for segmentation masks (Kaggle convention for empty masks). */
#include "leapfrog/lf_metrics.h"

static void overlap(const uint8_t *a, const uint8_t *b, size_t n, size_t *inter, size_t *na, size_t *nb) {
  size_t i_ = 0, a_ = 0, b_ = 0;
  for (size_t i = 0; i < n; i++) {
    int x = a[i] != 0, y = b[i] != 0;
    a_ += (size_t)x, b_ += (size_t)y, i_ += (size_t)(x & y);
  }
  *inter = i_, *na = a_, *nb = b_;
}

double lf_dice(const uint8_t *truth, const uint8_t *pred, size_t n) {
  size_t in, a, b;
  overlap(truth, pred, n, &in, &a, &b);
  if (a + b == 0) return 1.0; /* both empty: a correct "no nerve" */
  return 2.0 * (double)in / (double)(a + b);
}

double lf_iou(const uint8_t *truth, const uint8_t *pred, size_t n) {
  size_t in, a, b;
  overlap(truth, pred, n, &in, &a, &b);
  if (a + b == 0) return 1.0;
  return (double)in / (double)(a + b - in);
}
