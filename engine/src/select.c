/* Selection of nodes by type name, id, flags or predicate; leaking objects. */
#include <stdlib.h>
#include <string.h>

#include "algo.h"
#include "og/select.h"

int og_flags_pred_fn(void *payload, og_index node) {
  const og_flags_pred *p = payload;
  OG_ASSERT_ARG(p != NULL && p->graph != NULL);
  if (node >= p->graph->nodes.count)
    return og__fail(OG_EINVALID, "node %u is out of range (graph has %u nodes)", node,
                    p->graph->nodes.count);
  return ((uint32_t)p->graph->nodes.flags[node] & p->mask) == p->value;
}

/* objgraph's rule: a dotted name compares the long name, any other the short name. */
static int type_name_matches(const og_graph *g, og_type t, const char *name, size_t len) {
  size_t tlen = 0;
  int long_form = memchr(name, '.', len) != NULL;
  const char *tname = og_graph_type_name(g, t, long_form, &tlen);
  return tname && tlen == len && memcmp(tname, name, len) == 0;
}

int og_select_type_matches(const og_graph *g, og_index node, const char *name, size_t len) {
  OG_ASSERT_ARG(g != NULL);
  OG_ASSERT_ARG(name != NULL || len == 0);
  if (node >= g->nodes.count)
    return og__fail(OG_EINVALID, "node %u is out of range (graph has %u nodes)", node,
                    g->nodes.count);
  return type_name_matches(g, g->nodes.type[node], name ? name : "", len);
}

/* Per type: does it match? One byte per type (O(types * len) to fill). */
static int type_match_table(uint8_t **out, const og_graph *g, const char *name, size_t len) {
  size_t ntypes = og_graph_type_count(g);
  uint8_t *m = og__alloc(&g->alloc, ntypes ? ntypes : 1);
  if (!m) return og__fail(OG_ENOMEM, "out of memory for %zu types", ntypes);
  for (size_t t = 0; t < ntypes; t++) m[t] = (uint8_t)type_name_matches(g, (og_type)t, name, len);
  *out = m;
  return OG_OK;
}

/* The shared loop of by_type / count_type: list (when non-NULL) and count the matches. */
static int select_type(og_indices *list, size_t *count_out, const og_graph *g, const char *name,
                       size_t len, const og_index *nodes, size_t count) {
  size_t n, hits = 0, ntypes = og_graph_type_count(g);
  OG_TRY(og__subset_check(&n, g, nodes, count));
  uint8_t *m = NULL;
  OG_TRY(type_match_table(&m, g, name ? name : "", len));
  int rc = OG_OK;
  for (size_t k = 0; k < n; k++) {
    og_index v = og__subset_at(nodes, count, k);
    og_type t = g->nodes.type[v];
    if (t >= ntypes || !m[t]) continue;
    hits++;
    if (list && (rc = og__indices_push(list, v)) != OG_OK) break;
  }
  og__free(&g->alloc, m, ntypes ? ntypes : 1);
  if (count_out) *count_out = hits;
  return rc;
}

int og_select_by_type(og_indices **out, const og_graph *g, const char *name, size_t len,
                      const og_index *nodes, size_t count) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(g != NULL);
  OG_ASSERT_ARG(name != NULL || len == 0);
  og_indices *l;
  OG_TRY(og__indices_new(&l, &g->alloc, 0));
  int rc = select_type(l, NULL, g, name, len, nodes, count);
  if (rc != OG_OK) {
    og_indices_free(l);
    return rc;
  }
  *out = l;
  return OG_OK;
}

int og_select_count_type(size_t *out, const og_graph *g, const char *name, size_t len,
                         const og_index *nodes, size_t count) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(g != NULL);
  OG_ASSERT_ARG(name != NULL || len == 0);
  return select_type(NULL, out, g, name, len, nodes, count);
}

/* Filter a subset by flags (pred NULL) or by a predicate. */
static int select_filter(og_indices **out, const og_graph *g, const og_index *nodes, size_t count,
                         uint32_t mask, uint32_t value, og_node_pred_fn pred, void *payload) {
  size_t n;
  OG_TRY(og__subset_check(&n, g, nodes, count));
  og_indices *l;
  OG_TRY(og__indices_new(&l, &g->alloc, 0));
  int rc = OG_OK;
  for (size_t k = 0; k < n; k++) {
    og_index v = og__subset_at(nodes, count, k);
    int keep = pred ? pred(payload, v) : (((uint32_t)g->nodes.flags[v] & mask) == value);
    if (keep < 0) {
      rc = keep;
      break;
    }
    if (keep && (rc = og__indices_push(l, v)) != OG_OK) break;
  }
  if (rc != OG_OK) {
    og_indices_free(l);
    return rc;
  }
  *out = l;
  return OG_OK;
}

int og_select_by_flags(og_indices **out, const og_graph *g, uint32_t mask, uint32_t value,
                       const og_index *nodes, size_t count) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(g != NULL);
  return select_filter(out, g, nodes, count, mask, value, NULL, NULL);
}

int og_select_where(og_indices **out, const og_graph *g, const og_index *nodes, size_t count,
                    og_node_pred_fn pred, void *payload) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(g != NULL);
  OG_ASSERT_ARG(pred != NULL);
  return select_filter(out, g, nodes, count, 0, 0, pred, payload);
}

int og_select_by_id(og_index *out, const og_graph *g, og_id id) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(g != NULL);
  return og_graph_find(out, g, id);
}

static int index_cmp(const void *pa, const void *pb) {
  og_index a = *(const og_index *)pa, b = *(const og_index *)pb;
  return a < b ? -1 : (a > b);
}

int og_select_by_ids(og_indices **out, const og_graph *g, const og_id *ids, size_t n) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(g != NULL);
  OG_ASSERT_ARG(ids != NULL || n == 0);
  OG_TRY(og__graph_index(g));
  og_indices *l;
  OG_TRY(og__indices_new(&l, &g->alloc, 0));
  int rc = OG_OK;
  for (size_t k = 0; k < n && rc == OG_OK; k++) {
    og_index v = og__idmap_find(&g->ids, g->nodes.id, ids[k]);
    if (v != OG_INDEX_NONE) rc = og__indices_push(l, v);
  }
  if (rc != OG_OK) {
    og_indices_free(l);
    return rc;
  }
  if (l->count > 1) qsort(l->data, l->count, sizeof(og_index), index_cmp);
  size_t w = 0;
  for (size_t k = 0; k < l->count; k++)
    if (w == 0 || l->data[w - 1] != l->data[k]) l->data[w++] = l->data[k];
  l->count = w;
  *out = l;
  return OG_OK;
}

int og_select_leaking(og_indices **out, const og_graph *g, const og_index *nodes, size_t count,
                      og_index container, uint32_t source_flags) {
  OG_ASSERT_ARG(out != NULL);
  OG_ASSERT_ARG(g != NULL);
  og_index nv = g->nodes.count;
  if (container != OG_INDEX_NONE && container >= nv)
    return og__fail(OG_EINVALID, "container %u is out of range (graph has %u nodes)", container,
                    nv);
  size_t n;
  OG_TRY(og__subset_check(&n, g, nodes, count));
  uint8_t *referred = og__alloc(&g->alloc, nv ? nv : 1);
  if (!referred) return og__fail(OG_ENOMEM, "out of memory for %u nodes", nv);
  memset(referred, 0, nv ? nv : 1);
  for (og_index s = 0; s < nv; s++) {
    if (s == container || ((uint32_t)g->nodes.flags[s] & source_flags) != source_flags) continue;
    for (uint32_t e = g->out_off[s]; e < g->out_off[s + 1]; e++)
      if (OG_META_KIND(g->out_meta[e]) != OG_EDGE_WEAK) referred[g->out_dst[e]] = 1; /* keeps it alive */
  }
  og_indices *l = NULL;
  int rc = og__indices_new(&l, &g->alloc, 0);
  for (size_t k = 0; rc == OG_OK && k < n; k++) {
    og_index v = og__subset_at(nodes, count, k);
    if (!referred[v]) rc = og__indices_push(l, v);
  }
  og__free(&g->alloc, referred, nv ? nv : 1);
  if (rc != OG_OK) {
    og_indices_free(l);
    return rc;
  }
  *out = l;
  return OG_OK;
}
