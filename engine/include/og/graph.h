/* The object-graph IR: an immutable heap graph built once by an adapter through og_builder.
 *
 * Storage is columnar: per node an id, a type, a size, flags, a refcount and a label; edges in
 * CSR form (out-offsets + targets + packed kind/label), a reverse CSR built on demand, an
 * id -> index hash and interned strings. Node indices are dense uint32 in insertion order
 * (for CPython: gc order). All memory is owned by the graph and released by og_graph_free.
 *
 * Ownership: pointers returned directly (strings, spans) are borrowed and live as long as the
 * graph; handles returned through **out are owned and released by their _free function.
 * Thread safety: a finished graph may be read from several threads, except that the first call
 * needing the reverse CSR builds it (call og_graph_build_reverse first to share it), and so does
 * the first lookup by id of a graph sealed with og_builder_trust_ids (og_graph_build_index). */
#ifndef OG_GRAPH_H
#define OG_GRAPH_H

#include "og/alloc.h"
#include "og/common.h"

OG_BEGIN_DECL

typedef struct og_graph og_graph;
typedef struct og_builder og_builder;

/* Node flags (32 bits in the API, 16 stored; bits 12..15 are free for adapters). */
enum {
  OG_NODE_GC_TRACKED = 1u << 0, /* seen by the collector (CPython: gc.is_tracked) */
  OG_NODE_MODULE = 1u << 1,     /* a module registered in the runtime's module table */
  OG_NODE_ROOT = 1u << 2,       /* a root chosen by the adapter (thread stack, registry...) */
  OG_NODE_FRAME = 1u << 3,      /* an execution frame */
  OG_NODE_HAS_DEL = 1u << 4,    /* has a finalizer (objgraph's __del__ marker) */
  OG_NODE_CONTAINER = 1u << 5,  /* a list/tuple/dict/set-like container */
  OG_NODE_TYPE = 1u << 6,       /* a class / type object */
  OG_NODE_FUNCTION = 1u << 7,   /* a function or code-bearing callable */
  OG_NODE_IMMORTAL = 1u << 8,   /* the runtime never frees it */
  OG_NODE_ANY_MODULE = 1u << 9, /* any module object, registered or not */
  OG_NODE_USER0 = 1u << 12      /* first of four adapter-defined bits */
};

/* Edge kinds: 4 bits. The label's meaning depends on the kind. */
typedef enum og_edge_kind {
  OG_EDGE_OTHER = 0,      /* internal reference; label optional */
  OG_EDGE_ATTR = 1,       /* attribute; label = attribute name (og_str) */
  OG_EDGE_DICT_KEY = 2,   /* dict -> key; label = none */
  OG_EDGE_DICT_VALUE = 3, /* dict -> value; label = key repr (og_str) */
  OG_EDGE_INDEX = 4,      /* list/tuple element; label = the index itself (a number) */
  OG_EDGE_CELL = 5,       /* closure cell contents */
  OG_EDGE_WEAK = 6,       /* weak reference (not keeping alive) */
  OG_EDGE_TYPE = 7,       /* object -> its type */
  OG_EDGE_DICT = 8,       /* object -> its __dict__ */
  OG_EDGE_ELEMENT = 9,    /* set/frozenset member; label none */
  OG_EDGE_LOCAL = 10,     /* frame -> local variable; label = variable name */
  OG_EDGE_GLOBALS = 11,   /* frame/function -> globals dict */
  OG_EDGE_KIND_MAX = 15
} og_edge_kind;

/* A node as returned by og_graph_node. */
typedef struct og_node_info {
  og_id id;
  og_type type;
  uint32_t flags;
  uint64_t size;
  uint32_t refcount;
  og_str label; /* OG_STR_NONE when the node has no label */
} og_node_info;

/* An out-edge as returned by og_graph_edge. */
typedef struct og_edge_info {
  og_index source;
  og_index target;
  og_edge_kind kind;
  uint32_t label; /* og_str, or the index for OG_EDGE_INDEX; OG_STR_NONE when absent */
} og_edge_info;

/* A borrowed run of neighbours: nodes[i] with packed kind/label meta[i] (meta NULL for in-edges,
   which carry no labels; find the out-edge for that). */
typedef struct og_span {
  const og_index *nodes;
  const uint32_t *meta;
  size_t count;
} og_span;

/* Unpacking of og_span.meta. */
#define OG_META_KIND(m) ((og_edge_kind)((m) >> 28))
#define OG_META_LABEL(m) (((m)&0x0FFFFFFFu) == 0x0FFFFFFFu ? OG_STR_NONE : ((m)&0x0FFFFFFFu))

/* ---- building ------------------------------------------------------------------------------ */

/* Create an empty builder. alloc NULL means og_allocator_default(). Errors: OG_EINVALID,
   OG_ENOMEM. */
OG_EXTERN int og_builder_new(og_builder **out, const og_allocator *alloc);

/* Release a builder and everything it holds. NULL is accepted. */
OG_EXTERN void og_builder_free(og_builder *b);

/* Intern len bytes (any bytes, NUL allowed); equal strings get equal handles. O(len) expected.
   Errors: OG_EINVALID (NULL), OG_ENOMEM, OG_ELIMIT (over OG_STR_MAX strings). */
OG_EXTERN int og_builder_intern(og_str *out, og_builder *b, const char *s, size_t len);

/* Intern a type by its short name ("dict") and long name ("builtins.dict"); the pair is the
   key. Errors: OG_EINVALID, OG_ENOMEM, OG_ELIMIT. O(len) expected. */
OG_EXTERN int og_builder_add_type(og_type *out, og_builder *b, const char *short_name,
                                  size_t short_len, const char *long_name, size_t long_len);

/* Append a node; its index is the number of nodes added before it. label may be OG_STR_NONE.
   Errors: OG_EINVALID (unknown type or label handle), OG_EEXISTS (id already added),
   OG_ENOMEM, OG_ELIMIT. O(1) amortised. */
OG_EXTERN int og_builder_add_node(og_index *out, og_builder *b, og_id id, og_type type,
                                  uint64_t size, uint32_t flags, uint32_t refcount, og_str label);

/* Replace the flags or the label of a node already added. Errors: OG_EINVALID. O(1). */
OG_EXTERN int og_builder_set_flags(og_builder *b, og_index node, uint32_t flags);
OG_EXTERN int og_builder_set_label(og_builder *b, og_index node, og_str label);

/* Skip the id index while building, for adapters that resolve references themselves (snapshot
   decoders, heap walkers that number objects): og_builder_add_node then neither indexes nor
   rejects a repeated id, og_builder_find/lookup find nothing, and og_builder_finish checks every
   id once (OG_EEXISTS naming the repeat) as it builds the graph's index. Saves a random-access
   hash insert per node. Only before the first node; the builder keeps the mode until finished.
   Errors: OG_EINVALID. */
OG_EXTERN int og_builder_defer_ids(og_builder *b);

/* As og_builder_defer_ids, for adapters that guarantee distinct ids themselves (a heap walker that
   marks each object as it meets it): og_builder_finish neither checks nor indexes the ids, and
   the graph builds its id index on the first lookup by id (og_graph_find, og_graph_lookup,
   og_select_by_ids, diffs) or og_graph_build_index. Repeated ids are then not detected: a
   lookup finds one of them. Only before the first node. Errors: OG_EINVALID. */
OG_EXTERN int og_builder_trust_ids(og_builder *b);

/* Skip the search for an equal string, for adapters whose labels are mostly distinct values (a
   heap's str and int values): og_builder_intern then stores every call's string under a new
   handle, and nothing merges them. The graph may then hold equal strings under distinct handles
   (labels are read by handle; og_graph_find_type still finds type names, which are interned at
   once; og_snapshot_write writes each distinct string once). Saves hashing and merging every
   label. Any time; kept until finished. Errors: OG_EINVALID. */
OG_EXTERN int og_builder_defer_strings(og_builder *b);

/* Index of the node with this id. Errors: OG_ENOTFOUND, OG_EINVALID (also when ids are
   deferred). O(1) expected. */
OG_EXTERN int og_builder_find(og_index *out, const og_builder *b, og_id id);

/* Index of the node with this id, or OG_INDEX_NONE (also for NULL, and when ids are deferred):
   a miss is no error, so hot loops that mostly miss pay no message formatting. O(1) expected. */
OG_EXTERN og_index og_builder_lookup(const og_builder *b, og_id id);

/* Make room for this many more nodes and edges at once, for adapters that know the sizes ahead
   (a snapshot's header): no regrowth, no copying of columns while adding. A hint only: adding
   beyond it still works. Errors: OG_EINVALID, OG_ENOMEM, OG_ELIMIT. */
OG_EXTERN int og_builder_reserve(og_builder *b, size_t nodes, size_t edges);

/* Room for this many more strings (og_builder_intern) holding this many bytes of text in all (0:
   unknown), as og_builder_reserve for nodes and edges: a hint. Errors: OG_EINVALID, OG_ENOMEM,
   OG_ELIMIT. */
OG_EXTERN int og_builder_reserve_strings(og_builder *b, size_t strings, size_t bytes);

/* Map the pages of the room og_builder_reserve and og_builder_reserve_strings made on a second
   thread while this one adds nodes, edges and strings, so that its first writes find them mapped
   (Linux 5.14+ with the default allocator, and rooms of 4 MiB or more; elsewhere nothing
   happens). The next first_rows node rows are mapped first (a walker about to add them at once),
   then the rest, each column front to back. Pays when this thread is the only busy one: a
   1.5M-node capture takes ~25k page faults otherwise. Ends when a room is outgrown, at finish or
   free. Errors: OG_EINVALID (NULL). */
OG_EXTERN int og_builder_prefault(og_builder *b, size_t first_rows);

/* Number of nodes added so far (0 for NULL). */
OG_EXTERN og_index og_builder_node_count(const og_builder *b);

/* The ids of the nodes added so far, in index order (og_builder_node_count of them), for adapters
   that find their objects again by index; NULL for NULL or none yet. Valid until the next node
   is added or the builder is finished or freed. O(1). */
OG_EXTERN const og_id *og_builder_ids(const og_builder *b);

/* The reference counts of the nodes added so far, in index order, as og_builder_ids. */
OG_EXTERN const uint32_t *og_builder_refcounts(const og_builder *b);

/* Append an edge source -> target. Edges keep their order per source (that order is what
   traversals see); they are cheapest added grouped by source in index order. label is an og_str,
   the index for OG_EDGE_INDEX (values >= 2^28-1 are dropped), or OG_STR_NONE.
   Errors: OG_EINVALID (index out of range, bad kind or label), OG_ENOMEM, OG_ELIMIT. O(1). */
OG_EXTERN int og_builder_add_edge(og_builder *b, og_index source, og_index target,
                                  og_edge_kind kind, uint32_t label);

/* Append n edges at once: edge i from sources[i] to targets[i], of kind kinds[i] (an
   og_edge_kind) with label labels[i], as n calls of og_builder_add_edge in that order would, for
   adapters that resolve edges in bulk (a fraction of the calls' cost: the columns are checked and
   copied in loops a compiler vectorizes). All or nothing: on an error no edge of the call is
   added, and the message names the first bad one by its position. O(n). */
OG_EXTERN int og_builder_add_edges(og_builder *b, const og_index *sources, const og_index *targets,
                                   const uint8_t *kinds, const uint32_t *labels, size_t n);

/* Seal the builder into a graph: builds the CSR in O(V+E) and the id index (of big graphs on a
   second thread when the allocator is the default one; none with og_builder_trust_ids). On
   success the builder is left empty (free it, or reuse it). Errors: OG_EINVALID, OG_ENOMEM,
   OG_EEXISTS (deferred ids only: an id was added twice); the builder then keeps its nodes and
   edges. */
OG_EXTERN int og_builder_finish(og_graph **out, og_builder *b);

/* ---- reading ------------------------------------------------------------------------------- */

/* Release a graph and all its memory in O(blocks). NULL is accepted. */
OG_EXTERN void og_graph_free(og_graph *g);

/* Counts (0 for NULL). */
OG_EXTERN og_index og_graph_node_count(const og_graph *g);
OG_EXTERN uint64_t og_graph_edge_count(const og_graph *g);
OG_EXTERN uint32_t og_graph_type_count(const og_graph *g);
OG_EXTERN uint32_t og_graph_str_count(const og_graph *g);

/* Everything about one node. Errors: OG_EINVALID (NULL, index out of range). O(1), or
   O(log n) for a node whose size does not fit 32 bits. */
OG_EXTERN int og_graph_node(og_node_info *out, const og_graph *g, og_index node);

/* Index of the node with this id. Errors: OG_ENOTFOUND, OG_EINVALID. O(1) expected. */
OG_EXTERN int og_graph_find(og_index *out, const og_graph *g, og_id id);

/* Index of the node with this id, or OG_INDEX_NONE (also for NULL); no error is recorded.
   O(1) expected. */
OG_EXTERN og_index og_graph_lookup(const og_graph *g, og_id id);

/* Bytes of an interned string (not NUL-terminated in general; *len_out gets the length).
   Returns NULL for an unknown handle. Borrowed. */
OG_EXTERN const char *og_graph_str(const og_graph *g, og_str s, size_t *len_out);

/* Short (long_form 0) or long name of a type. NULL for an unknown handle. Borrowed. */
OG_EXTERN const char *og_graph_type_name(const og_graph *g, og_type t, int long_form,
                                         size_t *len_out);

/* Handle of a type by name (short or long per long_form), or OG_ENOTFOUND. O(len + types).
   Several types can share a short name: this gives the first one added. */
OG_EXTERN int og_graph_find_type(og_type *out, const og_graph *g, const char *name, size_t len,
                                 int long_form);

/* Out-degree, and the k-th out-edge of a node. Errors: OG_EINVALID. O(1). */
OG_EXTERN int og_graph_out_degree(size_t *out, const og_graph *g, og_index node);
OG_EXTERN int og_graph_edge(og_edge_info *out, const og_graph *g, og_index node, size_t k);

/* The neighbours of a node: out-edges in insertion order, or in-edges (referrers, each referrer
   once, in index order), building the reverse CSR on first use in O(V+E).
   Errors: OG_EINVALID, OG_ENOMEM. O(1) after the reverse CSR exists. */
OG_EXTERN int og_graph_neighbors(og_span *out, og_graph *g, og_dir dir, og_index node);

/* Build the reverse CSR now (idempotent). Errors: OG_ENOMEM. O(V+E). */
OG_EXTERN int og_graph_build_reverse(og_graph *g);

/* Build the id index now (idempotent; graphs sealed with og_builder_trust_ids have none until
   their first lookup by id). Errors: OG_ENOMEM. O(V). */
OG_EXTERN int og_graph_build_index(og_graph *g);

/* Bytes the graph holds, excluding/including strings. */
typedef struct og_graph_mem {
  size_t nodes;   /* node columns, out offsets, in offsets (if built), id hash */
  size_t edges;   /* out targets + meta, in sources (if built) */
  size_t strings; /* string and type tables */
} og_graph_mem;
OG_EXTERN int og_graph_memory(og_graph_mem *out, const og_graph *g);

/* An adapter's slot: the engine never reads it. */
OG_EXTERN void og_graph_set_user_data(og_graph *g, void *data);
OG_EXTERN void *og_graph_user_data(const og_graph *g);

OG_END_DECL

#endif
