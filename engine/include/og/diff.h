/* Change over time: objgraph's growth() (peak counts), get_new_ids() (id sets per type) and a
 * per-object diff of two graphs.
 *
 * All three keep names as owned byte strings (see stats.h), so their state survives the graphs
 * it was computed from and can persist in C between calls. */
#ifndef OG_DIFF_H
#define OG_DIFF_H

#include "og/alloc.h"
#include "og/common.h"
#include "og/graph.h"
#include "og/stats.h"

OG_BEGIN_DECL

/* ---- growth: peak table (objgraph's peak_stats dict) ---------------------------------------- */

typedef struct og_peaks og_peaks;

/* An empty peak table. Errors: OG_EINVALID, OG_ENOMEM. */
OG_EXTERN int og_peaks_new(og_peaks **out, const og_allocator *alloc);
OG_EXTERN void og_peaks_free(og_peaks *p);

/* Read, set (overwriting, may lower it), or forget the peak of a name: lets an adapter mirror a
   user's dict. get gives 0 for an unknown name. Errors: OG_EINVALID, OG_ENOMEM. O(len). */
OG_EXTERN int og_peaks_get(uint64_t *out, const og_peaks *p, const char *name, size_t len);
OG_EXTERN int og_peaks_set(og_peaks *p, const char *name, size_t len, uint64_t peak);
OG_EXTERN void og_peaks_clear(og_peaks *p);

/* Entries in first-insertion order (forgotten entries excluded after og_peaks_clear). */
OG_EXTERN size_t og_peaks_count(const og_peaks *p);
OG_EXTERN int og_peaks_entry(const char **name_out, size_t *len_out, uint64_t *peak_out,
                             const og_peaks *p, size_t i);

typedef struct og_growth og_growth;

typedef struct og_growth_row {
  const char *name; /* borrowed from the og_growth */
  size_t name_len;
  uint64_t count;
  uint64_t delta; /* count - previous peak, always > 0 */
} og_growth_row;

/* objgraph's growth() step over already computed statistics `current` (rows in typestats
   order): for every row whose count exceeds its peak (unknown = 0), emit (name, count,
   count - peak) and raise the peak, including rows then cut by limit; peaks never fall.
   Rows are sorted by delta descending, stably, then cut to `limit` (0: all).
   Errors: OG_EINVALID, OG_ENOMEM (peaks are then unchanged). O(rows log rows). */
OG_EXTERN int og_growth_compute(og_growth **out, og_peaks *peaks, const og_stats *current,
                                size_t limit);
OG_EXTERN void og_growth_free(og_growth *gr);
OG_EXTERN size_t og_growth_count(const og_growth *gr);
OG_EXTERN int og_growth_row_get(og_growth_row *out, const og_growth *gr, size_t i);

/* ---- get_new_ids: id sets per type name, kept between scans -------------------------------- */

typedef struct og_idsets og_idsets;

/* Columns for og_idsets_sort (objgraph's sortby 'old' | 'current' | 'new' | 'deltas'). */
typedef enum og_idsets_column {
  OG_IDSETS_OLD = 1,
  OG_IDSETS_CURRENT = 2,
  OG_IDSETS_NEW = 3,
  OG_IDSETS_DELTA = 4
} og_idsets_column;

typedef struct og_idsets_row {
  const char *name; /* borrowed from the og_idsets until the next og_idsets_begin */
  size_t name_len;
  uint64_t n_old, n_current, n_new;
  int64_t delta;        /* n_current - n_old */
  const og_id *new_ids; /* borrowed, n_new ids in the order they were added */
} og_idsets_row;

OG_EXTERN int og_idsets_new(og_idsets **out, const og_allocator *alloc);
OG_EXTERN void og_idsets_free(og_idsets *s);

/* One scan: begin moves the current sets to old (dropping the previous old) and empties current
   and new; add puts (name, id) in current (set semantics: a repeat is ignored); add_graph adds
   every node of g by short or long type name; finish computes, for every name known from the
   previous or this scan, the old/current/new counts and new ids = current - old, drops names
   whose old and current sets are both empty, and lists rows sorted by OG_IDSETS_DELTA.
   Errors: OG_EINVALID (NULL, add outside begin..finish), OG_ENOMEM. begin O(names), add
   O(len) expected, add_graph O(V + types), finish O(old + current + names log names). */
OG_EXTERN int og_idsets_begin(og_idsets *s);
OG_EXTERN int og_idsets_add(og_idsets *s, const char *name, size_t len, og_id id);
OG_EXTERN int og_idsets_add_graph(og_idsets *s, const og_graph *g, int long_names);
OG_EXTERN int og_idsets_finish(og_idsets *s);

/* Rows of the last finished scan; sort orders them by column then name (bytewise), both
   descending, as objgraph prints them. Errors: OG_EINVALID. O(rows log rows). */
OG_EXTERN size_t og_idsets_count(const og_idsets *s);
OG_EXTERN int og_idsets_row_get(og_idsets_row *out, const og_idsets *s, size_t i);
OG_EXTERN int og_idsets_sort(og_idsets *s, og_idsets_column column);

/* ---- per-object diff of two graphs ---------------------------------------------------------- */

typedef struct og_diff og_diff;

#define OG_DIFF_OPTIONS_VERSION 1
typedef struct og_diff_options {
  unsigned version; /* OG_DIFF_OPTIONS_VERSION */
  int long_names;   /* group rows by long (1) or short (0) type names */
} og_diff_options;
#define OG_DIFF_OPTIONS_INIT {OG_DIFF_OPTIONS_VERSION, 0}

/* Per type name: objects only in the new graph, only in the old, in both. */
typedef struct og_diff_row {
  const char *name; /* borrowed from the og_diff */
  size_t name_len;
  uint64_t n_new, n_removed, n_kept;
  uint64_t size_new, size_removed, size_kept; /* kept: sizes in the new graph */
} og_diff_row;

/* Compare by (object id, type): an id present in both graphs with the same type (same short
   and long name) is kept; with a different type it is removed (old node) and new (new node).
   Rows appear in first-appearance order over the new graph's nodes then the old graph's.
   Errors: OG_EINVALID, OG_ENOMEM. O(V_old + V_new + types) expected. */
OG_EXTERN int og_diff_graphs(og_diff **out, const og_graph *old_graph, const og_graph *new_graph,
                             const og_diff_options *opts);
OG_EXTERN void og_diff_free(og_diff *d);

OG_EXTERN size_t og_diff_num_rows(const og_diff *d);
OG_EXTERN int og_diff_row_get(og_diff_row *out, const og_diff *d, size_t i);

/* Borrowed index arrays in index order: new objects (indices in the new graph), removed objects
   (indices in the old graph), kept objects (indices in the new graph). NULL when empty. */
OG_EXTERN const og_index *og_diff_new_nodes(const og_diff *d, size_t *count_out);
OG_EXTERN const og_index *og_diff_removed_nodes(const og_diff *d, size_t *count_out);
OG_EXTERN const og_index *og_diff_kept_nodes(const og_diff *d, size_t *count_out);

OG_END_DECL

#endif
