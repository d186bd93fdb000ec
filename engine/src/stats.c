/* Type statistics: rows keyed by name string, first-appearance order, stable sorts. */
#include <string.h>

#include "algo.h"
#include "og/stats.h"

typedef struct stats_val {
  uint64_t count, size;
  uint32_t pos; /* row position while live */
  uint32_t live; /* 1 while the name has a row (0: never added, or dropped by a limit) */
} stats_val;

struct og_stats {
  og_allocator alloc;
  og__names names;
  uint32_t *order; /* row position -> name id */
  size_t nrows, cap_order;
};

int og_stats_new(og_stats **out, const og_allocator *alloc) {
  OG_ASSERT_ARG(out != NULL);
  if (!alloc) alloc = og_allocator_default();
  OG_ASSERT_ARG(alloc->version == OG_ALLOCATOR_VERSION && alloc->fn != NULL);
  og_stats *s = og__alloc(alloc, sizeof(*s));
  if (!s) return og__fail(OG_ENOMEM, "out of memory for statistics");
  memset(s, 0, sizeof(*s));
  s->alloc = *alloc;
  og__names_init(&s->names, sizeof(stats_val));
  *out = s;
  return OG_OK;
}

void og_stats_free(og_stats *s) {
  if (!s) return;
  og_allocator a = s->alloc;
  og__names_free(&s->names, &a);
  og__free(&a, s->order, s->cap_order * sizeof(uint32_t));
  og__free(&a, s, sizeof(*s));
}

/* The name id of a name's row, appending the row when the name is new or was dropped. */
static int stats_row(uint32_t *out, og_stats *s, const char *name, size_t len) {
  uint32_t id;
  OG_TRY(og__names_intern(&s->names, &s->alloc, name, len, &id));
  stats_val *v = og__names_val(&s->names, id);
  if (!v->live) {
    OG_TRY(og__grow(&s->alloc, (void **)&s->order, &s->cap_order, s->nrows + 1, sizeof(uint32_t)));
    v->pos = (uint32_t)s->nrows;
    v->live = 1;
    s->order[s->nrows++] = id;
  }
  *out = id;
  return OG_OK;
}

int og_stats_add(og_stats *s, const char *name, size_t len, uint64_t count, uint64_t size) {
  OG_ASSERT_ARG(s != NULL);
  OG_ASSERT_ARG(name != NULL || len == 0);
  uint32_t id;
  OG_TRY(stats_row(&id, s, name ? name : "", len));
  stats_val *v = og__names_val(&s->names, id);
  v->count += count;
  v->size += size;
  return OG_OK;
}

int og_stats_compute(og_stats **out, const og_graph *g, const og_index *nodes, size_t count,
                     int long_names, og_node_pred_fn filter, void *payload) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(g != NULL);
  size_t n;
  OG_TRY(og__subset_check(&n, g, nodes, count));
  og_stats *s = NULL;
  uint32_t *rows = NULL; /* per type: its row's name id, OG_NAME_NONE until seen */
  size_t ntypes = og_graph_type_count(g), bytes = ntypes * sizeof(uint32_t);
  int rc = og_stats_new(&s, &g->alloc);
  if (rc != OG_OK) return rc;
  if (ntypes && !(rows = og__alloc(&g->alloc, bytes))) {
    rc = og__fail(OG_ENOMEM, "out of memory for %zu types", ntypes);
    goto cleanup;
  }
  if (bytes) memset(rows, 0xff, bytes);
  for (size_t k = 0; k < n; k++) {
    og_index v = og__subset_at(nodes, count, k);
    if (filter) {
      int keep = filter(payload, v);
      if (keep < 0) {
        rc = keep;
        goto cleanup;
      }
      if (!keep) continue;
    }
    og_type t = g->nodes.type[v];
    if (t >= ntypes) {
      rc = og__fail(OG_EINVALID, "node %u has unknown type %u", v, t);
      goto cleanup;
    }
    if (rows[t] == OG_NAME_NONE) {
      size_t len = 0;
      const char *name = og_graph_type_name(g, t, long_names ? 1 : 0, &len);
      if ((rc = stats_row(&rows[t], s, name, len)) != OG_OK) goto cleanup;
    }
    stats_val *row = og__names_val(&s->names, rows[t]);
    uint32_t sz = g->nodes.size[v];
    row->count++;
    row->size += sz == OG_SIZE_BIG ? og__node_size(&g->nodes, v) : sz;
  }
  *out = s;
  s = NULL;
cleanup:
  og__free(&g->alloc, rows, bytes);
  og_stats_free(s);
  return rc;
}

size_t og_stats_count(const og_stats *s) { return s ? s->nrows : 0; }

int og_stats_row_get(og_stats_row *out, const og_stats *s, size_t i) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(s != NULL);
  if (i >= s->nrows)
    return og__fail(OG_EINVALID, "row %zu is out of range (%zu rows)", i, s->nrows);
  uint32_t id = s->order[i];
  const stats_val *v = og__names_val(&s->names, id);
  out->name = s->names.ptr[id];
  out->name_len = s->names.len[id];
  out->count = v->count;
  out->size = v->size;
  return OG_OK;
}

int og_stats_find(size_t *out, const og_stats *s, const char *name, size_t len) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(s != NULL);
  OG_ASSERT_ARG(name != NULL || len == 0);
  uint32_t id = og__names_find(&s->names, name ? name : "", len);
  if (id != OG_NAME_NONE) {
    const stats_val *v = og__names_val(&s->names, id);
    if (v->live) {
      *out = v->pos;
      return OG_OK;
    }
  }
  return og__fail(OG_ENOTFOUND, "no row named '%.*s'", (int)(len > 200 ? 200 : len),
                  name ? name : "");
}

int og_stats_totals(uint64_t *count_out, uint64_t *size_out, const og_stats *s) {
  OG_ASSERT_ARG(s != NULL);
  uint64_t c = 0, z = 0;
  for (size_t i = 0; i < s->nrows; i++) {
    const stats_val *v = og__names_val(&s->names, s->order[i]);
    c += v->count;
    z += v->size;
  }
  if (count_out) *count_out = c;
  if (size_out) *size_out = z;
  return OG_OK;
}

int og_stats_sort(og_stats *s, og_stats_order order, size_t limit) {
  OG_ASSERT_ARG(s != NULL);
  OG_ASSERT_ARG(order == OG_STATS_FIRST_SEEN || order == OG_STATS_BY_COUNT ||
                order == OG_STATS_BY_SIZE);
  size_t n = s->nrows;
  og__sortkey *keys = NULL;
  if (n) {
    keys = og__alloc(&s->alloc, n * sizeof(*keys));
    if (!keys) return og__fail(OG_ENOMEM, "out of memory sorting %zu rows", n);
  }
  for (size_t i = 0; i < n; i++) {
    uint32_t id = s->order[i];
    const stats_val *v = og__names_val(&s->names, id);
    uint64_t k = order == OG_STATS_BY_COUNT ? v->count : order == OG_STATS_BY_SIZE ? v->size : 0;
    keys[i].key = k > INT64_MAX ? INT64_MAX : (int64_t)k;
    keys[i].rank = id; /* name ids are in first-appearance order */
    keys[i].id = id;
  }
  og__sort_desc(keys, n);
  if (limit && limit < n) {
    for (size_t i = limit; i < n; i++) {
      stats_val *v = og__names_val(&s->names, keys[i].id);
      v->count = v->size = 0;
      v->live = 0;
    }
    n = limit;
  }
  for (size_t i = 0; i < n; i++) {
    s->order[i] = keys[i].id;
    ((stats_val *)og__names_val(&s->names, keys[i].id))->pos = (uint32_t)i;
  }
  og__free(&s->alloc, keys, s->nrows * sizeof(*keys));
  s->nrows = n;
  return OG_OK;
}
