/* The algorithms' cost per node and per edge on synthetic heap-like graphs.
 *   bazel run -c opt //bench:algo_bench -- [nodes_in_millions ...]   (default: 1 10)
 * Each graph has 3 edges per node (a chain edge, a nearby edge, a random one) and 16 types.
 * Timed: type statistics (short names; long names + most-common sort), selection by type, the
 * reverse CSR, get_leaking_objects, a failing backward chain search over the whole graph (the
 * chain edges make every node reachable), k = 3 retainer paths (to the one module: every spur
 * search crosses most of the graph; and to every 1000th node), the per-object diff of two graphs
 * (10% new ids, 10% same id with another type) and two get_new_ids scans. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "og/og.h"

/* variant 0: the base graph with edges; variant 1: the "later" graph, nodes only, where every
   10th id is new and every 10th + 1 node changed type. */
static og_graph *make(og_index n, int variant) {
  og_builder *b;
  bench_check(og_builder_new(&b, NULL), "builder");
  og_type types[16];
  bench_add_types(b, types, 16);
  for (og_index i = 0; i < n; i++) {
    og_id id = 0x7f0000000000ull + (og_id)i * 56;
    og_type t = types[i % 16];
    if (variant && i % 10 == 0) id += 0x100000000000ull;
    if (variant && i % 10 == 1) t = types[(i + 1) % 16];
    bench_check(og_builder_add_node(NULL, b, id, t, 56 + i % 200, OG_NODE_GC_TRACKED | (i == 0 ? OG_NODE_MODULE : 0), 1,
                              OG_STR_NONE),
          "node");
  }
  uint64_t seed = 7;
  for (og_index i = 0; !variant && i < n; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    og_index near = (og_index)((i + 1 + (seed >> 59)) % n);
    og_index far = (og_index)((seed >> 20) % n);
    bench_check(og_builder_add_edge(b, i, (i + 1) % n, OG_EDGE_ATTR, OG_STR_NONE), "edge");
    bench_check(og_builder_add_edge(b, i, near, OG_EDGE_INDEX, 0), "edge");
    bench_check(og_builder_add_edge(b, i, far, OG_EDGE_OTHER, OG_STR_NONE), "edge");
  }
  og_graph *g;
  bench_check(og_builder_finish(&g, b), "finish");
  og_builder_free(b);
  return g;
}

static int never(void *payload, og_index v) {
  (void)payload;
  (void)v;
  return 0;
}

static int every_1000th(void *payload, og_index v) {
  (void)payload;
  return v % 1000 == 0;
}

static void report(const char *what, double secs, og_index n, uint64_t e) {
  printf("  %-34s %8.3f s cpu  %7.1f ns/node", what, secs, secs * 1e9 / n);
  if (e) printf("  %6.1f ns/edge", secs * 1e9 / (double)e);
  printf("\n");
}

static void run(og_index n) {
  og_graph *g = make(n, 0), *g2 = make(n, 1);
  uint64_t e = og_graph_edge_count(g);
  printf("%.1fM nodes, %.1fM edges\n", n / 1e6, e / 1e6);
  double t = bench_now();
  og_stats *s;
  bench_check(og_stats_compute(&s, g, NULL, OG_ALL_NODES, 0, NULL, NULL), "stats");
  report("typestats (short names)", bench_now() - t, n, 0);
  og_stats_free(s);
  t = bench_now();
  bench_check(og_stats_compute(&s, g, NULL, OG_ALL_NODES, 1, NULL, NULL), "stats");
  bench_check(og_stats_sort(s, OG_STATS_BY_COUNT, 10), "sort");
  report("most_common_types (long names)", bench_now() - t, n, 0);
  og_stats_free(s);
  t = bench_now();
  og_indices *l;
  bench_check(og_select_by_type(&l, g, "app.models.Type3", 16, NULL, OG_ALL_NODES), "by_type");
  report("by_type (dotted name)", bench_now() - t, n, 0);
  og_indices_free(l);
  t = bench_now();
  bench_check(og_graph_build_reverse(g), "reverse");
  report("reverse CSR", bench_now() - t, n, e);
  t = bench_now();
  bench_check(og_select_leaking(&l, g, NULL, OG_ALL_NODES, OG_INDEX_NONE, 0), "leaking");
  report("get_leaking_objects", bench_now() - t, n, e);
  og_indices_free(l);
  og_walker w;
  bench_check(og_graph_walker(&w, g), "walker");
  og_search_options o = OG_SEARCH_OPTIONS_INIT;
  o.dir = OG_DIR_IN;
  o.max_depth = UINT32_MAX;
  t = bench_now();
  bench_check(og_search_chain(&l, &w, 0, &o, never, NULL), "chain");
  report("backref chain, not found (all)", bench_now() - t, n, e);
  og_indices_free(l);
  og_flags_pred mod = {g, OG_NODE_MODULE, OG_NODE_MODULE};
  og_paths *p;
  t = bench_now();
  bench_check(og_search_paths(&p, &w, n / 2, 3, &o, og_flags_pred_fn, &mod), "paths");
  report("3 retainer paths, 1 root (worst)", bench_now() - t, n, e);
  og_paths_free(p);
  t = bench_now();
  bench_check(og_search_paths(&p, &w, n / 2 + 1, 3, &o, every_1000th, NULL), "paths");
  report("3 retainer paths, 0.1% roots", bench_now() - t, n, e);
  og_paths_free(p);
  og_diff *d;
  t = bench_now();
  bench_check(og_diff_graphs(&d, g, g2, NULL), "diff");
  report("per-object diff of two graphs", bench_now() - t, n, 0);
  og_diff_free(d);
  og_idsets *ids;
  bench_check(og_idsets_new(&ids, NULL), "idsets");
  t = bench_now();
  for (int scan = 0; scan < 2; scan++) {
    bench_check(og_idsets_begin(ids), "begin");
    bench_check(og_idsets_add_graph(ids, scan ? g2 : g, 0), "add_graph");
    bench_check(og_idsets_finish(ids), "finish");
  }
  report("get_new_ids, two scans", bench_now() - t, n, 0);
  og_idsets_free(ids);
  og_graph_free(g2);
  og_graph_free(g);
}

int main(int argc, char **argv) { return bench_sizes_main(argc, argv, run); }
