/* libleapfrog-rt: the deployable TFLite engine (C99, libc + libm only).
 * Umbrella header: status codes and error buffer (lfrt_status.h), the model
 * reader/verifier (lfrt_model.h), the model writer (lfrt_writer.h) and the
 * interpreter (lfrt_interp.h). */
#ifndef LFRT_H
#define LFRT_H
#include "lfrt_status.h"
#include "lfrt_model.h"
#include "lfrt_writer.h"
#include "lfrt_interp.h"
#endif
