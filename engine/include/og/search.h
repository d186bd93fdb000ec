/* Searches over an og_walker: objgraph's reference chains (find_ref_chain /
 * find_backref_chain) and the k shortest retainer paths from roots to a node.
 *
 * Both run over a walker, so they work on a finished graph (og_graph_walker) as well as on a
 * lazily expanded live heap whose node_count grows during the search: per-node state is grown
 * as new indices appear (calling node_count must not invalidate the span last returned).
 * A neighbour index at or above node_count is reported as OG_EINVALID. */
#ifndef OG_SEARCH_H
#define OG_SEARCH_H

#include "og/alloc.h"
#include "og/common.h"
#include "og/graph.h"
#include "og/select.h"
#include "og/walker.h"

OG_BEGIN_DECL

#define OG_SEARCH_OPTIONS_VERSION 1
typedef struct og_search_options {
  unsigned version;   /* OG_SEARCH_OPTIONS_VERSION */
  og_dir dir;         /* chain: OG_DIR_OUT (referents) or OG_DIR_IN (referrers); paths: unused */
  uint32_t max_depth; /* a node is expanded only when its depth < max_depth (objgraph: 20) */
  /* Nodes never entered (the start node excepted): an array, and/or a callback (> 0: ignore,
     0: keep, < 0: abort with that code), called at most once per node: it must be pure. */
  const og_index *ignore;
  size_t ignore_count;
  og_node_pred_fn ignore_fn;
  void *ignore_payload;
  const og_allocator *alloc; /* scratch and results; NULL: og_allocator_default() */
} og_search_options;
#define OG_SEARCH_OPTIONS_INIT {OG_SEARCH_OPTIONS_VERSION, OG_DIR_OUT, 20, NULL, 0, NULL, NULL, NULL}

/* objgraph's _find_chain: BFS from start along opts->dir; the predicate is evaluated when a
   node is dequeued (start first); the first node discovered keeps its depth and parent.
   *out receives the chain start, ..., match (find_ref_chain order; reverse it for
   find_backref_chain), or just [start] when nothing matches within max_depth. The predicate
   may return a negative og_error to abort (then returned). Errors: OG_EINVALID (NULL, start
   out of range, bad options version), OG_ENOMEM, walker or predicate codes.
   O(V + E) time over the visited part, O(V) memory (grows with the walker's node_count). */
OG_EXTERN int og_search_chain(og_indices **out, const og_walker *w, og_index start,
                              const og_search_options *opts, og_node_pred_fn pred,
                              void *payload);

/* ---- k shortest retainer paths ------------------------------------------------------------ */

typedef struct og_paths og_paths;

/* One path, in reference order: nodes[0] is a root, nodes[length-1] the target; edge j goes
   nodes[j] -> nodes[j+1] with kinds[j] and labels[j] (as in og_edge_info.label) taken from the
   first out-edge of nodes[j] to nodes[j+1]. All arrays borrowed from the og_paths. */
typedef struct og_path_info {
  const og_index *nodes;
  size_t length; /* nodes; length - 1 edges */
  const uint8_t *kinds;
  const uint32_t *labels;
} og_path_info;

/* Up to k distinct simple paths from any root (is_root > 0) to target, shortest first, following
   referrers from target; a root ends a path (its own referrers are not followed). If target is a
   root, the only path is [target]. Paths are at most opts->max_depth edges long; opts->ignore*
   nodes are avoided; opts->dir is unused.
   Method: Yen's algorithm with Lawler's refinement (a path is only spurred from its deviation
   index on); a root ends a path. The first search is a BFS (roots recognised when discovered).
   If it reached at least a quarter of the graph (>= 4096 nodes) and k > 1, one multi-source
   BFS from every root along out-edges (is_root called on every node) gives each node its
   distance to a root, and the spur searches become A* with that exact-when-unblocked lower
   bound, so they stay near the optimal paths; if the walker mints nodes meanwhile (a live
   heap) the heuristic is dropped and spur searches stay BFS. Both are exact.
   Cost: O(k * L * (V + E) + k^2 * L^2) worst case (A*: times a log for its heap), L = longest
   path found (one spur search per node of each accepted path, candidates compared node by
   node), plus the out-degree of each path node to find labels; k = 1 is one BFS, O(V + E). In practice spur searches stop at
   the nearest root: bench/algo_bench, k = 3 over 1M nodes / 3M edges: 0.15 s with one far
   root (about one BFS + the heuristic pass), 1 ms with 0.1% of nodes as roots.
   Ties between equal-length paths follow discovery order (deterministic, but BFS and A*
   may pick different equal-length paths).
   is_root and ignore_fn are called at most once per node. Errors: OG_EINVALID, OG_ENOMEM,
   walker or predicate codes. */
OG_EXTERN int og_search_paths(og_paths **out, const og_walker *w, og_index target, size_t k,
                              const og_search_options *opts, og_node_pred_fn is_root,
                              void *payload);
OG_EXTERN void og_paths_free(og_paths *p);
OG_EXTERN size_t og_paths_count(const og_paths *p);
OG_EXTERN int og_paths_get(og_path_info *out, const og_paths *p, size_t i);

OG_END_DECL

#endif
