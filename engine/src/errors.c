/* Error codes and the thread-local message behind og_error_last(). */
#include <stdarg.h>
#include <stdio.h>

#include "internal.h"

static _Thread_local char last_message[512];

int og__fail(int code, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(last_message, sizeof last_message, fmt, ap);
  va_end(ap);
  return code;
}

const char *og_error_last(void) { return last_message; }

void og_error_clear(void) { last_message[0] = '\0'; }

const char *og_error_str(int code) {
  switch (code) {
    case OG_OK: return "no error";
    case OG_ERROR: return "error";
    case OG_EINVALID: return "invalid argument";
    case OG_ENOMEM: return "out of memory";
    case OG_ENOTFOUND: return "not found";
    case OG_EEXISTS: return "already exists";
    case OG_EMALFORMED: return "malformed input";
    case OG_EIO: return "input/output error";
    case OG_ITEROVER: return "iteration over";
    case OG_ELIMIT: return "limit exceeded";
    case OG_EUSER: return "stopped by a callback";
    default: return "unknown error code";
  }
}
