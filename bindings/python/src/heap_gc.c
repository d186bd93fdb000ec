/* Enumerating gc-tracked objects without building a list, in gc.get_objects() order.
 *
 * 3.14+ and free-threaded builds: PyUnstable_GC_VisitObjects. 3.9-3.13: the collector's
 * generation lists, read through the internal headers of the very version built against (this
 * file alone defines Py_BUILD_CORE, so no other file depends on internal layouts). On 3.12 and
 * 3.13 a capture of leakhunt's heap takes ~20 ms less so than through the visitor, which takes a
 * reference per object (and numbers must then be restored from a copy). */
#include <patchlevel.h> /* PY_VERSION_HEX, before Python.h decides what Py_BUILD_CORE means */

#if PY_VERSION_HEX < 0x030E0000 && !defined(Py_GIL_DISABLED)
#define OGPY_WALK_GENERATIONS 1
#ifndef Py_BUILD_CORE
#define Py_BUILD_CORE 1
#endif
#endif
#include <Python.h>

#ifdef OGPY_WALK_GENERATIONS
#include <internal/pycore_gc.h>
#include <internal/pycore_interp.h>
#endif

#include "ogpy.h"

/* Objects on a gc list mostly follow each other in memory: asking for the lines just ahead
   overlaps the next steps' cache misses with this one (the walk is otherwise a serial chase of
   next pointers). Measured at 700k objects: a counting walk 21 ms -> 9.5 ms. */
#if defined(__GNUC__) || defined(__clang__)
#define OGPY_PREFETCH(g)                                                                  \
  (__builtin_prefetch((const char *)(g) + 64), __builtin_prefetch((const char *)(g) + 128), \
   __builtin_prefetch((const char *)(g) + 256))
#define PREFETCH_HEADER_W(op) __builtin_prefetch((const char *)(op)-16, 1)
#else
#define OGPY_PREFETCH(g) ((void)0)
#define PREFETCH_HEADER_W(op) ((void)0)
#endif

#ifdef OGPY_WALK_GENERATIONS

int ogpy_heap_visit(ogpy_visit_fn fn, void *arg) {
  PyInterpreterState *interp = PyInterpreterState_Get();
  struct _gc_runtime_state *gcstate = &interp->gc;
  for (int i = 0; i < NUM_GENERATIONS; i++) {
    PyGC_Head *head = &gcstate->generations[i].head;
    for (PyGC_Head *g = _PyGCHead_NEXT(head); g != head; g = _PyGCHead_NEXT(g)) {
      OGPY_PREFETCH(g);
      int rc = fn((PyObject *)(g + 1), arg);
      if (rc) return rc;
    }
  }
  return 0;
}

Py_ssize_t ogpy_heap_count_hint(void) {
  PyInterpreterState *interp = PyInterpreterState_Get();
  struct _gc_runtime_state *gcstate = &interp->gc;
  /* generation counts are allocation counters, not sizes: use the long-lived total plus a
     margin; callers only use this to presize tables. */
  Py_ssize_t n = gcstate->long_lived_total + gcstate->long_lived_pending;
  for (int i = 0; i < NUM_GENERATIONS; i++) n += gcstate->generations[i].count;
  return n + 1024;
}

#else

typedef struct visit_ctx {
  ogpy_visit_fn fn;
  void *arg;
  int rc;
} visit_ctx;

static int visit_one(PyObject *op, void *arg) {
  visit_ctx *c = (visit_ctx *)arg;
  c->rc = c->fn(op, c->arg);
  return c->rc == 0; /* PyUnstable_GC_VisitObjects: 0 stops */
}

int ogpy_heap_visit(ogpy_visit_fn fn, void *arg) {
  visit_ctx c = {fn, arg, 0};
  PyUnstable_GC_VisitObjects(visit_one, &c);
  return c.rc;
}

Py_ssize_t ogpy_heap_count_hint(void) { return 1 << 16; }

#endif

/* ---- numbering tracked objects in place (the collector's own trick) -------------------------
 * While a referrer graph is built, each tracked object's index is kept in the upper bits of its
 * gc header's prev word, as gc.collect() keeps gc_refs there, so mapping a referent to its index
 * is one read of memory tp_traverse's visit touches anyway (no hash table). The caller runs no
 * Python code, frees nothing and untracks nothing until ogpy_heap_unnumber() restores the
 * prev links: on <= 3.13 from the order of the walk, which is the lists' order; on 3.14+ from a
 * copy taken while numbering. Not in free-threaded builds (no PyGC_Head). Numbers are read by
 * ogpy_heap_number_get (ogpy.h), which also says how they are tagged; a tracked object the walk
 * did not see (gc.freeze()) answers UINT32_MAX. */

#ifdef OGPY_WALK_GENERATIONS

int ogpy_heap_can_number(void) { return 1; }

_Static_assert(_PyGC_PREV_SHIFT == OGPY_NUM_SHIFT, "numbers sit above the collector's flags");

int ogpy_heap_number_set(PyObject *op, uint32_t idx) {
  PyGC_Head *g = _Py_AS_GC(op);
  g->_gc_prev =
      OGPY_NUM_TAG(op) | ((uintptr_t)idx << _PyGC_PREV_SHIFT) | (g->_gc_prev & ~_PyGC_PREV_MASK);
  return 0;
}

/* objs[0..n) are the tracked objects in walk order, so each one's prev is the one before it,
   or the head of its generation for the first of each list: restoring from the array lets the
   writes proceed in parallel instead of chasing next pointers one cache miss at a time. */
void ogpy_heap_unnumber(PyInterpreterState *interp, ogpy_objseq objs, size_t n) {
  struct _gc_runtime_state *gcstate = &interp->gc;
  PyGC_Head *heads[NUM_GENERATIONS], *firsts[NUM_GENERATIONS];
  for (int k = 0; k < NUM_GENERATIONS; k++) {
    heads[k] = &gcstate->generations[k].head;
    firsts[k] = _PyGCHead_NEXT(heads[k]); /* the head itself when empty: never an object */
  }
  PyGC_Head *prev = NULL;
  for (size_t i = 0; i < n; i++) {
    if (i + 8 < n) PREFETCH_HEADER_W(ogpy_objseq_at(objs, i + 8));
    PyGC_Head *g = _Py_AS_GC(ogpy_objseq_at(objs, i));
    for (int k = 0; k < NUM_GENERATIONS; k++)
      if (g == firsts[k]) prev = heads[k];
    g->_gc_prev = (uintptr_t)prev | (g->_gc_prev & ~_PyGC_PREV_MASK);
    prev = g;
  }
}

#elif !defined(Py_GIL_DISABLED)

/* 3.14+: the generation heads are internal, so each prev word is copied, in walk order, before it
 * is overwritten, and put back from the copy (8 bytes per object while numbered). The header is
 * PyGC_Head's two words just before the object; numbers keep prev's two flag bits. */
typedef struct gc_words {
  uintptr_t next; /* 0: untracked */
  uintptr_t prev;
} gc_words;

/* One copy for the process: walks run under the GIL, and the module (single-phase init) cannot
   load in a subinterpreter with a GIL of its own. */
static uintptr_t *saved_prev;
static size_t nsaved, capsaved;

#define PREV_FLAGS (((uintptr_t)1 << OGPY_NUM_SHIFT) - 1) /* the collector's, kept under a number */

int ogpy_heap_can_number(void) { return 1; }

int ogpy_heap_number_set(PyObject *op, uint32_t idx) {
  if (idx == 0) nsaved = 0;     /* a new walk */
  if (idx != nsaved) return -1; /* only 0, 1, 2... of one walk */
  if (nsaved == capsaved) {
    size_t cap = capsaved ? capsaved * 2 : 1 << 16;
    uintptr_t *a = PyMem_RawRealloc(saved_prev, cap * sizeof *a);
    if (!a) return -1;
    saved_prev = a;
    capsaved = cap;
  }
  gc_words *g = (gc_words *)op - 1;
  saved_prev[nsaved++] = g->prev;
  g->prev = OGPY_NUM_TAG(op) | ((uintptr_t)idx << OGPY_NUM_SHIFT) | (g->prev & PREV_FLAGS);
  return 0;
}

void ogpy_heap_unnumber(PyInterpreterState *interp, ogpy_objseq objs, size_t n) {
  (void)interp;
  if (n > nsaved) n = nsaved;
  for (size_t i = 0; i < n; i++) {
    if (i + 8 < n) PREFETCH_HEADER_W(ogpy_objseq_at(objs, i + 8));
    ((gc_words *)ogpy_objseq_at(objs, i) - 1)->prev = saved_prev[i];
  }
  PyMem_RawFree(saved_prev);
  saved_prev = NULL;
  nsaved = capsaved = 0;
}

#else

int ogpy_heap_can_number(void) { return 0; }
int ogpy_heap_number_set(PyObject *op, uint32_t idx) { return -1; }
void ogpy_heap_unnumber(PyInterpreterState *interp, ogpy_objseq objs, size_t n) {}

#endif
