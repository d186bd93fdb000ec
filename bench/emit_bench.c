/* Subgraph extraction and the DOT / JSON emitters on synthetic heap-like graphs.
 *   bazel run -c opt //bench:emit_bench -- [nodes_in_millions ...]   (default: 1 10)
 * Graphs have 3 edges per node (a chain edge, a nearby edge, a random one; attribute, index and
 * plain kinds), 16 types, node labels from a pool of 4096 strings and attribute names from 64.
 * Measured, output sent to a sink that only counts bytes:
 *   - objgraph's defaults (max_depth 3, too_many 10) from 1000 random starts, DOT, out and in;
 *   - one large subgraph (max_depth 14, too_many 1000): traversal alone, then DOT;
 *   - the whole graph as JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "og/og.h"

static int count_bytes(void *payload, const char *data, size_t len) {
  (void)data;
  *(uint64_t *)payload += len;
  return OG_OK;
}

typedef struct tally {
  uint64_t nodes, edges;
} tally;

static int count_events(void *payload, const og_subgraph_event *ev) {
  tally *t = payload;
  t->nodes += ev->kind == OG_SUBGRAPH_NODE;
  t->edges += ev->kind == OG_SUBGRAPH_EDGE;
  return OG_OK;
}

static og_graph *make_graph(og_index n) {
  og_builder *b;
  bench_check(og_builder_new(&b, NULL), "builder");
  og_type types[16];
  og_str labels[4096], names[64];
  char s[64], l[64];
  for (int k = 0; k < 16; k++) {
    int sl = snprintf(s, sizeof s, "Type%d", k), ll = snprintf(l, sizeof l, "app.models.Type%d", k);
    bench_check(og_builder_add_type(&types[k], b, s, (size_t)sl, l, (size_t)ll), "type");
  }
  for (int k = 0; k < 4096; k++) {
    int sl = snprintf(s, sizeof s, "<Type%d \"obj\" at 0x7f%08x>", k % 16, k * 977u);
    bench_check(og_builder_intern(&labels[k], b, s, (size_t)sl), "label");
  }
  for (int k = 0; k < 64; k++) {
    int sl = snprintf(s, sizeof s, "attr_%d", k);
    bench_check(og_builder_intern(&names[k], b, s, (size_t)sl), "name");
  }
  for (og_index i = 0; i < n; i++)
    bench_check(og_builder_add_node(NULL, b, 0x7f0000000000ull + (og_id)i * 56, types[i % 16], 56 + i % 200,
                              OG_NODE_GC_TRACKED | (i % 1000 == 0 ? OG_NODE_HAS_DEL : 0), 1,
                              labels[i % 4096]),
          "node");
  uint64_t seed = 7;
  for (og_index i = 0; i < n; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    og_index near = (og_index)((i + 1 + (seed >> 59)) % n);
    og_index far = (og_index)((seed >> 20) % n);
    bench_check(og_builder_add_edge(b, i, (i + 1) % n, OG_EDGE_ATTR, names[i % 64]), "edge");
    bench_check(og_builder_add_edge(b, i, near, OG_EDGE_INDEX, i % 7), "edge");
    bench_check(og_builder_add_edge(b, i, far, OG_EDGE_OTHER, OG_STR_NONE), "edge");
  }
  og_graph *g;
  bench_check(og_builder_finish(&g, b), "finish");
  og_builder_free(b);
  return g;
}

/* objgraph's defaults from many starts: time per call, per node and per edge. */
static void small_subgraphs(og_graph *g, og_walker *w, og_dir dir) {
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.dir = dir;
  og_index n = og_graph_node_count(g);
  uint64_t bytes = 0, nodes = 0, edges = 0;
  double t0 = bench_now();
  for (int k = 0; k < 1000; k++) {
    og_index s = (og_index)(((uint64_t)k * 2654435761u) % n);
    size_t got = 0;
    bench_check(og_emit_subgraph(&got, w, &s, 1, &o, g, NULL, NULL, count_bytes, &bytes), "dot");
    nodes += got;
  }
  double t1 = bench_now();
  tally t = {0, 0};
  for (int k = 0; k < 1000; k++) {
    og_index s = (og_index)(((uint64_t)k * 2654435761u) % n);
    bench_check(og_subgraph_run(w, &s, 1, &o, count_events, &t), "subgraph");
  }
  edges = t.edges;
  printf("  %s depth 3 / too_many 10 x1000: %7.2f us/graph (%4.1f nodes %4.1f edges), %6.1f ns per "
         "node+edge, %5.1f KB DOT/graph\n",
         dir == OG_DIR_OUT ? "refs    " : "backrefs", (t1 - t0) * 1e3, nodes / 1000.0, edges / 1000.0,
         (t1 - t0) * 1e9 / (double)(nodes + edges), bytes / 1000.0 / 1000.0);
}

static void large_subgraph(og_graph *g, og_walker *w) {
  og_subgraph_options o = OG_SUBGRAPH_OPTIONS_INIT;
  o.max_depth = 14;
  o.too_many = 1000;
  og_index s = 0;
  tally t = {0, 0};
  double t0 = bench_now();
  bench_check(og_subgraph_run(w, &s, 1, &o, count_events, &t), "subgraph");
  double t1 = bench_now();
  uint64_t bytes = 0;
  bench_check(og_emit_subgraph(NULL, w, &s, 1, &o, g, NULL, NULL, count_bytes, &bytes), "dot");
  double t2 = bench_now();
  double ne = (double)(t.nodes + t.edges);
  printf("  large subgraph (depth 14): %.2fM nodes %.2fM edges | traversal %6.3fs (%5.1f ns/node+edge)"
         " | DOT %6.3fs (%5.1f ns/node+edge, %6.1f MB, %5.0f MB/s)\n",
         t.nodes / 1e6, t.edges / 1e6, t1 - t0, (t1 - t0) * 1e9 / ne, t2 - t1, (t2 - t1) * 1e9 / ne,
         bytes / 1e6, bytes / 1e6 / (t2 - t1));
}

static void whole_json(og_graph *g) {
  uint64_t bytes = 0;
  double t0 = bench_now();
  bench_check(og_emit_json_graph(g, NULL, count_bytes, &bytes), "json");
  double t1 = bench_now();
  double ne = (double)og_graph_node_count(g) + (double)og_graph_edge_count(g);
  printf("  whole-graph JSON: %6.3fs, %5.1f ns per node+edge, %7.1f MB, %5.0f MB/s\n", t1 - t0,
         (t1 - t0) * 1e9 / ne, bytes / 1e6, bytes / 1e6 / (t1 - t0));
}

static void run(og_index n) {
  og_graph *g = make_graph(n);
  printf("%.0fM nodes / %.0fM edges\n", n / 1e6, og_graph_edge_count(g) / 1e6);
  og_walker w;
  bench_check(og_graph_walker(&w, g), "walker");
  double t0 = bench_now();
  bench_check(og_graph_build_reverse(g), "reverse");
  printf("  reverse CSR (once, for backrefs): %6.3fs\n", bench_now() - t0);
  small_subgraphs(g, &w, OG_DIR_OUT);
  small_subgraphs(g, &w, OG_DIR_IN);
  large_subgraph(g, &w);
  whole_json(g);
  og_graph_free(g);
}

int main(int argc, char **argv) { return bench_sizes_main(argc, argv, run); }
