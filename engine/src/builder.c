/* og_builder: collects nodes, edges and strings, then seals them into an og_graph. */
#include <string.h>

#include "graph_impl.h"

int og_builder_new(og_builder **out, const og_allocator *alloc) {
  OG_ASSERT_ARG(out != NULL);
  *out = NULL;
  if (!alloc) alloc = og_allocator_default();
  OG_ASSERT_ARG(alloc->version == OG_ALLOCATOR_VERSION && alloc->fn != NULL);
  og_builder *b = og__alloc(alloc, sizeof *b);
  if (!b) return og__fail(OG_ENOMEM, "out of memory for a builder");
  memset(b, 0, sizeof *b);
  b->alloc = *alloc;
  b->last_src = 0;
  *out = b;
  return OG_OK;
}

static void free_edges(og_builder *b) {
  const og_allocator *a = &b->alloc;
  og__free(a, b->esrc, b->esrc ? b->ecap * sizeof(og_index) : 0);
  og__free(a, b->edst, b->ecap * sizeof(og_index));
  og__free(a, b->emeta, b->ecap * sizeof(uint32_t));
  b->esrc = b->edst = NULL;
  b->emeta = NULL;
  b->nedges = b->ecap = 0;
  b->last_src = 0;
}

/* The reserved columns are about to move or go: the prefault job must be done with them. */
static void stop_prefault(og_builder *b) {
  og__prefault_stop(b->prefault);
  b->prefault = NULL;
}

/* n more strings are coming: the string table moves when they do not fit its room. */
static void strings_coming(og_builder *b, size_t n) {
  if (!OG_LIKELY(n <= (size_t)(b->strs.cap - b->strs.count))) stop_prefault(b);
}

static void free_contents(og_builder *b) {
  const og_allocator *a = &b->alloc;
  stop_prefault(b);
  og__free(a, b->deg, b->deg_cap * sizeof(uint32_t));
  b->deg = NULL;
  b->deg_cap = 0;
  og__nodes_free(&b->nodes, a);
  og__bmap_free(&b->ids, a);
  og__strtab_free(&b->strs, a);
  og__typetab_free(&b->types, a);
  free_edges(b);
}

void og_builder_free(og_builder *b) {
  if (!b) return;
  free_contents(b);
  og_allocator a = b->alloc;
  og__free(&a, b, sizeof *b);
}

int og_builder_intern(og_str *out, og_builder *b, const char *s, size_t len) {
  OG_ASSERT_ARG(out != NULL && b != NULL);
  OG_ASSERT_ARG(s != NULL || len == 0);
  strings_coming(b, 1);
  if (b->defer_strs) return og__strtab_store(&b->strs, &b->alloc, s ? s : "", len, out);
  return og__strtab_intern(&b->strs, &b->alloc, s ? s : "", len, out);
}

int og_builder_defer_strings(og_builder *b) {
  OG_ASSERT_ARG(b != NULL);
  b->defer_strs = true;
  return OG_OK;
}

int og_builder_add_type(og_type *out, og_builder *b, const char *short_name, size_t short_len,
                        const char *long_name, size_t long_len) {
  OG_ASSERT_ARG(out != NULL && b != NULL);
  OG_ASSERT_ARG(short_name != NULL || short_len == 0);
  OG_ASSERT_ARG(long_name != NULL || long_len == 0);
  og_str s, l; /* interned at once even when strings are deferred: types merge by these handles */
  strings_coming(b, 2);
  OG_TRY(og__strtab_intern(&b->strs, &b->alloc, short_name ? short_name : "", short_len, &s));
  OG_TRY(og__strtab_intern(&b->strs, &b->alloc, long_name ? long_name : "", long_len, &l));
  return og__typetab_add(&b->types, &b->alloc, s, l, out);
}

static int check_node_fields(const og_builder *b, og_type type, uint32_t flags, og_str label) {
  if (type >= b->types.count)
    return og__fail(OG_EINVALID, "unknown type handle %u (the builder has %u types)", type,
                    b->types.count);
  if (label != OG_STR_NONE && label >= b->strs.count)
    return og__fail(OG_EINVALID, "unknown label string handle %u (the builder has %u strings)",
                    label, b->strs.count);
  if (flags > 0xFFFFu) return og__fail(OG_EINVALID, "node flags 0x%x use bits above 15", flags);
  return OG_OK;
}

/* og_builder_add_node when the row is not simply appended: growth, id map, big size, errors. */
static OG_NOINLINE int add_node_slow(og_index *out, og_builder *b, og_id id, og_type type,
                                     uint64_t size, uint32_t flags, uint32_t refcount,
                                     og_str label) {
  OG_ASSERT_ARG(b != NULL);
  OG_TRY(check_node_fields(b, type, flags, label));
  og_nodes *n = &b->nodes;
  if (n->count == OG_INDEX_NONE) return og__fail(OG_ELIMIT, "more than %u nodes", OG_INDEX_NONE);
  og_index idx = n->count;
  bool big = size >= OG_SIZE_BIG;
  if (idx >= n->cap || idx >= b->deg_cap) stop_prefault(b);
  /* every allocation first, so that nothing needs undoing after the id is in the map */
  OG_TRY(og__nodes_grow(n, &b->alloc, (size_t)idx + 1));
  OG_TRY(og__grow(&b->alloc, (void **)&b->deg, &b->deg_cap, (size_t)idx + 1, sizeof(uint32_t)));
  if (!b->defer_ids) OG_TRY(og__bmap_reserve(&b->ids, &b->alloc));
  if (big)
    OG_TRY(og__grow(&b->alloc, (void **)&n->big, &n->capbig, n->nbig + 1, sizeof(og_bigsize)));
  n->id[idx] = id;
  if (!b->defer_ids && !og__bmap_insert(&b->ids, n->id, idx))
    return og__fail(OG_EEXISTS, "node id 0x%llx was already added (as node %u)",
                    (unsigned long long)id, og__bmap_find(&b->ids, n->id, id));
  if (big) {
    n->big[n->nbig].node = idx;
    n->big[n->nbig].size = size;
    n->nbig++;
  }
  n->type[idx] = type;
  n->size[idx] = big ? OG_SIZE_BIG : (uint32_t)size;
  n->flags[idx] = (uint16_t)flags;
  n->refcount[idx] = refcount;
  n->label[idx] = label;
  b->deg[idx] = 0;
  n->count++;
  if (out) *out = idx;
  return OG_OK;
}

/* The common case inline: a valid row appended to reserved columns without an id map. Anything
   else, errors included, takes the slow path (calls there would make every call pay to save
   registers). */
int og_builder_add_node(og_index *out, og_builder *b, og_id id, og_type type, uint64_t size,
                        uint32_t flags, uint32_t refcount, og_str label) {
  if (!OG_LIKELY(b && b->defer_ids && type < b->types.count && size < OG_SIZE_BIG &&
                 (label == OG_STR_NONE || label < b->strs.count) && flags <= 0xFFFFu &&
                 b->nodes.count < b->nodes.cap && b->nodes.count < b->deg_cap))
    return add_node_slow(out, b, id, type, size, flags, refcount, label);
  og_nodes *n = &b->nodes;
  og_index idx = n->count++;
  n->id[idx] = id;
  n->type[idx] = type;
  n->size[idx] = (uint32_t)size;
  n->flags[idx] = (uint16_t)flags;
  n->refcount[idx] = refcount;
  n->label[idx] = label;
  b->deg[idx] = 0;
  if (out) *out = idx;
  return OG_OK;
}

static int check_node(const og_nodes *n, og_index node) {
  if (node >= n->count)
    return og__fail(OG_EINVALID, "node index %u is out of range (%u nodes)", node, n->count);
  return OG_OK;
}

int og_builder_set_flags(og_builder *b, og_index node, uint32_t flags) {
  OG_ASSERT_ARG(b != NULL);
  OG_TRY(check_node(&b->nodes, node));
  if (flags > 0xFFFFu) return og__fail(OG_EINVALID, "node flags 0x%x use bits above 15", flags);
  b->nodes.flags[node] = (uint16_t)flags;
  return OG_OK;
}

int og_builder_set_label(og_builder *b, og_index node, og_str label) {
  OG_ASSERT_ARG(b != NULL);
  OG_TRY(check_node(&b->nodes, node));
  if (label != OG_STR_NONE && label >= b->strs.count)
    return og__fail(OG_EINVALID, "unknown label string handle %u", label);
  b->nodes.label[node] = label;
  return OG_OK;
}

int og_builder_defer_ids(og_builder *b) {
  OG_ASSERT_ARG(b != NULL);
  if (b->nodes.count)
    return og__fail(OG_EINVALID, "ids can be deferred only before the first node is added");
  b->defer_ids = true;
  return OG_OK;
}

int og_builder_trust_ids(og_builder *b) {
  OG_TRY(og_builder_defer_ids(b));
  b->trust_ids = true;
  return OG_OK;
}

int og_builder_find(og_index *out, const og_builder *b, og_id id) {
  OG_ASSERT_ARG(out != NULL && b != NULL);
  if (b->defer_ids) {
    *out = OG_INDEX_NONE;
    return og__fail(OG_EINVALID, "this builder defers its id index to og_builder_finish");
  }
  og_index i = og__bmap_find(&b->ids, b->nodes.id, id);
  *out = i;
  if (i == OG_INDEX_NONE)
    return og__fail(OG_ENOTFOUND, "no node with id 0x%llx", (unsigned long long)id);
  return OG_OK;
}

og_index og_builder_lookup(const og_builder *b, og_id id) {
  return b && !b->defer_ids ? og__bmap_find(&b->ids, b->nodes.id, id) : OG_INDEX_NONE;
}

og_index og_builder_node_count(const og_builder *b) { return b ? b->nodes.count : 0; }

const og_id *og_builder_ids(const og_builder *b) { return b ? b->nodes.id : NULL; }

const uint32_t *og_builder_refcounts(const og_builder *b) { return b ? b->nodes.refcount : NULL; }

/* Edges stopped arriving grouped by source: write down every source so far from the degrees. */
static int materialize_sources(og_builder *b) {
  size_t bytes;
  if (!og__mul_ok(b->ecap, sizeof(og_index), &bytes))
    return og__fail(OG_ELIMIT, "edge table too large");
  og_index *src = og__alloc(&b->alloc, bytes);
  if (!src) return og__fail(OG_ENOMEM, "out of memory for %zu edge sources", b->ecap);
  size_t e = 0;
  for (og_index v = 0; v <= b->last_src && v < b->nodes.count; v++)
    for (uint32_t k = 0; k < b->deg[v]; k++) src[e++] = v;
  OG_ASSERT(e == b->nedges);
  b->esrc = src;
  return OG_OK;
}

/* The edge columns share one capacity: allocate all new columns before touching any. */
static int grow_edges(og_builder *b, size_t need) {
  if (need <= b->ecap) return OG_OK;
  stop_prefault(b);
  size_t ncap = b->ecap ? b->ecap * 2 : 1024;
  if (ncap < need) ncap = need;
  if (ncap > (size_t)UINT32_MAX + 1) ncap = (size_t)UINT32_MAX + 1;
  const og_allocator *a = &b->alloc;
  og_index *dst = og__alloc(a, ncap * sizeof(og_index));
  uint32_t *meta = og__alloc(a, ncap * sizeof(uint32_t));
  og_index *src = b->esrc ? og__alloc(a, ncap * sizeof(og_index)) : NULL;
  if (!dst || !meta || (b->esrc && !src)) {
    og__free(a, dst, ncap * sizeof(og_index));
    og__free(a, meta, ncap * sizeof(uint32_t));
    og__free(a, src, ncap * sizeof(og_index));
    return og__fail(OG_ENOMEM, "out of memory for %zu edges", ncap);
  }
  if (b->nedges) {
    memcpy(dst, b->edst, b->nedges * sizeof(og_index));
    memcpy(meta, b->emeta, b->nedges * sizeof(uint32_t));
    if (src) memcpy(src, b->esrc, b->nedges * sizeof(og_index));
  }
  size_t old = b->ecap;
  og__free(a, b->edst, old * sizeof(og_index));
  og__free(a, b->emeta, old * sizeof(uint32_t));
  og__free(a, b->esrc, old * sizeof(og_index));
  b->edst = dst;
  b->emeta = meta;
  if (src) b->esrc = src;
  b->ecap = ncap;
  return OG_OK;
}

int og_builder_reserve_strings(og_builder *b, size_t strings, size_t bytes) {
  OG_ASSERT_ARG(b != NULL);
  if (strings > (size_t)OG_STR_MAX + 1 - b->strs.count)
    return og__fail(OG_ELIMIT, "room for %zu more strings is more than a graph holds", strings);
  strings_coming(b, strings);
  OG_TRY(og__strtab_room(&b->strs, &b->alloc, (size_t)b->strs.count + strings));
  /* each string takes its NUL and rounds up to 8 in the arena: at most 8 bytes more */
  if (bytes) og__arena_reserve(&b->strs.arena, &b->alloc, bytes + strings * 8);
  return OG_OK;
}

/* The node-row columns (the builder's degrees included) from row `from` on, `rows` of them:
   ptr[k] and bytes[k] for the NODE_COLUMNS columns. */
#define NODE_COLUMNS 7
static void node_columns(og_builder *b, size_t from, size_t rows, void **ptr, size_t *bytes) {
  og_nodes *n = &b->nodes;
  void *p[NODE_COLUMNS] = {n->id + from,    n->type + from,  n->size + from, n->refcount + from,
                           n->label + from, n->flags + from, b->deg + from};
  size_t w[NODE_COLUMNS] = {sizeof(og_id),    sizeof(og_type),  sizeof(uint32_t), sizeof(uint32_t),
                            sizeof(og_str),   sizeof(uint16_t), sizeof(uint32_t)};
  for (int k = 0; k < NODE_COLUMNS; k++) {
    ptr[k] = p[k];
    bytes[k] = rows * w[k];
  }
}

/* Range k of a prefault job, unless it is empty. */
static void add_range(void **ptr, size_t *bytes, size_t *n, void *p, size_t len) {
  if (!len) return;
  ptr[*n] = p;
  bytes[(*n)++] = len;
}

/* The ranges of node rows [from, from + rows), drows of them in the degrees' own room. */
static void add_rows(og_builder *b, size_t from, size_t rows, size_t drows, void **ptr,
                     size_t *bytes, size_t *n) {
  void *cp[NODE_COLUMNS];
  size_t cb[NODE_COLUMNS];
  node_columns(b, from, rows, cp, cb);
  cb[NODE_COLUMNS - 1] = drows * sizeof(uint32_t);
  for (int k = 0; k < NODE_COLUMNS; k++) add_range(ptr, bytes, n, cp[k], cb[k]);
}

int og_builder_prefault(og_builder *b, size_t first_rows) {
  OG_ASSERT_ARG(b != NULL);
  stop_prefault(b);
  size_t c = b->nodes.count, room = b->nodes.cap - c, e = b->nedges, eroom = b->ecap - e;
  size_t first = first_rows < room ? first_rows : room;
  size_t droom = b->deg_cap - c, dfirst = first < droom ? first : droom; /* degrees: own room */
  void *ptr[OG_PREFAULT_RANGES];
  size_t bytes[OG_PREFAULT_RANGES], n = 0, nfirst = 0;
  /* the rows a walker adds at once first, then its edges, strings and the other rows */
  if (first) {
    add_rows(b, c, first, dfirst, ptr, bytes, &n);
    nfirst = n;
  }
  if (eroom) {
    add_range(ptr, bytes, &n, b->edst + e, eroom * sizeof(og_index));
    add_range(ptr, bytes, &n, b->emeta + e, eroom * sizeof(uint32_t));
  }
  og_strtab *t = &b->strs;
  if (t->cap > t->count) {
    add_range(ptr, bytes, &n, t->ptr + t->count, (t->cap - t->count) * sizeof *t->ptr);
    add_range(ptr, bytes, &n, t->len + t->count, (t->cap - t->count) * sizeof *t->len);
  }
  void *arena;
  size_t abytes;
  og__arena_room(&t->arena, &arena, &abytes);
  add_range(ptr, bytes, &n, arena, abytes);
  if (room > first) add_rows(b, c + first, room - first, droom - dfirst, ptr, bytes, &n);
  b->prefault = og__prefault_start(&b->alloc, ptr, bytes, nfirst, n);
  return OG_OK;
}

int og_builder_reserve(og_builder *b, size_t nodes, size_t edges) {
  OG_ASSERT_ARG(b != NULL);
  if (nodes > (size_t)OG_INDEX_NONE - b->nodes.count || edges > UINT32_MAX - b->nedges)
    return og__fail(OG_ELIMIT, "room for %zu more nodes and %zu more edges is more than a graph "
                               "holds", nodes, edges);
  size_t n = (size_t)b->nodes.count + nodes;
  stop_prefault(b);
  OG_TRY(og__nodes_reserve(&b->nodes, &b->alloc, n));
  OG_TRY(og__grow(&b->alloc, (void **)&b->deg, &b->deg_cap, n, sizeof(uint32_t)));
  return edges ? grow_edges(b, b->nedges + edges) : OG_OK;
}

static int check_label(const og_builder *b, og_edge_kind kind, uint32_t label) {
  if ((unsigned)kind > OG_EDGE_KIND_MAX) return og__fail(OG_EINVALID, "edge kind %d is not 0..15", (int)kind);
  if (kind != OG_EDGE_INDEX && label != OG_STR_NONE && label >= b->strs.count)
    return og__fail(OG_EINVALID, "unknown edge label string handle %u", label);
  return OG_OK;
}

int og__builder_append_edge(og_builder *b, og_index source, og_index target, uint32_t meta) {
  OG_ASSERT(source < b->nodes.count && target < b->nodes.count);
  if (b->nedges >= UINT32_MAX) return og__fail(OG_ELIMIT, "more than %u edges", UINT32_MAX);
  if (b->nedges && source < b->last_src && !b->esrc) OG_TRY(materialize_sources(b));
  if (b->nedges == b->ecap) OG_TRY(grow_edges(b, b->nedges + 1));
  size_t e = b->nedges++;
  b->edst[e] = target;
  b->emeta[e] = meta;
  if (b->esrc) b->esrc[e] = source;
  if (source > b->last_src || e == 0) b->last_src = source;
  b->deg[source]++;
  return OG_OK;
}

/* ---- columns written in place, for decoders that validated their input --------------------- */

int og__builder_nodes_room(og_builder *b, size_t n) {
  OG_ASSERT(b->defer_ids);
  if (n > (size_t)OG_INDEX_NONE - b->nodes.count)
    return og__fail(OG_ELIMIT, "more than %u nodes", OG_INDEX_NONE);
  size_t need = (size_t)b->nodes.count + n;
  if (need > b->nodes.cap || need > b->deg_cap) stop_prefault(b);
  OG_TRY(og__nodes_grow(&b->nodes, &b->alloc, need));
  OG_TRY(og__grow(&b->alloc, (void **)&b->deg, &b->deg_cap, need, sizeof(uint32_t)));
  void *ptr[NODE_COLUMNS];
  size_t bytes[NODE_COLUMNS];
  node_columns(b, b->nodes.count, n, ptr, bytes);
  for (int k = 0; k < NODE_COLUMNS; k++) og__populate(&b->alloc, ptr[k], bytes[k]);
  return OG_OK;
}

int og__builder_big_size(og_builder *b, og_index row, uint64_t size) {
  og_nodes *n = &b->nodes;
  OG_ASSERT(row < n->cap && (n->nbig == 0 || n->big[n->nbig - 1].node < row));
  OG_TRY(og__grow(&b->alloc, (void **)&n->big, &n->capbig, n->nbig + 1, sizeof(og_bigsize)));
  n->big[n->nbig].node = row;
  n->big[n->nbig++].size = size;
  n->size[row] = OG_SIZE_BIG;
  return OG_OK;
}

void og__builder_nodes_added(og_builder *b, size_t n) { b->nodes.count += (og_index)n; }

int og__builder_edges_room(og_builder *b, size_t n) {
  if (b->esrc) return og__fail(OG_EINVALID, "edges written in place must come grouped by source");
  if (n > UINT32_MAX - b->nedges) return og__fail(OG_ELIMIT, "more than %u edges", UINT32_MAX);
  OG_TRY(grow_edges(b, b->nedges + n));
  og__populate(&b->alloc, b->edst + b->nedges, n * sizeof(og_index));
  og__populate(&b->alloc, b->emeta + b->nedges, n * sizeof(uint32_t));
  return OG_OK;
}

void og__builder_edges_added(og_builder *b, size_t n) {
  OG_ASSERT(n <= b->ecap - b->nedges);
  b->nedges += n;
  b->last_src = b->nodes.count ? b->nodes.count - 1 : 0; /* no source may come after these */
}

static OG_NOINLINE int add_edge_slow(og_builder *b, og_index source, og_index target,
                                     og_edge_kind kind, uint32_t label) {
  OG_ASSERT_ARG(b != NULL);
  OG_TRY(check_node(&b->nodes, source));
  OG_TRY(check_node(&b->nodes, target));
  OG_TRY(check_label(b, kind, label));
  return og__builder_append_edge(b, source, target, OG_META_PACK(kind, label));
}

/* The common case inline: a valid edge appended to reserved columns, sources still grouped. */
int og_builder_add_edge(og_builder *b, og_index source, og_index target, og_edge_kind kind,
                        uint32_t label) {
  if (!OG_LIKELY(b && source < b->nodes.count && target < b->nodes.count &&
                 (unsigned)kind <= OG_EDGE_KIND_MAX &&
                 (kind == OG_EDGE_INDEX || label == OG_STR_NONE || label < b->strs.count) &&
                 b->nedges < b->ecap && b->nedges < UINT32_MAX && !b->esrc && source >= b->last_src))
    return add_edge_slow(b, source, target, kind, label);
  size_t e = b->nedges++;
  b->edst[e] = target;
  b->emeta[e] = OG_META_PACK(kind, label);
  b->last_src = source;
  b->deg[source]++;
  return OG_OK;
}

/* Why edge i of an og_builder_add_edges call is refused. */
static OG_NOINLINE int bad_edge(const og_builder *b, size_t i, size_t n, og_index source,
                                og_index target, uint32_t kind, uint32_t label) {
  og_index count = b->nodes.count;
  if (source >= count || target >= count)
    return og__fail(OG_EINVALID, "edge %zu of %zu: node index %u is out of range (%u nodes)", i,
                    n, source >= count ? source : target, count);
  if (kind > OG_EDGE_KIND_MAX)
    return og__fail(OG_EINVALID, "edge %zu of %zu: edge kind %u is not 0..15", i, n, kind);
  return og__fail(OG_EINVALID, "edge %zu of %zu: unknown edge label string handle %u", i, n,
                  label);
}

/* Whether edges[0..n) of an og_builder_add_edges call may all be added: branch-free, so that the
   loop vectorizes; the first bad one is named on the slow path. */
static OG_INLINE int check_edges(const og_builder *b, const og_index *sources,
                                 const og_index *targets, const uint8_t *kinds,
                                 const uint32_t *labels, size_t n) {
  og_index count = b->nodes.count;
  uint32_t nstr = b->strs.count, bad = 0;
  for (size_t i = 0; i < n; i++)
    bad |= (uint32_t)(sources[i] >= count) | (uint32_t)(targets[i] >= count) |
           (uint32_t)(kinds[i] > OG_EDGE_KIND_MAX) |
           ((uint32_t)(kinds[i] != OG_EDGE_INDEX) & (uint32_t)(labels[i] != OG_STR_NONE) &
            (uint32_t)(labels[i] >= nstr));
  if (!bad) return OG_OK;
  for (size_t i = 0;; i++)
    if (sources[i] >= count || targets[i] >= count || kinds[i] > OG_EDGE_KIND_MAX ||
        (kinds[i] != OG_EDGE_INDEX && labels[i] != OG_STR_NONE && labels[i] >= nstr))
      return bad_edge(b, i, n, sources[i], targets[i], kinds[i], labels[i]);
}

/* og_builder_add_edges past its argument checks: the loops that vectorize, compiled for AVX2 too
   (static, so that the loader's chooser stays out of the library's exports). */
static OG_CLONES_AVX2 int append_edges(og_builder *b, const og_index *sources,
                                       const og_index *targets, const uint8_t *kinds,
                                       const uint32_t *labels, size_t n) {
  OG_TRY(check_edges(b, sources, targets, kinds, labels, n));
  /* still grouped when the sources never go down (a loop that vectorizes, as above) */
  uint32_t down = b->nedges && sources[0] < b->last_src;
  for (size_t i = 1; i < n; i++) down |= (uint32_t)(sources[i] < sources[i - 1]);
  bool grouped = !down;
  og_index top = b->nedges ? b->last_src : 0;
  if (grouped)
    top = sources[n - 1];
  else
    for (size_t i = 0; i < n; i++) top = sources[i] > top ? sources[i] : top;
  if (!grouped && !b->esrc) OG_TRY(materialize_sources(b));
  OG_TRY(grow_edges(b, b->nedges + n));
  size_t e = b->nedges;
  memcpy(b->edst + e, targets, n * sizeof *targets);
  uint32_t *meta = b->emeta + e;
  for (size_t i = 0; i < n; i++) meta[i] = OG_META_PACK(kinds[i], labels[i]);
  if (b->esrc) memcpy(b->esrc + e, sources, n * sizeof *sources);
  uint32_t *deg = b->deg;
  for (size_t i = 0; i < n; i++) deg[sources[i]]++;
  b->nedges += n;
  b->last_src = top;
  return OG_OK;
}

int og_builder_add_edges(og_builder *b, const og_index *sources, const og_index *targets,
                         const uint8_t *kinds, const uint32_t *labels, size_t n) {
  OG_ASSERT_ARG(b != NULL);
  if (n == 0) return OG_OK;
  OG_ASSERT_ARG(sources != NULL && targets != NULL && kinds != NULL && labels != NULL);
  if (n > UINT32_MAX - b->nedges) return og__fail(OG_ELIMIT, "more than %u edges", UINT32_MAX);
  return append_edges(b, sources, targets, kinds, labels, n);
}

/* Turn deg[] (n entries, capacity cap) into exclusive offsets out[0..n]. */
static int offsets_from_degrees(uint32_t **out, og_builder *b) {
  og_index n = b->nodes.count;
  uint32_t *off = og__alloc(&b->alloc, ((size_t)n + 1) * sizeof(uint32_t));
  if (!off) return og__fail(OG_ENOMEM, "out of memory for %u edge offsets", n + 1);
  uint32_t sum = 0;
  for (og_index v = 0; v < n; v++) {
    off[v] = sum;
    sum += b->deg[v];
  }
  off[n] = sum;
  *out = off;
  return OG_OK;
}

/* deg[] becomes the offsets in place (room for n + 1 was made), trimmed when possible: no second
   array of n entries is written (and faulted in). Cannot fail. */
static uint32_t *offsets_in_place(og_builder *b, size_t *cap) {
  og_index n = b->nodes.count;
  uint32_t *off = b->deg, sum = 0;
  for (og_index v = 0; v < n; v++) {
    uint32_t d = off[v];
    off[v] = sum;
    sum += d;
  }
  off[n] = sum;
  *cap = b->deg_cap;
  uint32_t *trimmed = *cap > (size_t)n + 1 ? og__realloc(&b->alloc, off, *cap * sizeof(uint32_t),
                                                        ((size_t)n + 1) * sizeof(uint32_t))
                                           : NULL;
  if (trimmed) off = trimmed, *cap = (size_t)n + 1;
  b->deg = NULL;
  b->deg_cap = 0;
  return off;
}

/* Stable counting sort of unsorted edges into CSR order. */
static int sort_edges(og_index **dst_out, uint32_t **meta_out, og_builder *b, const uint32_t *off) {
  size_t m = b->nedges ? b->nedges : 1;
  og_index *dst = og__alloc(&b->alloc, m * sizeof(og_index));
  uint32_t *meta = og__alloc(&b->alloc, m * sizeof(uint32_t));
  uint32_t *fill = og__alloc(&b->alloc, ((size_t)b->nodes.count + 1) * sizeof(uint32_t));
  if (!dst || !meta || !fill) {
    og__free(&b->alloc, dst, m * sizeof(og_index));
    og__free(&b->alloc, meta, m * sizeof(uint32_t));
    og__free(&b->alloc, fill, ((size_t)b->nodes.count + 1) * sizeof(uint32_t));
    return og__fail(OG_ENOMEM, "out of memory sorting %zu edges", b->nedges);
  }
  memcpy(fill, off, ((size_t)b->nodes.count + 1) * sizeof(uint32_t));
  for (size_t e = 0; e < b->nedges; e++) {
    uint32_t at = fill[b->esrc[e]]++;
    dst[at] = b->edst[e];
    meta[at] = b->emeta[e];
  }
  og__free(&b->alloc, fill, ((size_t)b->nodes.count + 1) * sizeof(uint32_t));
  *dst_out = dst;
  *meta_out = meta;
  return OG_OK;
}

int og_builder_finish(og_graph **out, og_builder *b) {
  OG_ASSERT_ARG(out != NULL && b != NULL);
  *out = NULL;
  const og_allocator *a = &b->alloc;
  og_graph *g = og__alloc(a, sizeof *g);
  uint32_t *off = NULL;
  og_index *dst = NULL;
  uint32_t *meta = NULL;
  int rc;
  if (!g) return og__fail(OG_ENOMEM, "out of memory for a graph");
  memset(g, 0, sizeof *g);
  stop_prefault(b);
  /* the id index on a second thread when that pays, while this one does the rest */
  og_idjob *job = b->trust_ids ? NULL
                                : og__idjob_start(a, b->nodes.id, b->nodes.count, b->defer_ids);
  size_t off_cap = (size_t)b->nodes.count + 1;
  if (b->esrc) { /* sorted into copies: the builder keeps its own until the end */
    if ((rc = offsets_from_degrees(&off, b)) != OG_OK) goto fail;
    if ((rc = sort_edges(&dst, &meta, b, off)) != OG_OK) goto fail;
  } else if ((rc = og__grow(a, (void **)&b->deg, &b->deg_cap, off_cap, sizeof(uint32_t))) != OG_OK) {
    goto fail; /* room for the offsets in place, below */
  }
  rc = b->trust_ids ? OG_OK /* the graph indexes them on demand */
       : job        ? og__idjob_finish(job, &g->ids)
                    : og__idmap_build(&g->ids, a, b->nodes.id, b->nodes.count, b->defer_ids);
  job = NULL;
  if (rc != OG_OK) goto fail;
  /* nothing below can fail */
  size_t cap = b->nedges;
  g->dst_cap = g->meta_cap = cap;
  if (!b->esrc) { /* already in CSR order: hand the arrays over, trimmed when possible */
    dst = b->edst;
    meta = b->emeta;
    g->dst_cap = g->meta_cap = b->ecap;
    if (b->ecap > cap && cap) {
      og_index *d2 = og__realloc(a, dst, b->ecap * sizeof(og_index), cap * sizeof(og_index));
      uint32_t *m2 = og__realloc(a, meta, b->ecap * sizeof(uint32_t), cap * sizeof(uint32_t));
      if (d2) dst = d2, g->dst_cap = cap;
      if (m2) meta = m2, g->meta_cap = cap;
    }
    b->edst = NULL;
    b->emeta = NULL;
    b->ecap = 0;
  }
  if (!off) off = offsets_in_place(b, &off_cap);
  g->alloc = b->alloc;
  g->out_off = off;
  g->off_cap = off_cap;
  g->out_dst = dst;
  g->out_meta = meta;
  g->nedges = b->nedges;
  og__free(a, b->deg, b->deg_cap * sizeof(uint32_t));
  b->deg = NULL;
  b->deg_cap = 0;
  og__nodes_shrink(&b->nodes, a);
  g->nodes = b->nodes;
  og__bmap_free(&b->ids, a);
  g->strs = b->strs;
  g->types = b->types;
  memset(&b->nodes, 0, sizeof b->nodes);
  memset(&b->strs, 0, sizeof b->strs);
  memset(&b->types, 0, sizeof b->types);
  free_edges(b);
  b->defer_ids = b->trust_ids = b->defer_strs = false;
  *out = g;
  return OG_OK;
fail:
  if (job) og__idjob_cancel(job);
  if (b->esrc) { /* sorted copies made above; the builder keeps its own */
    og__free(a, dst, b->nedges * sizeof(og_index));
    og__free(a, meta, b->nedges * sizeof(uint32_t));
  }
  og__free(a, off, ((size_t)b->nodes.count + 1) * sizeof(uint32_t));
  og__free(a, g, sizeof *g);
  return rc;
}
