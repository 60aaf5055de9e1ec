/* Operating points: a decision threshold per finding, chosen on validation
 * data (`leapfrog score --choose-operating-points`), carried in a model's
 * "leapfrog" metadata as "operating_points": {label: threshold}
 * (`leapfrog convert --operating-points`) and used by `leapfrog serve`.
 *
 * Choose them on a validation split, never on the test split whose
 * sensitivity and specificity you report: a threshold fitted to the data it
 * is scored on gives optimistic figures. */
#ifndef LF_OPPOINTS_H
#define LF_OPPOINTS_H
#include <stddef.h>
#include <stdint.h>

#include "leapfrog/lf_metrics.h"
#include "leapfrog/lf_status.h"

/* ---- choosing (one finding's scores and labels, lf_metrics.h conventions) ---- */
typedef enum {
  LF_OPPOINT_NONE = 0,
  LF_OPPOINT_YOUDEN, /* max sensitivity + specificity - 1 = TPR - FPR; ties -> the highest threshold */
  LF_OPPOINT_SENS,   /* the highest threshold whose sensitivity >= target */
  LF_OPPOINT_SPEC    /* the lowest threshold whose specificity >= target */
} lf_oppoint_rule;
typedef struct {
  lf_oppoint_rule rule;
  double target; /* SENS / SPEC: in (0, 1] */
} lf_oppoint_method;

/* "youden" | "sens:X" | "spec:X" (X in (0, 1]); LF_EINVAL naming the text otherwise. */
lf_status lf_oppoint_method_parse(const char *s, lf_oppoint_method *m);
/* The method's spelling, as parsed ("youden", "sens:0.9"), into buf. */
const char *lf_oppoint_method_name(const lf_oppoint_method *m, char *buf, size_t cap);

/* The threshold the method picks among the scores that occur in the data
 * (the finite thresholds of roc_curve(drop_intermediate=False)), with its
 * operating point (positive when score >= threshold). Youden's index is
 * compared exactly (integer cross-products), so ties are ties.
 * LF_ENOTFOUND (message says why) when the class has no positives or no
 * negatives, or no score reaches a spec:X target; LF_EINVAL on bad input. */
lf_status lf_choose_operating_point(const double *scores, const uint8_t *labels, size_t n,
                                    const lf_oppoint_method *m, lf_oppoint *out);

/* ---- carrying ---- */
#define LF_OPPOINTS_MAX 64
typedef struct {
  int n;
  char label[LF_OPPOINTS_MAX][64];
  double threshold[LF_OPPOINTS_MAX]; /* finite, in (0, 1) */
} lf_oppoints;

/* JSON text holding an "operating_points" object (score's metrics.json, a
 * model's "leapfrog" metadata) or, when it has no such key, such an object
 * itself: {label: threshold}. Labels 1-63 bytes, each once, at most
 * LF_OPPOINTS_MAX; thresholds finite numbers in (0, 1). Anything else is
 * LF_EBADFILE naming `name` and the key. */
lf_status lf_oppoints_parse(const char *json, size_t len, const char *name, lf_oppoints *ops);
/* lf_oppoints_parse of a file (at most 16 MiB). */
lf_status lf_oppoints_read_file(const char *path, lf_oppoints *ops);
/* The "operating_points" of a model's "leapfrog" metadata JSON, validated as
 * above; ops->n = 0 when the key is absent. */
lf_status lf_oppoints_from_meta(const char *json, size_t len, const char *name, lf_oppoints *ops);
/* Every label of ops is one of labels[0..n_labels): LF_EINVAL naming the
 * first that is not, `name` (where ops came from) and the labels. */
lf_status lf_oppoints_check_labels(const lf_oppoints *ops, const char *const *labels, int n_labels, const char *name);

#endif
