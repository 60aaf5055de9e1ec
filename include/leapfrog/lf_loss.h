/* Losses for multi-label classification and binary segmentation.
 * Inputs are treated as [n][k] with n = shape[0] and k = numel / n (so
 * logits [n][1][1][14] and masks [n][h][w][1] both work). Each function
 * returns the loss in *loss and, if grad is not NULL, writes dL/d(input)
 * into it (allocated / reshaped to the input's shape). Sums are in double
 * with a fixed order, so results do not depend on threads. */
#ifndef LF_LOSS_H
#define LF_LOSS_H
#include <stddef.h>

#include "leapfrog/lf_status.h"
#include "leapfrog/lf_tensor.h"

/* torch BCEWithLogitsLoss(reduction='mean', pos_weight):
 *   l = -[ pw_j * t * log(sigmoid(x)) + (1-t) * log(1-sigmoid(x)) ]
 * averaged over all elements. pos_weight: one float per class (the last
 * dimension, e.g. 14 for [n][1][1][14]) or NULL (all 1).
 * targets in [0,1], same numel as logits. */
lf_status lf_bce_with_logits(const lf_tensor *logits, const lf_tensor *targets,
                             const float *pos_weight, float *loss, lf_tensor *grad);

/* Soft Dice loss on probabilities p (e.g. after sigmoid) and targets t:
 *   per_image = 0: 1 - (2*sum(p*t) + smooth) / (sum(p) + sum(t) + smooth) over
 *                  the whole batch (the paper's Keras dice_coef, smooth = 1);
 *   per_image = 1: mean over images of the same formula per image. */
lf_status lf_dice_loss(const lf_tensor *probs, const lf_tensor *targets, float smooth,
                       int per_image, float *loss, lf_tensor *grad);

/* bce_weight * BCEWithLogits(logits) + dice_weight * Dice(sigmoid(logits)),
 * gradient w.r.t. the logits (train on the node before a final sigmoid). */
lf_status lf_bce_dice_with_logits(const lf_tensor *logits, const lf_tensor *targets,
                                  float bce_weight, float dice_weight, float smooth,
                                  int per_image, float *loss, lf_tensor *grad);

/* Data parallel: the batch is this process's slice of a global batch spread
 * over processes, `share` = its images / the global batch's, and sum adds n
 * doubles over every process in place (lf_dist). The gradient is that of the
 * global batch's loss w.r.t. this slice (mean-over-elements and per-image
 * terms scaled by share), so the processes' gradients summed are one
 * process's on the global batch. The Dice over the batch (per_image 0)
 * takes its sums (sum p*t, sum p, sum t) over every process: *loss is then
 * the global batch's Dice on every process, while a mean term (BCE,
 * per-image Dice) gives this slice's mean, whose share-weighted sum over the
 * processes is the global one. share 1 and sum NULL: the functions above. */
typedef lf_status (*lf_loss_sum_fn)(void *ctx, double *v, size_t n);
lf_status lf_dice_loss_dist(const lf_tensor *probs, const lf_tensor *targets, float smooth, int per_image,
                            double share, lf_loss_sum_fn sum, void *ctx, float *loss, lf_tensor *grad);
lf_status lf_bce_dice_with_logits_dist(const lf_tensor *logits, const lf_tensor *targets, float bce_weight,
                                       float dice_weight, float smooth, int per_image, double share,
                                       lf_loss_sum_fn sum, void *ctx, float *loss, lf_tensor *grad);

/* Numerically stable sigmoid of src into dst (allocated to src's shape). */
lf_status lf_sigmoid_tensor(lf_tensor *dst, const lf_tensor *src);

#endif
