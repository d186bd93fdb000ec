/* Allocation through og_allocator, with overflow-checked growth helpers. */
#include <stdlib.h>

#include "internal.h"

static void *default_fn(void *ctx, void *ptr, size_t old_size, size_t new_size) {
  (void)ctx;
  (void)old_size;
  if (new_size == 0) {
    free(ptr);
    return NULL;
  }
  return realloc(ptr, new_size);
}

static const og_allocator default_allocator = {OG_ALLOCATOR_VERSION, default_fn, NULL};

const og_allocator *og_allocator_default(void) { return &default_allocator; }

bool og__alloc_is_default(const og_allocator *a) { return a->fn == default_fn; }

void *og__alloc(const og_allocator *a, size_t size) {
  return size ? a->fn(a->ctx, NULL, 0, size) : NULL;
}

void *og__realloc(const og_allocator *a, void *ptr, size_t old_size, size_t new_size) {
  return a->fn(a->ctx, ptr, old_size, new_size);
}

void og__free(const og_allocator *a, void *ptr, size_t size) {
  if (ptr) a->fn(a->ctx, ptr, size, 0);
}

bool og__mul_ok(size_t n, size_t size, size_t *out) {
  if (size && n > SIZE_MAX / size) return false;
  *out = n * size;
  return true;
}

int og__grow(const og_allocator *a, void **ptr, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return OG_OK;
  size_t ncap = *cap ? *cap : 16;
  while (ncap < need) {
    if (ncap > SIZE_MAX / 2) return og__fail(OG_ELIMIT, "array of %zu elements is too large", need);
    ncap *= 2;
  }
  size_t old_bytes, new_bytes;
  if (!og__mul_ok(*cap, elem, &old_bytes) || !og__mul_ok(ncap, elem, &new_bytes))
    return og__fail(OG_ELIMIT, "array of %zu elements is too large", need);
  void *p = og__realloc(a, *ptr, old_bytes, new_bytes);
  if (!p) return og__fail(OG_ENOMEM, "out of memory growing an array to %zu bytes", new_bytes);
  *ptr = p;
  *cap = ncap;
  return OG_OK;
}

uint64_t og__hash_bytes(const char *s, size_t len) {
  uint64_t h = 0xcbf29ce484222325ULL ^ len; /* FNV-1a, finished with a mixer */
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ULL;
  }
  return og__mix64(h);
}
