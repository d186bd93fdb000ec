/* Growth (peak table), get_new_ids id sets, and the per-object diff of two graphs. */
#include <stdlib.h>
#include <string.h>

#include "algo.h"
#include "og/diff.h"

/* ---- peaks --------------------------------------------------------------------------------- */

typedef struct peak_val {
  uint64_t peak;
  uint32_t live; /* 0 after og_peaks_clear until set again */
} peak_val;

struct og_peaks {
  og_allocator alloc;
  og__names names;
  uint32_t *order; /* live entries in insertion order (name ids) */
  size_t nlive, cap_order;
};

/* An allocator argument: NULL means the default; anything else must be valid. */
static int pick_alloc(const og_allocator **a) {
  if (!*a) *a = og_allocator_default();
  if ((*a)->version != OG_ALLOCATOR_VERSION || !(*a)->fn)
    return og__fail(OG_EINVALID, "bad allocator (version %u)", (*a)->version);
  return OG_OK;
}

int og_peaks_new(og_peaks **out, const og_allocator *alloc) {
  OG_ASSERT_ARG(out != NULL);
  OG_TRY(pick_alloc(&alloc));
  og_peaks *p = og__alloc(alloc, sizeof(*p));
  if (!p) return og__fail(OG_ENOMEM, "out of memory for a peak table");
  memset(p, 0, sizeof(*p));
  p->alloc = *alloc;
  og__names_init(&p->names, sizeof(peak_val));
  *out = p;
  return OG_OK;
}

void og_peaks_free(og_peaks *p) {
  if (!p) return;
  og_allocator a = p->alloc;
  og__names_free(&p->names, &a);
  og__free(&a, p->order, p->cap_order * sizeof(uint32_t));
  og__free(&a, p, sizeof(*p));
}

int og_peaks_get(uint64_t *out, const og_peaks *p, const char *name, size_t len) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(p != NULL);
  OG_ASSERT_ARG(name != NULL || len == 0);
  uint32_t id = og__names_find(&p->names, name ? name : "", len);
  const peak_val *v = id == OG_NAME_NONE ? NULL : og__names_val(&p->names, id);
  *out = v && v->live ? v->peak : 0;
  return OG_OK;
}

/* Make room for one more live entry, so that a following peaks_put cannot fail. */
static int peaks_reserve(og_peaks *p, size_t more) {
  return og__grow(&p->alloc, (void **)&p->order, &p->cap_order, p->nlive + more, sizeof(uint32_t));
}

/* Set the peak of name id (order has room). */
static void peaks_put(og_peaks *p, uint32_t id, uint64_t peak) {
  peak_val *v = og__names_val(&p->names, id);
  if (!v->live) {
    v->live = 1;
    p->order[p->nlive++] = id;
  }
  v->peak = peak;
}

int og_peaks_set(og_peaks *p, const char *name, size_t len, uint64_t peak) {
  OG_ASSERT_ARG(p != NULL);
  OG_ASSERT_ARG(name != NULL || len == 0);
  uint32_t id;
  OG_TRY(peaks_reserve(p, 1));
  OG_TRY(og__names_intern(&p->names, &p->alloc, name ? name : "", len, &id));
  peaks_put(p, id, peak);
  return OG_OK;
}

void og_peaks_clear(og_peaks *p) {
  if (!p) return;
  for (size_t i = 0; i < p->nlive; i++) ((peak_val *)og__names_val(&p->names, p->order[i]))->live = 0;
  p->nlive = 0;
}

size_t og_peaks_count(const og_peaks *p) { return p ? p->nlive : 0; }

int og_peaks_entry(const char **name_out, size_t *len_out, uint64_t *peak_out, const og_peaks *p,
                   size_t i) {
  OG_ASSERT_ARG(p != NULL);
  if (i >= p->nlive) return og__fail(OG_EINVALID, "entry %zu is out of range (%zu entries)", i, p->nlive);
  uint32_t id = p->order[i];
  if (name_out) *name_out = p->names.ptr[id];
  if (len_out) *len_out = p->names.len[id];
  if (peak_out) *peak_out = ((const peak_val *)og__names_val(&p->names, id))->peak;
  return OG_OK;
}

/* ---- growth -------------------------------------------------------------------------------- */

typedef struct growth_val {
  uint64_t count, delta;
} growth_val;

struct og_growth {
  og_allocator alloc;
  og__names names; /* one name per row, in row order */
};

void og_growth_free(og_growth *gr) {
  if (!gr) return;
  og_allocator a = gr->alloc;
  og__names_free(&gr->names, &a);
  og__free(&a, gr, sizeof(*gr));
}

int og_growth_compute(og_growth **out, og_peaks *peaks, const og_stats *current, size_t limit) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(peaks != NULL);
  OG_ASSERT_ARG(current != NULL);
  size_t n = og_stats_count(current), nup = 0;
  og_growth *gr = NULL;
  og__sortkey *keys = NULL;
  uint32_t *ids = NULL; /* per stats row: its peak name id */
  int rc = OG_ENOMEM;
  if (n && (!(keys = og__alloc(&peaks->alloc, n * sizeof(*keys))) ||
            !(ids = og__alloc(&peaks->alloc, n * sizeof(*ids))))) {
    rc = og__fail(OG_ENOMEM, "out of memory for %zu growth rows", n);
    goto cleanup;
  }
  /* Phase 1, fallible: intern every name in the peak table and reserve room, so that phase 2
     can update the peaks without failing half-way (a name interned but not set reads as 0). */
  if ((rc = peaks_reserve(peaks, n)) != OG_OK) goto cleanup;
  for (size_t i = 0; i < n; i++) {
    og_stats_row r;
    og_stats_row_get(&r, current, i);
    if ((rc = og__names_intern(&peaks->names, &peaks->alloc, r.name, r.name_len, &ids[i])) != OG_OK)
      goto cleanup;
    const peak_val *v = og__names_val(&peaks->names, ids[i]);
    uint64_t old = v->live ? v->peak : 0;
    if (r.count > old) {
      uint64_t d = r.count - old;
      keys[nup].key = d > INT64_MAX ? INT64_MAX : (int64_t)d;
      keys[nup].rank = (uint32_t)i;
      keys[nup].id = (uint32_t)i;
      nup++;
    }
  }
  og__sort_desc(keys, nup);
  size_t nout = limit && limit < nup ? limit : nup;
  gr = og__alloc(&peaks->alloc, sizeof(*gr));
  if (!gr) {
    rc = og__fail(OG_ENOMEM, "out of memory for growth rows");
    goto cleanup;
  }
  memset(gr, 0, sizeof(*gr));
  gr->alloc = peaks->alloc;
  og__names_init(&gr->names, sizeof(growth_val));
  for (size_t j = 0; j < nout; j++) {
    og_stats_row r;
    og_stats_row_get(&r, current, keys[j].id);
    uint32_t id;
    if ((rc = og__names_intern(&gr->names, &gr->alloc, r.name, r.name_len, &id)) != OG_OK) goto cleanup;
    growth_val *gv = og__names_val(&gr->names, id);
    gv->count = r.count;
    gv->delta = (uint64_t)keys[j].key;
  }
  /* Phase 2, infallible: raise every increased peak, including rows cut by the limit. */
  for (size_t j = 0; j < nup; j++) {
    og_stats_row r;
    og_stats_row_get(&r, current, keys[j].id);
    peaks_put(peaks, ids[keys[j].id], r.count);
  }
  *out = gr;
  gr = NULL;
  rc = OG_OK;
cleanup:
  og_growth_free(gr);
  og__free(&peaks->alloc, keys, n * sizeof(*keys));
  og__free(&peaks->alloc, ids, n * sizeof(*ids));
  return rc;
}

size_t og_growth_count(const og_growth *gr) { return gr ? gr->names.count : 0; }

int og_growth_row_get(og_growth_row *out, const og_growth *gr, size_t i) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(gr != NULL);
  if (i >= gr->names.count)
    return og__fail(OG_EINVALID, "row %zu is out of range (%zu rows)", i, gr->names.count);
  const growth_val *v = og__names_val(&gr->names, (uint32_t)i);
  out->name = gr->names.ptr[i];
  out->name_len = gr->names.len[i];
  out->count = v->count;
  out->delta = v->delta;
  return OG_OK;
}

/* ---- get_new_ids id sets ------------------------------------------------------------------- */

typedef struct idset_val {
  uint64_t n_old, n_cur, n_new;
  size_t new_off; /* first of its new ids in og_idsets.new_ids */
} idset_val;

/* The (name, id) pairs of one scan, in insertion order, with a hash over them. */
typedef struct idscan {
  og_id *id;
  uint32_t *name;
  size_t count, cap_id, cap_name;
  uint32_t *slots; /* entry index, or UINT32_MAX */
  size_t nslots;   /* power of two, or 0 */
} idscan;

struct og_idsets {
  og_allocator alloc;
  og__names names;
  idscan cur, old;
  og_id *new_ids; /* grouped by name, in row order of the unsorted rows */
  size_t cap_new;
  uint32_t *rows; /* name ids of the rows */
  size_t nrows, cap_rows;
  int scanning;
};

static size_t pair_hash(og_id id, uint32_t name) {
  return (size_t)og__mix64(id ^ ((uint64_t)name * 0x9E3779B97F4A7C15ULL));
}

/* Slot of (id, name) in scan: where it is, or the empty slot where it would go. */
static size_t idscan_slot(const idscan *sc, og_id id, uint32_t name) {
  size_t mask = sc->nslots - 1, i = pair_hash(id, name) & mask;
  for (;;) {
    uint32_t e = sc->slots[i];
    if (e == UINT32_MAX || (sc->id[e] == id && sc->name[e] == name)) return i;
    i = (i + 1) & mask;
  }
}

static bool idscan_has(const idscan *sc, og_id id, uint32_t name) {
  return sc->nslots && sc->slots[idscan_slot(sc, id, name)] != UINT32_MAX;
}

/* Rehash into at least twice the slots needed for want entries (load <= 1/2). */
static int idscan_rehash(idscan *sc, const og_allocator *a, size_t want) {
  size_t n = sc->nslots ? sc->nslots * 2 : 64, bytes;
  while (n < want * 2) n *= 2;
  if (!og__mul_ok(n, sizeof(uint32_t), &bytes)) return og__fail(OG_ELIMIT, "id set too large");
  uint32_t *slots = og__alloc(a, bytes);
  if (!slots) return og__fail(OG_ENOMEM, "out of memory for an id set of %zu slots", n);
  memset(slots, 0xff, bytes);
  og__free(a, sc->slots, sc->nslots * sizeof(uint32_t));
  sc->slots = slots;
  sc->nslots = n;
  for (size_t e = 0; e < sc->count; e++) sc->slots[idscan_slot(sc, sc->id[e], sc->name[e])] = (uint32_t)e;
  return OG_OK;
}

static int idscan_add(idscan *sc, const og_allocator *a, og_id id, uint32_t name) {
  if (sc->count >= UINT32_MAX - 1) return og__fail(OG_ELIMIT, "too many ids in one scan");
  if ((sc->count + 1) * 2 > sc->nslots) OG_TRY(idscan_rehash(sc, a, sc->count + 1));
  size_t slot = idscan_slot(sc, id, name);
  if (sc->slots[slot] != UINT32_MAX) return OG_OK; /* a set: repeats are ignored */
  OG_TRY(og__grow(a, (void **)&sc->id, &sc->cap_id, sc->count + 1, sizeof(og_id)));
  OG_TRY(og__grow(a, (void **)&sc->name, &sc->cap_name, sc->count + 1, sizeof(uint32_t)));
  sc->id[sc->count] = id;
  sc->name[sc->count] = name;
  sc->slots[slot] = (uint32_t)sc->count++;
  return OG_OK;
}

/* Room for more entries without rehashing or growing (add_graph knows its count). */
static int idscan_reserve(idscan *sc, const og_allocator *a, size_t more) {
  size_t need = sc->count + more;
  if (need * 2 > sc->nslots) OG_TRY(idscan_rehash(sc, a, need));
  OG_TRY(og__grow(a, (void **)&sc->id, &sc->cap_id, need, sizeof(og_id)));
  return og__grow(a, (void **)&sc->name, &sc->cap_name, need, sizeof(uint32_t));
}

static void idscan_clear(idscan *sc) {
  if (sc->nslots) memset(sc->slots, 0xff, sc->nslots * sizeof(uint32_t));
  sc->count = 0;
}

static void idscan_free(idscan *sc, const og_allocator *a) {
  og__free(a, sc->id, sc->cap_id * sizeof(og_id));
  og__free(a, sc->name, sc->cap_name * sizeof(uint32_t));
  og__free(a, sc->slots, sc->nslots * sizeof(uint32_t));
  memset(sc, 0, sizeof(*sc));
}

int og_idsets_new(og_idsets **out, const og_allocator *alloc) {
  OG_ASSERT_ARG(out != NULL);
  OG_TRY(pick_alloc(&alloc));
  og_idsets *s = og__alloc(alloc, sizeof(*s));
  if (!s) return og__fail(OG_ENOMEM, "out of memory for id sets");
  memset(s, 0, sizeof(*s));
  s->alloc = *alloc;
  og__names_init(&s->names, sizeof(idset_val));
  *out = s;
  return OG_OK;
}

void og_idsets_free(og_idsets *s) {
  if (!s) return;
  og_allocator a = s->alloc;
  og__names_free(&s->names, &a);
  idscan_free(&s->cur, &a);
  idscan_free(&s->old, &a);
  og__free(&a, s->new_ids, s->cap_new * sizeof(og_id));
  og__free(&a, s->rows, s->cap_rows * sizeof(uint32_t));
  og__free(&a, s, sizeof(*s));
}

int og_idsets_begin(og_idsets *s) {
  OG_ASSERT_ARG(s != NULL);
  idscan t = s->old;
  s->old = s->cur;
  s->cur = t;
  idscan_clear(&s->cur);
  s->nrows = 0;
  s->scanning = 1;
  return OG_OK;
}

int og_idsets_add(og_idsets *s, const char *name, size_t len, og_id id) {
  OG_ASSERT_ARG(s != NULL);
  OG_ASSERT_ARG(name != NULL || len == 0);
  if (!s->scanning) return og__fail(OG_EINVALID, "og_idsets_add outside og_idsets_begin/finish");
  uint32_t nid;
  OG_TRY(og__names_intern(&s->names, &s->alloc, name ? name : "", len, &nid));
  return idscan_add(&s->cur, &s->alloc, id, nid);
}

int og_idsets_add_graph(og_idsets *s, const og_graph *g, int long_names) {
  OG_ASSERT_ARG(s != NULL);
  OG_ASSERT_ARG(g != NULL);
  if (!s->scanning) return og__fail(OG_EINVALID, "og_idsets_add_graph outside og_idsets_begin/finish");
  size_t ntypes = og_graph_type_count(g), bytes = (ntypes ? ntypes : 1) * sizeof(uint32_t);
  uint32_t *tname = og__alloc(&s->alloc, bytes); /* per type: its name id */
  if (!tname) return og__fail(OG_ENOMEM, "out of memory for %zu types", ntypes);
  memset(tname, 0xff, bytes);
  int rc = idscan_reserve(&s->cur, &s->alloc, g->nodes.count);
  for (og_index v = 0; v < g->nodes.count && rc == OG_OK; v++) {
    og_type t = g->nodes.type[v];
    if (t >= ntypes) {
      rc = og__fail(OG_EINVALID, "node %u has unknown type %u", v, t);
      break;
    }
    if (tname[t] == OG_NAME_NONE &&
        (rc = og__names_intern_type(&s->names, &s->alloc, g, t, long_names, &tname[t])) != OG_OK)
      break;
    rc = idscan_add(&s->cur, &s->alloc, g->nodes.id[v], tname[t]);
  }
  og__free(&s->alloc, tname, bytes);
  return rc;
}

/* Row order: column value, then name bytes, both descending. */
typedef struct idrow_key {
  int64_t key;
  const char *name;
  uint32_t len;
  uint32_t id;
} idrow_key;

static int idrow_cmp(const void *pa, const void *pb) {
  const idrow_key *a = pa, *b = pb;
  if (a->key != b->key) return a->key > b->key ? -1 : 1;
  uint32_t m = a->len < b->len ? a->len : b->len;
  int c = memcmp(a->name, b->name, m);
  if (c) return c > 0 ? -1 : 1;
  return a->len == b->len ? 0 : (a->len > b->len ? -1 : 1);
}

int og_idsets_sort(og_idsets *s, og_idsets_column column) {
  OG_ASSERT_ARG(s != NULL);
  OG_ASSERT_ARG(column >= OG_IDSETS_OLD && column <= OG_IDSETS_DELTA);
  if (s->nrows < 2) return OG_OK;
  idrow_key *keys = og__alloc(&s->alloc, s->nrows * sizeof(*keys));
  if (!keys) return og__fail(OG_ENOMEM, "out of memory sorting %zu rows", s->nrows);
  for (size_t i = 0; i < s->nrows; i++) {
    uint32_t id = s->rows[i];
    const idset_val *v = og__names_val(&s->names, id);
    int64_t k = column == OG_IDSETS_OLD       ? (int64_t)v->n_old
                : column == OG_IDSETS_CURRENT ? (int64_t)v->n_cur
                : column == OG_IDSETS_NEW     ? (int64_t)v->n_new
                                              : (int64_t)v->n_cur - (int64_t)v->n_old;
    keys[i] = (idrow_key){k, s->names.ptr[id], s->names.len[id], id};
  }
  qsort(keys, s->nrows, sizeof(*keys), idrow_cmp);
  for (size_t i = 0; i < s->nrows; i++) s->rows[i] = keys[i].id;
  og__free(&s->alloc, keys, s->nrows * sizeof(*keys));
  return OG_OK;
}

int og_idsets_finish(og_idsets *s) {
  OG_ASSERT_ARG(s != NULL);
  if (!s->scanning) return og__fail(OG_EINVALID, "og_idsets_finish without og_idsets_begin");
  size_t nn = s->names.count, nnew = 0, nbits = s->cur.count / 8 + 1;
  uint8_t *isnew = og__alloc(&s->alloc, nbits); /* one hash probe per entry, not two */
  if (!isnew) return og__fail(OG_ENOMEM, "out of memory for %zu ids", s->cur.count);
  memset(isnew, 0, nbits);
  for (size_t i = 0; i < nn; i++) {
    idset_val *v = og__names_val(&s->names, (uint32_t)i);
    v->n_old = v->n_cur = v->n_new = 0;
  }
  for (size_t e = 0; e < s->old.count; e++) ((idset_val *)og__names_val(&s->names, s->old.name[e]))->n_old++;
  for (size_t e = 0; e < s->cur.count; e++) {
    idset_val *v = og__names_val(&s->names, s->cur.name[e]);
    v->n_cur++;
    if (!idscan_has(&s->old, s->cur.id[e], s->cur.name[e])) {
      isnew[e / 8] |= (uint8_t)(1u << (e % 8));
      v->n_new++;
      nnew++;
    }
  }
  int rc = og__grow(&s->alloc, (void **)&s->rows, &s->cap_rows, nn, sizeof(uint32_t));
  if (rc == OG_OK) rc = og__grow(&s->alloc, (void **)&s->new_ids, &s->cap_new, nnew, sizeof(og_id));
  if (rc != OG_OK) {
    og__free(&s->alloc, isnew, nbits);
    return rc;
  }
  size_t off = 0;
  s->nrows = 0;
  for (size_t i = 0; i < nn; i++) {
    idset_val *v = og__names_val(&s->names, (uint32_t)i);
    if (v->n_old == 0 && v->n_cur == 0) continue; /* objgraph drops such keys */
    s->rows[s->nrows++] = (uint32_t)i;
    v->new_off = off;
    off += v->n_new;
    v->n_new = 0; /* refilled below as the write cursor */
  }
  for (size_t e = 0; e < s->cur.count; e++) {
    if (!(isnew[e / 8] >> (e % 8) & 1)) continue;
    idset_val *v = og__names_val(&s->names, s->cur.name[e]);
    s->new_ids[v->new_off + v->n_new++] = s->cur.id[e];
  }
  og__free(&s->alloc, isnew, nbits);
  s->scanning = 0;
  return og_idsets_sort(s, OG_IDSETS_DELTA);
}

size_t og_idsets_count(const og_idsets *s) { return s ? s->nrows : 0; }

int og_idsets_row_get(og_idsets_row *out, const og_idsets *s, size_t i) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(s != NULL);
  if (i >= s->nrows) return og__fail(OG_EINVALID, "row %zu is out of range (%zu rows)", i, s->nrows);
  uint32_t id = s->rows[i];
  const idset_val *v = og__names_val(&s->names, id);
  out->name = s->names.ptr[id];
  out->name_len = s->names.len[id];
  out->n_old = v->n_old;
  out->n_current = v->n_cur;
  out->n_new = v->n_new;
  out->delta = (int64_t)v->n_cur - (int64_t)v->n_old;
  out->new_ids = v->n_new ? s->new_ids + v->new_off : NULL;
  return OG_OK;
}

/* ---- per-object diff of two graphs --------------------------------------------------------- */

typedef struct diff_val {
  uint64_t n_new, n_removed, n_kept;
  uint64_t size_new, size_removed, size_kept;
} diff_val;

struct og_diff {
  og_allocator alloc;
  og__names names; /* one per row, in row order */
  og_index *nodes; /* new at 0, kept at kept_off, removed at removed_off */
  size_t cap_nodes, nnew, nremoved, nkept, kept_off, removed_off;
};

void og_diff_free(og_diff *d) {
  if (!d) return;
  og_allocator a = d->alloc;
  og__names_free(&d->names, &a);
  og__free(&a, d->nodes, d->cap_nodes * sizeof(og_index));
  og__free(&a, d, sizeof(*d));
}

/* Key of a type for matching across graphs: the short name's length, the short and the long
   name, so that names with any bytes compare as pairs. */
static int type_key(og__names *keys, const og_allocator *a, char **buf, size_t *cap,
                    const og_graph *g, og_type t, uint32_t *out) {
  size_t ls = 0, ll = 0;
  const char *s = og_graph_type_name(g, t, 0, &ls), *l = og_graph_type_name(g, t, 1, &ll);
  if (!s || !l) return og__fail(OG_EINVALID, "graph has an unknown type %u", t);
  size_t need = sizeof(uint32_t) + ls + ll;
  OG_TRY(og__grow(a, (void **)buf, cap, need, 1));
  uint32_t ls32 = (uint32_t)ls;
  memcpy(*buf, &ls32, sizeof ls32);
  memcpy(*buf + sizeof ls32, s, ls);
  memcpy(*buf + sizeof ls32 + ls, l, ll);
  return og__names_intern(keys, a, *buf, need, out);
}

/* tmap[t_old] = the new graph's type with the same short and long names, or OG_TYPE_NONE. */
static int map_types(og_type *tmap, const og_allocator *a, const og_graph *old_g,
                     const og_graph *new_g) {
  og__names keys;
  og__names_init(&keys, sizeof(og_type));
  char *buf = NULL;
  size_t cap = 0;
  int rc = OG_OK;
  uint32_t nnew = og_graph_type_count(new_g), nold = og_graph_type_count(old_g), id;
  for (uint32_t t = 0; t < nnew && rc == OG_OK; t++) {
    if ((rc = type_key(&keys, a, &buf, &cap, new_g, t, &id)) == OG_OK)
      *(og_type *)og__names_val(&keys, id) = t + 1; /* 0: not a new-graph type */
  }
  for (uint32_t t = 0; t < nold && rc == OG_OK; t++) {
    if ((rc = type_key(&keys, a, &buf, &cap, old_g, t, &id)) == OG_OK)
      tmap[t] = *(og_type *)og__names_val(&keys, id) - 1; /* 0 - 1 == OG_TYPE_NONE */
  }
  og__free(a, buf, cap);
  og__names_free(&keys, a);
  return rc;
}

/* Per-graph cache type -> row name id, filled on first use. */
static int diff_row(diff_val **out, og_diff *d, uint32_t *cache, const og_graph *g, og_type t,
                    int long_names) {
  if (cache[t] == OG_NAME_NONE)
    OG_TRY(og__names_intern_type(&d->names, &d->alloc, g, t, long_names, &cache[t]));
  *out = og__names_val(&d->names, cache[t]);
  return OG_OK;
}

int og_diff_graphs(og_diff **out, const og_graph *old_graph, const og_graph *new_graph,
                   const og_diff_options *opts) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(old_graph != NULL);
  OG_ASSERT_ARG(new_graph != NULL);
  OG_ASSERT_ARG(opts == NULL || opts->version == OG_DIFF_OPTIONS_VERSION);
  int long_names = opts ? opts->long_names : 0, rc = OG_ENOMEM;
  const og_allocator *a = &new_graph->alloc;
  const og_nodes *on = &old_graph->nodes, *nn = &new_graph->nodes;
  size_t to = og_graph_type_count(old_graph), tn = og_graph_type_count(new_graph);
  size_t tmap_b = (to + 1) * sizeof(og_type), cache_b = (to + tn + 1) * sizeof(uint32_t);
  og_type *tmap = og__alloc(a, tmap_b);
  uint32_t *cache = og__alloc(a, cache_b); /* new graph's types, then the old graph's */
  uint8_t *matched = og__alloc(a, (size_t)on->count + 1);
  og_diff *d = og__alloc(a, sizeof(*d));
  if (d) {
    memset(d, 0, sizeof(*d));
    d->alloc = *a;
    og__names_init(&d->names, sizeof(diff_val));
  }
  if (!tmap || !cache || !matched || !d ||
      og__grow(a, (void **)&d->nodes, &d->cap_nodes, (size_t)on->count + 2 * nn->count + 1,
               sizeof(og_index)) != OG_OK) {
    rc = og__fail(OG_ENOMEM, "out of memory diffing graphs of %u and %u nodes", on->count, nn->count);
    goto cleanup;
  }
  memset(cache, 0xff, cache_b);
  memset(matched, 0, (size_t)on->count + 1);
  if ((rc = map_types(tmap, a, old_graph, new_graph)) != OG_OK) goto cleanup;
  if ((rc = og__graph_index(old_graph)) != OG_OK) goto cleanup;
  d->kept_off = nn->count;
  d->removed_off = 2 * (size_t)nn->count;
  og_index *nw = d->nodes, *kept = d->nodes + d->kept_off, *rem = d->nodes + d->removed_off;
  for (og_index j = 0; j < nn->count; j++) {
    og_type t = nn->type[j];
    og_index i = og__idmap_find(&old_graph->ids, on->id, nn->id[j]);
    bool same = i != OG_INDEX_NONE && on->type[i] < to && tmap[on->type[i]] == t;
    diff_val *v;
    if ((rc = diff_row(&v, d, cache, new_graph, t, long_names)) != OG_OK) goto cleanup;
    uint64_t sz = og__node_size(nn, j);
    if (same) {
      matched[i] = 1;
      kept[d->nkept++] = j;
      v->n_kept++;
      v->size_kept += sz;
    } else {
      nw[d->nnew++] = j;
      v->n_new++;
      v->size_new += sz;
    }
  }
  for (og_index i = 0; i < on->count; i++) {
    if (matched[i]) continue;
    diff_val *v;
    if ((rc = diff_row(&v, d, cache + tn, old_graph, on->type[i], long_names)) != OG_OK) goto cleanup;
    rem[d->nremoved++] = i;
    v->n_removed++;
    v->size_removed += og__node_size(on, i);
  }
  *out = d;
  d = NULL;
  rc = OG_OK;
cleanup:
  og_diff_free(d);
  og__free(a, tmap, tmap_b);
  og__free(a, cache, cache_b);
  og__free(a, matched, (size_t)on->count + 1);
  return rc;
}

size_t og_diff_num_rows(const og_diff *d) { return d ? d->names.count : 0; }

int og_diff_row_get(og_diff_row *out, const og_diff *d, size_t i) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(d != NULL);
  if (i >= d->names.count)
    return og__fail(OG_EINVALID, "row %zu is out of range (%zu rows)", i, d->names.count);
  const diff_val *v = og__names_val(&d->names, (uint32_t)i);
  out->name = d->names.ptr[i];
  out->name_len = d->names.len[i];
  out->n_new = v->n_new;
  out->n_removed = v->n_removed;
  out->n_kept = v->n_kept;
  out->size_new = v->size_new;
  out->size_removed = v->size_removed;
  out->size_kept = v->size_kept;
  return OG_OK;
}

static const og_index *diff_part(const og_diff *d, size_t off, size_t n, size_t *count_out) {
  if (count_out) *count_out = d ? n : 0;
  return d && n ? d->nodes + off : NULL;
}

const og_index *og_diff_new_nodes(const og_diff *d, size_t *count_out) {
  return diff_part(d, 0, d ? d->nnew : 0, count_out);
}

const og_index *og_diff_kept_nodes(const og_diff *d, size_t *count_out) {
  return diff_part(d, d ? d->kept_off : 0, d ? d->nkept : 0, count_out);
}

const og_index *og_diff_removed_nodes(const og_diff *d, size_t *count_out) {
  return diff_part(d, d ? d->removed_off : 0, d ? d->nremoved : 0, count_out);
}
