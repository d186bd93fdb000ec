/* The IR's build, CSR and reverse-CSR times and its bytes per node and per edge.
 *   bazel run -c opt //bench:graph_bench -- [nodes_in_millions ...]   (default: 1 10)
 * Synthetic heap-like graphs with 3 edges per node: a chain edge, a nearby edge and a random one.
 * Times are CPU seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "bench_util.h"
#include "og/og.h"

static void run(og_index n) {
  og_builder *b;
  bench_check(og_builder_new(&b, NULL), "builder");
  og_type types[16];
  bench_add_types(b, types, 16);
  double t0 = bench_now();
  for (og_index i = 0; i < n; i++)
    bench_check(og_builder_add_node(NULL, b, 0x7f0000000000ull + (og_id)i * 56, types[i % 16],
                              56 + i % 200, OG_NODE_GC_TRACKED, 1, OG_STR_NONE), "node");
  double t1 = bench_now();
  uint64_t seed = 7;
  for (og_index i = 0; i < n; i++) {
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    og_index near = (og_index)((i + 1 + (seed >> 59)) % n);
    og_index far = (og_index)((seed >> 20) % n);
    bench_check(og_builder_add_edge(b, i, (i + 1) % n, OG_EDGE_ATTR, OG_STR_NONE), "edge");
    bench_check(og_builder_add_edge(b, i, near, OG_EDGE_INDEX, 0), "edge");
    bench_check(og_builder_add_edge(b, i, far, OG_EDGE_OTHER, OG_STR_NONE), "edge");
  }
  double t2 = bench_now();
  og_graph *g;
  bench_check(og_builder_finish(&g, b), "finish");
  double t3 = bench_now();
  bench_check(og_graph_build_reverse(g), "reverse");
  double t4 = bench_now();
  og_graph_mem mem;
  bench_check(og_graph_memory(&mem, g), "memory");
  uint64_t e = og_graph_edge_count(g);
  printf("%8.1fM nodes %8.1fM edges | add nodes %6.3fs  add edges %6.3fs  CSR %6.3fs  reverse CSR %6.3fs"
         " | %5.1f B/node %5.2f B/edge (strings %zu B)\n",
         n / 1e6, e / 1e6, t1 - t0, t2 - t1, t3 - t2, t4 - t3, (double)mem.nodes / n,
         (double)mem.edges / (double)e, mem.strings);
  og_graph_free(g);
  og_builder_free(b);
}

int main(int argc, char **argv) { return bench_sizes_main(argc, argv, run); }
