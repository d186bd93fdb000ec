/* BFS reference chains (objgraph's _find_chain) and k shortest retainer paths (Yen's algorithm
   over BFS), both over an og_walker whose node_count may grow. */
#include <string.h>

#include "algo.h"
#include "og/search.h"

#define UNSEEN UINT32_MAX

/* Node marks shared by both searches (cached callback answers). */
enum { MARK_IGNORED = 1, MARK_KEPT = 2, MARK_ROOT = 4, MARK_NOT_ROOT = 8 };

static int check_walker(const og_walker *w) {
  OG_ASSERT_ARG(w != NULL);
  if (w->version != OG_WALKER_VERSION || !w->neighbors || !w->node_count)
    return og__fail(OG_EINVALID, "bad walker (version %u, or a NULL callback)", w->version);
  return OG_OK;
}

static int check_options(const og_search_options *o, const og_walker *w, og_index start) {
  if (o->version != OG_SEARCH_OPTIONS_VERSION)
    return og__fail(OG_EINVALID, "og_search_options version %u, expected %u", o->version,
                    OG_SEARCH_OPTIONS_VERSION);
  if (o->alloc && (o->alloc->version != OG_ALLOCATOR_VERSION || !o->alloc->fn))
    return og__fail(OG_EINVALID, "bad allocator in og_search_options");
  if (o->dir != OG_DIR_OUT && o->dir != OG_DIR_IN)
    return og__fail(OG_EINVALID, "bad direction %d", (int)o->dir);
  if (o->ignore_count && !o->ignore)
    return og__fail(OG_EINVALID, "ignore is NULL but ignore_count is %zu", o->ignore_count);
  og_index n = w->node_count(w->ctx);
  if (start >= n) return og__fail(OG_EINVALID, "start node %u is out of range (%u nodes)", start, n);
  for (size_t k = 0; k < o->ignore_count; k++)
    if (o->ignore[k] >= n)
      return og__fail(OG_EINVALID, "ignore[%zu] = %u is out of range (%u nodes)", k, o->ignore[k], n);
  return OG_OK;
}

/* Entry checks shared by both searches; *o becomes opts or the defaults. */
static int check_args(const og_search_options **o, const og_search_options *defaults,
                      const og_walker *w, og_index start, og_node_pred_fn fn) {
  OG_TRY(check_walker(w));
  OG_ASSERT_ARG(fn != NULL);
  if (!*o) *o = defaults;
  return check_options(*o, w, start);
}

/* Per-node BFS state, kept together for locality. */
typedef struct node_st {
  uint32_t dist;   /* chain: depth (UNSEEN); paths: depth in the current BFS */
  og_index parent; /* BFS parent */
  uint32_t seen;   /* paths: BFS epoch that reached the node (fill 0xff: never a live epoch) */
} node_st;

/* State shared by both searches: per-node columns over the walker, a queue, cached marks. */
typedef struct search {
  og_allocator alloc;
  const og_walker *w;
  const og_search_options *o;
  og__cols cols;
  node_st *st;    /* BFS state, one cache line touch per visit */
  uint8_t *mark;  /* MARK_* */
  uint32_t *blk;  /* paths: epoch of the spur whose prefix blocks the node */
  bool any_ignore; /* an ignore array or callback was given */
  og_index *queue;
  size_t qcap, head, tail;
} search;

static int search_init(search *s, const og_walker *w, const og_search_options *o, int paths) {
  memset(s, 0, sizeof(*s));
  s->alloc = o->alloc ? *o->alloc : *og_allocator_default();
  s->w = w;
  s->o = o;
  og__cols *c = &s->cols;
  void **ptr[3] = {(void **)&s->st, (void **)&s->mark, (void **)&s->blk};
  size_t elem[3] = {sizeof(node_st), 1, sizeof(uint32_t)};
  int fill[3] = {0xff, 0, 0};
  c->ncols = paths ? 3 : 2;
  s->any_ignore = o->ignore_count > 0 || o->ignore_fn != NULL;
  for (size_t i = 0; i < c->ncols; i++) {
    c->ptr[i] = ptr[i];
    c->elem[i] = elem[i];
    c->fill[i] = fill[i];
  }
  OG_TRY(og__cols_cover(c, &s->alloc, w, 0));
  for (size_t k = 0; k < o->ignore_count; k++) s->mark[o->ignore[k]] |= MARK_IGNORED;
  return OG_OK;
}

static void search_free(search *s) {
  og__cols_free(&s->cols, &s->alloc);
  og__free(&s->alloc, s->queue, s->qcap * sizeof(og_index));
}

static int push(search *s, og_index v) {
  if (s->tail == s->qcap)
    OG_TRY(og__grow(&s->alloc, (void **)&s->queue, &s->qcap, s->tail + 1, sizeof(og_index)));
  s->queue[s->tail++] = v;
  return OG_OK;
}

/* fn(payload, v) cached in mark[v] as the yes or the no bit: 1, 0, or fn's error. */
static int cached_pred(uint8_t *mark, uint8_t yes, uint8_t no, og_node_pred_fn fn, void *payload,
                       og_index v) {
  if (mark[v] & (yes | no)) return (mark[v] & yes) != 0;
  int r = fn(payload, v);
  if (r < 0) return r;
  mark[v] |= r ? yes : no;
  return r > 0;
}

/* Is v (never the start) to be skipped? 1 yes, 0 no, < 0 the callback's error. Cached. */
static int ignored(search *s, og_index v) {
  if (!s->any_ignore) return 0;
  if (!s->o->ignore_fn) return (s->mark[v] & MARK_IGNORED) != 0;
  return cached_pred(s->mark, MARK_IGNORED, MARK_KEPT, s->o->ignore_fn, s->o->ignore_payload, v);
}

/* The path start..v through parent pointers, as a new og_indices. */
static int chain_out(og_indices **out, const search *s, og_index v) {
  size_t n = 0;
  for (og_index u = v; u != OG_INDEX_NONE; u = s->st[u].parent) n++;
  og_indices *l;
  OG_TRY(og__indices_new(&l, &s->alloc, n));
  l->count = n;
  for (og_index u = v; u != OG_INDEX_NONE; u = s->st[u].parent) l->data[--n] = u;
  *out = l;
  return OG_OK;
}

static int chain_bfs(og_indices **out, search *s, og_index start, og_node_pred_fn pred, void *payload) {
  const og_walker *w = s->w;
  OG_TRY(og__cols_cover(&s->cols, &s->alloc, w, start));
  s->st[start].dist = 0;
  OG_TRY(push(s, start));
  while (s->head < s->tail) {
    og_index v = s->queue[s->head++];
    int r = pred(payload, v);
    if (r < 0) return r;
    if (r > 0) return chain_out(out, s, v);
    uint32_t d = s->st[v].dist;
    if (d >= s->o->max_depth) continue;
    og_span sp;
    OG_TRY(w->neighbors(w->ctx, s->o->dir, v, &sp));
    for (size_t k = 0; k < sp.count; k++) {
      og_index u = sp.nodes[k];
      OG_TRY(og__cols_cover(&s->cols, &s->alloc, w, u));
      if (s->st[u].dist != UNSEEN) continue;
      int ig = ignored(s, u);
      if (ig < 0) return ig;
      if (ig) continue;
      s->st[u].dist = d + 1;
      s->st[u].parent = v;
      OG_TRY(push(s, u));
    }
  }
  return chain_out(out, s, start); /* not found: [start] (parent[start] is none) */
}

int og_search_chain(og_indices **out, const og_walker *w, og_index start,
                    const og_search_options *opts, og_node_pred_fn pred, void *payload) {
  OG_ASSERT_ARG(out != NULL);
  const og_search_options defaults = OG_SEARCH_OPTIONS_INIT, *o = opts;
  OG_TRY(check_args(&o, &defaults, w, start, pred));
  search s;
  int rc = search_init(&s, w, o, 0);
  if (rc == OG_OK) rc = chain_bfs(out, &s, start, pred, payload);
  search_free(&s);
  return rc;
}

/* ---- k shortest retainer paths (Yen) ------------------------------------------------------- */

/* A path in search order: target first, root last. */
typedef struct kpath {
  og_index *nodes;
  size_t len;
  size_t dev; /* spur index it was generated at: spurs before it need no new search (Lawler) */
} kpath;

typedef struct kpaths {
  kpath *p;
  size_t count, cap;
} kpaths;

struct og_paths {
  og_allocator alloc;
  size_t count;
  size_t *off; /* count + 1 offsets into the flat arrays */
  og_index *nodes;
  uint8_t *kinds;
  uint32_t *labels;
  size_t total;
};

/* A* item: key = f << 32 | insertion sequence (FIFO among equal f), node, its g. */
typedef struct astar_item {
  uint64_t key;
  og_index node;
  uint32_t g;
} astar_item;

typedef struct yen {
  search s;
  og_node_pred_fn is_root;
  void *payload;
  uint32_t epoch, blk_epoch;
  kpaths A, B;
  /* Optional A* heuristic: h[v] = referrer distance from v to the nearest root in the whole
     graph (a lower bound under any blocking), for nodes below n0; UNSEEN = no root reachable. */
  uint32_t *h;
  og_index n0;
  astar_item *heap;
  size_t hcap, hlen;
} yen;

size_t og__search_astar_min = 4096;

static void kpaths_free(kpaths *ps, const og_allocator *a) {
  for (size_t i = 0; i < ps->count; i++) og__free(a, ps->p[i].nodes, ps->p[i].len * sizeof(og_index));
  og__free(a, ps->p, ps->cap * sizeof(kpath));
  memset(ps, 0, sizeof(*ps));
}

/* Append a path made of prefix[0..plen) + tail[0..tlen) (ownership of nothing is taken). */
static int kpaths_add(kpaths *ps, const og_allocator *a, const og_index *prefix, size_t plen,
                      const og_index *tail, size_t tlen, size_t dev) {
  OG_TRY(og__grow(a, (void **)&ps->p, &ps->cap, ps->count + 1, sizeof(kpath)));
  size_t n = plen + tlen;
  og_index *nodes = og__alloc(a, n * sizeof(og_index));
  if (!nodes) return og__fail(OG_ENOMEM, "out of memory for a path of %zu nodes", n);
  if (plen) memcpy(nodes, prefix, plen * sizeof(og_index));
  memcpy(nodes + plen, tail, tlen * sizeof(og_index));
  ps->p[ps->count++] = (kpath){nodes, n, dev};
  return OG_OK;
}

/* Is v a root? 1, 0, or the predicate's error. Cached in mark. */
static int is_root(yen *y, og_index v) {
  return cached_pred(y->s.mark, MARK_ROOT, MARK_NOT_ROOT, y->is_root, y->payload, v);
}

/* Next blocking epoch; on wrap-around every stamp is cleared. */
static uint32_t next_blk_epoch(yen *y) {
  if (++y->blk_epoch == 0) {
    memset(y->s.blk, 0, y->s.cols.cap * sizeof(uint32_t));
    y->blk_epoch = 1;
  }
  return y->blk_epoch;
}

/* Next BFS epoch, below the 0xffffffff fill of fresh nodes; on wrap-around stamps are reset. */
static uint32_t next_seen_epoch(yen *y) {
  if (++y->epoch == UINT32_MAX) {
    for (size_t i = 0; i < y->s.cols.cap; i++) y->s.st[i].seen = UINT32_MAX;
    y->epoch = 1;
  }
  return y->epoch;
}

/* Is referrer x off limits in a spur search: a first hop already taken from the spur (when
   from_spur), or ignored? 1, 0, or the ignore callback's error. */
static int spur_excluded(search *s, bool from_spur, const og_index *hops, size_t nhops, og_index x) {
  for (size_t h = 0; from_spur && h < nhops; h++)
    if (hops[h] == x) return 1;
  return ignored(s, x);
}

/* BFS over referrers from spur, avoiding blocked nodes and the first hops in hops[0..nhops),
   to the first root dequeued within budget edges: *found is that root (its parent chain leads
   back to spur), or OG_INDEX_NONE. */
static int spur_bfs(yen *y, og_index spur, uint32_t budget, const og_index *hops, size_t nhops,
                    og_index *found) {
  search *s = &y->s;
  const og_walker *w = s->w;
  uint32_t ep = next_seen_epoch(y);
  s->head = s->tail = 0;
  s->st[spur].seen = ep;
  s->st[spur].parent = OG_INDEX_NONE;
  s->st[spur].dist = 0;
  *found = OG_INDEX_NONE;
  int r = is_root(y, spur);
  if (r != 0) {
    if (r > 0) *found = spur;
    return r < 0 ? r : OG_OK;
  }
  OG_TRY(push(s, spur));
  /* Roots are recognised when discovered: the queue is in discovery order, so the first root
     discovered is the first one a dequeue-time check would meet, without expanding the rest of
     the layer before it. */
  while (s->head < s->tail) {
    og_index u = s->queue[s->head++];
    uint32_t d = s->st[u].dist;
    if (d >= budget) continue;
    og_span sp;
    OG_TRY(w->neighbors(w->ctx, OG_DIR_IN, u, &sp));
    for (size_t k = 0; k < sp.count; k++) {
      og_index x = sp.nodes[k];
      OG_TRY(og__cols_cover(&s->cols, &s->alloc, w, x));
      if (s->st[x].seen == ep || s->blk[x] == y->blk_epoch) continue;
      int ex = spur_excluded(s, u == spur, hops, nhops, x);
      if (ex < 0) return ex;
      if (ex) continue;
      s->st[x].seen = ep;
      s->st[x].parent = u;
      s->st[x].dist = d + 1;
      if ((r = is_root(y, x)) != 0) {
        if (r > 0) *found = x;
        return r < 0 ? r : OG_OK;
      }
      OG_TRY(push(s, x));
    }
  }
  return OG_OK;
}

/* ---- A* spur searches ------------------------------------------------------------------- */

static void heap_sift_down(astar_item *hp, size_t n, size_t i) {
  for (;;) {
    size_t l = 2 * i + 1, m = i;
    if (l < n && hp[l].key < hp[m].key) m = l;
    if (l + 1 < n && hp[l + 1].key < hp[m].key) m = l + 1;
    if (m == i) return;
    astar_item t = hp[i];
    hp[i] = hp[m];
    hp[m] = t;
    i = m;
  }
}

static int heap_push(yen *y, uint64_t key, og_index node, uint32_t g) {
  OG_TRY(og__grow(&y->s.alloc, (void **)&y->heap, &y->hcap, y->hlen + 1, sizeof(astar_item)));
  size_t i = y->hlen++;
  while (i && y->heap[(i - 1) / 2].key > key) {
    y->heap[i] = y->heap[(i - 1) / 2];
    i = (i - 1) / 2;
  }
  y->heap[i] = (astar_item){key, node, g};
  return OG_OK;
}

static astar_item heap_pop(yen *y) {
  astar_item top = y->heap[0];
  y->heap[0] = y->heap[--y->hlen];
  heap_sift_down(y->heap, y->hlen, 0);
  return top;
}

static uint32_t h_of(const yen *y, og_index v) { return v < y->n0 ? y->h[v] : 0; }

static void drop_h(yen *y) {
  og__free(&y->s.alloc, y->h, (size_t)y->n0 * sizeof(uint32_t));
  y->h = NULL;
}

/* h by one multi-source BFS from every root along out-edges (each root found by is_root on
   every node). Dropped when the walker mints nodes meanwhile (a live heap: h could then
   overestimate). O(V + E) once. */
static int compute_h(yen *y) {
  search *s = &y->s;
  const og_walker *w = s->w;
  og_index n0 = w->node_count(w->ctx);
  if (n0 == 0) return OG_OK;
  OG_TRY(og__cols_cover(&s->cols, &s->alloc, w, n0 - 1));
  uint32_t *h = og__alloc(&s->alloc, (size_t)n0 * sizeof(uint32_t));
  if (!h) return og__fail(OG_ENOMEM, "out of memory for root distances of %u nodes", n0);
  memset(h, 0xff, (size_t)n0 * sizeof(uint32_t));
  y->h = h;
  y->n0 = n0;
  s->head = s->tail = 0;
  for (og_index v = 0; v < n0; v++) {
    int r = is_root(y, v);
    if (r < 0) return r;
    if (r) {
      h[v] = 0;
      OG_TRY(push(s, v));
    }
  }
  bool grew = false;
  while (s->head < s->tail && !grew) {
    og_index u = s->queue[s->head++];
    if (h[u] >= s->o->max_depth) continue; /* farther nodes are pruned by the depth budget */
    og_span sp;
    OG_TRY(w->neighbors(w->ctx, OG_DIR_OUT, u, &sp));
    for (size_t k = 0; k < sp.count && !grew; k++) {
      og_index x = sp.nodes[k];
      grew = x >= n0; /* a node minted since n0 was read: h would be incomplete */
      if (grew || h[x] != UNSEEN) continue;
      h[x] = h[u] + 1;
      OG_TRY(push(s, x));
    }
  }
  if (grew || w->node_count(w->ctx) != n0) drop_h(y);
  return OG_OK;
}

/* Same contract as spur_bfs, searching by f = g + h: expands only nodes that can still lie on
   a path within budget, so with many spurs over a large graph each search stays near the
   optimal path. Equal f in insertion order. */
static int spur_astar(yen *y, og_index spur, uint32_t budget, const og_index *hops,
                      size_t nhops, og_index *found) {
  search *s = &y->s;
  const og_walker *w = s->w;
  uint32_t ep = next_seen_epoch(y), seq = 0;
  *found = OG_INDEX_NONE;
  y->hlen = 0;
  uint32_t hs = h_of(y, spur);
  if (hs == UNSEEN || hs > budget) return OG_OK;
  s->st[spur] = (node_st){0, OG_INDEX_NONE, ep};
  OG_TRY(heap_push(y, (uint64_t)hs << 32 | seq++, spur, 0));
  while (y->hlen) {
    astar_item it = heap_pop(y);
    og_index u = it.node;
    if (s->st[u].dist != it.g) continue; /* superseded by a shorter route */
    int r = is_root(y, u);
    if (r < 0) return r;
    if (r) {
      *found = u;
      return OG_OK;
    }
    if (it.g >= budget) continue;
    og_span sp;
    OG_TRY(w->neighbors(w->ctx, OG_DIR_IN, u, &sp));
    for (size_t k = 0; k < sp.count; k++) {
      og_index x = sp.nodes[k];
      OG_TRY(og__cols_cover(&s->cols, &s->alloc, w, x));
      uint32_t g = it.g + 1, hx = h_of(y, x);
      if (s->blk[x] == y->blk_epoch || hx == UNSEEN || g + (uint64_t)hx > budget) continue;
      if (s->st[x].seen == ep && s->st[x].dist <= g) continue;
      int ex = spur_excluded(s, u == spur, hops, nhops, x);
      if (ex < 0) return ex;
      if (ex) continue;
      s->st[x] = (node_st){g, u, ep};
      if (seq == UINT32_MAX) return og__fail(OG_ELIMIT, "A* search queue overflow");
      OG_TRY(heap_push(y, (uint64_t)(g + hx) << 32 | seq++, x, g));
    }
  }
  return OG_OK;
}

/* A spur search: A* while h is valid (re-run as BFS if the walker grew meanwhile), else BFS. */
static int spur_search(yen *y, og_index spur, uint32_t budget, const og_index *hops, size_t nhops,
                       og_index *found) {
  if (y->h) {
    OG_TRY(spur_astar(y, spur, budget, hops, nhops, found));
    if (y->s.w->node_count(y->s.w->ctx) == y->n0) return OG_OK;
    drop_h(y);
  }
  return spur_bfs(y, spur, budget, hops, nhops, found);
}

/* Candidate = prefix P[0..i) + BFS path spur..root; added to B unless already there. */
static int add_candidate(yen *y, const kpath *P, size_t i, og_index root) {
  search *s = &y->s;
  size_t tlen = 0;
  for (og_index u = root; u != OG_INDEX_NONE; u = s->st[u].parent) tlen++;
  /* reuse the queue as scratch for the tail spur..root (the BFS is over) */
  OG_TRY(og__grow(&s->alloc, (void **)&s->queue, &s->qcap, tlen, sizeof(og_index)));
  size_t k = tlen;
  for (og_index u = root; u != OG_INDEX_NONE; u = s->st[u].parent) s->queue[--k] = u;
  size_t n = i + tlen;
  for (size_t b = 0; b < y->B.count; b++) {
    kpath *q = &y->B.p[b];
    if (q->len == n && memcmp(q->nodes, P->nodes, i * sizeof(og_index)) == 0 &&
        memcmp(q->nodes + i, s->queue, tlen * sizeof(og_index)) == 0) {
      if (i < q->dev) q->dev = i; /* the earliest deviation is the safe one to resume from */
      return OG_OK;
    }
  }
  return kpaths_add(&y->B, &s->alloc, P->nodes, i, s->queue, tlen, i);
}

/* One Yen round: spur off every non-root node of the latest accepted path P. The prefix
   P[0..i) is blocked incrementally (one epoch per round) and each accepted path's common prefix
   with P is measured once, so a round costs O(|A| L) plus its spur searches. */
static int yen_round(yen *y, og_index **hops, size_t *hcap, size_t **lcp, size_t *lcap) {
  search *s = &y->s;
  const kpath *P = &y->A.p[y->A.count - 1];
  uint32_t maxd = s->o->max_depth;
  OG_TRY(og__grow(&s->alloc, (void **)lcp, lcap, y->A.count, sizeof(size_t)));
  for (size_t a = 0; a < y->A.count; a++) {
    const kpath *q = &y->A.p[a];
    size_t m = 0;
    while (m < q->len && m < P->len && q->nodes[m] == P->nodes[m]) m++;
    (*lcp)[a] = m;
  }
  next_blk_epoch(y);
  for (size_t j = 0; j < P->dev; j++) s->blk[P->nodes[j]] = y->blk_epoch;
  /* Lawler's refinement of Yen: a spur before P's deviation index has the same prefix and the
     same first hops as when P's ancestor was spurred there, so it would yield nothing new. */
  for (size_t i = P->dev; i + 1 < P->len && i < maxd; i++) {
    if (i > P->dev) s->blk[P->nodes[i - 1]] = y->blk_epoch;
    size_t nh = 0;
    for (size_t a = 0; a < y->A.count; a++) {
      const kpath *q = &y->A.p[a];
      if ((*lcp)[a] >= i + 1 && q->len > i + 1) {
        OG_TRY(og__grow(&s->alloc, (void **)hops, hcap, nh + 1, sizeof(og_index)));
        (*hops)[nh++] = q->nodes[i + 1];
      }
    }
    og_index root;
    OG_TRY(spur_search(y, P->nodes[i], maxd - (uint32_t)i, *hops, nh, &root));
    if (root != OG_INDEX_NONE) OG_TRY(add_candidate(y, P, i, root));
  }
  return OG_OK;
}

/* Move the shortest candidate (earliest on ties) from B to A. */
static int accept_best(yen *y) {
  size_t best = 0;
  for (size_t b = 1; b < y->B.count; b++)
    if (y->B.p[b].len < y->B.p[best].len) best = b;
  OG_TRY(og__grow(&y->s.alloc, (void **)&y->A.p, &y->A.cap, y->A.count + 1, sizeof(kpath)));
  y->A.p[y->A.count++] = y->B.p[best];
  memmove(y->B.p + best, y->B.p + best + 1, (y->B.count - best - 1) * sizeof(kpath));
  y->B.count--;
  return OG_OK;
}

/* The first out-edge src -> dst: its kind and label (OTHER/none when absent). */
static int edge_meta(const og_walker *w, og_index src, og_index dst, uint8_t *kind, uint32_t *label) {
  og_span sp;
  OG_TRY(w->neighbors(w->ctx, OG_DIR_OUT, src, &sp));
  *kind = OG_EDGE_OTHER;
  *label = OG_STR_NONE;
  for (size_t k = 0; k < sp.count; k++) {
    if (sp.nodes[k] != dst) continue;
    if (sp.meta) {
      *kind = (uint8_t)OG_META_KIND(sp.meta[k]);
      *label = OG_META_LABEL(sp.meta[k]);
    }
    break;
  }
  return OG_OK;
}

void og_paths_free(og_paths *p) {
  if (!p) return;
  og_allocator a = p->alloc;
  og__free(&a, p->off, (p->count + 1) * sizeof(size_t));
  og__free(&a, p->nodes, p->total * sizeof(og_index));
  og__free(&a, p->kinds, p->total);
  og__free(&a, p->labels, p->total * sizeof(uint32_t));
  og__free(&a, p, sizeof(*p));
}

/* Flatten A into an og_paths, root first, with edge kinds and labels. */
static int paths_out(og_paths **out, const yen *y) {
  const og_allocator *a = &y->s.alloc;
  og_paths *p = og__alloc(a, sizeof(*p));
  if (!p) return og__fail(OG_ENOMEM, "out of memory for paths");
  memset(p, 0, sizeof(*p));
  p->alloc = *a;
  for (size_t i = 0; i < y->A.count; i++) p->total += y->A.p[i].len;
  p->off = og__alloc(a, (y->A.count + 1) * sizeof(size_t));
  p->nodes = og__alloc(a, (p->total + 1) * sizeof(og_index));
  p->kinds = og__alloc(a, p->total + 1);
  p->labels = og__alloc(a, (p->total + 1) * sizeof(uint32_t));
  p->total++; /* the +1 above: never a zero-byte request */
  int rc = OG_OK;
  if (!p->off || !p->nodes || !p->kinds || !p->labels) {
    p->count = y->A.count; /* so that og_paths_free releases off with its size */
    rc = og__fail(OG_ENOMEM, "out of memory for %zu paths", y->A.count);
    goto fail;
  }
  p->count = y->A.count;
  size_t at = 0;
  for (size_t i = 0; i < y->A.count; i++) {
    const kpath *q = &y->A.p[i];
    p->off[i] = at;
    for (size_t j = 0; j < q->len; j++) p->nodes[at + j] = q->nodes[q->len - 1 - j];
    for (size_t j = 0; j + 1 < q->len; j++)
      if ((rc = edge_meta(y->s.w, p->nodes[at + j], p->nodes[at + j + 1], &p->kinds[at + j],
                          &p->labels[at + j])) != OG_OK)
        goto fail;
    p->kinds[at + q->len - 1] = OG_EDGE_OTHER;
    p->labels[at + q->len - 1] = OG_STR_NONE;
    at += q->len;
  }
  p->off[p->count] = at;
  *out = p;
  return OG_OK;
fail:
  og_paths_free(p);
  return rc;
}

int og_search_paths(og_paths **out, const og_walker *w, og_index target, size_t k,
                    const og_search_options *opts, og_node_pred_fn is_root_fn, void *payload) {
  OG_ASSERT_ARG(out != NULL);
  const og_search_options defaults = OG_SEARCH_OPTIONS_INIT, *o = opts;
  OG_TRY(check_args(&o, &defaults, w, target, is_root_fn));
  yen y;
  memset(&y, 0, sizeof(y));
  y.is_root = is_root_fn;
  y.payload = payload;
  og_index *hops = NULL;
  size_t hcap = 0, *lcp = NULL, lcap = 0;
  int rc = search_init(&y.s, w, o, 1);
  og_index root;
  if (rc == OG_OK) rc = og__cols_cover(&y.s.cols, &y.s.alloc, w, target);
  next_blk_epoch(&y); /* epoch 1: nothing blocked yet */
  if (rc == OG_OK && k > 0) rc = spur_bfs(&y, target, o->max_depth, NULL, 0, &root);
  if (rc == OG_OK && k > 0 && root != OG_INDEX_NONE) {
    rc = add_candidate(&y, &(kpath){NULL, 0, 0}, 0, root);
    if (rc == OG_OK) rc = accept_best(&y);
    /* The first search crossed a good part of the graph: later spur searches would too, so
       pay one O(V + E) pass for an A* heuristic (at most 4x the callbacks already made). */
    og_index n = w->node_count(w->ctx);
    bool big = y.s.tail >= og__search_astar_min && y.s.tail * 4 >= n;
    if (rc == OG_OK && k > 1 && (big || og__search_astar_min == 0))
      rc = compute_h(&y);
    while (rc == OG_OK && y.A.count < k) {
      rc = yen_round(&y, &hops, &hcap, &lcp, &lcap);
      if (rc != OG_OK || y.B.count == 0) break;
      rc = accept_best(&y);
    }
  }
  if (rc == OG_OK) rc = paths_out(out, &y);
  og__free(&y.s.alloc, hops, hcap * sizeof(og_index));
  og__free(&y.s.alloc, lcp, lcap * sizeof(size_t));
  og__free(&y.s.alloc, y.heap, y.hcap * sizeof(astar_item));
  drop_h(&y);
  kpaths_free(&y.A, &y.s.alloc);
  kpaths_free(&y.B, &y.s.alloc);
  search_free(&y.s);
  return rc;
}

size_t og_paths_count(const og_paths *p) { return p ? p->count : 0; }

int og_paths_get(og_path_info *out, const og_paths *p, size_t i) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(p != NULL);
  if (i >= p->count) return og__fail(OG_EINVALID, "path %zu is out of range (%zu paths)", i, p->count);
  out->nodes = p->nodes + p->off[i];
  out->length = p->off[i + 1] - p->off[i];
  out->kinds = p->kinds + p->off[i];
  out->labels = p->labels + p->off[i];
  return OG_OK;
}
