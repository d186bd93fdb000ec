/* A live og_walker over the running heap: dense indices are minted as objects are met (each
 * held with a strong reference until ogpy_live_free), neighbours come from tp_traverse
 * (gc.get_referents semantics, untracked referents included) or from a Python edge function. */
#include <string.h>

#include "ogpy.h"

int ogpy_live_init(ogpy_live *lw, PyObject *edge_func, ogpy_ptrmap *ignore) {
  memset(lw, 0, sizeof *lw);
  lw->edge_func = edge_func;
  lw->ignore = ignore;
  return ogpy_ptrmap_init(&lw->map, 1024);
}

void ogpy_live_free(ogpy_live *lw) {
  for (size_t i = 0; i < lw->n; i++) Py_DECREF(lw->objs[i]);
  PyMem_RawFree(lw->objs);
  PyMem_RawFree(lw->span);
  ogpy_ptrmap_free(&lw->map);
  memset(lw, 0, sizeof *lw);
}

og_index ogpy_live_intern(ogpy_live *lw, PyObject *op) {
  uint32_t idx;
  int r = ogpy_ptrmap_put(&lw->map, (uintptr_t)op, (uint32_t)lw->n, &idx);
  if (r < 0) return OG_INDEX_NONE;
  if (r == 0) return idx;
  if (lw->n == lw->cap) {
    size_t cap = lw->cap ? lw->cap * 2 : 256;
    PyObject **a = PyMem_RawRealloc(lw->objs, cap * sizeof *a);
    if (!a) return OG_INDEX_NONE; /* the map entry points past n: never read (n unchanged) */
    lw->objs = a;
    lw->cap = cap;
  }
  Py_INCREF(op);
  lw->objs[lw->n] = op;
  return (og_index)lw->n++;
}

static int span_push(ogpy_live *lw, PyObject *op) {
  og_index idx = ogpy_live_intern(lw, op);
  if (idx == OG_INDEX_NONE) return -1;
  if (lw->span_n == lw->span_cap) {
    size_t cap = lw->span_cap ? lw->span_cap * 2 : 64;
    og_index *a = PyMem_RawRealloc(lw->span, cap * sizeof *a);
    if (!a) return -1;
    lw->span = a;
    lw->span_cap = cap;
  }
  lw->span[lw->span_n++] = idx;
  return 0;
}

static int visit_referent(PyObject *op, void *arg) { return span_push((ogpy_live *)arg, op); }

static int live_neighbors(void *ctx, og_dir dir, og_index node, og_span *out) {
  ogpy_live *lw = (ogpy_live *)ctx;
  if (node >= lw->n) return OG_EINVALID;
  lw->span_n = 0;
  PyObject *obj = lw->objs[node];
  if (!lw->edge_func) {
    if (ogpy_traverse(obj, visit_referent, lw) < 0) return OG_ENOMEM;
  } else {
    PyObject *res = PyObject_CallOneArg(lw->edge_func, obj);
    if (!res) return OG_EUSER;
    /* objgraph ignores the id of every neighbour list it got */
    if (lw->ignore && ogpy_ptrmap_put(lw->ignore, (uintptr_t)res, 0, NULL) < 0) {
      Py_DECREF(res);
      return OG_ENOMEM;
    }
    PyObject *it = PyObject_GetIter(res);
    if (!it) {
      Py_DECREF(res);
      return OG_EUSER;
    }
    PyObject *item;
    int rc = OG_OK;
    while ((item = PyIter_Next(it))) {
      if (span_push(lw, item) < 0) rc = OG_ENOMEM;
      Py_DECREF(item);
      if (rc) break;
    }
    Py_DECREF(it);
    Py_DECREF(res);
    if (rc) return rc;
    if (PyErr_Occurred()) return OG_EUSER;
  }
  out->nodes = lw->span;
  out->meta = NULL;
  out->count = lw->span_n;
  return OG_OK;
}

static og_index live_count(void *ctx) { return (og_index)((ogpy_live *)ctx)->n; }

void ogpy_live_walker(og_walker *w, ogpy_live *lw) {
  w->version = OG_WALKER_VERSION;
  w->ctx = lw;
  w->neighbors = live_neighbors;
  w->node_count = live_count;
}
