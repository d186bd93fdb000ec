/* Helpers shared by the algorithm files: name table, og_indices, subsets, sorting, walker-sized
   per-node columns. */
#include <stdlib.h>
#include <string.h>

#include "algo.h"

/* ---- name table ---------------------------------------------------------------------------- */

void og__names_init(og__names *t, size_t val_size) {
  memset(t, 0, sizeof(*t));
  t->val_size = val_size;
}

static size_t names_slot(const og__names *t, const char *s, size_t len) {
  size_t mask = t->nslots - 1;
  size_t i = (size_t)og__hash_bytes(s, len) & mask;
  for (;;) {
    uint32_t id = t->slots[i];
    if (id == OG_NAME_NONE) return i;
    if (t->len[id] == len && memcmp(t->ptr[id], s, len) == 0) return i;
    i = (i + 1) & mask;
  }
}

uint32_t og__names_find(const og__names *t, const char *s, size_t len) {
  if (t->nslots == 0) return OG_NAME_NONE;
  return t->slots[names_slot(t, s, len)];
}

/* Double the hash (load factor stays <= 1/2). */
static int names_rehash(og__names *t, const og_allocator *a) {
  size_t n = t->nslots ? t->nslots * 2 : 16, bytes;
  if (!og__mul_ok(n, sizeof(uint32_t), &bytes)) return og__fail(OG_ELIMIT, "name table too large");
  uint32_t *slots = og__alloc(a, bytes);
  if (!slots) return og__fail(OG_ENOMEM, "out of memory for a name table of %zu slots", n);
  memset(slots, 0xff, bytes);
  uint32_t *old = t->slots;
  size_t old_n = t->nslots;
  t->slots = slots;
  t->nslots = n;
  for (size_t id = 0; id < t->count; id++) t->slots[names_slot(t, t->ptr[id], t->len[id])] = (uint32_t)id;
  og__free(a, old, old_n * sizeof(uint32_t));
  return OG_OK;
}

int og__names_intern(og__names *t, const og_allocator *a, const char *s, size_t len,
                     uint32_t *out) {
  if (len > UINT32_MAX - 1) return og__fail(OG_ELIMIT, "name of %zu bytes is too long", len);
  if (t->count >= OG_NAME_NONE - 1) return og__fail(OG_ELIMIT, "too many names");
  if ((t->count + 1) * 2 > t->nslots) OG_TRY(names_rehash(t, a));
  size_t slot = names_slot(t, s, len);
  if (t->slots[slot] != OG_NAME_NONE) {
    *out = t->slots[slot];
    return OG_OK;
  }
  size_t need = t->count + 1;
  OG_TRY(og__grow(a, (void **)&t->ptr, &t->cap_ptr, need, sizeof(char *)));
  OG_TRY(og__grow(a, (void **)&t->len, &t->cap_len, need, sizeof(uint32_t)));
  if (t->val_size) OG_TRY(og__grow(a, &t->vals, &t->cap_vals, need, t->val_size));
  char *copy = og__alloc(a, len + 1);
  if (!copy) return og__fail(OG_ENOMEM, "out of memory copying a name of %zu bytes", len);
  if (len) memcpy(copy, s, len);
  copy[len] = '\0';
  uint32_t id = (uint32_t)t->count++;
  t->ptr[id] = copy;
  t->len[id] = (uint32_t)len;
  if (t->val_size) memset(og__names_val(t, id), 0, t->val_size);
  t->slots[slot] = id;
  *out = id;
  return OG_OK;
}

void og__names_free(og__names *t, const og_allocator *a) {
  for (size_t i = 0; i < t->count; i++) og__free(a, t->ptr[i], (size_t)t->len[i] + 1);
  og__free(a, t->ptr, t->cap_ptr * sizeof(char *));
  og__free(a, t->len, t->cap_len * sizeof(uint32_t));
  og__free(a, t->vals, t->cap_vals * t->val_size);
  og__free(a, t->slots, t->nslots * sizeof(uint32_t));
  og__names_init(t, t->val_size);
}

int og__names_intern_type(og__names *t, const og_allocator *a, const og_graph *g, og_type type,
                          int long_names, uint32_t *out) {
  size_t len = 0;
  const char *name = og_graph_type_name(g, type, long_names ? 1 : 0, &len);
  if (!name) return og__fail(OG_EINVALID, "graph has a node of unknown type %u", type);
  return og__names_intern(t, a, name, len, out);
}

/* ---- og_indices ---------------------------------------------------------------------------- */

int og__indices_new(og_indices **out, const og_allocator *alloc, size_t reserve) {
  if (!alloc) alloc = og_allocator_default();
  og_indices *l = og__alloc(alloc, sizeof(*l));
  if (!l) return og__fail(OG_ENOMEM, "out of memory for an index list");
  memset(l, 0, sizeof(*l));
  l->alloc = *alloc;
  if (reserve) {
    int rc = og__grow(alloc, (void **)&l->data, &l->cap, reserve, sizeof(og_index));
    if (rc != OG_OK) {
      og__free(alloc, l, sizeof(*l));
      return rc;
    }
  }
  *out = l;
  return OG_OK;
}

int og__indices_push(og_indices *l, og_index v) {
  if (l->count == l->cap) OG_TRY(og__grow(&l->alloc, (void **)&l->data, &l->cap, l->count + 1, sizeof(og_index)));
  l->data[l->count++] = v;
  return OG_OK;
}

const og_index *og_indices_data(const og_indices *l) { return l && l->count ? l->data : NULL; }

size_t og_indices_count(const og_indices *l) { return l ? l->count : 0; }

void og_indices_free(og_indices *l) {
  if (!l) return;
  og_allocator a = l->alloc;
  og__free(&a, l->data, l->cap * sizeof(og_index));
  og__free(&a, l, sizeof(*l));
}

/* ---- subsets ------------------------------------------------------------------------------- */

int og__subset_check(size_t *n_out, const og_graph *g, const og_index *nodes, size_t count) {
  og_index v = og_graph_node_count(g);
  if (count == OG_ALL_NODES) {
    *n_out = v;
    return OG_OK;
  }
  if (count && !nodes) return og__fail(OG_EINVALID, "nodes is NULL but count is %zu", count);
  for (size_t k = 0; k < count; k++)
    if (nodes[k] >= v)
      return og__fail(OG_EINVALID, "nodes[%zu] = %u is out of range (graph has %u nodes)", k,
                      nodes[k], v);
  *n_out = count;
  return OG_OK;
}

/* ---- sorting ------------------------------------------------------------------------------- */

static int sortkey_cmp(const void *pa, const void *pb) {
  const og__sortkey *a = pa, *b = pb;
  if (a->key != b->key) return a->key > b->key ? -1 : 1;
  return a->rank < b->rank ? -1 : (a->rank > b->rank);
}

void og__sort_desc(og__sortkey *items, size_t n) {
  if (n > 1) qsort(items, n, sizeof(*items), sortkey_cmp);
}

/* ---- walker-sized columns ------------------------------------------------------------------ */

int og__cols_cover(og__cols *c, const og_allocator *a, const og_walker *w, og_index v) {
  if (v < c->cap) return OG_OK;
  og_index nc = w->node_count(w->ctx);
  if (v >= nc)
    return og__fail(OG_EINVALID, "walker returned node %u but has only %u nodes", v, nc);
  size_t ncap = c->cap ? c->cap * 2 : 64;
  if (ncap < nc) ncap = nc;
  void *fresh[OG_COLS_MAX] = {NULL};
  for (size_t i = 0; i < c->ncols; i++) {
    size_t bytes;
    if (!og__mul_ok(ncap, c->elem[i], &bytes) || !(fresh[i] = og__alloc(a, bytes))) {
      for (size_t j = 0; j < i; j++) og__free(a, fresh[j], ncap * c->elem[j]);
      return og__fail(OG_ENOMEM, "out of memory for per-node state of %zu nodes", ncap);
    }
    size_t old = c->cap * c->elem[i];
    if (old) memcpy(fresh[i], *c->ptr[i], old);
    memset((char *)fresh[i] + old, c->fill[i], bytes - old);
  }
  for (size_t i = 0; i < c->ncols; i++) {
    og__free(a, *c->ptr[i], c->cap * c->elem[i]);
    *c->ptr[i] = fresh[i];
  }
  c->cap = ncap;
  return OG_OK;
}

void og__cols_free(og__cols *c, const og_allocator *a) {
  for (size_t i = 0; i < c->ncols; i++) {
    og__free(a, *c->ptr[i], c->cap * c->elem[i]);
    *c->ptr[i] = NULL;
  }
  c->cap = 0;
}
