/* Emitters: objgraph's DOT (byte for byte) and a node-link JSON, streamed through og_write_fn.
 *
 * An og_emitter consumes the event stream of og_subgraph_run (og/subgraph.h): pass og_emit_visit
 * as the visitor and the emitter as its payload. og_emit_subgraph does both in one call.
 * Output goes to write(payload, bytes, len) in chunks of about 64 KiB (one piece of 64 KiB or
 * more goes straight through); everything is flushed when the END event is handled.
 * og_buf_write with an og_buf payload collects it in memory.
 *
 * DOT (OG_EMIT_DOT): the lines of objgraph's _show_graph, in its order: the two header lines,
 * `  o<id>[fontcolor=red];` per start, per node the label line, `fillcolor="%g,%g,%g"`,
 * `[fontcolor=white]` when v < 0.5, the two __del__ marker lines, edge lines
 * `  o<s> -> o<t><fragment>;`, the three too-many lines, then `}\n`.
 * Node ids: `o` + the og_id in decimal. Ids are unsigned here (objgraph replaces '-' by '_' for
 * negative ids, which CPython never produces). Labels and attribute values are quoted with
 * objgraph's _quote: `\` -> `\\`, `"` -> `\"`, newline -> `\n`, NUL -> `\\0`, nothing else.
 * Differences from objgraph, only for input objgraph cannot produce from a Python str: invalid
 * UTF-8 is replaced by U+FFFD (maximal invalid subparts, as Python's errors="replace"), so the
 * file is always valid UTF-8. Because every backslash is doubled, no label ever ends in a
 * dangling escape (objgraph issue #30: a label ending in `\\"` is valid DOT; graphviz 2.43 reads
 * it, the 2.36 Windows build rejected it). Default edge labels from the IR (no edge_label
 * callback) label more than objgraph does (attributes, indices, each dict value with its own
 * key where objgraph issue #49 repeats the first); for objgraph's exact edge labels supply
 * edge_label (the goldens in tests/engine/golden were made by objgraph 3.6.2).
 *
 * JSON (OG_EMIT_JSON), one object, loaded as is by networkx.node_link_graph(data) of networkx
 * >= 3.6 (3.4/3.5: pass edges="edges"; older: link="edges"):
 *   {"directed": true, "multigraph": true,
 *    "graph": {"name": "ObjectGraph", ...subgraph: "direction": "references"|"backreferences",
 *              "max_depth": N, "too_many": N},
 *    "nodes": [{"id": <og_id>, "index": <og_index>, "type": "dict", "long_type": "builtins.dict",
 *               "size": N, "flags": N, "refcount": N, "label": "..."(absent when none),
 *               ...subgraph: "depth": N, "start": true, "highlight": true, "more": N}],
 *    "edges": [{"source": <og_id>, "target": <og_id>, "kind": "attr", "label": "x" | "index": 3}]}
 * kind is one of other, attr, dict_key, dict_value, index, cell, weak, type, dict, element, local,
 * globals, or kind<N>; edges without a label carry neither "label" nor "index"; edges without
 * meta (in-edges of a graph-less walker) carry no kind. Subgraph nodes appear once (first NODE
 * event) even when a start repeats; edges keep duplicates (multigraph); "more"
 * is the too-many count. Without a graph, nodes carry only id, index, label (from the decorator)
 * and subgraph fields. Strings are valid UTF-8: `"` and `\` escaped, bytes < 0x20 as \u00XX,
 * invalid UTF-8 as U+FFFD. Ids are unsigned 64-bit integers (exact in Python; JavaScript would
 * round ids above 2^53). */
#ifndef OG_EMIT_H
#define OG_EMIT_H

#include "og/buf.h"
#include "og/common.h"
#include "og/graph.h"
#include "og/subgraph.h"
#include "og/walker.h"

OG_BEGIN_DECL

typedef enum og_emit_format { OG_EMIT_DOT = 0, OG_EMIT_JSON = 1 } og_emit_format;

/* Presentation bits returned by og_emit_decorator.node_flags. */
enum {
  OG_EMIT_MODULE = 1u << 0,   /* green (objgraph: inspect.ismodule) */
  OG_EMIT_HAS_DEL = 1u << 1,  /* the __del__ marker lines */
  OG_EMIT_HIGHLIGHT = 1u << 2 /* blue; OR-ed with the NODE event's OG_SUBGRAPH_HIGHLIGHT */
};

/* Per-node and per-edge presentation supplied by the caller (e.g. Python callbacks). Every
   callback is optional (NULL = the default, read from the graph given to og_emit_new); each
   receives the one payload below and returns OG_OK (>= 0 for node_flags) or a negative code that
   stops the emission. Text callbacks append to out, which the emitter empties before each call.
   Callback order per node: node_id, node_label, node_attrs, node_flags (as objgraph's label,
   extra_node_attrs, ismodule, highlight, __del__); per edge: edge_label. For objgraph's exact
   callback order, give highlight through node_flags rather than the subgraph's highlight_fn. */
#define OG_EMIT_DECORATOR_VERSION 1
typedef struct og_emit_decorator {
  unsigned version; /* OG_EMIT_DECORATOR_VERSION */
  void *payload;
  /* The node's og_id (objgraph: id(obj)). Default: the graph's id, or the index without graph. */
  int (*node_id)(void *payload, og_index node, og_id *out);
  /* Raw label text, unquoted (the emitter applies _quote). Default: type name (long with
     og_emit_options.long_names), then "\n" and the node's label string when it has one. */
  int (*node_label)(void *payload, og_index node, og_buf *out);
  /* Appended verbatim after the closing quote of the label (objgraph's _obj_attrs output, e.g.
     `, shape="diamond"`; og_emit_dot_attrs formats it). Default: nothing. DOT only. */
  int (*node_attrs)(void *payload, og_index node, og_buf *out);
  /* OG_EMIT_* bits (>= 0). Default: OG_NODE_MODULE|OG_NODE_ANY_MODULE -> MODULE,
     OG_NODE_HAS_DEL -> HAS_DEL. DOT only. */
  int (*node_flags)(void *payload, og_index node);
  /* The whole edge fragment written between `o<s> -> o<t>` and `;`, verbatim (objgraph's
     _edge_label: "" or ` [label="__dict__",weight=10]`; og_emit_dot_edge_label formats it).
     source/target are in reference direction; meta as in og_subgraph_event. DOT only.
     Default, from the edge meta (for in-edges without meta: the first out-edge source -> target
     in the graph, objgraph's first-match rule): attr/local/globals ` [label="name",weight=10]`,
     dict ` [label="__dict__",weight=10]`, dict_value with an identifier key (or its 'repr')
     ` [label="key",weight=2]`, other dict_value ` [label="<repr>"]`, index ` [label="[3]"]`,
     any other labelled kind ` [label="<label>"]`, unlabelled "". */
  int (*edge_label)(void *payload, og_index source, og_index target, uint32_t meta, og_buf *out);
} og_emit_decorator;
#define OG_EMIT_DECORATOR_INIT {OG_EMIT_DECORATOR_VERSION, NULL, NULL, NULL, NULL, NULL, NULL}

#define OG_EMIT_OPTIONS_VERSION 1
typedef struct og_emit_options {
  unsigned version; /* OG_EMIT_OPTIONS_VERSION */
  og_emit_format format;
  int long_names; /* default DOT labels use long type names (objgraph shortnames=False); JSON
                     always carries both "type" and "long_type" */
} og_emit_options;
#define OG_EMIT_OPTIONS_INIT {OG_EMIT_OPTIONS_VERSION, OG_EMIT_DOT, 0}

typedef struct og_emitter og_emitter;

/* Create an emitter writing to write(wpayload, ...). g (borrowed, may be NULL) supplies every
   default; without it the decorator must give node_label (DOT) or the output falls back to
   indices and empty labels. dec and opts are copied; NULL = defaults.
   Errors: OG_EINVALID (NULL out/write, bad versions or format), OG_ENOMEM. O(1). */
OG_EXTERN int og_emit_new(og_emitter **out, const og_graph *g, const og_emit_decorator *dec,
                          const og_emit_options *opts, og_write_fn write, void *wpayload);

/* An og_subgraph_visit_fn: emitter is the og_emitter*. Events must form one well-ordered stream
   (BEGIN first, END last); a second stream needs a new emitter. Errors: OG_EINVALID (NULL, event
   out of order, index out of the graph's range), OG_ENOMEM, a callback's or write's code (then
   the emitter refuses further events). O(output) per event, plus O(out-degree of source) for an
   in-edge label lookup; JSON subgraphs buffer their edges until END (O(edges) memory). */
OG_EXTERN int og_emit_visit(void *emitter, const og_subgraph_event *ev);

/* Nodes emitted with labels so far (NODE events: duplicated starts count twice), the N of
   objgraph's "Graph written to X (N nodes)". 0 for NULL. */
OG_EXTERN size_t og_emit_node_count(const og_emitter *e);

/* Release an emitter (NULL accepted). Unflushed output of an unfinished stream is dropped. */
OG_EXTERN void og_emit_free(og_emitter *e);

/* og_subgraph_run + an emitter in one call; *nodes_out (may be NULL) gets og_emit_node_count.
   Errors: those of og_emit_new, og_subgraph_run and og_emit_visit. */
OG_EXTERN int og_emit_subgraph(size_t *nodes_out, const og_walker *w, const og_index *starts,
                               size_t nstarts, const og_subgraph_options *sg, const og_graph *g,
                               const og_emit_decorator *dec, const og_emit_options *opts,
                               og_write_fn write, void *wpayload);

/* The whole graph as JSON (opts->format is ignored): nodes in index order, edges in out-edge
   order. Errors: OG_EINVALID, OG_ENOMEM, write's code. O(V + E + label bytes), O(1) memory
   beyond a 64 KiB buffer. */
OG_EXTERN int og_emit_json_graph(const og_graph *g, const og_emit_options *opts,
                                 og_write_fn write, void *wpayload);

/* ---- helpers for decorators: objgraph's formatting rules --------------------------------- */

/* Append s quoted by objgraph's _quote (see above; invalid UTF-8 -> U+FFFD).
   Errors: OG_EINVALID (NULL out, or NULL s with len > 0), OG_ENOMEM. O(len). */
OG_EXTERN int og_emit_dot_quote(og_buf *out, const char *s, size_t len);

/* Append objgraph's _obj_attrs: `, ` then `key="quoted value"` joined by `, `, keys sorted
   bytewise (= Python's str order for UTF-8), entries with a NULL value dropped; n == 0 still
   appends `, ` (objgraph's empty-dict quirk). Keys are written as given. NULL lens = strlen.
   Errors: OG_EINVALID, OG_ENOMEM. O(n log n + bytes). */
OG_EXTERN int og_emit_dot_attrs(og_buf *out, const char *const *keys, const size_t *key_lens,
                                const char *const *values, const size_t *value_lens, size_t n);

/* Append objgraph's edge fragment ` [label="<quoted>",weight=<weight>]`, or without
   `,weight=...` when weight < 0. Errors: OG_EINVALID, OG_ENOMEM. O(len). */
OG_EXTERN int og_emit_dot_edge_label(og_buf *out, const char *label, size_t len, int weight);

OG_END_DECL

#endif
