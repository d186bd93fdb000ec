/* Text for snapshot labels, computed from object structure only: no __repr__, no __str__, no
 * attribute lookup, no allocation of gc objects (the capture must not let the collector run). */
#include <stdio.h>
#include <string.h>

#include "ogpy_snap.h"

#include <frameobject.h>

/* ---- UTF-8 of str objects ---------------------------------------------------------------- */

static size_t put_cp(char *buf, size_t at, size_t max, Py_UCS4 c) {
  char t[4];
  size_t n;
  if (c >= 0xD800 && c <= 0xDFFF) c = 0xFFFD; /* a lone surrogate has no UTF-8 */
  if (c < 0x80) {
    t[0] = (char)c;
    n = 1;
  } else if (c < 0x800) {
    t[0] = (char)(0xC0 | (c >> 6));
    t[1] = (char)(0x80 | (c & 0x3F));
    n = 2;
  } else if (c < 0x10000) {
    t[0] = (char)(0xE0 | (c >> 12));
    t[1] = (char)(0x80 | ((c >> 6) & 0x3F));
    t[2] = (char)(0x80 | (c & 0x3F));
    n = 3;
  } else {
    t[0] = (char)(0xF0 | (c >> 18));
    t[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    t[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    t[3] = (char)(0x80 | (c & 0x3F));
    n = 4;
  }
  if (at + n > max) return 0;
  memcpy(buf + at, t, n);
  return n;
}

size_t ogpy_snap_str_utf8(char *buf, size_t max, PyObject *s) {
#if PY_VERSION_HEX < 0x030C0000
  if (PyUnicode_READY(s) < 0) { /* legacy strings only; allocates no gc object */
    PyErr_Clear();
    return 0;
  }
#endif
  Py_ssize_t len = PyUnicode_GET_LENGTH(s);
  int kind = PyUnicode_KIND(s);
  const void *data = PyUnicode_DATA(s);
  if (kind == PyUnicode_1BYTE_KIND && PyUnicode_IS_ASCII(s)) {
    size_t n = (size_t)len < max ? (size_t)len : max;
    memcpy(buf, data, n);
    return n;
  }
  size_t at = 0;
  for (Py_ssize_t i = 0; i < len; i++) {
    size_t n = put_cp(buf, at, max, PyUnicode_READ(kind, data, i));
    if (!n) break;
    at += n;
  }
  return at;
}

/* ---- reprs of builtin scalars ------------------------------------------------------------- */

/* Decimal digits of v into buf (no NUL); returns the length, 0 if max is too small. Faster than
   snprintf, which showed in profiles of whole-heap captures (one label per int). */
static size_t put_int(char *buf, size_t max, long long v) {
  static const char pairs[] = "00010203040506070809101112131415161718192021222324252627282930313233"
                              "34353637383940414243444546474849505152535455565758596061626364656667"
                              "6869707172737475767778798081828384858687888990919293949596979899";
  char tmp[24];
  char *p = tmp + sizeof tmp; /* written backwards, two digits a step */
  unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
  while (u >= 100) {
    p -= 2;
    memcpy(p, pairs + 2 * (u % 100), 2);
    u /= 100;
  }
  if (u >= 10) {
    p -= 2;
    memcpy(p, pairs + 2 * u, 2);
  } else {
    *--p = (char)('0' + u);
  }
  if (v < 0) *--p = '-';
  size_t n = (size_t)(tmp + sizeof tmp - p);
  if (n > max) return 0;
  memcpy(buf, p, n);
  return n;
}

const char *ogpy_snap_type_short(PyTypeObject *tp, size_t *len) {
  if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
    PyObject *name = ((PyHeapTypeObject *)tp)->ht_name;
    if (name && PyUnicode_Check(name) && PyUnicode_IS_ASCII(name)) {
      *len = (size_t)PyUnicode_GET_LENGTH(name);
      return (const char *)PyUnicode_DATA(name);
    }
  }
  const char *dot = strrchr(tp->tp_name, '.');
  const char *s = dot ? dot + 1 : tp->tp_name;
  *len = strlen(s);
  return s;
}

static size_t put_text(char *buf, size_t max, const char *s, size_t n) {
  if (n > max) n = max;
  memcpy(buf, s, n);
  return n;
}

static int is_identifier(PyObject *s) {
  if (!PyUnicode_IS_ASCII(s)) return 0;
  Py_ssize_t n = PyUnicode_GET_LENGTH(s);
  const unsigned char *p = PyUnicode_DATA(s);
  if (n == 0 || (p[0] >= '0' && p[0] <= '9')) return 0;
  for (Py_ssize_t i = 0; i < n; i++) {
    unsigned char c = p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
      return 0;
  }
  return 1;
}

/* Python-like quoted repr of a str (single quotes, escapes for \, ' and controls). */
static size_t str_repr(char *buf, size_t max, PyObject *s) {
  char tmp[OGPY_SNAP_LABEL_MAX * 2];
  size_t n = ogpy_snap_str_utf8(tmp, sizeof tmp, s), at = 0;
  buf[at++] = '\'';
  for (size_t i = 0; i < n && at + 5 < max; i++) {
    unsigned char c = (unsigned char)tmp[i];
    if (c == '\\' || c == '\'') {
      buf[at++] = '\\';
      buf[at++] = (char)c;
    } else if (c == '\n') {
      buf[at++] = '\\';
      buf[at++] = 'n';
    } else if (c < 0x20 || c == 0x7F) {
      at += (size_t)snprintf(buf + at, 5, "\\x%02x", c);
    } else {
      buf[at++] = (char)c;
    }
  }
  buf[at++] = '\'';
  return at;
}

static size_t bytes_repr(char *buf, size_t max, PyObject *b) {
  const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(b);
  Py_ssize_t n = PyBytes_GET_SIZE(b);
  size_t at = 0;
  buf[at++] = 'b';
  buf[at++] = '\'';
  for (Py_ssize_t i = 0; i < n && at + 6 < max; i++) {
    unsigned char c = p[i];
    if (c == '\\' || c == '\'') {
      buf[at++] = '\\';
      buf[at++] = (char)c;
    } else if (c < 0x20 || c >= 0x7F) {
      at += (size_t)snprintf(buf + at, 5, "\\x%02x", c);
    } else {
      buf[at++] = (char)c;
    }
  }
  buf[at++] = '\'';
  return at;
}

/* Decimal text of an int that fits 64 bits (bool: True/False); 0 when it does not fit. */
static size_t int_text(char *buf, size_t max, PyObject *v) {
  if (PyBool_Check(v)) return put_text(buf, max, v == Py_True ? "True" : "False", v == Py_True ? 4 : 5);
  int overflow = 0;
  long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
  if (overflow || (x == -1 && PyErr_Occurred())) {
    PyErr_Clear();
    return 0;
  }
  return put_int(buf, max, x);
}

static size_t float_text(char *buf, size_t max, PyObject *v) {
  char *s = PyOS_double_to_string(PyFloat_AS_DOUBLE(v), 'r', 0, Py_DTSF_ADD_DOT_0, NULL);
  if (!s) {
    PyErr_Clear();
    return 0;
  }
  size_t n = put_text(buf, max, s, strlen(s));
  PyMem_Free(s);
  return n;
}

size_t ogpy_snap_key_repr(char *buf, size_t max, PyObject *key) {
  PyTypeObject *tp = Py_TYPE(key);
  size_t n = 0;
  if (tp == &PyUnicode_Type)
    n = is_identifier(key) ? ogpy_snap_str_utf8(buf, max, key) : str_repr(buf, max, key);
  else if (tp == &PyLong_Type || tp == &PyBool_Type)
    n = int_text(buf, max, key);
  else if (tp == &PyFloat_Type)
    n = float_text(buf, max, key);
  else if (tp == &PyBytes_Type)
    n = bytes_repr(buf, max, key);
  else if (key == Py_None)
    n = put_text(buf, max, "None", 4);
  if (n) return n;
  size_t len;
  const char *s = ogpy_snap_type_short(tp, &len);
  return put_text(buf, max, s, len);
}

/* ---- node labels -------------------------------------------------------------------------- */

/* Text of a str-valued field (borrowed object), or 0. */
static size_t field_text(char *buf, size_t max, PyObject *s) {
  return s && PyUnicode_Check(s) ? ogpy_snap_str_utf8(buf, max, s) : 0;
}

static size_t items(char *buf, size_t max, Py_ssize_t n) {
  size_t k = put_int(buf, max, n);
  if (!k || k + 6 > max) return 0;
  memcpy(buf + k, " items", 6);
  return k + 6;
}

size_t ogpy_snap_count_text(char *buf, size_t max, long long n, int is_int) {
  return is_int ? put_int(buf, max, n) : items(buf, max, (Py_ssize_t)n);
}

/* A module's __name__ by scanning its dict for an exact str key (no lookup that could call a
   user __eq__ on a colliding key). */
static PyObject *module_name(PyObject *mod) {
  PyObject *d = PyModule_GetDict(mod), *k, *v;
  Py_ssize_t pos = 0;
  if (!d) return NULL;
  while (PyDict_Next(d, &pos, &k, &v))
    if (PyUnicode_CheckExact(k) && PyUnicode_GET_LENGTH(k) == 8 &&
        PyUnicode_CompareWithASCIIString(k, "__name__") == 0)
      return PyUnicode_Check(v) ? v : NULL;
  return NULL;
}

static size_t frame_label(char *buf, size_t max, PyObject *op) {
#if PY_VERSION_HEX >= 0x030900B1
  PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)op);
  if (!code) return 0;
  char path[1024];
  size_t n = field_text(path, sizeof path, code->co_filename), keep = max - 24;
  Py_DECREF(code);
  if (n > keep) { /* keep the end of a long path: "...<tail>" */
    size_t from = n - (keep - 3);
    while (from < n && ((unsigned char)path[from] & 0xC0) == 0x80) from++; /* whole chars */
    memcpy(buf, "...", 3);
    memcpy(buf + 3, path + from, n - from);
    n = 3 + (n - from);
  } else {
    memcpy(buf, path, n);
  }
  int k = snprintf(buf + n, 24, ":%d", PyFrame_GetLineNumber((PyFrameObject *)op));
  return k > 0 ? n + (size_t)k : n;
#else
  return 0;
#endif
}

int ogpy_snap_type_labelled(PyTypeObject *tp) {
  return PyType_IsSubtype(tp, &PyUnicode_Type) || PyType_IsSubtype(tp, &PyLong_Type) ||
         tp == &PyFloat_Type || tp == &PyBytes_Type || PyType_IsSubtype(tp, &PyDict_Type) ||
         PyType_IsSubtype(tp, &PyList_Type) || PyType_IsSubtype(tp, &PyTuple_Type) ||
         PyType_IsSubtype(tp, &PySet_Type) || PyType_IsSubtype(tp, &PyFrozenSet_Type) ||
         PyType_IsSubtype(tp, &PyModule_Type) || PyType_IsSubtype(tp, &PyType_Type) ||
         tp == &PyFunction_Type || tp == &PyCFunction_Type || tp == &PyMethod_Type ||
         tp == &PyCode_Type || tp == &PyFrame_Type || tp == Py_TYPE(Py_None) ||
         tp == Py_TYPE(Py_Ellipsis) || tp == Py_TYPE(Py_NotImplemented);
}

size_t ogpy_snap_node_label(char *buf, size_t max, PyObject *op) {
  PyTypeObject *tp = Py_TYPE(op);
  if (PyUnicode_Check(op)) return ogpy_snap_str_utf8(buf, max, op);
  if (PyLong_Check(op)) return int_text(buf, max, op);
  if (tp == &PyFloat_Type) return float_text(buf, max, op);
  if (tp == &PyBytes_Type) return bytes_repr(buf, max, op);
  if (PyDict_Check(op)) return items(buf, max, PyDict_GET_SIZE(op));
  if (PyList_Check(op)) return items(buf, max, PyList_GET_SIZE(op));
  if (PyTuple_Check(op)) return items(buf, max, PyTuple_GET_SIZE(op));
  if (PyAnySet_Check(op)) return items(buf, max, PySet_GET_SIZE(op));
  if (PyModule_Check(op)) return field_text(buf, max, module_name(op));
  if (PyType_Check(op)) {
    size_t len;
    const char *s = ogpy_snap_type_short((PyTypeObject *)op, &len);
    return put_text(buf, max, s, len);
  }
  if (tp == &PyFunction_Type)
    return field_text(buf, max, ((PyFunctionObject *)op)->func_qualname);
  if (tp == &PyCFunction_Type) {
    PyMethodDef *ml = ((PyCFunctionObject *)op)->m_ml;
    return ml && ml->ml_name ? put_text(buf, max, ml->ml_name, strlen(ml->ml_name)) : 0;
  }
  if (tp == &PyMethod_Type) {
    PyObject *f = PyMethod_GET_FUNCTION(op);
    size_t n = Py_TYPE(f) == &PyFunction_Type
                   ? field_text(buf, max - 8, ((PyFunctionObject *)f)->func_qualname)
                   : 0;
    return n ? n + put_text(buf + n, 8, " (bound)", 8) : 0;
  }
  if (tp == &PyCode_Type) {
#if PY_VERSION_HEX >= 0x030B0000
    return field_text(buf, max, ((PyCodeObject *)op)->co_qualname);
#else
    return field_text(buf, max, ((PyCodeObject *)op)->co_name);
#endif
  }
  if (tp == &PyFrame_Type) return frame_label(buf, max, op);
  if (op == Py_None) return put_text(buf, max, "None", 4);
  if (op == Py_Ellipsis) return put_text(buf, max, "Ellipsis", 8);
  if (op == Py_NotImplemented) return put_text(buf, max, "NotImplemented", 14);
  return 0;
}
