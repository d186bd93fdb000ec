/* id -> node index: linear probing over uint32 slots, any capacity (Lemire range reduction),
   so a sealed graph can size it to 1.25 slots per node (5 bytes per node). */
#include <string.h>

#include "graph_impl.h"

static size_t slot_of(og_id id, size_t cap) {
  return (size_t)(((og__mix64(id) >> 32) * (uint64_t)cap) >> 32);
}

static void place(og_index *slots, size_t cap, const og_id *ids, og_index idx) {
  size_t i = slot_of(ids[idx], cap);
  while (slots[i] != OG_INDEX_NONE) i = i + 1 == cap ? 0 : i + 1;
  slots[i] = idx;
}

/* Rebuild with exactly cap slots holding nodes 0..n-1. */
static int rebuild(og_idmap *m, const og_allocator *a, const og_id *ids, size_t n, size_t cap) {
  size_t bytes;
  if (cap > UINT32_MAX || !og__mul_ok(cap, sizeof(og_index), &bytes))
    return og__fail(OG_ELIMIT, "id table of %zu slots is too large", cap);
  og_index *slots = og__alloc(a, bytes);
  if (!slots) return og__fail(OG_ENOMEM, "out of memory for an id table of %zu slots", cap);
  memset(slots, 0xff, bytes);
  for (size_t k = 0; k < n; k++) place(slots, cap, ids, (og_index)k);
  og__free(a, m->slots, m->cap * sizeof(og_index));
  m->slots = slots;
  m->cap = cap;
  return OG_OK;
}

int og__idmap_reserve(og_idmap *m, const og_allocator *a, const og_id *ids, size_t n) {
  /* keep load <= 1/2 while building, so that misses (new ids) stay short probes */
  if (m->cap && (n + 1) * 2 <= m->cap) return OG_OK;
  size_t cap = m->cap ? m->cap * 2 : 64;
  while ((n + 1) * 2 > cap) cap *= 2;
  return rebuild(m, a, ids, n, cap);
}

int og__idmap_seal(og_idmap *m, const og_allocator *a, const og_id *ids, size_t n) {
  size_t cap = n + n / 4 + 1;
  if (m->cap == cap) return OG_OK;
  return rebuild(m, a, ids, n, cap);
}

og_index og__idmap_find(const og_idmap *m, const og_id *ids, og_id id) {
  if (!m->cap) return OG_INDEX_NONE;
  size_t i = slot_of(id, m->cap);
  for (og_index h; (h = m->slots[i]) != OG_INDEX_NONE; i = i + 1 == m->cap ? 0 : i + 1)
    if (ids[h] == id) return h;
  return OG_INDEX_NONE;
}

bool og__idmap_insert(og_idmap *m, const og_id *ids, og_index idx) {
  OG_ASSERT(m->cap > 0);
  size_t i = slot_of(ids[idx], m->cap);
  for (og_index h; (h = m->slots[i]) != OG_INDEX_NONE; i = i + 1 == m->cap ? 0 : i + 1)
    if (ids[h] == ids[idx]) return false;
  m->slots[i] = idx;
  return true;
}

void og__idmap_free(og_idmap *m, const og_allocator *a) {
  og__free(a, m->slots, m->cap * sizeof(og_index));
  m->slots = NULL;
  m->cap = 0;
}
