/* Interned strings and types: bytes live in an arena of blocks; a hash finds duplicates. */
#ifndef OG_STRTAB_H
#define OG_STRTAB_H

#include "internal.h"
#include "og/common.h"

typedef struct og_arena_block og_arena_block;

/* A bump arena of large blocks; released all at once. */
typedef struct og_arena {
  og_arena_block *head;
  size_t used_total; /* bytes handed out */
  size_t held_total; /* bytes held in blocks */
} og_arena;

void *og__arena_alloc(og_arena *ar, const og_allocator *a, size_t size);
/* Room for `bytes` more in the current block, so that allocations up to that many take no new
   block: a hint (nothing happens when memory is short). */
void og__arena_reserve(og_arena *ar, const og_allocator *a, size_t bytes);
/* The current block's free part: *bytes 0 when there is none. */
void og__arena_room(const og_arena *ar, void **ptr, size_t *bytes);
void og__arena_free(og_arena *ar, const og_allocator *a);

typedef struct og_strtab {
  og_arena arena;
  const char **ptr; /* per string: its bytes (NUL-terminated copy) */
  uint32_t *len;
  uint32_t count, cap;
  /* hash slots: (32-bit hash tag << 32 | string handle), UINT64_MAX empty; probes compare tags
     in the table and read a string only on a tag match, and growth rehashes from the tags */
  uint64_t *slots;
  size_t nslots;
  uint32_t nindexed; /* strings in the slots; the others were stored unindexed */
} og_strtab;

int og__strtab_intern(og_strtab *t, const og_allocator *a, const char *s, size_t len, og_str *out);
/* Store a copy with a new handle, never indexed: not found by text, never merged (labels that
   are mostly distinct values). The table then may hold equal strings: see og__strtab_dedup. */
int og__strtab_store(og_strtab *t, const og_allocator *a, const char *s, size_t len, og_str *out);
/* og__strtab_store of n strings at once, lengths[i] bytes each, back to back in data (a decoder's
   chunk): one arena block for all of them. */
int og__strtab_store_run(og_strtab *t, const og_allocator *a, const char *data,
                         const uint32_t *lengths, size_t n);
/* Room for n strings in all, so that storing them copies no table. */
int og__strtab_room(og_strtab *t, const og_allocator *a, size_t n);
/* Index stored string h: *out is h, or the handle of an equal string indexed before it. */
int og__strtab_index(og_strtab *t, const og_allocator *a, og_str h, og_str *out);
/* Each distinct string of t once, for writers: *view lists them (sharing t's bytes: free it with
   og__strtab_free before t) and *remap (t->count entries, og__free; NULL when t holds no equal
   strings) gives each handle of t its handle in the view. */
int og__strtab_dedup(og_strtab *view, uint32_t **remap, const og_strtab *t, const og_allocator *a);
/* Lookup without inserting: OG_STR_NONE when absent. */
og_str og__strtab_find(const og_strtab *t, const char *s, size_t len);
void og__strtab_free(og_strtab *t, const og_allocator *a);

typedef struct og_typetab {
  og_str *short_name;
  og_str *long_name;
  uint32_t count, cap;
  uint32_t *slots; /* hash of (short, long) -> type handle */
  size_t nslots;
} og_typetab;

int og__typetab_add(og_typetab *t, const og_allocator *a, og_str short_name, og_str long_name,
                    og_type *out);
void og__typetab_free(og_typetab *t, const og_allocator *a);

#endif
