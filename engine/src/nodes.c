/* The columnar node table shared by the builder and the graph. */
#include <string.h>

#include "graph_impl.h"

/* Resize one column from old_n to new_n elements; on failure the column is untouched. */
static int resize(const og_allocator *a, void **col, size_t old_n, size_t new_n, size_t elem) {
  if (old_n == new_n) return OG_OK;
  size_t ob, nb;
  if (!og__mul_ok(old_n, elem, &ob) || !og__mul_ok(new_n, elem, &nb))
    return og__fail(OG_ELIMIT, "node table of %zu nodes is too large", new_n);
  if (nb == 0) {
    og__free(a, *col, ob);
    *col = NULL;
    return OG_OK;
  }
  void *p = og__realloc(a, *col, ob, nb);
  if (!p) return og__fail(OG_ENOMEM, "out of memory for a node table of %zu nodes", new_n);
  *col = p;
  return OG_OK;
}

/* All columns move from cap to ncap together; a failure shrinks back the ones already moved. */
static int resize_all(og_nodes *n, const og_allocator *a, size_t ncap, uint32_t **deg) {
  struct {
    void **col;
    size_t elem;
  } cols[] = {{(void **)&n->id, sizeof *n->id},       {(void **)&n->type, sizeof *n->type},
              {(void **)&n->size, sizeof *n->size},   {(void **)&n->flags, sizeof *n->flags},
              {(void **)&n->refcount, sizeof *n->refcount}, {(void **)&n->label, sizeof *n->label},
              {(void **)deg, sizeof(uint32_t)}};
  size_t ncols = deg ? 7 : 6;
  for (size_t c = 0; c < ncols; c++) {
    int rc = resize(a, cols[c].col, n->cap, ncap, cols[c].elem);
    if (rc != OG_OK) {
      while (c--) (void)resize(a, cols[c].col, ncap, n->cap, cols[c].elem);
      return rc;
    }
  }
  n->cap = (og_index)ncap;
  return OG_OK;
}

int og__nodes_grow(og_nodes *n, const og_allocator *a, size_t need, uint32_t **deg) {
  if (need <= n->cap) return OG_OK;
  if (need > OG_INDEX_NONE) return og__fail(OG_ELIMIT, "more than %u nodes", OG_INDEX_NONE);
  size_t ncap = n->cap ? (size_t)n->cap * 2 : 1024;
  if (ncap > OG_INDEX_NONE) ncap = OG_INDEX_NONE;
  while (ncap < need) ncap *= 2;
  return resize_all(n, a, ncap, deg);
}

void og__nodes_shrink(og_nodes *n, const og_allocator *a) {
  (void)resize_all(n, a, n->count, NULL); /* keeping the larger block is harmless */
  size_t cb = n->capbig;
  if (n->nbig < cb && resize(a, (void **)&n->big, cb, n->nbig, sizeof *n->big) == OG_OK)
    n->capbig = n->nbig;
}

void og__nodes_free(og_nodes *n, const og_allocator *a) {
  (void)resize_all(n, a, 0, NULL);
  og__free(a, n->big, n->capbig * sizeof *n->big);
  memset(n, 0, sizeof *n);
}

uint64_t og__node_size(const og_nodes *n, og_index i) {
  uint32_t s = n->size[i];
  if (s != OG_SIZE_BIG) return s;
  size_t lo = 0, hi = n->nbig; /* big[] is sorted by node: nodes are appended in order */
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (n->big[mid].node < i)
      lo = mid + 1;
    else
      hi = mid;
  }
  OG_ASSERT(lo < n->nbig && n->big[lo].node == i);
  return lo < n->nbig ? n->big[lo].size : s;
}
