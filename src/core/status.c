#include "leapfrog/lf_status.h"

#include <stdarg.h>
#include <stdio.h>

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

lf_status lf_error(lf_status s, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(lf_errbuf, sizeof lf_errbuf, fmt, ap);
  va_end(ap);
  return s;
}

const char *lf_last_error(void) { return lf_errbuf; }
void lf_clear_error(void) { lf_errbuf[0] = 0; }
