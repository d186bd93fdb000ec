/* Private pieces shared by subgraph.c and the emitters: a chunked output sink, text escaping
 * (objgraph's DOT quote, JSON strings; both repair invalid UTF-8), an index hash set, and the
 * og_emitter state the DOT and JSON event handlers share. */
#ifndef OG_EMIT_COMMON_H
#define OG_EMIT_COMMON_H

#include "graph_impl.h"
#include "og/buf.h"
#include "og/emit.h"

/* ---- output sink --------------------------------------------------------------------------- */

#define OG__OUT_CHUNK 65536

/* Bytes gather in buf and go to write in chunks; with write NULL they only accumulate (an
   in-memory buffer). err sticks: after a failure every put returns it again. */
typedef struct og__out {
  og_write_fn write;
  void *payload;
  char *buf;
  size_t len, cap;
  int err;
} og__out;

void og__out_init(og__out *o, og_write_fn write, void *payload);
int og__out_put(og__out *o, const char *s, size_t n);
int og__out_str(og__out *o, const char *s); /* NUL-terminated */
int og__out_u64(og__out *o, uint64_t v);
/* Decimal digits of v written backwards ending just before end (at most 20); returns the first. */
char *og__u64_dec(char *end, uint64_t v);
/* og__out_put of a string literal, its length known at compile time. */
#define OG__OUT_LIT(o, lit) og__out_put((o), (lit), sizeof(lit) - 1)
int og__out_flush(og__out *o);
void og__out_free(og__out *o);
/* An og_write_fn over an og__out (payload: the og__out). */
int og__out_write(void *out, const char *s, size_t n);

/* ---- escaping (each writes through put(p, ...)) --------------------------------------------- */

/* objgraph's _quote, with invalid UTF-8 replaced by U+FFFD. */
int og__dot_quote(og_write_fn put, void *p, const char *s, size_t n);
/* A JSON string literal with its quotes. */
int og__json_string(og_write_fn put, void *p, const char *s, size_t n);
/* True when s is an ASCII identifier ([a-zA-Z_][a-zA-Z_0-9]*), objgraph's _is_identifier. */
bool og__is_identifier(const char *s, size_t n);

/* ---- index set with a few state bits per index --------------------------------------------- */

/* A hash set while small; once it holds universe/32 indices it turns into a dense byte array of
   universe entries (growing past it on demand), so lookups in a large traversal are one byte
   read, and the O(universe) conversion stays within 32x the indices added: O(added) overall.
   universe: the caller's current node count (0: stay a hash set), updated as it grows. */
typedef struct og__idxset {
  og_index *keys; /* OG_INDEX_NONE = empty */
  uint8_t *vals;
  size_t cap; /* power of two, or 0 */
  size_t count;
  uint8_t *dense; /* non-NULL once dense: dense_cap entries */
  size_t dense_cap;
  size_t universe;
} og__idxset;

static inline unsigned og__idxset_get_hashed(const og__idxset *s, og_index k) {
  if (!s->cap) return 0;
  for (size_t j = (size_t)og__mix64(k) & (s->cap - 1);; j = (j + 1) & (s->cap - 1)) {
    if (s->keys[j] == k) return s->vals[j];
    if (s->keys[j] == OG_INDEX_NONE) return 0;
  }
}

/* State bits of k, 0 when absent. */
static inline unsigned og__idxset_get(const og__idxset *s, og_index k) {
  if (s->dense) return k < s->dense_cap ? s->dense[k] : 0;
  return og__idxset_get_hashed(s, k);
}
int og__idxset_add(og__idxset *s, const og_allocator *a, og_index k, unsigned bits); /* OR */
void og__idxset_free(og__idxset *s, const og_allocator *a);

/* ---- the emitter ---------------------------------------------------------------------------- */

enum { EMIT_WANT_BEGIN = 0, EMIT_RUNNING, EMIT_DONE, EMIT_FAILED };

/* A formatted "%g,%g,%g" colour for one depth: BFS emits depths in order, so one entry per
   variant (node plain/module/highlight/both, too-many) saves nearly every snprintf. */
typedef struct og__colour {
  bool ok;
  uint32_t depth;
  double v;
  size_t len;
  char text[80];
} og__colour;

struct og_emitter {
  og__out out;
  const og_graph *g;
  og_emit_decorator dec;
  og_emit_options opts;
  og_buf scratch; /* decorator callbacks write here */
  og_buf scratch2;
  int state;
  og_dir dir;
  uint32_t max_depth;
  uint64_t too_many;
  size_t nodes; /* NODE events */
  og__colour colours[5];
  /* JSON subgraph only */
  og__out links;   /* buffered until END */
  og__idxset seen; /* nodes written, starts */
  int node_open;   /* the last node object is still open: 1, or 2 once it got its "more" */
  og_index open_node;
  size_t nlinks;
};

/* Node presentation through the decorator or the graph. */
int og__emit_node_id(og_emitter *e, og_index node, og_id *out);
/* Raw label into e->scratch (emptied first). */
int og__emit_node_label(og_emitter *e, og_index node);
/* The packed meta of the first out-edge source -> target, or OG_SUBGRAPH_NO_META. */
uint32_t og__emit_find_meta(const og_graph *g, og_index source, og_index target);
/* Name of an edge kind for JSON ("attr", ...); NULL for kinds without a name. */
const char *og__emit_kind_name(unsigned kind);

int og__emit_dot_event(og_emitter *e, const og_subgraph_event *ev);
int og__emit_json_event(og_emitter *e, const og_subgraph_event *ev);

#endif
