/* Adversarial graph shapes of 1M nodes, timed: they must stay linear in their size.
 *   bazel run -c opt //bench:adversarial_bench -- [nodes]      (default 1000000)
 * Shapes: a chain, a hub with n referrers, a cycle, and a complete bipartite block (sqrt(n) x
 * sqrt(n) edges). For each: reverse CSR, a failing backward and forward chain search over the
 * whole graph, and objgraph's default show_backrefs subgraph (depth 3, too_many 10) with DOT. */
#include <math.h>
#include <string.h>

#include "bench_util.h"
#include "og/og.h"

typedef enum { CHAIN, HUB, CYCLE, BIPARTITE } shape;
static const char *names[] = {"chain", "hub (n referrers)", "cycle", "bipartite"};

static og_graph *build(shape s, og_index n, og_index *start) {
  og_builder *b;
  og_type t;
  bench_check(og_builder_new(&b, NULL), "builder");
  bench_check(og_builder_add_type(&t, b, "Node", 4, "bench.Node", 10), "type");
  for (og_index i = 0; i < n; i++)
    bench_check(og_builder_add_node(NULL, b, 0x1000 + (og_id)i * 16, t, 48, 1, 1, OG_STR_NONE),
                "node");
  og_index side = (og_index)sqrt((double)n);
  switch (s) {
    case CHAIN: /* i -> i+1: the start (n-1) has the longest referrer chain */
    case CYCLE:
      for (og_index i = 0; i + 1 < n; i++) bench_check(og_builder_add_edge(b, i, i + 1, 1, 0), "edge");
      if (s == CYCLE) bench_check(og_builder_add_edge(b, n - 1, 0, 1, 0), "edge");
      *start = n - 1;
      break;
    case HUB: /* every node refers to node 0 */
      for (og_index i = 1; i < n; i++) bench_check(og_builder_add_edge(b, i, 0, 1, 0), "edge");
      *start = 0;
      break;
    case BIPARTITE: /* the first side x side block: every left node refers to every right node */
      for (og_index l = 0; l < side; l++)
        for (og_index r = 0; r < side; r++)
          bench_check(og_builder_add_edge(b, l, side + r, 0, OG_STR_NONE), "edge");
      *start = side;
      break;
  }
  og_graph *g;
  bench_check(og_builder_finish(&g, b), "finish");
  og_builder_free(b);
  return g;
}

static int never(void *payload, og_index node) {
  (void)payload;
  (void)node;
  return 0;
}

static int discard(void *payload, const char *data, size_t len) {
  *(size_t *)payload += len;
  (void)data;
  return OG_OK;
}

static void run(shape s, og_index n) {
  og_index start = 0;
  og_graph *g = build(s, n, &start);
  uint64_t v = og_graph_node_count(g), e = og_graph_edge_count(g);
  double t = bench_now();
  bench_check(og_graph_build_reverse(g), "reverse");
  double t_rev = bench_now() - t;
  og_walker w;
  bench_check(og_graph_walker(&w, g), "walker");
  double t_dir[2];
  for (int d = 0; d < 2; d++) {
    og_search_options o = OG_SEARCH_OPTIONS_INIT;
    o.dir = d ? OG_DIR_IN : OG_DIR_OUT;
    o.max_depth = UINT32_MAX;
    og_indices *l = NULL;
    t = bench_now();
    bench_check(og_search_chain(&l, &w, d ? start : 0, &o, never, NULL), "chain");
    t_dir[d] = bench_now() - t;
    og_indices_free(l);
  }
  og_subgraph_options sg = OG_SUBGRAPH_OPTIONS_INIT;
  sg.dir = OG_DIR_IN;
  size_t bytes = 0, nodes = 0;
  t = bench_now();
  bench_check(og_emit_subgraph(&nodes, &w, &start, 1, &sg, g, NULL, NULL, discard, &bytes), "dot");
  double t_dot = bench_now() - t;
  printf("%-18s %8llu nodes %8llu edges | reverse CSR %7.4fs | chain out %7.4fs in %7.4fs"
         " (%5.1f ns/(node+edge)) | show_backrefs DOT %8.6fs (%zu nodes)\n",
         names[s], (unsigned long long)v, (unsigned long long)e, t_rev, t_dir[0], t_dir[1],
         (t_dir[0] + t_dir[1]) * 1e9 / 2 / (double)(v + e), t_dot, nodes);
  og_graph_free(g);
}

int main(int argc, char **argv) {
  og_index n = argc > 1 ? (og_index)atof(argv[1]) : 1000000;
  for (int s = CHAIN; s <= BIPARTITE; s++) run((shape)s, n);
  return 0;
}
