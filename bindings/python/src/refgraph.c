/* The referrer graph of the heap for backward searches (find_backref_chain, show_backrefs):
 * nodes are the gc-tracked objects in gc order (then any extra start objects), and for each
 * node its referrers among tracked objects, each once, in gc order -- exactly what
 * gc.get_referrers() would return, for every node at once. One walk plus one tp_traverse pass
 * (cheaper than a gc.collect()), then a counting sort into a reverse CSR. The engine's
 * traversals read it through an og_walker. */
#include <string.h>

#include "ogpy.h"

static int grow(void **p, size_t *cap, size_t need, size_t elem) {
  if (need <= *cap) return 0;
  size_t c = *cap ? *cap : 4096;
  while (c < need) c *= 2;
  void *a = PyMem_RawRealloc(*p, c * elem);
  if (!a) return -1;
  *p = a;
  *cap = c;
  return 0;
}

static int add_obj(ogpy_refgraph *g, PyObject *op, int tracked) {
  if (grow((void **)&g->objs, &g->cap, g->n + 1, sizeof *g->objs) < 0) return -1;
  if (g->numbered && tracked) {
    if (ogpy_heap_number_set(op, (uint32_t)g->n) < 0) return -1;
  } else if (ogpy_ptrmap_put(&g->map, (uintptr_t)op, (uint32_t)g->n, NULL) < 0) {
    return -1;
  }
  Py_INCREF(op);
  g->objs[g->n++] = op;
  return 0;
}

static int visit_node(PyObject *op, void *arg) {
  return add_obj((ogpy_refgraph *)arg, op, 1) ? -1 : 0;
}

static uint32_t lookup(const ogpy_refgraph *g, PyObject *op) {
  if (g->numbered) {
    /* a tracked object outside the walked generations (gc.freeze()) holds a real prev pointer,
       not a number: accept a number only when it names this very object */
    uint32_t j = ogpy_heap_number_get(op);
    if (j < g->ntracked && (OGPY_NUMBERS_TAGGED || g->objs[j] == op)) return j;
    if (!g->n_extra_untracked) return UINT32_MAX;
  }
  return ogpy_ptrmap_get(&g->map, (uintptr_t)op);
}

typedef struct edge_ctx {
  ogpy_refgraph *g;
  int all; /* look every referent up (untracked extra nodes exist) */
} edge_ctx;

static int visit_ref(PyObject *op, void *arg) {
  edge_ctx *e = (edge_ctx *)arg;
  if (!e->all && !e->g->numbered && !(PyType_IS_GC(Py_TYPE(op)) && PyObject_GC_IsTracked(op)))
    return 0;
  uint32_t j = lookup(e->g, op);
  if (j == UINT32_MAX) return 0;
  ogpy_refgraph *g = e->g;
  if (grow((void **)&g->dst, &g->cap_e, g->ne + 1, sizeof *g->dst) < 0) return -1;
  g->dst[g->ne++] = j;
  return 0;
}

/* The walk and the forward edges; the heap is numbered meanwhile (when it can be). */
static int build_edges(ogpy_refgraph *g, PyObject *const *extra, size_t nextra,
                       og_index *extra_idx, uint32_t **out_off_p) {
  if (ogpy_heap_visit(visit_node, g)) return -1;
  g->ntracked = g->n;
  int all = 0;
  for (size_t i = 0; i < nextra; i++) {
    uint32_t j = lookup(g, extra[i]);
    if (j == UINT32_MAX) {
      j = (uint32_t)g->n;
      if (add_obj(g, extra[i], 0) < 0) return -1;
      all = 1; /* an extra object not met in the walk is untracked */
      g->n_extra_untracked++;
    }
    extra_idx[i] = j;
  }
  uint32_t *out_off = PyMem_RawMalloc((g->n + 1) * sizeof *out_off);
  if (!out_off) return -1;
  *out_off_p = out_off;
  edge_ctx e = {g, all};
  for (size_t i = 0; i < g->n; i++) {
    out_off[i] = (uint32_t)g->ne;
    if (i + OGPY_AHEAD < g->n) OGPY_PREFETCH_OBJ(g->objs[i + OGPY_AHEAD]);
    if (i < g->ntracked && ogpy_traverse(g->objs[i], visit_ref, &e) < 0) return -1;
    if (g->ne > UINT32_MAX - 1) return -2;
  }
  out_off[g->n] = (uint32_t)g->ne;
  return 0;
}

/* Reverse CSR from the forward edges: each referrer once per referent, in gc order. */
static int build_reverse(ogpy_refgraph *g) {
  size_t n = g->n;
  uint32_t *last = PyMem_RawMalloc((n ? n : 1) * sizeof *last);
  uint32_t *cursor = PyMem_RawMalloc((n ? n : 1) * sizeof *cursor);
  g->in_off = PyMem_RawCalloc(n + 1, sizeof *g->in_off);
  int rc = -1;
  if (!last || !cursor || !g->in_off) goto done;
  memset(last, 0xff, n * sizeof *last);
  size_t nin = 0;
  for (size_t i = 0; i < n; i++)
    for (uint32_t k = g->out_off[i]; k < g->out_off[i + 1]; k++) {
      uint32_t j = g->dst[k];
      if (last[j] == (uint32_t)i) continue; /* a repeated reference: one referrer */
      last[j] = (uint32_t)i;
      g->in_off[j + 1]++;
      nin++;
    }
  for (size_t j = 0; j < n; j++) g->in_off[j + 1] += g->in_off[j];
  g->in_src = PyMem_RawMalloc((nin ? nin : 1) * sizeof *g->in_src);
  if (!g->in_src) goto done;
  memset(last, 0xff, n * sizeof *last);
  memcpy(cursor, g->in_off, n * sizeof *cursor);
  for (size_t i = 0; i < n; i++)
    for (uint32_t k = g->out_off[i]; k < g->out_off[i + 1]; k++) {
      uint32_t j = g->dst[k];
      if (last[j] == (uint32_t)i) continue;
      last[j] = (uint32_t)i;
      g->in_src[cursor[j]++] = (og_index)i;
    }
  rc = 0;
done:
  PyMem_RawFree(cursor);
  PyMem_RawFree(last);
  return rc;
}

int ogpy_refgraph_build(ogpy_refgraph *g, PyObject *const *extra, size_t nextra,
                        og_index *extra_idx, int reverse) {
  memset(g, 0, sizeof *g);
  if (ogpy_ptrmap_init(&g->map, ogpy_heap_can_number() ? 64 : 1 << 16) < 0) goto nomem;
  g->numbered = ogpy_heap_can_number();
  int brc = build_edges(g, extra, nextra, extra_idx, &g->out_off);
  /* before any Python code runs; a walk cut short numbered its first g->n objects */
  if (g->numbered)
    ogpy_heap_unnumber(PyInterpreterState_Get(), (ogpy_objseq){g->objs, NULL},
                       g->ntracked ? g->ntracked : g->n);
  g->numbered = 0;
  if (brc == -2) {
    PyErr_SetString(PyExc_OverflowError, "objgraph: more than 2**32 references");
    goto fail;
  }
  if (brc < 0) goto nomem;
  if (reverse) {
    if (build_reverse(g) < 0) goto nomem;
    PyMem_RawFree(g->dst); /* only referrers are asked from here on */
    PyMem_RawFree(g->out_off);
    g->dst = NULL;
    g->out_off = NULL;
    g->ne = g->cap_e = 0;
  }
  return 0;
nomem:
  PyErr_NoMemory();
fail:
  ogpy_refgraph_free(g);
  return -1;
}

/* objgraph's get_leaking_objects (master-branch fix): the candidates no tracked object refers
   to, ignoring the references held by the node `container` (the objects list), in candidate
   order. Needs the forward edges (build with reverse = 0). Returns a new list. */
PyObject *ogpy_refgraph_leaking(const ogpy_refgraph *g, const og_index *cand, size_t ncand,
                                og_index container) {
  uint8_t *referenced = PyMem_RawCalloc(g->n ? g->n : 1, 1);
  if (!referenced) return PyErr_NoMemory();
  for (size_t i = 0; i < g->ntracked; i++) {
    if ((og_index)i == container) continue;
    for (uint32_t k = g->out_off[i]; k < g->out_off[i + 1]; k++) referenced[g->dst[k]] = 1;
  }
  PyObject *res = PyList_New(0);
  for (size_t c = 0; res && c < ncand; c++) {
    og_index j = cand ? cand[c] : (og_index)c;
    if (!referenced[j] && PyList_Append(res, g->objs[j]) < 0) Py_CLEAR(res);
  }
  PyMem_RawFree(referenced);
  return res;
}

void ogpy_refgraph_free(ogpy_refgraph *g) {
  for (size_t i = 0; i < g->n; i++) {
    if (i + OGPY_AHEAD < g->n) OGPY_PREFETCH_OBJ(g->objs[i + OGPY_AHEAD]);
    Py_DECREF(g->objs[i]);
  }
  PyMem_RawFree(g->objs);
  PyMem_RawFree(g->dst);
  PyMem_RawFree(g->out_off);
  PyMem_RawFree(g->in_off);
  PyMem_RawFree(g->in_src);
  ogpy_ptrmap_free(&g->map);
  memset(g, 0, sizeof *g);
}

static int rg_neighbors(void *ctx, og_dir dir, og_index node, og_span *out) {
  ogpy_refgraph *g = (ogpy_refgraph *)ctx;
  if (node >= g->n || dir != OG_DIR_IN) return OG_EINVALID;
  out->nodes = g->in_src + g->in_off[node];
  out->meta = NULL;
  out->count = g->in_off[node + 1] - g->in_off[node];
  return OG_OK;
}

static og_index rg_count(void *ctx) { return (og_index)((ogpy_refgraph *)ctx)->n; }

void ogpy_refgraph_walker(og_walker *w, ogpy_refgraph *g) {
  w->version = OG_WALKER_VERSION;
  w->ctx = g;
  w->neighbors = rg_neighbors;
  w->node_count = rg_count;
}
