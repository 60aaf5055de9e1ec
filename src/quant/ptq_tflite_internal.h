/* PTQ of an FP32 .tflite: the plan (which ops become int8) and the int8
 * rewrite, shared by ptq_tflite.c (calibration) and ptq_tflite_write.c. */
#ifndef LF_PTQ_TFLITE_INTERNAL_H
#define LF_PTQ_TFLITE_INTERNAL_H
#include <stddef.h>

#include "leapfrog/lf_ptq_tflite.h"
#include "lfrt_model.h"

enum { LQ_TFL_DROP = -1, LQ_TFL_FLOAT = 0, LQ_TFL_INT8 = 1 };

/* mode[i] for each op of m: LQ_TFL_INT8, LQ_TFL_FLOAT (kept FLOAT32: only
 * with allow_float, else the first such op is refused naming it and why), or
 * LQ_TFL_DROP (a DEQUANTIZE of an fp16 constant, folded at load). */
lf_status lq_tfl_plan(const lfrt_model *m, int allow_float, const char *name, signed char *mode);

/* The int8 model: tmin/tmax per tensor of m (calibrated ranges of the
 * FLOAT32 activations; others ignored), meta_json the "leapfrog" metadata.
 * *bytes is malloc'd. n_int8 / n_float: ops computing in int8 / float. */
lf_status lq_tfl_write(const lfrt_model *m, const signed char *mode, const float *tmin, const float *tmax,
                       lf_ptq_io io, const char *meta_json, void **bytes, size_t *len, int *n_int8, int *n_float);
#endif
