/* Private pieces shared by the snapshot writer and reader (snapshot_*.c only): the generated
   protobuf-c schema, CRC-32, varints and the protobuf-c allocator routed to an og_allocator. */
#ifndef OG_SNAPSHOT_IMPL_H
#define OG_SNAPSHOT_IMPL_H

#include <protobuf-c/protobuf-c.h>

#include "graph_impl.h"
#include "og/v1/snapshot.pb-c.h"
#include "og/snapshot.h"

/* Writers keep records near this size (strings chunks are cut once their bytes reach it). */
#define OG_SNAP_TARGET_RECORD (1u << 20)
/* Defaults and caps of the items per chunk. */
#define OG_SNAP_CHUNK_NODES 16384u
#define OG_SNAP_CHUNK_EDGES 65536u
#define OG_SNAP_CHUNK_TYPES 65536u
#define OG_SNAP_CHUNK_STRINGS 65536u
#define OG_SNAP_MAX_CHUNK_NODES (1u << 20)
#define OG_SNAP_MAX_CHUNK_EDGES (1u << 21)
/* Longest varint length prefix of a record. */
#define OG_SNAP_LEN_BYTES 5

/* CRC-32 (IEEE, reflected, as zlib's crc32): start with crc 0 and feed the bytes in order. */
uint32_t og__snap_crc32(uint32_t crc, const void *data, size_t len);

/* Write v as a varint into out (at least 10 bytes); returns the number of bytes. */
size_t og__snap_put_varint(uint8_t *out, uint64_t v);

/* A ProtobufCAllocator over an og_allocator; `failed` records an allocation failure so a NULL
   from protobuf-c can be told apart from malformed input. */
typedef struct og__snap_pballoc {
  ProtobufCAllocator pc;
  const og_allocator *alloc;
  bool failed;
} og__snap_pballoc;

void og__snap_pballoc_init(og__snap_pballoc *pa, const og_allocator *alloc);

/* Name of a record body case, for messages. */
const char *og__snap_case_name(Og__V1__Record__BodyCase c);

#endif
