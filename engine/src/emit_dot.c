/* objgraph's DOT output, byte for byte, from subgraph events (see og/emit.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_common.h"

/* ---- public formatting helpers ------------------------------------------------------------- */

int og_emit_dot_quote(og_buf *out, const char *s, size_t len) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(s != NULL || len == 0);
  return og__dot_quote(og_buf_write, out, s, len);
}

int og_emit_dot_edge_label(og_buf *out, const char *label, size_t len, int weight) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(label != NULL || len == 0);
  OG_TRY(og_buf_put(out, " [label=\"", 9));
  OG_TRY(og__dot_quote(og_buf_write, out, label, len));
  if (weight < 0) return og_buf_put(out, "\"]", 2);
  char tmp[32];
  tmp[sizeof tmp - 1] = ']';
  char *p = og__u64_dec(tmp + sizeof tmp - 1, (uint64_t)weight) - 9;
  memcpy(p, "\",weight=", 9);
  return og_buf_put(out, p, (size_t)(tmp + sizeof tmp - p));
}

typedef struct attr_ref {
  const char *key;
  size_t klen;
  size_t pos; /* tie-break: equal keys keep their input order */
} attr_ref;

static int attr_cmp(const void *pa, const void *pb) {
  const attr_ref *a = pa, *b = pb;
  size_t n = a->klen < b->klen ? a->klen : b->klen;
  int c = n ? memcmp(a->key, b->key, n) : 0;
  if (c) return c;
  if (a->klen != b->klen) return a->klen < b->klen ? -1 : 1;
  return a->pos < b->pos ? -1 : a->pos > b->pos;
}

int og_emit_dot_attrs(og_buf *out, const char *const *keys, const size_t *key_lens,
                      const char *const *values, const size_t *value_lens, size_t n) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(n == 0 || (keys != NULL && values != NULL));
  for (size_t i = 0; i < n; i++)
    if (!keys[i]) return og__fail(OG_EINVALID, "og_emit_dot_attrs: keys[%zu] is NULL", i);
  const og_allocator *a = og_allocator_default();
  size_t bytes;
  if (!og__mul_ok(n, sizeof(attr_ref), &bytes))
    return og__fail(OG_ELIMIT, "og_emit_dot_attrs: %zu attributes are too many", n);
  attr_ref *refs = n ? og__alloc(a, bytes) : NULL;
  if (n && !refs) return og__fail(OG_ENOMEM, "og_emit_dot_attrs: out of memory");
  for (size_t i = 0; i < n; i++)
    refs[i] = (attr_ref){keys[i], key_lens ? key_lens[i] : strlen(keys[i]), i};
  if (n > 1) qsort(refs, n, sizeof *refs, attr_cmp);
  int rc = og_buf_put(out, ", ", 2);
  bool first = true;
  for (size_t i = 0; i < n && rc == OG_OK; i++) {
    size_t k = refs[i].pos;
    if (!values[k]) continue; /* objgraph drops None values */
    size_t vlen = value_lens ? value_lens[k] : strlen(values[k]);
    if (!first) rc = og_buf_put(out, ", ", 2);
    first = false;
    if (rc == OG_OK) rc = og_buf_put(out, refs[i].key, refs[i].klen);
    if (rc == OG_OK) rc = og_buf_put(out, "=\"", 2);
    if (rc == OG_OK) rc = og__dot_quote(og_buf_write, out, values[k], vlen);
    if (rc == OG_OK) rc = og_buf_put(out, "\"", 1);
  }
  if (refs) og__free(a, refs, bytes);
  return rc;
}

/* ---- colours: objgraph's _gradient and %g --------------------------------------------------- */

typedef struct hsv {
  double h, s, v;
} hsv;

/* Linear interpolation at depth/max_depth, evaluated as Python does: each product rounded on its
   own (volatile keeps the compiler from fusing a*b+c into one FMA rounding). */
static hsv gradient(hsv from, hsv to, uint32_t depth, uint32_t max_depth) {
  if (max_depth == 0) return from;
  volatile double f = (double)depth / (double)max_depth;
  volatile double g = 1.0 - f;
  volatile double h1 = from.h * g, h2 = to.h * f;
  volatile double s1 = from.s * g, s2 = to.s * f;
  volatile double v1 = from.v * g, v2 = to.v * f;
  return (hsv){h1 + h2, s1 + s2, v1 + v2};
}

/* The colour of variant slot at depth, formatted once per depth (see og__colour). */
static const og__colour *colour(og_emitter *e, unsigned slot, uint32_t depth) {
  og__colour *c = &e->colours[slot];
  if (c->ok && c->depth == depth) return c;
  hsv x = slot == 4 ? gradient((hsv){0, 1, 1}, (hsv){0, 1, .3}, depth, e->max_depth)
                    : gradient((hsv){0, 0, 1}, (hsv){0, 0, .3}, depth, e->max_depth);
  if (slot < 4 && (slot & 1)) x.h = .3, x.s = 1; /* module */
  if (slot < 4 && (slot & 2)) x.h = .6, x.s = .6, x.v = 0.5 + x.v * 0.5; /* highlight wins */
  int n = snprintf(c->text, sizeof c->text, "%g,%g,%g", x.h, x.s, x.v);
  c->len = n > 0 && (size_t)n < sizeof c->text ? (size_t)n : 0;
  c->v = x.v;
  c->depth = depth;
  c->ok = true;
  return c;
}

/* ---- event handlers -------------------------------------------------------------------------- */

/* "o<id>" of a node, formatted once per event. */
typedef struct idstr {
  size_t n;
  char s[24];
} idstr;

static int fmt_id(idstr *out, og_emitter *e, og_index node) {
  og_id id;
  OG_TRY(og__emit_node_id(e, node, &id));
  char tmp[24];
  char *p = og__u64_dec(tmp + sizeof tmp, id);
  size_t n = (size_t)(tmp + sizeof tmp - p);
  out->s[0] = 'o';
  memcpy(out->s + 1, p, n);
  out->n = 1 + n;
  return OG_OK;
}

/* prefix, id, suffix (lengths given: called with literals through put_id_line) */
static int put_id_parts(og__out *o, const char *prefix, size_t plen, const idstr *id,
                        const char *suffix, size_t slen) {
  OG_TRY(og__out_put(o, prefix, plen));
  OG_TRY(og__out_put(o, id->s, id->n));
  return og__out_put(o, suffix, slen);
}
#define put_id_line(o, prefix, id, suffix) \
  put_id_parts((o), (prefix), sizeof(prefix) - 1, (id), (suffix), sizeof(suffix) - 1)

static int node_flags(og_emitter *e, og_index node) {
  if (e->dec.node_flags) {
    int r = e->dec.node_flags(e->dec.payload, node);
    if (r < 0) return og__fail(r, "emit: the node_flags callback failed on node %u", node);
    return r;
  }
  if (!e->g) return 0;
  if (node >= e->g->nodes.count)
    return og__fail(OG_EINVALID, "emit: node %u is out of range (the graph has %u nodes)", node,
                    e->g->nodes.count);
  uint32_t f = e->g->nodes.flags[node];
  return ((f & (OG_NODE_MODULE | OG_NODE_ANY_MODULE)) ? OG_EMIT_MODULE : 0) |
         ((f & OG_NODE_HAS_DEL) ? OG_EMIT_HAS_DEL : 0);
}

static int node_event(og_emitter *e, const og_subgraph_event *ev) {
  og_index t = ev->node;
  idstr id;
  OG_TRY(fmt_id(&id, e, t));
  OG_TRY(og__emit_node_label(e, t));
  e->scratch2.size = 0;
  if (e->dec.node_attrs) {
    int rc = e->dec.node_attrs(e->dec.payload, t, &e->scratch2);
    if (rc < 0) return og__fail(rc, "emit: the node_attrs callback failed on node %u", t);
  }
  int flags = node_flags(e, t);
  if (flags < 0) return flags;
  og__out *o = &e->out;
  OG_TRY(put_id_line(o, "  ", &id, "[label=\""));
  OG_TRY(og__dot_quote(og__out_write, o, e->scratch.ptr, e->scratch.size));
  OG_TRY(og__out_put(o, "\"", 1));
  OG_TRY(og__out_put(o, e->scratch2.ptr, e->scratch2.size));
  OG_TRY(og__out_put(o, "];\n", 3));
  bool hl = (flags & OG_EMIT_HIGHLIGHT) || (ev->flags & OG_SUBGRAPH_HIGHLIGHT);
  const og__colour *c = colour(e, ((flags & OG_EMIT_MODULE) ? 1u : 0u) | (hl ? 2u : 0u), ev->depth);
  OG_TRY(put_id_line(o, "  ", &id, "[fillcolor=\""));
  OG_TRY(og__out_put(o, c->text, c->len));
  OG_TRY(og__out_put(o, "\"];\n", 4));
  if (c->v < 0.5) OG_TRY(put_id_line(o, "  ", &id, "[fontcolor=white];\n"));
  if (flags & OG_EMIT_HAS_DEL) {
    OG_TRY(put_id_line(o, "  ", &id, "->"));
    OG_TRY(put_id_line(o, "", &id, "_has_a_del[color=red,style=dotted,len=0.25,weight=10];\n"));
    OG_TRY(put_id_line(o, "  ", &id,
                       "_has_a_del[label=\"__del__\",shape=doublecircle,height=0.25,color=red,"
                       "fillcolor=\"0,.5,1\",fontsize=6];\n"));
  }
  return OG_OK;
}

/* ` [label="key",weight=2]` for an identifier key or its str repr, else the repr (prefixed by
   "str\n" when it is a quoted str repr, as objgraph's "<type>\n<repr>"). */
static int dict_value_label(og_buf *b, const char *s, size_t n) {
  if (og__is_identifier(s, n)) return og_emit_dot_edge_label(b, s, n, 2);
  bool quoted = n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0];
  if (quoted && og__is_identifier(s + 1, n - 2)) return og_emit_dot_edge_label(b, s + 1, n - 2, 2);
  if (!quoted) return og_emit_dot_edge_label(b, s, n, -1);
  OG_TRY(og_buf_put(b, " [label=\"str\\n", 14));
  OG_TRY(og__dot_quote(og_buf_write, b, s, n));
  return og_buf_put(b, "\"]", 2);
}

/* The default edge fragment from the IR (see og_emit_decorator.edge_label). */
static int default_edge_label(og_emitter *e, og_index src, og_index dst, uint32_t meta) {
  og_buf *b = &e->scratch;
  if (meta == OG_SUBGRAPH_NO_META) meta = og__emit_find_meta(e->g, src, dst);
  if (meta == OG_SUBGRAPH_NO_META) return OG_OK;
  og_edge_kind kind = OG_META_KIND(meta);
  uint32_t label = OG_META_LABEL(meta);
  if (kind == OG_EDGE_DICT) return og_emit_dot_edge_label(b, "__dict__", 8, 10);
  if (label == OG_STR_NONE) return OG_OK;
  if (kind == OG_EDGE_INDEX) {
    char tmp[24];
    int n = snprintf(tmp, sizeof tmp, "[%u]", label);
    return og_emit_dot_edge_label(b, tmp, (size_t)n, -1);
  }
  size_t len = 0;
  const char *s = e->g ? og_graph_str(e->g, label, &len) : NULL;
  if (!s) return OG_OK;
  if (kind == OG_EDGE_DICT_VALUE) return dict_value_label(b, s, len);
  bool strong = kind == OG_EDGE_ATTR || kind == OG_EDGE_LOCAL || kind == OG_EDGE_GLOBALS;
  return og_emit_dot_edge_label(b, s, len, strong ? 10 : -1);
}

static int edge_event(og_emitter *e, const og_subgraph_event *ev) {
  e->scratch.size = 0;
  if (e->dec.edge_label) {
    int rc = e->dec.edge_label(e->dec.payload, ev->node, ev->target, ev->meta, &e->scratch);
    if (rc < 0) return og__fail(rc, "emit: the edge_label callback failed on %u -> %u", ev->node,
                                ev->target);
  } else {
    OG_TRY(default_edge_label(e, ev->node, ev->target, ev->meta));
  }
  idstr src, dst;
  OG_TRY(fmt_id(&src, e, ev->node));
  OG_TRY(fmt_id(&dst, e, ev->target));
  og__out *o = &e->out;
  OG_TRY(put_id_line(o, "  ", &src, " -> "));
  OG_TRY(og__out_put(o, dst.s, dst.n));
  OG_TRY(og__out_put(o, e->scratch.ptr, e->scratch.size));
  return og__out_put(o, ";\n", 2);
}

static int too_many_event(og_emitter *e, const og_subgraph_event *ev) {
  idstr id;
  OG_TRY(fmt_id(&id, e, ev->node));
  og__out *o = &e->out;
#define TOO_MANY_EDGE "[color=red,style=dotted,len=0.25,weight=10];\n"
  if (e->dir == OG_DIR_OUT) {
    OG_TRY(put_id_line(o, "  ", &id, "->too_many_"));
    OG_TRY(put_id_line(o, "", &id, TOO_MANY_EDGE));
  } else {
    OG_TRY(put_id_line(o, "  too_many_", &id, "->"));
    OG_TRY(put_id_line(o, "", &id, TOO_MANY_EDGE));
  }
  OG_TRY(put_id_line(o, "  too_many_", &id, "[label=\""));
  OG_TRY(og__out_u64(o, ev->count));
  OG_TRY(og__out_str(o, e->dir == OG_DIR_OUT ? " more references" : " more backreferences"));
  OG_TRY(OG__OUT_LIT(o, "\",shape=box,height=0.25,color=red,fillcolor=\""));
  const og__colour *c = colour(e, 4, ev->depth + 1);
  OG_TRY(og__out_put(o, c->text, c->len));
  OG_TRY(OG__OUT_LIT(o, "\",fontsize=6];\n"));
  return put_id_line(o, "  too_many_", &id, "[fontcolor=white];\n");
}

int og__emit_dot_event(og_emitter *e, const og_subgraph_event *ev) {
  switch (ev->kind) {
    case OG_SUBGRAPH_BEGIN:
      return og__out_str(&e->out,
                         "digraph ObjectGraph {\n  node[shape=box, style=filled, fillcolor=white];\n");
    case OG_SUBGRAPH_START: {
      idstr id;
      OG_TRY(fmt_id(&id, e, ev->node));
      return put_id_line(&e->out, "  ", &id, "[fontcolor=red];\n");
    }
    case OG_SUBGRAPH_NODE: return node_event(e, ev);
    case OG_SUBGRAPH_EDGE: return edge_event(e, ev);
    case OG_SUBGRAPH_TOO_MANY: return too_many_event(e, ev);
    default: return OG__OUT_LIT(&e->out, "}\n");
  }
}
