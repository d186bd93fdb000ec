/* Heap capture: every gc-tracked object becomes a node of an og_graph (gc order), with its type
 * interned once per PyTypeObject*, its flags, size and refcount; edges come from tp_traverse.
 * No Python code runs during the walk (no __repr__, __eq__, __hash__, __sizeof__...). */
#include <string.h>

#include "ogpy.h"

typedef struct cap_walk {
  ogpy_capture *c;
  og_builder *b;
  ogpy_ptrmap *map; /* address -> node index (quiet lookups, unlike og_builder_find) */
  PyObject *sys_modules; /* borrowed */
  int rc;                /* og error code, or -1 with a Python exception */
} cap_walk;

static int grow_objs(ogpy_capture *c) {
  size_t cap = c->cap ? c->cap * 2 : 4096;
  PyObject **a = PyMem_RawRealloc(c->objs, cap * sizeof *a);
  if (!a) return -1;
  c->objs = a;
  c->cap = cap;
  return 0;
}

static og_type type_handle(cap_walk *w, uint32_t slot) {
  ogpy_types *t = &w->c->types;
  if (t->handles[slot] != OG_TYPE_NONE) return t->handles[slot];
  char *s, *l;
  size_t sl, ll;
  if (ogpy_type_names(t->types[slot], &s, &sl, &l, &ll) < 0) return OG_TYPE_NONE;
  og_type h = OG_TYPE_NONE;
  int rc = og_builder_add_type(&h, w->b, s, sl, l, ll);
  PyMem_Free(s);
  PyMem_Free(l);
  if (rc != OG_OK) {
    w->rc = rc;
    return OG_TYPE_NONE;
  }
  t->handles[slot] = h;
  return h;
}

/* A module registered in sys.modules under its own __name__ (read from its dict, no getattr). */
static int is_proper_module(PyObject *op, PyObject *sys_modules) {
  if (!sys_modules) return 0;
  PyObject *d = PyModule_GetDict(op);
  if (!d) return 0;
  PyObject *name = PyDict_GetItemString(d, "__name__");
  if (!name || !PyUnicode_CheckExact(name)) return 0;
  return PyDict_GetItem(sys_modules, name) == op;
}

static uint64_t cheap_size(PyObject *op) {
  PyTypeObject *tp = Py_TYPE(op);
  uint64_t size = (uint64_t)tp->tp_basicsize;
  if (tp->tp_itemsize) {
    Py_ssize_t n = Py_SIZE(op);
    size += (uint64_t)(n < 0 ? -n : n) * (uint64_t)tp->tp_itemsize;
  }
  return size;
}

static int add_node(cap_walk *w, PyObject *op, uint32_t extra_flags) {
  ogpy_capture *c = w->c;
  uint32_t slot = ogpy_types_slot(&c->types, Py_TYPE(op));
  if (slot == UINT32_MAX) return w->rc = OG_ENOMEM;
  og_type th = type_handle(w, slot);
  if (th == OG_TYPE_NONE) return w->rc ? w->rc : (w->rc = -1);
  c->types.counts[slot]++;
  uint32_t flags = c->types.flags[slot] | extra_flags;
  if ((flags & OG_NODE_ANY_MODULE) && is_proper_module(op, w->sys_modules))
    flags |= OG_NODE_MODULE;
  Py_ssize_t rc = Py_REFCNT(op);
  uint32_t refcnt = rc < 0 ? 0 : rc > (Py_ssize_t)UINT32_MAX ? UINT32_MAX : (uint32_t)rc;
  if (c->n == c->cap && grow_objs(c) < 0) return w->rc = OG_ENOMEM;
  og_index idx;
  int r = og_builder_add_node(&idx, w->b, (og_id)(uintptr_t)op, th, cheap_size(op), flags & 0xFFFFu,
                              refcnt, OG_STR_NONE);
  if (r != OG_OK) return w->rc = r;
  if (ogpy_ptrmap_put(w->map, (uintptr_t)op, idx, NULL) < 0) return w->rc = OG_ENOMEM;
  Py_INCREF(op);
  c->objs[c->n++] = op;
  return 0;
}

static int visit_tracked(PyObject *op, void *arg) {
  cap_walk *w = (cap_walk *)arg;
  return add_node(w, op, OG_NODE_GC_TRACKED) ? 1 : 0;
}

typedef struct edge_ctx {
  og_builder *b;
  const ogpy_ptrmap *map;
  og_index src;
  int any_untracked; /* extra nodes that are not gc-tracked exist: look every referent up */
  int rc;
} edge_ctx;

static int visit_edge(PyObject *op, void *arg) {
  edge_ctx *e = (edge_ctx *)arg;
  if (!e->any_untracked && !(PyType_IS_GC(Py_TYPE(op)) && PyObject_GC_IsTracked(op))) return 0;
  uint32_t dst = ogpy_ptrmap_get(e->map, (uintptr_t)op);
  if (dst == UINT32_MAX) return 0;
  int rc = og_builder_add_edge(e->b, e->src, dst, OG_EDGE_OTHER, OG_STR_NONE);
  if (rc != OG_OK) {
    e->rc = rc;
    return -1;
  }
  return 0;
}

static int fail(ogpy_capture *c, og_builder *b, ogpy_ptrmap *map, int rc) {
  og_builder_free(b);
  ogpy_ptrmap_free(map);
  ogpy_capture_free(c);
  if (!PyErr_Occurred()) ogpy_raise_og(rc);
  return -1;
}

int ogpy_capture_run(ogpy_capture *c, unsigned what, PyObject *const *extra, size_t nextra) {
  memset(c, 0, sizeof *c);
  og_builder *b = NULL;
  ogpy_ptrmap map;
  memset(&map, 0, sizeof map);
  int rc = og_builder_new(&b, NULL);
  if (rc != OG_OK) return fail(c, b, &map, rc);
  if (ogpy_types_init(&c->types) < 0 || ogpy_ptrmap_init(&map, 1 << 12) < 0)
    return fail(c, b, &map, OG_ENOMEM);
  cap_walk w = {c, b, &map, PySys_GetObject("modules"), 0};
  if (w.sys_modules && !PyDict_Check(w.sys_modules)) w.sys_modules = NULL;
  if (!(what & OGPY_CAP_ONLY_EXTRA) && ogpy_heap_visit(visit_tracked, &w))
    return fail(c, b, &map, w.rc ? w.rc : OG_ENOMEM);
  size_t ntracked = c->n;
  int any_untracked = 0;
  for (size_t i = 0; i < nextra; i++) {
    if (ogpy_ptrmap_get(&map, (uintptr_t)extra[i]) != UINT32_MAX) continue;
    int tracked = PyObject_IS_GC(extra[i]) && PyObject_GC_IsTracked(extra[i]);
    if (add_node(&w, extra[i], tracked ? OG_NODE_GC_TRACKED : 0))
      return fail(c, b, &map, w.rc ? w.rc : OG_ENOMEM);
    if (!tracked) any_untracked = 1;
  }
  if (what & OGPY_CAP_EDGES) {
    edge_ctx e = {b, &map, 0, any_untracked, 0};
    for (size_t i = 0; i < ntracked; i++) {
      e.src = (og_index)i;
      if (ogpy_traverse(c->objs[i], visit_edge, &e) < 0 || e.rc) return fail(c, b, &map, e.rc);
    }
  }
  ogpy_ptrmap_free(&map);
  rc = og_builder_finish(&c->graph, b);
  og_builder_free(b);
  b = NULL;
  if (rc != OG_OK) return fail(c, NULL, &map, rc);
  return 0;
}

void ogpy_capture_free(ogpy_capture *c) {
  for (size_t i = 0; i < c->n; i++) Py_DECREF(c->objs[i]);
  PyMem_RawFree(c->objs);
  og_graph_free(c->graph);
  ogpy_types_free(&c->types);
  memset(c, 0, sizeof *c);
}

og_index ogpy_capture_find(const ogpy_capture *c, PyObject *op) {
  og_index idx;
  if (!c->graph || og_graph_find(&idx, c->graph, (og_id)(uintptr_t)op) != OG_OK) {
    og_error_clear();
    return OG_INDEX_NONE;
  }
  return idx;
}
