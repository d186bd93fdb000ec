/* objgraph._core.SnapshotGraph: a captured or loaded heap graph and the engine queries over it
 * (statistics, selections, chains, leaking objects, DOT/JSON, diffs, saving). Node handles are
 * indices; SnapshotNode is the lightweight record predicates receive. The Python class
 * objgraph.Snapshot (objgraph/_snapshot.py) wraps this with objgraph's API. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ogpy_snap.h"

typedef struct snapobj {
  PyObject_HEAD og_graph *g;
  PyObject **tshort, **tlong; /* per type handle: names as str, made on first use */
  uint32_t ntypes;
  PyObject *header; /* dict, or NULL */
} snapobj;

static PyObject *newref(PyObject *o) {
  Py_INCREF(o);
  return o;
}

static PyTypeObject SnapType;
static PyTypeObject NodeType; /* struct sequence */
static PyObject *FormatError;

/* ---- errors --------------------------------------------------------------------------------- */

static PyObject *raise_snap(int code) {
  if (PyErr_Occurred()) return NULL;
  const char *msg = og_error_last();
  switch (code) {
    case OG_EMALFORMED:
      PyErr_SetString(FormatError, msg);
      break;
    case OG_ENOTFOUND: {
      PyObject *a = Py_BuildValue("(is)", ENOENT, msg); /* errno + the engine's message */
      if (a) PyErr_SetObject(PyExc_FileNotFoundError, a);
      Py_XDECREF(a);
      break;
    }
    case OG_EIO:
      PyErr_SetString(PyExc_OSError, msg);
      break;
    case OG_EINVALID:
      PyErr_SetString(PyExc_ValueError, msg);
      break;
    default:
      ogpy_raise_og(code);
  }
  return NULL;
}

/* ---- object lifetime ------------------------------------------------------------------------ */

static PyObject *snap_wrap(og_graph *g) {
  snapobj *s = PyObject_New(snapobj, &SnapType);
  if (!s) {
    og_graph_free(g);
    return NULL;
  }
  s->g = g;
  s->tshort = s->tlong = NULL;
  s->ntypes = 0;
  s->header = NULL;
  return (PyObject *)s;
}

static void snap_dealloc(snapobj *s) {
  for (uint32_t i = 0; i < s->ntypes; i++) {
    Py_XDECREF(s->tshort[i]);
    Py_XDECREF(s->tlong[i]);
  }
  PyMem_Free(s->tshort);
  PyMem_Free(s->tlong);
  Py_XDECREF(s->header);
  og_graph_free(s->g);
  PyObject_Free(s);
}

static PyObject *text(const char *p, size_t n) {
  return PyUnicode_DecodeUTF8(p ? p : "", (Py_ssize_t)n, "surrogateescape");
}

/* The short or long name of type t as a cached str (borrowed). */
static PyObject *type_name(snapobj *s, og_type t, int long_form) {
  if (!s->tshort) {
    uint32_t n = og_graph_type_count(s->g);
    s->tshort = PyMem_Calloc(n ? n : 1, sizeof(PyObject *));
    s->tlong = PyMem_Calloc(n ? n : 1, sizeof(PyObject *));
    if (!s->tshort || !s->tlong) return PyErr_NoMemory();
    s->ntypes = n;
  }
  if (t >= s->ntypes) Py_RETURN_NONE; /* borrowed None is immortal enough here */
  PyObject **slot = long_form ? &s->tlong[t] : &s->tshort[t];
  if (!*slot) {
    size_t len = 0;
    const char *p = og_graph_type_name(s->g, t, long_form, &len);
    *slot = text(p, len);
  }
  return *slot;
}

static int check_index(snapobj *s, long long i) {
  if (i < 0 || i >= (long long)og_graph_node_count(s->g)) {
    PyErr_Format(PyExc_IndexError, "snapshot node index %lld out of range (%u nodes)", i,
                 og_graph_node_count(s->g));
    return -1;
  }
  return 0;
}

/* ---- nodes ---------------------------------------------------------------------------------- */

static PyObject *make_node(snapobj *s, og_index i) {
  og_node_info ni;
  int rc = og_graph_node(&ni, s->g, i);
  if (rc != OG_OK) return raise_snap(rc);
  PyObject *n = PyStructSequence_New(&NodeType);
  if (!n) return NULL;
  PyObject *ts = type_name(s, ni.type, 0), *tl = ts ? type_name(s, ni.type, 1) : NULL;
  if (!tl) {
    Py_DECREF(n);
    return NULL;
  }
  PyObject *label;
  if (ni.label == OG_STR_NONE) {
    label = Py_None;
    Py_INCREF(label);
  } else {
    size_t len = 0;
    const char *p = og_graph_str(s->g, ni.label, &len);
    label = text(p, len);
  }
  Py_INCREF(ts);
  Py_INCREF(tl);
  PyStructSequence_SET_ITEM(n, 0, PyLong_FromUnsignedLong(i));
  PyStructSequence_SET_ITEM(n, 1, PyLong_FromUnsignedLongLong(ni.id));
  PyStructSequence_SET_ITEM(n, 2, ts);
  PyStructSequence_SET_ITEM(n, 3, tl);
  PyStructSequence_SET_ITEM(n, 4, PyLong_FromUnsignedLongLong(ni.size));
  PyStructSequence_SET_ITEM(n, 5, PyLong_FromUnsignedLong(ni.flags));
  PyStructSequence_SET_ITEM(n, 6, PyLong_FromUnsignedLong(ni.refcount));
  PyStructSequence_SET_ITEM(n, 7, label);
  for (int k = 0; k < 8; k++)
    if (!PyStructSequence_GET_ITEM(n, k)) {
      Py_DECREF(n);
      return NULL;
    }
  return n;
}

static PyObject *snap_node(snapobj *s, PyObject *arg) {
  long long i = PyLong_AsLongLong(arg);
  if (i == -1 && PyErr_Occurred()) return NULL;
  if (check_index(s, i) < 0) return NULL;
  return make_node(s, (og_index)i);
}

static PyObject *index_list(const og_index *d, size_t n) {
  PyObject *res = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; res && i < n; i++) {
    PyObject *v = PyLong_FromUnsignedLong(d[i]);
    if (!v) Py_CLEAR(res);
    else PyList_SET_ITEM(res, (Py_ssize_t)i, v);
  }
  return res;
}

static PyObject *indices_result(int rc, og_indices *l) {
  PyObject *res = rc == OG_OK ? index_list(og_indices_data(l), og_indices_count(l)) : raise_snap(rc);
  og_indices_free(l);
  return res;
}

/* A Python sequence of ints -> node indices (each checked). *n gets the count. */
static og_index *to_indices(snapobj *s, PyObject *seq_in, size_t *n) {
  PyObject *seq = PySequence_Fast(seq_in, "node indices must be a sequence");
  if (!seq) return NULL;
  *n = (size_t)PySequence_Fast_GET_SIZE(seq);
  og_index *idx = PyMem_Malloc((*n ? *n : 1) * sizeof *idx);
  if (!idx) {
    Py_DECREF(seq);
    PyErr_NoMemory();
    return NULL;
  }
  for (size_t i = 0; i < *n; i++) {
    long long v = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i));
    if ((v == -1 && PyErr_Occurred()) || check_index(s, v) < 0) {
      PyMem_Free(idx);
      Py_DECREF(seq);
      return NULL;
    }
    idx[i] = (og_index)v;
  }
  Py_DECREF(seq);
  return idx;
}

static PyObject *snap_nodes(snapobj *s, PyObject *arg) {
  size_t n;
  og_index *idx = to_indices(s, arg, &n);
  if (!idx) return NULL;
  PyObject *res = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; res && i < n; i++) {
    PyObject *v = make_node(s, idx[i]);
    if (!v) Py_CLEAR(res);
    else PyList_SET_ITEM(res, (Py_ssize_t)i, v);
  }
  PyMem_Free(idx);
  return res;
}

static PyObject *snap_find(snapobj *s, PyObject *arg) {
  unsigned long long id = PyLong_AsUnsignedLongLong(arg);
  if (id == (unsigned long long)-1 && PyErr_Occurred()) return NULL;
  og_index i = og_graph_lookup(s->g, (og_id)id);
  if (i == OG_INDEX_NONE) Py_RETURN_NONE;
  return PyLong_FromUnsignedLong(i);
}

static const char *const KIND_NAMES[] = {"other", "attr",  "dict_key", "dict_value",
                                         "index", "cell",  "weak",     "type",
                                         "dict",  "element", "local",  "globals"};

static PyObject *edge_label_obj(snapobj *s, og_edge_kind kind, uint32_t label) {
  if (label == OG_STR_NONE) Py_RETURN_NONE;
  if (kind == OG_EDGE_INDEX) return PyLong_FromUnsignedLong(label);
  size_t len = 0;
  const char *p = og_graph_str(s->g, label, &len);
  return text(p, len);
}

/* out_edges(i) -> [(target, kind name, label: str | int | None)] in edge order. */
static PyObject *snap_out_edges(snapobj *s, PyObject *arg) {
  long long i = PyLong_AsLongLong(arg);
  if ((i == -1 && PyErr_Occurred()) || check_index(s, i) < 0) return NULL;
  size_t deg = 0;
  og_graph_out_degree(&deg, s->g, (og_index)i);
  PyObject *res = PyList_New((Py_ssize_t)deg);
  for (size_t k = 0; res && k < deg; k++) {
    og_edge_info e;
    og_graph_edge(&e, s->g, (og_index)i, k);
    const char *kn = (unsigned)e.kind < sizeof KIND_NAMES / sizeof *KIND_NAMES ? KIND_NAMES[e.kind] : "kind";
    PyObject *t = Py_BuildValue("(IsN)", e.target, kn, edge_label_obj(s, e.kind, e.label));
    if (!t) Py_CLEAR(res);
    else PyList_SET_ITEM(res, (Py_ssize_t)k, t);
  }
  return res;
}

/* in_edges(i) -> referrer indices (each once, index order). */
static PyObject *snap_in_edges(snapobj *s, PyObject *arg) {
  long long i = PyLong_AsLongLong(arg);
  if ((i == -1 && PyErr_Occurred()) || check_index(s, i) < 0) return NULL;
  og_span sp;
  int rc = og_graph_neighbors(&sp, s->g, OG_DIR_IN, (og_index)i);
  if (rc != OG_OK) return raise_snap(rc);
  return index_list(sp.nodes, sp.count);
}

/* ---- statistics and selections -------------------------------------------------------------- */

static int gc_pred(og_flags_pred *p, snapobj *s, int gc_only) {
  p->graph = s->g;
  p->mask = gc_only ? OG_NODE_GC_TRACKED : 0;
  p->value = p->mask;
  return gc_only;
}

/* stats(long_names, gc_only, order, limit) -> [(name, count, size)] */
static PyObject *snap_stats(snapobj *s, PyObject *args) {
  int long_names, gc_only, order;
  Py_ssize_t limit;
  if (!PyArg_ParseTuple(args, "ppin", &long_names, &gc_only, &order, &limit)) return NULL;
  og_flags_pred fp;
  int use = gc_pred(&fp, s, gc_only);
  og_stats *st = NULL;
  int rc = og_stats_compute(&st, s->g, NULL, OG_ALL_NODES, long_names, use ? og_flags_pred_fn : NULL,
                            &fp);
  if (rc == OG_OK) rc = og_stats_sort(st, (og_stats_order)order, limit < 0 ? 0 : (size_t)limit);
  if (rc != OG_OK) {
    og_stats_free(st);
    return raise_snap(rc);
  }
  size_t n = og_stats_count(st);
  PyObject *res = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; res && i < n; i++) {
    og_stats_row r;
    og_stats_row_get(&r, st, i);
    PyObject *t = Py_BuildValue("(NKK)", text(r.name, r.name_len), (unsigned long long)r.count,
                                (unsigned long long)r.size);
    if (!t) Py_CLEAR(res);
    else PyList_SET_ITEM(res, (Py_ssize_t)i, t);
  }
  og_stats_free(st);
  return res;
}

/* The gc-tracked subset (or every node). */
static int subset(snapobj *s, int gc_only, og_indices **sub, const og_index **nodes, size_t *count) {
  *sub = NULL;
  *nodes = NULL;
  *count = OG_ALL_NODES;
  if (!gc_only) return OG_OK;
  int rc = og_select_by_flags(sub, s->g, OG_NODE_GC_TRACKED, OG_NODE_GC_TRACKED, NULL, OG_ALL_NODES);
  if (rc == OG_OK) {
    *nodes = og_indices_data(*sub);
    *count = og_indices_count(*sub);
  }
  return rc;
}

/* by_type(name, gc_only, count_only) -> [indices] | int */
static PyObject *snap_by_type(snapobj *s, PyObject *args) {
  const char *name;
  Py_ssize_t len;
  int gc_only, count_only;
  if (!PyArg_ParseTuple(args, "s#pp", &name, &len, &gc_only, &count_only)) return NULL;
  og_indices *sub, *l = NULL;
  const og_index *nodes;
  size_t count, n = 0;
  int rc = subset(s, gc_only, &sub, &nodes, &count);
  if (rc == OG_OK && count_only) rc = og_select_count_type(&n, s->g, name, (size_t)len, nodes, count);
  else if (rc == OG_OK) rc = og_select_by_type(&l, s->g, name, (size_t)len, nodes, count);
  og_indices_free(sub);
  if (count_only) return rc == OG_OK ? PyLong_FromSize_t(n) : raise_snap(rc);
  return indices_result(rc, l);
}

/* leaking(gc_only) -> indices of nodes no node refers to (objgraph's get_leaking_objects). */
static PyObject *snap_leaking(snapobj *s, PyObject *args) {
  int gc_only;
  if (!PyArg_ParseTuple(args, "p", &gc_only)) return NULL;
  og_indices *sub, *l = NULL;
  const og_index *nodes;
  size_t count;
  int rc = subset(s, gc_only, &sub, &nodes, &count);
  if (rc == OG_OK) rc = og_select_leaking(&l, s->g, nodes, count, OG_INDEX_NONE, 0);
  og_indices_free(sub);
  return indices_result(rc, l);
}

/* ---- a walker without weak references --------------------------------------------------------
 * gc.get_referents / gc.get_referrers do not see a weakref's referent, so by default chains and
 * graphs skip OG_EDGE_WEAK edges like objgraph: out-spans drop weak edges, in-spans drop a
 * weakref node (OGPY_NODE_WEAKREF) whose only edges to the node are weak. */

typedef struct strong_walk {
  og_graph *g;
  og_index *nodes;
  uint32_t *meta;
  size_t cap;
} strong_walk;

static int is_weak_referrer(og_graph *g, og_index src, og_index dst) {
  og_node_info ni;
  if (og_graph_node(&ni, g, src) != OG_OK || !(ni.flags & OGPY_NODE_WEAKREF)) return 0;
  og_span sp;
  if (og_graph_neighbors(&sp, g, OG_DIR_OUT, src) != OG_OK) return 0;
  for (size_t k = 0; k < sp.count; k++)
    if (sp.nodes[k] == dst && OG_META_KIND(sp.meta[k]) != OG_EDGE_WEAK) return 0;
  return 1;
}

static int strong_neighbors(void *ctx, og_dir dir, og_index node, og_span *out) {
  strong_walk *w = (strong_walk *)ctx;
  og_span sp;
  int rc = og_graph_neighbors(&sp, w->g, dir, node);
  if (rc != OG_OK) return rc;
  *out = sp;
  size_t n = 0, k;
  for (k = 0; k < sp.count; k++) /* the common case: nothing to drop, the span as is */
    if (dir == OG_DIR_OUT ? OG_META_KIND(sp.meta[k]) == OG_EDGE_WEAK
                          : is_weak_referrer(w->g, sp.nodes[k], node))
      break;
  if (k == sp.count) return OG_OK;
  if (sp.count > w->cap) {
    og_index *a = PyMem_RawRealloc(w->nodes, sp.count * sizeof *a);
    if (a) w->nodes = a;
    uint32_t *m = a ? PyMem_RawRealloc(w->meta, sp.count * sizeof *m) : NULL;
    if (m) w->meta = m;
    if (!a || !m) return OG_ENOMEM;
    w->cap = sp.count;
  }
  for (k = 0; k < sp.count; k++) {
    int weak = dir == OG_DIR_OUT ? OG_META_KIND(sp.meta[k]) == OG_EDGE_WEAK
                                 : is_weak_referrer(w->g, sp.nodes[k], node);
    if (weak) continue;
    w->nodes[n] = sp.nodes[k];
    if (sp.meta) w->meta[n] = sp.meta[k];
    n++;
  }
  out->nodes = w->nodes;
  out->meta = sp.meta ? w->meta : NULL;
  out->count = n;
  return OG_OK;
}

static og_index strong_count(void *ctx) { return og_graph_node_count(((strong_walk *)ctx)->g); }

/* The walker for chains and graphs: every edge (weak) or the strong ones (*sw, to release with
   strong_walk_free). */
static void make_walker(og_walker *w, strong_walk *sw, og_graph *g, int weak) {
  memset(sw, 0, sizeof *sw);
  sw->g = g;
  if (weak) {
    og_graph_walker(w, g);
    return;
  }
  w->version = OG_WALKER_VERSION;
  w->ctx = sw;
  w->neighbors = strong_neighbors;
  w->node_count = strong_count;
}

static void strong_walk_free(strong_walk *sw) {
  PyMem_RawFree(sw->nodes);
  PyMem_RawFree(sw->meta);
}

/* ---- predicates: a flags mask (int) or a Python callable over SnapshotNode ------------------- */

typedef struct pred {
  snapobj *s;
  PyObject *fn; /* NULL: use flags */
  og_flags_pred flags;
} pred;

static int pred_call(void *payload, og_index node) {
  pred *p = (pred *)payload;
  if (!p->fn) return og_flags_pred_fn(&p->flags, node);
  PyObject *n = make_node(p->s, node);
  if (!n) return OG_EUSER;
  PyObject *r = PyObject_CallOneArg(p->fn, n);
  Py_DECREF(n);
  if (!r) return OG_EUSER;
  int t = PyObject_IsTrue(r);
  Py_DECREF(r);
  return t < 0 ? OG_EUSER : t;
}

/* spec: None (absent), an int (nodes whose flags contain every bit), or a callable. */
static og_node_pred_fn pred_init(pred *p, snapobj *s, PyObject *spec) {
  p->s = s;
  p->fn = NULL;
  p->flags.graph = s->g;
  if (spec == Py_None) return NULL;
  if (PyLong_Check(spec)) {
    p->flags.mask = p->flags.value = (uint32_t)PyLong_AsUnsignedLongMask(spec);
    return pred_call;
  }
  p->fn = spec;
  return pred_call;
}

/* chain(start, backwards, max_depth, predicate, ignore, weak) -> [start, ..., match] in search
   order; weak: also follow weak references. */
static PyObject *snap_chain(snapobj *s, PyObject *args) {
  long long start, max_depth;
  int backwards, weak;
  PyObject *predicate, *ignore;
  if (!PyArg_ParseTuple(args, "LpLOOp", &start, &backwards, &max_depth, &predicate, &ignore,
                        &weak))
    return NULL;
  if (check_index(s, start) < 0) return NULL;
  size_t nign = 0;
  og_index *ign = to_indices(s, ignore, &nign);
  if (!ign) return NULL;
  og_walker w;
  strong_walk sw;
  make_walker(&w, &sw, s->g, weak);
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  o.dir = backwards ? OG_DIR_IN : OG_DIR_OUT;
  o.max_depth = max_depth < 0 ? 0 : max_depth > UINT32_MAX ? UINT32_MAX : (uint32_t)max_depth;
  o.ignore = ign;
  o.ignore_count = nign;
  pred p;
  og_node_pred_fn fn = pred_init(&p, s, predicate);
  og_indices *l = NULL;
  int rc = fn ? og_search_chain(&l, &w, (og_index)start, &o, fn, &p) : OG_EINVALID;
  PyMem_Free(ign);
  strong_walk_free(&sw);
  if (!fn) {
    PyErr_SetString(PyExc_TypeError, "predicate must be callable or an int flag mask");
    return NULL;
  }
  return indices_result(rc, l);
}

/* ---- output: DOT, JSON, snapshot files -------------------------------------------------------- */

static int write_file(void *payload, const char *data, size_t len) {
  FILE *f = (FILE *)payload;
  if (fwrite(data, 1, len, f) != len) return OG_EIO;
  return OG_OK;
}

/* dot(starts, backwards, max_depth, too_many, ignore, filter, highlight, long_names, weak)
   -> (text, nodes). Backwards graphs stop at proper modules (objgraph's show_backrefs). */
static PyObject *snap_dot(snapobj *s, PyObject *args) {
  PyObject *starts, *ignore, *filter, *highlight;
  int backwards, long_names, weak;
  long long max_depth, too_many;
  if (!PyArg_ParseTuple(args, "OpLLOOOpp", &starts, &backwards, &max_depth, &too_many, &ignore,
                        &filter, &highlight, &long_names, &weak))
    return NULL;
  size_t n = 0, nign = 0;
  og_index *idx = to_indices(s, starts, &n), *ign = idx ? to_indices(s, ignore, &nign) : NULL;
  if (!ign) {
    PyMem_Free(idx);
    return NULL;
  }
  og_walker w;
  strong_walk sw;
  make_walker(&w, &sw, s->g, weak);
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = backwards ? OG_DIR_IN : OG_DIR_OUT;
  o.max_depth = max_depth;
  o.too_many = too_many;
  o.ignore = ign;
  o.ignore_count = nign;
  pred pf, ph;
  o.filter_fn = pred_init(&pf, s, filter);
  o.filter_payload = &pf;
  o.highlight_fn = pred_init(&ph, s, highlight);
  o.highlight_payload = &ph;
  if (backwards) {
    o.cull_fn = og_subgraph_is_proper_module;
    o.cull_payload = s->g;
  }
  og_emit_options eo = OG_EMIT_OPTIONS_INIT;
  eo.long_names = long_names;
  og_buf buf = OG_BUF_INIT;
  size_t nodes = 0;
  int rc = og_emit_subgraph(&nodes, &w, idx, n, &o, s->g, NULL, &eo, og_buf_write, &buf);
  PyObject *res = rc == OG_OK ? Py_BuildValue("(Nn)", text(buf.ptr, buf.size), (Py_ssize_t)nodes)
                              : raise_snap(rc);
  og_buf_dispose(&buf);
  strong_walk_free(&sw);
  PyMem_Free(idx);
  PyMem_Free(ign);
  return res;
}

/* json(path or None) -> str (path None) or None after writing the file. */
static PyObject *snap_json(snapobj *s, PyObject *args) {
  PyObject *path;
  if (!PyArg_ParseTuple(args, "O", &path)) return NULL;
  og_emit_options eo = OG_EMIT_OPTIONS_INIT;
  eo.format = OG_EMIT_JSON;
  int rc;
  if (path == Py_None) {
    og_buf buf = OG_BUF_INIT;
    rc = og_emit_json_graph(s->g, &eo, og_buf_write, &buf);
    PyObject *res = rc == OG_OK ? text(buf.ptr, buf.size) : raise_snap(rc);
    og_buf_dispose(&buf);
    return res;
  }
  PyObject *fs;
  if (!PyUnicode_FSConverter(path, &fs)) return NULL;
  FILE *f = fopen(PyBytes_AS_STRING(fs), "wb");
  if (!f) {
    PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
    Py_DECREF(fs);
    return NULL;
  }
  /* the GIL stays held: another thread's query could build the graph's reverse CSR meanwhile */
  rc = og_emit_json_graph(s->g, &eo, write_file, f);
  if (fclose(f) != 0 && rc == OG_OK) rc = OG_EIO;
  Py_DECREF(fs);
  if (rc == OG_EIO) return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, path);
  if (rc != OG_OK) return raise_snap(rc);
  Py_RETURN_NONE;
}

/* save(path, runtime_name, runtime_version, pid, time_ns, capture_options, metadata) */
static PyObject *snap_save(snapobj *s, PyObject *args) {
  PyObject *path, *meta;
  const char *rname, *rver, *copts;
  unsigned long long pid;
  long long tns;
  if (!PyArg_ParseTuple(args, "O&ssKLsO!", PyUnicode_FSConverter, &path, &rname, &rver, &pid, &tns,
                        &copts, &PyDict_Type, &meta))
    return NULL;
  Py_ssize_t nm = PyDict_GET_SIZE(meta), pos = 0, i = 0;
  og_snapshot_kv *kv = PyMem_Calloc(nm ? (size_t)nm : 1, sizeof *kv);
  PyObject *k, *v, *res = NULL;
  if (!kv) {
    Py_DECREF(path);
    return PyErr_NoMemory();
  }
  while (PyDict_Next(meta, &pos, &k, &v) && i < nm) {
    kv[i].key = PyUnicode_Check(k) ? PyUnicode_AsUTF8(k) : NULL;
    kv[i].value = PyUnicode_Check(v) ? PyUnicode_AsUTF8(v) : NULL;
    if (!kv[i].key || !kv[i].value) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "snapshot metadata must map str to str");
      goto done;
    }
    i++;
  }
  og_snapshot_options o = OG_SNAPSHOT_OPTIONS_INIT;
  o.runtime_name = rname;
  o.runtime_version = rver;
  o.pid = pid;
  o.capture_time_unix_ns = tns;
  o.capture_options = copts;
  o.metadata = kv;
  o.metadata_count = (size_t)i;
  int rc;
  rc = og_snapshot_save(s->g, PyBytes_AS_STRING(path), &o); /* GIL held: see snap_json */
  if (rc != OG_OK)
    raise_snap(rc);
  else
    res = newref(Py_None);
done:
  PyMem_Free(kv);
  Py_DECREF(path);
  return res;
}

/* diff(old, long_names) -> (rows, new indices (self), removed indices (old)); rows are
   (name, n_new, n_removed, n_kept, size_new, size_removed, size_kept). */
static PyObject *snap_diff(snapobj *s, PyObject *args) {
  snapobj *old;
  int long_names;
  if (!PyArg_ParseTuple(args, "O!p", &SnapType, &old, &long_names)) return NULL;
  og_diff_options o = OG_DIFF_OPTIONS_INIT;
  o.long_names = long_names;
  og_diff *d = NULL;
  int rc = og_diff_graphs(&d, old->g, s->g, &o);
  if (rc != OG_OK) return raise_snap(rc);
  size_t n = og_diff_num_rows(d), nn = 0, nr = 0;
  PyObject *rows = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; rows && i < n; i++) {
    og_diff_row r;
    og_diff_row_get(&r, d, i);
    PyObject *t = Py_BuildValue("(NKKKKKK)", text(r.name, r.name_len), (unsigned long long)r.n_new,
                                (unsigned long long)r.n_removed, (unsigned long long)r.n_kept,
                                (unsigned long long)r.size_new, (unsigned long long)r.size_removed,
                                (unsigned long long)r.size_kept);
    if (!t) Py_CLEAR(rows);
    else PyList_SET_ITEM(rows, (Py_ssize_t)i, t);
  }
  const og_index *nw = og_diff_new_nodes(d, &nn), *rm = og_diff_removed_nodes(d, &nr);
  PyObject *res = rows ? Py_BuildValue("(NNN)", rows, index_list(nw, nn), index_list(rm, nr)) : NULL;
  og_diff_free(d);
  return res;
}

static PyObject *snap_memory(snapobj *s, PyObject *unused) {
  og_graph_mem m;
  int rc = og_graph_memory(&m, s->g);
  if (rc != OG_OK) return raise_snap(rc);
  return Py_BuildValue("{snsnsn}", "nodes", (Py_ssize_t)m.nodes, "edges", (Py_ssize_t)m.edges,
                       "strings", (Py_ssize_t)m.strings);
}

static PyObject *get_node_count(snapobj *s, void *c) {
  return PyLong_FromUnsignedLong(og_graph_node_count(s->g));
}
static PyObject *get_edge_count(snapobj *s, void *c) {
  return PyLong_FromUnsignedLongLong(og_graph_edge_count(s->g));
}
static PyObject *get_type_count(snapobj *s, void *c) {
  return PyLong_FromUnsignedLong(og_graph_type_count(s->g));
}
static PyObject *get_header(snapobj *s, void *c) {
  return newref(s->header ? s->header : Py_None);
}
static int set_header(snapobj *s, PyObject *v, void *c) {
  Py_XINCREF(v);
  Py_XSETREF(s->header, v);
  return 0;
}

static PyMethodDef snap_methods[] = {
    {"node", (PyCFunction)snap_node, METH_O, "node(i) -> SnapshotNode"},
    {"nodes", (PyCFunction)snap_nodes, METH_O, "nodes([i, ...]) -> [SnapshotNode]"},
    {"find", (PyCFunction)snap_find, METH_O, "find(id) -> index or None"},
    {"out_edges", (PyCFunction)snap_out_edges, METH_O, "out_edges(i) -> [(target, kind, label)]"},
    {"in_edges", (PyCFunction)snap_in_edges, METH_O, "in_edges(i) -> [source]"},
    {"stats", (PyCFunction)snap_stats, METH_VARARGS, "stats(long, gc_only, order, limit)"},
    {"by_type", (PyCFunction)snap_by_type, METH_VARARGS, "by_type(name, gc_only, count_only)"},
    {"leaking", (PyCFunction)snap_leaking, METH_VARARGS, "leaking(gc_only) -> [index]"},
    {"chain", (PyCFunction)snap_chain, METH_VARARGS, "chain(start, backwards, depth, pred, ignore)"},
    {"dot", (PyCFunction)snap_dot, METH_VARARGS, "dot(...) -> (text, nodes)"},
    {"json", (PyCFunction)snap_json, METH_VARARGS, "json(path|None) -> str|None"},
    {"save", (PyCFunction)snap_save, METH_VARARGS, "save(path, ...)"},
    {"diff", (PyCFunction)snap_diff, METH_VARARGS, "diff(old, long_names)"},
    {"memory", (PyCFunction)snap_memory, METH_NOARGS, "og_graph_memory as a dict"},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef snap_getset[] = {
    {"node_count", (getter)get_node_count, NULL, "nodes", NULL},
    {"edge_count", (getter)get_edge_count, NULL, "edges", NULL},
    {"type_count", (getter)get_type_count, NULL, "types", NULL},
    {"header", (getter)get_header, (setter)set_header, "header dict", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject SnapType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "objgraph._core.SnapshotGraph",
    .tp_basicsize = sizeof(snapobj),
    .tp_dealloc = (destructor)snap_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "A heap graph captured by objgraph.snapshot() or loaded from a file.",
    .tp_methods = snap_methods,
    .tp_getset = snap_getset,
};

static PyStructSequence_Field node_fields[] = {
    {"index", "dense node index in the snapshot"},
    {"id", "the object's id() when captured"},
    {"type", "short type name"},
    {"long_type", "module-qualified type name"},
    {"size", "shallow size in bytes (sys.getsizeof)"},
    {"flags", "OG_NODE_* bits (objgraph.NODE_*)"},
    {"refcount", "reference count when captured"},
    {"label", "short structural label, or None"},
    {NULL, NULL}};

static PyStructSequence_Desc node_desc = {"objgraph.SnapshotNode",
                                          "One object of a heap snapshot.", node_fields, 8};

/* ---- module functions ------------------------------------------------------------------------- */

/* snapshot_capture(dict_keys, how=OGPY_CAPTURE_AUTO) -> (SnapshotGraph, tracked, untracked) */
static PyObject *py_capture(PyObject *self, PyObject *args) {
  int dict_keys, how = OGPY_CAPTURE_AUTO;
  if (!PyArg_ParseTuple(args, "p|i", &dict_keys, &how)) return NULL;
  if (how < OGPY_CAPTURE_AUTO || how > OGPY_CAPTURE_PLANT_REPEAT)
    return PyErr_Format(PyExc_ValueError, "snapshot_capture: unknown mode %d", how);
  og_graph *g = NULL;
  ogpy_snap_stats st;
  if (ogpy_snap_capture(&g, &st, dict_keys, how) < 0) return NULL;
  PyObject *s = snap_wrap(g);
  return s ? Py_BuildValue("(Nnn)", s, (Py_ssize_t)st.tracked, (Py_ssize_t)st.untracked) : NULL;
}

static PyObject *header_dict(const og_snapshot_header *h) {
  PyObject *meta = PyDict_New();
  for (size_t i = 0; meta && i < h->metadata_count; i++) {
    PyObject *v = text(h->metadata[i].value, strlen(h->metadata[i].value));
    if (!v || PyDict_SetItemString(meta, h->metadata[i].key, v) < 0) Py_CLEAR(meta);
    Py_XDECREF(v);
  }
  if (!meta) return NULL;
  return Py_BuildValue("{sIsssssssKsLsssKsKsKsKsNsK}", "format_version", h->format_version,
                       "writer", h->writer, "runtime_name", h->runtime_name, "runtime_version",
                       h->runtime_version, "pid", (unsigned long long)h->pid,
                       "capture_time_unix_ns", (long long)h->capture_time_unix_ns,
                       "capture_options", h->capture_options, "node_count",
                       (unsigned long long)h->node_count, "edge_count",
                       (unsigned long long)h->edge_count, "type_count",
                       (unsigned long long)h->type_count, "string_count",
                       (unsigned long long)h->string_count, "metadata", meta, "file_size",
                       (unsigned long long)h->file_size);
}

/* snapshot_load(path) -> SnapshotGraph with .header */
static PyObject *py_load(PyObject *self, PyObject *args) {
  PyObject *path;
  if (!PyArg_ParseTuple(args, "O&", PyUnicode_FSConverter, &path)) return NULL;
  og_graph *g = NULL;
  og_snapshot_header *h = NULL;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = og_snapshot_load(&g, PyBytes_AS_STRING(path), NULL);
  if (rc == OG_OK) rc = og_snapshot_info(&h, PyBytes_AS_STRING(path));
  Py_END_ALLOW_THREADS
  Py_DECREF(path);
  if (rc != OG_OK) {
    og_graph_free(g);
    return raise_snap(rc);
  }
  PyObject *hd = header_dict(h);
  og_snapshot_header_free(h);
  if (!hd) {
    og_graph_free(g);
    return NULL;
  }
  snapobj *s = (snapobj *)snap_wrap(g);
  if (!s) {
    Py_DECREF(hd);
    return NULL;
  }
  s->header = hd;
  return (PyObject *)s;
}

static PyMethodDef funcs[] = {
    {"snapshot_capture", py_capture, METH_VARARGS, "snapshot_capture(dict_keys, how=0) -> (graph, n, m)"},
    {"snapshot_load", py_load, METH_VARARGS, "snapshot_load(path) -> graph"},
    {NULL, NULL, 0, NULL}};

int ogpy_snapshot_init(PyObject *m) {
  if (PyType_Ready(&SnapType) < 0 || ogpy_snap_layout_init() < 0) return -1;
  if (!NodeType.tp_name && PyStructSequence_InitType2(&NodeType, &node_desc) < 0) return -1;
  if (!FormatError &&
      !(FormatError = PyErr_NewExceptionWithDoc(
            "objgraph.SnapshotFormatError",
            "A snapshot file is corrupt, truncated or not a snapshot (the engine's message).",
            PyExc_ValueError, NULL)))
    return -1;
  Py_INCREF(&SnapType);
  Py_INCREF(&NodeType);
  Py_INCREF(FormatError);
  if (PyModule_AddObject(m, "SnapshotGraph", (PyObject *)&SnapType) < 0 ||
      PyModule_AddObject(m, "SnapshotNode", (PyObject *)&NodeType) < 0 ||
      PyModule_AddObject(m, "SnapshotFormatError", FormatError) < 0)
    return -1;
  for (PyMethodDef *f = funcs; f->ml_name; f++) {
    PyObject *fn = PyCFunction_New(f, NULL);
    if (!fn || PyModule_AddObject(m, f->ml_name, fn) < 0) {
      Py_XDECREF(fn);
      return -1;
    }
  }
  static const struct {
    const char *name;
    long v;
  } consts[] = {{"NODE_GC_TRACKED", OG_NODE_GC_TRACKED}, {"NODE_MODULE", OG_NODE_MODULE},
                {"NODE_ROOT", OG_NODE_ROOT},             {"NODE_FRAME", OG_NODE_FRAME},
                {"NODE_HAS_DEL", OG_NODE_HAS_DEL},       {"NODE_CONTAINER", OG_NODE_CONTAINER},
                {"NODE_TYPE", OG_NODE_TYPE},             {"NODE_FUNCTION", OG_NODE_FUNCTION},
                {"NODE_IMMORTAL", OG_NODE_IMMORTAL},     {"NODE_ANY_MODULE", OG_NODE_ANY_MODULE},
                {"NODE_WEAKREF", OGPY_NODE_WEAKREF}};
  for (size_t i = 0; i < sizeof consts / sizeof *consts; i++)
    if (PyModule_AddIntConstant(m, consts[i].name, consts[i].v) < 0) return -1;
  return 0;
}
