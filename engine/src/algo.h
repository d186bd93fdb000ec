/* Private helpers shared by the algorithm files (stats, select, diff, search): an owned name
 * table with a per-name value, the og_indices result, subset iteration, stable keyed sorting and
 * per-node state that grows with a walker. */
#ifndef OG_ALGO_H
#define OG_ALGO_H

#include "graph_impl.h"
#include "og/select.h"
#include "og/walker.h"

/* ---- name table: owned byte strings, dense ids in insertion order, one value each ---------- */

#define OG_NAME_NONE UINT32_MAX

typedef struct og__names {
  char **ptr;     /* per name: a NUL-terminated copy */
  uint32_t *len;  /* per name: its length */
  void *vals;     /* per name: val_size bytes, zeroed when the name is added */
  size_t val_size;
  size_t count, cap_ptr, cap_len, cap_vals;
  uint32_t *slots; /* open addressing: name id or OG_NAME_NONE */
  size_t nslots;   /* power of two, or 0 */
} og__names;

/* An empty table whose values are val_size bytes each. */
void og__names_init(og__names *t, size_t val_size);
/* Id of name[0..len), adding it (value zeroed) when absent. Errors: OG_ENOMEM, OG_ELIMIT. */
int og__names_intern(og__names *t, const og_allocator *a, const char *s, size_t len,
                     uint32_t *out);
/* Id of a name, or OG_NAME_NONE. */
uint32_t og__names_find(const og__names *t, const char *s, size_t len);
void og__names_free(og__names *t, const og_allocator *a);
/* Pointer to the value of name id. */
static inline void *og__names_val(const og__names *t, uint32_t id) {
  return (char *)t->vals + (size_t)id * t->val_size;
}

/* Intern the short or long name of type t of graph g into names. */
int og__names_intern_type(og__names *t, const og_allocator *a, const og_graph *g, og_type type,
                          int long_names, uint32_t *out);

/* ---- og_indices ---------------------------------------------------------------------------- */

struct og_indices {
  og_allocator alloc;
  og_index *data;
  size_t count, cap;
};

/* A new empty list (alloc NULL: default). Errors: OG_ENOMEM. */
int og__indices_new(og_indices **out, const og_allocator *alloc, size_t reserve);
int og__indices_push(og_indices *l, og_index v);

/* ---- subsets (see select.h) ---------------------------------------------------------------- */

/* Check a subset argument against g: OG_EINVALID (with the offending position) or OG_OK, and
   the number of elements to iterate in *n_out. */
int og__subset_check(size_t *n_out, const og_graph *g, const og_index *nodes, size_t count);
static inline og_index og__subset_at(const og_index *nodes, size_t count, size_t k) {
  return count == OG_ALL_NODES ? (og_index)k : nodes[k];
}

/* ---- stable sort by a key, descending ---------------------------------------------------- */

/* Sorts items by key descending, ties by rank ascending (ranks unique: a total order). */
typedef struct og__sortkey {
  int64_t key;
  uint32_t rank;
  uint32_t id;
} og__sortkey;
void og__sort_desc(og__sortkey *items, size_t n);

/* ---- per-node state over a growing walker ------------------------------------------------ */

/* Parallel per-node arrays (cap elements each; new elements set to the fill byte). cover makes
   them reach node index v, growing all to at least the walker's node_count (doubling). Fails with
   OG_EINVALID when v is not below the walker's node_count. node_count is assumed not to
   invalidate a span obtained from the walker. */
#define OG_COLS_MAX 6
typedef struct og__cols {
  void **ptr[OG_COLS_MAX];
  size_t elem[OG_COLS_MAX];
  int fill[OG_COLS_MAX];
  size_t ncols;
  size_t cap;
} og__cols;
int og__cols_cover(og__cols *c, const og_allocator *a, const og_walker *w, og_index v);
void og__cols_free(og__cols *c, const og_allocator *a);

/* ---- tuning (search.c) ---------------------------------------------------------------- */

/* og_search_paths switches its spur searches to A* once its first BFS has reached at least
   this many nodes and a quarter of the graph; 0 forces A* (tests). Not thread-safe to
   change while searches run. */
extern size_t og__search_astar_min;

#endif
