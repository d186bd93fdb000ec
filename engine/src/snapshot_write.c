/* Snapshot writer: an og_graph streamed as framed protobuf records (see snapshot.proto). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "og/version.h"
#include "snapshot_impl.h"

/* The state of one write: the sink (with the running CRC) and the scratch buffers. */
typedef struct writer {
  const og_graph *g;
  const og_allocator *a;
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
  h.string_count = w->g->strs.count;
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

static int put_strings(writer *w) {
  const og_strtab *t = &w->g->strs;
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
      label[i] = nd->label[v] == OG_STR_NONE ? 0 : nd->label[v] + 1;
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
      label[i] = (m & OG_META_NOLABEL) == OG_META_NOLABEL ? 0 : (m & OG_META_NOLABEL) + 1;
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
  t.string_count = w->g->strs.count;
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
  int rc = OG_OK;
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
