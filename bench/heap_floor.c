/* Lower bounds for whole-heap work in CPython: the cheapest passes any implementation of the
 * objgraph API (or of a heap capture) must make, with nothing else in them. heap_floor.py builds
 * this as a throwaway extension and times each pass on leakhunt's heap. Benchmark only. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <string.h>

int ogpy_heap_visit(int (*fn)(PyObject *, void *), void *arg); /* bindings/python/src/heap_gc.c */

typedef struct pass {
  PyObject *target; /* referrers_pass: the object looked for */
  size_t hits, objects, refs;
  PyObject **raw; /* raw_pass: referent pointers, unread */
  size_t nraw, capraw;
  uintptr_t sum; /* touch_pass: something read from every referent, so nothing is elided */
} pass;

static int count_obj(PyObject *op, void *arg) {
  ((pass *)arg)->objects++;
  return 0;
}

/* gc.get_referrers' inner loop: compare each referent with the target, read nothing else. */
static int visit_compare(PyObject *op, void *arg) {
  pass *p = (pass *)arg;
  p->refs++;
  if (op == p->target) p->hits++;
  return 0;
}

/* What any referrer index needs: each referent's pointer, stored, not yet resolved. */
static int visit_store(PyObject *op, void *arg) {
  pass *p = (pass *)arg;
  if (p->nraw < p->capraw) p->raw[p->nraw++] = op;
  return 0;
}

/* What telling a referent's kind needs (tracked? which type?): one read of each referent. */
static int visit_touch(PyObject *op, void *arg) {
  pass *p = (pass *)arg;
  p->sum += (uintptr_t)Py_TYPE(op)->tp_flags + (uintptr_t)Py_REFCNT(op);
  return 0;
}

static visitproc pass_visit;

static int traverse_obj(PyObject *op, void *arg) {
  ((pass *)arg)->objects++;
  traverseproc tr = Py_TYPE(op)->tp_traverse;
  return tr ? tr(op, pass_visit, arg) : 0;
}

static PyObject *run(visitproc visit, pass *p) {
  pass_visit = visit;
  if (ogpy_heap_visit(visit ? traverse_obj : count_obj, p)) return PyErr_NoMemory();
  return Py_BuildValue("(nnnk)", (Py_ssize_t)p->objects, (Py_ssize_t)p->refs,
                       (Py_ssize_t)p->hits, (unsigned long)(p->sum & 1));
}

static PyObject *walk(PyObject *self, PyObject *noargs) {
  pass p = {0};
  return run(NULL, &p);
}

static PyObject *referrers_pass(PyObject *self, PyObject *target) {
  pass p = {0};
  p.target = target;
  return run(visit_compare, &p);
}

static PyObject *raw_pass(PyObject *self, PyObject *cap) {
  pass p = {0};
  p.capraw = PyLong_AsSize_t(cap);
  if (PyErr_Occurred()) return NULL;
  p.raw = PyMem_RawMalloc(p.capraw * sizeof *p.raw);
  if (!p.raw) return PyErr_NoMemory();
  memset(p.raw, 0, p.capraw * sizeof *p.raw); /* fault the pages in before timing matters */
  PyObject *r = run(visit_store, &p);
  PyMem_RawFree(p.raw);
  return r;
}

static PyObject *touch_pass(PyObject *self, PyObject *noargs) {
  pass p = {0};
  return run(visit_touch, &p);
}

/* ---- the data a snapshot must write, with no lookup, hashing or dedup ---------------------
 * Per tracked object and per untracked referent met for the first time (refcount 1, or first
 * sight of a shared one is not detected: this over-counts nothing, it only skips work): a node
 * record of the IR's width (id, type, size, flags, refcount, label); per reference an edge of
 * the IR's width (target, kind and label); the text of str and int referents copied as labels.
 * Whatever a real capture adds (finding nodes again, interning, the CSR) comes on top. */
typedef struct cap_floor {
  uint64_t *id;
  uint32_t *type, *size, *refcnt, *label;
  uint16_t *flags;
  size_t nodes, capnodes;
  uint32_t *dst, *meta;
  size_t edges, capedges;
  char *text;
  size_t ntext, captext;
  int full;
} cap_floor;

static void floor_node(cap_floor *f, PyObject *op) {
  if (f->nodes == f->capnodes) {
    f->full = 1;
    return;
  }
  size_t k = f->nodes++;
  f->id[k] = (uint64_t)(uintptr_t)op;
  f->type[k] = (uint32_t)((uintptr_t)Py_TYPE(op) >> 4);
  f->size[k] = (uint32_t)Py_TYPE(op)->tp_basicsize;
  f->refcnt[k] = (uint32_t)Py_REFCNT(op);
  f->flags[k] = (uint16_t)(PyType_IS_GC(Py_TYPE(op)) ? 1 : 0);
  f->label[k] = (uint32_t)f->ntext;
  Py_ssize_t len = 0;
  const char *s = NULL;
  if (PyUnicode_CheckExact(op) && PyUnicode_IS_ASCII(op)) {
    len = PyUnicode_GET_LENGTH(op);
    s = (const char *)PyUnicode_DATA(op);
  }
  if (len > 40) len = 40;
  if (s && f->ntext + (size_t)len <= f->captext) {
    memcpy(f->text + f->ntext, s, (size_t)len);
    f->ntext += (size_t)len;
  }
}

static int visit_floor_edge(PyObject *op, void *arg) {
  cap_floor *f = (cap_floor *)arg;
  if (f->edges == f->capedges) return f->full = 1, 0;
  f->dst[f->edges] = (uint32_t)((uintptr_t)op >> 4);
  f->meta[f->edges++] = 0;
  if (Py_REFCNT(op) == 1 && !(PyType_IS_GC(Py_TYPE(op)) && PyObject_GC_IsTracked(op)))
    floor_node(f, op);
  return 0;
}

static int capture_obj(PyObject *op, void *arg) {
  floor_node((cap_floor *)arg, op);
  traverseproc tr = Py_TYPE(op)->tp_traverse;
  return tr ? tr(op, visit_floor_edge, arg) : 0;
}

#define FLOOR_ALLOC(f, field, n) (f.field = PyMem_RawMalloc((n) * sizeof *f.field))

static PyObject *capture_pass(PyObject *self, PyObject *args) {
  Py_ssize_t maxn, maxe;
  if (!PyArg_ParseTuple(args, "nn", &maxn, &maxe)) return NULL;
  cap_floor f;
  memset(&f, 0, sizeof f);
  f.capnodes = (size_t)maxn;
  f.capedges = (size_t)maxe;
  f.captext = (size_t)maxn * 8;
  PyObject *r = NULL;
  if (FLOOR_ALLOC(f, id, maxn) && FLOOR_ALLOC(f, type, maxn) && FLOOR_ALLOC(f, size, maxn) &&
      FLOOR_ALLOC(f, refcnt, maxn) && FLOOR_ALLOC(f, label, maxn) &&
      FLOOR_ALLOC(f, flags, maxn) && FLOOR_ALLOC(f, dst, maxe) && FLOOR_ALLOC(f, meta, maxe) &&
      FLOOR_ALLOC(f, text, f.captext)) {
    if (ogpy_heap_visit(capture_obj, &f))
      PyErr_NoMemory();
    else
      r = Py_BuildValue("(nni)", (Py_ssize_t)f.nodes, (Py_ssize_t)f.edges, f.full);
  } else {
    PyErr_NoMemory();
  }
  PyMem_RawFree(f.id);
  PyMem_RawFree(f.type);
  PyMem_RawFree(f.size);
  PyMem_RawFree(f.refcnt);
  PyMem_RawFree(f.label);
  PyMem_RawFree(f.flags);
  PyMem_RawFree(f.dst);
  PyMem_RawFree(f.meta);
  PyMem_RawFree(f.text);
  return r;
}

static PyMethodDef methods[] = {
    {"walk", walk, METH_NOARGS, "count the gc-tracked objects, reading their gc headers only"},
    {"referrers_pass", referrers_pass, METH_O, "one gc.get_referrers scan, building no list"},
    {"raw_pass", raw_pass, METH_O, "traverse every object, storing each referent pointer"},
    {"touch_pass", touch_pass, METH_NOARGS, "traverse every object, reading each referent"},
    {"capture_pass", capture_pass, METH_VARARGS,
     "capture_pass(max_nodes, max_edges): write a snapshot's columns, nothing looked up"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_heap_floor", NULL, -1, methods};

PyMODINIT_FUNC PyInit__heap_floor(void) { return PyModule_Create(&module); }
