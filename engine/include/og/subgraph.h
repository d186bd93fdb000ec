/* Subgraph extraction with objgraph's exact rules (show_refs / show_backrefs / show_chain).
 *
 * og_subgraph_run walks breadth-first from start nodes over an og_walker (a finished graph, or a
 * lazily expanded live heap whose node_count grows) and delivers an ordered stream of events to
 * a visitor. The stream is exactly the order in which objgraph's _show_graph writes its DOT
 * lines, so an emitter (og/emit.h) only formats events:
 *
 *   BEGIN                                      once, carries dir and max_depth
 *   START(s)                                   for each start, in order (duplicates repeated)
 *   then for each dequeued node t (FIFO):
 *     NODE(t, depth)                           the label line; HIGHLIGHT flag from the predicate
 *     if depth < max_depth and !cull(t):       (cull is only asked when depth < max_depth)
 *       for each neighbour nb of t, in walker order:
 *         ignored (array or ignore_fn)  -> skip
 *         filter_fn(nb) == 0            -> skip (not drawn, not counted)
 *         n >= too_many                 -> skipped++
 *         else EDGE(src, dst), enqueue nb at depth+1 if never seen, n++
 *       if skipped > 0: TOO_MANY(t, depth, skipped)
 *   END                                        once, after the queue is empty
 *
 * Duplicates: every start gets depth 0 and is queued (and so emitted and expanded) once per
 * occurrence; a neighbour listed twice gives two EDGE events and counts twice toward too_many.
 * Start nodes are never ignored or filtered; highlight applies to every node.
 * Callback order per dequeued node: highlight_fn, [visitor NODE], cull_fn, then per neighbour
 * ignore_fn, filter_fn, [visitor EDGE]. (objgraph asks highlight after writing the label line;
 * only callbacks with side effects can tell; an emitter's node_flags can compute it instead.)
 * The neighbour span of the node being expanded is read while those callbacks run: they must
 * not call the walker nor invalidate the memory its span points to. */
#ifndef OG_SUBGRAPH_H
#define OG_SUBGRAPH_H

#include "og/common.h"
#include "og/graph.h"
#include "og/select.h" /* og_node_pred_fn */
#include "og/walker.h"

OG_BEGIN_DECL

typedef enum og_subgraph_event_kind {
  OG_SUBGRAPH_BEGIN = 1,    /* dir, max_depth, too_many */
  OG_SUBGRAPH_START = 2,    /* node = a start node, depth 0 */
  OG_SUBGRAPH_NODE = 3,     /* node dequeued at depth; flags may hold OG_SUBGRAPH_HIGHLIGHT */
  OG_SUBGRAPH_EDGE = 4,     /* node -> target in reference direction; meta; depth = expander's */
  OG_SUBGRAPH_TOO_MANY = 5, /* node's neighbour loop skipped count neighbours; depth = node's */
  OG_SUBGRAPH_END = 6       /* count = nodes emitted (NODE events) */
} og_subgraph_event_kind;

/* Event flags. */
enum {
  OG_SUBGRAPH_HIGHLIGHT = 1u << 0 /* NODE: highlight_fn said yes */
};

/* No edge meta: the walker gave none (in-edges of og_graph_walker carry none). */
#define OG_SUBGRAPH_NO_META 0xFFFFFFFFu

/* One event; a borrowed pointer valid during the visitor call only. */
typedef struct og_subgraph_event {
  uint32_t kind;      /* og_subgraph_event_kind */
  uint32_t flags;     /* OG_SUBGRAPH_* bits */
  og_dir dir;         /* the traversal direction (every event) */
  uint32_t max_depth; /* the options' max_depth, clamped to >= 0 (every event) */
  og_index node;      /* START/NODE/TOO_MANY: the node; EDGE: the referrer (source) */
  og_index target;    /* EDGE: the referent; else OG_INDEX_NONE */
  uint32_t depth;     /* START: 0; NODE/TOO_MANY: the node's depth; EDGE: the expanded node's */
  uint32_t meta;      /* EDGE: the walker's packed kind/label (OG_META_*), or OG_SUBGRAPH_NO_META */
  uint64_t count;     /* TOO_MANY: skipped neighbours; END: NODE events; BEGIN: too_many */
} og_subgraph_event;

/* Receives each event in order. Return OG_OK, or an error code to stop the traversal (returned
   by og_subgraph_run). */
typedef int (*og_subgraph_visit_fn)(void *payload, const og_subgraph_event *ev);

#define OG_SUBGRAPH_OPTIONS_VERSION 1
typedef struct og_subgraph_options {
  unsigned version; /* OG_SUBGRAPH_OPTIONS_VERSION */
  og_dir dir;       /* OG_DIR_OUT: show_refs (target -> neighbour, "references");
                       OG_DIR_IN: show_backrefs (neighbour -> target, "backreferences") */
  int64_t max_depth; /* a node is expanded while depth < max_depth; negative acts as 0 */
  int64_t too_many;  /* neighbours drawn per node; more are counted; negative acts as 0 */
  /* Neighbours never drawn (starts excepted): an array of indices (each < node_count at the
     call) and/or a callback (> 0 ignore, 0 keep, < 0 abort with that code). */
  const og_index *ignore;
  size_t ignore_count;
  og_node_pred_fn ignore_fn;
  void *ignore_payload;
  og_node_pred_fn filter_fn;    /* NULL or: 0 = neighbour hidden (objgraph's filter) */
  void *filter_payload;
  og_node_pred_fn cull_fn;      /* NULL or: > 0 = drawn but not expanded (show_backrefs: modules) */
  void *cull_payload;
  og_node_pred_fn highlight_fn; /* NULL or: > 0 = OG_SUBGRAPH_HIGHLIGHT on the NODE event */
  void *highlight_payload;
} og_subgraph_options;
#define OG_SUBGRAPH_OPTIONS_INIT                                                            \
  {OG_SUBGRAPH_OPTIONS_VERSION, OG_DIR_OUT, 3, 10, NULL, 0, NULL, NULL, NULL, NULL, NULL, \
   NULL, NULL, NULL}

/* Run the traversal and stream its events to visit (see the file comment for the order).
   starts: nstarts indices (duplicates allowed), each < the walker's node_count at the call;
   nstarts 0 gives BEGIN, END. opts NULL = defaults (OG_SUBGRAPH_OPTIONS_INIT).
   Errors: OG_EINVALID (NULL walker/visit, starts NULL with nstarts > 0, a start or ignore index
   out of range, a neighbour index at or above node_count, bad options version or dir),
   OG_ENOMEM, or the code a walker, predicate or the visitor returned.
   Cost: O(visited nodes + scanned edges) time and memory (hash set keyed by index, no O(V)
   array), plus the callbacks. Nothing is retained after the call. */
OG_EXTERN int og_subgraph_run(const og_walker *w, const og_index *starts, size_t nstarts,
                              const og_subgraph_options *opts, og_subgraph_visit_fn visit,
                              void *payload);

/* A ready-made og_node_pred_fn for cull_fn over a finished graph: payload is the const og_graph*;
   > 0 when the node has OG_NODE_MODULE (objgraph's is_proper_module, show_backrefs' cull).
   Returns OG_EINVALID for a NULL graph or an index out of range. O(1). */
OG_EXTERN int og_subgraph_is_proper_module(void *graph, og_index node);

OG_END_DECL

#endif
