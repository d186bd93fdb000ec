/* Output sink, escaping, index set and the og_emitter life cycle shared by the DOT and JSON
 * emitters. */
#include <string.h>

#include "emit_common.h"

/* ---- output sink --------------------------------------------------------------------------- */

void og__out_init(og__out *o, og_write_fn write, void *payload) {
  memset(o, 0, sizeof *o);
  o->write = write;
  o->payload = payload;
}

int og__out_flush(og__out *o) {
  if (o->err) return o->err;
  if (!o->write || !o->len) return OG_OK;
  int rc = o->write(o->payload, o->buf, o->len);
  o->len = 0;
  if (rc != OG_OK) {
    o->err = rc;
    return og__fail(rc, "emit: the write callback failed with %d", rc);
  }
  return OG_OK;
}

static int out_reserve(og__out *o, size_t need) {
  if (need <= o->cap) return OG_OK;
  size_t cap = o->cap ? o->cap : (o->write ? OG__OUT_CHUNK : 4096);
  while (cap < need) {
    if (cap > SIZE_MAX / 2) return o->err = og__fail(OG_ELIMIT, "emit: output over SIZE_MAX");
    cap *= 2;
  }
  char *p = og__realloc(og_allocator_default(), o->buf, o->cap, cap);
  if (!p) return o->err = og__fail(OG_ENOMEM, "emit: out of memory for a %zu-byte buffer", cap);
  o->buf = p;
  o->cap = cap;
  return OG_OK;
}

int og__out_put(og__out *o, const char *s, size_t n) {
  if (o->err) return o->err;
  if (o->write && o->len + n > OG__OUT_CHUNK) {
    OG_TRY(og__out_flush(o));
    if (n >= OG__OUT_CHUNK) { /* large piece: straight through */
      int rc = o->write(o->payload, s, n);
      if (rc != OG_OK) return o->err = og__fail(rc, "emit: the write callback failed with %d", rc);
      return OG_OK;
    }
  }
  if (o->len + n > o->cap) OG_TRY(out_reserve(o, o->len + n));
  if (n) memcpy(o->buf + o->len, s, n);
  o->len += n;
  return OG_OK;
}

int og__out_str(og__out *o, const char *s) { return og__out_put(o, s, strlen(s)); }

char *og__u64_dec(char *end, uint64_t v) {
  static const char pairs[] =
      "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
      "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
      "8081828384858687888990919293949596979899";
  char *p = end;
  while (v >= 100) {
    unsigned r = (unsigned)(v % 100);
    v /= 100;
    *--p = pairs[2 * r + 1];
    *--p = pairs[2 * r];
  }
  if (v >= 10) {
    *--p = pairs[2 * v + 1];
    *--p = pairs[2 * v];
  } else {
    *--p = (char)('0' + v);
  }
  return p;
}

int og__out_u64(og__out *o, uint64_t v) {
  char tmp[24];
  char *p = og__u64_dec(tmp + sizeof tmp, v);
  return og__out_put(o, p, (size_t)(tmp + sizeof tmp - p));
}

void og__out_free(og__out *o) {
  if (o->buf) og__free(og_allocator_default(), o->buf, o->cap);
  o->buf = NULL;
  o->len = o->cap = 0;
}

int og__out_write(void *out, const char *s, size_t n) { return og__out_put(out, s, n); }

/* ---- UTF-8 repair and escaping ------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s (Unicode table 3-7) as a positive number, or
   minus the length of its maximal invalid subpart (as Python's errors="replace" counts). */
static int utf8_seq(const unsigned char *s, size_t n) {
  unsigned c = s[0];
  if (c < 0x80) return 1;
  int need;
  unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) need = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    need = 3;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 4;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
  } else
    return -1;
  for (int k = 1; k < need; k++) {
    if ((size_t)k >= n || s[k] < lo || s[k] > hi) return -k;
    lo = 0x80;
    hi = 0xBF;
  }
  return need;
}

static const char REPLACEMENT[] = "\xEF\xBF\xBD";

/* Write s through put, replacing each ASCII byte for which esc() gives an escape and each
   invalid UTF-8 subpart by U+FFFD; clean runs go out in one call. special() is a cheap
   pre-test, inlined per format, so clean bytes cost one compare or two. */
typedef const char *(*escape_fn)(unsigned char c, char tmp[8]);

static inline int escape_text(og_write_fn put, void *p, const char *s, size_t n, escape_fn esc,
                              bool json) {
  const unsigned char *u = (const unsigned char *)s;
  size_t run = 0, i = 0;
  char tmp[8];
  while (i < n) {
    unsigned char c = u[i];
    bool special = c >= 0x80 || (json ? (c < 0x20 || c == '"' || c == '\\')
                                      : (c == '\\' || c == '"' || c == '\n' || c == 0));
    if (!special) {
      i++;
      continue;
    }
    const char *rep;
    size_t skip = 1;
    if (c < 0x80) {
      rep = esc(c, tmp);
    } else {
      int len = utf8_seq(u + i, n - i);
      if (len > 0) {
        i += (size_t)len;
        continue;
      }
      rep = REPLACEMENT;
      skip = (size_t)-len;
    }
    if (i > run) OG_TRY(put(p, s + run, i - run));
    OG_TRY(put(p, rep, strlen(rep)));
    i += skip;
    run = i;
  }
  if (n > run) OG_TRY(put(p, s + run, n - run));
  return OG_OK;
}

static const char *dot_escape(unsigned char c, char tmp[8]) {
  (void)tmp;
  switch (c) {
    case '\\': return "\\\\";
    case '"': return "\\\"";
    case '\n': return "\\n";
    default: return "\\\\0"; /* NUL: objgraph writes an escaped backslash and a 0 */
  }
}

static const char *json_escape(unsigned char c, char tmp[8]) {
  static const char hex[] = "0123456789abcdef";
  if (c == '"') return "\\\"";
  if (c == '\\') return "\\\\";
  memcpy(tmp, "\\u00", 4);
  tmp[4] = hex[c >> 4];
  tmp[5] = hex[c & 15];
  tmp[6] = '\0';
  return tmp;
}

int og__dot_quote(og_write_fn put, void *p, const char *s, size_t n) {
  return escape_text(put, p, s, n, dot_escape, false);
}

int og__json_string(og_write_fn put, void *p, const char *s, size_t n) {
  OG_TRY(put(p, "\"", 1));
  OG_TRY(escape_text(put, p, s, n, json_escape, true));
  return put(p, "\"", 1);
}

bool og__is_identifier(const char *s, size_t n) {
  if (n == 0) return false;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!alpha && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

/* ---- index set ------------------------------------------------------------------------------ */

static size_t slot_of(og_index k, size_t cap) { return (size_t)og__mix64(k) & (cap - 1); }

static int idxset_rehash(og__idxset *s, const og_allocator *a, size_t ncap) {
  og_index *keys = og__alloc(a, ncap * sizeof *keys);
  uint8_t *vals = og__alloc(a, ncap);
  if (!keys || !vals) {
    if (keys) og__free(a, keys, ncap * sizeof *keys);
    if (vals) og__free(a, vals, ncap);
    return og__fail(OG_ENOMEM, "out of memory for a %zu-slot node set", ncap);
  }
  memset(keys, 0xFF, ncap * sizeof *keys);
  for (size_t i = 0; i < s->cap; i++) {
    if (s->keys[i] == OG_INDEX_NONE) continue;
    size_t j = slot_of(s->keys[i], ncap);
    while (keys[j] != OG_INDEX_NONE) j = (j + 1) & (ncap - 1);
    keys[j] = s->keys[i];
    vals[j] = s->vals[i];
  }
  if (s->keys) og__free(a, s->keys, s->cap * sizeof *s->keys);
  if (s->vals) og__free(a, s->vals, s->cap);
  s->keys = keys;
  s->vals = vals;
  s->cap = ncap;
  return OG_OK;
}

/* Dense storage covering index k (at least universe entries), new entries zero. */
static int idxset_dense_cover(og__idxset *s, const og_allocator *a, size_t k) {
  size_t ncap = s->dense_cap ? s->dense_cap * 2 : 0;
  if (ncap < s->universe) ncap = s->universe;
  if (ncap <= k) ncap = k + 1;
  uint8_t *d = og__realloc(a, s->dense, s->dense_cap, ncap);
  if (!d) return og__fail(OG_ENOMEM, "out of memory for a %zu-entry node set", ncap);
  memset(d + s->dense_cap, 0, ncap - s->dense_cap);
  s->dense = d;
  s->dense_cap = ncap;
  return OG_OK;
}

/* Move the hashed entries into a dense array and drop the hash table. */
static int idxset_densify(og__idxset *s, const og_allocator *a) {
  OG_TRY(idxset_dense_cover(s, a, 0));
  for (size_t i = 0; i < s->cap; i++) {
    if (s->keys[i] == OG_INDEX_NONE) continue;
    if (s->keys[i] >= s->dense_cap) OG_TRY(idxset_dense_cover(s, a, s->keys[i]));
    s->dense[s->keys[i]] = s->vals[i];
  }
  og__free(a, s->keys, s->cap * sizeof *s->keys);
  og__free(a, s->vals, s->cap);
  s->keys = NULL;
  s->vals = NULL;
  s->cap = 0;
  return OG_OK;
}

int og__idxset_add(og__idxset *s, const og_allocator *a, og_index k, unsigned bits) {
  if (!s->dense && s->universe && s->count >= s->universe / 32 && s->count >= 64)
    OG_TRY(idxset_densify(s, a));
  if (s->dense) {
    if (k >= s->dense_cap) OG_TRY(idxset_dense_cover(s, a, k));
    s->count += s->dense[k] == 0;
    s->dense[k] |= (uint8_t)bits;
    return OG_OK;
  }
  if ((s->count + 1) * 2 > s->cap) OG_TRY(idxset_rehash(s, a, s->cap ? s->cap * 2 : 64));
  size_t j = slot_of(k, s->cap);
  while (s->keys[j] != OG_INDEX_NONE && s->keys[j] != k) j = (j + 1) & (s->cap - 1);
  if (s->keys[j] == OG_INDEX_NONE) {
    s->keys[j] = k;
    s->vals[j] = 0;
    s->count++;
  }
  s->vals[j] |= (uint8_t)bits;
  return OG_OK;
}

void og__idxset_free(og__idxset *s, const og_allocator *a) {
  if (s->keys) og__free(a, s->keys, s->cap * sizeof *s->keys);
  if (s->vals) og__free(a, s->vals, s->cap);
  if (s->dense) og__free(a, s->dense, s->dense_cap);
  memset(s, 0, sizeof *s);
}

/* ---- node presentation shared by both formats --------------------------------------------- */

static int check_node(const og_emitter *e, og_index node) {
  if (e->g && node >= e->g->nodes.count)
    return og__fail(OG_EINVALID, "emit: node %u is out of range (the graph has %u nodes)", node,
                    e->g->nodes.count);
  return OG_OK;
}

int og__emit_node_id(og_emitter *e, og_index node, og_id *out) {
  if (e->dec.node_id) {
    int rc = e->dec.node_id(e->dec.payload, node, out);
    if (rc < 0) return og__fail(rc, "emit: the node_id callback failed on node %u", node);
    return OG_OK;
  }
  OG_TRY(check_node(e, node));
  *out = e->g ? e->g->nodes.id[node] : (og_id)node;
  return OG_OK;
}

int og__emit_node_label(og_emitter *e, og_index node) {
  e->scratch.size = 0;
  if (e->dec.node_label) {
    int rc = e->dec.node_label(e->dec.payload, node, &e->scratch);
    if (rc < 0) return og__fail(rc, "emit: the node_label callback failed on node %u", node);
    return OG_OK;
  }
  OG_TRY(check_node(e, node));
  if (!e->g) return OG_OK;
  size_t len = 0;
  const char *t = og_graph_type_name(e->g, e->g->nodes.type[node], e->opts.long_names, &len);
  if (t) OG_TRY(og_buf_put(&e->scratch, t, len));
  og_str l = e->g->nodes.label[node];
  const char *s = l == OG_STR_NONE ? NULL : og_graph_str(e->g, l, &len);
  if (s) {
    OG_TRY(og_buf_put(&e->scratch, "\n", 1));
    OG_TRY(og_buf_put(&e->scratch, s, len));
  }
  return OG_OK;
}

uint32_t og__emit_find_meta(const og_graph *g, og_index source, og_index target) {
  if (!g || source >= g->nodes.count || !g->out_dst) return OG_SUBGRAPH_NO_META;
  for (uint32_t k = g->out_off[source]; k < g->out_off[source + 1]; k++)
    if (g->out_dst[k] == target) return g->out_meta ? g->out_meta[k] : OG_SUBGRAPH_NO_META;
  return OG_SUBGRAPH_NO_META;
}

const char *og__emit_kind_name(unsigned kind) {
  static const char *const names[] = {"other", "attr", "dict_key", "dict_value", "index",
                                      "cell",  "weak", "type",     "dict",       "element",
                                      "local", "globals"};
  return kind < sizeof names / sizeof names[0] ? names[kind] : NULL;
}

/* ---- emitter life cycle --------------------------------------------------------------------- */

int og_emit_new(og_emitter **out, const og_graph *g, const og_emit_decorator *dec,
                const og_emit_options *opts, og_write_fn write, void *wpayload) {
  OG_ASSERT_ARG(out != NULL);
  *out = NULL;
  OG_ASSERT_ARG(write != NULL);
  og_emit_decorator ddef = OG_EMIT_DECORATOR_INIT;
  og_emit_options odef = OG_EMIT_OPTIONS_INIT;
  if (!dec) dec = &ddef;
  if (!opts) opts = &odef;
  if (dec->version != OG_EMIT_DECORATOR_VERSION)
    return og__fail(OG_EINVALID, "og_emit_decorator.version is %u, expected %u", dec->version,
                    OG_EMIT_DECORATOR_VERSION);
  if (opts->version != OG_EMIT_OPTIONS_VERSION)
    return og__fail(OG_EINVALID, "og_emit_options.version is %u, expected %u", opts->version,
                    OG_EMIT_OPTIONS_VERSION);
  if (opts->format != OG_EMIT_DOT && opts->format != OG_EMIT_JSON)
    return og__fail(OG_EINVALID, "og_emit_options.format is %d, expected OG_EMIT_DOT or OG_EMIT_JSON",
                    (int)opts->format);
  og_emitter *e = og__alloc(og_allocator_default(), sizeof *e);
  if (e) memset(e, 0, sizeof *e);
  if (!e) return og__fail(OG_ENOMEM, "emit: out of memory for an emitter");
  og__out_init(&e->out, write, wpayload);
  og__out_init(&e->links, NULL, NULL);
  e->g = g;
  e->seen.universe = g ? g->nodes.count : 0;
  e->dec = *dec;
  e->opts = *opts;
  e->state = EMIT_WANT_BEGIN;
  *out = e;
  return OG_OK;
}

void og_emit_free(og_emitter *e) {
  if (!e) return;
  og__out_free(&e->out);
  og__out_free(&e->links);
  og__idxset_free(&e->seen, og_allocator_default());
  og_buf_dispose(&e->scratch);
  og_buf_dispose(&e->scratch2);
  og__free(og_allocator_default(), e, sizeof *e);
}

size_t og_emit_node_count(const og_emitter *e) { return e ? e->nodes : 0; }

static int check_order(const og_emitter *e, const og_subgraph_event *ev) {
  if (e->state == EMIT_FAILED)
    return og__fail(OG_EINVALID, "emit: the emitter already failed; create a new one");
  bool begin = ev->kind == OG_SUBGRAPH_BEGIN;
  if ((e->state == EMIT_WANT_BEGIN) != begin || e->state == EMIT_DONE)
    return og__fail(OG_EINVALID, "emit: event %u out of order (BEGIN first, END last, one stream)",
                    ev->kind);
  if (ev->kind < OG_SUBGRAPH_BEGIN || ev->kind > OG_SUBGRAPH_END)
    return og__fail(OG_EINVALID, "emit: unknown event kind %u", ev->kind);
  return OG_OK;
}

int og_emit_visit(void *emitter, const og_subgraph_event *ev) {
  og_emitter *e = emitter;
  OG_ASSERT_ARG(e != NULL && ev != NULL);
  OG_TRY(check_order(e, ev));
  if (ev->kind == OG_SUBGRAPH_BEGIN) {
    e->dir = ev->dir;
    e->max_depth = ev->max_depth;
    e->too_many = ev->count;
    e->state = EMIT_RUNNING;
  }
  if (ev->kind == OG_SUBGRAPH_NODE) e->nodes++;
  int rc = e->opts.format == OG_EMIT_DOT ? og__emit_dot_event(e, ev) : og__emit_json_event(e, ev);
  if (rc == OG_OK && ev->kind == OG_SUBGRAPH_END) rc = og__out_flush(&e->out);
  if (rc != OG_OK) e->state = EMIT_FAILED;
  else if (ev->kind == OG_SUBGRAPH_END) e->state = EMIT_DONE;
  return rc;
}

int og_emit_subgraph(size_t *nodes_out, const og_walker *w, const og_index *starts,
                     size_t nstarts, const og_subgraph_options *sg, const og_graph *g,
                     const og_emit_decorator *dec, const og_emit_options *opts, og_write_fn write,
                     void *wpayload) {
  if (nodes_out) *nodes_out = 0;
  og_emitter *e = NULL;
  OG_TRY(og_emit_new(&e, g, dec, opts, write, wpayload));
  int rc = og_subgraph_run(w, starts, nstarts, sg, og_emit_visit, e);
  if (rc == OG_OK && nodes_out) *nodes_out = e->nodes;
  og_emit_free(e);
  return rc;
}
