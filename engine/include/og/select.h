/* Selection: node subsets of a graph by type name, id, flags or predicate, and objgraph's
 * get_leaking_objects (nodes without referrers).
 *
 * Results are og_indices handles: an owned array of node indices in index order (the adapter's
 * gc order), released by og_indices_free. The same handle type carries search results.
 *
 * Subsets: functions taking `const og_index *nodes, size_t count` work on that subset (in its
 * order, duplicates kept as given), or on every node of the graph when count is OG_ALL_NODES
 * (nodes is then ignored and may be NULL). An empty subset is count 0 (nodes may be NULL). */
#ifndef OG_SELECT_H
#define OG_SELECT_H

#include "og/common.h"
#include "og/graph.h"

OG_BEGIN_DECL

/* Pass as the count of a node subset to mean "every node of the graph". */
#define OG_ALL_NODES ((size_t)-1)

/* A node predicate: return > 0 to accept, 0 to reject, or a negative og_error to abort the
   calling function, which then returns that code (OG_EUSER is the customary one). */
typedef int (*og_node_pred_fn)(void *payload, og_index node);

/* An owned array of node indices. */
typedef struct og_indices og_indices;

/* Borrowed pointer to the indices (NULL when empty) and their number. 0/NULL for NULL. */
OG_EXTERN const og_index *og_indices_data(const og_indices *l);
OG_EXTERN size_t og_indices_count(const og_indices *l);
/* Release. NULL is accepted. */
OG_EXTERN void og_indices_free(og_indices *l);

/* A ready-made predicate over node flags: payload is an og_flags_pred; accepts nodes with
   (flags & mask) == value. Example: {g, OG_NODE_MODULE, OG_NODE_MODULE} = proper modules.
   Returns OG_EINVALID for an index outside the graph (useful with live walkers). */
typedef struct og_flags_pred {
  const og_graph *graph;
  uint32_t mask;
  uint32_t value;
} og_flags_pred;
OG_EXTERN int og_flags_pred_fn(void *payload, og_index node);

/* Does a type name select node's type? objgraph's count/by_type rule: a name containing '.'
   is compared with the long name, any other with the short name. Returns 1, 0, or OG_EINVALID.
   O(len). */
OG_EXTERN int og_select_type_matches(const og_graph *g, og_index node, const char *name,
                                     size_t len);

/* Nodes of the subset whose type matches name (rule above), in subset order; and their number
   without allocating (objgraph's by_type and count). Errors: OG_EINVALID (NULL, index out of
   range), OG_ENOMEM. O(subset + types * len): names are resolved once per type. */
OG_EXTERN int og_select_by_type(og_indices **out, const og_graph *g, const char *name, size_t len,
                                const og_index *nodes, size_t count);
OG_EXTERN int og_select_count_type(size_t *out, const og_graph *g, const char *name, size_t len,
                                   const og_index *nodes, size_t count);

/* Nodes of the subset with (flags & mask) == value, in subset order. Errors: OG_EINVALID,
   OG_ENOMEM. O(subset). */
OG_EXTERN int og_select_by_flags(og_indices **out, const og_graph *g, uint32_t mask,
                                 uint32_t value, const og_index *nodes, size_t count);

/* Nodes of the subset accepted by pred, in subset order. Errors: OG_EINVALID, OG_ENOMEM, or the
   predicate's negative code. O(subset) predicate calls. */
OG_EXTERN int og_select_where(og_indices **out, const og_graph *g, const og_index *nodes,
                              size_t count, og_node_pred_fn pred, void *payload);

/* The node with this id (objgraph's at): OG_ENOTFOUND when absent. O(1) expected. */
OG_EXTERN int og_select_by_id(og_index *out, const og_graph *g, og_id id);

/* Nodes whose id is in ids[0..n) (objgraph's at_addrs), each once, in index order; unknown ids
   are skipped. Errors: OG_EINVALID, OG_ENOMEM. O(n log n) expected, independent of V. */
OG_EXTERN int og_select_by_ids(og_indices **out, const og_graph *g, const og_id *ids, size_t n);

/* objgraph's get_leaking_objects with the master-branch fix: the candidates (a subset, or
   OG_ALL_NODES) that no node of the graph refers to, ignoring the out-edges of `container`
   (the Python `objects` list; OG_INDEX_NONE for none) and of nodes whose flags lack any bit of
   source_flags (0: every node is a referrer; OG_NODE_GC_TRACKED: only gc-tracked ones, as
   objgraph sees them). Candidate order and duplicates are kept. A self-reference counts as a
   referrer; an OG_EDGE_WEAK edge does not (a weak reference keeps nothing alive). Errors: OG_EINVALID, OG_ENOMEM. O(V + E), one bit per node of scratch. */
OG_EXTERN int og_select_leaking(og_indices **out, const og_graph *g, const og_index *nodes,
                                size_t count, og_index container, uint32_t source_flags);

OG_END_DECL

#endif
