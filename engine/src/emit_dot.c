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
  int n = snprintf(tmp, sizeof tmp, "\",weight=%d]", weight);
  return og_buf_put(out, tmp, (size_t)n);
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

static int put_hsv(og__out *o, hsv c) {
  char tmp[96];
  int n = snprintf(tmp, sizeof tmp, "%g,%g,%g", c.h, c.s, c.v);
  return og__out_put(o, tmp, (size_t)n);
}

/* ---- event handlers -------------------------------------------------------------------------- */

static int put_id(og_emitter *e, og_index node) {
  og_id id;
  OG_TRY(og__emit_node_id(e, node, &id));
  OG_TRY(og__out_put(&e->out, "o", 1));
  return og__out_u64(&e->out, id);
}

/* "  <prefix>o<id><suffix>" */
static int put_id_line(og_emitter *e, const char *prefix, og_index node, const char *suffix) {
  OG_TRY(og__out_str(&e->out, prefix));
  OG_TRY(put_id(e, node));
  return og__out_str(&e->out, suffix);
}

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
  og_id id;
  OG_TRY(og__emit_node_id(e, t, &id));
  OG_TRY(og__emit_node_label(e, t));
  e->scratch2.size = 0;
  if (e->dec.node_attrs) {
    int rc = e->dec.node_attrs(e->dec.payload, t, &e->scratch2);
    if (rc < 0) return og__fail(rc, "emit: the node_attrs callback failed on node %u", t);
  }
  int flags = node_flags(e, t);
  if (flags < 0) return flags;
  og__out *o = &e->out;
  OG_TRY(put_id_line(e, "  ", t, "[label=\""));
  OG_TRY(og__dot_quote(og__out_write, o, e->scratch.ptr, e->scratch.size));
  OG_TRY(og__out_put(o, "\"", 1));
  OG_TRY(og__out_put(o, e->scratch2.ptr, e->scratch2.size));
  OG_TRY(og__out_put(o, "];\n", 3));
  hsv c = gradient((hsv){0, 0, 1}, (hsv){0, 0, .3}, ev->depth, e->max_depth);
  if (flags & OG_EMIT_MODULE) c.h = .3, c.s = 1;
  if ((flags & OG_EMIT_HIGHLIGHT) || (ev->flags & OG_SUBGRAPH_HIGHLIGHT))
    c.h = .6, c.s = .6, c.v = 0.5 + c.v * 0.5;
  OG_TRY(put_id_line(e, "  ", t, "[fillcolor=\""));
  OG_TRY(put_hsv(o, c));
  OG_TRY(og__out_put(o, "\"];\n", 4));
  if (c.v < 0.5) OG_TRY(put_id_line(e, "  ", t, "[fontcolor=white];\n"));
  if (flags & OG_EMIT_HAS_DEL) {
    OG_TRY(put_id_line(e, "  ", t, "->"));
    OG_TRY(put_id_line(e, "", t, "_has_a_del[color=red,style=dotted,len=0.25,weight=10];\n"));
    OG_TRY(put_id_line(e, "  ", t,
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
  OG_TRY(put_id_line(e, "  ", ev->node, " -> "));
  OG_TRY(put_id(e, ev->target));
  OG_TRY(og__out_put(&e->out, e->scratch.ptr, e->scratch.size));
  return og__out_put(&e->out, ";\n", 2);
}

static int too_many_event(og_emitter *e, const og_subgraph_event *ev) {
  og_index t = ev->node;
  og__out *o = &e->out;
  static const char attrs[] = "[color=red,style=dotted,len=0.25,weight=10];\n";
  if (e->dir == OG_DIR_OUT) {
    OG_TRY(put_id_line(e, "  ", t, "->too_many_"));
    OG_TRY(put_id_line(e, "", t, attrs));
  } else {
    OG_TRY(put_id_line(e, "  too_many_", t, "->"));
    OG_TRY(put_id_line(e, "", t, attrs));
  }
  OG_TRY(put_id_line(e, "  too_many_", t, "[label=\""));
  OG_TRY(og__out_u64(o, ev->count));
  OG_TRY(og__out_str(o, e->dir == OG_DIR_OUT ? " more references" : " more backreferences"));
  OG_TRY(og__out_str(o, "\",shape=box,height=0.25,color=red,fillcolor=\""));
  OG_TRY(put_hsv(o, gradient((hsv){0, 1, 1}, (hsv){0, 1, .3}, ev->depth + 1, e->max_depth)));
  OG_TRY(og__out_str(o, "\",fontsize=6];\n"));
  return put_id_line(e, "  too_many_", t, "[fontcolor=white];\n");
}

int og__emit_dot_event(og_emitter *e, const og_subgraph_event *ev) {
  switch (ev->kind) {
    case OG_SUBGRAPH_BEGIN:
      return og__out_str(&e->out,
                         "digraph ObjectGraph {\n  node[shape=box, style=filled, fillcolor=white];\n");
    case OG_SUBGRAPH_START: return put_id_line(e, "  ", ev->node, "[fontcolor=red];\n");
    case OG_SUBGRAPH_NODE: return node_event(e, ev);
    case OG_SUBGRAPH_EDGE: return edge_event(e, ev);
    case OG_SUBGRAPH_TOO_MANY: return too_many_event(e, ev);
    default: return og__out_str(&e->out, "}\n");
  }
}
