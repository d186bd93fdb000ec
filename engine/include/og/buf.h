/* og_buf: a growable byte buffer the engine writes into and the caller disposes. */
#ifndef OG_BUF_H
#define OG_BUF_H

#include "og/common.h"

OG_BEGIN_DECL

/* Transparent: ptr holds size bytes plus a terminating NUL once anything was written. */
typedef struct og_buf {
  char *ptr;
  size_t size;
  size_t asize;
} og_buf;

#define OG_BUF_INIT {NULL, 0, 0}

/* Append len bytes. Errors: OG_ENOMEM. O(len) amortised. */
OG_EXTERN int og_buf_put(og_buf *buf, const char *data, size_t len);

/* An og_write_fn that appends to the og_buf given as payload. */
OG_EXTERN int og_buf_write(void *payload, const char *data, size_t len);

/* Release the buffer's memory and reset it to empty. NULL is accepted. */
OG_EXTERN void og_buf_dispose(og_buf *buf);

OG_END_DECL

#endif
