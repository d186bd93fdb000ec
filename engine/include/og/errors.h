/* Error codes and the thread-local message of the last failure. */
#ifndef OG_ERRORS_H
#define OG_ERRORS_H

#include "og/common.h"

OG_BEGIN_DECL

/* Every fallible public function returns one of these; 0 is success. */
typedef enum og_error {
  OG_OK = 0,
  OG_ERROR = -1,      /* generic failure; see og_error_last() */
  OG_EINVALID = -2,   /* a bad argument: NULL, out of range, wrong option version */
  OG_ENOMEM = -3,     /* the allocator failed */
  OG_ENOTFOUND = -4,  /* an id, type or file that does not exist */
  OG_EEXISTS = -5,    /* a duplicate (node id already added) */
  OG_EMALFORMED = -6, /* input data (a snapshot) is corrupt, truncated or hostile */
  OG_EIO = -7,        /* an operating-system read or write failed */
  OG_ITEROVER = -8,   /* an iteration ended normally */
  OG_ELIMIT = -9,     /* a size limit of the format or the IR was exceeded */
  OG_EUSER = -10      /* a caller's callback asked to stop */
} og_error;

/* The message of the last error on this thread, or "" when none. Borrowed; valid until the
   next failing og_ call on this thread. Never NULL. */
OG_EXTERN const char *og_error_last(void);

/* A static description of a code ("invalid argument", ...). Never NULL. */
OG_EXTERN const char *og_error_str(int code);

/* Forget the last error of this thread. */
OG_EXTERN void og_error_clear(void);

OG_END_DECL

#endif
