/* Type statistics (objgraph's typestats / most_common_types): per type name, how many nodes and
 * how many bytes.
 *
 * An og_stats is a table of rows keyed by name *string* (so short names lump together types
 * from different modules that share a name), kept in first-appearance order until sorted. It
 * owns copies of its names, so it outlives the graph it was computed from and can be built
 * without any graph (og_stats_new + og_stats_add) by a caller that counted elsewhere, for
 * instance to feed og_growth_compute. */
#ifndef OG_STATS_H
#define OG_STATS_H

#include "og/alloc.h"
#include "og/common.h"
#include "og/graph.h"
#include "og/select.h"

OG_BEGIN_DECL

typedef struct og_stats og_stats;

/* One row. name is borrowed from the og_stats (NUL-terminated, may contain NULs: use
   name_len) and stays valid until the og_stats is freed. */
typedef struct og_stats_row {
  const char *name;
  size_t name_len;
  uint64_t count;
  uint64_t size; /* total bytes of the counted nodes (0 when fed by name without sizes) */
} og_stats_row;

/* Orders for og_stats_sort. Every sort is stable: ties keep first-appearance order. */
typedef enum og_stats_order {
  OG_STATS_FIRST_SEEN = 0, /* first-appearance order (typestats' dict order) */
  OG_STATS_BY_COUNT = 1,   /* count descending (most_common_types) */
  OG_STATS_BY_SIZE = 2     /* total size descending */
} og_stats_order;

/* An empty table (alloc NULL: the default allocator). Errors: OG_EINVALID, OG_ENOMEM. */
OG_EXTERN int og_stats_new(og_stats **out, const og_allocator *alloc);

/* Release. NULL is accepted. */
OG_EXTERN void og_stats_free(og_stats *s);

/* Add count and size to the row named name[0..len), appending the row if new.
   Errors: OG_EINVALID (NULL), OG_ENOMEM. O(len) expected. */
OG_EXTERN int og_stats_add(og_stats *s, const char *name, size_t len, uint64_t count,
                           uint64_t size);

/* Statistics of the subset (or OG_ALL_NODES, see select.h) by short (long_names 0) or long
   type name, keeping only nodes accepted by filter (NULL: all; a negative return aborts with
   that code). Rows are in first-appearance order over the subset.
   Errors: OG_EINVALID (NULL, index out of range), OG_ENOMEM, the filter's code.
   O(subset + types * name length) time, O(types) memory. */
OG_EXTERN int og_stats_compute(og_stats **out, const og_graph *g, const og_index *nodes,
                               size_t count, int long_names, og_node_pred_fn filter,
                               void *payload);

/* Number of rows (0 for NULL), and row i. og_stats_row errors: OG_EINVALID (i out of range). */
OG_EXTERN size_t og_stats_count(const og_stats *s);
OG_EXTERN int og_stats_row_get(og_stats_row *out, const og_stats *s, size_t i);

/* Row index of a name, or OG_ENOTFOUND. O(len) expected. */
OG_EXTERN int og_stats_find(size_t *out, const og_stats *s, const char *name, size_t len);

/* Sum of all counts and sizes. */
OG_EXTERN int og_stats_totals(uint64_t *count_out, uint64_t *size_out, const og_stats *s);

/* Reorder the rows (stable, see og_stats_order) and keep only the first `limit` (0: all).
   Rows dropped by the limit are gone for good. Errors: OG_EINVALID, OG_ENOMEM.
   O(rows log rows). */
OG_EXTERN int og_stats_sort(og_stats *s, og_stats_order order, size_t limit);

OG_END_DECL

#endif
