/* Reading a sealed og_graph: nodes, edges, names, the reverse CSR and the CSR walker. */
#include <string.h>

#include "graph_impl.h"
#include "og/walker.h"

void og_graph_free(og_graph *g) {
  if (!g) return;
  og_allocator a = g->alloc;
  og_index n = g->nodes.count;
  og__nodes_free(&g->nodes, &a);
  og__idmap_free(&g->ids, &a);
  og__strtab_free(&g->strs, &a);
  og__typetab_free(&g->types, &a);
  og__free(&a, g->out_off, g->off_cap * sizeof(uint32_t));
  og__free(&a, g->out_dst, g->dst_cap * sizeof(og_index));
  og__free(&a, g->out_meta, g->meta_cap * sizeof(uint32_t));
  og__free(&a, g->in_off, ((size_t)n + 1) * sizeof(uint32_t));
  og__free(&a, g->in_src, g->nin * sizeof(og_index));
  og__free(&a, g, sizeof *g);
}

og_index og_graph_node_count(const og_graph *g) { return g ? g->nodes.count : 0; }
uint64_t og_graph_edge_count(const og_graph *g) { return g ? g->nedges : 0; }
uint32_t og_graph_type_count(const og_graph *g) { return g ? g->types.count : 0; }
uint32_t og_graph_str_count(const og_graph *g) { return g ? g->strs.count : 0; }

static int check_index(const og_graph *g, og_index node) {
  if (node >= g->nodes.count)
    return og__fail(OG_EINVALID, "node index %u is out of range (the graph has %u nodes)", node,
                    g->nodes.count);
  return OG_OK;
}

int og_graph_node(og_node_info *out, const og_graph *g, og_index node) {
  OG_ASSERT_ARG(out != NULL && g != NULL);
  OG_TRY(check_index(g, node));
  const og_nodes *n = &g->nodes;
  out->id = n->id[node];
  out->type = n->type[node];
  out->flags = n->flags[node];
  out->size = og__node_size(n, node);
  out->refcount = n->refcount[node];
  out->label = n->label[node];
  return OG_OK;
}

/* Graphs sealed with trusted ids index them on the first lookup: the index is a cache, the
   graph's contents do not change (hence the cast), and og_graph_build_index shares it. */
int og__graph_index(const og_graph *g) {
  if (g->ids.cap || !g->nodes.count) return OG_OK;
  og_graph *w = (og_graph *)g;
  return og__idmap_build(&w->ids, &w->alloc, g->nodes.id, g->nodes.count, false);
}

int og_graph_build_index(og_graph *g) {
  OG_ASSERT_ARG(g != NULL);
  return og__graph_index(g);
}

int og_graph_find(og_index *out, const og_graph *g, og_id id) {
  OG_ASSERT_ARG(out != NULL && g != NULL);
  *out = OG_INDEX_NONE;
  OG_TRY(og__graph_index(g));
  *out = og__idmap_find(&g->ids, g->nodes.id, id);
  if (*out == OG_INDEX_NONE)
    return og__fail(OG_ENOTFOUND, "no node with id 0x%llx", (unsigned long long)id);
  return OG_OK;
}

og_index og_graph_lookup(const og_graph *g, og_id id) {
  return g && og__graph_index(g) == OG_OK ? og__idmap_find(&g->ids, g->nodes.id, id)
                                          : OG_INDEX_NONE;
}

const char *og_graph_str(const og_graph *g, og_str s, size_t *len_out) {
  if (!g || s >= g->strs.count) {
    if (len_out) *len_out = 0;
    return NULL;
  }
  if (len_out) *len_out = g->strs.len[s];
  return g->strs.ptr[s];
}

const char *og_graph_type_name(const og_graph *g, og_type t, int long_form, size_t *len_out) {
  if (!g || t >= g->types.count) {
    if (len_out) *len_out = 0;
    return NULL;
  }
  return og_graph_str(g, long_form ? g->types.long_name[t] : g->types.short_name[t], len_out);
}

int og_graph_find_type(og_type *out, const og_graph *g, const char *name, size_t len,
                       int long_form) {
  OG_ASSERT_ARG(out != NULL && g != NULL && (name != NULL || len == 0));
  og_str s = og__strtab_find(&g->strs, name ? name : "", len);
  const og_str *col = long_form ? g->types.long_name : g->types.short_name;
  for (og_type t = 0; s != OG_STR_NONE && t < g->types.count; t++)
    if (col[t] == s) return (*out = t, OG_OK);
  *out = OG_TYPE_NONE;
  return og__fail(OG_ENOTFOUND, "no type named '%.*s'", (int)(len > 200 ? 200 : len),
                  name ? name : "");
}

int og_graph_out_degree(size_t *out, const og_graph *g, og_index node) {
  OG_ASSERT_ARG(out != NULL && g != NULL);
  OG_TRY(check_index(g, node));
  *out = g->out_off[node + 1] - g->out_off[node];
  return OG_OK;
}

int og_graph_edge(og_edge_info *out, const og_graph *g, og_index node, size_t k) {
  OG_ASSERT_ARG(out != NULL && g != NULL);
  OG_TRY(check_index(g, node));
  size_t deg = g->out_off[node + 1] - g->out_off[node];
  if (k >= deg)
    return og__fail(OG_EINVALID, "edge %zu of node %u is out of range (out-degree %zu)", k, node,
                    deg);
  size_t e = g->out_off[node] + k;
  out->source = node;
  out->target = g->out_dst[e];
  out->kind = OG_META_KIND(g->out_meta[e]);
  out->label = OG_META_LABEL(g->out_meta[e]);
  return OG_OK;
}

/* Count (fill == NULL) or place each distinct referrer once per target, in source order. */
static void reverse_pass(const og_graph *g, og_index *last, uint32_t *cursor, og_index *fill) {
  og_index n = g->nodes.count;
  for (og_index s = 0; s < n; s++) {
    for (uint32_t e = g->out_off[s]; e < g->out_off[s + 1]; e++) {
      og_index t = g->out_dst[e];
      if (last[t] == s) continue; /* a second edge from the same referrer */
      last[t] = s;
      if (fill)
        fill[cursor[t]++] = s;
      else
        cursor[t + 1]++;
    }
  }
}

int og__graph_reverse(og_graph *g) {
  if (g->in_off) return OG_OK;
  const og_allocator *a = &g->alloc;
  size_t n = g->nodes.count;
  uint32_t *off = og__alloc(a, (n + 1) * sizeof(uint32_t));
  og_index *last = og__alloc(a, (n ? n : 1) * sizeof(og_index));
  uint32_t *cursor = og__alloc(a, (n + 1) * sizeof(uint32_t));
  og_index *src = NULL;
  int rc = OG_OK;
  if (!off || !last || !cursor) {
    rc = og__fail(OG_ENOMEM, "out of memory building the referrer index of %zu nodes", n);
    goto done;
  }
  memset(last, 0xff, (n ? n : 1) * sizeof(og_index));
  memset(off, 0, (n + 1) * sizeof(uint32_t));
  reverse_pass(g, last, off, NULL);
  for (size_t v = 0; v < n; v++) off[v + 1] += off[v];
  size_t nin = off[n];
  src = og__alloc(a, (nin ? nin : 1) * sizeof(og_index));
  if (!src) {
    rc = og__fail(OG_ENOMEM, "out of memory for %zu referrer entries", nin);
    goto done;
  }
  memset(last, 0xff, (n ? n : 1) * sizeof(og_index));
  memcpy(cursor, off, (n + 1) * sizeof(uint32_t));
  reverse_pass(g, last, cursor, src);
  g->in_off = off;
  g->in_src = src;
  g->nin = nin ? nin : 1; /* the allocated count, for the free */
  off = NULL;
done:
  og__free(a, off, (n + 1) * sizeof(uint32_t));
  og__free(a, last, (n ? n : 1) * sizeof(og_index));
  og__free(a, cursor, (n + 1) * sizeof(uint32_t));
  return rc;
}

int og_graph_build_reverse(og_graph *g) {
  OG_ASSERT_ARG(g != NULL);
  return og__graph_reverse(g);
}

int og_graph_neighbors(og_span *out, og_graph *g, og_dir dir, og_index node) {
  OG_ASSERT_ARG(out != NULL && g != NULL);
  OG_ASSERT_ARG(dir == OG_DIR_OUT || dir == OG_DIR_IN);
  OG_TRY(check_index(g, node));
  if (dir == OG_DIR_OUT) {
    uint32_t lo = g->out_off[node];
    out->nodes = g->out_dst ? g->out_dst + lo : NULL;
    out->meta = g->out_meta ? g->out_meta + lo : NULL;
    out->count = g->out_off[node + 1] - lo;
    return OG_OK;
  }
  OG_TRY(og__graph_reverse(g));
  uint32_t lo = g->in_off[node];
  out->nodes = g->in_src + lo;
  out->meta = NULL;
  out->count = g->in_off[node + 1] - lo;
  return OG_OK;
}

int og_graph_memory(og_graph_mem *out, const og_graph *g) {
  OG_ASSERT_ARG(out != NULL && g != NULL);
  const og_nodes *n = &g->nodes;
  size_t per_node = sizeof *n->id + sizeof *n->type + sizeof *n->size + sizeof *n->flags +
                    sizeof *n->refcount + sizeof *n->label;
  size_t nn = n->count;
  out->nodes = nn * per_node + n->capbig * sizeof(og_bigsize) + (nn + 1) * sizeof(uint32_t) +
               g->ids.cap * sizeof(og_index) + (g->in_off ? (nn + 1) * sizeof(uint32_t) : 0);
  out->edges = g->nedges * (sizeof(og_index) + sizeof(uint32_t)) +
               (g->in_src ? g->nin * sizeof(og_index) : 0);
  out->strings = g->strs.arena.held_total +
                 g->strs.cap * (sizeof *g->strs.ptr + sizeof *g->strs.len) +
                 g->strs.nslots * sizeof(uint64_t) + g->types.cap * 2 * sizeof(og_str) +
                 g->types.nslots * sizeof(uint32_t);
  return OG_OK;
}

void og_graph_set_user_data(og_graph *g, void *data) {
  if (g) g->user_data = data;
}

void *og_graph_user_data(const og_graph *g) { return g ? g->user_data : NULL; }

static int csr_neighbors(void *ctx, og_dir dir, og_index node, og_span *out) {
  return og_graph_neighbors(out, (og_graph *)ctx, dir, node);
}

static og_index csr_node_count(void *ctx) { return ((og_graph *)ctx)->nodes.count; }

int og_graph_walker(og_walker *out, og_graph *g) {
  OG_ASSERT_ARG(out != NULL && g != NULL);
  out->version = OG_WALKER_VERSION;
  out->ctx = g;
  out->neighbors = csr_neighbors;
  out->node_count = csr_node_count;
  return OG_OK;
}
