/* Status codes and the caller-owned error buffer of libleapfrog-rt.
 *
 * Every runtime call that can fail returns lfrt_status and takes an
 * `lfrt_error *err` (may be NULL). On failure err->msg holds one line naming
 * the file (the name the caller gave), the node/tensor and the problem, e.g.
 *   "m.tflite: node 3 (CONV_2D): input 1 is tensor 99, but the model has 12 tensors"
 * On success err->msg is left untouched. No global or thread-local state. */
#ifndef LFRT_STATUS_H
#define LFRT_STATUS_H

typedef enum {
  LFRT_OK = 0,
  LFRT_EINVAL,       /* invalid argument from the caller */
  LFRT_EBADFILE,     /* malformed, truncated or hostile model file */
  LFRT_EUNSUPPORTED, /* valid TFLite that this runtime does not handle (op, type...) */
  LFRT_ENOMEM,       /* allocation failed or a size overflowed */
  LFRT_EIO           /* open/read/mmap/write failed */
} lfrt_status;

#define LFRT_ERROR_MSG_SIZE 512
typedef struct {
  char msg[LFRT_ERROR_MSG_SIZE];
} lfrt_error;

/* "ok", "invalid argument", "bad file", ... (never NULL). */
const char *lfrt_status_str(lfrt_status s);

/* Formats into err->msg (when err is not NULL) and returns s, so a failing
 * path reads: return lfrt_set_error(err, LFRT_EBADFILE, "%s: truncated", name); */
lfrt_status lfrt_set_error(lfrt_error *err, lfrt_status s, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif
