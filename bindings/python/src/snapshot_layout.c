/* Object layouts the snapshot reads without running code or allocating: an instance's __dict__
 * pointer (never materialized) and, on 3.11-3.13, the inline attribute values with the names
 * from the type's shared keys (what tp_traverse visits without names). Only this snapshot file
 * defines Py_BUILD_CORE, and only on those versions; elsewhere (3.9, 3.10 have no inline values;
 * free-threaded and newer builds are not read) inline values would not be named (their edges
 * stay OG_EDGE_OTHER) and only tp_dictoffset dicts are found. */
#include <patchlevel.h>

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#define OGPY_LAYOUT_INLINE 1
#ifndef Py_BUILD_CORE
#define Py_BUILD_CORE 1
#endif
#endif
#include <Python.h>

#ifdef OGPY_LAYOUT_INLINE
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_object.h>
#endif

PyObject *ogpy_snap_instance_dict(PyObject *op);
Py_ssize_t ogpy_snap_inline_values(PyObject *op, PyObject *const **values);
PyObject *ogpy_snap_inline_name(PyTypeObject *tp, Py_ssize_t i);
Py_ssize_t ogpy_snap_frame_locals(PyObject *frame, PyObject *const **values, PyObject **names);
int ogpy_snap_layout_init(void);
int ogpy_snap_plain_type(PyTypeObject *tp);
Py_ssize_t ogpy_snap_plain_fields(PyObject *op, PyObject *const **values, PyObject **dict);

static traverseproc class_traverse; /* subtype_traverse, which the C API does not export */

int ogpy_snap_layout_init(void) {
  if (class_traverse) return 0;
  PyObject *cls = PyObject_CallFunction((PyObject *)&PyType_Type, "s(O){}", "_og_layout_probe",
                                        (PyObject *)&PyBaseObject_Type);
  if (!cls) return -1;
  class_traverse = ((PyTypeObject *)cls)->tp_traverse;
  Py_DECREF(cls); /* a cycle (its __mro__): the collector frees it */
  return 0;
}

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

#ifdef OGPY_LAYOUT_INLINE

/* The managed dict of an instance (borrowed), or NULL. */
static PyObject *managed_dict(PyObject *op) {
#if PY_VERSION_HEX >= 0x030D0000
  return (PyObject *)_PyObject_ManagedDictPointer(op)->dict;
#elif PY_VERSION_HEX >= 0x030C0000
  PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(op);
  return _PyDictOrValues_IsValues(dorv) ? NULL : dorv.dict;
#else
  return *_PyObject_ManagedDictPointer(op);
#endif
}

PyObject *ogpy_snap_instance_dict(PyObject *op) {
  PyTypeObject *tp = Py_TYPE(op);
  if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) return managed_dict(op);
  PyObject **slot = dict_slot(op);
  return slot ? *slot : NULL;
}

/* What tp_traverse visits as instance attributes (_PyObject_VisitInstanceAttributes on 3.11
   and 3.12, PyObject_VisitManagedDict on 3.13), or 0 values. */
Py_ssize_t ogpy_snap_inline_values(PyObject *op, PyObject *const **values) {
  PyTypeObject *tp = Py_TYPE(op);
  if (!(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) || !(tp->tp_flags & Py_TPFLAGS_HEAPTYPE))
    return 0;
#if PY_VERSION_HEX >= 0x030D0000
  if (!(tp->tp_flags & Py_TPFLAGS_INLINE_VALUES)) return 0;
  PyDictValues *v = _PyObject_InlineValues(op);
  if (!v->valid) return 0;
  *values = v->values;
  return v->capacity;
#elif PY_VERSION_HEX >= 0x030C0000
  PyDictKeysObject *k = ((PyHeapTypeObject *)tp)->ht_cached_keys;
  PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(op);
  if (!_PyDictOrValues_IsValues(dorv) || !k) return 0;
  *values = _PyDictOrValues_GetValues(dorv)->values;
  return k->dk_nentries;
#else
  PyDictKeysObject *k = ((PyHeapTypeObject *)tp)->ht_cached_keys;
  PyDictValues *v = *_PyObject_ValuesPointer(op);
  if (!v || !k) return 0;
  *values = v->values;
  return k->dk_nentries;
#endif
}

PyObject *ogpy_snap_inline_name(PyTypeObject *tp, Py_ssize_t i) {
  if (!(tp->tp_flags & Py_TPFLAGS_HEAPTYPE)) return NULL;
  PyDictKeysObject *k = ((PyHeapTypeObject *)tp)->ht_cached_keys;
  if (!k || i < 0 || i >= k->dk_nentries || k->dk_kind == DICT_KEYS_GENERAL) return NULL;
  return DK_UNICODE_ENTRIES(k)[i].me_key;
}

int ogpy_snap_plain_type(PyTypeObject *tp) {
  return class_traverse && tp->tp_traverse == class_traverse &&
         tp->tp_base == &PyBaseObject_Type && (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) &&
         (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) && Py_SIZE(tp) == 0;
}

/* subtype_traverse of a plain instance: its values, then its dict. 3.11 visits whichever exist;
   3.12 holds one or the other; 3.13 visits the dict only when the values are not valid. */
Py_ssize_t ogpy_snap_plain_fields(PyObject *op, PyObject *const **values, PyObject **dict) {
  Py_ssize_t n = ogpy_snap_inline_values(op, values);
#if PY_VERSION_HEX >= 0x030D0000
  int valid =
      (Py_TYPE(op)->tp_flags & Py_TPFLAGS_INLINE_VALUES) && _PyObject_InlineValues(op)->valid;
  *dict = valid ? NULL : managed_dict(op);
#else
  *dict = managed_dict(op);
#endif
  return n;
}

/* The fast locals of a frame object that owns its data (tp_traverse visits localsplus[0..
   stacktop) then; a running frame's are not visited), named by co_localsplusnames. */
Py_ssize_t ogpy_snap_frame_locals(PyObject *frame, PyObject *const **values, PyObject **names) {
  _PyInterpreterFrame *f = ((PyFrameObject *)frame)->f_frame;
  if (!f || f->owner != FRAME_OWNED_BY_FRAME_OBJECT) return 0;
#if PY_VERSION_HEX >= 0x030D0000
  if (!f->f_executable || !PyCode_Check(f->f_executable)) return 0;
  PyCodeObject *co = (PyCodeObject *)f->f_executable;
#else
  PyCodeObject *co = f->f_code;
#endif
  if (!co || !co->co_localsplusnames || !PyTuple_Check(co->co_localsplusnames)) return 0;
  Py_ssize_t n = PyTuple_GET_SIZE(co->co_localsplusnames);
  *names = co->co_localsplusnames;
  *values = f->localsplus;
  return f->stacktop < n ? f->stacktop : n;
}

#else

Py_ssize_t ogpy_snap_frame_locals(PyObject *frame, PyObject *const **values, PyObject **names) {
  return 0;
}

PyObject *ogpy_snap_instance_dict(PyObject *op) {
#ifdef Py_TPFLAGS_MANAGED_DICT
  if (Py_TYPE(op)->tp_flags & Py_TPFLAGS_MANAGED_DICT) return NULL; /* layout not read here */
#endif
  PyObject **slot = dict_slot(op);
  return slot ? *slot : NULL;
}

Py_ssize_t ogpy_snap_inline_values(PyObject *op, PyObject *const **values) { return 0; }

int ogpy_snap_plain_type(PyTypeObject *tp) { return 0; }

Py_ssize_t ogpy_snap_plain_fields(PyObject *op, PyObject *const **values, PyObject **dict) {
  *dict = NULL;
  return 0;
}

PyObject *ogpy_snap_inline_name(PyTypeObject *tp, Py_ssize_t i) { return NULL; }

#endif
