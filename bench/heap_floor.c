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

static PyMethodDef methods[] = {
    {"walk", walk, METH_NOARGS, "count the gc-tracked objects, reading their gc headers only"},
    {"referrers_pass", referrers_pass, METH_O, "one gc.get_referrers scan, building no list"},
    {"raw_pass", raw_pass, METH_O, "traverse every object, storing each referent pointer"},
    {"touch_pass", touch_pass, METH_NOARGS, "traverse every object, reading each referent"},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_heap_floor", NULL, -1, methods};

PyMODINIT_FUNC PyInit__heap_floor(void) { return PyModule_Create(&module); }
