/* Private helpers shared by the engine's source files: errors, allocation, assertions. */
#ifndef OG_INTERNAL_H
#define OG_INTERNAL_H

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "og/alloc.h"
#include "og/errors.h"

/* Record a formatted message for og_error_last() and return code. */
int og__fail(int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Guard for public entry points: a false expression is a caller's mistake, reported. */
#define OG_ASSERT_ARG(expr)                                                            \
  do {                                                                                 \
    if (!(expr)) return og__fail(OG_EINVALID, "invalid argument: %s (in %s)", #expr, __func__); \
  } while (0)

/* Branch hints: hot paths stay straight, their error and growth cases out of line. */
#if defined(__GNUC__) || defined(__clang__)
#define OG_LIKELY(x) __builtin_expect(!!(x), 1)
#define OG_NOINLINE __attribute__((noinline))
#define OG_INLINE inline __attribute__((always_inline)) /* specialized at each call */
#else
#define OG_LIKELY(x) (x)
#define OG_NOINLINE
#define OG_INLINE inline
#endif

/* Loops over columns that vectorize run twice as wide with AVX2 (the unsigned compares and
   minimums of SSE2 take several instructions each): a function marked so is compiled for both
   and the loader picks one (GCC's target_clones, an ifunc: glibc on x86-64 only). Not under
   ThreadSanitizer, whose instrumented chooser would run before its runtime starts. */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(__SANITIZE_THREAD__)
#define OG_CLONES_AVX2 __attribute__((target_clones("avx2", "default")))
#else
#define OG_CLONES_AVX2
#endif

/* Internal invariant. */
#define OG_ASSERT(expr) assert(expr)

/* Propagate a non-zero code. */
#define OG_TRY(expr)           \
  do {                         \
    int og__rc = (expr);       \
    if (og__rc != OG_OK) return og__rc; \
  } while (0)

/* Allocation through an og_allocator; failures are recorded as OG_ENOMEM by the callers. */
void *og__alloc(const og_allocator *a, size_t size);
void *og__realloc(const og_allocator *a, void *ptr, size_t old_size, size_t new_size);
void og__free(const og_allocator *a, void *ptr, size_t size);
/* Is a the default allocator (malloc: callable from any thread)? */
bool og__alloc_is_default(const og_allocator *a);
/* n * size with overflow check: returns false on overflow. */
bool og__mul_ok(size_t n, size_t size, size_t *out);

/* Grow *ptr (holding *cap elements of elem bytes) to hold at least need elements, doubling.
   Returns OG_OK or OG_ENOMEM/OG_ELIMIT with a message. */
int og__grow(const og_allocator *a, void **ptr, size_t *cap, size_t need, size_t elem);

/* Map [ptr, ptr + bytes) now, on this thread, for a writer about to fill it (prefault.c; Linux
   5.14+; a no-op elsewhere, for small ranges, or for memory of another allocator). */
void og__populate(const og_allocator *a, void *ptr, size_t bytes);

/* Give the pages wholly inside [ptr, ptr + bytes) back to the kernel (prefault.c): they read as
   zeros if touched again. False, with nothing done, where that is not ours to do (another
   allocator's memory, or not Linux). */
bool og__release(const og_allocator *a, void *ptr, size_t bytes);

/* Start a helper thread with every signal blocked (thread.c). Returns 0, or -1 when it cannot
   start (callers then do the work themselves). */
int og__thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

/* 64-bit mixer for hashing ids and strings. */
static inline uint64_t og__mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}
uint64_t og__hash_bytes(const char *s, size_t len);

#endif
