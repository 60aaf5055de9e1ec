#include "leapfrog/lf_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static _Thread_local char lf_errbuf[1024];

const char *lf_status_str(lf_status s) {
  switch (s) {
  case LF_OK: return "ok";
  case LF_EINVAL: return "invalid argument";
  case LF_EBADFILE: return "bad file";
  case LF_EUNSUPPORTED: return "unsupported";
  case LF_ENOMEM: return "out of memory";
  case LF_EIO: return "i/o error";
  case LF_ENOTFOUND: return "not found";
  }
  return "unknown status";
}

/* Every message is formatted into a fresh buffer and then copied, so an
 * argument that points into lf_errbuf (lf_last_error()) is read whole before
 * the buffer changes: no call can format the buffer into itself. */
lf_status lf_error(lf_status s, const char *fmt, ...) {
  char tmp[sizeof lf_errbuf];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  memcpy(lf_errbuf, tmp, sizeof tmp);
  return s;
}

lf_status lf_error_prefix(lf_status s, const char *fmt, ...) {
  char reason[sizeof lf_errbuf], tmp[sizeof lf_errbuf];
  /* the reason first (copied before anything is written), or the status's
   * name when the failing call left no message */
  snprintf(reason, sizeof reason, "%s", lf_errbuf[0] ? lf_errbuf : lf_status_str(s));
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n < sizeof tmp) snprintf(tmp + n, sizeof tmp - (size_t)n, "%s", reason);
  memcpy(lf_errbuf, tmp, sizeof tmp);
  return s;
}

const char *lf_last_error(void) { return lf_errbuf; }
void lf_clear_error(void) { lf_errbuf[0] = 0; }
