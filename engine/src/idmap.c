/* id -> node index maps. Both use linear probing with Lemire's range reduction of the high 32
   bits of a mixed id (any capacity), so a sealed graph sizes its map to 1.25 slots per node
   (5 bytes per node), while the builder's map trades memory for speed with tagged slots. */
#include <stdio.h>
#include <string.h>

#include "graph_impl.h"

#define BMAP_EMPTY UINT64_MAX

static uint32_t tag_of(og_id id) { return (uint32_t)(og__mix64(id) >> 32); }

static size_t slot_of_tag(uint32_t tag, size_t cap) { return (size_t)(((uint64_t)tag * cap) >> 32); }

static size_t next_slot(size_t i, size_t cap) { return i + 1 == cap ? 0 : i + 1; }

/* ---- the sealed graph's map ----------------------------------------------------------------- */

/* A repeated id found while building: names it and both nodes. */
static int dup_error(const og_id *ids, og_index first, og_index second) {
  return og__fail(OG_EEXISTS, "node %u: id 0x%llx duplicates node %u", second,
                  (unsigned long long)ids[second], first);
}

/* Entries (tag << 32 | node) grouped by the tag's top bits, nodes ascending in each group. As
   slot_of_tag grows with the tag, one group's entries land in one run of slots that stays in
   cache while the group is inserted, instead of each insert missing it somewhere in the table. */
#define IDMAP_GROUP_BITS 8

static uint64_t *group_by_tag(const og_allocator *a, const og_id *ids, size_t n) {
  uint64_t *ent = og__alloc(a, (n ? n : 1) * sizeof *ent);
  if (!ent) return NULL;
  size_t at[(1u << IDMAP_GROUP_BITS) + 1] = {0};
  for (size_t k = 0; k < n; k++) at[(tag_of(ids[k]) >> (32 - IDMAP_GROUP_BITS)) + 1]++;
  for (size_t g = 1; g <= (1u << IDMAP_GROUP_BITS); g++) at[g] += at[g - 1];
  for (size_t k = 0; k < n; k++) {
    uint32_t tag = tag_of(ids[k]);
    ent[at[tag >> (32 - IDMAP_GROUP_BITS)]++] = (uint64_t)tag << 32 | k;
  }
  return ent;
}

int og__idmap_build(og_idmap *m, const og_allocator *a, const og_id *ids, size_t n, bool check) {
  size_t cap = n + n / 4 + 1, bytes;
  if (cap > UINT32_MAX || !og__mul_ok(cap, sizeof(og_index), &bytes))
    return og__fail(OG_ELIMIT, "id table of %zu slots is too large", cap);
  og_index *slots = og__alloc(a, bytes);
  /* check: each slot's tag beside it, so probes read ids only on a tag match */
  uint32_t *tags = check ? og__alloc(a, cap * sizeof(uint32_t)) : NULL;
  uint64_t *ent = slots && (tags || !check) ? group_by_tag(a, ids, n) : NULL;
  size_t tag_bytes = check ? cap * sizeof(uint32_t) : 0;
  if (!ent) {
    og__free(a, slots, bytes);
    og__free(a, tags, tag_bytes);
    return og__fail(OG_ENOMEM, "out of memory for an id table of %zu slots", cap);
  }
  memset(slots, 0xff, bytes);
  int rc = OG_OK;
  for (size_t e = 0; e < n && rc == OG_OK; e++) {
    uint32_t tag = (uint32_t)(ent[e] >> 32);
    og_index k = (og_index)ent[e];
    size_t i = slot_of_tag(tag, cap);
    for (og_index h; (h = slots[i]) != OG_INDEX_NONE; i = next_slot(i, cap))
      if (check && tags[i] == tag && ids[h] == ids[k]) {
        rc = dup_error(ids, h < k ? h : k, h < k ? k : h);
        break;
      }
    slots[i] = k;
    if (check) tags[i] = tag;
  }
  og__free(a, ent, (n ? n : 1) * sizeof *ent);
  og__free(a, tags, tag_bytes);
  if (rc != OG_OK) {
    og__free(a, slots, bytes);
    return rc;
  }
  og__free(a, m->slots, m->cap * sizeof(og_index));
  m->slots = slots;
  m->cap = cap;
  return OG_OK;
}

og_index og__idmap_find(const og_idmap *m, const og_id *ids, og_id id) {
  if (!m->cap) return OG_INDEX_NONE;
  size_t i = slot_of_tag(tag_of(id), m->cap);
  for (og_index h; (h = m->slots[i]) != OG_INDEX_NONE; i = next_slot(i, m->cap))
    if (ids[h] == id) return h;
  return OG_INDEX_NONE;
}

void og__idmap_free(og_idmap *m, const og_allocator *a) {
  og__free(a, m->slots, m->cap * sizeof(og_index));
  m->slots = NULL;
  m->cap = 0;
}

/* ---- building on a second thread ------------------------------------------------------------ */

#define IDJOB_MIN_NODES 65536 /* below, a thread costs more than it hides */

struct og_idjob {
  pthread_t thread;
  const og_allocator *a;
  const og_id *ids;
  size_t n;
  bool check;
  int rc;
  og_idmap map;
  char msg[512]; /* og_error_last() of the job's thread when rc fails */
};

static void *idjob_run(void *arg) {
  og_idjob *j = arg;
  j->rc = og__idmap_build(&j->map, j->a, j->ids, j->n, j->check);
  if (j->rc != OG_OK) snprintf(j->msg, sizeof j->msg, "%s", og_error_last());
  return NULL;
}

og_idjob *og__idjob_start(const og_allocator *a, const og_id *ids, size_t n, bool check) {
  if (n < IDJOB_MIN_NODES || !og__alloc_is_default(a)) return NULL;
  og_idjob *j = og__alloc(a, sizeof *j);
  if (!j) return NULL;
  memset(j, 0, sizeof *j);
  j->a = a;
  j->ids = ids;
  j->n = n;
  j->check = check;
  if (og__thread_start(&j->thread, idjob_run, j) != 0) {
    og__free(a, j, sizeof *j);
    return NULL;
  }
  return j;
}

int og__idjob_finish(og_idjob *j, og_idmap *m) {
  pthread_join(j->thread, NULL);
  int rc = j->rc;
  if (rc == OG_OK) {
    og__idmap_free(m, j->a);
    *m = j->map;
  } else {
    og__fail(rc, "%s", j->msg);
  }
  og__free(j->a, j, sizeof *j);
  return rc;
}

void og__idjob_cancel(og_idjob *j) {
  pthread_join(j->thread, NULL); /* its error, if any, is not this thread's */
  og__idmap_free(&j->map, j->a);
  og__free(j->a, j, sizeof *j);
}

/* ---- the builder's map ---------------------------------------------------------------------- */

static void bmap_place(uint64_t *slots, size_t cap, uint64_t entry) {
  size_t i = slot_of_tag((uint32_t)(entry >> 32), cap);
  while (slots[i] != BMAP_EMPTY) i = next_slot(i, cap);
  slots[i] = entry;
}

int og__bmap_reserve(og_bmap *m, const og_allocator *a) {
  if ((m->count + 1) * 2 <= m->cap) return OG_OK; /* load <= 1/2 keeps probes short */
  size_t cap = m->cap ? m->cap * 2 : 1024, bytes;
  if (cap > (size_t)UINT32_MAX * 2 || !og__mul_ok(cap, sizeof(uint64_t), &bytes))
    return og__fail(OG_ELIMIT, "id table of %zu slots is too large", cap);
  uint64_t *slots = og__alloc(a, bytes);
  if (!slots) return og__fail(OG_ENOMEM, "out of memory for an id table of %zu slots", cap);
  memset(slots, 0xff, bytes);
  for (size_t i = 0; i < m->cap; i++) /* the tags give the new places: no id is read */
    if (m->slots[i] != BMAP_EMPTY) bmap_place(slots, cap, m->slots[i]);
  og__free(a, m->slots, m->cap * sizeof(uint64_t));
  m->slots = slots;
  m->cap = cap;
  return OG_OK;
}

og_index og__bmap_find(const og_bmap *m, const og_id *ids, og_id id) {
  if (!m->cap) return OG_INDEX_NONE;
  uint32_t tag = tag_of(id);
  size_t i = slot_of_tag(tag, m->cap);
  for (uint64_t e; (e = m->slots[i]) != BMAP_EMPTY; i = next_slot(i, m->cap))
    if ((uint32_t)(e >> 32) == tag && ids[(og_index)e] == id) return (og_index)e;
  return OG_INDEX_NONE;
}

bool og__bmap_insert(og_bmap *m, const og_id *ids, og_index idx) {
  OG_ASSERT(m->cap > 0 && (m->count + 1) * 2 <= m->cap);
  uint32_t tag = tag_of(ids[idx]);
  size_t i = slot_of_tag(tag, m->cap);
  for (uint64_t e; (e = m->slots[i]) != BMAP_EMPTY; i = next_slot(i, m->cap))
    if ((uint32_t)(e >> 32) == tag && ids[(og_index)e] == ids[idx]) return false;
  m->slots[i] = (uint64_t)tag << 32 | idx;
  m->count++;
  return true;
}

void og__bmap_free(og_bmap *m, const og_allocator *a) {
  og__free(a, m->slots, m->cap * sizeof(uint64_t));
  memset(m, 0, sizeof *m);
}
