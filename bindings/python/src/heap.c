/* Shared adapter helpers: the pointer hash, the type cache and type names read from C fields. */
#include <string.h>

#include "ogpy.h"

#include <frameobject.h> /* PyFrame_Type before 3.11 */

/* ---- pointer map ---------------------------------------------------------------------------- */

static size_t ptr_slot(uintptr_t key, size_t cap) {
  uint64_t x = ((uint64_t)key >> 3) * 0x9E3779B97F4A7C15ULL; /* Fibonacci hashing */
  return (size_t)(x >> 32) & (cap - 1);
}

int ogpy_ptrmap_init(ogpy_ptrmap *m, size_t expected) {
  size_t cap = 64;
  while (cap < expected * 2) cap <<= 1;
  m->slots = PyMem_RawCalloc(cap, sizeof *m->slots);
  m->cap = m->slots ? cap : 0;
  m->count = 0;
  return m->slots ? 0 : -1;
}

void ogpy_ptrmap_free(ogpy_ptrmap *m) {
  PyMem_RawFree(m->slots);
  m->slots = NULL;
  m->cap = m->count = 0;
}

uint32_t ogpy_ptrmap_get(const ogpy_ptrmap *m, uintptr_t key) {
  if (!m->cap) return UINT32_MAX;
  for (size_t i = ptr_slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    const ogpy_ptrslot *e = &m->slots[i];
    if (e->key == key) return e->val;
    if (e->key == 0) return UINT32_MAX;
  }
}

static int ptrmap_grow(ogpy_ptrmap *m) {
  ogpy_ptrmap n;
  if (ogpy_ptrmap_init(&n, m->cap) < 0) return -1; /* doubles: init takes expected*2 */
  for (size_t i = 0; i < m->cap; i++) {
    if (!m->slots[i].key) continue;
    size_t j = ptr_slot(m->slots[i].key, n.cap);
    while (n.slots[j].key) j = (j + 1) & (n.cap - 1);
    n.slots[j] = m->slots[i];
  }
  n.count = m->count;
  ogpy_ptrmap_free(m);
  *m = n;
  return 0;
}

int ogpy_ptrmap_put(ogpy_ptrmap *m, uintptr_t key, uint32_t val, uint32_t *existing) {
  if ((m->count + 1) * 2 > m->cap && ptrmap_grow(m) < 0) return -1;
  for (size_t i = ptr_slot(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
    ogpy_ptrslot *e = &m->slots[i];
    if (e->key == key) {
      if (existing) *existing = e->val;
      return 0;
    }
    if (e->key == 0) {
      e->key = key;
      e->val = val;
      m->count++;
      if (existing) *existing = val;
      return 1;
    }
  }
}

/* ---- type cache ----------------------------------------------------------------------------- */

int ogpy_types_init(ogpy_types *t) {
  memset(t, 0, sizeof *t);
  return ogpy_ptrmap_init(&t->map, 256);
}

void ogpy_types_free(ogpy_types *t) {
  for (size_t i = 0; i < t->n; i++) Py_DECREF((PyObject *)t->types[i]);
  PyMem_RawFree(t->types);
  PyMem_RawFree(t->counts);
  PyMem_RawFree(t->handles);
  PyMem_RawFree(t->flags);
  ogpy_ptrmap_free(&t->map);
  memset(t, 0, sizeof *t);
}

static int types_grow(ogpy_types *t) {
  size_t cap = t->cap ? t->cap * 2 : 256;
  void *a = PyMem_RawRealloc(t->types, cap * sizeof *t->types);
  if (!a) return -1;
  t->types = a;
  a = PyMem_RawRealloc(t->counts, cap * sizeof *t->counts);
  if (!a) return -1;
  t->counts = a;
  a = PyMem_RawRealloc(t->handles, cap * sizeof *t->handles);
  if (!a) return -1;
  t->handles = a;
  a = PyMem_RawRealloc(t->flags, cap * sizeof *t->flags);
  if (!a) return -1;
  t->flags = a;
  t->cap = cap;
  return 0;
}

uint32_t ogpy_types_slot(ogpy_types *t, PyTypeObject *tp) {
  uint32_t slot = ogpy_ptrmap_get(&t->map, (uintptr_t)tp);
  if (slot != UINT32_MAX) return slot;
  if (t->n == t->cap && types_grow(t) < 0) return UINT32_MAX;
  slot = (uint32_t)t->n;
  if (ogpy_ptrmap_put(&t->map, (uintptr_t)tp, slot, NULL) < 0) return UINT32_MAX;
  Py_INCREF((PyObject *)tp);
  t->types[slot] = tp;
  t->counts[slot] = 0;
  t->handles[slot] = OG_TYPE_NONE;
  t->flags[slot] = ogpy_type_flags(tp);
  t->n++;
  return slot;
}

/* ---- type names and flags ------------------------------------------------------------------- */

static char *dup_bytes(const char *s, size_t len) {
  char *d = PyMem_Malloc(len + 1);
  if (d) {
    memcpy(d, s, len);
    d[len] = 0;
  }
  return d;
}

/* The module of a type as CPython's type.__module__ computes it, when it is a str; else NULL. */
static const char *type_module(PyTypeObject *tp, size_t *len) {
  if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
    PyObject *d = tp->tp_dict;
    if (!d || !PyDict_Check(d)) return NULL;
    PyObject *mod = PyDict_GetItemString(d, "__module__"); /* borrowed; errors swallowed */
    if (!mod || !PyUnicode_Check(mod)) return NULL;
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(mod, &n);
    if (!s) {
      PyErr_Clear();
      return NULL;
    }
    *len = (size_t)n;
    return s;
  }
  const char *dot = strrchr(tp->tp_name, '.');
  if (!dot) {
    *len = 8;
    return "builtins";
  }
  *len = (size_t)(dot - tp->tp_name);
  return tp->tp_name;
}

static const char *type_short(PyTypeObject *tp, size_t *len) {
  if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
    PyObject *name = ((PyHeapTypeObject *)tp)->ht_name;
    Py_ssize_t n;
    const char *s = name && PyUnicode_Check(name) ? PyUnicode_AsUTF8AndSize(name, &n) : NULL;
    if (s) {
      *len = (size_t)n;
      return s;
    }
    PyErr_Clear();
  }
  const char *dot = strrchr(tp->tp_name, '.');
  const char *s = dot ? dot + 1 : tp->tp_name;
  *len = strlen(s);
  return s;
}

int ogpy_type_names(PyTypeObject *tp, char **short_out, size_t *short_len, char **long_out,
                    size_t *long_len) {
  size_t sl, ml = 0;
  const char *s = type_short(tp, &sl);
  const char *m = type_module(tp, &ml);
  *short_out = dup_bytes(s, sl);
  *short_len = sl;
  if (m && ml) {
    *long_len = ml + 1 + sl;
    *long_out = PyMem_Malloc(*long_len + 1);
    if (*long_out) {
      memcpy(*long_out, m, ml);
      (*long_out)[ml] = '.';
      memcpy(*long_out + ml + 1, s, sl);
      (*long_out)[*long_len] = 0;
    }
  } else {
    *long_out = dup_bytes(s, sl);
    *long_len = sl;
  }
  if (!*short_out || !*long_out) {
    PyMem_Free(*short_out);
    PyMem_Free(*long_out);
    PyErr_NoMemory();
    return -1;
  }
  return 0;
}

uint32_t ogpy_type_flags(PyTypeObject *tp) {
  uint32_t f = 0;
  if (PyType_IsSubtype(tp, &PyModule_Type)) f |= OG_NODE_ANY_MODULE;
  if (tp == &PyFrame_Type) f |= OG_NODE_FRAME;
  if (PyType_IsSubtype(tp, &PyType_Type)) f |= OG_NODE_TYPE;
  if (tp == &PyFunction_Type || tp == &PyCFunction_Type || tp == &PyMethod_Type)
    f |= OG_NODE_FUNCTION;
  if (PyType_IsSubtype(tp, &PyList_Type) || PyType_IsSubtype(tp, &PyTuple_Type) ||
      PyType_IsSubtype(tp, &PyDict_Type) || PyType_IsSubtype(tp, &PySet_Type))
    f |= OG_NODE_CONTAINER;
  if (tp->tp_finalize || tp->tp_del) f |= OG_NODE_HAS_DEL;
  return f;
}

/* ---- misc ----------------------------------------------------------------------------------- */

int ogpy_traverse(PyObject *op, visitproc visit, void *arg) {
  if (!PyObject_IS_GC(op)) return 0;
  traverseproc tr = Py_TYPE(op)->tp_traverse;
  return tr ? tr(op, visit, arg) : 0;
}

PyObject *ogpy_raise_og(int code) {
  if (PyErr_Occurred()) return NULL;
  if (code == OG_ENOMEM)
    PyErr_NoMemory();
  else
    PyErr_Format(PyExc_RuntimeError, "objgraph engine: %s (%s)", og_error_last(),
                 og_error_str(code));
  return NULL;
}
