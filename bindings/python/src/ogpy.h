/* Private declarations shared by the CPython adapter's C files (objgraph._core). */
#ifndef OGPY_H
#define OGPY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "og/og.h"
#include "og/diff.h"
#include "og/search.h"
#include "og/select.h"
#include "og/stats.h"
#include "og/subgraph.h"

/* ---- heap enumeration (heap.c) ------------------------------------------------------------ */

/* Called once per gc-tracked object, in gc.get_objects() order. Return 0 to go on, 1 to stop,
   -1 on error (with a Python exception or an og error set by the caller's convention). The
   callback must not run Python code, allocate gc objects or free objects. */
typedef int (*ogpy_visit_fn)(PyObject *op, void *arg);

#if defined(__GNUC__) || defined(__clang__)
#define OGPY_NOINLINE __attribute__((noinline))
#define OGPY_INLINE inline __attribute__((always_inline))
#else
#define OGPY_NOINLINE
#define OGPY_INLINE inline
#endif

/* Prefetch an object (and its gc header) a few steps ahead in an array-driven pass. */
#if defined(__GNUC__) || defined(__clang__)
#define OGPY_PREFETCH_OBJ(op) __builtin_prefetch((const char *)(op)-16)
#else
#define OGPY_PREFETCH_OBJ(op) ((void)0)
#endif
#define OGPY_AHEAD 8

/* Visit every gc-tracked object. Returns 0, or the callback's non-zero value. */
int ogpy_heap_visit(ogpy_visit_fn fn, void *arg);

/* Number of gc-tracked objects (an upper bound hint, cheap). */
Py_ssize_t ogpy_heap_count_hint(void);

/* In-place numbering of tracked objects (heap_gc.c): see there for the rules. can_number is 0
   where objects have no gc header to borrow (free-threaded builds); then the others do nothing.
   number_set numbers the objects of one walk 0, 1, 2... in walk order; -1: out of memory (undo
   what was numbered with unnumber). number_get returns UINT32_MAX for an object that was not
   numbered where numbers are tagged (OGPY_NUMBERS_TAGGED, 64-bit builds), elsewhere any number:
   callers then check it against their own table. */
#define OGPY_NUMBERS_TAGGED (SIZEOF_VOID_P == 8)
int ogpy_heap_can_number(void);
int ogpy_heap_number_set(PyObject *op, uint32_t idx);

/* Where a number lives: the gc header is the two words before the object (next: 0 when
   untracked; prev: the collector's 2 flag bits under the number, on every version that numbers).
   On 64-bit builds a number carries a tag of its object's address in the word's top 30 bits, top
   bit set: neither a real prev pointer (user space is below 2^47) nor gc_refs ever has that bit,
   so a number is known as ours without reading the caller's table. */
#define OGPY_NUM_SHIFT 2
#if SIZEOF_VOID_P == 8
#define OGPY_NUM_TAG(op) (((uintptr_t)1 << 63) | ((((uintptr_t)(op) >> 4) & 0x1FFFFFFFu) << 34))
#define OGPY_NUM_IS_OURS(prev, op) (((prev) & ~(((uintptr_t)1 << 34) - 1)) == OGPY_NUM_TAG(op))
#else
#define OGPY_NUM_TAG(op) ((uintptr_t)0)
#define OGPY_NUM_IS_OURS(prev, op) 1
#endif

/* The number of op, known to have a gc header (ogpy_is_gc); UINT32_MAX: not a tracked object
   (or, untagged, any number). Inline: it is asked once per edge to a tracked object. */
static inline uint32_t ogpy_heap_number_of_gc(PyObject *op) {
#if defined(Py_GIL_DISABLED)
  (void)op;
  return UINT32_MAX;
#else
  const uintptr_t *g = (const uintptr_t *)op - 2; /* next, prev */
  return g[0] && OGPY_NUM_IS_OURS(g[1], op) ? (uint32_t)(g[1] >> OGPY_NUM_SHIFT) : UINT32_MAX;
#endif
}
/* A sequence of objects held either as pointers or as og ids (a builder's id column). */
typedef struct ogpy_objseq {
  PyObject *const *ptrs; /* or NULL, and then: */
  const og_id *ids;
} ogpy_objseq;

static inline PyObject *ogpy_objseq_at(ogpy_objseq s, size_t i) {
  return s.ptrs ? s.ptrs[i] : (PyObject *)(uintptr_t)s.ids[i];
}

/* objs[0..n): the objects numbered, in order (every one of them: the rest of the walk may
   follow). interp: the walk's (PyInterpreterState_Get()), so that a thread without a Python
   thread state may put the numbers back while the walk's thread holds the GIL. */
void ogpy_heap_unnumber(PyInterpreterState *interp, ogpy_objseq objs, size_t n);

/* The reference the walk itself holds on the object it passes to the callback (3.14+'s
   PyUnstable_GC_VisitObjects increfs it), to leave out of reported reference counts. */
#if PY_VERSION_HEX >= 0x030E0000 && !defined(Py_GIL_DISABLED)
#define OGPY_VISIT_HELD_REFS 1
#else
#define OGPY_VISIT_HELD_REFS 0
#endif

/* gc.get_referents semantics: call visit for each referent of op (nothing for non-gc objects). */
int ogpy_traverse(PyObject *op, visitproc visit, void *arg);

/* ---- pointer-keyed hash (heap.c) ---------------------------------------------------------- */

/* PyObject_IS_GC without the call: has op a gc header? */
static inline int ogpy_is_gc(PyObject *op) {
  PyTypeObject *tp = Py_TYPE(op);
  return PyType_IS_GC(tp) && (!tp->tp_is_gc || tp->tp_is_gc(op));
}

/* The number of any object: UINT32_MAX for those without a gc header (see above). */
static inline uint32_t ogpy_heap_number_get(PyObject *op) {
  return ogpy_is_gc(op) ? ogpy_heap_number_of_gc(op) : UINT32_MAX;
}

/* gc.is_tracked(op) without calls into the interpreter: the type's flags, then (where the gc
   header is the two words before the object) its next link. */
static inline int ogpy_is_tracked(PyObject *op) {
  if (!ogpy_is_gc(op)) return 0;
#if defined(Py_GIL_DISABLED) || PY_VERSION_HEX >= 0x030F0000
  return PyObject_GC_IsTracked(op);
#else
  return ((const uintptr_t *)op)[-2] != 0;
#endif
}

/* Open addressing map from a non-zero pointer-sized key to a uint32 value. */
/* Key and value side by side: a probe touches one cache line, not one per array. */
typedef struct ogpy_ptrslot {
  uintptr_t key; /* 0 = empty */
  uint32_t val;
} ogpy_ptrslot;

typedef struct ogpy_ptrmap {
  ogpy_ptrslot *slots;
  size_t cap, count; /* cap: power of two or 0 */
} ogpy_ptrmap;

int ogpy_ptrmap_init(ogpy_ptrmap *m, size_t expected);
void ogpy_ptrmap_free(ogpy_ptrmap *m);
/* Value of key, or UINT32_MAX. */
uint32_t ogpy_ptrmap_get(const ogpy_ptrmap *m, uintptr_t key);
/* Insert key -> val unless present; *existing gets the stored value (val when inserted).
   Returns 1 inserted, 0 present, -1 out of memory. */
int ogpy_ptrmap_put(ogpy_ptrmap *m, uintptr_t key, uint32_t val, uint32_t *existing);

/* ---- type cache (heap.c) ------------------------------------------------------------------ */

/* The distinct types met during a walk, in first-appearance order, each held with a strong
   reference, plus per-type counters. */
#define OGPY_TYPE_CACHE 64

typedef struct ogpy_types {
  PyTypeObject *cache_key[OGPY_TYPE_CACHE];
  uint32_t cache_val[OGPY_TYPE_CACHE];
  ogpy_ptrmap map;        /* PyTypeObject* -> slot */
  PyTypeObject **types;   /* strong references */
  uint64_t *counts;
  og_type *handles;       /* per slot: the builder's handle, OG_TYPE_NONE until interned */
  uint32_t *flags;        /* per slot: node flags implied by the type */
  size_t n, cap;
} ogpy_types;

int ogpy_types_init(ogpy_types *t);
void ogpy_types_free(ogpy_types *t);
/* Slot of tp (added on first sight, with a new reference); UINT32_MAX on out of memory. */
uint32_t ogpy_types_slot(ogpy_types *t, PyTypeObject *tp);

/* The same through a small direct-mapped cache (the hot path of whole-heap walks). */
static inline uint32_t ogpy_types_slot_cached(ogpy_types *t, PyTypeObject *tp) {
  size_t h = ((uintptr_t)tp >> 4) & (OGPY_TYPE_CACHE - 1);
  if (t->cache_key[h] == tp) return t->cache_val[h];
  uint32_t slot = ogpy_types_slot(t, tp);
  if (slot != UINT32_MAX) {
    t->cache_key[h] = tp;
    t->cache_val[h] = slot;
  }
  return slot;
}

/* Short and long names of a type read from its C fields (no Python code). The returned
   buffers are owned by the caller's scratch (freed with PyMem_Free). Returns 0 or -1. */
int ogpy_type_names(PyTypeObject *tp, char **short_out, size_t *short_len, char **long_out,
                    size_t *long_len);

/* Node flags implied by the type alone (module, frame, type, function, container, has_del). */
uint32_t ogpy_type_flags(PyTypeObject *tp);

/* Raise a Python exception from the last og error (returns NULL for convenience). */
PyObject *ogpy_raise_og(int code);

/* ---- referrer graph (refgraph.c) -------------------------------------------------------- */

/* Every gc-tracked object (gc order) plus extra objects, with per node its referrers among the
   tracked objects (each once, in gc order): gc.get_referrers for all nodes at once. */
typedef struct ogpy_refgraph {
  PyObject **objs; /* strong references */
  size_t n, cap, ntracked, n_extra_untracked;
  ogpy_ptrmap map; /* address -> index (numbered heaps: extra objects only) */
  int numbered;    /* tracked objects carry their index in their gc header meanwhile */
  og_index *dst;     /* forward edges (referents among nodes), while needed */
  uint32_t *out_off; /* n + 1, with dst */
  size_t ne, cap_e;
  uint32_t *in_off; /* n + 1 */
  og_index *in_src;
} ogpy_refgraph;

/* extra_idx[i] receives the index of extra[i]. reverse: build the referrer lists (and drop the
   forward edges), else keep only the forward edges. */
int ogpy_refgraph_build(ogpy_refgraph *g, PyObject *const *extra, size_t nextra,
                        og_index *extra_idx, int reverse);
/* get_leaking_objects over a forward refgraph: candidates cand[0..ncand) (NULL: the first ncand
   nodes) without referrers other than container (OG_INDEX_NONE: none). New list. */
PyObject *ogpy_refgraph_leaking(const ogpy_refgraph *g, const og_index *cand, size_t ncand,
                                og_index container);
void ogpy_refgraph_free(ogpy_refgraph *g);
/* An og_walker answering OG_DIR_IN (referrers) only. */
void ogpy_refgraph_walker(og_walker *w, ogpy_refgraph *g);

/* ---- members walker (members.c) --------------------------------------------------------- */

/* Referrers restricted to a set of member objects (show_chain): see members.c. O(n^2) memory in
   the number of members, which is a chain's length. */
typedef struct ogpy_members {
  PyObject *seq;    /* the members (strong, a PySequence_Fast) */
  PyObject **objs;  /* distinct members, borrowed from seq */
  size_t n, per;
  ogpy_ptrmap map;  /* address -> index */
  uint32_t *adj;    /* per member j: adj[adj_off[j] .. + adj_n[j]) = its member referrers */
  size_t *adj_off;
  uint32_t *adj_n;
  uint64_t *gcpos;
} ogpy_members;

int ogpy_members_init(ogpy_members *m, PyObject *members);
void ogpy_members_free(ogpy_members *m);
og_index ogpy_members_find(const ogpy_members *m, PyObject *op);
void ogpy_members_walker(og_walker *w, ogpy_members *m);

/* ---- live walker (live.c) ----------------------------------------------------------------- */

/* A lazily expanded heap: indices are minted as objects are met; neighbours come from
   tp_traverse (edge_func NULL) or from calling edge_func(obj). Holds strong references. */
typedef struct ogpy_live {
  PyObject **objs;
  size_t n, cap;
  ogpy_ptrmap map;
  PyObject *edge_func;   /* borrowed, or NULL */
  og_index *span;        /* scratch for the last neighbours call */
  size_t span_cap;
  size_t span_n;
  ogpy_ptrmap *ignore;   /* optional: addresses of neighbour lists are added here */
} ogpy_live;

int ogpy_live_init(ogpy_live *lw, PyObject *edge_func, ogpy_ptrmap *ignore);
void ogpy_live_free(ogpy_live *lw);
/* Index for op (minting one, with a new reference). OG_INDEX_NONE on out of memory. */
og_index ogpy_live_intern(ogpy_live *lw, PyObject *op);
void ogpy_live_walker(og_walker *w, ogpy_live *lw);

/* ---- entry points defined outside module.c ----------------------------------------------- */

PyObject *ogpy_typestats(PyObject *self, PyObject *args); /* walk.c */
PyObject *ogpy_by_type(PyObject *self, PyObject *args);
PyObject *ogpy_at_addrs(PyObject *self, PyObject *args);
extern PyTypeObject ogpy_IdSetsType; /* newids.c */
int ogpy_snapshot_init(PyObject *m); /* snapshot_obj.c: heap snapshots */

#endif
