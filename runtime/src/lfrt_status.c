/* Status names and the caller-owned error buffer (see lfrt_status.h). */
#include <stdarg.h>
#include <stdio.h>

#include "lfrt_status.h"

const char *lfrt_status_str(lfrt_status s) {
  switch (s) {
    case LFRT_OK: return "ok";
    case LFRT_EINVAL: return "invalid argument";
    case LFRT_EBADFILE: return "bad file";
    case LFRT_EUNSUPPORTED: return "unsupported";
    case LFRT_ENOMEM: return "out of memory";
    case LFRT_EIO: return "i/o error";
  }
  return "unknown status";
}

lfrt_status lfrt_set_error(lfrt_error *err, lfrt_status s, const char *fmt, ...) {
  if (err) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return s;
}
