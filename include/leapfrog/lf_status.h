/* Status codes and error messages for the leapfrog toolkit.
 * Every library call returns lf_status; on failure a message with context
 * (file, tensor, line...) is kept per thread and read with lf_last_error(). */
#ifndef LF_STATUS_H
#define LF_STATUS_H

typedef enum {
  LF_OK = 0,
  LF_EINVAL,       /* invalid argument from the caller */
  LF_EBADFILE,     /* malformed, truncated or hostile input file */
  LF_EUNSUPPORTED, /* valid input that leapfrog does not handle */
  LF_ENOMEM,       /* allocation failed or a size overflowed */
  LF_EIO,          /* read/write/rename failed */
  LF_ENOTFOUND,    /* a named file, tensor, image or key is missing */
} lf_status;

const char *lf_status_str(lf_status s);

/* Sets the thread's error message (printf format) and returns `s`, so a
 * failing path reads: return lf_error(LF_EBADFILE, "%s: truncated", path); */
lf_status lf_error(lf_status s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Adds context in front of the thread's current message: the message becomes
 * "<prefix><old message>" (the old one is copied out first; when it is empty
 * the status's name stands in, so a reason is never lost). Use it where a
 * callee already explained the failure:
 *   if (st) return lf_error_prefix(st, "%s: leapfrog.config: ", path);
 * Never pass lf_last_error() as an argument to lf_error: prefix instead. */
lf_status lf_error_prefix(lf_status s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The last message set on this thread ("" if none). */
const char *lf_last_error(void);
void lf_clear_error(void);

#endif
