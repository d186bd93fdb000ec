/* Private declarations of the heap-snapshot part of the CPython adapter (snapshot*.c):
 * objgraph.snapshot() captures the whole heap into an og_graph without running any Python code;
 * objgraph._core.SnapshotGraph wraps a captured or loaded graph for the offline queries. */
#ifndef OGPY_SNAP_H
#define OGPY_SNAP_H

#include "og/emit.h"
#include "og/snapshot.h"
#include "ogpy.h"

/* ---- layouts (snapshot_layout.c: the only snapshot file that reads interpreter internals) --- */

/* The instance's existing __dict__ (borrowed), or NULL; never creates it. */
PyObject *ogpy_snap_instance_dict(PyObject *op);

/* Inline attribute values (3.11: values stored in the object, named by the type's shared keys):
   *values gets the borrowed array (entries may be NULL) and the return value is its length;
   0 when the object has none or this Python version's layout is not supported. */
Py_ssize_t ogpy_snap_inline_values(PyObject *op, PyObject *const **values);

/* Name (borrowed str, or NULL) of inline value i of instances of tp. */
PyObject *ogpy_snap_inline_name(PyTypeObject *tp, Py_ssize_t i);

/* At import: learn the tp_traverse every Python class gets (subtype_traverse) from a class made
   for that. Returns 0, or -1 with an exception. */
int ogpy_snap_layout_init(void);

/* Whether instances of tp are plain, so that ogpy_snap_plain_fields lists what tp_traverse
   visits: a class straight under object, no __slots__ members, a managed __dict__, and the
   tp_traverse of Python classes (3.11-3.13 only; 0 elsewhere). */
int ogpy_snap_plain_type(PyTypeObject *tp);

/* What tp_traverse visits of an instance of a plain type, in its order, without calling it: the
   inline values (*values, the return value's length, entries may be NULL), then *dict when it
   is not NULL. */
Py_ssize_t ogpy_snap_plain_fields(PyObject *op, PyObject *const **values, PyObject **dict);

/* Fast locals of a frame object owning its data (3.11-3.13): *values (borrowed, entries may be
   NULL) as tp_traverse visits them, *names the code's co_localsplusnames; 0 otherwise. */
Py_ssize_t ogpy_snap_frame_locals(PyObject *frame, PyObject *const **values, PyObject **names);

/* ---- text without Python code (snapshot_text.c) ------------------------------------------- */

/* Up to max bytes of the UTF-8 of a str object (cut at a character boundary; lone surrogates
   become U+FFFD). Returns the bytes written to buf. */
size_t ogpy_snap_str_utf8(char *buf, size_t max, PyObject *s);

/* A short repr of an exact builtin key (str, int, bool, float, bytes, None) into buf (at most
   max bytes, max >= 32), or the type's short name for anything else. str keys that are
   identifiers are written as is (DOT then labels them like objgraph). Returns the length. */
size_t ogpy_snap_key_repr(char *buf, size_t max, PyObject *key);

/* The text of the int n (is_int) or of "n items" (a container's label) into buf; its length. */
size_t ogpy_snap_count_text(char *buf, size_t max, long long n, int is_int);

/* The node label of op (see snapshot_capture.c) into buf; returns its length, 0 for none. */
size_t ogpy_snap_node_label(char *buf, size_t max, PyObject *op);

/* Can ogpy_snap_node_label give instances of tp a label? (0: it returns 0 for all of them.) */
int ogpy_snap_type_labelled(PyTypeObject *tp);

/* Short type name read from C fields. */
const char *ogpy_snap_type_short(PyTypeObject *tp, size_t *len);

/* ---- capture (snapshot_capture.c) --------------------------------------------------------- */

#define OGPY_SNAP_LABEL_MAX 64 /* bytes of node labels (str text, reprs) */

/* Adapter node flag: a weak reference object (its edge to the referent is OG_EDGE_WEAK). */
#define OGPY_NODE_WEAKREF OG_NODE_USER0

typedef struct ogpy_snap_stats {
  size_t tracked;   /* gc-tracked nodes from the collector's lists */
  size_t untracked; /* nodes met only as referents */
} ogpy_snap_stats;

/* How the capture finds nodes again: OGPY_CAPTURE_AUTO lets the builder skip its id map where
   the heap can be numbered (falling back to a checked capture if an object turns up twice);
   _CHECKED always keeps the map; _PLANT_REPEAT is AUTO with a repeated id planted, for tests of
   that fallback. */
enum { OGPY_CAPTURE_AUTO = 0, OGPY_CAPTURE_CHECKED = 1, OGPY_CAPTURE_PLANT_REPEAT = 2 };

/* Capture every gc-tracked object and what they reference into *out. Holds the GIL, runs no
   Python code and allocates no gc objects. Returns 0, or -1 with a Python exception. */
int ogpy_snap_capture(og_graph **out, ogpy_snap_stats *st, int dict_keys, int how);

/* ---- the Python type (snapshot_obj.c) ----------------------------------------------------- */

/* Add SnapshotGraph, SnapshotNode, SnapshotFormatError, capture and load to the module. */
int ogpy_snapshot_init(PyObject *m);

#endif
