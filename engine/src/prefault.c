/* Prefaulting reserved columns on a second thread. A builder reserved for a known size writes its
   columns front to back, and the first write to each page is a page fault (~1.4 us each on this
   project's VMs, 25k of them in a 1.5M-node capture). A helper asks the kernel to map the pages
   ahead of the writer with MADV_POPULATE_WRITE, which maps without changing contents, so it may
   run while the owner writes. It takes a slice of each range in turn, front to back, so that
   every column's next pages are mapped early; the ranges the owner fills first go first.
   Elsewhere (or before Linux 5.14) there is no job and nothing changes. The opposite, pages a
   finished table will not use handed back (og__release), lives here too. */
#define _DEFAULT_SOURCE 1 /* madvise and the MADV_ constants, beside _POSIX_C_SOURCE */
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "graph_impl.h"

#define PREFAULT_SLICE ((size_t)256 << 10)
#define PREFAULT_MIN ((size_t)4 << 20) /* below, a thread costs more than it hides */

struct og_prefault {
  pthread_t thread;
  const og_allocator *a;
  size_t n;
  size_t nfirst; /* ranges [0, nfirst) are mapped before the others */
  struct {
    char *lo, *hi; /* still to map */
  } r[OG_PREFAULT_RANGES];
  int stop; /* atomic: the owner wants its columns back */
};

#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
/* Map one slice of range k; false when the range is done. */
static bool prefault_slice(og_prefault *p, size_t k, uintptr_t page) {
  char *lo = p->r[k].lo, *hi = p->r[k].hi;
  if (lo >= hi) return false;
  size_t len = (size_t)(hi - lo) > PREFAULT_SLICE ? PREFAULT_SLICE : (size_t)(hi - lo);
  char *page_from = (char *)((uintptr_t)lo & ~(page - 1));
  /* an error (an old kernel: EINVAL) ends the range; the writer faults its pages itself */
  bool ok = madvise(page_from, (size_t)(lo + len - page_from), MADV_POPULATE_WRITE) == 0;
  p->r[k].lo = ok ? lo + len : hi;
  return p->r[k].lo < p->r[k].hi;
}

static bool stopped(og_prefault *p) { return __atomic_load_n(&p->stop, __ATOMIC_RELAXED); }

/* Ranges [from, to) a slice each in turn until they are mapped or the owner stops the job (looked
   at after every slice: a round of them takes milliseconds, which the owner would wait). */
static void prefault_group(og_prefault *p, size_t from, size_t to, uintptr_t page) {
  for (bool more = true; more && !stopped(p);) {
    more = false;
    for (size_t k = from; k < to && !stopped(p); k++) more = prefault_slice(p, k, page) || more;
  }
}

static void *prefault_run(void *arg) {
  og_prefault *p = arg;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  prefault_group(p, 0, p->nfirst, page);
  prefault_group(p, p->nfirst, p->n, page);
  return NULL;
}

/* Mapping a range at once costs ~1.5 us a page here against ~2.2 us for a fault per page: a
   writer about to fill a range (a decoder's chunk) asks for it first. Small ranges are left to
   faults; memory of another allocator may not be ours to map. */
void og__populate(const og_allocator *a, void *ptr, size_t bytes) {
  if (bytes < ((size_t)16 << 10) || !og__alloc_is_default(a)) return;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  char *lo = (char *)((uintptr_t)ptr & ~(page - 1));
  (void)madvise(lo, (size_t)((char *)ptr + bytes - lo), MADV_POPULATE_WRITE); /* else faults */
}

bool og__release(const og_allocator *a, void *ptr, size_t bytes) {
  if (!og__alloc_is_default(a)) return false;
  uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
  uintptr_t lo = ((uintptr_t)ptr + page - 1) & ~(page - 1);
  uintptr_t hi = ((uintptr_t)ptr + bytes) & ~(page - 1);
  if (lo < hi) (void)madvise((void *)lo, hi - lo, MADV_DONTNEED); /* else it stays: harmless */
  return true;
}

og_prefault *og__prefault_start(const og_allocator *a, void *const *ptr, const size_t *bytes,
                                size_t nfirst, size_t n) {
  size_t total = 0;
  for (size_t k = 0; k < n; k++) total += bytes[k];
  /* another allocator's memory may not be ours to map (or may be mapped already) */
  if (total < PREFAULT_MIN || n > OG_PREFAULT_RANGES || !og__alloc_is_default(a)) return NULL;
  og_prefault *p = og__alloc(a, sizeof *p);
  if (!p) return NULL;
  memset(p, 0, sizeof *p);
  p->a = a;
  p->n = n;
  p->nfirst = nfirst < n ? nfirst : n;
  for (size_t k = 0; k < n; k++) {
    p->r[k].lo = ptr[k];
    p->r[k].hi = (char *)ptr[k] + bytes[k];
  }
  if (og__thread_start(&p->thread, prefault_run, p) != 0) {
    og__free(a, p, sizeof *p);
    return NULL;
  }
  return p;
}

void og__prefault_stop(og_prefault *p) {
  if (!p) return;
  __atomic_store_n(&p->stop, 1, __ATOMIC_RELAXED);
  pthread_join(p->thread, NULL);
  og__free(p->a, p, sizeof *p);
}

#else

og_prefault *og__prefault_start(const og_allocator *a, void *const *ptr, const size_t *bytes,
                                size_t nfirst, size_t n) {
  (void)a, (void)ptr, (void)bytes, (void)nfirst, (void)n;
  return NULL;
}

void og__prefault_stop(og_prefault *p) { (void)p; }

void og__populate(const og_allocator *a, void *ptr, size_t bytes) { (void)a, (void)ptr, (void)bytes; }

bool og__release(const og_allocator *a, void *ptr, size_t bytes) {
  (void)a, (void)ptr, (void)bytes;
  return false;
}

#endif
