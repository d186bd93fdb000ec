/* get_new_ids state kept in C, compactly: one scan is a sorted array of 64-bit words packing
 * (address >> 3) in the high 44 bits and a type-name number in the low 20 bits, i.e. 8 bytes
 * per object (objgraph keeps two Python sets of int objects, ~70+ bytes per object each).
 * New ids of a type = ids in the current scan whose (address, name) pair is not in the previous
 * scan: a merge of two sorted arrays. Names are numbered in a dict kept with the state. */
#include <string.h>

#include "ogpy.h"

#define NAME_BITS 20
#define NAME_MASK ((UINT64_C(1) << NAME_BITS) - 1)
#define ADDR_LIMIT (UINT64_C(1) << (64 - NAME_BITS))

typedef struct {
  PyObject_HEAD
  uint64_t *scan; /* previous scan, sorted */
  size_t n;
  PyObject *names;     /* str -> int (name number) */
  PyObject *name_list; /* int -> str */
  uint64_t *old_count; /* per name number: objects in the previous scan */
  size_t ncount;
} IdSetsObject;

static void idsets_dealloc(IdSetsObject *self) {
  PyMem_RawFree(self->scan);
  PyMem_RawFree(self->old_count);
  Py_XDECREF(self->names);
  Py_XDECREF(self->name_list);
  Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *idsets_new(PyTypeObject *type, PyObject *args, PyObject *kw) {
  IdSetsObject *self = (IdSetsObject *)type->tp_alloc(type, 0);
  if (!self) return NULL;
  self->names = PyDict_New();
  self->name_list = PyList_New(0);
  if (!self->names || !self->name_list) {
    Py_DECREF(self);
    return NULL;
  }
  return (PyObject *)self;
}

/* LSD radix sort of n words, 16 bits per pass, skipping passes where every word agrees. */
static int radix_sort(uint64_t *a, size_t n) {
  uint64_t *tmp = PyMem_RawMalloc((n ? n : 1) * sizeof *tmp);
  size_t *cnt = PyMem_RawMalloc(65536 * sizeof *cnt);
  if (!tmp || !cnt) {
    PyMem_RawFree(tmp);
    PyMem_RawFree(cnt);
    return -1;
  }
  uint64_t *src = a, *dst = tmp;
  for (int shift = 0; shift < 64; shift += 16) {
    memset(cnt, 0, 65536 * sizeof *cnt);
    for (size_t i = 0; i < n; i++) cnt[(src[i] >> shift) & 0xFFFF]++;
    if (n && cnt[(src[0] >> shift) & 0xFFFF] == n) continue;
    size_t sum = 0;
    for (size_t d = 0; d < 65536; d++) {
      size_t c = cnt[d];
      cnt[d] = sum;
      sum += c;
    }
    for (size_t i = 0; i < n; i++) dst[cnt[(src[i] >> shift) & 0xFFFF]++] = src[i];
    uint64_t *t = src;
    src = dst;
    dst = t;
  }
  if (src != a) memcpy(a, src, n * sizeof *a);
  PyMem_RawFree(tmp);
  PyMem_RawFree(cnt);
  return 0;
}

typedef struct scan_ctx {
  ogpy_types types;
  uint64_t *words;
  size_t n, cap;
  int err; /* 1: out of memory, 2: address or type limit */
} scan_ctx;

static int scan_visit(PyObject *op, void *arg) {
  scan_ctx *s = (scan_ctx *)arg;
  uint64_t addr = (uint64_t)(uintptr_t)op >> 3;
  uint32_t slot = ogpy_types_slot_cached(&s->types, Py_TYPE(op));
  if (slot == UINT32_MAX) return s->err = 1;
  if (addr >= ADDR_LIMIT || slot > NAME_MASK) return s->err = 2;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 1 << 16;
    uint64_t *w = PyMem_RawRealloc(s->words, cap * sizeof *w);
    if (!w) return s->err = 1;
    s->words = w;
    s->cap = cap;
  }
  s->words[s->n++] = addr << NAME_BITS | slot;
  return 0;
}

/* The number of a type name, registering it on first sight; -1 on error. */
static long name_number(IdSetsObject *self, PyTypeObject *tp, int long_names) {
  char *s, *l;
  size_t sl, ll;
  if (ogpy_type_names(tp, &s, &sl, &l, &ll) < 0) return -1;
  PyObject *name = long_names ? PyUnicode_DecodeUTF8(l, (Py_ssize_t)ll, "surrogateescape")
                              : PyUnicode_DecodeUTF8(s, (Py_ssize_t)sl, "surrogateescape");
  PyMem_Free(s);
  PyMem_Free(l);
  if (!name) return -1;
  PyObject *num = PyDict_GetItemWithError(self->names, name);
  long r = -1;
  if (num) {
    r = PyLong_AsLong(num);
  } else if (!PyErr_Occurred()) {
    Py_ssize_t k = PyList_GET_SIZE(self->name_list);
    if ((uint64_t)k > NAME_MASK) {
      PyErr_SetString(PyExc_OverflowError, "get_new_ids: too many distinct type names");
    } else {
      PyObject *v = PyLong_FromSsize_t(k);
      if (v && PyDict_SetItem(self->names, name, v) == 0 &&
          PyList_Append(self->name_list, name) == 0)
        r = (long)k;
      Py_XDECREF(v);
    }
  }
  Py_DECREF(name);
  return r;
}

/* update(long_names, new) -> [(name, n_old, n_current, n_new, delta)] for every name with
   objects in the previous or this scan, in name-number order (the caller sorts). The new ids
   are added to the sets new[name] (new: objgraph's defaultdict(set), whose sets the caller
   emptied first), so no intermediate list of ids is ever built. */
static PyObject *idsets_update(IdSetsObject *self, PyObject *args) {
  int long_names;
  PyObject *newdict;
  if (!PyArg_ParseTuple(args, "pO", &long_names, &newdict)) return NULL;
  scan_ctx s;
  memset(&s, 0, sizeof s);
  PyObject *res = NULL, **newlists = NULL;
  uint64_t *cur_count = NULL, *new_count = NULL;
  uint32_t *slot_name = NULL;
  if (ogpy_types_init(&s.types) < 0) goto nomem;
  /* size the scan from the previous one (or the collector's estimate) to avoid regrowth */
  size_t expected = self->n ? self->n : (size_t)ogpy_heap_count_hint();
  s.cap = expected + expected / 8 + 1024;
  s.words = PyMem_RawMalloc(s.cap * sizeof *s.words);
  if (!s.words) goto nomem;
  if (ogpy_heap_visit(scan_visit, &s) || s.err) {
    if (s.err == 2)
      PyErr_SetString(PyExc_OverflowError, "get_new_ids: address or type count out of range");
    goto fail;
  }
  /* slot -> name number (Python strings are made only once per distinct type) */
  slot_name = PyMem_RawMalloc((s.types.n ? s.types.n : 1) * sizeof *slot_name);
  if (!slot_name) goto nomem;
  for (size_t i = 0; i < s.types.n; i++) {
    long k = name_number(self, s.types.types[i], long_names);
    if (k < 0) goto fail;
    slot_name[i] = (uint32_t)k;
  }
  for (size_t i = 0; i < s.n; i++)
    s.words[i] = (s.words[i] & ~NAME_MASK) | slot_name[s.words[i] & NAME_MASK];
  if (radix_sort(s.words, s.n) < 0) goto nomem;
  size_t nnames = (size_t)PyList_GET_SIZE(self->name_list);
  cur_count = PyMem_RawCalloc(nnames + 1, sizeof *cur_count);
  new_count = PyMem_RawCalloc(nnames + 1, sizeof *new_count);
  newlists = PyMem_RawCalloc(nnames + 1, sizeof *newlists);
  if (!cur_count || !new_count || !newlists) goto nomem;
  /* merge: a word is new unless the previous scan has the same (address, name) word; a
     repeated word (an object met twice) counts once, as in a set */
  size_t j = 0;
  for (size_t i = 0; i < s.n; i++) {
    uint64_t w = s.words[i];
    if (i && s.words[i - 1] == w) continue;
    uint32_t k = (uint32_t)(w & NAME_MASK);
    cur_count[k]++;
    while (j < self->n && self->scan[j] < w) j++;
    if (j < self->n && self->scan[j] == w) continue;
    if (!newlists[k] &&
        !(newlists[k] = PyObject_GetItem(newdict, PyList_GET_ITEM(self->name_list, k))))
      goto fail;
    PyObject *id = PyLong_FromUnsignedLongLong((w >> NAME_BITS) << 3);
    if (!id || PySet_Add(newlists[k], id) < 0) {
      Py_XDECREF(id);
      goto fail;
    }
    Py_DECREF(id);
    new_count[k]++;
  }
  res = PyList_New(0);
  for (size_t k = 0; res && k < nnames; k++) {
    uint64_t old = k < self->ncount ? self->old_count[k] : 0;
    if (!old && !cur_count[k]) continue;
    PyObject *row = Py_BuildValue("(OKKKL)", PyList_GET_ITEM(self->name_list, k),
                                  (unsigned long long)old, (unsigned long long)cur_count[k],
                                  (unsigned long long)new_count[k],
                                  (long long)cur_count[k] - (long long)old);
    if (!row || PyList_Append(res, row) < 0) Py_CLEAR(res);
    Py_XDECREF(row);
  }
  if (!res) goto fail;
  /* the current scan becomes the previous one */
  PyMem_RawFree(self->scan);
  self->scan = s.words;
  self->n = s.n;
  s.words = NULL;
  PyMem_RawFree(self->old_count);
  self->old_count = cur_count;
  self->ncount = nnames;
  cur_count = NULL;
  goto done;
nomem:
  PyErr_NoMemory();
fail:
  Py_CLEAR(res);
done:
  if (newlists)
    for (size_t k = 0; k < (size_t)PyList_GET_SIZE(self->name_list); k++) Py_XDECREF(newlists[k]);
  PyMem_RawFree(newlists);
  PyMem_RawFree(cur_count);
  PyMem_RawFree(new_count);
  PyMem_RawFree(slot_name);
  PyMem_RawFree(s.words);
  ogpy_types_free(&s.types);
  return res;
}

static PyMethodDef idsets_methods[] = {
    {"update", (PyCFunction)idsets_update, METH_VARARGS,
     "update(long_names, new) -> rows (name, old, current, new, delta); new ids go to new[name]"},
    {NULL, NULL, 0, NULL}};

PyTypeObject ogpy_IdSetsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "objgraph._core.IdSets",
    .tp_basicsize = sizeof(IdSetsObject),
    .tp_dealloc = (destructor)idsets_dealloc,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "get_new_ids() state: the previous scan's (address, type name) pairs, packed.",
    .tp_methods = idsets_methods,
    .tp_new = idsets_new,
};
