/* og_walker: the one neighbour interface every traversal algorithm goes through.
 *
 * A walker hands out the neighbours of a node by dense index. The CSR graph implements it
 * (og_graph_walker); an adapter can implement it over a lazily expanded live heap, minting new
 * dense indices as it meets new objects, so node_count may grow during a traversal. */
#ifndef OG_WALKER_H
#define OG_WALKER_H

#include "og/common.h"
#include "og/graph.h"

OG_BEGIN_DECL

#define OG_WALKER_VERSION 1

typedef struct og_walker {
  unsigned version; /* OG_WALKER_VERSION */
  void *ctx;
  /* Fill *out with the neighbours of node in direction dir. The span stays valid until the next
     call on this walker. Return OG_OK or an error code (the traversal stops with it). */
  int (*neighbors)(void *ctx, og_dir dir, og_index node, og_span *out);
  /* The current number of nodes (indices are below it); may grow between calls. */
  og_index (*node_count)(void *ctx);
} og_walker;

/* A walker over a finished graph (borrowed: the graph must outlive it). Errors: OG_EINVALID. */
OG_EXTERN int og_graph_walker(og_walker *out, og_graph *g);

OG_END_DECL

#endif
