/* Heap snapshots: an og_graph saved to / loaded from a versioned, chunked protobuf file.
 *
 * The format is proto/og/v1/snapshot.proto (framing, every field and the evolution rules are
 * documented there): the magic "OGSNAP1\n", then varint-length-prefixed records Header,
 * StringChunk*, TypeChunk*, NodeChunk*, EdgeChunk*, Trailer (totals + CRC-32).
 *
 * Writing streams chunk by chunk; reading streams too, with extra memory bounded by the largest
 * record (at most max_record_bytes) besides the graph being built, which grows only as data
 * actually arrives. Every reader validates the whole file: a corrupt, truncated or hostile file
 * gives OG_EMALFORMED with a message naming the file, the record, its byte offset and the fault.
 *
 * These functions live in the separate library //engine:og_snapshot (it links protobuf-c). */
#ifndef OG_SNAPSHOT_H
#define OG_SNAPSHOT_H

#include "og/alloc.h"
#include "og/buf.h"
#include "og/common.h"
#include "og/graph.h"

OG_BEGIN_DECL

/* The format version this library writes and the highest it reads. */
#define OG_SNAPSHOT_FORMAT_VERSION 1
/* The 8 bytes every snapshot starts with. */
#define OG_SNAPSHOT_MAGIC "OGSNAP1\n"
#define OG_SNAPSHOT_MAGIC_LEN 8
/* Default and largest record a reader accepts (64 MiB). */
#define OG_SNAPSHOT_MAX_RECORD (64u << 20)

/* A free-form key/value of the header's metadata (NUL-terminated strings). */
typedef struct og_snapshot_kv {
  const char *key;
  const char *value;
} og_snapshot_kv;

#define OG_SNAPSHOT_OPTIONS_VERSION 1

/* What the writer puts in the header, and how it chunks. Strings may be NULL (= ""). Borrowed:
   the caller keeps them alive during the call only. */
typedef struct og_snapshot_options {
  unsigned version;             /* OG_SNAPSHOT_OPTIONS_VERSION */
  const char *runtime_name;     /* e.g. "CPython" */
  const char *runtime_version;  /* e.g. "3.11.7" */
  uint64_t pid;                 /* of the inspected process; 0 = unknown */
  int64_t capture_time_unix_ns; /* 0 = unknown */
  const char *capture_options;  /* free-form, e.g. "gc_only=1 max_depth=0" */
  const og_snapshot_kv *metadata;
  size_t metadata_count;
  uint32_t chunk_nodes; /* nodes per NodeChunk; 0 = 16384 */
  uint32_t chunk_edges; /* edges per EdgeChunk; 0 = 65536 */
} og_snapshot_options;

#define OG_SNAPSHOT_OPTIONS_INIT {OG_SNAPSHOT_OPTIONS_VERSION, NULL, NULL, 0, 0, NULL, NULL, 0, 0, 0}

#define OG_SNAPSHOT_LOAD_OPTIONS_VERSION 3

/* How a reader allocates, what it accepts and whether it reads ahead on a thread of its own. */
typedef struct og_snapshot_load_options {
  unsigned version; /* OG_SNAPSHOT_LOAD_OPTIONS_VERSION (1: without `threads`, 2: `decoder`) */
  const og_allocator *alloc; /* for the graph and the reader's buffers; NULL = default */
  uint32_t max_record_bytes; /* longest record accepted; 0 = OG_SNAPSHOT_MAX_RECORD */
  /* OG_SNAPSHOT_THREADS_AUTO (0): a second thread reads, checks and decodes records (node and
     edge chunks straight into the graph) while the calling one checks them in order and builds
     the rest, for inputs of at least 1 MiB with the default allocator;
     _NONE: the calling thread only; _READER: the second thread whatever the size (a custom
     allocator is then called from both threads: it must be thread-safe). */
  uint32_t threads;
  /* OG_SNAPSHOT_DECODER_AUTO (0): node and edge chunks in their canonical encoding (as written
     here) are decoded by the engine's own decoder, the other records and encodings by
     protobuf-c; _PROTOBUF_C: every record by protobuf-c, the reference (slower: for
     cross-checks). Either gives the same graph, or fails with the same message. */
  uint32_t decoder;
} og_snapshot_load_options;

enum { OG_SNAPSHOT_THREADS_AUTO = 0, OG_SNAPSHOT_THREADS_NONE = 1, OG_SNAPSHOT_THREADS_READER = 2 };
enum { OG_SNAPSHOT_DECODER_AUTO = 0, OG_SNAPSHOT_DECODER_PROTOBUF_C = 1 };

#define OG_SNAPSHOT_LOAD_OPTIONS_INIT {OG_SNAPSHOT_LOAD_OPTIONS_VERSION, NULL, 0, 0, 0}

/* ---- writing ------------------------------------------------------------------------------- */

/* Stream the snapshot of g to fn(payload, bytes, len), chunk by chunk. Memory: one chunk.
   Errors: OG_EINVALID (NULL, bad options), OG_ENOMEM, OG_ELIMIT (a string too long for a record),
   or whatever fn returns (the write stops there). O(V+E+total string bytes). */
OG_EXTERN int og_snapshot_write(const og_graph *g, const og_snapshot_options *opts,
                                og_write_fn fn, void *payload);

/* Append the snapshot of g to *out (see og_snapshot_write). The caller disposes *out. */
OG_EXTERN int og_snapshot_encode(og_buf *out, const og_graph *g, const og_snapshot_options *opts);

/* Save the snapshot of g to path atomically: written to a temporary file in the same directory,
   fsync'ed, then renamed over path. On failure nothing is left behind and an existing file at
   path is untouched. Errors: OG_EINVALID, OG_EIO (message names the path and the OS error),
   OG_ENOMEM, OG_ELIMIT. */
OG_EXTERN int og_snapshot_save(const og_graph *g, const char *path,
                               const og_snapshot_options *opts);

/* ---- reading ------------------------------------------------------------------------------- */

/* Load the snapshot at path into a new graph (owned; og_graph_free). Streams the file.
   Errors: OG_EINVALID, OG_ENOTFOUND (no such file), OG_EIO (unreadable, not a regular file),
   OG_EMALFORMED (anything wrong with the content), OG_ENOMEM. O(file size). */
OG_EXTERN int og_snapshot_load(og_graph **out, const char *path,
                               const og_snapshot_load_options *opts);

/* Decode a snapshot held in memory (len bytes at data, borrowed) into a new graph.
   Errors: OG_EINVALID, OG_EMALFORMED, OG_ENOMEM. O(len). */
OG_EXTERN int og_snapshot_decode(og_graph **out, const void *data, size_t len,
                                 const og_snapshot_load_options *opts);

/* The header of a snapshot, as read back; every string is NUL-terminated (bytes after an
   embedded NUL are not visible). Owned by the caller; release with og_snapshot_header_free. */
typedef struct og_snapshot_header {
  uint32_t format_version;
  const char *writer;
  const char *runtime_name;
  const char *runtime_version;
  uint64_t pid;
  int64_t capture_time_unix_ns;
  const char *capture_options;
  uint64_t node_count, edge_count, type_count, string_count; /* as claimed by the header */
  const og_snapshot_kv *metadata;
  size_t metadata_count;
  uint64_t file_size; /* bytes of the file (or buffer) */
} og_snapshot_header;

/* Read only the magic and the header record of the file at path (for `objgraph-tool info`);
   the rest of the file is not read or checked. Errors: OG_EINVALID, OG_ENOTFOUND, OG_EIO,
   OG_EMALFORMED, OG_ENOMEM. O(header size). */
OG_EXTERN int og_snapshot_info(og_snapshot_header **out, const char *path);

/* The same for a snapshot in memory. */
OG_EXTERN int og_snapshot_info_decode(og_snapshot_header **out, const void *data, size_t len);

/* Release a header. NULL is accepted. */
OG_EXTERN void og_snapshot_header_free(og_snapshot_header *h);

OG_END_DECL

#endif
