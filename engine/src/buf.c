/* og_buf: growable output buffer. Uses malloc: it belongs to the caller, not to a graph. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "og/buf.h"

int og_buf_put(og_buf *buf, const char *data, size_t len) {
  OG_ASSERT_ARG(buf != NULL);
  OG_ASSERT_ARG(data != NULL || len == 0);
  if (len > SIZE_MAX - buf->size - 1) return og__fail(OG_ELIMIT, "og_buf would exceed SIZE_MAX");
  size_t need = buf->size + len + 1;
  if (need > buf->asize) {
    size_t ncap = buf->asize ? buf->asize : 256;
    while (ncap < need) ncap = ncap > SIZE_MAX / 2 ? need : ncap * 2;
    char *p = realloc(buf->ptr, ncap);
    if (!p) return og__fail(OG_ENOMEM, "out of memory growing an og_buf to %zu bytes", ncap);
    buf->ptr = p;
    buf->asize = ncap;
  }
  if (len) memcpy(buf->ptr + buf->size, data, len);
  buf->size += len;
  buf->ptr[buf->size] = '\0';
  return OG_OK;
}

int og_buf_write(void *payload, const char *data, size_t len) {
  return og_buf_put((og_buf *)payload, data, len);
}

void og_buf_dispose(og_buf *buf) {
  if (!buf) return;
  free(buf->ptr);
  buf->ptr = NULL;
  buf->size = buf->asize = 0;
}
