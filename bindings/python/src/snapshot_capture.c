/* objgraph.snapshot(): the whole heap as an og_graph, computed from structure only.
 *
 * Nodes: every gc-tracked object in gc order, then, as they are met, the objects they reference
 * that the collector does not list (str, int, float, bytes, untracked tuples and dicts, static
 * types...), each with type, sys.getsizeof-like size, flags, refcount and a short label. Nodes
 * are expanded in index order, so the edges arrive grouped by source (the builder's fast path).
 * Edges: tp_traverse (gc.get_referents) for most objects, classified by comparing each referent
 * with the known fields of its referrer (type, __dict__, slots, inline values, function and
 * method fields); exact dicts, lists and tuples are read directly (dict -> key, dict -> value
 * labelled by the key, list/tuple -> item labelled by the index); weakrefs also get an edge to
 * their referent. No Python code runs: no __repr__/__eq__/__hash__/__sizeof__/__getattr__, no
 * gc object is allocated (so the collector cannot run finalizers), and no reference is taken
 * (the GIL is held throughout, so nothing is freed meanwhile). While the capture runs, tracked
 * objects carry their index in their gc headers (the collector's own trick, heap_gc.c) and
 * untracked ones in their reference counts (mark_node); both are put back before it returns. */
#include <pthread.h>
#include <signal.h>
#include <string.h>

#include "ogpy_snap.h"

#include <frameobject.h>
#include <structmember.h>

#if PY_VERSION_HEX >= 0x030D0000
/* Exported (PyAPI_FUNC) but declared only in the internal pycore_dict.h since 3.13. */
PyAPI_FUNC(Py_ssize_t) _PyDict_SizeOf(PyDictObject *);
#endif

/* How a type's instances are expanded. */
enum {
  EXP_GENERIC = 0, /* tp_traverse with field hints */
  EXP_DICT,        /* exact dict: PyDict_Next */
  EXP_LIST,        /* exact list */
  EXP_TUPLE,       /* exact tuple */
  EXP_PLAIN,       /* instance of a plain class: its fields read as tp_traverse would visit */
  EXP_NONE         /* not a gc type: no referents */
};

/* Phase times on stderr, in builds with -DOGPY_TIMING (CFLAGS=-DOGPY_TIMING python3 setup.py
   build_ext --inplace): where a capture's time goes, for whoever tunes it next. */
#ifdef OGPY_TIMING
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
static double phase_t[8];
static long phase_f[8];
static void phase(int k) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  phase_t[k] = ts.tv_sec * 1e3 + ts.tv_nsec * 1e-6;
  struct rusage ru;
  getrusage(1 /* RUSAGE_THREAD: this thread's page faults, not the prefault job's */, &ru);
  phase_f[k] = ru.ru_minflt;
  static const char *name[] = {"", "setup", "walk", "tracked sources", "untracked", "unmark",
                               "finish"};
  if (k < 6) return;
  fprintf(stderr, "capture ms (faults):");
  for (int i = 1; i <= 6; i++)
    fprintf(stderr, " %s %.1f (%ld)", name[i], phase_t[i] - phase_t[i - 1],
            phase_f[i] - phase_f[i - 1]);
  fprintf(stderr, ", total %.1f\n", phase_t[6] - phase_t[0]);
}
#define PHASE(k) phase(k)
#else
#define PHASE(k) ((void)0)
#endif

/* How add_node sizes and labels a type's instances: the exact builtins most nodes are, directly;
   the others through the general dispatch (shallow_size, node_label). */
enum { NK_OTHER = 0, NK_STR, NK_INT, NK_TUPLE, NK_LIST, NK_DICT };

typedef struct tinfo {
  og_type handle;
  uint16_t flags;
  uint8_t expand;
  uint8_t elem_kind; /* kind of unclassified referents (sets: ELEMENT) */
  uint8_t labelled;  /* ogpy_snap_type_labelled */
  uint8_t node_kind; /* NK_ */
} tinfo;

/* A pointer map with a direct-mapped cache in front: the few hot keys met millions of times
   (attribute names, small ints, interned strings) skip the hash probe. */
typedef struct memo {
  ogpy_ptrmap map;
  uintptr_t key[256]; /* 0: empty (no key is NULL) */
  uint32_t val[256];
} memo;

static uint32_t memo_get(memo *m, const void *key) {
  size_t h = ((uintptr_t)key >> 4) & 255;
  if (m->key[h] == (uintptr_t)key) return m->val[h];
  uint32_t v = ogpy_ptrmap_get(&m->map, (uintptr_t)key);
  if (v != UINT32_MAX) {
    m->key[h] = (uintptr_t)key;
    m->val[h] = v;
  }
  return v;
}

static int memo_put(memo *m, const void *key, uint32_t val) {
  return ogpy_ptrmap_put(&m->map, (uintptr_t)key, val, NULL) < 0 ? -1 : 0;
}

/* Edges wait LAG more edges before their referent is read (add_edge), in the batch of columns
   the builder takes at once (og_builder_add_edges). */
#define LAG 24
#define TYPE_CACHE 256
#define EDGE_BATCH 256

typedef struct snapcap {
  og_builder *b;
  size_t n;        /* nodes; node i's object is og_builder_ids()[i] (borrowed: nothing frees it) */
  size_t ntracked;
  int numbered; /* tracked objects from the walk carry their index in their gc header */
  memo strs;  /* label source (str object or C string address) -> og_str */
  memo keys;  /* dict key object -> og_str of its repr (differs from strs for 'a b') */
  ogpy_ptrmap tmap;  /* PyTypeObject* -> tinfo slot */
  PyTypeObject *tc_key[TYPE_CACHE]; /* direct-mapped cache in front of tmap */
  uint32_t tc_val[TYPE_CACHE];
  og_str small_labels[2][1024]; /* "N items" and the int N, for 0 <= N < 1024; 0 = not yet */
  tinfo *types;
  size_t ntypes, captypes;
  ogpy_ptrmap modules; /* modules registered in sys.modules under their __name__ */
  /* deferred: the builder keeps no id map (og_builder_defer_ids); tracked objects are found by
     number and the untracked ones that may be met twice through this map instead */
  int deferred;
  memo shared;   /* shared untracked objects that are not marked (immortal ones) */
  int marking;   /* deferred ids and marks fit: see mark_node */
  struct mark *marks; /* marked objects whose counts the refcount column clamps, and the counts */
  size_t nmarks, capmarks;
  size_t str_bytes; /* text of the labels interned */
  int dict_keys;
  og_str s_dict;
  /* edges [0, rd) of the batch are resolved (bdst), [rd, rn) wait with their referent in bop */
  size_t rd, rn;
  PyObject *bop[EDGE_BATCH];
  og_index bsrc[EDGE_BATCH], bdst[EDGE_BATCH];
  uint32_t blabel[EDGE_BATCH];
  uint8_t bkind[EDGE_BATCH];
  int rc; /* og error, or -1 with a Python exception */
} snapcap;

#define HINTS 20

typedef struct hint {
  PyObject *ptr;
  uint32_t kind;
  uint32_t label;
} hint;

typedef struct expand_ctx {
  snapcap *c;
  og_index src;
  uint32_t elem_kind;
  hint h[HINTS];
  int nh;
  PyObject *const *vals; /* inline values or frame locals, matched in order */
  Py_ssize_t nvals, vcur;
  PyTypeObject *vtype; /* inline values: names from the type's shared keys */
  PyObject *vnames;    /* frame locals: names from this tuple */
  uint32_t vkind;
} expand_ctx;

/* ---- small helpers ------------------------------------------------------------------------ */

static int fail(snapcap *c, int rc) {
  if (!c->rc) c->rc = rc;
  return -1;
}

static int intern(snapcap *c, og_str *out, const char *s, size_t len) {
  c->str_bytes += len;
  int rc = og_builder_intern(out, c->b, s, len);
  return rc == OG_OK ? 0 : fail(c, rc);
}

/* Intern the label text of a key not yet in map and remember it there. */
static uint32_t remember_label(snapcap *c, memo *map, const void *key, const char *s,
                               size_t len) {
  og_str h;
  if (intern(c, &h, s, len) < 0) return UINT32_MAX;
  if (memo_put(map, key, h) < 0) {
    fail(c, OG_ENOMEM);
    return UINT32_MAX;
  }
  return h;
}

/* og_str of a label keyed by the address of a C string: interned once per address. */
static uint32_t cstr_label(snapcap *c, const char *s) {
  uint32_t v = memo_get(&c->strs, s);
  return v != UINT32_MAX ? v : remember_label(c, &c->strs, s, s, strlen(s));
}

/* Label of an attribute name held in a str object. */
static uint32_t name_label(snapcap *c, PyObject *name) {
  if (!name || !PyUnicode_Check(name)) return OG_STR_NONE;
  uint32_t v = memo_get(&c->strs, name);
  if (v != UINT32_MAX) return v;
  char buf[256];
  size_t n = ogpy_snap_str_utf8(buf, sizeof buf, name);
  return remember_label(c, &c->strs, name, buf, n);
}

/* Edge label of a dict key: its safe repr (cached per key object). */
static uint32_t key_label(snapcap *c, PyObject *key) {
  uint32_t v = memo_get(&c->keys, key);
  if (v != UINT32_MAX) return v;
  char buf[OGPY_SNAP_LABEL_MAX * 2 + 8];
  size_t n = ogpy_snap_key_repr(buf, sizeof buf, key);
  return remember_label(c, &c->keys, key, buf, n);
}

/* ---- types ---------------------------------------------------------------------------------- */

static int is_gc_type(PyTypeObject *tp) { return PyType_IS_GC(tp) && tp->tp_traverse; }

static uint32_t type_slot_slow(snapcap *c, PyTypeObject *tp) {
  uint32_t slot = ogpy_ptrmap_get(&c->tmap, (uintptr_t)tp);
  if (slot != UINT32_MAX) return slot;
  if (c->ntypes == c->captypes) {
    size_t cap = c->captypes ? c->captypes * 2 : 256;
    tinfo *a = PyMem_RawRealloc(c->types, cap * sizeof *a);
    if (!a) return fail(c, OG_ENOMEM), UINT32_MAX;
    c->types = a;
    c->captypes = cap;
  }
  char *s, *l;
  size_t sl, ll;
  if (ogpy_type_names(tp, &s, &sl, &l, &ll) < 0) return fail(c, -1), UINT32_MAX;
  og_type h;
  int rc = og_builder_add_type(&h, c->b, s, sl, l, ll);
  PyMem_Free(s);
  PyMem_Free(l);
  if (rc != OG_OK) return fail(c, rc), UINT32_MAX;
  tinfo *t = &c->types[c->ntypes];
  t->handle = h;
  t->flags = (uint16_t)(ogpy_type_flags(tp) & 0xFFFFu);
  if (PyType_IsSubtype(tp, &_PyWeakref_RefType) || tp == &_PyWeakref_ProxyType ||
      tp == &_PyWeakref_CallableProxyType) /* PyWeakref_Check, once per type */
    t->flags |= OGPY_NODE_WEAKREF;
  t->expand = !is_gc_type(tp)                 ? EXP_NONE
              : tp == &PyDict_Type             ? EXP_DICT
              : tp == &PyList_Type             ? EXP_LIST
              : tp == &PyTuple_Type            ? EXP_TUPLE
              : ogpy_snap_plain_type(tp)       ? EXP_PLAIN
                                               : EXP_GENERIC;
  t->elem_kind = PyType_IsSubtype(tp, &PySet_Type) || PyType_IsSubtype(tp, &PyFrozenSet_Type)
                     ? OG_EDGE_ELEMENT
                     : OG_EDGE_OTHER;
  t->labelled = (uint8_t)ogpy_snap_type_labelled(tp);
  t->node_kind = tp == &PyUnicode_Type ? NK_STR
                 : tp == &PyLong_Type  ? NK_INT
                 : tp == &PyTuple_Type ? NK_TUPLE
                 : tp == &PyList_Type  ? NK_LIST
                 : tp == &PyDict_Type  ? NK_DICT
                                       : NK_OTHER;
  slot = (uint32_t)c->ntypes++;
  if (ogpy_ptrmap_put(&c->tmap, (uintptr_t)tp, slot, NULL) < 0) return fail(c, OG_ENOMEM), UINT32_MAX;
  return slot;
}

static inline uint32_t type_slot(snapcap *c, PyTypeObject *tp) {
  /* type objects lie ~400-900 bytes apart: bits above the low ones tell them apart */
  size_t h = (((uintptr_t)tp >> 4) ^ ((uintptr_t)tp >> 10)) & (TYPE_CACHE - 1);
  if (c->tc_key[h] == tp) return c->tc_val[h];
  uint32_t slot = type_slot_slow(c, tp);
  if (slot != UINT32_MAX) {
    c->tc_key[h] = tp;
    c->tc_val[h] = slot;
  }
  return slot;
}

/* ---- sizes (sys.getsizeof without calling __sizeof__) ---------------------------------------- */

static uint64_t str_size(PyObject *op) {
  Py_ssize_t len = PyUnicode_GET_LENGTH(op);
  if (!PyUnicode_IS_COMPACT(op)) return (uint64_t)Py_TYPE(op)->tp_basicsize;
  if (PyUnicode_IS_ASCII(op)) return sizeof(PyASCIIObject) + (uint64_t)len + 1;
  uint64_t size = sizeof(PyCompactUnicodeObject) + ((uint64_t)len + 1) * PyUnicode_KIND(op);
  PyCompactUnicodeObject *u = (PyCompactUnicodeObject *)op;
  if (u->utf8 && u->utf8 != PyUnicode_DATA(op)) size += (uint64_t)u->utf8_length + 1;
  return size;
}

static uint64_t int_size(PyObject *op) {
#if PY_VERSION_HEX >= 0x030C0000
  uint64_t nd = (uint64_t)(((PyLongObject *)op)->long_value.lv_tag >> 3);
  return (uint64_t)offsetof(PyLongObject, long_value.ob_digit) + (nd ? nd : 1) * sizeof(digit);
#else
  Py_ssize_t n = Py_SIZE(op);
  n = n < 0 ? -n : n;
#if PY_VERSION_HEX >= 0x030B0000
  if (n == 0) n = 1; /* 3.11's int.__sizeof__ counts a digit for 0 too */
#endif
  /* int.__sizeof__: from the digits' offset, not tp_basicsize (bool's counts a digit more) */
  return (uint64_t)offsetof(PyLongObject, ob_digit) + (uint64_t)n * sizeof(digit);
#endif
}

/* Does ob_size count the items of tp's instances? Not every type with a tp_itemsize has one
   (3.11+ frames are PyObject_HEAD only): trust it for the known var-sized builtins and heap
   types (which inherit their base's layout); others get their basic size. */
static int var_sized(PyTypeObject *tp) {
  return (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || tp == &PyTuple_Type || tp == &PyBytes_Type ||
         tp == &PyCode_Type;
}

/* frame.__sizeof__: the frame plus room for the code's locals and stack. */
static uint64_t frame_size(PyObject *op) {
  uint64_t size = (uint64_t)Py_TYPE(op)->tp_basicsize;
#if PY_VERSION_HEX >= 0x030B0000
  PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)op); /* new reference, no allocation */
  if (code) {
    size += ((uint64_t)PyTuple_GET_SIZE(code->co_localsplusnames) + (uint64_t)code->co_stacksize) *
            sizeof(PyObject *);
    Py_DECREF(code);
  }
#endif
  return size;
}

static uint64_t shallow_size(PyObject *op, const tinfo *t) {
  PyTypeObject *tp = Py_TYPE(op);
  uint64_t size;
  if (PyUnicode_Check(op))
    size = str_size(op);
  else if (PyLong_Check(op))
    size = int_size(op);
  else if (PyList_Check(op))
    size = (uint64_t)tp->tp_basicsize + (uint64_t)((PyListObject *)op)->allocated * sizeof(void *);
  else if (t->elem_kind == OG_EDGE_ELEMENT) { /* a set or frozenset */
    PySetObject *s = (PySetObject *)op;
    size = (uint64_t)tp->tp_basicsize;
    if (s->table != s->smalltable) size += ((uint64_t)s->mask + 1) * sizeof(setentry);
  }
  else if (PyDict_Check(op))
    size = (uint64_t)_PyDict_SizeOf((PyDictObject *)op);
  else if (PyType_Check(op))
    size = (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) || (((PyTypeObject *)op)->tp_flags & Py_TPFLAGS_HEAPTYPE)
               ? sizeof(PyHeapTypeObject)
               : sizeof(PyTypeObject);
  else if (tp == &PyFrame_Type)
    size = frame_size(op);
  else {
    size = (uint64_t)tp->tp_basicsize;
    if (tp->tp_itemsize && var_sized(tp)) {
      Py_ssize_t n = Py_SIZE(op);
      size += (uint64_t)(n < 0 ? -n : n) * (uint64_t)tp->tp_itemsize;
    }
  }
  if (ogpy_is_gc(op)) size += 2 * sizeof(void *); /* PyGC_Head */
#if defined(Py_TPFLAGS_PREHEADER)
  if (tp->tp_flags & Py_TPFLAGS_PREHEADER) size += 2 * sizeof(void *);
#elif defined(Py_TPFLAGS_MANAGED_DICT)
  if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) size += 2 * sizeof(void *);
#endif
  return size;
}

/* ---- nodes ---------------------------------------------------------------------------------- */

/* Label of a container of n items or of the int n: interned once for small n. */
static int small_label(snapcap *c, og_str *out, int which, Py_ssize_t n, const char *buf,
                       size_t len) {
  if (n < 0 || n >= 1024) return intern(c, out, buf, len);
  og_str *slot = &c->small_labels[which][n];
  if (!*slot) {
    if (intern(c, out, buf, len) < 0) return -1;
    *slot = *out + 1;
  }
  *out = *slot - 1;
  return 0;
}

static int count_label_text(snapcap *c, og_str *out, int is_int, long long n);

/* The label of the int n (is_int) or of a container of n items: cached for 0 <= n < 1024. */
static OGPY_INLINE int count_label(snapcap *c, og_str *out, int is_int, long long n) {
  if (n >= 0 && n < 1024 && c->small_labels[is_int][n]) {
    *out = c->small_labels[is_int][n] - 1;
    return 0;
  }
  return count_label_text(c, out, is_int, n);
}

/* count_label on a cache miss: the text, interned (and cached when small). */
static OGPY_NOINLINE int count_label_text(snapcap *c, og_str *out, int is_int, long long n) {
  char buf[32];
  size_t len = ogpy_snap_count_text(buf, sizeof buf, n, is_int);
  return small_label(c, out, is_int, n >= 0 && n < 1024 ? (Py_ssize_t)n : -1, buf, len);
}

/* The value of an exact int that fits a long long: 1 if it does (most are one digit). */
static int int_value(PyObject *op, long long *v) {
#if PY_VERSION_HEX >= 0x030C0000
  if (_PyLong_IsCompact((PyLongObject *)op)) {
    *v = (long long)_PyLong_CompactValue((PyLongObject *)op);
    return 1;
  }
#else
  Py_ssize_t nd = Py_SIZE(op);
  if (nd >= -1 && nd <= 1) {
    *v = nd * (long long)((PyLongObject *)op)->ob_digit[0];
    return 1;
  }
#endif
  int overflow = 0;
  *v = PyLong_AsLongLongAndOverflow(op, &overflow);
  if (!overflow && !(*v == -1 && PyErr_Occurred())) return 1;
  PyErr_Clear();
  return 0;
}

/* The node label of anything but the NK_ kinds add_node labels itself. */
static int node_label(snapcap *c, og_str *out, PyObject *op, const tinfo *t) {
  *out = OG_STR_NONE;
  if (!t->labelled) return 0;
  char buf[OGPY_SNAP_LABEL_MAX + 16];
  size_t ln = ogpy_snap_node_label(buf, OGPY_SNAP_LABEL_MAX, op);
  return ln ? intern(c, out, buf, ln) : 0;
}

/* Size, label and flags of an exact str, int, tuple, list or dict (what most nodes are) without
   the general dispatch; returns 1 when op is one of them and done, 0 to go the general way. */
static int builtin_node(snapcap *c, PyObject *op, const tinfo *t, uint64_t *size, og_str *label,
                        uint32_t *flags) {
  Py_ssize_t n;
  long long v;
  switch (t->node_kind) {
    case NK_STR: /* compact ASCII (nearly all): the label is the text itself */
      if (!PyUnicode_IS_COMPACT_ASCII(op)) return 0;
      n = PyUnicode_GET_LENGTH(op);
      *size = sizeof(PyASCIIObject) + (uint64_t)n + 1;
      return intern(c, label, (const char *)PyUnicode_DATA(op),
                    n < OGPY_SNAP_LABEL_MAX ? (size_t)n : OGPY_SNAP_LABEL_MAX) < 0 ? -1 : 1;
    case NK_INT:
      if (!int_value(op, &v)) return 0;
      *size = int_size(op);
      return count_label(c, label, 1, v) < 0 ? -1 : 1;
    case NK_TUPLE:
      n = PyTuple_GET_SIZE(op);
      *size = (uint64_t)Py_TYPE(op)->tp_basicsize + (uint64_t)n * sizeof(PyObject *);
      break;
    case NK_LIST:
      n = PyList_GET_SIZE(op);
      *size = (uint64_t)Py_TYPE(op)->tp_basicsize +
              (uint64_t)((PyListObject *)op)->allocated * sizeof(PyObject *);
      break;
    case NK_DICT:
      n = PyDict_GET_SIZE(op);
      *size = (uint64_t)_PyDict_SizeOf((PyDictObject *)op);
      break;
    default:
      return 0;
  }
  *size += 2 * sizeof(void *); /* PyGC_Head: containers only */
  if (ogpy_is_tracked(op)) *flags |= OG_NODE_GC_TRACKED;
  return count_label(c, label, 0, n) < 0 ? -1 : 1;
}

/* numbered: keep its index in its gc header (tracked objects of the walk); other nodes are found
   through the builder's id map (og_builder_lookup), or when ids are deferred, their mark or
   c->shared (referent_node). held:
   references the caller holds on op (the walk's), left out of its reference count. */
static og_index add_node(snapcap *c, PyObject *op, int numbered, Py_ssize_t held) {
  uint32_t slot = type_slot(c, Py_TYPE(op));
  if (slot == UINT32_MAX) return OG_INDEX_NONE;
  const tinfo *t = &c->types[slot];
  uint32_t flags = t->flags;
  uint64_t size;
  og_str label;
  int known = builtin_node(c, op, t, &size, &label, &flags);
  if (known < 0) return OG_INDEX_NONE;
  if (!known) {
    if (ogpy_is_tracked(op)) flags |= OG_NODE_GC_TRACKED;
    if ((flags & OG_NODE_ANY_MODULE) && ogpy_ptrmap_get(&c->modules, (uintptr_t)op) != UINT32_MAX)
      flags |= OG_NODE_MODULE;
    if (node_label(c, &label, op, t) < 0) return OG_INDEX_NONE;
    size = shallow_size(op, t);
  }
#if PY_VERSION_HEX >= 0x030C0000
  if (_Py_IsImmortal(op)) flags |= OG_NODE_IMMORTAL;
#endif
  Py_ssize_t rc = Py_REFCNT(op) - held;
  uint32_t refcnt = rc < 0 ? 0 : rc > (Py_ssize_t)UINT32_MAX ? UINT32_MAX : (uint32_t)rc;
  og_index idx;
  int r = og_builder_add_node(&idx, c->b, (og_id)(uintptr_t)op, t->handle, size, flags, refcnt,
                              label);
  if (r != OG_OK) return fail(c, r), OG_INDEX_NONE;
  if (numbered && ogpy_heap_number_set(op, idx) < 0) return fail(c, OG_ENOMEM), OG_INDEX_NONE;
  c->n++;
  return idx;
}

static int visit_tracked(PyObject *op, void *arg) {
  snapcap *c = (snapcap *)arg;
  return add_node(c, op, c->numbered, OGPY_VISIT_HELD_REFS) == OG_INDEX_NONE ? 1 : 0;
}

/* ---- shared untracked objects, marked in place -----------------------------------------------
 * An untracked object met more than once (a str or int held by several referrers) must be found
 * again. Rather than in a hash table (a cache miss per lookup), its node index waits in its own
 * reference count, which the lookup reads anyway: MARK_BIT | index << 32 while the capture runs,
 * put back from the node's refcount column (c->marks for counts too big for it) before it
 * returns. No real count comes near MARK_BIT, and the low half stays 0 so that 3.12+'s 32-bit
 * increments could not reach the index. As with the gc-header numbering, no Python code runs
 * meanwhile and nothing is freed. Immortal objects (3.12+) are shared with other interpreters and
 * never written: they go through c->shared. Since every object met is found again, no id
 * repeats, and the builder need not check them (og_builder_trust_ids). */
#define MARK_BIT ((Py_ssize_t)1 << 62)
/* 64-bit counts on the versions whose reference-count word holds nothing else (3.14 keeps flags
   in its upper half) */
#if SIZEOF_VOID_P == 8 && PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#define OGPY_CAN_MARK 1
#else
#define OGPY_CAN_MARK 0
#endif
#define MARK_INDEX_MAX 0x3FFFFFFFu /* nodes past 2^30 go through c->shared */

typedef struct mark {
  PyObject *op;
  Py_ssize_t refcnt;
} mark;

static inline int can_mark(PyObject *op) {
#if PY_VERSION_HEX >= 0x030C0000
  return !_Py_IsImmortal(op);
#else
  (void)op;
  return 1;
#endif
}

/* The reference count that carries node index idx while the capture runs. */
static inline Py_ssize_t mark_of(og_index idx) {
  return MARK_BIT | (Py_ssize_t)((uint64_t)idx << 32);
}

/* A count the node's row clamps, listed for unmark. */
static OGPY_NOINLINE int keep_count(snapcap *c, PyObject *op) {
  if (c->nmarks == c->capmarks) {
    size_t cap = c->capmarks ? c->capmarks * 2 : 16;
    mark *a = PyMem_RawRealloc(c->marks, cap * sizeof *a);
    if (!a) return fail(c, OG_ENOMEM);
    c->marks = a;
    c->capmarks = cap;
  }
  c->marks[c->nmarks++] = (mark){op, op->ob_refcnt};
  return 0;
}

static int mark_node(snapcap *c, PyObject *op, og_index idx) {
  if (op->ob_refcnt >= (Py_ssize_t)UINT32_MAX && keep_count(c, op) < 0) return -1;
  op->ob_refcnt = mark_of(idx);
  return 0;
}

/* Put back every marked reference count (before anything could run Python code): the count the
   node's row holds (add_node read it before the mark), then the few it could not hold. */
static void unmark(snapcap *c) {
  const og_id *ids = og_builder_ids(c->b);
  const uint32_t *counts = og_builder_refcounts(c->b);
  /* when none went to c->shared, every node after the walk's is marked: written without a look */
  int all_marked = c->shared.map.count == 0;
  for (size_t i = c->ntracked; c->marking && i < c->n; i++) {
#if defined(__GNUC__) || defined(__clang__)
    if (i + 16 < c->n) __builtin_prefetch((const void *)(uintptr_t)ids[i + 16], 1);
#endif
    PyObject *op = (PyObject *)(uintptr_t)ids[i];
    if (all_marked || (op->ob_refcnt & MARK_BIT)) op->ob_refcnt = counts[i];
  }
  for (size_t i = 0; i < c->nmarks; i++) {
#if defined(__GNUC__) || defined(__clang__)
    if (i + 8 < c->nmarks) __builtin_prefetch(c->marks[i + 8].op, 1);
#endif
    c->marks[i].op->ob_refcnt = c->marks[i].refcnt;
  }
  c->nmarks = 0;
}

static og_index lookup(snapcap *c, PyObject *op) {
  if (c->numbered && PyType_IS_GC(Py_TYPE(op))) {
    uint32_t j = ogpy_heap_number_get(op);
    if (j < c->ntracked &&
        (OGPY_NUMBERS_TAGGED || og_builder_ids(c->b)[j] == (og_id)(uintptr_t)op))
      return j;
  }
  if (c->deferred) {
    /* met before, it would carry a mark (unless nodes past MARK_INDEX_MAX sent it to the map) */
    if (c->marking && can_mark(op) && c->n <= (size_t)MARK_INDEX_MAX + 1) return OG_INDEX_NONE;
    uint32_t v = memo_get(&c->shared, op);
    return v == UINT32_MAX ? OG_INDEX_NONE : v;
  }
  return og_builder_lookup(c->b, (og_id)(uintptr_t)op);
}

/* A node for an object met as a referent. Tracked objects are found by number (or by id), marked
   ones by their mark. An untracked one with a reference count of 1 is held by this referrer only,
   so it needs no lookup (most untracked tuples, strs and ints); it is marked all the same, for
   it may be met again (a weakref's referent, a borrowed reference). Without marks the builder
   reports such a repeat: at once, or with deferred ids when the capture finishes (which then runs
   again undeferred). */
static OGPY_NOINLINE og_index referent_node(snapcap *c, PyObject *op) {
  Py_ssize_t rc = Py_REFCNT(op);
  if (c->marking && (rc & MARK_BIT)) return (og_index)((uint64_t)rc >> 32 & MARK_INDEX_MAX);
  if (rc != 1 || ogpy_is_tracked(op)) {
    og_index dst = lookup(c, op);
    if (dst != OG_INDEX_NONE) return dst;
    dst = add_node(c, op, 0, 0);
    if (dst == OG_INDEX_NONE || !c->deferred) return dst;
    if (c->marking && can_mark(op) && dst <= MARK_INDEX_MAX)
      return mark_node(c, op, dst) < 0 ? OG_INDEX_NONE : dst;
    if (memo_put(&c->shared, op, dst) < 0) return fail(c, OG_ENOMEM), OG_INDEX_NONE;
    return dst;
  }
  og_index dst = add_node(c, op, 0, 0);
  if (c->marking && dst != OG_INDEX_NONE) { /* marked as well, so that it is never added twice */
    if (dst <= MARK_INDEX_MAX)
      op->ob_refcnt = mark_of(dst); /* unmark: back to 1 */
    else if (memo_put(&c->shared, op, dst) < 0)
      return fail(c, OG_ENOMEM), OG_INDEX_NONE;
    return dst;
  }
  if (dst == OG_INDEX_NONE && c->rc == OG_EEXISTS) {
    c->rc = 0;
    og_error_clear();
    dst = og_builder_lookup(c->b, (og_id)(uintptr_t)op);
    if (dst == OG_INDEX_NONE) fail(c, OG_ERROR);
  }
  return dst;
}

/* The node of a referent met before, inline: marked (untracked) or numbered (tracked); else
   OG_INDEX_NONE, and referent_node finds or adds it. */
static inline og_index referent_known(const snapcap *c, PyObject *op) {
  Py_ssize_t rc = Py_REFCNT(op);
  if (c->marking && (rc & MARK_BIT)) return (og_index)((uint64_t)rc >> 32 & MARK_INDEX_MAX);
  if (OGPY_NUMBERS_TAGGED && c->numbered && ogpy_is_gc(op)) {
    uint32_t j = ogpy_heap_number_of_gc(op);
    if (j < c->ntracked) return j;
  }
  return OG_INDEX_NONE;
}

/* Resolve the oldest waiting edge: its referent's node, found or added (new nodes take their
   numbers in edge order). */
static OGPY_INLINE int edge_resolve(snapcap *c) {
  size_t k = c->rd++;
  og_index dst = referent_known(c, c->bop[k]);
  if (dst == OG_INDEX_NONE && (dst = referent_node(c, c->bop[k])) == OG_INDEX_NONE) return -1;
  c->bdst[k] = dst;
  return 0;
}

/* The resolved edges to the builder; those still waiting move to the front of the batch. */
static OGPY_NOINLINE int batch_flush(snapcap *c) {
  size_t done = c->rd, wait = c->rn - c->rd;
  int rc = og_builder_add_edges(c->b, c->bsrc, c->bdst, c->bkind, c->blabel, done);
  if (rc != OG_OK) return fail(c, rc);
  memmove(c->bop, c->bop + done, wait * sizeof *c->bop);
  memmove(c->bsrc, c->bsrc + done, wait * sizeof *c->bsrc);
  memmove(c->bkind, c->bkind + done, wait * sizeof *c->bkind);
  memmove(c->blabel, c->blabel + done, wait * sizeof *c->blabel);
  c->rd = 0;
  c->rn = wait;
  return 0;
}

/* Every waiting edge resolved and in the builder. */
static int edges_drain(snapcap *c) {
  while (c->rd != c->rn)
    if (edge_resolve(c) < 0) return -1;
  return c->rn ? batch_flush(c) : 0;
}

/* An edge to target, resolved LAG edges later: its referent's lines are asked for now and read
   then, so that the cache misses of consecutive referents overlap (as get_referents' increments
   do) instead of stalling one after another. Edges and new nodes keep their order. */
static OGPY_INLINE int add_edge(snapcap *c, og_index src, PyObject *target, uint32_t kind,
                                uint32_t label) {
#if defined(__GNUC__) || defined(__clang__)
  __builtin_prefetch((const char *)target - 16); /* a gc header, when it has one */
  __builtin_prefetch(target);
#endif
  size_t k = c->rn++;
  c->bop[k] = target;
  c->bsrc[k] = src;
  c->bkind[k] = (uint8_t)kind;
  c->blabel[k] = label;
  if (k - c->rd >= LAG && edge_resolve(c) < 0) return -1;
  return k + 1 == EDGE_BATCH ? batch_flush(c) : 0;
}

/* ---- expansion ------------------------------------------------------------------------------ */

static void hint_add(expand_ctx *e, PyObject *ptr, uint32_t kind, uint32_t label) {
  if (ptr && e->nh < HINTS) e->h[e->nh++] = (hint){ptr, kind, label};
}

static int visit_ref(PyObject *op, void *arg) {
  expand_ctx *e = (expand_ctx *)arg;
  uint32_t kind = e->elem_kind, label = OG_STR_NONE;
  if (e->vcur < e->nvals) { /* inline values come as one run, in order, NULLs skipped */
    while (e->vcur < e->nvals && !e->vals[e->vcur]) e->vcur++;
    if (e->vcur < e->nvals && e->vals[e->vcur] == op) {
      kind = e->vkind;
      label = name_label(e->c, e->vnames ? PyTuple_GET_ITEM(e->vnames, e->vcur)
                                         : ogpy_snap_inline_name(e->vtype, e->vcur));
      e->vcur++;
      if (label == UINT32_MAX) return -1;
      return add_edge(e->c, e->src, op, kind, label);
    }
  }
  for (int k = 0; k < e->nh; k++)
    if (e->h[k].ptr == op) {
      kind = e->h[k].kind;
      label = e->h[k].label;
      e->h[k].ptr = NULL; /* a second visit of the same object takes the next field */
      break;
    }
  return add_edge(e->c, e->src, op, kind, label);
}

/* Slots (__slots__ members) of heap types along the base chain, as traverse_slots visits. */
static void slot_hints(expand_ctx *e, PyObject *op) {
  for (PyTypeObject *t = Py_TYPE(op); t && (t->tp_flags & Py_TPFLAGS_HEAPTYPE); t = t->tp_base) {
    Py_ssize_t n = Py_SIZE(t);
    PyMemberDef *mp = (PyMemberDef *)((char *)t + Py_TYPE(t)->tp_basicsize);
    for (Py_ssize_t i = 0; i < n && e->nh < HINTS; i++, mp++) {
      if (mp->type != T_OBJECT_EX && mp->type != T_OBJECT) continue;
      PyObject *v = *(PyObject **)((char *)op + mp->offset);
      uint32_t label = cstr_label(e->c, mp->name);
      if (label == UINT32_MAX) return;
      hint_add(e, v, OG_EDGE_ATTR, label);
    }
  }
}

#define FIELD(ptr, name) hint_add(e, (PyObject *)(ptr), OG_EDGE_ATTR, cstr_label(c, name))

static void type_specific_hints(expand_ctx *e, PyObject *op, const tinfo *t) {
  snapcap *c = e->c;
  PyTypeObject *tp = Py_TYPE(op);
  if (tp == &PyFunction_Type) {
    PyFunctionObject *f = (PyFunctionObject *)op;
    hint_add(e, f->func_globals, OG_EDGE_GLOBALS, cstr_label(c, "__globals__"));
    hint_add(e, f->func_dict, OG_EDGE_DICT, c->s_dict);
    FIELD(f->func_code, "__code__");
    FIELD(f->func_defaults, "__defaults__");
    FIELD(f->func_kwdefaults, "__kwdefaults__");
    FIELD(f->func_closure, "__closure__");
    FIELD(f->func_doc, "__doc__");
    FIELD(f->func_name, "__name__");
    FIELD(f->func_qualname, "__qualname__");
    FIELD(f->func_module, "__module__");
    FIELD(f->func_annotations, "__annotations__");
#if PY_VERSION_HEX >= 0x030A0000
    FIELD(f->func_builtins, "__builtins__");
#endif
  } else if (tp == &PyMethod_Type) {
    FIELD(PyMethod_GET_FUNCTION(op), "__func__");
    FIELD(PyMethod_GET_SELF(op), "__self__");
  } else if (PyType_Check(op)) {
    PyTypeObject *t = (PyTypeObject *)op;
    hint_add(e, t->tp_dict, OG_EDGE_DICT, c->s_dict);
    FIELD(t->tp_mro, "__mro__");
    FIELD(t->tp_bases, "__bases__");
    FIELD(t->tp_base, "__base__");
  } else if (t->flags & OG_NODE_ANY_MODULE) { /* PyModule_Check, once per type */
    hint_add(e, PyModule_GetDict(op), OG_EDGE_DICT, c->s_dict);
  } else if (PyCell_Check(op)) {
    hint_add(e, PyCell_GET(op), OG_EDGE_CELL, OG_STR_NONE);
  }
#if PY_VERSION_HEX >= 0x030B0000
  else if (tp == &PyFrame_Type) {
    e->nvals = ogpy_snap_frame_locals(op, &e->vals, &e->vnames);
    e->vkind = OG_EDGE_LOCAL;
    if (e->nvals) { /* its data is its own: these fields are safe to read */
      PyObject *g = PyFrame_GetGlobals((PyFrameObject *)op); /* new ref to an existing dict */
      hint_add(e, g, OG_EDGE_GLOBALS, cstr_label(c, "f_globals"));
      Py_XDECREF(g);
      PyObject *code = (PyObject *)PyFrame_GetCode((PyFrameObject *)op);
      FIELD(code, "f_code");
      Py_XDECREF(code);
    }
  }
#endif
}

static int expand_generic(snapcap *c, og_index i, PyObject *op, const tinfo *t) {
  expand_ctx e;
  e.c = c;
  e.src = i;
  e.elem_kind = t->elem_kind;
  e.nh = 0;
  e.nvals = e.vcur = 0;
  e.vals = NULL;
  e.vnames = NULL;
  e.vkind = OG_EDGE_ATTR;
  PyTypeObject *tp = Py_TYPE(op);
  e.vtype = tp;
  if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE) {
    e.nvals = ogpy_snap_inline_values(op, &e.vals);
    hint_add(&e, (PyObject *)tp, OG_EDGE_TYPE, OG_STR_NONE);
    hint_add(&e, ogpy_snap_instance_dict(op), OG_EDGE_DICT, c->s_dict);
    slot_hints(&e, op);
  }
  type_specific_hints(&e, op, t);
  if (c->rc) return -1;
  if (ogpy_traverse(op, visit_ref, &e) < 0 || c->rc) return fail(c, OG_ENOMEM);
  if (t->flags & OGPY_NODE_WEAKREF) {
    PyObject *ref = ((PyWeakReference *)op)->wr_object;
    if (ref && ref != Py_None && Py_REFCNT(ref) > 0)
      return add_edge(c, i, ref, OG_EDGE_WEAK, OG_STR_NONE);
  }
  return 0;
}

static int expand(snapcap *c, og_index i, PyObject *op) {
  uint32_t slot = type_slot(c, Py_TYPE(op));
  if (slot == UINT32_MAX) return -1;
  const tinfo *t = &c->types[slot];
  switch (t->expand) {
    case EXP_NONE:
      return 0;
    case EXP_LIST:
      for (Py_ssize_t k = 0; k < PyList_GET_SIZE(op); k++) {
        PyObject *v = PyList_GET_ITEM(op, k);
        if (v && add_edge(c, i, v, OG_EDGE_INDEX, (uint32_t)k) < 0) return -1;
      }
      return 0;
    case EXP_TUPLE:
      for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(op); k++) {
        PyObject *v = PyTuple_GET_ITEM(op, k);
        if (v && add_edge(c, i, v, OG_EDGE_INDEX, (uint32_t)k) < 0) return -1;
      }
      return 0;
    case EXP_PLAIN: { /* the edges expand_generic would find, without the traverse call */
      PyObject *const *vals, *dict;
      Py_ssize_t n = ogpy_snap_plain_fields(op, &vals, &dict);
      for (Py_ssize_t k = 0; k < n; k++) {
        if (!vals[k]) continue;
        uint32_t label = name_label(c, ogpy_snap_inline_name(Py_TYPE(op), k));
        if (label == UINT32_MAX || add_edge(c, i, vals[k], OG_EDGE_ATTR, label) < 0) return -1;
      }
      if (dict && add_edge(c, i, dict, OG_EDGE_DICT, c->s_dict) < 0) return -1;
      return add_edge(c, i, (PyObject *)Py_TYPE(op), OG_EDGE_TYPE, OG_STR_NONE);
    }
    case EXP_DICT: {
      PyObject *k, *v;
      Py_ssize_t pos = 0;
      while (PyDict_Next(op, &pos, &k, &v)) {
        uint32_t label = key_label(c, k);
        if (label == UINT32_MAX ||
            (c->dict_keys && add_edge(c, i, k, OG_EDGE_DICT_KEY, OG_STR_NONE) < 0) ||
            add_edge(c, i, v, OG_EDGE_DICT_VALUE, label) < 0)
          return -1;
      }
      return 0;
    }
    default:
      return expand_generic(c, i, op, t);
  }
}

/* ---- driver --------------------------------------------------------------------------------- */

/* Modules registered in sys.modules under their own __name__ (objgraph's is_proper_module),
   read with PyDict_Next and exact-str comparisons only. */
static int find_modules(snapcap *c) {
  PyObject *mods = PySys_GetObject("modules"), *k, *v; /* borrowed */
  Py_ssize_t pos = 0;
  if (!mods || !PyDict_Check(mods)) return 0;
  while (PyDict_Next(mods, &pos, &k, &v)) {
    if (!PyModule_Check(v) || !PyUnicode_CheckExact(k)) continue;
    PyObject *d = PyModule_GetDict(v), *dk, *dv;
    Py_ssize_t dpos = 0;
    while (d && PyDict_Next(d, &dpos, &dk, &dv)) {
      if (!PyUnicode_CheckExact(dk) || PyUnicode_CompareWithASCIIString(dk, "__name__")) continue;
      if (PyUnicode_CheckExact(dv) && PyUnicode_Compare(dv, k) == 0 &&
          ogpy_ptrmap_put(&c->modules, (uintptr_t)v, 1, NULL) < 0)
        return fail(c, OG_ENOMEM);
      break;
    }
  }
  return 0;
}

static void cap_free(snapcap *c) {
  og_builder_free(c->b);
  PyMem_RawFree(c->types);
  ogpy_ptrmap_free(&c->strs.map);
  ogpy_ptrmap_free(&c->keys.map);
  ogpy_ptrmap_free(&c->tmap);
  ogpy_ptrmap_free(&c->modules);
  ogpy_ptrmap_free(&c->shared.map);
  PyMem_RawFree(c->marks);
}

static int walk(snapcap *c) {
  if (find_modules(c) < 0) return -1;
  if (intern(c, &c->s_dict, "__dict__", 8) < 0) return -1;
  PHASE(1);
  if (ogpy_heap_visit(visit_tracked, c)) return fail(c, OG_ENOMEM);
  c->ntracked = c->n;
  PHASE(2);
  /* c->n grows as referents are met, and no edge may still wait before the last node is done */
  for (size_t i = 0; i < c->n || (edges_drain(c) == 0 && i < c->n); i++) {
    const og_id *ids = og_builder_ids(c->b); /* moves when nodes are added */
#if defined(__GNUC__) || defined(__clang__)
    if (i + 8 < c->n) __builtin_prefetch((const char *)(uintptr_t)ids[i + 8] - 16); /* gc header */
#endif
    if (i == c->ntracked) PHASE(3);
    if (expand(c, (og_index)i, (PyObject *)(uintptr_t)ids[i]) < 0) return -1;
  }
  return c->rc ? -1 : 0;
}

/* Putting the walk's gc headers back (ogpy_heap_unnumber), on a second thread for big heaps. */
#define RENUMBER_THREAD_MIN 65536

typedef struct renumber {
  PyInterpreterState *interp;
  const og_id *objs; /* the builder's id column: node i's object */
  size_t n;
  pthread_t thread;
} renumber;

static void *renumber_run(void *arg) {
  renumber *r = arg;
  if (r->n) ogpy_heap_unnumber(r->interp, (ogpy_objseq){NULL, r->objs}, r->n);
  return NULL;
}

/* A thread of ours, with every signal blocked (they stay with the application's threads). */
static int start_thread(pthread_t *t, void *(*fn)(void *), void *arg) {
  sigset_t all, old;
  sigfillset(&all);
  if (pthread_sigmask(SIG_SETMASK, &all, &old) != 0) return -1;
  int rc = pthread_create(t, NULL, fn, arg);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return rc == 0 ? 0 : -1;
}

/* The size of this process's last capture: leak hunts capture the same heap again and again, and
   columns sized up front are neither copied as they grow nor faulted in twice (~10 ms at 1.5M
   nodes). Written under the GIL. */
static struct {
  size_t nodes, tracked, edges, strings, bytes;
} last_size;

/* One capture; defer: let the builder skip its id map (numbered heaps only); plant: add one
   node twice (tests). Returns 1 when deferred ids met an object twice. */
static int capture(og_graph **out, ogpy_snap_stats *st, int dict_keys, int defer, int plant) {
  snapcap c;
  memset(&c, 0, sizeof c);
  *out = NULL;
  c.dict_keys = dict_keys;
  c.numbered = ogpy_heap_can_number();
  c.deferred = defer && c.numbered;
  c.marking = c.deferred && OGPY_CAN_MARK;
  PHASE(0);
  int rc = og_builder_new(&c.b, NULL);
  /* marking: every object met twice is found by its mark, so ids need no check */
  if (rc == OG_OK && c.deferred)
    rc = c.marking && !plant ? og_builder_trust_ids(c.b) : og_builder_defer_ids(c.b);
  if (rc == OG_OK) rc = og_builder_defer_strings(c.b); /* most labels are distinct values */
  if (rc != OG_OK || ogpy_ptrmap_init(&c.strs.map, 1 << 12) < 0 ||
      ogpy_ptrmap_init(&c.keys.map, 1 << 12) < 0 || ogpy_ptrmap_init(&c.tmap, 1 << 10) < 0 ||
      ogpy_ptrmap_init(&c.modules, 1 << 10) < 0 || ogpy_ptrmap_init(&c.shared.map, 1 << 12) < 0) {
    cap_free(&c);
    return ogpy_raise_og(rc != OG_OK ? rc : OG_ENOMEM), -1;
  }
  if (!last_size.nodes) { /* the process's first: sized from the collector's count, as heaps go */
    size_t t = (size_t)ogpy_heap_count_hint();
    last_size.nodes = t * 5 / 2;
    last_size.tracked = t;
    last_size.edges = t * 6;
    last_size.strings = t * 3 / 4; /* leakhunt: 0.54 a tracked object, 3.6 bytes each */
    last_size.bytes = t * 8;
  }
  if (og_builder_reserve(c.b, last_size.nodes + last_size.nodes / 16,
                         last_size.edges + last_size.edges / 16) != OG_OK ||
      og_builder_reserve_strings(c.b, last_size.strings + last_size.strings / 16,
                                 last_size.bytes + last_size.bytes / 16) != OG_OK ||
      /* this thread alone is busy until the end; the walk adds the tracked rows first */
      og_builder_prefault(c.b, last_size.tracked + last_size.tracked / 16) != OG_OK)
    og_error_clear(); /* only hints */
  int wrc = walk(&c);
  last_size.nodes = c.n;
  last_size.tracked = c.ntracked;
  last_size.bytes = c.str_bytes;
  last_size.edges = last_size.strings = 0;
  if (wrc == 0 && plant && c.deferred && c.n &&
      add_node(&c, (PyObject *)(uintptr_t)og_builder_ids(c.b)[0], 0, 0) == OG_INDEX_NONE)
    wrc = -1;
  /* before anything could run Python code: the gc headers go back on a second thread while
     this one puts the counts back; then the graph is sealed (which may move the id column the
     other thread reads) */
  renumber r;
  memset(&r, 0, sizeof r);
  r.interp = PyInterpreterState_Get();
  r.objs = og_builder_ids(c.b);
  r.n = c.numbered ? (c.ntracked ? c.ntracked : c.n) : 0;
  int threaded = r.n >= RENUMBER_THREAD_MIN && start_thread(&r.thread, renumber_run, &r) == 0;
  if (!threaded) renumber_run(&r);
  PHASE(4);
  unmark(&c);
  if (threaded) pthread_join(r.thread, NULL);
  PHASE(5);
  rc = wrc == 0 ? og_builder_finish(out, c.b) : OG_OK;
  PHASE(6);
#ifdef OGPY_TIMING
  fprintf(stderr, "capture: %zu nodes (%zu tracked), %u strings of %zu bytes\n", c.n,
          c.ntracked, rc == OG_OK && *out ? og_graph_str_count(*out) : 0, c.str_bytes);
#endif
  if (wrc < 0) {
    int err = c.rc;
    cap_free(&c);
    if (err != -1) ogpy_raise_og(err ? err : OG_ENOMEM);
    return -1;
  }
  st->tracked = c.ntracked;
  st->untracked = c.n - c.ntracked;
  if (rc == OG_OK) {
    last_size.edges = og_graph_edge_count(*out);
    last_size.strings = og_graph_str_count(*out);
  }
  cap_free(&c);
  if (rc == OG_EEXISTS && c.deferred) return 1; /* an object met twice: capture again, checked */
  if (rc != OG_OK) return ogpy_raise_og(rc), -1;
  return 0;
}

int ogpy_snap_capture(og_graph **out, ogpy_snap_stats *st, int dict_keys, int how) {
  int rc = capture(out, st, dict_keys, how != OGPY_CAPTURE_CHECKED,
                   how == OGPY_CAPTURE_PLANT_REPEAT);
  if (rc == 1) {
    og_error_clear();
    rc = capture(out, st, dict_keys, 0, 0);
  }
  return rc;
}
