/* Shared basics of the public API: export macros, index and id types. */
#ifndef OG_COMMON_H
#define OG_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define OG_BEGIN_DECL extern "C" {
#define OG_END_DECL }
#else
#define OG_BEGIN_DECL
#define OG_END_DECL
#endif

#if defined(OG_EMBEDDED)
#define OG_EXTERN /* compiled into another library (the Python extension): exports nothing */
#elif defined(__GNUC__) || defined(__clang__)
#define OG_EXTERN __attribute__((visibility("default")))
#else
#define OG_EXTERN
#endif

OG_BEGIN_DECL

/* Dense node index inside one graph: 0 .. node_count-1, in insertion order. */
typedef uint32_t og_index;
/* Interned string handle inside one graph or builder. */
typedef uint32_t og_str;
/* Interned type handle (a short and a long name) inside one graph or builder. */
typedef uint32_t og_type;
/* The adapter's stable object id (for CPython: the object's address). */
typedef uint64_t og_id;

#define OG_INDEX_NONE ((og_index)UINT32_MAX)
#define OG_STR_NONE ((og_str)UINT32_MAX)
#define OG_TYPE_NONE ((og_type)UINT32_MAX)

/* Largest string handle: labels are packed in 28 bits beside a 4-bit edge kind. */
#define OG_STR_MAX ((og_str)0x0FFFFFFEu)

/* Direction of a traversal: out-edges are referents, in-edges are referrers. */
typedef enum og_dir { OG_DIR_OUT = 0, OG_DIR_IN = 1 } og_dir;

/* Byte sink used by every emitter: return OG_OK, or an error to stop the emission. */
typedef int (*og_write_fn)(void *payload, const char *data, size_t len);

OG_END_DECL

#endif
