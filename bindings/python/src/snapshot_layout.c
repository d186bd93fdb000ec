/* Object layouts the snapshot reads without running code or allocating: an instance's __dict__
 * pointer (never materialized) and, on 3.11, the inline attribute values with the names from the
 * type's shared keys (what tp_traverse visits without names). Only this snapshot file defines
 * Py_BUILD_CORE, and only on 3.11; elsewhere inline values are not named (their edges stay
 * OG_EDGE_OTHER) and only tp_dictoffset dicts are found. */
#include <patchlevel.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000 && !defined(Py_GIL_DISABLED)
#define OGPY_LAYOUT_311 1
#ifndef Py_BUILD_CORE
#define Py_BUILD_CORE 1
#endif
#endif
#include <Python.h>

#ifdef OGPY_LAYOUT_311
#include <internal/pycore_dict.h>
#include <internal/pycore_object.h>
#endif

PyObject *ogpy_snap_instance_dict(PyObject *op);
Py_ssize_t ogpy_snap_inline_values(PyObject *op, PyObject *const **values);
PyObject *ogpy_snap_inline_name(PyTypeObject *tp, Py_ssize_t i);

/* The tp_dictoffset slot (as _PyObject_DictPointer computes it), or NULL. */
static PyObject **dict_slot(PyObject *op) {
  PyTypeObject *tp = Py_TYPE(op);
  Py_ssize_t off = tp->tp_dictoffset;
  if (off == 0) return NULL;
  if (off < 0) {
    Py_ssize_t n = Py_SIZE(op);
    if (n < 0) n = -n;
    off += (Py_ssize_t)_PyObject_VAR_SIZE(tp, n);
  }
  return (PyObject **)((char *)op + off);
}

#ifdef OGPY_LAYOUT_311

PyObject *ogpy_snap_instance_dict(PyObject *op) {
  PyTypeObject *tp = Py_TYPE(op);
  if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) return *_PyObject_ManagedDictPointer(op);
  PyObject **slot = dict_slot(op);
  return slot ? *slot : NULL;
}

Py_ssize_t ogpy_snap_inline_values(PyObject *op, PyObject *const **values) {
  PyTypeObject *tp = Py_TYPE(op);
  if (!(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) || !(tp->tp_flags & Py_TPFLAGS_HEAPTYPE))
    return 0;
  PyDictValues *v = *_PyObject_ValuesPointer(op);
  PyDictKeysObject *k = ((PyHeapTypeObject *)tp)->ht_cached_keys;
  if (!v || !k) return 0;
  *values = v->values;
  return k->dk_nentries; /* what _PyObject_VisitInstanceAttributes visits */
}

PyObject *ogpy_snap_inline_name(PyTypeObject *tp, Py_ssize_t i) {
  if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE)) return NULL;
  PyDictKeysObject *k = ((PyHeapTypeObject *)tp)->ht_cached_keys;
  if (!k || i < 0 || i >= k->dk_nentries || k->dk_kind == DICT_KEYS_GENERAL) return NULL;
  return DK_UNICODE_ENTRIES(k)[i].me_key;
}

#else

PyObject *ogpy_snap_instance_dict(PyObject *op) {
#ifdef Py_TPFLAGS_MANAGED_DICT
  if (Py_TYPE(op)->tp_flags & Py_TPFLAGS_MANAGED_DICT) return NULL; /* layout not read here */
#endif
  PyObject **slot = dict_slot(op);
  return slot ? *slot : NULL;
}

Py_ssize_t ogpy_snap_inline_values(PyObject *op, PyObject *const **values) { return 0; }

PyObject *ogpy_snap_inline_name(PyTypeObject *tp, Py_ssize_t i) { return NULL; }

#endif
