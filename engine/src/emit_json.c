/* Node-link JSON (networkx.node_link_graph) for a whole graph or a subgraph event stream; the
 * format is described in og/emit.h. */
#include <string.h>

#include "emit_common.h"

enum { JSON_WRITTEN = 1u, JSON_START = 2u };

/* `, "name": ` then a value; name is a literal, so the prefix length is known at compile time. */
#define KEY(name) ", \"" name "\": "

static int put_u64_after(og__out *o, const char *pre, size_t plen, uint64_t v) {
  OG_TRY(og__out_put(o, pre, plen));
  return og__out_u64(o, v);
}

static int put_str_after(og__out *o, const char *pre, size_t plen, const char *s, size_t n) {
  OG_TRY(og__out_put(o, pre, plen));
  return og__json_string(og__out_write, o, s, n);
}

#define put_key_u64(o, name, v) put_u64_after((o), KEY(name), sizeof(KEY(name)) - 1, (v))
#define put_key_str(o, name, s, n) put_str_after((o), KEY(name), sizeof(KEY(name)) - 1, (s), (n))

/* `"id": <id>, "index": <i>` */
static int put_id_index(og__out *o, og_id id, og_index i) {
  OG_TRY(OG__OUT_LIT(o, "{\"id\": "));
  OG_TRY(og__out_u64(o, id));
  return put_key_u64(o, "index", i);
}

/* The graph's fields of node i after id and index: type, long_type, size, flags, refcount and
   (when with_label) label. */
static int put_node_fields(og__out *o, const og_graph *g, og_index i, bool with_label) {
  og_node_info info;
  OG_TRY(og_graph_node(&info, g, i));
  size_t len = 0;
  const char *t = og_graph_type_name(g, info.type, 0, &len);
  if (t) OG_TRY(put_key_str(o, "type", t, len));
  t = og_graph_type_name(g, info.type, 1, &len);
  if (t) OG_TRY(put_key_str(o, "long_type", t, len));
  OG_TRY(put_key_u64(o, "size", info.size));
  OG_TRY(put_key_u64(o, "flags", info.flags));
  OG_TRY(put_key_u64(o, "refcount", info.refcount));
  const char *l = with_label && info.label != OG_STR_NONE ? og_graph_str(g, info.label, &len) : NULL;
  if (l) OG_TRY(put_key_str(o, "label", l, len));
  return OG_OK;
}

/* `"kind": ..., "label"|"index": ...` of a packed meta (nothing for OG_SUBGRAPH_NO_META). */
static int put_link_meta(og__out *o, const og_graph *g, uint32_t meta) {
  if (meta == OG_SUBGRAPH_NO_META) return OG_OK;
  unsigned kind = OG_META_KIND(meta);
  uint32_t label = OG_META_LABEL(meta);
  const char *name = og__emit_kind_name(kind);
  OG_TRY(OG__OUT_LIT(o, KEY("kind")));
  if (name) {
    OG_TRY(og__json_string(og__out_write, o, name, strlen(name)));
  } else {
    OG_TRY(OG__OUT_LIT(o, "\"kind"));
    OG_TRY(og__out_u64(o, kind));
    OG_TRY(OG__OUT_LIT(o, "\""));
  }
  if (label == OG_STR_NONE) return OG_OK;
  if (kind == OG_EDGE_INDEX) return put_key_u64(o, "index", label);
  size_t len = 0;
  const char *s = g ? og_graph_str(g, label, &len) : NULL;
  return s ? put_key_str(o, "label", s, len) : OG_OK;
}

static int put_link(og__out *o, const og_graph *g, og_id src, og_id dst, uint32_t meta) {
  OG_TRY(OG__OUT_LIT(o, "{\"source\": "));
  OG_TRY(og__out_u64(o, src));
  OG_TRY(OG__OUT_LIT(o, ", \"target\": "));
  OG_TRY(og__out_u64(o, dst));
  OG_TRY(put_link_meta(o, g, meta));
  return OG__OUT_LIT(o, "}");
}

static const char HEAD[] = "{\"directed\": true, \"multigraph\": true, \"graph\": {\"name\": \"ObjectGraph\"";

/* ---- whole graph ------------------------------------------------------------------------------ */

/* Array separators: "\n" before the first element, ",\n" before the others, "\n" before the
   closing bracket of a non-empty array. */
static int put_sep(og__out *o, bool first) { return og__out_str(o, first ? "\n" : ",\n"); }

static int json_graph(og__out *o, const og_graph *g) {
  og_index n = g->nodes.count;
  OG_TRY(og__out_str(o, HEAD));
  OG_TRY(OG__OUT_LIT(o, "}, \"nodes\": ["));
  for (og_index i = 0; i < n; i++) {
    OG_TRY(put_sep(o, i == 0));
    OG_TRY(put_id_index(o, g->nodes.id[i], i));
    OG_TRY(put_node_fields(o, g, i, true));
    OG_TRY(OG__OUT_LIT(o, "}"));
  }
  OG_TRY(og__out_str(o, n ? "\n], \"edges\": [" : "], \"edges\": ["));
  bool first = true;
  for (og_index i = 0; i < n; i++) {
    for (uint32_t k = g->out_off[i]; k < g->out_off[i + 1]; k++) {
      OG_TRY(put_sep(o, first));
      first = false;
      uint32_t meta = g->out_meta ? g->out_meta[k] : OG_SUBGRAPH_NO_META;
      OG_TRY(put_link(o, g, g->nodes.id[i], g->nodes.id[g->out_dst[k]], meta));
    }
  }
  OG_TRY(og__out_str(o, first ? "]}\n" : "\n]}\n"));
  return og__out_flush(o);
}

int og_emit_json_graph(const og_graph *g, const og_emit_options *opts, og_write_fn write,
                       void *wpayload) {
  OG_ASSERT_ARG(g != NULL && write != NULL);
  if (opts && opts->version != OG_EMIT_OPTIONS_VERSION)
    return og__fail(OG_EINVALID, "og_emit_options.version is %u, expected %u", opts->version,
                    OG_EMIT_OPTIONS_VERSION);
  og__out o;
  og__out_init(&o, write, wpayload);
  int rc = json_graph(&o, g);
  og__out_free(&o);
  return rc;
}

/* ---- subgraph events -------------------------------------------------------------------------- */

static int close_node(og_emitter *e) {
  if (!e->node_open) return OG_OK;
  e->node_open = 0;
  return OG__OUT_LIT(&e->out, "}");
}

static int json_node(og_emitter *e, const og_subgraph_event *ev) {
  og__out *o = &e->out;
  const og_allocator *a = og_allocator_default();
  unsigned state = og__idxset_get(&e->seen, ev->node);
  if (state & JSON_WRITTEN) return OG_OK; /* a repeated start: one node entry */
  og_id id;
  OG_TRY(og__emit_node_id(e, ev->node, &id));
  OG_TRY(og__idxset_add(&e->seen, a, ev->node, JSON_WRITTEN));
  OG_TRY(close_node(e));
  OG_TRY(put_sep(o, e->nodes == 1));
  OG_TRY(put_id_index(o, id, ev->node));
  if (e->g) OG_TRY(put_node_fields(o, e->g, ev->node, e->dec.node_label == NULL));
  if (e->dec.node_label) {
    e->scratch.size = 0;
    int rc = e->dec.node_label(e->dec.payload, ev->node, &e->scratch);
    if (rc < 0) return og__fail(rc, "emit: the node_label callback failed on node %u", ev->node);
    OG_TRY(put_key_str(o, "label", e->scratch.ptr, e->scratch.size));
  }
  OG_TRY(put_key_u64(o, "depth", ev->depth));
  if (state & JSON_START) OG_TRY(OG__OUT_LIT(o, ", \"start\": true"));
  if (ev->flags & OG_SUBGRAPH_HIGHLIGHT) OG_TRY(OG__OUT_LIT(o, ", \"highlight\": true"));
  e->node_open = 1;
  e->open_node = ev->node;
  return OG_OK;
}

static int json_edge(og_emitter *e, const og_subgraph_event *ev) {
  og_id src, dst;
  OG_TRY(og__emit_node_id(e, ev->node, &src));
  OG_TRY(og__emit_node_id(e, ev->target, &dst));
  uint32_t meta = ev->meta;
  if (meta == OG_SUBGRAPH_NO_META) meta = og__emit_find_meta(e->g, ev->node, ev->target);
  OG_TRY(put_sep(&e->links, e->nlinks++ == 0));
  return put_link(&e->links, e->g, src, dst, meta);
}

static int json_end(og_emitter *e) {
  og__out *o = &e->out;
  OG_TRY(close_node(e));
  OG_TRY(og__out_str(o, e->nodes ? "\n], \"edges\": [" : "], \"edges\": ["));
  OG_TRY(og__out_put(o, e->links.buf, e->links.len));
  return og__out_str(o, e->nlinks ? "\n]}\n" : "]}\n");
}

int og__emit_json_event(og_emitter *e, const og_subgraph_event *ev) {
  og__out *o = &e->out;
  switch (ev->kind) {
    case OG_SUBGRAPH_BEGIN:
      OG_TRY(og__out_str(o, HEAD));
      OG_TRY(put_key_str(o, "direction", ev->dir == OG_DIR_OUT ? "references" : "backreferences",
                         ev->dir == OG_DIR_OUT ? 10 : 14));
      OG_TRY(put_key_u64(o, "max_depth", ev->max_depth));
      OG_TRY(put_key_u64(o, "too_many", ev->count));
      return OG__OUT_LIT(o, "}, \"nodes\": [");
    case OG_SUBGRAPH_START:
      return og__idxset_add(&e->seen, og_allocator_default(), ev->node, JSON_START);
    case OG_SUBGRAPH_NODE: return json_node(e, ev);
    case OG_SUBGRAPH_EDGE: return json_edge(e, ev);
    case OG_SUBGRAPH_TOO_MANY:
      /* follows its node's NODE event (edges went to the links buffer); a repeated start's
         second count is the same and is dropped */
      if (e->node_open != 1 || e->open_node != ev->node) return OG_OK;
      e->node_open = 2;
      return put_key_u64(o, "more", ev->count);
    default: return json_end(e);
  }
}
