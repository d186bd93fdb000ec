/* objgraph's _show_graph traversal as an event stream (see og/subgraph.h for the rules). */
#include <string.h>

#include "emit_common.h"
#include "og/subgraph.h"

/* Per-index state in an og__idxset: a hash set for small subgraphs (a depth-3 subgraph of a
   10M-node graph must not pay for a 10M-entry array), dense once the traversal is large; the
   walker's node_count may grow meanwhile. */
enum { SEEN = 1u, IGNORED = 2u };

typedef struct qitem {
  og_index node;
  uint32_t depth;
} qitem;

typedef struct sg_state {
  const og_allocator *a;
  const og_walker *w;
  const og_subgraph_options *o;
  og_subgraph_visit_fn visit;
  void *payload;
  og__idxset set;
  qitem *queue;
  size_t qhead, qlen, qcap;
  uint32_t max_depth;
  uint64_t too_many;
  uint64_t nodes; /* NODE events */
} sg_state;

static int push(sg_state *st, og_index node, uint32_t depth) {
  if (st->qlen == st->qcap) {
    size_t qcap = st->qcap;
    OG_TRY(og__grow(st->a, (void **)&st->queue, &qcap, st->qlen + 1, sizeof *st->queue));
    st->qcap = qcap;
  }
  st->queue[st->qlen++] = (qitem){node, depth};
  return OG_OK;
}

static int emit(sg_state *st, uint32_t kind, uint32_t flags, og_index node, og_index target,
                uint32_t depth, uint32_t meta, uint64_t count) {
  og_subgraph_event ev = {kind, flags, st->o->dir, st->max_depth, node, target, depth, meta, count};
  return st->visit(st->payload, &ev); /* the visitor's own message stands */
}

/* A predicate's verdict: 0/1, or its negative code with a message naming it. */
static int ask(og_node_pred_fn fn, void *payload, og_index node, const char *what) {
  int r = fn(payload, node);
  if (r < 0) return og__fail(r, "subgraph: the %s callback failed on node %u", what, node);
  return r > 0;
}

/* The neighbour loop of one expanded node (objgraph's per-neighbour rules). */
static int expand(sg_state *st, og_index t, uint32_t depth) {
  const og_subgraph_options *o = st->o;
  og_span span;
  int rc = st->w->neighbors(st->w->ctx, o->dir, t, &span);
  if (rc != OG_OK) return og__fail(rc, "subgraph: the walker failed on node %u", t);
  og_index count = st->w->node_count(st->w->ctx);
  st->set.universe = count;
  uint64_t n = 0, skipped = 0;
  for (size_t i = 0; i < span.count; i++) {
    og_index nb = span.nodes[i];
    if (nb >= count)
      return og__fail(OG_EINVALID, "subgraph: the walker gave neighbour %u of node %u, but node_count is %u",
                      nb, t, count);
    unsigned state = og__idxset_get(&st->set, nb);
    if (state & IGNORED) continue;
    if (o->ignore_fn) {
      int r = ask(o->ignore_fn, o->ignore_payload, nb, "ignore");
      if (r < 0) return r;
      if (r) continue;
    }
    if (o->filter_fn) {
      int r = ask(o->filter_fn, o->filter_payload, nb, "filter");
      if (r < 0) return r;
      if (!r) continue;
    }
    if (n >= st->too_many) {
      skipped++;
      continue;
    }
    uint32_t meta = span.meta ? span.meta[i] : OG_SUBGRAPH_NO_META;
    og_index src = o->dir == OG_DIR_OUT ? t : nb, dst = o->dir == OG_DIR_OUT ? nb : t;
    OG_TRY(emit(st, OG_SUBGRAPH_EDGE, 0, src, dst, depth, meta, 0));
    if (!(state & SEEN)) {
      OG_TRY(og__idxset_add(&st->set, st->a, nb, SEEN));
      OG_TRY(push(st, nb, depth + 1));
    }
    n++;
  }
  if (skipped > 0) OG_TRY(emit(st, OG_SUBGRAPH_TOO_MANY, 0, t, OG_INDEX_NONE, depth, 0, skipped));
  return OG_OK;
}

/* Dequeue until empty: label, then expand unless too deep or culled. */
static int bfs(sg_state *st) {
  const og_subgraph_options *o = st->o;
  while (st->qhead < st->qlen) {
    qitem it = st->queue[st->qhead++];
    st->nodes++;
    uint32_t flags = 0;
    if (o->highlight_fn) {
      int r = ask(o->highlight_fn, o->highlight_payload, it.node, "highlight");
      if (r < 0) return r;
      if (r) flags |= OG_SUBGRAPH_HIGHLIGHT;
    }
    OG_TRY(emit(st, OG_SUBGRAPH_NODE, flags, it.node, OG_INDEX_NONE, it.depth, 0, 0));
    if (it.depth >= st->max_depth) continue;
    if (o->cull_fn) {
      int r = ask(o->cull_fn, o->cull_payload, it.node, "cull");
      if (r < 0) return r;
      if (r) continue;
    }
    OG_TRY(expand(st, it.node, it.depth));
  }
  return OG_OK;
}

static int check_args(const og_walker *w, const og_index *starts, size_t nstarts,
                      const og_subgraph_options *o, og_subgraph_visit_fn visit) {
  OG_ASSERT_ARG(w != NULL && w->neighbors != NULL && w->node_count != NULL);
  OG_ASSERT_ARG(visit != NULL);
  OG_ASSERT_ARG(starts != NULL || nstarts == 0);
  if (o->version != OG_SUBGRAPH_OPTIONS_VERSION)
    return og__fail(OG_EINVALID, "og_subgraph_options.version is %u, expected %u", o->version,
                    OG_SUBGRAPH_OPTIONS_VERSION);
  if (o->dir != OG_DIR_OUT && o->dir != OG_DIR_IN)
    return og__fail(OG_EINVALID, "og_subgraph_options.dir is %d, expected OG_DIR_OUT or OG_DIR_IN",
                    (int)o->dir);
  OG_ASSERT_ARG(o->ignore != NULL || o->ignore_count == 0);
  og_index count = w->node_count(w->ctx);
  for (size_t i = 0; i < nstarts; i++)
    if (starts[i] >= count)
      return og__fail(OG_EINVALID, "start %zu is node %u, out of range (node_count %u)", i,
                      starts[i], count);
  for (size_t i = 0; i < o->ignore_count; i++)
    if (o->ignore[i] >= count)
      return og__fail(OG_EINVALID, "ignore[%zu] is node %u, out of range (node_count %u)", i,
                      o->ignore[i], count);
  return OG_OK;
}

static uint64_t clamp_nonneg(int64_t v) { return v < 0 ? 0 : (uint64_t)v; }

int og_subgraph_run(const og_walker *w, const og_index *starts, size_t nstarts,
                    const og_subgraph_options *opts, og_subgraph_visit_fn visit, void *payload) {
  og_subgraph_options defaults = OG_SUBGRAPH_OPTIONS_INIT;
  const og_subgraph_options *o = opts ? opts : &defaults;
  OG_TRY(check_args(w, starts, nstarts, o, visit));
  uint64_t md = clamp_nonneg(o->max_depth);
  sg_state st = {og_allocator_default(), w, o, visit, payload, {0}, NULL, 0, 0, 0,
                 md > UINT32_MAX - 1 ? UINT32_MAX - 1 : (uint32_t)md, clamp_nonneg(o->too_many), 0};
  st.set.universe = w->node_count(w->ctx);
  int rc = OG_OK;
  for (size_t i = 0; i < o->ignore_count && rc == OG_OK; i++)
    rc = og__idxset_add(&st.set, st.a, o->ignore[i], IGNORED);
  if (rc == OG_OK) rc = emit(&st, OG_SUBGRAPH_BEGIN, 0, OG_INDEX_NONE, OG_INDEX_NONE, 0, 0, st.too_many);
  for (size_t i = 0; i < nstarts && rc == OG_OK; i++) {
    rc = emit(&st, OG_SUBGRAPH_START, 0, starts[i], OG_INDEX_NONE, 0, 0, 0);
    if (rc == OG_OK) rc = og__idxset_add(&st.set, st.a, starts[i], SEEN);
    if (rc == OG_OK) rc = push(&st, starts[i], 0);
  }
  if (rc == OG_OK) rc = bfs(&st);
  if (rc == OG_OK) rc = emit(&st, OG_SUBGRAPH_END, 0, OG_INDEX_NONE, OG_INDEX_NONE, 0, 0, st.nodes);
  og__idxset_free(&st.set, st.a);
  og__free(st.a, st.queue, st.qcap * sizeof *st.queue);
  return rc;
}

int og_subgraph_is_proper_module(void *graph, og_index node) {
  const og_graph *g = graph;
  OG_ASSERT_ARG(g != NULL);
  if (node >= g->nodes.count)
    return og__fail(OG_EINVALID, "node index %u is out of range (the graph has %u nodes)", node,
                    g->nodes.count);
  return (g->nodes.flags[node] & OG_NODE_MODULE) != 0;
}
