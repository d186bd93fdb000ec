/* objgraph._core: the CPython entry points. Python converts arguments and runs the user's
 * callbacks; captures, statistics, selections, searches, subgraphs and DOT text come from the
 * engine. */
#include <string.h>

#include "og/emit.h"
#include "ogpy.h"

/* ---- object tables and callbacks -------------------------------------------------------- */

/* Resolves node indices to objects: points at the objs field of a capture or a live walker
   (which may be reallocated while a traversal runs). */
typedef struct pycall {
  PyObject *fn;
  PyObject ***objsp;
} pycall;

static int call_pred(void *payload, og_index node) {
  pycall *p = (pycall *)payload;
  PyObject *r = PyObject_CallOneArg(p->fn, (*p->objsp)[node]);
  if (!r) return OG_EUSER;
  int t = PyObject_IsTrue(r);
  Py_DECREF(r);
  return t < 0 ? OG_EUSER : t;
}

typedef struct ignore_ctx {
  ogpy_ptrmap *map;
  PyObject ***objsp;
} ignore_ctx;

static int ignore_pred(void *payload, og_index node) {
  ignore_ctx *c = (ignore_ctx *)payload;
  return ogpy_ptrmap_get(c->map, (uintptr_t)(*c->objsp)[node]) != UINT32_MAX;
}

/* Fill map with the addresses of an iterable of ints (ids). Non-int items are skipped. */
static int ids_to_map(ogpy_ptrmap *map, PyObject *ids) {
  if (ogpy_ptrmap_init(map, 64) < 0) {
    PyErr_NoMemory();
    return -1;
  }
  if (ids == NULL || ids == Py_None) return 0;
  PyObject *it = PyObject_GetIter(ids);
  if (!it) return -1;
  PyObject *item;
  int rc = 0;
  while (rc == 0 && (item = PyIter_Next(it))) {
    void *p = PyLong_Check(item) ? PyLong_AsVoidPtr(item) : NULL;
    if (!p) PyErr_Clear(); /* not an int, or not an address: it cannot name an object */
    else if (ogpy_ptrmap_put(map, (uintptr_t)p, 0, NULL) < 0) rc = -1;
    Py_DECREF(item);
  }
  Py_DECREF(it);
  if (rc < 0) PyErr_NoMemory();
  return PyErr_Occurred() ? -1 : 0;
}

static PyObject *indices_to_list(og_indices *l, PyObject **objs) {
  size_t n = og_indices_count(l);
  const og_index *d = og_indices_data(l);
  PyObject *res = PyList_New((Py_ssize_t)n);
  if (!res) return NULL;
  for (size_t i = 0; i < n; i++) {
    Py_INCREF(objs[d[i]]);
    PyList_SET_ITEM(res, (Py_ssize_t)i, objs[d[i]]);
  }
  return res;
}

static PyObject *str_from(const char *s, size_t len) {
  return PyUnicode_DecodeUTF8(s, (Py_ssize_t)len, "surrogateescape");
}

/* leaking(objects) -> get_leaking_objects' result (objects None: every tracked object). */
static PyObject *py_leaking(PyObject *self, PyObject *args) {
  PyObject *objects;
  if (!PyArg_ParseTuple(args, "O", &objects)) return NULL;
  PyObject *seq = NULL;
  PyObject *const *items = NULL;
  size_t n = 0;
  if (objects != Py_None) {
    if (!(seq = PySequence_Fast(objects, "objects must be iterable"))) return NULL;
    items = PySequence_Fast_ITEMS(seq);
    n = (size_t)PySequence_Fast_GET_SIZE(seq);
  }
  /* the objects container is looked up as one more extra object (its last index) */
  og_index *idx = PyMem_RawMalloc((n + 2) * sizeof *idx);
  PyObject **extra = PyMem_RawMalloc((n + 2) * sizeof *extra);
  PyObject *res = NULL;
  if (!idx || !extra) {
    PyErr_NoMemory();
    goto done;
  }
  if (n) memcpy(extra, items, n * sizeof *extra);
  extra[n] = objects;
  /* an untracked container cannot be a referrer: leave it out (it would only slow lookups) */
  int container = seq && PyObject_IS_GC(objects) && PyObject_GC_IsTracked(objects);
  ogpy_refgraph rg;
  if (ogpy_refgraph_build(&rg, extra, n + (size_t)container, idx, 0) == 0) {
    res = ogpy_refgraph_leaking(&rg, seq ? idx : NULL, seq ? n : rg.ntracked,
                                container ? idx[n] : OG_INDEX_NONE);
    ogpy_refgraph_free(&rg);
  }
done:
  PyMem_RawFree(idx);
  PyMem_RawFree(extra);
  Py_XDECREF(seq);
  return res;
}

/* ---- traversals: a captured referrer graph or a live walker -------------------------------- */

enum { MODE_REFERENTS = 0, MODE_REFERRERS = 1, MODE_CUSTOM = 2, MODE_MEMBERS = 3 };

typedef struct traversal {
  int mode;
  ogpy_refgraph rg;  /* MODE_REFERRERS */
  ogpy_members mb;   /* MODE_MEMBERS: edge_func is the member sequence */
  ogpy_live live;   /* otherwise */
  og_walker walker;
  PyObject ***objsp;
  ogpy_ptrmap ignore; /* addresses never entered */
  ignore_ctx ictx;
} traversal;

static void traversal_free(traversal *t) {
  if (t->mode == MODE_REFERRERS)
    ogpy_refgraph_free(&t->rg);
  else if (t->mode == MODE_MEMBERS)
    ogpy_members_free(&t->mb);
  else
    ogpy_live_free(&t->live);
  ogpy_ptrmap_free(&t->ignore);
}

/* Prepare a traversal from starts; *start_idx gets their indices. */
static int traversal_init(traversal *t, int mode, PyObject *edge_func, PyObject *const *starts,
                          size_t n, PyObject *ignore_ids, og_index *start_idx) {
  memset(t, 0, sizeof *t);
  t->mode = mode;
  if (ids_to_map(&t->ignore, ignore_ids) < 0) return -1;
  if (mode == MODE_REFERRERS) {
    if (ogpy_refgraph_build(&t->rg, starts, n, start_idx, 1) < 0) return -1;
    ogpy_refgraph_walker(&t->walker, &t->rg);
    t->objsp = &t->rg.objs;
  } else if (mode == MODE_MEMBERS) {
    if (ogpy_members_init(&t->mb, edge_func) < 0) return -1;
    ogpy_members_walker(&t->walker, &t->mb);
    for (size_t i = 0; i < n; i++) {
      start_idx[i] = ogpy_members_find(&t->mb, starts[i]);
      if (start_idx[i] == OG_INDEX_NONE) {
        PyErr_SetString(PyExc_ValueError, "objgraph: a start object is not a chain member");
        return -1;
      }
    }
    t->objsp = &t->mb.objs;
  } else {
    if (ogpy_live_init(&t->live, mode == MODE_CUSTOM ? edge_func : NULL, &t->ignore) < 0) {
      PyErr_NoMemory();
      return -1;
    }
    ogpy_live_walker(&t->walker, &t->live);
    for (size_t i = 0; i < n; i++) {
      start_idx[i] = ogpy_live_intern(&t->live, starts[i]);
      if (start_idx[i] == OG_INDEX_NONE) {
        PyErr_NoMemory();
        return -1;
      }
    }
    t->objsp = &t->live.objs;
  }
  t->ictx.map = &t->ignore;
  t->ictx.objsp = t->objsp;
  return 0;
}

static PyObject *py_find_chain(PyObject *self, PyObject *args) {
  PyObject *obj, *pred, *edge_func, *ignore_ids;
  int mode;
  long long max_depth;
  if (!PyArg_ParseTuple(args, "OOOiLO", &obj, &pred, &edge_func, &mode, &max_depth, &ignore_ids))
    return NULL;
  traversal t;
  og_index start;
  PyObject *res = NULL;
  if (traversal_init(&t, mode, edge_func, &obj, 1, ignore_ids, &start) < 0) goto done;
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  o.dir = mode == MODE_REFERRERS ? OG_DIR_IN : OG_DIR_OUT;
  o.max_depth = max_depth < 0 ? 0 : max_depth > UINT32_MAX ? UINT32_MAX : (uint32_t)max_depth;
  o.ignore_fn = ignore_pred;
  o.ignore_payload = &t.ictx;
  pycall pc = {pred, t.objsp};
  og_indices *l = NULL;
  int rc = og_search_chain(&l, &t.walker, start, &o, call_pred, &pc);
  if (rc == OG_OK)
    res = indices_to_list(l, *t.objsp);
  else
    ogpy_raise_og(rc);
  og_indices_free(l);
done:
  traversal_free(&t);
  return res;
}

/* ---- show_graph: subgraph + DOT emitter with Python presentation callbacks ---------------- */

typedef struct deco {
  PyObject ***objsp;
  PyObject *label_fn; /* obj -> raw label str */
  PyObject *attrs_fn; /* obj -> attrs fragment str */
  PyObject *flags_fn; /* obj -> int (OG_EMIT_* bits) */
  PyObject *edge_fn;  /* (src, dst) -> fragment str */
} deco;

static int put_str(og_buf *out, PyObject *s) {
  if (!s) return OG_EUSER;
  if (!PyUnicode_Check(s)) {
    PyErr_SetString(PyExc_TypeError, "objgraph: a label callback must return str");
    Py_DECREF(s);
    return OG_EUSER;
  }
  PyObject *b = PyUnicode_AsEncodedString(s, "utf-8", "surrogateescape");
  Py_DECREF(s);
  if (!b) return OG_EUSER;
  int rc = og_buf_put(out, PyBytes_AS_STRING(b), (size_t)PyBytes_GET_SIZE(b));
  Py_DECREF(b);
  return rc;
}

static int deco_label(void *payload, og_index node, og_buf *out) {
  deco *d = (deco *)payload;
  return put_str(out, PyObject_CallOneArg(d->label_fn, (*d->objsp)[node]));
}

static int deco_attrs(void *payload, og_index node, og_buf *out) {
  deco *d = (deco *)payload;
  return put_str(out, PyObject_CallOneArg(d->attrs_fn, (*d->objsp)[node]));
}

static int deco_flags(void *payload, og_index node) {
  deco *d = (deco *)payload;
  PyObject *r = PyObject_CallOneArg(d->flags_fn, (*d->objsp)[node]);
  if (!r) return OG_EUSER;
  long v = PyLong_AsLong(r);
  Py_DECREF(r);
  if (v == -1 && PyErr_Occurred()) return OG_EUSER;
  return (int)(v & 7);
}

static int deco_edge(void *payload, og_index source, og_index target, uint32_t meta,
                     og_buf *out) {
  deco *d = (deco *)payload;
  PyObject *objs_s = (*d->objsp)[source], *objs_t = (*d->objsp)[target];
  return put_str(out, PyObject_CallFunctionObjArgs(d->edge_fn, objs_s, objs_t, NULL));
}

static int deco_id(void *payload, og_index node, og_id *out) {
  deco *d = (deco *)payload;
  *out = (og_id)(uintptr_t)(*d->objsp)[node];
  return OG_OK;
}

/* show_graph(starts, edge_func, mode, forward, max_depth, too_many, ignore_ids, filter, cull,
              label_fn, attrs_fn, flags_fn, edge_fn) -> (dot text, node count)
   forward: neighbours are referents (show_refs: target -> neighbour edges), else referrers. */
static PyObject *py_show_graph(PyObject *self, PyObject *args) {
  PyObject *starts, *edge_func, *ignore_ids, *filter, *cull;
  int mode, forward;
  long long max_depth, too_many;
  deco d;
  if (!PyArg_ParseTuple(args, "OOipLLOOOOOOO", &starts, &edge_func, &mode, &forward, &max_depth,
                        &too_many,
                        &ignore_ids, &filter, &cull, &d.label_fn, &d.attrs_fn, &d.flags_fn,
                        &d.edge_fn))
    return NULL;
  PyObject *seq = PySequence_Fast(starts, "objs must be a sequence");
  if (!seq) return NULL;
  size_t n = (size_t)PySequence_Fast_GET_SIZE(seq);
  og_index *idx = PyMem_RawMalloc((n ? n : 1) * sizeof *idx);
  PyObject *res = NULL;
  og_buf buf = OG_BUF_INIT;
  traversal t;
  memset(&t, 0, sizeof t);
  if (!idx) {
    PyErr_NoMemory();
    goto done;
  }
  if (traversal_init(&t, mode, edge_func, PySequence_Fast_ITEMS(seq), n, ignore_ids, idx) < 0)
    goto done;
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = forward ? OG_DIR_OUT : OG_DIR_IN;
  o.max_depth = max_depth;
  o.too_many = too_many;
  o.ignore_fn = ignore_pred;
  o.ignore_payload = &t.ictx;
  pycall pf = {filter, t.objsp}, pcull = {cull, t.objsp};
  if (filter != Py_None) {
    o.filter_fn = call_pred;
    o.filter_payload = &pf;
  }
  if (cull != Py_None) {
    o.cull_fn = call_pred;
    o.cull_payload = &pcull;
  }
  d.objsp = t.objsp;
  og_emit_decorator dec = OG_EMIT_DECORATOR_INIT;
  dec.payload = &d;
  dec.node_id = deco_id;
  dec.node_label = deco_label;
  dec.node_attrs = deco_attrs;
  dec.node_flags = deco_flags;
  dec.edge_label = deco_edge;
  size_t nodes = 0;
  int rc = og_emit_subgraph(&nodes, &t.walker, idx, n, &o, NULL, &dec, NULL, og_buf_write, &buf);
  if (rc != OG_OK)
    ogpy_raise_og(rc);
  else
    res = Py_BuildValue("(Nn)", str_from(buf.ptr ? buf.ptr : "", buf.size), (Py_ssize_t)nodes);
done:
  og_buf_dispose(&buf);
  traversal_free(&t);
  PyMem_RawFree(idx);
  Py_DECREF(seq);
  return res;
}

/* ---- module ------------------------------------------------------------------------------- */

static PyMethodDef methods[] = {
    {"typestats", ogpy_typestats, METH_VARARGS, "typestats(objects, long_names, filter) -> dict"},
    {"by_type", ogpy_by_type, METH_VARARGS, "by_type(name, objects, count_only) -> list | int"},
    {"at_addrs", ogpy_at_addrs, METH_VARARGS, "at_addrs(ids, single) -> list | object | None"},
    {"leaking", py_leaking, METH_VARARGS, "leaking(objects) -> list"},
    {"find_chain", py_find_chain, METH_VARARGS,
     "find_chain(obj, predicate, edge_func, mode, max_depth, ignore_ids) -> [obj, ..., match]"},
    {"show_graph", py_show_graph, METH_VARARGS, "show_graph(...) -> (dot, nodes)"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT,
    .m_name = "objgraph._core",
    .m_doc = "objgraph's C engine adapter.",
    .m_size = -1,
    .m_methods = methods,
};

PyMODINIT_FUNC PyInit__core(void) {
  if (PyType_Ready(&ogpy_IdSetsType) < 0) return NULL;
  PyObject *m = PyModule_Create(&moduledef);
  if (!m) return NULL;
  if (ogpy_snapshot_init(m) < 0) { /* snapshot_obj.c */
    Py_DECREF(m);
    return NULL;
  }
  Py_INCREF(&ogpy_IdSetsType);
  if (PyModule_AddObject(m, "IdSets", (PyObject *)&ogpy_IdSetsType) < 0 ||
      PyModule_AddStringConstant(m, "engine_version", og_version()) < 0 ||
      PyModule_AddIntConstant(m, "MODE_REFERENTS", MODE_REFERENTS) < 0 ||
      PyModule_AddIntConstant(m, "MODE_REFERRERS", MODE_REFERRERS) < 0 ||
      PyModule_AddIntConstant(m, "MODE_CUSTOM", MODE_CUSTOM) < 0 ||
      PyModule_AddIntConstant(m, "MODE_MEMBERS", MODE_MEMBERS) < 0) {
    Py_DECREF(m);
    return NULL;
  }
  return m;
}
