/* The allocator hook: every byte a graph or builder owns goes through one of these. */
#ifndef OG_ALLOC_H
#define OG_ALLOC_H

#include "og/common.h"

OG_BEGIN_DECL

/* realloc-style callback: new_size 0 frees ptr (returns NULL); ptr NULL allocates.
   old_size is the size previously requested for ptr (0 for a new block). */
typedef void *(*og_alloc_fn)(void *ctx, void *ptr, size_t old_size, size_t new_size);

#define OG_ALLOCATOR_VERSION 1

typedef struct og_allocator {
  unsigned version; /* OG_ALLOCATOR_VERSION */
  og_alloc_fn fn;
  void *ctx;
} og_allocator;

/* The default allocator (malloc/realloc/free). Borrowed, static. */
OG_EXTERN const og_allocator *og_allocator_default(void);

OG_END_DECL

#endif
