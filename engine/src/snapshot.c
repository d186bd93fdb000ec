/* The snapshot codec, the only engine code that knows protobuf-c: an og_graph written as framed
 * protobuf records (proto/og/v1/snapshot.proto) and read back into an og_builder, checking
 * everything. Sections: what both directions share (CRC-32, varints, the protobuf-c allocator),
 * the writer, the reader.
 *
 * The reader streams framed records from a file or a buffer. Node and edge chunks in their
 * canonical encoding are decoded by hand straight into the builder's columns (snapwire.h); other
 * records, and chunks the hand decoder declines, are unpacked by protobuf-c. Big inputs are read
 * by two threads: one reads, checks the framing and the CRC and decodes (or unpacks) the next
 * records while the caller's checks and builds the graph from the current one; whichever is
 * idle decodes the next chunk. Extra memory: up to AHEAD_DEPTH + 1 records (plus protobuf-c's
 * unpacked copies), besides the graph being built. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <protobuf-c/protobuf-c.h>

#include "graph_impl.h"
#include "og/snapshot.h"
#include "og/v1/snapshot.pb-c.h"
#include "og/version.h"
#include "snapwire.h"

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
static uint32_t og__snap_crc32(uint32_t crc, const void *data, size_t len);

/* Write v as a varint into out (at least 10 bytes); returns the number of bytes. */
static size_t og__snap_put_varint(uint8_t *out, uint64_t v);

/* A ProtobufCAllocator over an og_allocator; `failed` records an allocation failure so a NULL
   from protobuf-c can be told apart from malformed input. */
typedef struct og__snap_pballoc {
  ProtobufCAllocator pc;
  const og_allocator *alloc;
  bool failed;
} og__snap_pballoc;

static void og__snap_pballoc_init(og__snap_pballoc *pa, const og_allocator *alloc);

/* Name of a record body case, for messages. */
static const char *og__snap_case_name(Og__V1__Record__BodyCase c);

/* ---- shared pieces ---------------------------------------------------------------------- */

/* Slice-by-8 tables for CRC-32 (IEEE, reflected): t[0] is the classic byte table, t[k][b] the
   CRC of byte b followed by k zero bytes. Built once; a load of 1M nodes reads ~25 MB through it. */
static uint32_t crc_tables[8][256];

static void crc_init(void) {
  for (uint32_t b = 0; b < 256; b++) {
    uint32_t c = b;
    for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
    crc_tables[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; b++)
    for (int k = 1; k < 8; k++)
      crc_tables[k][b] = (crc_tables[k - 1][b] >> 8) ^ crc_tables[0][crc_tables[k - 1][b] & 0xFFu];
}

static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define OG_CRC_CLMUL 1

/* The CRC register (not inverted) over len bytes, len >= 64 and a multiple of 16, by folding
   with carry-less multiplies: 4 lanes of 128 bits, then one, then a Barrett reduction (Intel's
   "Fast CRC Computation Using PCLMULQDQ", constants for the reflected IEEE polynomial). About
   ten times the table's speed; the reader thread of a load spends a third of its time here. */
__attribute__((target("pclmul,sse4.1"))) static uint32_t crc_clmul(uint32_t crc,
                                                                   const uint8_t *p, size_t len) {
  const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596LL, 0x154442bd4LL);
  const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009eLL, 0x1751997d0LL);
  const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124LL);
  const __m128i poly = _mm_set_epi64x(0x1f7011641LL, 0x1db710641LL); /* mu, P' */
  const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
  __m128i x[4];
  for (int k = 0; k < 4; k++) x[k] = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
  x[0] = _mm_xor_si128(x[0], _mm_cvtsi32_si128((int)crc));
  for (p += 64, len -= 64; len >= 64; p += 64, len -= 64)
    for (int k = 0; k < 4; k++) {
      __m128i lo = _mm_clmulepi64_si128(x[k], k1k2, 0x00), hi = _mm_clmulepi64_si128(x[k], k1k2, 0x11);
      x[k] = _mm_xor_si128(_mm_xor_si128(lo, hi),
                           _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k)));
    }
  __m128i a = x[0];
  for (int k = 1; k < 4 || len >= 16; k++) { /* the other lanes, then the 16-byte blocks left */
    __m128i next = k < 4 ? x[k] : _mm_loadu_si128((const __m128i *)(const void *)p);
    if (k >= 4) p += 16, len -= 16;
    a = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(a, k3k4, 0x00),
                                    _mm_clmulepi64_si128(a, k3k4, 0x11)), next);
  }
  a = _mm_xor_si128(_mm_srli_si128(a, 8), _mm_clmulepi64_si128(a, k3k4, 0x10)); /* 128 -> 64 */
  a = _mm_xor_si128(_mm_srli_si128(a, 4),
                    _mm_clmulepi64_si128(_mm_and_si128(a, mask32), k5, 0x00)); /* -> 64 + 32 */
  __m128i b = _mm_clmulepi64_si128(_mm_and_si128(a, mask32), poly, 0x10);      /* Barrett */
  b = _mm_clmulepi64_si128(_mm_and_si128(b, mask32), poly, 0x00);
  return (uint32_t)_mm_extract_epi32(_mm_xor_si128(a, b), 1);
}

static bool crc_has_clmul;

static void crc_init_all(void) {
  crc_init();
  __builtin_cpu_init();
  crc_has_clmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}
#else
#define OG_CRC_CLMUL 0
static void crc_init_all(void) { crc_init(); }
#endif

static uint32_t og__snap_crc32(uint32_t crc, const void *data, size_t len) {
  const uint8_t *p = data;
  pthread_once(&crc_once, crc_init_all);
  const uint32_t(*t)[256] = (const uint32_t(*)[256])crc_tables;
  crc = ~crc;
#if OG_CRC_CLMUL
  if (len >= 64 && crc_has_clmul) {
    size_t n = len & ~(size_t)15;
    crc = crc_clmul(crc, p, n);
    p += n;
    len -= n;
  }
#endif
  for (; len >= 8; len -= 8, p += 8) { /* little-endian byte order, assembled portably */
    uint32_t lo = crc ^ ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                         (uint32_t)p[3] << 24);
    crc = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
          t[3][p[4]] ^ t[2][p[5]] ^ t[1][p[6]] ^ t[0][p[7]];
  }
  while (len--) crc = t[0][(crc ^ *p++) & 0xFFu] ^ (crc >> 8);
  return ~crc;
}

static size_t og__snap_put_varint(uint8_t *out, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80u) {
    out[n++] = (uint8_t)(v | 0x80u);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

/* protobuf-c frees without a size, og_allocator wants one: keep it in a 16-byte prefix (16 keeps
   the block aligned for any type). */
#define PREFIX 16u

static void *pb_alloc(void *data, size_t size) {
  og__snap_pballoc *pa = data;
  if (size > SIZE_MAX - PREFIX) {
    pa->failed = true;
    return NULL;
  }
  unsigned char *p = og__alloc(pa->alloc, size + PREFIX);
  if (!p) {
    pa->failed = true;
    return NULL;
  }
  size_t total = size + PREFIX;
  memcpy(p, &total, sizeof total);
  return p + PREFIX;
}

static void pb_free(void *data, void *ptr) {
  og__snap_pballoc *pa = data;
  if (!ptr) return;
  unsigned char *p = (unsigned char *)ptr - PREFIX;
  size_t total;
  memcpy(&total, p, sizeof total);
  og__free(pa->alloc, p, total);
}

static void og__snap_pballoc_init(og__snap_pballoc *pa, const og_allocator *alloc) {
  pa->pc.alloc = pb_alloc;
  pa->pc.free = pb_free;
  pa->pc.allocator_data = pa;
  pa->alloc = alloc;
  pa->failed = false;
}

static const char *og__snap_case_name(Og__V1__Record__BodyCase c) {
  switch (c) {
    case OG__V1__RECORD__BODY_HEADER: return "Header";
    case OG__V1__RECORD__BODY_STRINGS: return "StringChunk";
    case OG__V1__RECORD__BODY_TYPES: return "TypeChunk";
    case OG__V1__RECORD__BODY_NODES: return "NodeChunk";
    case OG__V1__RECORD__BODY_EDGES: return "EdgeChunk";
    case OG__V1__RECORD__BODY_TRAILER: return "Trailer";
    default: return "empty Record";
  }
}

/* ---- writer ------------------------------------------------------------------------------ */

/* The state of one write: the sink (with the running CRC) and the scratch buffers. */
typedef struct writer {
  const og_graph *g;
  const og_allocator *a;
  const og_strtab *strs; /* what is written: the graph's strings, or each distinct one once */
  const uint32_t *remap; /* graph string -> written string, when they differ */
  og_strtab view;        /* og__strtab_dedup's, when the graph holds equal strings */
  uint32_t *own_remap;
  og_write_fn fn;
  void *payload;
  uint32_t crc;
  uint64_t records; /* records written so far */
  uint8_t *pack;    /* one packed record */
  size_t pack_cap;
  void *cols[7]; /* per-chunk columns, each of col_cap 8-byte slots */
  size_t col_cap;
  char *blob; /* concatenated strings of a StringChunk */
  size_t blob_cap;
} writer;

static int emit(writer *w, const void *data, size_t len) {
  w->crc = og__snap_crc32(w->crc, data, len);
  return w->fn(w->payload, data, len);
}

/* Frame and emit one record. */
static int put_record(writer *w, Og__V1__Record *rec) {
  size_t n = og__v1__record__get_packed_size(rec);
  if (n > OG_SNAPSHOT_MAX_RECORD)
    return og__fail(OG_ELIMIT, "snapshot %s record %llu would be %zu bytes (limit %u)",
                    og__snap_case_name(rec->body_case), (unsigned long long)w->records, n,
                    OG_SNAPSHOT_MAX_RECORD);
  OG_TRY(og__grow(w->a, (void **)&w->pack, &w->pack_cap, n, 1));
  size_t packed = og__v1__record__pack(rec, w->pack);
  OG_ASSERT(packed == n);
  uint8_t len[10];
  size_t k = og__snap_put_varint(len, packed);
  OG_TRY(emit(w, len, k));
  OG_TRY(emit(w, w->pack, packed));
  w->records++;
  return OG_OK;
}

/* Wrap one chunk message into a Record under case c and emit it. */
static int put_body(writer *w, Og__V1__Record__BodyCase c, void *msg) {
  Og__V1__Record rec = OG__V1__RECORD__INIT;
  rec.body_case = c;
  switch (c) {
    case OG__V1__RECORD__BODY_HEADER: rec.header = msg; break;
    case OG__V1__RECORD__BODY_STRINGS: rec.strings = msg; break;
    case OG__V1__RECORD__BODY_TYPES: rec.types = msg; break;
    case OG__V1__RECORD__BODY_NODES: rec.nodes = msg; break;
    case OG__V1__RECORD__BODY_EDGES: rec.edges = msg; break;
    default: rec.trailer = msg; break;
  }
  return put_record(w, &rec);
}

static int put_header(writer *w, const og_snapshot_options *o) {
  Og__V1__Header h = OG__V1__HEADER__INIT;
  Og__V1__Header__MetadataEntry *entries = NULL, **ptrs = NULL;
  size_t nmeta = o->metadata_count;
  int rc = OG_OK;
  h.format_version = OG_SNAPSHOT_FORMAT_VERSION;
  h.writer = "objgraph-engine " OG_VERSION_STRING;
  h.runtime_name = (char *)(o->runtime_name ? o->runtime_name : "");
  h.runtime_version = (char *)(o->runtime_version ? o->runtime_version : "");
  h.pid = o->pid;
  h.capture_time_unix_ns = o->capture_time_unix_ns;
  h.capture_options = (char *)(o->capture_options ? o->capture_options : "");
  h.node_count = w->g->nodes.count;
  h.edge_count = w->g->nedges;
  h.type_count = w->g->types.count;
  h.string_count = w->strs->count;
  if (nmeta) {
    entries = og__alloc(w->a, nmeta * sizeof *entries);
    ptrs = og__alloc(w->a, nmeta * sizeof *ptrs);
    if (!entries || !ptrs) {
      rc = og__fail(OG_ENOMEM, "out of memory for %zu snapshot metadata entries", nmeta);
      goto cleanup;
    }
    for (size_t i = 0; i < nmeta; i++) {
      Og__V1__Header__MetadataEntry e = OG__V1__HEADER__METADATA_ENTRY__INIT;
      e.key = (char *)(o->metadata[i].key ? o->metadata[i].key : "");
      e.value = (char *)(o->metadata[i].value ? o->metadata[i].value : "");
      entries[i] = e;
      ptrs[i] = &entries[i];
    }
    h.n_metadata = nmeta;
    h.metadata = ptrs;
  }
  rc = put_body(w, OG__V1__RECORD__BODY_HEADER, &h);
cleanup:
  og__free(w->a, entries, nmeta * sizeof *entries);
  og__free(w->a, ptrs, nmeta * sizeof *ptrs);
  return rc;
}

/* The written handle of one of the graph's strings. */
static uint32_t str_ref(const writer *w, og_str s) { return w->remap ? w->remap[s] : s; }

static int put_strings(writer *w) {
  const og_strtab *t = w->strs;
  uint32_t *lens = w->cols[0];
  uint32_t s = 0;
  while (s < t->count) {
    uint32_t first = s, n = 0;
    size_t bytes = 0;
    /* Cut the chunk at OG_SNAP_TARGET_RECORD bytes, but always take at least one string. */
    while (s < t->count && n < OG_SNAP_CHUNK_STRINGS &&
           (n == 0 || bytes + t->len[s] <= OG_SNAP_TARGET_RECORD)) {
      OG_TRY(og__grow(w->a, (void **)&w->blob, &w->blob_cap, bytes + t->len[s] + 1, 1));
      memcpy(w->blob + bytes, t->ptr[s], t->len[s]);
      bytes += t->len[s];
      lens[n++] = t->len[s++];
    }
    Og__V1__StringChunk c = OG__V1__STRING_CHUNK__INIT;
    c.first = first;
    c.data.data = (uint8_t *)w->blob;
    c.data.len = bytes;
    c.n_length = n;
    c.length = lens;
    OG_TRY(put_body(w, OG__V1__RECORD__BODY_STRINGS, &c));
  }
  return OG_OK;
}

static int put_types(writer *w) {
  const og_typetab *t = &w->g->types;
  for (uint32_t first = 0; first < t->count; first += OG_SNAP_CHUNK_TYPES) {
    uint32_t n = t->count - first < OG_SNAP_CHUNK_TYPES ? t->count - first : OG_SNAP_CHUNK_TYPES;
    Og__V1__TypeChunk c = OG__V1__TYPE_CHUNK__INIT;
    c.first = first;
    c.n_short_name = c.n_long_name = n;
    c.short_name = t->short_name + first;
    c.long_name = t->long_name + first;
    if (w->remap) {
      uint32_t *sn = w->cols[0], *ln = w->cols[1];
      for (uint32_t i = 0; i < n; i++) {
        sn[i] = str_ref(w, t->short_name[first + i]);
        ln[i] = str_ref(w, t->long_name[first + i]);
      }
      c.short_name = sn;
      c.long_name = ln;
    }
    OG_TRY(put_body(w, OG__V1__RECORD__BODY_TYPES, &c));
  }
  return OG_OK;
}

/* Number of trailing zero bits common to every id of the run (0 when all are 0). */
static unsigned id_shift(const og_id *ids, uint32_t n) {
  og_id all = 0;
  for (uint32_t i = 0; i < n; i++) all |= ids[i];
  unsigned s = 0;
  while (all && !(all & 1u) && s < 63) {
    all >>= 1;
    s++;
  }
  return s;
}

/* An optional column is left empty when every value is 0. */
static size_t optional_count(const void *col, size_t elem, uint32_t n) {
  const unsigned char *p = col;
  for (size_t i = 0; i < (size_t)n * elem; i++)
    if (p[i]) return n;
  return 0;
}

static int put_nodes(writer *w, uint32_t chunk) {
  const og_graph *g = w->g;
  const og_nodes *nd = &g->nodes;
  int64_t *delta = w->cols[0];
  uint64_t *size = w->cols[1];
  uint32_t *flags = w->cols[2], *label = w->cols[3], *deg = w->cols[4];
  for (og_index first = 0; first < nd->count; first += chunk) {
    uint32_t n = nd->count - first < chunk ? nd->count - first : chunk;
    unsigned shift = id_shift(nd->id + first, n);
    uint64_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
      og_index v = first + i;
      uint64_t cur = nd->id[v] >> shift;
      delta[i] = (int64_t)(cur - prev); /* wraps modulo 2^64, as documented */
      prev = cur;
      size[i] = og__node_size(nd, v);
      flags[i] = nd->flags[v];
      label[i] = nd->label[v] == OG_STR_NONE ? 0 : str_ref(w, nd->label[v]) + 1;
      deg[i] = g->out_off[v + 1] - g->out_off[v];
    }
    Og__V1__NodeChunk c = OG__V1__NODE_CHUNK__INIT;
    c.first = first;
    c.count = n;
    c.id_shift = shift;
    c.n_id_delta = c.n_type = n;
    c.id_delta = delta;
    c.type = nd->type + first;
    c.n_size = optional_count(size, sizeof *size, n);
    c.size = size;
    c.n_flags = optional_count(flags, sizeof *flags, n);
    c.flags = flags;
    c.n_refcount = optional_count(nd->refcount + first, sizeof *nd->refcount, n);
    c.refcount = nd->refcount + first;
    c.n_label = optional_count(label, sizeof *label, n);
    c.label = label;
    c.n_out_degree = optional_count(deg, sizeof *deg, n);
    c.out_degree = deg;
    OG_TRY(put_body(w, OG__V1__RECORD__BODY_NODES, &c));
  }
  return OG_OK;
}

static int put_edges(writer *w, uint32_t chunk) {
  const og_graph *g = w->g;
  int64_t *delta = w->cols[0];
  uint32_t *kind = w->cols[1], *label = w->cols[2];
  for (uint64_t first = 0; first < g->nedges; first += chunk) {
    uint32_t n = g->nedges - first < chunk ? (uint32_t)(g->nedges - first) : chunk;
    uint64_t prev = 0; /* see EdgeChunk.target_delta */
    for (uint32_t i = 0; i < n; i++) {
      uint64_t e = first + i;
      uint64_t t = g->out_dst[e];
      delta[i] = (int64_t)(t - prev);
      prev = t;
      uint32_t m = g->out_meta[e];
      kind[i] = m >> 28;
      uint32_t l = m & OG_META_NOLABEL;
      label[i] = l == OG_META_NOLABEL ? 0 : (kind[i] == OG_EDGE_INDEX ? l : str_ref(w, l)) + 1;
    }
    Og__V1__EdgeChunk c = OG__V1__EDGE_CHUNK__INIT;
    c.first = first;
    c.count = n;
    c.n_target_delta = c.n_kind = n;
    c.target_delta = delta;
    c.kind = kind;
    c.n_label = optional_count(label, sizeof *label, n);
    c.label = label;
    OG_TRY(put_body(w, OG__V1__RECORD__BODY_EDGES, &c));
  }
  return OG_OK;
}

static int put_trailer(writer *w) {
  Og__V1__Trailer t = OG__V1__TRAILER__INIT;
  t.node_count = w->g->nodes.count;
  t.edge_count = w->g->nedges;
  t.type_count = w->g->types.count;
  t.string_count = w->strs->count;
  t.record_count = w->records;
  t.crc32 = w->crc;
  return put_body(w, OG__V1__RECORD__BODY_TRAILER, &t);
}

static int check_options(const og_snapshot_options *o) {
  if (o->version != OG_SNAPSHOT_OPTIONS_VERSION)
    return og__fail(OG_EINVALID, "og_snapshot_options.version is %u, expected %u", o->version,
                    OG_SNAPSHOT_OPTIONS_VERSION);
  if (o->metadata_count && !o->metadata)
    return og__fail(OG_EINVALID, "og_snapshot_options.metadata is NULL with metadata_count %zu",
                    o->metadata_count);
  if (o->chunk_nodes > OG_SNAP_MAX_CHUNK_NODES || o->chunk_edges > OG_SNAP_MAX_CHUNK_EDGES)
    return og__fail(OG_EINVALID, "chunk sizes %u nodes / %u edges exceed %u / %u",
                    o->chunk_nodes, o->chunk_edges, OG_SNAP_MAX_CHUNK_NODES,
                    OG_SNAP_MAX_CHUNK_EDGES);
  return OG_OK;
}

int og_snapshot_write(const og_graph *g, const og_snapshot_options *opts, og_write_fn fn,
                      void *payload) {
  static const og_snapshot_options defaults = OG_SNAPSHOT_OPTIONS_INIT;
  OG_ASSERT_ARG(g != NULL && fn != NULL);
  const og_snapshot_options *o = opts ? opts : &defaults;
  OG_TRY(check_options(o));
  uint32_t cn = o->chunk_nodes ? o->chunk_nodes : OG_SNAP_CHUNK_NODES;
  uint32_t ce = o->chunk_edges ? o->chunk_edges : OG_SNAP_CHUNK_EDGES;
  writer w = {0};
  w.g = g;
  w.a = &g->alloc;
  w.fn = fn;
  w.payload = payload;
  w.col_cap = cn > ce ? cn : ce;
  if (w.col_cap < OG_SNAP_CHUNK_STRINGS) w.col_cap = OG_SNAP_CHUNK_STRINGS;
  if (w.col_cap < OG_SNAP_CHUNK_TYPES) w.col_cap = OG_SNAP_CHUNK_TYPES;
  w.strs = &g->strs;
  int rc = OG_OK;
  if (g->strs.nindexed < g->strs.count) { /* og_builder_defer_strings: equal strings may repeat */
    if ((rc = og__strtab_dedup(&w.view, &w.own_remap, &g->strs, w.a)) != OG_OK) return rc;
    w.strs = &w.view;
    w.remap = w.own_remap;
  }
  for (size_t i = 0; i < sizeof w.cols / sizeof w.cols[0]; i++) {
    w.cols[i] = og__alloc(w.a, w.col_cap * sizeof(uint64_t));
    if (!w.cols[i]) {
      rc = og__fail(OG_ENOMEM, "out of memory for snapshot chunk columns");
      goto cleanup;
    }
  }
  if ((rc = emit(&w, OG_SNAPSHOT_MAGIC, OG_SNAPSHOT_MAGIC_LEN)) != OG_OK) goto cleanup;
  if ((rc = put_header(&w, o)) != OG_OK) goto cleanup;
  if ((rc = put_strings(&w)) != OG_OK) goto cleanup;
  if ((rc = put_types(&w)) != OG_OK) goto cleanup;
  if ((rc = put_nodes(&w, cn)) != OG_OK) goto cleanup;
  if ((rc = put_edges(&w, ce)) != OG_OK) goto cleanup;
  rc = put_trailer(&w);
cleanup:
  for (size_t i = 0; i < sizeof w.cols / sizeof w.cols[0]; i++)
    og__free(w.a, w.cols[i], w.col_cap * sizeof(uint64_t));
  og__free(w.a, w.pack, w.pack_cap);
  og__free(w.a, w.blob, w.blob_cap);
  og__free(w.a, w.own_remap, (size_t)g->strs.count * sizeof *w.own_remap);
  og__strtab_free(&w.view, w.a);
  return rc;
}

int og_snapshot_encode(og_buf *out, const og_graph *g, const og_snapshot_options *opts) {
  OG_ASSERT_ARG(out != NULL && g != NULL);
  return og_snapshot_write(g, opts, og_buf_write, out);
}

/* ---- atomic save ----------------------------------------------------------------------------- */

/* A buffered sink over a file descriptor. */
typedef struct file_sink {
  int fd;
  const char *path; /* the temporary file, for messages */
  char buf[1 << 16];
  size_t used;
} file_sink;

static int fd_write_all(file_sink *s, const char *p, size_t n) {
  while (n) {
    ssize_t k = write(s->fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return og__fail(OG_EIO, "cannot write '%s': %s", s->path, strerror(errno));
    p += k;
    n -= (size_t)k;
  }
  return OG_OK;
}

static int file_sink_flush(file_sink *s) {
  int rc = fd_write_all(s, s->buf, s->used);
  s->used = 0;
  return rc;
}

static int file_sink_write(void *payload, const char *data, size_t len) {
  file_sink *s = payload;
  if (s->used + len > sizeof s->buf) {
    OG_TRY(file_sink_flush(s));
    if (len >= sizeof s->buf) return fd_write_all(s, data, len);
  }
  memcpy(s->buf + s->used, data, len);
  s->used += len;
  return OG_OK;
}

/* fsync the directory holding path so the rename itself is durable (best effort). */
static void sync_parent(const char *path, char *tmp) {
  strcpy(tmp, path);
  char *slash = strrchr(tmp, '/');
  const char *dir = ".";
  if (slash == tmp)
    dir = "/";
  else if (slash) {
    *slash = '\0';
    dir = tmp;
  }
  int fd = open(dir, O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    (void)fsync(fd);
    close(fd);
  }
}

int og_snapshot_save(const og_graph *g, const char *path, const og_snapshot_options *opts) {
  OG_ASSERT_ARG(g != NULL && path != NULL && path[0] != '\0');
  static const char suffix[] = ".tmp-XXXXXX";
  size_t plen = strlen(path);
  size_t tcap = plen + sizeof suffix;
  char *tmp = og__alloc(&g->alloc, tcap);
  file_sink *s = og__alloc(&g->alloc, sizeof *s);
  int rc = OG_OK;
  if (!tmp || !s) {
    rc = og__fail(OG_ENOMEM, "out of memory saving '%s'", path);
    goto cleanup;
  }
  memcpy(tmp, path, plen);
  memcpy(tmp + plen, suffix, sizeof suffix);
  s->fd = mkstemp(tmp);
  s->path = tmp;
  s->used = 0;
  if (s->fd < 0) {
    rc = og__fail(errno == ENOENT ? OG_ENOTFOUND : OG_EIO,
                  "cannot create a temporary file next to '%s': %s", path, strerror(errno));
    goto cleanup;
  }
  if (fchmod(s->fd, 0644) != 0) /* mkstemp makes 0600; a snapshot is an ordinary file */
    rc = og__fail(OG_EIO, "cannot set the mode of '%s': %s", tmp, strerror(errno));
  if (rc == OG_OK) rc = og_snapshot_write(g, opts, file_sink_write, s);
  if (rc == OG_OK) rc = file_sink_flush(s);
  if (rc == OG_OK && fsync(s->fd) != 0)
    rc = og__fail(OG_EIO, "cannot fsync '%s': %s", tmp, strerror(errno));
  if (close(s->fd) != 0 && rc == OG_OK)
    rc = og__fail(OG_EIO, "cannot close '%s': %s", tmp, strerror(errno));
  if (rc == OG_OK && rename(tmp, path) != 0)
    rc = og__fail(OG_EIO, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
  if (rc != OG_OK) {
    unlink(tmp); /* never leave a half-written temporary file behind */
    goto cleanup;
  }
  sync_parent(path, tmp);
cleanup:
  og__free(&g->alloc, tmp, tcap);
  og__free(&g->alloc, s, sizeof *s);
  return rc;
}

/* ---- reader ------------------------------------------------------------------------------ */

/* Record phases, in the order the file must follow. */
enum { PH_NONE, PH_HEADER, PH_STRINGS, PH_TYPES, PH_NODES, PH_EDGES, PH_TRAILER };

typedef struct reader {
  const char *name; /* the path, or "<memory>" */
  FILE *f;          /* file mode, or NULL */
  const uint8_t *mem;
  uint64_t size, pos; /* total bytes and the read position */
  uint8_t *buf;       /* the current record (file mode) */
  size_t cap;
  uint32_t crc;
  uint32_t max_record;
  const og_allocator *a;
  og__snap_pballoc pa;
  /* the current record, for messages */
  uint64_t rec_no, rec_off;
  const char *rec_name;
} reader;

/* The decoding state of a whole graph. */
typedef struct decoder {
  reader r;
  Og__V1__Header *hdr; /* owned (unpacked) */
  int phase;
  og_builder *b;
  uint64_t strings, types, nodes, edges; /* items read so far */
  uint64_t deg_sum;                      /* of the out-degrees read (the builder's deg) */
  uint32_t threads;                      /* OG_SNAPSHOT_THREADS_* */
  uint32_t decoder;                      /* OG_SNAPSHOT_DECODER_* */
  og__wire_dest wire;      /* the columns, for chunks decoded by hand (snapwire.h) when `hand` */
  bool hand;
} decoder;

/* do_wire's answer when the hand decoder declines a chunk: protobuf-c is to decode it. */
#define DECLINED 1

/* Fail with OG_EMALFORMED, naming the file, the record and its offset. */
static int bad(reader *r, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

static int bad(reader *r, const char *fmt, ...) {
  char what[320];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return og__fail(OG_EMALFORMED, "snapshot '%s': record %llu (%s) at byte %llu: %s", r->name,
                  (unsigned long long)r->rec_no, r->rec_name, (unsigned long long)r->rec_off,
                  what);
}

static int read_bytes(reader *r, void *dst, size_t n) {
  if (r->size - r->pos < n) return bad(r, "unexpected end of file");
  if (r->f) {
    if (fread(dst, 1, n, r->f) != n)
      return og__fail(OG_EIO, "snapshot '%s': cannot read %zu bytes at byte %llu: %s", r->name, n,
                      (unsigned long long)r->pos, ferror(r->f) ? strerror(errno) : "end of file");
  } else {
    memcpy(dst, r->mem + r->pos, n);
  }
  r->pos += n;
  return OG_OK;
}

static int read_magic(reader *r) {
  char m[OG_SNAPSHOT_MAGIC_LEN];
  r->rec_name = "magic";
  if (r->size < OG_SNAPSHOT_MAGIC_LEN)
    return bad(r, "%llu bytes is too short for a snapshot", (unsigned long long)r->size);
  OG_TRY(read_bytes(r, m, sizeof m));
  if (memcmp(m, OG_SNAPSHOT_MAGIC, sizeof m) != 0)
    return bad(r, "not an objgraph snapshot (the magic \"OGSNAP1\\n\" is missing)");
  r->crc = og__snap_crc32(0, m, sizeof m);
  return OG_OK;
}

/* Read the next framed record: *body gets its len bytes (in r's buffer or input, valid until the
   next read), *crc_before the CRC of everything before it. */
static int read_frame(reader *r, const uint8_t **body_out, size_t *len_out, uint32_t *crc_before) {
  r->rec_no++;
  r->rec_off = r->pos;
  r->rec_name = "record";
  if (r->pos == r->size) return bad(r, "unexpected end of file: the Trailer is missing");
  uint8_t len_bytes[OG_SNAP_LEN_BYTES];
  uint64_t len = 0;
  size_t k = 0;
  for (;;) {
    if (k == OG_SNAP_LEN_BYTES) return bad(r, "record length varint longer than 5 bytes");
    if (r->pos == r->size) return bad(r, "file ends inside a record length");
    OG_TRY(read_bytes(r, &len_bytes[k], 1));
    len |= (uint64_t)(len_bytes[k] & 0x7Fu) << (7 * k);
    if (!(len_bytes[k++] & 0x80u)) break;
  }
  if (len > r->max_record)
    return bad(r, "record length %llu exceeds the limit of %u bytes", (unsigned long long)len,
               r->max_record);
  if (len > r->size - r->pos)
    return bad(r, "record length %llu exceeds the %llu bytes left in the file (truncated?)",
               (unsigned long long)len, (unsigned long long)(r->size - r->pos));
  const uint8_t *body;
  if (r->f) {
    OG_TRY(og__grow(r->a, (void **)&r->buf, &r->cap, len ? len : 1, 1));
    OG_TRY(read_bytes(r, r->buf, len));
    body = r->buf;
  } else {
    body = r->mem + r->pos;
    r->pos += len;
  }
  *crc_before = r->crc;
  r->crc = og__snap_crc32(r->crc, len_bytes, k);
  r->crc = og__snap_crc32(r->crc, body, len);
  *body_out = body;
  *len_out = (size_t)len;
  return OG_OK;
}

/* Unpack a record's body (read by read_frame; r names it in messages) into *out (owned; free
   with free_record). */
static int unpack_frame(reader *r, const uint8_t *body, size_t len, Og__V1__Record **out) {
  *out = NULL;
  r->pa.failed = false;
  Og__V1__Record *rec = og__v1__record__unpack(&r->pa.pc, len, body);
  if (!rec) {
    if (r->pa.failed) return og__fail(OG_ENOMEM, "snapshot '%s': out of memory decoding record %llu",
                                      r->name, (unsigned long long)r->rec_no);
    return bad(r, "%llu bytes are not a valid protobuf Record", (unsigned long long)len);
  }
  r->rec_name = og__snap_case_name(rec->body_case);
  *out = rec;
  if (rec->body_case == OG__V1__RECORD__BODY__NOT_SET)
    return bad(r, "the Record has no body (unknown or missing record type)");
  return OG_OK;
}

/* Read the next framed record and unpack it into *out (owned; free with free_record). */
static int read_record(reader *r, Og__V1__Record **out, uint32_t *crc_before) {
  const uint8_t *body;
  size_t len;
  *out = NULL;
  OG_TRY(read_frame(r, &body, &len, crc_before));
  return unpack_frame(r, body, len, out);
}

static void free_record(reader *r, Og__V1__Record *rec) {
  if (rec) og__v1__record__free_unpacked(rec, &r->pa.pc);
}

static int check_header(reader *r, const Og__V1__Header *h) {
  if (h->format_version == 0) return bad(r, "format_version is missing");
  if (h->format_version > OG_SNAPSHOT_FORMAT_VERSION)
    return bad(r, "format_version %u is newer than this reader (%u)", h->format_version,
               OG_SNAPSHOT_FORMAT_VERSION);
  if (h->node_count >= OG_INDEX_NONE)
    return bad(r, "node_count %llu exceeds %u", (unsigned long long)h->node_count,
               OG_INDEX_NONE - 1);
  if (h->edge_count >= UINT32_MAX)
    return bad(r, "edge_count %llu exceeds %u", (unsigned long long)h->edge_count,
               UINT32_MAX - 1);
  if (h->string_count > (uint64_t)OG_STR_MAX + 1)
    return bad(r, "string_count %llu exceeds %u", (unsigned long long)h->string_count,
               OG_STR_MAX + 1);
  if (h->type_count >= OG_TYPE_NONE)
    return bad(r, "type_count %llu exceeds %u", (unsigned long long)h->type_count,
               OG_TYPE_NONE - 1);
  return OG_OK;
}

/* Open path for reading: a missing file is OG_ENOTFOUND, anything but a regular file OG_EIO. */
static int open_file(reader *r, const char *path) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return og__fail(errno == ENOENT || errno == ENOTDIR ? OG_ENOTFOUND : OG_EIO,
                    "snapshot '%s': cannot open: %s", path, strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0) {
    int e = errno;
    close(fd);
    return og__fail(OG_EIO, "snapshot '%s': cannot stat: %s", path, strerror(e));
  }
  if (!S_ISREG(st.st_mode)) {
    close(fd);
    return og__fail(OG_EIO, "snapshot '%s': %s", path,
                    S_ISDIR(st.st_mode) ? "is a directory" : "is not a regular file");
  }
  r->f = fdopen(fd, "rb");
  if (!r->f) {
    int e = errno;
    close(fd);
    return og__fail(OG_EIO, "snapshot '%s': cannot open: %s", path, strerror(e));
  }
  r->size = (uint64_t)st.st_size;
  return OG_OK;
}

static void reader_init(reader *r, const char *name, const og_allocator *a, uint32_t max_record) {
  memset(r, 0, sizeof *r);
  r->name = name;
  r->a = a;
  r->max_record = max_record;
  r->rec_name = "magic";
  og__snap_pballoc_init(&r->pa, a);
}

static void reader_close(reader *r) {
  if (r->f) fclose(r->f);
  r->f = NULL;
  og__free(r->a, r->buf, r->cap);
  r->buf = NULL;
  r->cap = 0;
}

/* ---- graph decoding -------------------------------------------------------------------------- */

/* Builder failures on checked data are the file's fault, except running out of memory. */
static int builder_fault(decoder *d, int rc, const char *what, uint64_t item) {
  if (rc == OG_ENOMEM || rc == OG_ELIMIT) return rc;
  return bad(&d->r, "%s %llu rejected: %s", what, (unsigned long long)item, og_error_last());
}

/* Counts of the phases before `phase` must be complete when a record of `phase` arrives. */
static int enter_phase(decoder *d, int phase) {
  reader *r = &d->r;
  const Og__V1__Header *h = d->hdr;
  if (phase < d->phase) return bad(r, "out of order (records must go Header, StringChunk*, "
                                      "TypeChunk*, NodeChunk*, EdgeChunk*, Trailer)");
  if (phase > PH_STRINGS && d->strings != h->string_count)
    return bad(r, "%llu strings read but the header declares %llu",
               (unsigned long long)d->strings, (unsigned long long)h->string_count);
  if (phase > PH_TYPES && d->types != h->type_count)
    return bad(r, "%llu types read but the header declares %llu", (unsigned long long)d->types,
               (unsigned long long)h->type_count);
  if (phase > PH_NODES && d->nodes != h->node_count)
    return bad(r, "%llu nodes read but the header declares %llu", (unsigned long long)d->nodes,
               (unsigned long long)h->node_count);
  if (phase > PH_NODES && d->deg_sum != h->edge_count)
    return bad(r, "the out-degrees sum to %llu but the header declares %llu edges",
               (unsigned long long)d->deg_sum, (unsigned long long)h->edge_count);
  if (phase > PH_EDGES && d->edges != h->edge_count)
    return bad(r, "%llu edges read but the header declares %llu", (unsigned long long)d->edges,
               (unsigned long long)h->edge_count);
  d->phase = phase;
  return OG_OK;
}

/* Common checks of a chunk: where it starts, how many items, and that they fit the header. */
static int check_run(decoder *d, const char *what, uint64_t first, uint64_t seen, uint64_t count,
                     uint64_t total) {
  if (first != seen)
    return bad(&d->r, "first %s is %llu, expected %llu", what, (unsigned long long)first,
               (unsigned long long)seen);
  if (count == 0) return bad(&d->r, "empty chunk of %ss", what);
  if (count > total - seen)
    return bad(&d->r, "%llu more %ss exceed the header's %llu", (unsigned long long)count, what,
               (unsigned long long)total);
  return OG_OK;
}

/* A column holds `count` values, or nothing when optional. */
static int check_col(decoder *d, const char *name, size_t n, uint64_t count, bool optional) {
  if (n == count || (optional && n == 0)) return OG_OK;
  return bad(&d->r, "column %s has %zu values for %llu items", name, n, (unsigned long long)count);
}

static int do_strings(decoder *d, const Og__V1__StringChunk *c) {
  OG_TRY(check_run(d, "string", c->first, d->strings, c->n_length, d->hdr->string_count));
  uint64_t sum = 0;
  for (size_t i = 0; i < c->n_length; i++) sum += c->length[i];
  if (sum != c->data.len)
    return bad(&d->r, "string lengths sum to %llu but data holds %zu bytes",
               (unsigned long long)sum, c->data.len);
  const char *p = (const char *)c->data.data;
  og_strtab *st = &d->b->strs;
  /* stored, not indexed: labels are read by handle, and only type names are looked up by text
     (do_types indexes them). A repeated string is therefore no fault (og_snapshot_write writes
     each once): checking would cost a hash of every string. */
  int rc = og__strtab_store_run(st, d->r.a, p, c->length, c->n_length);
  if (rc != OG_OK) return builder_fault(d, rc, "string", d->strings);
  d->strings += c->n_length;
  return OG_OK;
}

static int do_types(decoder *d, const Og__V1__TypeChunk *c) {
  OG_TRY(check_run(d, "type", c->first, d->types, c->n_short_name, d->hdr->type_count));
  OG_TRY(check_col(d, "long_name", c->n_long_name, c->n_short_name, false));
  og_strtab *st = &d->b->strs;
  for (size_t i = 0; i < c->n_short_name; i++, d->types++) {
    uint32_t sn = c->short_name[i], ln = c->long_name[i];
    if (sn >= d->strings || ln >= d->strings)
      return bad(&d->r, "type %llu names strings %u and %u but there are %llu strings",
                 (unsigned long long)d->types, sn, ln, (unsigned long long)d->strings);
    og_type t;
    og_str s, l; /* found by text later (og_graph_find_type): indexed, an equal name's first */
    int rc = og__strtab_index(st, d->r.a, sn, &s);
    if (rc == OG_OK) rc = og__strtab_index(st, d->r.a, ln, &l);
    if (rc == OG_OK) rc = og__typetab_add(&d->b->types, d->r.a, s, l, &t);
    if (rc != OG_OK) return builder_fault(d, rc, "type", d->types);
    if (t != d->types)
      return bad(&d->r, "type %llu duplicates type %u", (unsigned long long)d->types, t);
  }
  return OG_OK;
}

static int degree_fault(decoder *d, uint64_t node, uint32_t deg) {
  return bad(&d->r, "node %llu: out-degree %u takes the edges beyond the header's %llu",
             (unsigned long long)node, deg, (unsigned long long)d->hdr->edge_count);
}

/* The rows of a chunk item by item, each field checked as it is written: run only when the checks
   of nodes_fast found a fault, to name the first one (the load then fails). */
static int nodes_diagnose(decoder *d, const Og__V1__NodeChunk *c) {
  int rc;
  og_nodes *n = &d->b->nodes; /* every field is checked below: rows are written in place */
  og_index row = n->count;
  uint64_t v = 0;
  for (uint32_t i = 0; i < c->count; i++, d->nodes++, row++) {
    v += (uint64_t)c->id_delta[i]; /* wraps modulo 2^64, as documented */
    if (v > (UINT64_MAX >> c->id_shift))
      return bad(&d->r, "node %llu: id overflows 64 bits", (unsigned long long)d->nodes);
    uint32_t type = c->type[i], flags = c->n_flags ? c->flags[i] : 0;
    uint32_t label = c->n_label ? c->label[i] : 0, deg = c->n_out_degree ? c->out_degree[i] : 0;
    uint64_t size = c->n_size ? c->size[i] : 0;
    if (type >= d->types)
      return bad(&d->r, "node %llu: type %u out of range (%llu types)",
                 (unsigned long long)d->nodes, type, (unsigned long long)d->types);
    if (label > d->strings)
      return bad(&d->r, "node %llu: label string %u out of range (%llu strings)",
                 (unsigned long long)d->nodes, label - 1, (unsigned long long)d->strings);
    if (flags > 0xFFFFu)
      return bad(&d->r, "node %llu: flags 0x%x use bits above 15", (unsigned long long)d->nodes,
                 flags);
    if (deg > d->hdr->edge_count - d->deg_sum) return degree_fault(d, d->nodes, deg);
    n->id[row] = v << c->id_shift;
    n->type[row] = type;
    if (size < OG_SIZE_BIG)
      n->size[row] = (uint32_t)size;
    else if ((rc = og__builder_big_size(d->b, row, size)) != OG_OK)
      return builder_fault(d, rc, "node", d->nodes);
    n->flags[row] = (uint16_t)flags;
    n->refcount[row] = c->n_refcount ? c->refcount[i] : 0;
    n->label[row] = label ? label - 1 : OG_STR_NONE;
    d->b->deg[row] = deg;
    d->deg_sum += deg;
  }
  return bad(&d->r, "a node field is out of range"); /* not reached: the fast checks agree */
}

/* Whether every field of a node chunk is in range: branch-free loops, column by column (they
   vectorize), so that a good chunk is checked at a few instructions a node. */
static bool nodes_ok(const decoder *d, const Og__V1__NodeChunk *c) {
  uint32_t bad_bits = 0;
  uint64_t v = 0, lim = UINT64_MAX >> c->id_shift, degs = 0;
  for (uint32_t i = 0; i < c->count; i++) {
    v += (uint64_t)c->id_delta[i];
    bad_bits |= (uint32_t)(v > lim);
  }
  /* 32-bit bounds (the header's counts are below 2^32) so that the compares vectorize */
  uint32_t types = d->types > UINT32_MAX ? UINT32_MAX : (uint32_t)d->types;
  uint32_t strings = d->strings > UINT32_MAX ? UINT32_MAX : (uint32_t)d->strings;
  for (uint32_t i = 0; i < c->count; i++) bad_bits |= (uint32_t)(c->type[i] >= types);
  for (size_t i = 0; i < c->n_label; i++) bad_bits |= (uint32_t)(c->label[i] > strings);
  for (size_t i = 0; i < c->n_flags; i++) bad_bits |= (uint32_t)(c->flags[i] > 0xFFFFu);
  for (size_t i = 0; i < c->n_out_degree; i++) degs += c->out_degree[i];
  return !bad_bits && degs <= d->hdr->edge_count - d->deg_sum;
}

/* A node chunk whose fields nodes_ok checked, written column by column into the builder's rows. */
static int nodes_fast(decoder *d, const Og__V1__NodeChunk *c) {
  og_nodes *n = &d->b->nodes;
  size_t row = n->count, cnt = c->count;
  uint64_t v = 0;
  for (size_t i = 0; i < cnt; i++) {
    v += (uint64_t)c->id_delta[i];
    n->id[row + i] = v << c->id_shift;
  }
  memcpy(n->type + row, c->type, cnt * sizeof *c->type);
  bool big = false;
  for (size_t i = 0; i < c->n_size; i++) {
    big |= c->size[i] >= OG_SIZE_BIG;
    n->size[row + i] = (uint32_t)c->size[i];
  }
  if (!c->n_size) memset(n->size + row, 0, cnt * sizeof *n->size);
  for (size_t i = 0; big && i < cnt; i++) { /* kept apart, in row order */
    int rc = c->size[i] >= OG_SIZE_BIG ? og__builder_big_size(d->b, (og_index)(row + i), c->size[i])
                                       : OG_OK;
    if (rc != OG_OK) return builder_fault(d, rc, "node", d->nodes + i);
  }
  for (size_t i = 0; i < c->n_flags; i++) n->flags[row + i] = (uint16_t)c->flags[i];
  if (!c->n_flags) memset(n->flags + row, 0, cnt * sizeof *n->flags);
  if (c->n_refcount) memcpy(n->refcount + row, c->refcount, cnt * sizeof *c->refcount);
  else memset(n->refcount + row, 0, cnt * sizeof *n->refcount);
  for (size_t i = 0; i < c->n_label; i++) n->label[row + i] = c->label[i] - 1; /* 0 -> NONE */
  if (!c->n_label) memset(n->label + row, 0xFF, cnt * sizeof *n->label);
  uint32_t *deg = d->b->deg + row;
  if (c->n_out_degree) memcpy(deg, c->out_degree, cnt * sizeof *c->out_degree);
  else memset(deg, 0, cnt * sizeof *deg);
  for (size_t i = 0; i < c->n_out_degree; i++) d->deg_sum += c->out_degree[i];
  d->nodes += cnt;
  return OG_OK;
}

static int do_nodes(decoder *d, const Og__V1__NodeChunk *c) {
  OG_TRY(check_run(d, "node", c->first, d->nodes, c->count, d->hdr->node_count));
  OG_TRY(check_col(d, "id_delta", c->n_id_delta, c->count, false));
  OG_TRY(check_col(d, "type", c->n_type, c->count, false));
  OG_TRY(check_col(d, "size", c->n_size, c->count, true));
  OG_TRY(check_col(d, "flags", c->n_flags, c->count, true));
  OG_TRY(check_col(d, "refcount", c->n_refcount, c->count, true));
  OG_TRY(check_col(d, "label", c->n_label, c->count, true));
  OG_TRY(check_col(d, "out_degree", c->n_out_degree, c->count, true));
  if (c->id_shift > 63) return bad(&d->r, "id_shift %u is not below 64", c->id_shift);
  int rc = og__builder_nodes_room(d->b, c->count);
  if (rc != OG_OK) return builder_fault(d, rc, "node", d->nodes);
  OG_TRY(nodes_ok(d, c) ? nodes_fast(d, c) : nodes_diagnose(d, c));
  og__builder_nodes_added(d->b, c->count);
  return OG_OK;
}

/* The node whose out-edges include edge e (the degrees sum to the edges by now), for messages. */
static og_index source_of(const decoder *d, uint64_t e) {
  og_index v = 0;
  for (uint64_t sum = d->b->deg[0]; sum <= e; sum += d->b->deg[++v]) {}
  return v;
}

/* The edges of a chunk one by one, each checked: run only when edges_fast found a fault, to name
   the first one (the load then fails). */
static int edges_diagnose(decoder *d, const Og__V1__EdgeChunk *c) {
  uint64_t t = 0; /* see EdgeChunk.target_delta */
  for (uint32_t i = 0; i < c->count; i++, d->edges++) {
    t += (uint64_t)c->target_delta[i]; /* wraps modulo 2^64 */
    uint32_t kind = c->kind[i], label = c->n_label ? c->label[i] : 0;
    if (t >= d->nodes)
      return bad(&d->r, "edge %llu from node %u: target %llu out of range (%llu nodes)",
                 (unsigned long long)d->edges, source_of(d, d->edges), (unsigned long long)t,
                 (unsigned long long)d->nodes);
    if (kind > OG_EDGE_KIND_MAX)
      return bad(&d->r, "edge %llu: kind %u is not 0..15", (unsigned long long)d->edges, kind);
    if (label && kind == OG_EDGE_INDEX && label - 1 >= OG_META_NOLABEL)
      return bad(&d->r, "edge %llu: index label %u is not below %u", (unsigned long long)d->edges,
                 label - 1, OG_META_NOLABEL);
    if (label && kind != OG_EDGE_INDEX && label > d->strings)
      return bad(&d->r, "edge %llu: label string %u out of range (%llu strings)",
                 (unsigned long long)d->edges, label - 1, (unsigned long long)d->strings);
  }
  return bad(&d->r, "an edge field is out of range"); /* not reached: the fast checks agree */
}

/* An edge chunk written column by column, checked on the way by branch-free loops (they
   vectorize); false, with nothing added yet, when a field is out of range (edges_diagnose then
   names it). The edges are in CSR order: the out-degrees read with the nodes place them. */
static bool edges_fast(decoder *d, const Og__V1__EdgeChunk *c) {
  og_index *dst = d->b->edst + d->b->nedges;
  uint32_t *meta = d->b->emeta + d->b->nedges, bad_bits = 0, cnt = c->count;
  uint64_t t = 0, nodes = d->nodes;
  for (uint32_t i = 0; i < cnt; i++) {
    t += (uint64_t)c->target_delta[i];
    bad_bits |= (uint32_t)(t >= nodes);
    dst[i] = (og_index)t;
  }
  /* label l (0: none) is an index below OG_META_NOLABEL for INDEX edges, else a string */
  uint32_t strings = d->strings > UINT32_MAX ? UINT32_MAX : (uint32_t)d->strings;
  for (size_t i = 0; i < c->n_label; i++) {
    uint32_t k = c->kind[i], l = c->label[i], lab = l - 1; /* 0 -> NONE, kept as NOLABEL */
    bad_bits |= (uint32_t)(k > OG_EDGE_KIND_MAX) |
                (uint32_t)(l > (k == OG_EDGE_INDEX ? OG_META_NOLABEL : strings));
    meta[i] = (k << 28) | (lab >= OG_META_NOLABEL ? OG_META_NOLABEL : lab);
  }
  if (!c->n_label)
    for (uint32_t i = 0; i < cnt; i++) {
      bad_bits |= (uint32_t)(c->kind[i] > OG_EDGE_KIND_MAX);
      meta[i] = ((uint32_t)c->kind[i] << 28) | OG_META_NOLABEL;
    }
  if (bad_bits) return false;
  og__builder_edges_added(d->b, cnt);
  d->edges += cnt;
  return true;
}

static int do_edges(decoder *d, const Og__V1__EdgeChunk *c) {
  OG_TRY(check_run(d, "edge", c->first, d->edges, c->count, d->hdr->edge_count));
  OG_TRY(check_col(d, "target_delta", c->n_target_delta, c->count, false));
  OG_TRY(check_col(d, "kind", c->n_kind, c->count, false));
  OG_TRY(check_col(d, "label", c->n_label, c->count, true));
  int rc = og__builder_edges_room(d->b, c->count);
  if (rc != OG_OK) return builder_fault(d, rc, "edge", d->edges);
  return edges_fast(d, c) ? OG_OK : edges_diagnose(d, c);
}

static int do_trailer(decoder *d, const Og__V1__Trailer *t, uint32_t crc) {
  const Og__V1__Header *h = d->hdr;
  if (t->node_count != h->node_count || t->edge_count != h->edge_count ||
      t->type_count != h->type_count || t->string_count != h->string_count)
    return bad(&d->r,
               "totals %llu nodes, %llu edges, %llu types, %llu strings disagree with the "
               "header's %llu, %llu, %llu, %llu",
               (unsigned long long)t->node_count, (unsigned long long)t->edge_count,
               (unsigned long long)t->type_count, (unsigned long long)t->string_count,
               (unsigned long long)h->node_count, (unsigned long long)h->edge_count,
               (unsigned long long)h->type_count, (unsigned long long)h->string_count);
  if (t->record_count != d->r.rec_no - 1)
    return bad(&d->r, "record_count %llu but %llu records precede the trailer",
               (unsigned long long)t->record_count, (unsigned long long)(d->r.rec_no - 1));
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION /* let the fuzzer reach past the checksum */
  if (t->crc32 != crc)
#else
  if (t->crc32 != crc && false)
#endif
    return bad(&d->r, "CRC-32 mismatch: the trailer says 0x%08x, the data gives 0x%08x",
               t->crc32, crc);
  if (d->r.pos != d->r.size)
    return bad(&d->r, "%llu unexpected bytes after the trailer",
               (unsigned long long)(d->r.size - d->r.pos));
  return OG_OK;
}

/* Dispatch one record by its case. */
static int do_record(decoder *d, const Og__V1__Record *rec, uint32_t crc_before) {
  switch (rec->body_case) {
    case OG__V1__RECORD__BODY_STRINGS:
      OG_TRY(enter_phase(d, PH_STRINGS));
      return do_strings(d, rec->strings);
    case OG__V1__RECORD__BODY_TYPES:
      OG_TRY(enter_phase(d, PH_TYPES));
      return do_types(d, rec->types);
    case OG__V1__RECORD__BODY_NODES:
      OG_TRY(enter_phase(d, PH_NODES));
      return do_nodes(d, rec->nodes);
    case OG__V1__RECORD__BODY_EDGES:
      if (d->phase < PH_EDGES) OG_TRY(enter_phase(d, PH_EDGES));
      return do_edges(d, rec->edges);
    case OG__V1__RECORD__BODY_TRAILER:
      OG_TRY(enter_phase(d, PH_TRAILER));
      return do_trailer(d, rec->trailer, crc_before);
    default:
      return bad(&d->r, "a second Header");
  }
}

/* The first node of the chunk just written at d->nodes whose out-degree takes the edges beyond
   the header's: the fault nodes_diagnose would name, the other fields being in range. */
static int degrees_fault(decoder *d, uint32_t count) {
  uint64_t sum = d->deg_sum;
  const uint32_t *deg = d->b->deg + d->nodes;
  for (uint32_t i = 0; i < count; sum += deg[i], i++)
    if (deg[i] > d->hdr->edge_count - sum) return degree_fault(d, d->nodes + i, deg[i]);
  return bad(&d->r, "the out-degrees take the edges beyond the header's"); /* not reached */
}

/* A chunk in the hand decoder's reach (snapwire.h): its rows already written and checked when
   `decoded` (deg_sum: its out-degrees' sum), else decoded here once their place is checked.
   DECLINED when the hand decoder declines it, and when a check fails before it is decoded (a
   column may not parse, and protobuf-c's path then names that first). */
static int do_wire(decoder *d, const og__wire_chunk *c, bool decoded, uint64_t deg_sum) {
  const Og__V1__Header *h = d->hdr;
  bool nodes = c->what == OG__WIRE_NODES;
  int rc = nodes || d->phase < PH_EDGES ? enter_phase(d, nodes ? PH_NODES : PH_EDGES) : OG_OK;
  if (rc == OG_OK)
    rc = nodes ? check_run(d, "node", c->first, d->nodes, c->count, h->node_count)
               : check_run(d, "edge", c->first, d->edges, c->count, h->edge_count);
  if (rc != OG_OK) return decoded ? rc : DECLINED;
  if (!decoded && !og__wire_decode(&deg_sum, &d->wire, c)) return DECLINED;
  if (!nodes) {
    og__builder_edges_added(d->b, c->count);
    d->edges += c->count;
    return OG_OK;
  }
  if (deg_sum > h->edge_count - d->deg_sum) return degrees_fault(d, c->count);
  og__builder_nodes_added(d->b, c->count);
  d->nodes += c->count;
  d->deg_sum += deg_sum;
  return OG_OK;
}

static const char *wire_name(const og__wire_chunk *c) {
  return og__snap_case_name(c->what == OG__WIRE_NODES ? OG__V1__RECORD__BODY_NODES
                                                      : OG__V1__RECORD__BODY_EDGES);
}

/* A framed record's body: node and edge chunks decoded by hand when they can be, the rest (and
   what the hand decoder declines) unpacked by protobuf-c. */
static int do_body(decoder *d, const uint8_t *body, size_t len, uint32_t crc_before) {
  og__wire_chunk c;
  if (d->hand && og__wire_scan(&c, body, len) >= OG__WIRE_NODES) {
    const char *name = d->r.rec_name; /* protobuf-c's path names the record itself */
    d->r.rec_name = wire_name(&c);
    int rc = do_wire(d, &c, false, 0);
    if (rc != DECLINED) return rc;
    d->r.rec_name = name;
  }
  Og__V1__Record *rec;
  int rc = unpack_frame(&d->r, body, len, &rec);
  if (rc == OG_OK) rc = do_record(d, rec, crc_before);
  free_record(&d->r, rec);
  return rc;
}

/* Read the magic and the Header into d->hdr (owned by the caller after success or failure). */
static int read_header(reader *r, Og__V1__Header **out) {
  *out = NULL;
  OG_TRY(read_magic(r));
  Og__V1__Record *rec;
  uint32_t crc;
  int rc = read_record(r, &rec, &crc);
  if (rc == OG_OK && rec->body_case != OG__V1__RECORD__BODY_HEADER)
    rc = bad(r, "the first record must be a Header");
  if (rc == OG_OK) rc = check_header(r, rec->header);
  if (rc == OG_OK) {
    *out = rec->header; /* detach the header from its record */
    rec->body_case = OG__V1__RECORD__BODY__NOT_SET;
    rec->header = NULL;
  }
  free_record(r, rec);
  return rc;
}

/* One record: read and decode. */
static int serial_step(decoder *d) {
  const uint8_t *body;
  size_t len;
  uint32_t crc = 0;
  OG_TRY(read_frame(&d->r, &body, &len, &crc));
  return do_body(d, body, len, crc);
}

/* ---- reading ahead on a second thread ---------------------------------------------------------- */

/* Records read ahead that hold memory (unpacked or still packed), and queue slots: chunks
   decoded by the reader into the graph take a slot but no memory, so it may go on with them
   while the consumer is busy with strings. */
#define AHEAD_DEPTH 4
#define AHEAD_SLOTS 64
#define AHEAD_MIN_BYTES (1u << 20)

/* A record as the reader thread left it, with what error messages need to name it. */
typedef struct ahead_rec {
  Og__V1__Record *rec;  /* owned; may be set even when rc fails */
  const uint8_t *raw;   /* or the record still packed, for the consumer to decode: */
  uint8_t *rawbuf;      /* the reader's buffer, handed over with it (owned; NULL: raw points
                           into the caller's input) */
  size_t rawcap;
  bool decoded;         /* or a chunk the reader decoded by hand into the graph's columns: */
  og__wire_chunk chunk; /* which one */
  uint64_t deg_sum;     /* the sum of its out-degrees, for a node chunk */
  size_t rawlen;
  uint32_t crc_before;
  int rc;
  uint64_t rec_no, rec_off, pos_after;
  const char *rec_name;
  char msg[512]; /* og_error_last() of the reader thread when rc fails */
} ahead_rec;

typedef struct readahead {
  reader r; /* the reader thread's: file, buffer, position, CRC */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  ahead_rec q[AHEAD_SLOTS];
  unsigned held;       /* records in q holding memory */
  unsigned head, tail; /* records consumed and produced so far: tail - head wait in q */
  bool stop;           /* the consumer needs no more */
  bool starved;        /* the consumer is waiting for a record */
  /* Chunks decoded here by hand go to their rows while the consumer checks earlier ones, so only
     while every chunk so far came where the one before it ended (as the consumer will check):
     the rows of the chunks in flight are then apart. */
  const og__wire_dest *wire; /* NULL: no hand decoding here */
  uint64_t next[2];          /* where the next node and edge chunks start */
  bool lost;                 /* a chunk came elsewhere, or one this thread cannot place */
} readahead;

/* Decode the chunk of a framed record here by hand, if the reader is to (see readahead); false
   when the consumer is to decode the record. */
static bool ahead_decode(readahead *p, ahead_rec *it, const uint8_t *body, bool hand_over) {
  int what = p->wire ? og__wire_scan(&it->chunk, body, it->rawlen) : OG__WIRE_OTHER;
  if (what == OG__WIRE_OTHER) return false;
  if (what == OG__WIRE_ODD || it->chunk.first != p->next[what == OG__WIRE_EDGES]) p->lost = true;
  if (p->lost) return false;
  p->next[what == OG__WIRE_EDGES] += it->chunk.count;
  if (hand_over) return false;
  if (!og__wire_decode(&it->deg_sum, p->wire, &it->chunk)) return false;
  p->r.rec_name = wire_name(&it->chunk);
  return it->decoded = true;
}

static void *readahead_run(void *arg) {
  readahead *p = arg;
  for (bool last = false; !last;) {
    pthread_mutex_lock(&p->mu);
    while ((p->tail - p->head == AHEAD_SLOTS || p->held == AHEAD_DEPTH) && !p->stop)
      pthread_cond_wait(&p->cv, &p->mu);
    bool stop = p->stop;
    /* the consumer has nothing left: it is the faster one, so it decodes this record itself
       (both threads then stay busy; decoding is most of a load's work) */
    bool hand_over = p->starved || p->tail == p->head;
    pthread_mutex_unlock(&p->mu);
    if (stop) break;
    ahead_rec it = {0};
    const uint8_t *body;
    it.rc = read_frame(&p->r, &body, &it.rawlen, &it.crc_before);
    if (it.rc == OG_OK && !ahead_decode(p, &it, body, hand_over)) {
      if (hand_over) {
        it.raw = body;
        if (p->r.f) { /* the buffer goes with the record: the next read makes another */
          it.rawbuf = p->r.buf;
          it.rawcap = p->r.cap;
          p->r.buf = NULL;
          p->r.cap = 0;
        }
      } else {
        it.rc = unpack_frame(&p->r, body, it.rawlen, &it.rec);
      }
    }
    it.rec_no = p->r.rec_no;
    it.rec_off = p->r.rec_off;
    it.rec_name = p->r.rec_name;
    it.pos_after = p->r.pos;
    if (it.rc != OG_OK) snprintf(it.msg, sizeof it.msg, "%s", og_error_last());
    /* a handed-over record may be the trailer: then the consumer stops this thread */
    last = it.rc != OG_OK || (it.rec && it.rec->body_case == OG__V1__RECORD__BODY_TRAILER);
    pthread_mutex_lock(&p->mu);
    p->q[p->tail % AHEAD_SLOTS] = it;
    p->tail++;
    p->held += it.rec || it.raw;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
  }
  return NULL;
}

/* The next record from the reader thread, dispatched as serial_step would. */
static int ahead_step(decoder *d, readahead *p) {
  pthread_mutex_lock(&p->mu);
  while (p->head == p->tail) {
    p->starved = true;
    pthread_cond_wait(&p->cv, &p->mu);
  }
  p->starved = false;
  ahead_rec it = p->q[p->head % AHEAD_SLOTS];
  p->head++;
  p->held -= it.rec || it.raw;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  d->r.rec_no = it.rec_no; /* messages name the record being decoded */
  d->r.rec_off = it.rec_off;
  d->r.rec_name = it.rec_name;
  d->r.pos = it.pos_after;
  int rc = it.rc != OG_OK ? og__fail(it.rc, "%s", it.msg)
           : it.raw      ? do_body(d, it.raw, it.rawlen, it.crc_before)
           : it.decoded  ? do_wire(d, &it.chunk, true, it.deg_sum)
                         : do_record(d, it.rec, it.crc_before);
  free_record(&d->r, it.rec);
  og__free(d->r.a, it.rawbuf, it.rawcap);
  return rc;
}

/* Start the reader thread on the rest of d's input, which it takes over (file, buffer, CRC so
   far); NULL, and d unchanged, when it cannot start. */
static readahead *readahead_start(decoder *d) {
  readahead *p = og__alloc(d->r.a, sizeof *p);
  if (!p) return NULL;
  memset(p, 0, sizeof *p);
  p->r = d->r;
  og__snap_pballoc_init(&p->r.pa, d->r.a);
  p->wire = d->hand ? &d->wire : NULL;
  bool ok = pthread_mutex_init(&p->mu, NULL) == 0;
  if (ok && pthread_cond_init(&p->cv, NULL) != 0) {
    pthread_mutex_destroy(&p->mu);
    ok = false;
  }
  if (ok && og__thread_start(&p->thread, readahead_run, p) != 0) {
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    ok = false;
  }
  if (!ok) {
    og__free(d->r.a, p, sizeof *p);
    return NULL;
  }
  d->r.f = NULL; /* the thread's now */
  d->r.buf = NULL;
  d->r.cap = 0;
  return p;
}

/* Stop the thread, free what it read ahead, and give d its file and buffer back to close. */
static void readahead_stop(decoder *d, readahead *p) {
  pthread_mutex_lock(&p->mu);
  p->stop = true;
  pthread_cond_broadcast(&p->cv);
  pthread_mutex_unlock(&p->mu);
  pthread_join(p->thread, NULL);
  for (; p->head != p->tail; p->head++) {
    ahead_rec *it = &p->q[p->head % AHEAD_SLOTS];
    free_record(&d->r, it->rec);
    og__free(d->r.a, it->rawbuf, it->rawcap);
  }
  pthread_cond_destroy(&p->cv);
  pthread_mutex_destroy(&p->mu);
  d->r.f = p->r.f;
  d->r.buf = p->r.buf;
  d->r.cap = p->r.cap;
  og__free(d->r.a, p, sizeof *p);
}

/* The records after the header: read ahead by a second thread, or on this one when it cannot
   start. */
static int decode_records(decoder *d, bool ahead) {
  readahead *p = ahead ? readahead_start(d) : NULL;
  int rc = OG_OK;
  while (rc == OG_OK && d->phase != PH_TRAILER) rc = p ? ahead_step(d, p) : serial_step(d);
  if (p) readahead_stop(d, p);
  return rc;
}

static bool use_reader_thread(const decoder *d) {
  if (d->threads == OG_SNAPSHOT_THREADS_READER) return true;
  return d->threads == OG_SNAPSHOT_THREADS_AUTO && og__alloc_is_default(d->r.a) &&
         d->r.size - d->r.pos >= AHEAD_MIN_BYTES;
}

/* Chunks are decoded by hand (on either thread) only into columns that already hold the
   header's counts, so that they never move. */
static bool wire_dest(decoder *d) {
  const og_builder *b = d->b;
  const Og__V1__Header *h = d->hdr;
  if (b->nodes.cap < h->node_count || b->deg_cap < h->node_count || b->ecap < h->edge_count)
    return false;
  og__wire_dest *w = &d->wire;
  *w = (og__wire_dest){.alloc = d->r.a,
                       .id = b->nodes.id,
                       .type = b->nodes.type,
                       .size = b->nodes.size,
                       .refcount = b->nodes.refcount,
                       .deg = b->deg,
                       .flags = b->nodes.flags,
                       .label = b->nodes.label,
                       .edst = b->edst,
                       .emeta = b->emeta,
                       .nodes = h->node_count,
                       .edges = h->edge_count,
                       .types = (uint32_t)h->type_count,
                       .strings = (uint32_t)h->string_count,
                       .simd = og__wire_simd_supported()};
  return true;
}

static int decode(og_graph **out, decoder *d) {
  reader *r = &d->r;
  OG_TRY(read_header(r, &d->hdr));
  d->phase = PH_HEADER;
  OG_TRY(og_builder_new(&d->b, r->a));
  /* nodes are referred to by index; ids are not checked for repeats (a graph indexes them on its
     first lookup, which then finds one of them): checking would cost a quarter of a load */
  OG_TRY(og_builder_trust_ids(d->b));
  /* room for the header's counts, but no more than the file could hold (a node takes at least
     2 bytes, an edge 1), so a hostile header reserves in proportion to the file's size */
  uint64_t nodes = d->hdr->node_count < r->size / 2 ? d->hdr->node_count : r->size / 2;
  uint64_t edges = d->hdr->edge_count < r->size ? d->hdr->edge_count : r->size;
  OG_TRY(og_builder_reserve(d->b, (size_t)nodes, (size_t)edges));
  uint64_t strings = d->hdr->string_count < r->size ? d->hdr->string_count : r->size;
  OG_TRY(og__strtab_room(&d->b->strs, r->a, (size_t)strings)); /* each takes a byte or more */
  d->hand = d->decoder == OG_SNAPSHOT_DECODER_AUTO && wire_dest(d);
  OG_TRY(decode_records(d, use_reader_thread(d)));
  return og_builder_finish(out, d->b);
}

static void decoder_free(decoder *d) {
  if (d->hdr) og__v1__header__free_unpacked(d->hdr, &d->r.pa.pc);
  og_builder_free(d->b);
  reader_close(&d->r);
}

static int load_options(const og_snapshot_load_options *o, decoder *d) {
  const og_allocator *a = og_allocator_default();
  uint32_t max_record = OG_SNAPSHOT_MAX_RECORD;
  d->threads = OG_SNAPSHOT_THREADS_AUTO;
  if (o) {
    if (o->version < 1 || o->version > OG_SNAPSHOT_LOAD_OPTIONS_VERSION)
      return og__fail(OG_EINVALID, "og_snapshot_load_options.version is %u, expected %u",
                      o->version, OG_SNAPSHOT_LOAD_OPTIONS_VERSION);
    if (o->alloc) a = o->alloc;
    if (o->max_record_bytes) max_record = o->max_record_bytes;
    if (o->version >= 2) {
      if (o->threads > OG_SNAPSHOT_THREADS_READER)
        return og__fail(OG_EINVALID, "og_snapshot_load_options.threads is %u, not 0, 1 or 2",
                        o->threads);
      d->threads = o->threads;
    }
    if (o->version >= 3) {
      if (o->decoder > OG_SNAPSHOT_DECODER_PROTOBUF_C)
        return og__fail(OG_EINVALID, "og_snapshot_load_options.decoder is %u, not 0 or 1",
                        o->decoder);
      d->decoder = o->decoder;
    }
  }
  reader_init(&d->r, d->r.name, a, max_record);
  return OG_OK;
}

int og_snapshot_load(og_graph **out, const char *path, const og_snapshot_load_options *opts) {
  OG_ASSERT_ARG(out != NULL && path != NULL);
  *out = NULL;
  decoder d = {0};
  d.r.name = path;
  OG_TRY(load_options(opts, &d));
  int rc = open_file(&d.r, path);
  if (rc == OG_OK) rc = decode(out, &d);
  decoder_free(&d);
  return rc;
}

int og_snapshot_decode(og_graph **out, const void *data, size_t len,
                       const og_snapshot_load_options *opts) {
  OG_ASSERT_ARG(out != NULL && (data != NULL || len == 0));
  *out = NULL;
  decoder d = {0};
  d.r.name = "<memory>";
  OG_TRY(load_options(opts, &d));
  d.r.mem = data;
  d.r.size = len;
  int rc = decode(out, &d);
  decoder_free(&d);
  return rc;
}

/* ---- header only ----------------------------------------------------------------------------- */

/* One block holds the public struct, the metadata array and every string. */
typedef struct header_box {
  og_snapshot_header pub; /* first: the public pointer is the box */
  size_t total;
} header_box;

static const char *box_str(char **cursor, const char *s) {
  size_t n = strlen(s) + 1;
  char *p = *cursor;
  memcpy(p, s, n);
  *cursor += n;
  return p;
}

static int make_header(og_snapshot_header **out, const Og__V1__Header *h, uint64_t file_size) {
  const char *strs[] = {h->writer, h->runtime_name, h->runtime_version, h->capture_options};
  size_t total = sizeof(header_box) + h->n_metadata * sizeof(og_snapshot_kv);
  for (size_t i = 0; i < 4; i++) total += strlen(strs[i]) + 1;
  for (size_t i = 0; i < h->n_metadata; i++)
    total += strlen(h->metadata[i]->key) + strlen(h->metadata[i]->value) + 2;
  header_box *box = og__alloc(og_allocator_default(), total);
  if (!box) return og__fail(OG_ENOMEM, "out of memory for a snapshot header of %zu bytes", total);
  og_snapshot_header *p = &box->pub;
  box->total = total;
  og_snapshot_kv *kv = (og_snapshot_kv *)(box + 1);
  char *cur = (char *)(kv + h->n_metadata);
  p->format_version = h->format_version;
  p->writer = box_str(&cur, h->writer);
  p->runtime_name = box_str(&cur, h->runtime_name);
  p->runtime_version = box_str(&cur, h->runtime_version);
  p->capture_options = box_str(&cur, h->capture_options);
  p->pid = h->pid;
  p->capture_time_unix_ns = h->capture_time_unix_ns;
  p->node_count = h->node_count;
  p->edge_count = h->edge_count;
  p->type_count = h->type_count;
  p->string_count = h->string_count;
  for (size_t i = 0; i < h->n_metadata; i++) {
    kv[i].key = box_str(&cur, h->metadata[i]->key);
    kv[i].value = box_str(&cur, h->metadata[i]->value);
  }
  p->metadata = kv;
  p->metadata_count = h->n_metadata;
  p->file_size = file_size;
  *out = p;
  return OG_OK;
}

static int info(og_snapshot_header **out, reader *r) {
  Og__V1__Header *h = NULL;
  int rc = read_header(r, &h);
  if (rc == OG_OK) rc = make_header(out, h, r->size);
  if (h) og__v1__header__free_unpacked(h, &r->pa.pc);
  reader_close(r);
  return rc;
}

int og_snapshot_info(og_snapshot_header **out, const char *path) {
  OG_ASSERT_ARG(out != NULL && path != NULL);
  *out = NULL;
  reader r;
  reader_init(&r, path, og_allocator_default(), OG_SNAPSHOT_MAX_RECORD);
  int rc = open_file(&r, path);
  if (rc != OG_OK) return rc;
  return info(out, &r);
}

int og_snapshot_info_decode(og_snapshot_header **out, const void *data, size_t len) {
  OG_ASSERT_ARG(out != NULL && (data != NULL || len == 0));
  *out = NULL;
  reader r;
  reader_init(&r, "<memory>", og_allocator_default(), OG_SNAPSHOT_MAX_RECORD);
  r.mem = data;
  r.size = len;
  return info(out, &r);
}

void og_snapshot_header_free(og_snapshot_header *h) {
  if (h) og__free(og_allocator_default(), h, ((header_box *)h)->total);
}
