/* A referrer walker restricted to a known set of objects (show_chain's chain members): the
 * referrers of a member are the gc-tracked members whose tp_traverse reaches it, each once, in
 * gc order -- what gc.get_referrers() followed by objgraph's in_chains filter leaves, computed
 * from the members' own references instead of a scan of the whole heap. */
#include <string.h>

#include "ogpy.h"

typedef struct member_ctx {
  ogpy_members *m;
  uint32_t src;
  int err;
} member_ctx;

static int visit_member(PyObject *op, void *arg) {
  member_ctx *c = (member_ctx *)arg;
  uint32_t j = ogpy_ptrmap_get(&c->m->map, (uintptr_t)op);
  if (j == UINT32_MAX) return 0;
  ogpy_members *m = c->m;
  for (size_t k = m->adj_off[j]; k < m->adj_n[j] + m->adj_off[j]; k++)
    if (m->adj[k] == c->src) return 0; /* a repeated reference: one referrer */
  if (m->adj_n[j] == m->per) { c->err = 1; return -1; }
  m->adj[m->adj_off[j] + m->adj_n[j]++] = c->src;
  return 0;
}

/* gc position of each member that refers to others (for the gc order of referrers). */
typedef struct order_ctx {
  ogpy_members *m;
  uint64_t pos;
} order_ctx;

static int visit_order(PyObject *op, void *arg) {
  order_ctx *c = (order_ctx *)arg;
  uint32_t j = ogpy_ptrmap_get(&c->m->map, (uintptr_t)op);
  if (j != UINT32_MAX) c->m->gcpos[j] = c->pos;
  c->pos++;
  return 0;
}

int ogpy_members_init(ogpy_members *m, PyObject *members) {
  memset(m, 0, sizeof *m);
  m->seq = PySequence_Fast(members, "chain members must be a sequence");
  if (!m->seq) return -1;
  size_t n = (size_t)PySequence_Fast_GET_SIZE(m->seq);
  PyObject **items = PySequence_Fast_ITEMS(m->seq);
  if (ogpy_ptrmap_init(&m->map, n + 1) < 0) goto nomem;
  m->objs = PyMem_RawMalloc((n + 1) * sizeof *m->objs);
  if (!m->objs) goto nomem;
  for (size_t i = 0; i < n; i++) {
    uint32_t idx;
    int r = ogpy_ptrmap_put(&m->map, (uintptr_t)items[i], (uint32_t)m->n, &idx);
    if (r < 0) goto nomem;
    if (r == 1) m->objs[m->n++] = items[i]; /* borrowed: m->seq holds them */
  }
  n = m->n;
  m->per = n; /* a member has at most n member referrers */
  m->adj = PyMem_RawMalloc((n * n + 1) * sizeof *m->adj);
  m->adj_off = PyMem_RawMalloc((n + 1) * sizeof *m->adj_off);
  m->adj_n = PyMem_RawCalloc(n + 1, sizeof *m->adj_n);
  m->gcpos = PyMem_RawCalloc(n + 1, sizeof *m->gcpos);
  if (!m->adj || !m->adj_off || !m->adj_n || !m->gcpos) goto nomem;
  for (size_t j = 0; j < n; j++) m->adj_off[j] = j * n;
  int need_order = 0;
  for (size_t i = 0; i < n; i++) {
    PyObject *op = m->objs[i];
    if (!(PyObject_IS_GC(op) && PyObject_GC_IsTracked(op))) continue; /* not a referrer */
    member_ctx c = {m, (uint32_t)i, 0};
    if (ogpy_traverse(op, visit_member, &c) < 0 || c.err) goto nomem;
  }
  for (size_t j = 0; j < n; j++) need_order |= m->adj_n[j] > 1;
  if (need_order) {
    /* several member referrers of one member: list them in gc order, as get_referrers does */
    order_ctx oc = {m, 0};
    ogpy_heap_visit(visit_order, &oc);
    for (size_t j = 0; j < n; j++) {
      uint32_t *a = m->adj + m->adj_off[j];
      for (size_t x = 1; x < m->adj_n[j]; x++) /* insertion sort: a handful of entries */
        for (size_t y = x; y > 0 && m->gcpos[a[y - 1]] > m->gcpos[a[y]]; y--) {
          uint32_t t = a[y];
          a[y] = a[y - 1];
          a[y - 1] = t;
        }
    }
  }
  return 0;
nomem:
  ogpy_members_free(m);
  PyErr_NoMemory();
  return -1;
}

void ogpy_members_free(ogpy_members *m) {
  PyMem_RawFree(m->objs);
  PyMem_RawFree(m->adj);
  PyMem_RawFree(m->adj_off);
  PyMem_RawFree(m->adj_n);
  PyMem_RawFree(m->gcpos);
  ogpy_ptrmap_free(&m->map);
  Py_XDECREF(m->seq);
  memset(m, 0, sizeof *m);
}

og_index ogpy_members_find(const ogpy_members *m, PyObject *op) {
  uint32_t j = ogpy_ptrmap_get(&m->map, (uintptr_t)op);
  return j == UINT32_MAX ? OG_INDEX_NONE : (og_index)j;
}

static int mb_neighbors(void *ctx, og_dir dir, og_index node, og_span *out) {
  ogpy_members *m = (ogpy_members *)ctx;
  if (node >= m->n || dir != OG_DIR_IN) return OG_EINVALID;
  out->nodes = m->adj + m->adj_off[node];
  out->meta = NULL;
  out->count = m->adj_n[node];
  return OG_OK;
}

static og_index mb_count(void *ctx) { return (og_index)((ogpy_members *)ctx)->n; }

void ogpy_members_walker(og_walker *w, ogpy_members *m) {
  w->version = OG_WALKER_VERSION;
  w->ctx = m;
  w->neighbors = mb_neighbors;
  w->node_count = mb_count;
}
