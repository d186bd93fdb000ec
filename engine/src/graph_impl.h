/* The private layout of og_graph and og_builder, shared by the algorithm files. */
#ifndef OG_GRAPH_IMPL_H
#define OG_GRAPH_IMPL_H

#include "internal.h"
#include "og/graph.h"
#include "strtab.h"

/* Sizes at or above this are kept in the sorted overflow table. */
#define OG_SIZE_BIG UINT32_MAX
#define OG_META_NOLABEL 0x0FFFFFFFu
#define OG_META_PACK(kind, label) \
  (((uint32_t)(kind) << 28) | ((label) >= OG_META_NOLABEL ? OG_META_NOLABEL : (uint32_t)(label)))

typedef struct og_bigsize {
  og_index node;
  uint64_t size;
} og_bigsize;

/* id -> index open-addressing table of a sealed graph (linear probing, OG_INDEX_NONE = empty):
   4 bytes a slot, 1.25 slots per node. */
typedef struct og_idmap {
  og_index *slots;
  size_t cap; /* any size, or 0 */
} og_idmap;

/* The builder's id map: each slot holds (32-bit hash tag << 32 | index), so probes compare tags
   in the table itself and touch the id column only on a tag match; growth rehashes from the tags
   alone. Faster, at 8 bytes a slot and load <= 1/2: it lives only while building. */
typedef struct og_bmap {
  uint64_t *slots; /* UINT64_MAX = empty */
  size_t cap, count;
} og_bmap;

/* Node columns, as grown by the builder and kept by the graph: one block, carved into columns,
   so that growing or trimming moves every column at once or none. */
typedef struct og_nodes {
  void *block;
  og_id *id;
  og_type *type;
  uint32_t *size; /* OG_SIZE_BIG: see big[] */
  uint16_t *flags;
  uint32_t *refcount;
  og_str *label;
  og_index count, cap;
  og_bigsize *big; /* sorted by node, since nodes are appended in order */
  size_t nbig, capbig;
} og_nodes;

struct og_graph {
  og_allocator alloc;
  og_nodes nodes;
  og_idmap ids;
  og_strtab strs;  /* labels and names */
  og_typetab types;
  /* forward CSR */
  uint32_t *out_off; /* count+1 */
  size_t off_cap;    /* allocated length of out_off */
  og_index *out_dst; /* nedges */
  uint32_t *out_meta;
  uint64_t nedges;
  size_t dst_cap, meta_cap; /* allocated lengths of out_dst and out_meta */
  /* reverse CSR, built on demand; referrers deduplicated */
  uint32_t *in_off; /* count+1 or NULL */
  og_index *in_src;
  uint64_t nin;
  void *user_data;
};

struct og_builder {
  og_allocator alloc;
  og_nodes nodes;
  og_bmap ids;
  og_strtab strs;
  og_typetab types;
  uint32_t *deg;   /* out-degree per node */
  size_t deg_cap;
  og_index *esrc;  /* per-edge source, only once edges stopped arriving grouped by source */
  og_index *edst;
  uint32_t *emeta;
  size_t nedges, ecap;
  og_index last_src; /* source of the latest edge, while edges stay grouped */
  bool defer_ids;    /* og_builder_defer_ids: no map while building, ids checked at finish */
  bool trust_ids;    /* og_builder_trust_ids: not checked at all, indexed by the graph on demand */
  bool defer_strs;   /* og_builder_defer_strings: strings stored unindexed, never merged */
  struct og_prefault *prefault; /* og_builder_reserve's columns being mapped on a second thread */
};

/* Prefaulting reserved memory on a second thread (prefault.c): each range front to back, ranges
   [0, nfirst) before the others. start returns NULL when it would not pay or cannot run here.
   The ranges may be written meanwhile; stop before freeing or moving them (it ends the job early
   and frees it; NULL is a no-op). */
#define OG_PREFAULT_RANGES 20
typedef struct og_prefault og_prefault;
og_prefault *og__prefault_start(const og_allocator *a, void *const *ptr, const size_t *bytes,
                                size_t nfirst, size_t n);
void og__prefault_stop(og_prefault *p);

/* Id maps (idmap.c). ids is the node id column the slots point into. */
og_index og__idmap_find(const og_idmap *m, const og_id *ids, og_id id);
/* A sealed graph's map of nodes 0..n-1, built in one pass. check: ids may repeat (OG_EEXISTS
   naming the first repeat; m unchanged), else they are known to be distinct. */
int og__idmap_build(og_idmap *m, const og_allocator *a, const og_id *ids, size_t n, bool check);
void og__idmap_free(og_idmap *m, const og_allocator *a);
/* og__idmap_build on a second thread, for big maps when the allocator is malloc (thread-safe):
   start returns NULL when it would not pay or the thread cannot start (then build inline).
   The ids must stay where they are until finish (the map or the job's error, re-raised on this
   thread) or cancel (wait and discard); both free the job. */
typedef struct og_idjob og_idjob;
og_idjob *og__idjob_start(const og_allocator *a, const og_id *ids, size_t n, bool check);
int og__idjob_finish(og_idjob *j, og_idmap *m);
void og__idjob_cancel(og_idjob *j);
/* Room for one more entry. */
int og__bmap_reserve(og_bmap *m, const og_allocator *a);
og_index og__bmap_find(const og_bmap *m, const og_id *ids, og_id id);
/* Insert node idx (whose id is ids[idx]); returns false if the id is present. */
bool og__bmap_insert(og_bmap *m, const og_id *ids, og_index idx);
void og__bmap_free(og_bmap *m, const og_allocator *a);

/* og_builder_add_edge without the argument checks, for decoders that validated their input:
   source and target must be below the node count; meta packed with OG_META_PACK. */
int og__builder_append_edge(og_builder *b, og_index source, og_index target, uint32_t meta);

/* Columns written in place by decoders that validated their input (the snapshot reader), with
   deferred ids. Nodes: og__builder_nodes_room makes room for n more; the caller writes rows
   count..count+n-1 of nodes.id/type/size/flags/refcount/label and of deg, each node's number of
   out-edges (sizes of OG_SIZE_BIG and more through og__builder_big_size, rows in order), and then
   calls og__builder_nodes_added(n). Edges: og__builder_edges_room makes room for n more at
   edst/emeta[nedges...]; the caller writes them in CSR order (node 0's deg[0] edges first, and
   so on) and then calls og__builder_edges_added(n). The degrees must sum to the edges by
   og_builder_finish. */
int og__builder_nodes_room(og_builder *b, size_t n);
int og__builder_big_size(og_builder *b, og_index row, uint64_t size);
void og__builder_nodes_added(og_builder *b, size_t n);
int og__builder_edges_room(og_builder *b, size_t n);
void og__builder_edges_added(og_builder *b, size_t n);

/* Size of a node, reading the overflow table when needed. O(1) or O(log big). */
uint64_t og__node_size(const og_nodes *n, og_index i);

/* Node columns: grow to hold need nodes; trim to count (kept as is if that fails); free. */
int og__nodes_grow(og_nodes *n, const og_allocator *a, size_t need);
/* Exactly room for need nodes (no doubling). */
int og__nodes_reserve(og_nodes *n, const og_allocator *a, size_t need);
void og__nodes_shrink(og_nodes *n, const og_allocator *a);
void og__nodes_free(og_nodes *n, const og_allocator *a);

/* Reverse CSR on demand. */
int og__graph_reverse(og_graph *g);
/* The id index on demand (graphs sealed with og_builder_trust_ids have none until then). */
int og__graph_index(const og_graph *g);

#endif
