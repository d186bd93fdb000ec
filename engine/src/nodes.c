/* The columnar node table shared by the builder and the graph: one block carved into columns. */
#include <string.h>

#include "graph_impl.h"

/* Per-node bytes, columns in decreasing alignment: id, type, size, refcount, label, flags. */
#define NODE_BYTES                                                                        \
  (sizeof(og_id) + sizeof(og_type) + sizeof(uint32_t) + sizeof(uint32_t) + sizeof(og_str) + \
   sizeof(uint16_t))

/* The columns in that order, for the loops that treat them alike. */
#define NCOLS 6
static const size_t col_width[NCOLS] = {sizeof(og_id),    sizeof(og_type), sizeof(uint32_t),
                                        sizeof(uint32_t), sizeof(og_str),  sizeof(uint16_t)};

static void columns(void *col[NCOLS], const og_nodes *n) {
  col[0] = n->id, col[1] = n->type, col[2] = n->size;
  col[3] = n->refcount, col[4] = n->label, col[5] = n->flags;
}

static void carve(og_nodes *n, void *block, size_t cap) {
  char *p = block;
  n->block = block;
  n->id = (og_id *)p;
  p += cap * sizeof(og_id);
  n->type = (og_type *)p;
  p += cap * sizeof(og_type);
  n->size = (uint32_t *)p;
  p += cap * sizeof(uint32_t);
  n->refcount = (uint32_t *)p;
  p += cap * sizeof(uint32_t);
  n->label = (og_str *)p;
  p += cap * sizeof(og_str);
  n->flags = (uint16_t *)p;
}

/* Move the columns into a block of ncap nodes; on failure nothing changes. */
static int relayout(og_nodes *n, const og_allocator *a, size_t ncap) {
  void *block = NULL;
  if (ncap) {
    block = og__alloc(a, ncap * NODE_BYTES);
    if (!block) return og__fail(OG_ENOMEM, "out of memory for a node table of %zu nodes", ncap);
  }
  og_nodes moved = *n;
  carve(&moved, block, ncap);
  size_t keep = n->count < ncap ? n->count : ncap;
  void *from[NCOLS], *to[NCOLS];
  columns(from, n);
  columns(to, &moved);
  for (int k = 0; keep && k < NCOLS; k++) memcpy(to[k], from[k], keep * col_width[k]);
  og__free(a, n->block, (size_t)n->cap * NODE_BYTES);
  moved.cap = (og_index)ncap;
  if (!ncap) carve(&moved, NULL, 0), moved.id = NULL;
  *n = moved;
  return OG_OK;
}

int og__nodes_grow(og_nodes *n, const og_allocator *a, size_t need) {
  if (need <= n->cap) return OG_OK;
  if (need > OG_INDEX_NONE) return og__fail(OG_ELIMIT, "more than %u nodes", OG_INDEX_NONE);
  size_t ncap = n->cap ? (size_t)n->cap * 2 : 1024;
  if (ncap > OG_INDEX_NONE) ncap = OG_INDEX_NONE;
  while (ncap < need) ncap *= 2;
  if (ncap > SIZE_MAX / NODE_BYTES) return og__fail(OG_ELIMIT, "node table too large");
  return relayout(n, a, ncap);
}

/* Move the columns from the layout for n->cap nodes to the layout for `to` nodes in the same block
   (keeping count entries each): down in column order when shrinking, up in reverse order when
   growing back, so that no column overwrites one not yet moved. */
static void slide(og_nodes *n, size_t to) {
  og_nodes dst = *n;
  carve(&dst, n->block, to);
  void *from_col[NCOLS], *to_col[NCOLS];
  columns(from_col, n);
  columns(to_col, &dst);
  bool down = to < n->cap;
  for (int k = 1; k < NCOLS; k++) { /* the id column, first, stays where it is */
    int c = down ? k : NCOLS - k;
    memmove(to_col[c], from_col[c], (size_t)n->count * col_width[c]);
  }
  dst.cap = (og_index)to;
  *n = dst;
}

int og__nodes_reserve(og_nodes *n, const og_allocator *a, size_t need) {
  if (need <= n->cap) return OG_OK;
  if (need > OG_INDEX_NONE || need > SIZE_MAX / NODE_BYTES)
    return og__fail(OG_ELIMIT, "room for %zu nodes is more than a graph holds", need);
  return relayout(n, a, need);
}

/* The pages past count in every column go back to the kernel; false when they cannot. */
static bool release_tails(og_nodes *n, const og_allocator *a) {
  void *col[NCOLS];
  columns(col, n);
  for (int k = 0; k < NCOLS; k++)
    if (!og__release(a, (char *)col[k] + (size_t)n->count * col_width[k],
                     (size_t)(n->cap - n->count) * col_width[k]))
      return false; /* the first call tells for all: same allocator, same system */
  return true;
}

/* Trim to count. Room of up to 1/8 of the count stays as it is (a reservation's margin). Past
   that, the rows beyond count give their pages back where they can (a capture sized from an
   estimate: no column moves); else the columns slide down and the block shrinks (no new block,
   no copy into fresh pages), and should the allocator refuse, they slide back and the block
   stays. */
void og__nodes_shrink(og_nodes *n, const og_allocator *a) {
  if (n->count && n->count < n->cap && n->cap - n->count > n->count / 8 &&
      !release_tails(n, a)) {
    size_t cap = n->cap;
    slide(n, n->count);
    void *block = og__realloc(a, n->block, cap * NODE_BYTES, (size_t)n->count * NODE_BYTES);
    if (block)
      carve(n, block, n->count);
    else
      slide(n, cap); /* keeping the larger block is harmless */
  } else if (!n->count && n->cap) {
    (void)relayout(n, a, 0);
  }
  if (n->nbig < n->capbig) {
    og_bigsize *big = n->nbig ? og__alloc(a, n->nbig * sizeof *big) : NULL;
    if (big || !n->nbig) {
      if (n->nbig) memcpy(big, n->big, n->nbig * sizeof *big);
      og__free(a, n->big, n->capbig * sizeof *big);
      n->big = big;
      n->capbig = n->nbig;
    }
  }
}

void og__nodes_free(og_nodes *n, const og_allocator *a) {
  og__free(a, n->block, (size_t)n->cap * NODE_BYTES);
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
