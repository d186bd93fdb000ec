/* The snapshot's two hot records, NodeChunk and EdgeChunk (proto/og/v1/snapshot.proto), decoded
 * by hand from their canonical protobuf encoding straight into a graph's columns, checked on the
 * way: a load's varints are most of its work, and protobuf-c's generic unpacking into arrays of
 * its own took twice the time. Anything else (another record, a field twice, a repeated field not
 * packed, an unknown field, a value out of range) is declined, and snapshot.c then decodes the
 * record with protobuf-c, which names what is wrong. */
#ifndef OG_SNAPWIRE_H
#define OG_SNAPWIRE_H

#include "graph_impl.h"

/* What og__wire_scan found in a Record. */
enum {
  OG__WIRE_OTHER, /* a record of another type, or not a Record: for protobuf-c */
  OG__WIRE_ODD,   /* a NodeChunk or EdgeChunk in an encoding this decoder declines, or a
                     record that may be one (it does not parse) */
  OG__WIRE_NODES, /* a NodeChunk it can decode */
  OG__WIRE_EDGES  /* an EdgeChunk it can decode */
};

/* Packed columns of a chunk, in field order: id_delta, type, size, flags, refcount, label,
   out_degree for nodes; target_delta, kind, label for edges. */
#define OG__WIRE_COLS 7

/* A chunk's scalars, and where its packed columns lie in the record (len 0: absent). */
typedef struct og__wire_chunk {
  int what; /* OG__WIRE_NODES or OG__WIRE_EDGES */
  uint64_t first;
  uint32_t count, id_shift;
  const uint8_t *col[OG__WIRE_COLS];
  size_t len[OG__WIRE_COLS];
} og__wire_chunk;

/* Where decoded chunks go, and the header's counts that bound their values. The columns hold
   `nodes` rows and `edges` edges; each chunk maps its own rows first (og__populate). */
typedef struct og__wire_dest {
  const og_allocator *alloc;
  og_id *id;
  og_type *type;
  uint32_t *size, *refcount, *deg; /* deg: the out-degrees (the builder's) */
  uint16_t *flags;
  og_str *label;
  og_index *edst;
  uint32_t *emeta;
  uint64_t nodes, edges;
  uint32_t types, strings;
  bool simd; /* decode with AVX-512: only where og__wire_simd_supported() */
} og__wire_dest;

/* Whether this CPU (and its kernel) runs the AVX-512 VBMI2 decoder: false elsewhere. */
bool og__wire_simd_supported(void);

/* Which kind of Record body[0..len) is; for NODES and EDGES, *c gets its fields. */
int og__wire_scan(og__wire_chunk *c, const uint8_t *body, size_t len);

/* Decode chunk c (as og__wire_scan found it) into its rows of d: a node chunk's ids, types,
   sizes, flags, refcounts, labels and out-degrees (*deg_sum: their sum), an edge chunk's targets
   and packed metas (*deg_sum: 0). False when it is not one this decoder takes whole (rows beyond
   d's, a column of another length, a value out of range, a size of OG_SIZE_BIG or more): its rows
   may then hold anything. */
bool og__wire_decode(uint64_t *deg_sum, const og__wire_dest *d, const og__wire_chunk *c);

#endif
