/* The arena, the string table and the type table of a graph or builder. */
#include <string.h>

#include "strtab.h"

#define ARENA_BLOCK 65536

struct og_arena_block {
  og_arena_block *next;
  size_t size; /* bytes of data[] */
  size_t used;
  max_align_t data[];
};

void *og__arena_alloc(og_arena *ar, const og_allocator *a, size_t size) {
  size = (size + 7) & ~(size_t)7;
  og_arena_block *b = ar->head;
  if (!b || b->size - b->used < size) {
    size_t bsize = size > ARENA_BLOCK / 4 ? size : ARENA_BLOCK;
    if (bsize > SIZE_MAX - sizeof(og_arena_block)) return NULL;
    og_arena_block *nb = og__alloc(a, sizeof(og_arena_block) + bsize);
    if (!nb) return NULL;
    nb->size = bsize;
    nb->used = 0;
    ar->held_total += sizeof(og_arena_block) + bsize;
    if (b && bsize != ARENA_BLOCK) { /* a big one-off block goes behind the current one */
      nb->next = b->next;
      b->next = nb;
    } else {
      nb->next = b;
      ar->head = nb;
    }
    b = nb;
  }
  void *p = (char *)b->data + b->used;
  b->used += size;
  ar->used_total += size;
  return p;
}

void og__arena_reserve(og_arena *ar, const og_allocator *a, size_t bytes) {
  bytes = (bytes + 7) & ~(size_t)7;
  og_arena_block *b = ar->head;
  if (!bytes || (b && b->size - b->used >= bytes) || bytes > SIZE_MAX - sizeof *b) return;
  og_arena_block *nb = og__alloc(a, sizeof *nb + bytes);
  if (!nb) return;
  nb->size = bytes;
  nb->used = 0;
  nb->next = b; /* the head: small allocations fill it (the old head's rest goes unused) */
  ar->head = nb;
  ar->held_total += sizeof *nb + bytes;
}

void og__arena_room(const og_arena *ar, void **ptr, size_t *bytes) {
  const og_arena_block *b = ar->head;
  *ptr = b ? (char *)(uintptr_t)b->data + b->used : NULL;
  *bytes = b ? b->size - b->used : 0;
}

void og__arena_free(og_arena *ar, const og_allocator *a) {
  og_arena_block *b = ar->head;
  while (b) {
    og_arena_block *next = b->next;
    og__free(a, b, sizeof(og_arena_block) + b->size);
    b = next;
  }
  memset(ar, 0, sizeof *ar);
}

/* Double two parallel arrays of *cap elements together: both move, or neither. */
static int grow_pair(const og_allocator *a, void **x, size_t xe, void **y, size_t ye, uint32_t *cap,
                     size_t need) {
  size_t ncap = *cap ? (size_t)*cap * 2 : 64;
  if (ncap < need) ncap = need;
  if (ncap > UINT32_MAX) return og__fail(OG_ELIMIT, "table of %zu entries is too large", ncap);
  void *nx = og__alloc(a, ncap * xe), *ny = og__alloc(a, ncap * ye);
  if (!nx || !ny) {
    og__free(a, nx, ncap * xe);
    og__free(a, ny, ncap * ye);
    return og__fail(OG_ENOMEM, "out of memory for a table of %zu entries", ncap);
  }
  if (*cap) {
    memcpy(nx, *x, *cap * xe);
    memcpy(ny, *y, *cap * ye);
  }
  og__free(a, *x, *cap * xe);
  og__free(a, *y, *cap * ye);
  *x = nx;
  *y = ny;
  *cap = (uint32_t)ncap;
  return OG_OK;
}

/* Grow an open-addressing table of uint32 handles to keep load <= 1/2; rehash with key_hash. */
typedef uint64_t (*handle_hash_fn)(const void *tab, uint32_t handle);

static int rehash(uint32_t **slots, size_t *nslots, uint32_t count, const og_allocator *a,
                  const void *tab, handle_hash_fn hash) {
  if ((size_t)(count + 1) * 2 <= *nslots) return OG_OK;
  size_t n = *nslots ? *nslots * 2 : 64;
  size_t bytes;
  if (!og__mul_ok(n, sizeof(uint32_t), &bytes)) return og__fail(OG_ELIMIT, "hash table too large");
  uint32_t *ns = og__alloc(a, bytes);
  if (!ns) return og__fail(OG_ENOMEM, "out of memory for a hash table of %zu slots", n);
  memset(ns, 0xff, bytes);
  for (uint32_t h = 0; h < count; h++) {
    size_t i = hash(tab, h) & (n - 1);
    while (ns[i] != UINT32_MAX) i = (i + 1) & (n - 1);
    ns[i] = h;
  }
  og__free(a, *slots, *nslots * sizeof(uint32_t));
  *slots = ns;
  *nslots = n;
  return OG_OK;
}

#define STR_EMPTY UINT64_MAX

static uint32_t str_tag(const char *s, size_t len) { return (uint32_t)og__hash_bytes(s, len); }

/* Where a tag's probes start: its top bits, so that slots follow tag order (strtab_merge
   inserts group by group of tags, each group in one run of slots that stays in cache). */
static size_t home(uint32_t tag, size_t nslots) { return (size_t)(((uint64_t)tag * nslots) >> 32); }

/* Room for `need` strings at load <= 1/2; the tags give the new places, no string is read. */
static int strtab_reserve(og_strtab *t, const og_allocator *a, size_t need) {
  if (need * 2 <= t->nslots) return OG_OK;
  size_t n = t->nslots ? t->nslots : 64, bytes;
  while (n < need * 2) n *= 2;
  if (!og__mul_ok(n, sizeof(uint64_t), &bytes)) return og__fail(OG_ELIMIT, "hash table too large");
  uint64_t *ns = og__alloc(a, bytes);
  if (!ns) return og__fail(OG_ENOMEM, "out of memory for a hash table of %zu slots", n);
  memset(ns, 0xff, bytes);
  for (size_t k = 0; k < t->nslots; k++) {
    uint64_t e = t->slots[k];
    if (e == STR_EMPTY) continue;
    size_t i = home((uint32_t)(e >> 32), n);
    while (ns[i] != STR_EMPTY) i = (i + 1) & (n - 1);
    ns[i] = e;
  }
  og__free(a, t->slots, t->nslots * sizeof(uint64_t));
  t->slots = ns;
  t->nslots = n;
  return OG_OK;
}

/* The slot holding s, or the empty slot where it would go. */
static size_t str_slot(const og_strtab *t, const char *s, size_t len, uint32_t tag) {
  size_t mask = t->nslots - 1, i = home(tag, t->nslots);
  for (uint64_t e; (e = t->slots[i]) != STR_EMPTY; i = (i + 1) & mask) {
    uint32_t h = (uint32_t)e;
    if ((uint32_t)(e >> 32) == tag && t->len[h] == len && memcmp(t->ptr[h], s, len) == 0) break;
  }
  return i;
}

int og__strtab_room(og_strtab *t, const og_allocator *a, size_t n) {
  if (n <= t->cap) return OG_OK;
  if (n > (size_t)OG_STR_MAX + 1) return og__fail(OG_ELIMIT, "more than %u strings", OG_STR_MAX + 1);
  return grow_pair(a, (void **)&t->ptr, sizeof *t->ptr, (void **)&t->len, sizeof *t->len, &t->cap,
                   n);
}

/* The indexed string equal to s (tag: its hash), or OG_STR_NONE. */
static og_str find_tagged(const og_strtab *t, const char *s, size_t len, uint32_t tag) {
  if (!t->nslots) return OG_STR_NONE;
  uint64_t e = t->slots[str_slot(t, s, len, tag)];
  return e == STR_EMPTY ? OG_STR_NONE : (og_str)(uint32_t)e;
}

/* Index stored string h under its tag, unless an equal one is: *out is h or that one. */
static int index_tagged(og_strtab *t, const og_allocator *a, og_str h, uint32_t tag, og_str *out) {
  *out = find_tagged(t, t->ptr[h], t->len[h], tag);
  if (*out != OG_STR_NONE) return OG_OK;
  OG_TRY(strtab_reserve(t, a, (size_t)t->nindexed + 1));
  t->slots[str_slot(t, t->ptr[h], t->len[h], tag)] = (uint64_t)tag << 32 | h;
  t->nindexed++;
  *out = h;
  return OG_OK;
}

int og__strtab_index(og_strtab *t, const og_allocator *a, og_str h, og_str *out) {
  return index_tagged(t, a, h, str_tag(t->ptr[h], t->len[h]), out);
}

og_str og__strtab_find(const og_strtab *t, const char *s, size_t len) {
  return find_tagged(t, s, len, str_tag(s, len));
}

/* memcpy for the short strings most labels are (a library call costs more than the copy):
   two overlapping fixed-size moves cover 4..16 bytes. */
static inline void copy_bytes(char *dst, const char *src, size_t n) {
  if (n >= 8 && n <= 16) {
    memcpy(dst, src, 8);
    memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    memcpy(dst, src, 4);
    memcpy(dst + n - 4, src + n - 4, 4);
  } else if (n < 4) {
    for (size_t i = 0; i < n; i++) dst[i] = src[i];
  } else {
    memcpy(dst, src, n);
  }
}

/* Copy s into the arena as string `count`; the caller indexes it, or not. */
int og__strtab_store(og_strtab *t, const og_allocator *a, const char *s, size_t len, og_str *out) {
  if (len > UINT32_MAX - 1) return og__fail(OG_ELIMIT, "string of %zu bytes is too long", len);
  if (t->count > OG_STR_MAX) return og__fail(OG_ELIMIT, "more than %u strings", OG_STR_MAX + 1);
  if (t->count == t->cap) OG_TRY(grow_pair(a, (void **)&t->ptr, sizeof *t->ptr, (void **)&t->len,
                                             sizeof *t->len, &t->cap, 0));
  char *copy = og__arena_alloc(&t->arena, a, len + 1);
  if (!copy) return og__fail(OG_ENOMEM, "out of memory interning a string of %zu bytes", len);
  copy_bytes(copy, s, len);
  copy[len] = '\0';
  uint32_t h = t->count++;
  t->ptr[h] = copy;
  t->len[h] = (uint32_t)len;
  *out = h;
  return OG_OK;
}

int og__strtab_store_run(og_strtab *t, const og_allocator *a, const char *data,
                         const uint32_t *lengths, size_t n) {
  if (n > (size_t)OG_STR_MAX + 1 - t->count)
    return og__fail(OG_ELIMIT, "more than %u strings", OG_STR_MAX + 1);
  size_t bytes = 0;
  for (size_t i = 0; i < n; i++) bytes += (size_t)lengths[i] + 1; /* each NUL-terminated */
  if (n == 0) return OG_OK;
  OG_TRY(og__strtab_room(t, a, (size_t)t->count + n));
  char *copy = og__arena_alloc(&t->arena, a, bytes); /* one block for the run, packed */
  if (!copy) return og__fail(OG_ENOMEM, "out of memory storing %zu strings", n);
  og__populate(a, copy, bytes); /* a snapshot's strings come a megabyte at a time */
  og__populate(a, t->ptr + t->count, n * sizeof *t->ptr);
  og__populate(a, t->len + t->count, n * sizeof *t->len);
  for (size_t i = 0; i < n; i++) {
    uint32_t len = lengths[i];
    copy_bytes(copy, data, len);
    copy[len] = '\0';
    t->ptr[t->count + i] = copy;
    t->len[t->count + i] = len;
    copy += (size_t)len + 1;
    if (len) data += len; /* data is NULL when every string is empty: NULL + 0 is undefined */
  }
  t->count += (uint32_t)n;
  return OG_OK;
}

int og__strtab_intern(og_strtab *t, const og_allocator *a, const char *s, size_t len, og_str *out) {
  uint32_t tag = str_tag(s, len);
  *out = find_tagged(t, s, len, tag);
  if (*out != OG_STR_NONE) return OG_OK;
  OG_TRY(strtab_reserve(t, a, (size_t)t->nindexed + 1)); /* so that indexing cannot fail */
  OG_TRY(og__strtab_store(t, a, s, len, out));
  return index_tagged(t, a, *out, tag, out);
}

#define MERGE_GROUP_BITS 8

/* Pending entries grouped by their tags' top bits, handles ascending within a group. */
static void group_pending(uint64_t *out, const uint64_t *pend, size_t n) {
  size_t at[(1u << MERGE_GROUP_BITS) + 1] = {0};
  for (size_t k = 0; k < n; k++) at[(pend[k] >> (64 - MERGE_GROUP_BITS)) + 1]++;
  for (size_t g = 1; g <= (1u << MERGE_GROUP_BITS); g++) at[g] += at[g - 1];
  for (size_t k = 0; k < n; k++) out[at[pend[k] >> (64 - MERGE_GROUP_BITS)]++] = pend[k];
}

/* Insert one pending entry; of two equal strings the lower handle stays in the slot. Returns
   0, or for a duplicate (kept << 32 | dropped) + 1. A string is read only when a slot's tag
   matches its own: most are new, and their text, length and pointer stay out of the cache. */
static uint64_t merge_one(og_strtab *t, uint64_t entry) {
  uint32_t tag = (uint32_t)(entry >> 32), h = (uint32_t)entry;
  size_t mask = t->nslots - 1, i = home(tag, t->nslots);
  uint64_t e;
  for (; (e = t->slots[i]) != STR_EMPTY; i = (i + 1) & mask) {
    uint32_t old = (uint32_t)e;
    if ((uint32_t)(e >> 32) != tag || t->len[old] != t->len[h] ||
        memcmp(t->ptr[old], t->ptr[h], t->len[h]) != 0)
      continue;
    if (old > h) t->slots[i] = entry;
    return ((uint64_t)(old < h ? old : h) << 32 | (old < h ? h : old)) + 1;
  }
  t->slots[i] = entry;
  return 0;
}

/* Renumber with the duplicates (kept << 32 | dropped) gone: canon[] maps old handles to new,
   the kept strings move down, the slots take the new handles. */
static void compact(og_strtab *t, uint32_t *canon, const uint64_t *dups, size_t ndups) {
  for (uint32_t h = 0; h < t->count; h++) canon[h] = h;
  for (size_t k = 0; k < ndups; k++) canon[(uint32_t)dups[k]] = (uint32_t)(dups[k] >> 32);
  uint32_t next = 0;
  for (uint32_t h = 0; h < t->count; h++) {
    if (canon[h] != h) {
      canon[h] = canon[canon[h]]; /* canon[h] < h: already renumbered */
      continue;
    }
    t->ptr[next] = t->ptr[h];
    t->len[next] = t->len[h];
    canon[h] = next++;
  }
  t->count = next;
  for (size_t k = 0; k < t->nslots; k++)
    if (t->slots[k] != STR_EMPTY)
      t->slots[k] = (t->slots[k] & ~(uint64_t)UINT32_MAX) | canon[(uint32_t)t->slots[k]];
}

/* Index the strings of pend[0..n) (tag << 32 | handle), dropping those equal to an earlier one:
   handles then shift down, and *remap (count entries, free with og__free) maps old handles to
   new; *remap stays NULL when nothing was dropped. On failure the table is unchanged. */
static int strtab_merge(og_strtab *t, const og_allocator *a, const uint64_t *pend, size_t n,
                        uint32_t **remap) {
  *remap = NULL;
  if (!n) return OG_OK;
  OG_TRY(strtab_reserve(t, a, t->count));
  /* canon is only touched when there are duplicates: no page of it is faulted in otherwise */
  uint64_t *ent = og__alloc(a, n * sizeof *ent);
  uint32_t *canon = og__alloc(a, (size_t)t->count * sizeof *canon);
  if (!ent || !canon) {
    og__free(a, ent, n * sizeof *ent);
    og__free(a, canon, (size_t)t->count * sizeof *canon);
    return og__fail(OG_ENOMEM, "out of memory indexing %zu strings", n);
  }
  group_pending(ent, pend, n);
  size_t ndups = 0;
  for (size_t k = 0; k < n; k++) { /* duplicates collect in ent[0..ndups), ndups <= k */
    uint64_t d = merge_one(t, ent[k]);
    if (d) ent[ndups++] = d - 1;
  }
  if (ndups) compact(t, canon, ent, ndups);
  t->nindexed = t->count;
  og__free(a, ent, n * sizeof *ent);
  if (!ndups) og__free(a, canon, (size_t)t->count * sizeof *canon);
  *remap = ndups ? canon : NULL;
  return OG_OK;
}

int og__strtab_dedup(og_strtab *view, uint32_t **remap, const og_strtab *t, const og_allocator *a) {
  memset(view, 0, sizeof *view);
  *remap = NULL;
  size_t n = t->count ? t->count : 1;
  view->ptr = og__alloc(a, n * sizeof *view->ptr);
  view->len = og__alloc(a, n * sizeof *view->len);
  uint64_t *pend = og__alloc(a, n * sizeof *pend);
  view->cap = (uint32_t)n;
  int rc = OG_OK;
  if (!view->ptr || !view->len || !pend) {
    rc = og__fail(OG_ENOMEM, "out of memory indexing %u strings", t->count);
  } else {
    for (uint32_t h = 0; h < t->count; h++) {
      view->ptr[h] = t->ptr[h];
      view->len[h] = t->len[h];
      pend[h] = (uint64_t)str_tag(t->ptr[h], t->len[h]) << 32 | h;
    }
    view->count = t->count;
    rc = strtab_merge(view, a, pend, t->count, remap);
  }
  og__free(a, pend, n * sizeof *pend);
  if (rc != OG_OK) og__strtab_free(view, a);
  return rc;
}

void og__strtab_free(og_strtab *t, const og_allocator *a) {
  og__arena_free(&t->arena, a);
  og__free(a, t->ptr, t->cap * sizeof *t->ptr);
  og__free(a, t->len, t->cap * sizeof *t->len);
  og__free(a, t->slots, t->nslots * sizeof(uint64_t));
  memset(t, 0, sizeof *t);
}

static uint64_t pair_hash(og_str s, og_str l) { return og__mix64(((uint64_t)s << 32) | l); }

static void type_place(og_typetab *t, uint32_t h) {
  size_t mask = t->nslots - 1, i = pair_hash(t->short_name[h], t->long_name[h]) & mask;
  while (t->slots[i] != UINT32_MAX) i = (i + 1) & mask;
  t->slots[i] = h;
}

static uint64_t type_hash(const void *tab, uint32_t h) {
  const og_typetab *t = tab;
  return pair_hash(t->short_name[h], t->long_name[h]);
}

int og__typetab_add(og_typetab *t, const og_allocator *a, og_str short_name, og_str long_name,
                    og_type *out) {
  if (t->nslots) {
    size_t mask = t->nslots - 1, i = pair_hash(short_name, long_name) & mask;
    for (; t->slots[i] != UINT32_MAX; i = (i + 1) & mask) {
      uint32_t h = t->slots[i];
      if (t->short_name[h] == short_name && t->long_name[h] == long_name) {
        *out = h;
        return OG_OK;
      }
    }
  }
  if (t->count >= OG_TYPE_NONE - 1) return og__fail(OG_ELIMIT, "too many types");
  OG_TRY(rehash(&t->slots, &t->nslots, t->count, a, t, type_hash));
  if (t->count == t->cap)
    OG_TRY(grow_pair(a, (void **)&t->short_name, sizeof(og_str), (void **)&t->long_name,
                     sizeof(og_str), &t->cap, 0));
  uint32_t h = t->count++;
  t->short_name[h] = short_name;
  t->long_name[h] = long_name;
  type_place(t, h);
  *out = h;
  return OG_OK;
}

void og__typetab_free(og_typetab *t, const og_allocator *a) {
  og__free(a, t->short_name, t->cap * sizeof(og_str));
  og__free(a, t->long_name, t->cap * sizeof(og_str));
  og__free(a, t->slots, t->nslots * sizeof(uint32_t));
  memset(t, 0, sizeof *t);
}
